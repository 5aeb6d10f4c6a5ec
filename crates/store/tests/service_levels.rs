//! The service-level engine on simulated time, on SQLite and on PostgreSQL: a ticket under seed
//! 004's published policy runs from arrival through pre-breach alerts, the breach of its first
//! response, each of the three ladder stages and the root cause that closing requires. Time is
//! only ever an argument; nothing sleeps.

use sanad_domain::service_levels::{TargetKind, TargetState};
use sanad_domain::{
    Channel, Code, Complexity, EmailAddress, Importance, MessageBody, MessageKind, PersonName,
    RequesterType, StaffRole, Subject, TicketFacts, TicketKind, TicketStatus,
};
use sanad_store::*;

mod support;
use support::{TestDb, at};

on_both_backends!(
    a_ticket_climbs_the_whole_ladder_on_simulated_time,
    pauses_and_reclassification_move_deadlines,
    two_instances_fire_each_timer_exactly_once,
    a_new_policy_rewrites_running_deadlines_only_when_asked,
);

/// Seed 004's shipped policy, with pre-breach alerts at 75 % and 90 % added (the published
/// document mentions none, and this test must see them).
fn seed_004_with_alerts() -> String {
    let source = support::policy_file("seed-004-diplomas-platform.toml");
    assert!(source.contains("alert_at = []"));
    source.replace("alert_at = []", "alert_at = [0.75, 0.9]")
}

struct Desk {
    org: Organization,
    agent: User,
    team_lead: User,
    director: User,
    executive: User,
}

async fn desk(store: &Store) -> Desk {
    let org = support::organization_with_policy(
        store,
        &support::new_organization("diplomas", "منصة الدبلومات", "DP"),
        "seed-004.toml",
        &seed_004_with_alerts(),
        at("2026-11-01T00:00:00Z"),
    )
    .await;
    assert_eq!(org.policy_version, Some(1));
    let mut people = Vec::new();
    for (email, role) in [
        ("agent@example.sa", StaffRole::Agent),
        ("lead@example.sa", StaffRole::TeamLead),
        ("director@example.sa", StaffRole::Director),
        ("vp@example.sa", StaffRole::Executive),
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
                .create_user(org.id, &user, at("2026-11-01T00:00:00Z"))
                .await
                .unwrap(),
        );
    }
    let executive = people.pop().unwrap();
    let director = people.pop().unwrap();
    let team_lead = people.pop().unwrap();
    let agent = people.pop().unwrap();
    Desk {
        org,
        agent,
        team_lead,
        director,
        executive,
    }
}

fn email_ticket(category: &str) -> NewTicket {
    NewTicket {
        kind: TicketKind::Complaint,
        channel: Channel::Email,
        subject: Subject::parse("لم يتم تفعيل حسابي في المنصة").unwrap(),
        body: MessageBody::parse("سجلت في الدبلوم ولم يصلني رابط التفعيل.").unwrap(),
        category: Some(Code::parse(category).unwrap()),
        requester: NewRequester {
            name: PersonName::parse("Sara").unwrap(),
            contact: RequesterContact::Email(EmailAddress::parse("sara@example.sa").unwrap()),
            requester_type: RequesterType::Trainee,
        },
        attachments: vec![],
    }
}

async fn target(store: &Store, org: &Organization, number: &str, kind: TargetKind) -> TargetRecord {
    let detail = store.ticket_detail(org.id, number).await.unwrap().unwrap();
    detail
        .targets
        .into_iter()
        .find(|target| target.target == kind)
        .unwrap_or_else(|| panic!("no {kind} target"))
}

async fn sweep(store: &Store, now: &str) -> SweepReport {
    store
        .fire_due_timers("test-instance", at(now), 1000)
        .await
        .unwrap()
}

