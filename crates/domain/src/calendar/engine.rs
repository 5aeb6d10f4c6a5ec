//! The working-time engine: turns a validated calendar into instants and does deadline math.
//!
//! Everything here walks the calendar window by window and day by day, and skips whole weeks
//! arithmetically where nothing irregular (a holiday, an extra window or a time-zone
//! transition) can happen inside them. Nothing ever steps minute by minute, so the cost of a
//! deadline grows with the holidays and extra windows it crosses, not with its length.
//!
//! Local times become instants through jiff's *compatible* disambiguation, the behaviour of
//! RFC 5545 and of `java.time`: a local time inside a DST gap (which does not exist) is moved
//! forward by the length of the gap, and a local time inside a fold (which exists twice) takes
//! the earlier instant. A shift that starts at 02:30 on a spring-forward night therefore starts
//! at 03:30, and one that starts at 01:30 on a fall-back night starts at the first 01:30.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};

use super::duration::DurationExpr;
use super::spec::{CalendarError, CalendarSpec, Validated, Window};

/// How far the engine looks for working time before it gives up. A calendar whose working time
/// has run out (for example one that only has extra windows, all in the past) would otherwise
/// make deadline searches loop forever.
const HORIZON_DAYS: i64 = 3_660;

const WEEK: SignedDuration = SignedDuration::from_hours(7 * 24);
const NANOS_PER_WEEK: i128 = 7 * 86_400 * 1_000_000_000;

/// Why a deadline could not be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeadlineError {
    /// The calendar has no working time within the search horizon (about ten years) after the
    /// point where the search stood, so the deadline would never arrive.
    #[error("the calendar has no working time within ten years; the deadline would never arrive")]
    NoWorkingTime,
    /// The deadline falls outside the range of dates that can be represented (years -9999 to
    /// 9999).
    #[error("the deadline falls outside the representable range of dates")]
    OutOfRange,
    /// A pause was reported as ending before it began.
    #[error("the pause ends ({resumed_at}) before it begins ({paused_from})")]
    PauseEndsBeforeStart {
        paused_from: Timestamp,
        resumed_at: Timestamp,
    },
}

fn out_of_range<E>(_: E) -> DeadlineError {
    DeadlineError::OutOfRange
}

/// A half-open span of absolute time `[start, end)`.
type Interval = (Timestamp, Timestamp);

/// A working calendar ready for deadline math: weekly windows, holidays and extra windows in one
/// IANA time zone.
///
/// It is immutable and cheap to share between threads, so one instance per configured calendar
/// can serve every request.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    name: String,
    tz: TimeZone,
    /// Weekly windows indexed by days since Sunday, sorted by start.
    weekly: [Vec<Window>; 7],
    /// How many weekdays have at least one window, for skipping whole weeks of working days.
    weekly_days: i64,
    /// The nominal working time of a whole week, for skipping whole weeks of working time.
    /// It equals the absolute working time only in weeks without a time-zone transition,
    /// which is the only time it is used.
    weekly_total: SignedDuration,
    /// Holidays as inclusive ranges of day numbers, sorted and merged.
    holidays: Vec<(i64, i64)>,
    /// The union of the extra windows as instants, sorted, disjoint and non-empty.
    extras: Vec<Interval>,
    /// For each local date on which an extra window starts (as written): the earliest start
    /// and the latest end of those windows, sorted by day number. Extra windows belong to the
    /// date on which they start, so an evening session that runs past midnight makes only its
    /// first date a working day.
    extra_days: Vec<(i64, Timestamp, Timestamp)>,
    /// Where the zone's offset stops changing for good (as in `Asia/Riyadh`, whose last
    /// transition was in 1947), so that conversions after it never consult the zone rules.
    settled: Option<(Timestamp, Offset)>,
}

