//! Privacy under the PDPL on SQLite and on PostgreSQL: a requester's export (never an internal
//! note), erasure requested and carried out — after which no text column of the database holds
//! the person's name, address, phone, words or files, while the dashboard's figures are the
//! same — and retention of finished tickets on simulated time.

use jiff::{SignedDuration, Timestamp};
use sanad_domain::privacy::{ERASED_NAME, ERASED_TEXT, RetentionDays};
use sanad_domain::satisfaction::{SatisfactionAnswer, Score};
use sanad_domain::{
    Channel, Code, Complexity, EmailAddress, Importance, MessageBody, MessageKind, PersonName,
    PhoneNumber, RequesterType, StaffRole, Subject, TicketKind, TicketStatus,
};
use sanad_store::*;
use sqlx::Row;

mod support;
use support::{TestDb, at};

on_both_backends!(
    an_export_holds_what_the_requester_may_see,
    erasure_leaves_no_trace_and_the_same_figures,
    retention_anonymizes_finished_tickets_after_the_period,
);

const NAME: &str = "هند الشهري";
const EMAIL: &str = "hind.private@example.sa";
const PHONE: &str = "+966551234567";
const SUBJECT: &str = "شكوى سرية بخصوص الاختبار 4417";
const BODY: &str = "نص شخصي فريد رقم 7781 عن ظروفي";
const NOTE: &str = "ملاحظة داخلية سرية 9932";
const REPLY: &str = "رد عام للمستفيدة 6610";
const WHATSAPP_BODY: &str = "رسالة واتساب خاصة 5512";
const FILE_NAME: &str = "hind-id-card-3390.pdf";
const COMMENT: &str = "تعليق خاص جدا 2207";
const CONTACT_NOTE: &str = "اتصلت من هاتف زوجها 8841";

struct World {
    org: Organization,
    admin: User,
    complaint: TicketSummary,
    whatsapp: TicketSummary,
    bystander: TicketSummary,
    storage_key: String,
}

async fn organization(store: &Store, slug: &str) -> Organization {
    let new = support::new_organization(slug, &format!("Organization {slug}"), "PR");
    let org = store
        .create_organization(&new, at("2026-11-01T00:00:00Z"))
        .await
        .unwrap();
    for channel in [Channel::Email, Channel::Whatsapp] {
        store
            .set_channel_setting(
                org.id,
                &ChannelSetting {
                    channel,
                    state: ChannelState::Enabled,
                    address: format!("{}@{slug}.example.sa", channel.as_str()),
                },
            )
            .await
            .unwrap();
    }
    store.organization_by_slug(slug).await.unwrap().unwrap()
}

async fn admin(store: &Store, org: &Organization) -> User {
    let new = NewUser {
        email: EmailAddress::parse("admin@privacy.example.sa").unwrap(),
        name: PersonName::parse("Admin").unwrap(),
        role: StaffRole::Admin,
        departments: vec![],
        password_hash: None,
    };
    store
        .create_user(org.id, &new, at("2026-11-01T00:00:00Z"))
        .await
        .unwrap()
}

fn new_ticket(
    subject: &str,
    body: &str,
    name: &str,
    contact: RequesterContact,
    attachments: Vec<NewAttachment>,
) -> NewTicket {
    NewTicket {
        kind: TicketKind::Complaint,
        channel: Channel::WebForm,
        subject: Subject::parse(subject).unwrap(),
        body: MessageBody::parse(body).unwrap(),
        category: None,
        requester: NewRequester {
            name: PersonName::parse(name).unwrap(),
            contact,
            requester_type: RequesterType::Trainee,
        },
        attachments,
    }
}

async fn say(
    store: &Store,
    org: &Organization,
    number: &str,
    kind: MessageKind,
    body: &str,
    actor: &Actor,
    now: Timestamp,
) {
    let message = NewMessage {
        kind,
        body: MessageBody::parse(body).unwrap(),
        attachments: vec![],
    };
    store
        .add_message(org, number, &message, actor, now)
        .await
        .unwrap();
}

