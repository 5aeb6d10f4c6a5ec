// The service-level engine's queries, written once and included next to `queries.rs` for each
// backend. Targets are planned by `sanad_domain::service_levels` from the organization's policy;
// this file persists them, keeps their timers in step, fires due timers exactly once, climbs the
// escalation ladder and records root causes.

use sanad_domain::calendar::DurationExpr;
use sanad_domain::policy::{EscalationAction, EscalationOwner, EscalationTrigger, Policy, RequesterEscalation};
use sanad_domain::service_levels::{TargetEffect, TargetKind, TargetPlan, TargetState, TicketHappening, alert_instants};

/// A target row as the engine works with it.
#[derive(Clone)]
struct TargetRow {
    target: TargetKind,
    duration: DurationExpr,
    calendar: String,
    state: TargetState,
    started_at: Timestamp,
    deadline: Timestamp,
    paused_at: Option<Timestamp>,
    met_at: Option<Timestamp>,
    breached_at: Option<Timestamp>,
}

fn target_from_row(row: &DbRow) -> Result<TargetRow, StoreError> {
    let optional = |name: &str| -> Result<Option<Timestamp>, StoreError> {
        row.try_get::<Option<i64>, _>(name)?.map(from_micros).transpose()
    };
    Ok(TargetRow {
        target: parse_stored(&row.try_get::<String, _>("target")?)?,
        duration: parse_stored(&row.try_get::<String, _>("duration")?)?,
        calendar: row.try_get("calendar")?,
        state: parse_stored(&row.try_get::<String, _>("state")?)?,
        started_at: from_micros(row.try_get("started_at")?)?,
        deadline: from_micros(row.try_get("deadline_at")?)?,
        paused_at: optional("paused_at")?,
        met_at: optional("met_at")?,
        breached_at: optional("breached_at")?,
    })
}

async fn load_targets(conn: &mut DbConn, ticket_id: i64) -> Result<Vec<TargetRow>, StoreError> {
    let rows = sqlx::query(
        "SELECT target, duration, calendar, state, started_at, deadline_at, paused_at, met_at, breached_at \
         FROM ticket_targets WHERE ticket_id = $1 ORDER BY id",
    )
    .bind(ticket_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(target_from_row).collect()
}

fn deadline_error(error: sanad_domain::calendar::DeadlineError) -> StoreError {
    StoreError::Invalid(format!("the policy's calendar cannot compute this deadline: {error}"))
}

fn calendar_of<'p>(policy: &'p Policy, name: &str) -> Result<&'p sanad_domain::calendar::WorkingCalendar, StoreError> {
    policy
        .calendar(name)
        .ok_or_else(|| StoreError::Invalid(format!("the policy in force has no calendar '{name}'")))
}

fn service_level_event(detail: serde_json::Value) -> PendingEvent {
    PendingEvent { system: true, kind: EventKind::ServiceLevel, field: None, before: None, after: Some(detail) }
}

/// Replaces a target's unfired timers: pre-breach alerts at the policy's fractions and the breach
/// at the deadline.
async fn schedule_target_timers(
    conn: &mut DbConn,
    org_id: i64,
    ticket_id: i64,
    policy: &Policy,
    row: &TargetRow,
    now: Timestamp,
) -> Result<(), StoreError> {
    cancel_target_timers(conn, ticket_id, row.target).await?;
    let calendar = calendar_of(policy, &row.calendar)?;
    let alerts = alert_instants(calendar, &row.duration, row.started_at, row.deadline, &policy.service_levels().alert_at, now)
        .map_err(deadline_error)?;
    let mut builder = SqlBuilder::new("INSERT INTO timers (org_id, ticket_id, kind, target, alert_permille, due_at) VALUES ");
    let breach_at = row.deadline.max(now);
    builder.push(
        "(?, ?, 'breach', ?, NULL, ?)",
        [Param::Int(org_id), Param::Int(ticket_id), Param::Text(row.target.as_str().to_owned()), Param::Int(to_micros(breach_at))],
    );
    for (fraction, at) in alerts {
        builder.push(
            ", (?, ?, 'alert', ?, ?, ?)",
            [
                Param::Int(org_id),
                Param::Int(ticket_id),
                Param::Text(row.target.as_str().to_owned()),
                Param::Int((fraction * 1000.0).round() as i64),
                Param::Int(to_micros(at)),
            ],
        );
    }
    builder.fetch_all(conn).await?;
    Ok(())
}

async fn cancel_target_timers(conn: &mut DbConn, ticket_id: i64, target: TargetKind) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM timers WHERE ticket_id = $1 AND target = $2 AND fired_at IS NULL")
        .bind(ticket_id)
        .bind(target.as_str())
        .execute(&mut *conn)
        .await?;
    Ok(())
}

