//! The channels' storage on SQLite and on PostgreSQL: inbound messages taken in exactly once and
//! threaded onto their ticket, requester notifications written to the outbox with the event that
//! causes them, the worker's claims, attempts and retries, delivery reports arriving out of
//! order, bounces, and periodic status updates on simulated time.

use jiff::{SignedDuration, Timestamp};
use sanad_domain::notifications::{DeliveryState, RequesterNotification};
use sanad_domain::{
    Channel, EmailAddress, MessageBody, MessageKind, PhoneNumber, StaffRole, Subject, TicketKind,
    TicketStatus,
};
use sanad_store::*;

mod support;
use support::{TestDb, at};

on_both_backends!(
    an_email_becomes_a_ticket_once_and_replies_thread_back,
    the_number_in_a_subject_threads_only_for_the_requester,
    messaging_channels_continue_reopen_or_start_tickets,
    notifications_are_written_with_their_events,
    the_outbox_retries_then_delivers_and_records_every_attempt,
    two_instances_never_claim_the_same_notification,
    delivery_reports_keep_the_furthest_state,
    a_bounce_moves_notifications_off_email,
    status_updates_follow_the_policy_cadence,
    ignored_messages_are_recorded_once,
    concurrent_duplicates_store_one_message,
);

/// An organization with the given policy and the given channels enabled.
async fn organization(
    store: &Store,
    slug: &str,
    prefix: &str,
    policy: &str,
    channels: &[Channel],
) -> Organization {
    let org = support::organization_with_policy(
        store,
        &support::new_organization(slug, &format!("Organization {slug}"), prefix),
        policy,
        &support::policy_file(policy),
        at("2026-11-01T00:00:00Z"),
    )
    .await;
    for channel in channels {
        store
            .set_channel_setting(
                org.id,
                &ChannelSetting {
                    channel: *channel,
                    state: ChannelState::Enabled,
                    address: format!("{}@{slug}.example.sa", channel.as_str()),
                },
            )
            .await
            .unwrap();
    }
    store.organization_by_slug(slug).await.unwrap().unwrap()
}

fn email(
    provider_id: &str,
    from: &str,
    subject: &str,
    body: &str,
    in_reply_to: &[&str],
) -> InboundRecord {
    InboundRecord {
        channel: Channel::Email,
        provider_message_id: provider_id.into(),
        sender: InboundSender {
            address: from.into(),
            name: Some("ريم العتيبي".into()),
            email: Some(EmailAddress::parse(from).unwrap()),
            phone: None,
        },
        subject: Subject::parse(subject).unwrap(),
        body: MessageBody::parse(body).unwrap(),
        attachments: vec![NewAttachment {
            filename: "شهادة.pdf".into(),
            content_type: "application/pdf".into(),
            bytes: b"%PDF-1.4 test".to_vec(),
        }],
        mail: Some(MailThreading {
            message_id: provider_id.into(),
            in_reply_to: in_reply_to.iter().map(|id| id.to_string()).collect(),
            references: in_reply_to.iter().map(|id| id.to_string()).collect(),
        }),
        conversation_id: None,
        kind_for_new_ticket: TicketKind::Inquiry,
    }
}

fn whatsapp(provider_id: &str, number: &str, body: &str) -> InboundRecord {
    InboundRecord {
        channel: Channel::Whatsapp,
        provider_message_id: provider_id.into(),
        sender: InboundSender {
            address: number.into(),
            name: Some("فهد الشهري".into()),
            email: None,
            phone: Some(PhoneNumber::parse(number).unwrap()),
        },
        subject: Subject::parse(&body.chars().take(60).collect::<String>()).unwrap(),
        body: MessageBody::parse(body).unwrap(),
        attachments: Vec::new(),
        mail: None,
        conversation_id: None,
        kind_for_new_ticket: TicketKind::Inquiry,
    }
}

async fn agent(store: &Store, org: &Organization) -> Actor {
    let user = store
        .create_user(
            org.id,
            &NewUser {
                email: EmailAddress::parse("agent@example.sa").unwrap(),
                name: sanad_domain::PersonName::parse("سارة القحطاني").unwrap(),
                role: StaffRole::Agent,
                departments: Vec::new(),
                password_hash: None,
            },
            at("2026-11-01T00:00:00Z"),
        )
        .await
        .unwrap();
    Actor::Staff {
        id: user.id,
        name: user.name,
    }
}

