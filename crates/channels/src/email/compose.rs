//! Turning an [`OutboundMessage`] into a MIME message ready for SMTP.
//!
//! The message carries the threading headers the outbox fixed when it wrote the row, so every
//! retry of one notification is the same message to the receiving side, and the markers that
//! let our own inbound side and other people's auto-responders recognise it: `X-Sanad-Outbox`
//! always, `Auto-Submitted: auto-generated` (RFC 3834) on generated notifications.

use std::time::SystemTime;

use jiff::Timestamp;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use sanad_domain::Channel;

use crate::{OutboundMessage, OutboundOrigin};

/// Who our mail comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailIdentity {
    pub from_address: String,
    /// The display name, e.g. the desk's name; may be Arabic. Empty for none.
    pub from_name: String,
}

/// Why a message could not be composed. Every variant names the field at fault, so the outbox
/// can record a failure a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    /// A field's value cannot go into a mail header (`field` is the header or message field:
    /// "From", "To", "Message-ID", "Date", "channel").
    #[error("invalid {field}: {reason}")]
    InvalidField { field: &'static str, reason: String },
    /// lettre refused to build the message (it should not, once the fields are checked).
    #[error("the message could not be built: {0}")]
    Build(String),
}

/// Builds the MIME message for one outbound e-mail.
///
/// `In-Reply-To` and `References` ids that cannot be written as a message id (empty, with
/// spaces, brackets or non-ASCII characters) are left out rather than failing the message: a
/// reply that threads badly is better than no reply. The message's own `Message-ID` is ours and
/// must be valid.
pub fn compose(
    message: &OutboundMessage,
    identity: &MailIdentity,
) -> Result<lettre::Message, ComposeError> {
    if message.channel != Channel::Email {
        return Err(ComposeError::InvalidField {
            field: "channel",
            reason: format!("{} is not e-mail", message.channel.as_str()),
        });
    }

    let from = mailbox("From", &identity.from_address, Some(&identity.from_name))?;
    let to = mailbox("To", &message.recipient, message.recipient_name.as_deref())?;

    let own_id = message.thread.message_id.trim();
    if !is_valid_message_id(own_id) {
        return Err(ComposeError::InvalidField {
            field: "Message-ID",
            reason: format!("{own_id:?} is not a message id (id-left@id-right, ASCII, no spaces)"),
        });
    }

    let date = system_time(message.now)?;

    let mut builder = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(single_line(&message.subject))
        .message_id(Some(format!("<{own_id}>")))
        .date(date)
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Content-Language"),
            message.language.as_str().to_owned(),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("X-Sanad-Outbox"),
            message.outbox_id.to_string(),
        ));

    if let Some(in_reply_to) = message
        .thread
        .in_reply_to
        .as_deref()
        .map(str::trim)
        .filter(|id| is_usable_thread_id(id))
    {
        builder = builder.in_reply_to(format!("<{in_reply_to}>"));
    }

    let references: Vec<String> = message
        .thread
        .references
        .iter()
        .map(|id| id.trim())
        .filter(|id| is_usable_thread_id(id))
        .map(|id| format!("<{id}>"))
        .collect();
    if !references.is_empty() {
        builder = builder.references(references.join(" "));
    }

    if message.origin == OutboundOrigin::Notification {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("Auto-Submitted"),
            "auto-generated".to_owned(),
        ));
    }

    let built = match &message.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            message.text.clone(),
            html.clone(),
        )),
        None => builder.singlepart(SinglePart::plain(message.text.clone())),
    };
    built.map_err(|error| ComposeError::Build(error.to_string()))
}

/// A mailbox for `field`, with the display name when there is one. Control characters are
/// removed from the name: lettre would encode them safely, but a name spread over lines is never
/// what was meant.
fn mailbox(
    field: &'static str,
    address: &str,
    name: Option<&str>,
) -> Result<Mailbox, ComposeError> {
    let address = address.trim();
    let parsed =
        address
            .parse::<lettre::Address>()
            .map_err(|error| ComposeError::InvalidField {
                field,
                reason: format!("{address:?} is not an e-mail address: {error}"),
            })?;
    let name = name.map(single_line).filter(|name| !name.is_empty());
    Ok(Mailbox::new(name, parsed))
}

/// Header text on one line: control characters become spaces and runs of whitespace one space.
fn single_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `id-left@id-right` in printable ASCII, without brackets or spaces (RFC 5322 section 3.6.4,
/// without the obsolete forms).
fn is_valid_message_id(id: &str) -> bool {
    is_usable_thread_id(id)
        && id.split_once('@').is_some_and(|(left, right)| {
            !left.is_empty() && !right.is_empty() && !right.contains('@')
        })
}

/// An id we can put between angle brackets: printable ASCII without brackets or spaces. Other
/// clients' ids are not held to the `@` form, since old clients write ids without it and
/// threading on them still works.
fn is_usable_thread_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|byte| byte.is_ascii_graphic() && byte != b'<' && byte != b'>')
}

/// The `Date` header's time. lettre's date formatting panics before 1970, so such a time is an
/// error here instead.
fn system_time(now: Timestamp) -> Result<SystemTime, ComposeError> {
    if now < Timestamp::UNIX_EPOCH {
        return Err(ComposeError::InvalidField {
            field: "Date",
            reason: format!("{now} is before 1970 and cannot be written in a Date header"),
        });
    }
    Ok(SystemTime::from(now))
}
