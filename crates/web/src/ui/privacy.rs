//! Privacy under the Saudi PDPL, and the organization's rules for satisfaction answers, on the
//! pages.
//!
//! On the portal, a requester signed in to their ticket (the same requester session the ticket
//! page uses) finds "Your data": a JSON export of everything the organization holds about them
//! that they may see, and a request for erasure, which an administrator carries out. In the
//! administration, the Privacy tab lists erasure requests and carries them out, exports a
//! requester's data (found by e-mail or phone, or from a ticket's requester card), and holds
//! the settings: the rating edit window, the follow-up threshold and the retention period.
//!
//! Erasure anonymizes rather than deletes (see `sanad_store::privacy`): the tickets stay, with
//! their classification, times and targets, so every figure counts the same afterwards.
//! Everything here is for administrators only on the desk side: directors see the reports,
//! but acting on a person's data (or seeing who asked for erasure) is kept to the role that can
//! carry it out.

use super::admin::{Frame, Section, frame, require_admin};
use super::chrome::{self, Chrome};
use super::format::{ShownTime, shown_time};
use super::forms::{FieldErrors, done, parse_form, unprocessable};
use super::i18n::Tr;
use super::page_error::PageError;
use super::portal::{Portal, tracked_ticket};
use super::session::{StaffContext, check_csrf};
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use sanad_domain::privacy::{MAX_RETENTION_DAYS, RetentionDays};
use sanad_domain::satisfaction::{MAX_EDIT_WINDOW_HOURS, RatingRules, RatingRulesError};
use sanad_domain::{EmailAddress, MessageKind, PhoneNumber};
use sanad_store::{
    AnonymizationReport, ErasureRequest, PrivacyActor, RequesterExport, RequesterKey, StoreError,
    TicketDetail,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// The version of the export's JSON shape, written into every file so that a reader (the
/// requester, or another system they take their data to) knows what it holds.
const EXPORT_FORMAT: &str = "sanad-personal-data/1";
/// How many lines of the privacy audit the administration page shows.
const AUDIT_LINES: u32 = 30;

// ---- the export, as JSON ------------------------------------------------------------------------

fn time(at: Timestamp) -> Value {
    Value::String(at.to_string())
}

fn optional_time(at: Option<Timestamp>) -> Value {
    at.map(time).unwrap_or(Value::Null)
}

/// The export as the requester receives it. The store has already left out internal notes;
/// staff members are named only as the organization (their names are not the requester's
/// data), and attachments are described by their metadata, not their storage keys.
pub fn export_json(org_slug: &str, export: &RequesterExport, now: Timestamp) -> Value {
    let requester = &export.requester;
    let tickets: Vec<Value> = export
        .tickets
        .iter()
        .map(|ticket| {
            let summary = &ticket.ticket;
            let messages: Vec<Value> = ticket
                .messages
                .iter()
                .filter(|message| message.kind.is_visible_to_requester())
                .map(|message| {
                    json!({
                        "from": if message.kind == MessageKind::RequesterMessage { "requester" } else { "organization" },
                        "kind": message.kind.as_str(),
                        "body": message.body,
                        "at": time(message.created_at),
                        "attachments": message.attachments.iter().map(|file| json!({
                            "filename": file.filename,
                            "content_type": file.content_type,
                            "size_bytes": file.size_bytes,
                            "sha256": file.sha256,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let satisfaction = ticket
                .satisfaction
                .as_ref()
                .map(|answer| {
                    json!({
                        "handling": answer.handling.get(),
                        "clarity": answer.clarity.get(),
                        "closure": answer.closure.get(),
                        "overall": answer.overall.get(),
                        "comment": answer.comment,
                        "answered_at": time(answer.created_at),
                        "updated_at": time(answer.updated_at),
                    })
                })
                .unwrap_or(Value::Null);
            json!({
                "number": summary.number,
                "kind": summary.kind.as_str(),
                "channel": summary.channel.as_str(),
                "status": summary.status.as_str(),
                "subject": summary.subject,
                "category": summary.category,
                "cancel_reason": summary.cancel_reason,
                "created_at": time(summary.created_at),
                "updated_at": time(summary.updated_at),
                "resolved_at": optional_time(summary.resolved_at),
                "messages": messages,
                "satisfaction": satisfaction,
            })
        })
        .collect();
    json!({
        "format": EXPORT_FORMAT,
        "organization": org_slug,
        "exported_at": time(now),
        "requester": {
            "name": requester.name,
            "email": requester.email,
            "phone": requester.phone,
            "requester_type": requester.requester_type.as_str(),
            "created_at": time(export.created_at),
            "erased_at": optional_time(export.erased_at),
        },
        "identities": export.identities.iter().map(|identity| json!({
            "channel": identity.channel.as_str(),
            "external_id": identity.external_id,
            "created_at": time(identity.created_at),
            "last_inbound_at": optional_time(identity.last_inbound_at),
        })).collect::<Vec<_>>(),
        "tickets": tickets,
        "erasure_requests": export.erasure_requests.iter().map(|request| json!({
            "requested_via": request.requested_via,
            "requested_at": time(request.requested_at),
            "state": request.state,
            "carried_out_at": optional_time(request.carried_out_at),
        })).collect::<Vec<_>>(),
    })
}

/// The export as a download: JSON, named after the organization, whose data it is and the
/// day, never cached.
fn export_download(
    export: &RequesterExport,
    org_slug: &str,
    who: &str,
    zone: &TimeZone,
    now: Timestamp,
) -> Result<Response, PageError> {
    let body = serde_json::to_vec_pretty(&export_json(org_slug, export, now)).map_err(|error| {
        tracing::error!(%error, "privacy export failed");
        PageError::Internal
    })?;
    let day = now.to_zoned(zone.clone()).date();
    // The slug and the parts given here are ASCII letters, digits and dashes, so the name
    // needs no quoting beyond the quotes.
    let file_name = format!("personal-data-{org_slug}-{who}-{day}.json");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/json; charset=utf-8".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file_name}\""),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        body,
    )
        .into_response())
}

// ---- the portal: "Your data" --------------------------------------------------------------------

#[derive(Template)]
#[template(path = "ui/privacy_portal.html")]
struct YourDataPage {
    chrome: Chrome,
    /// The ticket's address on the portal; the page's forms post below it.
    base: String,
    number: String,
    name: String,
    email: String,
    phone: String,
    /// "Your request of … was received", when one is waiting; empty otherwise.
    pending: String,
    flash: String,
    error: String,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
    tickets: Option<String>,
    files: Option<String>,
}

/// The requester's pending erasure request, if any. The organization's list shows pending
/// requests first, so one waiting is always on it.
async fn pending_request(
    state: &AppState,
    org_id: i64,
    requester_id: i64,
) -> Result<Option<ErasureRequest>, PageError> {
    Ok(state
        .store
        .erasure_requests(org_id)
        .await?
        .into_iter()
        .find(|request| request.requester_id == requester_id && request.state == "pending"))
}

async fn your_data_page(
    state: &AppState,
    portal: &Portal,
    detail: &TicketDetail,
    flash: String,
    error: String,
) -> Result<YourDataPage, PageError> {
    let tr = portal.page.tr;
    let requester = &detail.ticket.requester;
    let pending = pending_request(state, portal.org.id, requester.id)
        .await?
        .map(|request| {
            tr.t1(
                "privacy-erasure-pending",
                "when",
                &shown_time(request.requested_at, &portal.zone, &tr).gregorian,
            )
        })
        .unwrap_or_default();
    Ok(YourDataPage {
        chrome: chrome::portal(&portal.page, &portal.org, tr.t("privacy-title"), "track"),
        base: format!("/o/{}/track/{}", portal.org.slug, detail.ticket.number),
        number: detail.ticket.number.clone(),
        name: requester.name.clone(),
        email: requester.email.clone().unwrap_or_default(),
        phone: requester.phone.clone().unwrap_or_default(),
        pending,
        flash,
        error,
    })
}

pub async fn portal_page(
    State(state): State<AppState>,
    portal: Portal,
    Path((_, number)): Path<(String, String)>,
    Query(query): Query<DoneQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let number = number.to_uppercase();
    let Some(detail) = tracked_ticket(&state, &headers, &portal.org, &number).await? else {
        return Ok(Redirect::to(&format!("/o/{}/track", portal.org.slug)).into_response());
    };
    let flash = match query.done.as_deref() {
        Some("erasure") => portal.page.tr.t("privacy-erasure-received"),
        _ => String::new(),
    };
    let page = your_data_page(&state, &portal, &detail, flash, String::new()).await?;
    Ok(Html(page.render()?).into_response())
}

#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

/// The requester's export, for the requester of the ticket they are signed in to.
pub async fn portal_export(
    State(state): State<AppState>,
    portal: Portal,
    Path((_, number)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: CsrfForm = parse_form(&body)?;
    check_csrf(&portal.page.csrf, form.csrf.as_deref())?;
    let number = number.to_uppercase();
    let detail = tracked_ticket(&state, &headers, &portal.org, &number)
        .await?
        .ok_or(PageError::Forbidden)?;
    let requester_id = detail.ticket.requester.id;
    let now = state.clock.now();
    let export = state
        .store
        .export_requester_data(
            portal.org.id,
            requester_id,
            PrivacyActor::Requester(requester_id),
            now,
        )
        .await?;
    export_download(
        &export,
        &portal.org.slug,
        &detail.ticket.number.to_ascii_lowercase(),
        &portal.zone,
        now,
    )
}

#[derive(Deserialize)]
pub struct ErasureForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    confirm: Option<String>,
}

/// Records the requester's request for erasure. Asking again while one waits changes nothing
/// (the store returns the waiting request), so a repeated form is harmless.
pub async fn portal_erasure(
    State(state): State<AppState>,
    portal: Portal,
    Path((_, number)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: ErasureForm = parse_form(&body)?;
    check_csrf(&portal.page.csrf, form.csrf.as_deref())?;
    let number = number.to_uppercase();
    let detail = tracked_ticket(&state, &headers, &portal.org, &number)
        .await?
        .ok_or(PageError::Forbidden)?;
    if form.confirm.as_deref() != Some("yes") {
        let error = portal.page.tr.t("privacy-erasure-confirm-required");
        let page = your_data_page(&state, &portal, &detail, String::new(), error).await?;
        return Ok(unprocessable(page.render()?));
    }
    let requester_id = detail.ticket.requester.id;
    state
        .store
        .request_erasure(
            portal.org.id,
            requester_id,
            PrivacyActor::Requester(requester_id),
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to(&format!(
        "/o/{}/track/{}/privacy?done=erasure",
        portal.org.slug, detail.ticket.number
    ))
    .into_response())
}

// ---- administration: the Privacy tab ------------------------------------------------------------

/// The settings form as typed.
#[derive(Deserialize, Default, Clone)]
pub struct SettingsValues {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    edit_window_hours: String,
    #[serde(default)]
    follow_up_at_or_below: String,
    #[serde(default)]
    retention_days: String,
}

/// The settings once checked: the domain's own types, so nothing out of range reaches the
/// store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrivacySettings {
    pub rating: RatingRules,
    pub retention: Option<RetentionDays>,
}

/// A whole number as typed; Arabic-Indic digits count, as on an Arabic keyboard.
fn whole_number(raw: &str) -> Option<i64> {
    let western: String = raw
        .trim()
        .chars()
        .map(|c| match c {
            '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
            _ => c,
        })
        .collect();
    western.parse().ok()
}

/// Checks the form, every field at once, each message in the page's language.
pub fn validate_settings(values: &SettingsValues, tr: &Tr) -> Result<PrivacySettings, FieldErrors> {
    let mut errors = FieldErrors::default();
    let window_message = || tr.n("privacy-error-edit-window", MAX_EDIT_WINDOW_HOURS);
    let threshold_message = || tr.t("privacy-error-threshold");
    let window = whole_number(&values.edit_window_hours);
    if window.is_none() {
        errors.add("edit_window_hours", window_message());
    }
    let threshold = whole_number(&values.follow_up_at_or_below);
    if threshold.is_none() {
        errors.add("follow_up_at_or_below", threshold_message());
    }
    // Each number is checked by the domain even when the other did not parse, so both fields
    // are marked at once; a placeholder in range stands in for the missing one.
    let rating = match RatingRules::new(
        window.unwrap_or(RatingRules::DEFAULT.edit_window_hours),
        threshold.unwrap_or(i64::from(RatingRules::DEFAULT.follow_up_at_or_below)),
    ) {
        Ok(rules) => Some(rules),
        Err(problems) => {
            for problem in problems {
                match problem {
                    RatingRulesError::EditWindow(_) => {
                        errors.add("edit_window_hours", window_message())
                    }
                    RatingRulesError::Threshold(_) => {
                        errors.add("follow_up_at_or_below", threshold_message())
                    }
                }
            }
            None
        }
    };
    let retention = RetentionDays::parse_optional(
        &whole_number(&values.retention_days)
            .map(|days| days.to_string())
            .unwrap_or_else(|| values.retention_days.clone()),
    )
    .map_err(|_| {
        errors.add(
            "retention_days",
            tr.n("privacy-error-retention", MAX_RETENTION_DAYS),
        )
    })
    .ok();
    match (rating, retention) {
        (Some(rating), Some(retention)) if errors.is_empty() => {
            Ok(PrivacySettings { rating, retention })
        }
        _ => Err(errors),
    }
}

struct RequestLine {
    id: i64,
    name: String,
    via: String,
    requested: ShownTime,
    state: String,
    pending: bool,
    carried_out: Option<ShownTime>,
    carry_out_action: String,
    export_action: String,
}

struct AuditLine {
    at: ShownTime,
    action: String,
    who: String,
    tickets: i64,
}

#[derive(Template)]
#[template(path = "ui/admin_privacy.html")]
struct AdminPrivacyPage {
    chrome: Chrome,
    frame: Frame,
    settings_action: String,
    export_action: String,
    values: SettingsValues,
    errors: FieldErrors,
    contact: String,
    contact_error: String,
    requests: Vec<RequestLine>,
    audit: Vec<AuditLine>,
}

fn admin_base(staff: &StaffContext) -> String {
    Section::Privacy.href(staff)
}

/// What the page holds besides the settings form and the export form's value.
struct AdminPageInput {
    notice: String,
    problem: String,
    values: Option<SettingsValues>,
    errors: FieldErrors,
    contact: String,
    contact_error: String,
}

impl AdminPageInput {
    fn notice(notice: String) -> AdminPageInput {
        AdminPageInput {
            notice,
            problem: String::new(),
            values: None,
            errors: FieldErrors::default(),
            contact: String::new(),
            contact_error: String::new(),
        }
    }
}

async fn admin_page(
    state: &AppState,
    staff: &StaffContext,
    input: AdminPageInput,
) -> Result<AdminPrivacyPage, PageError> {
    let tr = *staff.tr();
    let org_id = staff.org.id;
    let values = match input.values {
        Some(values) => values,
        None => {
            let rules = state.store.rating_rules(org_id).await?;
            let retention = state.store.retention_days(org_id).await?;
            SettingsValues {
                csrf: None,
                edit_window_hours: rules.edit_window_hours.to_string(),
                follow_up_at_or_below: rules.follow_up_at_or_below.to_string(),
                retention_days: retention
                    .map(|days| days.get().to_string())
                    .unwrap_or_default(),
            }
        }
    };
    let base = admin_base(staff);
    let requests = state
        .store
        .erasure_requests(org_id)
        .await?
        .into_iter()
        .map(|request| RequestLine {
            id: request.id,
            via: tr.value("privacy-via", &request.requested_via),
            requested: shown_time(request.requested_at, &staff.zone, &tr),
            state: tr.value("privacy-state", &request.state),
            pending: request.state == "pending",
            carried_out: request
                .carried_out_at
                .map(|at| shown_time(at, &staff.zone, &tr)),
            carry_out_action: format!("{base}/erasures/{}", request.id),
            export_action: format!("{base}/requesters/{}/export", request.requester_id),
            name: request.requester_name,
        })
        .collect();
    let users = state.store.users(org_id).await?;
    let audit = state
        .store
        .privacy_audit(org_id, AUDIT_LINES)
        .await?
        .into_iter()
        .map(|entry| AuditLine {
            at: shown_time(entry.at, &staff.zone, &tr),
            action: tr.value("privacy-action", &entry.action),
            who: match (entry.actor_kind.as_str(), entry.actor_id) {
                ("staff", Some(id)) => users
                    .iter()
                    .find(|user| user.id == id)
                    .map(|user| user.name.clone())
                    .unwrap_or_else(|| tr.t("privacy-actor-staff")),
                ("requester", _) => tr.t("privacy-actor-requester"),
                _ => tr.t("privacy-actor-system"),
            },
            tickets: entry.tickets,
        })
        .collect();
    let (chrome, mut frame) = frame(staff, Section::Privacy, input.notice);
    frame.problem = input.problem;
    Ok(AdminPrivacyPage {
        chrome,
        frame,
        settings_action: format!("{base}/settings"),
        export_action: format!("{base}/export"),
        values,
        errors: input.errors,
        contact: input.contact,
        contact_error: input.contact_error,
        requests,
        audit,
    })
}

/// A count from the notice's query; anything else reads as zero (the address can be typed).
fn count(raw: &Option<String>) -> i64 {
    raw.as_deref()
        .and_then(|text| text.parse::<i64>().ok())
        .unwrap_or(0)
        .max(0)
}

pub async fn admin(
    State(state): State<AppState>,
    staff: StaffContext,
    Query(query): Query<DoneQuery>,
) -> Result<Html<String>, PageError> {
    require_admin(&staff)?;
    let tr = *staff.tr();
    let notice = match query.done.as_deref() {
        Some("saved") => tr.t("admin-done-saved"),
        Some("erased") => format!(
            "{} {}",
            tr.n("privacy-erased-tickets", count(&query.tickets)),
            tr.n("privacy-erased-files", count(&query.files))
        ),
        _ => String::new(),
    };
    let page = admin_page(&state, &staff, AdminPageInput::notice(notice)).await?;
    Ok(Html(page.render()?))
}

pub async fn admin_settings(
    State(state): State<AppState>,
    staff: StaffContext,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let values: SettingsValues = parse_form(&body)?;
    check_csrf(&staff.page.csrf, values.csrf.as_deref())?;
    require_admin(&staff)?;
    match validate_settings(&values, staff.tr()) {
        Ok(settings) => {
            state
                .store
                .set_rating_rules(staff.org.id, settings.rating)
                .await?;
            state
                .store
                .set_retention_days(staff.org.id, settings.retention)
                .await?;
            Ok(done(admin_base(&staff), "saved"))
        }
        Err(errors) => {
            let input = AdminPageInput {
                values: Some(values),
                errors,
                ..AdminPageInput::notice(String::new())
            };
            let page = admin_page(&state, &staff, input).await?;
            Ok(unprocessable(page.render()?))
        }
    }
}

#[derive(Deserialize)]
pub struct CarryOutForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    confirm: Option<String>,
}

/// Carries out a pending erasure request, then shows what was anonymized.
pub async fn admin_carry_out(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, request_id)): Path<(String, i64)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: CarryOutForm = parse_form(&body)?;
    check_csrf(&staff.page.csrf, form.csrf.as_deref())?;
    require_admin(&staff)?;
    let tr = *staff.tr();
    let (status, problem) = if form.confirm.as_deref() != Some("yes") {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            tr.t("privacy-carry-out-confirm-required"),
        )
    } else {
        let carried = state
            .store
            .carry_out_erasure(staff.org.id, request_id, staff.user.id, state.clock.now())
            .await;
        match carried {
            Ok(AnonymizationReport {
                tickets,
                files_deleted,
                ..
            }) => {
                return Ok(Redirect::to(&format!(
                    "{}?done=erased&tickets={tickets}&files={files_deleted}",
                    admin_base(&staff)
                ))
                .into_response());
            }
            // Carried out already (another administrator, or the form sent twice).
            Err(StoreError::Conflict(_)) => {
                (StatusCode::CONFLICT, tr.t("privacy-carry-out-already"))
            }
            Err(error) => return Err(error.into()),
        }
    };
    let input = AdminPageInput {
        problem,
        ..AdminPageInput::notice(String::new())
    };
    let page = admin_page(&state, &staff, input).await?;
    Ok((status, Html(page.render()?)).into_response())
}

/// Exports the data of a requester found on a ticket (the desk's requester card links here).
pub async fn admin_export_requester(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, requester_id)): Path<(String, i64)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: CsrfForm = parse_form(&body)?;
    check_csrf(&staff.page.csrf, form.csrf.as_deref())?;
    require_admin(&staff)?;
    staff_export(&state, &staff, requester_id).await
}

