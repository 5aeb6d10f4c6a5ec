//! Managers' reports over a date range: service-level compliance by target and dimension, time
//! distributions, backlog and aging, escalations, breaches and their root causes, satisfaction,
//! volume and per-agent workload.
//!
//! The store computes a [`Report`] with SQL over the current tables, so that a report over a
//! million tickets stays fast. [`recompute`] computes the same report from nothing but the
//! tickets' events (with the ratings' comments, which events do not repeat), so every figure can be
//! explained: a test runs both on the same history and requires them to agree.
//!
//! The definitions both sides follow, for a range `[from, to)`:
//! - A target is *met* in the range when it is met now and was met in the range; *breached*
//!   when its breach happened in the range (a late answer leaves it breached); *pending* when it
//!   had started before `to` and was not settled by then (running or paused now, or settled at
//!   or after `to`). Cancelled targets count nowhere. Dimensions are the ticket's values now.
//! - First response: the first public reply, when it falls in the range, measured from the
//!   ticket's arrival. Closure: tickets resolved or closed now whose last resolution falls in
//!   the range, measured from arrival. Both are elapsed (calendar) time, not working time.
//! - Backlog and aging: tickets open at `to`, by their status at that moment, aged from arrival
//!   to `to`.
//! - Satisfaction: the tickets of the closure figure were asked; a rating of one of them is an
//!   answer.
//! - Workload: assignments made in the range (to the person assigned), public replies written
//!   in the range, and tickets of the closure figure by their assignee now.

use crate::events::{EventKind, TicketFacts, TicketField};
use crate::service_levels::{TargetKind, TargetState};
use crate::{Channel, TicketKind, TicketStatus};
use jiff::{SignedDuration, Timestamp};
use std::collections::{BTreeMap, BTreeSet};
use thiserror::Error;

/// The longest range a report covers, so one request cannot ask for decades of figures.
pub const MAX_RANGE_DAYS: i64 = 400;

/// A report's range, `from` inclusive and `to` exclusive, at most [`MAX_RANGE_DAYS`] long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportRange {
    from: Timestamp,
    to: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReportRangeError {
    #[error("the range must end after it starts")]
    Empty,
    #[error("a report covers at most {MAX_RANGE_DAYS} days")]
    TooLong,
}

impl ReportRange {
    pub fn new(from: Timestamp, to: Timestamp) -> Result<ReportRange, ReportRangeError> {
        if to <= from {
            return Err(ReportRangeError::Empty);
        }
        if to.duration_since(from) > SignedDuration::from_hours(MAX_RANGE_DAYS * 24) {
            return Err(ReportRangeError::TooLong);
        }
        Ok(ReportRange { from, to })
    }

    pub fn from(&self) -> Timestamp {
        self.from
    }

    pub fn to(&self) -> Timestamp {
        self.to
    }

    pub fn contains(&self, at: Timestamp) -> bool {
        self.from <= at && at < self.to
    }
}

string_enum! {
    /// What compliance is broken down by; `all` is the row of every ticket.
    pub enum Dimension: "report dimension" {
        All => "all",
        Department => "department",
        Channel => "channel",
        Category => "category",
        Complexity => "complexity",
        Importance => "importance",
    }
}

/// One target's outcomes among the tickets with one value of a dimension. `value` is the code
/// or spelling of the value (a department or category code, a channel…); `None` for the `all`
/// row and for tickets without a value (no department, not yet classified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplianceRow {
    pub target: TargetKind,
    pub dimension: Dimension,
    pub value: Option<String>,
    pub met: i64,
    pub breached: i64,
    pub pending: i64,
}

impl ComplianceRow {
    /// Met as a share of the settled (met or breached), in per cent; none when nothing settled.
    pub fn compliance_percent(&self) -> Option<f64> {
        let settled = self.met + self.breached;
        (settled > 0).then(|| self.met as f64 * 100.0 / settled as f64)
    }
}

