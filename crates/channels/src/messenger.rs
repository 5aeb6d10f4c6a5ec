//! Facebook Messenger through Meta's Messenger Platform: webhook verification and parsing
//! inbound, the Send API outbound.
//!
//! # Inbound
//!
//! The verification handshake and the `X-Hub-Signature-256` signature are Meta's, the same as
//! for WhatsApp ([`MessengerSettings::verify_subscription`],
//! [`MessengerSettings::verify_signature`]). The Page's webhook must subscribe to the fields
//! `messages`, `messaging_postbacks`, `message_deliveries`, `message_reads` and
//! `message_echoes`.
//!
//! A payload is `{"object":"page","entry":[{"id":PAGE_ID,"messaging":[...]}]}`, each
//! `messaging` item one event:
//!
//! - `message`: a message from a person, keyed by its `mid`; text and attachments (noted in
//!   the body with their type and URL, which Meta's CDN serves for a while). A message with
//!   `is_echo` is one our Page sent, come back, and is [`IgnoredReason::OwnMessage`].
//! - `postback`: a tap on a button we sent; the button's title becomes the body. Older
//!   postbacks carry no `mid`, so their id is made from the sender and the timestamp, which
//!   stays the same when Meta delivers the payload again.
//! - `delivery`: one [`DeliveryReport`] per `mid` listed, at the `watermark`.
//! - `read`: only a `watermark` ("everything sent to this person up to here was read"), with
//!   no message id. [`InboundEvent`] has no shape for that, so [`parse_webhook`] leaves it out
//!   and [`parse_webhook_with_watermarks`] returns it as a [`MessengerWatermark`]; a
//!   `delivery` without `mids` (older Messenger clients) is returned the same way.
//!
//! Other events (reactions, referrals, opt-ins, hand-overs, edits) are not messages and are
//! skipped. The Page's webhook carries no names: the sender's display name stays empty (the
//! User Profile API could fill it, at the cost of a call per new person).
//!
//! # Outbound
//!
//! `POST {base_url}/{page_id}/messages` with the Page access token as a bearer token (not in
//! the query string, where proxies log it), `{"recipient":{"id":PSID},"messaging_type":
//! "RESPONSE","message":{"text":...}}`.
//!
//! Outside the 24-hour standard messaging window, Meta's policy allows only messages with a
//! message tag, each for a narrow purpose (Messenger Platform documentation, "Message Tags",
//! and the Messenger Platform Policy). Our choice:
//!
//! - A reply a staff member wrote goes out with the `HUMAN_AGENT` tag, which exists exactly for
//!   a human agent answering a person's inquiry within 7 days of their last message, when the
//!   organization says its app has the Human Agent permission from App Review
//!   ([`MessengerSettings::human_agent_tag_approved`]). Without that permission Meta refuses
//!   the tag.
//! - A notification the desk generated (receipt, routing, escalation, resolution, periodic
//!   status update) fails permanently. `ACCOUNT_UPDATE` covers only a non-recurring change to
//!   a person's application or account and excludes recurring content; periodic status
//!   updates are recurring and the others are not account changes, and a Page that misuses
//!   tags can lose the right to send messages. Such a requester is better served by another
//!   channel (the desk can fall back to e-mail or SMS).

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::signature::{
    CUSTOMER_SERVICE_WINDOW, CloudAdapter, GraphProvider, child_path, default_graph_base_url,
    index_path, malformed, optional_array, optional_str, parse_json_object, required_array,
    required_object, required_str, required_unix_milliseconds, verify_meta_subscription,
    verify_sha256_hex_signature, within_window,
};
use crate::{
    DeliveryReport, DeliveryState, IgnoredReason, InboundEvent, InboundMessage, OutboundMessage,
    OutboundOrigin, Secret, SendError, Sender, ThreadHints, WebhookError,
};
use sanad_domain::Channel;

const PROVIDER_NAME: &str = "Messenger Send API";

/// How long after a person's last message a human agent may still answer with the
/// `HUMAN_AGENT` tag.
const HUMAN_AGENT_WINDOW: SignedDuration = SignedDuration::from_hours(7 * 24);

/// Attachment types that are the content of the message; a message made only of other kinds
/// (shared links, templates, stories) is recorded as unsupported.
const DISPLAYED_ATTACHMENT_TYPES: &[&str] = &["image", "video", "audio", "file", "sticker"];

/// One organization's Facebook Page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessengerSettings {
    /// The Graph API root, version included.
    #[serde(default = "default_graph_base_url")]
    pub base_url: String,
    pub page_id: String,
    /// A Page access token with `pages_messaging`.
    pub page_access_token: Secret,
    /// The Meta app's secret, which signs every webhook request.
    pub app_secret: Secret,
    /// The token typed into the webhook configuration, echoed by Meta's verification request.
    pub verify_token: Secret,
    /// Whether the app has been granted the Human Agent permission, which allows staff replies
    /// up to 7 days after the person's last message.
    #[serde(default)]
    pub human_agent_tag_approved: bool,
}

