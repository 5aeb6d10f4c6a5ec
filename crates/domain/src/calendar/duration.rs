//! Duration expressions such as `48 working hours`, as written in service-level policies.

use std::fmt;

/// How long a ticket may wait, in words an operator writes in a policy.
///
/// Calendar durations count elapsed time whatever the calendar says; working durations count
/// only the calendar's working time, because a promise of "4 working hours" made on Thursday
/// afternoon must not expire over the weekend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DurationExpr {
    /// `N minutes` of elapsed time.
    CalendarMinutes(u32),
    /// `N hours` of elapsed time.
    CalendarHours(u32),
    /// `N days`: the same local wall-clock time N dates later in the calendar's zone.
    CalendarDays(u32),
    /// `N working minutes` of the calendar's working time.
    WorkingMinutes(u32),
    /// `N working hours` of the calendar's working time.
    WorkingHours(u32),
    /// `N working days`: the close of the Nth working day.
    WorkingDays(u32),
    /// `same working day`: the close of the first working day that closes after the start.
    SameWorkingDay,
}

impl DurationExpr {
    /// Whether the expression counts the calendar's working time (and so pauses move the
    /// deadline by working time) rather than elapsed time.
    pub fn is_working(&self) -> bool {
        !matches!(
            self,
            DurationExpr::CalendarMinutes(_)
                | DurationExpr::CalendarHours(_)
                | DurationExpr::CalendarDays(_)
        )
    }

    /// Parses an expression; case-insensitive, any amount of whitespace between words, and
    /// singular or plural units (`1 hour`, `2 hours`, `1 hours` are all accepted).
    pub fn parse(text: &str) -> Result<DurationExpr, DurationError> {
        let lowered = text.to_lowercase();
        let words: Vec<&str> = lowered.split_whitespace().collect();
        let Some(&first) = words.first() else {
            return Err(DurationError::Empty);
        };
        let (expr, used) = if first == "same" {
            match (words.get(1), words.get(2)) {
                (Some(&"working"), Some(&"day")) => (DurationExpr::SameWorkingDay, 3),
                _ => {
                    return Err(DurationError::ExpectedSameWorkingDay {
                        found: words.join(" "),
                    });
                }
            }
        } else {
            let number = parse_number(first)?;
            let (working, unit_at) = match words.get(1) {
                Some(&"working") => (true, 2),
                _ => (false, 1),
            };
            let Some(&unit) = words.get(unit_at) else {
                return Err(DurationError::ExpectedUnit {
                    number,
                    found: String::new(),
                });
            };
            let expr = match (working, unit) {
                (false, "minute" | "minutes") => DurationExpr::CalendarMinutes(number),
                (false, "hour" | "hours") => DurationExpr::CalendarHours(number),
                (false, "day" | "days") => DurationExpr::CalendarDays(number),
                (true, "minute" | "minutes") => DurationExpr::WorkingMinutes(number),
                (true, "hour" | "hours") => DurationExpr::WorkingHours(number),
                (true, "day" | "days") => DurationExpr::WorkingDays(number),
                _ => {
                    return Err(DurationError::ExpectedUnit {
                        number,
                        found: unit.to_owned(),
                    });
                }
            };
            (expr, unit_at + 1)
        };
        if let Some(rest) = words.get(used..).filter(|rest| !rest.is_empty()) {
            return Err(DurationError::TrailingInput {
                expr: expr.to_string(),
                found: rest.join(" "),
            });
        }
        Ok(expr)
    }
}

fn parse_number(word: &str) -> Result<u32, DurationError> {
    if word.is_empty() || !word.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DurationError::ExpectedNumber {
            found: word.to_owned(),
        });
    }
    word.parse().map_err(|_| DurationError::NumberTooLarge {
        value: word.to_owned(),
    })
}

/// Why a duration expression could not be parsed; each message says what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DurationError {
    /// Nothing but whitespace was given.
    #[error(
        "empty duration: expected for example \"4 working hours\", \"2 days\" or \"same working day\""
    )]
    Empty,
    /// The first word is neither a whole number nor `same`.
    #[error(
        "expected a non-negative whole number (or \"same working day\") at the start, found {found:?}"
    )]
    ExpectedNumber { found: String },
    /// The number does not fit in 32 bits.
    #[error("the number {value} is too large (at most {})", u32::MAX)]
    NumberTooLarge { value: String },
    /// The unit after the number is missing or unknown.
    #[error(
        "expected a unit after {number}: minutes, hours, days, working minutes, working hours or working days; found {found:?}"
    )]
    ExpectedUnit { number: u32, found: String },
    /// A phrase began with `same` but was not `same working day`.
    #[error("expected \"same working day\", found {found:?}")]
    ExpectedSameWorkingDay { found: String },
    /// Words followed a complete expression.
    #[error("unexpected {found:?} after \"{expr}\"; nothing may follow the unit")]
    TrailingInput { expr: String, found: String },
}

impl std::str::FromStr for DurationExpr {
    type Err = DurationError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        DurationExpr::parse(text)
    }
}

impl fmt::Display for DurationExpr {
    /// Writes the canonical spelling, which `parse` reads back to the same value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (number, working, unit) = match *self {
            DurationExpr::SameWorkingDay => return f.write_str("same working day"),
            DurationExpr::CalendarMinutes(n) => (n, false, "minute"),
            DurationExpr::CalendarHours(n) => (n, false, "hour"),
            DurationExpr::CalendarDays(n) => (n, false, "day"),
            DurationExpr::WorkingMinutes(n) => (n, true, "minute"),
            DurationExpr::WorkingHours(n) => (n, true, "hour"),
            DurationExpr::WorkingDays(n) => (n, true, "day"),
        };
        let working = if working { "working " } else { "" };
        let plural = if number == 1 { "" } else { "s" };
        write!(f, "{number} {working}{unit}{plural}")
    }
}

/// Policies store expressions as their text, so that a configuration file reads naturally.
impl serde::Serialize for DurationExpr {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for DurationExpr {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        DurationExpr::parse(&text).map_err(serde::de::Error::custom)
    }
}
