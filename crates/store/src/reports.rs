//! Managers' reports: the figures of `sanad_domain::reports` computed with SQL over the current
//! tables (`report_queries.rs`), the raw history that recomputes them, and the claim that lets
//! the weekly digest go out once per organization and period whatever the number of instances.

use crate::StoreError;
use crate::backend::{Backend, Store, dispatch, postgres_queries, sqlite_queries};
use jiff::Timestamp;
use sanad_domain::reports::{LoggedRating, LoggedRootCause, Report, ReportRange, TicketLog};

/// Everything [`sanad_domain::reports::recompute`] needs: every ticket's events, oldest first,
/// and the ratings and root-cause descriptions kept beside them.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportEvents {
    pub tickets: Vec<TicketLog>,
    pub ratings: Vec<LoggedRating>,
    pub root_causes: Vec<LoggedRootCause>,
}

/// A staff member who receives the digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestRecipient {
    pub user_id: i64,
    pub name: String,
    pub email: String,
}

impl Store {
    /// The report of one organization over `range`, computed from the current tables.
    pub async fn report(&self, org_id: i64, range: &ReportRange) -> Result<Report, StoreError> {
        dispatch!(self, report_compute(org_id, range))
    }

    /// The organization's whole ticket history, for recomputing a report from events alone.
    /// It reads every event, so it is meant for checks and audits, not for pages.
    pub async fn report_events(&self, org_id: i64) -> Result<ReportEvents, StoreError> {
        dispatch!(self, report_raw_events(org_id))
    }

    /// Every organization's id, for workers that visit each one.
    pub async fn organization_ids(&self) -> Result<Vec<i64>, StoreError> {
        dispatch!(self, report_organization_ids())
    }

    /// The active directors and executives of an organization, who receive its digest.
    pub async fn digest_recipients(&self, org_id: i64) -> Result<Vec<DigestRecipient>, StoreError> {
        dispatch!(self, report_digest_recipients(org_id))
    }

    /// Claims the digest of the period starting at `period_start` for this instance. Only the
    /// first claim of an (organization, period) succeeds, so the digest is sent at most once.
    pub async fn claim_report_digest(
        &self,
        org_id: i64,
        period_start: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        dispatch!(self, report_claim_digest(org_id, period_start, now))
    }

    /// The start of the latest period whose digest was claimed for the organization, if any:
    /// what `sanad_domain::reports::digest_due` compares the current period with, so a worker
    /// only writes a claim when one is due.
    pub async fn last_report_digest_start(
        &self,
        org_id: i64,
    ) -> Result<Option<Timestamp>, StoreError> {
        dispatch!(self, report_last_digest_start(org_id))
    }

    /// Gives back the claim of a period whose digest reached nobody (the mail relay was down),
    /// so that a later pass, of this instance or another, claims and sends it again. A claim
    /// with recipients recorded is kept. Answers whether a claim was released.
    pub async fn release_report_digest(
        &self,
        org_id: i64,
        period_start: Timestamp,
    ) -> Result<bool, StoreError> {
        dispatch!(self, report_release_digest(org_id, period_start))
    }

    /// Notes how many managers a claimed digest was sent to.
    pub async fn record_digest_recipients(
        &self,
        org_id: i64,
        period_start: Timestamp,
        recipients: i64,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            report_record_digest_recipients(org_id, period_start, recipients)
        )
    }
}
