//! The storage suite. Every test is written once and runs against a fresh SQLite file and a
//! fresh PostgreSQL schema (`SANAD_TEST_POSTGRES_URL`, default the local `test` database); the
//! output lists each test under `sqlite::` and `postgres::`. All timestamps are given, none read.

use jiff::Timestamp;
use sanad_domain::{
    Channel, Code, Complexity, ConductReason, EmailAddress, Importance, LifecycleError,
    MessageBody, MessageKind, OrgSlug, PersonName, PhoneNumber, RequesterType, StaffRole, Subject,
    TicketFacts, TicketKind, TicketNumber, TicketPrefix, TicketStatus,
};
use sanad_store::*;

mod support;
use support::{TestDb, at};

on_both_backends!(
    organizations_start_with_the_default_catalogue,
    ticket_numbers_are_sequential_per_organization_and_year,
    a_ticket_runs_its_whole_lifecycle_and_its_events_explain_it,
    illegal_transitions_are_refused_naming_both_states,
    reopening_is_only_allowed_within_the_window,
    cancelling_for_conduct_and_merging,
    an_idempotency_key_creates_one_ticket,
    concurrent_creates_get_unique_numbers,
    organizations_never_see_each_other,
    requesters_are_matched_by_email_or_phone,
    listing_filters_and_cursor_pagination,
    attachments_are_stored_and_read_back,
    departments_and_categories_are_editable,
    assignment_is_checked_against_staff,
    api_tokens_resolve_to_their_organization,
);

async fn organization(store: &Store, slug: &str, prefix: &str) -> Organization {
    let new = support::new_organization(slug, &format!("Organization {slug}"), prefix);
    store
        .create_organization(&new, at("2026-01-01T00:00:00Z"))
        .await
        .unwrap()
}

fn requester(email: Option<&str>, phone: Option<&str>) -> NewRequester {
    NewRequester {
        name: PersonName::parse("نورة القحطاني").unwrap(),
        contact: RequesterContact::from_parts(
            email.map(|e| EmailAddress::parse(e).unwrap()),
            phone.map(|p| PhoneNumber::parse(p).unwrap()),
        )
        .unwrap(),
        requester_type: RequesterType::Trainee,
    }
}

fn new_ticket(kind: TicketKind, category: Option<&str>) -> NewTicket {
    NewTicket {
        kind,
        channel: Channel::WebForm,
        subject: Subject::parse("لم تصدر شهادة الدورة").unwrap(),
        body: MessageBody::parse("أنهيت الدورة قبل أسبوعين ولم تصدر الشهادة حتى الآن.").unwrap(),
        category: category.map(|code| Code::parse(code).unwrap()),
        requester: requester(Some("noura@example.sa"), None),
        attachments: Vec::new(),
    }
}

fn token_actor() -> Actor {
    Actor::Token {
        id: 1,
        name: "integration".into(),
    }
}

async fn create(store: &Store, org: &Organization, ticket: &NewTicket, now: &str) -> TicketSummary {
    store
        .create_ticket(org, ticket, None, &token_actor(), at(now))
        .await
        .unwrap()
        .ticket
}

fn to(status: TicketStatus) -> TransitionRequest {
    TransitionRequest {
        to: status,
        reason: None,
        merge_into: None,
    }
}

/// The current facts must be exactly the fold of the ticket's events.
async fn assert_events_explain(store: &Store, org: &Organization, number: &str) {
    let detail = store.ticket_detail(org.id, number).await.unwrap().unwrap();
    let records: Vec<_> = detail.events.iter().map(Event::to_record).collect();
    let replayed = TicketFacts::replay(&records).unwrap();
    let ticket = &detail.ticket;
    assert_eq!(replayed.status, ticket.status);
    assert_eq!(replayed.kind, ticket.kind);
    assert_eq!(replayed.channel, ticket.channel);
    assert_eq!(replayed.subject, ticket.subject);
    assert_eq!(replayed.category, ticket.category);
    assert_eq!(replayed.complexity, ticket.complexity);
    assert_eq!(replayed.importance, ticket.importance);
    assert_eq!(replayed.departments, ticket.departments);
    assert_eq!(replayed.assignee, ticket.assignee_id);
    assert_eq!(replayed.merged_into, ticket.merged_into);
    assert_eq!(replayed.cancel_reason, ticket.cancel_reason);
    assert_eq!(
        replayed.resolved_at,
        ticket.resolved_at.map(|at| at.to_string())
    );
}

