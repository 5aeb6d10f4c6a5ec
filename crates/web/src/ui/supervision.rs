//! Supervisors from a regulator (the National eLearning Center, TVTC): their own sign-in, the
//! organizations they oversee compared side by side, one organization's report read-only, and
//! their API tokens; and, on the organization's side, the administration page that grants and
//! takes back their access.
//!
//! Architecture invariant: a supervisor's page reads an organization only through the active
//! grant `Store::supervision_grant` returns; without it the organization does not exist for
//! them (404, never 403, so a supervisor cannot even learn which organizations use Sanad).
//! Personal data — staff names, requesters' comments, root-cause descriptions — is removed
//! from a report before it reaches a template unless the grant includes it.

use super::admin::{Frame, Section, frame, require_admin};
use super::auth::{ClientAddress, CsrfOnlyForm, verify_password};
use super::chrome::{self, Chrome};
use super::forms::parse_form;
use super::page_error::PageError;
use super::reports::{ReportQuery, choose_range};
use super::session::{PageContext, StaffContext, append_cookie, check_csrf, cookie_value};
use crate::AppState;
use askama::Template;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiff::SignedDuration;
use sanad_domain::permissions::PersonalDataAccess;
use sanad_domain::reports::{Report, SatisfactionDimension};
use sanad_domain::service_levels::TargetKind;
use sanad_store::{LoginOutcome, SupervisionGrant, SupervisorRecord, secrets};
use serde::Deserialize;

/// The supervisors' session cookie, apart from the organizations' so that no organization
/// page can ever take a supervisor's session for a staff member's.
pub const SUPERVISION_COOKIE: &str = "sanad_supervision";
const SUPERVISION_SESSION_HOURS: i64 = 12;
const FAILURES_PER_ADDRESS: i64 = 5;
const FAILURES_PER_CLIENT: i64 = 30;
const THROTTLE_WINDOW_MINUTES: i64 = 15;

/// A signed-in supervisor.
pub struct SupervisorContext {
    pub page: PageContext,
    pub supervisor: SupervisorRecord,
}

impl FromRequestParts<AppState> for SupervisorContext {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let page = PageContext::from_request_parts(parts, state).await?;
        let sign_in = || PageError::SupervisorSignIn {
            next: page.path.clone(),
        };
        let secret = cookie_value(&parts.headers, SUPERVISION_COOKIE).ok_or_else(sign_in)?;
        let now = state.clock.now();
        let session = state
            .store
            .supervisor_session_by_token_hash(&secrets::token_digest(&secret), now)
            .await?
            .ok_or_else(sign_in)?;
        let supervisor = state
            .store
            .supervisor_by_id(session.supervisor_id)
            .await?
            .filter(|supervisor| supervisor.disabled_at.is_none())
            .ok_or_else(sign_in)?;
        Ok(SupervisorContext { page, supervisor })
    }
}

impl SupervisorContext {
    fn chrome(&self, title: String, current: &str) -> Chrome {
        chrome::supervision(&self.page, title, current, Some(&self.supervisor.name))
    }
}

/// Only a path inside the supervision area is followed after signing in.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(next)
            if next == "/supervision"
                || (next.starts_with("/supervision/")
                    && !next.starts_with("/supervision/login"))
                || next.starts_with("/supervision?") =>
        {
            next.to_owned()
        }
        _ => "/supervision".to_owned(),
    }
}

