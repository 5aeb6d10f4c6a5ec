//! The people around a ticket: requesters and staff, and how they are reached.

use thiserror::Error;

string_enum! {
    /// Who is asking. The seeds name trainers, trainees and supervisors from government bodies
    /// (TVTC, the National eLearning Center) as the beneficiaries of the service.
    pub enum RequesterType: "requester type" {
        Trainee => "trainee",
        Trainer => "trainer",
        Supervisor => "supervisor",
        Other => "other",
    }
}

string_enum! {
    /// Staff roles, following the seeds' levels: the level-1 call centre, level-2 specialists,
    /// team leads, department directors, the executive, administrators, and supervisors from a
    /// regulator who may only read.
    pub enum StaffRole: "staff role" {
        Agent => "agent",
        Specialist => "specialist",
        TeamLead => "team_lead",
        Director => "director",
        Executive => "executive",
        Admin => "admin",
        Supervisor => "supervisor",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ContactError {
    #[error("'{0}' is not an e-mail address")]
    BadEmail(String),
    #[error(
        "'{0}' is not a phone number; give it with its country code, e.g. +966500000101, or as a Saudi mobile 05XXXXXXXX"
    )]
    BadPhone(String),
    #[error("a name must contain 1 to 200 characters and no control characters")]
    BadName,
}

/// An e-mail address, trimmed and with its domain in lower case, so that one person is one
/// address however they typed it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, ContactError> {
        let bad = || ContactError::BadEmail(raw.to_owned());
        let trimmed = raw.trim();
        let (local, domain) = trimmed.rsplit_once('@').ok_or_else(bad)?;
        let valid = !local.is_empty()
            && local.len() <= 64
            && domain.len() <= 253
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !trimmed
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '>')
            && !local.contains('@')
            && domain
                .chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '.');
        if !valid {
            return Err(bad());
        }
        Ok(Self(format!("{local}@{}", domain.to_lowercase())))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A phone number in E.164 form (`+966500000101`). Requesters write numbers in many ways —
/// Arabic-Indic digits, a leading 00, a local 05 mobile — and a WhatsApp message must match the
/// same requester as a phone call, so every form is folded into one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, ContactError> {
        let bad = || ContactError::BadPhone(raw.to_owned());
        let mut digits = String::new();
        let mut plus = false;
        for (index, c) in raw.trim().chars().enumerate() {
            match c {
                '+' if index == 0 => plus = true,
                ' ' | '-' | '(' | ')' | '.' | '\u{200e}' | '\u{200f}' => {}
                _ => digits.push(fold_digit(c).ok_or_else(bad)?),
            }
        }
        let international = if plus {
            digits
        } else if let Some(rest) = digits.strip_prefix("00") {
            rest.to_owned()
        } else if digits.len() == 10 && digits.starts_with("05") {
            format!("966{}", &digits[1..])
        } else if digits.len() == 9 && digits.starts_with('5') {
            format!("966{digits}")
        } else {
            digits
        };
        if !(8..=15).contains(&international.len()) || international.starts_with('0') {
            return Err(bad());
        }
        Ok(Self(format!("+{international}")))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Folds ASCII, Arabic-Indic (٠–٩) and Persian (۰–۹) digits to ASCII.
pub fn fold_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '\u{0660}'..='\u{0669}' => char::from_digit(c as u32 - 0x0660, 10),
        '\u{06F0}'..='\u{06F9}' => char::from_digit(c as u32 - 0x06F0, 10),
        _ => None,
    }
}

impl std::fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A person's display name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(transparent)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(raw: &str) -> Result<Self, ContactError> {
        let trimmed = raw.trim();
        let length = trimmed.chars().count();
        if length == 0 || length > 200 || trimmed.chars().any(char::is_control) {
            return Err(ContactError::BadName);
        }
        Ok(Self(trimmed.to_owned()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_fold_to_e164() {
        let cases = [
            ("+966 50 000 0101", "+966500000101"),
            ("0500000101", "+966500000101"),
            ("00966500000101", "+966500000101"),
            ("٠٥٠٠٠٠٠١٠١", "+966500000101"),
            ("۰۵۰۰۰۰۰۱۰۱", "+966500000101"),
            ("500000101", "+966500000101"),
            ("+44 20 7946 0000", "+442079460000"),
        ];
        for (raw, expected) in cases {
            assert_eq!(PhoneNumber::parse(raw).unwrap().as_str(), expected, "{raw}");
        }
        for bad in ["", "12", "+966abc", "05-00", "++966500000101"] {
            assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails() {
        assert_eq!(
            EmailAddress::parse(" Noura@Example.SA ").unwrap().as_str(),
            "Noura@example.sa"
        );
        for bad in [
            "",
            "noura",
            "noura@",
            "@example.sa",
            "noura@example",
            "a b@example.sa",
            "n@ex..sa",
        ] {
            assert!(EmailAddress::parse(bad).is_err(), "{bad}");
        }
    }
}