async fn organizations_start_with_the_default_catalogue(db: TestDb) {
    let org = organization(&db.store, "engineering-tracks", "ET").await;
    let departments = db.store.departments(org.id).await.unwrap();
    assert_eq!(
        departments.len(),
        sanad_domain::defaults::DEFAULT_DEPARTMENTS.len()
    );
    let categories = db.store.categories(org.id).await.unwrap();
    assert_eq!(
        categories.len(),
        sanad_domain::defaults::DEFAULT_CATEGORIES.len()
    );
    let certificates = categories
        .iter()
        .find(|category| category.code == "certificates")
        .unwrap();
    assert_eq!(
        certificates.default_department.as_deref(),
        Some("student-affairs")
    );
    assert_eq!(certificates.name_ar, "الشهادات");
    let duplicate = NewOrganization {
        slug: OrgSlug::parse("engineering-tracks").unwrap(),
        name: "x".into(),
        ticket_prefix: TicketPrefix::parse("EX").unwrap(),
        time_zone: jiff::tz::TimeZone::UTC,
        time_zone_name: "UTC".into(),
        reopen_window_hours: 1,
    };
    assert!(matches!(
        db.store
            .create_organization(&duplicate, Timestamp::UNIX_EPOCH)
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(
        db.store
            .organization_by_slug("engineering-tracks")
            .await
            .unwrap()
            .unwrap(),
        org
    );
}

async fn ticket_numbers_are_sequential_per_organization_and_year(db: TestDb) {
    let first = organization(&db.store, "first-org", "FO").await;
    let second = organization(&db.store, "second-org", "SO").await;
    let ticket = new_ticket(TicketKind::Inquiry, None);
    assert_eq!(
        create(&db.store, &first, &ticket, "2026-11-22T08:00:00Z")
            .await
            .number,
        "FO-2026-000001"
    );
    assert_eq!(
        create(&db.store, &first, &ticket, "2026-11-22T08:01:00Z")
            .await
            .number,
        "FO-2026-000002"
    );
    assert_eq!(
        create(&db.store, &second, &ticket, "2026-11-22T08:02:00Z")
            .await
            .number,
        "SO-2026-000001"
    );
    // 21:30 UTC on 31 December is already 1 January in Riyadh (UTC+3): the year is local.
    assert_eq!(
        create(&db.store, &first, &ticket, "2026-12-31T21:30:00Z")
            .await
            .number,
        "FO-2027-000001"
    );
    assert_eq!(
        create(&db.store, &first, &ticket, "2026-12-31T20:30:00Z")
            .await
            .number,
        "FO-2026-000003"
    );
}

async fn a_ticket_runs_its_whole_lifecycle_and_its_events_explain_it(db: TestDb) {
    let org = organization(&db.store, "lifecycle", "LC").await;
    let staff = db
        .store
        .create_user(
            org.id,
            &NewUser {
                email: EmailAddress::parse("agent@example.sa").unwrap(),
                name: PersonName::parse("ريم العتيبي").unwrap(),
                role: StaffRole::Agent,
                departments: vec![Code::parse("student-affairs").unwrap()],
                password_hash: None,
            },
            at("2026-11-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let actor = Actor::Staff {
        id: staff.id,
        name: staff.name.clone(),
    };
    let created = create(
        &db.store,
        &org,
        &new_ticket(TicketKind::Complaint, Some("certificates")),
        "2026-11-22T08:00:00Z",
    )
    .await;
    assert_eq!(created.status, TicketStatus::Registered);
    assert_eq!(created.departments, vec!["student-affairs".to_string()]);
    let number = created.number.clone();

    let classified = db
        .store
        .change_ticket(
            &org,
            &number,
            &TicketChanges {
                complexity: Some(Complexity::Routine),
                importance: Some(Importance::High),
                assignee_id: Some(Some(staff.id)),
                ..Default::default()
            },
            &actor,
            at("2026-11-22T08:30:00Z"),
        )
        .await
        .unwrap();
    // Complete classification plus a department moves the ticket through both stages.
    assert_eq!(classified.status, TicketStatus::Routed);
    assert_eq!(classified.assignee_id, Some(staff.id));

    let steps = [
        (TicketStatus::InProgress, "2026-11-22T09:00:00Z"),
        (TicketStatus::WaitingOnRequester, "2026-11-22T09:10:00Z"),
    ];
    for (status, when) in steps {
        assert_eq!(
            db.store
                .transition_ticket(&org, &number, &to(status), &actor, at(when))
                .await
                .unwrap()
                .status,
            status
        );
    }
    // The requester's answer resumes the work by itself.
    let reply = NewMessage {
        kind: MessageKind::RequesterMessage,
        body: MessageBody::parse("أرفقت رقم الطلب ٤٥٦").unwrap(),
        attachments: vec![],
    };
    db.store
        .add_message(
            &org,
            &number,
            &reply,
            &Actor::Requester {
                id: created.requester.id,
                name: "نورة".into(),
            },
            at("2026-11-22T10:00:00Z"),
        )
        .await
        .unwrap();
    let resumed = db
        .store
        .ticket_detail(org.id, &number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(resumed.ticket.status, TicketStatus::InProgress);
    let answer = NewMessage {
        kind: MessageKind::PublicReply,
        body: MessageBody::parse("صدرت الشهادة ويمكنك تحميلها الآن.").unwrap(),
        attachments: vec![],
    };
    db.store
        .add_message(&org, &number, &answer, &actor, at("2026-11-22T11:00:00Z"))
        .await
        .unwrap();
    let note = NewMessage {
        kind: MessageKind::InternalNote,
        body: MessageBody::parse("تم التنسيق مع شؤون الطلاب").unwrap(),
        attachments: vec![],
    };
    db.store
        .add_message(&org, &number, &note, &actor, at("2026-11-22T11:01:00Z"))
        .await
        .unwrap();

    let resolved = db
        .store
        .transition_ticket(
            &org,
            &number,
            &to(TicketStatus::Resolved),
            &actor,
            at("2026-11-22T11:05:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(resolved.resolved_at, Some(at("2026-11-22T11:05:00Z")));
    db.store
        .transition_ticket(
            &org,
            &number,
            &to(TicketStatus::Closed),
            &Actor::System,
            at("2026-11-24T11:05:00Z"),
        )
        .await
        .unwrap();
    // Reopened within the seven-day window, then resolved and closed again.
    let reopened = db
        .store
        .transition_ticket(
            &org,
            &number,
            &to(TicketStatus::InProgress),
            &actor,
            at("2026-11-25T08:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(reopened.status, TicketStatus::InProgress);
    db.store
        .transition_ticket(
            &org,
            &number,
            &to(TicketStatus::Resolved),
            &actor,
            at("2026-11-25T09:00:00Z"),
        )
        .await
        .unwrap();
    let closed = db
        .store
        .transition_ticket(
            &org,
            &number,
            &to(TicketStatus::Closed),
            &actor,
            at("2026-11-26T09:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(closed.status, TicketStatus::Closed);

    let detail = db
        .store
        .ticket_detail(org.id, &number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.messages.len(), 4);
    assert_eq!(detail.messages[0].kind, MessageKind::RequesterMessage);
    let statuses: Vec<String> = detail
        .events
        .iter()
        .filter(|event| event.field == Some(sanad_domain::TicketField::Status))
        .map(|event| event.after.as_ref().unwrap().as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        statuses,
        [
            "registered",
            "classified",
            "routed",
            "in_progress",
            "waiting_on_requester",
            "in_progress",
            "resolved",
            "closed",
            "in_progress",
            "resolved",
            "closed"
        ]
    );
    // Who did what is recorded: the system resumed the ticket, the agent resolved it.
    let resume = detail.events.iter().find(|event| {
        event.after == Some(serde_json::json!("in_progress")) && event.actor_kind == "system"
    });
    assert!(resume.is_some());
    assert_events_explain(&db.store, &org, &number).await;
}

async fn illegal_transitions_are_refused_naming_both_states(db: TestDb) {
    let org = organization(&db.store, "illegal", "IL").await;
    let ticket = create(
        &db.store,
        &org,
        &new_ticket(TicketKind::Inquiry, None),
        "2026-11-22T08:00:00Z",
    )
    .await;
    let actor = token_actor();
    let error = db
        .store
        .transition_ticket(
            &org,
            &ticket.number,
            &to(TicketStatus::Resolved),
            &actor,
            at("2026-11-22T08:01:00Z"),
        )
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        StoreError::Lifecycle(LifecycleError::Illegal {
            from: TicketStatus::Registered,
            to: TicketStatus::Resolved
        })
    ));
    assert_eq!(
        error.to_string(),
        "a ticket cannot move from 'registered' to 'resolved'"
    );
    // Classification must be complete before the ticket can be classified.
    let error = db
        .store
        .transition_ticket(
            &org,
            &ticket.number,
            &to(TicketStatus::Classified),
            &actor,
            at("2026-11-22T08:02:00Z"),
        )
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the ticket cannot be classified yet: set category, complexity, importance"
    );
    let unchanged = db
        .store
        .ticket_detail(org.id, &ticket.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged.ticket.status, TicketStatus::Registered);
    assert_eq!(
        unchanged.events.len(),
        3,
        "refused transitions leave no events"
    );
    let missing = db
        .store
        .transition_ticket(
            &org,
            "IL-2026-000099",
            &to(TicketStatus::Closed),
            &actor,
            at("2026-11-22T08:03:00Z"),
        )
        .await;
    assert!(matches!(missing, Err(StoreError::NotFound { .. })));
}

async fn reopening_is_only_allowed_within_the_window(db: TestDb) {
    let org = organization(&db.store, "reopen", "RO").await;
    let actor = token_actor();
    let ticket = create(
        &db.store,
        &org,
        &new_ticket(TicketKind::Request, Some("enrollment")),
        "2026-11-01T08:00:00Z",
    )
    .await;
    let changes = TicketChanges {
        complexity: Some(Complexity::Routine),
        importance: Some(Importance::Low),
        ..Default::default()
    };
    db.store
        .change_ticket(
            &org,
            &ticket.number,
            &changes,
            &actor,
            at("2026-11-01T08:10:00Z"),
        )
        .await
        .unwrap();
    for (status, when) in [
        (TicketStatus::InProgress, "2026-11-01T09:00:00Z"),
        (TicketStatus::Resolved, "2026-11-02T09:00:00Z"),
        (TicketStatus::Closed, "2026-11-03T09:00:00Z"),
    ] {
        db.store
            .transition_ticket(&org, &ticket.number, &to(status), &actor, at(when))
            .await
            .unwrap();
    }
    let late = db
        .store
        .transition_ticket(
            &org,
            &ticket.number,
            &to(TicketStatus::InProgress),
            &actor,
            at("2026-11-09T09:00:01Z"),
        )
        .await;
    assert!(
        matches!(
            late,
            Err(StoreError::Lifecycle(
                LifecycleError::ReopenWindowClosed { .. }
            ))
        ),
        "{late:?}"
    );
    let message = NewMessage {
        kind: MessageKind::RequesterMessage,
        body: MessageBody::parse("still broken").unwrap(),
        attachments: vec![],
    };
    let on_closed = db
        .store
        .add_message(
            &org,
            &ticket.number,
            &message,
            &actor,
            at("2026-11-09T09:00:02Z"),
        )
        .await;
    assert!(matches!(on_closed, Err(StoreError::Conflict(_))));
    let in_time = db
        .store
        .transition_ticket(
            &org,
            &ticket.number,
            &to(TicketStatus::InProgress),
            &actor,
            at("2026-11-09T09:00:00Z"),
        )
        .await;
    assert_eq!(in_time.unwrap().status, TicketStatus::InProgress);
}

async fn cancelling_for_conduct_and_merging(db: TestDb) {
    let org = organization(&db.store, "conduct", "CD").await;
    let actor = token_actor();
    let rude = create(
        &db.store,
        &org,
        &new_ticket(TicketKind::Complaint, None),
        "2026-11-22T08:00:00Z",
    )
    .await;
    let no_reason = db
        .store
        .transition_ticket(
            &org,
            &rude.number,
            &to(TicketStatus::Cancelled),
            &actor,
            at("2026-11-22T08:01:00Z"),
        )
        .await;
    assert!(matches!(
        no_reason,
        Err(StoreError::Lifecycle(LifecycleError::ReasonRequired))
    ));
    let cancel = TransitionRequest {
        to: TicketStatus::Cancelled,
        reason: Some(ConductReason::parse("عبارات غير لائقة").unwrap()),
        merge_into: None,
    };
    let cancelled = db
        .store
        .transition_ticket(
            &org,
            &rude.number,
            &cancel,
            &actor,
            at("2026-11-22T08:02:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(cancelled.status, TicketStatus::Cancelled);
    assert_eq!(cancelled.cancel_reason.as_deref(), Some("عبارات غير لائقة"));
    assert_events_explain(&db.store, &org, &rude.number).await;

    let original = create(
        &db.store,
        &org,
        &new_ticket(TicketKind::Complaint, None),
        "2026-11-22T09:00:00Z",
    )
    .await;
    let duplicate = create(
        &db.store,
        &org,
        &new_ticket(TicketKind::Complaint, None),
        "2026-11-22T09:05:00Z",
    )
    .await;
    let into_cancelled = TransitionRequest {
        to: TicketStatus::Merged,
        reason: None,
        merge_into: Some(TicketNumber::parse(&rude.number).unwrap()),
    };
    let refused = db
        .store
        .transition_ticket(
            &org,
            &duplicate.number,
            &into_cancelled,
            &actor,
            at("2026-11-22T09:06:00Z"),
        )
        .await;
    assert!(matches!(
        refused,
        Err(StoreError::Lifecycle(LifecycleError::MergeTargetClosed(
            TicketStatus::Cancelled
        )))
    ));
    let into_self = TransitionRequest {
        to: TicketStatus::Merged,
        reason: None,
        merge_into: Some(TicketNumber::parse(&duplicate.number).unwrap()),
    };
    assert!(
        db.store
            .transition_ticket(
                &org,
                &duplicate.number,
                &into_self,
                &actor,
                at("2026-11-22T09:06:00Z")
            )
            .await
            .is_err()
    );
    let merge = TransitionRequest {
        to: TicketStatus::Merged,
        reason: None,
        merge_into: Some(TicketNumber::parse(&original.number).unwrap()),
    };
    let merged = db
        .store
        .transition_ticket(
            &org,
            &duplicate.number,
            &merge,
            &actor,
            at("2026-11-22T09:07:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(merged.status, TicketStatus::Merged);
    assert_eq!(
        merged.merged_into.as_deref(),
        Some(original.number.as_str())
    );
    let target = db
        .store
        .ticket_detail(org.id, &original.number)
        .await
        .unwrap()
        .unwrap();
    assert!(
        target
            .messages
            .iter()
            .any(|message| message.kind == MessageKind::InternalNote
                && message.body.contains(&duplicate.number))
    );
    let message = NewMessage {
        kind: MessageKind::PublicReply,
        body: MessageBody::parse("x").unwrap(),
        attachments: vec![],
    };
    let on_merged = db
        .store
        .add_message(
            &org,
            &duplicate.number,
            &message,
            &actor,
            at("2026-11-22T09:08:00Z"),
        )
        .await
        .unwrap_err();
    assert!(
        on_merged.to_string().contains(&original.number),
        "{on_merged}"
    );
    assert_events_explain(&db.store, &org, &duplicate.number).await;
}

async fn an_idempotency_key_creates_one_ticket(db: TestDb) {
    let org = organization(&db.store, "idempotent", "ID").await;
    let ticket = new_ticket(TicketKind::Complaint, Some("certificates"));
    let key = IdempotencyKey {
        key: "retry-1".into(),
        request_digest: "digest-a".into(),
    };
    let first = db
        .store
        .create_ticket(
            &org,
            &ticket,
            Some(&key),
            &token_actor(),
            at("2026-11-22T08:00:00Z"),
        )
        .await
        .unwrap();
    let again = db
        .store
        .create_ticket(
            &org,
            &ticket,
            Some(&key),
            &token_actor(),
            at("2026-11-22T08:00:05Z"),
        )
        .await
        .unwrap();
    assert!(first.created && !again.created);
    assert_eq!(first.ticket.number, again.ticket.number);
    assert_eq!(db.store.count_tickets(org.id).await.unwrap(), 1);
    let other_body = IdempotencyKey {
        key: "retry-1".into(),
        request_digest: "digest-b".into(),
    };
    let mismatch = db
        .store
        .create_ticket(
            &org,
            &ticket,
            Some(&other_body),
            &token_actor(),
            at("2026-11-22T08:00:06Z"),
        )
        .await;
    assert!(matches!(mismatch, Err(StoreError::IdempotencyMismatch)));
    // Keys belong to one organization: another organization may use the same key.
    let other = organization(&db.store, "other-org", "OT").await;
    assert!(
        db.store
            .create_ticket(
                &other,
                &ticket,
                Some(&key),
                &token_actor(),
                at("2026-11-22T08:01:00Z")
            )
            .await
            .unwrap()
            .created
    );
}

async fn concurrent_creates_get_unique_numbers(db: TestDb) {
    let org = organization(&db.store, "concurrent", "CC").await;
    let mut handles = Vec::new();
    for index in 0..24 {
        let store = db.store.clone();
        let org = org.clone();
        handles.push(tokio::spawn(async move {
            let mut ticket = new_ticket(TicketKind::Inquiry, None);
            // Half the requests carry the same idempotency key: exactly one of them creates.
            let key = IdempotencyKey {
                key: "shared".into(),
                request_digest: "same".into(),
            };
            ticket.requester = requester(Some(&format!("person{}@example.sa", index % 3)), None);
            let key = (index % 2 == 0).then_some(key);
            store
                .create_ticket(
                    &org,
                    &ticket,
                    key.as_ref(),
                    &token_actor(),
                    at("2026-11-22T08:00:00Z"),
                )
                .await
                .unwrap()
        }));
    }
    let mut numbers = Vec::new();
    let mut created = 0;
    for handle in handles {
        let result = handle.await.unwrap();
        if result.created {
            created += 1;
        }
        numbers.push(result.ticket.number);
    }
    assert_eq!(created, 13, "12 unkeyed creates and one keyed create");
    let unique: std::collections::BTreeSet<_> = numbers.iter().collect();
    assert_eq!(unique.len(), 13);
    assert_eq!(db.store.count_tickets(org.id).await.unwrap(), 13);
}

async fn organizations_never_see_each_other(db: TestDb) {
    let first = organization(&db.store, "tenant-a", "TA").await;
    let second = organization(&db.store, "tenant-b", "TB").await;
    let ticket = create(
        &db.store,
        &first,
        &new_ticket(TicketKind::Complaint, Some("certificates")),
        "2026-11-22T08:00:00Z",
    )
    .await;
    assert!(
        db.store
            .ticket_detail(second.id, &ticket.number)
            .await
            .unwrap()
            .is_none()
    );
    let page = db
        .store
        .list_tickets(
            second.id,
            &TicketFilter {
                limit: 50,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(page.tickets.is_empty());
    let change = db
        .store
        .change_ticket(
            &second,
            &ticket.number,
            &TicketChanges {
                importance: Some(Importance::High),
                ..Default::default()
            },
            &token_actor(),
            at("2026-11-22T08:01:00Z"),
        )
        .await;
    assert!(matches!(change, Err(StoreError::NotFound { .. })));
    // The same requester e-mail in another organization is another requester.
    let theirs = create(
        &db.store,
        &second,
        &new_ticket(TicketKind::Complaint, None),
        "2026-11-22T08:02:00Z",
    )
    .await;
    assert_ne!(theirs.requester.id, ticket.requester.id);
}

async fn requesters_are_matched_by_email_or_phone(db: TestDb) {
    let org = organization(&db.store, "matching", "MA").await;
    let mut by_phone = new_ticket(TicketKind::TechnicalIssue, None);
    by_phone.requester = requester(None, Some("0500000101"));
    let first = create(&db.store, &org, &by_phone, "2026-11-22T08:00:00Z").await;
    assert_eq!(first.requester.phone.as_deref(), Some("+966500000101"));
    by_phone.requester = requester(None, Some("+966 50 000 0101"));
    let second = create(&db.store, &org, &by_phone, "2026-11-22T08:01:00Z").await;
    assert_eq!(first.requester.id, second.requester.id);
    let mut both = new_ticket(TicketKind::TechnicalIssue, None);
    both.requester = requester(Some("someone@example.sa"), Some("٠٥٠٠٠٠٠١٠١"));
    assert_eq!(
        create(&db.store, &org, &both, "2026-11-22T08:02:00Z")
            .await
            .requester
            .id,
        first.requester.id
    );
    let filtered = db
        .store
        .list_tickets(
            org.id,
            &TicketFilter {
                requester_id: Some(first.requester.id),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(filtered.tickets.len(), 3);
}

async fn listing_filters_and_cursor_pagination(db: TestDb) {
    let org = organization(&db.store, "listing", "LS").await;
    let plan = [
        (TicketKind::Complaint, Some("certificates")),
        (TicketKind::Complaint, Some("invoices-payments-refunds")),
        (TicketKind::Inquiry, Some("certificates")),
        (TicketKind::Inquiry, None),
        (TicketKind::Suggestion, Some("platform-training")),
        (TicketKind::TechnicalIssue, Some("login-account")),
        (TicketKind::Complaint, Some("login-account")),
    ];
    for (index, (kind, category)) in plan.iter().enumerate() {
        create(
            &db.store,
            &org,
            &new_ticket(*kind, *category),
            &format!("2026-11-22T08:0{index}:00Z"),
        )
        .await;
    }
    let count = |filter: TicketFilter| {
        let store = db.store.clone();
        async move {
            store
                .list_tickets(
                    org.id,
                    &TicketFilter {
                        limit: 50,
                        ..filter
                    },
                )
                .await
                .unwrap()
                .tickets
                .len()
        }
    };
    assert_eq!(
        count(TicketFilter {
            kind: Some(TicketKind::Complaint),
            ..Default::default()
        })
        .await,
        3
    );
    assert_eq!(
        count(TicketFilter {
            category: Some(Code::parse("certificates").unwrap()),
            ..Default::default()
        })
        .await,
        2
    );
    assert_eq!(
        count(TicketFilter {
            department: Some(Code::parse("technical-support").unwrap()),
            ..Default::default()
        })
        .await,
        2
    );
    assert_eq!(
        count(TicketFilter {
            status: Some(TicketStatus::Registered),
            ..Default::default()
        })
        .await,
        7
    );
    assert_eq!(
        count(TicketFilter {
            status: Some(TicketStatus::Closed),
            ..Default::default()
        })
        .await,
        0
    );
    let mut seen = Vec::new();
    let mut cursor = None;
    let mut pages = 0;
    loop {
        let page = db
            .store
            .list_tickets(
                org.id,
                &TicketFilter {
                    before_id: cursor,
                    limit: 3,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        pages += 1;
        seen.extend(page.tickets.iter().map(|ticket| ticket.number.clone()));
        match page.next_before_id {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let expected: Vec<String> = (1..=7).rev().map(|n| format!("LS-2026-{n:06}")).collect();
    assert_eq!(seen, expected, "newest first, each ticket exactly once");
}

async fn attachments_are_stored_and_read_back(db: TestDb) {
    let org = organization(&db.store, "files", "FI").await;
    let mut ticket = new_ticket(TicketKind::TechnicalIssue, None);
    let png = vec![0x89, b'P', b'N', b'G', 1, 2, 3];
    ticket.attachments = vec![NewAttachment {
        filename: "لقطة شاشة.png".into(),
        content_type: "image/png".into(),
        bytes: png.clone(),
    }];
    let created = create(&db.store, &org, &ticket, "2026-11-22T08:00:00Z").await;
    let detail = db
        .store
        .ticket_detail(org.id, &created.number)
        .await
        .unwrap()
        .unwrap();
    let stored = &detail.messages[0].attachments[0];
    assert_eq!(stored.filename, "لقطة شاشة.png");
    assert_eq!(stored.size_bytes, png.len() as i64);
    assert_eq!(
        db.store
            .attachments()
            .get(&stored.storage_key)
            .await
            .unwrap(),
        png
    );
    let found = db
        .store
        .attachment(org.id, &created.number, stored.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(&found, stored);
    let other = organization(&db.store, "other-files", "OF").await;
    assert!(
        db.store
            .attachment(other.id, &created.number, stored.id)
            .await
            .unwrap()
            .is_none()
    );
}

async fn departments_and_categories_are_editable(db: TestDb) {
    let org = organization(&db.store, "catalogue", "CT").await;
    let input = DepartmentInput {
        code: Code::parse("quality").unwrap(),
        name_ar: "الجودة".into(),
        name_en: "Quality".into(),
    };
    let created = db
        .store
        .create_department(org.id, &input, at("2026-11-22T08:00:00Z"))
        .await
        .unwrap();
    assert_eq!(created.code, "quality");
    assert!(matches!(
        db.store
            .create_department(org.id, &input, at("2026-11-22T08:00:00Z"))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let renamed = DepartmentInput {
        name_en: "Quality assurance".into(),
        ..input.clone()
    };
    assert_eq!(
        db.store
            .update_department(org.id, "quality", &renamed)
            .await
            .unwrap()
            .name_en,
        "Quality assurance"
    );
    let recoded = DepartmentInput {
        code: Code::parse("qa").unwrap(),
        ..input.clone()
    };
    assert!(matches!(
        db.store
            .update_department(org.id, "quality", &recoded)
            .await,
        Err(StoreError::Invalid(_))
    ));
    let category = CategoryInput {
        code: Code::parse("accreditation").unwrap(),
        name_ar: "الاعتماد".into(),
        name_en: "Accreditation".into(),
        default_department: Some(Code::parse("quality").unwrap()),
    };
    assert_eq!(
        db.store
            .create_category(org.id, &category, at("2026-11-22T08:00:00Z"))
            .await
            .unwrap()
            .default_department
            .as_deref(),
        Some("quality")
    );
    let dangling = CategoryInput {
        code: Code::parse("orphan").unwrap(),
        default_department: Some(Code::parse("nowhere").unwrap()),
        ..category.clone()
    };
    assert!(matches!(
        db.store
            .create_category(org.id, &dangling, at("2026-11-22T08:00:00Z"))
            .await,
        Err(StoreError::UnknownReference { .. })
    ));
    db.store
        .archive_category(org.id, "accreditation", at("2026-11-22T09:00:00Z"))
        .await
        .unwrap();
    let archived = db
        .store
        .create_ticket(
            &org,
            &new_ticket(TicketKind::Inquiry, Some("accreditation")),
            None,
            &token_actor(),
            at("2026-11-22T10:00:00Z"),
        )
        .await;
    assert!(matches!(
        archived,
        Err(StoreError::UnknownReference {
            what: "category",
            ..
        })
    ));
    assert!(
        db.store
            .categories(org.id)
            .await
            .unwrap()
            .iter()
            .any(|category| category.code == "accreditation" && category.archived)
    );
    db.store
        .archive_department(org.id, "quality", at("2026-11-22T09:00:00Z"))
        .await
        .unwrap();
    assert!(matches!(
        db.store
            .archive_department(org.id, "nowhere", at("2026-11-22T09:00:00Z"))
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn assignment_is_checked_against_staff(db: TestDb) {
    let org = organization(&db.store, "assign", "AS").await;
    let supervisor = db
        .store
        .create_user(
            org.id,
            &NewUser {
                email: EmailAddress::parse("supervisor@example.sa").unwrap(),
                name: PersonName::parse("هند المالكي").unwrap(),
                role: StaffRole::Supervisor,
                departments: vec![],
                password_hash: None,
            },
            at("2026-11-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let ticket = create(
        &db.store,
        &org,
        &new_ticket(TicketKind::Complaint, None),
        "2026-11-22T08:00:00Z",
    )
    .await;
    let unknown = TicketChanges {
        assignee_id: Some(Some(999_999)),
        ..Default::default()
    };
    assert!(matches!(
        db.store
            .change_ticket(
                &org,
                &ticket.number,
                &unknown,
                &token_actor(),
                at("2026-11-22T08:01:00Z")
            )
            .await,
        Err(StoreError::UnknownReference { .. })
    ));
    let read_only = TicketChanges {
        assignee_id: Some(Some(supervisor.id)),
        ..Default::default()
    };
    assert!(matches!(
        db.store
            .change_ticket(
                &org,
                &ticket.number,
                &read_only,
                &token_actor(),
                at("2026-11-22T08:01:00Z")
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    let duplicate = NewUser {
        email: EmailAddress::parse("supervisor@example.sa").unwrap(),
        name: PersonName::parse("x").unwrap(),
        role: StaffRole::Agent,
        departments: vec![],
        password_hash: None,
    };
    assert!(matches!(
        db.store
            .create_user(org.id, &duplicate, at("2026-11-22T08:00:00Z"))
            .await,
        Err(StoreError::Conflict(_))
    ));
    let users = db.store.users(org.id).await.unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].role, StaffRole::Supervisor);
}

async fn api_tokens_resolve_to_their_organization(db: TestDb) {
    let first = organization(&db.store, "token-a", "KA").await;
    let second = organization(&db.store, "token-b", "KB").await;
    let secret_a = secrets::generate_token();
    let secret_b = secrets::generate_token();
    db.store
        .create_api_token(
            first.id,
            "crm",
            &secrets::token_digest(&secret_a),
            at("2026-11-22T08:00:00Z"),
        )
        .await
        .unwrap();
    db.store
        .create_api_token(
            second.id,
            "crm",
            &secrets::token_digest(&secret_b),
            at("2026-11-22T08:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(
        db.store
            .authenticate_token(&secrets::token_digest(&secret_a))
            .await
            .unwrap()
            .unwrap()
            .0
            .org_id,
        first.id
    );
    assert_eq!(
        db.store
            .authenticate_token(&secrets::token_digest(&secret_b))
            .await
            .unwrap()
            .unwrap()
            .0
            .org_id,
        second.id
    );
    assert!(
        db.store
            .authenticate_token(&secrets::token_digest("sanad_guess"))
            .await
            .unwrap()
            .is_none()
    );
}

/// SQLite only: the WAL stays bounded. Under steady writes a passive checkpoint never lets the
/// WAL start over, so past its limit the checkpointer truncates it; never under a reader that
/// still needs its frames (it gives up and writes go on), and as soon as that reader is gone.
/// Closing the store leaves no log for the next start to read back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqlite_wal_is_truncated_past_its_limit_but_never_under_a_reader() {
    async fn join_in_order(
        handles: Vec<tokio::task::JoinHandle<()>>,
    ) -> Vec<Result<(), tokio::task::JoinError>> {
        let mut outcomes = Vec::new();
        for handle in handles {
            outcomes.push(handle.await);
        }
        outcomes
    }
    use sqlx::Connection;
    let db = support::sqlite().await;
    let store = &db.store;
    let org = organization(store, "wal-limit", "WL").await;
    let database = db.directory.path().join("test.db");
    let wal = db.directory.path().join("test.db-wal");
    let ticket = new_ticket(TicketKind::Complaint, None);

    // A reader whose snapshot predates the writes below.
    let mut reader = sqlx::SqliteConnection::connect(&format!("sqlite://{}", database.display()))
        .await
        .unwrap();
    sqlx::query("BEGIN").execute(&mut reader).await.unwrap();
    let tickets_seen: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM tickets")
        .fetch_one(&mut reader)
        .await
        .unwrap();
    assert_eq!(tickets_seen, 0);

    for _ in 0..20 {
        create(store, &org, &ticket, "2026-03-01T09:00:00Z").await;
    }
    let limit = 10;
    let under_reader = store.checkpoint_wal(limit).await.unwrap().unwrap();
    let WalCheckpoint::Busy { frames_in_wal } = under_reader else {
        panic!("the reader still needs the WAL, so it must not be truncated: {under_reader:?}");
    };
    assert!(frames_in_wal > limit, "{frames_in_wal}");
    assert!(std::fs::metadata(&wal).unwrap().len() > 0);
    // Writes go on while the checkpoint waits for the reader.
    create(store, &org, &ticket, "2026-03-01T09:05:00Z").await;

    sqlx::query("COMMIT").execute(&mut reader).await.unwrap();
    reader.close().await.unwrap();
    let after_reader = store.checkpoint_wal(limit).await.unwrap().unwrap();
    assert!(
        matches!(after_reader, WalCheckpoint::Truncated { frames_before } if frames_before > limit),
        "{after_reader:?}"
    );
    assert_eq!(
        std::fs::metadata(&wal).unwrap().len(),
        0,
        "the WAL is emptied"
    );
    let page = store
        .list_tickets(
            org.id,
            &TicketFilter {
                limit: 50,
                ..TicketFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        page.tickets.len(),
        21,
        "every ticket is in the database file"
    );

    let writers_done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // Writers never fail because of a truncating checkpoint: they queue behind it on the writer
    // connection. (This does not reproduce on demand the failures `sanad bench api` showed
    // when the checkpoint had a connection of its own; the benchmark is the check for those.)
    let writers: Vec<_> = (0..8)
        .map(|_| {
            let (store, org, ticket) = (store.clone(), org.clone(), ticket.clone());
            tokio::spawn(async move {
                for _ in 0..40 {
                    create(&store, &org, &ticket, "2026-03-01T09:08:00Z").await;
                }
            })
        })
        .collect();
    // Checkpoints with a limit of one frame, so that every pass that finds a write truncates,
    // for as long as the writers write (from two tasks, so that one is always waiting).
    let checkpoints: Vec<_> = (0..2)
        .map(|_| {
            let store = store.clone();
            let writers_done = writers_done.clone();
            tokio::spawn(async move {
                while !writers_done.load(std::sync::atomic::Ordering::Relaxed) {
                    store.checkpoint_wal(1).await.unwrap();
                }
            })
        })
        .collect();
    let outcomes: Vec<_> = join_in_order(writers).await;
    writers_done.store(true, std::sync::atomic::Ordering::Relaxed);
    for checkpoint in checkpoints {
        checkpoint.await.unwrap();
    }
    for outcome in outcomes {
        outcome.expect("every create succeeds");
    }
    let after_writers = store.checkpoint_wal(1).await.unwrap().unwrap();
    assert!(
        matches!(
            after_writers,
            WalCheckpoint::Truncated { .. } | WalCheckpoint::Passive { frames_in_wal: 0 }
        ),
        "{after_writers:?}"
    );

    // Under the limit a pass is passive and leaves the file alone.
    create(store, &org, &ticket, "2026-03-01T09:10:00Z").await;
    assert!(matches!(
        store.checkpoint_wal(WAL_LIMIT_FRAMES).await.unwrap(),
        Some(WalCheckpoint::Passive { .. })
    ));
    store.close().await;
    assert!(
        std::fs::metadata(&wal).map_or(true, |file| file.len() == 0),
        "closing leaves no log to read back"
    );
}
