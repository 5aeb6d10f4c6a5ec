//! Reports on both backends: a realistic fortnight of an organization under seed 004's policy
//! (with seed 002's closure targets added, so both kinds of clock run) on simulated time. The
//! report the store computes with SQL must equal, figure for figure, the report recomputed from
//! nothing but the tickets' events (`sanad_domain::reports::recompute`); a few figures are also
//! checked against values worked out by hand, so the two cannot agree by being wrong together.

use sanad_domain::reports::{
    Dimension, Distribution, ReportRange, SatisfactionDimension, recompute,
};
use sanad_domain::service_levels::TargetKind;
use sanad_domain::{
    Channel, Code, Complexity, ConductReason, EmailAddress, Importance, MessageBody, MessageKind,
    PersonName, RequesterType, StaffRole, Subject, TicketKind, TicketStatus,
};
use sanad_store::*;

mod support;
use support::{TestDb, at};

on_both_backends!(
    the_report_is_reproducible_from_the_events,
    digests_are_claimed_once_per_period
);

/// Seed 004 with seed 002's closure targets by complexity, so tickets carry a first-response
/// and a closure clock.
fn policy_source() -> String {
    let source = support::policy_file("seed-004-diplomas-platform.toml");
    assert!(source.contains("alert_at = []\n"));
    source.replace(
        "alert_at = []\n",
        "alert_at = []\n\n[service_levels.closure]\nroutine = \"3 working days\"\ncritical = \"5 working days\"\ncomplex = \"7 working days\"\n",
    )
}

struct Scenario {
    org: Organization,
    agent: User,
    team_lead: User,
}

fn staff(user: &User) -> Actor {
    Actor::Staff {
        id: user.id,
        name: user.name.clone(),
    }
}

fn new_ticket(kind: TicketKind, channel: Channel, category: &str, email: &str) -> NewTicket {
    NewTicket {
        kind,
        channel,
        subject: Subject::parse("لم يصلني رابط تفعيل الحساب").unwrap(),
        body: MessageBody::parse("سجلت في الدبلوم ولم يصلني رابط التفعيل حتى الآن.").unwrap(),
        category: Some(Code::parse(category).unwrap()),
        requester: NewRequester {
            name: PersonName::parse("Sara Example").unwrap(),
            contact: RequesterContact::Email(EmailAddress::parse(email).unwrap()),
            requester_type: RequesterType::Trainee,
        },
        attachments: vec![],
    }
}

async fn scenario(store: &Store) -> Scenario {
    let org = support::organization_with_policy(
        store,
        &support::new_organization("diplomas", "منصة الدبلومات", "DP"),
        "seed-004.toml",
        &policy_source(),
        at("2026-10-25T00:00:00Z"),
    )
    .await;
    let mut people = Vec::new();
    for (email, role) in [
        ("agent@example.sa", StaffRole::Agent),
        ("lead@example.sa", StaffRole::TeamLead),
        ("director@example.sa", StaffRole::Director),
    ] {
        let user = NewUser {
            email: EmailAddress::parse(email).unwrap(),
            name: PersonName::parse(email).unwrap(),
            role,
            departments: vec![Code::parse("student-support").unwrap()],
            password_hash: None,
        };
        people.push(
            store
                .create_user(org.id, &user, at("2026-10-25T00:00:00Z"))
                .await
                .unwrap(),
        );
    }
    Scenario {
        org,
        agent: people[0].clone(),
        team_lead: people[1].clone(),
    }
}

async fn create(store: &Store, org: &Organization, ticket: NewTicket, now: &str) -> String {
    store
        .create_ticket(org, &ticket, None, &Actor::System, at(now))
        .await
        .unwrap()
        .ticket
        .number
}

async fn change(
    store: &Store,
    org: &Organization,
    number: &str,
    changes: TicketChanges,
    actor: &Actor,
    now: &str,
) {
    store
        .change_ticket(org, number, &changes, actor, at(now))
        .await
        .unwrap();
}

async fn classify(
    store: &Store,
    org: &Organization,
    number: &str,
    complexity: Complexity,
    importance: Importance,
    actor: &Actor,
    now: &str,
) {
    let changes = TicketChanges {
        complexity: Some(complexity),
        importance: Some(importance),
        departments: Some(vec![Code::parse("student-support").unwrap()]),
        ..Default::default()
    };
    change(store, org, number, changes, actor, now).await;
}