impl MessengerSettings {
    /// Answers Meta's verification `GET`: the `hub.challenge` to echo, when the token matches.
    pub fn verify_subscription(
        &self,
        query: &HashMap<String, String>,
    ) -> Result<String, WebhookError> {
        verify_meta_subscription(query, &self.verify_token)
    }

    /// Checks `X-Hub-Signature-256` over the raw request body, in constant time.
    pub fn verify_signature(&self, body: &[u8], header: Option<&str>) -> Result<(), WebhookError> {
        verify_sha256_hex_signature(&self.app_secret, body, header)
    }
}

/// A receipt that covers every message sent to one person up to a time, without naming them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessengerWatermark {
    /// The person's Page-scoped id, the recipient of the messages covered.
    pub psid: String,
    pub state: DeliveryState,
    /// Every message sent to `psid` at or before this time has reached `state`.
    pub up_to: Timestamp,
}

/// Everything one Messenger payload says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MessengerWebhook {
    pub events: Vec<InboundEvent>,
    pub watermarks: Vec<MessengerWatermark>,
}

/// Turns a (signature-checked) webhook body into events, leaving out receipts that carry only
/// a watermark. Never panics; a body that is not the documented shape is
/// [`WebhookError::Malformed`] naming the field (`entry[0].messaging[2].message.mid`).
pub fn parse_webhook(body: &[u8]) -> Result<Vec<InboundEvent>, WebhookError> {
    Ok(parse_webhook_with_watermarks(body)?.events)
}

/// [`parse_webhook`], plus the read and delivery watermarks that name no message.
pub fn parse_webhook_with_watermarks(body: &[u8]) -> Result<MessengerWebhook, WebhookError> {
    let payload = parse_json_object(body)?;
    if payload.get("object").and_then(Value::as_str) != Some("page") {
        return Err(malformed("object"));
    }
    let mut webhook = MessengerWebhook::default();
    for (entry_index, entry) in required_array(&payload, "entry", "")?.iter().enumerate() {
        let entry_path = index_path("entry", entry_index);
        if !entry.is_object() {
            return Err(malformed(entry_path));
        }
        let messaging_path = child_path(&entry_path, "messaging");
        // An entry without `messaging` is a Page feed change, which this adapter does not take.
        for (event_index, event) in optional_array(entry, "messaging", &entry_path)?
            .iter()
            .enumerate()
        {
            let event_path = index_path(&messaging_path, event_index);
            parse_messaging_event(event, &event_path, &mut webhook)?;
        }
    }
    Ok(webhook)
}

fn parse_messaging_event(
    event: &Value,
    path: &str,
    webhook: &mut MessengerWebhook,
) -> Result<(), WebhookError> {
    let sender_path = child_path(path, "sender");
    let sender_id = required_str(required_object(event, "sender", path)?, "id", &sender_path)?;
    if let Some(message) = event.get("message") {
        let message_path = child_path(path, "message");
        if !message.is_object() {
            return Err(malformed(message_path));
        }
        if message.get("is_echo").and_then(Value::as_bool) == Some(true) {
            webhook.events.push(InboundEvent::Ignored {
                reason: IgnoredReason::OwnMessage,
            });
            return Ok(());
        }
        let sent_at = required_unix_milliseconds(event, "timestamp", path)?;
        let parsed = parse_message(message, sender_id, sent_at, &message_path)?;
        webhook.events.push(InboundEvent::Message(parsed));
    } else if let Some(postback) = event.get("postback") {
        let postback_path = child_path(path, "postback");
        if !postback.is_object() {
            return Err(malformed(postback_path));
        }
        let sent_at = required_unix_milliseconds(event, "timestamp", path)?;
        let provider_message_id = match optional_str(postback, "mid") {
            Some(mid) => mid.to_owned(),
            None => format!("postback:{sender_id}:{}", sent_at.as_millisecond()),
        };
        let body_text = optional_str(postback, "title")
            .or_else(|| optional_str(postback, "payload"))
            .ok_or_else(|| malformed(child_path(&postback_path, "title")))?
            .to_owned();
        webhook.events.push(InboundEvent::Message(InboundMessage {
            channel: Channel::Facebook,
            provider_message_id,
            sender: person(sender_id),
            subject: None,
            body_text,
            attachments: Vec::new(),
            thread: ThreadHints::default(),
            sent_at: Some(sent_at),
            unsupported_type: None,
        }));
    } else if let Some(delivery) = event.get("delivery") {
        let delivery_path = child_path(path, "delivery");
        if !delivery.is_object() {
            return Err(malformed(delivery_path));
        }
        let watermark = required_unix_milliseconds(delivery, "watermark", &delivery_path)?;
        let mids_path = child_path(&delivery_path, "mids");
        let mids = optional_array(delivery, "mids", &delivery_path)?;
        if mids.is_empty() {
            webhook.watermarks.push(MessengerWatermark {
                psid: sender_id.to_owned(),
                state: DeliveryState::Delivered,
                up_to: watermark,
            });
        }
        for (mid_index, mid) in mids.iter().enumerate() {
            let mid = mid
                .as_str()
                .filter(|mid| !mid.is_empty())
                .ok_or_else(|| malformed(index_path(&mids_path, mid_index)))?;
            webhook.events.push(InboundEvent::Delivery(DeliveryReport {
                channel: Channel::Facebook,
                provider_message_id: mid.to_owned(),
                state: DeliveryState::Delivered,
                at: watermark,
                detail: None,
            }));
        }
    } else if let Some(read) = event.get("read") {
        let read_path = child_path(path, "read");
        if !read.is_object() {
            return Err(malformed(read_path));
        }
        let watermark = required_unix_milliseconds(read, "watermark", &read_path)?;
        webhook.watermarks.push(MessengerWatermark {
            psid: sender_id.to_owned(),
            state: DeliveryState::Read,
            up_to: watermark,
        });
    }
    Ok(())
}

