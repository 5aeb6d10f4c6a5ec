//! The plumbing the cloud adapters ([`crate::whatsapp`], [`crate::messenger`], [`crate::x`],
//! [`crate::sms`]) share.
//!
//! Its main job, and the reason for its name, is webhook authentication: HMAC-SHA256 signatures
//! over the raw request body (Meta's `X-Hub-Signature-256: sha256=<hex>`, X's
//! `x-twitter-webhooks-signature: sha256=<base64>`, our own SMS gateway's
//! `X-Sanad-Signature: sha256=<hex>`) and Meta's `hub.*` verification handshake. Every
//! comparison of a secret-derived value is constant-time, so an attacker cannot learn a valid
//! signature byte by byte from response times.
//!
//! It also holds the other things every cloud adapter needs and that would otherwise be copied
//! four times: walking an untrusted JSON payload while naming the exact field that is missing
//! (for [`WebhookError::Malformed`]), [`CloudAdapter`] (the settings, shared HTTP client and
//! timeout of one provider's adapter, and its authenticated JSON `POST`), and turning an HTTP
//! exchange with a provider into [`SendError::Transient`] or [`SendError::Permanent`] (or
//! [`SendError::RetryLater`] when a temporary refusal says, with `Retry-After`, how long to
//! wait).

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use jiff::{SignedDuration, Timestamp};
use serde_json::Value;
use sha2::Sha256;

use crate::{ChannelAdapter, OutboundMessage, RetryHint, Secret, SendError, Sent, WebhookError};
use sanad_domain::Channel;

type HmacSha256 = Hmac<Sha256>;

/// The prefix every signature header we handle puts before the encoded digest.
const SHA256_PREFIX: &str = "sha256=";

/// Computes HMAC-SHA256 of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut output = [0_u8; 32];
    // HMAC accepts keys of any length (longer ones are hashed first), so this never fails; the
    // `if let` only avoids a panic path that could never be taken.
    if let Ok(mut mac) = HmacSha256::new_from_slice(key) {
        mac.update(message);
        output.copy_from_slice(&mac.finalize().into_bytes());
    }
    output
}

/// `sha256=<lower-case hex HMAC-SHA256>`, the value of Meta's `X-Hub-Signature-256` header and
/// of our SMS gateway's `X-Sanad-Signature`.
pub fn sha256_hex_signature_header(key: &[u8], message: &[u8]) -> String {
    format!("{SHA256_PREFIX}{}", hex::encode(hmac_sha256(key, message)))
}

/// `sha256=<standard base64 HMAC-SHA256>`, the value of X's `x-twitter-webhooks-signature`
/// header and of the `response_token` of its CRC check.
pub fn sha256_base64_signature_header(key: &[u8], message: &[u8]) -> String {
    format!(
        "{SHA256_PREFIX}{}",
        base64::engine::general_purpose::STANDARD.encode(hmac_sha256(key, message))
    )
}

/// Compares two byte strings in time that depends only on their lengths, not on where they
/// first differ.
pub fn constant_time_equal(left: &[u8], right: &[u8]) -> bool {
    if left.len() != right.len() {
        return false;
    }
    let difference = left
        .iter()
        .zip(right.iter())
        .fold(0_u8, |accumulated, (left_byte, right_byte)| {
            accumulated | (left_byte ^ right_byte)
        });
    std::hint::black_box(difference) == 0
}

/// Checks a `sha256=<hex>` signature header over `body` (Meta's `X-Hub-Signature-256`).
///
/// A missing header, a header without the `sha256=` prefix, hex that does not decode and a
/// digest that does not match are all [`WebhookError::BadSignature`]. An empty secret refuses
/// every request: a channel whose app secret was never configured must not accept anything.
pub fn verify_sha256_hex_signature(
    secret: &crate::Secret,
    body: &[u8],
    header: Option<&str>,
) -> Result<(), WebhookError> {
    let received = decode_signature_header(header, |encoded| hex::decode(encoded).ok())?;
    verify_digest(secret, body, &received)
}