/// Durations in whole seconds of elapsed time: how many, the median and the 90th percentile
/// (nearest rank, so each is one of the measured durations).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Distribution {
    pub count: i64,
    pub median_seconds: Option<i64>,
    pub p90_seconds: Option<i64>,
}

impl Distribution {
    pub fn of(mut seconds: Vec<i64>) -> Distribution {
        seconds.sort_unstable();
        let rank = |share: f64| -> Option<i64> {
            if seconds.is_empty() {
                return None;
            }
            let index = ((share * seconds.len() as f64).ceil() as usize).clamp(1, seconds.len());
            Some(seconds[index - 1])
        };
        Distribution {
            count: seconds.len() as i64,
            median_seconds: rank(0.5),
            p90_seconds: rank(0.9),
        }
    }
}

/// The age buckets of open tickets at the end of the range.
pub const AGING_BUCKETS: [&str; 5] = [
    "under_1_day",
    "1_to_3_days",
    "3_to_7_days",
    "7_to_14_days",
    "over_14_days",
];

/// The bucket of an open ticket's age: under a day, 1–3, 3–7, 7–14 days, or more (each bound
/// belongs to the older bucket).
pub fn aging_bucket(age: SignedDuration) -> usize {
    let days = age.as_secs() as f64 / 86_400.0;
    match days {
        d if d < 1.0 => 0,
        d if d < 3.0 => 1,
        d if d < 7.0 => 2,
        d if d < 14.0 => 3,
        _ => 4,
    }
}

/// Escalations started in the range at one ladder stage (numbered from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationCount {
    pub stage: i64,
    pub name: String,
    pub count: i64,
}

/// A breach in the range, with its root cause once recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreachRow {
    pub number: String,
    pub target: TargetKind,
    pub breached_at: Timestamp,
    pub root_cause_category: Option<String>,
    pub root_cause_description: Option<String>,
}

string_enum! {
    /// What a rating scores: the overall score and the three questions of the rating form.
    pub enum SatisfactionDimension: "satisfaction dimension" {
        Overall => "overall",
        Handling => "handling",
        Clarity => "clarity",
        Closure => "closure",
    }
}

/// The scores given for one dimension: how many of each from 1 to 5.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreSummary {
    pub dimension: SatisfactionDimension,
    pub by_score: [i64; 5],
}

impl ScoreSummary {
    pub fn count(&self) -> i64 {
        self.by_score.iter().sum()
    }

    pub fn mean(&self) -> Option<f64> {
        let count = self.count();
        let total: i64 = self
            .by_score
            .iter()
            .enumerate()
            .map(|(index, n)| (index as i64 + 1) * n)
            .sum();
        (count > 0).then(|| total as f64 / count as f64)
    }
}

/// A rating's comment, with the ticket it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatingComment {
    pub number: String,
    pub score: u8,
    pub comment: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Satisfaction {
    /// Tickets resolved in the range, whose requesters were asked to rate.
    pub asked: i64,
    pub answered: i64,
    /// One summary per dimension, in the order of [`SatisfactionDimension::ALL`].
    pub dimensions: Vec<ScoreSummary>,
    /// Non-empty comments, by ticket number.
    pub comments: Vec<RatingComment>,
}

impl Satisfaction {
    /// Answers as a share of the asked, in per cent.
    pub fn response_percent(&self) -> Option<f64> {
        (self.asked > 0).then(|| self.answered as f64 * 100.0 / self.asked as f64)
    }
}

/// One staff member's work in the range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentWorkload {
    pub user_id: i64,
    pub assigned: i64,
    pub public_replies: i64,
    pub resolved: i64,
}

