//! The WhatsApp Cloud API adapter against a local fake of `/{phone_number_id}/messages`, and
//! its webhook handling on payloads shaped as in Meta's documentation.

mod cloud_support;

use std::time::Duration;

use axum::http::StatusCode;
use cloud_support::{
    Contract, FakeProvider, RecordedRequest, ScriptedReply, at, check_json_call, exact_keys,
    fixture, graph_error, graph_rejection, http_client, outbound_message, query,
};
use sanad_channels::signature::sha256_hex_signature_header;
use sanad_channels::whatsapp::{WhatsappAdapter, WhatsappSettings, parse_webhook};
use sanad_channels::{
    ChannelAdapter, DeliveryReport, DeliveryState, InboundEvent, InboundMessage, OutboundMessage,
    Secret, SendError, Sender, TemplateMessage, ThreadHints, WebhookError,
};
use sanad_domain::Channel;
use serde_json::{Value, json};

const PHONE_NUMBER_ID: &str = "106540352242922";
const ACCESS_TOKEN: &str = "wa-access-token-for-tests";
const APP_SECRET: &str = "wa-app-secret-for-tests";
const VERIFY_TOKEN: &str = "wa-verify-token-for-tests";

/// The Cloud API's send contract, as far as Sanad uses it.
fn check_whatsapp_request(request: &RecordedRequest) -> Result<(), String> {
    let body = check_json_call(
        request,
        &format!("/v21.0/{PHONE_NUMBER_ID}/messages"),
        &format!("Bearer {ACCESS_TOKEN}"),
    )?;
    let message_type = body.get("type").and_then(Value::as_str).unwrap_or_default();
    let content_key = match message_type {
        "text" => "text",
        "template" => "template",
        other => return Err(format!("type {other:?} is not text or template")),
    };
    exact_keys(
        &body,
        "body",
        &[
            "messaging_product",
            "recipient_type",
            "to",
            "type",
            content_key,
        ],
    )?;
    if body["messaging_product"] != "whatsapp" || body["recipient_type"] != "individual" {
        return Err("messaging_product or recipient_type is wrong".to_owned());
    }
    let to = body["to"].as_str().unwrap_or_default();
    if to.is_empty() || !to.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err("to must be the number's digits".to_owned());
    }
    if content_key == "text" {
        let text = &body["text"];
        exact_keys(text, "text", &["preview_url", "body"])?;
        if !text["preview_url"].is_boolean() || text["body"].as_str().is_none_or(str::is_empty) {
            return Err("text.preview_url must be a boolean and text.body a string".to_owned());
        }
        return Ok(());
    }
    let template = &body["template"];
    let has_components = template.get("components").is_some();
    let template_keys: &[&str] = if has_components {
        &["name", "language", "components"]
    } else {
        &["name", "language"]
    };
    exact_keys(template, "template", template_keys)?;
    if template["name"].as_str().is_none_or(str::is_empty) {
        return Err("template.name must be a string".to_owned());
    }
    exact_keys(&template["language"], "template.language", &["code"])?;
    if has_components {
        let Some(components) = template["components"].as_array() else {
            return Err("template.components must be an array".to_owned());
        };
        for component in components {
            exact_keys(component, "template.components[]", &["type", "parameters"])?;
            for parameter in component["parameters"].as_array().into_iter().flatten() {
                exact_keys(
                    parameter,
                    "template.components[].parameters[]",
                    &["type", "text"],
                )?;
                let text = parameter["text"].as_str().unwrap_or_default();
                // Meta refuses parameters with new lines, tabs or more than four spaces in a row.
                if text.contains(['\n', '\t']) || text.contains("     ") {
                    return Err("a template parameter contains new lines or tabs".to_owned());
                }
            }
        }
    }
    Ok(())
}

fn whatsapp_success(request: &RecordedRequest, sequence: usize) -> (StatusCode, Value) {
    let to = request.json()["to"].clone();
    (
        StatusCode::OK,
        json!({
            "messaging_product": "whatsapp",
            "contacts": [{ "input": to, "wa_id": to }],
            "messages": [{ "id": format!("wamid.FAKE-{sequence:04}") }],
        }),
    )
}

