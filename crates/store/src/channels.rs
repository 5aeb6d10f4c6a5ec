//! The store's side of the channels: inbound messages taken in exactly once and threaded onto
//! their ticket, requesters' identities on messaging channels, the transactional outbox of
//! requester notifications with every delivery attempt, providers' delivery reports, bounced
//! addresses and per-channel credentials.

use crate::backend::{Backend, dispatch, postgres_queries, sqlite_queries};
use crate::{NewAttachment, Store, StoreError, TicketSummary};
use jiff::{SignedDuration, Timestamp};
use sanad_domain::notifications::{DeliveryState, RequesterNotification};
use sanad_domain::{Channel, EmailAddress, MessageBody, PhoneNumber, Subject, TicketKind};

/// Who sent an inbound message.
#[derive(Debug, Clone)]
pub struct InboundSender {
    /// The channel's address of the sender (see `sanad_channels::Sender::address`).
    pub address: String,
    pub name: Option<String>,
    pub email: Option<EmailAddress>,
    pub phone: Option<PhoneNumber>,
}

/// The e-mail threading facts of an inbound message.
#[derive(Debug, Clone, Default)]
pub struct MailThreading {
    /// The message's own Message-ID, without brackets.
    pub message_id: String,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
}

/// An inbound message, checked and ready to store.
#[derive(Debug, Clone)]
pub struct InboundRecord {
    pub channel: Channel,
    /// The provider's id of the message: the idempotency key.
    pub provider_message_id: String,
    pub sender: InboundSender,
    /// The subject of a new ticket (an e-mail subject, or the first words of a chat message).
    pub subject: Subject,
    pub body: MessageBody,
    pub attachments: Vec<NewAttachment>,
    pub mail: Option<MailThreading>,
    /// A provider's conversation id (a live-chat conversation): messages with the same id go
    /// to the same ticket while it accepts messages.
    pub conversation_id: Option<String>,
    /// The kind a new ticket gets; staff reclassify it.
    pub kind_for_new_ticket: TicketKind,
}

/// What storing an inbound message did.
#[derive(Debug, Clone, PartialEq)]
pub enum IngestOutcome {
    /// A new ticket; the tracking code is returned in clear this once.
    Created {
        ticket: TicketSummary,
        message_id: i64,
        tracking_code: String,
    },
    /// A message on an existing ticket (found by e-mail threading, the number in the subject,
    /// the conversation, or the sender's open ticket on a messaging channel).
    Appended {
        ticket: TicketSummary,
        message_id: i64,
    },
    /// The provider's message id was seen before: nothing was stored.
    Duplicate,
}

/// A notification waiting in the outbox, claimed by one worker for a lease.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    pub id: i64,
    pub org_id: i64,
    pub ticket_id: Option<i64>,
    pub message_id: Option<i64>,
    pub kind: RequesterNotification,
    pub channel: Channel,
    pub recipient: String,
    pub recipient_name: Option<String>,
    pub payload: serde_json::Value,
    pub secret: Option<String>,
    /// Attempts made before this one.
    pub attempts: i64,
    pub created_at: Timestamp,
}

/// What the renderer of a notification needs beyond the outbox row.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxContext {
    pub ticket: Option<TicketSummary>,
    /// The text of the public reply a `reply` notification carries.
    pub reply_body: Option<String>,
    pub reply_author: Option<String>,
    /// When the recipient last wrote on this channel (the 24-hour window of WhatsApp and
    /// Messenger).
    pub last_inbound_at: Option<Timestamp>,
    /// The ticket's e-mail Message-IDs, oldest first, for `In-Reply-To` and `References`.
    pub mail_thread: Vec<String>,
    /// The first-response deadline of the ticket, if one runs.
    pub first_response_deadline: Option<Timestamp>,
}

/// The result of one delivery attempt, as the worker reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum AttemptOutcome {
    Delivered {
        provider_message_id: Option<String>,
        detail: String,
        /// The Message-ID of a delivered e-mail, so the requester's reply threads back.
        mail_message_id: Option<String>,
    },
    /// Failed for now; tried again at `retry_at`, or given up when it is `None`.
    TransientFailure {
        detail: String,
        retry_at: Option<Timestamp>,
    },
    PermanentFailure {
        detail: String,
    },
}

/// One delivery attempt, as shown on the ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct AttemptRecord {
    pub attempt: i64,
    pub at: Timestamp,
    /// `delivered`, `transient_failure` or `permanent_failure`.
    pub outcome: String,
    pub detail: String,
}

/// One notification of a ticket with its attempts, as shown on the ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryRecord {
    pub id: i64,
    pub kind: RequesterNotification,
    pub channel: Channel,
    pub recipient: String,
    /// `pending`, `delivered` or `failed`.
    pub state: String,
    pub next_attempt_at: Timestamp,
    pub delivery_state: Option<DeliveryState>,
    pub created_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
    pub attempts: Vec<AttemptRecord>,
}

