//! The Messenger adapter against a local fake of the Send API, and its webhook handling on
//! payloads shaped as in Meta's documentation.

mod cloud_support;

use axum::http::StatusCode;
use cloud_support::{
    Contract, FakeProvider, RecordedRequest, at, check_json_call, exact_keys, fixture, graph_error,
    graph_rejection, http_client, outbound_message, query,
};
use sanad_channels::messenger::{
    MessengerAdapter, MessengerSettings, MessengerWatermark, MessengerWebhook, parse_webhook,
    parse_webhook_with_watermarks,
};
use sanad_channels::signature::sha256_hex_signature_header;
use sanad_channels::{
    ChannelAdapter, DeliveryReport, DeliveryState, IgnoredReason, InboundEvent, InboundMessage,
    OutboundMessage, OutboundOrigin, Secret, SendError, Sender, ThreadHints, WebhookError,
};
use sanad_domain::Channel;
use serde_json::{Value, json};

const PAGE_ID: &str = "104000000000001";
const PAGE_ACCESS_TOKEN: &str = "page-access-token-for-tests";
const APP_SECRET: &str = "messenger-app-secret-for-tests";
const VERIFY_TOKEN: &str = "messenger-verify-token-for-tests";
const PSID: &str = "7000000000000001";

/// The tags the Send API accepts with `messaging_type: MESSAGE_TAG`.
const KNOWN_MESSAGE_TAGS: &[&str] = &[
    "HUMAN_AGENT",
    "ACCOUNT_UPDATE",
    "CONFIRMED_EVENT_UPDATE",
    "POST_PURCHASE_UPDATE",
];

/// The Send API contract for a text message.
fn check_send_api_request(request: &RecordedRequest) -> Result<(), String> {
    let body = check_json_call(
        request,
        &format!("/v21.0/{PAGE_ID}/messages"),
        &format!("Bearer {PAGE_ACCESS_TOKEN}"),
    )?;
    match body.get("messaging_type").and_then(Value::as_str) {
        Some("RESPONSE") => {
            exact_keys(&body, "body", &["recipient", "messaging_type", "message"])?;
        }
        Some("MESSAGE_TAG") => {
            exact_keys(
                &body,
                "body",
                &["recipient", "messaging_type", "tag", "message"],
            )?;
            let tag = body["tag"].as_str().unwrap_or_default();
            if !KNOWN_MESSAGE_TAGS.contains(&tag) {
                return Err(format!("tag {tag:?} is not a message tag"));
            }
        }
        other => return Err(format!("messaging_type {other:?} is not supported here")),
    }
    exact_keys(&body["recipient"], "recipient", &["id"])?;
    exact_keys(&body["message"], "message", &["text"])?;
    let text = body["message"]["text"].as_str().unwrap_or_default();
    if text.is_empty() || text.chars().count() > 2000 {
        return Err("message.text must be 1 to 2000 characters".to_owned());
    }
    Ok(())
}

fn send_api_success(request: &RecordedRequest, sequence: usize) -> (StatusCode, Value) {
    (
        StatusCode::OK,
        json!({
            "recipient_id": request.json()["recipient"]["id"],
            "message_id": format!("m_FAKE{sequence:04}"),
        }),
    )
}

async fn start_fake() -> FakeProvider {
    FakeProvider::start(Contract {
        check_request: check_send_api_request,
        success: send_api_success,
        rejection: graph_rejection,
    })
    .await
}

fn settings(base_url: &str) -> MessengerSettings {
    MessengerSettings {
        base_url: format!("{base_url}/v21.0"),
        page_id: PAGE_ID.to_owned(),
        page_access_token: Secret::new(PAGE_ACCESS_TOKEN),
        app_secret: Secret::new(APP_SECRET),
        verify_token: Secret::new(VERIFY_TOKEN),
        human_agent_tag_approved: false,
    }
}

fn adapter(fake: &FakeProvider) -> MessengerAdapter {
    MessengerAdapter::new(settings(&fake.base_url), http_client())
}

fn approved_adapter(fake: &FakeProvider) -> MessengerAdapter {
    let mut settings = settings(&fake.base_url);
    settings.human_agent_tag_approved = true;
    MessengerAdapter::new(settings, http_client())
}

