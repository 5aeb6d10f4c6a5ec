//! The conduct policy (seed 004) in the store: each organization's lexicon of abusive words,
//! the flags raised when a requester's message matches it, and the violations recorded when an
//! agent cancels a ticket for one.
//!
//! Every requester message is checked where it is written (`conduct_queries.rs`, called from
//! ticket creation and from adding a message, which every channel goes through), in the same
//! transaction. A match never refuses or hides the message: it adds a flag, a `conduct` event
//! explaining it and a notification for the people responsible for the ticket.

use crate::StoreError;
use crate::backend::{Backend, Store, dispatch, postgres_queries, sqlite_queries};
use jiff::Timestamp;
use sanad_domain::conduct::{ConductLexicon, DEFAULT_LEXICON};
use sanad_domain::{TicketKind, TicketStatus};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// An organization's lexicon as configured: its own, or the shipped default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConductLexiconSource {
    pub source: String,
    /// Whether the organization replaced the default.
    pub custom: bool,
    pub updated_at: Option<Timestamp>,
    pub updated_by: Option<i64>,
}

/// Where a matched term was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConductField {
    /// The subject of a new ticket.
    Subject,
    /// The message's body.
    Body,
}

/// One match of the lexicon in a message, as stored with its flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConductTerm {
    /// The lexicon entry, as configured.
    pub entry: String,
    /// The words as the requester wrote them.
    pub found: String,
    pub field: ConductField,
    /// Byte range of `found` in the subject or body.
    pub start: usize,
    pub end: usize,
}

/// A flagged requester message.
#[derive(Debug, Clone, PartialEq)]
pub struct ConductFlag {
    pub id: i64,
    pub ticket_id: i64,
    pub message_id: i64,
    pub terms: Vec<ConductTerm>,
    pub flagged_at: Timestamp,
    pub reviewed_at: Option<Timestamp>,
    pub reviewed_by: Option<i64>,
}

/// A ticket with flags no one has reviewed yet, for the desk's flagged list. The kind,
/// departments and assignee let the caller apply the visibility rule.
#[derive(Debug, Clone, PartialEq)]
pub struct FlaggedTicket {
    pub number: String,
    pub subject: String,
    pub kind: TicketKind,
    pub status: TicketStatus,
    pub departments: Vec<String>,
    pub assignee_id: Option<i64>,
    pub requester_name: String,
    pub open_flags: i64,
    pub last_flagged_at: Timestamp,
}

/// A recorded conduct violation: a ticket cancelled for it, with the agent's reason.
#[derive(Debug, Clone, PartialEq)]
pub struct ConductViolation {
    pub id: i64,
    pub requester_id: i64,
    pub ticket_number: String,
    pub reason: String,
    pub recorded_by: String,
    pub recorded_at: Timestamp,
}

/// A requester with their count of violations, for directors.
#[derive(Debug, Clone, PartialEq)]
pub struct RequesterViolations {
    pub requester_id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub violations: i64,
    pub last_recorded_at: Timestamp,
}

/// Parsed lexicons by their source text. Keyed by the text itself rather than by organization
/// and time, so that it can never serve a stale list (an administrator's edit is a new key) nor
/// mix two databases in one process; it holds at most a few dozen entries.
static LEXICONS: std::sync::LazyLock<Mutex<HashMap<String, Arc<ConductLexicon>>>> =
    std::sync::LazyLock::new(Default::default);
static DEFAULT: std::sync::LazyLock<Arc<ConductLexicon>> =
    std::sync::LazyLock::new(|| Arc::new(ConductLexicon::default_lexicon()));

/// The most distinct lexicons kept parsed; past it the cache starts over (each organization's
/// next message parses its list again, which costs well under a millisecond).
const MAX_CACHED_LEXICONS: usize = 64;

/// The parsed lexicon for a stored source, or the default when there is none. A stored source
/// was parsed before it was saved; should it no longer parse (a stricter parser after an
/// upgrade), the organization falls back to the default rather than to checking nothing.
pub(crate) fn parsed_lexicon(source: Option<&str>) -> Arc<ConductLexicon> {
    let Some(source) = source else {
        return DEFAULT.clone();
    };
    let mut cache = LEXICONS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(lexicon) = cache.get(source) {
        return lexicon.clone();
    }
    let lexicon = match ConductLexicon::parse(source) {
        Ok(lexicon) => Arc::new(lexicon),
        Err(error) => {
            tracing::warn!(%error, "a stored conduct lexicon no longer parses; using the default");
            DEFAULT.clone()
        }
    };
    if cache.len() >= MAX_CACHED_LEXICONS {
        cache.clear();
    }
    cache.insert(source.to_owned(), lexicon.clone());
    lexicon
}

impl Store {
    /// The organization's lexicon source: its own, or the shipped default.
    pub async fn conduct_lexicon(&self, org_id: i64) -> Result<ConductLexiconSource, StoreError> {
        let stored = dispatch!(self, conduct_lexicon_source(org_id))?;
        Ok(stored.unwrap_or_else(|| ConductLexiconSource {
            source: DEFAULT_LEXICON.to_owned(),
            custom: false,
            updated_at: None,
            updated_by: None,
        }))
    }

    /// Replaces the organization's lexicon. The text must parse (the caller shows the line of
    /// the first error); `StoreError::Invalid` otherwise.
    pub async fn set_conduct_lexicon(
        &self,
        org_id: i64,
        source: &str,
        user_id: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        ConductLexicon::parse(source).map_err(|error| StoreError::Invalid(error.to_string()))?;
        dispatch!(self, conduct_set_lexicon(org_id, source, user_id, now))
    }

    /// Goes back to the shipped default lexicon.
    pub async fn reset_conduct_lexicon(&self, org_id: i64) -> Result<(), StoreError> {
        dispatch!(self, conduct_reset_lexicon(org_id))
    }

    /// The flags of a ticket, oldest first.
    pub async fn conduct_flags(
        &self,
        org_id: i64,
        ticket_id: i64,
    ) -> Result<Vec<ConductFlag>, StoreError> {
        dispatch!(self, conduct_ticket_flags(org_id, ticket_id))
    }

    /// Marks every unreviewed flag of a ticket as reviewed by `actor`, with a `conduct` event.
    /// Returns how many flags were marked.
    pub async fn review_conduct_flags(
        &self,
        org_id: i64,
        number: &str,
        actor: &crate::Actor,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        dispatch!(self, conduct_review_flags(org_id, number, actor, now))
    }

    /// Tickets with unreviewed flags, most recently flagged first.
    pub async fn flagged_tickets(
        &self,
        org_id: i64,
        limit: i64,
    ) -> Result<Vec<FlaggedTicket>, StoreError> {
        dispatch!(self, conduct_flagged_tickets(org_id, limit))
    }

    /// A requester's violations, newest first.
    pub async fn conduct_violations(
        &self,
        org_id: i64,
        requester_id: i64,
    ) -> Result<Vec<ConductViolation>, StoreError> {
        dispatch!(self, conduct_requester_violations(org_id, requester_id))
    }

    /// Requesters with at least one violation, most violations first.
    pub async fn requesters_with_violations(
        &self,
        org_id: i64,
        limit: i64,
    ) -> Result<Vec<RequesterViolations>, StoreError> {
        dispatch!(self, conduct_requesters_with_violations(org_id, limit))
    }
}
