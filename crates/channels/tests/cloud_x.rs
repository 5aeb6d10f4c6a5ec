//! The X direct message adapter against a local fake of the v2 DM endpoint, and its Account
//! Activity webhook handling (CRC, signature, payloads shaped as in X's documentation).

mod cloud_support;

use std::collections::HashMap;

use axum::http::StatusCode;
use base64::Engine;
use cloud_support::{
    Contract, FakeProvider, RecordedRequest, at, check_json_call, exact_keys, fixture, http_client,
    outbound_message,
};
use hmac::{Hmac, KeyInit, Mac};
use sanad_channels::x::{XAdapter, XSettings, parse_webhook};
use sanad_channels::{
    ChannelAdapter, IgnoredReason, InboundEvent, InboundMessage, Secret, SendError, Sender,
    ThreadHints, WebhookError,
};
use sanad_domain::Channel;
use serde_json::{Value, json};
use sha2::Sha256;

const ACCOUNT_USER_ID: &str = "1500000000000000001";
const CONSUMER_SECRET: &str = "x-consumer-secret-for-tests";
const USER_ACCESS_TOKEN: &str = "x-user-access-token-for-tests";
const PARTICIPANT_ID: &str = "3001969357";

/// The v2 "send a message to a participant" contract, text only.
fn check_dm_request(request: &RecordedRequest) -> Result<(), String> {
    let body = check_json_call(
        request,
        &format!("/2/dm_conversations/with/{PARTICIPANT_ID}/messages"),
        &format!("Bearer {USER_ACCESS_TOKEN}"),
    )?;
    exact_keys(&body, "body", &["text"])?;
    match body["text"].as_str() {
        Some(text) if !text.is_empty() && text.chars().count() <= 10_000 => Ok(()),
        _ => Err("text must be 1 to 10000 characters".to_owned()),
    }
}

fn dm_success(_request: &RecordedRequest, sequence: usize) -> (StatusCode, Value) {
    (
        StatusCode::CREATED,
        json!({
            "data": {
                "dm_conversation_id": format!("{PARTICIPANT_ID}-{ACCOUNT_USER_ID}"),
                "dm_event_id": format!("18800000000000{sequence:05}"),
            }
        }),
    )
}

fn problem(status: u16, title: &str, detail: &str) -> Value {
    json!({
        "title": title,
        "detail": detail,
        "type": "https://api.x.com/2/problems/invalid-request",
        "status": status
    })
}

fn dm_rejection(violation: &str) -> Value {
    problem(400, "Invalid Request", violation)
}

async fn start_fake() -> FakeProvider {
    FakeProvider::start(Contract {
        check_request: check_dm_request,
        success: dm_success,
        rejection: dm_rejection,
    })
    .await
}

fn settings(base_url: &str) -> XSettings {
    XSettings {
        base_url: base_url.to_owned(),
        account_user_id: ACCOUNT_USER_ID.to_owned(),
        consumer_secret: Secret::new(CONSUMER_SECRET),
        user_access_token: Secret::new(USER_ACCESS_TOKEN),
    }
}

fn adapter(fake: &FakeProvider) -> XAdapter {
    XAdapter::new(settings(&fake.base_url), http_client())
}

