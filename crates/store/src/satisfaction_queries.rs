// Satisfaction answers, written once and included beside `queries.rs` for each backend. Private
// helpers are prefixed with `satisfaction_` so that they never collide with the names of the
// files included beside this one.

use crate::satisfaction::*;
use sanad_domain::satisfaction::{RatingRules, SatisfactionAnswer, Score};

const SATISFACTION_COLUMNS: &str = "ticket_id, score, handling_score, clarity_score, closure_score, comment, answered_via, created_at, updated_at, follow_up_at";

fn satisfaction_score(row: &DbRow, column: &str) -> Result<Score, StoreError> {
    // Answers given before the three dimensions existed were migrated with the single score in
    // each dimension, so a missing dimension is a corrupt row, not an old one.
    let value: Option<i64> = row.try_get(column)?;
    let value = value.ok_or_else(|| StoreError::Corrupt(format!("satisfaction answer without {column}")))?;
    Score::new(value).map_err(|error| StoreError::Corrupt(format!("{column}: {error}")))
}

fn satisfaction_from_row(row: &DbRow) -> Result<SatisfactionRecord, StoreError> {
    let created_at: i64 = row.try_get("created_at")?;
    let updated_at: Option<i64> = row.try_get("updated_at")?;
    Ok(SatisfactionRecord {
        ticket_id: row.try_get("ticket_id")?,
        handling: satisfaction_score(row, "handling_score")?,
        clarity: satisfaction_score(row, "clarity_score")?,
        closure: satisfaction_score(row, "closure_score")?,
        overall: Score::new(row.try_get("score")?).map_err(|error| StoreError::Corrupt(format!("score: {error}")))?,
        comment: row.try_get("comment")?,
        answered_via: row.try_get::<Option<String>, _>("answered_via")?.as_deref().and_then(AnsweredVia::parse),
        created_at: from_micros(created_at)?,
        updated_at: from_micros(updated_at.unwrap_or(created_at))?,
        follow_up_at: row.try_get::<Option<i64>, _>("follow_up_at")?.map(from_micros).transpose()?,
    })
}

async fn satisfaction_rules_in(conn: &mut DbConn, org_id: i64) -> Result<RatingRules, StoreError> {
    let row = sqlx::query("SELECT rating_edit_window_hours, rating_follow_up_at_or_below FROM organizations WHERE id = $1")
        .bind(org_id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "organization", key: org_id.to_string() })?;
    RatingRules::new(row.try_get("rating_edit_window_hours")?, row.try_get("rating_follow_up_at_or_below")?).map_err(|errors| {
        StoreError::Corrupt(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
    })
}

pub(crate) async fn satisfaction_rules(pools: &Pool, org_id: i64) -> Result<RatingRules, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    satisfaction_rules_in(&mut conn, org_id).await
}

pub(crate) async fn satisfaction_set_rules(pools: &Pool, org_id: i64, rules: RatingRules) -> Result<(), StoreError> {
    let updated = sqlx::query("UPDATE organizations SET rating_edit_window_hours = $2, rating_follow_up_at_or_below = $3 WHERE id = $1")
        .bind(org_id)
        .bind(rules.edit_window_hours)
        .bind(i64::from(rules.follow_up_at_or_below))
        .execute(&pools.writer)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "organization", key: org_id.to_string() });
    }
    Ok(())
}

pub(crate) async fn satisfaction_record(pools: &Pool, org_id: i64, ticket_id: i64) -> Result<Option<SatisfactionRecord>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {SATISFACTION_COLUMNS} FROM satisfaction_ratings WHERE ticket_id = $1 AND org_id = $2")))
        .bind(ticket_id)
        .bind(org_id)
        .fetch_optional(&pools.reader)
        .await?;
    row.as_ref().map(satisfaction_from_row).transpose()
}

