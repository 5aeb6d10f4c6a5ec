// The channels' queries, written once and included beside `queries.rs` for each backend:
// requester notifications written to the outbox with the event that causes them, the outbox
// worker's claims and attempts, inbound messages taken in exactly once and threaded, delivery
// reports, bounces and channel credentials. Private helpers are prefixed with `channel_` so that
// they never collide with the names of the files included beside this one.

use crate::channels::*;
use sanad_domain::notifications::{DeliveryState, Reachability, RequesterNotification, is_sent_for, notification_route};

// ---- requester notifications into the outbox ------------------------------------------------

/// A requester notification an event calls for, before it is addressed.
struct PendingNotification {
    kind: RequesterNotification,
    message_id: Option<i64>,
    payload: serde_json::Value,
}

/// The notifications a change's events call for. The receipt covers everything that happens
/// while a ticket is being created (its routing by category, say), so a new ticket's requester
/// gets one message, not three.
fn requester_notifications(events: &[PendingEvent]) -> Vec<PendingNotification> {
    let created = events.iter().any(|event| event.kind == EventKind::Created);
    let mut notifications = Vec::new();
    let mut push = |kind, message_id, payload| notifications.push(PendingNotification { kind, message_id, payload });
    for event in events {
        let after = event.after.as_ref();
        match (event.kind, event.field) {
            (EventKind::Created, _) => push(RequesterNotification::Receipt, None, serde_json::json!({})),
            (EventKind::Changed, Some(TicketField::Departments)) if !created => {
                if let Some(departments) = after.and_then(|value| value.as_array()).filter(|list| !list.is_empty()) {
                    push(RequesterNotification::Routed, None, serde_json::json!({ "departments": departments }));
                }
            }
            (EventKind::Changed, Some(TicketField::Status)) if after.and_then(|value| value.as_str()) == Some(TicketStatus::Resolved.as_str()) => {
                push(RequesterNotification::Resolved, None, serde_json::json!({}));
            }
            (EventKind::MessageAdded, _) => {
                let is_public_reply = after.and_then(|value| value.get("kind")).and_then(|kind| kind.as_str())
                    == Some(MessageKind::PublicReply.as_str());
                if is_public_reply {
                    let message_id = after.and_then(|value| value.get("message_id")).and_then(|id| id.as_i64());
                    push(RequesterNotification::Reply, message_id, serde_json::json!({}));
                }
            }
            (EventKind::Conduct, _) if after.and_then(|value| value.get("change")).and_then(|change| change.as_str()) == Some("violation") => {
                let reason = after.and_then(|value| value.get("reason")).cloned().unwrap_or_default();
                push(RequesterNotification::CancelledForConduct, None, serde_json::json!({ "reason": reason }));
            }
            (EventKind::ServiceLevel, _) => {
                let Some(detail) = after else { continue };
                if let Some(stage) = detail.get("escalation_stage") {
                    push(RequesterNotification::Escalated, None, serde_json::json!({ "stage": stage, "stage_name": detail.get("stage") }));
                } else if detail.get("change").and_then(|change| change.as_str()) == Some("status_update") {
                    push(RequesterNotification::StatusUpdate, None, serde_json::json!({}));
                }
            }
            _ => {}
        }
    }
    notifications
}

