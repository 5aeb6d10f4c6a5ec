//! The administration, for administrators only: the organization's settings, its published
//! policy, departments, categories, staff and roles, canned replies, channels, and the
//! confidentiality audit of who looked at which complaint.
//!
//! Every form posts back to the server and works without script. A form with mistakes comes
//! back with status 422, the values as typed and each message beside its field; a form that
//! worked redirects (Post/Redirect/Get) to its page with `?done=…`, which shows a notice.

use super::auth::{MIN_PASSWORD_CHARS, hash_password};
use super::chrome::{self, Chrome};
use super::desk::Choice;
use super::format::{ShownTime, shown_time};
use super::forms::{
    FieldErrors, MultipartForm, check_csrf_only, done, parse_form, translated_choices,
    unprocessable,
};
use super::i18n::Tr;
use super::page_error::{PageError, form_urlencoded_component};
use super::session::{StaffContext, check_csrf};
use crate::AppState;
use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Redirect, Response};
use sanad_domain::policy::{Policy, PolicyErrors};
use sanad_domain::{Channel, Code, EmailAddress, MessageBody, PersonName, StaffRole};
use sanad_store::{
    CategoryInput, ChannelSetting, ChannelState, DepartmentInput, NewUser, RecomputeDeadlines,
    StoreError, UserState, UserUpdate,
};
use serde::Deserialize;

/// The longest display name or title accepted.
const MAX_NAME_CHARS: usize = 200;
/// The longest public address of a channel.
const MAX_ADDRESS_CHARS: usize = 300;
/// How many recorded views of complaints the audit shows.
const AUDIT_LIMIT: u32 = 200;
/// The longest reopen window: a year.
const MAX_REOPEN_HOURS: i64 = 8760;
/// The variables a canned reply may use, filled in when an agent inserts it (see
/// `desk::fill_canned`).
pub const CANNED_VARIABLES: &[&str] = &[
    "requester_name",
    "ticket_number",
    "agent_name",
    "organization",
    "subject",
];
/// Time zones offered while typing (any IANA name is accepted).
const SUGGESTED_ZONES: &[&str] = &[
    "Asia/Riyadh",
    "Asia/Dubai",
    "Asia/Kuwait",
    "Asia/Qatar",
    "Asia/Bahrain",
    "Asia/Muscat",
    "Asia/Amman",
    "Asia/Baghdad",
    "Africa/Cairo",
    "Europe/London",
    "UTC",
];

pub(crate) fn require_admin(staff: &StaffContext) -> Result<(), PageError> {
    if staff.is_admin() {
        Ok(())
    } else {
        Err(PageError::Forbidden)
    }
}

fn admin_base(staff: &StaffContext) -> String {
    format!("/o/{}/desk/admin", staff.org.slug)
}

// ---- the tab list and notices -------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Organization,
    Policy,
    Departments,
    Categories,
    Staff,
    Canned,
    Channels,
    Supervision,
    Conduct,
    Privacy,
    Audit,
}

impl Section {
    const ALL: &'static [Section] = &[
        Section::Organization,
        Section::Policy,
        Section::Departments,
        Section::Categories,
        Section::Staff,
        Section::Canned,
        Section::Channels,
        Section::Supervision,
        Section::Conduct,
        Section::Privacy,
        Section::Audit,
    ];

    /// The path below `/desk/admin`; the organization's settings are the administration's
    /// first page.
    fn path(self) -> &'static str {
        match self {
            Section::Organization => "",
            Section::Policy => "/policy",
            Section::Departments => "/departments",
            Section::Categories => "/categories",
            Section::Staff => "/staff",
            Section::Canned => "/canned",
            Section::Channels => "/channels",
            Section::Supervision => "/supervision",
            Section::Conduct => "/conduct",
            Section::Privacy => "/privacy",
            Section::Audit => "/audit",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Section::Organization => "admin-tab-organization",
            Section::Policy => "admin-tab-policy",
            Section::Departments => "admin-tab-departments",
            Section::Categories => "admin-tab-categories",
            Section::Staff => "admin-tab-staff",
            Section::Canned => "admin-tab-canned",
            Section::Channels => "admin-tab-channels",
            Section::Supervision => "admin-tab-supervision",
            Section::Conduct => "admin-tab-conduct",
            Section::Privacy => "admin-tab-privacy",
            Section::Audit => "admin-tab-audit",
        }
    }

    pub(crate) fn href(self, staff: &StaffContext) -> String {
        format!("{}{}", admin_base(staff), self.path())
    }
}

pub struct AdminTab {
    pub href: String,
    pub label: String,
    pub current: bool,
}

/// What every administration page shows above its own content.
pub struct Frame {
    pub tabs: Vec<AdminTab>,
    /// The success notice after a redirect, or empty.
    pub notice: String,
    /// A problem with the whole form (not one field), or empty.
    pub problem: String,
}

pub(crate) fn frame(staff: &StaffContext, section: Section, notice: String) -> (Chrome, Frame) {
    let tr = staff.tr();
    let title = format!("{} · {}", tr.t(section.key()), tr.t("admin-title"));
    let chrome = chrome::desk(staff, title, "admin");
    let frame = Frame {
        tabs: Section::ALL
            .iter()
            .map(|s| AdminTab {
                href: s.href(staff),
                label: tr.t(s.key()),
                current: *s == section,
            })
            .collect(),
        notice,
        problem: String::new(),
    };
    (chrome, frame)
}

#[derive(Deserialize, Default)]
pub struct AdminQuery {
    done: Option<String>,
    edit: Option<String>,
    version: Option<String>,
    recomputed: Option<String>,
}

/// A numeric parameter of the notice; anything but a count reads as zero (a query can be typed
/// by hand, and a bad one must not fail the page).
fn number(raw: &Option<String>) -> i64 {
    raw.as_deref()
        .and_then(|text| text.trim().parse::<i64>().ok())
        .unwrap_or(0)
        .max(0)
}

impl AdminQuery {
    /// The notice for `?done=…`; unknown values show nothing.
    fn notice(&self, tr: &Tr) -> String {
        match self.done.as_deref() {
            Some("saved") => tr.t("admin-done-saved"),
            Some("created") => tr.t("admin-done-created"),
            Some("archived") => tr.t("admin-done-archived"),
            Some("password") => tr.t("admin-done-password"),
            Some("disabled") => tr.t("admin-done-disabled"),
            Some("applied") => tr.n1(
                "admin-done-applied",
                number(&self.recomputed),
                "version",
                &number(&self.version).to_string(),
            ),
            _ => String::new(),
        }
    }

    fn edit(&self) -> Option<&str> {
        self.edit
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }
}

/// A display name or title: trimmed, 1 to `max` characters, no control characters.
fn clean_text(raw: &str, max: usize) -> Option<String> {
    let text = raw.trim();
    let count = text.chars().count();
    ((1..=max).contains(&count) && !text.chars().any(char::is_control)).then(|| text.to_owned())
}

/// An optional name: empty is allowed, otherwise as [`clean_text`].
fn optional_text(raw: &str, max: usize) -> Result<String, ()> {
    if raw.trim().is_empty() {
        Ok(String::new())
    } else {
        clean_text(raw, max).ok_or(())
    }
}

// ---- organization settings ----------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub struct OrganizationValues {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    reopen_window_hours: String,
}

#[derive(Template)]
#[template(path = "ui/admin_organization.html")]
struct OrganizationPage {
    chrome: Chrome,
    frame: Frame,
    action: String,
    slug: String,
    prefix: String,
    values: OrganizationValues,
    errors: FieldErrors,
    zones: &'static [&'static str],
}

fn organization_page(
    staff: &StaffContext,
    notice: String,
    values: OrganizationValues,
    errors: FieldErrors,
) -> OrganizationPage {
    let (chrome, frame) = frame(staff, Section::Organization, notice);
    OrganizationPage {
        chrome,
        frame,
        action: Section::Organization.href(staff),
        slug: staff.org.slug.clone(),
        prefix: staff.org.ticket_prefix.clone(),
        values,
        errors,
        zones: SUGGESTED_ZONES,
    }
}

#[derive(Debug)]
pub struct OrganizationSettings {
    pub name: String,
    pub time_zone: String,
    pub reopen_window_hours: i64,
}

/// Checks the settings form; the time zone must be one the time-zone database knows.
pub fn validate_organization(
    values: &OrganizationValues,
    tr: &Tr,
) -> Result<OrganizationSettings, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name = clean_text(&values.name, MAX_NAME_CHARS);
    if name.is_none() {
        errors.add("name", tr.t("admin-error-name"));
    }
    let zone = values.time_zone.trim();
    let zone_ok = !zone.is_empty() && jiff::tz::TimeZone::get(zone).is_ok();
    if !zone_ok {
        errors.add("time_zone", tr.t1("admin-error-zone", "zone", zone));
    }
    let hours = values
        .reopen_window_hours
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|hours| (1..=MAX_REOPEN_HOURS).contains(hours));
    if hours.is_none() {
        errors.add("reopen_window_hours", tr.t("admin-error-reopen"));
    }
    match (name, hours) {
        (Some(name), Some(reopen_window_hours)) if errors.is_empty() => Ok(OrganizationSettings {
            name,
            time_zone: zone.to_owned(),
            reopen_window_hours,
        }),
        _ => Err(errors),
    }
}

pub async fn organization(
    staff: StaffContext,
    Query(query): Query<AdminQuery>,
) -> Result<Html<String>, PageError> {
    require_admin(&staff)?;
    let values = OrganizationValues {
        csrf: None,
        name: staff.org.name.clone(),
        time_zone: staff.org.time_zone.clone(),
        reopen_window_hours: staff.org.reopen_window_hours.to_string(),
    };
    let page = organization_page(
        &staff,
        query.notice(staff.tr()),
        values,
        FieldErrors::default(),
    );
    Ok(Html(page.render()?))
}

pub async fn organization_save(
    State(state): State<AppState>,
    staff: StaffContext,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let values: OrganizationValues = parse_form(&body)?;
    check_csrf(&staff.page.csrf, values.csrf.as_deref())?;
    require_admin(&staff)?;
    match validate_organization(&values, staff.tr()) {
        Ok(settings) => {
            state
                .store
                .update_organization_settings(
                    staff.org.id,
                    &settings.name,
                    &settings.time_zone,
                    settings.reopen_window_hours,
                )
                .await?;
            Ok(done(Section::Organization.href(&staff), "saved"))
        }
        Err(errors) => {
            let page = organization_page(&staff, String::new(), values, errors);
            Ok(unprocessable(page.render()?))
        }
    }
}

// ---- the policy ---------------------------------------------------------------------------------

/// One error of a policy file, as listed beside the text.
#[derive(Debug, Clone, PartialEq)]
pub struct ShownPolicyError {
    pub line: usize,
    pub column: usize,
    /// `Line 12, column 5`.
    pub place: String,
    pub key: String,
    pub message: String,
}

