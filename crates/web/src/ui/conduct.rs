//! The conduct policy's pages (seed 004): the flags on a ticket with the matched words
//! highlighted and their review, the desk's list of flagged tickets, the requesters with
//! violations (for directors, executives and administrators), and the administrators' editor of
//! the organization's lexicon. Cancelling for a violation is the ticket page's existing
//! "cancel for a conduct violation" action; the store records the violation and tells the
//! requester in the same transaction.

use super::admin::{Section, frame, require_admin};
use super::chrome::{self, Chrome};
use super::desk::{back_to, changeable_ticket, staff_actor};
use super::format::{ShownTime, shown_time};
use super::forms::{FieldErrors, parse_form, unprocessable};
use super::i18n::Tr;
use super::page_error::PageError;
use super::session::{StaffContext, check_csrf};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use sanad_domain::StaffRole;
use sanad_domain::conduct::{ConductLexicon, LexiconError};
use sanad_domain::permissions::{Access, VisibilityFacts, ticket_access};
use sanad_store::{ConductField, ConductTerm, TicketDetail};
use serde::Deserialize;

/// How many rows the flagged and violations lists show.
const LIST_LIMIT: i64 = 200;

/// Directors, executives and administrators see conduct violations per requester: a record
/// about a person, kept away from the agents who deal with that person's requests.
fn sees_violations(staff: &StaffContext) -> bool {
    matches!(
        staff.user.role,
        StaffRole::Director | StaffRole::Executive | StaffRole::Admin
    )
}

// ---- highlighting ---------------------------------------------------------------------------------

/// A piece of a text, marked when it is a matched term. Templates escape both kinds.
pub struct Segment {
    pub text: String,
    pub marked: bool,
}