/// Addresses the notifications to the ticket's requester on the channel that reaches them and
/// writes them to the outbox, inside the caller's transaction.
async fn enqueue_requester_notifications(
    conn: &mut DbConn,
    org_id: i64,
    ticket_id: i64,
    notifications: &[PendingNotification],
    now: Timestamp,
) -> Result<(), StoreError> {
    let row = sqlx::query(
        "SELECT t.channel, r.name, r.email, r.phone, r.email_undeliverable_at, \
         (SELECT i.external_id FROM requester_identities i WHERE i.org_id = t.org_id AND i.requester_id = r.id AND i.channel = t.channel \
          ORDER BY COALESCE(i.last_inbound_at, 0) DESC LIMIT 1) AS identity \
         FROM tickets t JOIN requesters r ON r.id = t.requester_id WHERE t.id = $1",
    )
    .bind(ticket_id)
    .fetch_one(&mut *conn)
    .await?;
    let ticket_channel: Channel = parse_stored(&row.try_get::<String, _>("channel")?)?;
    let name: String = row.try_get("name")?;
    let email: Option<String> = row.try_get("email")?;
    let undeliverable: Option<i64> = row.try_get("email_undeliverable_at")?;
    let phone: Option<String> = row.try_get("phone")?;
    let identity: Option<String> = row.try_get("identity")?;
    let enabled = sqlx::query("SELECT channel FROM channel_settings WHERE org_id = $1 AND state = 'enabled'")
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| row.try_get::<String, _>("channel").map_err(StoreError::from).and_then(|text| parse_stored::<Channel>(&text)))
        .collect::<Result<Vec<_>, _>>()?;
    let reach = Reachability {
        ticket_channel,
        identity_on_ticket_channel: identity.as_deref(),
        deliverable_email: email.as_deref().filter(|_| undeliverable.is_none()),
        phone: phone.as_deref(),
    };
    let Some((channel, recipient)) = notification_route(&reach, &enabled) else {
        return Ok(());
    };
    for notification in notifications.iter().filter(|notification| is_sent_for(notification.kind, ticket_channel)) {
        sqlx::query(
            "INSERT INTO outbox (org_id, ticket_id, message_id, kind, channel, recipient, recipient_name, payload, state, attempts, next_attempt_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $9)",
        )
        .bind(org_id)
        .bind(ticket_id)
        .bind(notification.message_id)
        .bind(notification.kind.as_str())
        .bind(channel.as_str())
        .bind(&recipient)
        .bind(&name)
        .bind(notification.payload.to_string())
        .bind(to_micros(now))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Schedules the next periodic status update of a ticket, when the policy promises them
/// (seed 001), on the policy's default working calendar.
async fn schedule_status_updates(conn: &mut DbConn, org_id: i64, ticket_id: i64, policy: Option<&Policy>, now: Timestamp) -> Result<(), StoreError> {
    let Some(policy) = policy else { return Ok(()) };
    let Some(every) = &policy.organization().status_update_every else { return Ok(()) };
    let due = policy.default_calendar().deadline(now, every).map_err(deadline_error)?;
    sqlx::query("INSERT INTO timers (org_id, ticket_id, kind, due_at) VALUES ($1, $2, 'status_update', $3)")
        .bind(org_id)
        .bind(ticket_id)
        .bind(to_micros(due))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

// ---- the outbox worker ----------------------------------------------------------------------

const CHANNEL_OUTBOX_COLUMNS: &str =
    "id, org_id, ticket_id, message_id, kind, channel, recipient, recipient_name, payload, secret, attempts, created_at";

fn channel_outbox_item(row: &DbRow) -> Result<OutboxItem, StoreError> {
    let payload: String = row.try_get("payload")?;
    Ok(OutboxItem {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        ticket_id: row.try_get("ticket_id")?,
        message_id: row.try_get("message_id")?,
        kind: parse_stored(&row.try_get::<String, _>("kind")?)?,
        channel: parse_stored(&row.try_get::<String, _>("channel")?)?,
        recipient: row.try_get("recipient")?,
        recipient_name: row.try_get("recipient_name")?,
        payload: serde_json::from_str(&payload).map_err(|error| StoreError::Corrupt(format!("outbox payload: {error}")))?,
        secret: row.try_get("secret")?,
        attempts: row.try_get("attempts")?,
        created_at: from_micros(row.try_get("created_at")?)?,
    })
}

pub(crate) async fn channel_claim_outbox(
    pools: &Pool,
    instance: &str,
    now: Timestamp,
    lease: jiff::SignedDuration,
    limit: i64,
) -> Result<Vec<OutboxItem>, StoreError> {
    let skip_locked = if DIALECT == crate::BackendKind::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE outbox SET claimed_by = $1, claimed_until = $2 WHERE id IN (\
         SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= $3 AND (claimed_until IS NULL OR claimed_until < $3) \
         ORDER BY next_attempt_at, id LIMIT $4{skip_locked}) RETURNING {CHANNEL_OUTBOX_COLUMNS}"
    )))
    .bind(instance)
    .bind(to_micros(now + lease))
    .bind(to_micros(now))
    .bind(limit)
    .fetch_all(&pools.writer)
    .await?;
    let mut items = rows.iter().map(channel_outbox_item).collect::<Result<Vec<_>, _>>()?;
    // Oldest first, so a ticket's receipt leaves before the reply that follows it.
    items.sort_by_key(|item| item.id);
    Ok(items)
}