/// Every figure of a report. Lists are in a fixed order (enumerations in declaration order,
/// codes alphabetically, `None` first), so two reports compare equal exactly when their figures
/// do.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub range: ReportRange,
    pub compliance: Vec<ComplianceRow>,
    pub first_response: Distribution,
    pub closure: Distribution,
    /// Open tickets at the end of the range, by their status then; only statuses with tickets.
    pub backlog: Vec<(TicketStatus, i64)>,
    /// Open tickets at the end of the range by age, in the buckets of [`AGING_BUCKETS`].
    pub aging: [i64; 5],
    pub escalations: Vec<EscalationCount>,
    pub breaches: Vec<BreachRow>,
    /// Root causes recorded for the breaches of the range, by category.
    pub root_causes: Vec<(String, i64)>,
    pub satisfaction: Satisfaction,
    pub volume_by_kind: Vec<(TicketKind, i64)>,
    pub volume_by_channel: Vec<(Channel, i64)>,
    pub workload: Vec<AgentWorkload>,
}

impl Report {
    /// Puts every list in its canonical order. Both the store and [`recompute`] finish with it.
    pub fn normalize(&mut self) {
        let target_rank =
            |target: TargetKind| TargetKind::ALL.iter().position(|kind| *kind == target);
        self.compliance
            .retain(|row| row.met + row.breached + row.pending > 0);
        self.compliance.sort_by(|a, b| {
            (target_rank(a.target), a.dimension, &a.value).cmp(&(
                target_rank(b.target),
                b.dimension,
                &b.value,
            ))
        });
        self.backlog.retain(|(_, count)| *count > 0);
        self.backlog.sort();
        self.escalations.retain(|row| row.count > 0);
        self.escalations
            .sort_by(|a, b| (a.stage, &a.name).cmp(&(b.stage, &b.name)));
        self.breaches.sort_by(|a, b| {
            (a.breached_at, &a.number, target_rank(a.target)).cmp(&(
                b.breached_at,
                &b.number,
                target_rank(b.target),
            ))
        });
        self.root_causes.retain(|(_, count)| *count > 0);
        self.root_causes.sort();
        self.satisfaction
            .dimensions
            .sort_by_key(|summary| summary.dimension);
        self.satisfaction
            .comments
            .sort_by(|a, b| a.number.cmp(&b.number));
        self.volume_by_kind.retain(|(_, count)| *count > 0);
        self.volume_by_kind.sort();
        self.volume_by_channel.retain(|(_, count)| *count > 0);
        self.volume_by_channel.sort();
        self.workload
            .retain(|row| row.assigned + row.public_replies + row.resolved > 0);
        self.workload.sort_by_key(|row| row.user_id);
    }

    /// The compliance row of every ticket for one target.
    pub fn overall_compliance(&self, target: TargetKind) -> Option<&ComplianceRow> {
        self.compliance
            .iter()
            .find(|row| row.target == target && row.dimension == Dimension::All)
    }
}

// ---- recomputing from events ------------------------------------------------------------------

/// One stored ticket event, as the recomputation reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedEvent {
    pub at: Timestamp,
    pub kind: EventKind,
    pub field: Option<TicketField>,
    pub after: Option<serde_json::Value>,
    /// The staff member who caused the event, if it was one.
    pub staff_id: Option<i64>,
}

/// A ticket's number and its whole history, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketLog {
    pub number: String,
    pub events: Vec<LoggedEvent>,
}

/// A satisfaction answer's comment as stored. The scores are replayed from the ticket's
/// `satisfaction` events; the comment is the requester's own words, kept only in the rating
/// so that erasure can remove it, and is read from there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRating {
    pub number: String,
    pub score: u8,
    pub handling: Option<u8>,
    pub clarity: Option<u8>,
    pub closure: Option<u8>,
    pub comment: String,
}

/// A root cause's free-text description, which its event does not repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedRootCause {
    pub number: String,
    pub target: TargetKind,
    pub description: String,
}

#[derive(Debug, Error, PartialEq)]
#[error("ticket {number}: {message}")]
pub struct RecomputeError {
    pub number: String,
    pub message: String,
}