/// Splits `text` into plain and marked pieces at the byte ranges of `ranges` (which may overlap
/// or be out of order). A range that does not fall on character boundaries of this text (a
/// message edited since, in principle) is ignored rather than trusted.
pub fn highlight(text: &str, ranges: &[(usize, usize)]) -> Vec<Segment> {
    let mut valid: Vec<(usize, usize)> = ranges
        .iter()
        .copied()
        .filter(|&(start, end)| start < end && text.get(start..end).is_some())
        .collect();
    valid.sort();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in valid {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut segments = Vec::new();
    let mut at = 0;
    for (start, end) in merged {
        if start > at {
            segments.push(Segment {
                text: text[at..start].to_owned(),
                marked: false,
            });
        }
        segments.push(Segment {
            text: text[start..end].to_owned(),
            marked: true,
        });
        at = end;
    }
    if at < text.len() {
        segments.push(Segment {
            text: text[at..].to_owned(),
            marked: false,
        });
    }
    segments
}

fn ranges(terms: &[ConductTerm], field: ConductField) -> Vec<(usize, usize)> {
    terms
        .iter()
        .filter(|term| term.field == field)
        .map(|term| (term.start, term.end))
        .collect()
}

// ---- the ticket page's fragments ----------------------------------------------------------------

pub struct FlagLine {
    pub flagged: ShownTime,
    pub entries: String,
    /// The subject with its matched words marked, for a new ticket's subject; else empty.
    pub subject: Vec<Segment>,
    pub body: Vec<Segment>,
    pub reviewed: String,
}

#[derive(Template)]
#[template(path = "ui/conduct_ticket_flags.html")]
pub struct FlagsFragment {
    tr: Tr,
    csrf: String,
    review_action: String,
    flags: Vec<FlagLine>,
    open: usize,
    review_label: String,
    may_review: bool,
}

pub struct ViolationLine {
    pub ticket_number: String,
    pub ticket_href: String,
    pub reason: String,
    pub recorded_by: String,
    pub recorded: ShownTime,
}

#[derive(Template)]
#[template(path = "ui/conduct_requester.html")]
pub struct RequesterFragment {
    tr: Tr,
    count_text: String,
    violations: Vec<ViolationLine>,
    list_href: String,
}

fn desk_base(staff: &StaffContext) -> String {
    format!("/o/{}/desk", staff.org.slug)
}

/// The conduct parts of the desk's ticket page: the flags (for everyone who sees the ticket)
/// and the requester's violations (for directors and up). Each is empty when there is nothing
/// to show.
pub async fn ticket_fragments(
    state: &AppState,
    staff: &StaffContext,
    detail: &TicketDetail,
) -> Result<(String, String), PageError> {
    let tr = *staff.tr();
    let flags = state
        .store
        .conduct_flags(staff.org.id, detail.ticket.id)
        .await?;
    let users = if flags.iter().any(|flag| flag.reviewed_by.is_some()) {
        state.store.users(staff.org.id).await?
    } else {
        Vec::new()
    };
    let flags_html = if flags.is_empty() {
        String::new()
    } else {
        let open = flags
            .iter()
            .filter(|flag| flag.reviewed_at.is_none())
            .count();
        let lines = flags
            .iter()
            .map(|flag| {
                let body = detail
                    .messages
                    .iter()
                    .find(|message| message.id == flag.message_id)
                    .map(|message| message.body.as_str())
                    .unwrap_or_default();
                let mut entries: Vec<&str> =
                    flag.terms.iter().map(|term| term.entry.as_str()).collect();
                entries.dedup();
                let subject_ranges = ranges(&flag.terms, ConductField::Subject);
                let reviewed = match flag.reviewed_at {
                    Some(at) => {
                        let by = flag
                            .reviewed_by
                            .and_then(|id| users.iter().find(|user| user.id == id))
                            .map(|user| user.name.clone())
                            .unwrap_or_default();
                        let when = shown_time(at, &staff.zone, &tr).gregorian;
                        tr.t1("conduct-reviewed-by", "name", &format!("{by} · {when}"))
                    }
                    None => String::new(),
                };
                FlagLine {
                    flagged: shown_time(flag.flagged_at, &staff.zone, &tr),
                    entries: entries.join(" · "),
                    subject: if subject_ranges.is_empty() {
                        Vec::new()
                    } else {
                        highlight(&detail.ticket.subject, &subject_ranges)
                    },
                    body: highlight(body, &ranges(&flag.terms, ConductField::Body)),
                    reviewed,
                }
            })
            .collect();
        FlagsFragment {
            tr,
            csrf: staff.page.csrf.0.clone(),
            review_action: format!(
                "{}/tickets/{}/conduct/review",
                desk_base(staff),
                detail.ticket.number
            ),
            flags: lines,
            open,
            review_label: tr.n("conduct-review-submit", open as i64),
            may_review: staff.may_change(),
        }
        .render()?
    };
    let requester_html = if sees_violations(staff) {
        let violations = state
            .store
            .conduct_violations(staff.org.id, detail.ticket.requester.id)
            .await?;
        RequesterFragment {
            tr,
            count_text: tr.n("conduct-violation-count", violations.len() as i64),
            violations: violation_lines(staff, &violations),
            list_href: format!("{}/conduct/violations", desk_base(staff)),
        }
        .render()?
    } else {
        String::new()
    };
    Ok((flags_html, requester_html))
}

fn violation_lines(
    staff: &StaffContext,
    violations: &[sanad_store::ConductViolation],
) -> Vec<ViolationLine> {
    violations
        .iter()
        .map(|violation| ViolationLine {
            ticket_href: format!("{}/tickets/{}", desk_base(staff), violation.ticket_number),
            ticket_number: violation.ticket_number.clone(),
            reason: violation.reason.clone(),
            recorded_by: violation.recorded_by.clone(),
            recorded: shown_time(violation.recorded_at, &staff.zone, staff.tr()),
        })
        .collect()
}

/// One line of the timeline for a `conduct` event.
pub fn describe_event(event: &sanad_store::Event, tr: &Tr) -> String {
    let after = event.after.as_ref();
    let text = |key: &str| after.and_then(|value| value.get(key));
    match text("change").and_then(|change| change.as_str()) {
        Some("flagged") => {
            let entries: Vec<&str> = text("entries")
                .and_then(|entries| entries.as_array())
                .map(|entries| entries.iter().filter_map(|entry| entry.as_str()).collect())
                .unwrap_or_default();
            tr.t1("conduct-event-flagged", "entries", &entries.join(" · "))
        }
        Some("reviewed") => tr.t("conduct-event-reviewed"),
        Some("violation") => tr.t1(
            "conduct-event-violation",
            "reason",
            text("reason")
                .and_then(|reason| reason.as_str())
                .unwrap_or(""),
        ),
        _ => tr.t("conduct-event-other"),
    }
}

// ---- reviewing a ticket's flags ----------------------------------------------------------------

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

/// Marks the ticket's flags reviewed (agents and up; supervisors only read).
pub async fn review(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, number)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: CsrfForm = parse_form(&body)?;
    check_csrf(&staff.page.csrf, form.csrf.as_deref())?;
    let detail = changeable_ticket(&state, &staff, &number).await?;
    state
        .store
        .review_conduct_flags(
            staff.org.id,
            &detail.ticket.number,
            &staff_actor(&staff),
            state.clock.now(),
        )
        .await?;
    Ok(back_to(&staff, &detail.ticket.number, "#conduct-flags"))
}

