//! The conduct policy (seed 004) in the store, on SQLite and on PostgreSQL: requester messages
//! checked against the organization's lexicon on every way in (the web form and e-mail here),
//! flagged but never dropped, spelling variants matched as search matches them, a custom
//! lexicon replacing the default, flags reviewed, and cancellation for a violation recording it
//! against the requester and telling them through the outbox in the same transaction.

use jiff::{SignedDuration, Timestamp};
use sanad_domain::notifications::RequesterNotification;
use sanad_domain::{
    Channel, EmailAddress, EventKind, MessageBody, MessageKind, PersonName, RequesterType,
    StaffRole, Subject, TicketKind, TicketStatus,
};
use sanad_store::*;

mod support;
use support::{TestDb, at};

on_both_backends!(
    abusive_messages_are_stored_and_flagged_on_every_way_in,
    spelling_variants_match_and_clean_messages_do_not,
    a_custom_lexicon_replaces_the_default,
    flags_are_reviewed_with_an_event,
    cancelling_for_conduct_records_the_violation_and_tells_the_requester,
);

async fn organization(store: &Store, slug: &str, prefix: &str) -> Organization {
    let org = support::organization_with_policy(
        store,
        &support::new_organization(slug, &format!("Organization {slug}"), prefix),
        "seed-004.toml",
        &support::policy_file("seed-004-diplomas-platform.toml"),
        at("2026-11-01T00:00:00Z"),
    )
    .await;
    store
        .set_channel_setting(
            org.id,
            &ChannelSetting {
                channel: Channel::Email,
                state: ChannelState::Enabled,
                address: format!("support@{slug}.example.sa"),
            },
        )
        .await
        .unwrap();
    store.organization_by_slug(slug).await.unwrap().unwrap()
}

fn web_form(subject: &str, body: &str, requester: &str, email: &str) -> NewTicket {
    NewTicket {
        kind: TicketKind::Complaint,
        channel: Channel::WebForm,
        subject: Subject::parse(subject).unwrap(),
        body: MessageBody::parse(body).unwrap(),
        category: None,
        requester: NewRequester {
            name: PersonName::parse(requester).unwrap(),
            contact: RequesterContact::Email(EmailAddress::parse(email).unwrap()),
            requester_type: RequesterType::Trainee,
        },
        attachments: vec![],
    }
}

fn email(provider_id: &str, from: &str, subject: &str, body: &str) -> InboundRecord {
    InboundRecord {
        channel: Channel::Email,
        provider_message_id: provider_id.into(),
        sender: InboundSender {
            address: from.into(),
            name: Some("سلمان الحربي".into()),
            email: Some(EmailAddress::parse(from).unwrap()),
            phone: None,
        },
        subject: Subject::parse(subject).unwrap(),
        body: MessageBody::parse(body).unwrap(),
        attachments: vec![],
        mail: Some(MailThreading {
            message_id: provider_id.into(),
            in_reply_to: vec![],
            references: vec![],
        }),
        conversation_id: None,
        kind_for_new_ticket: TicketKind::Inquiry,
    }
}

async fn submit(store: &Store, org: &Organization, new: &NewTicket, now: &str) -> TicketSummary {
    store
        .create_ticket(
            org,
            new,
            None,
            &Actor::NewRequester {
                name: new.requester.name.as_str().to_owned(),
            },
            at(now),
        )
        .await
        .unwrap()
        .ticket
}

async fn requester_says(
    store: &Store,
    org: &Organization,
    ticket: &TicketSummary,
    body: &str,
    now: &str,
) -> Message {
    store
        .add_message(
            org,
            &ticket.number,
            &NewMessage {
                kind: MessageKind::RequesterMessage,
                body: MessageBody::parse(body).unwrap(),
                attachments: vec![],
            },
            &Actor::Requester {
                id: ticket.requester.id,
                name: ticket.requester.name.clone(),
            },
            at(now),
        )
        .await
        .unwrap()
}

fn found(flag: &ConductFlag) -> Vec<&str> {
    flag.terms.iter().map(|term| term.found.as_str()).collect()
}

async fn conduct_events(store: &Store, org: &Organization, number: &str) -> Vec<serde_json::Value> {
    store
        .ticket_detail(org.id, number)
        .await
        .unwrap()
        .unwrap()
        .events
        .into_iter()
        .filter(|event| event.kind == EventKind::Conduct)
        .filter_map(|event| event.after)
        .collect()
}