async fn assign(store: &Store, org: &Organization, number: &str, user: &User, now: &str) {
    let changes = TicketChanges {
        assignee_id: Some(Some(user.id)),
        ..Default::default()
    };
    change(store, org, number, changes, &Actor::System, now).await;
}

async fn reply(store: &Store, org: &Organization, number: &str, actor: &Actor, now: &str) {
    let message = NewMessage {
        kind: MessageKind::PublicReply,
        body: MessageBody::parse("شكرًا لتواصلك، نعمل على طلبك.").unwrap(),
        attachments: vec![],
    };
    store
        .add_message(org, number, &message, actor, at(now))
        .await
        .unwrap();
}

async fn move_to(
    store: &Store,
    org: &Organization,
    number: &str,
    to: TicketStatus,
    actor: &Actor,
    now: &str,
) {
    let reason = (to == TicketStatus::Cancelled)
        .then(|| ConductReason::parse("عبارات مسيئة متكررة").unwrap());
    let request = TransitionRequest {
        to,
        reason,
        merge_into: None,
    };
    store
        .transition_ticket(org, number, &request, actor, at(now))
        .await
        .unwrap();
}

async fn sweep(store: &Store, now: &str) -> usize {
    store
        .fire_due_timers("test-instance", at(now), 1000)
        .await
        .unwrap()
        .fired
}

async fn ticket_id(store: &Store, org: &Organization, number: &str) -> i64 {
    store
        .ticket_detail(org.id, number)
        .await
        .unwrap()
        .unwrap()
        .ticket
        .id
}

async fn rate(
    store: &Store,
    org: &Organization,
    number: &str,
    scores: [i64; 3],
    comment: Option<&str>,
    now: &str,
) {
    let score = |value| sanad_domain::satisfaction::Score::new(value).unwrap();
    let answer = sanad_domain::satisfaction::SatisfactionAnswer {
        handling: score(scores[0]),
        clarity: score(scores[1]),
        closure: score(scores[2]),
        comment: comment.map(str::to_owned),
    };
    let id = ticket_id(store, org, number).await;
    let requester = Actor::System;
    store
        .answer_satisfaction(
            org.id,
            id,
            &answer,
            AnsweredVia::Portal,
            &requester,
            at(now),
        )
        .await
        .unwrap();
}

fn range(from: &str, to: &str) -> ReportRange {
    ReportRange::new(at(from), at(to)).unwrap()
}