/// The errors of a policy file, in file order, each with its place and key.
pub fn policy_error_lines(errors: &PolicyErrors, tr: &Tr) -> Vec<ShownPolicyError> {
    errors
        .errors()
        .iter()
        .map(|error| ShownPolicyError {
            line: error.line,
            column: error.column,
            place: format!(
                "{}{}{}",
                tr.n("admin-policy-line", error.line),
                tr.t("admin-comma"),
                tr.n("admin-policy-column", error.column)
            ),
            key: error.key.clone(),
            message: error.message.clone(),
        })
        .collect()
}

struct CurrentPolicy {
    version: i64,
    file_name: String,
    applied: ShownTime,
}

#[derive(Template)]
#[template(path = "ui/admin_policy.html")]
struct PolicyPage {
    chrome: Chrome,
    frame: Frame,
    action: String,
    public_href: String,
    current: Option<CurrentPolicy>,
    file_name: String,
    source: String,
    recompute: bool,
    errors: FieldErrors,
    policy_errors: Vec<ShownPolicyError>,
}

const DEFAULT_POLICY_FILE: &str = "policy.toml";

async fn policy_page(
    state: &AppState,
    staff: &StaffContext,
    notice: String,
    submitted: Option<(String, String, bool)>,
    errors: FieldErrors,
    policy_errors: Vec<ShownPolicyError>,
) -> Result<PolicyPage, PageError> {
    let tr = staff.tr();
    let stored = match staff.org.policy_version {
        Some(version) => state.store.stored_policy(staff.org.id, version).await?,
        None => None,
    };
    let current = stored.as_ref().map(|stored| CurrentPolicy {
        version: stored.version,
        file_name: stored.file_name.clone(),
        applied: shown_time(stored.applied_at, &staff.zone, tr),
    });
    let (file_name, source, recompute) = submitted.unwrap_or_else(|| match &stored {
        Some(stored) => (stored.file_name.clone(), stored.source.clone(), false),
        None => (DEFAULT_POLICY_FILE.to_owned(), String::new(), false),
    });
    let (chrome, frame) = frame(staff, Section::Policy, notice);
    Ok(PolicyPage {
        chrome,
        frame,
        action: Section::Policy.href(staff),
        public_href: format!("/o/{}/policy", staff.org.slug),
        current,
        file_name,
        source,
        recompute,
        errors,
        policy_errors,
    })
}

pub async fn policy(
    State(state): State<AppState>,
    staff: StaffContext,
    Query(query): Query<AdminQuery>,
) -> Result<Html<String>, PageError> {
    require_admin(&staff)?;
    let notice = query.notice(staff.tr());
    let page = policy_page(
        &state,
        &staff,
        notice,
        None,
        FieldErrors::default(),
        Vec::new(),
    )
    .await?;
    Ok(Html(page.render()?))
}

/// The last part of an uploaded file's name, without directories or control characters.
fn upload_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(100).collect();
    if cleaned.trim().is_empty() {
        DEFAULT_POLICY_FILE.to_owned()
    } else {
        cleaned.trim().to_owned()
    }
}

/// Checks the policy (typed or uploaded) and applies it as the organization's next version.
pub async fn policy_apply(
    State(state): State<AppState>,
    staff: StaffContext,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let form = MultipartForm::read(multipart).await?;
    check_csrf(&staff.page.csrf, form.text("_csrf"))?;
    require_admin(&staff)?;
    let tr = *staff.tr();
    let recompute = form.text("recompute") == Some("open");
    let mut errors = FieldErrors::default();
    let upload = form.files.iter().find(|file| !file.bytes.is_empty());
    let typed = form
        .text("source")
        .unwrap_or_default()
        .replace("\r\n", "\n");
    let (file_name, source) = match upload {
        Some(file) => match String::from_utf8(file.bytes.clone()) {
            Ok(text) => (
                upload_name(&file.filename),
                text.strip_prefix('\u{feff}')
                    .unwrap_or(&text)
                    .replace("\r\n", "\n"),
            ),
            Err(_) => {
                errors.add("policy_file", tr.t("admin-policy-error-utf8"));
                // The text box keeps what was typed in it.
                (
                    upload_name(form.text("file_name").unwrap_or_default()),
                    typed,
                )
            }
        },
        None => (
            upload_name(form.text("file_name").unwrap_or_default()),
            typed,
        ),
    };
    if errors.is_empty() && source.trim().is_empty() {
        errors.add("source", tr.t("admin-policy-error-empty"));
    }
    let submitted = Some((file_name.clone(), source.clone(), recompute));
    if !errors.is_empty() {
        let page =
            policy_page(&state, &staff, String::new(), submitted, errors, Vec::new()).await?;
        return Ok(unprocessable(page.render()?));
    }
    if let Err(policy_errors) = Policy::parse(&source, &file_name) {
        let lines = policy_error_lines(&policy_errors, &tr);
        errors.add(
            "source",
            tr.n("admin-policy-has-errors", policy_errors.len()),
        );
        let page = policy_page(&state, &staff, String::new(), submitted, errors, lines).await?;
        return Ok(unprocessable(page.render()?));
    }
    let mode = if recompute {
        RecomputeDeadlines::RecomputeOpenTickets
    } else {
        RecomputeDeadlines::KeepRunning
    };
    let (version, recomputed) = state
        .store
        .apply_policy(&staff.org, &file_name, &source, mode, state.clock.now())
        .await?;
    Ok(Redirect::to(&format!(
        "{}?done=applied&version={version}&recomputed={recomputed}",
        Section::Policy.href(&staff)
    ))
    .into_response())
}

// ---- departments --------------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub struct DepartmentValues {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name_ar: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    default_department: String,
}

pub struct CatalogueRow {
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
    pub extra: String,
    pub archived: bool,
    pub edit_href: String,
    pub edit_label: String,
}

/// The edit form of one department or category, shown when the list is opened with
/// `?edit=<code>`.
pub struct CatalogueEdit {
    pub code: String,
    pub heading: String,
    pub action: String,
    pub archive_action: String,
    pub archived: bool,
    pub values: DepartmentValues,
    pub errors: FieldErrors,
    pub department_choices: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "ui/admin_catalogue.html")]
struct CataloguePage {
    chrome: Chrome,
    frame: Frame,
    /// `departments` or `categories`: which list this is.
    kind: &'static str,
    action: String,
    list_href: String,
    rows: Vec<CatalogueRow>,
    new: DepartmentValues,
    new_errors: FieldErrors,
    new_department_choices: Vec<Choice>,
    edit: Option<CatalogueEdit>,
}

fn is_categories(kind: &str) -> bool {
    kind == "categories"
}

/// Checks the fields shared by departments and categories. `fixed_code` is the code of the
/// item being edited (a code never changes); for a new item the code comes from the form.
fn catalogue_names(
    values: &DepartmentValues,
    fixed_code: Option<&str>,
    tr: &Tr,
    errors: &mut FieldErrors,
) -> Option<(Code, String, String)> {
    let code = match fixed_code {
        Some(code) => Code::parse(code).ok(),
        None => {
            let code = Code::parse(&values.code.trim().to_ascii_lowercase()).ok();
            if code.is_none() {
                errors.add("code", tr.t("admin-error-code"));
            }
            code
        }
    };
    let name_ar = clean_text(&values.name_ar, MAX_NAME_CHARS);
    if name_ar.is_none() {
        errors.add("name_ar", tr.t("admin-error-name-ar"));
    }
    let name_en = optional_text(&values.name_en, MAX_NAME_CHARS)
        .map_err(|()| errors.add("name_en", tr.t("admin-error-name-en")))
        .ok();
    Some((code?, name_ar?, name_en?))
}

pub fn department_input(
    values: &DepartmentValues,
    fixed_code: Option<&str>,
    tr: &Tr,
) -> Result<DepartmentInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    match catalogue_names(values, fixed_code, tr, &mut errors) {
        Some((code, name_ar, name_en)) if errors.is_empty() => Ok(DepartmentInput {
            code,
            name_ar,
            name_en,
        }),
        _ => Err(errors),
    }
}

/// A category's fields; its default department must be one of `departments` (active codes).
pub fn category_input(
    values: &DepartmentValues,
    fixed_code: Option<&str>,
    departments: &[String],
    tr: &Tr,
) -> Result<CategoryInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    let names = catalogue_names(values, fixed_code, tr, &mut errors);
    let department = match values.default_department.trim() {
        "" => Some(None),
        code if departments.iter().any(|d| d == code) => Code::parse(code).ok().map(Some),
        _ => None,
    };
    if department.is_none() {
        errors.add("default_department", tr.t("admin-error-department"));
    }
    match (names, department) {
        (Some((code, name_ar, name_en)), Some(default_department)) if errors.is_empty() => {
            Ok(CategoryInput {
                code,
                name_ar,
                name_en,
                default_department,
            })
        }
        _ => Err(errors),
    }
}

/// What a page shows for a list: the submitted values of a failed create or edit, if any.
#[derive(Default)]
struct Submitted {
    new: Option<(DepartmentValues, FieldErrors)>,
    edit: Option<(String, DepartmentValues, FieldErrors)>,
}

