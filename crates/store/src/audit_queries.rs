// The audit chain's SQL, compiled once per backend (included by `backend.rs` after
// `queries.rs`, whose imports and aliases it uses). The hashing itself is in `audit.rs`.

use crate::audit::{
    AuditBreak, AuditProblem, AuditVerification, ChainHead, EventContent, OrganizationAudit,
};

/// Tickets per page when verifying or chaining old rows: a page's events are read at once.
const AUDIT_TICKETS_PER_PAGE: i64 = 500;
/// Rows per multi-row UPDATE (four parameters each, under both backends' limits).
const AUDIT_ROWS_PER_STATEMENT: usize = 1000;

/// Reads a ticket's chain head, locking its row on PostgreSQL until the transaction ends so
/// that two writers of one ticket append one after the other (the writers that change a ticket
/// hold this lock already; taking it again costs nothing). SQLite has a single writer.
async fn audit_head(conn: &mut DbConn, ticket_id: i64) -> Result<ChainHead, StoreError> {
    let lock = if DIALECT == crate::BackendKind::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT audit_seq, audit_head FROM tickets WHERE id = $1{lock}"
    )))
    .bind(ticket_id)
    .fetch_one(&mut *conn)
    .await?;
    Ok(ChainHead {
        ticket_id,
        seq: row.try_get("audit_seq")?,
        hash: row.try_get("audit_head")?,
    })
}

async fn audit_set_head(conn: &mut DbConn, head: &ChainHead) -> Result<(), StoreError> {
    sqlx::query("UPDATE tickets SET audit_seq = $2, audit_head = $3 WHERE id = $1")
        .bind(head.ticket_id)
        .bind(head.seq)
        .bind(head.hash.as_deref())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Sets many tickets' heads with one statement per thousand (bulk import, chaining old rows).
async fn audit_set_heads(conn: &mut DbConn, heads: &[ChainHead]) -> Result<(), StoreError> {
    for chunk in heads.chunks(AUDIT_ROWS_PER_STATEMENT) {
        let mut builder: sqlx::QueryBuilder<Db> =
            sqlx::QueryBuilder::new("WITH v (id, seq, head) AS (");
        builder.push_values(chunk, |mut row, head| {
            row.push_bind(head.ticket_id)
                .push_bind(head.seq)
                .push_bind(head.hash.clone());
        });
        builder.push(") UPDATE tickets SET audit_seq = v.seq, audit_head = v.head FROM v WHERE tickets.id = v.id");
        builder.build().execute(&mut *conn).await?;
    }
    Ok(())
}

/// Chains events written before the chain existed, oldest first within each ticket, a page of
/// tickets per transaction. Several instances starting at once each lock the tickets of their
/// page and read the unchained rows again under the lock, so no row is chained twice.
pub(crate) async fn audit_backfill(pools: &Pool) -> Result<u64, StoreError> {
    let mut chained = 0u64;
    loop {
        let mut tx = if DIALECT == crate::BackendKind::Sqlite {
            pools.writer.begin_with("BEGIN IMMEDIATE").await?
        } else {
            pools.writer.begin().await?
        };
        let tickets: Vec<i64> = sqlx::query("SELECT DISTINCT ticket_id FROM ticket_events WHERE chain_seq IS NULL ORDER BY ticket_id LIMIT $1")
            .bind(AUDIT_TICKETS_PER_PAGE)
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|row| row.try_get("ticket_id"))
            .collect::<Result<_, _>>()?;
        if tickets.is_empty() {
            tx.commit().await?;
            return Ok(chained);
        }
        let mut heads = std::collections::BTreeMap::new();
        for ticket_id in &tickets {
            heads.insert(*ticket_id, audit_head(&mut tx, *ticket_id).await?);
        }
        let mut builder: sqlx::QueryBuilder<Db> = sqlx::QueryBuilder::new(
            "SELECT id, org_id, ticket_id, at, actor_kind, actor_id, actor_label, kind, field, before_value, after_value \
             FROM ticket_events WHERE chain_seq IS NULL AND ticket_id IN (",
        );
        let mut separated = builder.separated(", ");
        for ticket_id in &tickets {
            separated.push_bind(*ticket_id);
        }
        builder.push(") ORDER BY ticket_id, id");
        let rows = builder.build().fetch_all(&mut *tx).await?;
        let mut links = Vec::with_capacity(rows.len());
        for row in &rows {
            let event = AuditRow::read(row)?;
            let head = heads
                .get_mut(&event.ticket_id)
                .ok_or_else(|| StoreError::Corrupt("an event's ticket vanished".into()))?;
            let link = head.append(&event.content());
            links.push((event.id, link));
        }
        for chunk in links.chunks(AUDIT_ROWS_PER_STATEMENT) {
            let mut builder: sqlx::QueryBuilder<Db> =
                sqlx::QueryBuilder::new("WITH v (id, seq, content, chain) AS (");
            builder.push_values(chunk, |mut row, (id, link)| {
                row.push_bind(*id)
                    .push_bind(link.seq)
                    .push_bind(link.content_hash.clone())
                    .push_bind(link.chain_hash.clone());
            });
            builder.push(
                ") UPDATE ticket_events SET chain_seq = v.seq, content_hash = v.content, chain_hash = v.chain FROM v WHERE ticket_events.id = v.id",
            );
            builder.build().execute(&mut *tx).await?;
        }
        audit_set_heads(&mut tx, &heads.into_values().collect::<Vec<_>>()).await?;
        tx.commit().await?;
        chained += links.len() as u64;
    }
}

