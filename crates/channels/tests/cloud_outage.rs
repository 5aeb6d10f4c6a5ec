//! Outages of the messaging providers, end to end on both database backends: requesters'
//! notifications are queued by real ticket events (a WhatsApp message that opens a ticket, a
//! web-form ticket of a requester known only by phone, an agent's reply), the WhatsApp Cloud API
//! and the SMS gateway go down (the WhatsApp fake answers 503, 429 and 500 with and without
//! `Retry-After`; the SMS gateway refuses connections, then answers 503), and the outbox worker
//! runs its passes on simulated time.
//!
//! While they are down nothing is accepted, every attempt is recorded as a transient failure,
//! and the ticket's delivery view (the one the desk's page shows staff) says when the next
//! attempt is due — no sooner than the provider's `Retry-After`. Once they are back, every
//! notification is accepted exactly once and never sent again after that; a recipient the
//! provider refuses for good (a 400) fails at once and is not retried.
//!
//! The fakes are the contract fakes of `cloud_support`: a request of the wrong shape or with a
//! wrong signature is refused with a 400, which would show up here as a permanent failure.

mod cloud_support;
#[path = "../../store/tests/support/mod.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::http::StatusCode;
use cloud_support::{
    Contract, FakeProvider, Outage, RecordedRequest, check_json_call, exact_keys, graph_error,
    graph_rejection,
};
use hmac::{Hmac, KeyInit, Mac};
use jiff::{SignedDuration, Timestamp};
use sanad_channels::notify::NotificationSettings;
use sanad_channels::outbox::{OutboxRun, OutboxSettings, OutboxWorker, RetryPolicy};
use sanad_channels::registry::ConfiguredAdapters;
use sanad_domain::{
    Channel, MessageBody, MessageKind, PersonName, PhoneNumber, RequesterType, StaffRole, Subject,
    TicketKind,
};
use sanad_store::*;
use serde_json::{Value, json};
use sha2::Sha256;
use support::{TestDb, at};

on_both_backends!(
    notifications_wait_out_an_outage_and_are_delivered_once_when_the_providers_return,
);

const PHONE_NUMBER_ID: &str = "106540352242922";
const ACCESS_TOKEN: &str = "wa-access-token-for-outage-tests";
const SMS_API_KEY: &str = "sms-api-key-for-outage-tests";
const SMS_SIGNING_SECRET: &str = "sms-signing-secret-for-outage-tests";

/// Requesters per channel whose notifications must all arrive.
const REQUESTERS: usize = 12;
/// The WhatsApp number the Cloud API refuses for good (not in the allowed list).
const REFUSED_WHATSAPP: &str = "+966500000999";
/// The phone number the SMS gateway refuses for good.
const REFUSED_SMS: &str = "+966510000999";

/// The step of the simulated clock between two worker passes.
const STEP: SignedDuration = SignedDuration::from_secs(30);

fn whatsapp_number(index: usize) -> String {
    format!("+9665000001{index:02}")
}

fn sms_number(index: usize) -> String {
    format!("+9665100001{index:02}")
}

// ----- The fakes' contracts -----------------------------------------------------------------
//
// The notifications of this test are all free text inside the 24-hour window (WhatsApp) and
// signed requests (SMS), so these contracts are the strict subsets of those in
// cloud_whatsapp.rs and cloud_sms.rs that such requests must meet.

fn check_whatsapp_text(request: &RecordedRequest) -> Result<(), String> {
    let body = check_json_call(
        request,
        &format!("/v21.0/{PHONE_NUMBER_ID}/messages"),
        &format!("Bearer {ACCESS_TOKEN}"),
    )?;
    exact_keys(
        &body,
        "body",
        &["messaging_product", "recipient_type", "to", "type", "text"],
    )?;
    if body["messaging_product"] != "whatsapp"
        || body["recipient_type"] != "individual"
        || body["type"] != "text"
    {
        return Err("messaging_product, recipient_type or type is wrong".to_owned());
    }
    let to = body["to"].as_str().unwrap_or_default();
    if to.is_empty() || !to.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err("to must be the number's digits".to_owned());
    }
    exact_keys(&body["text"], "text", &["preview_url", "body"])?;
    if body["text"]["body"].as_str().is_none_or(str::is_empty) {
        return Err("text.body must be a non-empty string".to_owned());
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
            "messages": [{ "id": format!("wamid.OUTAGE-{sequence:04}") }],
        }),
    )
}

