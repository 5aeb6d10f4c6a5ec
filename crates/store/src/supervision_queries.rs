// Supervisors' accounts, grants, tokens and sessions, written once and included next to
// `queries.rs` for each backend. Private helpers are prefixed with `supervision_` so that they
// never collide with the names of the files included beside this one.

use crate::supervision::*;
use sanad_domain::permissions::PersonalDataAccess;

const SUPERVISION_SUPERVISOR_COLUMNS: &str =
    "SELECT id, email, name, password_hash, created_at, disabled_at FROM supervisors";

fn supervision_supervisor_from_row(row: &DbRow) -> Result<SupervisorRecord, StoreError> {
    Ok(SupervisorRecord {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        password_hash: row.try_get("password_hash")?,
        created_at: from_micros(row.try_get("created_at")?)?,
        disabled_at: row.try_get::<Option<i64>, _>("disabled_at")?.map(from_micros).transpose()?,
    })
}

pub(crate) async fn supervision_create_supervisor(
    pools: &Pool,
    email: &str,
    name: &str,
    password_hash: Option<&str>,
    now: Timestamp,
) -> Result<SupervisorRecord, StoreError> {
    let row = sqlx::query(
        "INSERT INTO supervisors (email, name, password_hash, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (email) DO NOTHING RETURNING id, email, name, password_hash, created_at, disabled_at",
    )
    .bind(email)
    .bind(name)
    .bind(password_hash)
    .bind(to_micros(now))
    .fetch_optional(&pools.writer)
    .await?;
    match row {
        Some(row) => supervision_supervisor_from_row(&row),
        None => Err(StoreError::Conflict(format!("a supervisor with the address {email} already exists"))),
    }
}

pub(crate) async fn supervision_set_password(pools: &Pool, supervisor_id: i64, password_hash: &str) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE supervisors SET password_hash = $2 WHERE id = $1")
        .bind(supervisor_id)
        .bind(password_hash)
        .execute(&pools.writer)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "supervisor", key: supervisor_id.to_string() });
    }
    // A new password ends every open session, as it does for staff.
    sqlx::query("DELETE FROM supervisor_sessions WHERE supervisor_id = $1")
        .bind(supervisor_id)
        .execute(&pools.writer)
        .await?;
    Ok(())
}

pub(crate) async fn supervision_supervisor_by_email(pools: &Pool, email: &str) -> Result<Option<SupervisorRecord>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SUPERVISION_SUPERVISOR_COLUMNS} WHERE email = $1")))
        .bind(email)
        .fetch_optional(&pools.reader)
        .await?;
    row.as_ref().map(supervision_supervisor_from_row).transpose()
}

pub(crate) async fn supervision_supervisor_by_id(pools: &Pool, supervisor_id: i64) -> Result<Option<SupervisorRecord>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SUPERVISION_SUPERVISOR_COLUMNS} WHERE id = $1")))
        .bind(supervisor_id)
        .fetch_optional(&pools.reader)
        .await?;
    row.as_ref().map(supervision_supervisor_from_row).transpose()
}

const SUPERVISION_GRANT_COLUMNS: &str = "SELECT g.supervisor_id, s.email AS supervisor_email, s.name AS supervisor_name, \
     g.org_id, o.slug AS org_slug, o.name AS org_name, g.personal_data, g.granted_at, g.revoked_at \
     FROM supervisor_grants g JOIN supervisors s ON s.id = g.supervisor_id JOIN organizations o ON o.id = g.org_id";

fn supervision_grant_from_row(row: &DbRow) -> Result<SupervisionGrant, StoreError> {
    let personal_data: String = row.try_get("personal_data")?;
    Ok(SupervisionGrant {
        supervisor_id: row.try_get("supervisor_id")?,
        supervisor_email: row.try_get("supervisor_email")?,
        supervisor_name: row.try_get("supervisor_name")?,
        org_id: row.try_get("org_id")?,
        org_slug: row.try_get("org_slug")?,
        org_name: row.try_get("org_name")?,
        personal_data: personal_data.parse::<PersonalDataAccess>()
            .map_err(|error| StoreError::Corrupt(error.to_string()))?,
        granted_at: from_micros(row.try_get("granted_at")?)?,
        revoked_at: row.try_get::<Option<i64>, _>("revoked_at")?.map(from_micros).transpose()?,
    })
}

