//! Sanad's domain: the pure types and rules of a support and complaints desk.
//!
//! Architecture invariant: this crate does no I/O and never reads the clock. Every function that
//! depends on time takes `now` (a `jiff::Timestamp`) as an argument, so that service-level and
//! lifecycle rules can be tested on simulated time. It knows nothing of SQL, HTTP or HTML.
#![forbid(unsafe_code)]

#[macro_use]
mod macros;

pub mod calendar;
pub mod classification;
pub mod conduct;
pub mod defaults;
pub mod events;
pub mod knowledge;
pub mod lifecycle;
pub mod notifications;
pub mod organization;
pub mod people;
pub mod permissions;
pub mod policy;
pub mod privacy;
pub mod reports;
pub mod satisfaction;
pub mod search;
pub mod service_levels;
pub mod text;

pub use classification::{Channel, Complexity, Importance, TicketKind};
pub use events::{EventKind, TicketEventRecord, TicketFacts, TicketField};
pub use lifecycle::{LifecycleError, TicketStatus, TransitionCheck};
pub use organization::{Code, OrgSlug, TicketNumber, TicketPrefix};
pub use people::{EmailAddress, PersonName, PhoneNumber, RequesterType, StaffRole};
pub use text::{ConductReason, MessageBody, MessageKind, Subject};

/// A value that is not one of an enumeration's spellings. The message lists the accepted
/// spellings, because the person who typed the wrong one needs to know what would work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not a valid {what}; expected one of: {}", expected.join(", "))]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
    pub expected: &'static [&'static str],
}