/// One event row with its chain columns.
struct AuditRow {
    id: i64,
    org_id: i64,
    ticket_id: i64,
    at: i64,
    actor_kind: String,
    actor_id: Option<i64>,
    actor_label: String,
    kind: String,
    field: Option<String>,
    before: Option<String>,
    after: Option<String>,
}

impl AuditRow {
    fn read(row: &DbRow) -> Result<AuditRow, StoreError> {
        Ok(AuditRow {
            id: row.try_get("id")?,
            org_id: row.try_get("org_id")?,
            ticket_id: row.try_get("ticket_id")?,
            at: row.try_get("at")?,
            actor_kind: row.try_get("actor_kind")?,
            actor_id: row.try_get("actor_id")?,
            actor_label: row.try_get("actor_label")?,
            kind: row.try_get("kind")?,
            field: row.try_get("field")?,
            before: row.try_get("before_value")?,
            after: row.try_get("after_value")?,
        })
    }

    fn content(&self) -> EventContent<'_> {
        EventContent {
            org_id: self.org_id,
            ticket_id: self.ticket_id,
            at: self.at,
            actor_kind: &self.actor_kind,
            actor_id: self.actor_id,
            actor_label: &self.actor_label,
            kind: &self.kind,
            field: self.field.as_deref(),
            before: self.before.as_deref(),
            after: self.after.as_deref(),
        }
    }
}

/// A ticket's head as stored, for verification.
struct AuditTicket {
    id: i64,
    number: String,
    seq: i64,
    head: Option<String>,
    erased_at: Option<i64>,
}

/// Walks one ticket's rows (in id order) against its head; returns the first break.
fn audit_check_ticket(
    ticket: &AuditTicket,
    rows: &[&DbRow],
    totals: &mut (u64, u64),
) -> Result<Option<AuditBreak>, StoreError> {
    let broken = |event_id: Option<i64>, problem| {
        Some(AuditBreak {
            ticket_number: Some(ticket.number.clone()),
            event_id,
            problem,
        })
    };
    let mut previous: Option<String> = None;
    let mut expected = 1i64;
    let mut last_id = None;
    for row in rows {
        let event = AuditRow::read(row)?;
        let seq: Option<i64> = row.try_get("chain_seq")?;
        let stored_content: Option<String> = row.try_get("content_hash")?;
        let stored_chain: Option<String> = row.try_get("chain_hash")?;
        let redacted_at: Option<i64> = row.try_get("redacted_at")?;
        totals.0 += 1;
        let (Some(seq), Some(stored_content), Some(stored_chain)) =
            (seq, stored_content, stored_chain)
        else {
            return Ok(broken(Some(event.id), AuditProblem::Unchained));
        };
        if seq > expected {
            return Ok(broken(
                Some(event.id),
                AuditProblem::EventsMissing {
                    expected,
                    found: seq,
                },
            ));
        }
        if seq < expected {
            return Ok(broken(
                Some(event.id),
                AuditProblem::UnexpectedPosition {
                    expected,
                    found: seq,
                },
            ));
        }
        match redacted_at {
            None => {
                if crate::audit::content_hash(&event.content()) != stored_content {
                    return Ok(broken(Some(event.id), AuditProblem::ContentChanged));
                }
            }
            Some(at) => {
                totals.1 += 1;
                if ticket.erased_at != Some(at) {
                    return Ok(broken(Some(event.id), AuditProblem::RedactionUnexplained));
                }
            }
        }
        if crate::audit::chain_hash(ticket.id, seq, previous.as_deref(), &stored_content)
            != stored_chain
        {
            return Ok(broken(Some(event.id), AuditProblem::LinkBroken));
        }
        previous = Some(stored_chain);
        expected += 1;
        last_id = Some(event.id);
    }
    if ticket.seq != expected - 1 || ticket.head != previous {
        return Ok(broken(
            last_id,
            AuditProblem::HeadMismatch {
                head_seq: ticket.seq,
                last_seq: expected - 1,
            },
        ));
    }
    Ok(None)
}