async fn reply(store: &Store, org: &Organization, number: &str, actor: &Actor, now: Timestamp) {
    store
        .add_message(
            org,
            number,
            &NewMessage {
                kind: MessageKind::PublicReply,
                body: MessageBody::parse("تم تحديث بياناتك، يمكنك الدخول الآن.").unwrap(),
                attachments: Vec::new(),
            },
            actor,
            now,
        )
        .await
        .unwrap();
}

/// Claims everything due and reports it delivered, as a worker whose provider accepts all.
async fn deliver_all(store: &Store, now: Timestamp) -> Vec<OutboxItem> {
    let items = store
        .claim_outbox("test", now, SignedDuration::from_secs(60), 1000)
        .await
        .unwrap();
    for item in &items {
        let mail_message_id = (item.channel == Channel::Email)
            .then(|| format!("outbox-{}@sanad.example.sa", item.id));
        store
            .record_outbox_attempt(
                item,
                &AttemptOutcome::Delivered {
                    provider_message_id: mail_message_id.clone(),
                    detail: "250 2.0.0 Ok".into(),
                    mail_message_id,
                },
                now,
            )
            .await
            .unwrap();
    }
    items
}

async fn an_email_becomes_a_ticket_once_and_replies_thread_back(db: TestDb) {
    let store = &db.store;
    let org = organization(
        store,
        "diplomas",
        "DIP",
        "seed-004-diplomas-platform.toml",
        &[Channel::Email],
    )
    .await;
    let now = at("2026-11-22T06:00:00Z");
    let first = email(
        "first@mail.example.sa",
        "reem@example.sa",
        "تعذر الدخول إلى المنصة",
        "لا أستطيع الدخول منذ أمس.",
        &[],
    );
    let created = store.ingest_inbound(&org, &first, now).await.unwrap();
    let IngestOutcome::Created {
        ticket,
        tracking_code,
        ..
    } = created
    else {
        panic!("expected a new ticket, got {created:?}")
    };
    assert_eq!(ticket.channel, Channel::Email);
    assert_eq!(ticket.requester.email.as_deref(), Some("reem@example.sa"));
    assert_eq!(ticket.requester.name, "ريم العتيبي");
    let detail = store
        .ticket_detail(org.id, &ticket.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.messages.len(), 1);
    assert_eq!(detail.messages[0].attachments[0].filename, "شهادة.pdf");
    assert!(
        store
            .ticket_id_by_tracking_code(
                org.id,
                &ticket.number,
                &secrets::token_digest(&tracking_code)
            )
            .await
            .unwrap()
            .is_some()
    );

    // The same message fetched again (an IMAP reconnect, a redelivery) stores nothing.
    let again = store
        .ingest_inbound(&org, &first, now + SignedDuration::from_mins(1))
        .await
        .unwrap();
    assert_eq!(again, IngestOutcome::Duplicate);
    assert_eq!(store.count_tickets(org.id).await.unwrap(), 1);

    // The receipt leaves by e-mail; its Message-ID is then part of the thread.
    let delivered = deliver_all(store, now).await;
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0].kind, RequesterNotification::Receipt);
    assert_eq!(delivered[0].secret.as_deref(), Some(tracking_code.as_str()));
    let ours = format!("outbox-{}@sanad.example.sa", delivered[0].id);

    // The requester answers our receipt: it threads by In-Reply-To, whatever the subject says.
    let answer = email(
        "second@mail.example.sa",
        "reem@example.sa",
        "شكرا",
        "أرفقت صورة الشاشة.",
        &[&ours],
    );
    let outcome = store
        .ingest_inbound(&org, &answer, now + SignedDuration::from_mins(5))
        .await
        .unwrap();
    let IngestOutcome::Appended {
        ticket: appended, ..
    } = outcome
    else {
        panic!("expected the reply on the ticket, got {outcome:?}")
    };
    assert_eq!(appended.number, ticket.number);
    // A reply to the requester's own first message threads too (References).
    let third = email(
        "third@mail.example.sa",
        "reem@example.sa",
        "Re: تعذر الدخول",
        "تذكير",
        &["first@mail.example.sa"],
    );
    let outcome = store
        .ingest_inbound(&org, &third, now + SignedDuration::from_mins(6))
        .await
        .unwrap();
    assert!(
        matches!(outcome, IngestOutcome::Appended { .. }),
        "{outcome:?}"
    );
    assert_eq!(store.count_tickets(org.id).await.unwrap(), 1);
    let context = store.outbox_context(&delivered[0]).await.unwrap();
    assert_eq!(
        context.mail_thread.len(),
        4,
        "three inbound Message-IDs and ours: {:?}",
        context.mail_thread
    );
}