async fn start_fake() -> FakeProvider {
    FakeProvider::start(Contract {
        check_request: check_whatsapp_request,
        success: whatsapp_success,
        rejection: graph_rejection,
    })
    .await
}

fn settings(base_url: &str) -> WhatsappSettings {
    WhatsappSettings {
        base_url: format!("{base_url}/v21.0"),
        phone_number_id: PHONE_NUMBER_ID.to_owned(),
        access_token: Secret::new(ACCESS_TOKEN),
        app_secret: Secret::new(APP_SECRET),
        verify_token: Secret::new(VERIFY_TOKEN),
        template_name: None,
        template_language: None,
    }
}

fn adapter(fake: &FakeProvider) -> WhatsappAdapter {
    WhatsappAdapter::new(settings(&fake.base_url), http_client())
}

fn notification(text: &str) -> OutboundMessage {
    outbound_message(Channel::Whatsapp, "+966500000001", text)
}

fn outside_the_window(mut message: OutboundMessage) -> OutboundMessage {
    message.last_inbound_at = Some(at("2026-01-01T09:00:00Z"));
    message
}

// ----- Outbound -------------------------------------------------------------------------------

#[tokio::test]
async fn inside_the_24_hour_window_a_free_text_message_is_sent() {
    let fake = start_fake().await;
    let sent = adapter(&fake)
        .send(&notification("تم استلام طلبك رقم 41.\nسنرد خلال يوم عمل."))
        .await
        .expect("sent");

    assert_eq!(sent.provider_message_id.as_deref(), Some("wamid.FAKE-0001"));
    let request = fake.only_request();
    assert_eq!(
        request.json(),
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "966500000001",
            "type": "text",
            "text": { "preview_url": false, "body": "تم استلام طلبك رقم 41.\nسنرد خلال يوم عمل." }
        })
    );
}

#[tokio::test]
async fn the_window_closes_exactly_24_hours_after_the_last_inbound_message() {
    let fake = start_fake().await;
    let mut message = notification("نص");
    message.template = Some(TemplateMessage {
        name: "sanad_ticket_update".to_owned(),
        language: "ar".to_owned(),
        parameters: vec!["41".to_owned()],
    });
    message.last_inbound_at = Some(at("2026-01-01T09:00:00Z"));
    message.now = at("2026-01-02T08:59:59Z");
    adapter(&fake).send(&message).await.expect("sent");
    message.now = at("2026-01-02T09:00:00Z");
    adapter(&fake).send(&message).await.expect("sent");

    let kinds: Vec<Value> = fake
        .requests()
        .iter()
        .map(|request| request.json()["type"].clone())
        .collect();
    assert_eq!(kinds, vec![json!("text"), json!("template")]);
}

#[tokio::test]
async fn outside_the_window_the_message_template_is_sent_with_its_parameters() {
    let fake = start_fake().await;
    let mut message = outside_the_window(notification("this free text is not sent"));
    message.template = Some(TemplateMessage {
        name: "sanad_ticket_update".to_owned(),
        language: "ar".to_owned(),
        parameters: vec![
            "41".to_owned(),
            "قيد المعالجة\n\nلدى قسم الشهادات".to_owned(),
        ],
    });
    let sent = adapter(&fake).send(&message).await.expect("sent");

    assert_eq!(sent.provider_message_id.as_deref(), Some("wamid.FAKE-0001"));
    assert!(
        sent.detail.contains("outside the 24-hour window"),
        "{}",
        sent.detail
    );
    assert_eq!(
        fake.only_request().json(),
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "966500000001",
            "type": "template",
            "template": {
                "name": "sanad_ticket_update",
                "language": { "code": "ar" },
                "components": [{
                    "type": "body",
                    "parameters": [
                        { "type": "text", "text": "41" },
                        { "type": "text", "text": "قيد المعالجة لدى قسم الشهادات" }
                    ]
                }]
            }
        })
    );
}

#[tokio::test]
async fn a_template_without_parameters_has_no_components() {
    let fake = start_fake().await;
    let mut message = notification("unused");
    message.last_inbound_at = None;
    message.template = Some(TemplateMessage {
        name: "sanad_survey_invitation".to_owned(),
        language: "en_US".to_owned(),
        parameters: Vec::new(),
    });
    adapter(&fake).send(&message).await.expect("sent");

    assert_eq!(
        fake.only_request().json()["template"],
        json!({ "name": "sanad_survey_invitation", "language": { "code": "en_US" } })
    );
}

