// The web desk's queries, written once and included next to `queries.rs` for each backend:
// browser sessions, login throttling, tracking codes, canned replies, the audit of complaint
// views, presence, ratings, contact details, channel and organization settings, the agents'
// queues and the managers' dashboard. Private helpers are prefixed with `desk_` so that they
// never collide with the names of the files included beside this one.

use crate::desk::*;
use jiff::SignedDuration;
use sanad_domain::permissions::Principal;

// ---- sessions --------------------------------------------------------------------------------

const DESK_SESSION_COLUMNS: &str = "SELECT id, org_id, kind, user_id, ticket_id, created_at, expires_at FROM sessions";

fn desk_session_from_row(row: &DbRow) -> Result<SessionRecord, StoreError> {
    Ok(SessionRecord {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        kind: SessionKind::parse(&row.try_get::<String, _>("kind")?)?,
        user_id: row.try_get("user_id")?,
        ticket_id: row.try_get("ticket_id")?,
        created_at: from_micros(row.try_get("created_at")?)?,
        expires_at: from_micros(row.try_get("expires_at")?)?,
    })
}

pub(crate) async fn desk_create_session(pools: &Pool, new: &NewSession, now: Timestamp) -> Result<SessionRecord, StoreError> {
    let row = sqlx::query(
        "INSERT INTO sessions (org_id, token_hash, kind, user_id, ticket_id, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (token_hash) DO NOTHING RETURNING id",
    )
    .bind(new.org_id)
    .bind(&new.token_hash)
    .bind(new.kind.as_str())
    .bind(new.user_id)
    .bind(new.ticket_id)
    .bind(to_micros(now))
    .bind(to_micros(new.expires_at))
    .fetch_optional(&pools.writer)
    .await?;
    let Some(row) = row else {
        return Err(StoreError::Conflict("a session with this token already exists".into()));
    };
    Ok(SessionRecord {
        id: row.try_get("id")?,
        org_id: new.org_id,
        kind: new.kind,
        user_id: new.user_id,
        ticket_id: new.ticket_id,
        // Truncated to the stored microseconds, so the answer equals what a later read returns.
        created_at: from_micros(to_micros(now))?,
        expires_at: from_micros(to_micros(new.expires_at))?,
    })
}

pub(crate) async fn desk_session_by_token_hash(pools: &Pool, token_hash: &str, now: Timestamp) -> Result<Option<SessionRecord>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{DESK_SESSION_COLUMNS} WHERE token_hash = $1 AND expires_at > $2")))
        .bind(token_hash)
        .bind(to_micros(now))
        .fetch_optional(&pools.reader)
        .await?;
    row.as_ref().map(desk_session_from_row).transpose()
}

pub(crate) async fn desk_delete_session(pools: &Pool, token_hash: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&pools.writer).await?;
    Ok(())
}

pub(crate) async fn desk_delete_sessions_of_user(pools: &Pool, org_id: i64, user_id: i64) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM sessions WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .execute(&pools.writer)
        .await?;
    Ok(())
}

pub(crate) async fn desk_delete_expired_sessions(pools: &Pool, now: Timestamp) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(to_micros(now)).execute(&pools.writer).await?;
    Ok(done.rows_affected())
}

// ---- staff accounts --------------------------------------------------------------------------

const DESK_CREDENTIAL_COLUMNS: &str = "SELECT id, email, name, role, password_hash, totp_secret, disabled_at FROM users";

/// The department codes of one user, by code (as `users()` lists them).
async fn desk_user_departments(conn: &mut DbConn, user_id: i64) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query(
        "SELECT d.code FROM user_departments ud JOIN departments d ON d.id = ud.department_id WHERE ud.user_id = $1 ORDER BY d.code",
    )
    .bind(user_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|row| row.try_get("code").map_err(StoreError::from)).collect()
}

fn desk_user_state(row: &DbRow) -> Result<UserState, StoreError> {
    Ok(match row.try_get::<Option<i64>, _>("disabled_at")? {
        None => UserState::Active,
        Some(_) => UserState::Disabled,
    })
}

fn desk_user_from_row(row: &DbRow, departments: Vec<String>) -> Result<User, StoreError> {
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        role: parse_stored::<StaffRole>(&row.try_get::<String, _>("role")?)?,
        departments,
    })
}

async fn desk_credentials_from_row(conn: &mut DbConn, row: Option<DbRow>) -> Result<Option<StaffCredentials>, StoreError> {
    let Some(row) = row else { return Ok(None) };
    let departments = desk_user_departments(conn, row.try_get("id")?).await?;
    Ok(Some(StaffCredentials {
        user: desk_user_from_row(&row, departments)?,
        password_hash: row.try_get("password_hash")?,
        totp_secret: row.try_get("totp_secret")?,
        state: desk_user_state(&row)?,
    }))
}

pub(crate) async fn desk_staff_credentials(pools: &Pool, org_id: i64, email: &str) -> Result<Option<StaffCredentials>, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{DESK_CREDENTIAL_COLUMNS} WHERE org_id = $1 AND email = $2")))
        .bind(org_id)
        .bind(email)
        .fetch_optional(&mut *conn)
        .await?;
    desk_credentials_from_row(&mut conn, row).await
}

pub(crate) async fn desk_staff_credentials_by_id(pools: &Pool, org_id: i64, user_id: i64) -> Result<Option<StaffCredentials>, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{DESK_CREDENTIAL_COLUMNS} WHERE org_id = $1 AND id = $2")))
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    desk_credentials_from_row(&mut conn, row).await
}

