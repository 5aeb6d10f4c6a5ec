// Every query of the store, written once. `backend.rs` includes this file twice, first with
// `Db = sqlx::Sqlite` and then with `Db = sqlx::Postgres`, so the same SQL text and logic run on
// both backends and each copy is type-checked against its own driver. Where the dialects truly
// differ, the code branches on `DIALECT` right at the statement, and nowhere else.

use crate::backend::Pools;
use crate::{AttachmentBlob, StoreError, StoredObject, from_micros, model::*, to_micros};
use jiff::Timestamp;
use sanad_domain::events::{EventKind, TicketFacts, TicketField};
use sanad_domain::lifecycle::{TransitionCheck, automatic_next, check_transition};
use sanad_domain::{Channel, Complexity, Importance, MessageKind, RequesterType, StaffRole, TicketKind, TicketStatus};
use sqlx::Row;

type Pool = Pools<Db>;
type DbRow = <Db as sqlx::Database>::Row;
type DbConn = <Db as sqlx::Database>::Connection;

fn parse_stored<T: std::str::FromStr>(value: &str) -> Result<T, StoreError>
where
    T::Err: std::fmt::Display,
{
    value.parse().map_err(|error: T::Err| StoreError::Corrupt(error.to_string()))
}

fn parse_optional<T: std::str::FromStr>(value: Option<String>) -> Result<Option<T>, StoreError>
where
    T::Err: std::fmt::Display,
{
    value.as_deref().map(parse_stored).transpose()
}

/// A value to bind to a dynamically built statement.
#[derive(Clone)]
enum Param {
    Int(i64),
    Text(String),
    OptionalInt(Option<i64>),
    OptionalText(Option<String>),
}

/// Builds a statement with numbered parameters (`$1`, `$2`, …), which both SQLite and
/// PostgreSQL accept.
struct SqlBuilder {
    sql: String,
    params: Vec<Param>,
}

impl SqlBuilder {
    fn new(sql: &str) -> Self {
        Self { sql: sql.to_owned(), params: Vec::new() }
    }

    /// Appends `fragment`, replacing each `?` in it with the next numbered parameter.
    fn push(&mut self, fragment: &str, params: impl IntoIterator<Item = Param>) -> &mut Self {
        let mut params = params.into_iter();
        for piece in fragment.split_inclusive('?') {
            if let Some(text) = piece.strip_suffix('?') {
                self.sql.push_str(text);
                let Some(param) = params.next() else { break };
                self.params.push(param);
                self.sql.push_str(&format!("${}", self.params.len()));
            } else {
                self.sql.push_str(piece);
            }
        }
        self
    }

    async fn fetch_all(self, conn: &mut DbConn) -> Result<Vec<DbRow>, StoreError> {
        Ok(self.into_query().fetch_all(&mut *conn).await?)
    }

    /// Like `fetch_all`, but planned for these very values every time (an unnamed statement,
    /// not cached). For statements whose best plan depends on the values: after five runs of a
    /// cached statement PostgreSQL may switch to a generic plan, which cannot tell a rare word
    /// from a common one (a full-text search then read a whole id range row by row: 0.2 s).
    async fn fetch_all_planned_for_values(self, conn: &mut DbConn) -> Result<Vec<DbRow>, StoreError> {
        Ok(self.into_query().persistent(false).fetch_all(&mut *conn).await?)
    }

    fn into_query(self) -> sqlx::query::Query<'static, Db, <Db as sqlx::Database>::Arguments> {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(self.sql));
        for param in self.params {
            query = match param {
                Param::Int(value) => query.bind(value),
                Param::Text(value) => query.bind(value),
                Param::OptionalInt(value) => query.bind(value),
                Param::OptionalText(value) => query.bind(value),
            };
        }
        query
    }
}

pub(crate) async fn ping(pools: &Pool) -> Result<(), StoreError> {
    sqlx::query("SELECT 1").execute(&pools.writer).await?;
    Ok(())
}

// ---- organizations -------------------------------------------------------------------------

const ORGANIZATION_COLUMNS: &str = "SELECT id, slug, name, ticket_prefix, time_zone, reopen_window_hours, created_at, policy_version FROM organizations";

fn organization_from_row(row: &DbRow) -> Result<Organization, StoreError> {
    Ok(Organization {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        name: row.try_get("name")?,
        ticket_prefix: row.try_get("ticket_prefix")?,
        time_zone: row.try_get("time_zone")?,
        reopen_window_hours: row.try_get("reopen_window_hours")?,
        created_at: from_micros(row.try_get("created_at")?)?,
        policy_version: row.try_get("policy_version")?,
    })
}

pub(crate) async fn create_organization(pools: &Pool, new: &NewOrganization, now: Timestamp) -> Result<Organization, StoreError> {
    let mut tx = pools.writer.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO organizations (slug, name, ticket_prefix, time_zone, reopen_window_hours, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (slug) DO NOTHING RETURNING id",
    )
    .bind(new.slug.as_str())
    .bind(&new.name)
    .bind(new.ticket_prefix.as_str())
    .bind(&new.time_zone_name)
    .bind(new.reopen_window_hours)
    .bind(to_micros(now))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(inserted) = inserted else {
        return Err(StoreError::Conflict(format!("an organization with the slug '{}' already exists", new.slug)));
    };
    let org_id: i64 = inserted.try_get("id")?;
    for (code, name_ar, name_en) in sanad_domain::defaults::DEFAULT_DEPARTMENTS {
        sqlx::query("INSERT INTO departments (org_id, code, name_ar, name_en, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(org_id)
            .bind(*code)
            .bind(*name_ar)
            .bind(*name_en)
            .bind(to_micros(now))
            .execute(&mut *tx)
            .await?;
    }
    for (code, name_ar, name_en, department) in sanad_domain::defaults::DEFAULT_CATEGORIES {
        sqlx::query(
            "INSERT INTO categories (org_id, code, name_ar, name_en, default_department_id, created_at) \
             VALUES ($1, $2, $3, $4, (SELECT id FROM departments WHERE org_id = $1 AND code = $5), $6)",
        )
        .bind(org_id)
        .bind(*code)
        .bind(*name_ar)
        .bind(*name_en)
        .bind(*department)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
    }
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{ORGANIZATION_COLUMNS} WHERE id = $1")))
        .bind(org_id)
        .fetch_one(&mut *tx)
        .await?;
    let organization = organization_from_row(&row)?;
    tx.commit().await?;
    Ok(organization)
}

pub(crate) async fn organization_by_slug(pools: &Pool, slug: &str) -> Result<Option<Organization>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{ORGANIZATION_COLUMNS} WHERE slug = $1")))
        .bind(slug)
        .fetch_optional(&pools.reader)
        .await?;
    row.as_ref().map(organization_from_row).transpose()
}

pub(crate) async fn organization_by_id(pools: &Pool, id: i64) -> Result<Option<Organization>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{ORGANIZATION_COLUMNS} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&pools.reader)
        .await?;
    row.as_ref().map(organization_from_row).transpose()
}

// ---- departments and categories ------------------------------------------------------------

fn department_from_row(row: &DbRow) -> Result<Department, StoreError> {
    Ok(Department {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name_ar: row.try_get("name_ar")?,
        name_en: row.try_get("name_en")?,
        archived: row.try_get::<Option<i64>, _>("archived_at")?.is_some(),
    })
}

pub(crate) async fn departments(pools: &Pool, org_id: i64) -> Result<Vec<Department>, StoreError> {
    let rows = sqlx::query("SELECT id, code, name_ar, name_en, archived_at FROM departments WHERE org_id = $1 ORDER BY code")
        .bind(org_id)
        .fetch_all(&pools.reader)
        .await?;
    rows.iter().map(department_from_row).collect()
}

