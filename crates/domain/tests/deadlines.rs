//! Deadline math, case by case, against values worked out by hand.
//!
//! Each row reads: on this calendar, starting at this instant, this duration runs out at this
//! instant (written in the calendar's own offset, as the CLI prints it). Rows whose expected
//! value starts with `ERR:` expect an error whose message contains the rest.
//!
//! Handy facts for checking the rows: 2026-11-22 is a Sunday, so 11-21 is a Saturday, 11-26 a
//! Thursday and 11-27 a Friday; 2026-12-02 is a Wednesday, 2026-12-13 a Sunday and 2027-01-03
//! a Sunday. London leaves summer time on Sunday 2026-10-25 and enters it on Sunday
//! 2026-03-29; New York leaves it on Sunday 2026-11-01 and enters it on Sunday 2026-03-08.

use jiff::{SignedDuration, Timestamp};
use sanad_domain::calendar::{CalendarsSpec, DurationExpr, WorkingCalendar};

/// Sunday to Thursday 08:00–16:00 in Riyadh (no DST), with single-date and ranged holidays and
/// extra windows: on a Saturday (11-21), overlapping a weekly window (11-25), across midnight
/// from a Friday (11-27) and on a holiday (12-14).
const SUPPORT: &str = r#"
[[calendars]]
name = "support"
timezone = "Asia/Riyadh"
hours = { sun = ["08:00-16:00"], mon = ["08:00-16:00"], tue = ["08:00-16:00"],
          wed = ["08:00-16:00"], thu = ["08:00-16:00"] }
holidays = ["2026-09-23", "2026-03-19..2026-03-24", "2026-12-02", "2026-12-13..2026-12-15"]
extra = ["2026-11-21T18:00..2026-11-21T21:00", "2026-11-25T15:00..2026-11-25T19:00",
         "2026-11-27T22:00..2026-11-28T02:00", "2026-12-14T10:00..2026-12-14T12:00"]
"#;

/// Split shifts (written out of order on Sunday), a window ending at 24:00 on Tuesday and one
/// starting at 00:00 on Wednesday, so work flows across midnight.
const SPLIT: &str = r#"
[[calendars]]
name = "split"
timezone = "Asia/Riyadh"
hours = { sun = ["16:00-21:00", "08:00-12:00"], mon = ["08:00-12:00", "16:00-21:00"],
          tue = ["20:00-24:00"], wed = ["00:00-06:00", "09:00-10:00"] }
"#;

/// Monday to Friday 09:00–17:00 in London, which changes offset twice a year.
const LONDON: &str = r#"
[[calendars]]
name = "london"
timezone = "Europe/London"
hours = { mon = ["09:00-17:00"], tue = ["09:00-17:00"], wed = ["09:00-17:00"],
          thu = ["09:00-17:00"], fri = ["09:00-17:00"] }
"#;

/// A night shift in New York spanning the night of the DST change: Saturday 20:00–24:00 and
/// Sunday 00:00–04:00 local, which is 5 real hours on 2026-11-01 and 3 on 2026-03-08.
const NIGHT: &str = r#"
[[calendars]]
name = "night"
timezone = "America/New_York"
hours = { sat = ["20:00-24:00"], sun = ["00:00-04:00"] }
"#;

/// A Sunday window that starts inside the spring-forward gap (02:00–03:00 does not exist on
/// 2026-03-08), which compatible disambiguation moves to 03:30.
const GAP: &str = r#"
[[calendars]]
name = "gap"
timezone = "America/New_York"
hours = { sun = ["02:30-05:00"] }
"#;

/// Only extra windows, no weekly hours: live course sessions on two Saturdays.
const COURSES: &str = r#"
[[calendars]]
name = "courses"
timezone = "Asia/Riyadh"
extra = ["2026-11-21T18:00..2026-11-21T21:00", "2026-11-28T18:00..2026-11-28T21:00"]
"#;