async fn finish(store: &Store, org: &Organization, number: &str, close: bool, start: Timestamp) {
    let changes = TicketChanges {
        category: Some(Code::parse("certificates").unwrap()),
        complexity: Some(Complexity::Routine),
        importance: Some(Importance::High),
        departments: Some(vec![Code::parse("student-affairs").unwrap()]),
        ..Default::default()
    };
    store
        .change_ticket(org, number, &changes, &Actor::System, start)
        .await
        .unwrap();
    let mut moves = vec![(TicketStatus::InProgress, 1), (TicketStatus::Resolved, 2)];
    if close {
        moves.push((TicketStatus::Closed, 3));
    }
    for (status, hours) in moves {
        let request = TransitionRequest {
            to: status,
            reason: None,
            merge_into: None,
        };
        store
            .transition_ticket(
                org,
                number,
                &request,
                &Actor::System,
                start + SignedDuration::from_hours(hours),
            )
            .await
            .unwrap();
    }
}

/// Hind's complaint through the portal (with a file, a reply, a note, a contact note and a
/// rating with a comment), her WhatsApp message (an identity), and Sami's unrelated ticket.
async fn world(store: &Store) -> World {
    let org = organization(store, "privacy").await;
    let admin = admin(store, &org).await;
    let staff = Actor::Staff {
        id: admin.id,
        name: admin.name.clone(),
    };
    let contact = RequesterContact::Both(
        EmailAddress::parse(EMAIL).unwrap(),
        PhoneNumber::parse(PHONE).unwrap(),
    );
    let file = NewAttachment {
        filename: FILE_NAME.into(),
        content_type: "application/pdf".into(),
        bytes: b"%PDF identity card of a fictional person 3390".to_vec(),
    };
    let complaint = store
        .create_ticket(
            &org,
            &new_ticket(SUBJECT, BODY, NAME, contact, vec![file]),
            None,
            &Actor::NewRequester { name: NAME.into() },
            at("2026-11-22T09:00:00Z"),
        )
        .await
        .unwrap()
        .ticket;
    say(
        store,
        &org,
        &complaint.number,
        MessageKind::InternalNote,
        NOTE,
        &staff,
        at("2026-11-22T09:30:00Z"),
    )
    .await;
    say(
        store,
        &org,
        &complaint.number,
        MessageKind::PublicReply,
        REPLY,
        &staff,
        at("2026-11-22T10:00:00Z"),
    )
    .await;
    store
        .record_contact_details(
            org.id,
            complaint.id,
            &serde_json::json!({ "caller": NAME, "note": CONTACT_NOTE }),
            admin.id,
        )
        .await
        .unwrap();
    finish(
        store,
        &org,
        &complaint.number,
        false,
        at("2026-11-22T11:00:00Z"),
    )
    .await;
    let answer = SatisfactionAnswer {
        handling: Score::new(2).unwrap(),
        clarity: Score::new(3).unwrap(),
        closure: Score::new(4).unwrap(),
        comment: Some(COMMENT.into()),
    };
    let requester = Actor::Requester {
        id: complaint.requester.id,
        name: NAME.into(),
    };
    store
        .answer_satisfaction(
            org.id,
            complaint.id,
            &answer,
            AnsweredVia::Portal,
            &requester,
            at("2026-11-23T09:00:00Z"),
        )
        .await
        .unwrap();

    let inbound = InboundRecord {
        channel: Channel::Whatsapp,
        provider_message_id: "wamid.privacy.1".into(),
        sender: InboundSender {
            address: PHONE.trim_start_matches('+').into(),
            name: Some(NAME.into()),
            email: None,
            phone: Some(PhoneNumber::parse(PHONE).unwrap()),
        },
        subject: Subject::parse(WHATSAPP_BODY).unwrap(),
        body: MessageBody::parse(WHATSAPP_BODY).unwrap(),
        attachments: vec![],
        mail: None,
        conversation_id: None,
        kind_for_new_ticket: TicketKind::Inquiry,
    };
    let IngestOutcome::Created {
        ticket: whatsapp, ..
    } = store
        .ingest_inbound(&org, &inbound, at("2026-11-24T09:00:00Z"))
        .await
        .unwrap()
    else {
        panic!("a new WhatsApp ticket");
    };
    assert_eq!(
        whatsapp.requester.id, complaint.requester.id,
        "the same person by phone"
    );

    let sami = RequesterContact::Email(EmailAddress::parse("sami@example.sa").unwrap());
    let bystander = store
        .create_ticket(
            &org,
            &new_ticket(
                "سؤال عن الجدول",
                "متى يبدأ الفصل؟",
                "سامي الحربي",
                sami,
                vec![],
            ),
            None,
            &Actor::System,
            at("2026-11-24T10:00:00Z"),
        )
        .await
        .unwrap()
        .ticket;
    let detail = store
        .ticket_detail(org.id, &complaint.number)
        .await
        .unwrap()
        .unwrap();
    let storage_key = detail.messages[0].attachments[0].storage_key.clone();
    World {
        org,
        admin,
        complaint,
        whatsapp,
        bystander,
        storage_key,
    }
}