/// HMAC-SHA256 then base64, written out here independently of the crate's helper.
fn independent_base64_hmac(key: &str, message: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
    mac.update(message);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

// ----- Outbound -------------------------------------------------------------------------------

#[tokio::test]
async fn a_direct_message_is_sent_to_the_participant() {
    let fake = start_fake().await;
    let mut message = outbound_message(Channel::X, PARTICIPANT_ID, "تم استلام طلبك رقم 41.");
    // X has no customer-service window: an old conversation changes nothing.
    message.last_inbound_at = None;
    let sent = adapter(&fake).send(&message).await.expect("sent");

    assert_eq!(
        sent.provider_message_id.as_deref(),
        Some("1880000000000000001")
    );
    assert_eq!(
        fake.only_request().json(),
        json!({ "text": "تم استلام طلبك رقم 41." })
    );
}

#[tokio::test]
async fn a_participant_id_that_is_not_numeric_is_refused_before_any_request() {
    let fake = start_fake().await;
    let error = adapter(&fake)
        .send(&outbound_message(Channel::X, "../../2/tweets", "نص"))
        .await
        .expect_err("refused");

    assert!(matches!(error, SendError::Permanent(_)), "{error:?}");
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_transient() {
    let fake = start_fake().await;
    let adapter = adapter(&fake);
    fake.answer_next(429, problem(429, "Too Many Requests", "Too Many Requests"));
    fake.answer_next(
        503,
        problem(503, "Service Unavailable", "Service Unavailable"),
    );

    for _ in 0..2 {
        let error = adapter
            .send(&outbound_message(Channel::X, PARTICIPANT_ID, "نص"))
            .await
            .expect_err("failed");
        assert!(matches!(error, SendError::Transient(_)), "{error:?}");
    }
}

#[tokio::test]
async fn refusals_are_permanent_with_the_providers_detail() {
    let fake = start_fake().await;
    let adapter = adapter(&fake);
    fake.answer_next(
        403,
        problem(
            403,
            "Forbidden",
            "You are not permitted to send Direct Messages to this user.",
        ),
    );
    fake.answer_next(401, json!({ "title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized" }));

    let refused = adapter
        .send(&outbound_message(Channel::X, PARTICIPANT_ID, "نص"))
        .await
        .expect_err("failed");
    let SendError::Permanent(detail) = refused else {
        panic!("expected a permanent failure, got {refused:?}");
    };
    assert!(
        detail.contains("not permitted to send Direct Messages"),
        "{detail}"
    );

    let unauthorized = adapter
        .send(&outbound_message(Channel::X, PARTICIPANT_ID, "نص"))
        .await
        .expect_err("failed");
    assert!(
        matches!(unauthorized, SendError::Permanent(_)),
        "{unauthorized:?}"
    );
}

// ----- CRC and signatures ---------------------------------------------------------------------

#[test]
fn the_crc_check_is_answered_with_the_base64_hmac_of_the_token() {
    let settings = settings("http://unused");
    let query: HashMap<String, String> = [(
        "crc_token".to_owned(),
        "9b4507b3-9040-4669-9c4b-9c8d5e3ba7e1".to_owned(),
    )]
    .into();
    let body: Value =
        serde_json::from_str(&settings.crc_response(&query).expect("answered")).expect("JSON");

    assert_eq!(
        body,
        json!({
            "response_token": format!(
                "sha256={}",
                independent_base64_hmac(CONSUMER_SECRET, b"9b4507b3-9040-4669-9c4b-9c8d5e3ba7e1")
            )
        })
    );
    assert_eq!(
        settings.crc_response(&HashMap::new()),
        Err(WebhookError::Malformed("crc_token".to_owned()))
    );
}

#[test]
fn signatures_are_checked_over_the_raw_body() {
    let settings = settings("http://unused");
    let body = fixture("x_direct_messages.json");
    let header = format!("sha256={}", independent_base64_hmac(CONSUMER_SECRET, &body));
    let mut tampered_body = body.clone();
    tampered_body.push(b'\n');

    assert_eq!(settings.verify_signature(&body, Some(&header)), Ok(()));
    assert_eq!(
        settings.verify_signature(&tampered_body, Some(&header)),
        Err(WebhookError::BadSignature)
    );
    assert_eq!(
        settings.verify_signature(&body, None),
        Err(WebhookError::BadSignature)
    );
    assert_eq!(
        settings.verify_signature(
            &body,
            Some(&format!(
                "sha256={}",
                independent_base64_hmac("wrong", &body)
            ))
        ),
        Err(WebhookError::BadSignature)
    );
    assert_eq!(
        settings.verify_signature(&body, Some("sha256=!!!not-base64!!!")),
        Err(WebhookError::BadSignature)
    );
}

// ----- Webhook payloads -----------------------------------------------------------------------

#[test]
fn direct_messages_become_inbound_messages_and_our_own_are_ignored() {
    let events = parse_webhook(&fixture("x_direct_messages.json")).expect("parsed");
    let sender = Sender {
        address: PARTICIPANT_ID.to_owned(),
        display_name: Some("Abdullah Al-Mutairi".to_owned()),
        phone: None,
        email: None,
    };
    let thread = ThreadHints {
        conversation_id: Some(format!("{PARTICIPANT_ID}-{ACCOUNT_USER_ID}")),
        ..ThreadHints::default()
    };

    assert_eq!(
        events,
        vec![
            InboundEvent::Message(InboundMessage {
                channel: Channel::X,
                provider_message_id: "1870000000000000001".to_owned(),
                sender: sender.clone(),
                subject: None,
                body_text: "السلام عليكم، متى تفتح بوابة التسجيل؟".to_owned(),
                attachments: Vec::new(),
                thread: thread.clone(),
                sent_at: Some(at("2026-01-01T08:00:00Z")),
                unsupported_type: None,
            }),
            InboundEvent::Message(InboundMessage {
                channel: Channel::X,
                provider_message_id: "1870000000000000002".to_owned(),
                sender,
                subject: None,
                body_text: "This is the error I get https://t.co/AbCdEf1234\n\n[X photo: https://ton.example.sa/1.1/ton/data/dm/1870000000000000002/screenshot.jpg]".to_owned(),
                attachments: Vec::new(),
                thread,
                sent_at: Some(at("2026-01-01T08:00:01Z")),
                unsupported_type: None,
            }),
            InboundEvent::Ignored {
                reason: IgnoredReason::OwnMessage
            },
        ]
    );
}

#[test]
fn payloads_without_direct_messages_give_no_events() {
    assert_eq!(
        parse_webhook(&fixture("x_typing_and_read.json")),
        Ok(Vec::new())
    );
}

#[test]
fn a_duplicated_payload_gives_identical_events_and_ids() {
    let body = fixture("x_direct_messages.json");
    assert_eq!(parse_webhook(&body), parse_webhook(&body.clone()));
}

#[test]
fn malformed_payloads_name_the_missing_field() {
    let cases: Vec<(Value, &str)> = vec![
        (json!({ "direct_message_events": [] }), "for_user_id"),
        (
            json!({ "for_user_id": ACCOUNT_USER_ID, "direct_message_events": "none" }),
            "direct_message_events",
        ),
        (
            json!({ "for_user_id": ACCOUNT_USER_ID, "direct_message_events": [
                { "type": "message_create", "id": "1", "created_timestamp": "1767254400000",
                  "message_create": { "message_data": { "text": "hi" } } }
            ] }),
            "direct_message_events[0].message_create.sender_id",
        ),
        (
            json!({ "for_user_id": ACCOUNT_USER_ID, "direct_message_events": [
                { "type": "message_create", "id": "1",
                  "message_create": { "sender_id": PARTICIPANT_ID, "message_data": { "text": "hi" } } }
            ] }),
            "direct_message_events[0].created_timestamp",
        ),
        (
            json!({ "for_user_id": ACCOUNT_USER_ID, "direct_message_events": [
                { "type": "message_create", "id": "1", "created_timestamp": "1767254400000",
                  "message_create": { "sender_id": PARTICIPANT_ID, "message_data": { "text": 5 } } }
            ] }),
            "direct_message_events[0].message_create.message_data.text",
        ),
    ];
    for (body, path) in cases {
        assert_eq!(
            parse_webhook(body.to_string().as_bytes()),
            Err(WebhookError::Malformed(path.to_owned())),
            "{body}"
        );
    }
}