impl WorkingCalendar {
    /// Validates a specification and prepares it for deadline math.
    ///
    /// Fails with a [`CalendarError`] naming the field and value at fault, and rejects a
    /// calendar with no weekly and no extra windows, on which no deadline could ever arrive.
    pub fn from_spec(spec: &CalendarSpec) -> Result<WorkingCalendar, CalendarError> {
        let Validated {
            name,
            tz,
            weekly,
            holidays,
            extras: local_extras,
        } = spec.validate()?;

        let weekly_days = weekly.iter().filter(|day| !day.is_empty()).count() as i64;
        let weekly_seconds: i64 = weekly.iter().flatten().map(Window::local_seconds).sum();
        let holidays = holidays
            .into_iter()
            .map(|(first, last)| (day_number(first), day_number(last)))
            .collect();

        let mut extras = Vec::with_capacity(local_extras.len());
        let mut extra_days: Vec<(i64, Timestamp, Timestamp)> = Vec::new();
        for &(start, end) in &local_extras {
            let bad_extra = |reason: String| CalendarError::BadExtra {
                calendar: name.clone(),
                value: format!("{start}..{end}"),
                reason,
            };
            let start_at = compatible(&tz, start).map_err(|e| bad_extra(e.to_string()))?;
            let end_at = compatible(&tz, end).map_err(|e| bad_extra(e.to_string()))?;
            // A window lying wholly inside a DST gap collapses; it still makes its date a
            // working day, because that is what the operator wrote, but adds no working time.
            if start_at < end_at {
                extras.push((start_at, end_at));
            }
            extra_days.push((day_number(start.date()), start_at, end_at));
        }
        extra_days.sort_by_key(|&(day, _, _)| day);
        extra_days.dedup_by(|later, earlier| {
            let same_day = later.0 == earlier.0;
            if same_day {
                earlier.1 = earlier.1.min(later.1);
                earlier.2 = earlier.2.max(later.2);
            }
            same_day
        });
        let extras = merge_spans(extras);

        // A zone whose last transition is followed by no rule keeps one offset forever after it.
        let settled = match tz.preceding(Timestamp::MAX).next() {
            None => Some((Timestamp::MIN, tz.to_offset(Timestamp::MIN))),
            Some(last) if tz.following(last.timestamp()).next().is_none() => last
                .timestamp()
                .checked_add(SignedDuration::from_hours(24))
                .ok()
                .map(|from| (from, last.offset())),
            Some(_) => None,
        };

        Ok(WorkingCalendar {
            name,
            tz,
            weekly,
            weekly_days,
            weekly_total: SignedDuration::from_secs(weekly_seconds),
            holidays,
            extras,
            extra_days,
            settled,
        })
    }

    /// The calendar's name, as referenced by service-level policies.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The time zone in which the calendar's local times are read.
    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    /// Formats an instant as RFC 3339 in the calendar's offset at that instant, with seconds
    /// and without fractional seconds when they are zero (`2026-11-24T15:00:00+03:00`), because
    /// people reading a deadline think in the calendar's local time.
    pub fn format_in_zone(&self, t: Timestamp) -> String {
        t.display_with_offset(self.tz.to_offset(t)).to_string()
    }