pub(crate) async fn desk_user_listings(pools: &Pool, org_id: i64) -> Result<Vec<UserListing>, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{DESK_CREDENTIAL_COLUMNS} WHERE org_id = $1 ORDER BY name, id")))
        .bind(org_id)
        .fetch_all(&mut *conn)
        .await?;
    let memberships = sqlx::query(
        "SELECT ud.user_id, d.code FROM user_departments ud JOIN departments d ON d.id = ud.department_id \
         WHERE ud.org_id = $1 ORDER BY d.code",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut listings = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let mut departments = Vec::new();
        for membership in &memberships {
            if membership.try_get::<i64, _>("user_id")? == id {
                departments.push(membership.try_get("code")?);
            }
        }
        listings.push(UserListing {
            user: desk_user_from_row(&row, departments)?,
            state: desk_user_state(&row)?,
            has_password: row.try_get::<Option<String>, _>("password_hash")?.is_some(),
            has_totp: row.try_get::<Option<String>, _>("totp_secret")?.is_some(),
        });
    }
    Ok(listings)
}

pub(crate) async fn desk_set_user_password(pools: &Pool, org_id: i64, user_id: i64, password_hash: &str) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE users SET password_hash = $3 WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(user_id)
        .bind(password_hash)
        .execute(&pools.writer)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "staff member", key: user_id.to_string() });
    }
    Ok(())
}

pub(crate) async fn desk_set_user_totp(pools: &Pool, org_id: i64, user_id: i64, totp_secret: Option<&str>) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE users SET totp_secret = $3 WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(user_id)
        .bind(totp_secret)
        .execute(&pools.writer)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "staff member", key: user_id.to_string() });
    }
    Ok(())
}

pub(crate) async fn desk_update_user(pools: &Pool, org_id: i64, user_id: i64, update: &UserUpdate, now: Timestamp) -> Result<User, StoreError> {
    let mut tx = pools.writer.begin().await?;
    let disabled = i64::from(update.state == UserState::Disabled);
    let row = sqlx::query(
        "UPDATE users SET name = $3, role = $4, disabled_at = CASE WHEN $5 = 1 THEN COALESCE(disabled_at, $6) ELSE NULL END \
         WHERE org_id = $1 AND id = $2 RETURNING id, email, name, role",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(update.name.as_str())
    .bind(update.role.as_str())
    .bind(disabled)
    .bind(to_micros(now))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Err(StoreError::NotFound { what: "staff member", key: user_id.to_string() });
    };
    let mut codes: Vec<&str> = update.departments.iter().map(|code| code.as_str()).collect();
    codes.sort_unstable();
    codes.dedup();
    let mut department_ids = Vec::with_capacity(codes.len());
    for code in &codes {
        let found = sqlx::query("SELECT id FROM departments WHERE org_id = $1 AND code = $2 AND archived_at IS NULL")
            .bind(org_id)
            .bind(*code)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(found) = found else {
            return Err(StoreError::NotFound { what: "department", key: (*code).to_owned() });
        };
        department_ids.push(found.try_get::<i64, _>("id")?);
    }
    sqlx::query("DELETE FROM user_departments WHERE org_id = $1 AND user_id = $2")
        .bind(org_id)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    for department_id in department_ids {
        sqlx::query("INSERT INTO user_departments (org_id, user_id, department_id) VALUES ($1, $2, $3)")
            .bind(org_id)
            .bind(user_id)
            .bind(department_id)
            .execute(&mut *tx)
            .await?;
    }
    let user = desk_user_from_row(&row, codes.iter().map(|code| (*code).to_owned()).collect())?;
    tx.commit().await?;
    Ok(user)
}

// ---- login throttling ------------------------------------------------------------------------

pub(crate) async fn desk_record_login_attempt(
    pools: &Pool,
    org_id: i64,
    email: &str,
    client_ip: &str,
    outcome: LoginOutcome,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO login_attempts (org_id, email, client_ip, outcome, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(org_id)
        .bind(email)
        .bind(client_ip)
        .bind(outcome.as_str())
        .bind(to_micros(now))
        .execute(&pools.writer)
        .await?;
    Ok(())
}

pub(crate) async fn desk_login_failures_since(pools: &Pool, org_id: i64, email: &str, client_ip: &str, since: Timestamp) -> Result<LoginFailures, StoreError> {
    // A failure counts against the address unless a success came at or after it.
    let row = sqlx::query(
        "SELECT \
           (SELECT COUNT(*) FROM login_attempts f WHERE f.org_id = $1 AND f.email = $2 AND f.outcome = $5 AND f.at >= $4 \
              AND NOT EXISTS (SELECT 1 FROM login_attempts s WHERE s.org_id = $1 AND s.email = $2 AND s.outcome = $6 AND s.at >= f.at)) \
             AS for_email, \
           (SELECT COUNT(*) FROM login_attempts c WHERE c.client_ip = $3 AND c.outcome = $5 AND c.at >= $4) AS from_client",
    )
    .bind(org_id)
    .bind(email)
    .bind(client_ip)
    .bind(to_micros(since))
    .bind(LoginOutcome::Failed.as_str())
    .bind(LoginOutcome::Succeeded.as_str())
    .fetch_one(&pools.reader)
    .await?;
    Ok(LoginFailures { for_email: row.try_get("for_email")?, from_client: row.try_get("from_client")? })
}

// ---- requesters' access to their ticket ------------------------------------------------------

pub(crate) async fn desk_set_tracking_code(pools: &Pool, org_id: i64, ticket_id: i64, code_hash: &str, now: Timestamp) -> Result<(), StoreError> {
    let done = sqlx::query(
        "INSERT INTO tracking_codes (ticket_id, org_id, code_hash, created_at) \
         SELECT id, org_id, $3, $4 FROM tickets WHERE id = $2 AND org_id = $1 \
         ON CONFLICT (ticket_id) DO UPDATE SET code_hash = excluded.code_hash, created_at = excluded.created_at",
    )
    .bind(org_id)
    .bind(ticket_id)
    .bind(code_hash)
    .bind(to_micros(now))
    .execute(&pools.writer)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "ticket", key: ticket_id.to_string() });
    }
    Ok(())
}

pub(crate) async fn desk_ticket_id_by_tracking_code(pools: &Pool, org_id: i64, number: &str, code_hash: &str) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query(
        "SELECT t.id FROM tickets t JOIN tracking_codes k ON k.ticket_id = t.id \
         WHERE t.org_id = $1 AND t.number = $2 AND k.code_hash = $3",
    )
    .bind(org_id)
    .bind(number)
    .bind(code_hash)
    .fetch_optional(&pools.reader)
    .await?;
    row.map(|row| row.try_get("id")).transpose().map_err(StoreError::from)
}

