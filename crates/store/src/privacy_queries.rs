// Privacy (PDPL) queries, written once and included beside `queries.rs` for each backend:
// export, erasure requests, the anonymizer shared by erasure and retention, and the privacy
// audit. Private helpers are prefixed with `privacy_` so that they never collide with the
// names of the files included beside this one.

use crate::privacy::*;
use sanad_domain::privacy::{ERASED_NAME, ERASED_TEXT, RetentionDays};

async fn privacy_audit_insert(
    conn: &mut DbConn,
    org_id: i64,
    action: &str,
    requester_id: Option<i64>,
    actor: PrivacyActor,
    tickets: usize,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO privacy_audit (org_id, action, requester_id, actor_kind, actor_id, tickets, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(org_id)
        .bind(action)
        .bind(requester_id)
        .bind(actor.kind())
        .bind(actor.id())
        .bind(tickets as i64)
        .bind(to_micros(now))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

fn privacy_request_from_row(row: &DbRow) -> Result<ErasureRequest, StoreError> {
    Ok(ErasureRequest {
        id: row.try_get("id")?,
        requester_id: row.try_get("requester_id")?,
        requester_name: row.try_get("name")?,
        requested_via: row.try_get("requested_via")?,
        requested_at: from_micros(row.try_get("requested_at")?)?,
        state: row.try_get("state")?,
        carried_out_at: row.try_get::<Option<i64>, _>("carried_out_at")?.map(from_micros).transpose()?,
    })
}

const PRIVACY_REQUEST_SELECT: &str = "SELECT e.id, e.requester_id, r.name, e.requested_via, e.requested_at, e.state, e.carried_out_at \
     FROM erasure_requests e JOIN requesters r ON r.id = e.requester_id";

// ---- export -------------------------------------------------------------------------------------

pub(crate) async fn privacy_export(pools: &Pool, org_id: i64, requester_id: i64, actor: PrivacyActor, now: Timestamp) -> Result<RequesterExport, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let row = sqlx::query("SELECT id, name, email, phone, requester_type, created_at, erased_at FROM requesters WHERE id = $1 AND org_id = $2")
        .bind(requester_id)
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "requester", key: requester_id.to_string() })?;
    let requester = requester_from_row(&row)?;
    let created_at = from_micros(row.try_get("created_at")?)?;
    let erased_at = row.try_get::<Option<i64>, _>("erased_at")?.map(from_micros).transpose()?;
    let identities = sqlx::query("SELECT channel, external_id, created_at, last_inbound_at FROM requester_identities WHERE org_id = $1 AND requester_id = $2 ORDER BY channel, external_id")
        .bind(org_id)
        .bind(requester_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| {
            Ok(IdentityExport {
                channel: parse_stored(&row.try_get::<String, _>("channel")?)?,
                external_id: row.try_get("external_id")?,
                created_at: from_micros(row.try_get("created_at")?)?,
                last_inbound_at: row.try_get::<Option<i64>, _>("last_inbound_at")?.map(from_micros).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let numbers: Vec<String> = sqlx::query("SELECT number FROM tickets WHERE org_id = $1 AND requester_id = $2 ORDER BY id")
        .bind(org_id)
        .bind(requester_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| row.try_get("number"))
        .collect::<Result<_, _>>()?;
    let erasure_requests = sqlx::query(sqlx::AssertSqlSafe(format!("{PRIVACY_REQUEST_SELECT} WHERE e.org_id = $1 AND e.requester_id = $2 ORDER BY e.id")))
        .bind(org_id)
        .bind(requester_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(privacy_request_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    drop(conn);
    let mut tickets = Vec::with_capacity(numbers.len());
    for number in numbers {
        let Some(detail) = ticket_detail(pools, org_id, &number).await? else { continue };
        let satisfaction = satisfaction_record(pools, org_id, detail.ticket.id).await?;
        // What the requester may see of their tickets, as the portal shows them: never a note.
        let messages = detail.messages.into_iter().filter(|message| message.kind.is_visible_to_requester()).collect();
        tickets.push(TicketExport { ticket: detail.ticket, messages, satisfaction });
    }
    let mut tx = pools.writer.begin().await?;
    privacy_audit_insert(&mut tx, org_id, "export", Some(requester_id), actor, tickets.len(), now).await?;
    tx.commit().await?;
    Ok(RequesterExport { requester, created_at, erased_at, identities, tickets, erasure_requests })
}

// ---- erasure requests ---------------------------------------------------------------------------

pub(crate) async fn privacy_request_erasure(pools: &Pool, org_id: i64, requester_id: i64, via: PrivacyActor, now: Timestamp) -> Result<ErasureRequest, StoreError> {
    let mut tx = pools.writer.begin().await?;
    let exists = sqlx::query("SELECT erased_at FROM requesters WHERE id = $1 AND org_id = $2")
        .bind(requester_id)
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "requester", key: requester_id.to_string() })?;
    if exists.try_get::<Option<i64>, _>("erased_at")?.is_some() {
        return Err(StoreError::Conflict("this requester's data has already been erased".into()));
    }
    let requested_via = match via {
        PrivacyActor::Requester(_) => "portal",
        PrivacyActor::Staff(_) | PrivacyActor::System => "staff",
    };
    // One pending request per requester (a unique partial index): asking twice returns the
    // request already waiting.
    sqlx::query(
        "INSERT INTO erasure_requests (org_id, requester_id, requested_via, requested_at, state) VALUES ($1, $2, $3, $4, 'pending') \
         ON CONFLICT (requester_id) WHERE state = 'pending' DO NOTHING",
    )
    .bind(org_id)
    .bind(requester_id)
    .bind(requested_via)
    .bind(to_micros(now))
    .execute(&mut *tx)
    .await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{PRIVACY_REQUEST_SELECT} WHERE e.org_id = $1 AND e.requester_id = $2 AND e.state = 'pending'")))
        .bind(org_id)
        .bind(requester_id)
        .fetch_one(&mut *tx)
        .await?;
    let request = privacy_request_from_row(&row)?;
    if request.requested_at == from_micros(to_micros(now))? {
        privacy_audit_insert(&mut tx, org_id, "erasure_requested", Some(requester_id), via, 0, now).await?;
    }
    tx.commit().await?;
    Ok(request)
}

pub(crate) async fn privacy_erasure_requests(pools: &Pool, org_id: i64) -> Result<Vec<ErasureRequest>, StoreError> {
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "{PRIVACY_REQUEST_SELECT} WHERE e.org_id = $1 ORDER BY CASE WHEN e.state = 'pending' THEN 0 ELSE 1 END, e.id DESC LIMIT 200"
    )))
    .bind(org_id)
    .fetch_all(&pools.reader)
    .await?
    .iter()
    .map(privacy_request_from_row)
    .collect()
}