/// (calendar, start, duration expression, expected deadline or `ERR:` and a message fragment)
const CASES: &[(&str, &str, &str, &str)] = &[
    // --- Working hours and minutes on the support calendar ---------------------------------
    (
        SUPPORT,
        "2026-11-22T09:00:00+03:00",
        "4 working hours",
        "2026-11-22T13:00:00+03:00",
    ),
    // Six hours on Sunday, then two on Monday morning.
    (
        SUPPORT,
        "2026-11-22T10:00:00+03:00",
        "8 working hours",
        "2026-11-23T10:00:00+03:00",
    ),
    // Work that ends exactly at a close is due at the close, not at the next opening.
    (
        SUPPORT,
        "2026-11-22T08:00:00+03:00",
        "8 working hours",
        "2026-11-22T16:00:00+03:00",
    ),
    (
        SUPPORT,
        "2026-11-22T12:00:00+03:00",
        "240 working minutes",
        "2026-11-22T16:00:00+03:00",
    ),
    // Starts before the opening and after the close.
    (
        SUPPORT,
        "2026-11-22T06:30:00+03:00",
        "2 working hours",
        "2026-11-22T10:00:00+03:00",
    ),
    (
        SUPPORT,
        "2026-11-23T17:00:00+03:00",
        "1 working hour",
        "2026-11-24T09:00:00+03:00",
    ),
    // A Saturday start after the Friday-night extra window has ended at 02:00.
    (
        SUPPORT,
        "2026-11-28T10:00:00+03:00",
        "3 working hours",
        "2026-11-29T11:00:00+03:00",
    ),
    // Thursday 14:00–16:00, then the extra window Friday 22:00 to Saturday 02:00.
    (
        SUPPORT,
        "2026-11-26T14:00:00+03:00",
        "4 working hours",
        "2026-11-28T00:00:00+03:00",
    ),
    (
        SUPPORT,
        "2026-11-26T14:00:00+03:00",
        "6 working hours",
        "2026-11-28T02:00:00+03:00",
    ),
    (
        SUPPORT,
        "2026-11-26T14:00:00+03:00",
        "7 working hours",
        "2026-11-29T09:00:00+03:00",
    ),
    // The Saturday extra window 18:00–21:00, then Sunday morning.
    (
        SUPPORT,
        "2026-11-21T12:00:00+03:00",
        "5 working hours",
        "2026-11-22T10:00:00+03:00",
    ),
    // Wednesday's extra 15:00–19:00 overlaps 08:00–16:00: the union 08:00–19:00 counts once.
    (
        SUPPORT,
        "2026-11-25T14:00:00+03:00",
        "4 working hours",
        "2026-11-25T18:00:00+03:00",
    ),
    (
        SUPPORT,
        "2026-11-25T14:00:00+03:00",
        "5 working hours",
        "2026-11-25T19:00:00+03:00",
    ),
    // A single-date holiday (Wednesday 12-02) is skipped.
    (
        SUPPORT,
        "2026-12-01T15:00:00+03:00",
        "2 working hours",
        "2026-12-03T09:00:00+03:00",
    ),
    // A ranged holiday (12-13..12-15) with an extra window on 12-14 10:00–12:00.
    (
        SUPPORT,
        "2026-12-10T15:00:00+03:00",
        "4 working hours",
        "2026-12-16T09:00:00+03:00",
    ),
    // A start on a holiday.
    (
        SUPPORT,
        "2026-12-02T10:00:00+03:00",
        "1 working hour",
        "2026-12-03T09:00:00+03:00",
    ),
    // The range 03-19..03-24 runs Thursday to Tuesday; work resumes Wednesday 03-25.
    (
        SUPPORT,
        "2026-03-15T08:00:00+03:00",
        "40 working hours",
        "2026-03-25T16:00:00+03:00",
    ),
    // Starts written in other offsets: 05:00Z is 08:00 in Riyadh; 12:30+05:30 is 10:00.
    (
        SUPPORT,
        "2026-11-22T05:00:00Z",
        "8 working hours",
        "2026-11-22T16:00:00+03:00",
    ),
    (
        SUPPORT,
        "2026-11-23T12:30:00+05:30",
        "30 working minutes",
        "2026-11-23T10:30:00+03:00",
    ),
    // Mon 5h43 + Tue 8 + Wed 11 + Fri-night 2 + Sat 2 + Thu 8 + Sun 8 = 44h43, then 3h17.
    (
        SUPPORT,
        "2026-11-23T10:17:00+03:00",
        "48 working hours",
        "2026-11-30T11:17:00+03:00",
    ),
    // A plain week (12-06..12-10) holds exactly 40 hours; the 41st is in the 12-14 extra.
    (
        SUPPORT,
        "2026-12-06T08:00:00+03:00",
        "40 working hours",
        "2026-12-10T16:00:00+03:00",
    ),
    (
        SUPPORT,
        "2026-12-06T08:00:00+03:00",
        "41 working hours",
        "2026-12-14T11:00:00+03:00",
    ),
    // Whole weeks in 2027, where the calendar has no exceptions: 5 and 25 weeks of 40 hours.
    (
        SUPPORT,
        "2027-01-03T08:00:00+03:00",
        "200 working hours",
        "2027-02-04T16:00:00+03:00",
    ),
    (
        SUPPORT,
        "2027-01-03T08:00:00+03:00",
        "201 working hours",
        "2027-02-07T09:00:00+03:00",
    ),
    (
        SUPPORT,
        "2027-01-03T08:00:00+03:00",
        "1000 working hours",
        "2027-06-24T16:00:00+03:00",
    ),
    // --- Working days ---------------------------------------------------------------------
    // Before the first opening of a working day: that day is day 1.
    (
        SUPPORT,
        "2026-11-22T07:00:00+03:00",
        "1 working day",
        "2026-11-22T16:00:00+03:00",
    ),
    // At the opening itself the start is no longer before it: day 1 is Monday.
    (
        SUPPORT,
        "2026-11-22T08:00:00+03:00",
        "1 working day",
        "2026-11-23T16:00:00+03:00",
    ),
    // During Sunday: Monday, Tuesday, Wednesday; Wednesday closes at 19:00 with its extra.
    (
        SUPPORT,
        "2026-11-22T10:00:00+03:00",
        "3 working days",
        "2026-11-25T19:00:00+03:00",
    ),
    // Friday 11-27 is a working day through its extra window alone; it closes Saturday 02:00.
    (
        SUPPORT,
        "2026-11-26T10:00:00+03:00",
        "1 working day",
        "2026-11-28T02:00:00+03:00",
    ),
    (
        SUPPORT,
        "2026-11-26T10:00:00+03:00",
        "2 working days",
        "2026-11-29T16:00:00+03:00",
    ),
    // Saturday 11-21 opens at 18:00 (extra), so a 10:00 start makes it day 1.
    (
        SUPPORT,
        "2026-11-21T10:00:00+03:00",
        "1 working day",
        "2026-11-21T21:00:00+03:00",
    ),
    // After Thursday's close, the next working day is that Saturday.
    (
        SUPPORT,
        "2026-11-19T17:00:00+03:00",
        "1 working day",
        "2026-11-21T21:00:00+03:00",
    ),
    // Tuesday 12-01, (holiday 12-02), Thursday 12-03, Sunday 12-06.
    (
        SUPPORT,
        "2026-11-30T12:00:00+03:00",
        "3 working days",
        "2026-12-06T16:00:00+03:00",
    ),
    // Monday 12-14 is a holiday with an extra window, so it is day 1; then Wednesday 12-16.
    (
        SUPPORT,
        "2026-12-10T09:00:00+03:00",
        "2 working days",
        "2026-12-16T16:00:00+03:00",
    ),
    (
        SUPPORT,
        "2027-01-03T07:00:00+03:00",
        "10 working days",
        "2027-01-14T16:00:00+03:00",
    ),
    (
        SUPPORT,
        "2027-01-03T07:00:00+03:00",
        "50 working days",
        "2027-03-11T16:00:00+03:00",
    ),
    // --- Same working day -----------------------------------------------------------------
    (
        SUPPORT,
        "2026-11-22T07:00:00+03:00",
        "same working day",
        "2026-11-22T16:00:00+03:00",
    ),
    (
        SUPPORT,
        "2026-11-22T12:00:00+03:00",
        "same working day",
        "2026-11-22T16:00:00+03:00",
    ),
    // A close equal to the start is not after it.
    (
        SUPPORT,
        "2026-11-22T16:00:00+03:00",
        "same working day",
        "2026-11-23T16:00:00+03:00",
    ),
    (
        SUPPORT,
        "2026-11-22T17:00:00+03:00",
        "same working day",
        "2026-11-23T16:00:00+03:00",
    ),
    // Weekend starts: Saturday 11-21 has an extra window, Saturday 11-14 has none.
    (
        SUPPORT,
        "2026-11-20T10:00:00+03:00",
        "same working day",
        "2026-11-21T21:00:00+03:00",
    ),
    (
        SUPPORT,
        "2026-11-13T10:00:00+03:00",
        "same working day",
        "2026-11-15T16:00:00+03:00",
    ),
    // Inside Friday's extra window after midnight: Friday's close is still ahead.
    (
        SUPPORT,
        "2026-11-28T01:00:00+03:00",
        "same working day",
        "2026-11-28T02:00:00+03:00",
    ),
    (
        SUPPORT,
        "2026-12-02T09:00:00+03:00",
        "same working day",
        "2026-12-03T16:00:00+03:00",
    ),
    // --- Calendar durations and zero ------------------------------------------------------
    (
        SUPPORT,
        "2026-11-22T15:00:00+03:00",
        "90 minutes",
        "2026-11-22T16:30:00+03:00",
    ),
    (
        SUPPORT,
        "2026-11-26T15:00:00+03:00",
        "2 days",
        "2026-11-28T15:00:00+03:00",
    ),
    (
        SUPPORT,
        "2026-11-22T23:00:00Z",
        "3 hours",
        "2026-11-23T05:00:00+03:00",
    ),
    (
        SUPPORT,
        "2026-11-22T10:00:00+03:00",
        "0 minutes",
        "2026-11-22T10:00:00+03:00",
    ),
    (
        SUPPORT,
        "2026-11-20T10:00:00+03:00",
        "0 working hours",
        "2026-11-20T10:00:00+03:00",
    ),
    (
        SUPPORT,
        "2026-11-22T10:00:00+03:00",
        "0 working days",
        "2026-11-22T10:00:00+03:00",
    ),
    // --- Split shifts and midnight --------------------------------------------------------
    (
        SPLIT,
        "2026-11-22T11:00:00+03:00",
        "3 working hours",
        "2026-11-22T18:00:00+03:00",
    ),
    (
        SPLIT,
        "2026-11-22T11:00:00+03:00",
        "5 working hours",
        "2026-11-22T20:00:00+03:00",
    ),
    (
        SPLIT,
        "2026-11-22T10:00:00+03:00",
        "2 working hours",
        "2026-11-22T12:00:00+03:00",
    ),
    (
        SPLIT,
        "2026-11-22T12:00:00+03:00",
        "1 working minute",
        "2026-11-22T16:01:00+03:00",
    ),
    // Tuesday 20:00–24:00 flows into Wednesday 00:00–06:00 without a gap.
    (
        SPLIT,
        "2026-11-24T22:00:00+03:00",
        "3 working hours",
        "2026-11-25T01:00:00+03:00",
    ),
    (
        SPLIT,
        "2026-11-24T22:00:00+03:00",
        "2 working hours",
        "2026-11-25T00:00:00+03:00",
    ),
    (
        SPLIT,
        "2026-11-23T18:00:00+03:00",
        "10 working hours",
        "2026-11-25T03:00:00+03:00",
    ),
    (
        SPLIT,
        "2026-11-23T07:00:00+03:00",
        "1 working day",
        "2026-11-23T21:00:00+03:00",
    ),
    // Tuesday first opens at 20:00, so a 10:00 start counts it; it closes at midnight.
    (
        SPLIT,
        "2026-11-24T10:00:00+03:00",
        "1 working day",
        "2026-11-25T00:00:00+03:00",
    ),
    (
        SPLIT,
        "2026-11-24T23:00:00+03:00",
        "same working day",
        "2026-11-25T00:00:00+03:00",
    ),
    (
        SPLIT,
        "2026-11-25T00:00:00+03:00",
        "same working day",
        "2026-11-25T10:00:00+03:00",
    ),
    // Wednesday has opened; Thursday to Saturday have no windows: Sunday, Monday.
    (
        SPLIT,
        "2026-11-25T05:00:00+03:00",
        "2 working days",
        "2026-11-30T21:00:00+03:00",
    ),
    // --- London across both DST changes ---------------------------------------------------
    (
        LONDON,
        "2026-10-23T16:00:00+01:00",
        "2 working hours",
        "2026-10-26T10:00:00+00:00",
    ),
    // Calendar days keep the wall-clock time (73 real hours); hours do not.
    (
        LONDON,
        "2026-10-23T12:00:00+01:00",
        "3 days",
        "2026-10-26T12:00:00+00:00",
    ),
    (
        LONDON,
        "2026-10-23T12:00:00+01:00",
        "72 hours",
        "2026-10-26T11:00:00+00:00",
    ),
    (
        LONDON,
        "2026-03-27T16:30:00+00:00",
        "1 working hour",
        "2026-03-30T09:30:00+01:00",
    ),
    (
        LONDON,
        "2026-03-28T12:00:00+00:00",
        "1 day",
        "2026-03-29T12:00:00+01:00",
    ),
    (
        LONDON,
        "2026-10-19T08:00:00+01:00",
        "6 working days",
        "2026-10-26T17:00:00+00:00",
    ),
    (
        LONDON,
        "2026-10-21T13:00:00+01:00",
        "48 working hours",
        "2026-10-29T13:00:00+00:00",
    ),
    (
        LONDON,
        "2026-10-23T18:00:00+01:00",
        "same working day",
        "2026-10-26T17:00:00+00:00",
    ),
    // --- A night shift across the DST change in New York ----------------------------------
    // Sunday 00:00–04:00 local holds 5 real hours on 11-01 (01:00 happens twice).
    (
        NIGHT,
        "2026-10-31T20:00:00-04:00",
        "8 working hours",
        "2026-11-01T03:00:00-05:00",
    ),
    (
        NIGHT,
        "2026-10-31T20:00:00-04:00",
        "9 working hours",
        "2026-11-01T04:00:00-05:00",
    ),
    (
        NIGHT,
        "2026-10-31T20:00:00-04:00",
        "10 working hours",
        "2026-11-07T21:00:00-05:00",
    ),
    // ... and 3 real hours on 03-08 (02:00–03:00 does not exist).
    (
        NIGHT,
        "2026-03-07T20:00:00-05:00",
        "7 working hours",
        "2026-03-08T04:00:00-04:00",
    ),
    (
        NIGHT,
        "2026-03-07T20:00:00-05:00",
        "6 working hours",
        "2026-03-08T03:00:00-04:00",
    ),
    (
        NIGHT,
        "2026-10-31T10:00:00-04:00",
        "1 working day",
        "2026-11-01T00:00:00-04:00",
    ),
    // A window opening at 02:30 inside the gap opens at 03:30 (compatible disambiguation).
    (
        GAP,
        "2026-03-07T12:00:00-05:00",
        "1 working hour",
        "2026-03-08T04:30:00-04:00",
    ),
    (
        GAP,
        "2026-10-31T12:00:00-04:00",
        "2 working hours",
        "2026-11-01T04:30:00-05:00",
    ),
    // --- A calendar made only of extra windows --------------------------------------------
    (
        COURSES,
        "2026-11-21T19:00:00+03:00",
        "4 working hours",
        "2026-11-28T20:00:00+03:00",
    ),
    (
        COURSES,
        "2026-11-21T19:00:00+03:00",
        "6 working hours",
        "ERR: no working time",
    ),
    (
        COURSES,
        "2026-11-22T09:00:00+03:00",
        "1 working day",
        "2026-11-28T21:00:00+03:00",
    ),
    (
        COURSES,
        "2026-11-22T09:00:00+03:00",
        "2 working days",
        "ERR: no working time",
    ),
    (
        COURSES,
        "2026-11-21T17:00:00+03:00",
        "same working day",
        "2026-11-21T21:00:00+03:00",
    ),
    (
        COURSES,
        "2026-11-28T21:00:00+03:00",
        "same working day",
        "ERR: no working time",
    ),
];