/// A target as its events leave it.
#[derive(Debug, Clone, Default)]
struct TargetFold {
    state: Option<TargetState>,
    met_at: Option<Timestamp>,
    breached_at: Option<Timestamp>,
    root_cause: Option<String>,
}

/// What one ticket's events say, as far as the report needs.
struct TicketFold {
    created_at: Timestamp,
    facts: TicketFacts,
    status_at_end: Option<TicketStatus>,
    first_public_reply: Option<Timestamp>,
    targets: BTreeMap<TargetKind, TargetFold>,
    /// The scores of the requester's latest satisfaction answer: overall, handling, clarity,
    /// closure.
    rating: Option<[u8; 4]>,
}

fn json_string(value: &serde_json::Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
}

fn fold_ticket(
    range: &ReportRange,
    log: &TicketLog,
    report: &mut Report,
    workload: &mut BTreeMap<i64, AgentWorkload>,
) -> Result<TicketFold, String> {
    let mut events = log.events.iter();
    let first = events.next().ok_or("no events")?;
    let facts: TicketFacts = match (first.kind, &first.after) {
        (EventKind::Created, Some(after)) => {
            serde_json::from_value(after.clone()).map_err(|error| error.to_string())?
        }
        _ => return Err("the history does not start with a 'created' event".into()),
    };
    let mut fold = TicketFold {
        created_at: first.at,
        status_at_end: (first.at < range.to).then_some(facts.status),
        facts,
        first_public_reply: None,
        targets: BTreeMap::new(),
        rating: None,
    };
    for event in events {
        match event.kind {
            EventKind::Created => return Err("a second 'created' event".into()),
            EventKind::Changed => {
                let (Some(field), Some(after)) = (event.field, &event.after) else {
                    return Err("a change without a field or value".into());
                };
                fold.facts.apply(field, after)?;
                if event.at < range.to {
                    fold.status_at_end = Some(fold.facts.status);
                }
                if field == TicketField::Assignee
                    && range.contains(event.at)
                    && let Some(user_id) = after.as_i64()
                {
                    agent(workload, user_id).assigned += 1;
                }
            }
            EventKind::MessageAdded => {
                let is_public_reply = event
                    .after
                    .as_ref()
                    .and_then(|after| json_string(after, "kind"))
                    .as_deref()
                    == Some("public_reply");
                if is_public_reply {
                    if fold.first_public_reply.is_none() {
                        fold.first_public_reply = Some(event.at);
                    }
                    if range.contains(event.at)
                        && let Some(staff) = event.staff_id
                    {
                        agent(workload, staff).public_replies += 1;
                    }
                }
            }
            EventKind::ServiceLevel => {
                let Some(detail) = &event.after else { continue };
                if let Some(stage) = detail
                    .get("escalation_stage")
                    .and_then(serde_json::Value::as_i64)
                {
                    if range.contains(event.at) {
                        let name = json_string(detail, "stage").unwrap_or_default();
                        match report
                            .escalations
                            .iter_mut()
                            .find(|row| row.stage == stage && row.name == name)
                        {
                            Some(row) => row.count += 1,
                            None => report.escalations.push(EscalationCount {
                                stage,
                                name,
                                count: 1,
                            }),
                        }
                    }
                    continue;
                }
                let (Some(target), Some(change)) =
                    (json_string(detail, "target"), json_string(detail, "change"))
                else {
                    continue;
                };
                let target: TargetKind = target
                    .parse()
                    .map_err(|error: crate::UnknownValue| error.to_string())?;
                let entry = fold.targets.entry(target).or_default();
                if let Some(state) = json_string(detail, "state") {
                    entry.state = Some(
                        state
                            .parse()
                            .map_err(|error: crate::UnknownValue| error.to_string())?,
                    );
                }
                match change.as_str() {
                    "met" | "met_late" => entry.met_at = Some(event.at),
                    "breached" => entry.breached_at = Some(event.at),
                    "reopened" | "recomputed" => {
                        entry.met_at = None;
                        entry.breached_at = None;
                    }
                    "root_cause_recorded" => entry.root_cause = json_string(detail, "category"),
                    _ => {}
                }
            }
            EventKind::Satisfaction => {
                // Each answer and each change of it carries all its scores, so the latest one
                // is the answer as it stands; its comment is personal and stays out of events.
                let Some(detail) = &event.after else { continue };
                let score = |key: &str| {
                    detail
                        .get(key)
                        .and_then(serde_json::Value::as_u64)
                        .and_then(|value| u8::try_from(value).ok())
                        .filter(|value| (1..=5).contains(value))
                        .ok_or_else(|| format!("a satisfaction event without a 1–5 '{key}'"))
                };
                fold.rating = Some([
                    score("overall")?,
                    score("handling")?,
                    score("clarity")?,
                    score("closure")?,
                ]);
            }
            // Conduct flags explain neither facts nor clocks.
            _ => {}
        }
    }
    Ok(fold)
}