async fn abusive_messages_are_stored_and_flagged_on_every_way_in(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "conduct-ways", "CW").await;

    // The web form: the message is stored as written, and flagged.
    let body = "الشهادة لم تصل منذ شهرين، أنتم أغبياء ولا تردون.";
    let ticket = submit(
        store,
        &org,
        &web_form("تأخر الشهادة", body, "هند القحطاني", "hind@example.sa"),
        "2026-11-02T08:00:00Z",
    )
    .await;
    let detail = store
        .ticket_detail(org.id, &ticket.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        detail.messages[0].body, body,
        "the message is kept as written"
    );
    let flags = store.conduct_flags(org.id, ticket.id).await.unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].message_id, detail.messages[0].id);
    assert_eq!(found(&flags[0]), ["أغبياء"]);
    let term = &flags[0].terms[0];
    assert_eq!(
        (term.field, &body[term.start..term.end]),
        (ConductField::Body, "أغبياء")
    );
    assert!(flags[0].reviewed_at.is_none());
    let events = conduct_events(store, &org, &ticket.number).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["change"], "flagged");
    assert_eq!(events[0]["entries"], serde_json::json!(["أغبياء"]));

    // E-mail: a new ticket whose subject is abusive, then a reply on it.
    let created = store
        .ingest_inbound(
            &org,
            &email(
                "<m1@mail.example.sa>",
                "salman@example.sa",
                "You IDIOTS lost my certificate",
                "Please send it again.",
            ),
            at("2026-11-02T09:00:00Z"),
        )
        .await
        .unwrap();
    let IngestOutcome::Created {
        ticket: by_mail, ..
    } = created
    else {
        panic!("{created:?}")
    };
    let flags = store.conduct_flags(org.id, by_mail.id).await.unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(flags[0].terms[0].field, ConductField::Subject);
    assert_eq!(found(&flags[0]), ["IDIOTS"]);
    let mut reply = email(
        "<m2@mail.example.sa>",
        "salman@example.sa",
        "Re: You IDIOTS lost my certificate",
        "Shut up and fix it, stupid.",
    );
    reply.mail.as_mut().unwrap().in_reply_to = vec!["<m1@mail.example.sa>".into()];
    let appended = store
        .ingest_inbound(&org, &reply, at("2026-11-02T10:00:00Z"))
        .await
        .unwrap();
    assert!(
        matches!(appended, IngestOutcome::Appended { .. }),
        "{appended:?}"
    );
    let flags = store.conduct_flags(org.id, by_mail.id).await.unwrap();
    assert_eq!(flags.len(), 2);
    assert!(
        flags[1]
            .terms
            .iter()
            .all(|term| term.field == ConductField::Body)
    );
    assert_eq!(found(&flags[1]), ["Shut up", "stupid"]);

    // Both tickets are in the flagged list, newest flag first.
    let flagged = store.flagged_tickets(org.id, 50).await.unwrap();
    let numbers: Vec<&str> = flagged
        .iter()
        .map(|ticket| ticket.number.as_str())
        .collect();
    assert_eq!(numbers, [by_mail.number.as_str(), ticket.number.as_str()]);
    assert_eq!(flagged[0].open_flags, 2);

    // Staff replies are not the lexicon's business: quoting the insult back is not flagged.
    store
        .add_message(
            &org,
            &by_mail.number,
            &NewMessage {
                kind: MessageKind::PublicReply,
                body: MessageBody::parse("We understand you were called an idiot; we are sorry.")
                    .unwrap(),
                attachments: vec![],
            },
            &Actor::System,
            at("2026-11-02T11:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(
        store.conduct_flags(org.id, by_mail.id).await.unwrap().len(),
        2
    );
}