fn person(psid: &str) -> Sender {
    Sender {
        address: psid.to_owned(),
        display_name: None,
        phone: None,
        email: None,
    }
}

fn parse_message(
    message: &Value,
    sender_id: &str,
    sent_at: Timestamp,
    path: &str,
) -> Result<InboundMessage, WebhookError> {
    let provider_message_id = required_str(message, "mid", path)?;
    let text = optional_str(message, "text");
    let attachments_path = child_path(path, "attachments");
    let attachments = optional_array(message, "attachments", path)?;
    let mut notes = Vec::with_capacity(attachments.len());
    let mut first_attachment_type = None;
    let mut has_displayed_attachment = false;
    for (attachment_index, attachment) in attachments.iter().enumerate() {
        let attachment_path = index_path(&attachments_path, attachment_index);
        let attachment_type = required_str(attachment, "type", &attachment_path)?;
        first_attachment_type.get_or_insert(attachment_type);
        has_displayed_attachment |= DISPLAYED_ATTACHMENT_TYPES.contains(&attachment_type);
        let url = attachment
            .get("payload")
            .and_then(|payload| optional_str(payload, "url"));
        notes.push(match url {
            Some(url) => format!("[Messenger {attachment_type}: {url}]"),
            None => format!("[Messenger {attachment_type}]"),
        });
    }
    let unsupported_type = match (text, has_displayed_attachment) {
        (Some(_), _) | (None, true) => None,
        (None, false) => Some(first_attachment_type.unwrap_or("empty").to_owned()),
    };
    let mut body_parts: Vec<&str> = text.into_iter().collect();
    body_parts.extend(notes.iter().map(String::as_str));
    let body_text = if body_parts.is_empty() {
        "[Messenger message without text or attachments]".to_owned()
    } else {
        body_parts.join("\n\n")
    };
    Ok(InboundMessage {
        channel: Channel::Facebook,
        provider_message_id: provider_message_id.to_owned(),
        sender: person(sender_id),
        subject: None,
        body_text,
        attachments: Vec::new(),
        thread: ThreadHints::default(),
        sent_at: Some(sent_at),
        unsupported_type,
    })
}

/// Sends Messenger messages for one organization's Page.
pub type MessengerAdapter = CloudAdapter<MessengerSettings>;

impl GraphProvider for MessengerSettings {
    const CHANNEL: Channel = Channel::Facebook;
    const PROVIDER_NAME: &'static str = PROVIDER_NAME;
    const MESSAGE_ID_POINTER: &'static str = "/message_id";

    fn graph_node(&self) -> (&str, &str, &Secret) {
        (&self.base_url, &self.page_id, &self.page_access_token)
    }

    fn request_body(&self, message: &OutboundMessage) -> Result<(Value, String), SendError> {
        let psid = message.recipient.trim();
        if psid.is_empty() || !psid.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(SendError::Permanent(format!(
                "“{}” is not a Messenger Page-scoped id",
                message.recipient
            )));
        }
        if within_window(
            message.last_inbound_at,
            message.now,
            CUSTOMER_SERVICE_WINDOW,
        ) {
            let body = json!({
                "recipient": { "id": psid },
                "messaging_type": "RESPONSE",
                "message": { "text": message.text },
            });
            return Ok((body, "Messenger message accepted".to_owned()));
        }
        let human_agent_allowed = self.human_agent_tag_approved
            && message.origin == OutboundOrigin::StaffReply
            && within_window(message.last_inbound_at, message.now, HUMAN_AGENT_WINDOW);
        if human_agent_allowed {
            let body = json!({
                "recipient": { "id": psid },
                "messaging_type": "MESSAGE_TAG",
                "tag": "HUMAN_AGENT",
                "message": { "text": message.text },
            });
            return Ok((
                body,
                "Messenger message accepted with the HUMAN_AGENT tag: outside the 24-hour window"
                    .to_owned(),
            ));
        }
        Err(SendError::Permanent(
            "Messenger allows no message more than 24 hours after the person's last message, \
             except a staff reply within 7 days when the Human Agent permission is granted"
                .to_owned(),
        ))
    }
}
