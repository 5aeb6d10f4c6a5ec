//! The agents' workspace: queues, the ticket page with its timeline, clocks and actions, live
//! updates and presence, and contacts logged by staff (phone, classroom, remote session).

use super::chrome::{self, Chrome};
use super::format::{ShownTime, short_date, shown_time, time_left};
use super::forms::{FieldErrors, MultipartForm, parse_form};
use super::i18n::Tr;
use super::page_error::PageError;
use super::portal::{check_uploads, status_class, target_state_class};
use super::session::{StaffContext, check_csrf};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{Html, IntoResponse, Redirect, Response};
use futures_util::stream::Stream;
use sanad_domain::permissions::{Access, VisibilityFacts, ticket_access};
use sanad_domain::service_levels::{TargetKind, TargetState};
use sanad_domain::{
    Channel, Code, Complexity, ConductReason, EmailAddress, Importance, MessageBody, MessageKind,
    PersonName, PhoneNumber, RequesterType, StaffRole, Subject, TicketKind, TicketNumber,
    TicketStatus,
};
pub use sanad_store::QUEUE_COUNT_LIMIT;
use sanad_store::{
    Actor, CannedReply, NewMessage, NewRequester, NewTicket, PresenceActivity, Queue, QueueQuery,
    QueueSort, RequesterContact, RootCauseInput, TicketChanges, TicketDetail, TransitionRequest,
    User,
};
use serde::Deserialize;
use std::convert::Infallible;
use std::time::Duration;

/// How close a deadline must be for a ticket to count as "breaching soon".
const BREACHING_WITHIN_HOURS: i64 = 4;
const PAGE_SIZE: u32 = 50;

pub(super) fn staff_actor(staff: &StaffContext) -> Actor {
    Actor::Staff {
        id: staff.user.id,
        name: staff.user.name.clone(),
    }
}

fn ticket_base(staff: &StaffContext, number: &str) -> String {
    format!("/o/{}/desk/tickets/{number}", staff.org.slug)
}

/// A select's option.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn enum_choices(tr: &Tr, prefix: &str, spellings: &[&str], selected: &str) -> Vec<Choice> {
    spellings
        .iter()
        .map(|value| Choice {
            value: (*value).to_owned(),
            label: tr.value(prefix, value),
            selected: *value == selected,
        })
        .collect()
}

// ---- queues -------------------------------------------------------------------------------------

