//! Privacy under the Saudi PDPL in the store: a requester's data gathered for export, erasure
//! requests and their execution, the retention sweep, and the privacy audit.
//!
//! Erasure and retention share one anonymizer: it replaces what identifies or was written by
//! or about the person (name, contact details, identities, subjects, message bodies, comments,
//! attachment files, contact notes, search terms, the subject in the event log) and keeps every
//! fact the reports count — tickets with their kind, channel, category, departments, status and
//! timestamps, targets, escalations and the events' non-personal facts.

use crate::StoreError;
use crate::backend::{Backend, Store, dispatch, postgres_queries, sqlite_queries};
use crate::model::{Message, Requester, TicketSummary};
use crate::satisfaction::SatisfactionRecord;
use jiff::Timestamp;
use sanad_domain::Channel;
use sanad_domain::privacy::RetentionDays;

/// Who did something with personal data, for the privacy audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivacyActor {
    Staff(i64),
    Requester(i64),
    System,
}

impl PrivacyActor {
    pub fn kind(self) -> &'static str {
        match self {
            PrivacyActor::Staff(_) => "staff",
            PrivacyActor::Requester(_) => "requester",
            PrivacyActor::System => "system",
        }
    }

    pub fn id(self) -> Option<i64> {
        match self {
            PrivacyActor::Staff(id) | PrivacyActor::Requester(id) => Some(id),
            PrivacyActor::System => None,
        }
    }
}

/// A requester's identity on a messaging channel.
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityExport {
    pub channel: Channel,
    pub external_id: String,
    pub created_at: Timestamp,
    pub last_inbound_at: Option<Timestamp>,
}

/// One of the requester's tickets as they may see it: public messages only (never internal
/// notes), with attachment metadata, and their satisfaction answer.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketExport {
    pub ticket: TicketSummary,
    pub messages: Vec<Message>,
    pub satisfaction: Option<SatisfactionRecord>,
}

/// Everything stored about one requester that they are entitled to receive.
#[derive(Debug, Clone, PartialEq)]
pub struct RequesterExport {
    pub requester: Requester,
    pub created_at: Timestamp,
    pub erased_at: Option<Timestamp>,
    pub identities: Vec<IdentityExport>,
    pub tickets: Vec<TicketExport>,
    pub erasure_requests: Vec<ErasureRequest>,
}

/// A requester's request to have their data erased.
#[derive(Debug, Clone, PartialEq)]
pub struct ErasureRequest {
    pub id: i64,
    pub requester_id: i64,
    /// The requester's current name (the anonymous label once carried out).
    pub requester_name: String,
    /// `portal` or `staff`.
    pub requested_via: String,
    pub requested_at: Timestamp,
    /// `pending` or `done`.
    pub state: String,
    pub carried_out_at: Option<Timestamp>,
}

/// What an erasure or a retention sweep did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnonymizationReport {
    pub tickets: usize,
    pub requesters: usize,
    /// Attachment files removed from storage (a file shared with data that stays is kept).
    pub files_deleted: usize,
}

/// One line of the privacy audit: what was done, to which (internal) requester id, by whom.
#[derive(Debug, Clone, PartialEq)]
pub struct PrivacyAuditEntry {
    pub id: i64,
    /// `export`, `erasure_requested`, `erasure` or `retention`.
    pub action: String,
    pub requester_id: Option<i64>,
    pub actor_kind: String,
    pub actor_id: Option<i64>,
    pub tickets: i64,
    pub at: Timestamp,
}

impl Store {
    /// Gathers a requester's data for export and records the export in the privacy audit.
    pub async fn export_requester_data(
        &self,
        org_id: i64,
        requester_id: i64,
        actor: PrivacyActor,
        now: Timestamp,
    ) -> Result<RequesterExport, StoreError> {
        dispatch!(self, privacy_export(org_id, requester_id, actor, now))
    }

    /// Records a requester's request for erasure; a second request while one is pending
    /// returns the pending one.
    pub async fn request_erasure(
        &self,
        org_id: i64,
        requester_id: i64,
        via: PrivacyActor,
        now: Timestamp,
    ) -> Result<ErasureRequest, StoreError> {
        dispatch!(
            self,
            privacy_request_erasure(org_id, requester_id, via, now)
        )
    }

    /// The organization's erasure requests, pending first, then the latest done.
    pub async fn erasure_requests(&self, org_id: i64) -> Result<Vec<ErasureRequest>, StoreError> {
        dispatch!(self, privacy_erasure_requests(org_id))
    }

    /// Carries out a pending erasure request: the requester and all their tickets are
    /// anonymized, their attachment files deleted. `Conflict` if it was carried out already.
    pub async fn carry_out_erasure(
        &self,
        org_id: i64,
        request_id: i64,
        staff_id: i64,
        now: Timestamp,
    ) -> Result<AnonymizationReport, StoreError> {
        let (mut report, keys) = dispatch!(
            self,
            privacy_carry_out_erasure(org_id, request_id, staff_id, now)
        )?;
        report.files_deleted = self.delete_unreferenced_files(keys).await?;
        Ok(report)
    }

    /// Anonymizes the personal data of the organization's closed, cancelled and merged tickets
    /// whose last change is older than its retention period (nothing when it keeps data), and
    /// of requesters left with no ticket that still holds personal data. At most `limit`
    /// tickets per call, oldest first, so a first sweep over years of data stays short.
    pub async fn apply_retention(
        &self,
        org_id: i64,
        now: Timestamp,
        limit: u32,
    ) -> Result<AnonymizationReport, StoreError> {
        let (mut report, keys) = dispatch!(self, privacy_apply_retention(org_id, now, limit))?;
        report.files_deleted = self.delete_unreferenced_files(keys).await?;
        Ok(report)
    }

    /// Every organization's retention, for the worker: (organization id, period).
    pub async fn retention_periods(&self) -> Result<Vec<(i64, RetentionDays)>, StoreError> {
        dispatch!(self, privacy_retention_periods())
    }

    pub async fn retention_days(&self, org_id: i64) -> Result<Option<RetentionDays>, StoreError> {
        dispatch!(self, privacy_retention_days(org_id))
    }

    pub async fn set_retention_days(
        &self,
        org_id: i64,
        days: Option<RetentionDays>,
    ) -> Result<(), StoreError> {
        dispatch!(self, privacy_set_retention_days(org_id, days))
    }

    /// The latest lines of the privacy audit, newest first.
    pub async fn privacy_audit(
        &self,
        org_id: i64,
        limit: u32,
    ) -> Result<Vec<PrivacyAuditEntry>, StoreError> {
        dispatch!(self, privacy_audit_entries(org_id, limit))
    }

    /// Deletes attachment files that no attachment row refers to any more. Runs after the
    /// anonymizing transaction committed: a file is removed only once nothing can point at it,
    /// and content addressing means another ticket may hold the very same file.
    async fn delete_unreferenced_files(&self, keys: Vec<String>) -> Result<usize, StoreError> {
        let mut deleted = 0;
        for key in keys {
            if dispatch!(self, privacy_file_referenced(&key))? {
                continue;
            }
            self.attachments().delete(&key).await?;
            deleted += 1;
        }
        Ok(deleted)
    }
}