pub(crate) async fn supervision_grant(
    pools: &Pool,
    org_id: i64,
    supervisor_email: &str,
    personal_data: PersonalDataAccess,
    granted_by: Option<i64>,
    now: Timestamp,
) -> Result<SupervisionGrant, StoreError> {
    let mut tx = pools.writer.begin().await?;
    let supervisor = sqlx::query("SELECT id FROM supervisors WHERE email = $1 AND disabled_at IS NULL")
        .bind(supervisor_email)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "supervisor", key: supervisor_email.to_owned() })?;
    let supervisor_id: i64 = supervisor.try_get("id")?;
    // Granting again renews the grant: it becomes active and takes the new personal-data setting.
    sqlx::query(
        "INSERT INTO supervisor_grants (supervisor_id, org_id, personal_data, granted_by, granted_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, NULL) \
         ON CONFLICT (supervisor_id, org_id) DO UPDATE SET personal_data = excluded.personal_data, \
           granted_by = excluded.granted_by, granted_at = excluded.granted_at, revoked_at = NULL",
    )
    .bind(supervisor_id)
    .bind(org_id)
    .bind(personal_data.as_str())
    .bind(granted_by)
    .bind(to_micros(now))
    .execute(&mut *tx)
    .await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{SUPERVISION_GRANT_COLUMNS} WHERE g.supervisor_id = $1 AND g.org_id = $2")))
        .bind(supervisor_id)
        .bind(org_id)
        .fetch_one(&mut *tx)
        .await?;
    let grant = supervision_grant_from_row(&row)?;
    tx.commit().await?;
    Ok(grant)
}

pub(crate) async fn supervision_revoke(pools: &Pool, org_id: i64, supervisor_id: i64, now: Timestamp) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE supervisor_grants SET revoked_at = $3 WHERE org_id = $1 AND supervisor_id = $2 AND revoked_at IS NULL",
    )
    .bind(org_id)
    .bind(supervisor_id)
    .bind(to_micros(now))
    .execute(&pools.writer)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "supervision grant", key: supervisor_id.to_string() });
    }
    Ok(())
}

pub(crate) async fn supervision_grants_of_org(pools: &Pool, org_id: i64) -> Result<Vec<SupervisionGrant>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SUPERVISION_GRANT_COLUMNS} WHERE g.org_id = $1 ORDER BY g.granted_at DESC, g.supervisor_id")))
        .bind(org_id)
        .fetch_all(&pools.reader)
        .await?;
    rows.iter().map(supervision_grant_from_row).collect()
}

pub(crate) async fn supervision_active_grants_of_supervisor(pools: &Pool, supervisor_id: i64) -> Result<Vec<SupervisionGrant>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SUPERVISION_GRANT_COLUMNS} WHERE g.supervisor_id = $1 AND g.revoked_at IS NULL AND s.disabled_at IS NULL ORDER BY o.name, o.id"
    )))
    .bind(supervisor_id)
    .fetch_all(&pools.reader)
    .await?;
    rows.iter().map(supervision_grant_from_row).collect()
}

pub(crate) async fn supervision_active_grant(pools: &Pool, supervisor_id: i64, org_slug: &str) -> Result<Option<SupervisionGrant>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SUPERVISION_GRANT_COLUMNS} WHERE g.supervisor_id = $1 AND o.slug = $2 AND g.revoked_at IS NULL AND s.disabled_at IS NULL"
    )))
    .bind(supervisor_id)
    .bind(org_slug)
    .fetch_optional(&pools.reader)
    .await?;
    row.as_ref().map(supervision_grant_from_row).transpose()
}

fn supervision_token_from_row(row: &DbRow) -> Result<SupervisorTokenRecord, StoreError> {
    Ok(SupervisorTokenRecord {
        id: row.try_get("id")?,
        supervisor_id: row.try_get("supervisor_id")?,
        name: row.try_get("name")?,
        created_at: from_micros(row.try_get("created_at")?)?,
        revoked_at: row.try_get::<Option<i64>, _>("revoked_at")?.map(from_micros).transpose()?,
    })
}

pub(crate) async fn supervision_create_token(
    pools: &Pool,
    supervisor_id: i64,
    name: &str,
    token_hash: &str,
    now: Timestamp,
) -> Result<SupervisorTokenRecord, StoreError> {
    let row = sqlx::query(
        "INSERT INTO supervisor_tokens (supervisor_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (token_hash) DO NOTHING RETURNING id, supervisor_id, name, created_at, revoked_at",
    )
    .bind(supervisor_id)
    .bind(name)
    .bind(token_hash)
    .bind(to_micros(now))
    .fetch_optional(&pools.writer)
    .await?;
    match row {
        Some(row) => supervision_token_from_row(&row),
        None => Err(StoreError::Conflict("a token with this secret already exists".into())),
    }
}

pub(crate) async fn supervision_tokens(pools: &Pool, supervisor_id: i64) -> Result<Vec<SupervisorTokenRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, supervisor_id, name, created_at, revoked_at FROM supervisor_tokens WHERE supervisor_id = $1 ORDER BY id",
    )
    .bind(supervisor_id)
    .fetch_all(&pools.reader)
    .await?;
    rows.iter().map(supervision_token_from_row).collect()
}