// ---- the flagged list ------------------------------------------------------------------------

pub struct FlaggedLine {
    pub number: String,
    pub href: String,
    pub subject: String,
    pub status: String,
    pub requester: String,
    pub open_flags: i64,
    pub flagged: ShownTime,
}

#[derive(Template)]
#[template(path = "ui/conduct_flagged.html")]
struct FlaggedPage {
    chrome: Chrome,
    lines: Vec<FlaggedLine>,
    violations_href: String,
    sees_violations: bool,
}

/// Tickets whose flags no one has reviewed, limited to the tickets the viewer may see (the
/// same rule as every queue: complaints stay within their departments).
pub async fn flagged(
    State(state): State<AppState>,
    staff: StaffContext,
) -> Result<Html<String>, PageError> {
    let tr = *staff.tr();
    let tickets = state
        .store
        .flagged_tickets(staff.org.id, LIST_LIMIT)
        .await?;
    let lines = tickets
        .into_iter()
        .filter(|ticket| {
            let facts = VisibilityFacts {
                kind: ticket.kind,
                departments: &ticket.departments,
                assignee: ticket.assignee_id,
            };
            ticket_access(&staff.principal, facts) != Access::Denied
        })
        .map(|ticket| FlaggedLine {
            href: format!("{}/tickets/{}", desk_base(&staff), ticket.number),
            number: ticket.number,
            subject: ticket.subject,
            status: tr.value("status", ticket.status.as_str()),
            requester: ticket.requester_name,
            open_flags: ticket.open_flags,
            flagged: shown_time(ticket.last_flagged_at, &staff.zone, &tr),
        })
        .collect();
    let page = FlaggedPage {
        chrome: chrome::desk(&staff, tr.t("conduct-flagged-title"), "queues"),
        lines,
        violations_href: format!("{}/conduct/violations", desk_base(&staff)),
        sees_violations: sees_violations(&staff),
    };
    Ok(Html(page.render()?))
}

// ---- requesters with violations -----------------------------------------------------------------

pub struct RequesterLine {
    pub name: String,
    pub contact: String,
    pub count_text: String,
    pub last: ShownTime,
    pub violations: Vec<ViolationLine>,
}

#[derive(Template)]
#[template(path = "ui/conduct_violations.html")]
struct ViolationsPage {
    chrome: Chrome,
    requesters: Vec<RequesterLine>,
}

pub async fn violations(
    State(state): State<AppState>,
    staff: StaffContext,
) -> Result<Html<String>, PageError> {
    if !sees_violations(&staff) {
        return Err(PageError::Forbidden);
    }
    let tr = *staff.tr();
    let requesters = state
        .store
        .requesters_with_violations(staff.org.id, LIST_LIMIT)
        .await?;
    let mut lines = Vec::with_capacity(requesters.len());
    for requester in requesters {
        let violations = state
            .store
            .conduct_violations(staff.org.id, requester.requester_id)
            .await?;
        lines.push(RequesterLine {
            contact: [requester.email, requester.phone]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · "),
            name: requester.name,
            count_text: tr.n("conduct-violation-count", requester.violations),
            last: shown_time(requester.last_recorded_at, &staff.zone, &tr),
            violations: violation_lines(&staff, &violations),
        });
    }
    let page = ViolationsPage {
        chrome: chrome::desk(&staff, tr.t("conduct-violations-title"), "queues"),
        requesters: lines,
    };
    Ok(Html(page.render()?))
}

// ---- administration: the lexicon ------------------------------------------------------------------

