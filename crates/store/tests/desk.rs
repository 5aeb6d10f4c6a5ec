//! The web desk's storage on SQLite and on PostgreSQL: sessions, login throttling, tracking
//! codes, canned replies, ratings, staff accounts, the agents' queues under the confidentiality
//! rule, and the dashboard figures on a hand-made data set. Time is only ever an argument: the
//! service-level engine runs on simulated instants, and nothing sleeps.

use jiff::{SignedDuration, Timestamp};
use sanad_domain::permissions::Principal;
use sanad_domain::service_levels::{TargetKind, TargetState};
use sanad_domain::{
    Channel, Code, Complexity, EmailAddress, Importance, MessageBody, MessageKind, PersonName,
    RequesterType, StaffRole, Subject, TicketKind, TicketStatus,
};
use sanad_store::*;

mod support;
use support::{TestDb, at};

on_both_backends!(
    sessions_are_found_until_they_expire,
    login_failures_count_per_address_and_per_client,
    tracking_codes_open_exactly_one_ticket,
    canned_replies_are_created_edited_and_archived,
    views_presence_contacts_channels_and_settings,
    staff_accounts_are_read_and_updated,
    queues_respect_the_confidentiality_of_complaints,
    every_queue_holds_the_right_tickets,
    queue_rows_carry_deadlines_stages_and_names,
    queue_filters_sorts_and_pages,
    queue_counts_agree_with_the_queues,
    the_dashboard_figures_on_a_small_data_set,
);

/// Seed 004's shipped policy: e-mail answered within 24 working hours, WhatsApp within 48,
/// Sunday to Thursday 08:00–16:00 in Riyadh, a three-stage ladder starting with the team lead.
fn seed_004() -> String {
    support::policy_file("seed-004-diplomas-platform.toml")
}

/// An answer with the same score in all three dimensions, whose overall figure is that score.
fn uniform_answer(score: i64) -> sanad_domain::satisfaction::SatisfactionAnswer {
    let score = sanad_domain::satisfaction::Score::new(score).unwrap();
    sanad_domain::satisfaction::SatisfactionAnswer {
        handling: score,
        clarity: score,
        closure: score,
        comment: None,
    }
}

async fn organization(store: &Store, slug: &str, prefix: &str, policy: bool) -> Organization {
    let new = support::new_organization(slug, &format!("Organization {slug}"), prefix);
    let now = at("2026-11-01T00:00:00Z");
    if policy {
        return support::organization_with_policy(store, &new, "seed-004.toml", &seed_004(), now)
            .await;
    }
    store.create_organization(&new, now).await.unwrap();
    store.organization_by_slug(slug).await.unwrap().unwrap()
}

async fn staff(
    store: &Store,
    org: &Organization,
    email: &str,
    name: &str,
    role: StaffRole,
    departments: &[&str],
) -> User {
    let new = NewUser {
        email: EmailAddress::parse(email).unwrap(),
        name: PersonName::parse(name).unwrap(),
        role,
        departments: departments
            .iter()
            .map(|code| Code::parse(code).unwrap())
            .collect(),
        password_hash: Some(format!("$argon2id$hash-of-{email}")),
    };
    store
        .create_user(org.id, &new, at("2026-11-01T00:00:00Z"))
        .await
        .unwrap()
}

fn principal(user: &User) -> Principal {
    Principal::Staff {
        user_id: user.id,
        role: user.role,
        departments: user.departments.clone(),
    }
}

fn ticket(
    kind: TicketKind,
    channel: Channel,
    subject: &str,
    category: Option<&str>,
    requester: &str,
    email: &str,
) -> NewTicket {
    NewTicket {
        kind,
        channel,
        subject: Subject::parse(subject).unwrap(),
        body: MessageBody::parse("التفاصيل في الموضوع.").unwrap(),
        category: category.map(|code| Code::parse(code).unwrap()),
        requester: NewRequester {
            name: PersonName::parse(requester).unwrap(),
            contact: RequesterContact::Email(EmailAddress::parse(email).unwrap()),
            requester_type: RequesterType::Trainee,
        },
        attachments: vec![],
    }
}

async fn create(store: &Store, org: &Organization, new: &NewTicket, now: &str) -> TicketSummary {
    store
        .create_ticket(org, new, None, &Actor::System, at(now))
        .await
        .unwrap()
        .ticket
}

async fn change(
    store: &Store,
    org: &Organization,
    number: &str,
    changes: TicketChanges,
    now: &str,
) {
    store
        .change_ticket(org, number, &changes, &Actor::System, at(now))
        .await
        .unwrap();
}

async fn move_to(store: &Store, org: &Organization, number: &str, status: TicketStatus, now: &str) {
    let request = TransitionRequest {
        to: status,
        reason: None,
        merge_into: None,
    };
    store
        .transition_ticket(org, number, &request, &Actor::System, at(now))
        .await
        .unwrap();
}

async fn reply(store: &Store, org: &Organization, number: &str, now: &str) {
    let message = NewMessage {
        kind: MessageKind::PublicReply,
        body: MessageBody::parse("تم الرد.").unwrap(),
        attachments: vec![],
    };
    store
        .add_message(org, number, &message, &Actor::System, at(now))
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

async fn target(store: &Store, org: &Organization, number: &str, kind: TargetKind) -> TargetRecord {
    store
        .ticket_detail(org.id, number)
        .await
        .unwrap()
        .unwrap()
        .targets
        .into_iter()
        .find(|target| target.target == kind)
        .unwrap()
}

// ---- sessions, throttling, tracking codes, canned replies, ratings --------------------------

async fn sessions_are_found_until_they_expire(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "sessions", "SE", false).await;
    let user = staff(
        store,
        &org,
        "agent@example.sa",
        "Agent",
        StaffRole::Agent,
        &[],
    )
    .await;
    let new = NewSession {
        org_id: org.id,
        kind: SessionKind::Staff,
        user_id: Some(user.id),
        ticket_id: None,
        token_hash: "hash-one".into(),
        expires_at: at("2026-11-22T12:00:00Z"),
    };
    let created = store
        .create_session(&new, at("2026-11-22T10:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        (
            created.org_id,
            created.kind,
            created.user_id,
            created.ticket_id
        ),
        (org.id, SessionKind::Staff, Some(user.id), None)
    );
    assert_eq!(created.created_at, at("2026-11-22T10:00:00Z"));
    assert_eq!(created.expires_at, at("2026-11-22T12:00:00Z"));

    let found = store
        .session_by_token_hash("hash-one", at("2026-11-22T11:59:59Z"))
        .await
        .unwrap();
    assert_eq!(found, Some(created.clone()));
    assert_eq!(
        store
            .session_by_token_hash("hash-one", at("2026-11-22T12:00:00Z"))
            .await
            .unwrap(),
        None,
        "a session is over at its expiry instant"
    );
    assert_eq!(
        store
            .session_by_token_hash("other", at("2026-11-22T10:00:00Z"))
            .await
            .unwrap(),
        None
    );
    assert!(matches!(
        store.create_session(&new, at("2026-11-22T10:00:00Z")).await,
        Err(StoreError::Conflict(_))
    ));

    // A requester's session and a pending sign-in; then the user's sessions end together.
    let ticket = create(
        store,
        &org,
        &ticket(
            TicketKind::Inquiry,
            Channel::WebForm,
            "سؤال",
            None,
            "Sara",
            "sara@example.sa",
        ),
        "2026-11-22T09:00:00Z",
    )
    .await;
    let requester = NewSession {
        kind: SessionKind::Requester,
        user_id: None,
        ticket_id: Some(ticket.id),
        token_hash: "hash-requester".into(),
        ..new.clone()
    };
    let pending = NewSession {
        kind: SessionKind::StaffTotpPending,
        token_hash: "hash-pending".into(),
        expires_at: at("2026-11-22T10:05:00Z"),
        ..new.clone()
    };
    let requester = store
        .create_session(&requester, at("2026-11-22T10:00:00Z"))
        .await
        .unwrap();
    assert_eq!(requester.ticket_id, Some(ticket.id));
    store
        .create_session(&pending, at("2026-11-22T10:00:00Z"))
        .await
        .unwrap();
    let now = at("2026-11-22T10:01:00Z");
    assert_eq!(
        store
            .session_by_token_hash("hash-pending", now)
            .await
            .unwrap()
            .unwrap()
            .kind,
        SessionKind::StaffTotpPending
    );
    store
        .delete_sessions_of_user(org.id, user.id)
        .await
        .unwrap();
    assert_eq!(
        store.session_by_token_hash("hash-one", now).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .session_by_token_hash("hash-pending", now)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .session_by_token_hash("hash-requester", now)
            .await
            .unwrap(),
        Some(requester)
    );

    store.delete_session("hash-requester").await.unwrap();
    assert_eq!(
        store
            .session_by_token_hash("hash-requester", now)
            .await
            .unwrap(),
        None
    );

    // Expired sessions are swept, live ones kept.
    for (hash, expires) in [
        ("old-1", "2026-11-22T09:00:00Z"),
        ("old-2", "2026-11-22T10:00:00Z"),
        ("live", "2026-11-22T10:00:01Z"),
    ] {
        let session = NewSession {
            token_hash: hash.into(),
            expires_at: at(expires),
            ..new.clone()
        };
        store
            .create_session(&session, at("2026-11-22T08:00:00Z"))
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .delete_expired_sessions(at("2026-11-22T10:00:00Z"))
            .await
            .unwrap(),
        2
    );
    assert!(
        store
            .session_by_token_hash("live", at("2026-11-22T10:00:00Z"))
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store
            .delete_expired_sessions(at("2026-11-22T10:00:00Z"))
            .await
            .unwrap(),
        0
    );
}

