//! X (formerly Twitter) direct messages: the Account Activity API webhook inbound, the v2
//! direct message endpoint outbound.
//!
//! # Inbound
//!
//! X checks the webhook with a challenge-response check (CRC): a `GET ?crc_token=…` that must
//! be answered `{"response_token":"sha256=<base64 HMAC-SHA256(consumer secret, crc_token)>"}`
//! ([`XSettings::crc_response`]); X repeats it regularly, and a webhook that stops answering
//! is disabled. Every event `POST` carries `x-twitter-webhooks-signature: sha256=<base64
//! HMAC-SHA256(consumer secret, raw body)>` ([`XSettings::verify_signature`]).
//!
//! The payload names the subscribed account (`for_user_id`) and carries
//! `direct_message_events` of type `message_create`, with the `users` involved. Direct messages
//! our own account sent (the sender is `for_user_id`) come back the same way and are
//! [`IgnoredReason::OwnMessage`]. Payloads of other activities (posts, likes, follows, typing
//! indicators, read receipts) carry no direct message and give no events. The event `id` is
//! the message's id; X gives the same id when it delivers an event again.
//!
//! # Outbound
//!
//! `POST {base_url}/2/dm_conversations/with/{participant_id}/messages` with an OAuth 2.0 user
//! access token of the organization's account (scopes `dm.write`, `dm.read`, `users.read`,
//! `tweet.read`) and `{"text": …}`; the answer's `data.dm_event_id` identifies the message.
//! X has no customer-service window, but a person who does not accept messages from the
//! account makes X refuse with 403, which is permanent. Refreshing the user token is the
//! caller's job: an expired token is a 401, reported as permanent so that staff are told.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::signature::{
    CloudAdapter, CloudProvider, ProviderReply, child_path, index_path, join_url, malformed,
    optional_array, optional_str, parse_json_object, required_object, required_str,
    required_unix_milliseconds, send_accepted, sha256_base64_signature_header, shorten_detail,
    verify_sha256_base64_signature,
};
use crate::{
    IgnoredReason, InboundEvent, InboundMessage, OutboundMessage, Secret, SendError, Sender, Sent,
    ThreadHints, WebhookError,
};
use sanad_domain::Channel;

const PROVIDER_NAME: &str = "X API";

fn default_x_base_url() -> String {
    "https://api.x.com".to_owned()
}

/// One organization's X account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct XSettings {
    /// The API root, without version.
    #[serde(default = "default_x_base_url")]
    pub base_url: String,
    /// The numeric id of the organization's account (the webhook's `for_user_id`).
    pub account_user_id: String,
    /// The app's consumer secret (API key secret), which signs the webhook and its CRC.
    pub consumer_secret: Secret,
    /// An OAuth 2.0 user access token of the organization's account.
    pub user_access_token: Secret,
}

impl XSettings {
    /// `sha256=<base64 HMAC-SHA256(consumer secret, crc_token)>`.
    pub fn crc_response_token(&self, crc_token: &str) -> String {
        sha256_base64_signature_header(
            self.consumer_secret.expose().as_bytes(),
            crc_token.as_bytes(),
        )
    }

    /// Answers X's CRC `GET`: the JSON body `{"response_token":"sha256=…"}` to return with
    /// status 200. A request without `crc_token` is [`WebhookError::Malformed`]; with no
    /// consumer secret configured the answer would be worthless and is
    /// [`WebhookError::BadSignature`].
    pub fn crc_response(&self, query: &HashMap<String, String>) -> Result<String, WebhookError> {
        let crc_token = query
            .get("crc_token")
            .filter(|token| !token.is_empty())
            .ok_or_else(|| malformed("crc_token"))?;
        if self.consumer_secret.is_empty() {
            return Err(WebhookError::BadSignature);
        }
        Ok(json!({ "response_token": self.crc_response_token(crc_token) }).to_string())
    }

    /// Checks `x-twitter-webhooks-signature` over the raw request body, in constant time.
    pub fn verify_signature(&self, body: &[u8], header: Option<&str>) -> Result<(), WebhookError> {
        verify_sha256_base64_signature(&self.consumer_secret, body, header)
    }
}

