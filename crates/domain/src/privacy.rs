//! Privacy under the Saudi Personal Data Protection Law: what erasure writes in place of
//! personal data, why a requester's data was erased, and the retention rule that erases the
//! personal data of finished tickets after an organization's period.
//!
//! Erasure anonymizes rather than deletes: tickets keep their kind, channel, category,
//! departments, timestamps, targets and escalations, so every report counts the same before and
//! after; only what identifies or was written by the person is replaced.

use jiff::{SignedDuration, Timestamp};
use thiserror::Error;

/// The name an erased requester is shown under. Fixed and the same for everyone, so nothing in
/// it can point back to the person; bilingual because it is stored, not rendered per reader.
pub const ERASED_NAME: &str = "مستفيد مجهول · Anonymous requester";

/// What replaces a subject, a message body or a comment written by or about an erased requester.
pub const ERASED_TEXT: &str = "[محذوف بطلب حماية البيانات · erased for data protection]";

/// The longest retention period an organization may set: a century, beyond which a typo is
/// more likely than a policy.
pub const MAX_RETENTION_DAYS: i64 = 36_500;

string_enum! {
    /// Why personal data was erased.
    pub enum ErasureReason: "erasure reason" {
        /// The requester asked for it, and an administrator carried it out.
        Requested => "requested",
        /// The organization's retention period for finished tickets ran out.
        Retention => "retention",
    }
}

/// How long an organization keeps the personal data of finished tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionDays(i64);

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "a retention period of {0} days is not allowed; choose from 1 to {MAX_RETENTION_DAYS} days, or none to keep data"
)]
pub struct RetentionError(pub i64);

impl RetentionDays {
    pub fn new(days: i64) -> Result<RetentionDays, RetentionError> {
        if (1..=MAX_RETENTION_DAYS).contains(&days) {
            Ok(RetentionDays(days))
        } else {
            Err(RetentionError(days))
        }
    }

    /// Parses an administrator's entry: empty means "keep" (`None`).
    pub fn parse_optional(raw: &str) -> Result<Option<RetentionDays>, RetentionError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        let days = trimmed.parse::<i64>().map_err(|_| RetentionError(-1))?;
        RetentionDays::new(days).map(Some)
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// Tickets finished before this instant are past retention at `now`. Days are whole
    /// 24-hour days: retention is a legal period counted from the last change, not a calendar
    /// promise, so working calendars do not apply.
    pub fn cutoff(self, now: Timestamp) -> Timestamp {
        now.checked_sub(SignedDuration::from_hours(24 * self.0))
            .unwrap_or(Timestamp::MIN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_periods_are_bounded_and_optional() {
        let table: &[(&str, Result<Option<i64>, RetentionError>)] = &[
            ("", Ok(None)),
            ("  ", Ok(None)),
            ("365", Ok(Some(365))),
            ("1", Ok(Some(1))),
            ("0", Err(RetentionError(0))),
            ("36501", Err(RetentionError(36_501))),
            ("a year", Err(RetentionError(-1))),
        ];
        for (raw, expected) in table {
            assert_eq!(
                RetentionDays::parse_optional(raw).map(|days| days.map(RetentionDays::get)),
                *expected,
                "{raw:?}"
            );
        }
    }

    #[test]
    fn the_cutoff_counts_whole_days_back() {
        let now: Timestamp = "2026-12-31T12:00:00Z".parse().unwrap();
        let table = [
            (1, "2026-12-30T12:00:00Z"),
            (30, "2026-12-01T12:00:00Z"),
            (365, "2025-12-31T12:00:00Z"),
        ];
        for (days, cutoff) in table {
            assert_eq!(
                RetentionDays::new(days).unwrap().cutoff(now),
                cutoff.parse::<Timestamp>().unwrap(),
                "{days}"
            );
        }
    }

    #[test]
    fn erasure_markers_carry_nothing_personal() {
        for marker in [ERASED_NAME, ERASED_TEXT] {
            assert!(!marker.contains('@'));
            assert!(!marker.chars().any(|c| c.is_ascii_digit()));
        }
        assert_eq!("retention".parse(), Ok(ErasureReason::Retention));
    }
}
