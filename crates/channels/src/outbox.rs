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
use futures_util::StreamExt;
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
    fn adapter(
        &self,
        org_id: i64,
        channel: Channel,
    ) -> BoxFuture<'_, Result<Arc<dyn ChannelAdapter>, SendError>>;
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
        Self {
            first_delay: SignedDuration::from_secs(30),
            max_delay: SignedDuration::from_hours(1),
            max_attempts: 12,
        }
    }
}

impl RetryPolicy {
    /// When to try again after `attempts_made` failed attempts, or `None` to give up.
    pub fn retry_at(&self, attempts_made: i64, now: Timestamp) -> Option<Timestamp> {
        if attempts_made >= self.max_attempts {
            return None;
        }
        let doublings = u32::try_from(attempts_made.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let delay_seconds = self
            .first_delay
            .as_secs()
            .saturating_mul(1_i64 << doublings)
            .min(self.max_delay.as_secs());
        now.checked_add(SignedDuration::from_secs(delay_seconds))
            .ok()
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
    /// How many tickets' notifications are sent at the same time.
    pub concurrency: usize,
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxRun {
    pub claimed: usize,
    pub delivered: usize,
    pub retried: usize,
    pub failed: usize,
}

/// An organization as the renderer needs it.
struct OrganizationContext {
    organization: sanad_store::Organization,
    policy: Option<Arc<sanad_domain::policy::Policy>>,
    departments: Vec<sanad_store::Department>,
}

pub struct OutboxWorker {
    store: Store,
    adapters: Arc<dyn AdapterSource>,
    settings: OutboxSettings,
}

impl OutboxWorker {
    pub fn new(store: Store, adapters: Arc<dyn AdapterSource>, settings: OutboxSettings) -> Self {
        Self {
            store,
            adapters,
            settings,
        }
    }

    /// Claims one batch of due notifications and attempts each once. Different tickets'
    /// notifications go out concurrently (up to `concurrency`), each ticket's in order, so a
    /// receipt never arrives after the reply that follows it, and one slow provider round trip
    /// does not hold up the whole batch.
    pub async fn deliver_due(&self, now: Timestamp) -> Result<OutboxRun, StoreError> {
        let items = self
            .store
            .claim_outbox(
                &self.settings.instance,
                now,
                self.settings.lease,
                self.settings.batch_size,
            )
            .await?;
        let mut run = OutboxRun {
            claimed: items.len(),
            ..OutboxRun::default()
        };
        let mut organizations: HashMap<i64, Option<OrganizationContext>> = HashMap::new();
        for item in &items {
            if let std::collections::hash_map::Entry::Vacant(entry) =
                organizations.entry(item.org_id)
            {
                entry.insert(self.organization_context(item.org_id).await?);
            }
        }
        // Items arrive in id order; grouping by ticket keeps that order within each ticket.
        let mut groups: Vec<Vec<OutboxItem>> = Vec::new();
        let mut group_of_ticket: HashMap<i64, usize> = HashMap::new();
        for item in items {
            match item
                .ticket_id
                .and_then(|ticket| group_of_ticket.get(&ticket).copied())
            {
                Some(index) => groups[index].push(item),
                None => {
                    if let Some(ticket) = item.ticket_id {
                        group_of_ticket.insert(ticket, groups.len());
                    }
                    groups.push(vec![item]);
                }
            }
        }
        let organizations = &organizations;
        let outcomes: Vec<Result<Vec<AttemptOutcome>, StoreError>> =
            futures_util::stream::iter(groups)
                .map(|group| self.deliver_group(group, organizations, now))
                .buffer_unordered(self.settings.concurrency.max(1))
                .collect()
                .await;
        for outcome in outcomes
            .into_iter()
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
        {
            match outcome {
                AttemptOutcome::Delivered { .. } => run.delivered += 1,
                AttemptOutcome::TransientFailure {
                    retry_at: Some(_), ..
                } => run.retried += 1,
                AttemptOutcome::TransientFailure { retry_at: None, .. }
                | AttemptOutcome::PermanentFailure { .. } => run.failed += 1,
            }
        }
        Ok(run)
    }

    /// Attempts one ticket's notifications, in order.
    async fn deliver_group(
        &self,
        group: Vec<OutboxItem>,
        organizations: &HashMap<i64, Option<OrganizationContext>>,
        now: Timestamp,
    ) -> Result<Vec<AttemptOutcome>, StoreError> {
        let mut outcomes = Vec::with_capacity(group.len());
        for item in &group {
            let outcome = self.attempt(item, organizations, now).await?;
            let label = match &outcome {
                AttemptOutcome::Delivered { .. } => "delivered",
                AttemptOutcome::TransientFailure { .. } => "transient_failure",
                AttemptOutcome::PermanentFailure { .. } => "permanent_failure",
            };
            tracing::info!(outbox = item.id, channel = %item.channel, kind = %item.kind, outcome = label, "delivery attempt");
            self.store
                .record_outbox_attempt(item, &outcome, now)
                .await?;
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    /// What rendering needs of an organization, read once per batch.
    async fn organization_context(
        &self,
        org_id: i64,
    ) -> Result<Option<OrganizationContext>, StoreError> {
        let Some(organization) = self.store.organization_by_id(org_id).await? else {
            return Ok(None);
        };
        let policy = self.store.policy_in_force(&organization).await?;
        let departments = self.store.departments(organization.id).await?;
        Ok(Some(OrganizationContext {
            organization,
            policy,
            departments,
        }))
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
        organizations: &HashMap<i64, Option<OrganizationContext>>,
        now: Timestamp,
    ) -> Result<AttemptOutcome, StoreError> {
        let Some(Some(organization)) = organizations.get(&item.org_id) else {
            return Ok(AttemptOutcome::PermanentFailure {
                detail: "the organization no longer exists".into(),
            });
        };
        let context = self.store.outbox_context(item).await?;
        let input = RenderInput {
            item,
            context: &context,
            organization: &organization.organization,
            policy: organization.policy.as_deref(),
            departments: &organization.departments,
            settings: &self.settings.notifications,
            now,
        };
        let message = match render(&input) {
            Ok(message) => message,
            Err(error) => {
                return Ok(AttemptOutcome::PermanentFailure {
                    detail: error.to_string(),
                });
            }
        };
        let adapter = match self.adapters.adapter(item.org_id, item.channel).await {
            Ok(adapter) => adapter,
            Err(error) => return Ok(self.failure(item, error, now)),
        };
        Ok(match adapter.send(&message).await {
            Ok(sent) => AttemptOutcome::Delivered {
                provider_message_id: sent.provider_message_id,
                detail: sent.detail,
                mail_message_id: (item.channel == Channel::Email)
                    .then(|| message.thread.message_id.clone()),
            },
            Err(error) => self.failure(item, error, now),
        })
    }

    fn failure(&self, item: &OutboxItem, error: SendError, now: Timestamp) -> AttemptOutcome {
        match error {
            SendError::Transient(detail) => AttemptOutcome::TransientFailure {
                detail,
                retry_at: self.settings.retry.retry_at(item.attempts + 1, now),
            },
            // The provider's wait is a floor under the back-off, never a way round the attempt
            // limit: a provider that keeps answering 429 still ends in a failure staff can see.
            SendError::RetryLater { detail, hint } => AttemptOutcome::TransientFailure {
                detail,
                retry_at: self
                    .settings
                    .retry
                    .retry_at(item.attempts + 1, now)
                    .map(|backoff| backoff.max(hint.not_before(now))),
            },
            SendError::Permanent(detail) => AttemptOutcome::PermanentFailure { detail },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_as_seconds_or_an_http_date_and_bounded() {
        use crate::{MAX_RETRY_AFTER, RetryHint};
        let now: Timestamp = "2026-11-22T06:00:00Z".parse().unwrap();
        assert_eq!(
            RetryHint::parse("120").map(|hint| hint.not_before(now)),
            Some(now + SignedDuration::from_secs(120))
        );
        assert_eq!(
            RetryHint::parse("Sun, 22 Nov 2026 06:05:00 GMT").map(|hint| hint.not_before(now)),
            Some("2026-11-22T06:05:00Z".parse().unwrap())
        );
        // A date already past means "now", a huge delay is cut to the ceiling.
        assert_eq!(
            RetryHint::parse("Sat, 21 Nov 2026 06:05:00 GMT").map(|hint| hint.not_before(now)),
            Some(now)
        );
        assert_eq!(
            RetryHint::parse("99999999999999999999").map(|hint| hint.not_before(now)),
            Some(now + MAX_RETRY_AFTER)
        );
        for unreadable in ["", "-5", "1.5", "soon"] {
            assert_eq!(RetryHint::parse(unreadable), None, "{unreadable:?}");
        }
    }

    #[test]
    fn retries_back_off_exponentially_up_to_a_ceiling_then_stop() {
        let policy = RetryPolicy::default();
        let now: Timestamp = "2026-11-22T06:00:00Z".parse().unwrap();
        let waits: Vec<Option<i64>> = (1..=13)
            .map(|attempts| {
                policy
                    .retry_at(attempts, now)
                    .map(|at| (at - now).get_seconds())
            })
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