    /// When a duration that starts at `start` runs out on this calendar.
    ///
    /// * `N minutes` and `N hours` add elapsed time.
    /// * `N days` adds N calendar days in the calendar's zone, so the deadline keeps the same
    ///   local wall-clock time across a DST change (23 or 25 hours for that day), which is
    ///   what people mean by "in three days".
    /// * `N working minutes` and `N working hours` give the earliest instant at which N of
    ///   working time has passed since `start`. Work that ends exactly at a window's close is
    ///   due at the close, not at the next opening.
    /// * `N working days` gives the close of the Nth working day. Day 1 is the start's own
    ///   local date when that date is a working day and the start is before its first
    ///   opening; otherwise it is the next working day.
    /// * `same working day` gives the close of the first working day that closes after
    ///   `start`.
    ///
    /// Every zero duration is due at `start` itself.
    pub fn deadline(
        &self,
        start: Timestamp,
        expr: &DurationExpr,
    ) -> Result<Timestamp, DeadlineError> {
        match *expr {
            DurationExpr::CalendarMinutes(n) => start
                .checked_add(SignedDuration::from_mins(i64::from(n)))
                .map_err(out_of_range),
            DurationExpr::CalendarHours(n) => start
                .checked_add(SignedDuration::from_hours(i64::from(n)))
                .map_err(out_of_range),
            DurationExpr::CalendarDays(n) => {
                let span = jiff::Span::new()
                    .try_days(i64::from(n))
                    .map_err(out_of_range)?;
                Ok(start
                    .to_zoned(self.tz.clone())
                    .checked_add(span)
                    .map_err(out_of_range)?
                    .timestamp())
            }
            DurationExpr::WorkingMinutes(n) => {
                self.add_working(start, SignedDuration::from_mins(i64::from(n)))
            }
            DurationExpr::WorkingHours(n) => {
                self.add_working(start, SignedDuration::from_hours(i64::from(n)))
            }
            DurationExpr::WorkingDays(0) => Ok(start),
            DurationExpr::WorkingDays(n) => self.nth_working_day_close(start, i64::from(n)),
            DurationExpr::SameWorkingDay => self.same_working_day(start),
        }
    }

    /// The working time inside `[a, b]`; negative when `b` is before `a`.
    ///
    /// Callers use it to learn how much working time passed while a ticket was paused, so
    /// that its deadline can move later by exactly that much. It cannot fail: near the ends of
    /// the representable range (years -9999 and 9999) it counts the working time it can reach.
    pub fn working_time_between(&self, a: Timestamp, b: Timestamp) -> SignedDuration {
        if b < a {
            return -self.working_time_between(b, a);
        }
        let mut zone = self.zone();
        let mut total = SignedDuration::ZERO;
        let Ok((mut day, mut midnight)) = self.day_containing(&mut zone, a) else {
            return total;
        };
        let mut spans = Vec::with_capacity(4);
        while midnight < b {
            let Ok(next_midnight) = self.midnight(&mut zone, day + 1) else {
                break;
            };
            if self
                .day_spans(&mut zone, day, midnight, next_midnight, &mut spans)
                .is_err()
            {
                break;
            }
            for &(start, end) in &spans {
                let (start, end) = (start.max(a), end.min(b));
                if start < end {
                    total += end.duration_since(start);
                }
            }
            day += 1;
            midnight = next_midnight;
            if midnight >= b {
                break;
            }

            // Skip whole regular weeks that end by `b`.
            let weeks = self
                .regular_weeks(&zone, day, midnight)
                .min(b.duration_since(midnight).as_nanos() / NANOS_PER_WEEK);
            if weeks > 0 {
                let Some(skipped) = week_multiple(self.weekly_total, weeks) else {
                    break;
                };
                let (Some(jump), Ok(next)) = (
                    week_multiple(WEEK, weeks),
                    i64::try_from(weeks).map(|w| day + 7 * w),
                ) else {
                    break;
                };
                let Ok(at) = midnight.checked_add(jump) else {
                    break;
                };
                total += skipped;
                day = next;
                midnight = at;
            }

            // Jump over stretches that cannot hold working time.
            match self.next_live_day(&mut zone, day, midnight) {
                Some(live) if live > day => {
                    let Ok(at) = self.midnight(&mut zone, live) else {
                        break;
                    };
                    day = live;
                    midnight = at;
                }
                Some(_) => {}
                None => break,
            }
        }
        total
    }

    /// Whether `t` falls inside working time. Windows are half-open: at the close itself the
    /// calendar is no longer working, and at the opening it is.
    pub fn is_working_at(&self, t: Timestamp) -> bool {
        let mut zone = self.zone();
        let Ok((day, midnight)) = self.day_containing(&mut zone, t) else {
            return false;
        };
        let Ok(next_midnight) = self.midnight(&mut zone, day + 1) else {
            return false;
        };
        let mut spans = Vec::with_capacity(4);
        if self
            .day_spans(&mut zone, day, midnight, next_midnight, &mut spans)
            .is_err()
        {
            return false;
        }
        spans.iter().any(|&(start, end)| start <= t && t < end)
    }