async fn login_failures_count_per_address_and_per_client(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "logins", "LG", false).await;
    let other = organization(store, "other", "OT", false).await;
    let attempt = |org: i64, email: &'static str, ip: &'static str, outcome, now: &'static str| async move {
        store
            .record_login_attempt(org, email, ip, outcome, at(now))
            .await
            .unwrap()
    };
    use LoginOutcome::{Failed, Succeeded};
    attempt(
        org.id,
        "a@example.sa",
        "10.0.0.1",
        Failed,
        "2026-11-22T09:59:00Z",
    )
    .await;
    attempt(
        org.id,
        "a@example.sa",
        "10.0.0.1",
        Failed,
        "2026-11-22T10:00:00Z",
    )
    .await;
    attempt(
        org.id,
        "a@example.sa",
        "10.0.0.1",
        Failed,
        "2026-11-22T10:01:00Z",
    )
    .await;
    attempt(
        org.id,
        "b@example.sa",
        "10.0.0.1",
        Failed,
        "2026-11-22T10:02:00Z",
    )
    .await;
    attempt(
        org.id,
        "a@example.sa",
        "10.0.0.2",
        Failed,
        "2026-11-22T10:03:00Z",
    )
    .await;
    // The same address in another organization is another account; the client is the same.
    attempt(
        other.id,
        "a@example.sa",
        "10.0.0.1",
        Failed,
        "2026-11-22T10:04:00Z",
    )
    .await;

    let failures = |since: &'static str| async move {
        store
            .login_failures_since(org.id, "a@example.sa", "10.0.0.1", at(since))
            .await
            .unwrap()
    };
    assert_eq!(
        failures("2026-11-22T10:00:00Z").await,
        LoginFailures {
            for_email: 3,
            from_client: 4
        }
    );
    assert_eq!(
        failures("2026-11-22T09:00:00Z").await,
        LoginFailures {
            for_email: 4,
            from_client: 5
        }
    );

    // A success resets the address's count, not the client's.
    attempt(
        org.id,
        "a@example.sa",
        "10.0.0.1",
        Succeeded,
        "2026-11-22T10:05:00Z",
    )
    .await;
    assert_eq!(
        failures("2026-11-22T09:00:00Z").await,
        LoginFailures {
            for_email: 0,
            from_client: 5
        }
    );
    attempt(
        org.id,
        "a@example.sa",
        "10.0.0.3",
        Failed,
        "2026-11-22T10:06:00Z",
    )
    .await;
    assert_eq!(
        failures("2026-11-22T09:00:00Z").await,
        LoginFailures {
            for_email: 1,
            from_client: 5
        }
    );
    assert_eq!(
        store
            .login_failures_since(
                other.id,
                "a@example.sa",
                "10.0.0.9",
                at("2026-11-22T09:00:00Z")
            )
            .await
            .unwrap(),
        LoginFailures {
            for_email: 1,
            from_client: 0
        }
    );
}

async fn tracking_codes_open_exactly_one_ticket(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "tracking", "TR", false).await;
    let other = organization(store, "elsewhere", "TR", false).await;
    let new = ticket(
        TicketKind::Inquiry,
        Channel::WebForm,
        "سؤال",
        None,
        "Sara",
        "sara@example.sa",
    );
    let first = create(store, &org, &new, "2026-11-22T09:00:00Z").await;
    let second = create(store, &org, &new, "2026-11-22T09:01:00Z").await;
    let foreign = create(store, &other, &new, "2026-11-22T09:02:00Z").await;
    assert_eq!(
        first.number, foreign.number,
        "both organizations use the prefix TR"
    );

    let now = at("2026-11-22T09:05:00Z");
    store
        .set_tracking_code(org.id, first.id, "code-1", now)
        .await
        .unwrap();
    store
        .set_tracking_code(org.id, second.id, "code-2", now)
        .await
        .unwrap();
    store
        .set_tracking_code(other.id, foreign.id, "code-f", now)
        .await
        .unwrap();
    let lookup = |org_id: i64, number: String, hash: &'static str| async move {
        store
            .ticket_id_by_tracking_code(org_id, &number, hash)
            .await
            .unwrap()
    };
    assert_eq!(
        lookup(org.id, first.number.clone(), "code-1").await,
        Some(first.id)
    );
    assert_eq!(
        lookup(org.id, first.number.clone(), "code-2").await,
        None,
        "wrong code"
    );
    assert_eq!(
        lookup(org.id, second.number.clone(), "code-1").await,
        None,
        "wrong number"
    );
    assert_eq!(
        lookup(org.id, "TR-2026-000099".into(), "code-1").await,
        None
    );
    assert_eq!(
        lookup(org.id, first.number.clone(), "code-f").await,
        None,
        "other organization"
    );
    assert_eq!(
        lookup(other.id, foreign.number.clone(), "code-f").await,
        Some(foreign.id)
    );

    // A new code replaces the old one.
    store
        .set_tracking_code(org.id, first.id, "code-1b", now)
        .await
        .unwrap();
    assert_eq!(lookup(org.id, first.number.clone(), "code-1").await, None);
    assert_eq!(
        lookup(org.id, first.number.clone(), "code-1b").await,
        Some(first.id)
    );
    assert!(matches!(
        store.set_tracking_code(org.id, foreign.id, "x", now).await,
        Err(StoreError::NotFound { what: "ticket", .. })
    ));

    assert_eq!(
        store.ticket_number_by_id(org.id, second.id).await.unwrap(),
        Some(second.number.clone())
    );
    assert_eq!(
        store.ticket_number_by_id(org.id, foreign.id).await.unwrap(),
        None
    );
}

async fn canned_replies_are_created_edited_and_archived(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "canned", "CR", false).await;
    let other = organization(store, "other", "OT", false).await;
    let now = at("2026-11-22T09:00:00Z");
    let zeta = store
        .create_canned_reply(org.id, "Zeta", "نص زيتا", now)
        .await
        .unwrap();
    let alpha = store
        .create_canned_reply(org.id, "Alpha", "نص ألفا", now)
        .await
        .unwrap();
    store
        .create_canned_reply(other.id, "Foreign", "x", now)
        .await
        .unwrap();
    assert_eq!(
        (zeta.title.as_str(), zeta.body.as_str()),
        ("Zeta", "نص زيتا")
    );
    assert_eq!(
        store.canned_replies(org.id).await.unwrap(),
        vec![alpha.clone(), zeta.clone()]
    );

    let edited = store
        .update_canned_reply(org.id, zeta.id, "Beta", "نص جديد")
        .await
        .unwrap();
    assert_eq!(
        edited,
        CannedReply {
            id: zeta.id,
            title: "Beta".into(),
            body: "نص جديد".into()
        }
    );
    assert!(matches!(
        store.update_canned_reply(other.id, zeta.id, "x", "y").await,
        Err(StoreError::NotFound {
            what: "canned reply",
            ..
        })
    ));
    assert!(matches!(
        store.update_canned_reply(org.id, 999_999, "x", "y").await,
        Err(StoreError::NotFound { .. })
    ));

    store
        .archive_canned_reply(org.id, alpha.id, now)
        .await
        .unwrap();
    assert_eq!(store.canned_replies(org.id).await.unwrap(), vec![edited]);
    assert!(matches!(
        store.update_canned_reply(org.id, alpha.id, "x", "y").await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.archive_canned_reply(org.id, alpha.id, now).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.archive_canned_reply(other.id, zeta.id, now).await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.canned_replies(other.id).await.unwrap().len(), 1);
}