#[tokio::test]
async fn outside_the_window_the_organization_fallback_template_carries_the_text() {
    let fake = start_fake().await;
    let mut settings = settings(&fake.base_url);
    settings.template_name = Some("sanad_generic_notification".to_owned());
    settings.template_language = Some("ar".to_owned());
    let adapter = WhatsappAdapter::new(settings, http_client());
    adapter
        .send(&outside_the_window(notification(
            "تم حل طلبك رقم 41.\nشكراً لك.",
        )))
        .await
        .expect("sent");

    assert_eq!(
        fake.only_request().json()["template"],
        json!({
            "name": "sanad_generic_notification",
            "language": { "code": "ar" },
            "components": [{
                "type": "body",
                "parameters": [{ "type": "text", "text": "تم حل طلبك رقم 41. شكراً لك." }]
            }]
        })
    );
}

#[tokio::test]
async fn outside_the_window_without_any_template_the_failure_is_permanent_and_nothing_is_sent() {
    let fake = start_fake().await;
    let error = adapter(&fake)
        .send(&outside_the_window(notification("نص")))
        .await
        .expect_err("refused");

    assert!(matches!(error, SendError::Permanent(_)), "{error:?}");
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn a_recipient_that_is_not_a_phone_number_is_refused_before_any_request() {
    let fake = start_fake().await;
    let error = adapter(&fake)
        .send(&outbound_message(
            Channel::Whatsapp,
            "trainee@example.sa",
            "نص",
        ))
        .await
        .expect_err("refused");

    assert!(matches!(error, SendError::Permanent(_)), "{error:?}");
    assert!(fake.requests().is_empty());
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_transient() {
    let fake = start_fake().await;
    let adapter = adapter(&fake);
    fake.answer_next(500, graph_error(2, None, "Service temporarily unavailable"));
    fake.answer_next(
        429,
        graph_error(4, None, "Application request limit reached"),
    );
    // Meta reports throughput limits as 400 with code 130429.
    fake.answer_next(400, graph_error(130429, None, "Rate limit hit"));

    for _ in 0..3 {
        let error = adapter.send(&notification("نص")).await.expect_err("failed");
        assert!(matches!(error, SendError::Transient(_)), "{error:?}");
    }
}

#[tokio::test]
async fn client_errors_are_permanent_with_the_providers_message() {
    let fake = start_fake().await;
    let adapter = adapter(&fake);
    fake.answer_next(
        400,
        graph_error(
            131030,
            None,
            "(#131030) Recipient phone number not in allowed list",
        ),
    );
    fake.answer_next(401, graph_error(190, None, "Invalid OAuth access token."));

    let first = adapter.send(&notification("نص")).await.expect_err("failed");
    let SendError::Permanent(detail) = first else {
        panic!("expected a permanent failure, got {first:?}");
    };
    assert!(
        detail.contains("Recipient phone number not in allowed list"),
        "{detail}"
    );
    assert!(detail.contains("131030"), "{detail}");

    let second = adapter.send(&notification("نص")).await.expect_err("failed");
    assert!(matches!(second, SendError::Permanent(_)), "{second:?}");
}

#[tokio::test]
async fn a_request_that_breaks_the_contract_is_refused_by_the_fake() {
    // A guard on the fake itself: an adapter pointed at the wrong phone number id sends to a
    // path the contract does not know, and the test must see a failure.
    let fake = start_fake().await;
    let mut settings = settings(&fake.base_url);
    settings.phone_number_id = "999".to_owned();
    let error = WhatsappAdapter::new(settings, http_client())
        .send(&notification("نص"))
        .await
        .expect_err("refused");

    let SendError::Permanent(detail) = error else {
        panic!("expected a permanent failure, got {error:?}");
    };
    assert!(detail.contains("path"), "{detail}");
}

#[tokio::test]
async fn a_timeout_is_transient() {
    let fake = start_fake().await;
    fake.script(ScriptedReply::Hang);
    let error = adapter(&fake)
        .with_request_timeout(Duration::from_millis(200))
        .send(&notification("نص"))
        .await
        .expect_err("timed out");

    assert!(matches!(error, SendError::Transient(_)), "{error:?}");
}

#[tokio::test]
async fn a_refused_connection_is_transient() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a local port");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let adapter = WhatsappAdapter::new(settings(&format!("http://{address}")), http_client());
    let error = adapter
        .send(&notification("نص"))
        .await
        .expect_err("refused");

    assert!(matches!(error, SendError::Transient(_)), "{error:?}");
}

// ----- Webhook verification and signatures ----------------------------------------------------

#[test]
fn the_verification_handshake_echoes_the_challenge_for_the_right_token() {
    let settings = settings("http://unused");
    assert_eq!(
        settings.verify_subscription(&query(&[
            ("hub.mode", "subscribe"),
            ("hub.verify_token", VERIFY_TOKEN),
            ("hub.challenge", "1158201444"),
        ])),
        Ok("1158201444".to_owned())
    );
}

#[test]
fn the_verification_handshake_refuses_a_wrong_or_missing_token() {
    let settings = settings("http://unused");
    assert_eq!(
        settings.verify_subscription(&query(&[
            ("hub.mode", "subscribe"),
            ("hub.verify_token", "guess"),
            ("hub.challenge", "1158201444"),
        ])),
        Err(WebhookError::BadVerifyToken)
    );
    assert_eq!(
        settings.verify_subscription(&query(&[
            ("hub.mode", "subscribe"),
            ("hub.challenge", "1158201444"),
        ])),
        Err(WebhookError::BadVerifyToken)
    );
    assert_eq!(
        settings.verify_subscription(&query(&[
            ("hub.mode", "unsubscribe"),
            ("hub.verify_token", VERIFY_TOKEN),
            ("hub.challenge", "1158201444"),
        ])),
        Err(WebhookError::Malformed("hub.mode".to_owned()))
    );
}

#[test]
fn a_valid_signature_is_accepted() {
    let body = fixture("whatsapp_text.json");
    let header = sha256_hex_signature_header(APP_SECRET.as_bytes(), &body);
    assert_eq!(
        settings("http://unused").verify_signature(&body, Some(&header)),
        Ok(())
    );
    // Meta sends lower-case hex, but upper case is the same digest.
    assert_eq!(
        settings("http://unused").verify_signature(
            &body,
            Some(&header.to_uppercase().replace("SHA256=", "sha256="))
        ),
        Ok(())
    );
}

#[test]
fn an_invalid_or_missing_signature_is_refused() {
    let body = fixture("whatsapp_text.json");
    let settings = settings("http://unused");
    let signed_by_someone_else = sha256_hex_signature_header(b"another secret", &body);
    let mut tampered_body = body.clone();
    tampered_body.extend_from_slice(b" ");
    let header = sha256_hex_signature_header(APP_SECRET.as_bytes(), &body);

    assert_eq!(
        settings.verify_signature(&body, Some(&signed_by_someone_else)),
        Err(WebhookError::BadSignature)
    );
    assert_eq!(
        settings.verify_signature(&tampered_body, Some(&header)),
        Err(WebhookError::BadSignature)
    );
    assert_eq!(
        settings.verify_signature(&body, None),
        Err(WebhookError::BadSignature)
    );
    assert_eq!(
        settings.verify_signature(&body, Some(header.trim_start_matches("sha256="))),
        Err(WebhookError::BadSignature)
    );
}

// ----- Webhook payloads -----------------------------------------------------------------------

fn messages(events: &[InboundEvent]) -> Vec<&InboundMessage> {
    events
        .iter()
        .map(|event| match event {
            InboundEvent::Message(message) => message,
            other => panic!("expected only messages, got {other:?}"),
        })
        .collect()
}

#[test]
fn a_text_message_becomes_an_inbound_message() {
    let events = parse_webhook(&fixture("whatsapp_text.json")).expect("parsed");

    assert_eq!(
        events,
        vec![InboundEvent::Message(InboundMessage {
            channel: Channel::Whatsapp,
            provider_message_id: "wamid.HBgMOTY2NTAwMDAwMDAxFQIAEhggNDFCMkMzRDRFNUY2QTdCOEM5RDA="
                .to_owned(),
            sender: Sender {
                address: "+966500000001".to_owned(),
                display_name: Some("نورة الفهد".to_owned()),
                phone: Some("+966500000001".to_owned()),
                email: None,
            },
            subject: None,
            body_text: "السلام عليكم، لم تصلني شهادة دورة السلامة المهنية حتى الآن.".to_owned(),
            attachments: Vec::new(),
            thread: ThreadHints::default(),
            sent_at: Some(at("2026-01-01T08:00:00Z")),
            unsupported_type: None,
        })]
    );
}

#[test]
fn media_messages_record_the_media_id_and_type() {
    let events = parse_webhook(&fixture("whatsapp_media.json")).expect("parsed");
    let messages = messages(&events);

    let bodies: Vec<&str> = messages
        .iter()
        .map(|message| message.body_text.as_str())
        .collect();
    assert_eq!(
        bodies,
        vec![
            "صورة إيصال الدفع\n\n[WhatsApp image: media id 1003383421387256, image/jpeg]",
            "[WhatsApp document “invoice-2026-001.pdf”: media id 1003383421387257, application/pdf]",
            "[WhatsApp voice note: media id 1003383421387258, audio/ogg; codecs=opus]",
            "[WhatsApp video: media id 1003383421387259, video/mp4]",
            "[WhatsApp sticker: media id 1003383421387260, image/webp]",
        ]
    );
    assert!(
        messages
            .iter()
            .all(|message| message.unsupported_type.is_none())
    );
    assert!(
        messages
            .iter()
            .all(|message| message.sender.display_name.as_deref() == Some("Khalid Al-Otaibi"))
    );
}

#[test]
fn interactive_replies_become_their_titles() {
    let events = parse_webhook(&fixture("whatsapp_interactive.json")).expect("parsed");
    let messages = messages(&events);

    let bodies: Vec<&str> = messages
        .iter()
        .map(|message| message.body_text.as_str())
        .collect();
    assert_eq!(bodies, vec!["راضٍ عن الحل", "الشهادات", "Reopen my request"]);
    assert!(
        messages
            .iter()
            .all(|message| message.unsupported_type.is_none())
    );
}

#[test]
fn unknown_and_unsupported_types_are_recorded_with_a_note() {
    let events = parse_webhook(&fixture("whatsapp_unknown_types.json")).expect("parsed");
    let messages = messages(&events);

    let recorded: Vec<(Option<&str>, &str)> = messages
        .iter()
        .map(|message| {
            (
                message.unsupported_type.as_deref(),
                message.body_text.as_str(),
            )
        })
        .collect();
    assert_eq!(
        recorded,
        vec![
            (
                Some("reaction"),
                "[WhatsApp reaction 👍 to message wamid.OUTBOUND-0009]"
            ),
            (
                Some("location"),
                "[WhatsApp location: 24.7136, 46.6753 — Training Centre — King Fahd Road, Riyadh]"
            ),
            (
                Some("contacts"),
                "[WhatsApp contact card: Mona Al-Saleh (+966500000005)]"
            ),
            (
                Some("unsupported"),
                "[WhatsApp message that the Cloud API does not support: Message type is currently not supported.]"
            ),
            (
                Some("order"),
                "[WhatsApp message of type “order” that Sanad does not display]"
            ),
        ]
    );
}

#[test]
fn several_messages_in_one_payload_keep_their_order_and_senders() {
    let events = parse_webhook(&fixture("whatsapp_several_messages.json")).expect("parsed");
    let messages = messages(&events);

    let summary: Vec<(&str, &str, Option<&str>)> = messages
        .iter()
        .map(|message| {
            (
                message.provider_message_id.as_str(),
                message.sender.address.as_str(),
                message.sender.display_name.as_deref(),
            )
        })
        .collect();
    // The template review change in the second entry is not a message and is skipped.
    assert_eq!(
        summary,
        vec![
            (
                "wamid.SEVERAL-0001",
                "+966500000006",
                Some("Huda Al-Dosari")
            ),
            (
                "wamid.SEVERAL-0002",
                "+966500000007",
                Some("Omar Al-Shehri")
            ),
            (
                "wamid.SEVERAL-0003",
                "+966500000006",
                Some("Huda Al-Dosari")
            ),
        ]
    );
}

#[test]
fn a_duplicated_payload_gives_identical_events_and_ids() {
    for name in [
        "whatsapp_text.json",
        "whatsapp_media.json",
        "whatsapp_interactive.json",
        "whatsapp_unknown_types.json",
        "whatsapp_several_messages.json",
        "whatsapp_statuses_out_of_order.json",
    ] {
        let body = fixture(name);
        assert_eq!(parse_webhook(&body), parse_webhook(&body.clone()), "{name}");
    }
}

#[test]
fn statuses_arriving_out_of_order_are_each_reported() {
    let events = parse_webhook(&fixture("whatsapp_statuses_out_of_order.json")).expect("parsed");
    let report = |id: &str, state, instant: &str, detail: Option<&str>| {
        InboundEvent::Delivery(DeliveryReport {
            channel: Channel::Whatsapp,
            provider_message_id: id.to_owned(),
            state,
            at: at(instant),
            detail: detail.map(str::to_owned),
        })
    };

    assert_eq!(
        events,
        vec![
            report(
                "wamid.OUTBOUND-0001",
                DeliveryState::Delivered,
                "2026-01-01T08:05:10Z",
                None
            ),
            report(
                "wamid.OUTBOUND-0001",
                DeliveryState::Sent,
                "2026-01-01T08:05:05Z",
                None
            ),
            report(
                "wamid.OUTBOUND-0001",
                DeliveryState::Read,
                "2026-01-01T08:06:00Z",
                None
            ),
            report(
                "wamid.OUTBOUND-0002",
                DeliveryState::Failed,
                "2026-01-01T08:06:10Z",
                Some("(#131026) Message undeliverable")
            ),
        ]
    );
}

#[test]
fn a_status_value_added_later_is_skipped_not_refused() {
    let body = json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "1", "changes": [{ "field": "messages", "value": {
            "statuses": [{ "id": "wamid.X", "status": "held_for_review", "timestamp": "1767254400" }]
        }}]}]
    });
    assert_eq!(parse_webhook(body.to_string().as_bytes()), Ok(Vec::new()));
}

