//! The tamper-evident audit log: every ticket's events form a SHA-256 hash chain.
//!
//! Each event row stores `content_hash`, the digest of its content (organization, ticket, time,
//! actor, kind, field, before and after, in an unambiguous length-prefixed encoding), and
//! `chain_hash`, the digest of its ticket, its position in the ticket's chain (`chain_seq`), its
//! predecessor's chain hash and its own content hash. The ticket row keeps the head (`audit_seq`
//! and `audit_head`). Editing a row changes its content; deleting, inserting or reordering rows
//! breaks the positions or the links; deleting the last rows leaves the head pointing past them.
//!
//! The chain is per ticket, not per organization: every write of a ticket's events already holds
//! the ticket's row (`load_ticket` locks it on PostgreSQL), so appending needs no new lock and
//! cannot fork, and unrelated tickets are never serialized behind one another (an organization
//! head would serialize every write of an organization until commit, and take a lock after the
//! ticket rows, in the opposite order of a timer batch that holds it while locking the next
//! ticket). A ticket deleted with all its events is caught at the organization level instead:
//! ticket numbers are allocated by `ticket_counters` in the same transaction as the ticket, so
//! the tickets present must number exactly what the counters handed out.
//!
//! A lawful erasure (`privacy_queries.rs`) rewrites personal data inside events. It keeps the
//! original content hash and stamps `redacted_at` with the erasure's time, which must equal the
//! ticket's `personal_data_erased_at`: such rows are checked for their place and links, not their
//! content. The hashes are not keyed, so someone able to rewrite the database and recompute every
//! hash after an edit is not caught; the chain heads printed by `sanad audit verify` can be
//! recorded elsewhere to close that gap.

use crate::StoreError;
use crate::backend::{Backend, Store, dispatch, postgres_queries, sqlite_queries};
use sha2::{Digest, Sha256};

/// The content of one event as stored, borrowed for hashing.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventContent<'a> {
    pub org_id: i64,
    pub ticket_id: i64,
    pub at: i64,
    pub actor_kind: &'a str,
    pub actor_id: Option<i64>,
    pub actor_label: &'a str,
    pub kind: &'a str,
    pub field: Option<&'a str>,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

fn put_int(hasher: &mut Sha256, value: i64) {
    hasher.update(b"i");
    hasher.update(value.to_be_bytes());
}

fn put_text(hasher: &mut Sha256, value: Option<&str>) {
    match value {
        // Length-prefixed, so no two different rows encode to the same bytes.
        Some(text) => {
            hasher.update(b"s");
            hasher.update((text.len() as u64).to_be_bytes());
            hasher.update(text.as_bytes());
        }
        None => hasher.update(b"n"),
    }
}

/// The hex SHA-256 of an event's content.
pub(crate) fn content_hash(content: &EventContent<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"sanad-audit-content-v1\0");
    put_int(&mut hasher, content.org_id);
    put_int(&mut hasher, content.ticket_id);
    put_int(&mut hasher, content.at);
    put_text(&mut hasher, Some(content.actor_kind));
    match content.actor_id {
        Some(id) => put_int(&mut hasher, id),
        None => hasher.update(b"n"),
    }
    put_text(&mut hasher, Some(content.actor_label));
    put_text(&mut hasher, Some(content.kind));
    put_text(&mut hasher, content.field);
    put_text(&mut hasher, content.before);
    put_text(&mut hasher, content.after);
    hex::encode(hasher.finalize())
}

/// The hex chain hash of the event at `seq` in its ticket's chain, after `previous` (the chain
/// hash of the event at `seq - 1`, none for the first).
pub(crate) fn chain_hash(
    ticket_id: i64,
    seq: i64,
    previous: Option<&str>,
    content_hash: &str,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"sanad-audit-chain-v1\0");
    put_int(&mut hasher, ticket_id);
    put_int(&mut hasher, seq);
    put_text(&mut hasher, previous);
    put_text(&mut hasher, Some(content_hash));
    hex::encode(hasher.finalize())
}

/// A ticket's chain being extended: the head before the next event.
#[derive(Debug, Clone)]
pub(crate) struct ChainHead {
    pub ticket_id: i64,
    pub seq: i64,
    pub hash: Option<String>,
}

/// The chain columns of one event.
#[derive(Debug, Clone)]
pub(crate) struct ChainLink {
    pub seq: i64,
    pub content_hash: String,
    pub chain_hash: String,
}

impl ChainHead {
    /// Appends an event and returns the columns to store with it.
    pub(crate) fn append(&mut self, content: &EventContent<'_>) -> ChainLink {
        let content_hash = content_hash(content);
        self.seq += 1;
        let chain_hash = chain_hash(
            self.ticket_id,
            self.seq,
            self.hash.as_deref(),
            &content_hash,
        );
        self.hash = Some(chain_hash.clone());
        ChainLink {
            seq: self.seq,
            content_hash,
            chain_hash,
        }
    }
}