/// Verifies one organization a page of tickets at a time. Each page's tickets and events are
/// read by one statement, so a ticket's head and its rows come from one snapshot even while
/// other instances keep writing.
async fn audit_verify_organization(
    conn: &mut DbConn,
    org_id: i64,
    slug: String,
) -> Result<OrganizationAudit, StoreError> {
    use sha2::Digest;
    let mut audit = OrganizationAudit {
        org_id,
        slug,
        tickets: 0,
        events: 0,
        redacted: 0,
        digest: String::new(),
        first_break: None,
    };
    let mut digest = sha2::Sha256::new();
    let mut totals = (0u64, 0u64);
    let mut cursor = 0i64;
    'pages: loop {
        let high: Option<i64> = sqlx::query(
            "SELECT MAX(id) AS high FROM (SELECT id FROM tickets WHERE org_id = $1 AND id > $2 ORDER BY id LIMIT $3) AS page",
        )
        .bind(org_id)
        .bind(cursor)
        .bind(AUDIT_TICKETS_PER_PAGE)
        .fetch_one(&mut *conn)
        .await?
        .try_get("high")?;
        let Some(high) = high else { break };
        let rows = sqlx::query(
            "SELECT t.id AS t_id, t.number, t.audit_seq, t.audit_head, t.personal_data_erased_at, \
             e.id, e.org_id, e.ticket_id, e.at, e.actor_kind, e.actor_id, e.actor_label, e.kind, e.field, e.before_value, e.after_value, \
             e.chain_seq, e.content_hash, e.chain_hash, e.redacted_at \
             FROM tickets t LEFT JOIN ticket_events e ON e.ticket_id = t.id \
             WHERE t.org_id = $1 AND t.id > $2 AND t.id <= $3 ORDER BY t.id, e.id",
        )
        .bind(org_id)
        .bind(cursor)
        .bind(high)
        .fetch_all(&mut *conn)
        .await?;
        cursor = high;
        let mut start = 0;
        while start < rows.len() {
            let row = &rows[start];
            let ticket = AuditTicket {
                id: row.try_get("t_id")?,
                number: row.try_get("number")?,
                seq: row.try_get("audit_seq")?,
                head: row.try_get("audit_head")?,
                erased_at: row.try_get("personal_data_erased_at")?,
            };
            let mut end = start;
            let mut events = Vec::new();
            while end < rows.len() && rows[end].try_get::<i64, _>("t_id")? == ticket.id {
                // A ticket without events still has one row, with no event in it.
                if rows[end].try_get::<Option<i64>, _>("id")?.is_some() {
                    events.push(&rows[end]);
                }
                end += 1;
            }
            audit.tickets += 1;
            if let Some(found) = audit_check_ticket(&ticket, &events, &mut totals)? {
                audit.first_break = Some(found);
                break 'pages;
            }
            digest.update(ticket.number.as_bytes());
            digest.update(b"\0");
            digest.update(ticket.head.as_deref().unwrap_or("").as_bytes());
            digest.update(b"\n");
            start = end;
        }
    }
    (audit.events, audit.redacted) = totals;
    if audit.first_break.is_none() {
        let counts = sqlx::query(
            "SELECT (SELECT CAST(COALESCE(SUM(last_sequence), 0) AS BIGINT) FROM ticket_counters WHERE org_id = $1) AS allocated, \
             (SELECT COUNT(*) FROM tickets WHERE org_id = $1) AS present",
        )
        .bind(org_id)
        .fetch_one(&mut *conn)
        .await?;
        let (allocated, present): (i64, i64) =
            (counts.try_get("allocated")?, counts.try_get("present")?);
        if allocated != present {
            audit.first_break = Some(AuditBreak {
                ticket_number: None,
                event_id: None,
                problem: AuditProblem::TicketCount { allocated, present },
            });
        } else {
            audit.digest = hex::encode(digest.finalize());
        }
    }
    Ok(audit)
}

pub(crate) async fn audit_verify(
    pools: &Pool,
    org_id: Option<i64>,
) -> Result<AuditVerification, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let organizations: Vec<(i64, String)> =
        sqlx::query("SELECT id, slug FROM organizations WHERE $1 IS NULL OR id = $1 ORDER BY id")
            .bind(org_id)
            .fetch_all(&mut *conn)
            .await?
            .iter()
            .map(|row| Ok::<_, StoreError>((row.try_get("id")?, row.try_get("slug")?)))
            .collect::<Result<_, _>>()?;
    let mut verification = AuditVerification::default();
    for (id, slug) in organizations {
        verification
            .organizations
            .push(audit_verify_organization(&mut conn, id, slug).await?);
    }
    Ok(verification)
}