async fn a_ticket_climbs_the_whole_ladder_on_simulated_time(db: TestDb) {
    let store = &db.store;
    let desk = desk(store).await;
    let org = &desk.org;
    let category = "enrollment";
    // Thursday 26 November 2026, 15:00 in Riyadh: one working hour before the weekend.
    let created = store
        .create_ticket(
            org,
            &email_ticket(category),
            None,
            &Actor::System,
            at("2026-11-26T15:00:00+03:00"),
        )
        .await
        .unwrap();
    let number = created.ticket.number.clone();
    let assign = TicketChanges {
        assignee_id: Some(Some(desk.agent.id)),
        ..Default::default()
    };
    store
        .change_ticket(
            org,
            &number,
            &assign,
            &Actor::System,
            at("2026-11-26T15:05:00+03:00"),
        )
        .await
        .unwrap();

    // Seed 004: e-mail is answered within 24 working hours: Thu 1 h + Sun 8 h + Mon 8 h + Tue 7 h.
    let first = target(store, org, &number, TargetKind::FirstResponse).await;
    assert_eq!(first.state, TargetState::Running);
    assert_eq!(first.duration, "24 working hours");
    assert_eq!(first.deadline, at("2026-12-01T15:00:00+03:00"));

    assert_eq!(
        sweep(store, "2026-11-30T12:00:00+03:00").await.fired,
        0,
        "nothing is due on Monday"
    );
    // 75 % = 18 working hours: Tuesday 09:00. 90 % = 21.6 working hours: Tuesday 12:36.
    let first_alert = sweep(store, "2026-12-01T09:00:00+03:00").await;
    assert_eq!(first_alert.fired, 1);
    let notifications = store
        .notifications_for_ticket(org.id, &number)
        .await
        .unwrap();
    let recipients: Vec<i64> = notifications
        .iter()
        .filter(|n| n.kind == "pre_breach_alert")
        .map(|n| n.user_id)
        .collect();
    assert_eq!(
        recipients,
        vec![desk.agent.id, desk.team_lead.id],
        "the assignee and the department's team lead are warned"
    );
    assert_eq!(notifications[0].detail["alert_at"], 0.75);
    assert_eq!(sweep(store, "2026-12-01T12:36:00+03:00").await.fired, 1);

    // The deadline passes with no reply: breach, and stage 1 (team lead) takes the ticket.
    let breach = sweep(store, "2026-12-01T15:00:00+03:00").await;
    assert_eq!(breach.fired, 1);
    let first = target(store, org, &number, TargetKind::FirstResponse).await;
    assert_eq!(first.state, TargetState::Breached);
    let detail = store.ticket_detail(org.id, &number).await.unwrap().unwrap();
    assert_eq!(detail.escalations.len(), 1);
    assert_eq!(detail.escalations[0].stage_name, "team-lead-reminder");
    assert_eq!(detail.escalations[0].reason, "breached:first_response");
    assert_eq!(detail.ticket.assignee_id, Some(desk.team_lead.id));

    // Stage 2 follows 24 working hours later if nobody answered: Sunday 6 December 15:00.
    assert_eq!(sweep(store, "2026-12-06T14:59:00+03:00").await.fired, 0);
    assert_eq!(sweep(store, "2026-12-06T15:00:00+03:00").await.fired, 1);
    let detail = store.ticket_detail(org.id, &number).await.unwrap().unwrap();
    assert_eq!(detail.escalations[1].stage_name, "department-director");
    assert_eq!(detail.escalations[1].owner_user_id, Some(desk.director.id));
    // The director has 24 working hours of their own (seed 004).
    assert_eq!(
        detail.escalations[1].deadline,
        at("2026-12-09T15:00:00+03:00")
    );
    assert_eq!(detail.ticket.assignee_id, Some(desk.director.id));

    // Stage 3: the executive, who answers the same working day; importance is raised.
    assert_eq!(sweep(store, "2026-12-09T15:00:00+03:00").await.fired, 1);
    let detail = store.ticket_detail(org.id, &number).await.unwrap().unwrap();
    assert_eq!(detail.escalations.len(), 3);
    assert_eq!(detail.escalations[2].stage_name, "executive-vice-president");
    assert_eq!(
        detail.escalations[2].deadline,
        at("2026-12-09T16:00:00+03:00")
    );
    assert_eq!(detail.ticket.assignee_id, Some(desk.executive.id));
    assert_eq!(detail.ticket.importance, Some(Importance::High));
    let escalation_notices = store
        .notifications_for_ticket(org.id, &number)
        .await
        .unwrap();
    assert!(
        escalation_notices
            .iter()
            .any(|n| n.kind == "escalation" && n.user_id == desk.executive.id)
    );
    // Nothing fires twice.
    assert_eq!(sweep(store, "2026-12-31T00:00:00+03:00").await.fired, 0);

    // The executive answers and resolves; closing waits for the breach's root cause.
    let executive = Actor::Staff {
        id: desk.executive.id,
        name: "vp".into(),
    };
    let classify = TicketChanges {
        complexity: Some(Complexity::Routine),
        ..Default::default()
    };
    store
        .change_ticket(
            org,
            &number,
            &classify,
            &executive,
            at("2026-12-09T15:10:00+03:00"),
        )
        .await
        .unwrap();
    let reply = NewMessage {
        kind: MessageKind::PublicReply,
        body: MessageBody::parse("فعّلنا حسابك، نعتذر عن التأخير.").unwrap(),
        attachments: vec![],
    };
    store
        .add_message(
            org,
            &number,
            &reply,
            &executive,
            at("2026-12-09T15:20:00+03:00"),
        )
        .await
        .unwrap();
    let first = target(store, org, &number, TargetKind::FirstResponse).await;
    assert_eq!(
        (first.state, first.met_at),
        (TargetState::Breached, Some(at("2026-12-09T15:20:00+03:00"))),
        "a late answer stays a breach"
    );
    for status in [TicketStatus::InProgress, TicketStatus::Resolved] {
        let request = TransitionRequest {
            to: status,
            reason: None,
            merge_into: None,
        };
        store
            .transition_ticket(
                org,
                &number,
                &request,
                &executive,
                at("2026-12-09T15:30:00+03:00"),
            )
            .await
            .unwrap();
    }
    let close = TransitionRequest {
        to: TicketStatus::Closed,
        reason: None,
        merge_into: None,
    };
    let refused = store
        .transition_ticket(
            org,
            &number,
            &close,
            &executive,
            at("2026-12-09T15:40:00+03:00"),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::RootCauseRequired { ref targets }) if targets == &vec!["first_response".to_string()]),
        "{refused:?}"
    );
    let policy = store.policy_in_force(org).await.unwrap().unwrap();
    let category = policy.root_cause_categories()[0].clone();
    let unknown = RootCauseInput {
        target: TargetKind::FirstResponse,
        category: "bad-luck".into(),
        description: MessageBody::parse("x").unwrap(),
        corrective_action: MessageBody::parse("x").unwrap(),
    };
    assert!(matches!(
        store
            .record_root_cause(
                org,
                &number,
                &unknown,
                &executive,
                at("2026-12-09T15:41:00+03:00")
            )
            .await,
        Err(StoreError::Invalid(_))
    ));
    let cause = RootCauseInput {
        target: TargetKind::FirstResponse,
        category: category.clone(),
        description: MessageBody::parse("صندوق البريد لم يُراقب خلال إجازة الموظف").unwrap(),
        corrective_action: MessageBody::parse("تعيين بديل لمراقبة صندوق البريد أثناء الإجازات")
            .unwrap(),
    };
    store
        .record_root_cause(
            org,
            &number,
            &cause,
            &executive,
            at("2026-12-09T15:42:00+03:00"),
        )
        .await
        .unwrap();
    let closed = store
        .transition_ticket(
            org,
            &number,
            &close,
            &executive,
            at("2026-12-09T15:43:00+03:00"),
        )
        .await
        .unwrap();
    assert_eq!(closed.status, TicketStatus::Closed);
    let detail = store.ticket_detail(org.id, &number).await.unwrap().unwrap();
    assert_eq!(detail.root_causes[0].category, category);

    // The events still explain the facts, escalations included.
    let records: Vec<_> = detail.events.iter().map(Event::to_record).collect();
    let replayed = TicketFacts::replay(&records).unwrap();
    assert_eq!(replayed.assignee, detail.ticket.assignee_id);
    assert_eq!(replayed.importance, detail.ticket.importance);
    assert_eq!(replayed.status, TicketStatus::Closed);
    let breach_events = detail
        .events
        .iter()
        .filter(|event| {
            event
                .after
                .as_ref()
                .is_some_and(|after| after["change"] == "breached")
        })
        .count();
    assert_eq!(breach_events, 1);
}

