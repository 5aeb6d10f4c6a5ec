//! Importing ticket history in bulk: requesters, then tickets with their messages, events and
//! search entries, many to a statement. Used to bring a provider's past tickets over from
//! another system, and by `sanad bench seed` to build a realistic corpus of a million tickets.
//!
//! Imported tickets are history: they get numbers from the organization's counter, a creation
//! event, one change event per classified field and one event per message, so that the ticket
//! page and any replay of the events show the same facts. They get no service-level targets and
//! send no notifications.

use crate::StoreError;
use crate::backend::{Backend, Store, dispatch, postgres_queries, sqlite_queries};
use crate::model::{NewRequester, Organization};
use jiff::Timestamp;
use sanad_domain::{Channel, Complexity, Importance, MessageKind, TicketKind, TicketStatus};

/// Who wrote an imported message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportedAuthor {
    /// The ticket's requester.
    Requester,
    /// A staff member of the organization.
    Staff { user_id: i64, name: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedMessage {
    pub kind: MessageKind,
    pub body: String,
    pub author: ImportedAuthor,
    pub at: Timestamp,
}

/// One past ticket. Classification fields name categories and departments by code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedTicket {
    pub kind: TicketKind,
    pub channel: Channel,
    pub status: TicketStatus,
    pub subject: String,
    pub category: Option<String>,
    pub complexity: Option<Complexity>,
    pub importance: Option<Importance>,
    pub departments: Vec<String>,
    pub assignee_id: Option<i64>,
    pub requester_id: i64,
    pub created_at: Timestamp,
    pub resolved_at: Option<Timestamp>,
    pub messages: Vec<ImportedMessage>,
}

impl Store {
    /// Creates requesters in one transaction and returns their ids in order. A requester whose
    /// e-mail or phone is already known is an error (import the ticket against the existing id).
    pub async fn import_requesters(
        &self,
        org_id: i64,
        requesters: &[NewRequester],
        now: Timestamp,
    ) -> Result<Vec<i64>, StoreError> {
        dispatch!(self, import_requesters(org_id, requesters, now))
    }

    /// Imports tickets in one transaction and returns their numbers in order.
    pub async fn import_tickets(
        &self,
        org: &Organization,
        tickets: &[ImportedTicket],
    ) -> Result<Vec<String>, StoreError> {
        dispatch!(self, import_tickets(org, tickets))
    }
}
