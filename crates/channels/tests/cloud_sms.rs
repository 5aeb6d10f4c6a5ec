//! The SMS adapter against a local fake of Sanad's own gateway contract (documented in
//! `sanad_channels::sms`).

mod cloud_support;

use axum::http::StatusCode;
use cloud_support::{
    Contract, FakeProvider, RecordedRequest, check_json_call, exact_keys, http_client,
    outbound_message,
};
use hmac::{Hmac, KeyInit, Mac};
use sanad_channels::sms::{SmsAdapter, SmsSettings};
use sanad_channels::{ChannelAdapter, OutboundMessage, Secret, SendError};
use sanad_domain::Channel;
use serde_json::{Value, json};
use sha2::Sha256;

const API_KEY: &str = "sms-api-key-for-tests";
const SIGNING_SECRET: &str = "sms-signing-secret-for-tests";
const SENDER_ID: &str = "SANAD";

fn check_gateway_request(request: &RecordedRequest, signed: bool) -> Result<(), String> {
    let body = check_json_call(request, "/v1/sms", &format!("Bearer {API_KEY}"))?;
    exact_keys(&body, "body", &["from", "to", "text", "reference"])?;
    if ["from", "to", "text", "reference"]
        .iter()
        .any(|key| body[*key].as_str().is_none_or(str::is_empty))
    {
        return Err("every field must be a non-empty string".to_owned());
    }
    if request.header("idempotency-key") != body["reference"].as_str() {
        return Err("Idempotency-Key must equal the reference".to_owned());
    }
    let signature = request.header("x-sanad-signature");
    if signed {
        // Recomputed here, independently of the crate's helper, over the bytes received.
        let mut mac = Hmac::<Sha256>::new_from_slice(SIGNING_SECRET.as_bytes()).expect("a key");
        mac.update(&request.body);
        let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        if signature != Some(expected.as_str()) {
            return Err("X-Sanad-Signature does not match the body".to_owned());
        }
    } else if signature.is_some() {
        return Err("X-Sanad-Signature sent without a signing secret".to_owned());
    }
    Ok(())
}

fn check_signed_request(request: &RecordedRequest) -> Result<(), String> {
    check_gateway_request(request, true)
}

fn check_unsigned_request(request: &RecordedRequest) -> Result<(), String> {
    check_gateway_request(request, false)
}

/// The gateway's id is derived from the idempotency key, so a repeated request gets the answer
/// the first one got, as the contract requires.
fn gateway_success(request: &RecordedRequest, _sequence: usize) -> (StatusCode, Value) {
    let key = request.header("idempotency-key").unwrap_or_default();
    (
        StatusCode::ACCEPTED,
        json!({ "id": format!("gw-{key}"), "status": "queued" }),
    )
}

fn gateway_rejection(violation: &str) -> Value {
    json!({ "error": violation })
}

async fn start_fake(signed: bool) -> FakeProvider {
    FakeProvider::start(Contract {
        check_request: if signed {
            check_signed_request
        } else {
            check_unsigned_request
        },
        success: gateway_success,
        rejection: gateway_rejection,
    })
    .await
}

fn settings(fake: &FakeProvider, signed: bool) -> SmsSettings {
    SmsSettings {
        url: format!("{}/v1/sms", fake.base_url),
        api_key: Secret::new(API_KEY),
        sender_id: SENDER_ID.to_owned(),
        signing_secret: signed.then(|| Secret::new(SIGNING_SECRET)),
    }
}

fn adapter(fake: &FakeProvider, signed: bool) -> SmsAdapter {
    SmsAdapter::new(settings(fake, signed), http_client())
}

fn notification(text: &str) -> OutboundMessage {
    outbound_message(Channel::Sms, "+966500000001", text)
}

#[tokio::test]
async fn a_signed_request_carries_the_documented_body_and_headers() {
    let fake = start_fake(true).await;
    let sent = adapter(&fake, true)
        .send(&notification("تم استلام طلبك رقم 41، وسنرد خلال يوم عمل."))
        .await
        .expect("sent");

    assert_eq!(
        sent.provider_message_id.as_deref(),
        Some("gw-sanad-outbox-41")
    );
    let request = fake.only_request();
    assert_eq!(request.header("idempotency-key"), Some("sanad-outbox-41"));
    assert_eq!(
        request.json(),
        json!({
            "from": "SANAD",
            "to": "+966500000001",
            "text": "تم استلام طلبك رقم 41، وسنرد خلال يوم عمل.",
            "reference": "sanad-outbox-41"
        })
    );
}