// ---- the anonymizer -----------------------------------------------------------------------------

/// A JSON string value replaced by the erasure marker; null stays null (nothing was there).
fn privacy_redact_value(value: &serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Null => serde_json::Value::Null,
        _ => serde_json::Value::String(ERASED_TEXT.to_owned()),
    }
}

/// An event's stored JSON with its personal values replaced: the subject and cancellation
/// reason in a `created` event's facts, the value of a subject or reason change, a conduct
/// event's reason. Everything else (status, kind, departments, targets…) is kept as it was,
/// so replay still yields the ticket's row and reports count the same.
fn privacy_redact_event(kind: &str, field: Option<&str>, value: Option<&str>) -> Result<Option<String>, StoreError> {
    let Some(text) = value else { return Ok(None) };
    let mut json: serde_json::Value = serde_json::from_str(text).map_err(|error| StoreError::Corrupt(format!("event value: {error}")))?;
    match (kind, field) {
        (_, Some("subject" | "cancel_reason")) => json = privacy_redact_value(&json),
        ("created", _) | ("conduct", _) => {
            if let Some(object) = json.as_object_mut() {
                for key in ["subject", "cancel_reason", "reason"] {
                    if let Some(value) = object.get_mut(key) {
                        *value = privacy_redact_value(value);
                    }
                }
            }
        }
        _ => {}
    }
    Ok(Some(json.to_string()))
}