pub(crate) async fn create_department(pools: &Pool, org_id: i64, input: &DepartmentInput, now: Timestamp) -> Result<Department, StoreError> {
    let row = sqlx::query(
        "INSERT INTO departments (org_id, code, name_ar, name_en, created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (org_id, code) DO NOTHING RETURNING id, code, name_ar, name_en, archived_at",
    )
    .bind(org_id)
    .bind(input.code.as_str())
    .bind(&input.name_ar)
    .bind(&input.name_en)
    .bind(to_micros(now))
    .fetch_optional(&pools.writer)
    .await?;
    match row {
        Some(row) => department_from_row(&row),
        None => Err(StoreError::Conflict(format!("a department with the code '{}' already exists", input.code))),
    }
}

pub(crate) async fn update_department(pools: &Pool, org_id: i64, code: &str, input: &DepartmentInput) -> Result<Department, StoreError> {
    if input.code.as_str() != code {
        return Err(StoreError::Invalid(format!(
            "a department's code cannot change ('{code}' → '{}'); tickets and policies refer to it",
            input.code
        )));
    }
    let row = sqlx::query(
        "UPDATE departments SET name_ar = $3, name_en = $4 WHERE org_id = $1 AND code = $2 \
         RETURNING id, code, name_ar, name_en, archived_at",
    )
    .bind(org_id)
    .bind(code)
    .bind(&input.name_ar)
    .bind(&input.name_en)
    .fetch_optional(&pools.writer)
    .await?;
    match row {
        Some(row) => department_from_row(&row),
        None => Err(StoreError::NotFound { what: "department", key: code.to_owned() }),
    }
}

/// Archives the `what` of `org_id` with the code `code` by `sql`, whose parameters are the
/// organization, the code and the time; not found when the statement changed no row.
async fn archive_by_code(pools: &Pool, sql: &'static str, what: &'static str, org_id: i64, code: &str, now: Timestamp) -> Result<(), StoreError> {
    let done = sqlx::query(sql)
        .bind(org_id)
        .bind(code)
        .bind(to_micros(now))
        .execute(&pools.writer)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound { what, key: code.to_owned() });
    }
    Ok(())
}

pub(crate) async fn archive_department(pools: &Pool, org_id: i64, code: &str, now: Timestamp) -> Result<(), StoreError> {
    archive_by_code(pools, "UPDATE departments SET archived_at = $3 WHERE org_id = $1 AND code = $2", "department", org_id, code, now).await
}

const CATEGORY_COLUMNS: &str = "SELECT c.id, c.code, c.name_ar, c.name_en, c.archived_at, d.code AS department_code \
     FROM categories c LEFT JOIN departments d ON d.id = c.default_department_id";

fn category_from_row(row: &DbRow) -> Result<Category, StoreError> {
    Ok(Category {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name_ar: row.try_get("name_ar")?,
        name_en: row.try_get("name_en")?,
        default_department: row.try_get("department_code")?,
        archived: row.try_get::<Option<i64>, _>("archived_at")?.is_some(),
    })
}

async fn department_id(conn: &mut DbConn, org_id: i64, code: &str) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT id FROM departments WHERE org_id = $1 AND code = $2 AND archived_at IS NULL")
        .bind(org_id)
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(row.try_get("id")?),
        None => Err(StoreError::UnknownReference { what: "department", code: code.to_owned() }),
    }
}

async fn category_by_code(conn: &mut DbConn, org_id: i64, code: &str) -> Result<Category, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{CATEGORY_COLUMNS} WHERE c.org_id = $1 AND c.code = $2 AND c.archived_at IS NULL"
    )))
    .bind(org_id)
    .bind(code)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some(row) => category_from_row(&row),
        None => Err(StoreError::UnknownReference { what: "category", code: code.to_owned() }),
    }
}

pub(crate) async fn categories(pools: &Pool, org_id: i64) -> Result<Vec<Category>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{CATEGORY_COLUMNS} WHERE c.org_id = $1 ORDER BY c.code")))
        .bind(org_id)
        .fetch_all(&pools.reader)
        .await?;
    rows.iter().map(category_from_row).collect()
}

pub(crate) async fn create_category(pools: &Pool, org_id: i64, input: &CategoryInput, now: Timestamp) -> Result<Category, StoreError> {
    let mut tx = pools.writer.begin().await?;
    let department = match &input.default_department {
        Some(code) => Some(department_id(&mut tx, org_id, code.as_str()).await?),
        None => None,
    };
    let inserted = sqlx::query(
        "INSERT INTO categories (org_id, code, name_ar, name_en, default_department_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id, code) DO NOTHING RETURNING id",
    )
    .bind(org_id)
    .bind(input.code.as_str())
    .bind(&input.name_ar)
    .bind(&input.name_en)
    .bind(department)
    .bind(to_micros(now))
    .fetch_optional(&mut *tx)
    .await?;
    if inserted.is_none() {
        return Err(StoreError::Conflict(format!("a category with the code '{}' already exists", input.code)));
    }
    let category = category_by_code(&mut tx, org_id, input.code.as_str()).await?;
    tx.commit().await?;
    Ok(category)
}

pub(crate) async fn update_category(pools: &Pool, org_id: i64, code: &str, input: &CategoryInput) -> Result<Category, StoreError> {
    if input.code.as_str() != code {
        return Err(StoreError::Invalid(format!(
            "a category's code cannot change ('{code}' → '{}'); tickets and policies refer to it",
            input.code
        )));
    }
    let mut tx = pools.writer.begin().await?;
    let department = match &input.default_department {
        Some(code) => Some(department_id(&mut tx, org_id, code.as_str()).await?),
        None => None,
    };
    let done = sqlx::query(
        "UPDATE categories SET name_ar = $3, name_en = $4, default_department_id = $5 WHERE org_id = $1 AND code = $2",
    )
    .bind(org_id)
    .bind(code)
    .bind(&input.name_ar)
    .bind(&input.name_en)
    .bind(department)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "category", key: code.to_owned() });
    }
    let category = category_by_code(&mut tx, org_id, code).await?;
    tx.commit().await?;
    Ok(category)
}

pub(crate) async fn archive_category(pools: &Pool, org_id: i64, code: &str, now: Timestamp) -> Result<(), StoreError> {
    archive_by_code(pools, "UPDATE categories SET archived_at = $3 WHERE org_id = $1 AND code = $2", "category", org_id, code, now).await
}

// ---- users and tokens ------------------------------------------------------------------------

pub(crate) async fn create_user(pools: &Pool, org_id: i64, new: &NewUser, now: Timestamp) -> Result<User, StoreError> {
    let mut tx = pools.writer.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO users (org_id, email, name, role, password_hash, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (org_id, email) DO NOTHING RETURNING id",
    )
    .bind(org_id)
    .bind(new.email.as_str())
    .bind(new.name.as_str())
    .bind(new.role.as_str())
    .bind(new.password_hash.as_deref())
    .bind(to_micros(now))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(inserted) = inserted else {
        return Err(StoreError::Conflict(format!("a staff member with the e-mail '{}' already exists", new.email)));
    };
    let user_id: i64 = inserted.try_get("id")?;
    for code in &new.departments {
        let department = department_id(&mut tx, org_id, code.as_str()).await?;
        sqlx::query("INSERT INTO user_departments (org_id, user_id, department_id) VALUES ($1, $2, $3)")
            .bind(org_id)
            .bind(user_id)
            .bind(department)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(User {
        id: user_id,
        email: new.email.as_str().to_owned(),
        name: new.name.as_str().to_owned(),
        role: new.role,
        departments: new.departments.iter().map(|code| code.as_str().to_owned()).collect(),
    })
}

pub(crate) async fn users(pools: &Pool, org_id: i64) -> Result<Vec<User>, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let rows = sqlx::query("SELECT id, email, name, role FROM users WHERE org_id = $1 AND disabled_at IS NULL ORDER BY id")
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
    let mut users = Vec::with_capacity(rows.len());
    for row in rows {
        let id: i64 = row.try_get("id")?;
        let mut departments = Vec::new();
        for membership in &memberships {
            if membership.try_get::<i64, _>("user_id")? == id {
                departments.push(membership.try_get("code")?);
            }
        }
        users.push(User {
            id,
            email: row.try_get("email")?,
            name: row.try_get("name")?,
            role: parse_stored::<StaffRole>(&row.try_get::<String, _>("role")?)?,
            departments,
        });
    }
    Ok(users)
}

