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
//! - `408`, `429`, `5xx`: a temporary failure; Sanad tries again later with back-off.
//! - any other `4xx`: the request is refused for good (bad number, bad key, malformed body);
//!   Sanad gives up and shows the gateway's explanation, read from a JSON `error` or `message`
//!   string or else from the start of the body.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::signature::{
    DEFAULT_REQUEST_TIMEOUT, ProviderReply, is_transient_status, send_request,
    sha256_hex_signature_header, shorten_detail,
};
use crate::{ChannelAdapter, OutboundMessage, Secret, SendError, Sent};
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
pub struct SmsAdapter {
    settings: SmsSettings,
    http_client: reqwest::Client,
    request_timeout: Duration,
}

impl SmsAdapter {
    /// The HTTP client is passed in so that all adapters share one connection pool.
    pub fn new(settings: SmsSettings, http_client: reqwest::Client) -> Self {
        Self {
            settings,
            http_client,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        }
    }

    /// Overrides how long one request may take before it counts as a transient failure.
    pub fn with_request_timeout(mut self, request_timeout: Duration) -> Self {
        self.request_timeout = request_timeout;
        self
    }

    pub fn settings(&self) -> &SmsSettings {
        &self.settings
    }

    async fn send_message(&self, message: &OutboundMessage) -> Result<Sent, SendError> {
        let to = message.recipient.trim();
        if !is_e164(to) {
            return Err(SendError::Permanent(format!(
                "“{}” is not a phone number in E.164 form",
                message.recipient
            )));
        }
        let reference = format!("sanad-outbox-{}", message.outbox_id);
        let body = json!({
            "from": self.settings.sender_id,
            "to": to,
            "text": message.text,
            "reference": reference,
        });
        // The signature covers the exact bytes sent, so the body is serialised once here and
        // sent as is.
        let body_bytes = body.to_string().into_bytes();
        let mut request = self
            .http_client
            .post(&self.settings.url)
            .bearer_auth(self.settings.api_key.expose())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("Idempotency-Key", &reference)
            .timeout(self.request_timeout);
        if let Some(signing_secret) = &self.settings.signing_secret {
            request = request.header(
                "X-Sanad-Signature",
                sha256_hex_signature_header(signing_secret.expose().as_bytes(), &body_bytes),
            );
        }
        let reply = send_request(request.body(body_bytes), PROVIDER_NAME).await?;
        if !reply.is_success() {
            return Err(gateway_error(&reply));
        }
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

impl ChannelAdapter for SmsAdapter {
    fn channel(&self) -> Channel {
        Channel::Sms
    }

    fn send<'a>(
        &'a self,
        message: &'a OutboundMessage,
    ) -> futures_util::future::BoxFuture<'a, Result<Sent, SendError>> {
        Box::pin(self.send_message(message))
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
    let detail = format!("{PROVIDER_NAME}: HTTP {} {explanation}", reply.status);
    if is_transient_status(reply.status) || reply.status == 409 {
        SendError::Transient(detail)
    } else {
        SendError::Permanent(detail)
    }
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