/// Anonymizes one ticket's personal data in the caller's transaction and returns the storage
/// keys of the attachment files it no longer refers to (deleted after commit).
async fn privacy_anonymize_ticket(conn: &mut DbConn, org_id: i64, ticket_id: i64, now: Timestamp) -> Result<Vec<String>, StoreError> {
    let ticket = sqlx::query("SELECT number FROM tickets WHERE id = $1 AND org_id = $2")
        .bind(ticket_id)
        .bind(org_id)
        .fetch_one(&mut *conn)
        .await?;
    let number: String = ticket.try_get("number")?;
    // The row keeps its status and timestamps: `updated_at` is not touched, so figures by
    // period stay where they were.
    sqlx::query(
        "UPDATE tickets SET subject = $2, cancel_reason = CASE WHEN cancel_reason IS NULL THEN NULL ELSE $2 END, personal_data_erased_at = $3 WHERE id = $1",
    )
    .bind(ticket_id)
    .bind(ERASED_TEXT)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    // Every message of the ticket is by or about its requester: staff replies answer them and
    // notes discuss them. The message rows stay (counts and timings), their words do not.
    sqlx::query("UPDATE messages SET body = $2, actor_label = CASE WHEN actor_kind = 'requester' THEN $3 ELSE actor_label END WHERE ticket_id = $1")
        .bind(ticket_id)
        .bind(ERASED_TEXT)
        .bind(ERASED_NAME)
        .execute(&mut *conn)
        .await?;
    let keys: Vec<String> = sqlx::query("SELECT DISTINCT storage_key FROM attachments WHERE ticket_id = $1")
        .bind(ticket_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| row.try_get("storage_key"))
        .collect::<Result<_, _>>()?;
    sqlx::query("DELETE FROM attachments WHERE ticket_id = $1").bind(ticket_id).execute(&mut *conn).await?;

    // Rewritten events keep the content hash of what they held and are stamped with the
    // erasure's time (the ticket's `personal_data_erased_at`), so the audit chain still verifies
    // their place and links but not their content (see `audit.rs`).
    sqlx::query("UPDATE ticket_events SET actor_label = $2, redacted_at = $3 WHERE ticket_id = $1 AND actor_kind = 'requester'")
        .bind(ticket_id)
        .bind(ERASED_NAME)
        .bind(to_micros(now))
        .execute(&mut *conn)
        .await?;
    let events = sqlx::query(
        "SELECT id, kind, field, before_value, after_value FROM ticket_events WHERE ticket_id = $1 \
         AND (kind IN ('created', 'conduct') OR field IN ('subject', 'cancel_reason'))",
    )
    .bind(ticket_id)
    .fetch_all(&mut *conn)
    .await?;
    for event in &events {
        let kind: String = event.try_get("kind")?;
        let field: Option<String> = event.try_get("field")?;
        let before = privacy_redact_event(&kind, field.as_deref(), event.try_get::<Option<String>, _>("before_value")?.as_deref())?;
        let after = privacy_redact_event(&kind, field.as_deref(), event.try_get::<Option<String>, _>("after_value")?.as_deref())?;
        sqlx::query("UPDATE ticket_events SET before_value = $2, after_value = $3, redacted_at = $4 WHERE id = $1")
            .bind(event.try_get::<i64, _>("id")?)
            .bind(before)
            .bind(after)
            .bind(to_micros(now))
            .execute(&mut *conn)
            .await?;
    }

    sqlx::query("UPDATE satisfaction_ratings SET comment = '' WHERE ticket_id = $1").bind(ticket_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM contact_details WHERE ticket_id = $1").bind(ticket_id).execute(&mut *conn).await?;
    sqlx::query("UPDATE root_causes SET description = $2 WHERE ticket_id = $1")
        .bind(ticket_id)
        .bind(ERASED_TEXT)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE conduct_flags SET terms = '[]' WHERE ticket_id = $1").bind(ticket_id).execute(&mut *conn).await?;
    sqlx::query("UPDATE conduct_violations SET reason = $2 WHERE ticket_id = $1")
        .bind(ticket_id)
        .bind(ERASED_TEXT)
        .execute(&mut *conn)
        .await?;

    // Notifications keep their kind, channel, state and times (delivery figures); the address,
    // name and contents go, and one still waiting is not sent to nobody.
    sqlx::query("UPDATE outbox_attempts SET detail = '' WHERE outbox_id IN (SELECT id FROM outbox WHERE ticket_id = $1)")
        .bind(ticket_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "UPDATE outbox SET recipient = '', recipient_name = NULL, payload = '{}', secret = NULL, \
         state = CASE WHEN state = 'pending' THEN 'failed' ELSE state END, \
         last_error = CASE WHEN state = 'pending' THEN 'personal data erased' ELSE NULL END, \
         claimed_by = NULL, claimed_until = NULL WHERE ticket_id = $1",
    )
    .bind(ticket_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE inbound_messages SET detail = NULL WHERE ticket_id = $1").bind(ticket_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM mail_threads WHERE ticket_id = $1").bind(ticket_id).execute(&mut *conn).await?;
    // Nobody follows an anonymized ticket from the portal any more.
    sqlx::query("DELETE FROM sessions WHERE ticket_id = $1 AND kind = 'requester'").bind(ticket_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM tracking_codes WHERE ticket_id = $1").bind(ticket_id).execute(&mut *conn).await?;
    sqlx::query("DELETE FROM rating_links WHERE ticket_id = $1").bind(ticket_id).execute(&mut *conn).await?;

    // The search entry is rebuilt from what is left: the number, the markers, the access terms.
    let access = search_stored_access_terms(conn, ticket_id).await?;
    let marker_terms = analysis::index_terms(ERASED_TEXT);
    sqlx::query(
        "UPDATE ticket_search SET analyzer_version = $2, subject_terms = $3, identity_terms = $4, body_terms = $3, access_terms = $5 WHERE ticket_id = $1",
    )
    .bind(ticket_id)
    .bind(i64::from(analysis::ANALYZER_VERSION))
    .bind(marker_terms)
    .bind(search_identity_terms(&number, ERASED_NAME, None, None))
    .bind(access)
    .execute(&mut *conn)
    .await?;
    Ok(keys)
}

/// Anonymizes a requester's record: an anonymous name, no contact details, no identities.
async fn privacy_anonymize_requester(conn: &mut DbConn, org_id: i64, requester_id: i64, now: Timestamp) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE requesters SET name = $3, email = NULL, phone = NULL, email_undeliverable_at = NULL, email_undeliverable_reason = NULL, erased_at = $4 \
         WHERE id = $1 AND org_id = $2",
    )
    .bind(requester_id)
    .bind(org_id)
    .bind(ERASED_NAME)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM requester_identities WHERE org_id = $1 AND requester_id = $2")
        .bind(org_id)
        .bind(requester_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE conduct_violations SET actor_label = $3 WHERE org_id = $1 AND requester_id = $2 AND actor_kind = 'requester'")
        .bind(org_id)
        .bind(requester_id)
        .bind(ERASED_NAME)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(crate) async fn privacy_carry_out_erasure(
    pools: &Pool,
    org_id: i64,
    request_id: i64,
    staff_id: i64,
    now: Timestamp,
) -> Result<(AnonymizationReport, Vec<String>), StoreError> {
    let mut tx = pools.writer.begin().await?;
    let request = sqlx::query("SELECT requester_id, state FROM erasure_requests WHERE id = $1 AND org_id = $2")
        .bind(request_id)
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "erasure request", key: request_id.to_string() })?;
    if request.try_get::<String, _>("state")? != "pending" {
        return Err(StoreError::Conflict("this erasure request has already been carried out".into()));
    }
    let requester_id: i64 = request.try_get("requester_id")?;
    // The requester first, so that the tickets' rebuilt search entries find no name to index.
    privacy_anonymize_requester(&mut tx, org_id, requester_id, now).await?;
    let tickets: Vec<i64> = sqlx::query("SELECT id FROM tickets WHERE org_id = $1 AND requester_id = $2 AND personal_data_erased_at IS NULL ORDER BY id")
        .bind(org_id)
        .bind(requester_id)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|row| row.try_get("id"))
        .collect::<Result<_, _>>()?;
    let mut keys = Vec::new();
    for ticket_id in &tickets {
        keys.extend(privacy_anonymize_ticket(&mut tx, org_id, *ticket_id, now).await?);
    }
    sqlx::query("UPDATE erasure_requests SET state = 'done', carried_out_at = $2, carried_out_by = $3 WHERE id = $1")
        .bind(request_id)
        .bind(to_micros(now))
        .bind(staff_id)
        .execute(&mut *tx)
        .await?;
    privacy_audit_insert(&mut tx, org_id, "erasure", Some(requester_id), PrivacyActor::Staff(staff_id), tickets.len(), now).await?;
    tx.commit().await?;
    keys.sort();
    keys.dedup();
    Ok((AnonymizationReport { tickets: tickets.len(), requesters: 1, files_deleted: 0 }, keys))
}