async fn save_target(conn: &mut DbConn, org_id: i64, ticket_id: i64, row: &TargetRow) -> Result<(), StoreError> {
    let micros = |at: Option<Timestamp>| at.map(to_micros);
    sqlx::query(
        "INSERT INTO ticket_targets (org_id, ticket_id, target, duration, calendar, started_at, deadline_at, state, paused_at, met_at, breached_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (ticket_id, target) DO UPDATE SET duration = $4, calendar = $5, started_at = $6, deadline_at = $7, state = $8, \
         paused_at = $9, met_at = $10, breached_at = $11",
    )
    .bind(org_id)
    .bind(ticket_id)
    .bind(row.target.as_str())
    .bind(row.duration.to_string())
    .bind(&row.calendar)
    .bind(to_micros(row.started_at))
    .bind(to_micros(row.deadline))
    .bind(row.state.as_str())
    .bind(micros(row.paused_at))
    .bind(micros(row.met_at))
    .bind(micros(row.breached_at))
    .execute(&mut *conn)
    .await?;
    // Keep the ticket's attention moment (see migration 20261122000004) in step with its targets.
    sqlx::query(
        "UPDATE tickets SET attention_at = COALESCE((SELECT MIN(tt.deadline_at) FROM ticket_targets tt \
         WHERE tt.ticket_id = $1 AND tt.state IN ('running', 'breached')), 9223372036854775807) WHERE id = $1",
    )
    .bind(ticket_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn target_event(row: &TargetRow, change: &str) -> PendingEvent {
    service_level_event(serde_json::json!({
        "target": row.target,
        "change": change,
        "state": row.state,
        "deadline": row.deadline.to_string(),
    }))
}

/// Brings a ticket's targets in line with its facts and the policy: creates targets that now
/// apply (for example closure, once complexity is known), recomputes those whose duration
/// changed (reclassification), and cancels those that no longer apply. Targets are measured from
/// the ticket's arrival, as the published times are.
async fn sync_targets(
    conn: &mut DbConn,
    org_id: i64,
    ticket: &TicketSummary,
    facts: &TicketFacts,
    policy: &Policy,
    now: Timestamp,
    events: &mut Vec<PendingEvent>,
) -> Result<(), StoreError> {
    let existing = load_targets(conn, ticket.id).await?;
    for kind in TargetKind::ALL.iter().copied() {
        let wanted = policy.target_duration(kind, facts.channel, facts.importance, facts.complexity);
        let current = existing.iter().find(|row| row.target == kind);
        match (wanted, current) {
            (Some((duration, calendar)), None) => {
                let plan = TargetPlan::new(kind, duration, calendar, ticket.created_at).map_err(deadline_error)?;
                let row = TargetRow {
                    target: kind,
                    duration: plan.duration,
                    calendar: plan.calendar,
                    state: TargetState::Running,
                    started_at: plan.started_at,
                    deadline: plan.deadline,
                    paused_at: None,
                    met_at: None,
                    breached_at: None,
                };
                save_target(conn, org_id, ticket.id, &row).await?;
                schedule_target_timers(conn, org_id, ticket.id, policy, &row, now).await?;
                events.push(target_event(&row, "started"));
            }
            (Some((duration, calendar)), Some(row))
                if (row.duration != *duration || row.calendar != calendar.name())
                    && matches!(row.state, TargetState::Running | TargetState::Paused) =>
            {
                let deadline = calendar.deadline(row.started_at, duration).map_err(deadline_error)?;
                let updated = TargetRow {
                    target: kind,
                    duration: *duration,
                    calendar: calendar.name().to_owned(),
                    state: row.state,
                    started_at: row.started_at,
                    deadline,
                    paused_at: row.paused_at,
                    met_at: None,
                    breached_at: None,
                };
                save_target(conn, org_id, ticket.id, &updated).await?;
                if updated.state == TargetState::Running {
                    schedule_target_timers(conn, org_id, ticket.id, policy, &updated, now).await?;
                }
                events.push(target_event(&updated, "recomputed"));
            }
            (None, Some(row)) if matches!(row.state, TargetState::Running | TargetState::Paused) => {
                let cancelled = TargetRow { state: TargetState::Cancelled, ..row.clone() };
                save_target(conn, org_id, ticket.id, &cancelled).await?;
                cancel_target_timers(conn, ticket.id, kind).await?;
                events.push(target_event(&cancelled, "no_longer_applies"));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Applies what happened to a ticket (a public reply, a status change) to each of its targets.
async fn apply_happening(
    conn: &mut DbConn,
    org_id: i64,
    ticket_id: i64,
    policy: &Policy,
    happening: TicketHappening,
    now: Timestamp,
    events: &mut Vec<PendingEvent>,
) -> Result<(), StoreError> {
    // Most status moves (received → registered on every create, for one) touch no clock; they
    // need not read the targets at all.
    if TargetKind::ALL.iter().all(|kind| kind.effect_of(happening).is_none()) {
        return Ok(());
    }
    for row in load_targets(conn, ticket_id).await? {
        let Some(effect) = row.target.effect_of(happening) else { continue };
        let mut next = row.clone();
        let change = match (effect, row.state) {
            (TargetEffect::Meet, TargetState::Running | TargetState::Paused) => {
                next.state = TargetState::Met;
                next.met_at = Some(now);
                next.paused_at = None;
                "met"
            }
            // A breached target stays breached for the record, but notes when it was met.
            (TargetEffect::Meet, TargetState::Breached) if row.met_at.is_none() => {
                next.met_at = Some(now);
                "met_late"
            }
            (TargetEffect::Pause, TargetState::Running) => {
                next.state = TargetState::Paused;
                next.paused_at = Some(now);
                "paused"
            }
            (TargetEffect::Resume, TargetState::Paused) => {
                let paused_at = row.paused_at.unwrap_or(now);
                let calendar = calendar_of(policy, &row.calendar)?;
                next.deadline = calendar.extend_for_pause(row.deadline, paused_at, now, &row.duration).map_err(deadline_error)?;
                next.state = TargetState::Running;
                next.paused_at = None;
                "resumed"
            }
            // A reopened ticket's closure clocks run again; the time it spent resolved is not
            // counted against them.
            (TargetEffect::Reopen, TargetState::Met) => {
                let met_at = row.met_at.unwrap_or(now);
                let calendar = calendar_of(policy, &row.calendar)?;
                next.deadline = calendar.extend_for_pause(row.deadline, met_at, now, &row.duration).map_err(deadline_error)?;
                next.state = TargetState::Running;
                next.met_at = None;
                "reopened"
            }
            (TargetEffect::Cancel, TargetState::Running | TargetState::Paused) => {
                next.state = TargetState::Cancelled;
                next.paused_at = None;
                "cancelled"
            }
            _ => continue,
        };
        save_target(conn, org_id, ticket_id, &next).await?;
        if next.state == TargetState::Running {
            schedule_target_timers(conn, org_id, ticket_id, policy, &next, now).await?;
        } else {
            cancel_target_timers(conn, ticket_id, next.target).await?;
        }
        events.push(target_event(&next, change));
    }
    Ok(())
}

pub(crate) async fn ticket_targets(conn: &mut DbConn, ticket_id: i64) -> Result<Vec<TargetRecord>, StoreError> {
    Ok(load_targets(conn, ticket_id)
        .await?
        .into_iter()
        .map(|row| TargetRecord {
            target: row.target,
            duration: row.duration.to_string(),
            calendar: row.calendar,
            state: row.state,
            started_at: row.started_at,
            deadline: row.deadline,
            paused_at: row.paused_at,
            met_at: row.met_at,
            breached_at: row.breached_at,
        })
        .collect())
}

pub(crate) async fn ticket_escalations(conn: &mut DbConn, ticket_id: i64) -> Result<Vec<EscalationRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT stage, stage_name, reason, owner_user_id, started_at, deadline_at FROM escalations WHERE ticket_id = $1 ORDER BY stage",
    )
    .bind(ticket_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(EscalationRecord {
                stage: row.try_get("stage")?,
                stage_name: row.try_get("stage_name")?,
                reason: row.try_get("reason")?,
                owner_user_id: row.try_get("owner_user_id")?,
                started_at: from_micros(row.try_get("started_at")?)?,
                deadline: from_micros(row.try_get("deadline_at")?)?,
            })
        })
        .collect()
}

pub(crate) async fn ticket_root_causes(conn: &mut DbConn, ticket_id: i64) -> Result<Vec<RootCauseRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT target, category, description, corrective_action, actor_label, recorded_at FROM root_causes WHERE ticket_id = $1 ORDER BY id",
    )
    .bind(ticket_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(RootCauseRecord {
                target: parse_stored(&row.try_get::<String, _>("target")?)?,
                category: row.try_get("category")?,
                description: row.try_get("description")?,
                corrective_action: row.try_get("corrective_action")?,
                recorded_by: row.try_get("actor_label")?,
                recorded_at: from_micros(row.try_get("recorded_at")?)?,
            })
        })
        .collect()
}