// ---- sign-in ------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "ui/supervision_login.html")]
struct LoginPage {
    chrome: Chrome,
    next: String,
    email: String,
    error: String,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_form(
    page: PageContext,
    Query(query): Query<NextQuery>,
) -> Result<Html<String>, PageError> {
    let title = page.tr.t("supervision-login-title");
    let view = LoginPage {
        chrome: chrome::supervision(&page, title, "", None),
        next: safe_next(query.next.as_deref()),
        email: String::new(),
        error: String::new(),
    };
    Ok(Html(view.render()?))
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login_submit(
    State(state): State<AppState>,
    page: PageContext,
    client: ClientAddress,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: LoginForm = parse_form(&body)?;
    check_csrf(&page.csrf, form.csrf.as_deref())?;
    let now = state.clock.now();
    let email = sanad_domain::EmailAddress::parse(&form.email)
        .map(|email| email.as_str().to_owned())
        .unwrap_or_else(|_| form.email.trim().to_lowercase());
    let failures = state
        .store
        .supervisor_login_failures_since(
            &email,
            &client.0,
            now - SignedDuration::from_mins(THROTTLE_WINDOW_MINUTES),
        )
        .await?;
    if failures.for_email >= FAILURES_PER_ADDRESS || failures.from_client >= FAILURES_PER_CLIENT {
        return Err(PageError::TooManyAttempts {
            retry_after_minutes: THROTTLE_WINDOW_MINUTES,
        });
    }
    let supervisor = state.store.supervisor_by_email(&email).await?;
    let matched = match &supervisor {
        Some(found) if found.disabled_at.is_none() => found
            .password_hash
            .as_deref()
            .is_some_and(|hash| verify_password(&form.password, hash)),
        _ => {
            // As for staff: an unknown address costs as much as a wrong password.
            super::auth::verify_decoy(&form.password);
            false
        }
    };
    let outcome = if matched {
        LoginOutcome::Succeeded
    } else {
        LoginOutcome::Failed
    };
    state
        .store
        .record_supervisor_login_attempt(&email, &client.0, outcome, now)
        .await?;
    let Some(supervisor) = supervisor.filter(|_| matched) else {
        let title = page.tr.t("supervision-login-title");
        let view = LoginPage {
            chrome: chrome::supervision(&page, title, "", None),
            next: safe_next(Some(&form.next)),
            email: form.email,
            error: page.tr.t("login-failed"),
        };
        return Ok((StatusCode::UNAUTHORIZED, Html(view.render()?)).into_response());
    };
    let secret = secrets::generate_token();
    let lifetime = SignedDuration::from_hours(SUPERVISION_SESSION_HOURS);
    state
        .store
        .create_supervisor_session(
            supervisor.id,
            &secrets::token_digest(&secret),
            now + lifetime,
            now,
        )
        .await?;
    let mut response = Redirect::to(&safe_next(Some(&form.next))).into_response();
    append_cookie(
        response.headers_mut(),
        &page
            .cookies
            .build(SUPERVISION_COOKIE, secret, lifetime.as_secs()),
    );
    Ok(response)
}

pub async fn logout(
    State(state): State<AppState>,
    page: PageContext,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: CsrfOnlyForm = parse_form(&body)?;
    check_csrf(&page.csrf, form.csrf.as_deref())?;
    if let Some(secret) = cookie_value(&headers, SUPERVISION_COOKIE) {
        state
            .store
            .delete_supervisor_session(&secrets::token_digest(&secret))
            .await?;
    }
    let mut response = Redirect::to("/supervision/login").into_response();
    append_cookie(
        response.headers_mut(),
        &page.cookies.removal(SUPERVISION_COOKIE),
    );
    Ok(response)
}

// ---- what a supervisor may see of a report ---------------------------------------------------

/// Removes the personal data of a report unless the grant includes it: requesters' comments
/// and root-cause descriptions are people's own words, and per-agent workload names staff.
/// Figures stay: they are what the regulator oversees.
pub fn report_for_supervisor(mut report: Report, access: PersonalDataAccess) -> Report {
    if access == PersonalDataAccess::Granted {
        return report;
    }
    report.satisfaction.comments.clear();
    for breach in &mut report.breaches {
        breach.root_cause_description = None;
    }
    // Workload stays as figures per anonymous agent: the order is by staff id, which says
    // nothing about who they are; names are never looked up for a hidden grant.
    report
}

// ---- the organizations side by side ------------------------------------------------------------

/// One organization's headline figures in the comparison.
pub struct ComparisonRow {
    pub slug: String,
    pub name: String,
    pub href: String,
    pub personal_data: String,
    pub volume: i64,
    /// Compliance per target in the order of `TargetKind::ALL`, formatted, or "—".
    pub compliance: Vec<String>,
    pub breaches: i64,
    pub escalations: i64,
    pub response_rate: String,
    /// Mean score per satisfaction dimension, formatted, or "—".
    pub satisfaction: Vec<String>,
}

pub fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |value| format!("{value:.1}%"))
}

pub fn mean(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |value| format!("{value:.2}"))
}

