//! The tamper-evident audit log on SQLite and on PostgreSQL: the events of ticket creation,
//! changes, messages and bulk import verify; a row edited, deleted in the middle or at the end
//! with raw SQL is caught at the right event; a lawful erasure still verifies while an edit
//! disguised as one does not; two instances appending to one ticket at once leave one chain;
//! rows written before the chain existed are chained at start-up.

use jiff::{SignedDuration, Timestamp};
use sanad_domain::{
    Channel, Code, Complexity, EmailAddress, Importance, MessageBody, MessageKind, PersonName,
    RequesterType, Subject, TicketKind, TicketStatus,
};
use sanad_store::*;
use sqlx::Row;

mod support;
use support::{TestDb, at};

on_both_backends!(
    creation_changes_messages_and_imports_verify,
    an_edited_row_is_caught_at_its_event,
    a_deleted_middle_row_is_caught,
    a_deleted_last_row_and_a_vanished_ticket_are_caught,
    a_lawful_erasure_verifies_and_a_disguised_edit_does_not,
    two_instances_appending_at_once_leave_one_chain,
    earlier_events_are_chained_at_start_up,
);

/// Runs one statement on the test database around the store, as someone with the database's
/// credentials could.
async fn raw(db: &TestDb, sql: &str) {
    match &db.url {
        DatabaseUrl::Sqlite(url) => {
            let pool = sqlx::SqlitePool::connect(url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
        DatabaseUrl::Postgres(url) => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        }
    }
}

/// The ids of a ticket's events, oldest first.
async fn event_ids(db: &TestDb, ticket_id: i64) -> Vec<i64> {
    let sql = format!("SELECT id FROM ticket_events WHERE ticket_id = {ticket_id} ORDER BY id");
    match &db.url {
        DatabaseUrl::Sqlite(url) => {
            let pool = sqlx::SqlitePool::connect(url).await.unwrap();
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&pool)
                .await
                .unwrap();
            rows.iter().map(|row| row.get("id")).collect()
        }
        DatabaseUrl::Postgres(url) => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&pool)
                .await
                .unwrap();
            rows.iter().map(|row| row.get("id")).collect()
        }
    }
}

fn new_ticket(subject: &str, name: &str, email: &str) -> NewTicket {
    NewTicket {
        kind: TicketKind::Complaint,
        channel: Channel::WebForm,
        subject: Subject::parse(subject).unwrap(),
        body: MessageBody::parse("نص الشكوى للاختبار").unwrap(),
        category: None,
        requester: NewRequester {
            name: PersonName::parse(name).unwrap(),
            contact: RequesterContact::Email(EmailAddress::parse(email).unwrap()),
            requester_type: RequesterType::Trainee,
        },
        attachments: vec![],
    }
}

async fn message(store: &Store, org: &Organization, number: &str, body: &str, now: Timestamp) {
    let message = NewMessage {
        kind: MessageKind::PublicReply,
        body: MessageBody::parse(body).unwrap(),
        attachments: vec![],
    };
    store
        .add_message(
            org,
            number,
            &message,
            &Actor::Staff {
                id: 1,
                name: "Huda".into(),
            },
            now,
        )
        .await
        .unwrap();
}

