// The conduct policy's queries (seed 004), written once and included beside `queries.rs` for
// each backend: lexicons, the check of every requester message in the transaction that writes
// it, flags and their review, and violations. Private helpers are prefixed with `conduct_` so
// that they never collide with the names of the files included beside this one.

use crate::conduct::*;

/// The organization's own lexicon text, if it replaced the default.
async fn conduct_stored_source(conn: &mut DbConn, org_id: i64) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT source FROM conduct_lexicons WHERE org_id = $1")
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|row| row.try_get("source")).transpose()?)
}

/// Checks a requester's message (and a new ticket's subject) against the organization's
/// lexicon. A match writes a flag, a `conduct` event (pushed onto `events`, written by the
/// caller's `insert_events`) and a notification for the assignee and the team leads of the
/// ticket's departments. Messages of anyone else are not checked: the lexicon is about what the
/// organization receives.
async fn conduct_check_message(
    conn: &mut DbConn,
    org_id: i64,
    ticket: &TicketSummary,
    message: &Message,
    subject: Option<&str>,
    now: Timestamp,
    events: &mut Vec<PendingEvent>,
) -> Result<(), StoreError> {
    if message.kind != MessageKind::RequesterMessage {
        return Ok(());
    }
    let source = conduct_stored_source(conn, org_id).await?;
    let lexicon = crate::conduct::parsed_lexicon(source.as_deref());
    let found = |field: ConductField, text: &str| {
        lexicon.check(text).into_iter().map(move |matched| ConductTerm {
            entry: matched.entry,
            found: matched.found,
            field,
            start: matched.start,
            end: matched.end,
        })
    };
    let terms: Vec<ConductTerm> = subject
        .into_iter()
        .flat_map(|subject| found(ConductField::Subject, subject).collect::<Vec<_>>())
        .chain(found(ConductField::Body, &message.body))
        .collect();
    if terms.is_empty() {
        return Ok(());
    }
    let terms_json = serde_json::to_string(&terms).map_err(|error| StoreError::Corrupt(error.to_string()))?;
    let flag_id: i64 = sqlx::query(
        "INSERT INTO conduct_flags (org_id, ticket_id, message_id, terms, flagged_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(org_id)
    .bind(ticket.id)
    .bind(message.id)
    .bind(&terms_json)
    .bind(to_micros(now))
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    let mut entries: Vec<&str> = terms.iter().map(|term| term.entry.as_str()).collect();
    entries.dedup();
    let detail = serde_json::json!({ "change": "flagged", "flag_id": flag_id, "message_id": message.id, "entries": entries });
    events.push(PendingEvent { system: true, kind: EventKind::Conduct, field: None, before: None, after: Some(detail.clone()) });
    let users = assignee_and_team_leads(conn, org_id, ticket).await?;
    notify(conn, org_id, ticket.id, &users, "conduct_flag", &detail, now).await?;
    Ok(())
}

/// Records the violation behind a cancellation, inside the caller's transaction. The `conduct`
/// event it pushes carries the reason, and the requester's notification is derived from it by
/// `insert_events`, so the requester is told exactly when the cancellation commits.
async fn conduct_record_violation(
    conn: &mut DbConn,
    org_id: i64,
    ticket: &TicketSummary,
    reason: &str,
    actor: &Actor,
    now: Timestamp,
    events: &mut Vec<PendingEvent>,
) -> Result<(), StoreError> {
    let violation_id: i64 = sqlx::query(
        "INSERT INTO conduct_violations (org_id, requester_id, ticket_id, reason, actor_kind, actor_id, actor_label, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(org_id)
    .bind(ticket.requester.id)
    .bind(ticket.id)
    .bind(reason)
    .bind(actor.kind())
    .bind(actor.id())
    .bind(actor.label())
    .bind(to_micros(now))
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    events.push(PendingEvent {
        system: false,
        kind: EventKind::Conduct,
        field: None,
        before: None,
        after: Some(serde_json::json!({ "change": "violation", "violation_id": violation_id, "reason": reason })),
    });
    Ok(())
}

pub(crate) async fn conduct_lexicon_source(pools: &Pool, org_id: i64) -> Result<Option<ConductLexiconSource>, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let row = sqlx::query("SELECT source, updated_at, updated_by FROM conduct_lexicons WHERE org_id = $1")
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.map(|row| {
        Ok(ConductLexiconSource {
            source: row.try_get("source")?,
            custom: true,
            updated_at: Some(from_micros(row.try_get("updated_at")?)?),
            updated_by: row.try_get("updated_by")?,
        })
    })
    .transpose()
}

pub(crate) async fn conduct_set_lexicon(pools: &Pool, org_id: i64, source: &str, user_id: i64, now: Timestamp) -> Result<(), StoreError> {
    let mut conn = pools.writer.acquire().await?;
    sqlx::query(
        "INSERT INTO conduct_lexicons (org_id, source, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (org_id) DO UPDATE SET source = excluded.source, updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(org_id)
    .bind(source)
    .bind(to_micros(now))
    .bind(user_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn conduct_reset_lexicon(pools: &Pool, org_id: i64) -> Result<(), StoreError> {
    let mut conn = pools.writer.acquire().await?;
    sqlx::query("DELETE FROM conduct_lexicons WHERE org_id = $1").bind(org_id).execute(&mut *conn).await?;
    Ok(())
}

fn conduct_flag_from_row(row: &DbRow) -> Result<ConductFlag, StoreError> {
    let terms: String = row.try_get("terms")?;
    Ok(ConductFlag {
        id: row.try_get("id")?,
        ticket_id: row.try_get("ticket_id")?,
        message_id: row.try_get("message_id")?,
        terms: serde_json::from_str(&terms).map_err(|error| StoreError::Corrupt(format!("conduct flag terms: {error}")))?,
        flagged_at: from_micros(row.try_get("flagged_at")?)?,
        reviewed_at: row.try_get::<Option<i64>, _>("reviewed_at")?.map(from_micros).transpose()?,
        reviewed_by: row.try_get("reviewed_by")?,
    })
}

pub(crate) async fn conduct_ticket_flags(pools: &Pool, org_id: i64, ticket_id: i64) -> Result<Vec<ConductFlag>, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let rows = sqlx::query(
        "SELECT id, ticket_id, message_id, terms, flagged_at, reviewed_at, reviewed_by FROM conduct_flags \
         WHERE org_id = $1 AND ticket_id = $2 ORDER BY id",
    )
    .bind(org_id)
    .bind(ticket_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(conduct_flag_from_row).collect()
}

pub(crate) async fn conduct_review_flags(pools: &Pool, org_id: i64, number: &str, actor: &Actor, now: Timestamp) -> Result<u64, StoreError> {
    let mut tx = pools.writer.begin().await?;
    let ticket = load_ticket_or_404(&mut tx, org_id, number).await?;
    let reviewed = sqlx::query(
        "UPDATE conduct_flags SET reviewed_at = $3, reviewed_by = $4 WHERE org_id = $1 AND ticket_id = $2 AND reviewed_at IS NULL",
    )
    .bind(org_id)
    .bind(ticket.id)
    .bind(to_micros(now))
    .bind(actor.id())
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if reviewed > 0 {
        let event = PendingEvent {
            system: false,
            kind: EventKind::Conduct,
            field: None,
            before: None,
            after: Some(serde_json::json!({ "change": "reviewed", "flags": reviewed })),
        };
        insert_events(&mut tx, org_id, ticket.id, &[event], actor, now).await?;
    }
    tx.commit().await?;
    Ok(reviewed)
}

pub(crate) async fn conduct_flagged_tickets(pools: &Pool, org_id: i64, limit: i64) -> Result<Vec<FlaggedTicket>, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let rows = sqlx::query(
        "SELECT t.id, t.number, t.subject, t.kind, t.status, t.assignee_id, r.name AS requester_name, \
         COUNT(*) AS open_flags, MAX(f.flagged_at) AS last_flagged_at \
         FROM conduct_flags f JOIN tickets t ON t.id = f.ticket_id JOIN requesters r ON r.id = t.requester_id \
         WHERE f.org_id = $1 AND f.reviewed_at IS NULL \
         GROUP BY t.id, t.number, t.subject, t.kind, t.status, t.assignee_id, r.name \
         ORDER BY MAX(f.id) DESC LIMIT $2",
    )
    .bind(org_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let mut flagged = Vec::with_capacity(rows.len());
    for row in &rows {
        let ticket_id: i64 = row.try_get("id")?;
        let departments = sqlx::query(
            "SELECT d.code FROM ticket_departments td JOIN departments d ON d.id = td.department_id WHERE td.ticket_id = $1 ORDER BY d.code",
        )
        .bind(ticket_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| row.try_get::<String, _>("code"))
        .collect::<Result<Vec<_>, _>>()?;
        flagged.push(FlaggedTicket {
            number: row.try_get("number")?,
            subject: row.try_get("subject")?,
            kind: parse_stored(&row.try_get::<String, _>("kind")?)?,
            status: parse_stored(&row.try_get::<String, _>("status")?)?,
            departments,
            assignee_id: row.try_get("assignee_id")?,
            requester_name: row.try_get("requester_name")?,
            open_flags: row.try_get("open_flags")?,
            last_flagged_at: from_micros(row.try_get("last_flagged_at")?)?,
        });
    }
    Ok(flagged)
}

pub(crate) async fn conduct_requester_violations(pools: &Pool, org_id: i64, requester_id: i64) -> Result<Vec<ConductViolation>, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let rows = sqlx::query(
        "SELECT v.id, v.requester_id, t.number, v.reason, v.actor_label, v.recorded_at FROM conduct_violations v \
         JOIN tickets t ON t.id = v.ticket_id WHERE v.org_id = $1 AND v.requester_id = $2 ORDER BY v.id DESC",
    )
    .bind(org_id)
    .bind(requester_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ConductViolation {
                id: row.try_get("id")?,
                requester_id: row.try_get("requester_id")?,
                ticket_number: row.try_get("number")?,
                reason: row.try_get("reason")?,
                recorded_by: row.try_get("actor_label")?,
                recorded_at: from_micros(row.try_get("recorded_at")?)?,
            })
        })
        .collect()
}

pub(crate) async fn conduct_requesters_with_violations(pools: &Pool, org_id: i64, limit: i64) -> Result<Vec<RequesterViolations>, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let rows = sqlx::query(
        "SELECT r.id, r.name, r.email, r.phone, COUNT(*) AS violations, MAX(v.recorded_at) AS last_recorded_at \
         FROM conduct_violations v JOIN requesters r ON r.id = v.requester_id WHERE v.org_id = $1 \
         GROUP BY r.id, r.name, r.email, r.phone ORDER BY COUNT(*) DESC, MAX(v.recorded_at) DESC, r.id LIMIT $2",
    )
    .bind(org_id)
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(RequesterViolations {
                requester_id: row.try_get("id")?,
                name: row.try_get("name")?,
                email: row.try_get("email")?,
                phone: row.try_get("phone")?,
                violations: row.try_get("violations")?,
                last_recorded_at: from_micros(row.try_get("last_recorded_at")?)?,
            })
        })
        .collect()
}