/// The comparison's figures of one organization's report.
pub fn comparison_row(
    grant: &SupervisionGrant,
    report: &Report,
    tr: &super::i18n::Tr,
) -> ComparisonRow {
    ComparisonRow {
        slug: grant.org_slug.clone(),
        name: grant.org_name.clone(),
        href: format!("/supervision/o/{}", grant.org_slug),
        personal_data: tr.value("supervision-personal-data", grant.personal_data.as_str()),
        volume: report.volume_by_kind.iter().map(|(_, count)| count).sum(),
        compliance: TargetKind::ALL
            .iter()
            .map(|target| {
                percent(
                    report
                        .overall_compliance(*target)
                        .and_then(|row| row.compliance_percent()),
                )
            })
            .collect(),
        breaches: report.breaches.len() as i64,
        escalations: report.escalations.iter().map(|row| row.count).sum(),
        response_rate: percent(report.satisfaction.response_percent()),
        satisfaction: SatisfactionDimension::ALL
            .iter()
            .map(|dimension| {
                mean(
                    report
                        .satisfaction
                        .dimensions
                        .iter()
                        .find(|summary| summary.dimension == *dimension)
                        .and_then(|summary| summary.mean()),
                )
            })
            .collect(),
    }
}

#[derive(Deserialize, Default)]
pub struct RangeQuery {
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Template)]
#[template(path = "ui/supervision_overview.html")]
struct OverviewPage {
    chrome: Chrome,
    from: String,
    to: String,
    error: String,
    target_headers: Vec<String>,
    satisfaction_headers: Vec<String>,
    rows: Vec<ComparisonRow>,
}

pub async fn overview(
    State(state): State<AppState>,
    supervisor: SupervisorContext,
    Query(query): Query<RangeQuery>,
) -> Result<Response, PageError> {
    let tr = supervisor.page.tr;
    let now = state.clock.now();
    let grants = state
        .store
        .supervised_organizations(supervisor.supervisor.id)
        .await?;
    // The days are read in each organization's own zone; checking them once first means a
    // mistyped date is reported even to a supervisor with no organization yet.
    let checked = choose_range(
        &ReportQuery {
            from: query.from.clone(),
            to: query.to.clone(),
        },
        &jiff::tz::TimeZone::UTC,
        now,
        &tr,
    );
    let mut rows = Vec::with_capacity(grants.len());
    let (status, error, shown) = match checked {
        Err(message) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            message,
            (
                query.from.clone().unwrap_or_default(),
                query.to.clone().unwrap_or_default(),
            ),
        ),
        Ok(chosen) => {
            for grant in &grants {
                let organization = granted_organization(&state, grant).await?;
                let zone = organization_zone(&organization);
                let range = choose_range(
                    &ReportQuery {
                        from: Some(chosen.from_text.clone()),
                        to: Some(chosen.to_text.clone()),
                    },
                    &zone,
                    now,
                    &tr,
                )
                .map_err(PageError::rejected)?
                .range;
                let report = state.store.report(grant.org_id, &range).await?;
                let report = report_for_supervisor(report, grant.personal_data);
                rows.push(comparison_row(grant, &report, &tr));
            }
            (
                StatusCode::OK,
                String::new(),
                (chosen.from_text, chosen.to_text),
            )
        }
    };
    let view = OverviewPage {
        chrome: supervisor.chrome(tr.t("supervision-overview-title"), "overview"),
        from: shown.0,
        to: shown.1,
        error,
        target_headers: TargetKind::ALL
            .iter()
            .map(|target| tr.value("target", target.as_str()))
            .collect(),
        satisfaction_headers: SatisfactionDimension::ALL
            .iter()
            .map(|dimension| tr.value("supervision-satisfaction", dimension.as_str()))
            .collect(),
        rows,
    };
    Ok((status, Html(view.render()?)).into_response())
}

async fn granted_organization(
    state: &AppState,
    grant: &SupervisionGrant,
) -> Result<sanad_store::Organization, PageError> {
    state
        .store
        .organization_by_slug(&grant.org_slug)
        .await?
        .ok_or(PageError::NotFound)
}

pub fn organization_zone(organization: &sanad_store::Organization) -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(&organization.time_zone).unwrap_or(jiff::tz::TimeZone::UTC)
}

// ---- one organization, read-only ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "ui/supervision_report.html")]
struct OrganizationPage {
    chrome: Chrome,
    action: String,
    from: String,
    to: String,
    error: String,
    scope: String,
    personal_data_hidden: bool,
    headline: Option<ComparisonRow>,
    target_headers: Vec<String>,
    satisfaction_headers: Vec<String>,
    sections: Vec<super::reports::ShownSection>,
}