fn message(text: &str) -> OutboundMessage {
    outbound_message(Channel::Facebook, PSID, text)
}

/// A staff reply two days after the person's last message: outside the 24-hour window, inside
/// the 7 days of the `HUMAN_AGENT` tag.
fn late_staff_reply(text: &str) -> OutboundMessage {
    let mut message = message(text);
    message.origin = OutboundOrigin::StaffReply;
    message.last_inbound_at = Some(at("2025-12-31T09:00:00Z"));
    message
}

// ----- Outbound -------------------------------------------------------------------------------

#[tokio::test]
async fn inside_the_24_hour_window_a_response_is_sent() {
    let fake = start_fake().await;
    let sent = adapter(&fake)
        .send(&message("تم استلام طلبك رقم 41."))
        .await
        .expect("sent");

    assert_eq!(sent.provider_message_id.as_deref(), Some("m_FAKE0001"));
    assert_eq!(
        fake.only_request().json(),
        json!({
            "recipient": { "id": PSID },
            "messaging_type": "RESPONSE",
            "message": { "text": "تم استلام طلبك رقم 41." }
        })
    );
}

#[tokio::test]
async fn a_late_staff_reply_uses_the_human_agent_tag_when_approved() {
    let fake = start_fake().await;
    let sent = approved_adapter(&fake)
        .send(&late_staff_reply(
            "نعتذر عن التأخير، تم تصحيح الاسم في الشهادة.",
        ))
        .await
        .expect("sent");

    assert!(sent.detail.contains("HUMAN_AGENT"), "{}", sent.detail);
    assert_eq!(
        fake.only_request().json(),
        json!({
            "recipient": { "id": PSID },
            "messaging_type": "MESSAGE_TAG",
            "tag": "HUMAN_AGENT",
            "message": { "text": "نعتذر عن التأخير، تم تصحيح الاسم في الشهادة." }
        })
    );
}

#[tokio::test]
async fn outside_the_window_everything_else_fails_permanently_without_a_request() {
    let fake = start_fake().await;

    let without_approval = adapter(&fake).send(&late_staff_reply("نص")).await;
    let mut notification = late_staff_reply("نص");
    notification.origin = OutboundOrigin::Notification;
    let late_notification = approved_adapter(&fake).send(&notification).await;
    let mut after_seven_days = late_staff_reply("نص");
    after_seven_days.last_inbound_at = Some(at("2025-12-26T09:00:00Z"));
    let too_late = approved_adapter(&fake).send(&after_seven_days).await;
    let mut never_wrote = message("نص");
    never_wrote.last_inbound_at = None;
    let never = approved_adapter(&fake).send(&never_wrote).await;

    for result in [without_approval, late_notification, too_late, never] {
        assert!(matches!(result, Err(SendError::Permanent(_))), "{result:?}");
    }
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn server_errors_and_temporary_send_failures_are_transient() {
    let fake = start_fake().await;
    let adapter = adapter(&fake);
    fake.answer_next(
        500,
        graph_error(2, None, "An unexpected error has occurred."),
    );
    fake.answer_next(
        429,
        graph_error(613, None, "Calls to this api have exceeded the rate limit."),
    );
    fake.answer_next(
        400,
        graph_error(
            1200,
            None,
            "Temporary send message failure. Please try again later",
        ),
    );

    for _ in 0..3 {
        let error = adapter.send(&message("نص")).await.expect_err("failed");
        assert!(matches!(error, SendError::Transient(_)), "{error:?}");
    }
}

#[tokio::test]
async fn client_errors_are_permanent_with_the_providers_message() {
    let fake = start_fake().await;
    fake.answer_next(
        400,
        graph_error(
            10,
            Some(2018278),
            "(#10) This message is sent outside of allowed window.",
        ),
    );
    let error = adapter(&fake)
        .send(&message("نص"))
        .await
        .expect_err("failed");

    let SendError::Permanent(detail) = error else {
        panic!("expected a permanent failure, got {error:?}");
    };
    assert!(detail.contains("outside of allowed window"), "{detail}");
}

#[tokio::test]
async fn a_recipient_that_is_not_a_page_scoped_id_is_refused_before_any_request() {
    let fake = start_fake().await;
    let error = adapter(&fake)
        .send(&outbound_message(
            Channel::Facebook,
            "trainee@example.sa",
            "نص",
        ))
        .await
        .expect_err("refused");

    assert!(matches!(error, SendError::Permanent(_)), "{error:?}");
    assert!(fake.requests().is_empty());
}

// ----- Webhook verification and signatures ----------------------------------------------------

#[test]
fn the_verification_handshake_echoes_the_challenge_only_for_the_right_token() {
    let settings = settings("http://unused");
    assert_eq!(
        settings.verify_subscription(&query(&[
            ("hub.mode", "subscribe"),
            ("hub.verify_token", VERIFY_TOKEN),
            ("hub.challenge", "CHALLENGE_ACCEPTED"),
        ])),
        Ok("CHALLENGE_ACCEPTED".to_owned())
    );
    assert_eq!(
        settings.verify_subscription(&query(&[
            ("hub.mode", "subscribe"),
            ("hub.verify_token", "messenger-verify-token-for-test"),
            ("hub.challenge", "CHALLENGE_ACCEPTED"),
        ])),
        Err(WebhookError::BadVerifyToken)
    );
    assert_eq!(
        settings.verify_subscription(&query(&[
            ("hub.mode", "subscribe"),
            ("hub.verify_token", VERIFY_TOKEN),
        ])),
        Err(WebhookError::Malformed("hub.challenge".to_owned()))
    );
}

#[test]
fn signatures_are_checked_over_the_raw_body() {
    let settings = settings("http://unused");
    let body = fixture("messenger_text.json");
    let header = sha256_hex_signature_header(APP_SECRET.as_bytes(), &body);
    let mut tampered_body = body.clone();
    tampered_body[0] = b' ';

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
        settings.verify_signature(&body, Some("sha256=")),
        Err(WebhookError::BadSignature)
    );
}