async fn pauses_and_reclassification_move_deadlines(db: TestDb) {
    let store = &db.store;
    let desk = desk(store).await;
    let org = &desk.org;
    // Sunday 22 November 2026, 09:00.
    let created = store
        .create_ticket(
            org,
            &email_ticket("enrollment"),
            None,
            &Actor::System,
            at("2026-11-22T09:00:00+03:00"),
        )
        .await
        .unwrap();
    let number = created.ticket.number;
    let actor = Actor::Staff {
        id: desk.agent.id,
        name: "agent".into(),
    };
    // Classification creates the closure target, measured from arrival.
    let classify = TicketChanges {
        complexity: Some(Complexity::Routine),
        importance: Some(Importance::Medium),
        ..Default::default()
    };
    store
        .change_ticket(
            org,
            &number,
            &classify,
            &actor,
            at("2026-11-22T09:30:00+03:00"),
        )
        .await
        .unwrap();
    let policy = store.policy_in_force(org).await.unwrap().unwrap();
    let closure_duration = policy
        .service_levels()
        .closure
        .get(&Complexity::Routine)
        .cloned();
    if let Some(duration) = closure_duration {
        let closure = target(store, org, &number, TargetKind::Closure).await;
        let expected = policy
            .default_calendar()
            .deadline(at("2026-11-22T09:00:00+03:00"), &duration)
            .unwrap();
        assert_eq!(closure.deadline, expected);
        // Reclassifying as complex recomputes it from arrival.
        if let Some(complex) = policy
            .service_levels()
            .closure
            .get(&Complexity::Complex)
            .cloned()
        {
            let reclassify = TicketChanges {
                complexity: Some(Complexity::Complex),
                ..Default::default()
            };
            store
                .change_ticket(
                    org,
                    &number,
                    &reclassify,
                    &actor,
                    at("2026-11-22T10:00:00+03:00"),
                )
                .await
                .unwrap();
            let recomputed = target(store, org, &number, TargetKind::Closure).await;
            assert_eq!(
                recomputed.deadline,
                policy
                    .default_calendar()
                    .deadline(at("2026-11-22T09:00:00+03:00"), &complex)
                    .unwrap()
            );
        }
    }
    // Waiting on the requester pauses the first-response clock; the requester's answer resumes
    // it, one working day later (Sunday 10:00 to Monday 10:00 = 8 working hours).
    let before = target(store, org, &number, TargetKind::FirstResponse).await;
    for (status, when) in [
        (TicketStatus::InProgress, "2026-11-22T10:00:00+03:00"),
        (
            TicketStatus::WaitingOnRequester,
            "2026-11-22T10:00:00+03:00",
        ),
    ] {
        store
            .transition_ticket(
                org,
                &number,
                &TransitionRequest {
                    to: status,
                    reason: None,
                    merge_into: None,
                },
                &actor,
                at(when),
            )
            .await
            .unwrap();
    }
    assert_eq!(
        target(store, org, &number, TargetKind::FirstResponse)
            .await
            .state,
        TargetState::Paused
    );
    // While paused, the breach does not fire even when the old deadline passes.
    assert_eq!(sweep(store, "2026-11-25T12:00:00+03:00").await.fired, 0);
    let answer = NewMessage {
        kind: MessageKind::RequesterMessage,
        body: MessageBody::parse("هذا رقم الطلب").unwrap(),
        attachments: vec![],
    };
    let requester = Actor::Requester {
        id: created.ticket.requester.id,
        name: "Sara".into(),
    };
    store
        .add_message(
            org,
            &number,
            &answer,
            &requester,
            at("2026-11-23T10:00:00+03:00"),
        )
        .await
        .unwrap();
    let after = target(store, org, &number, TargetKind::FirstResponse).await;
    assert_eq!(after.state, TargetState::Running);
    let paused_working_time = policy.default_calendar().working_time_between(
        at("2026-11-22T10:00:00+03:00"),
        at("2026-11-23T10:00:00+03:00"),
    );
    assert_eq!(paused_working_time, jiff::SignedDuration::from_hours(8));
    assert_eq!(
        after.deadline,
        policy
            .default_calendar()
            .extend_for_pause(
                before.deadline,
                at("2026-11-22T10:00:00+03:00"),
                at("2026-11-23T10:00:00+03:00"),
                &"24 working hours".parse().unwrap()
            )
            .unwrap()
    );
    assert!(after.deadline > before.deadline);
    // A public reply meets the first response; cancelling stops the rest.
    let reply = NewMessage {
        kind: MessageKind::PublicReply,
        body: MessageBody::parse("تم").unwrap(),
        attachments: vec![],
    };
    store
        .add_message(
            org,
            &number,
            &reply,
            &actor,
            at("2026-11-23T11:00:00+03:00"),
        )
        .await
        .unwrap();
    assert_eq!(
        target(store, org, &number, TargetKind::FirstResponse)
            .await
            .state,
        TargetState::Met
    );
    let cancel = TransitionRequest {
        to: TicketStatus::Cancelled,
        reason: Some(sanad_domain::ConductReason::parse("عبارات مسيئة").unwrap()),
        merge_into: None,
    };
    store
        .transition_ticket(
            org,
            &number,
            &cancel,
            &actor,
            at("2026-11-23T12:00:00+03:00"),
        )
        .await
        .unwrap();
    let detail = store.ticket_detail(org.id, &number).await.unwrap().unwrap();
    assert!(
        detail
            .targets
            .iter()
            .all(|target| matches!(target.state, TargetState::Met | TargetState::Cancelled)),
        "{:?}",
        detail.targets
    );
    assert_eq!(
        sweep(store, "2027-01-01T00:00:00+03:00").await.fired,
        0,
        "a cancelled ticket's timers are gone"
    );
}