fn agent(workload: &mut BTreeMap<i64, AgentWorkload>, user_id: i64) -> &mut AgentWorkload {
    workload.entry(user_id).or_insert(AgentWorkload {
        user_id,
        assigned: 0,
        public_replies: 0,
        resolved: 0,
    })
}

/// Computes a report from the tickets' events alone (with the ratings' comments and the root
/// causes' descriptions, free text kept beside them), following the definitions of this module.
pub fn recompute(
    range: ReportRange,
    tickets: &[TicketLog],
    ratings: &[LoggedRating],
    root_causes: &[LoggedRootCause],
) -> Result<Report, RecomputeError> {
    let mut report = Report {
        range,
        compliance: Vec::new(),
        first_response: Distribution::default(),
        closure: Distribution::default(),
        backlog: Vec::new(),
        aging: [0; 5],
        escalations: Vec::new(),
        breaches: Vec::new(),
        root_causes: Vec::new(),
        satisfaction: Satisfaction {
            asked: 0,
            answered: 0,
            dimensions: Vec::new(),
            comments: Vec::new(),
        },
        volume_by_kind: Vec::new(),
        volume_by_channel: Vec::new(),
        workload: Vec::new(),
    };
    let mut workload = BTreeMap::new();
    let mut compliance: BTreeMap<(TargetKind, Dimension, Option<String>), [i64; 3]> =
        BTreeMap::new();
    let mut backlog: BTreeMap<TicketStatus, i64> = BTreeMap::new();
    let mut volume_by_kind: BTreeMap<TicketKind, i64> = BTreeMap::new();
    let mut volume_by_channel: BTreeMap<Channel, i64> = BTreeMap::new();
    let mut root_cause_counts: BTreeMap<String, i64> = BTreeMap::new();
    let mut first_response = Vec::new();
    let mut closure = Vec::new();
    let mut resolved: BTreeSet<&str> = BTreeSet::new();
    let mut answers: BTreeMap<&str, [u8; 4]> = BTreeMap::new();
    for log in tickets {
        let fold = fold_ticket(&range, log, &mut report, &mut workload).map_err(|message| {
            RecomputeError {
                number: log.number.clone(),
                message,
            }
        })?;
        let facts = &fold.facts;
        if range.contains(fold.created_at) {
            *volume_by_kind.entry(facts.kind).or_default() += 1;
            *volume_by_channel.entry(facts.channel).or_default() += 1;
        }
        if let Some(status) = fold.status_at_end.filter(|status| status.is_open()) {
            *backlog.entry(status).or_default() += 1;
            report.aging[aging_bucket(range.to.duration_since(fold.created_at))] += 1;
        }
        if let Some(reply) = fold.first_public_reply.filter(|at| range.contains(*at)) {
            first_response.push(reply.duration_since(fold.created_at).as_secs());
        }
        let resolved_at = facts
            .resolved_at
            .as_deref()
            .map(str::parse::<Timestamp>)
            .transpose()
            .map_err(|error| RecomputeError {
                number: log.number.clone(),
                message: error.to_string(),
            })?;
        if matches!(facts.status, TicketStatus::Resolved | TicketStatus::Closed)
            && let Some(resolved_at) = resolved_at.filter(|at| range.contains(*at))
        {
            closure.push(resolved_at.duration_since(fold.created_at).as_secs());
            resolved.insert(&log.number);
            if let Some(rating) = fold.rating {
                answers.insert(&log.number, rating);
            }
            if let Some(assignee) = facts.assignee {
                agent(&mut workload, assignee).resolved += 1;
            }
        }
        let values: Vec<(Dimension, Vec<Option<String>>)> = vec![
            (Dimension::All, vec![None]),
            (
                Dimension::Department,
                if facts.departments.is_empty() {
                    vec![None]
                } else {
                    facts.departments.iter().cloned().map(Some).collect()
                },
            ),
            (
                Dimension::Channel,
                vec![Some(facts.channel.as_str().to_owned())],
            ),
            (Dimension::Category, vec![facts.category.clone()]),
            (
                Dimension::Complexity,
                vec![facts.complexity.map(|value| value.as_str().to_owned())],
            ),
            (
                Dimension::Importance,
                vec![facts.importance.map(|value| value.as_str().to_owned())],
            ),
        ];
        for (target, state) in &fold.targets {
            let Some(current) = state.state else { continue };
            if fold.created_at >= range.to || current == TargetState::Cancelled {
                continue;
            }
            let met =
                current == TargetState::Met && state.met_at.is_some_and(|at| range.contains(at));
            let breached = state.breached_at.is_some_and(|at| range.contains(at));
            let pending = match current {
                TargetState::Running | TargetState::Paused => true,
                TargetState::Met => state.met_at.is_some_and(|at| at >= range.to),
                TargetState::Breached => state.breached_at.is_some_and(|at| at >= range.to),
                TargetState::Cancelled => false,
            };
            for (dimension, dimension_values) in &values {
                for value in dimension_values {
                    let counts = compliance
                        .entry((*target, *dimension, value.clone()))
                        .or_default();
                    counts[0] += i64::from(met);
                    counts[1] += i64::from(breached);
                    counts[2] += i64::from(pending);
                }
            }
            if breached {
                if let Some(category) = &state.root_cause {
                    *root_cause_counts.entry(category.clone()).or_default() += 1;
                }
                report.breaches.push(BreachRow {
                    number: log.number.clone(),
                    target: *target,
                    breached_at: state.breached_at.unwrap_or(range.from),
                    root_cause_category: state.root_cause.clone(),
                    root_cause_description: state.root_cause.as_ref().and_then(|_| {
                        root_causes
                            .iter()
                            .find(|cause| cause.number == log.number && cause.target == *target)
                            .map(|cause| cause.description.clone())
                    }),
                });
            }
        }
    }
    report.compliance = compliance
        .into_iter()
        .map(
            |((target, dimension, value), [met, breached, pending])| ComplianceRow {
                target,
                dimension,
                value,
                met,
                breached,
                pending,
            },
        )
        .collect();
    report.first_response = Distribution::of(first_response);
    report.closure = Distribution::of(closure);
    report.backlog = backlog.into_iter().collect();
    report.root_causes = root_cause_counts.into_iter().collect();
    report.volume_by_kind = volume_by_kind.into_iter().collect();
    report.volume_by_channel = volume_by_channel.into_iter().collect();
    report.workload = workload.into_values().collect();
    let mut dimensions: Vec<ScoreSummary> = SatisfactionDimension::ALL
        .iter()
        .map(|dimension| ScoreSummary {
            dimension: *dimension,
            by_score: [0; 5],
        })
        .collect();
    report.satisfaction.asked = resolved.len() as i64;
    for (number, scores) in &answers {
        report.satisfaction.answered += 1;
        for (summary, score) in dimensions.iter_mut().zip(scores) {
            if let Some(slot) = summary
                .by_score
                .get_mut(usize::from(*score).wrapping_sub(1))
            {
                *slot += 1;
            }
        }
        if let Some(rating) = ratings
            .iter()
            .find(|rating| rating.number == *number && !rating.comment.trim().is_empty())
        {
            report.satisfaction.comments.push(RatingComment {
                number: rating.number.clone(),
                score: scores[0],
                comment: rating.comment.clone(),
            });
        }
    }
    report.satisfaction.dimensions = dimensions;
    report.normalize();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn a_range_ends_after_it_starts_and_is_bounded() {
        assert_eq!(
            ReportRange::new(at("2026-11-02T00:00:00Z"), at("2026-11-01T00:00:00Z")),
            Err(ReportRangeError::Empty)
        );
        assert_eq!(
            ReportRange::new(at("2026-11-01T00:00:00Z"), at("2026-11-01T00:00:00Z")),
            Err(ReportRangeError::Empty)
        );
        assert_eq!(
            ReportRange::new(at("2025-01-01T00:00:00Z"), at("2026-11-01T00:00:00Z")),
            Err(ReportRangeError::TooLong)
        );
        let range =
            ReportRange::new(at("2026-11-01T00:00:00Z"), at("2026-12-01T00:00:00Z")).unwrap();
        assert!(range.contains(at("2026-11-01T00:00:00Z")));
        assert!(
            !range.contains(at("2026-12-01T00:00:00Z")),
            "the end is excluded"
        );
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        assert_eq!(
            Distribution::of(vec![]),
            Distribution {
                count: 0,
                median_seconds: None,
                p90_seconds: None
            }
        );
        assert_eq!(
            Distribution::of(vec![7]),
            Distribution {
                count: 1,
                median_seconds: Some(7),
                p90_seconds: Some(7)
            }
        );
        let ten: Vec<i64> = (1..=10).rev().map(|n| n * 60).collect();
        assert_eq!(
            Distribution::of(ten),
            Distribution {
                count: 10,
                median_seconds: Some(300),
                p90_seconds: Some(540)
            }
        );
        assert_eq!(
            Distribution::of(vec![10, 20, 30, 40]).median_seconds,
            Some(20)
        );
    }

    #[test]
    fn ages_fall_in_the_older_bucket_at_each_bound() {
        let hours = |h: i64| SignedDuration::from_hours(h);
        let cases = [
            (0, 0),
            (23, 0),
            (24, 1),
            (71, 1),
            (72, 2),
            (167, 2),
            (168, 3),
            (335, 3),
            (336, 4),
            (10_000, 4),
        ];
        for (age, bucket) in cases {
            assert_eq!(aging_bucket(hours(age)), bucket, "{age} hours");
        }
    }

    #[test]
    fn scores_summarize_with_a_mean() {
        let summary = ScoreSummary {
            dimension: SatisfactionDimension::Overall,
            by_score: [1, 0, 0, 1, 2],
        };
        assert_eq!(summary.count(), 4);
        assert_eq!(summary.mean(), Some(3.75));
        assert_eq!(
            ScoreSummary {
                dimension: SatisfactionDimension::Clarity,
                by_score: [0; 5]
            }
            .mean(),
            None
        );
    }
}

