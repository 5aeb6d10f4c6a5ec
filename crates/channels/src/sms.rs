//! Notifications by SMS through a generic HTTP gateway.
//!
//! SMS is for notifications only: nothing comes back in through it. It is the
//! [`Channel::Sms`] channel, the last resort of `notification_route`: a requester known only by
//! a phone number (a call or a classroom request logged by staff) gets the desk's notifications
//! on that number.
//!
//! # The gateway contract
//!
//! The contract is Sanad's own; a gateway (or a small bridge in front of a carrier's API)
//! implements it.
//!
//! **Request.** `POST <url>` with
//!
//! - `Authorization: Bearer <api_key>`;
//! - `Content-Type: application/json`;
//! - `Idempotency-Key: sanad-outbox-<outbox id>`: the same for every retry of one
//!   notification. A gateway that has already accepted a request with this key must not send
//!   the SMS again, and answers as it did the first time;
//! - when a signing secret is configured, `X-Sanad-Signature: sha256=<lower-case hex
//!   HMAC-SHA256(signing secret, exact body bytes)>`, so the gateway can tell the request comes
//!   from Sanad even when the API key leaked;
//! - the body `{"from": "<sender id>", "to": "<E.164 number>", "text": "<message>",
//!   "reference": "sanad-outbox-<outbox id>"}`, all four fields strings, no others. `to` is
//!   `+` and 8 to 15 digits (`+966500000001`); `from` is the registered sender name; `text` is
//!   UTF-8 (Arabic text is sent as is; splitting into parts and the UCS-2 encoding are the
//!   gateway's job).
//!
//! **Response.**
//!
//! - any `2xx`: accepted. A JSON body `{"id": "<gateway message id>"}` (a string or a number)
//!   gives the id that delivery reports would name; the body may be empty.
//! - `409`: a request with this idempotency key is still being processed; Sanad tries again
//!   later.
//! - `408`, `429`, `5xx`: a temporary failure; Sanad tries again later with back-off. A
//!   `Retry-After` header (seconds or an HTTP date) on such an answer is honoured: the next
//!   attempt comes no sooner (at most six hours later).
//! - any other `4xx`: the request is refused for good (bad number, bad key, malformed body);
//!   Sanad gives up and shows the gateway's explanation, read from a JSON `error` or `message`
//!   string or else from the start of the body.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::signature::{
    CloudAdapter, CloudProvider, ProviderReply, send_accepted, sha256_hex_signature_header,
    shorten_detail,
};
use crate::{OutboundMessage, Secret, SendError, Sent};
use sanad_domain::Channel;

const PROVIDER_NAME: &str = "SMS gateway";

/// One organization's SMS gateway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmsSettings {
    /// The gateway's endpoint, called with `POST`.
    pub url: String,
    pub api_key: Secret,
    /// The registered sender name or number the SMS shows as coming from.
    pub sender_id: String,
    /// When set, every request carries `X-Sanad-Signature`.
    #[serde(default)]
    pub signing_secret: Option<Secret>,
}

/// Sends SMS notifications for one organization.
pub type SmsAdapter = CloudAdapter<SmsSettings>;

impl CloudProvider for SmsSettings {
    const CHANNEL: Channel = Channel::Sms;

    async fn send_message(
        adapter: &SmsAdapter,
        message: &OutboundMessage,
    ) -> Result<Sent, SendError> {
        let to = message.recipient.trim();
        if !is_e164(to) {
            return Err(SendError::Permanent(format!(
                "“{}” is not a phone number in E.164 form",
                message.recipient
            )));
        }
        let settings = adapter.settings();
        let reference = format!("sanad-outbox-{}", message.outbox_id);
        let body = json!({
            "from": settings.sender_id,
            "to": to,
            "text": message.text,
            "reference": reference,
        });
        // The signature covers the exact bytes sent, so the body is serialised once here and
        // sent as is.
        let body_bytes = body.to_string().into_bytes();
        let signature = settings.signing_secret.as_ref().map(|signing_secret| {
            sha256_hex_signature_header(signing_secret.expose().as_bytes(), &body_bytes)
        });
        let mut request = adapter
            .post_json(&settings.url, &settings.api_key, body_bytes)
            .header("Idempotency-Key", &reference);
        if let Some(signature) = signature {
            request = request.header("X-Sanad-Signature", signature);
        }
        let reply = send_accepted(request, PROVIDER_NAME, gateway_error).await?;
        let provider_message_id = reply.json().and_then(|answer| match answer.get("id")? {
            Value::String(id) if !id.is_empty() => Some(id.clone()),
            Value::Number(id) => Some(id.to_string()),
            _ => None,
        });
        Ok(Sent {
            provider_message_id,
            detail: format!("SMS accepted by the gateway (HTTP {})", reply.status),
        })
    }
}

fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len()) && digits.bytes().all(|byte| byte.is_ascii_digit())
    })
}

fn gateway_error(reply: &ProviderReply) -> SendError {
    let explanation = reply
        .json()
        .and_then(|body| {
            ["error", "message"]
                .iter()
                .find_map(|key| body.get(*key).and_then(Value::as_str).map(shorten_detail))
        })
        .unwrap_or_else(|| reply.text_excerpt());
    // 409 is the gateway's "this idempotency key is still being processed": try again later.
    reply.refusal(PROVIDER_NAME, &explanation, reply.status == 409)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e164_needs_a_plus_and_8_to_15_digits() {
        assert!(is_e164("+966500000001"));
        assert!(!is_e164("966500000001"));
        assert!(!is_e164("+9665"));
        assert!(!is_e164("+96650000000123456"));
        assert!(!is_e164("+96650000000a"));
    }
}