/// One granted organization's report: the managers' tables, less personal data unless the
/// grant includes it. An organization that has not granted access does not exist here.
pub async fn organization(
    State(state): State<AppState>,
    supervisor: SupervisorContext,
    Path(slug): Path<String>,
    Query(query): Query<RangeQuery>,
) -> Result<Response, PageError> {
    let tr = supervisor.page.tr;
    let grant = state
        .store
        .supervision_grant(supervisor.supervisor.id, &slug)
        .await?
        .ok_or(PageError::NotFound)?;
    let organization = granted_organization(&state, &grant).await?;
    let zone = organization_zone(&organization);
    let mut page = OrganizationPage {
        chrome: supervisor.chrome(
            tr.t1("supervision-report-title", "organization", &grant.org_name),
            "overview",
        ),
        action: format!("/supervision/o/{}", grant.org_slug),
        from: query.from.clone().unwrap_or_default(),
        to: query.to.clone().unwrap_or_default(),
        error: String::new(),
        scope: String::new(),
        personal_data_hidden: grant.personal_data == PersonalDataAccess::Hidden,
        headline: None,
        target_headers: TargetKind::ALL
            .iter()
            .map(|target| tr.value("target", target.as_str()))
            .collect(),
        satisfaction_headers: SatisfactionDimension::ALL
            .iter()
            .map(|dimension| tr.value("supervision-satisfaction", dimension.as_str()))
            .collect(),
        sections: Vec::new(),
    };
    let chosen = match choose_range(
        &ReportQuery {
            from: query.from.clone(),
            to: query.to.clone(),
        },
        &zone,
        state.clock.now(),
        &tr,
    ) {
        Ok(chosen) => chosen,
        Err(message) => {
            page.error = message;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
    };
    let report = state.store.report(grant.org_id, &chosen.range).await?;
    let report = report_for_supervisor(report, grant.personal_data);
    let mut names = super::reports::Names::load(&state, &organization, tr.lang).await?;
    if grant.personal_data == PersonalDataAccess::Hidden {
        // Staff are numbered in the report's own order, which says nothing about who they are.
        names.staff = report
            .workload
            .iter()
            .enumerate()
            .map(|(index, row)| {
                (
                    row.user_id,
                    tr.t1("supervision-agent", "number", &(index + 1).to_string()),
                )
            })
            .collect();
    }
    page.scope = tr.t1(
        "reports-scope",
        "range",
        &format!("{} – {}", chosen.from_text, chosen.to_text),
    );
    page.from = chosen.from_text;
    page.to = chosen.to_text;
    page.headline = Some(comparison_row(&grant, &report, &tr));
    page.sections =
        super::reports::shown_sections(super::reports::sections(&report, &names, &zone, &tr), &tr);
    Ok(Html(page.render()?).into_response())
}

// ---- the supervisor's API tokens ----------------------------------------------------------------

#[derive(Template)]
#[template(path = "ui/supervision_tokens.html")]
struct TokensPage {
    chrome: Chrome,
    tokens: Vec<TokenRow>,
    /// A token just created, shown once.
    new_token: String,
    error: String,
}

struct TokenRow {
    id: i64,
    name: String,
    created: String,
    revoked: bool,
}

async fn tokens_page(
    state: &AppState,
    supervisor: &SupervisorContext,
    new_token: String,
    error: String,
) -> Result<TokensPage, PageError> {
    let tr = supervisor.page.tr;
    let tokens = state
        .store
        .supervisor_tokens(supervisor.supervisor.id)
        .await?
        .into_iter()
        .map(|token| TokenRow {
            id: token.id,
            name: token.name,
            created: super::format::short_date(token.created_at, &jiff::tz::TimeZone::UTC),
            revoked: token.revoked_at.is_some(),
        })
        .collect();
    Ok(TokensPage {
        chrome: supervisor.chrome(tr.t("supervision-tokens-title"), "tokens"),
        tokens,
        new_token,
        error,
    })
}

pub async fn tokens(
    State(state): State<AppState>,
    supervisor: SupervisorContext,
) -> Result<Html<String>, PageError> {
    Ok(Html(
        tokens_page(&state, &supervisor, String::new(), String::new())
            .await?
            .render()?,
    ))
}

#[derive(Deserialize)]
pub struct TokenForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    name: String,
}

pub async fn create_token(
    State(state): State<AppState>,
    supervisor: SupervisorContext,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: TokenForm = parse_form(&body)?;
    check_csrf(&supervisor.page.csrf, form.csrf.as_deref())?;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        let view = tokens_page(
            &state,
            &supervisor,
            String::new(),
            supervisor.page.tr.t("supervision-token-name-required"),
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(view.render()?)).into_response());
    }
    let secret = secrets::generate_token();
    state
        .store
        .create_supervisor_token(
            supervisor.supervisor.id,
            name,
            &secrets::token_digest(&secret),
            state.clock.now(),
        )
        .await?;
    let view = tokens_page(&state, &supervisor, secret, String::new()).await?;
    Ok(Html(view.render()?).into_response())
}