/// Breached targets of a ticket that have no root cause yet: closing waits for them.
async fn breaches_without_root_cause(conn: &mut DbConn, ticket_id: i64) -> Result<Vec<String>, StoreError> {
    let rows = sqlx::query(
        "SELECT t.target FROM ticket_targets t WHERE t.ticket_id = $1 AND t.state = 'breached' \
         AND NOT EXISTS (SELECT 1 FROM root_causes r WHERE r.ticket_id = t.ticket_id AND r.target = t.target) ORDER BY t.id",
    )
    .bind(ticket_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|row| Ok(row.try_get::<String, _>("target")?)).collect()
}

async fn notify(
    conn: &mut DbConn,
    org_id: i64,
    ticket_id: i64,
    users: &[i64],
    kind: &str,
    detail: &serde_json::Value,
    now: Timestamp,
) -> Result<(), StoreError> {
    let mut seen = std::collections::BTreeSet::new();
    for user in users {
        if !seen.insert(*user) {
            continue;
        }
        sqlx::query("INSERT INTO notifications (org_id, ticket_id, user_id, kind, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(org_id)
            .bind(ticket_id)
            .bind(*user)
            .bind(kind)
            .bind(detail.to_string())
            .bind(to_micros(now))
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// The people a ticket's clocks concern: its assignee and the team leads of its departments.
async fn assignee_and_team_leads(conn: &mut DbConn, org_id: i64, ticket: &TicketSummary) -> Result<Vec<i64>, StoreError> {
    let mut users: Vec<i64> = ticket.assignee_id.into_iter().collect();
    let rows = sqlx::query(
        "SELECT DISTINCT u.id FROM users u JOIN user_departments ud ON ud.user_id = u.id \
         JOIN ticket_departments td ON td.department_id = ud.department_id \
         WHERE u.org_id = $1 AND td.ticket_id = $2 AND u.role = 'team_lead' AND u.disabled_at IS NULL ORDER BY u.id",
    )
    .bind(org_id)
    .bind(ticket.id)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        users.push(row.try_get("id")?);
    }
    Ok(users)
}

/// The staff member who owns an escalation stage: a named person, or the holder of the role,
/// preferring one in the ticket's departments.
async fn resolve_owner(conn: &mut DbConn, org_id: i64, ticket: &TicketSummary, owner: &EscalationOwner) -> Result<Option<i64>, StoreError> {
    let row = match owner {
        EscalationOwner::Person(email) => {
            sqlx::query("SELECT id FROM users WHERE org_id = $1 AND email = $2 AND disabled_at IS NULL")
                .bind(org_id)
                .bind(email.as_str())
                .fetch_optional(&mut *conn)
                .await?
        }
        EscalationOwner::Role(role) => {
            sqlx::query(
                "SELECT u.id FROM users u WHERE u.org_id = $1 AND u.role = $2 AND u.disabled_at IS NULL \
                 ORDER BY CASE WHEN EXISTS (SELECT 1 FROM user_departments ud JOIN ticket_departments td \
                 ON td.department_id = ud.department_id WHERE ud.user_id = u.id AND td.ticket_id = $3) THEN 0 ELSE 1 END, u.id LIMIT 1",
            )
            .bind(org_id)
            .bind(role.as_str())
            .bind(ticket.id)
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    row.map(|row| row.try_get("id")).transpose().map_err(StoreError::from)
}

/// Starts stage `stage` of the ladder, once: its owner is notified, the ticket reassigned or its
/// importance raised as the stage says, and the next stage is scheduled when it follows on time.
#[allow(clippy::too_many_arguments)]
async fn escalate_to_stage(
    conn: &mut DbConn,
    org: &Organization,
    policy: &Policy,
    ticket: &TicketSummary,
    changes: &mut Changes,
    stage_index: usize,
    reason: &str,
    now: Timestamp,
) -> Result<bool, StoreError> {
    let Some(stage) = policy.escalation().get(stage_index) else { return Ok(false) };
    let owner = resolve_owner(conn, org.id, ticket, &stage.owner).await?;
    let deadline = policy.default_calendar().deadline(now, &stage.deadline).map_err(deadline_error)?;
    let inserted = sqlx::query(
        "INSERT INTO escalations (org_id, ticket_id, stage, stage_name, reason, owner_user_id, started_at, deadline_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (ticket_id, stage) DO NOTHING RETURNING id",
    )
    .bind(org.id)
    .bind(ticket.id)
    .bind(stage_index as i64)
    .bind(&stage.name)
    .bind(reason)
    .bind(owner)
    .bind(to_micros(now))
    .bind(to_micros(deadline))
    .fetch_optional(&mut *conn)
    .await?;
    if inserted.is_none() {
        return Ok(false);
    }
    let detail = serde_json::json!({
        "escalation_stage": stage_index + 1,
        "stage": stage.name,
        "reason": reason,
        "owner": owner,
        "deadline": deadline.to_string(),
    });
    changes.events.push(service_level_event(detail.clone()));
    for action in &stage.actions {
        match action {
            EscalationAction::Notify => {
                let mut recipients: Vec<i64> = owner.into_iter().collect();
                recipients.extend(ticket.assignee_id);
                notify(conn, org.id, ticket.id, &recipients, "escalation", &detail, now).await?;
            }
            EscalationAction::Reassign => {
                if let Some(owner) = owner {
                    changes.set(TicketField::Assignee, serde_json::json!(owner), true)?;
                }
            }
            EscalationAction::RaiseImportance => {
                let raised = match changes.facts.importance {
                    Some(Importance::Low) => Some(Importance::Medium),
                    Some(Importance::Medium) | None => Some(Importance::High),
                    Some(Importance::High) => Some(Importance::High),
                };
                changes.set(TicketField::Importance, serde_json::json!(raised), true)?;
            }
        }
    }
    if let Some(next) = policy.escalation().get(stage_index + 1)
        && let EscalationTrigger::AfterPrevious(after) = &next.trigger
    {
        let due = policy.default_calendar().deadline(now, after).map_err(deadline_error)?;
        sqlx::query("INSERT INTO timers (org_id, ticket_id, kind, stage, due_at) VALUES ($1, $2, 'escalation', $3, $4)")
            .bind(org.id)
            .bind(ticket.id)
            .bind((stage_index + 1) as i64)
            .bind(to_micros(due))
            .execute(&mut *conn)
            .await?;
    }
    Ok(true)
}

/// The first ladder stage not yet reached, if the one before it has been.
async fn next_stage(conn: &mut DbConn, ticket_id: i64) -> Result<usize, StoreError> {
    let row = sqlx::query("SELECT COUNT(*) AS reached FROM escalations WHERE ticket_id = $1")
        .bind(ticket_id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(row.try_get::<i64, _>("reached")? as usize)
}

/// Claims up to `limit` due timers for this instance. On PostgreSQL, `FOR UPDATE SKIP LOCKED`
/// lets several instances claim disjoint sets; a claim is a lease, so timers claimed by an
/// instance that died are claimed again once the lease ends. Firing itself is guarded separately
/// (see `fire_timer`), so a timer's effects happen exactly once whatever the claims do.
pub(crate) async fn claim_due_timers(
    pools: &Pool,
    instance: &str,
    now: Timestamp,
    lease: jiff::SignedDuration,
    limit: i64,
) -> Result<Vec<ClaimedTimer>, StoreError> {
    let skip_locked = if DIALECT == crate::BackendKind::Postgres { " FOR UPDATE SKIP LOCKED" } else { "" };
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "UPDATE timers SET claimed_by = $1, claimed_until = $2 WHERE id IN (\
         SELECT id FROM timers WHERE fired_at IS NULL AND due_at <= $3 AND (claimed_until IS NULL OR claimed_until < $3) \
         ORDER BY due_at LIMIT $4{skip_locked}) RETURNING id, org_id, ticket_id, due_at"
    )))
    .bind(instance)
    .bind(to_micros(now + lease))
    .bind(to_micros(now))
    .bind(limit)
    .fetch_all(&pools.writer)
    .await?;
    let mut timers = rows
        .iter()
        .map(|row| {
            Ok(ClaimedTimer {
                id: row.try_get("id")?,
                org_id: row.try_get("org_id")?,
                ticket_id: row.try_get("ticket_id")?,
                due_at: from_micros(row.try_get("due_at")?)?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    // Grouped by ticket and in due order within each, so a ticket's alerts come before its
    // breach and one ticket's timers never straddle two concurrently fired batches.
    timers.sort_by_key(|timer| (timer.org_id, timer.ticket_id, timer.due_at, timer.id));
    Ok(timers)
}

/// Fires one claimed timer inside the caller's transaction. Marking it fired is the first
/// statement and is conditional (`fired_at IS NULL`), so if two instances ever race for one
/// timer, only one of them goes on to apply its effects. Returns whether this call fired it.
async fn fire_timer_in(
    conn: &mut DbConn,
    org: &Organization,
    policy: Option<&Policy>,
    timer_id: i64,
    now: Timestamp,
) -> Result<bool, StoreError> {
    // Lock order: the ticket's row first, then its timers — the order every API write uses too
    // (`load_ticket` locks the ticket before targets and timers change). Firing a breach deletes
    // the ticket's other pending timers, so taking a timer's row before its ticket's let two
    // instances each hold a timer the other needed (a deadlock PostgreSQL reported in CI).
    // Batches take tickets in ascending order, so no two transactions wait on each other in a
    // cycle.
    // The ticket's row lock on PostgreSQL, taken without writing the row (a write would add
    // a row version and index entries for every fired timer). On SQLite the transaction already
    // holds the write lock (see `begin_firing`), so a plain read suffices.
    let lock = if DIALECT == crate::BackendKind::Postgres { " FOR UPDATE" } else { "" };
    let locked = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT id FROM tickets WHERE id = (SELECT ticket_id FROM timers WHERE id = $1 AND fired_at IS NULL){lock}"
    )))
    .bind(timer_id)
    .fetch_optional(&mut *conn)
    .await?;
    if locked.is_none() {
        return Ok(false);
    }
    let row = sqlx::query(
        "UPDATE timers SET fired_at = $2 WHERE id = $1 AND fired_at IS NULL RETURNING ticket_id, kind, target, alert_permille, stage, due_at",
    )
    .bind(timer_id)
    .bind(to_micros(now))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(false) };
    let Some(policy) = policy else {
        // Without a policy in force there is nothing to enforce; the timer is spent.
        return Ok(true);
    };
    let ticket_id: i64 = row.try_get("ticket_id")?;
    let kind: String = row.try_get("kind")?;
    let number: String = sqlx::query("SELECT number FROM tickets WHERE id = $1")
        .bind(ticket_id)
        .fetch_one(&mut *conn)
        .await?
        .try_get("number")?;
    let ticket = load_ticket_or_404(&mut *conn, org.id, &number).await?;
    let mut changes = Changes::new(facts_of(&ticket));
    match kind.as_str() {
        "alert" | "breach" => {
            let target: TargetKind = parse_stored(&row.try_get::<String, _>("target")?)?;
            let targets = load_targets(&mut *conn, ticket_id).await?;
            let Some(current) = targets.iter().find(|candidate| candidate.target == target) else {
                        return Ok(true);
            };
            if current.state != TargetState::Running {
                        return Ok(true);
            }
            let recipients = assignee_and_team_leads(&mut *conn, org.id, &ticket).await?;
            if kind == "alert" {
                let permille: i64 = row.try_get::<Option<i64>, _>("alert_permille")?.unwrap_or(0);
                let detail = serde_json::json!({
                    "target": target, "alert_at": permille as f64 / 1000.0, "deadline": current.deadline.to_string(),
                });
                notify(&mut *conn, org.id, ticket_id, &recipients, "pre_breach_alert", &detail, now).await?;
                changes.events.push(service_level_event(serde_json::json!({
                    "target": target, "change": "alert", "alert_at": permille as f64 / 1000.0, "deadline": current.deadline.to_string(),
                })));
            } else if current.deadline <= now {
                let breached = TargetRow { state: TargetState::Breached, breached_at: Some(now), ..current.clone() };
                save_target(&mut *conn, org.id, ticket_id, &breached).await?;
                cancel_target_timers(&mut *conn, ticket_id, target).await?;
                let detail = serde_json::json!({ "target": target, "deadline": current.deadline.to_string() });
                notify(&mut *conn, org.id, ticket_id, &recipients, "breach", &detail, now).await?;
                changes.events.push(target_event(&breached, "breached"));
                let stage = next_stage(&mut *conn, ticket_id).await?;
                if let Some(next) = policy.escalation().get(stage)
                    && next.trigger == EscalationTrigger::Breached(target)
                {
                    let reason = format!("breached:{target}");
                    escalate_to_stage(&mut *conn, org, policy, &ticket, &mut changes, stage, &reason, now).await?;
                }
            }
        }
        "escalation" => {
            let stage = row.try_get::<Option<i64>, _>("stage")?.unwrap_or(0) as usize;
            let previous_started = sqlx::query("SELECT started_at FROM escalations WHERE ticket_id = $1 AND stage = $2")
                .bind(ticket_id)
                .bind(stage as i64 - 1)
                .fetch_optional(&mut *conn)
                .await?;
            let answered = match previous_started {
                Some(previous) => {
                    let since: i64 = previous.try_get("started_at")?;
                    sqlx::query("SELECT 1 AS answered FROM messages WHERE ticket_id = $1 AND kind = 'public_reply' AND created_at >= $2 LIMIT 1")
                        .bind(ticket_id)
                        .bind(since)
                        .fetch_optional(&mut *conn)
                        .await?
                        .is_some()
                }
                None => true,
            };
            if !answered && ticket.status.is_open() {
                escalate_to_stage(&mut *conn, org, policy, &ticket, &mut changes, stage, "no_response", now).await?;
            }
        }
        "status_update" => {
            // The periodic update a policy promises (seed 001) goes out while the ticket stays
            // open, and the next one is scheduled; a resolved or closed ticket's chain ends here.
            if ticket.status.is_open() {
                changes.events.push(service_level_event(serde_json::json!({ "change": "status_update" })));
                // The cadence counts from when this update was due, not from when the sweep ran,
                // so late sweeps do not push every later update back; after a long outage it
                // restarts from now rather than firing a burst of overdue updates.
                let due_at = from_micros(row.try_get("due_at")?)?;
                let every = policy.organization().status_update_every.as_ref();
                let next_from_due = match every {
                    Some(every) => Some(policy.default_calendar().deadline(due_at, every).map_err(deadline_error)?),
                    None => None,
                };
                let from = if next_from_due.is_some_and(|next| next > now) { due_at } else { now };
                schedule_status_updates(&mut *conn, org.id, ticket_id, Some(policy), from).await?;
            }
        }
        other => return Err(StoreError::Corrupt(format!("unknown timer kind '{other}'"))),
    }
    let facts_changed = changes.events.iter().any(|event| event.kind == EventKind::Changed);
    if facts_changed {
        sync_targets(&mut *conn, org.id, &ticket, &changes.facts.clone(), policy, now, &mut changes.events).await?;
        write_facts(&mut *conn, org.id, ticket_id, &changes.facts, false, now).await?;
    }
    insert_events(&mut *conn, org.id, ticket_id, &changes.events, &Actor::System, now).await?;
    Ok(true)
}

/// Begins a transaction for firing timers. On SQLite it is `BEGIN IMMEDIATE`, which takes the
/// write lock at once (waiting under the busy timeout if another instance writes): a deferred
/// transaction that reads first and writes later cannot upgrade while another connection holds
/// the lock, and fails with SQLITE_BUSY instead of waiting.
async fn begin_firing(pools: &Pool) -> Result<sqlx::Transaction<'static, Db>, StoreError> {
    Ok(if DIALECT == crate::BackendKind::Sqlite { pools.writer.begin_with("BEGIN IMMEDIATE").await? } else { pools.writer.begin().await? })
}

/// Fires a batch of one organization's claimed timers in one transaction, so the commit (an
/// fsync on PostgreSQL) is paid once per batch rather than once per timer. If anything in the
/// batch fails, the timers are fired one transaction each, so one bad timer cannot hold back the
/// others; a timer that still fails is logged and retried after its lease ends.
pub(crate) async fn fire_timers(
    pools: &Pool,
    org: &Organization,
    policy: Option<&Policy>,
    timer_ids: &[i64],
    now: Timestamp,
) -> Result<usize, StoreError> {
    let batch = async {
        let mut tx = begin_firing(pools).await?;
        let mut fired = 0;
        for timer_id in timer_ids {
            if fire_timer_in(&mut tx, org, policy, *timer_id, now).await? {
                fired += 1;
            }
        }
        tx.commit().await?;
        Ok::<usize, StoreError>(fired)
    };
    match batch.await {
        Ok(fired) => Ok(fired),
        Err(error) => {
            tracing::warn!(%error, "a timer batch failed; firing its timers one by one");
            let mut fired = 0;
            for timer_id in timer_ids {
                let mut tx = begin_firing(pools).await?;
                match fire_timer_in(&mut tx, org, policy, *timer_id, now).await {
                    Ok(true) => {
                        tx.commit().await?;
                        fired += 1;
                    }
                    Ok(false) => {}
                    Err(error) => tracing::error!(timer = timer_id, %error, "a timer could not fire; it will be retried"),
                }
            }
            Ok(fired)
        }
    }
}

/// A requester escalates a ticket themselves once a target has lapsed (seeds 001 and 004),
/// referring to their first attempt.
#[allow(clippy::too_many_arguments)] // One call site per backend; a struct would only rename them.
pub(crate) async fn escalate_manually(
    pools: &Pool,
    org: &Organization,
    policy: Option<&Policy>,
    number: &str,
    note: &sanad_domain::MessageBody,
    by: ManualEscalation,
    actor: &Actor,
    now: Timestamp,
) -> Result<EscalationRecord, StoreError> {
    let policy = policy.ok_or_else(|| StoreError::Conflict("this organization has no policy in force, so there is no escalation ladder".into()))?;
    if by == ManualEscalation::ByRequester && policy.requester_escalation().allowed == RequesterEscalation::Never {
        return Err(StoreError::Conflict("this organization's policy does not let requesters escalate".into()));
    }
    let mut tx = pools.writer.begin().await?;
    let ticket = load_ticket_or_404(&mut tx, org.id, number).await?;
    if !ticket.status.is_open() {
        return Err(StoreError::Conflict(format!("ticket {number} is '{}'; only open tickets can be escalated", ticket.status)));
    }
    let lapsed = load_targets(&mut tx, ticket.id)
        .await?
        .iter()
        .any(|row| row.state == TargetState::Breached || (row.state == TargetState::Running && row.deadline <= now));
    if by == ManualEscalation::ByRequester && !lapsed {
        return Err(StoreError::Conflict(
            "no target of this ticket has lapsed yet; a requester can escalate once a published time has passed".into(),
        ));
    }
    let stage = next_stage(&mut tx, ticket.id).await?;
    if stage >= policy.escalation().len() {
        return Err(StoreError::Conflict("the ticket is already at the top of the escalation ladder".into()));
    }
    let mut changes = Changes::new(facts_of(&ticket));
    let message = insert_message(
        &mut tx,
        org.id,
        ticket.id,
        MessageDraft { kind: by.note_kind(), body: note.as_str(), blobs: &[] },
        actor,
        now,
    )
    .await?;
    changes.events.push(message_event(&message));
    escalate_to_stage(&mut tx, org, policy, &ticket, &mut changes, stage, by.reason(), now).await?;
    if changes.events.iter().any(|event| event.kind == EventKind::Changed) {
        sync_targets(&mut tx, org.id, &ticket, &changes.facts.clone(), policy, now, &mut changes.events).await?;
        write_facts(&mut tx, org.id, ticket.id, &changes.facts, false, now).await?;
    }
    insert_events(&mut tx, org.id, ticket.id, &changes.events, actor, now).await?;
    let record = ticket_escalations(&mut tx, ticket.id)
        .await?
        .into_iter()
        .find(|record| record.stage == stage as i64)
        .ok_or_else(|| StoreError::Corrupt("an escalation vanished inside its transaction".into()))?;
    tx.commit().await?;
    Ok(record)
}

pub(crate) async fn record_root_cause(
    pools: &Pool,
    org: &Organization,
    policy: Option<&Policy>,
    number: &str,
    input: &RootCauseInput,
    actor: &Actor,
    now: Timestamp,
) -> Result<RootCauseRecord, StoreError> {
    let policy = policy.ok_or_else(|| StoreError::Conflict("this organization has no policy in force".into()))?;
    if !policy.root_cause_categories().iter().any(|category| category == &input.category) {
        return Err(StoreError::Invalid(format!(
            "'{}' is not a root-cause category of this organization; expected one of: {}",
            input.category,
            policy.root_cause_categories().join(", ")
        )));
    }
    let mut tx = pools.writer.begin().await?;
    let ticket = load_ticket_or_404(&mut tx, org.id, number).await?;
    let breached = load_targets(&mut tx, ticket.id)
        .await?
        .iter()
        .any(|row| row.target == input.target && row.state == TargetState::Breached);
    if !breached {
        return Err(StoreError::Conflict(format!("the '{}' target of ticket {number} was not breached", input.target)));
    }
    let inserted = sqlx::query(
        "INSERT INTO root_causes (org_id, ticket_id, target, category, description, corrective_action, actor_kind, actor_id, actor_label, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (ticket_id, target) DO NOTHING RETURNING id",
    )
    .bind(org.id)
    .bind(ticket.id)
    .bind(input.target.as_str())
    .bind(&input.category)
    .bind(input.description.as_str())
    .bind(input.corrective_action.as_str())
    .bind(actor.kind())
    .bind(actor.id())
    .bind(actor.label())
    .bind(to_micros(now))
    .fetch_optional(&mut *tx)
    .await?;
    if inserted.is_none() {
        return Err(StoreError::Conflict(format!("the root cause of the '{}' breach is already recorded", input.target)));
    }
    let event = service_level_event(serde_json::json!({
        "target": input.target, "change": "root_cause_recorded", "category": input.category,
    }));
    insert_events(&mut tx, org.id, ticket.id, &[PendingEvent { system: false, ..event }], actor, now).await?;
    tx.commit().await?;
    Ok(RootCauseRecord {
        target: input.target,
        category: input.category.clone(),
        description: input.description.as_str().to_owned(),
        corrective_action: input.corrective_action.as_str().to_owned(),
        recorded_by: actor.label().to_owned(),
        recorded_at: from_micros(to_micros(now))?,
    })
}

pub(crate) async fn apply_policy(
    pools: &Pool,
    org_id: i64,
    file_name: &str,
    source: &str,
    now: Timestamp,
) -> Result<i64, StoreError> {
    let mut tx = pools.writer.begin().await?;
    let version: i64 = sqlx::query("SELECT COALESCE(MAX(version), 0) + 1 AS next FROM policies WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(&mut *tx)
        .await?
        .try_get("next")?;
    sqlx::query("INSERT INTO policies (org_id, version, file_name, source, applied_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(org_id)
        .bind(version)
        .bind(file_name)
        .bind(source)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE organizations SET policy_version = $2 WHERE id = $1")
        .bind(org_id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(version)
}

pub(crate) async fn stored_policy(pools: &Pool, org_id: i64, version: i64) -> Result<Option<StoredPolicy>, StoreError> {
    let row = sqlx::query("SELECT version, file_name, source, applied_at FROM policies WHERE org_id = $1 AND version = $2")
        .bind(org_id)
        .bind(version)
        .fetch_optional(&pools.reader)
        .await?;
    row.map(|row| -> Result<StoredPolicy, StoreError> {
        Ok(StoredPolicy {
            version: row.try_get("version")?,
            file_name: row.try_get("file_name")?,
            source: row.try_get("source")?,
            applied_at: from_micros(row.try_get("applied_at")?)?,
        })
    })
    .transpose()
}

/// Recomputes the targets of every open ticket under the policy now in force (`policy apply
/// --recompute`). Without it, running tickets keep the deadlines they were given.
pub(crate) async fn recompute_open_tickets(pools: &Pool, org: &Organization, policy: &Policy, now: Timestamp) -> Result<usize, StoreError> {
    let numbers: Vec<String> = sqlx::query(
        "SELECT number FROM tickets WHERE org_id = $1 AND status NOT IN ('resolved', 'closed', 'cancelled', 'merged') ORDER BY id",
    )
    .bind(org.id)
    .fetch_all(&pools.reader)
    .await?
    .iter()
    .map(|row| row.try_get("number"))
    .collect::<Result<_, _>>()?;
    for number in &numbers {
        let mut tx = pools.writer.begin().await?;
        let ticket = load_ticket_or_404(&mut tx, org.id, number).await?;
        let mut events = Vec::new();
        sync_targets(&mut tx, org.id, &ticket, &facts_of(&ticket), policy, now, &mut events).await?;
        insert_events(&mut tx, org.id, ticket.id, &events, &Actor::System, now).await?;
        tx.commit().await?;
    }
    Ok(numbers.len())
}

pub(crate) async fn notifications_for_ticket(pools: &Pool, org_id: i64, number: &str) -> Result<Vec<NotificationRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT n.id, t.number, n.user_id, n.kind, n.detail, n.created_at FROM notifications n JOIN tickets t ON t.id = n.ticket_id \
         WHERE n.org_id = $1 AND t.number = $2 ORDER BY n.id",
    )
    .bind(org_id)
    .bind(number)
    .fetch_all(&pools.reader)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(NotificationRecord {
                id: row.try_get("id")?,
                ticket_number: row.try_get("number")?,
                user_id: row.try_get("user_id")?,
                kind: row.try_get("kind")?,
                detail: serde_json::from_str(&row.try_get::<String, _>("detail")?).map_err(|error| StoreError::Corrupt(error.to_string()))?,
                created_at: from_micros(row.try_get("created_at")?)?,
            })
        })
        .collect()
}