// ---- the weekly digest ------------------------------------------------------------------------

/// When the weekly digest goes out: a weekday and an hour, in the organization's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DigestSchedule {
    pub weekday: jiff::civil::Weekday,
    pub hour: i8,
}

/// The week a digest covers: the seven days up to the latest scheduled moment at or before
/// `now`. The digest of that week is due when it has not been sent yet (the store's claim of
/// the period's start decides that, once for every instance), so an instance that was down at
/// the scheduled moment sends the latest week when it comes back, and never older ones.
pub fn digest_period(
    now: Timestamp,
    zone: &jiff::tz::TimeZone,
    schedule: DigestSchedule,
) -> Option<ReportRange> {
    let local = now.to_zoned(zone.clone());
    let today = local.date();
    let back = (today.weekday().to_sunday_zero_offset() - schedule.weekday.to_sunday_zero_offset())
        .rem_euclid(7);
    let mut day = today
        .checked_sub(jiff::Span::new().days(i64::from(back)))
        .ok()?;
    let at = |day: jiff::civil::Date| {
        day.at(schedule.hour, 0, 0, 0)
            .to_zoned(zone.clone())
            .ok()
            .map(|zoned| zoned.timestamp())
    };
    let mut slot = at(day)?;
    if slot > now {
        day = day.checked_sub(jiff::Span::new().days(7)).ok()?;
        slot = at(day)?;
    }
    let start = at(day.checked_sub(jiff::Span::new().days(7)).ok()?)?;
    ReportRange::new(start, slot).ok()
}