async fn views_presence_contacts_channels_and_settings(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "audit", "AU", false).await;
    let other = organization(store, "other", "OT", false).await;
    let ali = staff(store, &org, "ali@example.sa", "Ali", StaffRole::Agent, &[]).await;
    let huda = staff(
        store,
        &org,
        "huda@example.sa",
        "Huda",
        StaffRole::Director,
        &[],
    )
    .await;
    let new = ticket(
        TicketKind::Complaint,
        Channel::Phone,
        "شكوى",
        None,
        "Sara",
        "sara@example.sa",
    );
    let first = create(store, &org, &new, "2026-11-22T09:00:00Z").await;
    let second = create(store, &org, &new, "2026-11-22T09:01:00Z").await;
    let foreign = create(store, &other, &new, "2026-11-22T09:02:00Z").await;

    // The confidentiality audit: newest first, limited.
    store
        .record_ticket_view(org.id, first.id, ali.id, at("2026-11-22T10:00:00Z"))
        .await
        .unwrap();
    store
        .record_ticket_view(org.id, second.id, huda.id, at("2026-11-22T10:01:00Z"))
        .await
        .unwrap();
    store
        .record_ticket_view(org.id, first.id, huda.id, at("2026-11-22T10:02:00Z"))
        .await
        .unwrap();
    assert!(matches!(
        store
            .record_ticket_view(org.id, foreign.id, ali.id, at("2026-11-22T10:03:00Z"))
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let views = store.ticket_views(org.id, 2).await.unwrap();
    assert_eq!(
        views,
        vec![
            TicketViewRecord {
                ticket_number: first.number.clone(),
                user_id: huda.id,
                user_name: "Huda".into(),
                at: at("2026-11-22T10:02:00Z")
            },
            TicketViewRecord {
                ticket_number: second.number.clone(),
                user_id: huda.id,
                user_name: "Huda".into(),
                at: at("2026-11-22T10:01:00Z")
            },
        ]
    );
    assert_eq!(store.ticket_views(org.id, 10).await.unwrap().len(), 3);
    assert!(store.ticket_views(other.id, 10).await.unwrap().is_empty());

    // Presence: one row per person and ticket, most recent first.
    store
        .touch_presence(
            org.id,
            first.id,
            ali.id,
            PresenceActivity::Viewing,
            at("2026-11-22T10:00:00Z"),
        )
        .await
        .unwrap();
    store
        .touch_presence(
            org.id,
            first.id,
            huda.id,
            PresenceActivity::Replying,
            at("2026-11-22T10:01:00Z"),
        )
        .await
        .unwrap();
    store
        .touch_presence(
            org.id,
            first.id,
            ali.id,
            PresenceActivity::Replying,
            at("2026-11-22T10:02:00Z"),
        )
        .await
        .unwrap();
    store
        .touch_presence(
            org.id,
            second.id,
            ali.id,
            PresenceActivity::Viewing,
            at("2026-11-22T10:02:00Z"),
        )
        .await
        .unwrap();
    let presence = store
        .presence(first.id, at("2026-11-22T10:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        presence,
        vec![
            PresenceRecord {
                user_id: ali.id,
                user_name: "Ali".into(),
                activity: PresenceActivity::Replying,
                seen_at: at("2026-11-22T10:02:00Z")
            },
            PresenceRecord {
                user_id: huda.id,
                user_name: "Huda".into(),
                activity: PresenceActivity::Replying,
                seen_at: at("2026-11-22T10:01:00Z")
            },
        ]
    );
    let recent = store
        .presence(first.id, at("2026-11-22T10:01:30Z"))
        .await
        .unwrap();
    assert_eq!(
        recent.iter().map(|p| p.user_id).collect::<Vec<_>>(),
        vec![ali.id]
    );

    // Contact details: JSON in, the same JSON out; recording again replaces them.
    assert_eq!(store.contact_details(first.id).await.unwrap(), None);
    let details =
        serde_json::json!({"duration_minutes": 7, "summary": "اتصال هاتفي", "callback": null});
    store
        .record_contact_details(org.id, first.id, &details, ali.id)
        .await
        .unwrap();
    assert_eq!(
        store.contact_details(first.id).await.unwrap(),
        Some(details)
    );
    let corrected = serde_json::json!({"duration_minutes": 9, "topics": ["fees", "certificate"]});
    store
        .record_contact_details(org.id, first.id, &corrected, huda.id)
        .await
        .unwrap();
    assert_eq!(
        store.contact_details(first.id).await.unwrap(),
        Some(corrected)
    );
    assert!(matches!(
        store
            .record_contact_details(org.id, foreign.id, &serde_json::json!({}), ali.id)
            .await,
        Err(StoreError::NotFound { .. })
    ));

    // Channel settings, ordered by channel; setting one again replaces it.
    assert!(store.channel_settings(org.id).await.unwrap().is_empty());
    let whatsapp = ChannelSetting {
        channel: Channel::Whatsapp,
        state: ChannelState::Disabled,
        address: "+966500000041".into(),
    };
    let email = ChannelSetting {
        channel: Channel::Email,
        state: ChannelState::Enabled,
        address: "old@example.sa".into(),
    };
    store.set_channel_setting(org.id, &whatsapp).await.unwrap();
    store.set_channel_setting(org.id, &email).await.unwrap();
    let email = ChannelSetting {
        address: "students@example.sa".into(),
        ..email
    };
    store.set_channel_setting(org.id, &email).await.unwrap();
    assert_eq!(
        store.channel_settings(org.id).await.unwrap(),
        vec![email, whatsapp]
    );
    assert!(store.channel_settings(other.id).await.unwrap().is_empty());

    // Organization settings.
    store
        .update_organization_settings(org.id, "منصة التدريب", "Asia/Dubai", 72)
        .await
        .unwrap();
    let updated = store.organization_by_id(org.id).await.unwrap().unwrap();
    assert_eq!(
        (
            updated.name.as_str(),
            updated.time_zone.as_str(),
            updated.reopen_window_hours
        ),
        ("منصة التدريب", "Asia/Dubai", 72)
    );
    let untouched = store.organization_by_id(other.id).await.unwrap().unwrap();
    assert_eq!(untouched.reopen_window_hours, 168);
    assert!(matches!(
        store
            .update_organization_settings(999_999, "x", "UTC", 1)
            .await,
        Err(StoreError::NotFound {
            what: "organization",
            ..
        })
    ));
}

async fn staff_accounts_are_read_and_updated(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "accounts", "AC", false).await;
    let other = organization(store, "other", "OT", false).await;
    let zaid = staff(
        store,
        &org,
        "zaid@example.sa",
        "Zaid",
        StaffRole::Agent,
        &["financial-support", "technical-support"],
    )
    .await;
    let amal = staff(
        store,
        &org,
        "amal@example.sa",
        "Amal",
        StaffRole::TeamLead,
        &[],
    )
    .await;
    let foreign = staff(
        store,
        &other,
        "zaid@example.sa",
        "Zaid elsewhere",
        StaffRole::Agent,
        &[],
    )
    .await;

    let credentials = store
        .staff_credentials(org.id, "zaid@example.sa")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(credentials.user, zaid);
    assert_eq!(
        credentials.user.departments,
        vec![
            "financial-support".to_string(),
            "technical-support".to_string()
        ]
    );
    assert_eq!(
        credentials.password_hash.as_deref(),
        Some("$argon2id$hash-of-zaid@example.sa")
    );
    assert_eq!(credentials.totp_secret, None);
    assert_eq!(credentials.state, UserState::Active);
    assert!(
        store
            .staff_credentials(org.id, "nobody@example.sa")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .staff_credentials(other.id, "zaid@example.sa")
            .await
            .unwrap()
            .unwrap()
            .user
            .id,
        foreign.id
    );
    assert!(
        store
            .staff_credentials_by_id(org.id, foreign.id)
            .await
            .unwrap()
            .is_none()
    );

    store
        .set_user_password(org.id, zaid.id, "$argon2id$new")
        .await
        .unwrap();
    store
        .set_user_totp(org.id, zaid.id, Some("JBSWY3DPEHPK3PXP"))
        .await
        .unwrap();
    let credentials = store
        .staff_credentials_by_id(org.id, zaid.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(credentials.password_hash.as_deref(), Some("$argon2id$new"));
    assert_eq!(credentials.totp_secret.as_deref(), Some("JBSWY3DPEHPK3PXP"));
    assert!(matches!(
        store.set_user_password(org.id, foreign.id, "x").await,
        Err(StoreError::NotFound {
            what: "staff member",
            ..
        })
    ));
    assert!(matches!(
        store.set_user_totp(org.id, 999_999, None).await,
        Err(StoreError::NotFound { .. })
    ));

    // Name, role, departments (replaced) and state in one update.
    let update = UserUpdate {
        name: PersonName::parse("Zaid Alharbi").unwrap(),
        role: StaffRole::Specialist,
        departments: vec![
            Code::parse("student-support").unwrap(),
            Code::parse("academic-affairs").unwrap(),
        ],
        state: UserState::Disabled,
    };
    let updated = store
        .update_user(org.id, zaid.id, &update, at("2026-11-22T09:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        updated,
        User {
            id: zaid.id,
            email: "zaid@example.sa".into(),
            name: "Zaid Alharbi".into(),
            role: StaffRole::Specialist,
            departments: vec!["academic-affairs".into(), "student-support".into()],
        }
    );
    let credentials = store
        .staff_credentials_by_id(org.id, zaid.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(credentials.state, UserState::Disabled);
    assert_eq!(credentials.user, updated);
    assert!(
        store
            .users(org.id)
            .await
            .unwrap()
            .iter()
            .all(|user| user.id != zaid.id),
        "a disabled user is no longer among the active staff"
    );

    // Every user by name, disabled ones included.
    let listings = store.user_listings(org.id).await.unwrap();
    assert_eq!(
        listings,
        vec![
            UserListing {
                user: amal.clone(),
                state: UserState::Active,
                has_password: true,
                has_totp: false
            },
            UserListing {
                user: updated.clone(),
                state: UserState::Disabled,
                has_password: true,
                has_totp: true
            },
        ]
    );

    let unknown_department = UserUpdate {
        name: PersonName::parse("Should Not Stick").unwrap(),
        departments: vec![
            Code::parse("student-support").unwrap(),
            Code::parse("no-such-department").unwrap(),
        ],
        ..update.clone()
    };
    let refused = store
        .update_user(
            org.id,
            zaid.id,
            &unknown_department,
            at("2026-11-22T09:00:00Z"),
        )
        .await;
    assert!(
        matches!(&refused, Err(StoreError::NotFound { what: "department", key }) if key == "no-such-department"),
        "{refused:?}"
    );
    assert_eq!(
        store
            .staff_credentials_by_id(org.id, zaid.id)
            .await
            .unwrap()
            .unwrap()
            .user,
        updated,
        "a refused update changes nothing"
    );
    assert!(matches!(
        store
            .update_user(org.id, foreign.id, &update, at("2026-11-22T09:00:00Z"))
            .await,
        Err(StoreError::NotFound {
            what: "staff member",
            ..
        })
    ));

    let reactivate = UserUpdate {
        state: UserState::Active,
        departments: vec![],
        ..update
    };
    let active = store
        .update_user(org.id, zaid.id, &reactivate, at("2026-11-22T10:00:00Z"))
        .await
        .unwrap();
    assert!(active.departments.is_empty());
    let credentials = store
        .staff_credentials_by_id(org.id, zaid.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(credentials.state, UserState::Active);
    assert!(
        store
            .users(org.id)
            .await
            .unwrap()
            .iter()
            .any(|user| user.id == zaid.id)
    );
}

// ---- queues ----------------------------------------------------------------------------------

/// The queue data set: seven tickets of seed 004's organization, on Sunday 22 November 2026, and
/// the moment the queues are looked at: Sunday 29 November, 12:00 in Riyadh.
///
/// | ticket | kind       | channel   | departments       | assignee   | status               | importance |
/// |--------|------------|-----------|-------------------|------------|----------------------|------------|
/// | T1     | complaint  | whatsapp  | financial-support | —          | registered           | high       |
/// | T2     | complaint  | web_form  | technical-support | specialist | in_progress          | medium     |
/// | T3     | inquiry    | whatsapp  | financial-support | agent_a    | registered           | medium     |
/// | T4     | suggestion | email     | student-support   | lead (*)   | registered, breached | —          |
/// | T5     | request    | phone     | student-affairs   | —          | waiting_on_requester | low        |
/// | T6     | inquiry    | web_form  | technical-support | —          | resolved             | high       |
/// | T7     | complaint  | web_form  | —                 | —          | registered           | —          |
///
/// (*) T4's first response breached on Wednesday 25 November at 09:30, and the first ladder stage
/// gave it to the team lead. T1's first response is due Monday 30 November 09:00, T3's at 09:20.
struct QueueDesk {
    org: Organization,
    agent_a: User,
    agent_b: User,
    specialist: User,
    lead: User,
    director: User,
    supervisor: User,
    /// `(label, ticket)` in creation order: T1 … T7.
    tickets: Vec<(&'static str, TicketSummary)>,
}

impl QueueDesk {
    fn number(&self, label: &str) -> String {
        self.ticket(label).number.clone()
    }

    fn ticket(&self, label: &str) -> &TicketSummary {
        &self
            .tickets
            .iter()
            .find(|(name, _)| *name == label)
            .unwrap()
            .1
    }

    fn label(&self, number: &str) -> &'static str {
        self.tickets
            .iter()
            .find(|(_, ticket)| ticket.number == number)
            .unwrap()
            .0
    }
}

fn queue_now() -> Timestamp {
    at("2026-11-29T12:00:00+03:00")
}

fn query(queue: Queue) -> QueueQuery {
    QueueQuery {
        queue,
        kind: None,
        status: None,
        category: None,
        department: None,
        importance: None,
        channel: None,
        text: None,
        sort: QueueSort::NewestFirst,
        page: 1,
        page_size: 50,
        now: queue_now(),
        // Monday 09:00 is exactly 21 hours away: T1 is due then, T3 twenty minutes later.
        breaching_within: SignedDuration::from_hours(21),
    }
}

async fn queue_desk(store: &Store) -> QueueDesk {
    let org = organization(store, "diplomas", "DP", true).await;
    let agent_a = staff(
        store,
        &org,
        "agent-a@example.sa",
        "Agent A",
        StaffRole::Agent,
        &["financial-support"],
    )
    .await;
    let agent_b = staff(
        store,
        &org,
        "agent-b@example.sa",
        "Agent B",
        StaffRole::Agent,
        &["technical-support"],
    )
    .await;
    let specialist = staff(
        store,
        &org,
        "specialist@example.sa",
        "Specialist",
        StaffRole::Specialist,
        &[],
    )
    .await;
    let lead = staff(
        store,
        &org,
        "lead@example.sa",
        "Lead",
        StaffRole::TeamLead,
        &["student-support"],
    )
    .await;
    let director = staff(
        store,
        &org,
        "director@example.sa",
        "Director",
        StaffRole::Director,
        &[],
    )
    .await;
    let supervisor = staff(
        store,
        &org,
        "supervisor@example.sa",
        "Supervisor",
        StaffRole::Supervisor,
        &["financial-support"],
    )
    .await;

    let specs = [
        (
            "T1",
            TicketKind::Complaint,
            Channel::Whatsapp,
            "رسوم مكررة على البطاقة",
            Some("invoices-fees"),
            "Noura",
            "noura@example.sa",
            "2026-11-22T09:00:00+03:00",
        ),
        (
            "T2",
            TicketKind::Complaint,
            Channel::WebForm,
            "المنصة لا تفتح",
            Some("technical-issues"),
            "Fahad",
            "fahad@example.sa",
            "2026-11-22T09:10:00+03:00",
        ),
        (
            "T3",
            TicketKind::Inquiry,
            Channel::Whatsapp,
            "Refund REQUEST for invoice 12",
            Some("invoices-fees"),
            "Reem",
            "reem@example.sa",
            "2026-11-22T09:20:00+03:00",
        ),
        (
            "T4",
            TicketKind::Suggestion,
            Channel::Email,
            "اقتراح لتحسين التسجيل",
            Some("registration-account"),
            "Omar",
            "omar@example.sa",
            "2026-11-22T09:30:00+03:00",
        ),
        (
            "T5",
            TicketKind::Request,
            Channel::Phone,
            "طلب شهادة",
            None,
            "Layla",
            "layla@example.sa",
            "2026-11-22T09:40:00+03:00",
        ),
        (
            "T6",
            TicketKind::Inquiry,
            Channel::WebForm,
            "سؤال عن الاختبار",
            Some("technical-issues"),
            "Khalid",
            "khalid@example.sa",
            "2026-11-22T09:50:00+03:00",
        ),
        (
            "T7",
            TicketKind::Complaint,
            Channel::WebForm,
            "شكوى سرية",
            None,
            "Zainab_100%",
            "zainab@example.sa",
            "2026-11-22T10:00:00+03:00",
        ),
    ];
    let mut tickets = Vec::new();
    for (label, kind, channel, subject, category, requester, email, now) in specs {
        let created = create(
            store,
            &org,
            &ticket(kind, channel, subject, category, requester, email),
            now,
        )
        .await;
        tickets.push((label, created));
    }
    let number = |label: &str| {
        tickets
            .iter()
            .find(|(name, _)| *name == label)
            .unwrap()
            .1
            .number
            .clone()
    };

    change(
        store,
        &org,
        &number("T1"),
        TicketChanges {
            importance: Some(Importance::High),
            ..Default::default()
        },
        "2026-11-22T10:10:00+03:00",
    )
    .await;
    change(
        store,
        &org,
        &number("T2"),
        TicketChanges {
            complexity: Some(Complexity::Routine),
            importance: Some(Importance::Medium),
            assignee_id: Some(Some(specialist.id)),
            ..Default::default()
        },
        "2026-11-22T10:05:00+03:00",
    )
    .await;
    move_to(
        store,
        &org,
        &number("T2"),
        TicketStatus::InProgress,
        "2026-11-22T10:06:00+03:00",
    )
    .await;
    change(
        store,
        &org,
        &number("T3"),
        TicketChanges {
            importance: Some(Importance::Medium),
            assignee_id: Some(Some(agent_a.id)),
            ..Default::default()
        },
        "2026-11-22T10:20:00+03:00",
    )
    .await;
    change(
        store,
        &org,
        &number("T5"),
        TicketChanges {
            category: Some(Code::parse("certificates-academic").unwrap()),
            complexity: Some(Complexity::Routine),
            importance: Some(Importance::Low),
            departments: Some(vec![Code::parse("student-affairs").unwrap()]),
            ..Default::default()
        },
        "2026-11-22T10:30:00+03:00",
    )
    .await;
    move_to(
        store,
        &org,
        &number("T5"),
        TicketStatus::InProgress,
        "2026-11-22T10:31:00+03:00",
    )
    .await;
    move_to(
        store,
        &org,
        &number("T5"),
        TicketStatus::WaitingOnRequester,
        "2026-11-22T10:32:00+03:00",
    )
    .await;
    change(
        store,
        &org,
        &number("T6"),
        TicketChanges {
            complexity: Some(Complexity::Routine),
            importance: Some(Importance::High),
            ..Default::default()
        },
        "2026-11-22T10:50:00+03:00",
    )
    .await;
    move_to(
        store,
        &org,
        &number("T6"),
        TicketStatus::InProgress,
        "2026-11-22T10:51:00+03:00",
    )
    .await;
    move_to(
        store,
        &org,
        &number("T6"),
        TicketStatus::Resolved,
        "2026-11-22T10:52:00+03:00",
    )
    .await;

    // T4's e-mail goes unanswered: 24 working hours from Sunday 09:30 end on Wednesday 09:30.
    assert_eq!(sweep(store, "2026-11-25T09:29:00+03:00").await, 0);
    assert_eq!(sweep(store, "2026-11-25T09:30:00+03:00").await, 1);
    // Nothing else falls due before the queues are looked at (stage two is due Monday 09:30).
    assert_eq!(sweep(store, "2026-11-29T12:00:00+03:00").await, 0);

    let mut refreshed = Vec::new();
    for (label, ticket) in tickets {
        let detail = store
            .ticket_detail(org.id, &ticket.number)
            .await
            .unwrap()
            .unwrap();
        refreshed.push((label, detail.ticket));
    }
    let desk = QueueDesk {
        org,
        agent_a,
        agent_b,
        specialist,
        lead,
        director,
        supervisor,
        tickets: refreshed,
    };
    // The data set is what the table above says.
    let t = |label: &str| desk.ticket(label);
    assert_eq!(t("T1").status, TicketStatus::Registered);
    assert_eq!(t("T2").status, TicketStatus::InProgress);
    assert_eq!(t("T4").assignee_id, Some(desk.lead.id));
    assert_eq!(t("T5").status, TicketStatus::WaitingOnRequester);
    assert_eq!(t("T6").status, TicketStatus::Resolved);
    assert_eq!(t("T2").departments, vec!["technical-support".to_string()]);
    assert!(t("T7").departments.is_empty());
    desk
}

async fn labels(
    store: &Store,
    desk: &QueueDesk,
    viewer: &Principal,
    query: &QueueQuery,
) -> Vec<&'static str> {
    let page = store.queue(desk.org.id, viewer, query).await.unwrap();
    page.rows
        .iter()
        .map(|row| desk.label(&row.number))
        .collect()
}

async fn queues_respect_the_confidentiality_of_complaints(db: TestDb) {
    let store = &db.store;
    let desk = queue_desk(store).await;
    let token = Principal::OrganizationToken { token_id: 1 };
    let cases: [(&str, Principal, Queue, &[&str]); 16] = [
        // The complaint T1 is routed to financial support.
        (
            "agent of finance",
            principal(&desk.agent_a),
            Queue::All,
            &["T6", "T5", "T4", "T3", "T1"],
        ),
        (
            "agent of finance",
            principal(&desk.agent_a),
            Queue::AllOpen,
            &["T5", "T4", "T3", "T1"],
        ),
        (
            "agent of finance",
            principal(&desk.agent_a),
            Queue::Unassigned,
            &["T5", "T1"],
        ),
        (
            "agent of finance",
            principal(&desk.agent_a),
            Queue::BreachingSoon,
            &["T4", "T1"],
        ),
        (
            "agent of technical support",
            principal(&desk.agent_b),
            Queue::All,
            &["T6", "T5", "T4", "T3", "T2"],
        ),
        (
            "agent of technical support",
            principal(&desk.agent_b),
            Queue::Unassigned,
            &["T5"],
        ),
        (
            "agent of technical support",
            principal(&desk.agent_b),
            Queue::BreachingSoon,
            &["T4"],
        ),
        // The specialist has no department but is T2's assignee.
        (
            "assignee",
            principal(&desk.specialist),
            Queue::All,
            &["T6", "T5", "T4", "T3", "T2"],
        ),
        (
            "assignee",
            principal(&desk.specialist),
            Queue::AllOpen,
            &["T5", "T4", "T3", "T2"],
        ),
        (
            "team lead",
            principal(&desk.lead),
            Queue::All,
            &["T6", "T5", "T4", "T3"],
        ),
        (
            "director",
            principal(&desk.director),
            Queue::All,
            &["T7", "T6", "T5", "T4", "T3", "T2", "T1"],
        ),
        (
            "director",
            principal(&desk.director),
            Queue::Unassigned,
            &["T7", "T5", "T1"],
        ),
        (
            "token",
            token.clone(),
            Queue::All,
            &["T7", "T6", "T5", "T4", "T3", "T2", "T1"],
        ),
        ("supervisor", principal(&desk.supervisor), Queue::All, &[]),
        (
            "supervisor",
            principal(&desk.supervisor),
            Queue::AllOpen,
            &[],
        ),
        (
            "supervisor",
            principal(&desk.supervisor),
            Queue::MyDepartments,
            &[],
        ),
    ];
    for (who, viewer, queue, expected) in cases {
        let page = store
            .queue(desk.org.id, &viewer, &query(queue))
            .await
            .unwrap();
        let got: Vec<_> = page
            .rows
            .iter()
            .map(|row| desk.label(&row.number))
            .collect();
        assert_eq!(got, expected, "{who} in {queue:?}");
        assert_eq!(page.total, expected.len() as i64, "{who} in {queue:?}");
    }
    // The same rule holds under a filter that names the hidden complaint directly.
    let search = QueueQuery {
        text: Some(desk.number("T1")),
        ..query(Queue::All)
    };
    assert!(
        labels(store, &desk, &principal(&desk.agent_b), &search)
            .await
            .is_empty()
    );
    assert_eq!(
        labels(store, &desk, &principal(&desk.agent_a), &search).await,
        vec!["T1"]
    );
}

async fn every_queue_holds_the_right_tickets(db: TestDb) {
    let store = &db.store;
    let desk = queue_desk(store).await;
    let token = Principal::OrganizationToken { token_id: 1 };
    let cases: Vec<(&str, Principal, Queue, Vec<&str>)> = vec![
        (
            "agent of finance",
            principal(&desk.agent_a),
            Queue::Mine,
            vec!["T3"],
        ),
        (
            "assignee",
            principal(&desk.specialist),
            Queue::Mine,
            vec!["T2"],
        ),
        ("team lead", principal(&desk.lead), Queue::Mine, vec!["T4"]),
        ("director", principal(&desk.director), Queue::Mine, vec![]),
        ("token", token.clone(), Queue::Mine, vec![]),
        (
            "agent of finance",
            principal(&desk.agent_a),
            Queue::MyDepartments,
            vec!["T3", "T1"],
        ),
        // T6 is technical support's too, but resolved.
        (
            "agent of technical support",
            principal(&desk.agent_b),
            Queue::MyDepartments,
            vec!["T2"],
        ),
        (
            "team lead",
            principal(&desk.lead),
            Queue::MyDepartments,
            vec!["T4"],
        ),
        (
            "director without departments",
            principal(&desk.director),
            Queue::MyDepartments,
            vec![],
        ),
        (
            "director",
            principal(&desk.director),
            Queue::Unassigned,
            vec!["T7", "T5", "T1"],
        ),
        // T4 is breached; T1 is due at the horizon; T3, twenty minutes later, is not.
        (
            "director",
            principal(&desk.director),
            Queue::BreachingSoon,
            vec!["T4", "T1"],
        ),
        (
            "team lead",
            principal(&desk.lead),
            Queue::EscalatedToMe,
            vec!["T4"],
        ),
        (
            "director",
            principal(&desk.director),
            Queue::EscalatedToMe,
            vec![],
        ),
        ("token", token.clone(), Queue::EscalatedToMe, vec![]),
        (
            "director",
            principal(&desk.director),
            Queue::WaitingOnRequester,
            vec!["T5"],
        ),
        (
            "agent of finance",
            principal(&desk.agent_a),
            Queue::WaitingOnRequester,
            vec!["T5"],
        ),
        (
            "director",
            principal(&desk.director),
            Queue::AllOpen,
            vec!["T7", "T5", "T4", "T3", "T2", "T1"],
        ),
        (
            "director",
            principal(&desk.director),
            Queue::All,
            vec!["T7", "T6", "T5", "T4", "T3", "T2", "T1"],
        ),
        (
            "token",
            token.clone(),
            Queue::AllOpen,
            vec!["T7", "T5", "T4", "T3", "T2", "T1"],
        ),
    ];
    for (who, viewer, queue, expected) in cases {
        let page = store
            .queue(desk.org.id, &viewer, &query(queue))
            .await
            .unwrap();
        let got: Vec<_> = page
            .rows
            .iter()
            .map(|row| desk.label(&row.number))
            .collect();
        assert_eq!(got, expected, "{who} in {queue:?}");
        assert_eq!(page.total, expected.len() as i64, "{who} in {queue:?}");
    }

    // A wider horizon takes T3 in; a narrower one leaves only the breach.
    let director = principal(&desk.director);
    let wider = QueueQuery {
        breaching_within: SignedDuration::from_mins(21 * 60 + 20),
        ..query(Queue::BreachingSoon)
    };
    assert_eq!(
        labels(store, &desk, &director, &wider).await,
        vec!["T4", "T3", "T1"]
    );
    let narrower = QueueQuery {
        breaching_within: SignedDuration::from_mins(21 * 60 - 1),
        ..query(Queue::BreachingSoon)
    };
    assert_eq!(labels(store, &desk, &director, &narrower).await, vec!["T4"]);

    // A public reply meets T1's first response: it leaves the breaching queue.
    reply(
        store,
        &desk.org,
        &desk.number("T1"),
        "2026-11-29T11:00:00+03:00",
    )
    .await;
    assert_eq!(
        labels(store, &desk, &director, &query(Queue::BreachingSoon)).await,
        vec!["T4"]
    );
    // The director takes T4 over: it is theirs now, but still escalated to the team lead.
    change(
        store,
        &desk.org,
        &desk.number("T4"),
        TicketChanges {
            assignee_id: Some(Some(desk.director.id)),
            ..Default::default()
        },
        "2026-11-29T11:30:00+03:00",
    )
    .await;
    assert_eq!(
        labels(store, &desk, &director, &query(Queue::Mine)).await,
        vec!["T4"]
    );
    assert_eq!(
        labels(store, &desk, &principal(&desk.lead), &query(Queue::Mine)).await,
        Vec::<&str>::new()
    );
    assert_eq!(
        labels(
            store,
            &desk,
            &principal(&desk.lead),
            &query(Queue::EscalatedToMe)
        )
        .await,
        vec!["T4"]
    );
    // Monday 09:30: T4's stage two names the director, so the latest stage decides; T3's
    // WhatsApp deadline (09:20) has breached too, and its stage one names the team lead.
    assert_eq!(sweep(store, "2026-11-30T09:30:00+03:00").await, 2);
    let later = QueueQuery {
        now: at("2026-11-30T10:00:00+03:00"),
        ..query(Queue::EscalatedToMe)
    };
    assert_eq!(labels(store, &desk, &director, &later).await, vec!["T4"]);
    assert_eq!(
        labels(store, &desk, &principal(&desk.lead), &later).await,
        vec!["T3"]
    );
    let breaching_later = QueueQuery {
        now: later.now,
        ..query(Queue::BreachingSoon)
    };
    assert_eq!(
        labels(store, &desk, &director, &breaching_later).await,
        vec!["T4", "T3"]
    );
    // Resolved tickets leave every open queue.
    let classify = TicketChanges {
        complexity: Some(Complexity::Routine),
        importance: Some(Importance::Low),
        ..Default::default()
    };
    change(
        store,
        &desk.org,
        &desk.number("T4"),
        classify,
        "2026-11-30T10:00:30+03:00",
    )
    .await;
    move_to(
        store,
        &desk.org,
        &desk.number("T4"),
        TicketStatus::InProgress,
        "2026-11-30T10:01:00+03:00",
    )
    .await;
    move_to(
        store,
        &desk.org,
        &desk.number("T4"),
        TicketStatus::Resolved,
        "2026-11-30T10:02:00+03:00",
    )
    .await;
    assert_eq!(
        labels(store, &desk, &director, &later).await,
        Vec::<&str>::new()
    );
    assert_eq!(
        labels(store, &desk, &director, &breaching_later).await,
        vec!["T3"]
    );
}

async fn queue_rows_carry_deadlines_stages_and_names(db: TestDb) {
    let store = &db.store;
    let desk = queue_desk(store).await;
    let page = store
        .queue(desk.org.id, &principal(&desk.director), &query(Queue::All))
        .await
        .unwrap();
    let row = |label: &str| {
        page.rows
            .iter()
            .find(|row| row.number == desk.number(label))
            .unwrap()
            .clone()
    };

    // The deadlines the engine computed are the ones this test expects.
    let t1_first = target(
        store,
        &desk.org,
        &desk.number("T1"),
        TargetKind::FirstResponse,
    )
    .await;
    assert_eq!(t1_first.deadline, at("2026-11-30T09:00:00+03:00"));
    let t4_first = target(
        store,
        &desk.org,
        &desk.number("T4"),
        TargetKind::FirstResponse,
    )
    .await;
    assert_eq!(
        (t4_first.state, t4_first.deadline),
        (TargetState::Breached, at("2026-11-25T09:30:00+03:00"))
    );

    let t4 = desk.ticket("T4");
    assert_eq!(
        row("T4"),
        QueueRow {
            id: t4.id,
            number: t4.number.clone(),
            kind: TicketKind::Suggestion,
            channel: Channel::Email,
            status: TicketStatus::Registered,
            subject: "اقتراح لتحسين التسجيل".into(),
            category: Some("registration-account".into()),
            complexity: None,
            importance: None,
            departments: vec!["student-support".into()],
            assignee_id: Some(desk.lead.id),
            assignee_name: Some("Lead".into()),
            requester_name: "Omar".into(),
            created_at: at("2026-11-22T09:30:00+03:00"),
            updated_at: t4.updated_at,
            next_deadline: Some(NextDeadline {
                target: TargetKind::FirstResponse,
                deadline: at("2026-11-25T09:30:00+03:00"),
                state: TargetState::Breached,
            }),
            escalation_stage: Some(0),
        }
    );
    let t1 = row("T1");
    assert_eq!(
        t1.next_deadline,
        Some(NextDeadline {
            target: TargetKind::FirstResponse,
            deadline: at("2026-11-30T09:00:00+03:00"),
            state: TargetState::Running,
        })
    );
    assert_eq!(
        (t1.assignee_id, t1.assignee_name, t1.escalation_stage),
        (None, None, None)
    );
    assert_eq!(
        (t1.kind, t1.channel, t1.importance),
        (
            TicketKind::Complaint,
            Channel::Whatsapp,
            Some(Importance::High)
        )
    );
    let t2 = row("T2");
    assert_eq!(
        (
            t2.assignee_name.as_deref(),
            t2.complexity,
            t2.status,
            t2.next_deadline,
            t2.departments.clone()
        ),
        (
            Some("Specialist"),
            Some(Complexity::Routine),
            TicketStatus::InProgress,
            None,
            vec!["technical-support".to_string()]
        )
    );
    let t5 = row("T5");
    assert_eq!(
        (t5.category.as_deref(), t5.departments.clone()),
        (
            Some("certificates-academic"),
            vec!["student-affairs".to_string()]
        )
    );
    assert_eq!(row("T7").requester_name, "Zainab_100%");

    // A late answer to T4 leaves its breached target as the only one to show.
    reply(
        store,
        &desk.org,
        &desk.number("T4"),
        "2026-11-29T11:00:00+03:00",
    )
    .await;
    let page = store
        .queue(
            desk.org.id,
            &principal(&desk.director),
            &QueueQuery {
                text: Some(desk.number("T4")),
                ..query(Queue::All)
            },
        )
        .await
        .unwrap();
    assert_eq!(
        page.rows[0].next_deadline.as_ref().map(|next| next.state),
        Some(TargetState::Breached)
    );
    // T1 answered: its target is met and no deadline is left.
    reply(
        store,
        &desk.org,
        &desk.number("T1"),
        "2026-11-29T11:00:00+03:00",
    )
    .await;
    let page = store
        .queue(
            desk.org.id,
            &principal(&desk.director),
            &QueueQuery {
                text: Some(desk.number("T1")),
                ..query(Queue::All)
            },
        )
        .await
        .unwrap();
    assert_eq!(page.rows[0].next_deadline, None);

    // With two targets, a running one is shown before an earlier breached one.
    let two_targets = seed_004().replace(
        "calendar = \"support\"\n",
        "calendar = \"support\"\noverall = \"40 working hours\"\n",
    );
    assert_ne!(two_targets, seed_004());
    let org = organization(store, "two-targets", "TT", false).await;
    store
        .apply_policy(
            &org,
            "two-targets.toml",
            &two_targets,
            RecomputeDeadlines::KeepRunning,
            at("2026-11-01T00:00:00Z"),
        )
        .await
        .unwrap();
    let org = store
        .organization_by_slug("two-targets")
        .await
        .unwrap()
        .unwrap();
    let new = ticket(
        TicketKind::Inquiry,
        Channel::Email,
        "سؤال",
        None,
        "Sara",
        "sara@example.sa",
    );
    let created = create(store, &org, &new, "2026-11-22T09:00:00+03:00").await;
    assert_eq!(sweep(store, "2026-11-25T09:00:00+03:00").await, 1);
    let overall = target(store, &org, &created.number, TargetKind::Overall).await;
    assert_eq!(
        (overall.state, overall.deadline),
        (TargetState::Running, at("2026-11-29T09:00:00+03:00"))
    );
    let token = Principal::OrganizationToken { token_id: 1 };
    let now = at("2026-11-26T10:00:00+03:00");
    let page = store
        .queue(
            org.id,
            &token,
            &QueueQuery {
                now,
                ..query(Queue::All)
            },
        )
        .await
        .unwrap();
    assert_eq!(
        page.rows[0].next_deadline,
        Some(NextDeadline {
            target: TargetKind::Overall,
            deadline: at("2026-11-29T09:00:00+03:00"),
            state: TargetState::Running,
        })
    );
}

async fn queue_filters_sorts_and_pages(db: TestDb) {
    let store = &db.store;
    let desk = queue_desk(store).await;
    let director = principal(&desk.director);
    let all = || query(Queue::All);
    let code = |text: &str| Some(Code::parse(text).unwrap());
    let cases: Vec<(&str, QueueQuery, Vec<&str>)> = vec![
        (
            "kind",
            QueueQuery {
                kind: Some(TicketKind::Complaint),
                ..all()
            },
            vec!["T7", "T2", "T1"],
        ),
        (
            "status",
            QueueQuery {
                status: Some(TicketStatus::WaitingOnRequester),
                ..all()
            },
            vec!["T5"],
        ),
        (
            "category",
            QueueQuery {
                category: code("invoices-fees"),
                ..all()
            },
            vec!["T3", "T1"],
        ),
        (
            "department",
            QueueQuery {
                department: code("technical-support"),
                ..all()
            },
            vec!["T6", "T2"],
        ),
        (
            "importance",
            QueueQuery {
                importance: Some(Importance::High),
                ..all()
            },
            vec!["T6", "T1"],
        ),
        (
            "channel",
            QueueQuery {
                channel: Some(Channel::Whatsapp),
                ..all()
            },
            vec!["T3", "T1"],
        ),
        (
            "subject, any case",
            QueueQuery {
                text: Some("refund request".into()),
                ..all()
            },
            vec!["T3"],
        ),
        (
            "subject in Arabic",
            QueueQuery {
                text: Some("شهادة".into()),
                ..all()
            },
            vec!["T5"],
        ),
        (
            "number, lower case",
            QueueQuery {
                text: Some(desk.number("T5").to_lowercase()),
                ..all()
            },
            vec!["T5"],
        ),
        (
            "requester name",
            QueueQuery {
                text: Some("NOURA".into()),
                ..all()
            },
            vec!["T1"],
        ),
        (
            "a literal %",
            QueueQuery {
                text: Some("%".into()),
                ..all()
            },
            vec!["T7"],
        ),
        (
            "a literal _",
            QueueQuery {
                text: Some("_".into()),
                ..all()
            },
            vec!["T7"],
        ),
        (
            "a blank text filters nothing",
            QueueQuery {
                text: Some("  ".into()),
                ..all()
            },
            vec!["T7", "T6", "T5", "T4", "T3", "T2", "T1"],
        ),
        (
            "several filters",
            QueueQuery {
                kind: Some(TicketKind::Inquiry),
                channel: Some(Channel::Whatsapp),
                department: code("financial-support"),
                ..all()
            },
            vec!["T3"],
        ),
        (
            "filters within a queue",
            QueueQuery {
                kind: Some(TicketKind::Inquiry),
                ..query(Queue::AllOpen)
            },
            vec!["T3"],
        ),
        (
            "oldest first",
            QueueQuery {
                sort: QueueSort::OldestFirst,
                ..all()
            },
            vec!["T1", "T2", "T3", "T4", "T5", "T6", "T7"],
        ),
        // T4 changed last (its escalation, Wednesday), then T6, T5, T3, T1, T2 (10:06), T7 (never).
        (
            "recently updated",
            QueueQuery {
                sort: QueueSort::RecentlyUpdated,
                ..all()
            },
            vec!["T4", "T6", "T5", "T3", "T1", "T2", "T7"],
        ),
        // Breached T4, then T1 and T3 by deadline, then the rest, newest id first.
        (
            "deadline first",
            QueueQuery {
                sort: QueueSort::DeadlineFirst,
                ..all()
            },
            vec!["T4", "T1", "T3", "T7", "T6", "T5", "T2"],
        ),
        (
            "importance first",
            QueueQuery {
                sort: QueueSort::ImportanceFirst,
                ..all()
            },
            vec!["T6", "T1", "T3", "T2", "T5", "T7", "T4"],
        ),
    ];
    for (what, query, expected) in cases {
        let page = store.queue(desk.org.id, &director, &query).await.unwrap();
        let got: Vec<_> = page
            .rows
            .iter()
            .map(|row| desk.label(&row.number))
            .collect();
        assert_eq!(got, expected, "{what}");
        assert_eq!(page.total, expected.len() as i64, "{what}");
    }

    // Pages of three, with the total of all pages on each.
    let page = |number: u32, size: u32| QueueQuery {
        page: number,
        page_size: size,
        ..all()
    };
    let expected: [(u32, &[&str]); 4] = [
        (1, &["T7", "T6", "T5"]),
        (2, &["T4", "T3", "T2"]),
        (3, &["T1"]),
        (4, &[]),
    ];
    for (number, labels_expected) in expected {
        let result = store
            .queue(desk.org.id, &director, &page(number, 3))
            .await
            .unwrap();
        let got: Vec<_> = result
            .rows
            .iter()
            .map(|row| desk.label(&row.number))
            .collect();
        assert_eq!(got, labels_expected, "page {number}");
        assert_eq!(result.total, 7, "page {number}");
    }
    // Page 0 is page 1; a page size of 0 is 1, and one above 200 is 200.
    assert_eq!(
        labels(store, &desk, &director, &page(0, 2)).await,
        vec!["T7", "T6"]
    );
    let single = store
        .queue(desk.org.id, &director, &page(2, 0))
        .await
        .unwrap();
    assert_eq!((single.rows.len(), single.total), (1, 7));
    assert_eq!(desk.label(&single.rows[0].number), "T6");
    assert_eq!(
        store
            .queue(desk.org.id, &director, &page(1, 10_000))
            .await
            .unwrap()
            .rows
            .len(),
        7
    );
    // Pages of an ordering with ties (no importance on T7, T4) stay disjoint and complete.
    let mut seen = Vec::new();
    for number in 1..=4 {
        let query = QueueQuery {
            sort: QueueSort::ImportanceFirst,
            page: number,
            page_size: 2,
            ..all()
        };
        seen.extend(labels(store, &desk, &director, &query).await);
    }
    assert_eq!(seen, vec!["T6", "T1", "T3", "T2", "T5", "T7", "T4"]);
}

async fn queue_counts_agree_with_the_queues(db: TestDb) {
    let store = &db.store;
    let desk = queue_desk(store).await;
    let within = SignedDuration::from_hours(21);
    let viewers = [
        ("agent of finance", principal(&desk.agent_a)),
        ("agent of technical support", principal(&desk.agent_b)),
        ("assignee", principal(&desk.specialist)),
        ("team lead", principal(&desk.lead)),
        ("director", principal(&desk.director)),
        ("supervisor", principal(&desk.supervisor)),
        ("token", Principal::OrganizationToken { token_id: 1 }),
    ];
    for (who, viewer) in &viewers {
        let counts = store
            .queue_counts(desk.org.id, viewer, queue_now(), within)
            .await
            .unwrap();
        assert_eq!(
            counts.iter().map(|(queue, _)| *queue).collect::<Vec<_>>(),
            Queue::ALL.to_vec()
        );
        for (queue, count) in counts {
            let page = store
                .queue(desk.org.id, viewer, &query(queue))
                .await
                .unwrap();
            assert_eq!(count, page.total, "{who} in {queue:?}");
        }
    }
    let expected = [
        (
            "director",
            principal(&desk.director),
            [0, 0, 3, 2, 0, 1, 6, 7],
        ),
        ("team lead", principal(&desk.lead), [1, 1, 1, 1, 1, 1, 3, 4]),
        (
            "agent of finance",
            principal(&desk.agent_a),
            [1, 2, 2, 2, 0, 1, 4, 5],
        ),
        ("supervisor", principal(&desk.supervisor), [0; 8]),
    ];
    for (who, viewer, numbers) in expected {
        let counts = store
            .queue_counts(desk.org.id, &viewer, queue_now(), within)
            .await
            .unwrap();
        let got: Vec<i64> = counts.iter().map(|(_, count)| *count).collect();
        assert_eq!(got, numbers.to_vec(), "{who}");
    }
}

// ---- dashboard -------------------------------------------------------------------------------

/// A week of seed 004's desk, looked at on Sunday 29 November 2026 at 12:00 in Riyadh, counting
/// from Sunday 22 November 00:00:
///
/// | ticket | created          | first response                          | state at the end     |
/// |--------|------------------|-----------------------------------------|----------------------|
/// | D0     | Sun 15 Nov 09:00 | met 10:00 (before the period)           | registered, agent 1  |
/// | D1     | Sun 22 Nov 09:00 | met 09:30                               | in progress, agent 1 |
/// | D2     | Mon 23 Nov 09:00 | breached Thu 26 Nov 09:00, answered late| registered, lead     |
/// | D3     | Fri 27 Nov 10:00 | running (WhatsApp)                      | registered           |
/// | D4     | Sun 29 Nov 09:00 | none (web form)                         | registered, disabled |
/// | D5     | Sun 22 Nov 10:00 | met 10:30                               | resolved             |
async fn the_dashboard_figures_on_a_small_data_set(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "dashboard", "DB", true).await;
    let agent_1 = staff(
        store,
        &org,
        "agent1@example.sa",
        "Agent One",
        StaffRole::Agent,
        &["student-support"],
    )
    .await;
    let agent_2 = staff(
        store,
        &org,
        "agent2@example.sa",
        "Agent Two",
        StaffRole::Agent,
        &["financial-support"],
    )
    .await;
    let specialist = staff(
        store,
        &org,
        "specialist@example.sa",
        "Specialist",
        StaffRole::Specialist,
        &[],
    )
    .await;
    let lead = staff(
        store,
        &org,
        "lead@example.sa",
        "Lead",
        StaffRole::TeamLead,
        &["student-support"],
    )
    .await;
    staff(
        store,
        &org,
        "director@example.sa",
        "Director",
        StaffRole::Director,
        &[],
    )
    .await;
    staff(
        store,
        &org,
        "supervisor@example.sa",
        "Supervisor",
        StaffRole::Supervisor,
        &[],
    )
    .await;
    let leaver = staff(
        store,
        &org,
        "leaver@example.sa",
        "Leaver",
        StaffRole::Agent,
        &[],
    )
    .await;

    let email = |subject: &str, category: &str| {
        ticket(
            TicketKind::Inquiry,
            Channel::Email,
            subject,
            Some(category),
            "Sara",
            "sara@example.sa",
        )
    };
    let d0 = create(
        store,
        &org,
        &email("قديم", "registration-account"),
        "2026-11-15T09:00:00+03:00",
    )
    .await;
    change(
        store,
        &org,
        &d0.number,
        TicketChanges {
            assignee_id: Some(Some(agent_1.id)),
            ..Default::default()
        },
        "2026-11-15T09:05:00+03:00",
    )
    .await;
    reply(store, &org, &d0.number, "2026-11-15T10:00:00+03:00").await;
    store
        .answer_satisfaction(
            org.id,
            d0.id,
            &uniform_answer(1),
            AnsweredVia::Portal,
            &Actor::System,
            at("2026-11-20T10:00:00+03:00"),
        )
        .await
        .unwrap();

    let d1 = create(
        store,
        &org,
        &email("تسجيل", "registration-account"),
        "2026-11-22T09:00:00+03:00",
    )
    .await;
    change(
        store,
        &org,
        &d1.number,
        TicketChanges {
            assignee_id: Some(Some(agent_1.id)),
            complexity: Some(Complexity::Routine),
            importance: Some(Importance::Medium),
            ..Default::default()
        },
        "2026-11-22T09:05:00+03:00",
    )
    .await;
    move_to(
        store,
        &org,
        &d1.number,
        TicketStatus::InProgress,
        "2026-11-22T09:10:00+03:00",
    )
    .await;
    reply(store, &org, &d1.number, "2026-11-22T09:30:00+03:00").await;

    let d5 = create(
        store,
        &org,
        &email("مشكلة تقنية", "technical-issues"),
        "2026-11-22T10:00:00+03:00",
    )
    .await;
    change(
        store,
        &org,
        &d5.number,
        TicketChanges {
            complexity: Some(Complexity::Routine),
            importance: Some(Importance::Low),
            ..Default::default()
        },
        "2026-11-22T10:05:00+03:00",
    )
    .await;
    move_to(
        store,
        &org,
        &d5.number,
        TicketStatus::InProgress,
        "2026-11-22T10:10:00+03:00",
    )
    .await;
    reply(store, &org, &d5.number, "2026-11-22T10:30:00+03:00").await;
    move_to(
        store,
        &org,
        &d5.number,
        TicketStatus::Resolved,
        "2026-11-22T10:40:00+03:00",
    )
    .await;

    let d2 = create(
        store,
        &org,
        &email("رسوم", "invoices-fees"),
        "2026-11-23T09:00:00+03:00",
    )
    .await;
    // 24 working hours from Monday 09:00 end on Thursday 09:00; stage one gives D2 to the lead.
    assert_eq!(sweep(store, "2026-11-26T09:00:00+03:00").await, 1);
    reply(store, &org, &d2.number, "2026-11-26T10:00:00+03:00").await;
    let d2_first = target(store, &org, &d2.number, TargetKind::FirstResponse).await;
    assert_eq!(
        (d2_first.state, d2_first.met_at),
        (TargetState::Breached, Some(at("2026-11-26T10:00:00+03:00")))
    );

    let whatsapp = ticket(
        TicketKind::Inquiry,
        Channel::Whatsapp,
        "واتساب",
        None,
        "Sara",
        "sara@example.sa",
    );
    create(store, &org, &whatsapp, "2026-11-27T10:00:00+03:00").await;
    let web = ticket(
        TicketKind::Inquiry,
        Channel::WebForm,
        "نموذج",
        None,
        "Sara",
        "sara@example.sa",
    );
    let d4 = create(store, &org, &web, "2026-11-29T09:00:00+03:00").await;
    change(
        store,
        &org,
        &d4.number,
        TicketChanges {
            assignee_id: Some(Some(leaver.id)),
            ..Default::default()
        },
        "2026-11-29T09:01:00+03:00",
    )
    .await;
    let leaving = UserUpdate {
        name: PersonName::parse("Leaver").unwrap(),
        role: StaffRole::Agent,
        departments: vec![],
        state: UserState::Disabled,
    };
    store
        .update_user(org.id, leaver.id, &leaving, at("2026-11-29T09:02:00+03:00"))
        .await
        .unwrap();

    let now = "2026-11-29T12:00:00+03:00";
    // Stage two for D2 falls due 24 working hours after stage one, next Tuesday; nothing more
    // fires before the dashboard.
    assert_eq!(sweep(store, now).await, 0);
    store
        .answer_satisfaction(
            org.id,
            d5.id,
            &uniform_answer(5),
            AnsweredVia::Portal,
            &Actor::System,
            at("2026-11-22T11:00:00+03:00"),
        )
        .await
        .unwrap();
    store
        .answer_satisfaction(
            org.id,
            d1.id,
            &uniform_answer(4),
            AnsweredVia::Portal,
            &Actor::System,
            at("2026-11-23T11:00:00+03:00"),
        )
        .await
        .unwrap();
    store
        .answer_satisfaction(
            org.id,
            d2.id,
            &uniform_answer(2),
            AnsweredVia::Portal,
            &Actor::System,
            at("2026-11-26T11:00:00+03:00"),
        )
        .await
        .unwrap();

    let dashboard = store
        .dashboard(org.id, at("2026-11-22T00:00:00+03:00"), at(now))
        .await
        .unwrap();
    assert_eq!(
        dashboard.open_by_status,
        vec![
            (TicketStatus::Received, 0),
            (TicketStatus::Registered, 4),
            (TicketStatus::Classified, 0),
            (TicketStatus::Routed, 0),
            (TicketStatus::InProgress, 1),
            (TicketStatus::WaitingOnRequester, 0),
        ]
    );
    let departments: Vec<(&str, i64)> = dashboard
        .open_by_department
        .iter()
        .map(|d| (d.code.as_str(), d.count))
        .collect();
    assert_eq!(
        departments,
        vec![
            ("student-support", 2),
            ("financial-support", 1),
            ("academic-affairs", 0),
            ("customer-relations", 0),
            ("student-affairs", 0),
            ("technical-support", 0),
        ]
    );
    assert_eq!(dashboard.open_by_department[0].name_en, "Student support");
    assert_eq!(
        dashboard.compliance,
        vec![TargetCompliance {
            target: TargetKind::FirstResponse,
            met: 2,
            breached: 1
        }]
    );
    assert_eq!(dashboard.open_breaches, 1);
    assert_eq!(
        dashboard.escalations_by_stage,
        vec![StageCount {
            stage: 0,
            stage_name: "team-lead-reminder".into(),
            count: 1
        }]
    );
    // D4 is 3 hours old, D3 2 days, D2 6 days, D1 7 days 3 hours and D0 two weeks.
    assert_eq!(dashboard.aging, [1, 1, 1, 2]);
    let workload: Vec<(i64, &str, i64)> = dashboard
        .workload
        .iter()
        .map(|load| (load.user_id, load.name.as_str(), load.open_assigned))
        .collect();
    assert_eq!(
        workload,
        vec![
            (agent_1.id, "Agent One", 2),
            (lead.id, "Lead", 1),
            (agent_2.id, "Agent Two", 0),
            (specialist.id, "Specialist", 0),
        ]
    );
    assert_eq!(
        dashboard.satisfaction,
        SatisfactionSummary {
            ratings: 3,
            by_score: [0, 1, 0, 1, 1]
        }
    );

    // A period that starts after everything: only the open work remains.
    let empty = store
        .dashboard(org.id, at("2026-11-30T00:00:00+03:00"), at(now))
        .await
        .unwrap();
    assert!(empty.compliance.is_empty());
    assert!(empty.escalations_by_stage.is_empty());
    assert_eq!(empty.satisfaction, SatisfactionSummary::default());
    assert_eq!(empty.open_breaches, 1);
    assert_eq!(empty.aging, [1, 1, 1, 2]);
}