async fn spelling_variants_match_and_clean_messages_do_not(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "conduct-variants", "CV").await;
    let ticket = submit(
        store,
        &org,
        &web_form(
            "استفسار عن الدبلوم",
            "متى يبدأ الفصل القادم؟",
            "نورة الدوسري",
            "noura@example.sa",
        ),
        "2026-11-02T08:00:00Z",
    )
    .await;
    assert!(
        store
            .conduct_flags(org.id, ticket.id)
            .await
            .unwrap()
            .is_empty(),
        "a clean message is not flagged"
    );
    assert!(conduct_events(store, &org, &ticket.number).await.is_empty());

    // Diacritics, tatweel, hamza forms and clitics: normalized as search normalizes them.
    for (index, (text, expected)) in [
        ("أنتَ غَبِيٌّ", "غَبِيٌّ"),
        ("انتم اغبيـــاء", "اغبيـــاء"),
        ("والحمير لا يفهمون", "والحمير"),
        ("THIS IS FUCKING SLOW", "FUCKING"),
    ]
    .into_iter()
    .enumerate()
    {
        requester_says(
            store,
            &org,
            &ticket,
            text,
            &format!("2026-11-02T09:0{index}:00Z"),
        )
        .await;
        let flags = store.conduct_flags(org.id, ticket.id).await.unwrap();
        assert_eq!(flags.len(), index + 1, "{text}");
        assert_eq!(found(flags.last().unwrap()), [expected], "{text}");
    }
    // Angry but not abusive.
    requester_says(
        store,
        &org,
        &ticket,
        "هذا تأخير غير مقبول وسأشتكي للإدارة",
        "2026-11-02T10:00:00Z",
    )
    .await;
    assert_eq!(
        store.conduct_flags(org.id, ticket.id).await.unwrap().len(),
        4
    );
    // Every message is stored, flagged or not.
    let detail = store
        .ticket_detail(org.id, &ticket.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.messages.len(), 6);
}