pub(crate) async fn channel_outbox_context(pools: &Pool, item: &OutboxItem) -> Result<OutboxContext, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let ticket = match item.ticket_id {
        Some(ticket_id) => {
            let number: Option<String> = sqlx::query("SELECT number FROM tickets WHERE id = $1")
                .bind(ticket_id)
                .fetch_optional(&mut *conn)
                .await?
                .map(|row| row.try_get("number"))
                .transpose()?;
            match number {
                Some(number) => load_ticket(&mut conn, item.org_id, &number, false).await?,
                None => None,
            }
        }
        None => None,
    };
    let (reply_body, reply_author) = match item.message_id {
        Some(message_id) => {
            let row = sqlx::query("SELECT body, actor_label FROM messages WHERE id = $1")
                .bind(message_id)
                .fetch_optional(&mut *conn)
                .await?;
            match row {
                Some(row) => (Some(row.try_get("body")?), Some(row.try_get("actor_label")?)),
                None => (None, None),
            }
        }
        None => (None, None),
    };
    let last_inbound_at: Option<i64> = sqlx::query(
        "SELECT MAX(last_inbound_at) AS last_inbound_at FROM requester_identities WHERE org_id = $1 AND channel = $2 AND external_id = $3",
    )
    .bind(item.org_id)
    .bind(item.channel.as_str())
    .bind(&item.recipient)
    .fetch_one(&mut *conn)
    .await?
    .try_get("last_inbound_at")?;
    let mut mail_thread = Vec::new();
    let mut first_response_deadline = None;
    if let Some(ticket_id) = item.ticket_id {
        mail_thread = sqlx::query("SELECT mail_message_id FROM mail_threads WHERE ticket_id = $1 ORDER BY created_at, mail_message_id")
            .bind(ticket_id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|row| row.try_get::<String, _>("mail_message_id"))
            .collect::<Result<Vec<_>, _>>()?;
        let deadline: Option<i64> = sqlx::query(
            "SELECT deadline_at FROM ticket_targets WHERE ticket_id = $1 AND target = 'first_response' AND state IN ('running', 'paused')",
        )
        .bind(ticket_id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|row| row.try_get("deadline_at"))
        .transpose()?;
        first_response_deadline = deadline.map(from_micros).transpose()?;
    }
    Ok(OutboxContext {
        ticket,
        reply_body,
        reply_author,
        last_inbound_at: last_inbound_at.map(from_micros).transpose()?,
        mail_thread,
        first_response_deadline,
    })
}