/// What is wrong where a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditProblem {
    /// The row's content no longer has the digest recorded when it was written: edited.
    ContentChanged,
    /// The row's chain hash does not follow from its predecessor and content: a hash column was
    /// edited, or a row was put in another's place.
    LinkBroken,
    /// Positions `expected` up to `found - 1` are missing before this row: deleted rows.
    EventsMissing { expected: i64, found: i64 },
    /// A row at a position already taken, or before it: inserted or duplicated.
    UnexpectedPosition { expected: i64, found: i64 },
    /// A row without chain columns: written around the store.
    Unchained,
    /// The row says a lawful erasure rewrote it, but its ticket was not erased then.
    RedactionUnexplained,
    /// The ticket's head names a different last position or hash than its last row: its last
    /// rows were deleted (or the head edited). `event_id` is the last row still present.
    HeadMismatch { head_seq: i64, last_seq: i64 },
    /// Fewer (or more) tickets than the ticket numbers allocated: a ticket was deleted or
    /// inserted around the store.
    TicketCount { allocated: i64, present: i64 },
}

impl std::fmt::Display for AuditProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuditProblem::ContentChanged => {
                write!(f, "the event's content was changed after it was written")
            }
            AuditProblem::LinkBroken => write!(
                f,
                "the event's chain hash does not follow from the event before it"
            ),
            AuditProblem::EventsMissing { expected, found } => {
                write!(
                    f,
                    "events at positions {expected} to {} are missing before this event (deleted)",
                    found - 1
                )
            }
            AuditProblem::UnexpectedPosition { expected, found } => {
                write!(
                    f,
                    "the event is at position {found} where {expected} was expected (inserted or duplicated)"
                )
            }
            AuditProblem::Unchained => write!(f, "the event was written without chain hashes"),
            AuditProblem::RedactionUnexplained => {
                write!(
                    f,
                    "the event is marked as erased but its ticket's personal data was not erased then"
                )
            }
            AuditProblem::HeadMismatch { head_seq, last_seq } => write!(
                f,
                "the ticket's chain head records {head_seq} events but the last present is at position {last_seq} (events deleted at the end)"
            ),
            AuditProblem::TicketCount { allocated, present } => write!(
                f,
                "{allocated} ticket numbers were allocated but {present} tickets are present (a ticket was deleted or inserted)"
            ),
        }
    }
}

/// The first break found in an organization's audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditBreak {
    /// The ticket concerned (none for a ticket count mismatch).
    pub ticket_number: Option<String>,
    /// The event row where the break shows (none when a ticket has no event left).
    pub event_id: Option<i64>,
    pub problem: AuditProblem,
}

/// One organization's audit log, verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationAudit {
    pub org_id: i64,
    pub slug: String,
    pub tickets: u64,
    pub events: u64,
    /// Events rewritten by a lawful erasure, whose content is no longer checked.
    pub redacted: u64,
    /// A digest of every ticket's chain head in ticket order, to be recorded outside the
    /// database and compared later (it changes with every new event). Empty when broken.
    pub digest: String,
    pub first_break: Option<AuditBreak>,
}

/// The result of `Store::verify_audit_chain`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditVerification {
    pub organizations: Vec<OrganizationAudit>,
}

impl AuditVerification {
    /// Whether every organization's log verified.
    pub fn is_intact(&self) -> bool {
        self.organizations
            .iter()
            .all(|organization| organization.first_break.is_none())
    }
}

impl Store {
    /// Verifies the audit chains of one organization, or of all, and reports the first break in
    /// each. Reads every event once, in pages, on the reader pool.
    pub async fn verify_audit_chain(
        &self,
        org_id: Option<i64>,
    ) -> Result<AuditVerification, StoreError> {
        dispatch!(self, audit_verify(org_id))
    }

    /// Chains events written before the audit chain existed (or around the store); run by
    /// `migrate`. Returns how many events it chained.
    pub async fn chain_unchained_events(&self) -> Result<u64, StoreError> {
        dispatch!(self, audit_backfill())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content<'a>(before: Option<&'a str>, after: Option<&'a str>) -> EventContent<'a> {
        EventContent {
            org_id: 1,
            ticket_id: 2,
            at: 3,
            actor_kind: "staff",
            actor_id: Some(4),
            actor_label: "Huda",
            kind: "changed",
            field: Some("subject"),
            before,
            after,
        }
    }

    #[test]
    fn the_encoding_is_unambiguous() {
        // Moving text from one field to the next must change the digest.
        assert_ne!(
            content_hash(&content(Some("ab"), Some("c"))),
            content_hash(&content(Some("a"), Some("bc")))
        );
        assert_ne!(
            content_hash(&content(None, Some(""))),
            content_hash(&content(Some(""), None))
        );
    }

    #[test]
    fn each_link_depends_on_the_one_before() {
        let mut first = ChainHead {
            ticket_id: 2,
            seq: 0,
            hash: None,
        };
        let a = first.append(&content(None, Some("x")));
        let b = first.append(&content(None, Some("y")));
        assert_eq!((a.seq, b.seq), (1, 2));
        assert_eq!(
            b.chain_hash,
            chain_hash(2, 2, Some(&a.chain_hash), &b.content_hash)
        );
        let mut other = ChainHead {
            ticket_id: 2,
            seq: 0,
            hash: None,
        };
        other.append(&content(None, Some("changed")));
        assert_ne!(
            other.append(&content(None, Some("y"))).chain_hash,
            b.chain_hash
        );
    }
}