async fn catalogue_page(
    state: &AppState,
    staff: &StaffContext,
    kind: &'static str,
    notice: String,
    edit_code: Option<&str>,
    submitted: Submitted,
) -> Result<CataloguePage, PageError> {
    let tr = *staff.tr();
    let section = if is_categories(kind) {
        Section::Categories
    } else {
        Section::Departments
    };
    let list_href = section.href(staff);
    let departments = state.store.departments(staff.org.id).await?;
    let department_name = |code: &str| {
        departments
            .iter()
            .find(|d| d.code == code)
            .map(|d| tr.lang.pick(&d.name_ar, &d.name_en).to_owned())
            .unwrap_or_else(|| code.to_owned())
    };
    let department_choices = |selected: &str| -> Vec<Choice> {
        departments
            .iter()
            .filter(|d| !d.archived || d.code == selected)
            .map(|d| Choice {
                value: d.code.clone(),
                label: tr.lang.pick(&d.name_ar, &d.name_en).to_owned(),
                selected: d.code == selected,
            })
            .collect()
    };
    // Both lists as (code, Arabic, English, default department, archived).
    let items: Vec<(String, String, String, Option<String>, bool)> = if is_categories(kind) {
        state
            .store
            .categories(staff.org.id)
            .await?
            .into_iter()
            .map(|c| {
                (
                    c.code,
                    c.name_ar,
                    c.name_en,
                    c.default_department,
                    c.archived,
                )
            })
            .collect()
    } else {
        departments
            .iter()
            .map(|d| {
                (
                    d.code.clone(),
                    d.name_ar.clone(),
                    d.name_en.clone(),
                    None,
                    d.archived,
                )
            })
            .collect()
    };
    let rows = items
        .iter()
        .map(
            |(code, name_ar, name_en, default_department, archived)| CatalogueRow {
                code: code.clone(),
                name_ar: name_ar.clone(),
                name_en: name_en.clone(),
                extra: default_department
                    .as_deref()
                    .map(department_name)
                    .unwrap_or_default(),
                archived: *archived,
                edit_href: format!("{list_href}?edit={}#edit", form_urlencoded_component(code)),
                edit_label: tr.t1("admin-edit-named", "name", tr.lang.pick(name_ar, name_en)),
            },
        )
        .collect();
    let (edit_code, edit_submitted) = match submitted.edit {
        Some((code, values, errors)) => (Some(code), Some((values, errors))),
        None => (edit_code.map(str::to_owned), None),
    };
    let edit = edit_code.and_then(|code| {
        let (code, name_ar, name_en, default_department, archived) =
            items.iter().find(|item| item.0 == code)?.clone();
        let (values, errors) = edit_submitted.unwrap_or_else(|| {
            (
                DepartmentValues {
                    csrf: None,
                    code: code.clone(),
                    name_ar: name_ar.clone(),
                    name_en: name_en.clone(),
                    default_department: default_department.unwrap_or_default(),
                },
                FieldErrors::default(),
            )
        });
        let item_href = format!("{list_href}/{}", form_urlencoded_component(&code));
        Some(CatalogueEdit {
            heading: tr.t1("admin-edit-named", "name", tr.lang.pick(&name_ar, &name_en)),
            action: item_href.clone(),
            archive_action: format!("{item_href}/archive"),
            archived,
            department_choices: department_choices(&values.default_department),
            code,
            values,
            errors,
        })
    });
    let (new, new_errors) = submitted.new.unwrap_or_default();
    let (chrome, frame) = frame(staff, section, notice);
    Ok(CataloguePage {
        chrome,
        frame,
        kind,
        action: list_href.clone(),
        list_href,
        rows,
        new_department_choices: department_choices(&new.default_department),
        new,
        new_errors,
        edit,
    })
}

fn catalogue_kind(section: Section) -> &'static str {
    if section == Section::Categories {
        "categories"
    } else {
        "departments"
    }
}

async fn catalogue_list(
    state: &AppState,
    staff: &StaffContext,
    section: Section,
    query: &AdminQuery,
) -> Result<Html<String>, PageError> {
    require_admin(staff)?;
    let page = catalogue_page(
        state,
        staff,
        catalogue_kind(section),
        query.notice(staff.tr()),
        query.edit(),
        Submitted::default(),
    )
    .await?;
    Ok(Html(page.render()?))
}

/// Creates (`code` is `None`) or updates a department or category.
async fn catalogue_save(
    state: &AppState,
    staff: &StaffContext,
    section: Section,
    code: Option<String>,
    body: &[u8],
) -> Result<Response, PageError> {
    let values: DepartmentValues = parse_form(body)?;
    check_csrf(&staff.page.csrf, values.csrf.as_deref())?;
    require_admin(staff)?;
    let tr = *staff.tr();
    let org_id = staff.org.id;
    let now = state.clock.now();
    let kind = catalogue_kind(section);
    let result: Result<(), FieldErrors> = if section == Section::Categories {
        let active: Vec<String> = state
            .store
            .departments(org_id)
            .await?
            .into_iter()
            .filter(|d| !d.archived)
            .map(|d| d.code)
            .collect();
        match category_input(&values, code.as_deref(), &active, &tr) {
            Ok(input) => match &code {
                Some(code) => {
                    state.store.update_category(org_id, code, &input).await?;
                    Ok(())
                }
                None => {
                    created_or_taken(state.store.create_category(org_id, &input, now).await, &tr)?
                }
            },
            Err(errors) => Err(errors),
        }
    } else {
        match department_input(&values, code.as_deref(), &tr) {
            Ok(input) => match &code {
                Some(code) => {
                    state.store.update_department(org_id, code, &input).await?;
                    Ok(())
                }
                None => created_or_taken(
                    state.store.create_department(org_id, &input, now).await,
                    &tr,
                )?,
            },
            Err(errors) => Err(errors),
        }
    };
    match result {
        Ok(()) => Ok(done(
            section.href(staff),
            if code.is_some() { "saved" } else { "created" },
        )),
        Err(errors) => {
            let submitted = match code {
                Some(code) => Submitted {
                    edit: Some((code, values, errors)),
                    ..Submitted::default()
                },
                None => Submitted {
                    new: Some((values, errors)),
                    ..Submitted::default()
                },
            };
            let page = catalogue_page(state, staff, kind, String::new(), None, submitted).await?;
            Ok(unprocessable(page.render()?))
        }
    }
}

/// A create that failed because the code is taken becomes a field error.
fn created_or_taken<T>(
    result: Result<T, StoreError>,
    tr: &Tr,
) -> Result<Result<(), FieldErrors>, PageError> {
    match result {
        Ok(_) => Ok(Ok(())),
        Err(StoreError::Conflict(_)) => {
            let mut errors = FieldErrors::default();
            errors.add("code", tr.t("admin-error-code-taken"));
            Ok(Err(errors))
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn departments(
    State(state): State<AppState>,
    staff: StaffContext,
    Query(query): Query<AdminQuery>,
) -> Result<Html<String>, PageError> {
    catalogue_list(&state, &staff, Section::Departments, &query).await
}

pub async fn department_create(
    State(state): State<AppState>,
    staff: StaffContext,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    catalogue_save(&state, &staff, Section::Departments, None, &body).await
}

pub async fn department_update(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, code)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    catalogue_save(&state, &staff, Section::Departments, Some(code), &body).await
}

pub async fn department_archive(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, code)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    check_csrf_only(&staff.page.csrf, &body)?;
    require_admin(&staff)?;
    state
        .store
        .archive_department(staff.org.id, &code, state.clock.now())
        .await?;
    Ok(done(Section::Departments.href(&staff), "archived"))
}

pub async fn categories(
    State(state): State<AppState>,
    staff: StaffContext,
    Query(query): Query<AdminQuery>,
) -> Result<Html<String>, PageError> {
    catalogue_list(&state, &staff, Section::Categories, &query).await
}

pub async fn category_create(
    State(state): State<AppState>,
    staff: StaffContext,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    catalogue_save(&state, &staff, Section::Categories, None, &body).await
}

pub async fn category_update(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, code)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    catalogue_save(&state, &staff, Section::Categories, Some(code), &body).await
}

pub async fn category_archive(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, code)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    check_csrf_only(&staff.page.csrf, &body)?;
    require_admin(&staff)?;
    state
        .store
        .archive_category(staff.org.id, &code, state.clock.now())
        .await?;
    Ok(done(Section::Categories.href(&staff), "archived"))
}

// ---- staff and roles ----------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub struct StaffValues {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    departments: Vec<String>,
    #[serde(default)]
    state: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub struct StaffRow {
    pub name: String,
    pub email: String,
    pub role: String,
    pub departments: String,
    pub active: bool,
    pub has_totp: bool,
    pub has_password: bool,
    pub is_you: bool,
    pub edit_href: String,
    pub edit_label: String,
}

pub struct StaffEdit {
    pub heading: String,
    pub email: String,
    pub is_you: bool,
    pub action: String,
    pub password_action: String,
    pub values: StaffValues,
    pub errors: FieldErrors,
    pub password_errors: FieldErrors,
    pub roles: Vec<Choice>,
    pub departments: Vec<Choice>,
    pub states: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "ui/admin_staff.html")]
struct StaffPage {
    chrome: Chrome,
    frame: Frame,
    action: String,
    list_href: String,
    rows: Vec<StaffRow>,
    new: StaffValues,
    new_errors: FieldErrors,
    new_roles: Vec<Choice>,
    new_departments: Vec<Choice>,
    edit: Option<StaffEdit>,
    min_password: usize,
}

enum StaffSubmitted {
    Nothing,
    New(StaffValues, FieldErrors),
    Edit(i64, StaffValues, FieldErrors),
    Password(i64, FieldErrors),
}

fn role_choices(tr: &Tr, selected: &str) -> Vec<Choice> {
    translated_choices(
        tr,
        "role",
        StaffRole::ALL.iter().map(|role| role.as_str()),
        selected,
    )
}

async fn staff_page(
    state: &AppState,
    staff: &StaffContext,
    notice: String,
    edit_id: Option<i64>,
    submitted: StaffSubmitted,
) -> Result<StaffPage, PageError> {
    let tr = *staff.tr();
    let list_href = Section::Staff.href(staff);
    let listings = state.store.user_listings(staff.org.id).await?;
    let departments = state.store.departments(staff.org.id).await?;
    let department_name = |code: &str| {
        departments
            .iter()
            .find(|d| d.code == code)
            .map(|d| tr.lang.pick(&d.name_ar, &d.name_en).to_owned())
            .unwrap_or_else(|| code.to_owned())
    };
    let department_boxes = |selected: &[String]| -> Vec<Choice> {
        departments
            .iter()
            .filter(|d| !d.archived || selected.contains(&d.code))
            .map(|d| Choice {
                value: d.code.clone(),
                label: tr.lang.pick(&d.name_ar, &d.name_en).to_owned(),
                selected: selected.contains(&d.code),
            })
            .collect()
    };
    let rows = listings
        .iter()
        .map(|listing| {
            let user = &listing.user;
            StaffRow {
                name: user.name.clone(),
                email: user.email.clone(),
                role: tr.value("role", user.role.as_str()),
                departments: user
                    .departments
                    .iter()
                    .map(|code| department_name(code))
                    .collect::<Vec<_>>()
                    .join("، "),
                active: listing.state == UserState::Active,
                has_totp: listing.has_totp,
                has_password: listing.has_password,
                is_you: user.id == staff.user.id,
                edit_href: format!("{list_href}?edit={}#edit", user.id),
                edit_label: tr.t1("admin-edit-named", "name", &user.name),
            }
        })
        .collect();
    let (edit_id, edit_values, password_errors) = match &submitted {
        StaffSubmitted::Edit(id, values, errors) => {
            (Some(*id), Some((values.clone(), errors.clone())), None)
        }
        StaffSubmitted::Password(id, errors) => (Some(*id), None, Some(errors.clone())),
        _ => (edit_id, None, None),
    };
    let edit = edit_id
        .and_then(|id| listings.iter().find(|l| l.user.id == id))
        .map(|listing| {
            let user = &listing.user;
            let (values, errors) = edit_values.unwrap_or_else(|| {
                (
                    StaffValues {
                        name: user.name.clone(),
                        role: user.role.as_str().to_owned(),
                        departments: user.departments.clone(),
                        state: listing.state.as_str().to_owned(),
                        ..StaffValues::default()
                    },
                    FieldErrors::default(),
                )
            });
            let item_href = format!("{list_href}/{}", user.id);
            StaffEdit {
                heading: tr.t1("admin-edit-named", "name", &user.name),
                email: user.email.clone(),
                is_you: user.id == staff.user.id,
                action: item_href.clone(),
                password_action: format!("{item_href}/password"),
                roles: role_choices(&tr, &values.role),
                departments: department_boxes(&values.departments),
                states: UserState::ALL
                    .iter()
                    .map(|s| Choice {
                        value: s.as_str().to_owned(),
                        label: tr.value("admin-user-state", s.as_str()),
                        selected: s.as_str() == values.state,
                    })
                    .collect(),
                values,
                errors,
                password_errors: password_errors.unwrap_or_default(),
            }
        });
    let (new, new_errors) = match submitted {
        StaffSubmitted::New(mut values, errors) => {
            // A password is never sent back to the browser.
            values.password.clear();
            (values, errors)
        }
        _ => (
            StaffValues {
                role: StaffRole::Agent.as_str().to_owned(),
                ..StaffValues::default()
            },
            FieldErrors::default(),
        ),
    };
    let (chrome, frame) = frame(staff, Section::Staff, notice);
    Ok(StaffPage {
        chrome,
        frame,
        action: list_href.clone(),
        list_href,
        rows,
        new_roles: role_choices(&tr, &new.role),
        new_departments: department_boxes(&new.departments),
        new,
        new_errors,
        edit,
        min_password: MIN_PASSWORD_CHARS,
    })
}

