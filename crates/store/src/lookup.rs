//! Looking people and logged contacts up: the requester a caller's phone number or e-mail
//! address belongs to, with their open tickets (so staff answering a call see at once who is
//! calling and what is pending), and who logged a staff-recorded contact.

use crate::StoreError;
use crate::backend::{Backend, Store, dispatch, postgres_queries, sqlite_queries};
use sanad_domain::{EmailAddress, PhoneNumber, RequesterType, TicketKind, TicketStatus};

/// How a requester is looked up: by the phone number or the e-mail address they are known by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequesterKey {
    Phone(PhoneNumber),
    Email(EmailAddress),
}

/// One open ticket of a known requester, with what the caller needs to decide whether the
/// person asking may see it (complaints stay within their departments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTicketRef {
    pub number: String,
    pub kind: TicketKind,
    pub status: TicketStatus,
    pub departments: Vec<String>,
    pub assignee_id: Option<i64>,
}

/// A requester found by phone or e-mail, with their open tickets, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownRequester {
    pub id: i64,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub requester_type: RequesterType,
    pub open_tickets: Vec<OpenTicketRef>,
}

/// What staff recorded about a contact they logged, and who logged it.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactRecord {
    /// The JSON object stored by `Store::record_contact_details`.
    pub details: serde_json::Value,
    /// The staff member who logged the contact.
    pub logged_by: i64,
}

impl Store {
    /// The requester of the organization with this phone number or e-mail address, if any.
    pub async fn requester_by_key(
        &self,
        org_id: i64,
        key: &RequesterKey,
    ) -> Result<Option<KnownRequester>, StoreError> {
        dispatch!(self, lookup_requester_by_key(org_id, key))
    }

    /// The details of a logged contact with the staff member who logged it.
    pub async fn contact_record(
        &self,
        ticket_id: i64,
    ) -> Result<Option<ContactRecord>, StoreError> {
        dispatch!(self, lookup_contact_record(ticket_id))
    }
}