async fn staff_export(
    state: &AppState,
    staff: &StaffContext,
    requester_id: i64,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let export = state
        .store
        .export_requester_data(
            staff.org.id,
            requester_id,
            PrivacyActor::Staff(staff.user.id),
            now,
        )
        .await?;
    export_download(
        &export,
        &staff.org.slug,
        &format!("requester-{requester_id}"),
        &staff.zone,
        now,
    )
}

#[derive(Deserialize)]
pub struct ContactForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    contact: String,
}

/// Exports the data of the requester known by an e-mail address or a phone number, as a
/// requester asking by phone or letter would identify themselves.
pub async fn admin_export_by_contact(
    State(state): State<AppState>,
    staff: StaffContext,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: ContactForm = parse_form(&body)?;
    check_csrf(&staff.page.csrf, form.csrf.as_deref())?;
    require_admin(&staff)?;
    let tr = *staff.tr();
    let typed = form.contact.trim();
    let key = if typed.contains('@') {
        EmailAddress::parse(typed).ok().map(RequesterKey::Email)
    } else {
        PhoneNumber::parse(typed).ok().map(RequesterKey::Phone)
    };
    let (found, problem) = match key {
        None => (None, tr.t("privacy-error-contact")),
        Some(key) => match state.store.requester_by_key(staff.org.id, &key).await? {
            Some(requester) => (Some(requester.id), String::new()),
            None => (None, tr.t("privacy-error-no-requester")),
        },
    };
    match found {
        Some(requester_id) => staff_export(&state, &staff, requester_id).await,
        None => {
            let input = AdminPageInput {
                contact: typed.to_owned(),
                contact_error: problem,
                ..AdminPageInput::notice(String::new())
            };
            let page = admin_page(&state, &staff, input).await?;
            Ok(unprocessable(page.render()?))
        }
    }
}