pub async fn staff_list(
    State(state): State<AppState>,
    staff: StaffContext,
    Query(query): Query<AdminQuery>,
) -> Result<Html<String>, PageError> {
    require_admin(&staff)?;
    let edit = query.edit().and_then(|id| id.parse::<i64>().ok());
    let page = staff_page(
        &state,
        &staff,
        query.notice(staff.tr()),
        edit,
        StaffSubmitted::Nothing,
    )
    .await?;
    Ok(Html(page.render()?))
}

/// Role and departments as the forms send them; departments must be active ones.
fn role_and_departments(
    values: &StaffValues,
    active_departments: &[String],
    tr: &Tr,
    errors: &mut FieldErrors,
) -> (Option<StaffRole>, Option<Vec<Code>>) {
    let role = values.role.parse::<StaffRole>().ok();
    if role.is_none() {
        errors.add("role", tr.t("error-choose"));
    }
    let mut codes = Vec::new();
    for code in values
        .departments
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
    {
        match Code::parse(code) {
            Ok(code) if active_departments.iter().any(|d| d == code.as_str()) => codes.push(code),
            _ => {
                errors.add("departments", tr.t("admin-error-department"));
                return (role, None);
            }
        }
    }
    (role, Some(codes))
}

pub struct ValidNewStaff {
    pub email: EmailAddress,
    pub name: PersonName,
    pub role: StaffRole,
    pub departments: Vec<Code>,
}

/// Checks the new-staff form, except the password (hashed separately).
pub fn validate_new_staff(
    values: &StaffValues,
    active_departments: &[String],
    tr: &Tr,
    errors: &mut FieldErrors,
) -> Option<ValidNewStaff> {
    let email = EmailAddress::parse(&values.email)
        .map_err(|_| errors.add("email", tr.t("error-email")))
        .ok();
    let name = PersonName::parse(&values.name)
        .map_err(|_| errors.add("name", tr.t("error-name")))
        .ok();
    let (role, departments) = role_and_departments(values, active_departments, tr, errors);
    Some(ValidNewStaff {
        email: email?,
        name: name?,
        role: role?,
        departments: departments?,
    })
}

/// Hashes a new password after checking it is long enough and typed twice alike.
fn new_password_hash(
    password: &str,
    confirm: Option<&str>,
    tr: &Tr,
    errors: &mut FieldErrors,
) -> Option<String> {
    if let Some(confirm) = confirm
        && confirm != password
    {
        errors.add("confirm", tr.t("account-passwords-differ"));
        return None;
    }
    match hash_password(password) {
        Ok(hash) => Some(hash),
        Err(super::auth::PasswordError::TooShort) => {
            errors.add(
                "password",
                tr.n("account-password-too-short", MIN_PASSWORD_CHARS as i64),
            );
            None
        }
        Err(error) => {
            tracing::error!(%error, "password hashing failed");
            errors.add("password", tr.t("admin-error-password-hash"));
            None
        }
    }
}

async fn active_department_codes(
    state: &AppState,
    staff: &StaffContext,
) -> Result<Vec<String>, PageError> {
    Ok(state
        .store
        .departments(staff.org.id)
        .await?
        .into_iter()
        .filter(|d| !d.archived)
        .map(|d| d.code)
        .collect())
}

pub async fn staff_create(
    State(state): State<AppState>,
    staff: StaffContext,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let values: StaffValues = parse_form(&body)?;
    check_csrf(&staff.page.csrf, values.csrf.as_deref())?;
    require_admin(&staff)?;
    let tr = *staff.tr();
    let active = active_department_codes(&state, &staff).await?;
    let mut errors = FieldErrors::default();
    let valid = validate_new_staff(&values, &active, &tr, &mut errors);
    let hash = new_password_hash(&values.password, None, &tr, &mut errors);
    if let (Some(valid), Some(hash), true) = (valid, hash, errors.is_empty()) {
        let new = NewUser {
            email: valid.email,
            name: valid.name,
            role: valid.role,
            departments: valid.departments,
            password_hash: Some(hash),
        };
        match state
            .store
            .create_user(staff.org.id, &new, state.clock.now())
            .await
        {
            Ok(_) => return Ok(done(Section::Staff.href(&staff), "created")),
            Err(StoreError::Conflict(_)) => errors.add("email", tr.t("admin-error-email-taken")),
            Err(error) => return Err(error.into()),
        }
    }
    let page = staff_page(
        &state,
        &staff,
        String::new(),
        None,
        StaffSubmitted::New(values, errors),
    )
    .await?;
    Ok(unprocessable(page.render()?))
}

fn staff_id(raw: &str) -> Result<i64, PageError> {
    raw.parse::<i64>().map_err(|_| PageError::NotFound)
}

/// Changes a staff member's name, role, departments and state. Disabling ends their sessions.
/// An administrator cannot disable their own account or give up their own administration
/// rights, so an organization is never left without a way in.
pub async fn staff_update(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let user_id = staff_id(&id)?;
    let values: StaffValues = parse_form(&body)?;
    check_csrf(&staff.page.csrf, values.csrf.as_deref())?;
    require_admin(&staff)?;
    let tr = *staff.tr();
    let active = active_department_codes(&state, &staff).await?;
    let mut errors = FieldErrors::default();
    let name = PersonName::parse(&values.name)
        .map_err(|_| errors.add("name", tr.t("error-name")))
        .ok();
    let (role, departments) = role_and_departments(&values, &active, &tr, &mut errors);
    let user_state = UserState::parse(&values.state).ok();
    if user_state.is_none() {
        errors.add("state", tr.t("error-choose"));
    }
    if user_id == staff.user.id {
        if role.is_some_and(|role| role != StaffRole::Admin) {
            errors.add("role", tr.t("admin-error-self"));
        }
        if user_state == Some(UserState::Disabled) {
            errors.add("state", tr.t("admin-error-self"));
        }
    }
    if let (Some(name), Some(role), Some(departments), Some(user_state), true) =
        (name, role, departments, user_state, errors.is_empty())
    {
        let update = UserUpdate {
            name,
            role,
            departments,
            state: user_state,
        };
        state
            .store
            .update_user(staff.org.id, user_id, &update, state.clock.now())
            .await?;
        if user_state == UserState::Disabled {
            state
                .store
                .delete_sessions_of_user(staff.org.id, user_id)
                .await?;
            return Ok(done(Section::Staff.href(&staff), "disabled"));
        }
        return Ok(done(Section::Staff.href(&staff), "saved"));
    }
    let page = staff_page(
        &state,
        &staff,
        String::new(),
        None,
        StaffSubmitted::Edit(user_id, values, errors),
    )
    .await?;
    Ok(unprocessable(page.render()?))
}

/// Sets a new password for a staff member and ends all their sessions. Administrators change
/// their own password on their account page, where the current one is asked for.
pub async fn staff_password(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let user_id = staff_id(&id)?;
    let values: StaffValues = parse_form(&body)?;
    check_csrf(&staff.page.csrf, values.csrf.as_deref())?;
    require_admin(&staff)?;
    let tr = *staff.tr();
    let exists = state
        .store
        .staff_credentials_by_id(staff.org.id, user_id)
        .await?
        .is_some();
    if !exists {
        return Err(PageError::NotFound);
    }
    let mut errors = FieldErrors::default();
    let hash = if user_id == staff.user.id {
        errors.add("password", tr.t("admin-error-own-password"));
        None
    } else {
        new_password_hash(&values.password, Some(&values.confirm), &tr, &mut errors)
    };
    if let (Some(hash), true) = (hash, errors.is_empty()) {
        state
            .store
            .set_user_password(staff.org.id, user_id, &hash)
            .await?;
        state
            .store
            .delete_sessions_of_user(staff.org.id, user_id)
            .await?;
        return Ok(done(Section::Staff.href(&staff), "password"));
    }
    let page = staff_page(
        &state,
        &staff,
        String::new(),
        None,
        StaffSubmitted::Password(user_id, errors),
    )
    .await?;
    Ok(unprocessable(page.render()?))
}

// ---- canned replies -----------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub struct CannedValues {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

pub struct CannedRow {
    pub title: String,
    pub excerpt: String,
    pub edit_href: String,
    pub edit_label: String,
}

pub struct CannedEdit {
    pub heading: String,
    pub action: String,
    pub archive_action: String,
    pub values: CannedValues,
    pub errors: FieldErrors,
}

pub struct VariableHelp {
    /// `{{requester_name}}`, written here so that the template engine prints it as text.
    pub token: String,
    pub meaning: String,
}

#[derive(Template)]
#[template(path = "ui/admin_canned.html")]
struct CannedPage {
    chrome: Chrome,
    frame: Frame,
    action: String,
    list_href: String,
    rows: Vec<CannedRow>,
    variables: Vec<VariableHelp>,
    new: CannedValues,
    new_errors: FieldErrors,
    edit: Option<CannedEdit>,
}

/// The `{{name}}` placeholders in a text that are not among [`CANNED_VARIABLES`].
pub fn unknown_variables(body: &str) -> Vec<String> {
    let mut unknown = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            break;
        };
        let name = after[..end].trim();
        if !CANNED_VARIABLES.contains(&name) && !unknown.iter().any(|u| u == name) {
            unknown.push(name.to_owned());
        }
        rest = &after[end + 2..];
    }
    unknown
}

