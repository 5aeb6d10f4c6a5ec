//! Satisfaction answers (seed 002) on SQLite and on PostgreSQL: an answer in three dimensions,
//! changed within the organization's edit window and refused after it, the event each answer
//! records, the team leads' follow-up raised once per ticket, the organization's rules, and the
//! rating invitation that rides with the resolution notification. Time is simulated.

use jiff::SignedDuration;
use sanad_domain::satisfaction::{RatingRules, SatisfactionAnswer, Score};
use sanad_domain::{
    Channel, Code, Complexity, EmailAddress, EventKind, Importance, MessageBody, PersonName,
    RequesterType, StaffRole, Subject, TicketKind, TicketStatus,
};
use sanad_store::*;

mod support;
use support::{TestDb, at};

on_both_backends!(
    an_answer_is_changed_within_the_window_and_refused_after,
    a_low_answer_asks_the_team_leads_once,
    rules_are_read_and_changed_per_organization,
    the_resolution_notification_carries_a_rating_link,
);

fn answer(handling: i64, clarity: i64, closure: i64, comment: Option<&str>) -> SatisfactionAnswer {
    SatisfactionAnswer {
        handling: Score::new(handling).unwrap(),
        clarity: Score::new(clarity).unwrap(),
        closure: Score::new(closure).unwrap(),
        comment: comment.map(str::to_owned),
    }
}

async fn organization(store: &Store, slug: &str, prefix: &str) -> Organization {
    let new = support::new_organization(slug, &format!("Organization {slug}"), prefix);
    store
        .create_organization(&new, at("2026-11-01T00:00:00Z"))
        .await
        .unwrap();
    store
        .set_channel_setting(
            store.organization_by_slug(slug).await.unwrap().unwrap().id,
            &ChannelSetting {
                channel: Channel::Email,
                state: ChannelState::Enabled,
                address: format!("help@{slug}.example.sa"),
            },
        )
        .await
        .unwrap();
    store.organization_by_slug(slug).await.unwrap().unwrap()
}

async fn staff(
    store: &Store,
    org: &Organization,
    email: &str,
    role: StaffRole,
    departments: &[&str],
) -> User {
    let new = NewUser {
        email: EmailAddress::parse(email).unwrap(),
        name: PersonName::parse(email.split('@').next().unwrap()).unwrap(),
        role,
        departments: departments
            .iter()
            .map(|code| Code::parse(code).unwrap())
            .collect(),
        password_hash: None,
    };
    store
        .create_user(org.id, &new, at("2026-11-01T00:00:00Z"))
        .await
        .unwrap()
}

/// A ticket by e-mail, classified, routed to technical support, worked on and resolved.
async fn resolved_ticket(
    store: &Store,
    org: &Organization,
    email: &str,
    now: &str,
) -> TicketSummary {
    let new = NewTicket {
        kind: TicketKind::TechnicalIssue,
        channel: Channel::Email,
        subject: Subject::parse("تعذر الدخول إلى المنصة").unwrap(),
        body: MessageBody::parse("لا أستطيع الدخول منذ أمس.").unwrap(),
        category: None,
        requester: NewRequester {
            name: PersonName::parse("هند الشهري").unwrap(),
            contact: RequesterContact::Email(EmailAddress::parse(email).unwrap()),
            requester_type: RequesterType::Trainee,
        },
        attachments: vec![],
    };
    let start = at(now);
    let ticket = store
        .create_ticket(org, &new, None, &Actor::System, start)
        .await
        .unwrap()
        .ticket;
    let changes = TicketChanges {
        category: Some(Code::parse("login-account").unwrap()),
        complexity: Some(Complexity::Routine),
        importance: Some(Importance::Medium),
        departments: Some(vec![Code::parse("technical-support").unwrap()]),
        ..Default::default()
    };
    store
        .change_ticket(
            org,
            &ticket.number,
            &changes,
            &Actor::System,
            start + SignedDuration::from_mins(5),
        )
        .await
        .unwrap();
    for (status, minutes) in [(TicketStatus::InProgress, 10), (TicketStatus::Resolved, 60)] {
        let request = TransitionRequest {
            to: status,
            reason: None,
            merge_into: None,
        };
        store
            .transition_ticket(
                org,
                &ticket.number,
                &request,
                &Actor::System,
                start + SignedDuration::from_mins(minutes),
            )
            .await
            .unwrap();
    }
    ticket
}

