//! Sanad's channels: every way a request arrives or a notification leaves, behind one adapter
//! shape.
//!
//! Inbound, each adapter turns what a provider hands us (a MIME message, a webhook payload, a
//! chat line) into an [`InboundEvent`]; the caller stores it (threading and idempotency are the
//! store's job, keyed by [`InboundMessage::provider_message_id`]). Outbound, the outbox worker
//! hands an [`OutboundMessage`] to the adapter of its channel through [`ChannelAdapter::send`].
//!
//! Architecture invariant: this crate holds no SQL and knows nothing of HTML pages or the
//! desk; it speaks the providers' protocols (SMTP, IMAP, LMTP, the cloud APIs' HTTP and JSON)
//! and nothing else. It never reads the clock for a decision: times come in as arguments.
#![forbid(unsafe_code)]

use futures_util::future::BoxFuture;
use jiff::Timestamp;
use sanad_domain::Channel;

/// A credential (password, access token, app secret). Its `Debug` and `Display` never show the
/// value, so a configuration can be logged without leaking what it holds.
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value itself, for the one place that must send it to the provider.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("Secret([redacted])")
    }
}

/// Who sent an inbound message, as the channel identifies them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// The channel's own address for the sender: an e-mail address (lower-cased), a phone
    /// number in E.164 form for WhatsApp and SMS, the account id for X and Facebook, the chat
    /// visitor's id for live chat.
    pub address: String,
    /// The name the channel gives, when it gives one.
    pub display_name: Option<String>,
    /// A phone number in E.164 form, when the channel reveals one (WhatsApp does).
    pub phone: Option<String>,
    /// An e-mail address, when the channel reveals one.
    pub email: Option<String>,
}

/// A file that came with an inbound message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundAttachment {
    pub filename: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// An image shown inside an HTML body (`Content-Disposition: inline` with a `Content-ID`),
    /// as opposed to a file the sender attached.
    pub inline: bool,
}

/// What an inbound message says about the conversation it belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadHints {
    /// E-mail `In-Reply-To` message ids, without angle brackets.
    pub in_reply_to: Vec<String>,
    /// E-mail `References` message ids, without angle brackets, oldest first.
    pub references: Vec<String>,
    /// A provider's conversation id (a live-chat conversation, an X DM conversation).
    pub conversation_id: Option<String>,
}

/// A message that arrived on a channel, in the one shape every adapter produces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMessage {
    pub channel: Channel,
    /// The provider's id of this message (an e-mail `Message-ID` without brackets, a WhatsApp
    /// `wamid`, a Messenger `mid`, an X DM event id). A second arrival with the same id is a
    /// duplicate and creates nothing.
    pub provider_message_id: String,
    pub sender: Sender,
    /// An e-mail subject; other channels have none and the store derives one from the body.
    pub subject: Option<String>,
    /// The readable text of the message. For HTML e-mail, the sanitized HTML converted to text.
    pub body_text: String,
    pub attachments: Vec<InboundAttachment>,
    pub thread: ThreadHints,
    /// When the provider says the message was sent, if it says.
    pub sent_at: Option<Timestamp>,
    /// For a message type the adapter does not understand (a WhatsApp sticker, a location…):
    /// the provider's type name. The message is still recorded, with a note, so an unknown type
    /// never blocks the channel.
    pub unsupported_type: Option<String>,
}

/// How far an outbound message has got, as the provider reports it (declared in the domain so
/// the store can keep the furthest state).
pub use sanad_domain::notifications::DeliveryState;

/// A provider's report on a message we sent (WhatsApp statuses, Messenger delivery and read
/// receipts). Reports can arrive twice and out of order; the store keeps the furthest state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryReport {
    pub channel: Channel,
    pub provider_message_id: String,
    pub state: DeliveryState,
    pub at: Timestamp,
    /// The provider's explanation of a failure.
    pub detail: Option<String>,
}

/// Everything an inbound adapter can produce from one provider payload.
// A message is much larger than the other variants, but events live only while one payload is
// stored, a few at a time; boxing would only complicate every match on them.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InboundEvent {
    Message(InboundMessage),
    Delivery(DeliveryReport),
    /// A bounce: mail to `recipient` cannot be delivered, so the requester's address is marked
    /// undeliverable.
    Bounce {
        recipient: String,
        reason: String,
    },
    /// Something that must not become a ticket (an auto-reply, a mailing list, our own
    /// message coming back): recorded in the log with the reason, never answered.
    Ignored {
        reason: IgnoredReason,
    },
}

/// Why an inbound message was not taken in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IgnoredReason {
    /// `Auto-Submitted` other than `no`, or the common auto-reply markers.
    AutoSubmitted,
    /// `Precedence: bulk/list/junk` or a `List-Id`/`List-Unsubscribe` header.
    BulkOrList,
    /// A message we sent ourselves, come back (our Message-ID domain, our own address).
    OwnMessage,
}

impl IgnoredReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AutoSubmitted => "auto_submitted",
            Self::BulkOrList => "bulk_or_list",
            Self::OwnMessage => "own_message",
        }
    }
}

/// The e-mail threading headers of an outbound message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundThread {
    /// This message's own `Message-ID`, without brackets. Fixed when the outbox row is written,
    /// so every retry of one notification carries the same id and a receiving server or client
    /// can recognise a repeat.
    pub message_id: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
}

/// A pre-approved template message: WhatsApp allows only these outside the 24-hour customer
/// service window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateMessage {
    pub name: String,
    /// The template's language code as registered with the provider (`ar`, `en_US`).
    pub language: String,
    /// Values for the template body's `{{1}}`, `{{2}}`… in order.
    pub parameters: Vec<String>,
}