/// The queue page's query string; every field is optional and unknown values are ignored.
#[derive(Deserialize, Default, Debug, Clone)]
pub struct QueueParams {
    pub queue: Option<String>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub category: Option<String>,
    pub department: Option<String>,
    pub importance: Option<String>,
    pub channel: Option<String>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub page: Option<u32>,
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

struct QueueTab {
    href: String,
    label: String,
    /// The count as shown: "10000+" past the store's counting limit.
    count: String,
    current: bool,
}

/// A queue count as shown on a tab.
fn shown_count(count: i64) -> String {
    if count > sanad_store::QUEUE_COUNT_LIMIT {
        format!("{}+", sanad_store::QUEUE_COUNT_LIMIT)
    } else {
        count.to_string()
    }
}

pub struct QueueLine {
    pub number: String,
    pub href: String,
    pub subject: String,
    pub kind: String,
    pub kind_value: &'static str,
    pub status: String,
    pub status_class: &'static str,
    pub importance: String,
    pub importance_value: &'static str,
    pub departments: String,
    pub assignee: String,
    pub requester: String,
    pub created: String,
    pub deadline_text: String,
    pub deadline_class: &'static str,
    pub deadline_machine: String,
    pub escalation: String,
}

#[derive(Template)]
#[template(path = "ui/desk_queue.html")]
struct QueuePage {
    chrome: Chrome,
    action: String,
    tabs: Vec<QueueTab>,
    queue_value: String,
    results: QueueResults,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    categories: Vec<Choice>,
    departments: Vec<Choice>,
    importances: Vec<Choice>,
    channels: Vec<Choice>,
    sorts: Vec<Choice>,
    text: String,
}

#[derive(Template)]
#[template(path = "ui/desk_queue_results.html")]
struct QueueResults {
    tr: Tr,
    lines: Vec<QueueLine>,
    total: i64,
    page: u32,
    pages: u32,
    previous_href: String,
    next_href: String,
}

fn queue_query_string(params: &QueueParams, page: u32) -> String {
    let mut pairs = Vec::new();
    let mut push = |key: &str, value: Option<&str>| {
        if let Some(value) = value {
            pairs.push(format!(
                "{key}={}",
                super::page_error::form_urlencoded_component(value)
            ));
        }
    };
    push("queue", non_empty(&params.queue));
    push("kind", non_empty(&params.kind));
    push("status", non_empty(&params.status));
    push("category", non_empty(&params.category));
    push("department", non_empty(&params.department));
    push("importance", non_empty(&params.importance));
    push("channel", non_empty(&params.channel));
    push("q", non_empty(&params.q));
    push("sort", non_empty(&params.sort));
    pairs.push(format!("page={page}"));
    pairs.join("&")
}

/// Renders the queue page, or only its results when htmx asks (filters change in place).
pub async fn queue(
    State(state): State<AppState>,
    staff: StaffContext,
    Query(params): Query<QueueParams>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let page = render_queue(&state, &staff, &params, headers.contains_key("hx-request")).await?;
    Ok(Html(page).into_response())
}

/// The queue as HTML; public so the benchmark can time exactly what a request renders.
pub async fn render_queue(
    state: &AppState,
    staff: &StaffContext,
    params: &QueueParams,
    results_only: bool,
) -> Result<String, PageError> {
    let tr = *staff.tr();
    let now = state.clock.now();
    let default_queue = if staff.is_manager() {
        Queue::AllOpen
    } else {
        Queue::Mine
    };
    let queue = non_empty(&params.queue)
        .and_then(|q| Queue::parse(q).ok())
        .unwrap_or(default_queue);
    let parse_code = |value: &Option<String>| non_empty(value).and_then(|v| Code::parse(v).ok());
    let query = QueueQuery {
        queue,
        kind: non_empty(&params.kind).and_then(|v| v.parse().ok()),
        status: non_empty(&params.status).and_then(|v| v.parse().ok()),
        category: parse_code(&params.category),
        department: parse_code(&params.department),
        importance: non_empty(&params.importance).and_then(|v| v.parse().ok()),
        channel: non_empty(&params.channel).and_then(|v| v.parse().ok()),
        text: non_empty(&params.q).map(str::to_owned),
        sort: non_empty(&params.sort)
            .and_then(|v| QueueSort::parse(v).ok())
            .unwrap_or(QueueSort::DeadlineFirst),
        page: params.page.unwrap_or(1).max(1),
        page_size: PAGE_SIZE,
        now,
        breaching_within: jiff::SignedDuration::from_hours(BREACHING_WITHIN_HOURS),
    };
    let result = state
        .store
        .queue(staff.org.id, &staff.principal, &query)
        .await?;
    let base = format!("/o/{}/desk", staff.org.slug);
    let departments = state.store.departments(staff.org.id).await?;
    let department_name = |code: &str| {
        departments
            .iter()
            .find(|d| d.code == code)
            .map(|d| tr.lang.pick(&d.name_ar, &d.name_en).to_owned())
            .unwrap_or_else(|| code.to_owned())
    };
    let lines = result
        .rows
        .iter()
        .map(|row| {
            let (deadline_text, deadline_class, deadline_machine) = match &row.next_deadline {
                Some(next) => (
                    format!(
                        "{} · {}",
                        tr.value("target-short", next.target.as_str()),
                        time_left(now, next.deadline, &tr)
                    ),
                    target_state_class(next.state, next.deadline, now),
                    next.deadline.to_string(),
                ),
                None => (String::new(), "", String::new()),
            };
            QueueLine {
                href: format!("{base}/tickets/{}", row.number),
                number: row.number.clone(),
                subject: row.subject.clone(),
                kind: tr.value("kind", row.kind.as_str()),
                kind_value: row.kind.as_str(),
                status: tr.value("status", row.status.as_str()),
                status_class: status_class(row.status),
                importance: row
                    .importance
                    .map(|i| tr.value("importance", i.as_str()))
                    .unwrap_or_default(),
                importance_value: row.importance.map(|i| i.as_str()).unwrap_or(""),
                departments: row
                    .departments
                    .iter()
                    .map(|code| department_name(code))
                    .collect::<Vec<_>>()
                    .join("، "),
                assignee: row.assignee_name.clone().unwrap_or_default(),
                requester: row.requester_name.clone(),
                created: short_date(row.created_at, &staff.zone),
                deadline_text,
                deadline_class,
                deadline_machine,
                escalation: row
                    .escalation_stage
                    .map(|stage| tr.n("queue-stage", stage + 1))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let pages = u32::try_from((result.total + i64::from(PAGE_SIZE) - 1) / i64::from(PAGE_SIZE))
        .unwrap_or(u32::MAX)
        .max(1);
    let page_number = query.page.min(pages);
    let results = QueueResults {
        tr,
        lines,
        total: result.total,
        page: page_number,
        pages,
        previous_href: if page_number > 1 {
            format!("{base}?{}", queue_query_string(params, page_number - 1))
        } else {
            String::new()
        },
        next_href: if page_number < pages {
            format!("{base}?{}", queue_query_string(params, page_number + 1))
        } else {
            String::new()
        },
    };
    if results_only {
        return Ok(results.render()?);
    }
    let counts = state
        .store
        .queue_counts(
            staff.org.id,
            &staff.principal,
            now,
            jiff::SignedDuration::from_hours(BREACHING_WITHIN_HOURS),
        )
        .await?;
    let tabs = counts
        .iter()
        .map(|(tab, count)| QueueTab {
            href: format!("{base}?queue={}", tab.as_str()),
            label: tr.value("queue", tab.as_str()),
            count: shown_count(*count),
            current: *tab == queue,
        })
        .collect();
    let categories = state.store.categories(staff.org.id).await?;
    let selected = |value: &Option<String>| non_empty(value).unwrap_or("").to_owned();
    let page = QueuePage {
        chrome: chrome::desk(staff, tr.t("queues-title"), "queues"),
        action: base.clone(),
        tabs,
        queue_value: queue.as_str().to_owned(),
        results,
        kinds: enum_choices(&tr, "kind", TicketKind::SPELLINGS, &selected(&params.kind)),
        statuses: enum_choices(
            &tr,
            "status",
            TicketStatus::SPELLINGS,
            &selected(&params.status),
        ),
        categories: categories
            .iter()
            .filter(|c| !c.archived)
            .map(|c| Choice {
                value: c.code.clone(),
                label: tr.lang.pick(&c.name_ar, &c.name_en).to_owned(),
                selected: Some(c.code.as_str()) == non_empty(&params.category),
            })
            .collect(),
        departments: departments
            .iter()
            .filter(|d| !d.archived)
            .map(|d| Choice {
                value: d.code.clone(),
                label: tr.lang.pick(&d.name_ar, &d.name_en).to_owned(),
                selected: Some(d.code.as_str()) == non_empty(&params.department),
            })
            .collect(),
        importances: enum_choices(
            &tr,
            "importance",
            Importance::SPELLINGS,
            &selected(&params.importance),
        ),
        channels: enum_choices(
            &tr,
            "channel",
            Channel::SPELLINGS,
            &selected(&params.channel),
        ),
        sorts: QueueSort::ALL
            .iter()
            .map(|sort| Choice {
                value: sort.as_str().to_owned(),
                label: tr.value("sort", sort.as_str()),
                selected: sort.as_str() == query.sort.as_str(),
            })
            .collect(),
        text: selected(&params.q),
    };
    Ok(page.render()?)
}

// ---- the ticket page ----------------------------------------------------------------------------

/// Loads a ticket the staff member may see, or refuses. Every look at a complaint by staff is
/// written to the confidentiality audit when `audit` says so.
async fn visible_ticket(
    state: &AppState,
    staff: &StaffContext,
    number: &str,
    audit: AuditView,
) -> Result<TicketDetail, PageError> {
    let number = number.to_uppercase();
    let detail = state
        .store
        .ticket_detail(staff.org.id, &number)
        .await?
        .ok_or(PageError::NotFound)?;
    let facts = VisibilityFacts {
        kind: detail.ticket.kind,
        departments: &detail.ticket.departments,
        assignee: detail.ticket.assignee_id,
    };
    if ticket_access(&staff.principal, facts) == Access::Denied {
        return Err(PageError::Forbidden);
    }
    if audit == AuditView::Record && detail.ticket.kind == TicketKind::Complaint {
        state
            .store
            .record_ticket_view(
                staff.org.id,
                detail.ticket.id,
                staff.user.id,
                state.clock.now(),
            )
            .await?;
    }
    Ok(detail)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AuditView {
    Record,
    /// An action on a page already viewed (and recorded), or a background refresh.
    AlreadyRecorded,
}

struct ClockLine {
    name: String,
    state: String,
    class: &'static str,
    running: bool,
    duration: String,
    deadline: ShownTime,
}

pub struct TimelineItem {
    pub class: &'static str,
    pub is_message: bool,
    pub author: String,
    pub kind_label: String,
    pub body: String,
    pub at: ShownTime,
    pub attachments: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "ui/desk_timeline.html")]
struct TimelineFragment {
    src: String,
    items: Vec<TimelineItem>,
}

/// One delivery attempt of a notification, as the ticket page lists it.
pub struct AttemptLine {
    pub number: i64,
    pub at: ShownTime,
    pub outcome: String,
    pub outcome_class: &'static str,
    pub detail: String,
}

/// One notification sent (or being sent) to the requester, with its attempts.
pub struct DeliveryLine {
    pub kind: String,
    pub channel: String,
    pub recipient: String,
    pub state: String,
    pub state_class: &'static str,
    /// When the outbox tries again; only for a notification still pending.
    pub next_attempt: Option<ShownTime>,
    /// What the provider last reported (sent, delivered, read, failed), or empty.
    pub provider_state: String,
    pub created: ShownTime,
    pub failed: bool,
    pub attempts: Vec<AttemptLine>,
}

#[derive(Template)]
#[template(path = "ui/desk_deliveries.html")]
pub struct DeliveriesFragment {
    pub tr: Tr,
    pub lines: Vec<DeliveryLine>,
}

/// The notifications of a ticket as the page shows them. Stored states and outcomes outside
/// the known spellings are shown as stored rather than hidden, so nothing the outbox recorded
/// is lost from view.
pub fn delivery_lines(
    deliveries: &[sanad_store::DeliveryRecord],
    zone: &jiff::tz::TimeZone,
    tr: &Tr,
) -> Vec<DeliveryLine> {
    let known = |prefix: &str, value: &str, spellings: &[&str]| {
        if spellings.contains(&value) {
            tr.value(prefix, value)
        } else {
            value.to_owned()
        }
    };
    deliveries
        .iter()
        .map(|delivery| DeliveryLine {
            kind: tr.value("notification", delivery.kind.as_str()),
            channel: tr.value("channel", delivery.channel.as_str()),
            recipient: delivery.recipient.clone(),
            state: known(
                "delivery-state",
                &delivery.state,
                &["pending", "delivered", "failed"],
            ),
            state_class: match delivery.state.as_str() {
                "delivered" => "status-done",
                "failed" => "status-failed",
                _ => "status-waiting",
            },
            next_attempt: (delivery.state == "pending")
                .then(|| shown_time(delivery.next_attempt_at, zone, tr)),
            provider_state: delivery
                .delivery_state
                .map(|state| tr.value("provider-state", state.as_str()))
                .unwrap_or_default(),
            created: shown_time(delivery.created_at, zone, tr),
            failed: delivery.state == "failed",
            attempts: delivery
                .attempts
                .iter()
                .map(|attempt| AttemptLine {
                    number: attempt.attempt,
                    at: shown_time(attempt.at, zone, tr),
                    outcome: known(
                        "delivery-outcome",
                        &attempt.outcome,
                        &["delivered", "transient_failure", "permanent_failure"],
                    ),
                    outcome_class: match attempt.outcome.as_str() {
                        "delivered" => "status-done",
                        "permanent_failure" => "status-failed",
                        _ => "status-waiting",
                    },
                    detail: attempt.detail.clone(),
                })
                .collect(),
        })
        .collect()
}

struct EscalationLine {
    stage: String,
    reason: String,
    owner: String,
    started: ShownTime,
    deadline: ShownTime,
}

struct RootCauseLine {
    target: String,
    category: String,
    description: String,
    corrective_action: String,
    by: String,
}

#[derive(Template)]
#[template(path = "ui/desk_ticket.html")]
struct TicketPage {
    chrome: Chrome,
    base: String,
    number: String,
    subject: String,
    kind: String,
    kind_value: &'static str,
    channel: String,
    status: String,
    status_class: &'static str,
    status_value: &'static str,
    requester_name: String,
    requester_email: String,
    requester_phone: String,
    requester_type: String,
    assignee: String,
    created: ShownTime,
    contact_details: Vec<(String, String)>,
    clocks: Vec<ClockLine>,
    escalations: Vec<EscalationLine>,
    root_causes: Vec<RootCauseLine>,
    timeline: TimelineFragment,
    deliveries: DeliveriesFragment,
    may_change: bool,
    canned: Vec<CannedOption>,
    kinds: Vec<Choice>,
    categories: Vec<Choice>,
    complexities: Vec<Choice>,
    importances: Vec<Choice>,
    department_boxes: Vec<Choice>,
    assignees: Vec<Choice>,
    next_statuses: Vec<Choice>,
    breached_without_cause: Vec<Choice>,
    root_cause_categories: Vec<Choice>,
    may_escalate: bool,
    rating: String,
    /// The conduct flags of the ticket's messages (rendered by `conduct.rs`), or empty.
    conduct_flags: String,
    /// The requester's conduct violations, for directors (rendered by `conduct.rs`), or empty.
    conduct_requester: String,
    /// Where an administrator exports the requester's data (`privacy.rs`), or empty.
    privacy_export: String,
}

pub struct CannedOption {
    pub id: i64,
    pub title: String,
    pub body: String,
}

/// Fills a canned reply's variables for one ticket.
pub fn fill_canned(body: &str, detail: &TicketDetail, agent: &User, org_name: &str) -> String {
    body.replace("{{requester_name}}", &detail.ticket.requester.name)
        .replace("{{ticket_number}}", &detail.ticket.number)
        .replace("{{agent_name}}", &agent.name)
        .replace("{{organization}}", org_name)
        .replace("{{subject}}", &detail.ticket.subject)
}

/// The names a timeline shows instead of stored codes and ids.
pub struct Names<'a> {
    pub users: &'a [User],
    pub departments: &'a [sanad_store::Department],
    pub categories: &'a [sanad_store::Category],
}

impl Names<'_> {
    fn department(&self, tr: &Tr, code: &str) -> String {
        self.departments
            .iter()
            .find(|d| d.code == code)
            .map(|d| tr.lang.pick(&d.name_ar, &d.name_en).to_owned())
            .unwrap_or_else(|| code.to_owned())
    }

    fn category(&self, tr: &Tr, code: &str) -> String {
        self.categories
            .iter()
            .find(|c| c.code == code)
            .map(|c| tr.lang.pick(&c.name_ar, &c.name_en).to_owned())
            .unwrap_or_else(|| code.to_owned())
    }
}

fn timeline_items(
    detail: &TicketDetail,
    staff: &StaffContext,
    names: &Names<'_>,
) -> Vec<TimelineItem> {
    let tr = *staff.tr();
    let base = ticket_base(staff, &detail.ticket.number);
    let mut items: Vec<(jiff::Timestamp, i64, TimelineItem)> = Vec::new();
    for message in &detail.messages {
        let (class, kind_key) = match message.kind {
            MessageKind::RequesterMessage => {
                ("message message-requester", "message-kind-requester")
            }
            MessageKind::PublicReply => ("message message-staff", "message-kind-reply"),
            MessageKind::InternalNote => ("message message-note", "message-kind-note"),
        };
        items.push((
            message.created_at,
            message.id * 2,
            TimelineItem {
                class,
                is_message: true,
                author: message.actor_label.clone(),
                kind_label: tr.t(kind_key),
                body: message.body.clone(),
                at: shown_time(message.created_at, &staff.zone, &tr),
                attachments: message
                    .attachments
                    .iter()
                    .map(|a| (a.filename.clone(), format!("{base}/attachments/{}", a.id)))
                    .collect(),
            },
        ));
    }
    for event in &detail.events {
        let Some(text) = describe_event(event, &tr, names) else {
            continue;
        };
        let author = if event.actor_kind == "system" {
            tr.t("actor-system")
        } else {
            event.actor_label.clone()
        };
        items.push((
            event.at,
            event.id * 2 + 1,
            TimelineItem {
                class: "event",
                is_message: false,
                author,
                kind_label: String::new(),
                body: text,
                at: shown_time(event.at, &staff.zone, &tr),
                attachments: Vec::new(),
            },
        ));
    }
    items.sort_by_key(|(at, order, _)| (*at, *order));
    items.into_iter().map(|(_, _, item)| item).collect()
}

/// One line about an event, or `None` for events the messages already show.
fn describe_event(event: &sanad_store::Event, tr: &Tr, names: &Names<'_>) -> Option<String> {
    use sanad_domain::EventKind;
    let value_text = |value: &Option<serde_json::Value>, field: &str| -> String {
        match value {
            None | Some(serde_json::Value::Null) if field == "assignee" => tr.t("value-none"),
            None | Some(serde_json::Value::Null) => "—".to_owned(),
            Some(serde_json::Value::Array(values)) if values.is_empty() => "—".to_owned(),
            Some(serde_json::Value::String(text)) if field == "assignee" => text
                .parse::<i64>()
                .ok()
                .and_then(|id| names.users.iter().find(|u| u.id == id))
                .map(|u| u.name.clone())
                .unwrap_or_else(|| text.clone()),
            Some(serde_json::Value::String(text)) => match field {
                "status" => tr.value("status", text),
                "kind" => tr.value("kind", text),
                "importance" => tr.value("importance", text),
                "complexity" => tr.value("complexity", text),
                "category" => names.category(tr, text),
                _ => text.clone(),
            },
            Some(serde_json::Value::Number(number)) if field == "assignee" => number
                .as_i64()
                .and_then(|id| names.users.iter().find(|u| u.id == id))
                .map(|u| u.name.clone())
                .unwrap_or_else(|| number.to_string()),
            Some(serde_json::Value::Array(values)) => values
                .iter()
                .map(|v| match v.as_str() {
                    Some(code) if field == "departments" => names.department(tr, code),
                    Some(text) => text.to_owned(),
                    None => v.to_string(),
                })
                .collect::<Vec<_>>()
                .join("، "),
            Some(other) => other.to_string(),
        }
    };
    match event.kind {
        EventKind::MessageAdded => None,
        EventKind::Created => Some(tr.t("event-created")),
        EventKind::Changed => {
            let field = event.field.map(|f| f.as_str()).unwrap_or("value");
            Some(tr.change(
                &tr.value("field", field),
                &value_text(&event.before, field),
                &value_text(&event.after, field),
            ))
        }
        EventKind::Conduct => Some(super::conduct::describe_event(event, tr)),
        EventKind::Satisfaction => {
            let after = event.after.as_ref();
            let score = |key: &str| {
                after
                    .and_then(|v| v.get(key))
                    .and_then(|v| v.as_i64())
                    .unwrap_or_default()
                    .to_string()
            };
            let edited =
                after.and_then(|v| v.get("change")).and_then(|v| v.as_str()) == Some("edited");
            Some(format!(
                "{} {} {}/{}/{}",
                tr.t(if edited {
                    "event-satisfaction-edited"
                } else {
                    "event-satisfaction"
                }),
                tr.t("rate-scores-short"),
                score("handling"),
                score("clarity"),
                score("closure"),
            ))
        }
        EventKind::ServiceLevel => {
            let after = event.after.as_ref();
            let detail = match after.and_then(|v| v.get("change")).and_then(|v| v.as_str()) {
                Some(change) => change,
                None if after.is_some_and(|v| v.get("escalation_stage").is_some()) => "escalated",
                None => "other",
            };
            let target = event
                .after
                .as_ref()
                .and_then(|v| v.get("target"))
                .and_then(|v| v.as_str())
                .map(|t| tr.value("target", t))
                .unwrap_or_default();
            Some(
                format!("{} {target}", tr.value("sla-event", detail))
                    .trim()
                    .to_owned(),
            )
        }
    }
}

pub async fn ticket(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, number)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let detail = visible_ticket(&state, &staff, &number, AuditView::Record).await?;
    let now = state.clock.now();
    state
        .store
        .touch_presence(
            staff.org.id,
            detail.ticket.id,
            staff.user.id,
            PresenceActivity::Viewing,
            now,
        )
        .await?;
    let page = ticket_page(&state, &staff, detail).await?;
    Ok(Html(page.render()?).into_response())
}

async fn ticket_page(
    state: &AppState,
    staff: &StaffContext,
    detail: TicketDetail,
) -> Result<TicketPage, PageError> {
    let tr = *staff.tr();
    let now = state.clock.now();
    let users = state.store.users(staff.org.id).await?;
    let departments = state.store.departments(staff.org.id).await?;
    let categories = state.store.categories(staff.org.id).await?;
    let policy = state.store.policy_in_force(&staff.org).await?;
    let canned_replies: Vec<CannedReply> = state.store.canned_replies(staff.org.id).await?;
    let contact = state.store.contact_details(detail.ticket.id).await?;
    let rating = state
        .store
        .satisfaction(staff.org.id, detail.ticket.id)
        .await?;
    let deliveries = state.store.ticket_deliveries(detail.ticket.id).await?;
    let (conduct_flags, conduct_requester) =
        super::conduct::ticket_fragments(state, staff, &detail).await?;
    let ticket = &detail.ticket;
    let base = ticket_base(staff, &ticket.number);
    let clocks = detail
        .targets
        .iter()
        .filter(|t| t.state != TargetState::Cancelled)
        .map(|target| ClockLine {
            name: tr.value("target", target.target.as_str()),
            state: tr.value("target-state", target.state.as_str()),
            class: target_state_class(target.state, target.deadline, now),
            running: target.state == TargetState::Running,
            duration: sanad_domain::calendar::DurationExpr::parse(&target.duration)
                .map(|expr| {
                    sanad_domain::policy::duration_phrase(
                        &expr,
                        super::format::policy_lang(tr.lang),
                    )
                })
                .unwrap_or_else(|_| target.duration.clone()),
            deadline: shown_time(target.deadline, &staff.zone, &tr),
        })
        .collect();
    let user_name = |id: Option<i64>| {
        id.and_then(|id| users.iter().find(|u| u.id == id))
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let escalations = detail
        .escalations
        .iter()
        .map(|e| EscalationLine {
            stage: policy
                .as_deref()
                .and_then(|p| p.escalation().get(usize::try_from(e.stage).ok()?))
                .map(|stage| {
                    tr.lang
                        .pick(&stage.name_ar, stage.name_en.as_deref().unwrap_or(""))
                        .to_owned()
                })
                .unwrap_or_else(|| e.stage_name.clone()),
            reason: tr.value(
                "escalation-reason",
                e.reason.split(':').next().unwrap_or("breached"),
            ),
            owner: user_name(e.owner_user_id),
            started: shown_time(e.started_at, &staff.zone, &tr),
            deadline: shown_time(e.deadline, &staff.zone, &tr),
        })
        .collect();
    let root_causes = detail
        .root_causes
        .iter()
        .map(|cause| RootCauseLine {
            target: tr.value("target", cause.target.as_str()),
            category: cause.category.clone(),
            description: cause.description.clone(),
            corrective_action: cause.corrective_action.clone(),
            by: cause.recorded_by.clone(),
        })
        .collect();
    let breached_without_cause: Vec<Choice> = detail
        .targets
        .iter()
        .filter(|t| t.breached_at.is_some() || t.state == TargetState::Breached)
        .filter(|t| !detail.root_causes.iter().any(|c| c.target == t.target))
        .map(|t| Choice {
            value: t.target.as_str().to_owned(),
            label: tr.value("target", t.target.as_str()),
            selected: false,
        })
        .collect();
    let root_cause_categories = policy
        .as_deref()
        .map(|p| p.root_cause_categories().to_vec())
        .unwrap_or_default()
        .into_iter()
        .map(|category| Choice {
            label: category.clone(),
            value: category,
            selected: false,
        })
        .collect();
    let next_statuses = next_statuses(ticket.status)
        .iter()
        .map(|status| Choice {
            value: status.as_str().to_owned(),
            label: tr.value("action-status", status.as_str()),
            selected: false,
        })
        .collect();
    let may_escalate = ticket.status.is_open()
        && policy
            .as_deref()
            .is_some_and(|p| detail.escalations.len() < p.escalation().len());
    let contact_details = contact
        .and_then(|value| value.as_object().cloned())
        .map(|object| {
            object
                .into_iter()
                .filter_map(|(key, value)| {
                    let text = match value {
                        serde_json::Value::String(text) => text,
                        serde_json::Value::Null => return None,
                        other => other.to_string(),
                    };
                    Some((tr.value("contact-field", &key), text))
                })
                .collect()
        })
        .unwrap_or_default();
    let timeline = TimelineFragment {
        src: format!("{base}/timeline"),
        items: timeline_items(
            &detail,
            staff,
            &Names {
                users: &users,
                departments: &departments,
                categories: &categories,
            },
        ),
    };
    Ok(TicketPage {
        chrome: chrome::desk(staff, ticket.number.clone(), "queues"),
        base: base.clone(),
        number: ticket.number.clone(),
        subject: ticket.subject.clone(),
        kind: tr.value("kind", ticket.kind.as_str()),
        kind_value: ticket.kind.as_str(),
        channel: tr.value("channel", ticket.channel.as_str()),
        status: tr.value("status", ticket.status.as_str()),
        status_class: status_class(ticket.status),
        status_value: ticket.status.as_str(),
        requester_name: ticket.requester.name.clone(),
        requester_email: ticket.requester.email.clone().unwrap_or_default(),
        requester_phone: ticket.requester.phone.clone().unwrap_or_default(),
        requester_type: tr.value("requester-type", ticket.requester.requester_type.as_str()),
        assignee: user_name(ticket.assignee_id),
        created: shown_time(ticket.created_at, &staff.zone, &tr),
        contact_details,
        clocks,
        escalations,
        root_causes,
        timeline,
        deliveries: DeliveriesFragment {
            tr,
            lines: delivery_lines(&deliveries, &staff.zone, &tr),
        },
        may_change: staff.may_change() && !ticket.status.is_terminal(),
        canned: canned_replies
            .iter()
            .map(|reply| CannedOption {
                id: reply.id,
                title: reply.title.clone(),
                body: fill_canned(&reply.body, &detail, &staff.user, &staff.org.name),
            })
            .collect(),
        kinds: enum_choices(&tr, "kind", TicketKind::SPELLINGS, ticket.kind.as_str()),
        categories: categories
            .iter()
            .filter(|c| !c.archived)
            .map(|c| Choice {
                value: c.code.clone(),
                label: tr.lang.pick(&c.name_ar, &c.name_en).to_owned(),
                selected: ticket.category.as_deref() == Some(c.code.as_str()),
            })
            .collect(),
        complexities: enum_choices(
            &tr,
            "complexity",
            Complexity::SPELLINGS,
            ticket.complexity.map(|c| c.as_str()).unwrap_or(""),
        ),
        importances: enum_choices(
            &tr,
            "importance",
            Importance::SPELLINGS,
            ticket.importance.map(|c| c.as_str()).unwrap_or(""),
        ),
        department_boxes: departments
            .iter()
            .filter(|d| !d.archived)
            .map(|d| Choice {
                value: d.code.clone(),
                label: tr.lang.pick(&d.name_ar, &d.name_en).to_owned(),
                selected: ticket.departments.contains(&d.code),
            })
            .collect(),
        assignees: users
            .iter()
            .filter(|u| u.role != StaffRole::Supervisor)
            .map(|u| Choice {
                value: u.id.to_string(),
                label: format!("{} ({})", u.name, tr.value("role", u.role.as_str())),
                selected: ticket.assignee_id == Some(u.id),
            })
            .collect(),
        next_statuses,
        breached_without_cause,
        root_cause_categories,
        may_escalate,
        // The three dimensions of the requester's answer, then their comment (seed 002).
        rating: rating
            .map(|r| {
                let scores = [
                    ("handling", r.handling),
                    ("clarity", r.clarity),
                    ("closure", r.closure),
                ]
                .iter()
                .map(|(field, score)| {
                    format!(
                        "{}: {}",
                        tr.t(&format!("rate-label-{field}")),
                        tr.value("score", &score.to_string())
                    )
                })
                .collect::<Vec<_>>()
                .join(" · ");
                if r.comment.is_empty() {
                    scores
                } else {
                    format!("{scores} — {}", r.comment)
                }
            })
            .unwrap_or_default(),
        conduct_flags,
        conduct_requester,
        privacy_export: super::privacy::requester_export_action(staff, ticket.requester.id),
    })
}

/// The statuses a staff member can move a ticket to by hand from `status` (classification and
/// routing move on their own once complete).
fn next_statuses(status: TicketStatus) -> &'static [TicketStatus] {
    use TicketStatus::*;
    match status {
        Routed => &[InProgress],
        InProgress => &[WaitingOnRequester, Resolved],
        WaitingOnRequester => &[InProgress, Resolved],
        Resolved => &[Closed, InProgress],
        Closed => &[InProgress],
        _ => &[],
    }
}

pub async fn timeline(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, number)): Path<(String, String)>,
) -> Result<Html<String>, PageError> {
    let detail = visible_ticket(&state, &staff, &number, AuditView::AlreadyRecorded).await?;
    let users = state.store.users(staff.org.id).await?;
    let departments = state.store.departments(staff.org.id).await?;
    let categories = state.store.categories(staff.org.id).await?;
    let fragment = TimelineFragment {
        src: format!("{}/timeline", ticket_base(&staff, &detail.ticket.number)),
        items: timeline_items(
            &detail,
            &staff,
            &Names {
                users: &users,
                departments: &departments,
                categories: &categories,
            },
        ),
    };
    Ok(Html(fragment.render()?))
}