async fn staff_member(conn: &mut DbConn, org_id: i64, user_id: i64) -> Result<(String, StaffRole), StoreError> {
    let row = sqlx::query("SELECT name, role FROM users WHERE org_id = $1 AND id = $2 AND disabled_at IS NULL")
        .bind(org_id)
        .bind(user_id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Err(StoreError::UnknownReference { what: "staff member", code: user_id.to_string() });
    };
    Ok((row.try_get("name")?, parse_stored(&row.try_get::<String, _>("role")?)?))
}

pub(crate) async fn create_api_token(pools: &Pool, org_id: i64, holder: TokenHolder, name: &str, token_hash: &str, now: Timestamp) -> Result<ApiToken, StoreError> {
    let user_id = match holder {
        TokenHolder::Organization => None,
        TokenHolder::Staff { user_id } => Some(user_id),
    };
    // A personal token is only ever made for a member of the same organization.
    let row = sqlx::query(
        "INSERT INTO api_tokens (org_id, name, token_hash, created_at, user_id) \
         SELECT $1, $2, $3, $4, $5 WHERE $5 IS NULL OR EXISTS (SELECT 1 FROM users WHERE id = $5 AND org_id = $1) RETURNING id",
    )
    .bind(org_id)
    .bind(name)
    .bind(token_hash)
    .bind(to_micros(now))
    .bind(user_id)
    .fetch_optional(&pools.writer)
    .await?
    .ok_or_else(|| StoreError::NotFound { what: "user", key: user_id.unwrap_or_default().to_string() })?;
    Ok(ApiToken { id: row.try_get("id")?, org_id, name: name.to_owned(), created_at: now, holder })
}