fn check_signed_sms(request: &RecordedRequest) -> Result<(), String> {
    let body = check_json_call(request, "/v1/sms", &format!("Bearer {SMS_API_KEY}"))?;
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
    let mut mac = Hmac::<Sha256>::new_from_slice(SMS_SIGNING_SECRET.as_bytes()).expect("a key");
    mac.update(&request.body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    if request.header("x-sanad-signature") != Some(expected.as_str()) {
        return Err("X-Sanad-Signature does not match the body".to_owned());
    }
    Ok(())
}

fn sms_success(request: &RecordedRequest, _sequence: usize) -> (StatusCode, Value) {
    let key = request.header("idempotency-key").unwrap_or_default();
    (StatusCode::ACCEPTED, json!({ "id": format!("gw-{key}") }))
}

fn sms_rejection(violation: &str) -> Value {
    json!({ "error": violation })
}

/// How the WhatsApp fake tells one notification from another: the recipient and the text
/// (each requester gets a receipt and a reply, with different texts). The Cloud API has no
/// idempotency key, so this is what "sent twice" means for it.
fn whatsapp_key(request: &RecordedRequest) -> String {
    let body = request.json();
    format!(
        "{} {}",
        body["to"].as_str().unwrap_or_default(),
        body["text"]["body"].as_str().unwrap_or_default()
    )
}

/// The SMS gateway's idempotency key names the notification; the recipient is added so that
/// the refused number can be told apart.
fn sms_key(request: &RecordedRequest) -> String {
    format!(
        "{} {}",
        request.json()["to"].as_str().unwrap_or_default(),
        request.header("idempotency-key").unwrap_or_default()
    )
}

/// Checks the exchanges of one notification, in order: failures while the provider was down,
/// then exactly one success, which is the last request of it ever made. Returns how many
/// notifications were accepted.
fn assert_each_accepted_once(
    exchanges: &[(RecordedRequest, StatusCode)],
    key: fn(&RecordedRequest) -> String,
    refused: &str,
) -> usize {
    let mut by_key: BTreeMap<String, Vec<StatusCode>> = BTreeMap::new();
    for (request, status) in exchanges {
        by_key.entry(key(request)).or_default().push(*status);
    }
    let mut accepted = 0;
    for (notification, statuses) in &by_key {
        if notification.contains(refused) {
            // Refused for good: one 400 after the outage, never tried again.
            assert_eq!(
                statuses.iter().filter(|status| status.is_success()).count(),
                0,
                "{notification}: {statuses:?}"
            );
            assert_eq!(
                statuses.last(),
                Some(&StatusCode::BAD_REQUEST),
                "{notification}: {statuses:?}"
            );
            assert_eq!(
                statuses
                    .iter()
                    .filter(|status| **status == StatusCode::BAD_REQUEST)
                    .count(),
                1,
                "{notification}: {statuses:?}"
            );
            continue;
        }
        let successes = statuses.iter().filter(|status| status.is_success()).count();
        assert_eq!(successes, 1, "{notification}: {statuses:?}");
        assert!(
            statuses.last().is_some_and(StatusCode::is_success),
            "{notification} was sent again after it was accepted: {statuses:?}"
        );
        assert!(
            statuses.len() > 1,
            "{notification} was attempted during the outage too: {statuses:?}"
        );
        accepted += 1;
    }
    accepted
}

// ----- The desk -----------------------------------------------------------------------------

struct Desk {
    store: Store,
    org: Organization,
    agent: Actor,
    whatsapp_tickets: Vec<TicketSummary>,
    sms_tickets: Vec<TicketSummary>,
}

/// An organization whose WhatsApp and SMS channels point at the fakes; e-mail is not enabled,
/// so a requester known only by phone is told by SMS.
async fn desk(db: &TestDb, whatsapp: &FakeProvider, sms: &FakeProvider) -> Desk {
    let store = db.store.clone();
    let start = at("2026-11-01T00:00:00Z");
    let org = support::organization_with_policy(
        &store,
        &support::new_organization("diplomas", "منصة الدبلومات", "DIP"),
        "seed-004-diplomas-platform.toml",
        &support::policy_file("seed-004-diplomas-platform.toml"),
        start,
    )
    .await;
    for (channel, address, settings) in [
        (
            Channel::Whatsapp,
            "+966112345678",
            json!({
                "base_url": format!("{}/v21.0", whatsapp.base_url),
                "phone_number_id": PHONE_NUMBER_ID,
                "access_token": ACCESS_TOKEN,
                "app_secret": "wa-app-secret-for-outage-tests",
                "verify_token": "wa-verify-token-for-outage-tests",
            }),
        ),
        (
            Channel::Sms,
            "SANAD",
            json!({
                "url": format!("{}/v1/sms", sms.base_url),
                "api_key": SMS_API_KEY,
                "sender_id": "SANAD",
                "signing_secret": SMS_SIGNING_SECRET,
            }),
        ),
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
        store
            .set_channel_credentials(org.id, channel, &settings, start)
            .await
            .unwrap();
    }
    let user = store
        .create_user(
            org.id,
            &NewUser {
                email: sanad_domain::EmailAddress::parse("agent@example.sa").unwrap(),
                name: PersonName::parse("سارة القحطاني").unwrap(),
                role: StaffRole::Agent,
                departments: Vec::new(),
                password_hash: None,
            },
            start,
        )
        .await
        .unwrap();
    let org = store
        .organization_by_slug("diplomas")
        .await
        .unwrap()
        .unwrap();
    Desk {
        store,
        org,
        agent: Actor::Staff {
            id: user.id,
            name: user.name,
        },
        whatsapp_tickets: Vec::new(),
        sms_tickets: Vec::new(),
    }
}

/// A requester's WhatsApp message opens a ticket (its receipt goes back on WhatsApp).
async fn whatsapp_ticket(desk: &Desk, number: &str, index: usize, now: Timestamp) -> TicketSummary {
    let body = format!("السلام عليكم، لم تصلني شهادة الدورة رقم {index}.");
    let record = InboundRecord {
        channel: Channel::Whatsapp,
        provider_message_id: format!("wamid.IN-{index:04}"),
        sender: InboundSender {
            address: number.into(),
            name: Some("فهد الشهري".into()),
            email: None,
            phone: Some(PhoneNumber::parse(number).unwrap()),
        },
        subject: Subject::parse(&body).unwrap(),
        body: MessageBody::parse(&body).unwrap(),
        attachments: Vec::new(),
        mail: None,
        conversation_id: None,
        kind_for_new_ticket: TicketKind::Inquiry,
    };
    match desk
        .store
        .ingest_inbound(&desk.org, &record, now)
        .await
        .unwrap()
    {
        IngestOutcome::Created { ticket, .. } => ticket,
        other => panic!("expected a new ticket, got {other:?}"),
    }
}

/// A web-form complaint of a requester who gave only a phone number (told by SMS).
async fn sms_ticket(desk: &Desk, number: &str, index: usize, now: Timestamp) -> TicketSummary {
    desk.store
        .create_ticket(
            &desk.org,
            &NewTicket {
                kind: TicketKind::Complaint,
                channel: Channel::WebForm,
                subject: Subject::parse(&format!("تأخر اعتماد الدرجات {index}")).unwrap(),
                body: MessageBody::parse("لم تُعتمد درجاتي حتى الآن.").unwrap(),
                category: None,
                requester: NewRequester {
                    name: PersonName::parse("نورة الحربي").unwrap(),
                    contact: RequesterContact::Phone(PhoneNumber::parse(number).unwrap()),
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
        .ticket
}

async fn public_reply(desk: &Desk, number: &str, now: Timestamp) {
    desk.store
        .add_message(
            &desk.org,
            number,
            &NewMessage {
                kind: MessageKind::PublicReply,
                body: MessageBody::parse("تم تحديث بياناتك، يمكنك الدخول الآن.").unwrap(),
                attachments: Vec::new(),
            },
            &desk.agent,
            now,
        )
        .await
        .unwrap();
}

fn worker(store: &Store) -> OutboxWorker {
    OutboxWorker::new(
        store.clone(),
        Arc::new(ConfiguredAdapters::new(
            store.clone(),
            reqwest::Client::new(),
        )),
        OutboxSettings {
            instance: "outage-test".into(),
            batch_size: 500,
            lease: SignedDuration::from_mins(2),
            retry: RetryPolicy::default(),
            concurrency: 8,
            notifications: NotificationSettings {
                public_url: "https://desk.example.sa".into(),
                mail_domain: "desk.example.sa".into(),
            },
        },
    )
}

/// The delivery view of every ticket of a channel, as the desk shows it.
async fn deliveries(desk: &Desk, tickets: &[TicketSummary]) -> Vec<DeliveryRecord> {
    let mut all = Vec::new();
    for ticket in tickets {
        all.extend(desk.store.ticket_deliveries(ticket.id).await.unwrap());
    }
    all
}

/// Checks that every notification of `tickets` waits for a retry at `next_attempt`, with
/// `attempts` transient failures recorded, the last one explained by `detail`.
async fn assert_waiting(
    desk: &Desk,
    tickets: &[TicketSummary],
    attempts: i64,
    detail: &str,
    next_attempt: Timestamp,
) {
    let records = deliveries(desk, tickets).await;
    assert!(!records.is_empty());
    for record in &records {
        assert_eq!(record.state, "pending", "{record:?}");
        assert_eq!(record.next_attempt_at, next_attempt, "{record:?}");
        assert_eq!(record.attempts.len() as i64, attempts, "{record:?}");
        assert!(
            record
                .attempts
                .iter()
                .all(|attempt| attempt.outcome == "transient_failure"),
            "{record:?}"
        );
        let last = record.attempts.last().unwrap();
        assert!(last.detail.contains(detail), "{detail:?} in {record:?}");
    }
}

async fn notifications_wait_out_an_outage_and_are_delivered_once_when_the_providers_return(
    db: TestDb,
) {
    let whatsapp = FakeProvider::start(Contract {
        check_request: check_whatsapp_text,
        success: whatsapp_success,
        rejection: graph_rejection,
    })
    .await;
    let sms = FakeProvider::start(Contract {
        check_request: check_signed_sms,
        success: sms_success,
        rejection: sms_rejection,
    })
    .await;
    whatsapp.refuse(|request| {
        (request.json()["to"] == REFUSED_WHATSAPP.trim_start_matches('+')).then(|| {
            (
                StatusCode::BAD_REQUEST,
                graph_error(
                    131030,
                    None,
                    "(#131030) Recipient phone number not in allowed list",
                ),
            )
        })
    });
    sms.refuse(|request| {
        (request.json()["to"] == REFUSED_SMS).then(|| {
            (
                StatusCode::BAD_REQUEST,
                json!({ "error": "invalid recipient: not a mobile number" }),
            )
        })
    });
    let mut desk = desk(&db, &whatsapp, &sms).await;

    // Tickets open in the morning; the agent answers each a few minutes later. Every ticket
    // queues a receipt and a reply; the refused numbers only a receipt.
    let opened = at("2026-11-22T06:00:00Z");
    for index in 0..REQUESTERS {
        let now = opened + SignedDuration::from_secs(index as i64);
        let ticket = whatsapp_ticket(&desk, &whatsapp_number(index), index, now).await;
        desk.whatsapp_tickets.push(ticket);
        let ticket = sms_ticket(&desk, &sms_number(index), index, now).await;
        desk.sms_tickets.push(ticket);
    }
    for ticket in desk.whatsapp_tickets.iter().chain(&desk.sms_tickets) {
        public_reply(
            &desk,
            &ticket.number,
            opened + SignedDuration::from_mins(10),
        )
        .await;
    }
    let refused_whatsapp = whatsapp_ticket(&desk, REFUSED_WHATSAPP, 99, opened).await;
    let refused_sms = sms_ticket(&desk, REFUSED_SMS, 99, opened).await;
    let notifications = 4 * REQUESTERS + 2;
    assert_eq!(
        desk.store.outbox_counts().await.unwrap().pending,
        notifications as i64
    );

    // Both providers go down: the Cloud API answers 503 asking for two minutes; the SMS
    // gateway's port refuses connections.
    whatsapp.set_outage(Some(Outage {
        status: StatusCode::SERVICE_UNAVAILABLE,
        retry_after: Some("120".into()),
        body: graph_error(2, None, "Service temporarily unavailable"),
    }));
    sms.stop_listening().await;
    let worker = worker(&desk.store);
    let down = opened + SignedDuration::from_mins(15);
    let run = worker.drain(down, 10).await.unwrap();
    assert_eq!(
        run,
        OutboxRun {
            claimed: notifications,
            delivered: 0,
            retried: notifications,
            failed: 0
        }
    );
    assert!(whatsapp.accepted_requests().is_empty());
    assert_eq!(whatsapp.requests().len(), 2 * REQUESTERS + 1);
    assert!(sms.requests().is_empty());
    // Staff see each notification waiting, why, and when it is tried next: after the
    // provider's two minutes on WhatsApp (the back-off alone would say 30 seconds), after the
    // 30-second back-off on SMS.
    assert_waiting(
        &desk,
        &desk.whatsapp_tickets,
        1,
        "WhatsApp Cloud API: HTTP 503 (#2) Service temporarily unavailable",
        down + SignedDuration::from_secs(120),
    )
    .await;
    assert_waiting(
        &desk,
        &desk.sms_tickets,
        1,
        "SMS gateway: no answer",
        down + STEP,
    )
    .await;
    // Nothing is due again at once.
    assert_eq!(worker.drain(down, 10).await.unwrap(), OutboxRun::default());

    // The outage, pass by pass on the simulated clock: WhatsApp moves on to a 429 whose
    // Retry-After is a date, then to plain 500s; the SMS gateway's port opens after five
    // minutes but answers 503 asking for fifteen. Everything comes back after twenty minutes.
    let back = down + SignedDuration::from_mins(20);
    let whatsapp_throttled_until = down + SignedDuration::from_mins(10);
    let mut now = down;
    while now < back {
        now += STEP;
        let elapsed = now.duration_since(down).as_secs();
        if elapsed == 120 {
            whatsapp.set_outage(Some(Outage {
                status: StatusCode::TOO_MANY_REQUESTS,
                retry_after: Some(
                    jiff::fmt::rfc2822::DateTimePrinter::new()
                        .timestamp_to_rfc9110_string(&whatsapp_throttled_until)
                        .unwrap(),
                ),
                body: graph_error(4, None, "Application request limit reached"),
            }));
        }
        if elapsed == 300 {
            sms.resume_listening().await;
            sms.set_outage(Some(Outage {
                status: StatusCode::SERVICE_UNAVAILABLE,
                retry_after: Some("900".into()),
                body: json!({ "error": "maintenance" }),
            }));
        }
        let whatsapp_before = whatsapp.requests().len();
        let run = worker.drain(now, 10).await.unwrap();
        assert_eq!(
            (run.delivered, run.failed),
            (0, 0),
            "at +{elapsed}s: {run:?}"
        );
        if elapsed == 30 {
            // Only SMS was due: WhatsApp's Retry-After keeps it away from the provider.
            assert_eq!(run.claimed, 2 * REQUESTERS + 1);
            assert_eq!(whatsapp.requests().len(), whatsapp_before);
        }
        if elapsed == 120 {
            assert_waiting(
                &desk,
                &desk.whatsapp_tickets,
                2,
                "HTTP 429 (#4) Application request limit reached",
                whatsapp_throttled_until,
            )
            .await;
            whatsapp.set_outage(Some(Outage {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                retry_after: None,
                body: graph_error(1, None, "An unknown error occurred"),
            }));
        }
        if elapsed == 450 {
            // Attempts at 0, 30, 90 and 210 s found no listener; this one a 503 asking for 900
            // seconds, longer than the 480-second back-off after four failures.
            assert_waiting(
                &desk,
                &desk.sms_tickets,
                5,
                "SMS gateway: HTTP 503 maintenance",
                now + SignedDuration::from_secs(900),
            )
            .await;
        }
    }
    assert!(whatsapp.accepted_requests().is_empty());
    assert!(sms.accepted_requests().is_empty());
    let counts = desk.store.outbox_counts().await.unwrap();
    assert_eq!(
        (counts.pending, counts.delivered, counts.failed),
        (notifications as i64, 0, 0)
    );

    // The providers are back. Passes go on every 30 simulated seconds until nothing is left,
    // within the hour that the longest back-off step allows.
    whatsapp.set_outage(None);
    sms.set_outage(None);
    let deadline = back + SignedDuration::from_hours(1);
    while desk.store.outbox_counts().await.unwrap().pending > 0 {
        assert!(now < deadline, "still pending at {now}");
        now += STEP;
        worker.drain(now, 10).await.unwrap();
    }
    let counts = desk.store.outbox_counts().await.unwrap();
    assert_eq!(
        (counts.pending, counts.delivered, counts.failed),
        (0, (notifications - 2) as i64, 2)
    );

    // More passes, hours later, send nothing more.
    let requests_before = (whatsapp.requests().len(), sms.requests().len());
    for hours in [1, 6, 24] {
        let later = now + SignedDuration::from_hours(hours);
        assert_eq!(worker.drain(later, 10).await.unwrap(), OutboxRun::default());
    }
    assert_eq!(
        (whatsapp.requests().len(), sms.requests().len()),
        requests_before
    );

    // The providers saw each notification accepted exactly once, as the last request of it;
    // the refused numbers got one 400 each and no retry after it.
    assert_eq!(
        assert_each_accepted_once(&whatsapp.exchanges(), whatsapp_key, "966500000999"),
        2 * REQUESTERS
    );
    assert_eq!(
        assert_each_accepted_once(&sms.exchanges(), sms_key, REFUSED_SMS),
        2 * REQUESTERS
    );
    let expected_whatsapp: BTreeSet<String> = (0..REQUESTERS)
        .map(|index| whatsapp_number(index).trim_start_matches('+').to_owned())
        .collect();
    let accepted_whatsapp: BTreeSet<String> = whatsapp
        .accepted_requests()
        .iter()
        .map(|request| request.json()["to"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(accepted_whatsapp, expected_whatsapp);

    // What staff see once it is over: each notification delivered after its failed attempts,
    // numbered without gaps; the refused ones failed for good with the provider's reason.
    for record in deliveries(
        &desk,
        &[desk.whatsapp_tickets.clone(), desk.sms_tickets.clone()].concat(),
    )
    .await
    {
        assert_eq!(record.state, "delivered", "{record:?}");
        let outcomes: Vec<&str> = record
            .attempts
            .iter()
            .map(|attempt| attempt.outcome.as_str())
            .collect();
        let (last, failures) = outcomes.split_last().unwrap();
        assert_eq!(*last, "delivered", "{record:?}");
        assert!(
            !failures.is_empty()
                && failures
                    .iter()
                    .all(|outcome| *outcome == "transient_failure"),
            "{record:?}"
        );
        let numbers: Vec<i64> = record
            .attempts
            .iter()
            .map(|attempt| attempt.attempt)
            .collect();
        assert_eq!(numbers, (1..=numbers.len() as i64).collect::<Vec<_>>());
    }
    for (ticket, reason) in [
        (
            &refused_whatsapp,
            "Recipient phone number not in allowed list",
        ),
        (&refused_sms, "invalid recipient: not a mobile number"),
    ] {
        let records = desk.store.ticket_deliveries(ticket.id).await.unwrap();
        assert_eq!(records.len(), 1, "{records:?}");
        let record = &records[0];
        assert_eq!(record.state, "failed", "{record:?}");
        let last = record.attempts.last().unwrap();
        assert_eq!(last.outcome, "permanent_failure", "{record:?}");
        assert!(last.detail.contains("HTTP 400"), "{record:?}");
        assert!(last.detail.contains(reason), "{record:?}");
    }
}