pub(crate) async fn desk_ticket_number_by_id(pools: &Pool, org_id: i64, ticket_id: i64) -> Result<Option<String>, StoreError> {
    let row = sqlx::query("SELECT number FROM tickets WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(ticket_id)
        .fetch_optional(&pools.reader)
        .await?;
    row.map(|row| row.try_get("number")).transpose().map_err(StoreError::from)
}

// ---- canned replies --------------------------------------------------------------------------

fn desk_canned_reply_from_row(row: &DbRow) -> Result<CannedReply, StoreError> {
    Ok(CannedReply { id: row.try_get("id")?, title: row.try_get("title")?, body: row.try_get("body")? })
}

pub(crate) async fn desk_canned_replies(pools: &Pool, org_id: i64) -> Result<Vec<CannedReply>, StoreError> {
    let rows = sqlx::query("SELECT id, title, body FROM canned_replies WHERE org_id = $1 AND archived_at IS NULL ORDER BY title, id")
        .bind(org_id)
        .fetch_all(&pools.reader)
        .await?;
    rows.iter().map(desk_canned_reply_from_row).collect()
}

pub(crate) async fn desk_create_canned_reply(pools: &Pool, org_id: i64, title: &str, body: &str, now: Timestamp) -> Result<CannedReply, StoreError> {
    let row = sqlx::query("INSERT INTO canned_replies (org_id, title, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id, title, body")
        .bind(org_id)
        .bind(title)
        .bind(body)
        .bind(to_micros(now))
        .fetch_one(&pools.writer)
        .await?;
    desk_canned_reply_from_row(&row)
}

pub(crate) async fn desk_update_canned_reply(pools: &Pool, org_id: i64, id: i64, title: &str, body: &str) -> Result<CannedReply, StoreError> {
    let row = sqlx::query(
        "UPDATE canned_replies SET title = $3, body = $4 WHERE org_id = $1 AND id = $2 AND archived_at IS NULL RETURNING id, title, body",
    )
    .bind(org_id)
    .bind(id)
    .bind(title)
    .bind(body)
    .fetch_optional(&pools.writer)
    .await?;
    match row {
        Some(row) => desk_canned_reply_from_row(&row),
        None => Err(StoreError::NotFound { what: "canned reply", key: id.to_string() }),
    }
}

pub(crate) async fn desk_archive_canned_reply(pools: &Pool, org_id: i64, id: i64, now: Timestamp) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE canned_replies SET archived_at = $3 WHERE org_id = $1 AND id = $2 AND archived_at IS NULL")
        .bind(org_id)
        .bind(id)
        .bind(to_micros(now))
        .execute(&pools.writer)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "canned reply", key: id.to_string() });
    }
    Ok(())
}

// ---- confidentiality audit and presence ------------------------------------------------------

pub(crate) async fn desk_record_ticket_view(pools: &Pool, org_id: i64, ticket_id: i64, user_id: i64, now: Timestamp) -> Result<(), StoreError> {
    let done = sqlx::query("INSERT INTO ticket_views (org_id, ticket_id, user_id, at) SELECT org_id, id, $3, $4 FROM tickets WHERE id = $2 AND org_id = $1")
        .bind(org_id)
        .bind(ticket_id)
        .bind(user_id)
        .bind(to_micros(now))
        .execute(&pools.writer)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "ticket", key: ticket_id.to_string() });
    }
    Ok(())
}

/// Newest first in the order the views were recorded (the id), which the index serves.
pub(crate) async fn desk_ticket_views(pools: &Pool, org_id: i64, limit: u32) -> Result<Vec<TicketViewRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT t.number, v.user_id, u.name AS user_name, v.at FROM ticket_views v \
         JOIN tickets t ON t.id = v.ticket_id JOIN users u ON u.id = v.user_id \
         WHERE v.org_id = $1 ORDER BY v.id DESC LIMIT $2",
    )
    .bind(org_id)
    .bind(i64::from(limit))
    .fetch_all(&pools.reader)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(TicketViewRecord {
                ticket_number: row.try_get("number")?,
                user_id: row.try_get("user_id")?,
                user_name: row.try_get("user_name")?,
                at: from_micros(row.try_get("at")?)?,
            })
        })
        .collect()
}

pub(crate) async fn desk_touch_presence(
    pools: &Pool,
    org_id: i64,
    ticket_id: i64,
    user_id: i64,
    activity: PresenceActivity,
    now: Timestamp,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO ticket_presence (ticket_id, user_id, org_id, activity, seen_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (ticket_id, user_id) DO UPDATE SET activity = excluded.activity, seen_at = excluded.seen_at",
    )
    .bind(ticket_id)
    .bind(user_id)
    .bind(org_id)
    .bind(activity.as_str())
    .bind(to_micros(now))
    .execute(&pools.writer)
    .await?;
    Ok(())
}

pub(crate) async fn desk_presence(pools: &Pool, ticket_id: i64, since: Timestamp) -> Result<Vec<PresenceRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT p.user_id, u.name AS user_name, p.activity, p.seen_at FROM ticket_presence p JOIN users u ON u.id = p.user_id \
         WHERE p.ticket_id = $1 AND p.seen_at >= $2 ORDER BY p.seen_at DESC, p.user_id",
    )
    .bind(ticket_id)
    .bind(to_micros(since))
    .fetch_all(&pools.reader)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(PresenceRecord {
                user_id: row.try_get("user_id")?,
                user_name: row.try_get("user_name")?,
                activity: PresenceActivity::parse(&row.try_get::<String, _>("activity")?)?,
                seen_at: from_micros(row.try_get("seen_at")?)?,
            })
        })
        .collect()
}

// Satisfaction answers live in `satisfaction_queries.rs`; the dashboard below counts them.

// ---- contacts logged by staff ----------------------------------------------------------------