/// Checks a `sha256=<base64>` signature header over `body` (X's
/// `x-twitter-webhooks-signature`), with the same refusals as
/// [`verify_sha256_hex_signature`].
pub fn verify_sha256_base64_signature(
    secret: &crate::Secret,
    body: &[u8],
    header: Option<&str>,
) -> Result<(), WebhookError> {
    let received = decode_signature_header(header, |encoded| {
        base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .ok()
    })?;
    verify_digest(secret, body, &received)
}

fn decode_signature_header(
    header: Option<&str>,
    decode: impl FnOnce(&str) -> Option<Vec<u8>>,
) -> Result<Vec<u8>, WebhookError> {
    let header = header.ok_or(WebhookError::BadSignature)?.trim();
    let encoded = header
        .strip_prefix(SHA256_PREFIX)
        .ok_or(WebhookError::BadSignature)?;
    decode(encoded).ok_or(WebhookError::BadSignature)
}

fn verify_digest(secret: &crate::Secret, body: &[u8], received: &[u8]) -> Result<(), WebhookError> {
    if secret.is_empty() {
        return Err(WebhookError::BadSignature);
    }
    let expected = hmac_sha256(secret.expose().as_bytes(), body);
    if constant_time_equal(&expected, received) {
        Ok(())
    } else {
        Err(WebhookError::BadSignature)
    }
}

/// Meta's webhook verification handshake (WhatsApp Cloud API and Messenger): a `GET` with
/// `hub.mode=subscribe`, `hub.verify_token` and `hub.challenge`; the answer to a good token is
/// the challenge, echoed as the plain-text body.
///
/// A missing `hub.mode` or `hub.challenge`, or a mode other than `subscribe`, is
/// [`WebhookError::Malformed`] naming the parameter; a missing or wrong token is
/// [`WebhookError::BadVerifyToken`]. An empty configured token refuses every handshake, so an
/// unconfigured channel cannot be subscribed by whoever guesses its URL.
pub fn verify_meta_subscription(
    query: &HashMap<String, String>,
    expected_verify_token: &crate::Secret,
) -> Result<String, WebhookError> {
    let mode = query
        .get("hub.mode")
        .ok_or_else(|| WebhookError::Malformed("hub.mode".into()))?;
    if mode != "subscribe" {
        return Err(WebhookError::Malformed("hub.mode".into()));
    }
    let challenge = query
        .get("hub.challenge")
        .ok_or_else(|| WebhookError::Malformed("hub.challenge".into()))?;
    let received_token = query
        .get("hub.verify_token")
        .ok_or(WebhookError::BadVerifyToken)?;
    if expected_verify_token.is_empty()
        || !constant_time_equal(
            received_token.as_bytes(),
            expected_verify_token.expose().as_bytes(),
        )
    {
        return Err(WebhookError::BadVerifyToken);
    }
    Ok(challenge.clone())
}

// ---------------------------------------------------------------------------------------------
// Walking untrusted JSON payloads.
// ---------------------------------------------------------------------------------------------

/// Parses a webhook body that must be a JSON object. Anything else is malformed at the root,
/// which the error names `body`. `serde_json` limits nesting depth, so a hostile payload cannot
/// exhaust the stack.
pub(crate) fn parse_json_object(body: &[u8]) -> Result<Value, WebhookError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(value) if value.is_object() => Ok(value),
        _ => Err(malformed("body")),
    }
}

pub(crate) fn malformed(path: impl Into<String>) -> WebhookError {
    WebhookError::Malformed(path.into())
}

/// The path of `key` inside the object at `path`, as the errors name it (`entry[0].id`).
pub(crate) fn child_path(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

/// The path of element `index` of the array at `path` (`entry[0]`).
pub(crate) fn index_path(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

/// A string field that must be present and non-empty.
pub(crate) fn required_str<'value>(
    object: &'value Value,
    key: &str,
    path: &str,
) -> Result<&'value str, WebhookError> {
    match object.get(key).and_then(Value::as_str) {
        Some(text) if !text.is_empty() => Ok(text),
        _ => Err(malformed(child_path(path, key))),
    }
}

/// A string field that may be absent; a value of another type counts as absent, because an
/// optional field is never worth refusing a whole payload for.
pub(crate) fn optional_str<'value>(object: &'value Value, key: &str) -> Option<&'value str> {
    object
        .get(key)
        .and_then(Value::as_str)
        .filter(|text| !text.is_empty())
}