/// Whether the digest is due at `now`, given the start of the last period sent: the latest
/// period, unless it was sent already.
pub fn digest_due(
    now: Timestamp,
    zone: &jiff::tz::TimeZone,
    schedule: DigestSchedule,
    last_sent_start: Option<Timestamp>,
) -> Option<ReportRange> {
    digest_period(now, zone, schedule)
        .filter(|period| last_sent_start.is_none_or(|sent| sent < period.from()))
}

#[cfg(test)]
mod digest_tests {
    use super::*;
    use jiff::civil::Weekday;

    #[test]
    fn the_digest_covers_the_week_before_the_latest_scheduled_moment() {
        let zone = jiff::tz::TimeZone::get("Asia/Riyadh").unwrap();
        let sunday_seven = DigestSchedule {
            weekday: Weekday::Sunday,
            hour: 7,
        };
        let at = |text: &str| -> Timestamp { text.parse().unwrap() };
        // (now, last sent, expected period start and end), all in Riyadh time.
        type Case<'a> = (&'a str, Option<&'a str>, Option<(&'a str, &'a str)>);
        let cases: [Case; 6] = [
            // Sunday 22 November 2026 at 07:00 exactly: the week of 15–22 November is due.
            (
                "2026-11-22T07:00:00+03:00",
                None,
                Some(("2026-11-15T07:00:00+03:00", "2026-11-22T07:00:00+03:00")),
            ),
            // A minute before, the previous week is the latest.
            (
                "2026-11-22T06:59:00+03:00",
                None,
                Some(("2026-11-08T07:00:00+03:00", "2026-11-15T07:00:00+03:00")),
            ),
            // Wednesday: still the week that ended on Sunday.
            (
                "2026-11-25T12:00:00+03:00",
                None,
                Some(("2026-11-15T07:00:00+03:00", "2026-11-22T07:00:00+03:00")),
            ),
            // Already sent: nothing is due until the next Sunday.
            (
                "2026-11-25T12:00:00+03:00",
                Some("2026-11-15T07:00:00+03:00"),
                None,
            ),
            // The last one sent is older: the latest week is due (never the missed ones).
            (
                "2026-11-25T12:00:00+03:00",
                Some("2026-10-25T07:00:00+03:00"),
                Some(("2026-11-15T07:00:00+03:00", "2026-11-22T07:00:00+03:00")),
            ),
            // Saturday night UTC is already Sunday morning in Riyadh.
            (
                "2026-11-29T04:30:00Z",
                Some("2026-11-15T07:00:00+03:00"),
                Some(("2026-11-22T07:00:00+03:00", "2026-11-29T07:00:00+03:00")),
            ),
        ];
        for (now, sent, expected) in cases {
            let due = digest_due(at(now), &zone, sunday_seven, sent.map(at));
            let expected = expected.map(|(from, to)| ReportRange::new(at(from), at(to)).unwrap());
            assert_eq!(due, expected, "now {now}, last sent {sent:?}");
        }
    }
}
