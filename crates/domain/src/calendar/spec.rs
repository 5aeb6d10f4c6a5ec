//! The published configuration contract for working calendars, and its validation.
//!
//! The shape below is what operators write in TOML (`[[calendars]]` tables). It is a published
//! contract, so unknown fields are rejected rather than ignored: a misspelt `holiday = [...]`
//! must fail loudly instead of silently producing a calendar without holidays.

use std::collections::BTreeMap;

use jiff::civil::{Date, DateTime, Time};
use serde::{Deserialize, Serialize};

/// A whole calendars file: a list of `[[calendars]]` tables.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarsSpec {
    /// The calendars, each referred to by its unique `name`.
    #[serde(default)]
    pub calendars: Vec<CalendarSpec>,
}

/// One working calendar as written by an operator.
///
/// Every field holds plain strings so that validation, not deserialisation, produces the
/// error messages: a serde error cannot say which day's window was wrong and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarSpec {
    /// The name that service-level policies use to refer to this calendar.
    pub name: String,
    /// An IANA time zone name such as `Asia/Riyadh`; all local times below are in this zone.
    pub timezone: String,
    /// Weekly working windows keyed by day (`sun` … `sat`), each `"HH:MM-HH:MM"`.
    #[serde(default)]
    pub hours: BTreeMap<String, Vec<String>>,
    /// Local dates without weekly working time: `"YYYY-MM-DD"` or an inclusive range
    /// `"YYYY-MM-DD..YYYY-MM-DD"`.
    #[serde(default)]
    pub holidays: Vec<String>,
    /// Additional working windows in local time, `"YYYY-MM-DDTHH:MM..YYYY-MM-DDTHH:MM"`, for
    /// example a live course session on a Saturday evening. They apply even on holidays.
    #[serde(default)]
    pub extra: Vec<String>,
}

/// Why a calendar specification was rejected. Every variant names the calendar, the field and
/// the offending value, because the person fixing the file needs all three.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CalendarError {
    /// The `name` field is empty or only whitespace.
    #[error("calendar name must not be empty")]
    EmptyName,
    /// Two calendars in one file share a name, so references to it would be ambiguous.
    #[error("calendar name {name:?} is defined more than once")]
    DuplicateName { name: String },
    /// The `timezone` field is not an IANA time zone known to this system.
    #[error("calendar {calendar:?}: timezone {value:?} is not a known IANA time zone ({reason})")]
    UnknownTimeZone {
        calendar: String,
        value: String,
        reason: String,
    },
    /// A key under `hours` is not one of the seven day abbreviations.
    #[error(
        "calendar {calendar:?}: hours has an unknown day key {key:?}; expected one of sun, mon, tue, wed, thu, fri, sat"
    )]
    BadDayKey { calendar: String, key: String },
    /// A weekly window is not of the form `HH:MM-HH:MM` with the end after the start.
    #[error("calendar {calendar:?}: hours.{day} window {value:?} is invalid: {reason}")]
    BadWindow {
        calendar: String,
        day: String,
        value: String,
        reason: String,
    },
    /// Two weekly windows of the same day overlap, which is almost always a typing mistake.
    #[error("calendar {calendar:?}: hours.{day} windows {first:?} and {second:?} overlap")]
    OverlappingWindows {
        calendar: String,
        day: String,
        first: String,
        second: String,
    },
    /// A `holidays` entry is not a valid date or inclusive date range.
    #[error("calendar {calendar:?}: holidays entry {value:?} is invalid: {reason}")]
    BadHoliday {
        calendar: String,
        value: String,
        reason: String,
    },
    /// An `extra` entry is not a valid local datetime range.
    #[error("calendar {calendar:?}: extra window {value:?} is invalid: {reason}")]
    BadExtra {
        calendar: String,
        value: String,
        reason: String,
    },
    /// The calendar has neither weekly windows nor extra windows, so no deadline could ever be
    /// reached on it.
    #[error(
        "calendar {calendar:?} has no working time: give at least one window under hours or one extra window"
    )]
    NoWorkingTime { calendar: String },
}

/// The day keys accepted under `hours`, in the order of `Weekday::to_sunday_zero_offset`.
pub(crate) const DAY_KEYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/// A validated weekly window: `start` is a local time of day and `end` is either a later local
/// time of day or `None` for `24:00`, which means the following date's midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) start: Time,
    pub(crate) end: Option<Time>,
}

impl Window {
    /// The window's nominal length in seconds of local wall-clock time.
    pub(crate) fn local_seconds(&self) -> i64 {
        let start = seconds_of_day(self.start);
        let end = self.end.map_or(86_400, seconds_of_day);
        end - start
    }
}