/// (calendar, deadline, paused from, resumed at, expression, expected new deadline or `ERR:`)
const PAUSES: &[(&str, &str, &str, &str, &str, &str)] = &[
    // Sunday 14:00–16:00 and Monday 08:00–10:00 were paused: 4 working hours, so Tuesday
    // 12:00 becomes Tuesday 16:00.
    (
        SUPPORT,
        "2026-11-24T12:00:00+03:00",
        "2026-11-22T14:00:00+03:00",
        "2026-11-23T10:00:00+03:00",
        "8 working hours",
        "2026-11-24T16:00:00+03:00",
    ),
    // A calendar duration moves by the 20 elapsed hours.
    (
        SUPPORT,
        "2026-11-24T12:00:00+03:00",
        "2026-11-22T14:00:00+03:00",
        "2026-11-23T10:00:00+03:00",
        "2 days",
        "2026-11-25T08:00:00+03:00",
    ),
    // A pause over a weekend without extra windows costs no working time.
    (
        SUPPORT,
        "2026-11-24T12:00:00+03:00",
        "2026-11-13T09:00:00+03:00",
        "2026-11-14T12:00:00+03:00",
        "8 working hours",
        "2026-11-24T12:00:00+03:00",
    ),
    // Wednesday 15:00–20:00 holds 4 working hours (the union ends at 19:00).
    (
        SUPPORT,
        "2026-11-26T10:00:00+03:00",
        "2026-11-25T15:00:00+03:00",
        "2026-11-25T20:00:00+03:00",
        "2 working days",
        "2026-11-26T14:00:00+03:00",
    ),
    // Two working hours from Thursday 15:00: one on Thursday, one in Friday's extra window.
    (
        SUPPORT,
        "2026-11-26T15:00:00+03:00",
        "2026-11-26T09:00:00+03:00",
        "2026-11-26T11:00:00+03:00",
        "same working day",
        "2026-11-27T23:00:00+03:00",
    ),
    (
        SUPPORT,
        "2026-11-22T16:30:00+03:00",
        "2026-11-22T15:00:00+03:00",
        "2026-11-22T15:45:00+03:00",
        "90 minutes",
        "2026-11-22T17:15:00+03:00",
    ),
    // Friday 15:00–17:00 (BST) and Monday 09:00–10:00 (GMT): 3 hours.
    (
        LONDON,
        "2026-10-26T12:00:00+00:00",
        "2026-10-23T15:00:00+01:00",
        "2026-10-26T10:00:00+00:00",
        "1 working day",
        "2026-10-26T15:00:00+00:00",
    ),
    (
        SUPPORT,
        "2026-11-24T12:00:00+03:00",
        "2026-11-23T10:00:00+03:00",
        "2026-11-22T14:00:00+03:00",
        "8 working hours",
        "ERR: before it begins",
    ),
];