/// Bulk-creates `count` open tickets, each with a running first-response target and its three
/// timers (two alerts and the breach), for the timer-sweep benchmark. Every `due_every`-th
/// ticket's breach is already due at `now`; the rest fall due in thirty days. One recursive
/// sequence drives plain INSERT … SELECT statements, which both dialects accept, so a million
/// tickets take seconds rather than the minutes that a million API creates would.
pub(crate) async fn seed_open_tickets_for_benchmark(
    pools: &Pool,
    org: &Organization,
    requester_id: i64,
    count: i64,
    due_every: i64,
    now: Timestamp,
) -> Result<(), StoreError> {
    let now_micros = to_micros(now);
    let later = to_micros(now + jiff::SignedDuration::from_hours(24 * 30));
    let mut tx = pools.writer.begin().await?;
    let first_id: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) AS last FROM tickets")
        .fetch_one(&mut *tx)
        .await?
        .try_get("last")?;
    let sequence = "WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < $1)";
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO tickets (id, org_id, number, kind, channel, status, subject, requester_id, created_at, updated_at, policy_version, attention_at) \
         {sequence} SELECT $2 + n, $3, 'BENCH-' || CAST($2 + n AS TEXT), 'inquiry', 'email', 'in_progress', 'benchmark ticket', $4, $5, $5, $6, \
         CASE WHEN n % $7 = 0 THEN $5 ELSE $8 END FROM seq"
    )))
    .bind(count)
    .bind(first_id)
    .bind(org.id)
    .bind(requester_id)
    .bind(now_micros - 3_600_000_000)
    .bind(org.policy_version)
    .bind(due_every)
    .bind(later)
    .execute(&mut *tx)
    .await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO ticket_targets (org_id, ticket_id, target, duration, calendar, started_at, deadline_at, state) \
         {sequence} SELECT $3, $2 + n, 'first_response', '24 working hours', 'support', $4, \
         CASE WHEN n % $5 = 0 THEN $4 ELSE $6 END, 'running' FROM seq"
    )))
    .bind(count)
    .bind(first_id)
    .bind(org.id)
    .bind(now_micros - 3_600_000_000)
    .bind(due_every)
    .bind(later)
    .execute(&mut *tx)
    .await?;
    for (kind, permille, offset) in [("alert", Some(750_i64), -1_i64), ("alert", Some(900), -1), ("breach", None, 0)] {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO timers (org_id, ticket_id, kind, target, alert_permille, due_at) \
             {sequence} SELECT $3, $2 + n, $4, 'first_response', $5, CASE WHEN n % $6 = 0 THEN $7 ELSE $8 END FROM seq"
        )))
        .bind(count)
        .bind(first_id)
        .bind(org.id)
        .bind(kind)
        .bind(permille)
        .bind(due_every)
        .bind(now_micros + offset * 1_000_000)
        .bind(later + offset * 1_000_000)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    if DIALECT == crate::BackendKind::Postgres {
        // Explicit ids were inserted; move the identity past them. Then do what autovacuum does
        // after a load this size: refresh the planner's statistics and set the visibility map,
        // without which PostgreSQL's index-only scans still visit every heap row.
        sqlx::query("SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT MAX(id) FROM tickets))")
            .execute(&pools.writer)
            .await?;
        sqlx::query("VACUUM (ANALYZE) tickets, ticket_targets, timers").execute(&pools.writer).await?;
    } else {
        sqlx::query("ANALYZE").execute(&pools.writer).await?;
    }
    Ok(())
}

/// Timers still waiting to fire (benchmark report).
pub(crate) async fn pending_timer_count(pools: &Pool) -> Result<i64, StoreError> {
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM timers WHERE fired_at IS NULL")
        .fetch_one(&pools.reader)
        .await?
        .try_get("n")?)
}