    /// The deadline after a pause: a ticket paused from `paused_from` to `resumed_at` should
    /// not lose the time it spent paused.
    ///
    /// For working durations the deadline moves later by the working time inside the pause
    /// (the new deadline is that much working time after the old one); for calendar
    /// durations it moves later by the pause's elapsed time. Whether a pause that began after
    /// the deadline had already passed should count at all is the caller's policy, so it is
    /// not second-guessed here.
    pub fn extend_for_pause(
        &self,
        deadline: Timestamp,
        paused_from: Timestamp,
        resumed_at: Timestamp,
        expr: &DurationExpr,
    ) -> Result<Timestamp, DeadlineError> {
        if resumed_at < paused_from {
            return Err(DeadlineError::PauseEndsBeforeStart {
                paused_from,
                resumed_at,
            });
        }
        if expr.is_working() {
            let paused = self.working_time_between(paused_from, resumed_at);
            self.add_working(deadline, paused)
        } else {
            deadline
                .checked_add(resumed_at.duration_since(paused_from))
                .map_err(out_of_range)
        }
    }

    /// The earliest instant `t >= start` such that the working time in `[start, t]` equals
    /// `amount`.
    fn add_working(
        &self,
        start: Timestamp,
        amount: SignedDuration,
    ) -> Result<Timestamp, DeadlineError> {
        if amount <= SignedDuration::ZERO {
            return Ok(start);
        }
        let mut remaining = amount;
        let mut zone = self.zone();
        let (mut day, mut midnight) = self.day_containing(&mut zone, start)?;
        let mut give_up_after = day + HORIZON_DAYS;
        let mut spans = Vec::with_capacity(4);
        loop {
            let next_midnight = self.midnight(&mut zone, day + 1)?;
            self.day_spans(&mut zone, day, midnight, next_midnight, &mut spans)?;
            for &(open, close) in &spans {
                let open = open.max(start);
                if open >= close {
                    continue;
                }
                let available = close.duration_since(open);
                // `<=` makes work that ends exactly at a close due at the close.
                if remaining <= available {
                    return open.checked_add(remaining).map_err(out_of_range);
                }
                remaining -= available;
                give_up_after = day + HORIZON_DAYS;
            }
            day += 1;
            midnight = next_midnight;

            // Skip whole regular weeks while the deadline lies beyond them. `weeks` keeps the
            // skipped work strictly below `remaining`, so the deadline is never inside them.
            let weekly = self.weekly_total.as_nanos();
            if weekly > 0 && remaining.as_nanos() > weekly {
                let weeks = self
                    .regular_weeks(&zone, day, midnight)
                    .min((remaining.as_nanos() - 1) / weekly);
                if weeks > 0 {
                    let skipped =
                        week_multiple(self.weekly_total, weeks).ok_or(DeadlineError::OutOfRange)?;
                    let jump = week_multiple(WEEK, weeks).ok_or(DeadlineError::OutOfRange)?;
                    let weeks = i64::try_from(weeks).map_err(out_of_range)?;
                    remaining -= skipped;
                    day += 7 * weeks;
                    midnight = midnight.checked_add(jump).map_err(out_of_range)?;
                    give_up_after = day + HORIZON_DAYS;
                }
            }

            // Jump over stretches that cannot hold working time, such as a long holiday range or
            // the time after the last extra window of a calendar without weekly windows.
            match self.next_live_day(&mut zone, day, midnight) {
                Some(live) if live > give_up_after => return Err(DeadlineError::NoWorkingTime),
                Some(live) if live > day => {
                    day = live;
                    midnight = self.midnight(&mut zone, live)?;
                }
                Some(_) => {}
                None => return Err(DeadlineError::NoWorkingTime),
            }
            if day > give_up_after {
                return Err(DeadlineError::NoWorkingTime);
            }
        }
    }

