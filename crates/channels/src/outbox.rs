//! The outbox worker: delivers the notifications the store wrote with their events, through the
//! adapter of each notification's channel, with retries and exponential back-off, and records
//! every attempt on the ticket.
//!
//! Delivery is at least once: a worker that dies after the provider accepted a message but
//! before recording it leaves the claim to expire, and another worker sends it again. Every
//! retry of one notification carries the same e-mail Message-ID (and the SMS gateway's
//! idempotency key is the outbox id), so receivers can recognise the repeat.

use crate::notify::{NotificationSettings, RenderInput, render};
use crate::{ChannelAdapter, SendError};
use futures_util::future::BoxFuture;
use jiff::{SignedDuration, Timestamp};
use sanad_domain::Channel;
use sanad_store::{AttemptOutcome, OutboxItem, Store, StoreError};
use std::collections::HashMap;
use std::sync::Arc;

/// Where adapters come from: built from each organization's stored channel settings in
/// production, handed in directly by tests that bring their own servers.
pub trait AdapterSource: Send + Sync {
    /// The adapter that sends on `channel` for the organization, or why there is none (a
    /// channel without settings is a permanent failure: retrying will not configure it).
    fn adapter(&self, org_id: i64, channel: Channel) -> BoxFuture<'_, Result<Arc<dyn ChannelAdapter>, SendError>>;
}

/// How failed deliveries are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failure; each further failure doubles it.
    pub first_delay: SignedDuration,
    /// The longest wait between two attempts.
    pub max_delay: SignedDuration,
    /// After this many attempts the notification is given up and shown as failed.
    pub max_attempts: i64,
}

impl Default for RetryPolicy {
    /// 30 s, 1, 2, 4, 8, 16, 32 min, then hourly: twelve attempts over about six hours, long
    /// enough to ride out a mail server's maintenance window.
    fn default() -> Self {
        Self { first_delay: SignedDuration::from_secs(30), max_delay: SignedDuration::from_hours(1), max_attempts: 12 }
    }
}

impl RetryPolicy {
    /// When to try again after `attempts_made` failed attempts, or `None` to give up.
    pub fn retry_at(&self, attempts_made: i64, now: Timestamp) -> Option<Timestamp> {
        if attempts_made >= self.max_attempts {
            return None;
        }
        let doublings = u32::try_from(attempts_made.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let delay_seconds = self.first_delay.as_secs().saturating_mul(1_i64 << doublings).min(self.max_delay.as_secs());
        now.checked_add(SignedDuration::from_secs(delay_seconds)).ok()
    }
}

/// The worker's settings.
#[derive(Debug, Clone)]
pub struct OutboxSettings {
    /// This instance's name in claims (host and process id in production).
    pub instance: String,
    /// How many notifications one pass claims.
    pub batch_size: i64,
    /// How long a claim lasts; a notification claimed by a worker that died is claimed again
    /// after it.
    pub lease: SignedDuration,
    pub retry: RetryPolicy,
    pub notifications: NotificationSettings,
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxRun {
    pub claimed: usize,
    pub delivered: usize,
    pub retried: usize,
    pub failed: usize,
}

pub struct OutboxWorker {
    store: Store,
    adapters: Arc<dyn AdapterSource>,
    settings: OutboxSettings,
}

impl OutboxWorker {
    pub fn new(store: Store, adapters: Arc<dyn AdapterSource>, settings: OutboxSettings) -> Self {
        Self { store, adapters, settings }
    }