/// Resolves a token digest to the token and its organization with one query, because every API
/// request does this first.
pub(crate) async fn authenticate_token(pools: &Pool, token_hash: &str) -> Result<Option<(ApiToken, Organization)>, StoreError> {
    let row = sqlx::query(
        "SELECT k.id AS token_id, k.name AS token_name, k.created_at AS token_created_at, k.user_id AS token_user_id, \
         o.id, o.slug, o.name, o.ticket_prefix, o.time_zone, o.reopen_window_hours, o.created_at, o.policy_version \
         FROM api_tokens k JOIN organizations o ON o.id = k.org_id WHERE k.token_hash = $1 AND k.revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(&pools.reader)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let organization = organization_from_row(&row)?;
    let token = ApiToken {
        id: row.try_get("token_id")?,
        org_id: organization.id,
        name: row.try_get("token_name")?,
        created_at: from_micros(row.try_get("token_created_at")?)?,
        holder: match row.try_get::<Option<i64>, _>("token_user_id")? {
            Some(user_id) => TokenHolder::Staff { user_id },
            None => TokenHolder::Organization,
        },
    };
    Ok(Some((token, organization)))
}

// ---- tickets ---------------------------------------------------------------------------------

const TICKET_COLUMNS: &str = "SELECT t.id, t.number, t.kind, t.channel, t.status, t.subject, c.code AS category_code, \
     t.complexity, t.importance, t.assignee_id, t.cancel_reason, t.created_at, t.updated_at, t.resolved_at, \
     m.number AS merged_into_number, r.id AS requester_id, r.name AS requester_name, r.email AS requester_email, \
     r.phone AS requester_phone, r.requester_type \
     FROM tickets t \
     JOIN requesters r ON r.id = t.requester_id \
     LEFT JOIN categories c ON c.id = t.category_id \
     LEFT JOIN tickets m ON m.id = t.merged_into_id";

fn ticket_from_row(row: &DbRow) -> Result<TicketSummary, StoreError> {
    Ok(TicketSummary {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        kind: parse_stored::<TicketKind>(&row.try_get::<String, _>("kind")?)?,
        channel: parse_stored::<Channel>(&row.try_get::<String, _>("channel")?)?,
        status: parse_stored::<TicketStatus>(&row.try_get::<String, _>("status")?)?,
        subject: row.try_get("subject")?,
        category: row.try_get("category_code")?,
        complexity: parse_optional::<Complexity>(row.try_get("complexity")?)?,
        importance: parse_optional::<Importance>(row.try_get("importance")?)?,
        departments: Vec::new(),
        assignee_id: row.try_get("assignee_id")?,
        requester: Requester {
            id: row.try_get("requester_id")?,
            name: row.try_get("requester_name")?,
            email: row.try_get("requester_email")?,
            phone: row.try_get("requester_phone")?,
            requester_type: parse_stored::<RequesterType>(&row.try_get::<String, _>("requester_type")?)?,
        },
        merged_into: row.try_get("merged_into_number")?,
        cancel_reason: row.try_get("cancel_reason")?,
        created_at: from_micros(row.try_get("created_at")?)?,
        updated_at: from_micros(row.try_get("updated_at")?)?,
        resolved_at: row.try_get::<Option<i64>, _>("resolved_at")?.map(from_micros).transpose()?,
    })
}

/// Fills in the departments of several tickets with one query.
async fn attach_departments(conn: &mut DbConn, tickets: &mut [TicketSummary]) -> Result<(), StoreError> {
    if tickets.is_empty() {
        return Ok(());
    }
    let mut builder = SqlBuilder::new(
        "SELECT td.ticket_id, d.code FROM ticket_departments td JOIN departments d ON d.id = td.department_id WHERE td.ticket_id IN (",
    );
    for (index, ticket) in tickets.iter().enumerate() {
        builder.push(if index == 0 { "?" } else { ", ?" }, [Param::Int(ticket.id)]);
    }
    builder.push(") ORDER BY d.code", []);
    for row in builder.fetch_all(conn).await? {
        let ticket_id: i64 = row.try_get("ticket_id")?;
        if let Some(ticket) = tickets.iter_mut().find(|ticket| ticket.id == ticket_id) {
            ticket.departments.push(row.try_get("code")?);
        }
    }
    Ok(())
}

/// Loads one ticket by number. With `lock`, PostgreSQL locks the ticket's row until the end of
/// the transaction, so concurrent changes to one ticket are applied one after the other (SQLite
/// has a single writer, which gives the same guarantee).
async fn load_ticket(conn: &mut DbConn, org_id: i64, number: &str, lock: bool) -> Result<Option<TicketSummary>, StoreError> {
    let lock_clause = if lock && DIALECT == crate::BackendKind::Postgres { " FOR UPDATE OF t" } else { "" };
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{TICKET_COLUMNS} WHERE t.org_id = $1 AND t.number = $2{lock_clause}")))
        .bind(org_id)
        .bind(number)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else { return Ok(None) };
    let mut tickets = [ticket_from_row(&row)?];
    attach_departments(conn, &mut tickets).await?;
    let [ticket] = tickets;
    Ok(Some(ticket))
}

async fn load_ticket_or_404(conn: &mut DbConn, org_id: i64, number: &str) -> Result<TicketSummary, StoreError> {
    load_ticket(conn, org_id, number, true)
        .await?
        .ok_or_else(|| StoreError::NotFound { what: "ticket", key: number.to_owned() })
}

fn facts_of(ticket: &TicketSummary) -> TicketFacts {
    TicketFacts {
        status: ticket.status,
        kind: ticket.kind,
        channel: ticket.channel,
        subject: ticket.subject.clone(),
        category: ticket.category.clone(),
        complexity: ticket.complexity,
        importance: ticket.importance,
        departments: ticket.departments.clone(),
        assignee: ticket.assignee_id,
        merged_into: ticket.merged_into.clone(),
        cancel_reason: ticket.cancel_reason.clone(),
        resolved_at: ticket.resolved_at.map(|at| at.to_string()),
    }
}

/// An event waiting to be written, collected while the facts change in memory.
struct PendingEvent {
    system: bool,
    kind: EventKind,
    field: Option<TicketField>,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

/// Facts being changed, with the events that explain each change. Changing a fact through
/// `TicketFacts::apply` — the very function replay uses — keeps the stored row and the fold of
/// the events identical by construction.
struct Changes {
    facts: TicketFacts,
    events: Vec<PendingEvent>,
    /// Every status move made, in order, for the service-level clocks.
    status_moves: Vec<(TicketStatus, TicketStatus)>,
}

impl Changes {
    fn new(facts: TicketFacts) -> Self {
        Self { facts, events: Vec::new(), status_moves: Vec::new() }
    }

    fn set(&mut self, field: TicketField, value: serde_json::Value, system: bool) -> Result<(), StoreError> {
        let before = self.facts.apply(field, &value).map_err(StoreError::Corrupt)?;
        if before != value {
            self.events.push(PendingEvent { system, kind: EventKind::Changed, field: Some(field), before: Some(before), after: Some(value) });
        }
        Ok(())
    }

    fn set_status(&mut self, status: TicketStatus, system: bool, now: Timestamp) -> Result<(), StoreError> {
        let from = self.facts.status;
        self.set(TicketField::Status, serde_json::json!(status), system)?;
        if from != status {
            self.status_moves.push((from, status));
        }
        if status == TicketStatus::Resolved {
            self.set(TicketField::ResolvedAt, serde_json::json!(now.to_string()), true)?;
        }
        Ok(())
    }

    /// Moves the ticket through the stages its facts now allow (classified, then routed).
    fn advance_automatically(&mut self, now: Timestamp) -> Result<(), StoreError> {
        loop {
            let complete = self.facts.category.is_some() && self.facts.complexity.is_some() && self.facts.importance.is_some();
            match automatic_next(self.facts.status, complete, self.facts.departments.len()) {
                Some(next) => self.set_status(next, true, now)?,
                None => return Ok(()),
            }
        }
    }
}

/// Writes a change's events with one multi-row statement: one round trip to the single SQLite
/// writer instead of one per event.
async fn insert_events(
    conn: &mut DbConn,
    org_id: i64,
    ticket_id: i64,
    events: &[PendingEvent],
    actor: &Actor,
    now: Timestamp,
) -> Result<(), StoreError> {
    if events.is_empty() {
        return Ok(());
    }
    // Each event is chained to the ticket's last one (see `audit.rs`); the head is read under
    // the ticket's lock and written back in this transaction.
    let mut head = audit_head(conn, ticket_id).await?;
    let mut builder = SqlBuilder::new(
        "INSERT INTO ticket_events (org_id, ticket_id, at, actor_kind, actor_id, actor_label, kind, field, before_value, after_value, \
         chain_seq, content_hash, chain_hash) VALUES ",
    );
    for (index, event) in events.iter().enumerate() {
        let (actor_kind, actor_id, actor_label) =
            if event.system { ("system", None, "system") } else { (actor.kind(), actor.id(), actor.label()) };
        let field = event.field.map(|field| field.as_str());
        let before = event.before.as_ref().map(|value| value.to_string());
        let after = event.after.as_ref().map(|value| value.to_string());
        let link = head.append(&crate::audit::EventContent {
            org_id,
            ticket_id,
            at: to_micros(now),
            actor_kind,
            actor_id,
            actor_label,
            kind: event.kind.as_str(),
            field,
            before: before.as_deref(),
            after: after.as_deref(),
        });
        builder.push(
            if index == 0 { "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" } else { ", (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" },
            [
                Param::Int(org_id),
                Param::Int(ticket_id),
                Param::Int(to_micros(now)),
                Param::Text(actor_kind.to_owned()),
                Param::OptionalInt(actor_id),
                Param::Text(actor_label.to_owned()),
                Param::Text(event.kind.as_str().to_owned()),
                Param::OptionalText(field.map(str::to_owned)),
                Param::OptionalText(before),
                Param::OptionalText(after),
                Param::Int(link.seq),
                Param::Text(link.content_hash),
                Param::Text(link.chain_hash),
            ],
        );
    }
    builder.fetch_all(&mut *conn).await?;
    audit_set_head(conn, &head).await?;
    let notifications = requester_notifications(events);
    if !notifications.is_empty() {
        enqueue_requester_notifications(conn, org_id, ticket_id, &notifications, now).await?;
        // The resolution notification invites the requester to rate, with a link of its own.
        if notifications.iter().any(|notification| notification.kind == sanad_domain::notifications::RequesterNotification::Resolved) {
            satisfaction_invite(conn, org_id, ticket_id, now).await?;
        }
    }
    Ok(())
}

/// Writes the changed facts to the ticket's row, after checking every reference they make.
async fn write_facts(
    conn: &mut DbConn,
    org_id: i64,
    ticket_id: i64,
    facts: &TicketFacts,
    departments_changed: bool,
    now: Timestamp,
) -> Result<(), StoreError> {
    let category_id = match &facts.category {
        Some(code) => Some(category_by_code(conn, org_id, code).await?.id),
        None => None,
    };
    let resolved_at = match &facts.resolved_at {
        Some(text) => Some(to_micros(text.parse::<Timestamp>().map_err(|error| StoreError::Corrupt(error.to_string()))?)),
        None => None,
    };
    sqlx::query(
        "UPDATE tickets SET status = $3, kind = $4, subject = $5, category_id = $6, complexity = $7, importance = $8, \
         assignee_id = $9, merged_into_id = (SELECT id FROM tickets WHERE org_id = $1 AND number = $10), \
         cancel_reason = $11, resolved_at = $12, updated_at = $13 WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(ticket_id)
    .bind(facts.status.as_str())
    .bind(facts.kind.as_str())
    .bind(&facts.subject)
    .bind(category_id)
    .bind(facts.complexity.map(Complexity::as_str))
    .bind(facts.importance.map(Importance::as_str))
    .bind(facts.assignee)
    .bind(facts.merged_into.as_deref())
    .bind(facts.cancel_reason.as_deref())
    .bind(resolved_at)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    if departments_changed {
        sqlx::query("DELETE FROM ticket_departments WHERE ticket_id = $1")
            .bind(ticket_id)
            .execute(&mut *conn)
            .await?;
        for code in &facts.departments {
            let department = department_id(conn, org_id, code).await?;
            sqlx::query("INSERT INTO ticket_departments (org_id, ticket_id, department_id) VALUES ($1, $2, $3)")
                .bind(org_id)
                .bind(ticket_id)
                .bind(department)
                .execute(&mut *conn)
                .await?;
        }
    }
    // After the departments, since the access terms name them.
    search_update_facts(&mut *conn, ticket_id, &facts.subject).await?;
    Ok(())
}

const REQUESTER_COLUMNS: &str = "id, name, email, phone, requester_type";

fn requester_from_row(row: &DbRow) -> Result<Requester, StoreError> {
    Ok(Requester {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        email: row.try_get("email")?,
        phone: row.try_get("phone")?,
        requester_type: parse_stored::<RequesterType>(&row.try_get::<String, _>("requester_type")?)?,
    })
}

/// Finds the requester by e-mail, then by phone, or registers a new one. `ON CONFLICT DO NOTHING`
/// followed by a second look-up makes two concurrent first contacts of one person end as one
/// requester instead of a unique-constraint error.
async fn find_or_create_requester(conn: &mut DbConn, org_id: i64, new: &NewRequester, now: Timestamp) -> Result<Requester, StoreError> {
    async fn find(conn: &mut DbConn, org_id: i64, new: &NewRequester) -> Result<Option<Requester>, StoreError> {
        let lookups = [("email", new.contact.email().map(|email| email.as_str())), ("phone", new.contact.phone().map(|phone| phone.as_str()))];
        for (column, value) in lookups {
            let Some(value) = value else { continue };
            let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT {REQUESTER_COLUMNS} FROM requesters WHERE org_id = $1 AND {column} = $2"
            )))
            .bind(org_id)
            .bind(value)
            .fetch_optional(&mut *conn)
            .await?;
            if let Some(row) = row {
                return Ok(Some(requester_from_row(&row)?));
            }
        }
        Ok(None)
    }
    if let Some(requester) = find(conn, org_id, new).await? {
        return Ok(requester);
    }
    let inserted = sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO requesters (org_id, name, email, phone, requester_type, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT DO NOTHING RETURNING {REQUESTER_COLUMNS}"
    )))
    .bind(org_id)
    .bind(new.name.as_str())
    .bind(new.contact.email().map(|email| email.as_str()))
    .bind(new.contact.phone().map(|phone| phone.as_str()))
    .bind(new.requester_type.as_str())
    .bind(to_micros(now))
    .fetch_optional(&mut *conn)
    .await?;
    match inserted {
        Some(row) => requester_from_row(&row),
        None => find(conn, org_id, new)
            .await?
            .ok_or_else(|| StoreError::Corrupt("a requester conflicted on insert but cannot be found".into())),
    }
}