// ---- retention ----------------------------------------------------------------------------------

pub(crate) async fn privacy_retention_days(pools: &Pool, org_id: i64) -> Result<Option<RetentionDays>, StoreError> {
    let row = sqlx::query("SELECT retention_days FROM organizations WHERE id = $1")
        .bind(org_id)
        .fetch_optional(&pools.reader)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "organization", key: org_id.to_string() })?;
    row.try_get::<Option<i64>, _>("retention_days")?
        .map(|days| RetentionDays::new(days).map_err(|error| StoreError::Corrupt(error.to_string())))
        .transpose()
}

pub(crate) async fn privacy_set_retention_days(pools: &Pool, org_id: i64, days: Option<RetentionDays>) -> Result<(), StoreError> {
    let updated = sqlx::query("UPDATE organizations SET retention_days = $2 WHERE id = $1")
        .bind(org_id)
        .bind(days.map(RetentionDays::get))
        .execute(&pools.writer)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "organization", key: org_id.to_string() });
    }
    Ok(())
}

pub(crate) async fn privacy_retention_periods(pools: &Pool) -> Result<Vec<(i64, RetentionDays)>, StoreError> {
    sqlx::query("SELECT id, retention_days FROM organizations WHERE retention_days IS NOT NULL ORDER BY id")
        .fetch_all(&pools.reader)
        .await?
        .iter()
        .map(|row| {
            let days: i64 = row.try_get("retention_days")?;
            Ok((row.try_get("id")?, RetentionDays::new(days).map_err(|error| StoreError::Corrupt(error.to_string()))?))
        })
        .collect()
}