/// Who follows a low answer up: the team leads of the ticket's departments; when it has none,
/// the organization's team leads; when there are none, its administrators, so that a low
/// answer is never left unseen.
async fn satisfaction_follow_up_recipients(conn: &mut DbConn, org_id: i64, ticket_id: i64) -> Result<Vec<i64>, StoreError> {
    let in_departments = sqlx::query(
        "SELECT DISTINCT u.id FROM users u JOIN user_departments ud ON ud.user_id = u.id \
         JOIN ticket_departments td ON td.department_id = ud.department_id \
         WHERE u.org_id = $1 AND td.ticket_id = $2 AND u.role = $3 AND u.disabled_at IS NULL ORDER BY u.id",
    )
    .bind(org_id)
    .bind(ticket_id)
    .bind(StaffRole::TeamLead.as_str())
    .fetch_all(&mut *conn)
    .await?;
    if !in_departments.is_empty() {
        return in_departments.iter().map(|row| Ok(row.try_get("id")?)).collect();
    }
    for role in [StaffRole::TeamLead, StaffRole::Admin] {
        let rows = sqlx::query("SELECT id FROM users WHERE org_id = $1 AND role = $2 AND disabled_at IS NULL ORDER BY id")
            .bind(org_id)
            .bind(role.as_str())
            .fetch_all(&mut *conn)
            .await?;
        if !rows.is_empty() {
            return rows.iter().map(|row| Ok(row.try_get("id")?)).collect();
        }
    }
    Ok(Vec::new())
}

pub(crate) async fn satisfaction_answer(
    pools: &Pool,
    org_id: i64,
    ticket_id: i64,
    answer: &SatisfactionAnswer,
    via: AnsweredVia,
    actor: &Actor,
    now: Timestamp,
) -> Result<AnswerOutcome, StoreError> {
    let mut tx = pools.writer.begin().await?;
    // Whether the ticket is ready to be rated (resolved or closed) is the portal's rule, which
    // knows what the requester sees; the store checks only that the ticket is the
    // organization's.
    sqlx::query("SELECT id FROM tickets WHERE id = $1 AND org_id = $2")
        .bind(ticket_id)
        .bind(org_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "ticket", key: ticket_id.to_string() })?;
    let rules = satisfaction_rules_in(&mut tx, org_id).await?;
    let comment = answer.comment.clone().unwrap_or_default();
    let overall = answer.overall();
    // A first answer is inserted; an existing one is changed only while its window is open.
    // Both are single statements, so two answers submitted at once cannot both be "first".
    let inserted = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO satisfaction_ratings (ticket_id, org_id, score, handling_score, clarity_score, closure_score, comment, answered_via, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) ON CONFLICT (ticket_id) DO NOTHING RETURNING {SATISFACTION_COLUMNS}"
    )))
    .bind(ticket_id)
    .bind(org_id)
    .bind(i64::from(overall.get()))
    .bind(i64::from(answer.handling.get()))
    .bind(i64::from(answer.clarity.get()))
    .bind(i64::from(answer.closure.get()))
    .bind(&comment)
    .bind(via.as_str())
    .bind(to_micros(now))
    .fetch_optional(&mut *tx)
    .await?;
    let (row, edited) = match inserted {
        Some(row) => (row, false),
        None => {
            let window_opened_after = now
                .checked_sub(jiff::SignedDuration::from_hours(rules.edit_window_hours))
                .unwrap_or(Timestamp::MIN);
            let updated = sqlx::query(sqlx::AssertSqlSafe(format!(
                "UPDATE satisfaction_ratings SET score = $3, handling_score = $4, clarity_score = $5, closure_score = $6, comment = $7, \
                 answered_via = $8, updated_at = $9 WHERE ticket_id = $1 AND org_id = $2 AND created_at > $10 RETURNING {SATISFACTION_COLUMNS}"
            )))
            .bind(ticket_id)
            .bind(org_id)
            .bind(i64::from(overall.get()))
            .bind(i64::from(answer.handling.get()))
            .bind(i64::from(answer.clarity.get()))
            .bind(i64::from(answer.closure.get()))
            .bind(&comment)
            .bind(via.as_str())
            .bind(to_micros(now))
            .bind(to_micros(window_opened_after))
            .fetch_optional(&mut *tx)
            .await?;
            match updated {
                Some(row) => (row, true),
                None => {
                    let first = sqlx::query("SELECT created_at FROM satisfaction_ratings WHERE ticket_id = $1")
                        .bind(ticket_id)
                        .fetch_one(&mut *tx)
                        .await?;
                    let closed_at = rules.edit_window_closes(from_micros(first.try_get("created_at")?)?);
                    return Err(StoreError::Conflict(format!(
                        "this ticket's satisfaction answer can no longer be changed: changes were possible until {closed_at}"
                    )));
                }
            }
        }
    };
    let mut record = satisfaction_from_row(&row)?;

    // The event carries the scores and the channel, not the comment: reports replay answers
    // and their changes from the events, and the comment stays in one place that an erasure
    // clears.
    let event = PendingEvent {
        system: false,
        kind: EventKind::Satisfaction,
        field: None,
        before: None,
        after: Some(serde_json::json!({
            "change": if edited { "edited" } else { "answered" },
            "handling": answer.handling.get(),
            "clarity": answer.clarity.get(),
            "closure": answer.closure.get(),
            "overall": overall.get(),
            "via": via.as_str(),
            "commented": answer.comment.is_some(),
        })),
    };
    insert_events(&mut tx, org_id, ticket_id, std::slice::from_ref(&event), actor, now).await?;

    let mut followed_up_by = Vec::new();
    if rules.follow_up_due(answer) {
        // Claimed with one statement, so a ticket is followed up once however often (or however
        // concurrently) its answer is changed.
        let claimed = sqlx::query("UPDATE satisfaction_ratings SET follow_up_at = $2 WHERE ticket_id = $1 AND follow_up_at IS NULL RETURNING ticket_id")
            .bind(ticket_id)
            .bind(to_micros(now))
            .fetch_optional(&mut *tx)
            .await?;
        if claimed.is_some() {
            followed_up_by = satisfaction_follow_up_recipients(&mut tx, org_id, ticket_id).await?;
            let detail = serde_json::json!({
                "handling": answer.handling.get(),
                "clarity": answer.clarity.get(),
                "closure": answer.closure.get(),
                "threshold": rules.follow_up_at_or_below,
            });
            notify(&mut tx, org_id, ticket_id, &followed_up_by, "satisfaction_follow_up", &detail, now).await?;
            record.follow_up_at = Some(from_micros(to_micros(now))?);
        }
    }
    tx.commit().await?;
    Ok(AnswerOutcome { record, edited, followed_up_by })
}