/// An array field that may be absent or null (an empty list then), but that must be an array
/// when it is there: a list of messages that is not a list is a malformed payload.
pub(crate) fn optional_array<'value>(
    object: &'value Value,
    key: &str,
    path: &str,
) -> Result<&'value [Value], WebhookError> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items.as_slice()),
        Some(_) => Err(malformed(child_path(path, key))),
    }
}

/// An array field that must be present.
pub(crate) fn required_array<'value>(
    object: &'value Value,
    key: &str,
    path: &str,
) -> Result<&'value [Value], WebhookError> {
    match object.get(key) {
        Some(Value::Array(items)) => Ok(items.as_slice()),
        _ => Err(malformed(child_path(path, key))),
    }
}

/// An object field that must be present.
pub(crate) fn required_object<'value>(
    object: &'value Value,
    key: &str,
    path: &str,
) -> Result<&'value Value, WebhookError> {
    match object.get(key) {
        Some(value) if value.is_object() => Ok(value),
        _ => Err(malformed(child_path(path, key))),
    }
}

/// An integer given either as a JSON number or as a string of decimal digits (providers use
/// both for timestamps).
fn integer_field(object: &Value, key: &str) -> Option<i64> {
    match object.get(key)? {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse::<i64>().ok(),
        _ => None,
    }
}

/// A Unix time in seconds (WhatsApp's `timestamp`), required.
pub(crate) fn required_unix_seconds(
    object: &Value,
    key: &str,
    path: &str,
) -> Result<Timestamp, WebhookError> {
    integer_field(object, key)
        .and_then(|seconds| Timestamp::from_second(seconds).ok())
        .ok_or_else(|| malformed(child_path(path, key)))
}

/// A Unix time in milliseconds (Messenger's `timestamp` and `watermark`, X's
/// `created_timestamp`), required.
pub(crate) fn required_unix_milliseconds(
    object: &Value,
    key: &str,
    path: &str,
) -> Result<Timestamp, WebhookError> {
    integer_field(object, key)
        .and_then(|milliseconds| Timestamp::from_millisecond(milliseconds).ok())
        .ok_or_else(|| malformed(child_path(path, key)))
}

// ---------------------------------------------------------------------------------------------
// Outbound HTTP exchanges with the providers.
// ---------------------------------------------------------------------------------------------

/// How long one request to a provider may take, connection included, before the attempt
/// counts as a transient failure. The outbox retries later, so waiting longer only holds a
/// worker.
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// The most of a provider's response we read. Replies are a few hundred bytes; the cap keeps a
/// misbehaving endpoint from filling memory.
const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// The longest provider explanation we copy into a [`SendError`]; it is shown on the ticket.
const MAX_DETAIL_CHARACTERS: usize = 300;

/// One organization's adapter for one cloud provider: its settings, the HTTP client and how
/// long one request may take.
///
/// [`crate::whatsapp::WhatsappAdapter`], [`crate::messenger::MessengerAdapter`],
/// [`crate::x::XAdapter`] and [`crate::sms::SmsAdapter`] are this type with their own settings,
/// so that constructing, configuring, sending the request and implementing [`ChannelAdapter`]
/// are written once; what differs (the request body, where the reply keeps the message id, how
/// a refusal is read) stays in each provider's module, behind [`CloudProvider`].
pub struct CloudAdapter<S> {
    settings: S,
    http_client: reqwest::Client,
    request_timeout: Duration,
}

impl<S> CloudAdapter<S> {
    /// The HTTP client is passed in so that all adapters share one connection pool.
    pub fn new(settings: S, http_client: reqwest::Client) -> Self {
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

    pub fn settings(&self) -> &S {
        &self.settings
    }

    /// A `POST` of the serialised JSON `body` to `url`, authenticated with `bearer_token` and
    /// limited to the adapter's timeout. It takes the bytes rather than a value so that an
    /// adapter that signs the body (the SMS gateway) signs exactly what is sent; it can add its
    /// own headers before handing the request to [`send_accepted`].
    pub(crate) fn post_json(
        &self,
        url: &str,
        bearer_token: &Secret,
        body: Vec<u8>,
    ) -> reqwest::RequestBuilder {
        self.http_client
            .post(url)
            .bearer_auth(bearer_token.expose())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .timeout(self.request_timeout)
            .body(body)
    }
}

/// What one cloud provider's adapter does that the others do not, implemented by its settings
/// type: the channel it serves and how it sends one message. It lets [`CloudAdapter`] implement
/// [`ChannelAdapter`] once for every provider.
pub(crate) trait CloudProvider: Sized + Send + Sync + 'static {
    const CHANNEL: Channel;