async fn the_number_in_a_subject_threads_only_for_the_requester(db: TestDb) {
    let store = &db.store;
    let org = organization(
        store,
        "diplomas",
        "DIP",
        "seed-004-diplomas-platform.toml",
        &[],
    )
    .await;
    let now = at("2026-11-22T06:00:00Z");
    let IngestOutcome::Created { ticket, .. } = store
        .ingest_inbound(
            &org,
            &email(
                "a@mail.example.sa",
                "reem@example.sa",
                "طلب شهادة",
                "أحتاج شهادتي",
                &[],
            ),
            now,
        )
        .await
        .unwrap()
    else {
        panic!("expected a ticket")
    };
    let subject = format!("رد: [#{}] طلب شهادة", ticket.number);
    let same = email(
        "b@mail.example.sa",
        "reem@example.sa",
        &subject,
        "هل من جديد؟",
        &[],
    );
    let outcome = store.ingest_inbound(&org, &same, now).await.unwrap();
    assert!(
        matches!(&outcome, IngestOutcome::Appended { ticket: t, .. } if t.number == ticket.number),
        "{outcome:?}"
    );
    // Someone else quoting the number gets a ticket of their own.
    let other = email(
        "c@mail.example.sa",
        "nasser@example.sa",
        &subject,
        "أنا أيضا",
        &[],
    );
    let outcome = store.ingest_inbound(&org, &other, now).await.unwrap();
    assert!(
        matches!(&outcome, IngestOutcome::Created { ticket: t, .. } if t.number != ticket.number),
        "{outcome:?}"
    );
}

async fn messaging_channels_continue_reopen_or_start_tickets(db: TestDb) {
    let store = &db.store;
    let org = organization(
        store,
        "diplomas",
        "DIP",
        "seed-004-diplomas-platform.toml",
        &[Channel::Whatsapp],
    )
    .await;
    let staff = agent(store, &org).await;
    let now = at("2026-11-22T06:00:00Z");
    let IngestOutcome::Created { ticket, .. } = store
        .ingest_inbound(
            &org,
            &whatsapp("wamid.1", "+966500000011", "السلام عليكم، متى تبدأ الدورة؟"),
            now,
        )
        .await
        .unwrap()
    else {
        panic!("expected a ticket")
    };
    let outcome = store
        .ingest_inbound(
            &org,
            &whatsapp("wamid.2", "+966500000011", "ومتى التسجيل؟"),
            now + SignedDuration::from_mins(2),
        )
        .await
        .unwrap();
    assert!(
        matches!(&outcome, IngestOutcome::Appended { ticket: t, .. } if t.number == ticket.number),
        "{outcome:?}"
    );

    // Resolve it: a message within the reopen window reopens it, a later one starts anew.
    resolve(
        store,
        &org,
        &ticket.number,
        &staff,
        now + SignedDuration::from_hours(1),
    )
    .await;
    let outcome = store
        .ingest_inbound(
            &org,
            &whatsapp("wamid.3", "+966500000011", "المشكلة عادت"),
            now + SignedDuration::from_hours(30),
        )
        .await
        .unwrap();
    let IngestOutcome::Appended {
        ticket: reopened, ..
    } = outcome
    else {
        panic!("expected the ticket reopened, got {outcome:?}")
    };
    assert_eq!(reopened.number, ticket.number);
    assert_eq!(reopened.status, TicketStatus::InProgress);
    resolve(
        store,
        &org,
        &ticket.number,
        &staff,
        now + SignedDuration::from_hours(31),
    )
    .await;
    let outcome = store
        .ingest_inbound(
            &org,
            &whatsapp("wamid.4", "+966500000011", "سؤال جديد"),
            now + SignedDuration::from_hours(31 + 24 * 8),
        )
        .await
        .unwrap();
    assert!(
        matches!(&outcome, IngestOutcome::Created { ticket: t, .. } if t.number != ticket.number),
        "{outcome:?}"
    );
}