fn requester(ticket: &TicketSummary) -> Actor {
    Actor::Requester {
        id: ticket.requester.id,
        name: ticket.requester.name.clone(),
    }
}

async fn an_answer_is_changed_within_the_window_and_refused_after(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "answers", "AN").await;
    let other = organization(store, "other", "OT").await;
    let ticket = resolved_ticket(store, &org, "hind@example.sa", "2026-11-22T09:00:00Z").await;
    assert_eq!(store.satisfaction(org.id, ticket.id).await.unwrap(), None);

    let first = store
        .answer_satisfaction(
            org.id,
            ticket.id,
            &answer(5, 4, 4, Some("شكراً")),
            AnsweredVia::Invitation(Channel::Email),
            &requester(&ticket),
            at("2026-11-23T09:00:00Z"),
        )
        .await
        .unwrap();
    assert!(!first.edited);
    assert!(first.followed_up_by.is_empty());
    assert_eq!(
        first.record,
        SatisfactionRecord {
            ticket_id: ticket.id,
            handling: Score::new(5).unwrap(),
            clarity: Score::new(4).unwrap(),
            closure: Score::new(4).unwrap(),
            overall: Score::new(4).unwrap(),
            comment: "شكراً".into(),
            answered_via: Some(AnsweredVia::Invitation(Channel::Email)),
            created_at: at("2026-11-23T09:00:00Z"),
            updated_at: at("2026-11-23T09:00:00Z"),
            follow_up_at: None,
        }
    );
    assert_eq!(
        store.satisfaction(org.id, ticket.id).await.unwrap(),
        Some(first.record.clone())
    );
    // Another organization neither reads nor answers this ticket.
    assert_eq!(store.satisfaction(other.id, ticket.id).await.unwrap(), None);
    assert!(matches!(
        store
            .answer_satisfaction(
                other.id,
                ticket.id,
                &answer(1, 1, 1, None),
                AnsweredVia::Portal,
                &Actor::System,
                at("2026-11-23T09:00:00Z")
            )
            .await,
        Err(StoreError::NotFound { what: "ticket", .. })
    ));

    // Within the default 72 hours the answer changes in place; the first answer's time stays.
    let edited = store
        .answer_satisfaction(
            org.id,
            ticket.id,
            &answer(5, 5, 5, None),
            AnsweredVia::Portal,
            &requester(&ticket),
            at("2026-11-26T08:59:59Z"),
        )
        .await
        .unwrap();
    assert!(edited.edited);
    assert_eq!(edited.record.overall, Score::new(5).unwrap());
    assert_eq!(edited.record.comment, "");
    assert_eq!(edited.record.created_at, at("2026-11-23T09:00:00Z"));
    assert_eq!(edited.record.updated_at, at("2026-11-26T08:59:59Z"));
    assert_eq!(edited.record.answered_via, Some(AnsweredVia::Portal));

    // At the window's closing instant the answer is final.
    let late = store
        .answer_satisfaction(
            org.id,
            ticket.id,
            &answer(1, 1, 1, None),
            AnsweredVia::Portal,
            &requester(&ticket),
            at("2026-11-26T09:00:00Z"),
        )
        .await;
    assert!(
        matches!(&late, Err(StoreError::Conflict(message)) if message.contains("can no longer be changed")),
        "{late:?}"
    );
    assert_eq!(
        store.satisfaction(org.id, ticket.id).await.unwrap(),
        Some(edited.record.clone())
    );

    // Each answer is an event with the scores and the channel, never the comment.
    let detail = store
        .ticket_detail(org.id, &ticket.number)
        .await
        .unwrap()
        .unwrap();
    let answers: Vec<_> = detail
        .events
        .iter()
        .filter(|event| event.kind == EventKind::Satisfaction)
        .collect();
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0].actor_kind, "requester");
    let after = answers[0].after.clone().unwrap();
    assert_eq!(after["change"], "answered");
    assert_eq!(
        (
            after["handling"].as_i64(),
            after["clarity"].as_i64(),
            after["closure"].as_i64(),
            after["overall"].as_i64()
        ),
        (Some(5), Some(4), Some(4), Some(4))
    );
    assert_eq!(after["via"], "email");
    assert!(!after.to_string().contains("شكراً"));
    assert_eq!(answers[1].after.as_ref().unwrap()["change"], "edited");
    // The ticket's facts are untouched by answers: replay still explains the row.
    let facts = sanad_domain::TicketFacts::replay(
        &detail
            .events
            .iter()
            .map(Event::to_record)
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert_eq!(facts.status, TicketStatus::Resolved);

    // The dashboard counts the overall figure.
    let dashboard = store
        .dashboard(
            org.id,
            at("2026-11-01T00:00:00Z"),
            at("2026-11-27T00:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(dashboard.satisfaction.by_score, [0, 0, 0, 0, 1]);
}

async fn a_low_answer_asks_the_team_leads_once(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "follow", "FO").await;
    let lead = staff(
        store,
        &org,
        "lead@follow.example.sa",
        StaffRole::TeamLead,
        &["technical-support"],
    )
    .await;
    let _elsewhere = staff(
        store,
        &org,
        "other-lead@follow.example.sa",
        StaffRole::TeamLead,
        &["financial-support"],
    )
    .await;
    let _agent = staff(
        store,
        &org,
        "agent@follow.example.sa",
        StaffRole::Agent,
        &["technical-support"],
    )
    .await;
    let ticket = resolved_ticket(store, &org, "hind@example.sa", "2026-11-22T09:00:00Z").await;

    // Not low: nobody is asked.
    let fine = store
        .answer_satisfaction(
            org.id,
            ticket.id,
            &answer(3, 4, 3, None),
            AnsweredVia::Portal,
            &requester(&ticket),
            at("2026-11-23T09:00:00Z"),
        )
        .await
        .unwrap();
    assert!(fine.followed_up_by.is_empty());
    assert_eq!(fine.record.follow_up_at, None);
    // One dimension at the threshold (2) asks the team lead of the ticket's department only.
    let low = store
        .answer_satisfaction(
            org.id,
            ticket.id,
            &answer(4, 2, 4, Some("الإجراء غير واضح")),
            AnsweredVia::Portal,
            &requester(&ticket),
            at("2026-11-23T10:00:00Z"),
        )
        .await
        .unwrap();
    assert_eq!(low.followed_up_by, vec![lead.id]);
    assert_eq!(low.record.follow_up_at, Some(at("2026-11-23T10:00:00Z")));
    // Lower still, edited again: no second request.
    let lower = store
        .answer_satisfaction(
            org.id,
            ticket.id,
            &answer(1, 1, 1, None),
            AnsweredVia::Portal,
            &requester(&ticket),
            at("2026-11-23T11:00:00Z"),
        )
        .await
        .unwrap();
    assert!(lower.followed_up_by.is_empty());
    assert_eq!(lower.record.follow_up_at, Some(at("2026-11-23T10:00:00Z")));

    let notifications: Vec<_> = store
        .notifications_for_ticket(org.id, &ticket.number)
        .await
        .unwrap()
        .into_iter()
        .filter(|notification| notification.kind == "satisfaction_follow_up")
        .collect();
    assert_eq!(notifications.len(), 1);
    assert_eq!(notifications[0].user_id, lead.id);
    assert_eq!(notifications[0].detail["clarity"], 2);
    assert_eq!(notifications[0].detail["threshold"], 2);

    // With the threshold at 0 a low answer asks nobody.
    store
        .set_rating_rules(org.id, RatingRules::new(72, 0).unwrap())
        .await
        .unwrap();
    let quiet = resolved_ticket(store, &org, "sami@example.sa", "2026-11-24T09:00:00Z").await;
    let none = store
        .answer_satisfaction(
            org.id,
            quiet.id,
            &answer(1, 1, 1, None),
            AnsweredVia::Portal,
            &requester(&quiet),
            at("2026-11-25T09:00:00Z"),
        )
        .await
        .unwrap();
    assert!(none.followed_up_by.is_empty());
    assert_eq!(none.record.follow_up_at, None);
}

async fn rules_are_read_and_changed_per_organization(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "rules", "RU").await;
    let other = organization(store, "other", "OT").await;
    assert_eq!(
        store.rating_rules(org.id).await.unwrap(),
        RatingRules::DEFAULT
    );
    let short = RatingRules::new(1, 3).unwrap();
    store.set_rating_rules(org.id, short).await.unwrap();
    assert_eq!(store.rating_rules(org.id).await.unwrap(), short);
    assert_eq!(
        store.rating_rules(other.id).await.unwrap(),
        RatingRules::DEFAULT
    );
    assert!(matches!(
        store.set_rating_rules(9_999, short).await,
        Err(StoreError::NotFound { .. })
    ));

    // A one-hour window: a change after an hour is refused.
    let ticket = resolved_ticket(store, &org, "hind@example.sa", "2026-11-22T09:00:00Z").await;
    store
        .answer_satisfaction(
            org.id,
            ticket.id,
            &answer(4, 4, 4, None),
            AnsweredVia::Portal,
            &requester(&ticket),
            at("2026-11-23T09:00:00Z"),
        )
        .await
        .unwrap();
    let late = store
        .answer_satisfaction(
            org.id,
            ticket.id,
            &answer(5, 5, 5, None),
            AnsweredVia::Portal,
            &requester(&ticket),
            at("2026-11-23T10:00:00Z"),
        )
        .await;
    assert!(matches!(late, Err(StoreError::Conflict(_))), "{late:?}");
}