/// Server-sent events for an open ticket page: who else is on the ticket, and a signal when
/// something new happened. The page's own presence is refreshed on every beat, so presence
/// means "has the page open now". Polling the database every few seconds keeps this correct
/// with several instances behind one address, without a message bus.
pub async fn live(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, number)): Path<(String, String)>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, PageError> {
    let detail = visible_ticket(&state, &staff, &number, AuditView::AlreadyRecorded).await?;
    let number = detail.ticket.number.clone();
    let ticket_id = detail.ticket.id;
    let marker = state
        .store
        .ticket_activity_marker(staff.org.id, &number)
        .await?
        .unwrap_or(0);
    struct Beat {
        state: AppState,
        staff: StaffContext,
        number: String,
        ticket_id: i64,
        marker: i64,
        presence: Option<String>,
        first: bool,
    }
    let start = Beat {
        state,
        staff,
        number,
        ticket_id,
        marker,
        presence: None,
        first: true,
    };
    let stream = futures_util::stream::unfold(start, |mut beat| async move {
        loop {
            if !beat.first {
                tokio::time::sleep(Duration::from_secs(3)).await;
            }
            beat.first = false;
            let now = beat.state.clock.now();
            let store = &beat.state.store;
            let _ = store
                .touch_presence(
                    beat.staff.org.id,
                    beat.ticket_id,
                    beat.staff.user.id,
                    PresenceActivity::Viewing,
                    now,
                )
                .await;
            if let Ok(Some(marker)) = store
                .ticket_activity_marker(beat.staff.org.id, &beat.number)
                .await
                && marker != beat.marker
            {
                beat.marker = marker;
                return Some((
                    Ok(SseEvent::default()
                        .event("changed")
                        .data(marker.to_string())),
                    beat,
                ));
            }
            let others = store
                .presence(beat.ticket_id, now - jiff::SignedDuration::from_secs(20))
                .await
                .unwrap_or_default();
            let tr = *beat.staff.tr();
            let text = others
                .iter()
                .filter(|p| p.user_id != beat.staff.user.id)
                .map(|p| match p.activity {
                    PresenceActivity::Replying => tr.t1("presence-replying", "name", &p.user_name),
                    PresenceActivity::Viewing => tr.t1("presence-viewing", "name", &p.user_name),
                })
                .collect::<Vec<_>>()
                .join(" · ");
            if beat.presence.as_deref() != Some(text.as_str()) {
                beat.presence = Some(text.clone());
                return Some((Ok(SseEvent::default().event("presence").data(text)), beat));
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

#[derive(Deserialize)]
pub struct CsrfOnly {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

/// The reply box tells others that this person is typing.
pub async fn replying(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, number)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<StatusCode, PageError> {
    let form: CsrfOnly = parse_form(&body)?;
    check_csrf(&staff.page.csrf, form.csrf.as_deref())?;
    let detail = visible_ticket(&state, &staff, &number, AuditView::AlreadyRecorded).await?;
    state
        .store
        .touch_presence(
            staff.org.id,
            detail.ticket.id,
            staff.user.id,
            PresenceActivity::Replying,
            state.clock.now(),
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

pub async fn attachment(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, number, id)): Path<(String, String, i64)>,
) -> Result<Response, PageError> {
    let detail = visible_ticket(&state, &staff, &number, AuditView::Record).await?;
    let meta = state
        .store
        .attachment(staff.org.id, &detail.ticket.number, id)
        .await?
        .ok_or(PageError::NotFound)?;
    let bytes = state.store.attachments().get(&meta.storage_key).await?;
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        super::page_error::form_urlencoded_component(&meta.filename)
    );
    Ok((
        [
            (header::CONTENT_TYPE, meta.content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

// ---- actions ------------------------------------------------------------------------------------

pub(super) fn back_to(staff: &StaffContext, number: &str, anchor: &str) -> Response {
    Redirect::to(&format!("{}{anchor}", ticket_base(staff, number))).into_response()
}

pub(super) async fn changeable_ticket(
    state: &AppState,
    staff: &StaffContext,
    number: &str,
) -> Result<TicketDetail, PageError> {
    if !staff.may_change() {
        return Err(PageError::Forbidden);
    }
    visible_ticket(state, staff, number, AuditView::AlreadyRecorded).await
}

/// A reply to the requester or an internal note, with attachments, and optionally a change of
/// status in the same gesture.
pub async fn reply(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, number)): Path<(String, String)>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let form = MultipartForm::read(multipart).await?;
    check_csrf(&staff.page.csrf, form.text("_csrf"))?;
    let detail = changeable_ticket(&state, &staff, &number).await?;
    let tr = *staff.tr();
    let mut body_text = form.text("body").unwrap_or_default().trim().to_owned();
    // Without script, choosing a canned reply and sending an empty box sends the canned text.
    if body_text.is_empty()
        && let Some(id) = form.text("canned").and_then(|id| id.parse::<i64>().ok())
    {
        let replies = state.store.canned_replies(staff.org.id).await?;
        if let Some(reply) = replies.iter().find(|reply| reply.id == id) {
            body_text = fill_canned(&reply.body, &detail, &staff.user, &staff.org.name);
        }
    }
    let kind = match form.text("kind") {
        Some("internal_note") => MessageKind::InternalNote,
        _ => MessageKind::PublicReply,
    };
    let mut errors = FieldErrors::default();
    let body = MessageBody::parse(&body_text)
        .map_err(|_| {
            errors.add(
                "body",
                tr.n("error-text-length", MessageBody::MAX_CHARS as i64),
            )
        })
        .ok();
    let then = form
        .text("then")
        .filter(|value| !value.is_empty())
        .and_then(|value| value.parse::<TicketStatus>().ok());
    let attachments = check_uploads(form.files, &mut errors, &tr);
    let Some(body) = body.filter(|_| errors.is_empty()) else {
        return Err(PageError::rejected(errors.joined()));
    };
    let now = state.clock.now();
    let actor = staff_actor(&staff);
    let number = detail.ticket.number.clone();
    state
        .store
        .add_message(
            &staff.org,
            &number,
            &NewMessage {
                kind,
                body,
                attachments,
            },
            &actor,
            now,
        )
        .await?;
    if let Some(status) = then {
        state
            .store
            .transition_ticket(
                &staff.org,
                &number,
                &TransitionRequest {
                    to: status,
                    reason: None,
                    merge_into: None,
                },
                &actor,
                now,
            )
            .await?;
    }
    Ok(back_to(&staff, &number, "#timeline"))
}

#[derive(Deserialize)]
pub struct ClassifyForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    kind: Option<String>,
    category: Option<String>,
    complexity: Option<String>,
    importance: Option<String>,
    #[serde(default)]
    departments: Vec<String>,
    /// Present when the form routes (the department boxes were shown).
    route: Option<String>,
}

/// Classification and routing in one form: kind, category, complexity, importance and the
/// departments (several at once for critical cases).
pub async fn classify(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, number)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: ClassifyForm = parse_form(&body)?;
    check_csrf(&staff.page.csrf, form.csrf.as_deref())?;
    let detail = changeable_ticket(&state, &staff, &number).await?;
    let pick = |value: &Option<String>| {
        value
            .as_deref()
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let invalid = |what: &str| PageError::rejected(format!("unknown {what}"));
    let mut changes = TicketChanges {
        kind: pick(&form.kind)
            .map(|v| v.parse().map_err(|_| invalid("kind")))
            .transpose()?,
        category: pick(&form.category)
            .map(|v| Code::parse(&v).map_err(|_| invalid("category")))
            .transpose()?,
        complexity: pick(&form.complexity)
            .map(|v| v.parse().map_err(|_| invalid("complexity")))
            .transpose()?,
        importance: pick(&form.importance)
            .map(|v| v.parse().map_err(|_| invalid("importance")))
            .transpose()?,
        ..TicketChanges::default()
    };
    if form.route.is_some() {
        let departments = form
            .departments
            .iter()
            .map(|code| Code::parse(code).map_err(|_| invalid("department")))
            .collect::<Result<Vec<_>, _>>()?;
        changes.departments = Some(departments);
    }
    // Fields equal to what the ticket has already are left out, so the timeline only shows
    // real changes.
    let ticket = &detail.ticket;
    if changes.kind == Some(ticket.kind) {
        changes.kind = None;
    }
    if changes.category.as_ref().map(|c| c.as_str()) == ticket.category.as_deref() {
        changes.category = None;
    }
    if changes.complexity.is_some() && changes.complexity == ticket.complexity {
        changes.complexity = None;
    }
    if changes.importance.is_some() && changes.importance == ticket.importance {
        changes.importance = None;
    }
    if let Some(departments) = &changes.departments {
        let mut wanted: Vec<&str> = departments.iter().map(|d| d.as_str()).collect();
        let mut current: Vec<&str> = ticket.departments.iter().map(String::as_str).collect();
        wanted.sort_unstable();
        current.sort_unstable();
        if wanted == current {
            changes.departments = None;
        }
    }
    state
        .store
        .change_ticket(
            &staff.org,
            &ticket.number,
            &changes,
            &staff_actor(&staff),
            state.clock.now(),
        )
        .await?;
    Ok(back_to(&staff, &ticket.number, ""))
}

#[derive(Deserialize)]
pub struct AssignForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    assignee: String,
}

pub async fn assign(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, number)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: AssignForm = parse_form(&body)?;
    check_csrf(&staff.page.csrf, form.csrf.as_deref())?;
    let detail = changeable_ticket(&state, &staff, &number).await?;
    let assignee = match form.assignee.as_str() {
        "" => None,
        "me" => Some(staff.user.id),
        id => Some(
            id.parse::<i64>()
                .map_err(|_| PageError::rejected("unknown assignee"))?,
        ),
    };
    state
        .store
        .change_ticket(
            &staff.org,
            &detail.ticket.number,
            &TicketChanges {
                assignee_id: Some(assignee),
                ..TicketChanges::default()
            },
            &staff_actor(&staff),
            state.clock.now(),
        )
        .await?;
    Ok(back_to(&staff, &detail.ticket.number, ""))
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    to: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    merge_into: String,
}

/// Status changes: start, wait, resolve, close, reopen; cancel for a conduct violation (with
/// its reason) and merge into another ticket.
pub async fn status(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, number)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: StatusForm = parse_form(&body)?;
    check_csrf(&staff.page.csrf, form.csrf.as_deref())?;
    let detail = changeable_ticket(&state, &staff, &number).await?;
    let tr = *staff.tr();
    let to: TicketStatus = form
        .to
        .parse()
        .map_err(|_| PageError::rejected(tr.t("error-choose")))?;
    let reason = if to == TicketStatus::Cancelled {
        Some(
            ConductReason::parse(&form.reason)
                .map_err(|_| PageError::rejected(tr.t("error-cancel-reason")))?,
        )
    } else {
        None
    };
    let merge_into = if to == TicketStatus::Merged {
        Some(
            TicketNumber::parse(form.merge_into.trim())
                .map_err(|_| PageError::rejected(tr.t("error-merge-target")))?,
        )
    } else {
        None
    };
    state
        .store
        .transition_ticket(
            &staff.org,
            &detail.ticket.number,
            &TransitionRequest {
                to,
                reason,
                merge_into,
            },
            &staff_actor(&staff),
            state.clock.now(),
        )
        .await?;
    Ok(back_to(&staff, &detail.ticket.number, ""))
}

#[derive(Deserialize)]
pub struct EscalateForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    note: String,
}

pub async fn escalate(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, number)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: EscalateForm = parse_form(&body)?;
    check_csrf(&staff.page.csrf, form.csrf.as_deref())?;
    let detail = changeable_ticket(&state, &staff, &number).await?;
    let note = MessageBody::parse(&form.note)
        .map_err(|_| PageError::rejected(staff.tr().t("error-escalation-note")))?;
    state
        .store
        .escalate_by_staff(
            &staff.org,
            &detail.ticket.number,
            &note,
            &staff_actor(&staff),
            state.clock.now(),
        )
        .await?;
    Ok(back_to(&staff, &detail.ticket.number, ""))
}

#[derive(Deserialize)]
pub struct RootCauseForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    target: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    corrective_action: String,
}

pub async fn root_cause(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, number)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: RootCauseForm = parse_form(&body)?;
    check_csrf(&staff.page.csrf, form.csrf.as_deref())?;
    let detail = changeable_ticket(&state, &staff, &number).await?;
    let tr = *staff.tr();
    let target: TargetKind = form
        .target
        .parse()
        .map_err(|_| PageError::rejected(tr.t("error-choose")))?;
    let description = MessageBody::parse(&form.description)
        .map_err(|_| PageError::rejected(tr.t("error-root-cause-description")))?;
    let corrective_action = MessageBody::parse(&form.corrective_action)
        .map_err(|_| PageError::rejected(tr.t("error-root-cause-action")))?;
    state
        .store
        .record_root_cause(
            &staff.org,
            &detail.ticket.number,
            &RootCauseInput {
                target,
                category: form.category.trim().to_owned(),
                description,
                corrective_action,
            },
            &staff_actor(&staff),
            state.clock.now(),
        )
        .await?;
    Ok(back_to(&staff, &detail.ticket.number, ""))
}