/// The file of an attachment row (of a ticket's message or of an article): its name, type, size,
/// digest and storage key.
fn stored_file_from_row(row: &DbRow) -> Result<AttachmentBlob, StoreError> {
    Ok(AttachmentBlob {
        filename: row.try_get("filename")?,
        content_type: row.try_get("content_type")?,
        size_bytes: row.try_get("size_bytes")?,
        sha256: row.try_get("sha256")?,
        storage_key: row.try_get("storage_key")?,
    })
}

/// Writes the row of one attachment with `sql`, whose parameters are the ids in `owner` (`$1`,
/// `$2`, …), then the file's name, type, size, digest and storage key, then the time. Returns
/// the new row's `id`, or `None` when the statement wrote nothing (its owner was not found).
async fn insert_attachment_row(conn: &mut DbConn, sql: &'static str, owner: &[i64], blob: &AttachmentBlob, now: Timestamp) -> Result<Option<i64>, StoreError> {
    let mut query = sqlx::query(sql);
    for id in owner {
        query = query.bind(*id);
    }
    let row = query
        .bind(&blob.filename)
        .bind(&blob.content_type)
        .bind(blob.size_bytes)
        .bind(&blob.sha256)
        .bind(&blob.storage_key)
        .bind(to_micros(now))
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.map(|row| row.try_get("id")).transpose()?)
}

fn attachment_meta(id: i64, message_id: i64, file: AttachmentBlob) -> AttachmentMeta {
    let AttachmentBlob { filename, content_type, size_bytes, sha256, storage_key } = file;
    AttachmentMeta { id, message_id, filename, content_type, size_bytes, sha256, storage_key }
}

fn attachment_meta_from_row(row: &DbRow) -> Result<AttachmentMeta, StoreError> {
    Ok(attachment_meta(row.try_get("id")?, row.try_get("message_id")?, stored_file_from_row(row)?))
}

async fn insert_attachments(
    conn: &mut DbConn,
    org_id: i64,
    ticket_id: i64,
    message_id: i64,
    blobs: &[AttachmentBlob],
    now: Timestamp,
) -> Result<Vec<AttachmentMeta>, StoreError> {
    let mut stored = Vec::with_capacity(blobs.len());
    for blob in blobs {
        let id = insert_attachment_row(
            conn,
            "INSERT INTO attachments (org_id, ticket_id, message_id, filename, content_type, size_bytes, sha256, storage_key, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            &[org_id, ticket_id, message_id],
            blob,
            now,
        )
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
        stored.push(attachment_meta(id, message_id, blob.clone()));
    }
    Ok(stored)
}

/// A message's content, before it is written.
struct MessageDraft<'a> {
    kind: MessageKind,
    body: &'a str,
    blobs: &'a [AttachmentBlob],
}