pub(crate) async fn privacy_apply_retention(pools: &Pool, org_id: i64, now: Timestamp, limit: u32) -> Result<(AnonymizationReport, Vec<String>), StoreError> {
    let Some(days) = privacy_retention_days(pools, org_id).await? else {
        return Ok((AnonymizationReport::default(), Vec::new()));
    };
    let mut tx = pools.writer.begin().await?;
    let due = sqlx::query(
        "SELECT id, requester_id FROM tickets WHERE org_id = $1 AND personal_data_erased_at IS NULL \
         AND status IN ($2, $3, $4) AND updated_at < $5 ORDER BY updated_at, id LIMIT $6",
    )
    .bind(org_id)
    .bind(TicketStatus::Closed.as_str())
    .bind(TicketStatus::Cancelled.as_str())
    .bind(TicketStatus::Merged.as_str())
    .bind(to_micros(days.cutoff(now)))
    .bind(i64::from(limit))
    .fetch_all(&mut *tx)
    .await?;
    let mut keys = Vec::new();
    let mut requesters = std::collections::BTreeSet::new();
    for row in &due {
        let ticket_id: i64 = row.try_get("id")?;
        keys.extend(privacy_anonymize_ticket(&mut tx, org_id, ticket_id, now).await?);
        requesters.insert(row.try_get::<i64, _>("requester_id")?);
    }
    // A requester whose every ticket is now anonymized keeps nothing that needs their name.
    let mut erased_requesters = 0;
    for requester_id in requesters {
        let remaining = sqlx::query(
            "SELECT COUNT(*) AS remaining FROM tickets WHERE requester_id = $1 AND personal_data_erased_at IS NULL",
        )
        .bind(requester_id)
        .fetch_one(&mut *tx)
        .await?;
        if remaining.try_get::<i64, _>("remaining")? == 0 {
            privacy_anonymize_requester(&mut tx, org_id, requester_id, now).await?;
            erased_requesters += 1;
        }
    }
    if !due.is_empty() {
        privacy_audit_insert(&mut tx, org_id, "retention", None, PrivacyActor::System, due.len(), now).await?;
    }
    tx.commit().await?;
    keys.sort();
    keys.dedup();
    Ok((AnonymizationReport { tickets: due.len(), requesters: erased_requesters, files_deleted: 0 }, keys))
}

pub(crate) async fn privacy_file_referenced(pools: &Pool, storage_key: &str) -> Result<bool, StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM attachments WHERE storage_key = $1) + (SELECT COUNT(*) FROM kb_attachments WHERE storage_key = $1) AS refs",
    )
    .bind(storage_key)
    .fetch_one(&pools.reader)
    .await?;
    Ok(row.try_get::<i64, _>("refs")? > 0)
}

pub(crate) async fn privacy_audit_entries(pools: &Pool, org_id: i64, limit: u32) -> Result<Vec<PrivacyAuditEntry>, StoreError> {
    sqlx::query("SELECT id, action, requester_id, actor_kind, actor_id, tickets, at FROM privacy_audit WHERE org_id = $1 ORDER BY id DESC LIMIT $2")
        .bind(org_id)
        .bind(i64::from(limit))
        .fetch_all(&pools.reader)
        .await?
        .iter()
        .map(|row| {
            Ok(PrivacyAuditEntry {
                id: row.try_get("id")?,
                action: row.try_get("action")?,
                requester_id: row.try_get("requester_id")?,
                actor_kind: row.try_get("actor_kind")?,
                actor_id: row.try_get("actor_id")?,
                tickets: row.try_get("tickets")?,
                at: from_micros(row.try_get("at")?)?,
            })
        })
        .collect()
}