#[derive(Template)]
#[template(path = "ui/admin_conduct.html")]
struct LexiconPage {
    chrome: Chrome,
    frame: super::admin::Frame,
    action: String,
    source: String,
    custom: bool,
    /// Whose list is in force (the default, or the organization's since when) and its size.
    state_line: String,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
pub struct LexiconQuery {
    done: Option<String>,
}

/// A parse error of the lexicon in the page's language, naming its line.
fn lexicon_error(error: &LexiconError, tr: &Tr) -> String {
    match error {
        LexiconError::NothingToMatch { line, entry } => format!(
            "{}: {}",
            tr.n("conduct-error-line", *line as i64),
            tr.t1("conduct-error-nothing", "entry", entry)
        ),
        LexiconError::TooManyWords {
            line, entry, max, ..
        } => format!(
            "{}: {}",
            tr.n("conduct-error-line", *line as i64),
            tr.n1("conduct-error-too-many-words", *max as i64, "entry", entry)
        ),
        LexiconError::MisplacedWildcard { line } => format!(
            "{}: {}",
            tr.n("conduct-error-line", *line as i64),
            tr.t("conduct-error-wildcard")
        ),
        LexiconError::TooManyEntries { max, .. } => {
            tr.n("conduct-error-too-many-entries", *max as i64)
        }
    }
}

async fn lexicon_page(
    state: &AppState,
    staff: &StaffContext,
    notice: String,
    submitted: Option<String>,
    errors: FieldErrors,
) -> Result<LexiconPage, PageError> {
    let tr = *staff.tr();
    let stored = state.store.conduct_lexicon(staff.org.id).await?;
    let entries = ConductLexicon::parse(&stored.source)
        .map(|lexicon| lexicon.len())
        .unwrap_or(0);
    let whose = match stored.updated_at {
        Some(at) if stored.custom => tr.t1(
            "conduct-lexicon-custom",
            "updated",
            &shown_time(at, &staff.zone, &tr).gregorian,
        ),
        _ => tr.t("conduct-lexicon-default"),
    };
    let state_line = format!(
        "{whose} · {}",
        tr.n("conduct-lexicon-entries", entries as i64)
    );
    let (chrome, mut frame) = frame(staff, Section::Conduct, notice);
    if !errors.is_empty() {
        frame.problem = tr.t("conduct-lexicon-not-saved");
    }
    Ok(LexiconPage {
        chrome,
        frame,
        action: Section::Conduct.href(staff),
        source: submitted.unwrap_or(stored.source),
        custom: stored.custom,
        state_line,
        errors,
    })
}

pub async fn lexicon(
    State(state): State<AppState>,
    staff: StaffContext,
    Query(query): Query<LexiconQuery>,
) -> Result<Html<String>, PageError> {
    require_admin(&staff)?;
    let tr = *staff.tr();
    let notice = match query.done.as_deref() {
        Some("saved") => tr.t("admin-done-saved"),
        Some("reset") => tr.t("conduct-lexicon-reset-done"),
        _ => String::new(),
    };
    let page = lexicon_page(&state, &staff, notice, None, FieldErrors::default()).await?;
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub struct LexiconForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    source: String,
    #[serde(default)]
    reset: Option<String>,
}

/// Saves the lexicon typed by an administrator, or goes back to the default. A text that does
/// not parse is shown again with its error and the line it is on; nothing is saved.
pub async fn lexicon_save(
    State(state): State<AppState>,
    staff: StaffContext,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: LexiconForm = parse_form(&body)?;
    check_csrf(&staff.page.csrf, form.csrf.as_deref())?;
    require_admin(&staff)?;
    let tr = *staff.tr();
    if form.reset.is_some() {
        state.store.reset_conduct_lexicon(staff.org.id).await?;
        return Ok(
            Redirect::to(&format!("{}?done=reset", Section::Conduct.href(&staff))).into_response(),
        );
    }
    let source = form.source.replace("\r\n", "\n");
    if let Err(error) = ConductLexicon::parse(&source) {
        let mut errors = FieldErrors::default();
        errors.add("source", lexicon_error(&error, &tr));
        let page = lexicon_page(&state, &staff, String::new(), Some(source), errors).await?;
        return Ok(unprocessable(page.render()?));
    }
    state
        .store
        .set_conduct_lexicon(staff.org.id, &source, staff.user.id, state.clock.now())
        .await?;
    Ok(Redirect::to(&format!("{}?done=saved", Section::Conduct.href(&staff))).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(segments: &[Segment]) -> String {
        segments
            .iter()
            .map(|segment| {
                if segment.marked {
                    format!("[{}]", segment.text)
                } else {
                    segment.text.clone()
                }
            })
            .collect()
    }

    #[test]
    fn highlighting_marks_each_range_once() {
        let text = "أنت غبي وحقير";
        let stupid = text.find("غبي").unwrap();
        let vile = text.find("وحقير").unwrap();
        let ranges = [
            (vile, text.len()),
            (stupid, stupid + "غبي".len()),
            (stupid, stupid + "غبي".len()),
        ];
        assert_eq!(shown(&highlight(text, &ranges)), "أنت [غبي] [وحقير]");
        // Overlapping ranges merge; a range inside a character is ignored.
        assert_eq!(shown(&highlight("abcdef", &[(1, 3), (2, 5)])), "a[bcde]f");
        assert_eq!(shown(&highlight("غبي", &[(1, 2)])), "غبي");
        assert_eq!(shown(&highlight("abc", &[])), "abc");
    }
}