/// Creates the rating invitation of a resolution notification just written to the outbox: a
/// random secret kept only as a digest, whose clear value rides in the outbox row (erased once
/// delivered) for the renderer to put in the link. Called in the transaction of the event.
async fn satisfaction_invite(conn: &mut DbConn, org_id: i64, ticket_id: i64, now: Timestamp) -> Result<(), StoreError> {
    let secret = crate::secrets::generate_token();
    let row = sqlx::query(
        "UPDATE outbox SET secret = $3 WHERE org_id = $1 AND ticket_id = $2 AND kind = 'resolved' AND state = 'pending' AND secret IS NULL RETURNING channel",
    )
    .bind(org_id)
    .bind(ticket_id)
    .bind(&secret)
    .fetch_optional(&mut *conn)
    .await?;
    // No notification (no channel reaches the requester): nobody could receive the link, so
    // none is made; the requester can still answer from the portal.
    let Some(row) = row else { return Ok(()) };
    sqlx::query("INSERT INTO rating_links (token_hash, org_id, ticket_id, channel, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(crate::secrets::token_digest(&secret))
        .bind(org_id)
        .bind(ticket_id)
        .bind(row.try_get::<String, _>("channel")?)
        .bind(to_micros(now))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub(crate) async fn satisfaction_invitation(pools: &Pool, org_id: i64, token_hash: &str) -> Result<Option<RatingInvitation>, StoreError> {
    let row = sqlx::query(
        "SELECT l.ticket_id, l.channel, t.number FROM rating_links l JOIN tickets t ON t.id = l.ticket_id \
         WHERE l.token_hash = $1 AND l.org_id = $2",
    )
    .bind(token_hash)
    .bind(org_id)
    .fetch_optional(&pools.reader)
    .await?;
    row.map(|row| {
        Ok(RatingInvitation {
            ticket_id: row.try_get("ticket_id")?,
            number: row.try_get("number")?,
            channel: parse_stored(&row.try_get::<String, _>("channel")?)?,
        })
    })
    .transpose()
}
