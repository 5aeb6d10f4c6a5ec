//! The weekly digest worker inside `sanad serve`: every `digest_poll_seconds` it runs one
//! [`run_digest_pass`] at the system clock's `now`. Whether a digest is due, the claim that
//! lets one instance send it, and the sending itself are in `sanad_channels::digest`, driven
//! by the time given, so tests run the same pass on simulated time.

use crate::config::DigestWorker;
use sanad_channels::digest::{DigestSettings, run_digest_pass};
use sanad_store::Store;

/// Spawns the worker. Several instances may run it on one database: the store's claim of each
/// organization's period decides which one sends.
pub fn spawn(
    store: Store,
    worker: &DigestWorker,
    public_url: String,
    mail_domain: String,
) -> tokio::task::JoinHandle<()> {
    let settings = DigestSettings {
        schedule: worker.schedule,
        public_url,
        mail_domain,
    };
    let poll = worker.poll;
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(poll);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match run_digest_pass(&store, jiff::Timestamp::now(), &settings).await {
                Ok(pass) if pass.claimed > 0 || pass.errors > 0 => tracing::info!(
                    claimed = pass.claimed,
                    sent = pass.sent,
                    failed = pass.failed,
                    released = pass.released,
                    without_email = pass.without_email,
                    errors = pass.errors,
                    "weekly digest pass"
                ),
                Ok(_) => {}
                Err(error) => tracing::warn!(%error, "weekly digest pass failed; retrying"),
            }
        }
    })
}