pub(crate) async fn desk_record_contact_details(pools: &Pool, org_id: i64, ticket_id: i64, details: &serde_json::Value, logged_by: i64) -> Result<(), StoreError> {
    let text = serde_json::to_string(details).map_err(|error| StoreError::Invalid(format!("contact details: {error}")))?;
    let done = sqlx::query(
        "INSERT INTO contact_details (ticket_id, org_id, details, logged_by) \
         SELECT id, org_id, $3, $4 FROM tickets WHERE id = $2 AND org_id = $1 \
         ON CONFLICT (ticket_id) DO UPDATE SET details = excluded.details, logged_by = excluded.logged_by",
    )
    .bind(org_id)
    .bind(ticket_id)
    .bind(text)
    .bind(logged_by)
    .execute(&pools.writer)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "ticket", key: ticket_id.to_string() });
    }
    Ok(())
}

pub(crate) async fn desk_contact_details(pools: &Pool, ticket_id: i64) -> Result<Option<serde_json::Value>, StoreError> {
    let row = sqlx::query("SELECT details FROM contact_details WHERE ticket_id = $1")
        .bind(ticket_id)
        .fetch_optional(&pools.reader)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let text: String = row.try_get("details")?;
    serde_json::from_str(&text)
        .map(Some)
        .map_err(|error| StoreError::Corrupt(format!("contact details of ticket {ticket_id}: {error}")))
}

// ---- channels and organization settings ------------------------------------------------------

pub(crate) async fn desk_channel_settings(pools: &Pool, org_id: i64) -> Result<Vec<ChannelSetting>, StoreError> {
    let rows = sqlx::query("SELECT channel, state, address FROM channel_settings WHERE org_id = $1 ORDER BY channel")
        .bind(org_id)
        .fetch_all(&pools.reader)
        .await?;
    rows.iter()
        .map(|row| {
            Ok(ChannelSetting {
                channel: parse_stored::<Channel>(&row.try_get::<String, _>("channel")?)?,
                state: ChannelState::parse(&row.try_get::<String, _>("state")?)?,
                address: row.try_get("address")?,
            })
        })
        .collect()
}

pub(crate) async fn desk_set_channel_setting(pools: &Pool, org_id: i64, setting: &ChannelSetting) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO channel_settings (org_id, channel, state, address) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (org_id, channel) DO UPDATE SET state = excluded.state, address = excluded.address",
    )
    .bind(org_id)
    .bind(setting.channel.as_str())
    .bind(setting.state.as_str())
    .bind(&setting.address)
    .execute(&pools.writer)
    .await?;
    Ok(())
}

pub(crate) async fn desk_update_organization_settings(pools: &Pool, org_id: i64, name: &str, time_zone: &str, reopen_window_hours: i64) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE organizations SET name = $2, time_zone = $3, reopen_window_hours = $4 WHERE id = $1")
        .bind(org_id)
        .bind(name)
        .bind(time_zone)
        .bind(reopen_window_hours)
        .execute(&pools.writer)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "organization", key: org_id.to_string() });
    }
    Ok(())
}

// ---- queues ----------------------------------------------------------------------------------

/// How much of the organization's tickets a viewer may see, as the SQL needs it; the same rule as
/// `sanad_domain::permissions::ticket_access`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DeskScope {
    Everything,
    Nothing,
    /// Every ticket but complaints, plus the complaints assigned to the viewer or routed to one
    /// of their departments.
    Restricted,
}

struct DeskViewer<'a> {
    user_id: Option<i64>,
    departments: &'a [String],
    scope: DeskScope,
}

fn desk_viewer(principal: &Principal) -> DeskViewer<'_> {
    match principal {
        Principal::OrganizationToken { .. } => DeskViewer { user_id: None, departments: &[], scope: DeskScope::Everything },
        Principal::Staff { user_id, role, departments } => {
            let scope = match role {
                StaffRole::Supervisor => DeskScope::Nothing,
                StaffRole::Director | StaffRole::Executive | StaffRole::Admin => DeskScope::Everything,
                StaffRole::Agent | StaffRole::Specialist | StaffRole::TeamLead => DeskScope::Restricted,
            };
            DeskViewer { user_id: Some(*user_id), departments, scope }
        }
    }
}

/// `?, ?, ?` for `count` parameters.
fn desk_marks(count: usize) -> String {
    vec!["?"; count].join(", ")
}

fn desk_texts(values: &[String]) -> Vec<Param> {
    values.iter().map(|value| Param::Text(value.clone())).collect()
}

/// The statuses a ticket is no longer open in.
const DESK_CLOSED_STATUSES: [TicketStatus; 4] = [TicketStatus::Resolved, TicketStatus::Closed, TicketStatus::Cancelled, TicketStatus::Merged];

/// `t.status IN (…)` over the open statuses, spelled as the lifecycle spells them (fixed strings,
/// never user input). Listing the open statuses rather than excluding the closed ones lets the
/// `(org_id, status, id)` index answer (a count over 5,000 open tickets on SQLite: 0.16 ms
/// against 0.55 ms).
fn desk_open_condition() -> String {
    let open: Vec<String> = TicketStatus::ALL
        .iter()
        .filter(|status| !DESK_CLOSED_STATUSES.contains(status))
        .map(|status| format!("'{}'", status.as_str()))
        .collect();
    format!("t.status IN ({})", open.join(", "))
}

/// The ticket is routed to one of these departments, probed on the ticket's own routes through
/// the `(ticket_id, department_id)` key. Measured on a million tickets: the set form
/// `t.id IN (SELECT … FROM ticket_departments …)` had SQLite 3.5x scan the whole routing table
/// into a Bloom filter on every statement, and PostgreSQL turned an `EXISTS` into a hashed
/// subplan of the department's 300,000 tickets (185 ms for one page); a scalar subquery with
/// `LIMIT 1` is probed per candidate on both (4 ms), so counting stops at its limit and a
/// newest-first page after fifty matches.
fn desk_routed_to(alias: &str, org_id: i64, codes: &[String]) -> (String, Vec<Param>) {
    let sql = format!(
        "(SELECT 1 FROM ticket_departments {alias}td JOIN departments {alias}d ON {alias}d.id = {alias}td.department_id \
         WHERE {alias}td.ticket_id = t.id AND {alias}d.org_id = ? AND {alias}d.code IN ({}) LIMIT 1) IS NOT NULL",
        desk_marks(codes.len())
    );
    let mut params = vec![Param::Int(org_id)];
    params.extend(desk_texts(codes));
    (sql, params)
}

