//! Service-level targets on a ticket: which clocks run, when they are due, when to warn, and what
//! stops, pauses or resumes them. Pure planning: the store persists the results and the timer
//! engine fires them; this module only computes.
//!
//! The targets follow the published policies: a first response by channel, routing to the
//! competent department (seed 000), the start of handling by importance and closure by
//! complexity (seed 002), and an overall cap (seed 001).

use crate::calendar::{DeadlineError, DurationExpr, WorkingCalendar};
use crate::lifecycle::TicketStatus;
pub use crate::policy::TargetKind;
use jiff::{SignedDuration, Timestamp};

string_enum! {
    /// Where a target stands. `Paused` while the ticket waits on the requester; `Cancelled` when
    /// the ticket is cancelled or merged, so a clock nobody can meet never counts as a breach.
    pub enum TargetState: "target state" {
        Running => "running",
        Paused => "paused",
        Met => "met",
        Breached => "breached",
        Cancelled => "cancelled",
    }
}

/// What happens to a ticket that can move a target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TicketHappening {
    /// A public reply reached the requester.
    PublicReply,
    /// The ticket's status changed.
    StatusChanged {
        from: TicketStatus,
        to: TicketStatus,
    },
}

/// What a happening does to one target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetEffect {
    Meet,
    Pause,
    Resume,
    Cancel,
    /// A reopened ticket's closure clocks run again; the time it spent resolved is not counted.
    Reopen,
}

impl TargetKind {
    /// The effect a happening has on a target of this kind, if any.
    pub fn effect_of(self, happening: TicketHappening) -> Option<TargetEffect> {
        use TicketStatus::*;
        match happening {
            TicketHappening::PublicReply => {
                (self == TargetKind::FirstResponse).then_some(TargetEffect::Meet)
            }
            TicketHappening::StatusChanged {
                to: Cancelled | Merged,
                ..
            } => Some(TargetEffect::Cancel),
            TicketHappening::StatusChanged {
                to: WaitingOnRequester,
                ..
            } => Some(TargetEffect::Pause),
            TicketHappening::StatusChanged {
                from: WaitingOnRequester,
                to: InProgress,
            } => Some(TargetEffect::Resume),
            TicketHappening::StatusChanged {
                from: Resolved | Closed,
                to: InProgress,
            } => matches!(self, TargetKind::Closure | TargetKind::Overall)
                .then_some(TargetEffect::Reopen),
            TicketHappening::StatusChanged { to, .. } => {
                let met = match self {
                    // A ticket settled without a written reply (say, by phone) was still answered.
                    TargetKind::FirstResponse => matches!(to, Resolved | Closed),
                    TargetKind::Routing => matches!(to, Routed | InProgress | Resolved | Closed),
                    TargetKind::StartHandling => matches!(to, InProgress | Resolved | Closed),
                    TargetKind::Closure | TargetKind::Overall => matches!(to, Resolved | Closed),
                };
                met.then_some(TargetEffect::Meet)
            }
        }
    }
}

/// A target as planned: its duration, the calendar it is measured in, and its deadline.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetPlan {
    pub kind: TargetKind,
    pub duration: DurationExpr,
    pub calendar: String,
    pub started_at: Timestamp,
    pub deadline: Timestamp,
}

impl TargetPlan {
    pub fn new(
        kind: TargetKind,
        duration: &DurationExpr,
        calendar: &WorkingCalendar,
        started_at: Timestamp,
    ) -> Result<Self, DeadlineError> {
        Ok(TargetPlan {
            kind,
            duration: *duration,
            calendar: calendar.name().to_owned(),
            started_at,
            deadline: calendar.deadline(started_at, duration)?,
        })
    }
}

/// The instants at which pre-breach alerts are due: each fraction of the target's allowance,
/// measured the way the target is measured (working time for working durations, calendar time
/// otherwise). Alerts whose instant has already passed at `now` are skipped, and a fraction that
/// lands on the deadline itself is left to the breach.
pub fn alert_instants(
    calendar: &WorkingCalendar,
    duration: &DurationExpr,
    started_at: Timestamp,
    deadline: Timestamp,
    fractions: &[f64],
    now: Timestamp,
) -> Result<Vec<(f64, Timestamp)>, DeadlineError> {
    let mut instants = Vec::with_capacity(fractions.len());
    for &fraction in fractions {
        let instant = if duration.is_working() {
            let allowance = calendar.working_time_between(started_at, deadline);
            let part =
                SignedDuration::from_secs((allowance.as_secs_f64() * fraction).floor() as i64);
            let minutes = u32::try_from(part.as_secs() / 60).unwrap_or(u32::MAX);
            calendar.deadline(started_at, &DurationExpr::WorkingMinutes(minutes))?
        } else {
            let allowance = deadline.duration_since(started_at);
            started_at
                + SignedDuration::from_secs((allowance.as_secs_f64() * fraction).floor() as i64)
        };
        if instant > now && instant < deadline {
            instants.push((fraction, instant));
        }
    }
    Ok(instants)
}

/// The deadline after a pause: later by the working time (or calendar time, for calendar
/// durations) that passed while the clock was stopped.
pub fn deadline_after_pause(
    calendar: &WorkingCalendar,
    duration: &DurationExpr,
    deadline: Timestamp,
    paused_at: Timestamp,
    resumed_at: Timestamp,
) -> Result<Timestamp, DeadlineError> {
    calendar.extend_for_pause(deadline, paused_at, resumed_at, duration)
}