/// (calendar, from, to, expected working time in minutes)
const BETWEEN: &[(&str, &str, &str, i64)] = &[
    // Thursday 2h + Friday night 2h + Saturday 2h + Sunday 8h + Monday 2h.
    (
        SUPPORT,
        "2026-11-26T14:00:00+03:00",
        "2026-11-30T10:00:00+03:00",
        16 * 60,
    ),
    (
        SUPPORT,
        "2026-11-30T10:00:00+03:00",
        "2026-11-26T14:00:00+03:00",
        -16 * 60,
    ),
    // A whole week: 5 × 8h, plus 3h of Wednesday's extra beyond 16:00, plus 4h on Friday night.
    (
        SUPPORT,
        "2026-11-22T00:00:00+03:00",
        "2026-11-29T00:00:00+03:00",
        47 * 60,
    ),
    // 25 plain weeks in 2027.
    (
        SUPPORT,
        "2027-01-03T00:00:00+03:00",
        "2027-06-27T00:00:00+03:00",
        1000 * 60,
    ),
    (
        SUPPORT,
        "2026-11-22T10:00:00+03:00",
        "2026-11-22T10:00:00+03:00",
        0,
    ),
    (
        LONDON,
        "2026-10-23T09:00:00+01:00",
        "2026-10-26T17:00:00+00:00",
        16 * 60,
    ),
    (
        NIGHT,
        "2026-10-31T00:00:00-04:00",
        "2026-11-02T00:00:00-05:00",
        9 * 60,
    ),
    (
        NIGHT,
        "2026-03-07T00:00:00-05:00",
        "2026-03-09T00:00:00-04:00",
        7 * 60,
    ),
    (
        COURSES,
        "2026-01-01T00:00:00+03:00",
        "2030-01-01T00:00:00+03:00",
        6 * 60,
    ),
];