async fn the_report_is_reproducible_from_the_events(db: TestDb) {
    let store = &db.store;
    let Scenario {
        org,
        agent,
        team_lead,
    } = scenario(store).await;
    let org = &org;
    let agent_actor = staff(&agent);
    let lead_actor = staff(&team_lead);

    // T1, Sunday 1 November 09:00 Riyadh: an e-mailed complaint answered within the hour,
    // classified routine and resolved the next day; rated 5 with a comment.
    let t1 = create(
        store,
        org,
        new_ticket(
            TicketKind::Complaint,
            Channel::Email,
            "registration-account",
            "sara@example.sa",
        ),
        "2026-11-01T09:00:00+03:00",
    )
    .await;
    assign(store, org, &t1, &agent, "2026-11-01T09:05:00+03:00").await;
    reply(store, org, &t1, &agent_actor, "2026-11-01T10:00:00+03:00").await;
    classify(
        store,
        org,
        &t1,
        Complexity::Routine,
        Importance::Medium,
        &agent_actor,
        "2026-11-01T10:05:00+03:00",
    )
    .await;
    move_to(
        store,
        org,
        &t1,
        TicketStatus::InProgress,
        &agent_actor,
        "2026-11-01T10:10:00+03:00",
    )
    .await;
    move_to(
        store,
        org,
        &t1,
        TicketStatus::Resolved,
        &agent_actor,
        "2026-11-02T10:00:00+03:00",
    )
    .await;
    rate(
        store,
        org,
        &t1,
        [5, 5, 4],
        Some("خدمة ممتازة وسريعة"),
        "2026-11-02T12:00:00+03:00",
    )
    .await;

    // T2, Sunday 11:00: a WhatsApp question nobody answers within its 48 working hours
    // (Sun 5 h, Mon–Thu 32 h, Sun 8 h, Mon 3 h: Monday 9 November 11:00). The breach climbs to
    // stage 1, the team lead records the root cause, answers and resolves; rated 2.
    let t2 = create(
        store,
        org,
        new_ticket(
            TicketKind::Inquiry,
            Channel::Whatsapp,
            "technical-issues",
            "huda@example.sa",
        ),
        "2026-11-01T11:00:00+03:00",
    )
    .await;
    assign(store, org, &t2, &agent, "2026-11-01T11:30:00+03:00").await;

    // T3, Monday 2 November 09:00: a suggestion through the web form (no first-response target
    // there), classified complex: its closure clock is still running at the end.
    let t3 = create(
        store,
        org,
        new_ticket(
            TicketKind::Suggestion,
            Channel::WebForm,
            "lectures-content",
            "noura@example.sa",
        ),
        "2026-11-02T09:00:00+03:00",
    )
    .await;
    classify(
        store,
        org,
        &t3,
        Complexity::Complex,
        Importance::Low,
        &agent_actor,
        "2026-11-02T09:30:00+03:00",
    )
    .await;
    move_to(
        store,
        org,
        &t3,
        TicketStatus::InProgress,
        &agent_actor,
        "2026-11-02T09:40:00+03:00",
    )
    .await;

    // T4, Tuesday 3 November: an e-mailed complaint cancelled for a conduct violation; its
    // clocks are cancelled and count nowhere.
    let t4 = create(
        store,
        org,
        new_ticket(
            TicketKind::Complaint,
            Channel::Email,
            "invoices-fees",
            "fahad@example.sa",
        ),
        "2026-11-03T10:00:00+03:00",
    )
    .await;
    move_to(
        store,
        org,
        &t4,
        TicketStatus::Cancelled,
        &agent_actor,
        "2026-11-04T10:00:00+03:00",
    )
    .await;

    // T5, Tuesday 3 November 12:00: a phone inquiry, classified routine, answered and resolved
    // on Wednesday, reopened on Thursday and resolved again on Sunday 8 November, within its
    // closure clock extended by the time it spent resolved.
    let t5 = create(
        store,
        org,
        new_ticket(
            TicketKind::Inquiry,
            Channel::Phone,
            "certificates-academic",
            "amal@example.sa",
        ),
        "2026-11-03T12:00:00+03:00",
    )
    .await;
    assign(store, org, &t5, &team_lead, "2026-11-03T12:10:00+03:00").await;
    classify(
        store,
        org,
        &t5,
        Complexity::Routine,
        Importance::High,
        &lead_actor,
        "2026-11-03T12:20:00+03:00",
    )
    .await;
    move_to(
        store,
        org,
        &t5,
        TicketStatus::InProgress,
        &lead_actor,
        "2026-11-03T12:30:00+03:00",
    )
    .await;
    reply(store, org, &t5, &lead_actor, "2026-11-04T09:00:00+03:00").await;
    move_to(
        store,
        org,
        &t5,
        TicketStatus::Resolved,
        &lead_actor,
        "2026-11-04T09:10:00+03:00",
    )
    .await;
    move_to(
        store,
        org,
        &t5,
        TicketStatus::InProgress,
        &lead_actor,
        "2026-11-05T09:00:00+03:00",
    )
    .await;
    move_to(
        store,
        org,
        &t5,
        TicketStatus::Resolved,
        &lead_actor,
        "2026-11-08T10:00:00+03:00",
    )
    .await;

    // The sweeps of the fortnight: T2's breach on Monday 9 November.
    assert_eq!(sweep(store, "2026-11-08T12:00:00+03:00").await, 0);
    assert!(sweep(store, "2026-11-09T11:00:00+03:00").await >= 1);
    let detail = store.ticket_detail(org.id, &t2).await.unwrap().unwrap();
    assert_eq!(
        detail.escalations.len(),
        1,
        "the breach starts ladder stage 1"
    );
    let policy = store.policy_in_force(org).await.unwrap().unwrap();
    let category = policy.root_cause_categories()[0].clone();
    let cause = RootCauseInput {
        target: TargetKind::FirstResponse,
        category: category.clone(),
        description: MessageBody::parse("لم تُراقب قناة الواتساب خلال إجازة الموظف").unwrap(),
        corrective_action: MessageBody::parse("تعيين بديل لمراقبة القناة").unwrap(),
    };
    store
        .record_root_cause(
            org,
            &t2,
            &cause,
            &lead_actor,
            at("2026-11-09T12:00:00+03:00"),
        )
        .await
        .unwrap();
    reply(store, org, &t2, &lead_actor, "2026-11-09T12:30:00+03:00").await;
    classify(
        store,
        org,
        &t2,
        Complexity::Routine,
        Importance::Medium,
        &lead_actor,
        "2026-11-09T12:40:00+03:00",
    )
    .await;
    move_to(
        store,
        org,
        &t2,
        TicketStatus::InProgress,
        &lead_actor,
        "2026-11-09T12:50:00+03:00",
    )
    .await;
    move_to(
        store,
        org,
        &t2,
        TicketStatus::Resolved,
        &lead_actor,
        "2026-11-10T09:00:00+03:00",
    )
    .await;
    rate(
        store,
        org,
        &t2,
        [2, 2, 1],
        None,
        "2026-11-10T10:00:00+03:00",
    )
    .await;

    // T6, after the fortnight: outside the main range.
    let t6 = create(
        store,
        org,
        new_ticket(
            TicketKind::Complaint,
            Channel::Email,
            "refunds-transfers",
            "omar@example.sa",
        ),
        "2026-11-16T09:00:00+03:00",
    )
    .await;
    reply(store, org, &t6, &agent_actor, "2026-11-16T09:30:00+03:00").await;

    let events = store.report_events(org.id).await.unwrap();
    assert_eq!(events.tickets.len(), 6);
    let fortnight = range("2026-11-01T00:00:00+03:00", "2026-11-15T00:00:00+03:00");
    let first_days = range("2026-11-01T00:00:00+03:00", "2026-11-04T00:00:00+03:00");
    let whole = range("2026-10-01T00:00:00+03:00", "2026-12-01T00:00:00+03:00");
    for checked in [fortnight, first_days, whole] {
        let computed = store.report(org.id, &checked).await.unwrap();
        let replayed = recompute(
            checked,
            &events.tickets,
            &events.ratings,
            &events.root_causes,
        )
        .unwrap();
        assert_eq!(
            computed, replayed,
            "the SQL report and the fold of the events differ for {checked:?}"
        );
    }

    // Figures worked out by hand for the fortnight.
    let report = store.report(org.id, &fortnight).await.unwrap();
    // Lists come in declaration order of the enumerations.
    assert_eq!(
        report.volume_by_kind,
        vec![
            (TicketKind::Complaint, 2),
            (TicketKind::Suggestion, 1),
            (TicketKind::Inquiry, 2)
        ]
    );
    assert_eq!(
        report.volume_by_channel,
        vec![
            (Channel::WebForm, 1),
            (Channel::Email, 2),
            (Channel::Whatsapp, 1),
            (Channel::Phone, 1)
        ]
    );
    let first = report
        .overall_compliance(TargetKind::FirstResponse)
        .unwrap();
    // T1 met (e-mail, within the hour); T2 breached; T5 (phone) and T3 (web form) have no
    // first-response target; T4's was cancelled.
    assert_eq!((first.met, first.breached, first.pending), (1, 1, 0));
    assert_eq!(first.compliance_percent(), Some(50.0));
    let by_channel: Vec<_> = report
        .compliance
        .iter()
        .filter(|row| {
            row.target == TargetKind::FirstResponse && row.dimension == Dimension::Channel
        })
        .map(|row| (row.value.clone().unwrap(), row.met, row.breached))
        .collect();
    assert_eq!(
        by_channel,
        vec![("email".to_string(), 1, 0), ("whatsapp".to_string(), 0, 1)]
    );
    let closure = report.overall_compliance(TargetKind::Closure).unwrap();
    // T1, T2 and T5 met their closure clocks (T5 after its reopening); T3's is still running.
    assert_eq!((closure.met, closure.breached, closure.pending), (3, 0, 1));
    // First replies: T1 after 1 h, T5 after 21 h, T2 after 8 days 1 h 30 min.
    assert_eq!(
        report.first_response,
        Distribution {
            count: 3,
            median_seconds: Some(21 * 3600),
            p90_seconds: Some(8 * 86_400 + 5400)
        }
    );
    // Resolutions: T1 after 25 h, T5 after 4 days 22 h, T2 after 8 days 22 h.
    assert_eq!(
        report.closure,
        Distribution {
            count: 3,
            median_seconds: Some(4 * 86_400 + 22 * 3600),
            p90_seconds: Some(8 * 86_400 + 22 * 3600)
        }
    );
    // Open at the end of the fortnight: T3, in progress since 2 November (12 days and 15 h).
    assert_eq!(report.backlog, vec![(TicketStatus::InProgress, 1)]);
    assert_eq!(report.aging, [0, 0, 0, 1, 0]);
    assert_eq!(report.escalations.len(), 1);
    assert_eq!(
        (
            report.escalations[0].stage,
            report.escalations[0].name.as_str(),
            report.escalations[0].count
        ),
        (1, "team-lead-reminder", 1)
    );
    assert_eq!(report.breaches.len(), 1);
    assert_eq!(report.breaches[0].number, t2);
    assert_eq!(
        report.breaches[0].breached_at,
        at("2026-11-09T11:00:00+03:00")
    );
    assert_eq!(
        report.breaches[0].root_cause_category.as_deref(),
        Some(category.as_str())
    );
    assert_eq!(
        report.breaches[0].root_cause_description.as_deref(),
        Some("لم تُراقب قناة الواتساب خلال إجازة الموظف")
    );
    assert_eq!(report.root_causes, vec![(category.clone(), 1)]);
    assert_eq!(
        (report.satisfaction.asked, report.satisfaction.answered),
        (3, 2)
    );
    let overall = report
        .satisfaction
        .dimensions
        .iter()
        .find(|d| d.dimension == SatisfactionDimension::Overall)
        .unwrap();
    assert_eq!(overall.by_score, [0, 1, 0, 0, 1]);
    assert_eq!(overall.mean(), Some(3.5));
    let closure_scores = report
        .satisfaction
        .dimensions
        .iter()
        .find(|d| d.dimension == SatisfactionDimension::Closure)
        .unwrap();
    assert_eq!(
        closure_scores.by_score,
        [1, 0, 0, 1, 0],
        "T1 rated the closure 4, T2 rated it 1"
    );
    assert_eq!(report.satisfaction.comments.len(), 1);
    assert_eq!(report.satisfaction.comments[0].number, t1);
    // Workload: the agent was assigned T1 and T2 and replied once (T1); the team lead was
    // assigned T5 by hand and T2 by the ladder, replied on T5 and T2 and resolved both.
    let agent_load = report
        .workload
        .iter()
        .find(|w| w.user_id == agent.id)
        .unwrap();
    assert_eq!(
        (
            agent_load.assigned,
            agent_load.public_replies,
            agent_load.resolved
        ),
        (2, 1, 1)
    );
    let lead_load = report
        .workload
        .iter()
        .find(|w| w.user_id == team_lead.id)
        .unwrap();
    assert_eq!(
        (
            lead_load.assigned,
            lead_load.public_replies,
            lead_load.resolved
        ),
        (2, 2, 2)
    );

    // At the end of 3 November, T1 is resolved, T2 waits, T3 is in progress, T4 not yet
    // cancelled and T5 in progress: four open, read from the events of the tickets changed since.
    let early = store.report(org.id, &first_days).await.unwrap();
    let open_early: i64 = early.backlog.iter().map(|(_, n)| n).sum();
    assert_eq!(open_early, 4);
    assert!(early.breaches.is_empty());
}

async fn digests_are_claimed_once_per_period(db: TestDb) {
    let store = &db.store;
    let Scenario { org, .. } = scenario(store).await;
    let week = at("2026-11-01T06:00:00+03:00");
    let other = db.second_instance().await;
    assert!(
        store
            .claim_report_digest(org.id, week, at("2026-11-01T06:00:00+03:00"))
            .await
            .unwrap()
    );
    assert!(
        !other
            .claim_report_digest(org.id, week, at("2026-11-01T06:00:01+03:00"))
            .await
            .unwrap(),
        "a second instance does not send it again"
    );
    assert!(
        other
            .claim_report_digest(
                org.id,
                at("2026-11-08T06:00:00+03:00"),
                at("2026-11-08T06:00:00+03:00")
            )
            .await
            .unwrap()
    );
    store
        .record_digest_recipients(org.id, week, 1)
        .await
        .unwrap();
    let recipients = store.digest_recipients(org.id).await.unwrap();
    assert_eq!(
        recipients
            .iter()
            .map(|r| r.email.as_str())
            .collect::<Vec<_>>(),
        vec!["director@example.sa"]
    );
    assert!(store.organization_ids().await.unwrap().contains(&org.id));
}