/// The visibility rule as a condition to append (empty when the viewer sees everything). Callers
/// handle `DeskScope::Nothing` first.
///
/// The department test sits behind `t.kind <> 'complaint'` in the `OR`, so it is probed only for
/// complaints.
fn desk_visibility(org_id: i64, viewer: &DeskViewer) -> (String, Vec<Param>) {
    match (viewer.scope, viewer.user_id) {
        (DeskScope::Restricted, Some(user_id)) => {
            let mut sql = String::from(" AND (t.kind <> ? OR t.assignee_id = ?");
            let mut params = vec![Param::Text(TicketKind::Complaint.as_str().to_owned()), Param::Int(user_id)];
            if !viewer.departments.is_empty() {
                let (routed, routed_params) = desk_routed_to("v", org_id, viewer.departments);
                sql.push_str(" OR ");
                sql.push_str(&routed);
                params.extend(routed_params);
            }
            sql.push(')');
            (sql, params)
        }
        _ => (String::new(), Vec::new()),
    }
}

/// The condition (on `t`) that puts a ticket in a queue for this viewer.
fn desk_queue_condition(queue: Queue, org_id: i64, viewer: &DeskViewer, now: Timestamp, breaching_within: SignedDuration) -> (String, Vec<Param>) {
    let open = desk_open_condition();
    let nothing = || ("1 = 0".to_owned(), Vec::new());
    match queue {
        Queue::Mine => match viewer.user_id {
            Some(user_id) => (format!("{open} AND t.assignee_id = ?"), vec![Param::Int(user_id)]),
            None => nothing(),
        },
        Queue::MyDepartments if viewer.departments.is_empty() => nothing(),
        Queue::MyDepartments => {
            let (routed, params) = desk_routed_to("q", org_id, viewer.departments);
            (format!("{open} AND {routed}"), params)
        }
        Queue::Unassigned => (format!("{open} AND t.assignee_id IS NULL"), Vec::new()),
        Queue::BreachingSoon => {
            let horizon = now.checked_add(breaching_within).unwrap_or(if breaching_within.is_negative() { Timestamp::MIN } else { Timestamp::MAX });
            // A breached target's deadline is in the past, so "running and due by the horizon, or
            // breached" is exactly "attention needed by the horizon".
            (format!("{open} AND t.attention_at <= ?"), vec![Param::Int(to_micros(horizon))])
        }
        Queue::EscalatedToMe => match viewer.user_id {
            // The viewer owns the ticket's highest stage.
            Some(user_id) => (
                format!(
                    "{open} AND t.id IN (SELECT qe.ticket_id FROM escalations qe WHERE qe.org_id = ? AND qe.owner_user_id = ? \
                     AND qe.stage = (SELECT MAX(qs.stage) FROM escalations qs WHERE qs.ticket_id = qe.ticket_id))"
                ),
                vec![Param::Int(org_id), Param::Int(user_id)],
            ),
            None => nothing(),
        },
        Queue::WaitingOnRequester => (format!("t.status = '{}'", TicketStatus::WaitingOnRequester.as_str()), Vec::new()),
        Queue::AllOpen => (open, Vec::new()),
        Queue::All => ("1 = 1".to_owned(), Vec::new()),
    }
}

/// `text` as a LIKE pattern matching it anywhere, lower-cased, with `\` as the escape character.
fn desk_like_pattern(text: &str) -> String {
    let mut pattern = String::with_capacity(text.len() + 2);
    pattern.push('%');
    for character in text.to_lowercase().chars() {
        if matches!(character, '\\' | '%' | '_') {
            pattern.push('\\');
        }
        pattern.push(character);
    }
    pattern.push('%');
    pattern
}

/// Appends the organization, the visibility rule, the queue and the filters to a statement whose
/// FROM clause names the ticket `t` (and nothing else, so that counting and sorting read only
/// ticket rows).
fn desk_queue_where(builder: &mut SqlBuilder, org_id: i64, viewer: &DeskViewer, query: &QueueQuery) {
    builder.push(" WHERE t.org_id = ?", [Param::Int(org_id)]);
    let (visibility, params) = desk_visibility(org_id, viewer);
    builder.push(&visibility, params);
    let (condition, params) = desk_queue_condition(query.queue, org_id, viewer, query.now, query.breaching_within);
    builder.push(" AND ", []);
    builder.push(&condition, params);
    if let Some(kind) = query.kind {
        builder.push(" AND t.kind = ?", [Param::Text(kind.as_str().to_owned())]);
    }
    if let Some(status) = query.status {
        builder.push(" AND t.status = ?", [Param::Text(status.as_str().to_owned())]);
    }
    if let Some(category) = &query.category {
        builder.push(
            " AND t.category_id IN (SELECT fc.id FROM categories fc WHERE fc.org_id = ? AND fc.code = ?)",
            [Param::Int(org_id), Param::Text(category.as_str().to_owned())],
        );
    }
    if let Some(department) = &query.department {
        let (routed, params) = desk_routed_to("f", org_id, &[department.as_str().to_owned()]);
        builder.push(" AND ", []);
        builder.push(&routed, params);
    }
    if let Some(importance) = query.importance {
        builder.push(" AND t.importance = ?", [Param::Text(importance.as_str().to_owned())]);
    }
    if let Some(channel) = query.channel {
        builder.push(" AND t.channel = ?", [Param::Text(channel.as_str().to_owned())]);
    }
    if let Some(text) = query.text.as_deref().map(str::trim).filter(|text| !text.is_empty()) {
        let pattern = desk_like_pattern(text);
        builder.push(
            " AND (LOWER(t.subject) LIKE ? ESCAPE '\\' OR LOWER(t.number) LIKE ? ESCAPE '\\' OR t.requester_id IN \
              (SELECT fr.id FROM requesters fr WHERE fr.org_id = ? AND LOWER(fr.name) LIKE ? ESCAPE '\\'))",
            [Param::Text(pattern.clone()), Param::Text(pattern.clone()), Param::Int(org_id), Param::Text(pattern)],
        );
    }
}

