//! Deadline math over any duration expression from any start instant, on fixed calendars: no
//! panic, a deadline is never before its start, `N working minutes/hours` ends exactly when N
//! of working time has passed, and one more unit never gives an earlier deadline.
//!
//! Input layout: byte 0 picks the calendar; bytes 1..9 are the start as little-endian seconds
//! and byte 9 decides whether they are taken anywhere in jiff's range (years -9999 to 9999)
//! or within 2025–2027, where the calendars' holidays, extra windows and DST changes are;
//! the rest is the duration text. Shorter inputs are padded with zeros.
#![no_main]

use std::sync::LazyLock;

use jiff::{SignedDuration, Timestamp};
use libfuzzer_sys::fuzz_target;
use sanad_domain::calendar::{CalendarSpec, DeadlineError, DurationExpr, WorkingCalendar};
use sanad_domain::policy::Policy;

/// Calendars that differ in the ways the engine cares about: Riyadh without DST and with
/// holidays and extra windows (the shipped policies), zones with DST changes and split or
/// late windows, and one whose only working time is a few extra windows, after which every
/// working deadline must fail with `NoWorkingTime` instead of searching forever.
static CALENDARS: LazyLock<Vec<WorkingCalendar>> = LazyLock::new(|| {
    let mut calendars = Vec::new();
    for source in [
        include_str!("../../policies/seed-000-live-classrooms-center.toml"),
        include_str!("../../policies/seed-002-tvtc-service-level-agreement.toml"),
        include_str!("../../policies/seed-003-e-training-technical-support.toml"),
    ] {
        let policy = Policy::parse(source, "seed.toml").expect("a shipped policy parses");
        calendars.extend(policy.calendars().iter().cloned());
    }
    for spec in [
        r#"
        name = "new-york"
        timezone = "America/New_York"
        hours = { mon = ["09:00-12:00", "13:00-17:00"], tue = ["09:00-17:00"],
                  wed = ["00:00-24:00"], thu = ["01:30-03:30"], sun = ["01:00-02:30"] }
        holidays = ["2026-11-26..2026-11-27", "2026-12-25", "2026-03-09"]
        extra = ["2026-03-08T01:00..2026-03-08T04:00", "2026-11-01T00:30..2026-11-01T03:00",
                 "2026-12-31T22:00..2027-01-01T02:00"]
        "#,
        r#"
        name = "london"
        timezone = "Europe/London"
        hours = { mon = ["09:00-17:30"], tue = ["09:00-17:30"], wed = ["09:00-17:30"],
                  thu = ["09:00-17:30"], fri = ["09:00-17:30"] }
        holidays = ["2026-12-25", "2026-12-28", "2026-01-01..2026-03-31"]
        "#,
        r#"
        name = "sessions-only"
        timezone = "Asia/Riyadh"
        extra = ["2026-11-28T18:00..2026-11-28T21:00", "2026-12-05T18:00..2026-12-05T21:00"]
        "#,
    ] {
        let spec: CalendarSpec = toml::from_str(spec).expect("a fuzzing calendar parses");
        calendars.push(WorkingCalendar::from_spec(&spec).expect("a fuzzing calendar is valid"));
    }
    calendars
});

/// 2025-01-01T00:00:00Z and three years later: the span in which the calendars above have
/// holidays, extra windows and DST changes.
const NEAR_FROM: i64 = 1_735_689_600;
const NEAR_SPAN: i64 = 3 * 366 * 86_400;

/// How far apart start and deadline may be for the working-time check, which walks the
/// calendar day by day and would otherwise make long durations dominate the run time.
const CHECK_SPAN: SignedDuration = SignedDuration::from_hours(2 * 366 * 24);

fuzz_target!(|data: &[u8]| {
    let mut header = [0u8; 10];
    let split = data.len().min(header.len());
    header[..split].copy_from_slice(&data[..split]);
    let Ok(text) = std::str::from_utf8(&data[split..]) else {
        return;
    };
    let Ok(expr) = DurationExpr::parse(text) else {
        return;
    };
    let calendar = &CALENDARS[usize::from(header[0]) % CALENDARS.len()];
    let raw = i64::from_le_bytes(header[1..9].try_into().expect("eight bytes"));
    let (min, max) = (Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
    let second = if header[9] & 1 == 0 {
        NEAR_FROM + raw.rem_euclid(NEAR_SPAN)
    } else {
        min + raw.rem_euclid(max - min)
    };
    let start = Timestamp::from_second(second).expect("the second is within jiff's range");

    let deadline = match calendar.deadline(start, &expr) {
        Ok(deadline) => deadline,
        Err(DeadlineError::OutOfRange | DeadlineError::NoWorkingTime) => return,
        Err(other) => panic!("unexpected error {other:?} for {expr} from {start}"),
    };
    assert!(
        deadline >= start,
        "{expr} from {start} is due at {deadline}"
    );

    let working = match expr {
        DurationExpr::WorkingMinutes(n) => Some(SignedDuration::from_mins(i64::from(n))),
        DurationExpr::WorkingHours(n) => Some(SignedDuration::from_hours(i64::from(n))),
        _ => None,
    };
    if let Some(working) = working
        && deadline.duration_since(start) <= CHECK_SPAN
    {
        assert_eq!(
            calendar.working_time_between(start, deadline),
            working,
            "{expr} from {start} on {} is due at {deadline}",
            calendar.name()
        );
    }

    let longer = match expr {
        DurationExpr::CalendarMinutes(n) => n.checked_add(1).map(DurationExpr::CalendarMinutes),
        DurationExpr::CalendarHours(n) => n.checked_add(1).map(DurationExpr::CalendarHours),
        DurationExpr::CalendarDays(n) => n.checked_add(1).map(DurationExpr::CalendarDays),
        DurationExpr::WorkingMinutes(n) => n.checked_add(1).map(DurationExpr::WorkingMinutes),
        DurationExpr::WorkingHours(n) => n.checked_add(1).map(DurationExpr::WorkingHours),
        DurationExpr::WorkingDays(n) => n.checked_add(1).map(DurationExpr::WorkingDays),
        DurationExpr::SameWorkingDay => None,
    };
    if let Some(longer) = longer
        && let Ok(later) = calendar.deadline(start, &longer)
    {
        assert!(
            later >= deadline,
            "{longer} from {start} on {} is due at {later}, before {expr} at {deadline}",
            calendar.name()
        );
    }
});