/// Counts of the outbox by state, for health checks and the benchmark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxCounts {
    pub pending: i64,
    pub delivered: i64,
    pub failed: i64,
}

impl Store {
    /// Stores an inbound message exactly once: a new ticket, or a message on the ticket it
    /// belongs to. The provider's message id is claimed in the same transaction, so a duplicate
    /// delivery — even a concurrent one — stores nothing.
    pub async fn ingest_inbound(
        &self,
        org: &crate::Organization,
        record: &InboundRecord,
        now: Timestamp,
    ) -> Result<IngestOutcome, StoreError> {
        let blobs = self
            .attachments()
            .put_all(org.id, &record.attachments)
            .await?;
        let policy = self.policy_in_force(org).await?;
        dispatch!(
            self,
            channel_ingest_inbound(org, policy.as_deref(), record, &blobs, now)
        )
    }

    /// Records an inbound message that was not taken in (an auto-reply, list mail, our own
    /// mail), once, so that it is not looked at again.
    pub async fn record_inbound_ignored(
        &self,
        org_id: i64,
        channel: Channel,
        provider_message_id: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        dispatch!(
            self,
            channel_record_inbound_ignored(org_id, channel, provider_message_id, reason, now)
        )
    }

    /// Marks a requester's e-mail address as undeliverable after a bounce; notifications then go
    /// by another channel or not at all. Returns how many requesters had that address.
    pub async fn mark_email_undeliverable(
        &self,
        org_id: i64,
        provider_message_id: &str,
        address: &str,
        reason: &str,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        dispatch!(
            self,
            channel_mark_email_undeliverable(org_id, provider_message_id, address, reason, now)
        )
    }

    /// Claims up to `limit` due notifications for this instance, for `lease`. On PostgreSQL
    /// several instances claim disjoint sets (`FOR UPDATE SKIP LOCKED`); a notification whose
    /// worker died is claimed again when its lease ends.
    pub async fn claim_outbox(
        &self,
        instance: &str,
        now: Timestamp,
        lease: SignedDuration,
        limit: i64,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        dispatch!(self, channel_claim_outbox(instance, now, lease, limit))
    }

    pub async fn outbox_context(&self, item: &OutboxItem) -> Result<OutboxContext, StoreError> {
        dispatch!(self, channel_outbox_context(item))
    }

    /// Records one delivery attempt and its effect on the notification: delivered (the secret
    /// is erased), retried later, or given up.
    pub async fn record_outbox_attempt(
        &self,
        item: &OutboxItem,
        outcome: &AttemptOutcome,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(self, channel_record_outbox_attempt(item, outcome, now))
    }

    /// Applies a provider's delivery report to the notification it concerns, keeping the
    /// furthest state whatever order reports arrive in. Returns whether anything changed.
    pub async fn record_delivery_report(
        &self,
        org_id: i64,
        channel: Channel,
        provider_message_id: &str,
        state: DeliveryState,
        at: Timestamp,
        detail: Option<&str>,
    ) -> Result<bool, StoreError> {
        dispatch!(
            self,
            channel_record_delivery_report(org_id, channel, provider_message_id, state, at, detail)
        )
    }

    /// The notifications of a ticket, newest first, each with its attempts.
    pub async fn ticket_deliveries(
        &self,
        ticket_id: i64,
    ) -> Result<Vec<DeliveryRecord>, StoreError> {
        dispatch!(self, channel_ticket_deliveries(ticket_id))
    }

    pub async fn outbox_counts(&self) -> Result<OutboxCounts, StoreError> {
        dispatch!(self, channel_outbox_counts())
    }

    /// A channel's stored connection settings (a JSON object with credentials).
    pub async fn channel_credentials(
        &self,
        org_id: i64,
        channel: Channel,
    ) -> Result<Option<serde_json::Value>, StoreError> {
        dispatch!(self, channel_credentials(org_id, channel))
    }

    pub async fn set_channel_credentials(
        &self,
        org_id: i64,
        channel: Channel,
        settings: &serde_json::Value,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            channel_set_credentials(org_id, channel, settings, now)
        )
    }

    /// Every organization's settings for one channel, for the workers that poll mailboxes and
    /// the receivers that route by address.
    pub async fn all_channel_credentials(
        &self,
        channel: Channel,
    ) -> Result<Vec<(i64, serde_json::Value)>, StoreError> {
        dispatch!(self, channel_all_credentials(channel))
    }

    /// The organization whose enabled channel has this public address (an e-mail address, a
    /// WhatsApp number), compared case-insensitively.
    pub async fn organization_by_channel_address(
        &self,
        channel: Channel,
        address: &str,
    ) -> Result<Option<crate::Organization>, StoreError> {
        dispatch!(self, channel_organization_by_address(channel, address))
    }
}