/// The ORDER BY clause of a queue sort; ties always fall back to the newest id, so pages are
/// stable.
///
/// Newest and oldest follow the id: a ticket's row is inserted when it is created, with
/// `created_at` set to that `now`, so ids are creation order (across instances with skewed
/// clocks, more faithfully than the timestamps). The `(org_id, id)` index then serves the page
/// without sorting every visible ticket (0.03 ms against 1.9 ms on SQLite with 5,000 open tickets).
fn desk_queue_order(sort: QueueSort) -> String {
    match sort {
        QueueSort::NewestFirst => " ORDER BY t.id DESC".to_owned(),
        QueueSort::OldestFirst => " ORDER BY t.id ASC".to_owned(),
        QueueSort::RecentlyUpdated => " ORDER BY t.updated_at DESC, t.id DESC".to_owned(),
        // The same choice as `QueueRow::next_deadline`: the earliest running deadline, else the
        // earliest breached one; tickets with neither sort last.
        // `attention_at` is the earliest running or breached deadline (the largest integer when
        // there is none), kept by the store with the targets; its index serves the page.
        QueueSort::DeadlineFirst => " ORDER BY t.attention_at, t.id DESC".to_owned(),
        QueueSort::ImportanceFirst => format!(
            " ORDER BY CASE t.importance WHEN '{high}' THEN 0 WHEN '{medium}' THEN 1 WHEN '{low}' THEN 2 ELSE 3 END, t.id DESC",
            high = Importance::High.as_str(),
            medium = Importance::Medium.as_str(),
            low = Importance::Low.as_str(),
        ),
    }
}

/// `IN (?, ?, …)` over ticket ids.
fn desk_push_ids(builder: &mut SqlBuilder, ids: &[i64]) {
    builder.push(&format!("({})", desk_marks(ids.len())), ids.iter().map(|id| Param::Int(*id)));
}

/// One page of a queue in three statements: the total; the page's ids, sorting only ticket rows;
/// then the page's columns, where the per-ticket subqueries (departments, next deadline, highest
/// stage) run for the page's rows only.
pub(crate) async fn desk_queue(pools: &Pool, org_id: i64, viewer: &Principal, query: &QueueQuery) -> Result<QueuePage, StoreError> {
    let viewer = desk_viewer(viewer);
    if viewer.scope == DeskScope::Nothing {
        return Ok(QueuePage { rows: Vec::new(), total: 0 });
    }
    let page_size = i64::from(query.page_size.clamp(1, 200));
    let offset = i64::from(query.page.max(1) - 1) * page_size;
    let mut conn = pools.reader.acquire().await?;

    // Counted up to one past the limit: beyond it, a page says "more than 1,000" instead of
    // reading every index entry of a million-ticket history on each render.
    let mut count = SqlBuilder::new("SELECT COUNT(*) AS total FROM (SELECT 1 FROM tickets t");
    desk_queue_where(&mut count, org_id, &viewer, query);
    count.push(&format!("{} LIMIT {}) counted", desk_count_order(query.queue), QUEUE_COUNT_LIMIT + 1), []);
    let total: i64 = match count.fetch_all(&mut conn).await?.first() {
        Some(row) => row.try_get("total")?,
        None => 0,
    };
    if total <= offset {
        return Ok(QueuePage { rows: Vec::new(), total });
    }

    let mut page = SqlBuilder::new("SELECT t.id FROM tickets t");
    desk_queue_where(&mut page, org_id, &viewer, query);
    page.push(&desk_queue_order(query.sort), []);
    page.push(" LIMIT ? OFFSET ?", [Param::Int(page_size), Param::Int(offset)]);
    let ids = page.fetch_all(&mut conn).await?.iter().map(|row| row.try_get::<i64, _>("id")).collect::<Result<Vec<_>, _>>()?;
    if ids.is_empty() {
        return Ok(QueuePage { rows: Vec::new(), total });
    }

    let concatenate = match DIALECT {
        crate::BackendKind::Sqlite => "group_concat(d.code, ',')",
        crate::BackendKind::Postgres => "string_agg(d.code, ',')",
    };
    // The next deadline: the earliest running target, or else the earliest breached one. The
    // three subqueries share one ordering (ending with the unique id), so they pick one row.
    let next = |column: &str| {
        format!(
            "(SELECT st.{column} FROM ticket_targets st WHERE st.ticket_id = t.id AND st.state IN ('{running}', '{breached}') \
             ORDER BY CASE WHEN st.state = '{running}' THEN 0 ELSE 1 END, st.deadline_at, st.id LIMIT 1) AS next_{column}",
            running = TargetState::Running.as_str(),
            breached = TargetState::Breached.as_str(),
        )
    };
    // Names come from scalar subqueries by primary key rather than joins, so that the statement is
    // always driven by the page's ids whatever the planner's statistics say.
    let mut details = SqlBuilder::new(&format!(
        "SELECT t.id, t.number, t.kind, t.channel, t.status, t.subject, t.complexity, t.importance, t.assignee_id, \
         t.created_at, t.updated_at, \
         (SELECT c.code FROM categories c WHERE c.id = t.category_id) AS category_code, \
         (SELECT u.name FROM users u WHERE u.id = t.assignee_id) AS assignee_name, \
         (SELECT r.name FROM requesters r WHERE r.id = t.requester_id) AS requester_name, \
         (SELECT MAX(e.stage) FROM escalations e WHERE e.ticket_id = t.id) AS escalation_stage, \
         (SELECT {concatenate} FROM ticket_departments td JOIN departments d ON d.id = td.department_id WHERE td.ticket_id = t.id) AS department_codes, \
         {}, {}, {} \
         FROM tickets t WHERE t.id IN ",
        next("target"),
        next("deadline_at"),
        next("state"),
    ));
    desk_push_ids(&mut details, &ids);
    let mut rows = Vec::with_capacity(ids.len());
    for row in details.fetch_all(&mut conn).await? {
        let mut departments: Vec<String> = row
            .try_get::<Option<String>, _>("department_codes")?
            .map(|codes| codes.split(',').map(str::to_owned).collect())
            .unwrap_or_default();
        departments.sort_unstable();
        let next_deadline = match (
            row.try_get::<Option<String>, _>("next_target")?,
            row.try_get::<Option<i64>, _>("next_deadline_at")?,
            row.try_get::<Option<String>, _>("next_state")?,
        ) {
            (Some(target), Some(deadline), Some(state)) => Some(NextDeadline {
                target: parse_stored::<TargetKind>(&target)?,
                deadline: from_micros(deadline)?,
                state: parse_stored::<TargetState>(&state)?,
            }),
            _ => None,
        };
        rows.push(QueueRow {
            id: row.try_get("id")?,
            number: row.try_get("number")?,
            kind: parse_stored::<TicketKind>(&row.try_get::<String, _>("kind")?)?,
            channel: parse_stored::<Channel>(&row.try_get::<String, _>("channel")?)?,
            status: parse_stored::<TicketStatus>(&row.try_get::<String, _>("status")?)?,
            subject: row.try_get("subject")?,
            category: row.try_get("category_code")?,
            complexity: parse_optional::<Complexity>(row.try_get("complexity")?)?,
            importance: parse_optional::<Importance>(row.try_get("importance")?)?,
            departments,
            assignee_id: row.try_get("assignee_id")?,
            assignee_name: row.try_get("assignee_name")?,
            requester_name: row
                .try_get::<Option<String>, _>("requester_name")?
                .ok_or_else(|| StoreError::Corrupt(format!("ticket {} has no requester", row.try_get::<i64, _>("id").unwrap_or_default())))?,
            created_at: from_micros(row.try_get("created_at")?)?,
            updated_at: from_micros(row.try_get("updated_at")?)?,
            next_deadline,
            escalation_stage: row.try_get("escalation_stage")?,
        });
    }
    // Back into the order of the page.
    rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
    Ok(QueuePage { rows, total })
}