    /// Claims one batch of due notifications and attempts each once.
    pub async fn deliver_due(&self, now: Timestamp) -> Result<OutboxRun, StoreError> {
        let items = self
            .store
            .claim_outbox(&self.settings.instance, now, self.settings.lease, self.settings.batch_size)
            .await?;
        let mut run = OutboxRun { claimed: items.len(), ..OutboxRun::default() };
        let mut organizations = HashMap::new();
        for item in &items {
            let outcome = self.attempt(item, &mut organizations, now).await?;
            match &outcome {
                AttemptOutcome::Delivered { .. } => run.delivered += 1,
                AttemptOutcome::TransientFailure { retry_at: Some(_), .. } => run.retried += 1,
                AttemptOutcome::TransientFailure { retry_at: None, .. } | AttemptOutcome::PermanentFailure { .. } => run.failed += 1,
            }
            let label = match &outcome {
                AttemptOutcome::Delivered { .. } => "delivered",
                AttemptOutcome::TransientFailure { .. } => "transient_failure",
                AttemptOutcome::PermanentFailure { .. } => "permanent_failure",
            };
            tracing::info!(outbox = item.id, channel = %item.channel, kind = %item.kind, outcome = label, "delivery attempt");
            self.store.record_outbox_attempt(item, &outcome, now).await?;
        }
        Ok(run)
    }

    /// Runs passes until nothing is due at `now` (or `max_passes` ran), adding up what they did.
    pub async fn drain(&self, now: Timestamp, max_passes: usize) -> Result<OutboxRun, StoreError> {
        let mut total = OutboxRun::default();
        for _ in 0..max_passes {
            let run = self.deliver_due(now).await?;
            total.claimed += run.claimed;
            total.delivered += run.delivered;
            total.retried += run.retried;
            total.failed += run.failed;
            if run.claimed == 0 {
                break;
            }
        }
        Ok(total)
    }

    async fn attempt(
        &self,
        item: &OutboxItem,
        organizations: &mut HashMap<i64, Option<sanad_store::Organization>>,
        now: Timestamp,
    ) -> Result<AttemptOutcome, StoreError> {
        if !organizations.contains_key(&item.org_id) {
            let organization = self.store.organization_by_id(item.org_id).await?;
            organizations.insert(item.org_id, organization);
        }
        let Some(Some(organization)) = organizations.get(&item.org_id) else {
            return Ok(AttemptOutcome::PermanentFailure { detail: "the organization no longer exists".into() });
        };
        let context = self.store.outbox_context(item).await?;
        let policy = self.store.policy_in_force(organization).await?;
        let departments = self.store.departments(organization.id).await?;
        let input = RenderInput {
            item,
            context: &context,
            organization,
            policy: policy.as_deref(),
            departments: &departments,
            settings: &self.settings.notifications,
            now,
        };
        let message = match render(&input) {
            Ok(message) => message,
            Err(error) => return Ok(AttemptOutcome::PermanentFailure { detail: error.to_string() }),
        };
        let adapter = match self.adapters.adapter(item.org_id, item.channel).await {
            Ok(adapter) => adapter,
            Err(error) => return Ok(self.failure(item, error, now)),
        };
        Ok(match adapter.send(&message).await {
            Ok(sent) => AttemptOutcome::Delivered {
                provider_message_id: sent.provider_message_id,
                detail: sent.detail,
                mail_message_id: (item.channel == Channel::Email).then(|| message.thread.message_id.clone()),
            },
            Err(error) => self.failure(item, error, now),
        })
    }

    fn failure(&self, item: &OutboxItem, error: SendError, now: Timestamp) -> AttemptOutcome {
        match error {
            SendError::Transient(detail) => {
                AttemptOutcome::TransientFailure { detail, retry_at: self.settings.retry.retry_at(item.attempts + 1, now) }
            }
            SendError::Permanent(detail) => AttemptOutcome::PermanentFailure { detail },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_a_ceiling_then_stop() {
        let policy = RetryPolicy::default();
        let now: Timestamp = "2026-11-22T06:00:00Z".parse().unwrap();
        let waits: Vec<Option<i64>> = (1..=13)
            .map(|attempts| policy.retry_at(attempts, now).map(|at| (at - now).get_seconds()))
            .collect();
        assert_eq!(
            waits,
            [
                Some(30),
                Some(60),
                Some(120),
                Some(240),
                Some(480),
                Some(960),
                Some(1920),
                Some(3600),
                Some(3600),
                Some(3600),
                Some(3600),
                None,
                None
            ]
        );
    }
}
