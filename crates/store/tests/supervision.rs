//! Supervisors from a regulator on SQLite and on PostgreSQL: accounts, the grants that
//! organizations make and take back (with and without personal data), tokens, sessions and
//! sign-in throttling. The isolation rule — a supervisor reads an organization only through an
//! active grant — is checked here at its source; the pages and the API are checked over HTTP
//! in the web crate.

use jiff::SignedDuration;
use sanad_domain::permissions::PersonalDataAccess;
use sanad_domain::{EmailAddress, PersonName};
use sanad_store::*;

mod support;
use support::{TestDb, at, new_organization};

on_both_backends!(
    a_supervisor_reads_only_what_organizations_granted,
    supervisor_tokens_and_sessions_end_when_revoked_or_expired,
    supervisor_sign_in_failures_are_counted,
);

fn email(text: &str) -> EmailAddress {
    EmailAddress::parse(text).unwrap()
}

fn name(text: &str) -> PersonName {
    PersonName::parse(text).unwrap()
}

async fn a_supervisor_reads_only_what_organizations_granted(db: TestDb) {
    let store = &db.store;
    let now = at("2026-11-22T08:00:00Z");
    let alpha = store
        .create_organization(&new_organization("alpha", "أكاديمية ألفا", "AL"), now)
        .await
        .unwrap();
    let beta = store
        .create_organization(&new_organization("beta", "معهد بيتا", "BT"), now)
        .await
        .unwrap();
    let ncel = store
        .create_supervisor(
            &email("auditor@ncel.example.sa"),
            &name("سعاد المراقبة"),
            None,
            now,
        )
        .await
        .unwrap();
    let other = store
        .create_supervisor(
            &email("inspector@tvtc.example.sa"),
            &name("Inspector"),
            None,
            now,
        )
        .await
        .unwrap();

    // The same address cannot hold two accounts.
    let duplicate = store
        .create_supervisor(&email("auditor@ncel.example.sa"), &name("x"), None, now)
        .await;
    assert!(
        matches!(duplicate, Err(StoreError::Conflict(_))),
        "{duplicate:?}"
    );

    // Nothing is readable before a grant.
    assert!(
        store
            .supervised_organizations(ncel.id)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .supervision_grant(ncel.id, "alpha")
            .await
            .unwrap()
            .is_none()
    );

    // Alpha grants the NCEL auditor figures only; beta grants nobody.
    let grant = store
        .grant_supervision(
            alpha.id,
            &email("auditor@ncel.example.sa"),
            PersonalDataAccess::Hidden,
            None,
            now,
        )
        .await
        .unwrap();
    assert_eq!(grant.org_slug, "alpha");
    assert_eq!(grant.personal_data, PersonalDataAccess::Hidden);
    let listed = store.supervised_organizations(ncel.id).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|g| g.org_slug.as_str())
            .collect::<Vec<_>>(),
        ["alpha"]
    );
    assert!(
        store
            .supervision_grant(ncel.id, "alpha")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .supervision_grant(ncel.id, "beta")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .supervision_grant(other.id, "alpha")
            .await
            .unwrap()
            .is_none()
    );

    // An unknown supervisor cannot be granted anything.
    let unknown = store
        .grant_supervision(
            beta.id,
            &email("nobody@example.sa"),
            PersonalDataAccess::Hidden,
            None,
            now,
        )
        .await;
    assert!(
        matches!(unknown, Err(StoreError::NotFound { .. })),
        "{unknown:?}"
    );

    // Granting again changes the personal-data setting in place.
    let later = now + SignedDuration::from_hours(1);
    store
        .grant_supervision(
            alpha.id,
            &email("auditor@ncel.example.sa"),
            PersonalDataAccess::Granted,
            None,
            later,
        )
        .await
        .unwrap();
    let renewed = store
        .supervision_grant(ncel.id, "alpha")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(renewed.personal_data, PersonalDataAccess::Granted);
    assert_eq!(renewed.granted_at, later);

    // Revoking ends access but keeps the record for the organization to see.
    store
        .revoke_supervision(alpha.id, ncel.id, later)
        .await
        .unwrap();
    assert!(
        store
            .supervision_grant(ncel.id, "alpha")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .supervised_organizations(ncel.id)
            .await
            .unwrap()
            .is_empty()
    );
    let history = store
        .supervision_grants_of_organization(alpha.id)
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert!(!history[0].is_active());
    assert!(
        store
            .supervision_grants_of_organization(beta.id)
            .await
            .unwrap()
            .is_empty()
    );
    // Revoking twice is an error that names what was not found.
    assert!(matches!(
        store.revoke_supervision(alpha.id, ncel.id, later).await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn supervisor_tokens_and_sessions_end_when_revoked_or_expired(db: TestDb) {
    let store = &db.store;
    let now = at("2026-11-22T08:00:00Z");
    let supervisor = store
        .create_supervisor(
            &email("auditor@ncel.example.sa"),
            &name("Auditor"),
            Some("$argon2id$fake"),
            now,
        )
        .await
        .unwrap();
    let token = store
        .create_supervisor_token(supervisor.id, "dashboard feed", "digest-1", now)
        .await
        .unwrap();
    let found = store
        .supervisor_by_token_hash("digest-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, supervisor.id);
    assert!(
        store
            .supervisor_by_token_hash("digest-2")
            .await
            .unwrap()
            .is_none()
    );
    store
        .revoke_supervisor_token(supervisor.id, token.id, now)
        .await
        .unwrap();
    assert!(
        store
            .supervisor_by_token_hash("digest-1")
            .await
            .unwrap()
            .is_none()
    );
    let listed = store.supervisor_tokens(supervisor.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].revoked_at.is_some());

    let expires = now + SignedDuration::from_hours(12);
    store
        .create_supervisor_session(supervisor.id, "session-1", expires, now)
        .await
        .unwrap();
    assert!(
        store
            .supervisor_session_by_token_hash("session-1", now)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .supervisor_session_by_token_hash("session-1", expires)
            .await
            .unwrap()
            .is_none()
    );
    // A new password ends the sessions.
    store
        .set_supervisor_password(supervisor.id, "$argon2id$other")
        .await
        .unwrap();
    assert!(
        store
            .supervisor_session_by_token_hash("session-1", now)
            .await
            .unwrap()
            .is_none()
    );
    let reread = store
        .supervisor_by_email("auditor@ncel.example.sa")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reread.password_hash.as_deref(), Some("$argon2id$other"));
}

async fn supervisor_sign_in_failures_are_counted(db: TestDb) {
    let store = &db.store;
    let now = at("2026-11-22T08:00:00Z");
    for minute in 0..3 {
        store
            .record_supervisor_login_attempt(
                "auditor@ncel.example.sa",
                "192.0.2.7",
                LoginOutcome::Failed,
                now + SignedDuration::from_mins(minute),
            )
            .await
            .unwrap();
    }
    let since = now - SignedDuration::from_mins(15);
    let failures = store
        .supervisor_login_failures_since("auditor@ncel.example.sa", "192.0.2.7", since)
        .await
        .unwrap();
    assert_eq!((failures.for_email, failures.from_client), (3, 3));
    // A success clears the address's count, not the client's.
    store
        .record_supervisor_login_attempt(
            "auditor@ncel.example.sa",
            "192.0.2.7",
            LoginOutcome::Succeeded,
            now + SignedDuration::from_mins(4),
        )
        .await
        .unwrap();
    let failures = store
        .supervisor_login_failures_since("auditor@ncel.example.sa", "192.0.2.7", since)
        .await
        .unwrap();
    assert_eq!((failures.for_email, failures.from_client), (0, 3));
}