// ----- Webhook payloads -----------------------------------------------------------------------

#[test]
fn text_messages_become_inbound_messages() {
    let events = parse_webhook(&fixture("messenger_text.json")).expect("parsed");
    let person = Sender {
        address: PSID.to_owned(),
        display_name: None,
        phone: None,
        email: None,
    };

    assert_eq!(
        events,
        vec![
            InboundEvent::Message(InboundMessage {
                channel: Channel::Facebook,
                provider_message_id: "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P".to_owned(),
                sender: person.clone(),
                subject: None,
                body_text: "مرحباً، أريد الاستفسار عن موعد بدء الدورة القادمة.".to_owned(),
                attachments: Vec::new(),
                thread: ThreadHints::default(),
                sent_at: Some(at("2026-01-01T08:00:00Z")),
                unsupported_type: None,
            }),
            InboundEvent::Message(InboundMessage {
                channel: Channel::Facebook,
                provider_message_id: "m_QUICKREPLY0002".to_owned(),
                sender: person,
                subject: None,
                body_text: "Yes, evening classes".to_owned(),
                attachments: Vec::new(),
                thread: ThreadHints::default(),
                sent_at: Some(at("2026-01-01T08:00:01Z")),
                unsupported_type: None,
            }),
        ]
    );
}

#[test]
fn attachments_are_noted_and_a_message_of_only_a_shared_link_is_unsupported() {
    let events = parse_webhook(&fixture("messenger_attachments.json")).expect("parsed");
    let recorded: Vec<(&str, Option<&str>)> = events
        .iter()
        .map(|event| match event {
            InboundEvent::Message(message) => (
                message.body_text.as_str(),
                message.unsupported_type.as_deref(),
            ),
            other => panic!("expected messages, got {other:?}"),
        })
        .collect();

    assert_eq!(
        recorded,
        vec![
            (
                "صورة الشهادة فيها خطأ في الاسم\n\n[Messenger image: https://cdn.example.sa/messenger/certificate-photo.jpg]",
                None
            ),
            (
                "[Messenger file: https://cdn.example.sa/messenger/transcript.pdf]",
                None
            ),
            (
                "[Messenger fallback: https://www.example.sa/courses/safety]",
                Some("fallback")
            ),
        ]
    );
}