// ---- contacts logged by staff -------------------------------------------------------------------

/// The channels staff log by hand.
const LOGGED_CHANNELS: &[Channel] = &[Channel::Phone, Channel::InClass, Channel::RemoteSession];

#[derive(Default, Deserialize, Clone)]
pub struct LogContactValues {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    channel: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    requester_type: String,
    #[serde(default)]
    call_minutes: String,
    #[serde(default)]
    room_manager: String,
    #[serde(default)]
    course_session: String,
    #[serde(default)]
    remote_tool: String,
    #[serde(default)]
    remote_session_id: String,
    #[serde(default)]
    remote_minutes: String,
}

#[derive(Template)]
#[template(path = "ui/desk_log_contact.html")]
struct LogContactPage {
    chrome: Chrome,
    action: String,
    /// Where the phone field asks, as it is typed, whether the caller is a known requester.
    lookup_href: String,
    values: LogContactValues,
    errors: FieldErrors,
    channels: Vec<Choice>,
    kinds: Vec<Choice>,
    categories: Vec<Choice>,
    requester_types: Vec<Choice>,
}

async fn log_contact_page(
    state: &AppState,
    staff: &StaffContext,
    values: LogContactValues,
    errors: FieldErrors,
) -> Result<LogContactPage, PageError> {
    let tr = *staff.tr();
    let categories = state.store.categories(staff.org.id).await?;
    let channel_spellings: Vec<&str> = LOGGED_CHANNELS.iter().map(|c| c.as_str()).collect();
    Ok(LogContactPage {
        chrome: chrome::desk(staff, tr.t("log-title"), "log"),
        action: format!("/o/{}/desk/log-contact", staff.org.slug),
        lookup_href: format!("/o/{}/desk/known-requester", staff.org.slug),
        channels: enum_choices(&tr, "channel", &channel_spellings, &values.channel),
        kinds: enum_choices(&tr, "kind", TicketKind::SPELLINGS, &values.kind),
        categories: categories
            .iter()
            .filter(|c| !c.archived)
            .map(|c| Choice {
                value: c.code.clone(),
                label: tr.lang.pick(&c.name_ar, &c.name_en).to_owned(),
                selected: c.code == values.category,
            })
            .collect(),
        requester_types: enum_choices(
            &tr,
            "requester-type",
            RequesterType::SPELLINGS,
            &values.requester_type,
        ),
        values,
        errors,
    })
}