/// The requester card's export form on the desk's ticket page, for administrators; empty for
/// everyone else.
pub fn requester_export_action(staff: &StaffContext, requester_id: i64) -> String {
    if staff.is_admin() {
        format!("{}/requesters/{requester_id}/export", admin_base(staff))
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::super::i18n::Lang;
    use super::*;

    fn values(window: &str, threshold: &str, retention: &str) -> SettingsValues {
        SettingsValues {
            csrf: None,
            edit_window_hours: window.into(),
            follow_up_at_or_below: threshold.into(),
            retention_days: retention.into(),
        }
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        let tr = Tr::new(Lang::En);
        let ok = validate_settings(&values("48", "٣", ""), &tr).unwrap();
        assert_eq!(ok.rating, RatingRules::new(48, 3).unwrap());
        assert_eq!(ok.retention, None);
        let kept = validate_settings(&values("0", "0", " 365 "), &tr).unwrap();
        assert_eq!(kept.retention.map(RetentionDays::get), Some(365));

        let table: &[(SettingsValues, &[&str])] = &[
            (
                values("-1", "6", "0"),
                &[
                    "edit_window_hours",
                    "follow_up_at_or_below",
                    "retention_days",
                ],
            ),
            (values("a day", "2", ""), &["edit_window_hours"]),
            (
                values("72", "", "a year"),
                &["follow_up_at_or_below", "retention_days"],
            ),
            (
                values("8785", "2", "36501"),
                &["edit_window_hours", "retention_days"],
            ),
        ];
        for (raw, fields) in table {
            let errors = validate_settings(raw, &tr).unwrap_err();
            for field in [
                "edit_window_hours",
                "follow_up_at_or_below",
                "retention_days",
            ] {
                assert_eq!(
                    errors.has(field),
                    fields.contains(&field),
                    "{field} for {:?}",
                    (
                        &raw.edit_window_hours,
                        &raw.follow_up_at_or_below,
                        &raw.retention_days
                    )
                );
            }
        }
    }
}