#[test]
fn delivery_receipts_name_each_message_and_watermarks_are_kept_apart() {
    let webhook =
        parse_webhook_with_watermarks(&fixture("messenger_receipts.json")).expect("parsed");
    let delivered = |mid: &str| {
        InboundEvent::Delivery(DeliveryReport {
            channel: Channel::Facebook,
            provider_message_id: mid.to_owned(),
            state: DeliveryState::Delivered,
            at: at("2026-01-01T08:01:50Z"),
            detail: None,
        })
    };

    assert_eq!(
        webhook,
        MessengerWebhook {
            events: vec![delivered("m_OUTBOUND0001"), delivered("m_OUTBOUND0002")],
            watermarks: vec![
                MessengerWatermark {
                    psid: PSID.to_owned(),
                    state: DeliveryState::Read,
                    up_to: at("2026-01-01T08:02:00Z"),
                },
                MessengerWatermark {
                    psid: "7000000000000003".to_owned(),
                    state: DeliveryState::Delivered,
                    up_to: at("2026-01-01T08:01:55Z"),
                },
            ],
        }
    );
    assert_eq!(
        parse_webhook(&fixture("messenger_receipts.json")).expect("parsed"),
        webhook.events
    );
}

#[test]
fn echoes_are_ignored_postbacks_are_messages_and_reactions_are_skipped() {
    let events = parse_webhook(&fixture("messenger_echo_and_postback.json")).expect("parsed");

    assert_eq!(events.len(), 3, "{events:#?}");
    assert_eq!(
        events[0],
        InboundEvent::Ignored {
            reason: IgnoredReason::OwnMessage
        }
    );
    let InboundEvent::Message(with_mid) = &events[1] else {
        panic!("expected a message, got {:?}", events[1]);
    };
    assert_eq!(with_mid.provider_message_id, "m_POSTBACK0001");
    assert_eq!(with_mid.body_text, "تحدث مع موظف");
    let InboundEvent::Message(without_mid) = &events[2] else {
        panic!("expected a message, got {:?}", events[2]);
    };
    assert_eq!(
        without_mid.provider_message_id,
        "postback:7000000000000004:1767254582000"
    );
    assert_eq!(without_mid.body_text, "Get Started");
}

#[test]
fn a_duplicated_payload_gives_identical_events_and_ids() {
    for name in [
        "messenger_text.json",
        "messenger_attachments.json",
        "messenger_receipts.json",
        "messenger_echo_and_postback.json",
    ] {
        let body = fixture(name);
        assert_eq!(
            parse_webhook_with_watermarks(&body),
            parse_webhook_with_watermarks(&body.clone()),
            "{name}"
        );
    }
}

#[test]
fn malformed_payloads_name_the_missing_field() {
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({ "object": "whatsapp_business_account", "entry": [] }),
            "object",
        ),
        (json!({ "object": "page" }), "entry"),
        (json!({ "object": "page", "entry": [7] }), "entry[0]"),
        (
            json!({ "object": "page", "entry": [{ "messaging": [
                { "sender": { "id": PSID }, "timestamp": 1, "message": { "text": "no mid" } }
            ] }] }),
            "entry[0].messaging[0].message.mid",
        ),
        (
            json!({ "object": "page", "entry": [{ "messaging": [
                { "recipient": { "id": PAGE_ID }, "timestamp": 1, "message": { "mid": "m_1" } }
            ] }] }),
            "entry[0].messaging[0].sender",
        ),
        (
            json!({ "object": "page", "entry": [{ "messaging": [
                { "sender": { "id": PSID }, "delivery": { "mids": ["m_1"] } }
            ] }] }),
            "entry[0].messaging[0].delivery.watermark",
        ),
    ];
    for (body, path) in cases {
        assert_eq!(
            parse_webhook(body.to_string().as_bytes()),
            Err(WebhookError::Malformed(path.to_owned())),
            "{body}"
        );
    }
    assert_eq!(
        parse_webhook(b"\xff\xfe"),
        Err(WebhookError::Malformed("body".to_owned()))
    );
}