#[derive(Deserialize, Default)]
pub struct LogContactQuery {
    channel: Option<String>,
}

pub async fn log_contact_form(
    State(state): State<AppState>,
    staff: StaffContext,
    Query(query): Query<LogContactQuery>,
) -> Result<Html<String>, PageError> {
    if !staff.may_change() {
        return Err(PageError::Forbidden);
    }
    let values = LogContactValues {
        channel: query
            .channel
            .filter(|c| LOGGED_CHANNELS.iter().any(|l| l.as_str() == c))
            .unwrap_or_else(|| "phone".to_owned()),
        kind: "inquiry".to_owned(),
        requester_type: "trainee".to_owned(),
        ..LogContactValues::default()
    };
    let page = log_contact_page(&state, &staff, values, FieldErrors::default()).await?;
    Ok(Html(page.render()?))
}

fn minutes(raw: &str, field: &str, errors: &mut FieldErrors, tr: &Tr) -> Option<u32> {
    match raw.trim() {
        "" => None,
        text => match text.parse::<u32>() {
            Ok(value) if value <= 24 * 60 => Some(value),
            _ => {
                errors.add(field, tr.t("error-minutes"));
                None
            }
        },
    }
}

pub async fn log_contact_submit(
    State(state): State<AppState>,
    staff: StaffContext,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let values: LogContactValues = parse_form(&body)?;
    check_csrf(&staff.page.csrf, values.csrf.as_deref())?;
    if !staff.may_change() {
        return Err(PageError::Forbidden);
    }
    let tr = *staff.tr();
    let mut errors = FieldErrors::default();
    let channel = values
        .channel
        .parse::<Channel>()
        .ok()
        .filter(|c| LOGGED_CHANNELS.contains(c));
    if channel.is_none() {
        errors.add("channel", tr.t("error-choose"));
    }
    let kind = values.kind.parse::<TicketKind>().ok();
    if kind.is_none() {
        errors.add("kind", tr.t("error-choose-kind"));
    }
    let category = match values.category.trim() {
        "" => None,
        code => Code::parse(code)
            .map_err(|_| errors.add("category", tr.t("error-choose-category")))
            .ok(),
    };
    let subject = Subject::parse(&values.subject)
        .map_err(|_| {
            errors.add(
                "subject",
                tr.n("error-text-length", Subject::MAX_CHARS as i64),
            )
        })
        .ok();
    let body = MessageBody::parse(&values.body)
        .map_err(|_| {
            errors.add(
                "body",
                tr.n("error-text-length", MessageBody::MAX_CHARS as i64),
            )
        })
        .ok();
    let name = PersonName::parse(&values.name)
        .map_err(|_| errors.add("name", tr.t("error-name")))
        .ok();
    let email = match values.email.trim() {
        "" => None,
        raw => EmailAddress::parse(raw)
            .map_err(|_| errors.add("email", tr.t("error-email")))
            .ok(),
    };
    let phone = match values.phone.trim() {
        "" => None,
        raw => PhoneNumber::parse(raw)
            .map_err(|_| errors.add("phone", tr.t("error-phone")))
            .ok(),
    };
    let contact = RequesterContact::from_parts(email, phone);
    if contact.is_none() && !errors.has("email") && !errors.has("phone") {
        errors.add("phone", tr.t("error-contact-required"));
    }
    let requester_type = values.requester_type.parse::<RequesterType>().ok();
    let details = match channel {
        Some(Channel::Phone) => serde_json::json!({
            "call_minutes": minutes(&values.call_minutes, "call_minutes", &mut errors, &tr),
        }),
        Some(Channel::InClass) => {
            if values.room_manager.trim().is_empty() {
                errors.add("room_manager", tr.t("error-required"));
            }
            serde_json::json!({
                "room_manager": values.room_manager.trim(),
                "course_session": values.course_session.trim(),
            })
        }
        Some(Channel::RemoteSession) => {
            if values.remote_tool.trim().is_empty() {
                errors.add("remote_tool", tr.t("error-required"));
            }
            serde_json::json!({
                "remote_tool": values.remote_tool.trim(),
                "remote_session_id": values.remote_session_id.trim(),
                "remote_minutes": minutes(&values.remote_minutes, "remote_minutes", &mut errors, &tr),
            })
        }
        _ => serde_json::json!({}),
    };
    let ready = match (channel, kind, subject, body, name, contact, requester_type) {
        (Some(c), Some(k), Some(s), Some(b), Some(n), Some(contact), Some(t))
            if errors.is_empty() =>
        {
            Some(NewTicket {
                kind: k,
                channel: c,
                subject: s,
                body: b,
                category,
                requester: NewRequester {
                    name: n,
                    contact,
                    requester_type: t,
                },
                attachments: Vec::new(),
            })
        }
        _ => None,
    };
    let Some(new) = ready else {
        let page = log_contact_page(&state, &staff, values, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
    };
    let now = state.clock.now();
    let created = state
        .store
        .create_ticket(&staff.org, &new, None, &staff_actor(&staff), now)
        .await?;
    state
        .store
        .record_contact_details(staff.org.id, created.ticket.id, &details, staff.user.id)
        .await?;
    Ok(back_to(&staff, &created.ticket.number, ""))
}

/// A requester the log-contact form recognised, with the open tickets the staff member may see.
pub struct KnownRequesterLine {
    pub name: String,
    /// Ticket numbers and their desk addresses.
    pub tickets: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "ui/desk_known_requester.html")]