async fn an_export_holds_what_the_requester_may_see(db: TestDb) {
    let store = &db.store;
    let w = world(store).await;
    let export = store
        .export_requester_data(
            w.org.id,
            w.complaint.requester.id,
            PrivacyActor::Requester(w.complaint.requester.id),
            at("2026-11-25T09:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(export.requester.name, NAME);
    assert_eq!(export.requester.email.as_deref(), Some(EMAIL));
    assert_eq!(export.requester.phone.as_deref(), Some(PHONE));
    assert_eq!(export.erased_at, None);
    assert_eq!(export.identities.len(), 1);
    assert_eq!(export.identities[0].channel, Channel::Whatsapp);
    let numbers: Vec<&str> = export
        .tickets
        .iter()
        .map(|t| t.ticket.number.as_str())
        .collect();
    assert_eq!(
        numbers,
        vec![w.complaint.number.as_str(), w.whatsapp.number.as_str()]
    );
    let complaint = &export.tickets[0];
    let bodies: Vec<&str> = complaint.messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies,
        vec![BODY, REPLY],
        "public messages only, never the note"
    );
    assert_eq!(complaint.messages[0].attachments[0].filename, FILE_NAME);
    assert_eq!(complaint.satisfaction.as_ref().unwrap().comment, COMMENT);
    assert_eq!(export.tickets[1].satisfaction, None);
    // Sami's ticket is not Hind's.
    assert!(export.tickets.iter().all(|t| t.ticket.id != w.bystander.id));
    let audit = store.privacy_audit(w.org.id, 10).await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(
        (
            audit[0].action.as_str(),
            audit[0].actor_kind.as_str(),
            audit[0].tickets
        ),
        ("export", "requester", 2)
    );
    assert!(matches!(
        store
            .export_requester_data(
                w.org.id,
                w.complaint.requester.id + 1_000,
                PrivacyActor::Staff(w.admin.id),
                at("2026-11-25T09:00:00Z")
            )
            .await,
        Err(StoreError::NotFound {
            what: "requester",
            ..
        })
    ));
}

/// Every text column of every table (full-text index internals aside) that contains `needle`.
async fn traces(db: &TestDb, needle: &str) -> Vec<String> {
    let pattern = format!("%{needle}%");
    let mut found = Vec::new();
    match &db.url {
        DatabaseUrl::Sqlite(url) => {
            let pool = sqlx::SqlitePool::connect(url).await.unwrap();
            let tables: Vec<String> = sqlx::query("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_fts%'")
                .fetch_all(&pool)
                .await
                .unwrap()
                .iter()
                .map(|row| row.get("name"))
                .collect();
            for table in tables {
                let columns: Vec<String> = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT name FROM pragma_table_info('{table}') WHERE type = 'TEXT'"
                )))
                .fetch_all(&pool)
                .await
                .unwrap()
                .iter()
                .map(|row| row.get("name"))
                .collect();
                for column in columns {
                    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT COUNT(*) AS n FROM \"{table}\" WHERE \"{column}\" LIKE $1"
                    )))
                    .bind(&pattern)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
                    if row.get::<i64, _>("n") > 0 {
                        found.push(format!("{table}.{column}"));
                    }
                }
            }
        }
        DatabaseUrl::Postgres(url) => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            let columns: Vec<(String, String)> = sqlx::query(
                "SELECT table_name::TEXT AS t, column_name::TEXT AS c FROM information_schema.columns WHERE table_schema = current_schema() AND data_type = 'text'",
            )
            .fetch_all(&pool)
            .await
            .unwrap()
            .iter()
            .map(|row| (row.get("t"), row.get("c")))
            .collect();
            for (table, column) in columns {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT COUNT(*) AS n FROM \"{table}\" WHERE \"{column}\" LIKE $1"
                )))
                .bind(&pattern)
                .fetch_one(&pool)
                .await
                .unwrap();
                if row.get::<i64, _>("n") > 0 {
                    found.push(format!("{table}.{column}"));
                }
            }
        }
    }
    found
}