/// Whether a target that is still running at `now` has breached.
pub fn is_breached(state: TargetState, deadline: Timestamp, now: Timestamp) -> bool {
    state == TargetState::Running && now >= deadline
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::CalendarsSpec;

    fn calendar() -> WorkingCalendar {
        let spec: CalendarsSpec = toml::from_str(
            r#"
            [[calendars]]
            name = "support"
            timezone = "Asia/Riyadh"
            hours = { sun = ["08:00-16:00"], mon = ["08:00-16:00"], tue = ["08:00-16:00"], wed = ["08:00-16:00"], thu = ["08:00-16:00"] }
            "#,
        )
        .unwrap();
        spec.build().unwrap().remove(0)
    }

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn effects_follow_the_lifecycle() {
        use TicketStatus::*;
        let change = |from, to| TicketHappening::StatusChanged { from, to };
        let cases = [
            (
                TargetKind::FirstResponse,
                TicketHappening::PublicReply,
                Some(TargetEffect::Meet),
            ),
            (TargetKind::Closure, TicketHappening::PublicReply, None),
            (
                TargetKind::Routing,
                change(Classified, Routed),
                Some(TargetEffect::Meet),
            ),
            (TargetKind::StartHandling, change(Classified, Routed), None),
            (
                TargetKind::StartHandling,
                change(Routed, InProgress),
                Some(TargetEffect::Meet),
            ),
            (
                TargetKind::Closure,
                change(InProgress, WaitingOnRequester),
                Some(TargetEffect::Pause),
            ),
            (
                TargetKind::Closure,
                change(WaitingOnRequester, InProgress),
                Some(TargetEffect::Resume),
            ),
            (
                TargetKind::Closure,
                change(InProgress, Resolved),
                Some(TargetEffect::Meet),
            ),
            (
                TargetKind::Overall,
                change(Resolved, InProgress),
                Some(TargetEffect::Reopen),
            ),
            (
                TargetKind::FirstResponse,
                change(Resolved, InProgress),
                None,
            ),
            (
                TargetKind::FirstResponse,
                change(InProgress, Resolved),
                Some(TargetEffect::Meet),
            ),
            (TargetKind::FirstResponse, change(Routed, InProgress), None),
            (
                TargetKind::FirstResponse,
                change(InProgress, Cancelled),
                Some(TargetEffect::Cancel),
            ),
            (
                TargetKind::Overall,
                change(Routed, Merged),
                Some(TargetEffect::Cancel),
            ),
        ];
        for (kind, happening, expected) in cases {
            assert_eq!(kind.effect_of(happening), expected, "{kind} {happening:?}");
        }
    }

    #[test]
    fn alerts_fall_at_fractions_of_the_working_allowance() {
        let calendar = calendar();
        // Sunday 08:00 + 48 working hours (8 h a day) = Sunday of the next week, 16:00.
        let start = at("2026-11-22T05:00:00Z");
        let duration = DurationExpr::WorkingHours(48);
        let plan = TargetPlan::new(TargetKind::FirstResponse, &duration, &calendar, start).unwrap();
        assert_eq!(plan.deadline, at("2026-11-29T13:00:00Z"));
        let alerts = alert_instants(
            &calendar,
            &duration,
            start,
            plan.deadline,
            &[0.75, 0.9],
            start,
        )
        .unwrap();
        // 36 working hours: Thursday 12:00 local; 43.2 h: Sunday 11:12 local.
        assert_eq!(
            alerts,
            vec![
                (0.75, at("2026-11-26T09:00:00Z")),
                (0.9, at("2026-11-29T08:12:00Z"))
            ]
        );
        let later = alert_instants(
            &calendar,
            &duration,
            start,
            plan.deadline,
            &[0.75, 0.9],
            at("2026-11-27T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(later.len(), 1, "alerts already past are not planned");
    }

    #[test]
    fn calendar_durations_alert_in_calendar_time() {
        let calendar = calendar();
        let start = at("2026-11-27T10:00:00Z");
        let duration = DurationExpr::CalendarHours(24);
        let plan = TargetPlan::new(TargetKind::Routing, &duration, &calendar, start).unwrap();
        assert_eq!(plan.deadline, at("2026-11-28T10:00:00Z"));
        let alerts =
            alert_instants(&calendar, &duration, start, plan.deadline, &[0.5], start).unwrap();
        assert_eq!(alerts, vec![(0.5, at("2026-11-27T22:00:00Z"))]);
    }

    #[test]
    fn pauses_move_deadlines_by_working_time() {
        let calendar = calendar();
        let duration = DurationExpr::WorkingHours(8);
        // Paused from Sunday 10:00 to Monday 10:00 local: 8 working hours pass while waiting.
        let deadline = at("2026-11-23T05:00:00Z");
        let moved = deadline_after_pause(
            &calendar,
            &duration,
            deadline,
            at("2026-11-22T07:00:00Z"),
            at("2026-11-23T07:00:00Z"),
        )
        .unwrap();
        // Monday 08:00 plus the 8 paused working hours ends exactly at Monday's close.
        assert_eq!(moved, at("2026-11-23T13:00:00Z"));
        assert!(is_breached(TargetState::Running, deadline, deadline));
        assert!(!is_breached(TargetState::Paused, deadline, deadline));
    }
}