async fn insert_message(
    conn: &mut DbConn,
    org_id: i64,
    ticket_id: i64,
    draft: MessageDraft<'_>,
    actor: &Actor,
    now: Timestamp,
) -> Result<Message, StoreError> {
    let MessageDraft { kind, body, blobs } = draft;
    let row = sqlx::query(
        "INSERT INTO messages (org_id, ticket_id, kind, body, actor_kind, actor_id, actor_label, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(org_id)
    .bind(ticket_id)
    .bind(kind.as_str())
    .bind(body)
    .bind(actor.kind())
    .bind(actor.id())
    .bind(actor.label())
    .bind(to_micros(now))
    .fetch_one(&mut *conn)
    .await?;
    let message_id: i64 = row.try_get("id")?;
    search_append_message(&mut *conn, ticket_id, body).await?;
    let attachments = insert_attachments(conn, org_id, ticket_id, message_id, blobs, now).await?;
    Ok(Message {
        id: message_id,
        kind,
        body: body.to_owned(),
        actor_kind: actor.kind().to_owned(),
        actor_id: actor.id(),
        actor_label: actor.label().to_owned(),
        created_at: now,
        attachments,
    })
}

fn message_event(message: &Message) -> PendingEvent {
    PendingEvent {
        system: false,
        kind: EventKind::MessageAdded,
        field: None,
        before: None,
        after: Some(serde_json::json!({ "message_id": message.id, "kind": message.kind })),
    }
}

/// Keeps the service-level clocks in step with a change: targets follow the classification
/// (`reclassified`), then each status move and a public reply take their effect.
#[allow(clippy::too_many_arguments)]
async fn enforce_service_levels(
    conn: &mut DbConn,
    org_id: i64,
    policy: Option<&Policy>,
    ticket: &TicketSummary,
    changes: &mut Changes,
    reclassified: bool,
    public_reply: bool,
    now: Timestamp,
) -> Result<(), StoreError> {
    let Some(policy) = policy else { return Ok(()) };
    if reclassified {
        let facts = changes.facts.clone();
        sync_targets(conn, org_id, ticket, &facts, policy, now, &mut changes.events).await?;
    }
    for (from, to) in changes.status_moves.clone() {
        apply_happening(conn, org_id, ticket.id, policy, TicketHappening::StatusChanged { from, to }, now, &mut changes.events).await?;
    }
    if public_reply {
        apply_happening(conn, org_id, ticket.id, policy, TicketHappening::PublicReply, now, &mut changes.events).await?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn create_ticket(
    pools: &Pool,
    org: &Organization,
    policy: Option<&Policy>,
    new: &NewTicket,
    blobs: &[AttachmentBlob],
    idempotency: Option<&IdempotencyKey>,
    actor: &Actor,
    now: Timestamp,
) -> Result<CreatedTicket, StoreError> {
    let mut tx = pools.writer.begin().await?;
    if let Some(key) = idempotency {
        // On PostgreSQL a concurrent insert of the same key waits here until the first
        // transaction commits, then finds its row; SQLite's single writer serialises the same way.
        let claimed = sqlx::query(
            "INSERT INTO idempotency_keys (org_id, idempotency_key, request_hash, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (org_id, idempotency_key) DO NOTHING RETURNING id",
        )
        .bind(org.id)
        .bind(&key.key)
        .bind(&key.request_digest)
        .bind(to_micros(now))
        .fetch_optional(&mut *tx)
        .await?;
        if claimed.is_none() {
            let row = sqlx::query(
                "SELECT k.request_hash, t.number FROM idempotency_keys k LEFT JOIN tickets t ON t.id = k.ticket_id \
                 WHERE k.org_id = $1 AND k.idempotency_key = $2",
            )
            .bind(org.id)
            .bind(&key.key)
            .fetch_one(&mut *tx)
            .await?;
            if row.try_get::<String, _>("request_hash")? != key.request_digest {
                return Err(StoreError::IdempotencyMismatch);
            }
            let number: Option<String> = row.try_get("number")?;
            let number = number.ok_or_else(|| StoreError::Corrupt("an idempotency key without its ticket".into()))?;
            let ticket = load_ticket_or_404(&mut tx, org.id, &number).await?;
            return Ok(CreatedTicket { ticket, created: false, tracking_code: None });
        }
    }

    let requester = find_or_create_requester(&mut tx, org.id, &new.requester, now).await?;
    let category = match &new.category {
        Some(code) => Some(category_by_code(&mut tx, org.id, code.as_str()).await?),
        None => None,
    };
    let draft = TicketDraft { kind: new.kind, channel: new.channel, subject: new.subject.as_str(), body: new.body.as_str(), category, requester };
    let (ticket, _message, tracking_code) = create_ticket_in(&mut tx, org, policy, draft, blobs, actor, now).await?;
    if let Some(key) = idempotency {
        sqlx::query("UPDATE idempotency_keys SET ticket_id = $3 WHERE org_id = $1 AND idempotency_key = $2")
            .bind(org.id)
            .bind(&key.key)
            .bind(ticket.id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(CreatedTicket { ticket, created: true, tracking_code: Some(tracking_code) })
}

/// What a new ticket is made of, once its requester and category are known.
struct TicketDraft<'a> {
    kind: TicketKind,
    channel: Channel,
    subject: &'a str,
    body: &'a str,
    category: Option<Category>,
    requester: Requester,
}

/// Registers a ticket inside the caller's transaction: its number, first message, classification
/// by category, service-level clocks, events (and through them the requester's receipt in the
/// outbox) and a tracking code, returned in clear once and stored only as a digest.
async fn create_ticket_in(
    tx: &mut DbConn,
    org: &Organization,
    policy: Option<&Policy>,
    draft: TicketDraft<'_>,
    blobs: &[AttachmentBlob],
    actor: &Actor,
    now: Timestamp,
) -> Result<(TicketSummary, Message, String), StoreError> {
    let TicketDraft { kind, channel, subject, body, category, requester } = draft;
    let time_zone = jiff::tz::TimeZone::get(&org.time_zone)
        .map_err(|error| StoreError::Corrupt(format!("organization time zone '{}': {error}", org.time_zone)))?;
    let year = now.to_zoned(time_zone).year();
    let sequence: i64 = sqlx::query(
        "INSERT INTO ticket_counters (org_id, year, last_sequence) VALUES ($1, $2, 1) \
         ON CONFLICT (org_id, year) DO UPDATE SET last_sequence = ticket_counters.last_sequence + 1 RETURNING last_sequence",
    )
    .bind(org.id)
    .bind(i64::from(year))
    .fetch_one(&mut *tx)
    .await?
    .try_get("last_sequence")?;
    let prefix = sanad_domain::TicketPrefix::parse(&org.ticket_prefix).map_err(|error| StoreError::Corrupt(error.to_string()))?;
    let number = sanad_domain::TicketNumber::new(prefix, year, sequence as u64).to_string();

    let received = TicketFacts {
        status: TicketStatus::Received,
        kind,
        channel,
        subject: subject.to_owned(),
        category: None,
        complexity: None,
        importance: None,
        departments: Vec::new(),
        assignee: None,
        merged_into: None,
        cancel_reason: None,
        resolved_at: None,
    };
    let mut changes = Changes::new(received.clone());
    changes.events.push(PendingEvent {
        system: false,
        kind: EventKind::Created,
        field: None,
        before: None,
        after: Some(serde_json::to_value(&received).map_err(|error| StoreError::Corrupt(error.to_string()))?),
    });
    changes.set_status(TicketStatus::Registered, true, now)?;
    if let Some(category) = &category {
        changes.set(TicketField::Category, serde_json::json!(category.code), false)?;
        if let Some(department) = &category.default_department {
            changes.set(TicketField::Departments, serde_json::json!([department]), true)?;
        }
    }

    let facts = &changes.facts;
    let inserted = sqlx::query(
        "INSERT INTO tickets (org_id, number, kind, channel, status, subject, category_id, requester_id, created_at, updated_at, policy_version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) RETURNING id",
    )
    .bind(org.id)
    .bind(&number)
    .bind(facts.kind.as_str())
    .bind(facts.channel.as_str())
    .bind(facts.status.as_str())
    .bind(&facts.subject)
    .bind(category.as_ref().map(|category| category.id))
    .bind(requester.id)
    .bind(to_micros(now))
    .bind(org.policy_version)
    .fetch_one(&mut *tx)
    .await?;
    let ticket_id: i64 = inserted.try_get("id")?;
    for code in &facts.departments {
        sqlx::query(
            "INSERT INTO ticket_departments (org_id, ticket_id, department_id) \
             SELECT $1, $2, id FROM departments WHERE org_id = $1 AND code = $3",
        )
        .bind(org.id)
        .bind(ticket_id)
        .bind(code)
        .execute(&mut *tx)
        .await?;
    }
    search_index_new_ticket(&mut *tx, ticket_id).await?;
    // The stored row is exactly what was just written, so it is built here rather than read
    // back: one query less on the hottest write path. Timestamps are truncated to the stored
    // microseconds so the answer equals what a later read returns.
    let stored_now = from_micros(to_micros(now))?;
    let facts = &changes.facts;
    let ticket = TicketSummary {
        id: ticket_id,
        number,
        kind: facts.kind,
        channel: facts.channel,
        status: facts.status,
        subject: facts.subject.clone(),
        category: facts.category.clone(),
        complexity: None,
        importance: None,
        departments: facts.departments.clone(),
        assignee_id: None,
        requester: requester.clone(),
        merged_into: None,
        cancel_reason: None,
        created_at: stored_now,
        updated_at: stored_now,
        resolved_at: None,
    };
    let message = insert_message(&mut *tx, org.id, ticket_id, MessageDraft { kind: MessageKind::RequesterMessage, body, blobs }, actor, now).await?;
    changes.events.push(message_event(&message));
    conduct_check_message(&mut *tx, org.id, &ticket, &message, Some(ticket.subject.as_str()), now, &mut changes.events).await?;
    enforce_service_levels(&mut *tx, org.id, policy, &ticket, &mut changes, true, false, now).await?;
    schedule_status_updates(&mut *tx, org.id, ticket_id, policy, now).await?;
    insert_events(&mut *tx, org.id, ticket_id, &changes.events, actor, now).await?;
    let tracking_code = crate::secrets::new_tracking_code();
    sqlx::query("INSERT INTO tracking_codes (ticket_id, org_id, code_hash, created_at) VALUES ($1, $2, $3, $4)")
        .bind(ticket_id)
        .bind(org.id)
        .bind(crate::secrets::token_digest(&tracking_code))
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
    // The receipt written to the outbox by `insert_events` carries the code to the requester;
    // it is erased from the outbox once delivered.
    sqlx::query("UPDATE outbox SET secret = $2 WHERE ticket_id = $1 AND kind = 'receipt' AND state = 'pending'")
        .bind(ticket_id)
        .bind(&tracking_code)
        .execute(&mut *tx)
        .await?;
    Ok((ticket, message, tracking_code))
}

/// Every object the database refers to, ticket and help-centre attachments alike, each once.
pub(crate) async fn referenced_attachment_objects(pools: &Pool) -> Result<Vec<StoredObject>, StoreError> {
    sqlx::query(
        "SELECT storage_key, sha256 FROM attachments UNION SELECT storage_key, sha256 FROM kb_attachments ORDER BY storage_key",
    )
    .fetch_all(&pools.reader)
    .await?
    .iter()
    .map(|row| Ok(StoredObject { storage_key: row.try_get("storage_key")?, sha256: row.try_get("sha256")? }))
    .collect()
}

pub(crate) async fn ticket_detail(pools: &Pool, org_id: i64, number: &str) -> Result<Option<TicketDetail>, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let Some(ticket) = load_ticket(&mut conn, org_id, number, false).await? else { return Ok(None) };
    let attachment_rows = sqlx::query(
        "SELECT id, message_id, filename, content_type, size_bytes, sha256, storage_key FROM attachments WHERE ticket_id = $1 ORDER BY id",
    )
    .bind(ticket.id)
    .fetch_all(&mut *conn)
    .await?;
    let attachments = attachment_rows.iter().map(attachment_meta_from_row).collect::<Result<Vec<_>, _>>()?;
    let message_rows = sqlx::query(
        "SELECT id, kind, body, actor_kind, actor_id, actor_label, created_at FROM messages WHERE ticket_id = $1 ORDER BY id",
    )
    .bind(ticket.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut messages = Vec::with_capacity(message_rows.len());
    for row in message_rows {
        let id: i64 = row.try_get("id")?;
        messages.push(Message {
            id,
            kind: parse_stored(&row.try_get::<String, _>("kind")?)?,
            body: row.try_get("body")?,
            actor_kind: row.try_get("actor_kind")?,
            actor_id: row.try_get("actor_id")?,
            actor_label: row.try_get("actor_label")?,
            created_at: from_micros(row.try_get("created_at")?)?,
            attachments: attachments.iter().filter(|attachment| attachment.message_id == id).cloned().collect(),
        });
    }
    let event_rows = sqlx::query(
        "SELECT id, at, actor_kind, actor_id, actor_label, kind, field, before_value, after_value \
         FROM ticket_events WHERE ticket_id = $1 ORDER BY id",
    )
    .bind(ticket.id)
    .fetch_all(&mut *conn)
    .await?;
    let json = |text: Option<String>| -> Result<Option<serde_json::Value>, StoreError> {
        text.map(|text| serde_json::from_str(&text).map_err(|error| StoreError::Corrupt(error.to_string())))
            .transpose()
    };
    let mut events = Vec::with_capacity(event_rows.len());
    for row in event_rows {
        events.push(Event {
            id: row.try_get("id")?,
            at: from_micros(row.try_get("at")?)?,
            actor_kind: row.try_get("actor_kind")?,
            actor_id: row.try_get("actor_id")?,
            actor_label: row.try_get("actor_label")?,
            kind: parse_stored(&row.try_get::<String, _>("kind")?)?,
            field: parse_optional(row.try_get("field")?)?,
            before: json(row.try_get("before_value")?)?,
            after: json(row.try_get("after_value")?)?,
        });
    }
    let targets = ticket_targets(&mut conn, ticket.id).await?;
    let escalations = ticket_escalations(&mut conn, ticket.id).await?;
    let root_causes = ticket_root_causes(&mut conn, ticket.id).await?;
    Ok(Some(TicketDetail { ticket, messages, events, targets, escalations, root_causes }))
}

pub(crate) async fn list_tickets(pools: &Pool, org_id: i64, filter: &TicketFilter) -> Result<TicketPage, StoreError> {
    let limit = filter.limit.clamp(1, 200);
    let mut builder = SqlBuilder::new(TICKET_COLUMNS);
    builder.push(" WHERE t.org_id = ?", [Param::Int(org_id)]);
    if let Some(status) = filter.status {
        builder.push(" AND t.status = ?", [Param::Text(status.as_str().to_owned())]);
    }
    if let Some(kind) = filter.kind {
        builder.push(" AND t.kind = ?", [Param::Text(kind.as_str().to_owned())]);
    }
    if let Some(assignee) = filter.assignee_id {
        builder.push(" AND t.assignee_id = ?", [Param::Int(assignee)]);
    }
    if let Some(requester) = filter.requester_id {
        builder.push(" AND t.requester_id = ?", [Param::Int(requester)]);
    }
    if let Some(category) = &filter.category {
        builder.push(" AND c.code = ?", [Param::Text(category.as_str().to_owned())]);
    }
    if let Some(department) = &filter.department {
        builder.push(
            " AND EXISTS (SELECT 1 FROM ticket_departments td JOIN departments d ON d.id = td.department_id \
              WHERE td.ticket_id = t.id AND d.code = ?)",
            [Param::Text(department.as_str().to_owned())],
        );
    }
    if let Some(before) = filter.before_id {
        builder.push(" AND t.id < ?", [Param::Int(before)]);
    }
    // One row more than the page tells whether another page follows.
    builder.push(" ORDER BY t.id DESC LIMIT ?", [Param::Int(i64::from(limit) + 1)]);
    let mut conn = pools.reader.acquire().await?;
    let rows = builder.fetch_all(&mut conn).await?;
    let mut tickets = rows.iter().take(limit as usize).map(ticket_from_row).collect::<Result<Vec<_>, _>>()?;
    attach_departments(&mut conn, &mut tickets).await?;
    let next_before_id = if rows.len() > limit as usize { tickets.last().map(|ticket| ticket.id) } else { None };
    Ok(TicketPage { tickets, next_before_id })
}

pub(crate) async fn change_ticket(
    pools: &Pool,
    org: &Organization,
    policy: Option<&Policy>,
    number: &str,
    request: &TicketChanges,
    actor: &Actor,
    now: Timestamp,
) -> Result<TicketSummary, StoreError> {
    let mut tx = pools.writer.begin().await?;
    let ticket = load_ticket_or_404(&mut tx, org.id, number).await?;
    if ticket.status.is_terminal() {
        return Err(StoreError::Conflict(format!("ticket {number} is '{}' and can no longer be changed", ticket.status)));
    }
    let mut changes = Changes::new(facts_of(&ticket));
    if let Some(kind) = request.kind {
        changes.set(TicketField::Kind, serde_json::json!(kind), false)?;
    }
    if let Some(subject) = &request.subject {
        changes.set(TicketField::Subject, serde_json::json!(subject.as_str()), false)?;
    }
    if let Some(code) = &request.category {
        category_by_code(&mut tx, org.id, code.as_str()).await?;
        changes.set(TicketField::Category, serde_json::json!(code.as_str()), false)?;
    }
    if let Some(complexity) = request.complexity {
        changes.set(TicketField::Complexity, serde_json::json!(complexity), false)?;
    }
    if let Some(importance) = request.importance {
        changes.set(TicketField::Importance, serde_json::json!(importance), false)?;
    }
    let mut departments_changed = false;
    if let Some(codes) = &request.departments {
        let mut sorted: Vec<String> = codes.iter().map(|code| code.as_str().to_owned()).collect();
        sorted.sort();
        sorted.dedup();
        for code in &sorted {
            department_id(&mut tx, org.id, code).await?;
        }
        departments_changed = sorted != changes.facts.departments;
        changes.set(TicketField::Departments, serde_json::json!(sorted), false)?;
    }
    if let Some(assignee) = request.assignee_id {
        if let Some(user_id) = assignee {
            let (_, role) = staff_member(&mut tx, org.id, user_id).await?;
            if role == StaffRole::Supervisor {
                return Err(StoreError::Invalid("a supervisor has read-only access and cannot be assigned tickets".into()));
            }
        }
        changes.set(TicketField::Assignee, serde_json::json!(assignee), false)?;
    }
    changes.advance_automatically(now)?;
    if !changes.events.is_empty() {
        write_facts(&mut tx, org.id, ticket.id, &changes.facts, departments_changed, now).await?;
        let reclassified = request.kind.is_some() || request.complexity.is_some() || request.importance.is_some();
        enforce_service_levels(&mut tx, org.id, policy, &ticket, &mut changes, reclassified, false, now).await?;
        insert_events(&mut tx, org.id, ticket.id, &changes.events, actor, now).await?;
    }
    let ticket = load_ticket_or_404(&mut tx, org.id, number).await?;
    tx.commit().await?;
    Ok(ticket)
}

pub(crate) async fn transition_ticket(
    pools: &Pool,
    org: &Organization,
    policy: Option<&Policy>,
    number: &str,
    request: &TransitionRequest,
    actor: &Actor,
    now: Timestamp,
) -> Result<TicketSummary, StoreError> {
    let mut tx = pools.writer.begin().await?;
    let ticket = load_ticket_or_404(&mut tx, org.id, number).await?;
    let merge_target = match (&request.merge_into, request.to) {
        (Some(target), TicketStatus::Merged) => {
            let target = target.to_string();
            if target == ticket.number {
                return Err(StoreError::Lifecycle(sanad_domain::LifecycleError::MergeIntoSelf));
            }
            let target = load_ticket(&mut tx, org.id, &target, true)
                .await?
                .ok_or_else(|| StoreError::NotFound { what: "ticket", key: target.clone() })?;
            Some(target)
        }
        _ => None,
    };
    check_transition(&TransitionCheck {
        from: ticket.status,
        to: request.to,
        now,
        has_category: ticket.category.is_some(),
        has_complexity: ticket.complexity.is_some(),
        has_importance: ticket.importance.is_some(),
        department_count: ticket.departments.len(),
        resolved_at: ticket.resolved_at,
        reopen_window: jiff::SignedDuration::from_hours(org.reopen_window_hours),
        conduct_reason: request.reason.as_ref().map(|reason| reason.as_str()),
        merge_target_status: merge_target.as_ref().map(|target| target.status),
    })?;
    if request.to == TicketStatus::Closed {
        let missing = breaches_without_root_cause(&mut tx, ticket.id).await?;
        if !missing.is_empty() {
            return Err(StoreError::RootCauseRequired { targets: missing });
        }
    }
    let mut changes = Changes::new(facts_of(&ticket));
    match request.to {
        TicketStatus::Cancelled => {
            let reason = request.reason.as_ref().map(|reason| reason.as_str());
            changes.set(TicketField::CancelReason, serde_json::json!(reason), false)?;
        }
        TicketStatus::Merged => {
            let target = merge_target.as_ref().map(|target| target.number.clone());
            changes.set(TicketField::MergedInto, serde_json::json!(target), false)?;
        }
        _ => {}
    }
    changes.set_status(request.to, false, now)?;
    changes.advance_automatically(now)?;
    write_facts(&mut tx, org.id, ticket.id, &changes.facts, false, now).await?;
    enforce_service_levels(&mut tx, org.id, policy, &ticket, &mut changes, false, false, now).await?;
    // Cancelling is for a conduct violation only (the lifecycle requires its reason), so every
    // cancellation is recorded against the requester, and they are told why.
    if let (TicketStatus::Cancelled, Some(reason)) = (request.to, &request.reason) {
        conduct_record_violation(&mut tx, org.id, &ticket, reason.as_str(), actor, now, &mut changes.events).await?;
    }
    insert_events(&mut tx, org.id, ticket.id, &changes.events, actor, now).await?;
    if let Some(target) = &merge_target {
        let note = format!("Ticket {} was merged into this ticket.", ticket.number);
        let message = insert_message(&mut tx, org.id, target.id, MessageDraft { kind: MessageKind::InternalNote, body: &note, blobs: &[] }, actor, now).await?;
        insert_events(&mut tx, org.id, target.id, &[message_event(&message)], actor, now).await?;
    }
    let ticket = load_ticket_or_404(&mut tx, org.id, number).await?;
    tx.commit().await?;
    Ok(ticket)
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn add_message(
    pools: &Pool,
    org: &Organization,
    policy: Option<&Policy>,
    number: &str,
    new: &NewMessage,
    blobs: &[AttachmentBlob],
    actor: &Actor,
    now: Timestamp,
) -> Result<Message, StoreError> {
    let mut tx = pools.writer.begin().await?;
    let ticket = load_ticket_or_404(&mut tx, org.id, number).await?;
    check_accepts_messages(&ticket)?;
    let message = add_message_in(&mut tx, org, policy, &ticket, MessageDraft { kind: new.kind, body: new.body.as_str(), blobs }, actor, now).await?;
    tx.commit().await?;
    Ok(message)
}

/// Refuses messages on a merged, closed or cancelled ticket, naming what to do instead.
fn check_accepts_messages(ticket: &TicketSummary) -> Result<(), StoreError> {
    let number = &ticket.number;
    match ticket.status {
        TicketStatus::Merged => Err(StoreError::Conflict(format!(
            "ticket {number} was merged into {}; write on that ticket",
            ticket.merged_into.as_deref().unwrap_or("another ticket")
        ))),
        TicketStatus::Closed | TicketStatus::Cancelled => Err(StoreError::Conflict(format!(
            "ticket {number} is '{}'; reopen it (within the reopen window) or open a new ticket",
            ticket.status
        ))),
        _ => Ok(()),
    }
}

/// Adds a message to a ticket inside the caller's transaction, with its effects: a requester's
/// answer resumes the work, a public reply stops the first-response clock, and the events (and
/// through them the requester's notification) are written.
async fn add_message_in(
    tx: &mut DbConn,
    org: &Organization,
    policy: Option<&Policy>,
    ticket: &TicketSummary,
    draft: MessageDraft<'_>,
    actor: &Actor,
    now: Timestamp,
) -> Result<Message, StoreError> {
    let kind = draft.kind;
    let message = insert_message(&mut *tx, org.id, ticket.id, draft, actor, now).await?;
    let mut changes = Changes::new(facts_of(ticket));
    changes.events.push(message_event(&message));
    conduct_check_message(&mut *tx, org.id, ticket, &message, None, now, &mut changes.events).await?;
    // The requester answering a question resumes the work (and, with the policy engine, the
    // paused service-level clocks).
    if kind == MessageKind::RequesterMessage && ticket.status == TicketStatus::WaitingOnRequester {
        changes.set_status(TicketStatus::InProgress, true, now)?;
        write_facts(&mut *tx, org.id, ticket.id, &changes.facts, false, now).await?;
    } else {
        sqlx::query("UPDATE tickets SET updated_at = $2 WHERE id = $1")
            .bind(ticket.id)
            .bind(to_micros(now))
            .execute(&mut *tx)
            .await?;
    }
    let public_reply = kind == MessageKind::PublicReply;
    enforce_service_levels(&mut *tx, org.id, policy, ticket, &mut changes, false, public_reply, now).await?;
    insert_events(&mut *tx, org.id, ticket.id, &changes.events, actor, now).await?;
    Ok(message)
}

pub(crate) async fn attachment(pools: &Pool, org_id: i64, number: &str, attachment_id: i64) -> Result<Option<AttachmentMeta>, StoreError> {
    let row = sqlx::query(
        "SELECT a.id, a.message_id, a.filename, a.content_type, a.size_bytes, a.sha256, a.storage_key \
         FROM attachments a JOIN tickets t ON t.id = a.ticket_id WHERE t.org_id = $1 AND t.number = $2 AND a.id = $3",
    )
    .bind(org_id)
    .bind(number)
    .bind(attachment_id)
    .fetch_optional(&pools.reader)
    .await?;
    row.as_ref().map(attachment_meta_from_row).transpose()
}

pub(crate) async fn count_tickets(pools: &Pool, org_id: i64) -> Result<i64, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM tickets WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(&pools.reader)
        .await?;
    Ok(row.try_get("n")?)
}

/// The id of a ticket's latest event (every message and change adds one), for live pages that
/// only need to know whether anything happened since they last looked.
pub(crate) async fn ticket_activity_marker(pools: &Pool, org_id: i64, number: &str) -> Result<Option<i64>, StoreError> {
    let row = sqlx::query(
        "SELECT (SELECT COALESCE(MAX(e.id), 0) FROM ticket_events e WHERE e.ticket_id = t.id) AS last_event \
         FROM tickets t WHERE t.org_id = $1 AND t.number = $2",
    )
    .bind(org_id)
    .bind(number)
    .fetch_optional(&pools.reader)
    .await?;
    row.map(|row| row.try_get::<i64, _>("last_event")).transpose().map_err(StoreError::from)
}

pub(crate) async fn missing_ticket_numbers(pools: &Pool, org_id: i64, numbers: &[String]) -> Result<Vec<String>, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let mut missing = Vec::new();
    for chunk in numbers.chunks(500) {
        let mut builder = SqlBuilder::new("SELECT number FROM tickets WHERE org_id = ");
        builder.push("? AND number IN (", [Param::Int(org_id)]);
        for (index, number) in chunk.iter().enumerate() {
            builder.push(if index == 0 { "?" } else { ", ?" }, [Param::Text(number.clone())]);
        }
        builder.push(")", []);
        let found: std::collections::HashSet<String> =
            builder.fetch_all(&mut conn).await?.iter().map(|row| row.try_get("number")).collect::<Result<_, _>>()?;
        missing.extend(chunk.iter().filter(|number| !found.contains(*number)).cloned());
    }
    Ok(missing)
}