/// Turns a (signature-checked) Account Activity payload into events. Never panics; a body
/// that is not the documented shape is [`WebhookError::Malformed`] naming the field
/// (`direct_message_events[0].message_create.sender_id`).
pub fn parse_webhook(body: &[u8]) -> Result<Vec<InboundEvent>, WebhookError> {
    let payload = parse_json_object(body)?;
    let own_account_id = required_str(&payload, "for_user_id", "")?;
    let users = payload.get("users");
    let mut events = Vec::new();
    for (event_index, event) in optional_array(&payload, "direct_message_events", "")?
        .iter()
        .enumerate()
    {
        let event_path = index_path("direct_message_events", event_index);
        if required_str(event, "type", &event_path)? != "message_create" {
            continue;
        }
        let provider_message_id = required_str(event, "id", &event_path)?;
        let sent_at = required_unix_milliseconds(event, "created_timestamp", &event_path)?;
        let create_path = child_path(&event_path, "message_create");
        let message_create = required_object(event, "message_create", &event_path)?;
        let sender_id = required_str(message_create, "sender_id", &create_path)?;
        if sender_id == own_account_id {
            events.push(InboundEvent::Ignored {
                reason: IgnoredReason::OwnMessage,
            });
            continue;
        }
        let data_path = child_path(&create_path, "message_data");
        let message_data = required_object(message_create, "message_data", &create_path)?;
        if message_data
            .get("text")
            .is_some_and(|text| !text.is_string())
        {
            return Err(malformed(child_path(&data_path, "text")));
        }
        let text = optional_str(message_data, "text");
        let media_note = message_data
            .get("attachment")
            .and_then(|attachment| attachment.get("media"))
            .map(describe_media);
        let (body_text, unsupported_type) = match (text, media_note) {
            (Some(text), Some(note)) => (format!("{text}\n\n{note}"), None),
            (Some(text), None) => (text.to_owned(), None),
            (None, Some(note)) => (note, None),
            (None, None) => (
                "[X direct message without text]".to_owned(),
                Some("empty".to_owned()),
            ),
        };
        let recipient_id = message_create
            .get("target")
            .and_then(|target| optional_str(target, "recipient_id"));
        let display_name = users
            .and_then(|users| users.get(sender_id))
            .and_then(|user| optional_str(user, "name"))
            .map(str::to_owned);
        events.push(InboundEvent::Message(InboundMessage {
            channel: Channel::X,
            provider_message_id: provider_message_id.to_owned(),
            sender: Sender {
                address: sender_id.to_owned(),
                display_name,
                phone: None,
                email: None,
            },
            subject: None,
            body_text,
            attachments: Vec::new(),
            thread: ThreadHints {
                conversation_id: recipient_id
                    .map(|recipient_id| one_to_one_conversation_id(sender_id, recipient_id)),
                ..ThreadHints::default()
            },
            sent_at: Some(sent_at),
            unsupported_type,
        }));
    }
    Ok(events)
}

fn describe_media(media: &Value) -> String {
    let kind = optional_str(media, "type").unwrap_or("media");
    match optional_str(media, "media_url_https").or_else(|| optional_str(media, "media_url")) {
        Some(url) => format!("[X {kind}: {url}]"),
        None => format!("[X {kind}]"),
    }
}

/// The v2 API's id of a one-to-one conversation: both account ids, the smaller first, joined
/// by a hyphen. Ids are decimal numbers, so comparing length then text compares them as
/// numbers without a parse that could overflow.
fn one_to_one_conversation_id(first_id: &str, second_id: &str) -> String {
    let first_is_smaller = (first_id.len(), first_id) <= (second_id.len(), second_id);
    if first_is_smaller {
        format!("{first_id}-{second_id}")
    } else {
        format!("{second_id}-{first_id}")
    }
}

/// Sends X direct messages from one organization's account.
pub type XAdapter = CloudAdapter<XSettings>;

impl CloudProvider for XSettings {
    const CHANNEL: Channel = Channel::X;

    async fn send_message(
        adapter: &XAdapter,
        message: &OutboundMessage,
    ) -> Result<Sent, SendError> {
        let participant_id = message.recipient.trim();
        // The id goes into the URL path, so anything but digits is refused rather than escaped.
        if participant_id.is_empty() || !participant_id.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(SendError::Permanent(format!(
                "“{}” is not an X account id",
                message.recipient
            )));
        }
        let settings = adapter.settings();
        let url = join_url(
            &settings.base_url,
            &format!("2/dm_conversations/with/{participant_id}/messages"),
        );
        let body = json!({ "text": message.text });
        let request = adapter.post_json(
            &url,
            &settings.user_access_token,
            body.to_string().into_bytes(),
        );
        let reply = send_accepted(request, PROVIDER_NAME, x_api_error).await?;
        Ok(Sent {
            provider_message_id: reply.string_at("/data/dm_event_id"),
            detail: "X direct message accepted".to_owned(),
        })
    }
}

/// X answers errors as an RFC 7807 problem (`title`, `detail`) or with an `errors` list.
fn x_api_error(reply: &ProviderReply) -> SendError {
    let explanation = reply
        .json()
        .and_then(|body| {
            let from_problem = optional_str(&body, "detail")
                .or_else(|| optional_str(&body, "title"))
                .map(str::to_owned);
            from_problem.or_else(|| {
                body.get("errors")?
                    .get(0)
                    .and_then(|error| {
                        optional_str(error, "message").or_else(|| optional_str(error, "detail"))
                    })
                    .map(str::to_owned)
            })
        })
        .map(|text| shorten_detail(&text))
        .unwrap_or_else(|| reply.text_excerpt());
    reply.refusal(PROVIDER_NAME, &explanation, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversation_id_puts_the_numerically_smaller_id_first() {
        assert_eq!(one_to_one_conversation_id("900", "1000"), "900-1000");
        assert_eq!(one_to_one_conversation_id("1000", "900"), "900-1000");
        assert_eq!(one_to_one_conversation_id("12", "11"), "11-12");
    }
}