async fn erasure_leaves_no_trace_and_the_same_figures(db: TestDb) {
    let store = &db.store;
    let w = world(store).await;
    let since = at("2026-11-01T00:00:00Z");
    let now = at("2026-11-26T09:00:00Z");
    let before = store.dashboard(w.org.id, since, now).await.unwrap();
    let needles = [
        NAME,
        EMAIL,
        PHONE,
        "551234567",
        SUBJECT,
        BODY,
        NOTE,
        REPLY,
        WHATSAPP_BODY,
        FILE_NAME,
        COMMENT,
        CONTACT_NOTE,
    ];
    // The check itself finds the data while it is there.
    for needle in needles {
        assert!(
            !traces(&db, needle).await.is_empty(),
            "{needle} should be stored before the erasure"
        );
    }

    let requester_id = w.complaint.requester.id;
    let request = store
        .request_erasure(
            w.org.id,
            requester_id,
            PrivacyActor::Requester(requester_id),
            at("2026-11-25T09:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(
        (request.state.as_str(), request.requested_via.as_str()),
        ("pending", "portal")
    );
    let again = store
        .request_erasure(
            w.org.id,
            requester_id,
            PrivacyActor::Requester(requester_id),
            at("2026-11-25T10:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(again.id, request.id, "one pending request per requester");
    assert_eq!(
        store.erasure_requests(w.org.id).await.unwrap(),
        vec![request.clone()]
    );

    let report = store
        .carry_out_erasure(w.org.id, request.id, w.admin.id, now)
        .await
        .unwrap();
    assert_eq!(
        report,
        AnonymizationReport {
            tickets: 2,
            requesters: 1,
            files_deleted: 1
        }
    );
    assert!(matches!(
        store
            .carry_out_erasure(w.org.id, request.id, w.admin.id, now)
            .await,
        Err(StoreError::Conflict(_))
    ));
    assert!(matches!(
        store
            .request_erasure(w.org.id, requester_id, PrivacyActor::Staff(w.admin.id), now)
            .await,
        Err(StoreError::Conflict(_))
    ));

    for needle in needles {
        assert_eq!(
            traces(&db, needle).await,
            Vec::<String>::new(),
            "{needle} left behind"
        );
    }
    // Nor do the analyzed search terms of her name, address and words survive (the address's
    // domain is shared with others and stays).
    let marker_terms = format!(
        "{} {}",
        sanad_domain::search::index_terms(ERASED_NAME),
        sanad_domain::search::index_terms(ERASED_TEXT)
    );
    for term in
        sanad_domain::search::index_terms(&format!("{NAME} hind.private 7781")).split_whitespace()
    {
        if !marker_terms.split_whitespace().any(|marker| marker == term) {
            assert_eq!(
                traces(&db, &format!(" {term} "))
                    .await
                    .iter()
                    .filter(|c| c.starts_with("ticket_search"))
                    .count(),
                0,
                "term {term}"
            );
        }
    }
    assert!(
        store.attachments().get(&w.storage_key).await.is_err(),
        "the file is deleted"
    );

    // The figures are the same; so are the tickets' facts but for their words.
    let after = store.dashboard(w.org.id, since, now).await.unwrap();
    assert_eq!(after, before);
    let detail = store
        .ticket_detail(w.org.id, &w.complaint.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(detail.ticket.subject, ERASED_TEXT);
    assert_eq!(detail.ticket.requester.name, ERASED_NAME);
    assert_eq!(
        (
            detail.ticket.requester.email.clone(),
            detail.ticket.requester.phone.clone()
        ),
        (None, None)
    );
    assert_eq!(detail.ticket.status, TicketStatus::Resolved);
    assert_eq!(detail.ticket.category.as_deref(), Some("certificates"));
    assert_eq!(
        detail.ticket.departments,
        vec!["student-affairs".to_owned()]
    );
    assert_eq!(detail.messages.len(), 3);
    assert!(
        detail
            .messages
            .iter()
            .all(|m| m.body == ERASED_TEXT && m.attachments.is_empty())
    );
    let facts = sanad_domain::TicketFacts::replay(
        &detail
            .events
            .iter()
            .map(Event::to_record)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert_eq!(facts.subject, ERASED_TEXT);
    assert_eq!(facts.status, detail.ticket.status);
    let rating = store
        .satisfaction(w.org.id, w.complaint.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            rating.handling.get(),
            rating.overall.get(),
            rating.comment.as_str()
        ),
        (2, 3, "")
    );
    assert_eq!(store.contact_details(w.complaint.id).await.unwrap(), None);
    // Sami's ticket is untouched.
    let sami = store
        .ticket_detail(w.org.id, &w.bystander.number)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            sami.ticket.subject.as_str(),
            sami.ticket.requester.name.as_str()
        ),
        ("سؤال عن الجدول", "سامي الحربي")
    );

    let audit = store.privacy_audit(w.org.id, 10).await.unwrap();
    let actions: Vec<(&str, Option<i64>, i64)> = audit
        .iter()
        .map(|e| (e.action.as_str(), e.actor_id, e.tickets))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("erasure", Some(w.admin.id), 2),
            ("erasure_requested", Some(requester_id), 0)
        ]
    );
    let done = store.erasure_requests(w.org.id).await.unwrap();
    assert_eq!(
        (
            done[0].state.as_str(),
            done[0].carried_out_at,
            done[0].requester_name.as_str()
        ),
        ("done", Some(now), ERASED_NAME)
    );
}