fn calendar(toml_text: &str) -> WorkingCalendar {
    let file: CalendarsSpec = toml::from_str(toml_text).expect("test calendar parses as TOML");
    let mut calendars = file.build().expect("test calendar is valid");
    assert_eq!(calendars.len(), 1, "each test calendar holds one calendar");
    calendars.remove(0)
}

fn instant(text: &str) -> Timestamp {
    text.parse()
        .unwrap_or_else(|e| panic!("bad instant {text:?} in a test row: {e}"))
}

fn expr(text: &str) -> DurationExpr {
    DurationExpr::parse(text).unwrap_or_else(|e| panic!("{text:?} does not parse: {e}"))
}

/// Compares a result with a row's expectation: an instant in the calendar's offset, or `ERR:`
/// followed by a fragment of the error message. Returns the mismatch, if any.
fn compare(
    calendar: &WorkingCalendar,
    got: Result<Timestamp, impl std::fmt::Display>,
    expected: &str,
) -> Result<(), String> {
    let matches = match (&got, expected.strip_prefix("ERR:")) {
        (Ok(t), None) => calendar.format_in_zone(*t) == expected,
        (Err(e), Some(fragment)) => e.to_string().contains(fragment.trim()),
        _ => false,
    };
    if matches {
        return Ok(());
    }
    Err(match got {
        Ok(t) => calendar.format_in_zone(t),
        Err(e) => format!("error: {e}"),
    })
}