async fn two_instances_fire_each_timer_exactly_once(db: TestDb) {
    let desk = desk(&db.store).await;
    let org = desk.org.clone();
    let mut numbers = Vec::new();
    for index in 0..40 {
        let created = db
            .store
            .create_ticket(
                &org,
                &email_ticket("enrollment"),
                None,
                &Actor::System,
                at("2026-11-22T09:00:00+03:00") + jiff::SignedDuration::from_secs(index),
            )
            .await
            .unwrap();
        numbers.push(created.ticket.number);
    }
    // The instance that created the timers goes away; two others, started later, share the work
    // of everything that fell due meanwhile, then of each later ladder stage as time advances.
    db.store.close().await;
    let first = db.second_instance().await;
    let second = db.second_instance().await;
    // Breaches (and stage 1) on Sunday 20 December; stage 2 is due 24 working hours later
    // (Tuesday 16:00), stage 3 24 working hours after that.
    let instants = [
        "2026-12-20T00:00:00+03:00",
        "2026-12-24T00:00:00+03:00",
        "2026-12-31T00:00:00+03:00",
    ];
    let mut fired_per_instance = [0usize; 2];
    for instant in instants {
        let now = at(instant);
        let mut handles = Vec::new();
        for (instance, store) in [
            ("instance-a", first.clone()),
            ("instance-b", second.clone()),
        ] {
            handles.push(tokio::spawn(async move {
                let mut fired = 0;
                loop {
                    let report = store.fire_due_timers(instance, now, 7).await.unwrap();
                    fired += report.fired;
                    if report.claimed == 0 {
                        return fired;
                    }
                }
            }));
        }
        for (index, handle) in handles.into_iter().enumerate() {
            fired_per_instance[index] += handle.await.unwrap();
        }
    }
    assert!(
        fired_per_instance.iter().all(|fired| *fired > 0),
        "both instances did work: {fired_per_instance:?}"
    );
    for number in &numbers {
        let detail = first.ticket_detail(org.id, number).await.unwrap().unwrap();
        let stages: Vec<&str> = detail
            .escalations
            .iter()
            .map(|escalation| escalation.stage_name.as_str())
            .collect();
        assert_eq!(
            stages,
            [
                "team-lead-reminder",
                "department-director",
                "executive-vice-president"
            ],
            "{number}"
        );
        let breaches = detail
            .events
            .iter()
            .filter(|event| {
                event
                    .after
                    .as_ref()
                    .is_some_and(|after| after["change"] == "breached")
            })
            .count();
        assert_eq!(breaches, 1, "{number}");
        // An alert may be skipped when the breach overtook it, but never sent twice.
        let notifications = first
            .notifications_for_ticket(org.id, number)
            .await
            .unwrap();
        let mut alerts: Vec<(i64, String)> = notifications
            .iter()
            .filter(|notification| notification.kind == "pre_breach_alert")
            .map(|notification| {
                (
                    notification.user_id,
                    notification.detail["alert_at"].to_string(),
                )
            })
            .collect();
        let sent = alerts.len();
        alerts.sort();
        alerts.dedup();
        assert_eq!(alerts.len(), sent, "duplicate alert on {number}");
        assert_eq!(
            notifications
                .iter()
                .filter(|notification| notification.kind == "breach")
                .count(),
            1,
            "{number}"
        );
    }
    // Every timer is spent: a later sweep finds nothing.
    assert_eq!(
        first
            .fire_due_timers("instance-a", at("2027-06-01T00:00:00+03:00"), 100)
            .await
            .unwrap()
            .claimed,
        0
    );
}