pub fn validate_canned(values: &CannedValues, tr: &Tr) -> Result<(String, String), FieldErrors> {
    let mut errors = FieldErrors::default();
    let title = clean_text(&values.title, MAX_NAME_CHARS);
    if title.is_none() {
        errors.add("title", tr.t("admin-error-title"));
    }
    let body = MessageBody::parse(&values.body)
        .map_err(|_| {
            errors.add(
                "body",
                tr.n("error-text-length", MessageBody::MAX_CHARS as i64),
            )
        })
        .ok();
    let unknown = unknown_variables(&values.body);
    if !unknown.is_empty() {
        let names = unknown
            .iter()
            .map(|name| format!("{{{{{name}}}}}"))
            .collect::<Vec<_>>()
            .join(tr.t("admin-comma").as_str());
        errors.add(
            "body",
            tr.t1("admin-error-unknown-variable", "names", &names),
        );
    }
    match (title, body) {
        (Some(title), Some(body)) if errors.is_empty() => Ok((title, body.as_str().to_owned())),
        _ => Err(errors),
    }
}

fn excerpt(text: &str, chars: usize) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= chars {
        flat
    } else {
        let mut short: String = flat.chars().take(chars - 1).collect();
        short.push('…');
        short
    }
}

async fn canned_page(
    state: &AppState,
    staff: &StaffContext,
    notice: String,
    edit_id: Option<i64>,
    new: Option<(CannedValues, FieldErrors)>,
    edit_submitted: Option<(i64, CannedValues, FieldErrors)>,
) -> Result<CannedPage, PageError> {
    let tr = *staff.tr();
    let list_href = Section::Canned.href(staff);
    let replies = state.store.canned_replies(staff.org.id).await?;
    let rows = replies
        .iter()
        .map(|reply| CannedRow {
            title: reply.title.clone(),
            excerpt: excerpt(&reply.body, 140),
            edit_href: format!("{list_href}?edit={}#edit", reply.id),
            edit_label: tr.t1("admin-edit-named", "name", &reply.title),
        })
        .collect();
    let (edit_id, submitted) = match edit_submitted {
        Some((id, values, errors)) => (Some(id), Some((values, errors))),
        None => (edit_id, None),
    };
    let edit = edit_id
        .and_then(|id| replies.iter().find(|r| r.id == id))
        .map(|reply| {
            let (values, errors) = submitted.unwrap_or_else(|| {
                (
                    CannedValues {
                        csrf: None,
                        title: reply.title.clone(),
                        body: reply.body.clone(),
                    },
                    FieldErrors::default(),
                )
            });
            let item_href = format!("{list_href}/{}", reply.id);
            CannedEdit {
                heading: tr.t1("admin-edit-named", "name", &reply.title),
                action: item_href.clone(),
                archive_action: format!("{item_href}/archive"),
                values,
                errors,
            }
        });
    let (new, new_errors) = new.unwrap_or_default();
    let (chrome, frame) = frame(staff, Section::Canned, notice);
    Ok(CannedPage {
        chrome,
        frame,
        action: list_href.clone(),
        list_href,
        rows,
        variables: CANNED_VARIABLES
            .iter()
            .map(|name| VariableHelp {
                token: format!("{{{{{name}}}}}"),
                meaning: tr.t(&format!("admin-var-{name}")),
            })
            .collect(),
        new,
        new_errors,
        edit,
    })
}

pub async fn canned(
    State(state): State<AppState>,
    staff: StaffContext,
    Query(query): Query<AdminQuery>,
) -> Result<Html<String>, PageError> {
    require_admin(&staff)?;
    let edit = query.edit().and_then(|id| id.parse::<i64>().ok());
    let page = canned_page(&state, &staff, query.notice(staff.tr()), edit, None, None).await?;
    Ok(Html(page.render()?))
}

pub async fn canned_create(
    State(state): State<AppState>,
    staff: StaffContext,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let values: CannedValues = parse_form(&body)?;
    check_csrf(&staff.page.csrf, values.csrf.as_deref())?;
    require_admin(&staff)?;
    match validate_canned(&values, staff.tr()) {
        Ok((title, body)) => {
            state
                .store
                .create_canned_reply(staff.org.id, &title, &body, state.clock.now())
                .await?;
            Ok(done(Section::Canned.href(&staff), "created"))
        }
        Err(errors) => {
            let page = canned_page(
                &state,
                &staff,
                String::new(),
                None,
                Some((values, errors)),
                None,
            )
            .await?;
            Ok(unprocessable(page.render()?))
        }
    }
}

pub async fn canned_update(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let id = id.parse::<i64>().map_err(|_| PageError::NotFound)?;
    let values: CannedValues = parse_form(&body)?;
    check_csrf(&staff.page.csrf, values.csrf.as_deref())?;
    require_admin(&staff)?;
    match validate_canned(&values, staff.tr()) {
        Ok((title, body)) => {
            state
                .store
                .update_canned_reply(staff.org.id, id, &title, &body)
                .await?;
            Ok(done(Section::Canned.href(&staff), "saved"))
        }
        Err(errors) => {
            let page = canned_page(
                &state,
                &staff,
                String::new(),
                None,
                None,
                Some((id, values, errors)),
            )
            .await?;
            Ok(unprocessable(page.render()?))
        }
    }
}

pub async fn canned_archive(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let id = id.parse::<i64>().map_err(|_| PageError::NotFound)?;
    check_csrf_only(&staff.page.csrf, &body)?;
    require_admin(&staff)?;
    state
        .store
        .archive_canned_reply(staff.org.id, id, state.clock.now())
        .await?;
    Ok(done(Section::Canned.href(&staff), "archived"))
}

// ---- channels -----------------------------------------------------------------------------------

pub struct ChannelRow {
    pub value: &'static str,
    pub name: String,
    pub enabled: bool,
    pub address: String,
    pub error: String,
}

#[derive(Template)]
#[template(path = "ui/admin_channels.html")]
struct ChannelsPage {
    chrome: Chrome,
    frame: Frame,
    action: String,
    rows: Vec<ChannelRow>,
    errors: FieldErrors,
    max_address: usize,
    credentials: Vec<CredentialForm>,
}

fn channels_page(
    staff: &StaffContext,
    notice: String,
    settings: &[ChannelSetting],
    errors: FieldErrors,
    credentials: Vec<CredentialForm>,
) -> ChannelsPage {
    let tr = staff.tr();
    let rows = Channel::ALL
        .iter()
        .map(|channel| {
            let setting = settings.iter().find(|s| s.channel == *channel);
            ChannelRow {
                value: channel.as_str(),
                name: tr.value("channel", channel.as_str()),
                enabled: setting.is_some_and(|s| s.state == ChannelState::Enabled),
                address: setting.map(|s| s.address.clone()).unwrap_or_default(),
                error: errors.get(channel.as_str()),
            }
        })
        .collect();
    let (chrome, frame) = frame(staff, Section::Channels, notice);
    ChannelsPage {
        chrome,
        frame,
        action: Section::Channels.href(staff),
        rows,
        errors,
        max_address: MAX_ADDRESS_CHARS,
        credentials,
    }
}

pub async fn channels(
    State(state): State<AppState>,
    staff: StaffContext,
    headers: HeaderMap,
    Query(query): Query<AdminQuery>,
) -> Result<Html<String>, PageError> {
    require_admin(&staff)?;
    let settings = state.store.channel_settings(staff.org.id).await?;
    let credentials = credential_forms(&state, &staff, &headers, None).await?;
    let page = channels_page(
        &staff,
        query.notice(staff.tr()),
        &settings,
        FieldErrors::default(),
        credentials,
    );
    Ok(Html(page.render()?))
}

/// Reads the channels form: `state-<channel>` is `enabled` when the box is ticked, and
/// `address-<channel>` the public address. Errors are keyed by the channel's spelling.
pub fn channel_settings_from_form(
    pairs: &[(String, String)],
    tr: &Tr,
) -> (Vec<ChannelSetting>, FieldErrors) {
    let mut errors = FieldErrors::default();
    let value = |name: String| {
        pairs
            .iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| value.as_str())
    };
    let settings = Channel::ALL
        .iter()
        .map(|channel| {
            let enabled = value(format!("state-{}", channel.as_str())) == Some("enabled");
            let address = value(format!("address-{}", channel.as_str()))
                .unwrap_or_default()
                .trim()
                .to_owned();
            if address.chars().count() > MAX_ADDRESS_CHARS || address.chars().any(char::is_control)
            {
                errors.add(
                    channel.as_str(),
                    tr.n("admin-error-address", MAX_ADDRESS_CHARS),
                );
            }
            ChannelSetting {
                channel: *channel,
                state: if enabled {
                    ChannelState::Enabled
                } else {
                    ChannelState::Disabled
                },
                address,
            }
        })
        .collect();
    (settings, errors)
}

pub async fn channels_save(
    State(state): State<AppState>,
    staff: StaffContext,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let pairs: Vec<(String, String)> = parse_form(&body)?;
    let csrf = pairs
        .iter()
        .find(|(key, _)| key == "_csrf")
        .map(|(_, value)| value.as_str());
    check_csrf(&staff.page.csrf, csrf)?;
    require_admin(&staff)?;
    let (settings, errors) = channel_settings_from_form(&pairs, staff.tr());
    if !errors.is_empty() {
        let credentials = credential_forms(&state, &staff, &headers, None).await?;
        let page = channels_page(&staff, String::new(), &settings, errors, credentials);
        return Ok(unprocessable(page.render()?));
    }
    for setting in &settings {
        state
            .store
            .set_channel_setting(staff.org.id, setting)
            .await?;
    }
    Ok(done(Section::Channels.href(&staff), "saved"))
}

// ---- channel connection settings ------------------------------------------------------------------

/// The channels whose connection settings an administrator types in (the others are logged by
/// staff or need none).
pub const CONFIGURABLE_CHANNELS: &[Channel] = &[
    Channel::Email,
    Channel::Whatsapp,
    Channel::Facebook,
    Channel::X,
    Channel::Sms,
];
/// The channels whose provider calls us back, and so must be told a webhook address.
const WEBHOOK_CHANNELS: &[Channel] = &[Channel::Whatsapp, Channel::Facebook, Channel::X];
/// The longest text accepted in a connection setting (host names, ids, tokens).
const MAX_SETTING_CHARS: usize = 2000;
/// The longest timeout or polling interval, in seconds.
const MAX_SETTING_SECONDS: i64 = 3600;

/// What a connection setting holds, which decides its control and its check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SettingKind {
    Text,
    Email,
    Url,
    Port,
    Seconds,
    /// Transport security of a mail connection: `tls`, `start_tls` or `plain`.
    Security,
    /// A yes-or-no setting, a checkbox.
    Flag,
    /// A credential: a password input never filled with the stored value.
    Secret,
}

/// One connection setting: its JSON path (also the form field's name), what it holds, whether
/// it is required, the value a new form starts with, and the message key of its hint.
#[derive(Debug, Clone, Copy)]
struct SettingSpec {
    path: &'static str,
    kind: SettingKind,
    required: bool,
    initial: &'static str,
    hint: &'static str,
}