#[tokio::test]
async fn without_a_signing_secret_no_signature_header_is_sent() {
    let fake = start_fake(false).await;
    adapter(&fake, false)
        .send(&notification("نص"))
        .await
        .expect("sent");

    assert_eq!(fake.only_request().header("x-sanad-signature"), None);
}

#[tokio::test]
async fn a_retry_of_the_same_notification_reuses_the_idempotency_key() {
    let fake = start_fake(true).await;
    let adapter = adapter(&fake, true);
    fake.answer_next(503, json!({ "error": "upstream carrier unavailable" }));

    let first = adapter.send(&notification("نص")).await;
    let second = adapter.send(&notification("نص")).await.expect("sent");

    assert!(matches!(first, Err(SendError::Transient(_))), "{first:?}");
    assert_eq!(
        second.provider_message_id.as_deref(),
        Some("gw-sanad-outbox-41")
    );
    let keys: Vec<Option<String>> = fake
        .requests()
        .iter()
        .map(|request| request.header("idempotency-key").map(str::to_owned))
        .collect();
    assert_eq!(
        keys,
        vec![
            Some("sanad-outbox-41".to_owned()),
            Some("sanad-outbox-41".to_owned())
        ]
    );
}

#[tokio::test]
async fn conflict_rate_limit_and_server_errors_are_transient() {
    let fake = start_fake(true).await;
    let adapter = adapter(&fake, true);
    fake.answer_next(
        409,
        json!({ "error": "a request with this key is in progress" }),
    );
    fake.answer_next(429, json!({ "error": "slow down" }));
    fake.answer_next(500, json!({ "message": "internal error" }));

    for _ in 0..3 {
        let error = adapter.send(&notification("نص")).await.expect_err("failed");
        assert!(matches!(error, SendError::Transient(_)), "{error:?}");
    }
}

#[tokio::test]
async fn client_errors_are_permanent_with_the_gateways_explanation() {
    let fake = start_fake(true).await;
    fake.answer_next(
        422,
        json!({ "error": "number is on the do-not-disturb list" }),
    );
    let error = adapter(&fake, true)
        .send(&notification("نص"))
        .await
        .expect_err("failed");

    let SendError::Permanent(detail) = error else {
        panic!("expected a permanent failure, got {error:?}");
    };
    assert!(detail.contains("do-not-disturb"), "{detail}");
}

#[tokio::test]
async fn a_wrong_signing_secret_is_refused_by_the_gateway() {
    let fake = start_fake(true).await;
    let mut settings = settings(&fake, true);
    settings.signing_secret = Some(Secret::new("not the shared secret"));
    let error = SmsAdapter::new(settings, http_client())
        .send(&notification("نص"))
        .await
        .expect_err("refused");

    assert!(matches!(error, SendError::Permanent(_)), "{error:?}");
}

#[tokio::test]
async fn an_accepting_answer_without_an_id_or_with_a_numeric_id_is_still_sent() {
    let fake = start_fake(true).await;
    let adapter = adapter(&fake, true);
    fake.answer_next(200, json!({}));
    fake.answer_next(201, json!({ "id": 982_113 }));

    let without_id = adapter.send(&notification("نص")).await.expect("sent");
    let numeric_id = adapter.send(&notification("نص")).await.expect("sent");

    assert_eq!(without_id.provider_message_id, None);
    assert_eq!(numeric_id.provider_message_id.as_deref(), Some("982113"));
}

#[tokio::test]
async fn a_recipient_that_is_not_e164_is_refused_before_any_request() {
    let fake = start_fake(true).await;
    let error = adapter(&fake, true)
        .send(&outbound_message(Channel::Sms, "0500000001", "نص"))
        .await
        .expect_err("refused");

    assert!(matches!(error, SendError::Permanent(_)), "{error:?}");
    assert!(fake.requests().is_empty());
}