fn seconds_of_day(t: Time) -> i64 {
    i64::from(t.hour()) * 3600 + i64::from(t.minute()) * 60 + i64::from(t.second())
}

/// A specification that passed syntactic validation; the engine turns it into instants.
#[derive(Debug, Clone)]
pub(crate) struct Validated {
    pub(crate) name: String,
    pub(crate) tz: jiff::tz::TimeZone,
    /// Weekly windows indexed by days since Sunday, sorted and non-overlapping.
    pub(crate) weekly: [Vec<Window>; 7],
    /// Holiday date ranges (inclusive), sorted and merged.
    pub(crate) holidays: Vec<(Date, Date)>,
    /// Extra windows as written, in local time, each with its end after its start.
    pub(crate) extras: Vec<(DateTime, DateTime)>,
}

impl CalendarSpec {
    /// Checks every field and returns the validated parts, or the first error found.
    pub(crate) fn validate(&self) -> Result<Validated, CalendarError> {
        let name = self.name.trim();
        if name.is_empty() {
            return Err(CalendarError::EmptyName);
        }
        let name = name.to_owned();
        let tz = jiff::tz::TimeZone::get(self.timezone.trim()).map_err(|e| {
            CalendarError::UnknownTimeZone {
                calendar: name.clone(),
                value: self.timezone.clone(),
                reason: e.to_string(),
            }
        })?;

        let mut weekly: [Vec<Window>; 7] = Default::default();
        for (key, windows) in &self.hours {
            let Some(index) = DAY_KEYS.iter().position(|k| k == key) else {
                return Err(CalendarError::BadDayKey {
                    calendar: name.clone(),
                    key: key.clone(),
                });
            };
            let mut parsed: Vec<(Window, &str)> = Vec::with_capacity(windows.len());
            for raw in windows {
                let window = parse_window(raw).map_err(|reason| CalendarError::BadWindow {
                    calendar: name.clone(),
                    day: key.clone(),
                    value: raw.clone(),
                    reason,
                })?;
                parsed.push((window, raw.as_str()));
            }
            parsed.sort_by_key(|(w, _)| w.start);
            for pair in parsed.windows(2) {
                let (first, first_raw) = pair[0];
                let (second, second_raw) = pair[1];
                // A window ending at 24:00 overlaps anything after it on the same day.
                let overlaps = first.end.is_none_or(|end| end > second.start);
                if overlaps {
                    return Err(CalendarError::OverlappingWindows {
                        calendar: name.clone(),
                        day: key.clone(),
                        first: first_raw.to_owned(),
                        second: second_raw.to_owned(),
                    });
                }
            }
            weekly[index] = parsed.into_iter().map(|(w, _)| w).collect();
        }

        let mut holidays = Vec::with_capacity(self.holidays.len());
        for raw in &self.holidays {
            let range = parse_holiday(raw).map_err(|reason| CalendarError::BadHoliday {
                calendar: name.clone(),
                value: raw.clone(),
                reason,
            })?;
            holidays.push(range);
        }
        let holidays = merge_date_ranges(holidays);

        let mut extras = Vec::with_capacity(self.extra.len());
        for raw in &self.extra {
            let range = parse_extra(raw).map_err(|reason| CalendarError::BadExtra {
                calendar: name.clone(),
                value: raw.clone(),
                reason,
            })?;
            extras.push(range);
        }

        if weekly.iter().all(Vec::is_empty) && extras.is_empty() {
            return Err(CalendarError::NoWorkingTime { calendar: name });
        }
        Ok(Validated {
            name,
            tz,
            weekly,
            holidays,
            extras,
        })
    }
}

/// Sorts inclusive date ranges and merges those that overlap or touch, so that a lookup can
/// binary-search and a range query can stop at the first hit.
fn merge_date_ranges(mut ranges: Vec<(Date, Date)>) -> Vec<(Date, Date)> {
    ranges.sort();
    let mut merged: Vec<(Date, Date)> = Vec::with_capacity(ranges.len());
    for (first, last) in ranges {
        if let Some(previous) = merged.last_mut() {
            let touches = previous.1.tomorrow().map_or(true, |next| first <= next);
            if touches {
                previous.1 = previous.1.max(last);
                continue;
            }
        }
        merged.push((first, last));
    }
    merged
}

const WINDOW_SHAPE: &str = "expected HH:MM-HH:MM, for example 08:00-16:00";

