//! Rate limits on public, anonymous writes (new requests, chat conversations, article
//! feedback), counted in the database so that every instance behind one database shares the
//! counts, as sign-in throttling does with `login_attempts`.

use crate::StoreError;
use crate::backend::{Backend, Store, dispatch, postgres_queries, sqlite_queries};
use jiff::{SignedDuration, Timestamp};

/// The longest window a limit may use. Rows older than this are deleted now and then by the
/// writer that records a hit, so the table stays small without a separate sweep.
pub const MAX_RATE_WINDOW: SignedDuration = SignedDuration::from_hours(24);

/// The answer to one attempt against a limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    /// Under the limit: the attempt was recorded and may go ahead.
    Allowed,
    /// At the limit: nothing was recorded; the oldest counted hit leaves the window after
    /// `retry_after` (at least one second).
    Limited { retry_after: SignedDuration },
}

impl Store {
    /// Counts the hits of `key` in `bucket` within `window` before `now` and, when fewer than
    /// `limit`, records this one. Refused attempts are not recorded, so a client that keeps
    /// trying is let in again as soon as its earlier hits age out of the window.
    ///
    /// On PostgreSQL the count and the insert run under a transaction-scoped advisory lock on
    /// the (bucket, key) pair, so two instances cannot both let the last allowed hit through;
    /// SQLite's single writer serializes them anyway.
    pub async fn count_and_record(
        &self,
        bucket: &str,
        key: &str,
        limit: i64,
        window: SignedDuration,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        if window <= SignedDuration::ZERO || window > MAX_RATE_WINDOW || limit < 1 {
            return Err(StoreError::Invalid(format!(
                "a rate limit needs a window of up to {MAX_RATE_WINDOW:#} and a limit of at least 1"
            )));
        }
        dispatch!(self, rate_count_and_record(bucket, key, limit, window, now))
    }
}