async fn the_resolution_notification_carries_a_rating_link(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "invite", "IN").await;
    let ticket = resolved_ticket(store, &org, "hind@example.sa", "2026-11-22T09:00:00Z").await;
    let claimed = store
        .claim_outbox(
            "test",
            at("2026-11-22T11:00:00Z"),
            SignedDuration::from_mins(5),
            50,
        )
        .await
        .unwrap();
    let resolved: Vec<_> = claimed
        .iter()
        .filter(|item| item.kind == sanad_domain::notifications::RequesterNotification::Resolved)
        .collect();
    assert_eq!(resolved.len(), 1);
    let secret = resolved[0]
        .secret
        .clone()
        .expect("the resolution notification carries the link's secret");
    assert_eq!(resolved[0].channel, Channel::Email);
    // The secret opens this ticket, and only through its digest; a guess opens nothing.
    let invitation = store
        .rating_invitation(org.id, &secrets::token_digest(&secret))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        invitation,
        RatingInvitation {
            ticket_id: ticket.id,
            number: ticket.number.clone(),
            channel: Channel::Email
        }
    );
    assert_eq!(
        store.rating_invitation(org.id, &secret).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .rating_invitation(org.id, &secrets::token_digest("sanad_guess"))
            .await
            .unwrap(),
        None
    );
    // Other notifications carry no rating link.
    assert!(
        claimed
            .iter()
            .filter(|item| item.kind
                != sanad_domain::notifications::RequesterNotification::Resolved
                && item.kind != sanad_domain::notifications::RequesterNotification::Receipt)
            .all(|item| item.secret.is_none())
    );
}