pub async fn revoke_token(
    State(state): State<AppState>,
    supervisor: SupervisorContext,
    Path(id): Path<i64>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: CsrfOnlyForm = parse_form(&body)?;
    check_csrf(&supervisor.page.csrf, form.csrf.as_deref())?;
    state
        .store
        .revoke_supervisor_token(supervisor.supervisor.id, id, state.clock.now())
        .await?;
    Ok(Redirect::to("/supervision/tokens").into_response())
}

// ---- the organization's side: granting access -------------------------------------------------

#[derive(Template)]
#[template(path = "ui/admin_supervision.html")]
struct AdminSupervisionPage {
    chrome: Chrome,
    frame: Frame,
    base: String,
    grants: Vec<GrantRow>,
    email: String,
    error: String,
}

struct GrantRow {
    supervisor_id: i64,
    name: String,
    email: String,
    personal_data: String,
    granted: String,
    active: bool,
}

async fn admin_page(
    state: &AppState,
    staff: &StaffContext,
    notice: String,
    email: String,
    error: String,
) -> Result<AdminSupervisionPage, PageError> {
    let tr = *staff.tr();
    let grants = state
        .store
        .supervision_grants_of_organization(staff.org.id)
        .await?
        .into_iter()
        .map(|grant| GrantRow {
            supervisor_id: grant.supervisor_id,
            name: grant.supervisor_name.clone(),
            email: grant.supervisor_email.clone(),
            personal_data: tr.value("supervision-personal-data", grant.personal_data.as_str()),
            granted: super::format::short_date(grant.granted_at, &staff.zone),
            active: grant.is_active(),
        })
        .collect();
    let (chrome, frame) = frame(staff, Section::Supervision, notice);
    Ok(AdminSupervisionPage {
        chrome,
        frame,
        base: format!("/o/{}/desk/admin/supervision", staff.org.slug),
        grants,
        email,
        error,
    })
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn admin(
    State(state): State<AppState>,
    staff: StaffContext,
    Query(query): Query<DoneQuery>,
) -> Result<Html<String>, PageError> {
    require_admin(&staff)?;
    let notice = match query.done.as_deref() {
        Some("granted") => staff.tr().t("supervision-done-granted"),
        Some("revoked") => staff.tr().t("supervision-done-revoked"),
        _ => String::new(),
    };
    Ok(Html(
        admin_page(&state, &staff, notice, String::new(), String::new())
            .await?
            .render()?,
    ))
}

#[derive(Deserialize)]
pub struct GrantForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    email: String,
    #[serde(default)]
    personal_data: String,
}

pub async fn admin_grant(
    State(state): State<AppState>,
    staff: StaffContext,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    require_admin(&staff)?;
    let form: GrantForm = parse_form(&body)?;
    check_csrf(&staff.page.csrf, form.csrf.as_deref())?;
    let tr = *staff.tr();
    let problem = |key: &str| tr.t(key);
    let email = sanad_domain::EmailAddress::parse(&form.email);
    let access = form.personal_data.parse::<PersonalDataAccess>();
    let error = match (&email, &access) {
        (Err(_), _) => problem("supervision-error-email"),
        (_, Err(_)) => problem("supervision-error-personal-data"),
        (Ok(email), Ok(access)) => {
            match state
                .store
                .grant_supervision(
                    staff.org.id,
                    email,
                    *access,
                    Some(staff.user.id),
                    state.clock.now(),
                )
                .await
            {
                Ok(_) => {
                    return Ok(Redirect::to(&format!(
                        "/o/{}/desk/admin/supervision?done=granted",
                        staff.org.slug
                    ))
                    .into_response());
                }
                Err(sanad_store::StoreError::NotFound { .. }) => {
                    problem("supervision-error-unknown-supervisor")
                }
                Err(other) => return Err(other.into()),
            }
        }
    };
    let view = admin_page(&state, &staff, String::new(), form.email, error).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(view.render()?)).into_response())
}

pub async fn admin_revoke(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_slug, supervisor_id)): Path<(String, i64)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    require_admin(&staff)?;
    let form: CsrfOnlyForm = parse_form(&body)?;
    check_csrf(&staff.page.csrf, form.csrf.as_deref())?;
    state
        .store
        .revoke_supervision(staff.org.id, supervisor_id, state.clock.now())
        .await?;
    Ok(Redirect::to(&format!(
        "/o/{}/desk/admin/supervision?done=revoked",
        staff.org.slug
    ))
    .into_response())
}
