//! Free text that people type: subjects, message bodies, reasons. Each is parsed once at the
//! edge into a type that cannot hold an invalid value.

use thiserror::Error;

string_enum! {
    /// What a message on a ticket is: the requester's own words, a reply the requester sees,
    /// or a note only staff see.
    pub enum MessageKind: "message kind" {
        RequesterMessage => "requester_message",
        PublicReply => "public_reply",
        InternalNote => "internal_note",
    }
}

impl MessageKind {
    pub fn is_visible_to_requester(self) -> bool {
        !matches!(self, MessageKind::InternalNote)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    #[error("{field} must not be empty")]
    Empty { field: &'static str },
    #[error("{field} is {length} characters long; at most {max} are allowed")]
    TooLong {
        field: &'static str,
        length: usize,
        max: usize,
    },
    #[error("{field} contains a control character")]
    ControlCharacter { field: &'static str },
}

/// `raw` trimmed, if it is not empty, at most `max` characters long and free of control
/// characters (but for line breaks and tabs where `allow_newlines`).
pub(crate) fn parse_text(
    field: &'static str,
    raw: &str,
    max: usize,
    allow_newlines: bool,
) -> Result<String, TextError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(TextError::Empty { field });
    }
    let length = trimmed.chars().count();
    if length > max {
        return Err(TextError::TooLong { field, length, max });
    }
    let forbidden =
        |c: char| c.is_control() && !(allow_newlines && matches!(c, '\n' | '\r' | '\t'));
    if trimmed.chars().any(forbidden) {
        return Err(TextError::ControlCharacter { field });
    }
    Ok(trimmed.to_owned())
}

macro_rules! text_type {
    ($(#[$meta:meta])* $name:ident, $field:literal, $max:expr, $newlines:expr) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub const MAX_CHARS: usize = $max;

            pub fn parse(raw: &str) -> Result<Self, TextError> {
                parse_text($field, raw, $max, $newlines).map(Self)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_inner(self) -> String {
                self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_type!(
    /// A ticket's one-line subject.
    Subject, "subject", 300, false
);
text_type!(
    /// The text of a message on a ticket. Large enough for a pasted e-mail thread.
    MessageBody, "body", 100_000, true
);
text_type!(
    /// Why a ticket was cancelled for a conduct violation (seed 004). Required, because the
    /// requester is told and the decision must be defensible to a supervisor.
    ConductReason, "reason", 2_000, true
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_trimmed_and_bounded() {
        assert_eq!(
            Subject::parse("  تعذر الدخول  ").unwrap().as_str(),
            "تعذر الدخول"
        );
        assert_eq!(
            Subject::parse("   "),
            Err(TextError::Empty { field: "subject" })
        );
        let long = "ا".repeat(301);
        assert_eq!(
            Subject::parse(&long),
            Err(TextError::TooLong {
                field: "subject",
                length: 301,
                max: 300
            })
        );
        assert_eq!(
            Subject::parse("line\nbreak"),
            Err(TextError::ControlCharacter { field: "subject" })
        );
    }

    #[test]
    fn bodies_keep_line_breaks() {
        assert_eq!(MessageBody::parse("a\nb").unwrap().as_str(), "a\nb");
        assert!(MessageBody::parse("a\u{0}b").is_err());
    }
}