/// The order in which a queue's count walks its tickets before stopping at the limit. Newest
/// first, so that the count walks the index the page itself walks and meets visible tickets at
/// their natural density (an unordered walk met a long run of other departments' confidential
/// complaints first and took 14 ms to find 1,001 visible tickets out of 100,000). "Breaching
/// soon" walks by deadline instead: its tickets are found by a range of the attention index,
/// and walking every open ticket newest first to test its deadline took 0.1–0.9 s at a million
/// tickets when few were due.
fn desk_count_order(queue: Queue) -> &'static str {
    match queue {
        Queue::BreachingSoon => " ORDER BY t.attention_at, t.id DESC",
        _ => " ORDER BY t.id DESC",
    }
}

/// Every queue's count in one pass over the viewer's tickets.
pub(crate) async fn desk_queue_counts(pools: &Pool, org_id: i64, viewer: &Principal, now: Timestamp, breaching_within: SignedDuration) -> Result<Vec<(Queue, i64)>, StoreError> {
    let viewer = desk_viewer(viewer);
    if viewer.scope == DeskScope::Nothing {
        return Ok(Queue::ALL.iter().map(|queue| (*queue, 0)).collect());
    }
    // One count per queue, each a subquery of one statement: every count then reads only its
    // own tickets through its own index (assignee, status, attention, escalations), instead of
    // one pass testing every condition on every ticket of the organization.
    let mut builder = SqlBuilder::new("SELECT ");
    for (index, queue) in Queue::ALL.iter().enumerate() {
        let (condition, params) = desk_queue_condition(*queue, org_id, &viewer, now, breaching_within);
        builder.push(if index == 0 { "" } else { ", " }, []);
        builder.push("(SELECT COUNT(*) FROM (SELECT 1 FROM tickets t WHERE t.org_id = ?", [Param::Int(org_id)]);
        let (visibility, visibility_params) = desk_visibility(org_id, &viewer);
        builder.push(&visibility, visibility_params);
        builder.push(&format!(" AND {condition}{} LIMIT {}) c{index}) AS q{index}", desk_count_order(*queue), QUEUE_COUNT_LIMIT + 1), params);
    }
    let mut conn = pools.reader.acquire().await?;
    let rows = builder.fetch_all(&mut conn).await?;
    let row = rows.first().ok_or_else(|| StoreError::Corrupt("an aggregate returned no row".into()))?;
    Queue::ALL
        .iter()
        .enumerate()
        .map(|(index, queue)| Ok((*queue, row.try_get::<i64, _>(format!("q{index}").as_str())?)))
        .collect()
}

// ---- dashboard -------------------------------------------------------------------------------