pub(crate) async fn channel_record_outbox_attempt(
    pools: &Pool,
    item: &OutboxItem,
    outcome: &AttemptOutcome,
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut tx = pools.writer.begin().await?;
    let attempt = item.attempts + 1;
    let (label, detail) = match outcome {
        AttemptOutcome::Delivered { detail, .. } => ("delivered", detail),
        AttemptOutcome::TransientFailure { detail, .. } => ("transient_failure", detail),
        AttemptOutcome::PermanentFailure { detail } => ("permanent_failure", detail),
    };
    sqlx::query("INSERT INTO outbox_attempts (org_id, outbox_id, attempt, at, outcome, detail) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(item.org_id)
        .bind(item.id)
        .bind(attempt)
        .bind(to_micros(now))
        .bind(label)
        .bind(detail)
        .execute(&mut *tx)
        .await?;
    match outcome {
        AttemptOutcome::Delivered { provider_message_id, mail_message_id, .. } => {
            sqlx::query(
                "UPDATE outbox SET state = 'delivered', attempts = $2, provider_message_id = $3, delivered_at = $4, secret = NULL, \
                 last_error = NULL, claimed_by = NULL, claimed_until = NULL WHERE id = $1",
            )
            .bind(item.id)
            .bind(attempt)
            .bind(provider_message_id.as_deref())
            .bind(to_micros(now))
            .execute(&mut *tx)
            .await?;
            if let (Some(mail_message_id), Some(ticket_id)) = (mail_message_id, item.ticket_id) {
                sqlx::query(
                    "INSERT INTO mail_threads (org_id, mail_message_id, ticket_id, created_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (org_id, mail_message_id) DO NOTHING",
                )
                .bind(item.org_id)
                .bind(mail_message_id)
                .bind(ticket_id)
                .bind(to_micros(now))
                .execute(&mut *tx)
                .await?;
            }
        }
        AttemptOutcome::TransientFailure { detail, retry_at: Some(retry_at) } => {
            sqlx::query(
                "UPDATE outbox SET attempts = $2, next_attempt_at = $3, last_error = $4, claimed_by = NULL, claimed_until = NULL WHERE id = $1",
            )
            .bind(item.id)
            .bind(attempt)
            .bind(to_micros(*retry_at))
            .bind(detail)
            .execute(&mut *tx)
            .await?;
        }
        AttemptOutcome::TransientFailure { detail, retry_at: None } | AttemptOutcome::PermanentFailure { detail } => {
            sqlx::query(
                "UPDATE outbox SET state = 'failed', attempts = $2, last_error = $3, secret = NULL, claimed_by = NULL, claimed_until = NULL WHERE id = $1",
            )
            .bind(item.id)
            .bind(attempt)
            .bind(detail)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn channel_record_delivery_report(
    pools: &Pool,
    org_id: i64,
    channel: Channel,
    provider_message_id: &str,
    state: DeliveryState,
    at: Timestamp,
    detail: Option<&str>,
) -> Result<bool, StoreError> {
    // Progress is the declaration order of `DeliveryState`; a report behind the stored state
    // (a late `sent` after `read`, a repeated `delivered`) changes nothing.
    let rank = |state: DeliveryState| DeliveryState::ALL.iter().position(|candidate| *candidate == state).unwrap_or(0) as i64 + 1;
    let stored_rank = format!(
        "CASE COALESCE(delivery_state, '') {} ELSE 0 END",
        DeliveryState::ALL.iter().map(|state| format!("WHEN '{}' THEN {}", state.as_str(), rank(*state))).collect::<Vec<_>>().join(" ")
    );
    let done = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE outbox SET delivery_state = $4, delivery_state_at = $5, last_error = COALESCE($6, last_error) \
         WHERE org_id = $1 AND channel = $2 AND provider_message_id = $3 AND {stored_rank} < $7"
    )))
    .bind(org_id)
    .bind(channel.as_str())
    .bind(provider_message_id)
    .bind(state.as_str())
    .bind(to_micros(at))
    .bind(detail)
    .bind(rank(state))
    .execute(&pools.writer)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub(crate) async fn channel_ticket_deliveries(pools: &Pool, ticket_id: i64) -> Result<Vec<DeliveryRecord>, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let rows = sqlx::query(
        "SELECT id, kind, channel, recipient, state, next_attempt_at, delivery_state, created_at, delivered_at \
         FROM outbox WHERE ticket_id = $1 ORDER BY id DESC",
    )
    .bind(ticket_id)
    .fetch_all(&mut *conn)
    .await?;
    let attempts = sqlx::query(
        "SELECT a.outbox_id, a.attempt, a.at, a.outcome, a.detail FROM outbox_attempts a JOIN outbox o ON o.id = a.outbox_id \
         WHERE o.ticket_id = $1 ORDER BY a.id",
    )
    .bind(ticket_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut records = Vec::with_capacity(rows.len());
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let mut record = DeliveryRecord {
            id,
            kind: parse_stored(&row.try_get::<String, _>("kind")?)?,
            channel: parse_stored(&row.try_get::<String, _>("channel")?)?,
            recipient: row.try_get("recipient")?,
            state: row.try_get("state")?,
            next_attempt_at: from_micros(row.try_get("next_attempt_at")?)?,
            delivery_state: parse_optional(row.try_get("delivery_state")?)?,
            created_at: from_micros(row.try_get("created_at")?)?,
            delivered_at: row.try_get::<Option<i64>, _>("delivered_at")?.map(from_micros).transpose()?,
            attempts: Vec::new(),
        };
        for attempt in &attempts {
            if attempt.try_get::<i64, _>("outbox_id")? == id {
                record.attempts.push(AttemptRecord {
                    attempt: attempt.try_get("attempt")?,
                    at: from_micros(attempt.try_get("at")?)?,
                    outcome: attempt.try_get("outcome")?,
                    detail: attempt.try_get("detail")?,
                });
            }
        }
        records.push(record);
    }
    Ok(records)
}

pub(crate) async fn channel_outbox_counts(pools: &Pool) -> Result<OutboxCounts, StoreError> {
    let rows = sqlx::query("SELECT state, COUNT(*) AS count FROM outbox GROUP BY state").fetch_all(&pools.reader).await?;
    let mut counts = OutboxCounts::default();
    for row in &rows {
        let count: i64 = row.try_get("count")?;
        match row.try_get::<String, _>("state")?.as_str() {
            "pending" => counts.pending = count,
            "delivered" => counts.delivered = count,
            "failed" => counts.failed = count,
            other => return Err(StoreError::Corrupt(format!("unknown outbox state '{other}'"))),
        }
    }
    Ok(counts)
}

// ---- inbound --------------------------------------------------------------------------------

/// Finds the sender among the organization's requesters, or registers them: by their identity
/// on a messaging channel, else by e-mail or phone; the identity is remembered with the time of
/// this message (the providers' 24-hour window counts from it).
async fn channel_requester(conn: &mut DbConn, org_id: i64, record: &InboundRecord, now: Timestamp) -> Result<Requester, StoreError> {
    let sender = &record.sender;
    let name_text = sender.name.as_deref().filter(|name| !name.trim().is_empty()).unwrap_or(&sender.address);
    let name = sanad_domain::PersonName::parse(&name_text.chars().take(200).collect::<String>())
        .or_else(|_| sanad_domain::PersonName::parse(&sender.address.chars().take(200).collect::<String>()))
        .map_err(|error| StoreError::Invalid(format!("sender name: {error}")))?;
    let by_identity = record.channel != Channel::Email;
    if by_identity {
        let known = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {} FROM requesters r JOIN requester_identities i ON i.requester_id = r.id \
             WHERE i.org_id = $1 AND i.channel = $2 AND i.external_id = $3",
            REQUESTER_COLUMNS.split(", ").map(|column| format!("r.{column}")).collect::<Vec<_>>().join(", ")
        )))
        .bind(org_id)
        .bind(record.channel.as_str())
        .bind(&sender.address)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = known {
            sqlx::query("UPDATE requester_identities SET last_inbound_at = $4 WHERE org_id = $1 AND channel = $2 AND external_id = $3")
                .bind(org_id)
                .bind(record.channel.as_str())
                .bind(&sender.address)
                .bind(to_micros(now))
                .execute(&mut *conn)
                .await?;
            return requester_from_row(&row);
        }
    }
    let requester = match RequesterContact::from_parts(sender.email.clone(), sender.phone.clone()) {
        Some(contact) => {
            let new = NewRequester { name, contact, requester_type: RequesterType::Other };
            find_or_create_requester(&mut *conn, org_id, &new, now).await?
        }
        None => {
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO requesters (org_id, name, requester_type, created_at) VALUES ($1, $2, $3, $4) RETURNING {REQUESTER_COLUMNS}"
            )))
            .bind(org_id)
            .bind(name.as_str())
            .bind(RequesterType::Other.as_str())
            .bind(to_micros(now))
            .fetch_one(&mut *conn)
            .await?;
            requester_from_row(&row)?
        }
    };
    if by_identity {
        sqlx::query(
            "INSERT INTO requester_identities (org_id, channel, external_id, requester_id, last_inbound_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (org_id, channel, external_id) DO UPDATE SET last_inbound_at = excluded.last_inbound_at",
        )
        .bind(org_id)
        .bind(record.channel.as_str())
        .bind(&sender.address)
        .bind(requester.id)
        .bind(to_micros(now))
        .execute(&mut *conn)
        .await?;
    } else {
        // Mail from an address proves the mailbox exists again.
        sqlx::query("UPDATE requesters SET email_undeliverable_at = NULL, email_undeliverable_reason = NULL WHERE id = $1 AND email_undeliverable_at IS NOT NULL")
            .bind(requester.id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(requester)
}

async fn channel_ticket_by_id(conn: &mut DbConn, org_id: i64, ticket_id: i64) -> Result<Option<TicketSummary>, StoreError> {
    let number: Option<String> = sqlx::query("SELECT number FROM tickets WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(ticket_id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|row| row.try_get("number"))
        .transpose()?;
    match number {
        Some(number) => load_ticket(conn, org_id, &number, true).await,
        None => Ok(None),
    }
}

/// The ticket an inbound message continues, in order of certainty: the e-mail thread (our
/// Message-IDs and the requester's), the live-chat conversation, the ticket number in the
/// subject (only when the sender is that ticket's requester, so nobody can write into someone
/// else's ticket by guessing a number), and on messaging channels the sender's latest ticket on
/// that channel. A merged ticket leads to the ticket it was merged into.
async fn channel_thread_ticket(
    conn: &mut DbConn,
    org: &Organization,
    record: &InboundRecord,
    requester: &Requester,
) -> Result<Option<TicketSummary>, StoreError> {
    let mut found: Option<TicketSummary> = None;
    if let Some(mail) = &record.mail {
        for mail_message_id in mail.in_reply_to.iter().chain(mail.references.iter().rev()) {
            let row = sqlx::query("SELECT ticket_id FROM mail_threads WHERE org_id = $1 AND mail_message_id = $2")
                .bind(org.id)
                .bind(mail_message_id)
                .fetch_optional(&mut *conn)
                .await?;
            if let Some(row) = row {
                found = channel_ticket_by_id(conn, org.id, row.try_get("ticket_id")?).await?;
                break;
            }
        }
    }
    if found.is_none()
        && let Some(conversation) = &record.conversation_id
    {
        let row = sqlx::query(
            "SELECT ticket_id FROM inbound_messages WHERE org_id = $1 AND channel = $2 AND conversation_id = $3 AND ticket_id IS NOT NULL \
             ORDER BY id DESC LIMIT 1",
        )
        .bind(org.id)
        .bind(record.channel.as_str())
        .bind(conversation)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = row {
            found = channel_ticket_by_id(conn, org.id, row.try_get("ticket_id")?).await?;
        }
    }
    if found.is_none()
        && record.channel == Channel::Email
        && let Ok(prefix) = sanad_domain::TicketPrefix::parse(&org.ticket_prefix)
        && let Some(number) = sanad_domain::TicketNumber::find_in(record.subject.as_str(), &prefix)
    {
        found = load_ticket(conn, org.id, &number.to_string(), true)
            .await?
            .filter(|ticket| ticket.requester.id == requester.id);
    }
    if found.is_none() && matches!(record.channel, Channel::Whatsapp | Channel::X | Channel::Facebook) {
        let row = sqlx::query(
            "SELECT id FROM tickets WHERE org_id = $1 AND requester_id = $2 AND channel = $3 ORDER BY id DESC LIMIT 1",
        )
        .bind(org.id)
        .bind(requester.id)
        .bind(record.channel.as_str())
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = row {
            found = channel_ticket_by_id(conn, org.id, row.try_get("id")?).await?;
        }
    }
    // Follow merges, a bounded number of steps in case of a corrupt cycle.
    for _ in 0..8 {
        match &found {
            Some(ticket) if ticket.status == TicketStatus::Merged => {
                let Some(target) = ticket.merged_into.clone() else { break };
                found = load_ticket(conn, org.id, &target, true).await?;
            }
            _ => break,
        }
    }
    Ok(found)
}

/// Whether a message continuing `ticket` goes onto it: open tickets take it; resolved and closed
/// ones are reopened within the reopen window; later, and for cancelled tickets, the message
/// starts a new ticket.
fn channel_continues(ticket: &TicketSummary, org: &Organization, now: Timestamp) -> Continuation {
    match ticket.status {
        TicketStatus::Cancelled | TicketStatus::Merged => Continuation::NewTicket,
        TicketStatus::Resolved | TicketStatus::Closed => {
            let window = jiff::SignedDuration::from_hours(org.reopen_window_hours);
            match ticket.resolved_at {
                Some(resolved_at) if now <= resolved_at + window => Continuation::Reopen,
                _ => Continuation::NewTicket,
            }
        }
        _ => Continuation::Append,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Continuation {
    Append,
    Reopen,
    NewTicket,
}

pub(crate) async fn channel_ingest_inbound(
    pools: &Pool,
    org: &Organization,
    policy: Option<&Policy>,
    record: &InboundRecord,
    blobs: &[AttachmentBlob],
    now: Timestamp,
) -> Result<IngestOutcome, StoreError> {
    let mut tx = pools.writer.begin().await?;
    // Claiming the provider's id is the first write: a concurrent duplicate waits here for this
    // transaction (PostgreSQL's unique index, SQLite's single writer) and then finds the row.
    let claimed = sqlx::query(
        "INSERT INTO inbound_messages (org_id, channel, provider_message_id, outcome, conversation_id, received_at) \
         VALUES ($1, $2, $3, 'pending', $4, $5) ON CONFLICT (org_id, channel, provider_message_id) DO NOTHING RETURNING id",
    )
    .bind(org.id)
    .bind(record.channel.as_str())
    .bind(&record.provider_message_id)
    .bind(record.conversation_id.as_deref())
    .bind(to_micros(now))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(claimed) = claimed else {
        return Ok(IngestOutcome::Duplicate);
    };
    let inbound_id: i64 = claimed.try_get("id")?;
    let requester = channel_requester(&mut tx, org.id, record, now).await?;
    let actor = Actor::Requester { id: requester.id, name: requester.name.clone() };
    let existing = channel_thread_ticket(&mut tx, org, record, &requester).await?;
    let continuation = existing.as_ref().map(|ticket| channel_continues(ticket, org, now)).unwrap_or(Continuation::NewTicket);
    let outcome = match (existing, continuation) {
        (Some(ticket), Continuation::Append | Continuation::Reopen) => {
            let draft = MessageDraft { kind: MessageKind::RequesterMessage, body: record.body.as_str(), blobs };
            let message = add_message_in(&mut tx, org, policy, &ticket, draft, &actor, now).await?;
            if continuation == Continuation::Reopen {
                let mut changes = Changes::new(facts_of(&ticket));
                changes.set_status(TicketStatus::InProgress, false, now)?;
                write_facts(&mut tx, org.id, ticket.id, &changes.facts, false, now).await?;
                enforce_service_levels(&mut tx, org.id, policy, &ticket, &mut changes, false, false, now).await?;
                insert_events(&mut tx, org.id, ticket.id, &changes.events, &actor, now).await?;
            }
            let ticket = load_ticket_or_404(&mut tx, org.id, &ticket.number).await?;
            IngestOutcome::Appended { ticket, message_id: message.id }
        }
        _ => {
            let draft = TicketDraft {
                kind: record.kind_for_new_ticket,
                channel: record.channel,
                subject: record.subject.as_str(),
                body: record.body.as_str(),
                category: None,
                requester: requester.clone(),
            };
            let (ticket, message, tracking_code) = create_ticket_in(&mut tx, org, policy, draft, blobs, &actor, now).await?;
            IngestOutcome::Created { ticket, message_id: message.id, tracking_code }
        }
    };
    let (label, ticket_id, message_id) = match &outcome {
        IngestOutcome::Created { ticket, message_id, .. } => ("created", ticket.id, *message_id),
        IngestOutcome::Appended { ticket, message_id } => ("appended", ticket.id, *message_id),
        IngestOutcome::Duplicate => return Err(StoreError::Corrupt("a claimed inbound message came out as a duplicate".into())),
    };
    sqlx::query("UPDATE inbound_messages SET outcome = $2, ticket_id = $3, message_id = $4 WHERE id = $1")
        .bind(inbound_id)
        .bind(label)
        .bind(ticket_id)
        .bind(message_id)
        .execute(&mut *tx)
        .await?;
    if let Some(mail) = &record.mail {
        sqlx::query(
            "INSERT INTO mail_threads (org_id, mail_message_id, ticket_id, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, mail_message_id) DO NOTHING",
        )
        .bind(org.id)
        .bind(&mail.message_id)
        .bind(ticket_id)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(outcome)
}

pub(crate) async fn channel_record_inbound_ignored(
    pools: &Pool,
    org_id: i64,
    channel: Channel,
    provider_message_id: &str,
    reason: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "INSERT INTO inbound_messages (org_id, channel, provider_message_id, outcome, detail, received_at) VALUES ($1, $2, $3, 'ignored', $4, $5) \
         ON CONFLICT (org_id, channel, provider_message_id) DO NOTHING",
    )
    .bind(org_id)
    .bind(channel.as_str())
    .bind(provider_message_id)
    .bind(reason)
    .bind(to_micros(now))
    .execute(&pools.writer)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub(crate) async fn channel_mark_email_undeliverable(
    pools: &Pool,
    org_id: i64,
    provider_message_id: &str,
    address: &str,
    reason: &str,
    now: Timestamp,
) -> Result<u64, StoreError> {
    let mut tx = pools.writer.begin().await?;
    let claimed = sqlx::query(
        "INSERT INTO inbound_messages (org_id, channel, provider_message_id, outcome, detail, received_at) VALUES ($1, 'email', $2, 'bounce', $3, $4) \
         ON CONFLICT (org_id, channel, provider_message_id) DO NOTHING",
    )
    .bind(org_id)
    .bind(provider_message_id)
    .bind(format!("{address}: {reason}"))
    .bind(to_micros(now))
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() == 0 {
        return Ok(0);
    }
    let marked = sqlx::query(
        "UPDATE requesters SET email_undeliverable_at = $3, email_undeliverable_reason = $4 WHERE org_id = $1 AND LOWER(email) = LOWER($2)",
    )
    .bind(org_id)
    .bind(address)
    .bind(to_micros(now))
    .bind(reason)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(marked.rows_affected())
}

// ---- channel credentials and addresses ------------------------------------------------------

pub(crate) async fn channel_credentials(pools: &Pool, org_id: i64, channel: Channel) -> Result<Option<serde_json::Value>, StoreError> {
    let row = sqlx::query("SELECT settings FROM channel_credentials WHERE org_id = $1 AND channel = $2")
        .bind(org_id)
        .bind(channel.as_str())
        .fetch_optional(&pools.reader)
        .await?;
    match row {
        Some(row) => {
            let text: String = row.try_get("settings")?;
            Ok(Some(serde_json::from_str(&text).map_err(|error| StoreError::Corrupt(format!("channel settings: {error}")))?))
        }
        None => Ok(None),
    }
}

pub(crate) async fn channel_set_credentials(
    pools: &Pool,
    org_id: i64,
    channel: Channel,
    settings: &serde_json::Value,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO channel_credentials (org_id, channel, settings, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (org_id, channel) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at",
    )
    .bind(org_id)
    .bind(channel.as_str())
    .bind(settings.to_string())
    .bind(to_micros(now))
    .execute(&pools.writer)
    .await?;
    Ok(())
}

pub(crate) async fn channel_all_credentials(pools: &Pool, channel: Channel) -> Result<Vec<(i64, serde_json::Value)>, StoreError> {
    let rows = sqlx::query(
        "SELECT c.org_id, c.settings FROM channel_credentials c JOIN channel_settings s ON s.org_id = c.org_id AND s.channel = c.channel \
         WHERE c.channel = $1 AND s.state = 'enabled' ORDER BY c.org_id",
    )
    .bind(channel.as_str())
    .fetch_all(&pools.reader)
    .await?;
    rows.iter()
        .map(|row| {
            let text: String = row.try_get("settings")?;
            let settings = serde_json::from_str(&text).map_err(|error| StoreError::Corrupt(format!("channel settings: {error}")))?;
            Ok((row.try_get("org_id")?, settings))
        })
        .collect()
}

pub(crate) async fn channel_organization_by_address(pools: &Pool, channel: Channel, address: &str) -> Result<Option<Organization>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{ORGANIZATION_COLUMNS} WHERE id = (SELECT org_id FROM channel_settings WHERE channel = $1 AND LOWER(address) = LOWER($2) AND state = 'enabled' \
         ORDER BY org_id LIMIT 1)"
    )))
    .bind(channel.as_str())
    .bind(address.trim())
    .fetch_optional(&pools.reader)
    .await?;
    row.as_ref().map(organization_from_row).transpose()
}