const fn setting(path: &'static str, kind: SettingKind, required: bool) -> SettingSpec {
    SettingSpec {
        path,
        kind,
        required,
        initial: "",
        hint: "",
    }
}

const fn with_initial(spec: SettingSpec, initial: &'static str) -> SettingSpec {
    SettingSpec { initial, ..spec }
}

const fn with_hint(spec: SettingSpec, hint: &'static str) -> SettingSpec {
    SettingSpec { hint, ..spec }
}

/// A group of settings shown as one fieldset, with the message keys of its legend and hint. A
/// group with `present_when` is used only when that setting is filled in (the IMAP mailbox is
/// optional: without a server, `object` is stored as `null`).
#[derive(Debug, Clone, Copy)]
struct SettingGroup {
    legend: &'static str,
    hint: &'static str,
    object: &'static str,
    present_when: &'static str,
    settings: &'static [SettingSpec],
}

/// The group without legend of settings at the top of a channel's JSON, always used: all of
/// a cloud channel's settings, the sender of e-mail.
const fn ungrouped(settings: &'static [SettingSpec]) -> SettingGroup {
    SettingGroup {
        legend: "",
        hint: "",
        object: "",
        present_when: "",
        settings,
    }
}

// The tables below read as a list of fields, so the kinds are named without their enum.
use SettingKind::{Email as EmailKind, Flag, Port, Seconds, Secret, Security, Text, Url};

// Settings that several channels have, written once so that they are asked for alike: the two
// halves of Meta's webhook set-up (WhatsApp and Messenger), and the API root every cloud
// channel lets tests and a future API version change.
const META_APP_SECRET: SettingSpec = setting("app_secret", Secret, true);
const META_VERIFY_TOKEN: SettingSpec = with_hint(
    setting("verify_token", Secret, true),
    "admin-cred-hint-verify_token",
);
const BASE_URL: SettingSpec =
    with_hint(setting("base_url", Url, false), "admin-cred-hint-base_url");

const EMAIL_GROUPS: &[SettingGroup] = &[
    ungrouped(&[
        setting("address", EmailKind, true),
        setting("display_name", Text, false),
    ]),
    SettingGroup {
        legend: "admin-cred-group-smtp",
        hint: "",
        object: "smtp",
        present_when: "",
        settings: &[
            setting("smtp.host", Text, true),
            with_initial(setting("smtp.port", Port, true), "587"),
            with_initial(setting("smtp.security", Security, true), "start_tls"),
            setting("smtp.username", Text, false),
            setting("smtp.password", Secret, false),
            with_initial(setting("smtp.timeout_seconds", Seconds, true), "30"),
        ],
    },
    SettingGroup {
        legend: "admin-cred-group-imap",
        hint: "admin-cred-hint-imap",
        object: "imap",
        present_when: "imap.host",
        settings: &[
            setting("imap.host", Text, true),
            with_initial(setting("imap.port", Port, true), "993"),
            with_initial(setting("imap.security", Security, true), "tls"),
            setting("imap.username", Text, true),
            setting("imap.password", Secret, true),
            with_initial(setting("imap.folder", Text, true), "INBOX"),
            with_initial(setting("imap.poll_seconds", Seconds, true), "60"),
            with_initial(setting("imap.timeout_seconds", Seconds, true), "60"),
        ],
    },
];

const WHATSAPP_GROUPS: &[SettingGroup] = &[ungrouped(&[
    setting("phone_number_id", Text, true),
    setting("access_token", Secret, true),
    META_APP_SECRET,
    META_VERIFY_TOKEN,
    with_hint(
        setting("template_name", Text, false),
        "admin-cred-hint-template_name",
    ),
    setting("template_language", Text, false),
    BASE_URL,
])];

const FACEBOOK_GROUPS: &[SettingGroup] = &[ungrouped(&[
    setting("page_id", Text, true),
    setting("page_access_token", Secret, true),
    META_APP_SECRET,
    META_VERIFY_TOKEN,
    with_hint(
        setting("human_agent_tag_approved", Flag, false),
        "admin-cred-hint-human_agent_tag_approved",
    ),
    BASE_URL,
])];

const X_GROUPS: &[SettingGroup] = &[ungrouped(&[
    setting("account_user_id", Text, true),
    setting("consumer_secret", Secret, true),
    setting("user_access_token", Secret, true),
    BASE_URL,
])];

const SMS_GROUPS: &[SettingGroup] = &[ungrouped(&[
    setting("url", Url, true),
    setting("api_key", Secret, true),
    setting("sender_id", Text, true),
    with_hint(
        setting("signing_secret", Secret, false),
        "admin-cred-hint-signing_secret",
    ),
])];

fn setting_groups(channel: Channel) -> &'static [SettingGroup] {
    match channel {
        Channel::Email => EMAIL_GROUPS,
        Channel::Whatsapp => WHATSAPP_GROUPS,
        Channel::Facebook => FACEBOOK_GROUPS,
        Channel::X => X_GROUPS,
        Channel::Sms => SMS_GROUPS,
        _ => &[],
    }
}

const SECURITY_SPELLINGS: &[&str] = &["tls", "start_tls", "plain"];

/// `smtp.port` → `/smtp/port`, for `serde_json::Value::pointer`.
fn json_pointer(path: &str) -> String {
    format!("/{}", path.replace('.', "/"))
}

/// The last part of a setting's path, which names its label (`smtp.host` and `imap.host` are
/// both "Server", under different legends).
fn setting_name(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

fn set_json_path(
    object: &mut serde_json::Map<String, serde_json::Value>,
    path: &str,
    value: serde_json::Value,
) {
    match path.split_once('.') {
        Some((head, rest)) => {
            let inner = object
                .entry(head.to_owned())
                .or_insert_with(|| serde_json::Value::Object(serde_json::Map::new()));
            if !inner.is_object() {
                *inner = serde_json::Value::Object(serde_json::Map::new());
            }
            if let serde_json::Value::Object(inner) = inner {
                set_json_path(inner, rest, value);
            }
        }
        None => {
            object.insert(path.to_owned(), value);
        }
    }
}

/// The stored secret at `path`, when there is one worth keeping.
fn stored_secret<'a>(stored: Option<&'a serde_json::Value>, path: &str) -> Option<&'a str> {
    stored
        .and_then(|stored| stored.pointer(&json_pointer(path)))
        .and_then(|value| value.as_str())
        .filter(|value| !value.is_empty())
}

/// What a submitted connection form says, by field name.
#[derive(Debug, Clone, Default)]
pub struct CredentialSubmission {
    pairs: Vec<(String, String)>,
}

impl CredentialSubmission {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self { pairs }
    }

    fn get(&self, name: &str) -> &str {
        self.pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
            .unwrap_or_default()
    }

    fn ticked(&self, name: &str) -> bool {
        matches!(self.get(name), "true" | "on" | "yes")
    }
}

/// Builds a channel's settings JSON from its form, checking each field. An empty secret keeps
/// the stored one; a new value replaces it; an optional secret whose "remove" box is ticked is
/// dropped. Errors are keyed by the field's path, so each shows beside its field. The result is
/// then checked once more by the channel's own parser (`ChannelConfiguration::parse`).
pub fn credentials_from_form(
    channel: Channel,
    form: &CredentialSubmission,
    stored: Option<&serde_json::Value>,
    tr: &Tr,
) -> Result<serde_json::Value, FieldErrors> {
    use serde_json::Value;
    let mut errors = FieldErrors::default();
    let mut object = serde_json::Map::new();
    for group in setting_groups(channel) {
        if !group.present_when.is_empty() && form.get(group.present_when).trim().is_empty() {
            object.insert(group.object.to_owned(), Value::Null);
            continue;
        }
        for spec in group.settings {
            let path = spec.path;
            let raw = form.get(path);
            let text = raw.trim();
            let value = match spec.kind {
                SettingKind::Flag => Some(Value::Bool(form.ticked(path))),
                SettingKind::Secret => {
                    if !raw.is_empty() {
                        if raw.chars().count() > MAX_SETTING_CHARS
                            || raw.chars().any(char::is_control)
                        {
                            errors.add(path, tr.n("admin-cred-error-text", MAX_SETTING_CHARS));
                            None
                        } else {
                            Some(Value::String(raw.to_owned()))
                        }
                    } else if !spec.required && form.ticked(&format!("clear.{path}")) {
                        None
                    } else if let Some(kept) = stored_secret(stored, path) {
                        Some(Value::String(kept.to_owned()))
                    } else {
                        if spec.required {
                            errors.add(path, tr.t("error-required"));
                        }
                        None
                    }
                }
                _ if text.is_empty() => {
                    if spec.required {
                        errors.add(path, tr.t("error-required"));
                    }
                    None
                }
                SettingKind::Port => match text.parse::<u16>() {
                    Ok(port) if port > 0 => Some(Value::from(port)),
                    _ => {
                        errors.add(path, tr.t("admin-cred-error-port"));
                        None
                    }
                },
                SettingKind::Seconds => match text.parse::<i64>() {
                    Ok(seconds) if (1..=MAX_SETTING_SECONDS).contains(&seconds) => {
                        Some(Value::from(seconds))
                    }
                    _ => {
                        errors.add(path, tr.n("admin-cred-error-seconds", MAX_SETTING_SECONDS));
                        None
                    }
                },
                SettingKind::Security => {
                    if SECURITY_SPELLINGS.contains(&text) {
                        Some(Value::String(text.to_owned()))
                    } else {
                        errors.add(path, tr.t("error-choose"));
                        None
                    }
                }
                SettingKind::Email => match EmailAddress::parse(text) {
                    Ok(address) => Some(Value::String(address.as_str().to_owned())),
                    Err(_) => {
                        errors.add(path, tr.t("error-email"));
                        None
                    }
                },
                SettingKind::Url => {
                    let web = text.starts_with("https://") || text.starts_with("http://");
                    if web && !text.chars().any(|c| c.is_whitespace() || c.is_control()) {
                        Some(Value::String(text.trim_end_matches('/').to_owned()))
                    } else {
                        errors.add(path, tr.t("admin-cred-error-url"));
                        None
                    }
                }
                SettingKind::Text => {
                    if text.chars().count() > MAX_SETTING_CHARS
                        || text.chars().any(char::is_control)
                    {
                        errors.add(path, tr.n("admin-cred-error-text", MAX_SETTING_CHARS));
                        None
                    } else {
                        Some(Value::String(text.to_owned()))
                    }
                }
            };
            if let Some(value) = value {
                set_json_path(&mut object, path, value);
            }
        }
    }
    // A relay login needs both halves; the mail sender refuses one without the other, and the
    // administrator should hear it here rather than from a failed notification.
    if channel == Channel::Email && !errors.has("smtp.username") && !errors.has("smtp.password") {
        let smtp = object.get("smtp");
        let has = |key: &str| smtp.and_then(|smtp| smtp.get(key)).is_some();
        if has("username") != has("password") {
            errors.add("smtp.password", tr.t("admin-cred-error-pair"));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let settings = Value::Object(object);
    match sanad_channels::registry::ChannelConfiguration::parse(channel, &settings) {
        Ok(_) => Ok(settings),
        Err(error) => {
            // The parser's message names the field at fault (never a secret's value); it is
            // put beside that field when one of the form's fields is named in it.
            let reason = match error {
                sanad_channels::registry::ConfigurationError::Invalid { reason, .. } => reason,
                other => other.to_string(),
            };
            let field = setting_groups(channel)
                .iter()
                .flat_map(|group| group.settings)
                .map(|spec| spec.path)
                .find(|path| reason.contains(&format!("`{}`", setting_name(path))))
                .unwrap_or("_form");
            errors.add(field, tr.t1("admin-cred-error-invalid", "reason", &reason));
            Err(errors)
        }
    }
}

/// One control of a connection form.
pub struct CredentialField {
    pub name: &'static str,
    pub id: String,
    pub label: String,
    pub hint: String,
    /// `text`, `email`, `url`, `number`, `select`, `checkbox` or `password`.
    pub control: &'static str,
    /// The value shown; always empty for a secret.
    pub value: String,
    pub checked: bool,
    pub options: Vec<Choice>,
    /// Marked as required: a required setting outside an optional group (the IMAP settings
    /// are required only once a server is given, which the group's hint says).
    pub required: bool,
    /// `auto` for text people write in their language (a sender name), `ltr` for addresses,
    /// ids and tokens.
    pub dir: &'static str,
    pub min: &'static str,
    pub max: String,
    pub error: String,
    /// A secret is stored: the field says that leaving it empty keeps it.
    pub stored: bool,
    /// An optional secret, which a box can remove.
    pub clearable: bool,
    /// A secret was typed into a form that had mistakes; it was not kept and is asked again.
    pub retype: bool,
}

pub struct CredentialGroup {
    pub legend: String,
    pub hint: String,
    pub fields: Vec<CredentialField>,
}

/// One channel's connection form, its state and the address its provider calls.
pub struct CredentialForm {
    pub channel: &'static str,
    pub name: String,
    pub action: String,
    pub configured: bool,
    /// Settings are stored but the channel cannot use them.
    pub invalid: bool,
    pub webhook: String,
    pub groups: Vec<CredentialGroup>,
    pub error_count: usize,
    /// A problem the channel's parser found that names no field of the form.
    pub problem: String,
}

/// A submitted form that failed, to show again with its values and errors.
pub struct FailedCredentials {
    pub channel: Channel,
    pub form: CredentialSubmission,
    pub errors: FieldErrors,
}

/// The address people reach this server by, from the request: the scheme the deployment is
/// served over (its cookies are `Secure` exactly when it is HTTPS) and the `Host` header. An
/// unusual host name is left out and only the path is shown.
fn public_base(staff: &StaffContext, headers: &HeaderMap) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| {
            !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        });
    let scheme = match staff.page.cookies.security {
        crate::CookieSecurity::SecureOnly => "https",
        crate::CookieSecurity::AllowPlainHttp => "http",
    };
    host.map(|host| format!("{scheme}://{host}"))
        .unwrap_or_default()
}

