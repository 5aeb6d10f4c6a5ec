//! The delivery state staff see on a ticket while a messaging provider is down: a WhatsApp
//! receipt that failed for now (the provider asked to wait) shows as pending with the failure and
//! the time of the next attempt; an SMS refused for good shows as failed with the gateway's
//! reason and no next attempt. In Arabic and in English, on both backends.

mod support;

use jiff::SignedDuration;
use reqwest::StatusCode;
use sanad_domain::notifications::RequesterNotification;
use sanad_domain::{
    Channel, MessageBody, PersonName, PhoneNumber, RequesterType, Subject, TicketKind,
};
use sanad_store::{
    Actor, AttemptOutcome, ChannelSetting, ChannelState, InboundRecord, InboundSender,
    IngestOutcome, NewRequester, NewTicket, RequesterContact,
};
use sanad_web::Clock;
use support::{Backend, PASSWORD, between, browser, get_text, sign_in, spawn_ui_app};

on_both_backends!(staff_see_a_provider_outage_on_the_ticket);

const WHATSAPP_FAILURE: &str =
    "WhatsApp Cloud API: HTTP 429 (#4) Application request limit reached";
const SMS_FAILURE: &str = "SMS gateway: HTTP 400 invalid recipient: not a mobile number";

/// The entry of the deliveries section that mentions `channel`.
fn entry<'a>(section: &'a str, channel: &str) -> &'a str {
    section
        .split("<li class=\"delivery\">")
        .find(|entry| entry.contains(channel))
        .unwrap_or_else(|| panic!("no {channel} entry in {section}"))
}

async fn staff_see_a_provider_outage_on_the_ticket(backend: Backend) {
    let app = spawn_ui_app(backend, "2026-11-22T06:00:00Z").await;
    let store = &app.store;
    let org = &app.diplomas;
    for (channel, address) in [
        (Channel::Whatsapp, "+966112345678"),
        (Channel::Sms, "SANAD"),
    ] {
        store
            .set_channel_setting(
                org.id,
                &ChannelSetting {
                    channel,
                    state: ChannelState::Enabled,
                    address: address.into(),
                },
            )
            .await
            .unwrap();
    }
    let now = app.clock.now();
    // A requester writes on WhatsApp; the receipt goes back on WhatsApp.
    let body = "السلام عليكم، لم تصلني شهادة الدورة.";
    let IngestOutcome::Created {
        ticket: whatsapp_ticket,
        ..
    } = store
        .ingest_inbound(
            org,
            &InboundRecord {
                channel: Channel::Whatsapp,
                provider_message_id: "wamid.DESK-1".into(),
                sender: InboundSender {
                    address: "+966500000201".into(),
                    name: Some("فهد الشهري".into()),
                    email: None,
                    phone: Some(PhoneNumber::parse("+966500000201").unwrap()),
                },
                subject: Subject::parse(body).unwrap(),
                body: MessageBody::parse(body).unwrap(),
                attachments: Vec::new(),
                mail: None,
                conversation_id: None,
                kind_for_new_ticket: TicketKind::Inquiry,
            },
            now,
        )
        .await
        .unwrap()
    else {
        panic!("expected a new ticket")
    };
    // A requester who gave only a phone number is told by SMS.
    let sms_ticket = store
        .create_ticket(
            org,
            &NewTicket {
                kind: TicketKind::Inquiry,
                channel: Channel::WebForm,
                subject: Subject::parse("استفسار عن موعد الاختبار").unwrap(),
                body: MessageBody::parse("متى موعد الاختبار النهائي؟").unwrap(),
                category: None,
                requester: NewRequester {
                    name: PersonName::parse("نورة الحربي").unwrap(),
                    contact: RequesterContact::Phone(PhoneNumber::parse("+966510000299").unwrap()),
                    requester_type: RequesterType::Trainee,
                },
                attachments: Vec::new(),
            },
            None,
            &Actor::NewRequester {
                name: "نورة الحربي".into(),
            },
            now,
        )
        .await
        .unwrap()
        .ticket;

    // The outbox worker's first pass: WhatsApp is throttled and asked for ten minutes, the SMS
    // gateway refuses the number for good.
    let claimed = store
        .claim_outbox("desk-test", now, SignedDuration::from_mins(2), 10)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 2, "{claimed:?}");
    let retry_at = now + SignedDuration::from_mins(10);
    for item in &claimed {
        assert_eq!(item.kind, RequesterNotification::Receipt);
        let outcome = match item.channel {
            Channel::Whatsapp => AttemptOutcome::TransientFailure {
                detail: WHATSAPP_FAILURE.into(),
                retry_at: Some(retry_at),
            },
            Channel::Sms => AttemptOutcome::PermanentFailure {
                detail: SMS_FAILURE.into(),
            },
            other => panic!("unexpected channel {other}"),
        };
        store
            .record_outbox_attempt(item, &outcome, now)
            .await
            .unwrap();
    }
    app.clock.advance(SignedDuration::from_mins(1));

    let agent = browser();
    sign_in(&app, &agent, "agent.students@example.sa", PASSWORD).await;

    // The WhatsApp receipt waits: pending, the failure, and when it is tried next.
    let path = format!("/o/diplomas/desk/tickets/{}", whatsapp_ticket.number);
    let (status, page) = get_text(&agent, &app.url(&path)).await;
    assert_eq!(status, StatusCode::OK);
    let section = between(&page, "id=\"deliveries\"", "</section>");
    let waiting = entry(&section, "واتساب");
    assert!(waiting.contains("إشعار الاستلام"), "{waiting}");
    assert!(waiting.contains("+966500000201"), "{waiting}");
    assert!(waiting.contains("قيد الإرسال"), "{waiting}");
    assert!(waiting.contains("status-waiting"), "{waiting}");
    assert!(waiting.contains("تعذّرت مؤقتًا"), "{waiting}");
    assert!(waiting.contains(WHATSAPP_FAILURE), "{waiting}");
    assert!(waiting.contains("المحاولة التالية في"), "{waiting}");
    assert!(
        waiting.contains(&format!("datetime=\"{retry_at}\"")),
        "{waiting}"
    );

    let (status, english) = get_text(&agent, &app.url(&format!("{path}?lang=en"))).await;
    assert_eq!(status, StatusCode::OK);
    let section = between(&english, "id=\"deliveries\"", "</section>");
    let waiting = entry(&section, "WhatsApp");
    assert!(waiting.contains("Pending"), "{waiting}");
    assert!(waiting.contains("Failed for now"), "{waiting}");
    assert!(waiting.contains("Next attempt"), "{waiting}");
    assert!(
        waiting.contains(&format!("datetime=\"{retry_at}\"")),
        "{waiting}"
    );

    // The SMS refused for good: failed, open, with the gateway's reason and no next attempt.
    let path = format!("/o/diplomas/desk/tickets/{}?lang=en", sms_ticket.number);
    let (status, page) = get_text(&agent, &app.url(&path)).await;
    assert_eq!(status, StatusCode::OK);
    let section = between(&page, "id=\"deliveries\"", "</section>");
    let failed = entry(&section, "SMS");
    assert!(failed.contains("+966510000299"), "{failed}");
    assert!(failed.contains("status-failed"), "{failed}");
    assert!(failed.contains("<details open>"), "{failed}");
    assert!(failed.contains("Failed for good"), "{failed}");
    assert!(failed.contains(SMS_FAILURE), "{failed}");
    assert!(!failed.contains("Next attempt"), "{failed}");
}