    /// The close of the `n`th working day (`n >= 1`), counting the start's own date as day 1
    /// only when the start comes before that date's first opening.
    fn nth_working_day_close(&self, start: Timestamp, n: i64) -> Result<Timestamp, DeadlineError> {
        let mut zone = self.zone();
        let start_day = day_number(zone.local_of(&self.tz, start).date());
        let counts_today = matches!(
            self.day_bounds(&mut zone, start_day)?,
            Some((opening, _)) if start < opening
        );
        let mut day = if counts_today {
            start_day
        } else {
            start_day + 1
        };
        let mut remaining = n;
        loop {
            day = self.next_working_day(day, day + HORIZON_DAYS)?;
            remaining -= 1;
            if remaining == 0 {
                return self
                    .day_bounds(&mut zone, day)?
                    .map(|(_, close)| close)
                    .ok_or(DeadlineError::NoWorkingTime);
            }
            day += 1;
            if self.weekly_days > 0 && remaining > self.weekly_days {
                let weeks = self
                    .weeks_without_exceptions(day)
                    .min((remaining - 1) / self.weekly_days);
                day += 7 * weeks;
                remaining -= weeks * self.weekly_days;
            }
            if day > MAX_DAY {
                return Err(DeadlineError::OutOfRange);
            }
        }
    }

    /// The close of the first working day whose close is after `start`.
    fn same_working_day(&self, start: Timestamp) -> Result<Timestamp, DeadlineError> {
        let mut zone = self.zone();
        let start_day = day_number(zone.local_of(&self.tz, start).date());
        // An extra window that began on an earlier date and is still open belongs to that
        // earlier date, whose close may therefore still be ahead.
        let mut day = self
            .extra_days
            .iter()
            .filter(|&&(d, opening, close)| d < start_day && opening <= start && close > start)
            .map(|&(d, _, _)| d)
            .min()
            .unwrap_or(start_day);
        loop {
            day = self.next_working_day(day, start_day + HORIZON_DAYS)?;
            if let Some((_, close)) = self.day_bounds(&mut zone, day)?
                && close > start
            {
                return Ok(close);
            }
            day += 1;
        }
    }

    /// The first opening and the close of a local date, or `None` when it is not a working
    /// day. Weekly windows count only on non-holidays; extra windows count on the date they
    /// start.
    fn day_bounds(
        &self,
        zone: &mut Zone,
        day: i64,
    ) -> Result<Option<(Timestamp, Timestamp)>, DeadlineError> {
        let mut bounds: Option<(Timestamp, Timestamp)> = None;
        let windows = &self.weekly[weekday(day)];
        if let (Some(first), Some(last)) = (windows.first(), windows.last())
            && !self.is_holiday(day)
        {
            let date = date_of(day)?;
            let opening = zone.instant_of(&self.tz, date.to_datetime(first.start))?;
            let close = match last.end {
                Some(end) => zone.instant_of(&self.tz, date.to_datetime(end))?,
                None => self.midnight(zone, day + 1)?,
            };
            bounds = Some((opening, close));
        }
        if let Ok(i) = self.extra_days.binary_search_by_key(&day, |&(d, _, _)| d) {
            let (_, opening, close) = self.extra_days[i];
            bounds = Some(match bounds {
                Some((o, c)) => (o.min(opening), c.max(close)),
                None => (opening, close),
            });
        }
        Ok(bounds)
    }