struct KnownRequesterFragment {
    tr: Tr,
    known: Option<KnownRequesterLine>,
}

#[derive(Deserialize, Default)]
pub struct KnownRequesterQuery {
    phone: Option<String>,
    email: Option<String>,
}

/// Answers the log-contact form's phone field as it is typed: the requester with that number
/// (or e-mail address) and their open tickets, or nothing. Complaints the staff member may not
/// see are left out, as everywhere else on the desk. An unknown or half-typed number answers
/// with an empty fragment, which clears an earlier answer.
pub async fn known_requester(
    State(state): State<AppState>,
    staff: StaffContext,
    Query(query): Query<KnownRequesterQuery>,
) -> Result<Html<String>, PageError> {
    if !staff.may_change() {
        return Err(PageError::Forbidden);
    }
    let typed = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .map(str::to_owned)
    };
    let key = match (typed(&query.phone), typed(&query.email)) {
        (Some(phone), _) => PhoneNumber::parse(&phone)
            .ok()
            .map(sanad_store::RequesterKey::Phone),
        (None, Some(email)) => EmailAddress::parse(&email)
            .ok()
            .map(sanad_store::RequesterKey::Email),
        (None, None) => None,
    };
    let found = match &key {
        Some(key) => state.store.requester_by_key(staff.org.id, key).await?,
        None => None,
    };
    let known = found.map(|requester| KnownRequesterLine {
        name: requester.name,
        tickets: requester
            .open_tickets
            .iter()
            .filter(|ticket| {
                let facts = VisibilityFacts {
                    kind: ticket.kind,
                    departments: &ticket.departments,
                    assignee: ticket.assignee_id,
                };
                ticket_access(&staff.principal, facts) != Access::Denied
            })
            .map(|ticket| (ticket.number.clone(), ticket_base(&staff, &ticket.number)))
            .collect(),
    });
    let fragment = KnownRequesterFragment {
        tr: *staff.tr(),
        known,
    };
    Ok(Html(fragment.render()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_move_tickets_only_along_the_lifecycle() {
        assert_eq!(
            next_statuses(TicketStatus::Received),
            &[] as &[TicketStatus]
        );
        assert_eq!(
            next_statuses(TicketStatus::InProgress),
            &[TicketStatus::WaitingOnRequester, TicketStatus::Resolved]
        );
        assert_eq!(
            next_statuses(TicketStatus::Closed),
            &[TicketStatus::InProgress]
        );
    }
}