    /// Sends one message with `adapter`'s settings, client and timeout.
    fn send_message(
        adapter: &CloudAdapter<Self>,
        message: &OutboundMessage,
    ) -> impl Future<Output = Result<Sent, SendError>> + Send;
}

/// The settings of an adapter that sends through Meta's Graph API (WhatsApp and Messenger).
/// Both make the same request, a `POST` to the `messages` edge of a node (the WhatsApp phone
/// number id, the Messenger Page id), and are refused in the one error shape
/// [`graph_api_error`] reads; only the body and where the reply puts the message id differ.
pub(crate) trait GraphProvider: Sized + Send + Sync + 'static {
    const CHANNEL: Channel;
    const PROVIDER_NAME: &'static str;
    /// Where the reply puts the id of the accepted message (RFC 6901).
    const MESSAGE_ID_POINTER: &'static str;

    /// The Graph API root, the node whose `messages` edge sends, and its access token.
    fn graph_node(&self) -> (&str, &str, &Secret);

    /// The JSON body for `message` and the detail line that describes what was chosen, or why
    /// the message cannot be sent at all.
    fn request_body(&self, message: &OutboundMessage) -> Result<(Value, String), SendError>;
}

impl<S: GraphProvider> CloudProvider for S {
    const CHANNEL: Channel = S::CHANNEL;

    async fn send_message(
        adapter: &CloudAdapter<S>,
        message: &OutboundMessage,
    ) -> Result<Sent, SendError> {
        let settings = adapter.settings();
        let (body, detail) = settings.request_body(message)?;
        let (base_url, node_id, access_token) = settings.graph_node();
        let url = join_url(base_url, &format!("{node_id}/messages"));
        let request = adapter.post_json(&url, access_token, body.to_string().into_bytes());
        let reply = send_accepted(request, S::PROVIDER_NAME, |reply| {
            graph_api_error(S::PROVIDER_NAME, reply)
        })
        .await?;
        Ok(Sent {
            provider_message_id: reply.string_at(S::MESSAGE_ID_POINTER),
            detail,
        })
    }
}

impl<S: CloudProvider> ChannelAdapter for CloudAdapter<S> {
    fn channel(&self) -> Channel {
        S::CHANNEL
    }

    fn send<'a>(
        &'a self,
        message: &'a OutboundMessage,
    ) -> futures_util::future::BoxFuture<'a, Result<Sent, SendError>> {
        Box::pin(S::send_message(self, message))
    }
}

/// What a provider answered, read in full (up to the cap).
pub(crate) struct ProviderReply {
    pub status: u16,
    pub body: Vec<u8>,
    /// The reply's `Retry-After` header, when it has a readable one.
    pub retry_after: Option<RetryHint>,
}

impl ProviderReply {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as JSON, when it is JSON.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// The body as short text for an error message, when it is not JSON we understand.
    pub fn text_excerpt(&self) -> String {
        shorten_detail(&String::from_utf8_lossy(&self.body))
    }

    /// The string at `pointer` (RFC 6901, `/messages/0/id`) in a JSON body: where a provider
    /// puts the id of the message it accepted. Anything else there, or no JSON at all, is no id.
    pub fn string_at(&self, pointer: &str) -> Option<String> {
        self.json()?.pointer(pointer)?.as_str().map(str::to_owned)
    }

    /// The [`SendError`] for this unsuccessful reply, explained by the provider's own
    /// `explanation`. It is transient when the status may pass ([`is_transient_status`]) or
    /// when the provider's error says so (`transient_by_provider`), and permanent otherwise.
    pub fn refusal(
        &self,
        provider_name: &str,
        explanation: &str,
        transient_by_provider: bool,
    ) -> SendError {
        let detail = format!("{provider_name}: HTTP {} {explanation}", self.status);
        if is_transient_status(self.status) || transient_by_provider {
            // A provider that says how long to wait is obeyed; the outbox's back-off alone
            // would come back after 30 seconds into a rate limit that lasts minutes.
            match self.retry_after {
                Some(hint) => SendError::RetryLater { detail, hint },
                None => SendError::Transient(detail),
            }
        } else {
            SendError::Permanent(detail)
        }
    }
}