async fn a_custom_lexicon_replaces_the_default(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "conduct-custom", "CC").await;
    let admin = store
        .create_user(
            org.id,
            &NewUser {
                email: EmailAddress::parse("admin@conduct.example.sa").unwrap(),
                name: PersonName::parse("مدير النظام").unwrap(),
                role: StaffRole::Admin,
                departments: vec![],
                password_hash: None,
            },
            at("2026-11-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let default = store.conduct_lexicon(org.id).await.unwrap();
    assert!(!default.custom);
    assert_eq!(default.source, sanad_domain::conduct::DEFAULT_LEXICON);

    // A list that does not parse is refused and changes nothing.
    let refused = store
        .set_conduct_lexicon(
            org.id,
            "سخيف\nidiot *\n",
            admin.id,
            at("2026-11-02T07:00:00Z"),
        )
        .await;
    assert!(
        matches!(&refused, Err(StoreError::Invalid(message)) if message.contains("line 2")),
        "{refused:?}"
    );
    assert!(!store.conduct_lexicon(org.id).await.unwrap().custom);

    store
        .set_conduct_lexicon(
            org.id,
            "# Our own list\nسخيف\nnonsense*\n",
            admin.id,
            at("2026-11-02T07:30:00Z"),
        )
        .await
        .unwrap();
    let custom = store.conduct_lexicon(org.id).await.unwrap();
    assert!(custom.custom);
    assert_eq!(custom.updated_by, Some(admin.id));
    assert_eq!(custom.updated_at, Some(at("2026-11-02T07:30:00Z")));

    let ticket = submit(
        store,
        &org,
        &web_form(
            "طلب",
            "كلام سخيف وأنتم أغبياء",
            "ماجد الزهراني",
            "majed@example.sa",
        ),
        "2026-11-02T08:00:00Z",
    )
    .await;
    let flags = store.conduct_flags(org.id, ticket.id).await.unwrap();
    assert_eq!(flags.len(), 1);
    assert_eq!(
        found(&flags[0]),
        ["سخيف"],
        "only the organization's own list applies"
    );
    requester_says(
        store,
        &org,
        &ticket,
        "Nonsensewords again",
        "2026-11-02T09:00:00Z",
    )
    .await;
    assert_eq!(
        found(&store.conduct_flags(org.id, ticket.id).await.unwrap()[1]),
        ["Nonsensewords"]
    );

    // Another organization keeps the default.
    let other = organization(store, "conduct-other", "CO").await;
    let elsewhere = submit(
        store,
        &other,
        &web_form(
            "طلب",
            "كلام سخيف وأنتم أغبياء",
            "ماجد الزهراني",
            "majed@example.sa",
        ),
        "2026-11-02T08:00:00Z",
    )
    .await;
    assert_eq!(
        found(&store.conduct_flags(other.id, elsewhere.id).await.unwrap()[0]),
        ["أغبياء"]
    );

    // Going back to the default.
    store.reset_conduct_lexicon(org.id).await.unwrap();
    assert!(!store.conduct_lexicon(org.id).await.unwrap().custom);
    requester_says(store, &org, &ticket, "سخيف وغبي", "2026-11-02T10:00:00Z").await;
    assert_eq!(
        found(&store.conduct_flags(org.id, ticket.id).await.unwrap()[2]),
        ["وغبي"]
    );
}

async fn flags_are_reviewed_with_an_event(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "conduct-review", "CR").await;
    let agent = store
        .create_user(
            org.id,
            &NewUser {
                email: EmailAddress::parse("agent@conduct.example.sa").unwrap(),
                name: PersonName::parse("عبدالله السبيعي").unwrap(),
                role: StaffRole::Agent,
                departments: vec![],
                password_hash: None,
            },
            at("2026-11-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let ticket = submit(
        store,
        &org,
        &web_form("طلب", "متى تصدر الشهادة؟", "ريم العتيبي", "reem@example.sa"),
        "2026-11-02T08:00:00Z",
    )
    .await;
    store
        .change_ticket(
            &org,
            &ticket.number,
            &TicketChanges {
                assignee_id: Some(Some(agent.id)),
                ..Default::default()
            },
            &Actor::System,
            at("2026-11-02T08:30:00Z"),
        )
        .await
        .unwrap();
    requester_says(
        store,
        &org,
        &ticket,
        "يا حمار ردّ علي",
        "2026-11-02T09:00:00Z",
    )
    .await;
    // The assignee is told.
    let notified: Vec<(i64, String)> = store
        .notifications_for_ticket(org.id, &ticket.number)
        .await
        .unwrap()
        .into_iter()
        .filter(|notification| notification.kind == "conduct_flag")
        .map(|notification| {
            (
                notification.user_id,
                notification.detail["entries"][0]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    assert_eq!(notified, [(agent.id, "حمار".to_owned())]);

    let actor = Actor::Staff {
        id: agent.id,
        name: "عبدالله السبيعي".into(),
    };
    assert_eq!(
        store
            .review_conduct_flags(org.id, &ticket.number, &actor, at("2026-11-02T10:00:00Z"))
            .await
            .unwrap(),
        1
    );
    let flags = store.conduct_flags(org.id, ticket.id).await.unwrap();
    assert_eq!(flags[0].reviewed_at, Some(at("2026-11-02T10:00:00Z")));
    assert_eq!(flags[0].reviewed_by, Some(agent.id));
    assert!(store.flagged_tickets(org.id, 50).await.unwrap().is_empty());
    let events = conduct_events(store, &org, &ticket.number).await;
    assert_eq!(
        events
            .iter()
            .map(|event| event["change"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["flagged", "reviewed"]
    );
    // Reviewing again changes nothing and records nothing.
    assert_eq!(
        store
            .review_conduct_flags(org.id, &ticket.number, &actor, at("2026-11-02T11:00:00Z"))
            .await
            .unwrap(),
        0
    );
    assert_eq!(conduct_events(store, &org, &ticket.number).await.len(), 2);
    // Replay of the facts passes over conduct events.
    let detail = store
        .ticket_detail(org.id, &ticket.number)
        .await
        .unwrap()
        .unwrap();
    let records: Vec<_> = detail
        .events
        .iter()
        .map(|event| sanad_domain::events::TicketEventRecord {
            kind: event.kind,
            field: event.field,
            before: event.before.clone(),
            after: event.after.clone(),
        })
        .collect();
    assert_eq!(
        sanad_domain::events::TicketFacts::replay(&records)
            .unwrap()
            .status,
        detail.ticket.status
    );
}

/// Claims every notification due and reports it delivered, as a worker whose provider accepts
/// all, so that each call returns only what was written since the last.
async fn outbox_kinds(store: &Store, now: Timestamp) -> Vec<OutboxItem> {
    let items = store
        .claim_outbox("test", now, SignedDuration::from_secs(60), 1000)
        .await
        .unwrap();
    for item in &items {
        store
            .record_outbox_attempt(
                item,
                &AttemptOutcome::Delivered {
                    provider_message_id: None,
                    detail: "250 2.0.0 Ok".into(),
                    mail_message_id: None,
                },
                now,
            )
            .await
            .unwrap();
    }
    items
}

async fn cancelling_for_conduct_records_the_violation_and_tells_the_requester(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "conduct-cancel", "CX").await;
    let agent = Actor::Staff {
        id: 0,
        name: "فيصل المطيري".into(),
    };
    let first = submit(
        store,
        &org,
        &web_form("طلب أول", "أنتم لصوص", "خالد الشمري", "khaled@example.sa"),
        "2026-11-02T08:00:00Z",
    )
    .await;
    let second = submit(
        store,
        &org,
        &web_form("طلب ثان", "يا حرامية", "خالد الشمري", "khaled@example.sa"),
        "2026-11-03T08:00:00Z",
    )
    .await;
    let other = submit(
        store,
        &org,
        &web_form("طلب", "أنتم أغبياء", "سارة الغامدي", "sara@example.sa"),
        "2026-11-03T09:00:00Z",
    )
    .await;
    assert_eq!(first.requester.id, second.requester.id);
    // The receipts go out first, so that what follows is only the cancellation.
    outbox_kinds(store, at("2026-11-03T10:00:00Z")).await;

    // A reason is required.
    let without = store
        .transition_ticket(
            &org,
            &first.number,
            &TransitionRequest {
                to: TicketStatus::Cancelled,
                reason: None,
                merge_into: None,
            },
            &agent,
            at("2026-11-04T08:00:00Z"),
        )
        .await;
    assert!(without.is_err(), "{without:?}");
    assert!(
        store
            .requesters_with_violations(org.id, 10)
            .await
            .unwrap()
            .is_empty()
    );

    for (ticket, reason, now) in [
        (&first, "ألفاظ مسيئة للموظفين", "2026-11-04T08:00:00Z"),
        (&second, "تكرار الإساءة بعد التنبيه", "2026-11-05T08:00:00Z"),
        (&other, "Insulting language", "2026-11-05T09:00:00Z"),
    ] {
        let cancelled = store
            .transition_ticket(
                &org,
                &ticket.number,
                &TransitionRequest {
                    to: TicketStatus::Cancelled,
                    reason: Some(sanad_domain::ConductReason::parse(reason).unwrap()),
                    merge_into: None,
                },
                &agent,
                at(now),
            )
            .await
            .unwrap();
        assert_eq!(cancelled.status, TicketStatus::Cancelled);
        assert_eq!(cancelled.cancel_reason.as_deref(), Some(reason));
        let events = conduct_events(store, &org, &ticket.number).await;
        assert_eq!(events.last().unwrap()["change"], "violation");
        assert_eq!(events.last().unwrap()["reason"], reason);
        // The requester's notification was written with the cancellation.
        let told = outbox_kinds(store, at(now)).await;
        assert_eq!(told.len(), 1, "{told:?}");
        assert_eq!(told[0].kind, RequesterNotification::CancelledForConduct);
        assert_eq!(told[0].ticket_id, Some(ticket.id));
        assert_eq!(told[0].channel, Channel::Email);
        assert_eq!(told[0].recipient, ticket.requester.email.clone().unwrap());
        assert_eq!(told[0].payload["reason"], reason);
    }

    // Violations per requester, most first.
    let requesters = store.requesters_with_violations(org.id, 10).await.unwrap();
    let counts: Vec<(&str, i64)> = requesters
        .iter()
        .map(|requester| (requester.name.as_str(), requester.violations))
        .collect();
    assert_eq!(counts, [("خالد الشمري", 2), ("سارة الغامدي", 1)]);
    assert_eq!(requesters[0].last_recorded_at, at("2026-11-05T08:00:00Z"));
    let violations = store
        .conduct_violations(org.id, first.requester.id)
        .await
        .unwrap();
    let listed: Vec<(&str, &str, &str)> = violations
        .iter()
        .map(|violation| {
            (
                violation.ticket_number.as_str(),
                violation.reason.as_str(),
                violation.recorded_by.as_str(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            (
                second.number.as_str(),
                "تكرار الإساءة بعد التنبيه",
                "فيصل المطيري"
            ),
            (
                first.number.as_str(),
                "ألفاظ مسيئة للموظفين",
                "فيصل المطيري"
            )
        ]
    );

    // A cancelled ticket cannot be cancelled again, so a violation is never counted twice.
    let again = store
        .transition_ticket(
            &org,
            &first.number,
            &TransitionRequest {
                to: TicketStatus::Cancelled,
                reason: Some(sanad_domain::ConductReason::parse("مرة أخرى").unwrap()),
                merge_into: None,
            },
            &agent,
            at("2026-11-06T08:00:00Z"),
        )
        .await;
    assert!(again.is_err());
    assert_eq!(
        store
            .conduct_violations(org.id, first.requester.id)
            .await
            .unwrap()
            .len(),
        2
    );
}