/// The webhook address of a channel whose provider calls us, or empty.
pub fn webhook_address(base: &str, slug: &str, channel: Channel) -> String {
    if WEBHOOK_CHANNELS.contains(&channel) {
        format!("{base}/hooks/{slug}/{}", channel.as_str())
    } else {
        String::new()
    }
}

fn credential_form(
    staff: &StaffContext,
    base: &str,
    channel: Channel,
    stored: Option<&serde_json::Value>,
    failed: Option<&FailedCredentials>,
) -> CredentialForm {
    let tr = staff.tr();
    let empty = FieldErrors::default();
    let errors = failed.map(|failed| &failed.errors).unwrap_or(&empty);
    let stored_text = |path: &str| -> Option<String> {
        match stored?.pointer(&json_pointer(path))? {
            serde_json::Value::String(text) => Some(text.clone()),
            serde_json::Value::Number(number) => Some(number.to_string()),
            _ => None,
        }
    };
    // The tables leave a legend or hint empty where there is none; there is no message to
    // look up then.
    let text_of = |key: &str| {
        if key.is_empty() {
            String::new()
        } else {
            tr.t(key)
        }
    };
    let groups = setting_groups(channel)
        .iter()
        .map(|group| CredentialGroup {
            legend: text_of(group.legend),
            hint: text_of(group.hint),
            fields: group
                .settings
                .iter()
                .map(|spec| {
                    let path = spec.path;
                    let secret = spec.kind == SettingKind::Secret;
                    let value = if secret {
                        String::new()
                    } else if let Some(failed) = failed {
                        failed.form.get(path).to_owned()
                    } else {
                        stored_text(path).unwrap_or_else(|| spec.initial.to_owned())
                    };
                    let checked = match failed {
                        Some(failed) => failed.form.ticked(path),
                        None => stored
                            .and_then(|stored| stored.pointer(&json_pointer(path)))
                            .and_then(|value| value.as_bool())
                            .unwrap_or(false),
                    };
                    let control = match spec.kind {
                        SettingKind::Text => "text",
                        SettingKind::Email => "email",
                        SettingKind::Url => "url",
                        SettingKind::Port | SettingKind::Seconds => "number",
                        SettingKind::Security => "select",
                        SettingKind::Flag => "checkbox",
                        SettingKind::Secret => "password",
                    };
                    CredentialField {
                        name: path,
                        id: format!("cred-{}-{}", channel.as_str(), path.replace('.', "-")),
                        label: tr.t(&format!("admin-cred-field-{}", setting_name(path))),
                        hint: text_of(spec.hint),
                        control,
                        options: if spec.kind == SettingKind::Security {
                            SECURITY_SPELLINGS
                                .iter()
                                .map(|spelling| Choice {
                                    value: (*spelling).to_owned(),
                                    label: tr.value("admin-cred-security", spelling),
                                    selected: *spelling == value,
                                })
                                .collect()
                        } else {
                            Vec::new()
                        },
                        value,
                        checked,
                        required: spec.required && group.present_when.is_empty(),
                        dir: if matches!(
                            setting_name(path),
                            "display_name" | "sender_id" | "template_name"
                        ) {
                            "auto"
                        } else {
                            "ltr"
                        },
                        min: if control == "number" { "1" } else { "" },
                        max: match spec.kind {
                            SettingKind::Port => "65535".to_owned(),
                            SettingKind::Seconds => MAX_SETTING_SECONDS.to_string(),
                            _ => String::new(),
                        },
                        error: errors.get(path),
                        stored: secret && stored_secret(stored, path).is_some(),
                        clearable: secret && !spec.required,
                        retype: secret
                            && failed.is_some_and(|failed| !failed.form.get(path).is_empty()),
                    }
                })
                .collect(),
        })
        .collect();
    CredentialForm {
        channel: channel.as_str(),
        name: tr.value("channel", channel.as_str()),
        action: format!("{}/{}", Section::Channels.href(staff), channel.as_str()),
        configured: stored.is_some(),
        invalid: stored.is_some_and(|stored| {
            sanad_channels::registry::ChannelConfiguration::parse(channel, stored).is_err()
        }),
        webhook: webhook_address(base, &staff.org.slug, channel),
        groups,
        error_count: errors.count(),
        problem: errors.get("_form"),
    }
}

async fn credential_forms(
    state: &AppState,
    staff: &StaffContext,
    headers: &HeaderMap,
    failed: Option<&FailedCredentials>,
) -> Result<Vec<CredentialForm>, PageError> {
    let base = public_base(staff, headers);
    let mut forms = Vec::with_capacity(CONFIGURABLE_CHANNELS.len());
    for channel in CONFIGURABLE_CHANNELS {
        let stored = state
            .store
            .channel_credentials(staff.org.id, *channel)
            .await?;
        let failed = failed.filter(|failed| failed.channel == *channel);
        forms.push(credential_form(
            staff,
            &base,
            *channel,
            stored.as_ref(),
            failed,
        ));
    }
    Ok(forms)
}