/// An organization with one ticket created, classified, answered twice, moved along and
/// resolved: a dozen events of every ordinary kind.
async fn busy_ticket(store: &Store, slug: &str) -> (Organization, TicketSummary) {
    let org = store
        .create_organization(
            &support::new_organization(slug, slug, "AU"),
            at("2026-11-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let start = at("2026-11-22T09:00:00Z");
    let ticket = store
        .create_ticket(
            &org,
            &new_ticket(
                "شهادة متأخرة",
                "هند الشهري",
                &format!("hind@{slug}.example.sa"),
            ),
            None,
            &Actor::NewRequester {
                name: "هند الشهري".into(),
            },
            start,
        )
        .await
        .unwrap()
        .ticket;
    let changes = TicketChanges {
        category: Some(Code::parse("certificates").unwrap()),
        complexity: Some(Complexity::Routine),
        importance: Some(Importance::High),
        departments: Some(vec![Code::parse("student-affairs").unwrap()]),
        ..Default::default()
    };
    store
        .change_ticket(
            &org,
            &ticket.number,
            &changes,
            &Actor::System,
            start + SignedDuration::from_mins(5),
        )
        .await
        .unwrap();
    message(
        store,
        &org,
        &ticket.number,
        "نعمل على طلبك",
        start + SignedDuration::from_mins(10),
    )
    .await;
    for (status, minutes) in [(TicketStatus::InProgress, 20), (TicketStatus::Resolved, 30)] {
        let request = TransitionRequest {
            to: status,
            reason: None,
            merge_into: None,
        };
        store
            .transition_ticket(
                &org,
                &ticket.number,
                &request,
                &Actor::System,
                start + SignedDuration::from_mins(minutes),
            )
            .await
            .unwrap();
    }
    message(
        store,
        &org,
        &ticket.number,
        "تم إصدار الشهادة",
        start + SignedDuration::from_mins(40),
    )
    .await;
    (org, ticket)
}

fn only(verification: &AuditVerification) -> &OrganizationAudit {
    assert_eq!(verification.organizations.len(), 1, "{verification:?}");
    &verification.organizations[0]
}

async fn creation_changes_messages_and_imports_verify(db: TestDb) {
    let store = &db.store;
    let (org, ticket) = busy_ticket(store, "audit-ok").await;
    let (other, _) = busy_ticket(store, "audit-other").await;
    let requesters = store
        .import_requesters(
            org.id,
            &[NewRequester {
                name: PersonName::parse("سامي العتيبي").unwrap(),
                contact: RequesterContact::Email(
                    EmailAddress::parse("sami@audit-ok.example.sa").unwrap(),
                ),
                requester_type: RequesterType::Trainee,
            }],
            at("2026-11-22T08:00:00Z"),
        )
        .await
        .unwrap();
    let imported = (0..3)
        .map(|index| ImportedTicket {
            kind: TicketKind::Inquiry,
            channel: Channel::Email,
            status: TicketStatus::Closed,
            subject: format!("سؤال قديم {index}"),
            category: Some("certificates".into()),
            complexity: Some(Complexity::Routine),
            importance: Some(Importance::Medium),
            departments: vec!["student-affairs".into()],
            assignee_id: None,
            requester_id: requesters[0],
            created_at: at("2026-01-10T08:00:00Z"),
            resolved_at: Some(at("2026-01-11T08:00:00Z")),
            messages: vec![ImportedMessage {
                kind: MessageKind::RequesterMessage,
                body: "متى تصدر الشهادة؟".into(),
                author: ImportedAuthor::Requester,
                at: at("2026-01-10T08:00:00Z"),
            }],
        })
        .collect::<Vec<_>>();
    store.import_tickets(&org, &imported).await.unwrap();

    let all = store.verify_audit_chain(None).await.unwrap();
    assert!(all.is_intact(), "{all:?}");
    assert_eq!(
        all.organizations
            .iter()
            .map(|audit| audit.org_id)
            .collect::<Vec<_>>(),
        vec![org.id, other.id]
    );
    let audit = &all.organizations[0];
    assert_eq!(audit.tickets, 4);
    let live_events = event_ids(&db, ticket.id).await.len() as u64;
    assert!(
        live_events >= 8,
        "a created event, changes, messages and moves: {live_events}"
    );
    assert!(
        audit.events > live_events,
        "the imported tickets' events count too: {audit:?}"
    );
    assert_eq!(audit.redacted, 0);
    assert_eq!(audit.digest.len(), 64);

    let one = store.verify_audit_chain(Some(other.id)).await.unwrap();
    assert_eq!(only(&one).slug, "audit-other");
    assert!(one.is_intact());
    // The digest of the heads moves with every event.
    message(
        store,
        &org,
        &ticket.number,
        "رسالة أخرى",
        at("2026-11-23T09:00:00Z"),
    )
    .await;
    let after = store.verify_audit_chain(Some(org.id)).await.unwrap();
    assert!(after.is_intact());
    assert_ne!(only(&after).digest, audit.digest);
}

async fn an_edited_row_is_caught_at_its_event(db: TestDb) {
    let store = &db.store;
    let (org, ticket) = busy_ticket(store, "audit-edit").await;
    let (other, _) = busy_ticket(store, "audit-bystander").await;
    let ids = event_ids(&db, ticket.id).await;
    let victim = ids[ids.len() / 2];
    raw(
        &db,
        &format!("UPDATE ticket_events SET after_value = '\"closed\"' WHERE id = {victim}"),
    )
    .await;

    let verification = store.verify_audit_chain(None).await.unwrap();
    assert!(!verification.is_intact());
    let broken = verification
        .organizations
        .iter()
        .find(|audit| audit.org_id == org.id)
        .unwrap();
    assert_eq!(
        broken.first_break,
        Some(AuditBreak {
            ticket_number: Some(ticket.number.clone()),
            event_id: Some(victim),
            problem: AuditProblem::ContentChanged
        })
    );
    assert!(broken.digest.is_empty());
    let bystander = verification
        .organizations
        .iter()
        .find(|audit| audit.org_id == other.id)
        .unwrap();
    assert_eq!(
        bystander.first_break, None,
        "another organization's chain is not concerned"
    );

    // An edited chain hash, the content untouched, breaks the link.
    raw(
        &db,
        &format!(
            "UPDATE ticket_events SET chain_hash = content_hash WHERE id = {}",
            ids[1]
        ),
    )
    .await;
    let first = only(&store.verify_audit_chain(Some(org.id)).await.unwrap())
        .first_break
        .clone()
        .unwrap();
    assert_eq!(
        (first.event_id, first.problem),
        (Some(ids[1]), AuditProblem::LinkBroken)
    );
}

async fn a_deleted_middle_row_is_caught(db: TestDb) {
    let store = &db.store;
    let (org, ticket) = busy_ticket(store, "audit-middle").await;
    let ids = event_ids(&db, ticket.id).await;
    raw(
        &db,
        &format!("DELETE FROM ticket_events WHERE id = {}", ids[3]),
    )
    .await;
    let verification = store.verify_audit_chain(Some(org.id)).await.unwrap();
    let broken = only(&verification).first_break.clone().unwrap();
    assert_eq!(
        broken.ticket_number.as_deref(),
        Some(ticket.number.as_str())
    );
    assert_eq!(
        broken.event_id,
        Some(ids[4]),
        "the break shows at the row after the gap"
    );
    assert_eq!(
        broken.problem,
        AuditProblem::EventsMissing {
            expected: 4,
            found: 5
        }
    );
}

async fn a_deleted_last_row_and_a_vanished_ticket_are_caught(db: TestDb) {
    let store = &db.store;
    let (org, ticket) = busy_ticket(store, "audit-last").await;
    let ids = event_ids(&db, ticket.id).await;
    let last = *ids.last().unwrap();
    raw(&db, &format!("DELETE FROM ticket_events WHERE id = {last}")).await;
    let broken = only(&store.verify_audit_chain(Some(org.id)).await.unwrap())
        .first_break
        .clone()
        .unwrap();
    let count = ids.len() as i64;
    assert_eq!(
        broken.event_id,
        Some(ids[ids.len() - 2]),
        "the last row still present"
    );
    assert_eq!(
        broken.problem,
        AuditProblem::HeadMismatch {
            head_seq: count,
            last_seq: count - 1
        }
    );

    // A ticket taken away with everything that refers to it leaves its number allocated.
    let (org, _) = busy_ticket(store, "audit-vanished").await;
    raw(
        &db,
        &format!(
            "UPDATE ticket_counters SET last_sequence = last_sequence + 1 WHERE org_id = {}",
            org.id
        ),
    )
    .await;
    let broken = only(&store.verify_audit_chain(Some(org.id)).await.unwrap())
        .first_break
        .clone()
        .unwrap();
    assert_eq!(
        broken.problem,
        AuditProblem::TicketCount {
            allocated: 2,
            present: 1
        }
    );
}

async fn a_lawful_erasure_verifies_and_a_disguised_edit_does_not(db: TestDb) {
    let store = &db.store;
    let (org, ticket) = busy_ticket(store, "audit-erasure").await;
    let admin = store
        .create_user(
            org.id,
            &NewUser {
                email: EmailAddress::parse("admin@audit-erasure.example.sa").unwrap(),
                name: PersonName::parse("Admin").unwrap(),
                role: sanad_domain::StaffRole::Admin,
                departments: vec![],
                password_hash: None,
            },
            at("2026-11-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let requester_id = ticket.requester.id;
    let request = store
        .request_erasure(
            org.id,
            requester_id,
            PrivacyActor::Requester(requester_id),
            at("2026-11-25T09:00:00Z"),
        )
        .await
        .unwrap();
    store
        .carry_out_erasure(org.id, request.id, admin.id, at("2026-11-26T09:00:00Z"))
        .await
        .unwrap();

    let verification = store.verify_audit_chain(Some(org.id)).await.unwrap();
    assert!(verification.is_intact(), "{verification:?}");
    assert!(
        only(&verification).redacted >= 1,
        "the created event held the subject and the requester's name"
    );

    // An unlawful edit of a row the erasure left alone is still caught.
    let ids = event_ids(&db, ticket.id).await;
    let victim = *ids.last().unwrap();
    raw(
        &db,
        &format!("UPDATE ticket_events SET actor_label = 'someone else' WHERE id = {victim}"),
    )
    .await;
    let broken = only(&store.verify_audit_chain(Some(org.id)).await.unwrap())
        .first_break
        .clone()
        .unwrap();
    assert_eq!(
        (broken.event_id, broken.problem),
        (Some(victim), AuditProblem::ContentChanged)
    );

    // So is an edit that claims to be an erasure when the ticket was not erased then.
    let (org, ticket) = busy_ticket(store, "audit-disguise").await;
    let victim = event_ids(&db, ticket.id).await[2];
    raw(
        &db,
        &format!(
            "UPDATE ticket_events SET after_value = '\"low\"', redacted_at = 1 WHERE id = {victim}"
        ),
    )
    .await;
    let broken = only(&store.verify_audit_chain(Some(org.id)).await.unwrap())
        .first_break
        .clone()
        .unwrap();
    assert_eq!(
        (broken.event_id, broken.problem),
        (Some(victim), AuditProblem::RedactionUnexplained)
    );
}

async fn two_instances_appending_at_once_leave_one_chain(db: TestDb) {
    let (org, ticket) = busy_ticket(&db.store, "audit-race").await;
    let second_ticket = db
        .store
        .create_ticket(
            &org,
            &new_ticket("طلب ثان", "سارة القحطاني", "sara@audit-race.example.sa"),
            None,
            &Actor::System,
            at("2026-11-22T10:00:00Z"),
        )
        .await
        .unwrap()
        .ticket;
    let before = event_ids(&db, ticket.id).await.len();
    // Several instances share a database on PostgreSQL only; SQLite's deployment is one
    // process whose single writer connection already serializes the tasks below.
    let instances = match db.url {
        DatabaseUrl::Postgres(_) => [db.second_instance().await, db.second_instance().await],
        DatabaseUrl::Sqlite(_) => [db.store.clone(), db.store.clone()],
    };
    let mut tasks = Vec::new();
    for (index, store) in instances.iter().enumerate() {
        for round in 0..10 {
            let (store, org) = (store.clone(), org.clone());
            let numbers = [ticket.number.clone(), second_ticket.number.clone()];
            tasks.push(tokio::spawn(async move {
                let now = at("2026-11-23T09:00:00Z") + SignedDuration::from_secs(round);
                for number in &numbers {
                    message(&store, &org, number, &format!("رسالة {index}-{round}"), now).await;
                }
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(event_ids(&db, ticket.id).await.len(), before + 20);
    let verification = db.store.verify_audit_chain(Some(org.id)).await.unwrap();
    assert!(verification.is_intact(), "{verification:?}");
}

async fn earlier_events_are_chained_at_start_up(db: TestDb) {
    let store = &db.store;
    let (org, ticket) = busy_ticket(store, "audit-backfill").await;
    busy_ticket(store, "audit-backfill-two").await;
    // A database from before the chain: no chain columns anywhere.
    raw(
        &db,
        "UPDATE ticket_events SET chain_seq = NULL, content_hash = NULL, chain_hash = NULL",
    )
    .await;
    raw(&db, "UPDATE tickets SET audit_seq = 0, audit_head = NULL").await;
    let broken = only(&store.verify_audit_chain(Some(org.id)).await.unwrap())
        .first_break
        .clone()
        .unwrap();
    assert_eq!(
        (broken.event_id, broken.problem),
        (
            Some(event_ids(&db, ticket.id).await[0]),
            AuditProblem::Unchained
        )
    );

    let restarted = db.second_instance().await;
    restarted.migrate().await.unwrap();
    let verification = restarted.verify_audit_chain(None).await.unwrap();
    assert!(verification.is_intact(), "{verification:?}");
    assert_eq!(
        restarted.chain_unchained_events().await.unwrap(),
        0,
        "nothing left to chain"
    );
    // New events continue the chains the start-up computed.
    message(
        &restarted,
        &org,
        &ticket.number,
        "بعد الترقية",
        at("2026-11-24T09:00:00Z"),
    )
    .await;
    assert!(
        restarted
            .verify_audit_chain(None)
            .await
            .unwrap()
            .is_intact()
    );
}