/// Runs one row of [`CASES`] and describes the mismatch, if any.
fn check(calendar_toml: &str, from: &str, duration: &str, expected: &str) -> Option<String> {
    let calendar = calendar(calendar_toml);
    let got = calendar.deadline(instant(from), &expr(duration));
    compare(&calendar, got, expected).err().map(|got| {
        format!(
            "{} from {from}, {duration}: expected {expected}, got {got}",
            calendar.name()
        )
    })
}

fn report(what: &str, total: usize, failures: Vec<String>) {
    assert!(
        failures.is_empty(),
        "{} of {total} {what} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn deadline_table() {
    assert!(CASES.len() >= 45, "the table must keep at least 45 rows");
    let failures = CASES
        .iter()
        .filter_map(|&(cal, from, duration, expected)| check(cal, from, duration, expected))
        .collect();
    report("deadline", CASES.len(), failures);
}

#[test]
fn pause_extension_table() {
    let failures = PAUSES
        .iter()
        .filter_map(|&(cal, deadline, paused, resumed, duration, expected)| {
            let calendar = calendar(cal);
            let got = calendar.extend_for_pause(
                instant(deadline),
                instant(paused),
                instant(resumed),
                &expr(duration),
            );
            compare(&calendar, got, expected).err().map(|got| {
                format!(
                    "{}: {duration} due {deadline}, paused {paused}..{resumed}: expected {expected}, got {got}",
                    calendar.name()
                )
            })
        })
        .collect();
    report("pause", PAUSES.len(), failures);
}

#[test]
fn working_time_between_table() {
    let failures = BETWEEN
        .iter()
        .filter_map(|&(cal, from, to, minutes)| {
            let calendar = calendar(cal);
            let got = calendar.working_time_between(instant(from), instant(to));
            let expected = SignedDuration::from_mins(minutes);
            (got != expected).then(|| {
                format!(
                    "{}: {from}..{to}: expected {expected:#}, got {got:#}",
                    calendar.name()
                )
            })
        })
        .collect();
    report("working-time", BETWEEN.len(), failures);
}

#[test]
fn is_working_at_uses_half_open_windows() {
    let support = calendar(SUPPORT);
    let rows = [
        ("2026-11-22T08:00:00+03:00", true),
        ("2026-11-22T07:59:59+03:00", false),
        ("2026-11-22T15:59:59+03:00", true),
        ("2026-11-22T16:00:00+03:00", false),
        ("2026-11-21T19:00:00+03:00", true),
        ("2026-11-28T01:00:00+03:00", true),
        ("2026-11-28T02:00:00+03:00", false),
        ("2026-12-02T10:00:00+03:00", false),
        ("2026-12-14T11:00:00+03:00", true),
        ("2026-12-14T13:00:00+03:00", false),
        ("2026-11-25T18:30:00+03:00", true),
    ];
    for (at, expected) in rows {
        assert_eq!(support.is_working_at(instant(at)), expected, "at {at}");
    }
}

#[test]
fn format_in_zone_uses_the_offset_of_the_instant() {
    let london = calendar(LONDON);
    assert_eq!(
        london.format_in_zone(instant("2026-10-25T00:30:00Z")),
        "2026-10-25T01:30:00+01:00"
    );
    assert_eq!(
        london.format_in_zone(instant("2026-10-25T01:30:00Z")),
        "2026-10-25T01:30:00+00:00"
    );
    let support = calendar(SUPPORT);
    assert_eq!(
        support.format_in_zone(instant("2026-11-22T05:00:00.25Z")),
        "2026-11-22T08:00:00.25+03:00"
    );
}

/// Working time added after the last extra window of a calendar without weekly windows must
/// fail quickly instead of searching forever.
#[test]
fn exhausted_calendars_fail_instead_of_looping() {
    let courses = calendar(COURSES);
    let start = instant("2026-12-01T00:00:00+03:00");
    for duration in [
        "1 working minute",
        "4294967295 working hours",
        "4294967295 working days",
    ] {
        let got = courses.deadline(start, &expr(duration));
        assert_eq!(
            got,
            Err(sanad_domain::calendar::DeadlineError::NoWorkingTime),
            "{duration}"
        );
    }
    // Huge durations on a normal calendar run out of representable dates, not of patience.
    let support = calendar(SUPPORT);
    for duration in [
        "4294967295 working hours",
        "4294967295 working days",
        "4294967295 days",
    ] {
        let got = support.deadline(start, &expr(duration));
        assert_eq!(
            got,
            Err(sanad_domain::calendar::DeadlineError::OutOfRange),
            "{duration}"
        );
    }
}

/// Walking day by day must agree with adding in one go: splitting a duration at any point and
/// adding the rest from there reaches the same deadline.
#[test]
fn adding_in_two_steps_matches_adding_at_once() {
    for cal in [SUPPORT, SPLIT, LONDON, NIGHT] {
        let calendar = calendar(cal);
        let start = instant("2026-10-20T09:13:00Z");
        for total in [1_u32, 59, 480, 2_000, 20_000] {
            let at_once = calendar
                .deadline(start, &DurationExpr::WorkingMinutes(total))
                .expect("deadline exists");
            for first in [0, 1, total / 3, total / 2, total - 1] {
                let midway = calendar
                    .deadline(start, &DurationExpr::WorkingMinutes(first))
                    .expect("deadline exists");
                let rest = calendar
                    .deadline(midway, &DurationExpr::WorkingMinutes(total - first))
                    .expect("deadline exists");
                assert_eq!(
                    rest,
                    at_once,
                    "{} {total} = {first} + rest",
                    calendar.name()
                );
            }
            assert_eq!(
                calendar.working_time_between(start, at_once),
                SignedDuration::from_mins(i64::from(total)),
                "{} {total}",
                calendar.name()
            );
        }
    }
}
