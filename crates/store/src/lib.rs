//! Sanad's storage: one [`Store`] over SQLite (embedded, the default) or PostgreSQL (shared by
//! several stateless instances), chosen by the database URL.
//!
//! Architecture invariant: this is the only crate that holds SQL. It knows nothing of HTTP,
//! HTML or JSON request shapes, and it never reads the clock: every write takes `now`.
//!
//! Architecture invariant: backend differences stay in `backend.rs` (connection set-up,
//! migrations, backup). The queries themselves live once, in `queries.rs`, which is compiled
//! twice — once with `Db = Sqlite`, once with `Db = Postgres` — so both backends run the same
//! SQL text and the same logic, type-checked against each driver.
#![forbid(unsafe_code)]

mod attachments;
mod audit;
mod backend;
mod channels;
mod conduct;
mod desk;
mod error;
mod import;
mod knowledge;
mod lookup;
mod model;
mod privacy;
mod rate_limits;
mod reports;
pub mod restore;
mod satisfaction;
pub mod schemas;
mod search;
pub mod secrets;
mod supervision;
mod url;

pub use attachments::{AttachmentBlob, AttachmentCopy, AttachmentStore, StoredObject};
pub use audit::{AuditBreak, AuditProblem, AuditVerification, OrganizationAudit};
pub use backend::{BackendKind, StorageSize, Store, WAL_LIMIT_FRAMES, WalCheckpoint};
pub use channels::*;
pub use conduct::*;
pub use desk::*;
pub use error::StoreError;
pub use import::*;
pub use knowledge::*;
pub use lookup::*;
pub use model::*;
pub use privacy::*;
pub use rate_limits::{MAX_RATE_WINDOW, RateDecision};
pub use reports::*;
pub use satisfaction::*;
pub use search::*;
pub use supervision::*;
pub use url::{DatabaseUrl, LibpqConnection};

/// Converts a timestamp to the stored representation: integer microseconds since the epoch.
pub(crate) fn to_micros(at: jiff::Timestamp) -> i64 {
    at.as_microsecond()
}

pub(crate) fn from_micros(micros: i64) -> Result<jiff::Timestamp, StoreError> {
    jiff::Timestamp::from_microsecond(micros)
        .map_err(|error| StoreError::Corrupt(format!("timestamp {micros} out of range: {error}")))
}