pub(crate) async fn supervision_revoke_token(pools: &Pool, supervisor_id: i64, token_id: i64, now: Timestamp) -> Result<(), StoreError> {
    let done = sqlx::query(
        "UPDATE supervisor_tokens SET revoked_at = $3 WHERE supervisor_id = $1 AND id = $2 AND revoked_at IS NULL",
    )
    .bind(supervisor_id)
    .bind(token_id)
    .bind(to_micros(now))
    .execute(&pools.writer)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "supervisor token", key: token_id.to_string() });
    }
    Ok(())
}

pub(crate) async fn supervision_supervisor_by_token_hash(pools: &Pool, token_hash: &str) -> Result<Option<SupervisorRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT s.id, s.email, s.name, s.password_hash, s.created_at, s.disabled_at FROM supervisor_tokens t \
         JOIN supervisors s ON s.id = t.supervisor_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND s.disabled_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(&pools.reader)
    .await?;
    row.as_ref().map(supervision_supervisor_from_row).transpose()
}

fn supervision_session_from_row(row: &DbRow) -> Result<SupervisorSession, StoreError> {
    Ok(SupervisorSession {
        id: row.try_get("id")?,
        supervisor_id: row.try_get("supervisor_id")?,
        created_at: from_micros(row.try_get("created_at")?)?,
        expires_at: from_micros(row.try_get("expires_at")?)?,
    })
}

pub(crate) async fn supervision_create_session(
    pools: &Pool,
    supervisor_id: i64,
    token_hash: &str,
    expires_at: Timestamp,
    now: Timestamp,
) -> Result<SupervisorSession, StoreError> {
    let row = sqlx::query(
        "INSERT INTO supervisor_sessions (supervisor_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (token_hash) DO NOTHING RETURNING id, supervisor_id, created_at, expires_at",
    )
    .bind(supervisor_id)
    .bind(token_hash)
    .bind(to_micros(now))
    .bind(to_micros(expires_at))
    .fetch_optional(&pools.writer)
    .await?;
    match row {
        Some(row) => supervision_session_from_row(&row),
        None => Err(StoreError::Conflict("a session with this token already exists".into())),
    }
}

pub(crate) async fn supervision_session_by_token_hash(pools: &Pool, token_hash: &str, now: Timestamp) -> Result<Option<SupervisorSession>, StoreError> {
    let row = sqlx::query(
        "SELECT ss.id, ss.supervisor_id, ss.created_at, ss.expires_at FROM supervisor_sessions ss \
         JOIN supervisors s ON s.id = ss.supervisor_id \
         WHERE ss.token_hash = $1 AND ss.expires_at > $2 AND s.disabled_at IS NULL",
    )
    .bind(token_hash)
    .bind(to_micros(now))
    .fetch_optional(&pools.reader)
    .await?;
    row.as_ref().map(supervision_session_from_row).transpose()
}

pub(crate) async fn supervision_delete_session(pools: &Pool, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM supervisor_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&pools.writer)
        .await?;
    Ok(())
}

pub(crate) async fn supervision_record_login_attempt(
    pools: &Pool,
    email: &str,
    client_ip: &str,
    outcome: crate::LoginOutcome,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO supervisor_login_attempts (email, client_ip, outcome, at) VALUES ($1, $2, $3, $4)")
        .bind(email)
        .bind(client_ip)
        .bind(outcome.as_str())
        .bind(to_micros(now))
        .execute(&pools.writer)
        .await?;
    Ok(())
}

pub(crate) async fn supervision_login_failures_since(
    pools: &Pool,
    email: &str,
    client_ip: &str,
    since: Timestamp,
) -> Result<SupervisorLoginFailures, StoreError> {
    // A failure counts against the address unless a success came at or after it, as for staff.
    let row = sqlx::query(
        "SELECT \
           (SELECT COUNT(*) FROM supervisor_login_attempts f WHERE f.email = $1 AND f.outcome = $4 AND f.at >= $3 \
              AND NOT EXISTS (SELECT 1 FROM supervisor_login_attempts s WHERE s.email = $1 AND s.outcome = $5 AND s.at >= f.at)) \
             AS for_email, \
           (SELECT COUNT(*) FROM supervisor_login_attempts c WHERE c.client_ip = $2 AND c.outcome = $4 AND c.at >= $3) AS from_client",
    )
    .bind(email)
    .bind(client_ip)
    .bind(to_micros(since))
    .bind(crate::LoginOutcome::Failed.as_str())
    .bind(crate::LoginOutcome::Succeeded.as_str())
    .fetch_one(&pools.reader)
    .await?;
    Ok(SupervisorLoginFailures { for_email: row.try_get("for_email")?, from_client: row.try_get("from_client")? })
}
