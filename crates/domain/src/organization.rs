//! Organizations (tenants) and the identifiers people see: slugs, codes and ticket numbers.

use std::fmt;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdentifierError {
    #[error(
        "'{0}' is not a valid {1}: use 2 to 63 lower-case latin letters, digits and single hyphens, starting with a letter"
    )]
    BadSlug(String, &'static str),
    #[error(
        "'{0}' is not a valid ticket prefix: use 2 to 6 upper-case latin letters or digits, starting with a letter"
    )]
    BadPrefix(String),
    #[error("'{0}' is not a ticket number; expected PREFIX-YEAR-SEQUENCE such as ET-2026-000123")]
    BadTicketNumber(String),
}

fn is_slug(raw: &str) -> bool {
    let bytes = raw.as_bytes();
    (2..=63).contains(&bytes.len())
        && bytes[0].is_ascii_lowercase()
        && bytes[bytes.len() - 1] != b'-'
        && !raw.contains("--")
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// An organization's short URL name, e.g. `engineering-tracks`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct OrgSlug(String);

impl OrgSlug {
    pub fn parse(raw: &str) -> Result<Self, IdentifierError> {
        if is_slug(raw) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(IdentifierError::BadSlug(
                raw.to_owned(),
                "organization slug",
            ))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for OrgSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A stable code for a department or category (`technical-support`, `certificates`). Codes are
/// what integrations and policy files refer to; display names may change, codes do not.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(try_from = "String", into = "String")]
pub struct Code(String);

impl Code {
    pub fn parse(raw: &str) -> Result<Self, IdentifierError> {
        if is_slug(raw) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(IdentifierError::BadSlug(raw.to_owned(), "code"))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Code {
    type Error = IdentifierError;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Code::parse(&raw)
    }
}

impl From<Code> for String {
    fn from(code: Code) -> String {
        code.0
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The prefix of an organization's ticket numbers (`ET` in `ET-2026-000123`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct TicketPrefix(String);

impl TicketPrefix {
    pub fn parse(raw: &str) -> Result<Self, IdentifierError> {
        let bytes = raw.as_bytes();
        let valid = (2..=6).contains(&bytes.len())
            && bytes[0].is_ascii_uppercase()
            && bytes
                .iter()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(IdentifierError::BadPrefix(raw.to_owned()))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TicketPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The human tracking number of a ticket, unique within its organization: prefix, the year the
/// ticket arrived (in the organization's zone) and a sequence that restarts every year.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TicketNumber {
    prefix: TicketPrefix,
    year: i16,
    sequence: u64,
}

impl TicketNumber {
    pub fn new(prefix: TicketPrefix, year: i16, sequence: u64) -> Self {
        Self {
            prefix,
            year,
            sequence,
        }
    }

    /// Finds this organization's ticket number in free text, such as an e-mail subject
    /// `Re: [#ET-2026-000123] …`: the first token that parses as a ticket number with `prefix`.
    pub fn find_in(text: &str, prefix: &TicketPrefix) -> Option<TicketNumber> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter_map(|token| TicketNumber::parse(token).ok())
            .find(|number| number.prefix == *prefix)
    }

    /// Parses `ET-2026-000123`. Lower-case input is accepted because people read numbers out
    /// over the phone and type them back in any case.
    pub fn parse(raw: &str) -> Result<Self, IdentifierError> {
        let bad = || IdentifierError::BadTicketNumber(raw.to_owned());
        let upper = raw.trim().to_ascii_uppercase();
        let mut parts = upper.split('-');
        let (Some(prefix), Some(year), Some(sequence), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let prefix = TicketPrefix::parse(prefix).map_err(|_| bad())?;
        if year.len() != 4 || sequence.len() < 6 || sequence.len() > 12 {
            return Err(bad());
        }
        let year: i16 = year.parse().map_err(|_| bad())?;
        let sequence: u64 = sequence.parse().map_err(|_| bad())?;
        if sequence == 0 {
            return Err(bad());
        }
        Ok(Self {
            prefix,
            year,
            sequence,
        })
    }

    pub fn prefix(&self) -> &TicketPrefix {
        &self.prefix
    }
    pub fn year(&self) -> i16 {
        self.year
    }
    pub fn sequence(&self) -> u64 {
        self.sequence
    }
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}-{:06}", self.prefix, self.year, self.sequence)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ticket_numbers_are_found_in_subjects_only_with_the_right_prefix() {
        let prefix = TicketPrefix::parse("ET").unwrap();
        let cases = [
            ("Re: [#ET-2026-000123] تعذر الدخول", Some("ET-2026-000123")),
            ("رد: طلبي رقم et-2026-000045، شكرا", Some("ET-2026-000045")),
            ("Re: [#DIP-2026-000123] other provider", None),
            ("no number here", None),
            ("ET-26-1 is too short", None),
        ];
        for (text, expected) in cases {
            let found = TicketNumber::find_in(text, &prefix).map(|number| number.to_string());
            assert_eq!(found.as_deref(), expected, "{text}");
        }
    }

    use super::*;

    #[test]
    fn slugs() {
        for good in ["engineering-tracks", "et", "khit2", "a-b-c"] {
            assert!(OrgSlug::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "a", "-et", "et-", "e--t", "ET", "2et", "مسارات", "et_x"] {
            assert!(OrgSlug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ticket_numbers_round_trip() {
        let number = TicketNumber::parse("et-2026-000123").unwrap();
        assert_eq!(number.to_string(), "ET-2026-000123");
        assert_eq!(number.sequence(), 123);
        let big = TicketNumber::new(TicketPrefix::parse("TV").unwrap(), 2027, 1_234_567);
        assert_eq!(big.to_string(), "TV-2027-1234567");
        assert_eq!(TicketNumber::parse(&big.to_string()).unwrap(), big);
        for bad in [
            "ET-2026",
            "ET-26-000001",
            "ET-2026-1",
            "ET-2026-000000",
            "E-2026-000001",
            "ET-2026-000001-1",
        ] {
            assert!(TicketNumber::parse(bad).is_err(), "{bad}");
        }
    }
}