    /// The first working day on or after `day`, without converting any time: a date is a
    /// working day when it is not a holiday and its weekday has windows, or when an extra
    /// window starts on it.
    fn next_working_day(&self, mut day: i64, give_up_after: i64) -> Result<i64, DeadlineError> {
        loop {
            if day > give_up_after {
                return Err(DeadlineError::NoWorkingTime);
            }
            let next_extra = self.next_extra_day(day);
            if next_extra == Some(day) {
                return Ok(day);
            }
            if self.weekly_days == 0 {
                // Only extra windows make working days on such a calendar.
                day = next_extra.ok_or(DeadlineError::NoWorkingTime)?;
                continue;
            }
            if let Some(last) = self.holiday_ending(day) {
                day = next_extra.map_or(last + 1, |extra| extra.min(last + 1));
                continue;
            }
            if !self.weekly[weekday(day)].is_empty() {
                return Ok(day);
            }
            day += 1;
        }
    }

    /// The first date on or after `day` on which an extra window starts.
    fn next_extra_day(&self, day: i64) -> Option<i64> {
        let i = self.extra_days.partition_point(|&(d, _, _)| d < day);
        self.extra_days.get(i).map(|&(d, _, _)| d)
    }

    /// The last day of the holiday range containing `day`, if `day` is a holiday.
    fn holiday_ending(&self, day: i64) -> Option<i64> {
        let i = self.holidays.partition_point(|&(_, last)| last < day);
        self.holidays
            .get(i)
            .filter(|&&(first, _)| first <= day)
            .map(|&(_, last)| last)
    }

    fn is_holiday(&self, day: i64) -> bool {
        self.holiday_ending(day).is_some()
    }

    /// How many whole weeks from `day` hold no holiday and no extra window's start, so that
    /// each has exactly `weekly_days` working days.
    fn weeks_without_exceptions(&self, day: i64) -> i64 {
        let i = self.holidays.partition_point(|&(_, last)| last < day);
        let holiday_limit = self.holidays.get(i).map_or(i64::MAX, |&(first, _)| first);
        let limit = holiday_limit.min(self.next_extra_day(day).unwrap_or(i64::MAX));
        if limit == i64::MAX {
            // Nothing irregular ever happens again; the caller bounds the count.
            i64::MAX / 8
        } else {
            (limit - day).max(0) / 7
        }
    }

    /// How many whole weeks, starting at local midnight `midnight` of `day`, are regular: no
    /// holiday, no extra window and no time-zone transition inside them, so that each holds
    /// exactly `weekly_total` of working time and lasts exactly 168 hours.
    fn regular_weeks(&self, zone: &Zone, day: i64, midnight: Timestamp) -> i128 {
        let by_dates = i128::from(self.weeks_without_exceptions(day));
        let i = self.extras.partition_point(|&(_, end)| end <= midnight);
        let by_extras = match self.extras.get(i) {
            Some(&(start, _)) if start <= midnight => 0,
            Some(&(start, _)) => start.duration_since(midnight).as_nanos() / NANOS_PER_WEEK,
            None => i128::MAX,
        };
        let by_zone = if midnight < zone.safe_from {
            0
        } else if zone.safe_until == Timestamp::MAX {
            i128::MAX
        } else {
            zone.safe_until.duration_since(midnight).as_nanos() / NANOS_PER_WEEK
        };
        by_dates.min(by_extras).min(by_zone).max(0)
    }

