//! Supervisors from a regulator: their accounts, the organizations that granted them access
//! (and, separately, access to personal data), their API tokens and browser sessions.
//!
//! A supervisor belongs to the deployment, not to an organization: the same person may oversee
//! several providers. Every read a supervisor makes goes through [`Store::supervision_grant`],
//! the one place that says whether a supervisor may look at an organization at all.

use crate::StoreError;
use crate::backend::{Backend, Store, dispatch, postgres_queries, sqlite_queries};
use jiff::Timestamp;
use sanad_domain::permissions::PersonalDataAccess;
use sanad_domain::{EmailAddress, PersonName};

#[derive(Debug, Clone, PartialEq)]
pub struct SupervisorRecord {
    pub id: i64,
    pub email: String,
    pub name: String,
    /// An Argon2id PHC string; `None` until a password is set.
    pub password_hash: Option<String>,
    pub created_at: Timestamp,
    pub disabled_at: Option<Timestamp>,
}

/// One organization's grant to one supervisor.
#[derive(Debug, Clone, PartialEq)]
pub struct SupervisionGrant {
    pub supervisor_id: i64,
    pub supervisor_email: String,
    pub supervisor_name: String,
    pub org_id: i64,
    pub org_slug: String,
    pub org_name: String,
    pub personal_data: PersonalDataAccess,
    pub granted_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

impl SupervisionGrant {
    pub fn is_active(&self) -> bool {
        self.revoked_at.is_none()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SupervisorTokenRecord {
    pub id: i64,
    pub supervisor_id: i64,
    pub name: String,
    pub created_at: Timestamp,
    pub revoked_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SupervisorSession {
    pub id: i64,
    pub supervisor_id: i64,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// Recent failed sign-ins of a supervisor address and from a client, for throttling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupervisorLoginFailures {
    pub for_email: i64,
    pub from_client: i64,
}

impl Store {
    /// Creates a supervisor account. Deployment operators do this (`sanad supervisor add`);
    /// organizations then grant the account access.
    pub async fn create_supervisor(
        &self,
        email: &EmailAddress,
        name: &PersonName,
        password_hash: Option<&str>,
        now: Timestamp,
    ) -> Result<SupervisorRecord, StoreError> {
        dispatch!(
            self,
            supervision_create_supervisor(email.as_str(), name.as_str(), password_hash, now)
        )
    }

    pub async fn set_supervisor_password(
        &self,
        supervisor_id: i64,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        dispatch!(self, supervision_set_password(supervisor_id, password_hash))
    }

    pub async fn supervisor_by_email(
        &self,
        email: &str,
    ) -> Result<Option<SupervisorRecord>, StoreError> {
        dispatch!(self, supervision_supervisor_by_email(email))
    }

    pub async fn supervisor_by_id(
        &self,
        supervisor_id: i64,
    ) -> Result<Option<SupervisorRecord>, StoreError> {
        dispatch!(self, supervision_supervisor_by_id(supervisor_id))
    }

    /// Grants (or re-grants, or changes) a supervisor's access to an organization.
    pub async fn grant_supervision(
        &self,
        org_id: i64,
        supervisor_email: &EmailAddress,
        personal_data: PersonalDataAccess,
        granted_by: Option<i64>,
        now: Timestamp,
    ) -> Result<SupervisionGrant, StoreError> {
        dispatch!(
            self,
            supervision_grant(
                org_id,
                supervisor_email.as_str(),
                personal_data,
                granted_by,
                now
            )
        )
    }

    /// Takes a supervisor's access back; the grant stays on record as revoked.
    pub async fn revoke_supervision(
        &self,
        org_id: i64,
        supervisor_id: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(self, supervision_revoke(org_id, supervisor_id, now))
    }

    /// Every grant an organization has made, active and revoked, newest first.
    pub async fn supervision_grants_of_organization(
        &self,
        org_id: i64,
    ) -> Result<Vec<SupervisionGrant>, StoreError> {
        dispatch!(self, supervision_grants_of_org(org_id))
    }

    /// The organizations a supervisor may currently read, by name.
    pub async fn supervised_organizations(
        &self,
        supervisor_id: i64,
    ) -> Result<Vec<SupervisionGrant>, StoreError> {
        dispatch!(self, supervision_active_grants_of_supervisor(supervisor_id))
    }

    /// The active grant of one organization (by slug) to one supervisor, if any. Every
    /// supervisor read of an organization's data starts here.
    pub async fn supervision_grant(
        &self,
        supervisor_id: i64,
        org_slug: &str,
    ) -> Result<Option<SupervisionGrant>, StoreError> {
        dispatch!(self, supervision_active_grant(supervisor_id, org_slug))
    }

    pub async fn create_supervisor_token(
        &self,
        supervisor_id: i64,
        name: &str,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<SupervisorTokenRecord, StoreError> {
        dispatch!(
            self,
            supervision_create_token(supervisor_id, name, token_hash, now)
        )
    }

    pub async fn supervisor_tokens(
        &self,
        supervisor_id: i64,
    ) -> Result<Vec<SupervisorTokenRecord>, StoreError> {
        dispatch!(self, supervision_tokens(supervisor_id))
    }

    pub async fn revoke_supervisor_token(
        &self,
        supervisor_id: i64,
        token_id: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(self, supervision_revoke_token(supervisor_id, token_id, now))
    }

    /// The enabled supervisor holding an unrevoked token with this digest.
    pub async fn supervisor_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<SupervisorRecord>, StoreError> {
        dispatch!(self, supervision_supervisor_by_token_hash(token_hash))
    }

    pub async fn create_supervisor_session(
        &self,
        supervisor_id: i64,
        token_hash: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<SupervisorSession, StoreError> {
        dispatch!(
            self,
            supervision_create_session(supervisor_id, token_hash, expires_at, now)
        )
    }

    /// The unexpired session with this digest, whose supervisor is still enabled.
    pub async fn supervisor_session_by_token_hash(
        &self,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<SupervisorSession>, StoreError> {
        dispatch!(self, supervision_session_by_token_hash(token_hash, now))
    }

    pub async fn delete_supervisor_session(&self, token_hash: &str) -> Result<(), StoreError> {
        dispatch!(self, supervision_delete_session(token_hash))
    }

    pub async fn record_supervisor_login_attempt(
        &self,
        email: &str,
        client_ip: &str,
        succeeded: crate::LoginOutcome,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            supervision_record_login_attempt(email, client_ip, succeeded, now)
        )
    }

    pub async fn supervisor_login_failures_since(
        &self,
        email: &str,
        client_ip: &str,
        since: Timestamp,
    ) -> Result<SupervisorLoginFailures, StoreError> {
        dispatch!(
            self,
            supervision_login_failures_since(email, client_ip, since)
        )
    }
}