async fn retention_anonymizes_finished_tickets_after_the_period(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "retention").await;
    let contact = |email: &str| RequesterContact::Email(EmailAddress::parse(email).unwrap());
    let create =
        |subject: &'static str, name: &'static str, email: &'static str, now: &'static str| {
            let new = new_ticket(subject, BODY, name, contact(email), vec![]);
            let org = org.clone();
            async move {
                store
                    .create_ticket(&org, &new, None, &Actor::System, at(now))
                    .await
                    .unwrap()
                    .ticket
            }
        };
    let old = create(
        "طلب قديم مغلق",
        "ريم العتيبي",
        "reem@example.sa",
        "2026-01-05T09:00:00Z",
    )
    .await;
    finish(store, &org, &old.number, true, at("2026-01-05T10:00:00Z")).await;
    let open = create(
        "طلب ما زال مفتوحا",
        "فهد القحطاني",
        "fahd@example.sa",
        "2026-01-06T09:00:00Z",
    )
    .await;
    let fahd_closed = create(
        "طلب مغلق لفهد",
        "فهد القحطاني",
        "fahd@example.sa",
        "2026-01-06T10:00:00Z",
    )
    .await;
    finish(
        store,
        &org,
        &fahd_closed.number,
        true,
        at("2026-01-06T11:00:00Z"),
    )
    .await;
    let recent = create(
        "طلب مغلق حديثا",
        "نورة السبيعي",
        "noura@example.sa",
        "2026-02-01T09:00:00Z",
    )
    .await;
    finish(
        store,
        &org,
        &recent.number,
        true,
        at("2026-02-01T10:00:00Z"),
    )
    .await;

    // An organization that keeps data is never swept.
    assert_eq!(
        store
            .apply_retention(org.id, at("2027-01-01T00:00:00Z"), 100)
            .await
            .unwrap(),
        AnonymizationReport::default()
    );
    store
        .set_retention_days(org.id, Some(RetentionDays::new(30).unwrap()))
        .await
        .unwrap();
    assert_eq!(
        store.retention_days(org.id).await.unwrap(),
        Some(RetentionDays::new(30).unwrap())
    );
    assert_eq!(
        store.retention_periods().await.unwrap(),
        vec![(org.id, RetentionDays::new(30).unwrap())]
    );

    let since = at("2026-01-01T00:00:00Z");
    let before = store
        .dashboard(org.id, since, at("2026-03-01T00:00:00Z"))
        .await
        .unwrap();
    // Twenty days after closing: within the period.
    assert_eq!(
        store
            .apply_retention(org.id, at("2026-01-25T13:00:00Z"), 100)
            .await
            .unwrap()
            .tickets,
        0
    );
    // Thirty days and more after the first two closed: both go; Reem had no other ticket and
    // is anonymized, Fahd still has an open one and keeps his record.
    let swept = store
        .apply_retention(org.id, at("2026-02-06T12:00:00Z"), 100)
        .await
        .unwrap();
    assert_eq!(
        swept,
        AnonymizationReport {
            tickets: 2,
            requesters: 1,
            files_deleted: 0
        }
    );
    let subject = |number: String| async move {
        store
            .ticket_detail(org.id, &number)
            .await
            .unwrap()
            .unwrap()
            .ticket
    };
    let old_now = subject(old.number.clone()).await;
    assert_eq!(
        (
            old_now.subject.as_str(),
            old_now.requester.name.as_str(),
            old_now.requester.email.clone()
        ),
        (ERASED_TEXT, ERASED_NAME, None)
    );
    let fahd_now = subject(fahd_closed.number.clone()).await;
    assert_eq!(
        (fahd_now.subject.as_str(), fahd_now.requester.name.as_str()),
        (ERASED_TEXT, "فهد القحطاني")
    );
    assert_eq!(
        subject(open.number.clone()).await.subject,
        "طلب ما زال مفتوحا"
    );
    assert_eq!(
        subject(recent.number.clone()).await.subject,
        "طلب مغلق حديثا"
    );
    // A second sweep finds nothing new; the figures are unchanged.
    assert_eq!(
        store
            .apply_retention(org.id, at("2026-02-06T12:00:00Z"), 100)
            .await
            .unwrap()
            .tickets,
        0
    );
    assert_eq!(
        store
            .dashboard(org.id, since, at("2026-03-01T00:00:00Z"))
            .await
            .unwrap(),
        before
    );
    // The sweep takes at most `limit` tickets at a time, oldest first.
    let later = store
        .apply_retention(org.id, at("2026-03-10T00:00:00Z"), 1)
        .await
        .unwrap();
    assert_eq!(later.tickets, 1);
    assert_eq!(subject(recent.number.clone()).await.subject, ERASED_TEXT);
    let audit = store.privacy_audit(org.id, 10).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .map(|e| (e.action.as_str(), e.actor_kind.as_str(), e.tickets))
            .collect::<Vec<_>>(),
        vec![("retention", "system", 1), ("retention", "system", 2)]
    );
}