/// Drives a ticket to `resolved` through the lifecycle, whatever stage it is at.
async fn resolve(store: &Store, org: &Organization, number: &str, staff: &Actor, now: Timestamp) {
    let detail = store.ticket_detail(org.id, number).await.unwrap().unwrap();
    if detail.ticket.departments.is_empty() || detail.ticket.complexity.is_none() {
        let categories = store.categories(org.id).await.unwrap();
        let departments = store.departments(org.id).await.unwrap();
        store
            .change_ticket(
                org,
                number,
                &TicketChanges {
                    category: Some(sanad_domain::Code::parse(&categories[0].code).unwrap()),
                    complexity: Some(sanad_domain::Complexity::Routine),
                    importance: Some(sanad_domain::Importance::Medium),
                    departments: Some(vec![
                        sanad_domain::Code::parse(&departments[0].code).unwrap(),
                    ]),
                    ..Default::default()
                },
                staff,
                now,
            )
            .await
            .unwrap();
    }
    let status = store
        .ticket_detail(org.id, number)
        .await
        .unwrap()
        .unwrap()
        .ticket
        .status;
    let path: &[TicketStatus] = match status {
        TicketStatus::Routed => &[TicketStatus::InProgress, TicketStatus::Resolved],
        TicketStatus::InProgress | TicketStatus::WaitingOnRequester => &[TicketStatus::Resolved],
        other => panic!("cannot resolve from {other}"),
    };
    for to in path {
        store
            .transition_ticket(
                org,
                number,
                &TransitionRequest {
                    to: *to,
                    reason: None,
                    merge_into: None,
                },
                staff,
                now,
            )
            .await
            .unwrap();
    }
}

async fn notifications_are_written_with_their_events(db: TestDb) {
    let store = &db.store;
    let org = organization(
        store,
        "diplomas",
        "DIP",
        "seed-004-diplomas-platform.toml",
        &[Channel::Email],
    )
    .await;
    let staff = agent(store, &org).await;
    let now = at("2026-11-22T06:00:00Z");
    let IngestOutcome::Created { ticket, .. } = store
        .ingest_inbound(
            &org,
            &email(
                "n1@mail.example.sa",
                "reem@example.sa",
                "طلب",
                "نص الطلب",
                &[],
            ),
            now,
        )
        .await
        .unwrap()
    else {
        panic!("expected a ticket")
    };
    reply(
        store,
        &org,
        &ticket.number,
        &staff,
        now + SignedDuration::from_mins(30),
    )
    .await;
    // An internal note tells the requester nothing.
    store
        .add_message(
            &org,
            &ticket.number,
            &NewMessage {
                kind: MessageKind::InternalNote,
                body: MessageBody::parse("ملاحظة داخلية").unwrap(),
                attachments: Vec::new(),
            },
            &staff,
            now + SignedDuration::from_mins(31),
        )
        .await
        .unwrap();
    resolve(
        store,
        &org,
        &ticket.number,
        &staff,
        now + SignedDuration::from_hours(2),
    )
    .await;
    let deliveries = store.ticket_deliveries(ticket.id).await.unwrap();
    let kinds: Vec<RequesterNotification> =
        deliveries.iter().rev().map(|record| record.kind).collect();
    assert_eq!(
        kinds,
        [
            RequesterNotification::Receipt,
            RequesterNotification::Reply,
            RequesterNotification::Routed,
            RequesterNotification::Resolved
        ]
    );
    assert!(deliveries.iter().all(|record| record.channel == Channel::Email && record.recipient == "reem@example.sa"));
    let items = deliver_all(store, now + SignedDuration::from_hours(3)).await;
    let reply_item = items
        .iter()
        .find(|item| item.kind == RequesterNotification::Reply)
        .unwrap();
    let context = store.outbox_context(reply_item).await.unwrap();
    assert_eq!(
        context.reply_body.as_deref(),
        Some("تم تحديث بياناتك، يمكنك الدخول الآن.")
    );
    assert_eq!(context.ticket.unwrap().number, ticket.number);

    // Without an enabled channel that reaches the requester, nothing is queued.
    let quiet = organization(store, "quiet", "QT", "seed-004-diplomas-platform.toml", &[]).await;
    store
        .ingest_inbound(
            &quiet,
            &email("n2@mail.example.sa", "reem@example.sa", "طلب", "نص", &[]),
            now,
        )
        .await
        .unwrap();
    assert_eq!(store.outbox_counts().await.unwrap().pending, 0);
}

