//! Working-time calendars and deadline math.
//!
//! Service-level promises such as "first reply within 4 working hours" only mean something
//! against a calendar: the provider's working hours, its holidays and the extra sessions it
//! runs. This module reads calendars from their published configuration shape
//! ([`CalendarSpec`]), turns them into [`WorkingCalendar`]s and computes deadlines for
//! [`DurationExpr`]essions. It is pure: every function takes the instants it needs (`start`,
//! `paused_from`, …) as arguments and never reads the clock, so deadlines can be tested and
//! replayed on simulated time.
//!
//! Time zones come from the IANA database through jiff, so calendars in zones with daylight
//! saving time keep their local opening hours across transitions.

mod duration;
mod engine;
mod saudi;
mod spec;

pub use duration::{DurationError, DurationExpr};
pub use engine::{DeadlineError, WorkingCalendar};
pub use saudi::{
    HijriDay, HolidayError, PublicHoliday, UMM_AL_QURA_YEARS, hijri_day, holidays_toml_line,
    saudi_public_holidays,
};
pub use spec::{CalendarError, CalendarSpec, CalendarsSpec};

impl CalendarsSpec {
    /// Builds every calendar of a file, rejecting duplicate names so that a policy's reference
    /// to a calendar is never ambiguous.
    pub fn build(&self) -> Result<Vec<WorkingCalendar>, CalendarError> {
        let mut built: Vec<WorkingCalendar> = Vec::with_capacity(self.calendars.len());
        for spec in &self.calendars {
            let calendar = WorkingCalendar::from_spec(spec)?;
            if built.iter().any(|c| c.name() == calendar.name()) {
                return Err(CalendarError::DuplicateName {
                    name: calendar.name().to_owned(),
                });
            }
            built.push(calendar);
        }
        Ok(built)
    }
}