/// Who wrote an outbound message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboundOrigin {
    /// A reply a staff member wrote on the ticket.
    StaffReply,
    /// A notification the desk generated (receipt, routing, escalation, resolution, periodic
    /// status update).
    Notification,
}

/// One notification or reply on its way out, rendered and addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundMessage {
    /// The outbox row this comes from; adapters use it for idempotency keys where the provider
    /// offers them.
    pub outbox_id: i64,
    pub channel: Channel,
    /// The channel's address of the recipient (see [`Sender::address`]).
    pub recipient: String,
    pub recipient_name: Option<String>,
    /// The language the text is written in (`Content-Language`, the HTML `lang` and `dir`).
    pub language: sanad_domain::policy::Lang,
    /// Whether a person wrote this or the desk generated it; generated mail carries
    /// `Auto-Submitted: auto-generated` (RFC 3834) so auto-responders do not answer it.
    pub origin: OutboundOrigin,
    /// E-mail only.
    pub subject: String,
    pub text: String,
    /// E-mail only: the HTML alternative.
    pub html: Option<String>,
    pub thread: OutboundThread,
    /// When the recipient last wrote to us on this channel: WhatsApp and Messenger allow free
    /// text only within 24 hours of it.
    pub last_inbound_at: Option<Timestamp>,
    /// The template to use when free text is not allowed.
    pub template: Option<TemplateMessage>,
    /// The time the attempt is made (the outbox worker's `now`).
    pub now: Timestamp,
}

/// What the provider said when it accepted a message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sent {
    /// The provider's id of the message, for matching delivery reports later.
    pub provider_message_id: Option<String>,
    /// A short human description of the attempt, shown on the ticket ("250 2.0.0 queued",
    /// "template sent: outside the 24-hour window").
    pub detail: String,
}

/// Why a delivery attempt failed, and whether trying again can help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// A failure that may pass: the server is down, a timeout, a 5xx, a rate limit. The outbox
    /// retries with exponential back-off.
    #[error("temporary failure: {0}")]
    Transient(String),
    /// A temporary failure for which the provider said how long to wait (an HTTP 429 or 503
    /// with `Retry-After`). The outbox waits at least that long, however short its own back-off
    /// would be: asking again sooner only prolongs a rate limit or a maintenance window.
    #[error("temporary failure: {detail}")]
    RetryLater { detail: String, hint: RetryHint },
    /// A failure that will not pass by itself: the recipient does not exist, the credentials
    /// are refused, the request is malformed. The outbox gives up at once.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

impl SendError {
    /// Whether trying again later can help (a transient failure, with or without the
    /// provider's own wait).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transient(_) | Self::RetryLater { .. })
    }
}

/// The longest wait a provider's `Retry-After` can impose. A longer one (a misconfigured proxy
/// answering `Retry-After: 31536000`) is cut to this, so a notification is still tried on the
/// same day and the outbox's own attempt limit decides when to give up.
pub const MAX_RETRY_AFTER: jiff::SignedDuration = jiff::SignedDuration::from_hours(6);

/// A provider's `Retry-After` (RFC 9110, section 10.2.3): a number of seconds, or an HTTP date.
/// The date is kept as an instant and the delay as a duration, so that reading the header needs
/// no clock; [`RetryHint::not_before`] resolves either against the attempt's `now`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryHint {
    After(jiff::SignedDuration),
    At(Timestamp),
}

impl RetryHint {
    /// Reads a `Retry-After` value; anything else (a negative or fractional number, an
    /// unparsable date) is no hint at all, and the outbox's back-off applies alone.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()) {
            let seconds = value.parse::<i64>().unwrap_or(i64::MAX);
            let capped = seconds.min(MAX_RETRY_AFTER.as_secs());
            return Some(Self::After(jiff::SignedDuration::from_secs(capped)));
        }
        jiff::fmt::rfc2822::parse(value)
            .ok()
            .map(|zoned| Self::At(zoned.timestamp()))
    }

    /// The earliest instant to try again, for an attempt made at `now`: never before `now`,
    /// never later than [`MAX_RETRY_AFTER`] after it.
    pub fn not_before(self, now: Timestamp) -> Timestamp {
        let latest = now.saturating_add(MAX_RETRY_AFTER).unwrap_or(now);
        let wanted = match self {
            Self::After(delay) => now.saturating_add(delay).unwrap_or(latest),
            Self::At(instant) => instant,
        };
        wanted.clamp(now, latest)
    }
}

/// The one shape of an outbound channel.
pub trait ChannelAdapter: Send + Sync {
    fn channel(&self) -> Channel;

    /// Sends one message. Implementations must not retry on their own: retries, back-off and
    /// their record belong to the outbox.
    fn send<'a>(&'a self, message: &'a OutboundMessage) -> BoxFuture<'a, Result<Sent, SendError>>;
}

/// Why an inbound webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The signature header is missing or does not match the body (HTTP 401).
    #[error("the request signature is missing or wrong")]
    BadSignature,
    /// A verification handshake with the wrong token (HTTP 403).
    #[error("the verification token does not match")]
    BadVerifyToken,
    /// The body is not the provider's documented shape (HTTP 400). The text names the field.
    #[error("malformed payload: {0}")]
    Malformed(String),
}

pub mod digest;
pub mod email;
pub mod ingest;
pub mod mailbox;
pub mod messenger;
pub mod notify;
pub mod outbox;
pub mod registry;
pub mod signature;
pub mod sms;
pub mod whatsapp;
pub mod x;