pub(crate) async fn desk_dashboard(pools: &Pool, org_id: i64, since: Timestamp, now: Timestamp) -> Result<Dashboard, StoreError> {
    let open = desk_open_condition();
    let since = to_micros(since);
    let mut conn = pools.reader.acquire().await?;

    // Every open status in lifecycle order, zeros included, so the figure keeps its shape.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT t.status, COUNT(*) AS tickets FROM tickets t WHERE t.org_id = $1 AND {open} GROUP BY t.status"
    )))
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut counted = Vec::with_capacity(rows.len());
    for row in &rows {
        counted.push((parse_stored::<TicketStatus>(&row.try_get::<String, _>("status")?)?, row.try_get::<i64, _>("tickets")?));
    }
    let open_by_status = TicketStatus::ALL
        .iter()
        .filter(|status| !DESK_CLOSED_STATUSES.contains(status))
        .map(|status| (*status, counted.iter().find(|(counted, _)| counted == status).map_or(0, |(_, count)| *count)))
        .collect();

    // Departments in use, zeros included; an archived one only while it still has open tickets.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT d.code, d.name_ar, d.name_en, COUNT(t.id) AS tickets FROM departments d \
         LEFT JOIN ticket_departments td ON td.department_id = d.id \
         LEFT JOIN tickets t ON t.id = td.ticket_id AND {open} \
         WHERE d.org_id = $1 GROUP BY d.id, d.code, d.name_ar, d.name_en, d.archived_at \
         HAVING d.archived_at IS NULL OR COUNT(t.id) > 0 ORDER BY tickets DESC, d.code"
    )))
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let open_by_department = rows
        .iter()
        .map(|row| {
            Ok(DepartmentCount {
                code: row.try_get("code")?,
                name_ar: row.try_get("name_ar")?,
                name_en: row.try_get("name_en")?,
                count: row.try_get("tickets")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;

    // A target breached and answered late keeps the state `breached` (its `met_at` notes the
    // answer), so it counts as breached here.
    let rows = sqlx::query(
        "SELECT tt.target, \
         COALESCE(SUM(CASE WHEN tt.state = $3 THEN 1 ELSE 0 END), 0) AS met, \
         COALESCE(SUM(CASE WHEN tt.state = $4 THEN 1 ELSE 0 END), 0) AS breached \
         FROM ticket_targets tt JOIN tickets t ON t.id = tt.ticket_id \
         WHERE tt.org_id = $1 AND t.created_at >= $2 AND tt.state IN ($3, $4) GROUP BY tt.target",
    )
    .bind(org_id)
    .bind(since)
    .bind(TargetState::Met.as_str())
    .bind(TargetState::Breached.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let mut compliance = Vec::with_capacity(rows.len());
    for row in &rows {
        compliance.push(TargetCompliance {
            target: parse_stored::<TargetKind>(&row.try_get::<String, _>("target")?)?,
            met: row.try_get("met")?,
            breached: row.try_get("breached")?,
        });
    }
    compliance.sort_by_key(|entry| TargetKind::ALL.iter().position(|kind| *kind == entry.target));

    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS breaches FROM ticket_targets tt JOIN tickets t ON t.id = tt.ticket_id \
         WHERE tt.org_id = $1 AND tt.state = $2 AND {open}"
    )))
    .bind(org_id)
    .bind(TargetState::Breached.as_str())
    .fetch_one(&mut *conn)
    .await?;
    let open_breaches: i64 = row.try_get("breaches")?;

    let rows = sqlx::query(
        "SELECT stage, stage_name, COUNT(*) AS escalations FROM escalations WHERE org_id = $1 AND started_at >= $2 \
         GROUP BY stage, stage_name ORDER BY stage, stage_name",
    )
    .bind(org_id)
    .bind(since)
    .fetch_all(&mut *conn)
    .await?;
    let escalations_by_stage = rows
        .iter()
        .map(|row| Ok(StageCount { stage: row.try_get("stage")?, stage_name: row.try_get("stage_name")?, count: row.try_get("escalations")? }))
        .collect::<Result<Vec<_>, StoreError>>()?;

    // Ages are measured from `now`: a ticket exactly one day old is in the second bucket.
    let day_ago = |days: i64| to_micros(now) - days * 86_400_000_000;
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(SUM(CASE WHEN t.created_at > $2 THEN 1 ELSE 0 END), 0) AS under_1, \
         COALESCE(SUM(CASE WHEN t.created_at <= $2 AND t.created_at > $3 THEN 1 ELSE 0 END), 0) AS under_3, \
         COALESCE(SUM(CASE WHEN t.created_at <= $3 AND t.created_at > $4 THEN 1 ELSE 0 END), 0) AS under_7, \
         COALESCE(SUM(CASE WHEN t.created_at <= $4 THEN 1 ELSE 0 END), 0) AS over_7 \
         FROM tickets t WHERE t.org_id = $1 AND {open}"
    )))
    .bind(org_id)
    .bind(day_ago(1))
    .bind(day_ago(3))
    .bind(day_ago(7))
    .fetch_one(&mut *conn)
    .await?;
    let aging = [row.try_get("under_1")?, row.try_get("under_3")?, row.try_get("under_7")?, row.try_get("over_7")?];

    // Active staff with open work, and the roles that take tickets even when they have none.
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT u.id, u.name, COUNT(t.id) AS open_assigned FROM users u \
         LEFT JOIN tickets t ON t.org_id = u.org_id AND t.assignee_id = u.id AND {open} \
         WHERE u.org_id = $1 AND u.disabled_at IS NULL GROUP BY u.id, u.name, u.role \
         HAVING COUNT(t.id) > 0 OR u.role IN ($2, $3, $4) ORDER BY open_assigned DESC, u.name, u.id"
    )))
    .bind(org_id)
    .bind(StaffRole::Agent.as_str())
    .bind(StaffRole::Specialist.as_str())
    .bind(StaffRole::TeamLead.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let workload = rows
        .iter()
        .map(|row| Ok(AgentLoad { user_id: row.try_get("id")?, name: row.try_get("name")?, open_assigned: row.try_get("open_assigned")? }))
        .collect::<Result<Vec<_>, StoreError>>()?;

    let rows = sqlx::query("SELECT score, COUNT(*) AS ratings FROM satisfaction_ratings WHERE org_id = $1 AND created_at >= $2 GROUP BY score")
        .bind(org_id)
        .bind(since)
        .fetch_all(&mut *conn)
        .await?;
    let mut satisfaction = SatisfactionSummary::default();
    for row in &rows {
        let score: i64 = row.try_get("score")?;
        let count: i64 = row.try_get("ratings")?;
        let slot = usize::try_from(score - 1)
            .ok()
            .and_then(|index| satisfaction.by_score.get_mut(index))
            .ok_or_else(|| StoreError::Corrupt(format!("rating score {score} out of range")))?;
        *slot = count;
        satisfaction.ratings += count;
    }

    Ok(Dashboard {
        open_by_status,
        open_by_department,
        compliance,
        open_breaches,
        escalations_by_stage,
        aging,
        workload,
        satisfaction,
    })
}