async fn the_outbox_retries_then_delivers_and_records_every_attempt(db: TestDb) {
    let store = &db.store;
    let org = organization(
        store,
        "diplomas",
        "DIP",
        "seed-004-diplomas-platform.toml",
        &[Channel::Email],
    )
    .await;
    let now = at("2026-11-22T06:00:00Z");
    store
        .ingest_inbound(
            &org,
            &email("r1@mail.example.sa", "reem@example.sa", "طلب", "نص", &[]),
            now,
        )
        .await
        .unwrap();
    let items = store
        .claim_outbox("worker-a", now, SignedDuration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(items.len(), 1);
    // Claimed items are not handed out again while the lease runs.
    assert!(
        store
            .claim_outbox("worker-b", now, SignedDuration::from_secs(60), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let retry_at = now + SignedDuration::from_secs(30);
    store
        .record_outbox_attempt(
            &items[0],
            &AttemptOutcome::TransientFailure {
                detail: "connection refused".into(),
                retry_at: Some(retry_at),
            },
            now,
        )
        .await
        .unwrap();
    // Not due before its retry time, due after.
    assert!(
        store
            .claim_outbox(
                "worker-a",
                now + SignedDuration::from_secs(29),
                SignedDuration::from_secs(60),
                10
            )
            .await
            .unwrap()
            .is_empty()
    );
    let again = store
        .claim_outbox("worker-a", retry_at, SignedDuration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
    assert!(again[0].secret.is_some());
    store
        .record_outbox_attempt(
            &again[0],
            &AttemptOutcome::Delivered {
                provider_message_id: None,
                detail: "250 queued".into(),
                mail_message_id: None,
            },
            retry_at,
        )
        .await
        .unwrap();
    let deliveries = store
        .ticket_deliveries(items[0].ticket_id.unwrap())
        .await
        .unwrap();
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].state, "delivered");
    let outcomes: Vec<(i64, &str, &str)> = deliveries[0]
        .attempts
        .iter()
        .map(|attempt| {
            (
                attempt.attempt,
                attempt.outcome.as_str(),
                attempt.detail.as_str(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            (1, "transient_failure", "connection refused"),
            (2, "delivered", "250 queued")
        ]
    );
    assert_eq!(
        store.outbox_counts().await.unwrap(),
        OutboxCounts {
            pending: 0,
            delivered: 1,
            failed: 0
        }
    );
    // A lease that ran out (a worker that died) hands the item to another worker; a permanent
    // failure ends it.
    store
        .ingest_inbound(
            &org,
            &email("r2@mail.example.sa", "nasser@example.sa", "طلب", "نص", &[]),
            now,
        )
        .await
        .unwrap();
    let lost = store
        .claim_outbox("dead-worker", now, SignedDuration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(lost.len(), 1);
    let taken = store
        .claim_outbox(
            "worker-b",
            now + SignedDuration::from_secs(61),
            SignedDuration::from_secs(60),
            10,
        )
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);
    store
        .record_outbox_attempt(
            &taken[0],
            &AttemptOutcome::PermanentFailure {
                detail: "550 no such user".into(),
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        store.outbox_counts().await.unwrap(),
        OutboxCounts {
            pending: 0,
            delivered: 1,
            failed: 1
        }
    );
}

async fn two_instances_never_claim_the_same_notification(db: TestDb) {
    let store = &db.store;
    let org = organization(
        store,
        "diplomas",
        "DIP",
        "seed-004-diplomas-platform.toml",
        &[Channel::Email],
    )
    .await;
    let now = at("2026-11-22T06:00:00Z");
    for index in 0..60 {
        let record = email(
            &format!("m{index}@mail.example.sa"),
            &format!("r{index}@example.sa"),
            "طلب",
            "نص",
            &[],
        );
        store.ingest_inbound(&org, &record, now).await.unwrap();
    }
    let other = db.second_instance().await;
    let mut claimed = Vec::new();
    loop {
        let (first, second) = tokio::join!(
            store.claim_outbox("a", now, SignedDuration::from_secs(60), 7),
            other.claim_outbox("b", now, SignedDuration::from_secs(60), 7),
        );
        let (first, second) = (first.unwrap(), second.unwrap());
        if first.is_empty() && second.is_empty() {
            break;
        }
        claimed.extend(first.into_iter().chain(second).map(|item| item.id));
    }
    claimed.sort_unstable();
    let before = claimed.len();
    claimed.dedup();
    assert_eq!(before, claimed.len(), "an item was claimed twice");
    assert_eq!(claimed.len(), 60);
}

async fn delivery_reports_keep_the_furthest_state(db: TestDb) {
    let store = &db.store;
    let org = organization(
        store,
        "diplomas",
        "DIP",
        "seed-004-diplomas-platform.toml",
        &[Channel::Whatsapp],
    )
    .await;
    let now = at("2026-11-22T06:00:00Z");
    store
        .ingest_inbound(&org, &whatsapp("wamid.in", "+966500000012", "مرحبا"), now)
        .await
        .unwrap();
    let items = store
        .claim_outbox("w", now, SignedDuration::from_secs(60), 10)
        .await
        .unwrap();
    assert_eq!(items[0].channel, Channel::Whatsapp);
    assert_eq!(items[0].recipient, "+966500000012");
    store
        .record_outbox_attempt(
            &items[0],
            &AttemptOutcome::Delivered {
                provider_message_id: Some("wamid.out".into()),
                detail: "accepted".into(),
                mail_message_id: None,
            },
            now,
        )
        .await
        .unwrap();
    let report = |state, seconds| {
        store.record_delivery_report(
            org.id,
            Channel::Whatsapp,
            "wamid.out",
            state,
            now + SignedDuration::from_secs(seconds),
            None,
        )
    };
    assert!(report(DeliveryState::Delivered, 5).await.unwrap());
    assert!(
        !report(DeliveryState::Sent, 3).await.unwrap(),
        "a late 'sent' must not go back"
    );
    assert!(
        !report(DeliveryState::Delivered, 5).await.unwrap(),
        "a repeated report changes nothing"
    );
    assert!(report(DeliveryState::Read, 9).await.unwrap());
    assert!(
        !store
            .record_delivery_report(
                org.id,
                Channel::Whatsapp,
                "wamid.unknown",
                DeliveryState::Read,
                now,
                None
            )
            .await
            .unwrap()
    );
    let deliveries = store
        .ticket_deliveries(items[0].ticket_id.unwrap())
        .await
        .unwrap();
    assert_eq!(deliveries[0].delivery_state, Some(DeliveryState::Read));
    let context = store.outbox_context(&items[0]).await.unwrap();
    assert_eq!(context.last_inbound_at, Some(now));
}

async fn a_bounce_moves_notifications_off_email(db: TestDb) {
    let store = &db.store;
    let org = organization(
        store,
        "diplomas",
        "DIP",
        "seed-004-diplomas-platform.toml",
        &[Channel::Email, Channel::Sms],
    )
    .await;
    let staff = agent(store, &org).await;
    let now = at("2026-11-22T06:00:00Z");
    let created = store
        .create_ticket(
            &org,
            &NewTicket {
                kind: TicketKind::Complaint,
                channel: Channel::WebForm,
                subject: Subject::parse("شكوى").unwrap(),
                body: MessageBody::parse("نص الشكوى").unwrap(),
                category: None,
                requester: NewRequester {
                    name: sanad_domain::PersonName::parse("نورة الحربي").unwrap(),
                    contact: RequesterContact::Both(
                        EmailAddress::parse("noura@example.sa").unwrap(),
                        PhoneNumber::parse("0500000013").unwrap(),
                    ),
                    requester_type: sanad_domain::RequesterType::Trainee,
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
        .unwrap();
    assert!(created.tracking_code.is_some());
    assert_eq!(
        store
            .mark_email_undeliverable(
                org.id,
                "bounce-1@mail.example.sa",
                "NOURA@example.sa",
                "5.1.1 user unknown",
                now
            )
            .await
            .unwrap(),
        1
    );
    // The same bounce seen again changes nothing.
    assert_eq!(
        store
            .mark_email_undeliverable(
                org.id,
                "bounce-1@mail.example.sa",
                "noura@example.sa",
                "5.1.1",
                now
            )
            .await
            .unwrap(),
        0
    );
    reply(
        store,
        &org,
        &created.ticket.number,
        &staff,
        now + SignedDuration::from_mins(10),
    )
    .await;
    let deliveries = store.ticket_deliveries(created.ticket.id).await.unwrap();
    assert_eq!(
        (
            deliveries[0].kind,
            deliveries[0].channel,
            deliveries[0].recipient.as_str()
        ),
        (RequesterNotification::Reply, Channel::Sms, "+966500000013")
    );
    assert_eq!(
        (deliveries[1].kind, deliveries[1].channel),
        (RequesterNotification::Receipt, Channel::Email)
    );
}

async fn status_updates_follow_the_policy_cadence(db: TestDb) {
    let store = &db.store;
    // Seed 001 promises a status update every 5 working days.
    let org = organization(
        store,
        "engineering",
        "ENG",
        "seed-001-engineering-tracks.toml",
        &[Channel::Email],
    )
    .await;
    let now = at("2026-11-22T06:00:00Z"); // Sunday 09:00 in Riyadh
    let IngestOutcome::Created { ticket, .. } = store
        .ingest_inbound(
            &org,
            &email("s1@mail.example.sa", "reem@example.sa", "طلب", "نص", &[]),
            now,
        )
        .await
        .unwrap()
    else {
        panic!("expected a ticket")
    };
    let count = |kind| async move {
        store
            .ticket_deliveries(ticket.id)
            .await
            .unwrap()
            .iter()
            .filter(|record| record.kind == kind)
            .count()
    };
    store
        .fire_due_timers("t", now + SignedDuration::from_hours(24 * 4), 1000)
        .await
        .unwrap();
    assert_eq!(
        count(RequesterNotification::StatusUpdate).await,
        0,
        "not before five working days"
    );
    store
        .fire_due_timers("t", now + SignedDuration::from_hours(24 * 8), 1000)
        .await
        .unwrap();
    assert_eq!(count(RequesterNotification::StatusUpdate).await, 1);
    store
        .fire_due_timers("t", now + SignedDuration::from_hours(24 * 15), 1000)
        .await
        .unwrap();
    assert_eq!(
        count(RequesterNotification::StatusUpdate).await,
        2,
        "the next update follows five working days later"
    );
}

async fn ignored_messages_are_recorded_once(db: TestDb) {
    let store = &db.store;
    let org = organization(
        store,
        "diplomas",
        "DIP",
        "seed-004-diplomas-platform.toml",
        &[],
    )
    .await;
    let now = at("2026-11-22T06:00:00Z");
    assert!(
        store
            .record_inbound_ignored(
                org.id,
                Channel::Email,
                "auto@mail.example.sa",
                "auto_submitted",
                now
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .record_inbound_ignored(
                org.id,
                Channel::Email,
                "auto@mail.example.sa",
                "auto_submitted",
                now
            )
            .await
            .unwrap()
    );
    // An ignored message is never turned into a ticket later either.
    let outcome = store
        .ingest_inbound(
            &org,
            &email(
                "auto@mail.example.sa",
                "reem@example.sa",
                "Out of office",
                "I am away",
                &[],
            ),
            now,
        )
        .await
        .unwrap();
    assert_eq!(outcome, IngestOutcome::Duplicate);
    assert_eq!(store.count_tickets(org.id).await.unwrap(), 0);
}

async fn concurrent_duplicates_store_one_message(db: TestDb) {
    let store = &db.store;
    let org = organization(
        store,
        "diplomas",
        "DIP",
        "seed-004-diplomas-platform.toml",
        &[],
    )
    .await;
    let other = db.second_instance().await;
    let now = at("2026-11-22T06:00:00Z");
    let record = whatsapp("wamid.same", "+966500000014", "رسالة مكررة");
    let (first, second) = tokio::join!(
        store.ingest_inbound(&org, &record, now),
        other.ingest_inbound(&org, &record, now)
    );
    let outcomes = [first.unwrap(), second.unwrap()];
    assert_eq!(
        outcomes
            .iter()
            .filter(|outcome| **outcome == IngestOutcome::Duplicate)
            .count(),
        1,
        "{outcomes:?}"
    );
    assert_eq!(store.count_tickets(org.id).await.unwrap(), 1);
}