async fn a_new_policy_rewrites_running_deadlines_only_when_asked(db: TestDb) {
    let store = &db.store;
    let desk = desk(store).await;
    let created = store
        .create_ticket(
            &desk.org,
            &email_ticket("enrollment"),
            None,
            &Actor::System,
            at("2026-11-22T09:00:00+03:00"),
        )
        .await
        .unwrap();
    let number = created.ticket.number;
    let original = target(store, &desk.org, &number, TargetKind::FirstResponse)
        .await
        .deadline;
    // Version 2 promises e-mail answers within 8 working hours; the running ticket keeps its
    // published 24.
    let faster = seed_004_with_alerts().replace(
        "first_response = \"24 working hours\"",
        "first_response = \"8 working hours\"",
    );
    assert_ne!(faster, seed_004_with_alerts());
    let (version, recomputed) = store
        .apply_policy(
            &desk.org,
            "v2.toml",
            &faster,
            RecomputeDeadlines::KeepRunning,
            at("2026-11-22T10:00:00+03:00"),
        )
        .await
        .unwrap();
    assert_eq!((version, recomputed), (2, 0));
    assert_eq!(
        target(store, &desk.org, &number, TargetKind::FirstResponse)
            .await
            .deadline,
        original
    );
    // New tickets follow version 2 at once.
    let org = store
        .organization_by_slug("diplomas")
        .await
        .unwrap()
        .unwrap();
    let newer = store
        .create_ticket(
            &org,
            &email_ticket("enrollment"),
            None,
            &Actor::System,
            at("2026-11-22T09:00:00+03:00"),
        )
        .await
        .unwrap();
    assert_eq!(
        target(store, &org, &newer.ticket.number, TargetKind::FirstResponse)
            .await
            .deadline,
        at("2026-11-23T09:00:00+03:00"),
        "Sunday 09:00 + 8 working hours: 7 on Sunday, 1 on Monday"
    );
    // With --recompute, the open ticket is measured anew from its arrival.
    let (version, recomputed) = store
        .apply_policy(
            &org,
            "v3.toml",
            &faster,
            RecomputeDeadlines::RecomputeOpenTickets,
            at("2026-11-22T10:30:00+03:00"),
        )
        .await
        .unwrap();
    assert_eq!(version, 3);
    assert_eq!(recomputed, 2);
    let recomputed_deadline = target(store, &org, &number, TargetKind::FirstResponse)
        .await
        .deadline;
    assert_eq!(
        recomputed_deadline,
        at("2026-11-23T09:00:00+03:00"),
        "Sunday 09:00 + 8 working hours"
    );
}