/// [`send_request`], keeping only a reply that accepted the message (any 2xx); any other reply
/// becomes the [`SendError`] that `refusal`, the provider's own reading of its errors, makes of
/// it.
pub(crate) async fn send_accepted(
    request: reqwest::RequestBuilder,
    provider_name: &str,
    refusal: impl FnOnce(&ProviderReply) -> SendError,
) -> Result<ProviderReply, SendError> {
    let reply = send_request(request, provider_name).await?;
    if reply.is_success() {
        Ok(reply)
    } else {
        Err(refusal(&reply))
    }
}

/// Sends a prepared request and reads the reply. Failures to get any reply become
/// [`SendError`]s here: a timeout, a refused or broken connection are transient (the provider
/// may be back in a minute); a request that cannot even be built (a malformed `base_url`) is
/// permanent, because retrying the same configuration cannot help.
///
/// The URL is removed from the error text: it names the provider's host, which is useful, but
/// some SMS gateways put credentials in it, and the text ends up on the ticket.
async fn send_request(
    request: reqwest::RequestBuilder,
    provider_name: &str,
) -> Result<ProviderReply, SendError> {
    let mut response = request
        .send()
        .await
        .map_err(|error| transport_error(error, provider_name))?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(RetryHint::parse);
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_RESPONSE_BYTES.saturating_sub(body.len());
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if body.len() >= MAX_RESPONSE_BYTES {
                    break;
                }
            }
            Ok(None) => break,
            Err(error) => {
                // A 2xx whose body broke off still means the provider accepted the message;
                // only the id is lost. Anything else is retried.
                if (200..300).contains(&status) {
                    break;
                }
                return Err(transport_error(error, provider_name));
            }
        }
    }
    Ok(ProviderReply {
        status,
        body,
        retry_after,
    })
}

fn transport_error(error: reqwest::Error, provider_name: &str) -> SendError {
    let is_builder = error.is_builder();
    let is_timeout = error.is_timeout();
    let error = error.without_url();
    if is_builder {
        SendError::Permanent(format!(
            "{provider_name}: the request cannot be built: {error}"
        ))
    } else if is_timeout {
        SendError::Transient(format!("{provider_name}: no answer in time: {error}"))
    } else {
        SendError::Transient(format!("{provider_name}: no answer: {error}"))
    }
}

/// Statuses after which the same request may succeed later: server errors, rate limiting, and
/// the request timeout some proxies answer.
fn is_transient_status(status: u16) -> bool {
    status >= 500 || status == 429 || status == 408
}

/// Cuts a provider's explanation to a length fit for a ticket line, on a character boundary.
pub(crate) fn shorten_detail(text: &str) -> String {
    let trimmed = text.trim();
    match trimmed.char_indices().nth(MAX_DETAIL_CHARACTERS) {
        Some((cut, _)) => format!("{}…", &trimmed[..cut]),
        None => trimmed.to_owned(),
    }
}

/// Whether a message sent at `now` is still within `window` of the recipient's last message.
/// No last message means no window at all. A last message stamped slightly in the future
/// (clock skew between the provider and us) counts as inside.
pub(crate) fn within_window(
    last_inbound_at: Option<Timestamp>,
    now: Timestamp,
    window: SignedDuration,
) -> bool {
    match last_inbound_at {
        Some(last_inbound_at) => now.duration_since(last_inbound_at) < window,
        None => false,
    }
}

/// The customer-service window of WhatsApp and Messenger: free text is allowed for 24 hours
/// after the person's last message.
pub(crate) const CUSTOMER_SERVICE_WINDOW: SignedDuration = SignedDuration::from_hours(24);

/// Graph API (WhatsApp Cloud API and Messenger) error codes that mean "try again later" even
/// when the HTTP status is 400: throttling (4, 17, 32, 613, 80006, 80007, 130429, 131048,
/// 131056), and the platform's own temporary failures (1, 2, 1200, 131000, 131016, 133004).
const TRANSIENT_GRAPH_ERROR_CODES: &[i64] = &[
    1, 2, 4, 17, 32, 613, 1200, 80006, 80007, 130429, 131000, 131016, 131048, 131056, 133004,
];