    /// The first date on or after `day` that may hold working time, or `None` when no later
    /// date does. It lets interval walks leap over long holiday ranges and, on calendars
    /// without weekly windows, straight to the next extra window.
    fn next_live_day(&self, zone: &mut Zone, day: i64, midnight: Timestamp) -> Option<i64> {
        let i = self.extras.partition_point(|&(_, end)| end <= midnight);
        let by_extra = self.extras.get(i).map(|&(start, _)| {
            if start <= midnight {
                day
            } else {
                day_number(zone.local_of(&self.tz, start).date()).max(day)
            }
        });
        let by_weekly = if self.weekly_days == 0 {
            None
        } else {
            Some(self.holiday_ending(day).map_or(day, |last| last + 1))
        };
        match (by_extra, by_weekly) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The working spans of one local date, clipped to the date's own stretch of absolute
    /// time `[midnight, next_midnight)`, sorted and merged. Clipping extra windows to the date
    /// lets every walk treat dates independently without counting any time twice.
    fn day_spans(
        &self,
        zone: &mut Zone,
        day: i64,
        midnight: Timestamp,
        next_midnight: Timestamp,
        spans: &mut Vec<Interval>,
    ) -> Result<(), DeadlineError> {
        spans.clear();
        let windows = &self.weekly[weekday(day)];
        if !windows.is_empty() && !self.is_holiday(day) {
            let date = date_of(day)?;
            for window in windows {
                let open = zone.instant_of(&self.tz, date.to_datetime(window.start))?;
                let close = match window.end {
                    Some(end) => zone.instant_of(&self.tz, date.to_datetime(end))?,
                    None => next_midnight,
                };
                let (open, close) = (open.max(midnight), close.min(next_midnight));
                if open < close {
                    spans.push((open, close));
                }
            }
        }
        let i = self.extras.partition_point(|&(_, end)| end <= midnight);
        for &(open, close) in &self.extras[i..] {
            if open >= next_midnight {
                break;
            }
            spans.push((open.max(midnight), close.min(next_midnight)));
        }
        // Weekly windows are sorted in local time, and stay sorted as instants except around a
        // DST gap; extra windows may overlap weekly ones. Sorting and merging handles both.
        if spans.len() > 1 {
            if !spans.is_sorted() {
                spans.sort_unstable();
            }
            let mut merged = 0;
            for i in 1..spans.len() {
                if spans[i].0 <= spans[merged].1 {
                    spans[merged].1 = spans[merged].1.max(spans[i].1);
                } else {
                    merged += 1;
                    spans[merged] = spans[i];
                }
            }
            spans.truncate(merged + 1);
        }
        Ok(())
    }

    /// The local date whose stretch of absolute time `[midnight, next midnight)` contains `t`,
    /// with that midnight as an instant.
    fn day_containing(
        &self,
        zone: &mut Zone,
        t: Timestamp,
    ) -> Result<(i64, Timestamp), DeadlineError> {
        let day = day_number(zone.local_of(&self.tz, t).date());
        let midnight = self.midnight(zone, day)?;
        if midnight <= t {
            return Ok((day, midnight));
        }
        // Only a fold that repeats midnight can put `t` before its own date's first midnight.
        Ok((day - 1, self.midnight(zone, day - 1)?))
    }

    /// The instant at which local date `day` begins.
    fn midnight(&self, zone: &mut Zone, day: i64) -> Result<Timestamp, DeadlineError> {
        zone.instant_of(&self.tz, date_of(day)?.to_datetime(Time::midnight()))
    }

    fn zone(&self) -> Zone {
        match self.settled {
            Some((from, offset)) => Zone {
                offset,
                safe_from: from,
                safe_until: Timestamp::MAX,
            },
            None => Zone::empty(),
        }
    }
}

/// A cache of the zone's offset over one stretch without transitions.
///
/// Converting between local and absolute time through the zone's rules costs a search over its
/// transitions; inside a stretch where the offset cannot change, adding the offset is exact and
/// far cheaper. The stretch is shrunk by a day at both ends: an offset change is always shorter
/// than a day, so any local time that maps into the shrunk stretch with the cached offset has
/// no other mapping, and the fast path agrees with compatible disambiguation.
struct Zone {
    offset: Offset,
    safe_from: Timestamp,
    safe_until: Timestamp,
}

impl Zone {
    fn empty() -> Zone {
        Zone {
            offset: Offset::UTC,
            safe_from: Timestamp::MAX,
            safe_until: Timestamp::MIN,
        }
    }

    fn covers(&self, t: Timestamp) -> bool {
        self.safe_from <= t && t < self.safe_until
    }