/// Parses `HH:MM-HH:MM`. The end may be `24:00`, meaning the next midnight, so that a shift can
/// run up to midnight and continue on the following day without a gap.
fn parse_window(raw: &str) -> Result<Window, String> {
    let Some((start, end)) = raw.trim().split_once('-') else {
        return Err(WINDOW_SHAPE.to_owned());
    };
    let start = parse_hh_mm(start.trim()).ok_or_else(|| WINDOW_SHAPE.to_owned())?;
    let end = parse_hh_mm(end.trim()).ok_or_else(|| WINDOW_SHAPE.to_owned())?;
    let start_time = match start {
        (24, _) => return Err("a window cannot start at 24:00".to_owned()),
        (h, m) => Time::new(h, m, 0, 0).map_err(|e| e.to_string())?,
    };
    let end_time = match end {
        (24, 0) => None,
        (h, m) => Some(Time::new(h, m, 0, 0).map_err(|e| e.to_string())?),
    };
    if end_time.is_some_and(|end| end <= start_time) {
        return Err(format!(
            "the end {:02}:{:02} is not after the start {:02}:{:02} (use 24:00 to end at midnight)",
            end.0, end.1, start.0, start.1
        ));
    }
    Ok(Window {
        start: start_time,
        end: end_time,
    })
}

/// Parses exactly two digits, a colon and two digits. Hours run 00–23 (or 24 when the minutes
/// are 00) and minutes 00–59; anything else is `None` so the caller can explain the shape.
fn parse_hh_mm(text: &str) -> Option<(i8, i8)> {
    let bytes = text.as_bytes();
    if bytes.len() != 5 || bytes[2] != b':' {
        return None;
    }
    let hour = two_digits(bytes[0], bytes[1])?;
    let minute = two_digits(bytes[3], bytes[4])?;
    let valid = (hour <= 23 && minute <= 59) || (hour == 24 && minute == 0);
    valid.then_some((hour, minute))
}

fn two_digits(tens: u8, ones: u8) -> Option<i8> {
    if tens.is_ascii_digit() && ones.is_ascii_digit() {
        // Two ASCII digits are at most 99, which fits an i8.
        i8::try_from((tens - b'0') * 10 + (ones - b'0')).ok()
    } else {
        None
    }
}

const DATE_SHAPE: &str = "expected YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD";

fn parse_holiday(raw: &str) -> Result<(Date, Date), String> {
    let text = raw.trim();
    match text.split_once("..") {
        None => {
            let date = parse_date(text)?;
            Ok((date, date))
        }
        Some((first, last)) => {
            let first = parse_date(first.trim())?;
            let last = parse_date(last.trim())?;
            if last < first {
                return Err(format!(
                    "the range ends ({last}) before it starts ({first})"
                ));
            }
            Ok((first, last))
        }
    }
}

/// Parses `YYYY-MM-DD` strictly: jiff's own parser also accepts other ISO 8601 forms, and a
/// published contract should accept one spelling only.
fn parse_date(text: &str) -> Result<Date, String> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shaped {
        return Err(format!("{text:?} is not a date; {DATE_SHAPE}"));
    }
    let year: i16 = text[0..4]
        .parse()
        .map_err(|_| format!("{text:?} has a bad year"))?;
    let month: i8 = text[5..7]
        .parse()
        .map_err(|_| format!("{text:?} has a bad month"))?;
    let day: i8 = text[8..10]
        .parse()
        .map_err(|_| format!("{text:?} has a bad day"))?;
    Date::new(year, month, day).map_err(|e| format!("{text:?} is not a calendar date ({e})"))
}

const EXTRA_SHAPE: &str = "expected YYYY-MM-DDTHH:MM..YYYY-MM-DDTHH:MM in local time";

fn parse_extra(raw: &str) -> Result<(DateTime, DateTime), String> {
    let Some((start, end)) = raw.trim().split_once("..") else {
        return Err(EXTRA_SHAPE.to_owned());
    };
    let start = parse_local_datetime(start.trim())?;
    let end = parse_local_datetime(end.trim())?;
    if end <= start {
        return Err(format!("the end {end} is not after the start {start}"));
    }
    Ok((start, end))
}

/// Parses `YYYY-MM-DDTHH:MM` (a space may replace the `T`), the local time of an extra window.
fn parse_local_datetime(text: &str) -> Result<DateTime, String> {
    let Some((date, time)) = text.split_once(['T', 't', ' ']) else {
        return Err(format!(
            "{text:?} is not a local date and time; {EXTRA_SHAPE}"
        ));
    };
    let date = parse_date(date)?;
    let (hour, minute) = match parse_hh_mm(time.trim()) {
        Some((24, _)) | None => {
            return Err(format!(
                "{text:?} has a bad time of day {time:?}; {EXTRA_SHAPE}"
            ));
        }
        Some(hm) => hm,
    };
    let time = Time::new(hour, minute, 0, 0).map_err(|e| e.to_string())?;
    Ok(date.to_datetime(time))
}