/// Saves one channel's connection settings. A form with mistakes comes back with status 422,
/// its values as typed except the secrets, and each message beside its field.
pub async fn channel_credentials_save(
    State(state): State<AppState>,
    staff: StaffContext,
    headers: HeaderMap,
    Path((_, channel)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let pairs: Vec<(String, String)> = parse_form(&body)?;
    let csrf = pairs
        .iter()
        .find(|(key, _)| key == "_csrf")
        .map(|(_, value)| value.as_str());
    check_csrf(&staff.page.csrf, csrf)?;
    require_admin(&staff)?;
    let channel = channel
        .parse::<Channel>()
        .ok()
        .filter(|channel| CONFIGURABLE_CHANNELS.contains(channel))
        .ok_or(PageError::NotFound)?;
    let stored = state
        .store
        .channel_credentials(staff.org.id, channel)
        .await?;
    let form = CredentialSubmission::new(pairs);
    match credentials_from_form(channel, &form, stored.as_ref(), staff.tr()) {
        Ok(settings) => {
            state
                .store
                .set_channel_credentials(staff.org.id, channel, &settings, state.clock.now())
                .await?;
            Ok(Redirect::to(&format!(
                "{}?done=saved#cred-{}",
                Section::Channels.href(&staff),
                channel.as_str()
            ))
            .into_response())
        }
        Err(errors) => {
            let failed = FailedCredentials {
                channel,
                form,
                errors,
            };
            let settings = state.store.channel_settings(staff.org.id).await?;
            let credentials = credential_forms(&state, &staff, &headers, Some(&failed)).await?;
            let page = channels_page(
                &staff,
                String::new(),
                &settings,
                FieldErrors::default(),
                credentials,
            );
            Ok(unprocessable(page.render()?))
        }
    }
}

// ---- the confidentiality audit ------------------------------------------------------------------

pub struct AuditRow {
    pub at: ShownTime,
    pub who: String,
    pub number: String,
    pub href: String,
}

#[derive(Template)]
#[template(path = "ui/admin_audit.html")]
struct AuditPage {
    chrome: Chrome,
    frame: Frame,
    limit: i64,
    rows: Vec<AuditRow>,
}

pub async fn audit(
    State(state): State<AppState>,
    staff: StaffContext,
) -> Result<Html<String>, PageError> {
    require_admin(&staff)?;
    let tr = *staff.tr();
    let views = state.store.ticket_views(staff.org.id, AUDIT_LIMIT).await?;
    let rows = views
        .into_iter()
        .map(|view| AuditRow {
            at: shown_time(view.at, &staff.zone, &tr),
            who: view.user_name,
            href: format!(
                "/o/{}/desk/tickets/{}",
                staff.org.slug,
                form_urlencoded_component(&view.ticket_number)
            ),
            number: view.ticket_number,
        })
        .collect();
    let (chrome, frame) = frame(&staff, Section::Audit, String::new());
    let page = AuditPage {
        chrome,
        frame,
        limit: i64::from(AUDIT_LIMIT),
        rows,
    };
    Ok(Html(page.render()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::i18n::Lang;

    fn english() -> Tr {
        Tr::new(Lang::En)
    }

    #[test]
    fn policy_errors_are_listed_with_line_column_and_key() {
        let source = "[organization]\nname_ar = \"مركز\"\nunknown_key = 1\n";
        let errors = Policy::parse(source, "policy.toml").expect_err("the policy is incomplete");
        let lines = policy_error_lines(&errors, &english());
        assert_eq!(lines.len(), errors.len());
        for (shown, error) in lines.iter().zip(errors.errors()) {
            assert_eq!(shown.line, error.line);
            assert_eq!(shown.column, error.column);
            assert_eq!(shown.key, error.key);
            assert_eq!(shown.message, error.message);
            assert_eq!(
                shown.place,
                format!("Line {}, column {}", error.line, error.column)
            );
        }
        let arabic = policy_error_lines(&errors, &Tr::new(Lang::Ar));
        assert_eq!(
            arabic[0].place,
            format!(
                "السطر {}، العمود {}",
                errors.errors()[0].line,
                errors.errors()[0].column
            )
        );
    }

    #[test]
    fn a_syntax_error_points_at_its_line() {
        let source = "[organization]\nname_ar = \"unclosed\n";
        let errors = Policy::parse(source, "policy.toml").expect_err("broken TOML");
        let lines = policy_error_lines(&errors, &english());
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].line, 2);
    }

    #[test]
    fn organization_settings_are_checked_field_by_field() {
        let tr = english();
        let good = OrganizationValues {
            csrf: None,
            name: "  Online Diplomas  ".to_owned(),
            time_zone: "Asia/Riyadh".to_owned(),
            reopen_window_hours: "168".to_owned(),
        };
        let settings = validate_organization(&good, &tr).expect("valid");
        assert_eq!(settings.name, "Online Diplomas");
        assert_eq!(settings.reopen_window_hours, 168);
        let bad = OrganizationValues {
            csrf: None,
            name: " ".to_owned(),
            time_zone: "Mars/Olympus".to_owned(),
            reopen_window_hours: "0".to_owned(),
        };
        let errors = validate_organization(&bad, &tr).expect_err("invalid");
        assert!(errors.has("name"));
        assert!(errors.has("time_zone"));
        assert!(errors.get("time_zone").contains("Mars/Olympus"));
        assert!(errors.has("reopen_window_hours"));
        for hours in ["8761", "-1", "1.5", "abc", ""] {
            let values = OrganizationValues {
                reopen_window_hours: hours.to_owned(),
                ..good.clone()
            };
            assert!(validate_organization(&values, &tr).is_err(), "{hours}");
        }
        let year = OrganizationValues {
            reopen_window_hours: "8760".to_owned(),
            ..good
        };
        assert!(validate_organization(&year, &tr).is_ok());
    }

    #[test]
    fn departments_and_categories_need_a_code_and_an_arabic_name() {
        let tr = english();
        let values = DepartmentValues {
            code: "IT-Support".to_owned(),
            name_ar: "الدعم الفني".to_owned(),
            ..DepartmentValues::default()
        };
        let input = department_input(&values, None, &tr).expect("valid");
        assert_eq!(input.code.as_str(), "it-support");
        assert_eq!(input.name_en, "");
        let errors = department_input(
            &DepartmentValues {
                code: "x".to_owned(),
                name_ar: String::new(),
                ..DepartmentValues::default()
            },
            None,
            &tr,
        )
        .expect_err("invalid");
        assert!(errors.has("code") && errors.has("name_ar"));
        // An edit keeps the code of the path, whatever the form says.
        let edited = department_input(
            &DepartmentValues {
                code: "ignored".to_owned(),
                ..values.clone()
            },
            Some("academic"),
            &tr,
        )
        .expect("valid");
        assert_eq!(edited.code.as_str(), "academic");
        let departments = vec!["academic".to_owned()];
        let category = DepartmentValues {
            code: "exams".to_owned(),
            name_ar: "الاختبارات".to_owned(),
            default_department: "academic".to_owned(),
            ..DepartmentValues::default()
        };
        let input = category_input(&category, None, &departments, &tr).expect("valid");
        assert_eq!(
            input.default_department.as_ref().map(|c| c.as_str()),
            Some("academic")
        );
        let unknown = DepartmentValues {
            default_department: "nowhere".to_owned(),
            ..category
        };
        let errors = category_input(&unknown, None, &departments, &tr).expect_err("invalid");
        assert!(errors.has("default_department"));
    }

    #[test]
    fn canned_replies_may_use_only_the_known_variables() {
        assert!(unknown_variables("Dear {{requester_name}}, about {{ subject }}").is_empty());
        assert_eq!(
            unknown_variables("{{name}} {{ticket_number}} {{name}} {{other}}"),
            vec!["name".to_owned(), "other".to_owned()]
        );
        assert!(unknown_variables("{{unclosed").is_empty());
        let tr = english();
        let errors = validate_canned(
            &CannedValues {
                csrf: None,
                title: "Hello".to_owned(),
                body: "Hi {{client}}".to_owned(),
            },
            &tr,
        )
        .expect_err("invalid");
        assert!(errors.get("body").contains("{{client}}"));
        let (title, body) = validate_canned(
            &CannedValues {
                csrf: None,
                title: " Greeting ".to_owned(),
                body: "Hello {{requester_name}}".to_owned(),
            },
            &tr,
        )
        .expect("valid");
        assert_eq!(title, "Greeting");
        assert_eq!(body, "Hello {{requester_name}}");
    }

    #[test]
    fn the_channels_form_reads_every_channel() {
        let tr = english();
        let pairs = vec![
            ("_csrf".to_owned(), "x".to_owned()),
            ("state-email".to_owned(), "enabled".to_owned()),
            (
                "address-email".to_owned(),
                " support@example.sa ".to_owned(),
            ),
            ("address-whatsapp".to_owned(), "a\nb".to_owned()),
        ];
        let (settings, errors) = channel_settings_from_form(&pairs, &tr);
        assert_eq!(settings.len(), Channel::ALL.len());
        let email = settings
            .iter()
            .find(|s| s.channel == Channel::Email)
            .unwrap();
        assert_eq!(email.state, ChannelState::Enabled);
        assert_eq!(email.address, "support@example.sa");
        let phone = settings
            .iter()
            .find(|s| s.channel == Channel::Phone)
            .unwrap();
        assert_eq!(phone.state, ChannelState::Disabled);
        assert!(errors.has("whatsapp"));
        assert!(!errors.has("email"));
    }

    #[test]
    fn new_staff_need_a_valid_address_role_and_active_departments() {
        let tr = english();
        let active = vec!["academic".to_owned()];
        let mut errors = FieldErrors::default();
        let values = StaffValues {
            email: "Agent@Example.SA".to_owned(),
            name: "Huda".to_owned(),
            role: "agent".to_owned(),
            departments: vec!["academic".to_owned()],
            ..StaffValues::default()
        };
        let valid = validate_new_staff(&values, &active, &tr, &mut errors).expect("valid");
        assert!(errors.is_empty());
        assert_eq!(valid.role, StaffRole::Agent);
        assert_eq!(valid.departments.len(), 1);
        let mut errors = FieldErrors::default();
        let bad = StaffValues {
            email: "not an address".to_owned(),
            role: "emperor".to_owned(),
            departments: vec!["archived-one".to_owned()],
            ..StaffValues::default()
        };
        assert!(validate_new_staff(&bad, &active, &tr, &mut errors).is_none());
        for field in ["email", "name", "role", "departments"] {
            assert!(errors.has(field), "{field}");
        }
        let mut errors = FieldErrors::default();
        assert!(new_password_hash("short", None, &tr, &mut errors).is_none());
        assert!(errors.has("password"));
        let mut errors = FieldErrors::default();
        assert!(
            new_password_hash("long enough password", Some("different"), &tr, &mut errors)
                .is_none()
        );
        assert!(errors.has("confirm"));
    }

    #[test]
    fn upload_names_lose_their_directories() {
        assert_eq!(upload_name("C:\\Users\\me\\policy.toml"), "policy.toml");
        assert_eq!(upload_name("../../etc/passwd"), "passwd");
        assert_eq!(upload_name(""), DEFAULT_POLICY_FILE);
    }

    #[test]
    fn notices_come_only_from_known_outcomes() {
        let tr = english();
        let query = |done: &str| AdminQuery {
            done: Some(done.to_owned()),
            version: Some("4".to_owned()),
            recomputed: Some("2".to_owned()),
            ..AdminQuery::default()
        };
        assert!(!query("saved").notice(&tr).is_empty());
        assert!(query("<script>").notice(&tr).is_empty());
        assert!(query("applied").notice(&tr).contains('4'));
    }

    /// The administration's strings live in their own file and must not redefine one of
    /// `main.ftl` (Fluent would keep only one of them).
    #[test]
    fn admin_messages_do_not_redefine_main_ones() {
        for lang in ["ar", "en"] {
            let directory = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("locales")
                .join(lang);
            let keys = |file: &str| -> std::collections::BTreeSet<String> {
                std::fs::read_to_string(directory.join(file))
                    .unwrap()
                    .lines()
                    .filter(|line| line.chars().next().is_some_and(|c| c.is_ascii_lowercase()))
                    .filter_map(|line| line.split_once('=').map(|(key, _)| key.trim().to_owned()))
                    .collect()
            };
            let main = keys("main.ftl");
            let admin = keys("admin.ftl");
            let both: Vec<_> = main.intersection(&admin).collect();
            assert!(both.is_empty(), "{lang}: defined twice: {both:?}");
        }
    }

    /// Every message the administration and the dashboard look up exists in both languages.
    #[test]
    fn every_tab_and_variable_has_a_message() {
        for lang in [Lang::Ar, Lang::En] {
            let tr = Tr::new(lang);
            let mut keys: Vec<String> = Section::ALL.iter().map(|s| s.key().to_owned()).collect();
            keys.extend(CANNED_VARIABLES.iter().map(|v| format!("admin-var-{v}")));
            keys.extend(
                UserState::ALL
                    .iter()
                    .map(|s| format!("admin-user-state-{}", s.as_str())),
            );
            keys.extend((0..4).map(|i| format!("dash-aging-{i}")));
            for key in keys {
                let text = tr.t(&key);
                assert!(!text.is_empty() && text != key, "{lang:?}: {key}");
            }
        }
    }
}