#[test]
fn malformed_payloads_name_the_missing_field() {
    let without_id = json!({
        "object": "whatsapp_business_account",
        "entry": [{ "id": "1", "changes": [{ "field": "messages", "value": {
            "messages": [
                { "from": "966500000001", "id": "wamid.A", "timestamp": "1767254400", "type": "text", "text": { "body": "a" } },
                { "from": "966500000001", "timestamp": "1767254400", "type": "text", "text": { "body": "b" } }
            ]
        }}]}]
    });
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"not json".to_vec(), "body"),
        (b"[]".to_vec(), "body"),
        (json!({ "object": "page", "entry": [] }).to_string().into_bytes(), "object"),
        (
            json!({ "object": "whatsapp_business_account" }).to_string().into_bytes(),
            "entry",
        ),
        (
            without_id.to_string().into_bytes(),
            "entry[0].changes[0].value.messages[1].id",
        ),
        (
            json!({
                "object": "whatsapp_business_account",
                "entry": [{ "changes": [{ "field": "messages", "value": { "messages": {} } }] }]
            })
            .to_string()
            .into_bytes(),
            "entry[0].changes[0].value.messages",
        ),
        (
            json!({
                "object": "whatsapp_business_account",
                "entry": [{ "changes": [{ "field": "messages", "value": { "messages": [
                    { "from": "+966500000001", "id": "wamid.A", "timestamp": "1", "type": "text", "text": { "body": "a" } }
                ] } }] }]
            })
            .to_string()
            .into_bytes(),
            "entry[0].changes[0].value.messages[0].from",
        ),
        (
            json!({
                "object": "whatsapp_business_account",
                "entry": [{ "changes": [{ "field": "messages", "value": { "messages": [
                    { "from": "966500000001", "id": "wamid.A", "timestamp": "soon", "type": "text", "text": { "body": "a" } }
                ] } }] }]
            })
            .to_string()
            .into_bytes(),
            "entry[0].changes[0].value.messages[0].timestamp",
        ),
    ];
    for (body, path) in cases {
        assert_eq!(
            parse_webhook(&body),
            Err(WebhookError::Malformed(path.to_owned())),
            "{}",
            String::from_utf8_lossy(&body)
        );
    }
}