/// Maps an unsuccessful Graph API reply to a [`SendError`], with the provider's own message
/// (`(#131030) Recipient phone number not in allowed list`) so staff can see what is wrong.
pub(crate) fn graph_api_error(provider_name: &str, reply: &ProviderReply) -> SendError {
    let error_object = reply.json().and_then(|body| body.get("error").cloned());
    let code = error_object
        .as_ref()
        .and_then(|error| error.get("code"))
        .and_then(Value::as_i64);
    let message = error_object
        .as_ref()
        .and_then(|error| {
            error
                .get("error_user_msg")
                .or_else(|| error.get("message"))
                .and_then(Value::as_str)
        })
        .map(shorten_detail)
        .unwrap_or_else(|| reply.text_excerpt());
    let explanation = match code {
        Some(code) => format!("(#{code}) {message}"),
        None => message,
    };
    let transient_code = code.is_some_and(|code| TRANSIENT_GRAPH_ERROR_CODES.contains(&code));
    reply.refusal(provider_name, &explanation, transient_code)
}

/// Meta's Graph API base URL, shared by the WhatsApp and Messenger settings.
pub(crate) fn default_graph_base_url() -> String {
    "https://graph.facebook.com/v21.0".to_owned()
}

/// Joins a configured base URL and a path, tolerating a trailing slash on the base.
pub(crate) fn join_url(base_url: &str, path: &str) -> String {
    format!(
        "{}/{}",
        base_url.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;

    #[test]
    fn hmac_matches_the_rfc_4231_test_vector() {
        // RFC 4231, test case 2.
        let digest = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(digest),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn hex_signature_is_accepted_only_when_it_matches() {
        let secret = Secret::new("app-secret");
        let header = sha256_hex_signature_header(b"app-secret", b"{}");
        assert_eq!(
            verify_sha256_hex_signature(&secret, b"{}", Some(&header)),
            Ok(())
        );
        assert_eq!(
            verify_sha256_hex_signature(&secret, b"{ }", Some(&header)),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify_sha256_hex_signature(&secret, b"{}", None),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify_sha256_hex_signature(&secret, b"{}", Some("sha1=00")),
            Err(WebhookError::BadSignature)
        );
        assert_eq!(
            verify_sha256_hex_signature(&secret, b"{}", Some("sha256=zz")),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn an_empty_secret_refuses_even_a_matching_signature() {
        let header = sha256_hex_signature_header(b"", b"{}");
        assert_eq!(
            verify_sha256_hex_signature(&Secret::new(""), b"{}", Some(&header)),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn base64_signature_round_trips() {
        let secret = Secret::new("consumer-secret");
        let header = sha256_base64_signature_header(b"consumer-secret", b"payload");
        assert_eq!(
            verify_sha256_base64_signature(&secret, b"payload", Some(&header)),
            Ok(())
        );
        assert_eq!(
            verify_sha256_base64_signature(&secret, b"payload!", Some(&header)),
            Err(WebhookError::BadSignature)
        );
    }

    #[test]
    fn shorten_detail_cuts_on_a_character_boundary() {
        let long_arabic = "ع".repeat(400);
        let shortened = shorten_detail(&long_arabic);
        assert_eq!(shortened.chars().count(), MAX_DETAIL_CHARACTERS + 1);
    }

    #[test]
    fn window_is_open_strictly_less_than_24_hours() {
        let last: Timestamp = "2026-03-01T10:00:00Z".parse().unwrap();
        let just_inside: Timestamp = "2026-03-02T09:59:59Z".parse().unwrap();
        let exactly_24_hours: Timestamp = "2026-03-02T10:00:00Z".parse().unwrap();
        assert!(within_window(
            Some(last),
            just_inside,
            CUSTOMER_SERVICE_WINDOW
        ));
        assert!(!within_window(
            Some(last),
            exactly_24_hours,
            CUSTOMER_SERVICE_WINDOW
        ));
        assert!(!within_window(None, just_inside, CUSTOMER_SERVICE_WINDOW));
    }
}
