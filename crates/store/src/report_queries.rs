// Managers' reports, written once and included beside `queries.rs` for each backend. Every
// figure follows the definitions in `sanad_domain::reports`; the grouping happens in SQL so a
// report over a million tickets reads counts rather than rows, and only durations (for the
// median and 90th percentile) and the breaches come back one by one. Private helpers are
// prefixed with `report_` so that they never collide with the files included beside this one.

use sanad_domain::reports::{
    AgentWorkload, BreachRow, ComplianceRow, Dimension, Distribution, EscalationCount, LoggedEvent, LoggedRating,
    LoggedRootCause, RatingComment, Report, ReportRange, Satisfaction, SatisfactionDimension, ScoreSummary, TicketLog,
};

const REPORT_MICROS_PER_DAY: i64 = 86_400_000_000;

/// The statuses counted as open, as `TicketStatus::is_open` says, quoted for an `IN` list.
fn report_open_list() -> String {
    TicketStatus::ALL
        .iter()
        .filter(|status| status.is_open())
        .map(|status| format!("'{}'", status.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn report_seconds(micros: i64) -> i64 {
    micros / 1_000_000
}

fn report_score(value: Option<i64>) -> Result<Option<u8>, StoreError> {
    value
        .map(|score| {
            u8::try_from(score)
                .ok()
                .filter(|score| (1..=5).contains(score))
                .ok_or_else(|| StoreError::Corrupt(format!("rating score {score} out of range")))
        })
        .transpose()
}

pub(crate) async fn report_compute(pools: &Pool, org_id: i64, range: &ReportRange) -> Result<Report, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let from = to_micros(range.from());
    let to = to_micros(range.to());

    // Compliance: one grouped statement per dimension. The `WHERE` keeps only targets that can
    // count (settled from `from` on, or still running), so old settled targets are not read.
    let mut compliance = Vec::new();
    let dimensions: [(Dimension, &str, &str); 6] = [
        (Dimension::All, "", ""),
        (
            Dimension::Department,
            " LEFT JOIN ticket_departments td ON td.ticket_id = t.id LEFT JOIN departments d ON d.id = td.department_id",
            "d.code",
        ),
        (Dimension::Channel, "", "t.channel"),
        (Dimension::Category, " LEFT JOIN categories c ON c.id = t.category_id", "c.code"),
        (Dimension::Complexity, "", "t.complexity"),
        (Dimension::Importance, "", "t.importance"),
    ];
    for (dimension, joins, value) in dimensions {
        let (select_value, group_value) =
            if value.is_empty() { ("CAST(NULL AS TEXT)".to_owned(), String::new()) } else { (value.to_owned(), format!(", {value}")) };
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT tt.target, {select_value} AS value, \
             COALESCE(SUM(CASE WHEN tt.state = 'met' AND tt.met_at >= $2 AND tt.met_at < $3 THEN 1 ELSE 0 END), 0) AS met, \
             COALESCE(SUM(CASE WHEN tt.breached_at >= $2 AND tt.breached_at < $3 THEN 1 ELSE 0 END), 0) AS breached, \
             COALESCE(SUM(CASE WHEN tt.state IN ('running', 'paused') OR (tt.state = 'met' AND tt.met_at >= $3) \
                 OR (tt.state = 'breached' AND tt.breached_at >= $3) THEN 1 ELSE 0 END), 0) AS pending \
             FROM ticket_targets tt JOIN tickets t ON t.id = tt.ticket_id{joins} \
             WHERE tt.org_id = $1 AND tt.state <> 'cancelled' AND t.created_at < $3 \
               AND (tt.state IN ('running', 'paused') OR tt.met_at >= $2 OR tt.breached_at >= $2) \
             GROUP BY tt.target{group_value}"
        )))
        .bind(org_id)
        .bind(from)
        .bind(to)
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            compliance.push(ComplianceRow {
                target: parse_stored(&row.try_get::<String, _>("target")?)?,
                dimension,
                value: row.try_get("value")?,
                met: row.try_get("met")?,
                breached: row.try_get("breached")?,
                pending: row.try_get("pending")?,
            });
        }
    }

    // Breaches of the range with their root causes; the causes' counts follow from them.
    let rows = sqlx::query(
        "SELECT t.number, tt.target, tt.breached_at, rc.category, rc.description \
         FROM ticket_targets tt JOIN tickets t ON t.id = tt.ticket_id \
         LEFT JOIN root_causes rc ON rc.ticket_id = tt.ticket_id AND rc.target = tt.target \
         WHERE tt.org_id = $1 AND tt.breached_at >= $2 AND tt.breached_at < $3 AND tt.state <> 'cancelled' AND t.created_at < $3",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let mut breaches = Vec::with_capacity(rows.len());
    let mut root_causes: std::collections::BTreeMap<String, i64> = Default::default();
    for row in &rows {
        let category: Option<String> = row.try_get("category")?;
        if let Some(category) = &category {
            *root_causes.entry(category.clone()).or_default() += 1;
        }
        breaches.push(BreachRow {
            number: row.try_get("number")?,
            target: parse_stored(&row.try_get::<String, _>("target")?)?,
            breached_at: from_micros(row.try_get("breached_at")?)?,
            root_cause_category: category,
            root_cause_description: row.try_get("description")?,
        });
    }

    // First responses: public replies of the range with no earlier public reply on the ticket.
    let rows = sqlx::query(
        "SELECT m.created_at - t.created_at AS elapsed FROM messages m JOIN tickets t ON t.id = m.ticket_id \
         WHERE m.org_id = $1 AND m.kind = 'public_reply' AND m.created_at >= $2 AND m.created_at < $3 \
           AND NOT EXISTS (SELECT 1 FROM messages p WHERE p.ticket_id = m.ticket_id AND p.kind = 'public_reply' \
                           AND (p.created_at < m.created_at OR (p.created_at = m.created_at AND p.id < m.id)))",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let first_response =
        Distribution::of(rows.iter().map(|row| row.try_get::<i64, _>("elapsed").map(report_seconds)).collect::<Result<_, _>>()?);

    // Tickets resolved in the range (resolved or closed now): closure times, the resolvers'
    // workload and the satisfaction survey's denominator.
    let rows = sqlx::query(
        "SELECT resolved_at - created_at AS elapsed, assignee_id FROM tickets \
         WHERE org_id = $1 AND status IN ('resolved', 'closed') AND resolved_at >= $2 AND resolved_at < $3",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let mut closure_times = Vec::with_capacity(rows.len());
    let mut workload: std::collections::BTreeMap<i64, AgentWorkload> = Default::default();
    for row in &rows {
        closure_times.push(report_seconds(row.try_get("elapsed")?));
        if let Some(assignee) = row.try_get::<Option<i64>, _>("assignee_id")? {
            report_agent(&mut workload, assignee).resolved += 1;
        }
    }
    let asked = rows.len() as i64;
    let closure = Distribution::of(closure_times);

    let rows = sqlx::query(
        "SELECT t.number, r.score, r.handling_score, r.clarity_score, r.closure_score, r.comment \
         FROM satisfaction_ratings r JOIN tickets t ON t.id = r.ticket_id \
         WHERE t.org_id = $1 AND t.status IN ('resolved', 'closed') AND t.resolved_at >= $2 AND t.resolved_at < $3",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let mut dimensions: Vec<ScoreSummary> =
        SatisfactionDimension::ALL.iter().map(|dimension| ScoreSummary { dimension: *dimension, by_score: [0; 5] }).collect();
    let mut comments = Vec::new();
    for row in &rows {
        let score = report_score(Some(row.try_get("score")?))?.unwrap_or(1);
        let scores = [
            Some(score),
            report_score(row.try_get("handling_score")?)?,
            report_score(row.try_get("clarity_score")?)?,
            report_score(row.try_get("closure_score")?)?,
        ];
        for (summary, score) in dimensions.iter_mut().zip(scores) {
            if let Some(score) = score {
                summary.by_score[usize::from(score) - 1] += 1;
            }
        }
        let comment: String = row.try_get("comment")?;
        if !comment.trim().is_empty() {
            comments.push(RatingComment { number: row.try_get("number")?, score, comment });
        }
    }
    let satisfaction = Satisfaction { asked, answered: rows.len() as i64, dimensions, comments };

    // Backlog and aging at `to`. A ticket untouched since `to` still has the status it had
    // then; only the few changed since need their status at `to` read from their events.
    let open = report_open_list();
    let bounds: Vec<i64> = [1, 3, 7, 14].iter().map(|days| to - days * REPORT_MICROS_PER_DAY).collect();
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT status, CAST(CASE WHEN created_at > $3 THEN 0 WHEN created_at > $4 THEN 1 WHEN created_at > $5 THEN 2 \
         WHEN created_at > $6 THEN 3 ELSE 4 END AS BIGINT) AS bucket, COUNT(*) AS tickets FROM tickets \
         WHERE org_id = $1 AND created_at < $2 AND updated_at < $2 AND status IN ({open}) GROUP BY status, bucket"
    )))
    .bind(org_id)
    .bind(to)
    .bind(bounds[0])
    .bind(bounds[1])
    .bind(bounds[2])
    .bind(bounds[3])
    .fetch_all(&mut *conn)
    .await?;
    let mut backlog: std::collections::BTreeMap<TicketStatus, i64> = Default::default();
    let mut aging = [0_i64; 5];
    for row in &rows {
        let status: TicketStatus = parse_stored(&row.try_get::<String, _>("status")?)?;
        let bucket: i64 = row.try_get("bucket")?;
        let count: i64 = row.try_get("tickets")?;
        *backlog.entry(status).or_default() += count;
        aging[usize::try_from(bucket).unwrap_or(4).min(4)] += count;
    }
    let rows = sqlx::query(
        "SELECT t.created_at, \
         (SELECT e.after_value FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'changed' AND e.field = 'status' \
          AND e.at < $2 ORDER BY e.id DESC LIMIT 1) AS status_then, \
         (SELECT e.after_value FROM ticket_events e WHERE e.ticket_id = t.id AND e.kind = 'created' ORDER BY e.id LIMIT 1) AS created_facts \
         FROM tickets t WHERE t.org_id = $1 AND t.created_at < $2 AND t.updated_at >= $2",
    )
    .bind(org_id)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    for row in &rows {
        let status_then: Option<String> = row.try_get("status_then")?;
        let created_facts: Option<String> = row.try_get("created_facts")?;
        let status_json = match (status_then, created_facts) {
            (Some(status), _) => serde_json::from_str::<serde_json::Value>(&status),
            (None, Some(facts)) => serde_json::from_str::<serde_json::Value>(&facts).map(|facts| facts["status"].clone()),
            (None, None) => return Err(StoreError::Corrupt("a ticket without a 'created' event".into())),
        }
        .map_err(|error| StoreError::Corrupt(format!("a stored event is not JSON: {error}")))?;
        let status: TicketStatus = parse_stored(status_json.as_str().unwrap_or_default())?;
        if status.is_open() {
            let created_at = from_micros(row.try_get("created_at")?)?;
            *backlog.entry(status).or_default() += 1;
            aging[sanad_domain::reports::aging_bucket(range.to().duration_since(created_at))] += 1;
        }
    }

    let rows = sqlx::query(
        "SELECT stage, stage_name, COUNT(*) AS escalations FROM escalations \
         WHERE org_id = $1 AND started_at >= $2 AND started_at < $3 GROUP BY stage, stage_name",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let escalations = rows
        .iter()
        .map(|row| {
            Ok(EscalationCount {
                stage: row.try_get::<i64, _>("stage")? + 1,
                name: row.try_get("stage_name")?,
                count: row.try_get("escalations")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;

    let rows = sqlx::query(
        "SELECT kind, channel, COUNT(*) AS tickets FROM tickets WHERE org_id = $1 AND created_at >= $2 AND created_at < $3 \
         GROUP BY kind, channel",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    let mut by_kind: std::collections::BTreeMap<TicketKind, i64> = Default::default();
    let mut by_channel: std::collections::BTreeMap<Channel, i64> = Default::default();
    for row in &rows {
        let count: i64 = row.try_get("tickets")?;
        *by_kind.entry(parse_stored(&row.try_get::<String, _>("kind")?)?).or_default() += count;
        *by_channel.entry(parse_stored(&row.try_get::<String, _>("channel")?)?).or_default() += count;
    }

    // Assignments of the range, to whom they were made (the event's value is the JSON id).
    let rows = sqlx::query(
        "SELECT after_value, COUNT(*) AS assignments FROM ticket_events \
         WHERE org_id = $1 AND at >= $2 AND at < $3 AND kind = 'changed' AND field = 'assignee' GROUP BY after_value",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    for row in &rows {
        let value: Option<String> = row.try_get("after_value")?;
        if let Some(user_id) = value.and_then(|text| text.trim().parse::<i64>().ok()) {
            report_agent(&mut workload, user_id).assigned += row.try_get::<i64, _>("assignments")?;
        }
    }
    let rows = sqlx::query(
        "SELECT actor_id, COUNT(*) AS replies FROM messages \
         WHERE org_id = $1 AND kind = 'public_reply' AND created_at >= $2 AND created_at < $3 \
           AND actor_kind = 'staff' AND actor_id IS NOT NULL GROUP BY actor_id",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .fetch_all(&mut *conn)
    .await?;
    for row in &rows {
        report_agent(&mut workload, row.try_get("actor_id")?).public_replies += row.try_get::<i64, _>("replies")?;
    }

    let mut report = Report {
        range: *range,
        compliance,
        first_response,
        closure,
        backlog: backlog.into_iter().collect(),
        aging,
        escalations,
        breaches,
        root_causes: root_causes.into_iter().collect(),
        satisfaction,
        volume_by_kind: by_kind.into_iter().collect(),
        volume_by_channel: by_channel.into_iter().collect(),
        workload: workload.into_values().collect(),
    };
    report.normalize();
    Ok(report)
}

fn report_agent(workload: &mut std::collections::BTreeMap<i64, AgentWorkload>, user_id: i64) -> &mut AgentWorkload {
    workload.entry(user_id).or_insert(AgentWorkload { user_id, assigned: 0, public_replies: 0, resolved: 0 })
}

pub(crate) async fn report_raw_events(pools: &Pool, org_id: i64) -> Result<crate::reports::ReportEvents, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let rows = sqlx::query(
        "SELECT t.number, e.ticket_id, e.at, e.actor_kind, e.actor_id, e.kind, e.field, e.after_value \
         FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id WHERE e.org_id = $1 ORDER BY e.ticket_id, e.id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut tickets: Vec<TicketLog> = Vec::new();
    let mut current: Option<i64> = None;
    for row in &rows {
        let ticket_id: i64 = row.try_get("ticket_id")?;
        if current != Some(ticket_id) {
            current = Some(ticket_id);
            tickets.push(TicketLog { number: row.try_get("number")?, events: Vec::new() });
        }
        let actor_kind: String = row.try_get("actor_kind")?;
        let after: Option<String> = row.try_get("after_value")?;
        let event = LoggedEvent {
            at: from_micros(row.try_get("at")?)?,
            kind: parse_stored(&row.try_get::<String, _>("kind")?)?,
            field: parse_optional(row.try_get("field")?)?,
            after: after
                .map(|text| serde_json::from_str(&text))
                .transpose()
                .map_err(|error| StoreError::Corrupt(format!("a stored event is not JSON: {error}")))?,
            staff_id: if actor_kind == "staff" { row.try_get("actor_id")? } else { None },
        };
        if let Some(log) = tickets.last_mut() {
            log.events.push(event);
        }
    }
    let rows = sqlx::query(
        "SELECT t.number, r.score, r.handling_score, r.clarity_score, r.closure_score, r.comment \
         FROM satisfaction_ratings r JOIN tickets t ON t.id = r.ticket_id WHERE t.org_id = $1 ORDER BY t.id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let ratings = rows
        .iter()
        .map(|row| {
            Ok(LoggedRating {
                number: row.try_get("number")?,
                score: report_score(Some(row.try_get("score")?))?.unwrap_or(1),
                handling: report_score(row.try_get("handling_score")?)?,
                clarity: report_score(row.try_get("clarity_score")?)?,
                closure: report_score(row.try_get("closure_score")?)?,
                comment: row.try_get("comment")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    let rows = sqlx::query(
        "SELECT t.number, rc.target, rc.description FROM root_causes rc JOIN tickets t ON t.id = rc.ticket_id \
         WHERE rc.org_id = $1 ORDER BY rc.id",
    )
    .bind(org_id)
    .fetch_all(&mut *conn)
    .await?;
    let root_causes = rows
        .iter()
        .map(|row| {
            Ok(LoggedRootCause {
                number: row.try_get("number")?,
                target: parse_stored(&row.try_get::<String, _>("target")?)?,
                description: row.try_get("description")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    Ok(crate::reports::ReportEvents { tickets, ratings, root_causes })
}

pub(crate) async fn report_organization_ids(pools: &Pool) -> Result<Vec<i64>, StoreError> {
    let rows = sqlx::query("SELECT id FROM organizations ORDER BY id").fetch_all(&pools.reader).await?;
    rows.iter().map(|row| row.try_get("id").map_err(StoreError::from)).collect()
}

pub(crate) async fn report_digest_recipients(pools: &Pool, org_id: i64) -> Result<Vec<crate::reports::DigestRecipient>, StoreError> {
    let rows = sqlx::query(
        "SELECT id, name, email FROM users WHERE org_id = $1 AND disabled_at IS NULL AND role IN ($2, $3) ORDER BY id",
    )
    .bind(org_id)
    .bind(StaffRole::Director.as_str())
    .bind(StaffRole::Executive.as_str())
    .fetch_all(&pools.reader)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(crate::reports::DigestRecipient { user_id: row.try_get("id")?, name: row.try_get("name")?, email: row.try_get("email")? })
        })
        .collect()
}

pub(crate) async fn report_claim_digest(pools: &Pool, org_id: i64, period_start: Timestamp, now: Timestamp) -> Result<bool, StoreError> {
    let claimed = sqlx::query(
        "INSERT INTO report_digests (org_id, period_start, sent_at) VALUES ($1, $2, $3) \
         ON CONFLICT (org_id, period_start) DO NOTHING RETURNING org_id",
    )
    .bind(org_id)
    .bind(to_micros(period_start))
    .bind(to_micros(now))
    .fetch_optional(&pools.writer)
    .await?;
    Ok(claimed.is_some())
}

pub(crate) async fn report_last_digest_start(pools: &Pool, org_id: i64) -> Result<Option<Timestamp>, StoreError> {
    let row = sqlx::query("SELECT MAX(period_start) AS latest FROM report_digests WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(&pools.reader)
        .await?;
    row.try_get::<Option<i64>, _>("latest")?.map(from_micros).transpose()
}

// Only a claim that has sent nothing can be given back: once one manager has the digest, the
// period stays claimed so that nobody receives it twice.
pub(crate) async fn report_release_digest(pools: &Pool, org_id: i64, period_start: Timestamp) -> Result<bool, StoreError> {
    let released = sqlx::query("DELETE FROM report_digests WHERE org_id = $1 AND period_start = $2 AND recipients = 0")
        .bind(org_id)
        .bind(to_micros(period_start))
        .execute(&pools.writer)
        .await?;
    Ok(released.rows_affected() > 0)
}

pub(crate) async fn report_record_digest_recipients(pools: &Pool, org_id: i64, period_start: Timestamp, recipients: i64) -> Result<(), StoreError> {
    sqlx::query("UPDATE report_digests SET recipients = $3 WHERE org_id = $1 AND period_start = $2")
        .bind(org_id)
        .bind(to_micros(period_start))
        .bind(recipients)
        .execute(&pools.writer)
        .await?;
    Ok(())
}