    fn instant_of(&mut self, tz: &TimeZone, local: DateTime) -> Result<Timestamp, DeadlineError> {
        if let Ok(t) = self.offset.to_timestamp(local)
            && self.covers(t)
        {
            return Ok(t);
        }
        let t = compatible(tz, local).map_err(out_of_range)?;
        self.learn(tz, t);
        Ok(t)
    }

    fn local_of(&mut self, tz: &TimeZone, t: Timestamp) -> DateTime {
        if !self.covers(t) {
            self.learn(tz, t);
        }
        if self.covers(t) {
            self.offset.to_datetime(t)
        } else {
            tz.to_datetime(t)
        }
    }

    /// Caches the stretch without transitions around `t`.
    fn learn(&mut self, tz: &TimeZone, t: Timestamp) {
        let margin = SignedDuration::from_hours(24);
        // Looking back from just after `t` also finds a transition exactly at `t`.
        let previous = t
            .checked_add(SignedDuration::from_nanos(1))
            .ok()
            .and_then(|after| tz.preceding(after).next());
        let next = tz.following(t).next();
        self.offset = tz.to_offset(t);
        self.safe_from = match previous {
            None => Timestamp::MIN,
            Some(p) => p.timestamp().checked_add(margin).unwrap_or(Timestamp::MAX),
        };
        self.safe_until = match next {
            None => Timestamp::MAX,
            Some(n) => n.timestamp().checked_sub(margin).unwrap_or(Timestamp::MIN),
        };
    }
}

/// Converts a local datetime to an instant with compatible disambiguation (see the module
/// documentation for why).
fn compatible(tz: &TimeZone, local: DateTime) -> Result<Timestamp, jiff::Error> {
    tz.to_ambiguous_timestamp(local).compatible()
}

/// Sorts spans and merges those that overlap or touch.
fn merge_spans(mut spans: Vec<Interval>) -> Vec<Interval> {
    spans.sort_unstable();
    let mut merged: Vec<Interval> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// `duration * count`, or `None` on overflow.
fn week_multiple(duration: SignedDuration, count: i128) -> Option<SignedDuration> {
    let nanos = duration.as_nanos().checked_mul(count)?;
    let secs = i64::try_from(nanos / 1_000_000_000).ok()?;
    let subsec = i32::try_from(nanos % 1_000_000_000).ok()?;
    Some(SignedDuration::new(secs, subsec))
}

/// The last day number jiff can represent (9999-12-31).
const MAX_DAY: i64 = 2_932_896;

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`). Dates are walked as integers
/// because day-number arithmetic is exact, cheap and makes whole-week skips a multiplication.
fn day_number(date: Date) -> i64 {
    let (y, m, d) = (
        i64::from(date.year()),
        i64::from(date.month()),
        i64::from(date.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`day_number`] (Howard Hinnant's `civil_from_days`).
fn date_of(day: i64) -> Result<Date, DeadlineError> {
    let z = day + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let year = i16::try_from(y).map_err(out_of_range)?;
    let month = i8::try_from(m).map_err(out_of_range)?;
    let day = i8::try_from(d).map_err(out_of_range)?;
    Date::new(year, month, day).map_err(out_of_range)
}

/// Days since Sunday for a day number; 1970-01-01 was a Thursday.
fn weekday(day: i64) -> usize {
    // `rem_euclid(7)` is in 0..7, so the cast cannot truncate.
    (day + 4).rem_euclid(7) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip_and_match_jiff_weekdays() {
        let mut date = Date::constant(1899, 12, 25);
        for _ in 0..100_000 {
            let n = day_number(date);
            assert_eq!(date_of(n), Ok(date));
            assert_eq!(
                weekday(n),
                date.weekday().to_sunday_zero_offset() as usize,
                "{date}"
            );
            date = date.tomorrow().expect("in range");
        }
        assert_eq!(day_number(Date::constant(1970, 1, 1)), 0);
        assert_eq!(day_number(Date::MAX), MAX_DAY);
    }
}
