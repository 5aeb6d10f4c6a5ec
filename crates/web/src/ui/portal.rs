//! The public portal of one organization: submit a request, get a receipt, follow the ticket
//! with its number and tracking code (or the link that carries both), reply, reopen, escalate
//! and rate; and read the published support policy.

use super::chrome::{self, Chrome};
use super::format::{ShownTime, policy_lang, shown_time, within_words};
use super::forms::{FieldErrors, MultipartForm, UploadedFile, parse_form};
use super::i18n::Tr;
use super::page_error::PageError;
use super::session::{
    PageContext, TRACKING_COOKIE, append_cookie, check_csrf, cookie_value, organization_in_path,
};
use crate::AppState;
use askama::Template;
use axum::extract::{FromRequestParts, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use sanad_domain::policy::Policy;
use sanad_domain::satisfaction::{
    AnswerField, COMMENT_MAX_CHARS, RawSatisfactionAnswer, SatisfactionAnswer, Score,
};
use sanad_domain::service_levels::{TargetKind, TargetState};
use sanad_domain::{
    Channel, EmailAddress, MessageBody, MessageKind, PersonName, PhoneNumber, RequesterType,
    Subject, TicketKind, TicketStatus,
};
use sanad_store::AnsweredVia;
use sanad_store::{
    Actor, NewAttachment, NewMessage, NewRequester, NewSession, NewTicket, Organization,
    RequesterContact, SessionKind, TicketDetail, TransitionRequest, secrets,
};
use serde::Deserialize;
use std::sync::Arc;

/// How long a requester stays signed in to follow their ticket.
const TRACKING_SESSION_DAYS: i64 = 30;

/// The media types the portal accepts as attachments: documents and pictures people send
/// with a complaint, nothing executable.
pub const ACCEPTED_ATTACHMENT_TYPES: &[&str] = &[
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
];

/// The organization, its policy and zone, for a public page.
pub struct Portal {
    pub(crate) page: PageContext,
    pub(crate) org: Organization,
    policy: Option<Arc<Policy>>,
    pub(crate) zone: TimeZone,
}

impl FromRequestParts<AppState> for Portal {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let page = PageContext::from_request_parts(parts, state).await?;
        let org = organization_in_path(parts, state).await?;
        let policy = state.store.policy_in_force(&org).await?;
        let zone = TimeZone::get(&org.time_zone).unwrap_or(TimeZone::UTC);
        Ok(Portal {
            page,
            org,
            policy,
            zone,
        })
    }
}

impl Portal {
    fn tr(&self) -> &Tr {
        &self.page.tr
    }

    fn chrome(&self, title_key: &str, current: &str) -> Chrome {
        chrome::portal(&self.page, &self.org, self.tr().t(title_key), current)
    }

    fn base(&self) -> String {
        format!("/o/{}", self.org.slug)
    }

    /// The first-response promise for a channel, in words: "سنرد خلال 24 ساعة عمل".
    fn response_promise(&self, channel: Channel) -> String {
        let duration = self
            .policy
            .as_deref()
            .and_then(|policy| policy.channel(channel))
            .and_then(|entry| entry.first_response.as_ref());
        match duration {
            Some(duration) => self.tr().t1(
                "receipt-promise",
                "within",
                &within_words(duration, self.tr()),
            ),
            None => self.tr().t("receipt-promise-unset"),
        }
    }
}

// ---- home and policy --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "ui/portal_home.html")]
struct HomePage {
    chrome: Chrome,
    base: String,
    introduction: String,
    channels: Vec<ChannelLine>,
}

struct ChannelLine {
    name: String,
    contact: String,
    promise: String,
}

pub async fn home(portal: Portal) -> Result<Html<String>, PageError> {
    let tr = *portal.tr();
    let (introduction, channels) = match portal.policy.as_deref() {
        Some(policy) => {
            let texts = policy.public_texts();
            let introduction = tr
                .lang
                .pick(
                    texts.introduction_ar.as_deref().unwrap_or_default(),
                    texts.introduction_en.as_deref().unwrap_or_default(),
                )
                .to_owned();
            let channels = policy
                .channels()
                .iter()
                .map(|entry| ChannelLine {
                    name: match tr.lang {
                        super::i18n::Lang::Ar => entry.label_ar.clone(),
                        super::i18n::Lang::En => entry.label_en.clone(),
                    }
                    .unwrap_or_else(|| tr.value("channel", entry.channel.as_str())),
                    contact: entry.contact.clone(),
                    promise: entry
                        .first_response
                        .as_ref()
                        .map(|duration| within_words(duration, &tr))
                        .unwrap_or_default(),
                })
                .collect();
            (introduction, channels)
        }
        None => (String::new(), Vec::new()),
    };
    let page = HomePage {
        chrome: portal.chrome("portal-title", "home"),
        base: portal.base(),
        introduction,
        channels,
    };
    Ok(Html(page.render()?))
}

#[derive(Template)]
#[template(path = "ui/portal_policy.html")]
struct PolicyPage {
    chrome: Chrome,
    policy_html: String,
    /// The organization's name for the printed header (the site header is not printed).
    org_name: String,
    /// "Policy version 3, applied on …", printed under the name; empty without a policy.
    version_line: String,
    /// The same page laid out for printing (`?print=1`), for browsers without script.
    print_view: bool,
    print_href: String,
    screen_href: String,
}

#[derive(Deserialize, Default)]
pub struct PolicyQuery {
    print: Option<String>,
}

/// The published policy, generated from the policy in force each time it is asked for, so
/// the page and the rules the desk applies can never differ. `?print=1` gives the layout for
/// printing or saving as PDF to file with the regulator.
pub async fn policy(
    State(state): State<AppState>,
    portal: Portal,
    Query(query): Query<PolicyQuery>,
) -> Result<Html<String>, PageError> {
    let tr = *portal.tr();
    let policy_html = match portal.policy.as_deref() {
        Some(policy) => markdown_to_safe_html(&sanad_domain::policy::render_markdown(
            policy,
            policy_lang(tr.lang),
        )),
        None => String::new(),
    };
    let stored = match (portal.policy.is_some(), portal.org.policy_version) {
        (true, Some(version)) => state.store.stored_policy(portal.org.id, version).await?,
        _ => None,
    };
    let version_line = stored
        .map(|stored| {
            let applied = shown_time(stored.applied_at, &portal.zone, &tr);
            tr.n1(
                "policy-print-version",
                stored.version,
                "applied",
                &applied.gregorian,
            )
        })
        .unwrap_or_default();
    let org_name = match portal.policy.as_deref() {
        Some(policy) => tr
            .lang
            .pick(
                &policy.organization().name_ar,
                &policy.organization().name_en,
            )
            .to_owned(),
        None => portal.org.name.clone(),
    };
    let page = PolicyPage {
        chrome: portal.chrome("policy-title", "policy"),
        policy_html,
        org_name,
        version_line,
        print_view: query.print.as_deref() == Some("1"),
        print_href: format!("{}/policy?print=1&lang={}", portal.base(), tr.lang.code()),
        screen_href: format!("{}/policy?lang={}", portal.base(), tr.lang.code()),
    };
    Ok(Html(page.render()?))
}

/// The conduct rules the policy publishes (seed 004), in the page's language (Arabic when the
/// policy has no English), shown before a request can be sent — on the portal's form and in
/// the live-chat widget.
pub(crate) fn etiquette_rules(
    policy: Option<&sanad_domain::policy::Policy>,
    lang: super::i18n::Lang,
) -> Vec<String> {
    policy
        .map(|policy| {
            let texts = policy.public_texts();
            match lang {
                super::i18n::Lang::Ar => texts.etiquette_ar.clone(),
                super::i18n::Lang::En if texts.etiquette_en.is_empty() => {
                    texts.etiquette_ar.clone()
                }
                super::i18n::Lang::En => texts.etiquette_en.clone(),
            }
        })
        .unwrap_or_default()
}

/// Renders the policy's Markdown as HTML. The Markdown is generated from the policy (whose
/// free texts are escaped by the renderer), and raw HTML is turned into text here as well, so
/// nothing in a policy file can inject markup into the page.
pub fn markdown_to_safe_html(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, html};
    let parser = Parser::new_ext(markdown, Options::ENABLE_TABLES).map(|event| match event {
        Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

// ---- submitting a request ---------------------------------------------------------------------

#[derive(Default, Clone)]
pub struct SubmissionValues {
    pub kind: String,
    pub category: String,
    pub subject: String,
    pub body: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub requester_type: String,
    pub etiquette: String,
    /// The random token of this visit to the form, which the knowledge-base suggestions are
    /// counted by (shown, opened, deflected, submitted); stored only as its digest.
    pub kb_visit: String,
}

struct Choice {
    value: String,
    label: String,
}

#[derive(Template)]
#[template(path = "ui/portal_new.html")]
struct NewRequestPage {
    chrome: Chrome,
    action: String,
    values: SubmissionValues,
    errors: FieldErrors,
    kinds: Vec<Choice>,
    categories: Vec<Choice>,
    requester_types: Vec<Choice>,
    etiquette: Vec<String>,
    promise: String,
    max_files: usize,
    max_megabytes: usize,
    accept: String,
    /// Where the knowledge-base suggestions are fetched from while the requester types.
    kb_suggest: String,
    kb_help_centre: String,
}

async fn new_request_page(
    portal: &Portal,
    state: &AppState,
    values: SubmissionValues,
    errors: FieldErrors,
) -> Result<NewRequestPage, PageError> {
    let tr = *portal.tr();
    let kinds = TicketKind::ALL
        .iter()
        .map(|kind| Choice {
            value: kind.as_str().to_owned(),
            label: tr.value("kind", kind.as_str()),
        })
        .collect();
    let categories = state
        .store
        .categories(portal.org.id)
        .await?
        .into_iter()
        .filter(|category| !category.archived)
        .map(|category| Choice {
            label: tr
                .lang
                .pick(&category.name_ar, &category.name_en)
                .to_owned(),
            value: category.code,
        })
        .collect();
    let requester_types = RequesterType::ALL
        .iter()
        .map(|value| Choice {
            value: value.as_str().to_owned(),
            label: tr.value("requester-type", value.as_str()),
        })
        .collect();
    let etiquette = etiquette_rules(portal.policy.as_deref(), tr.lang);
    Ok(NewRequestPage {
        chrome: portal.chrome("new-title", "new"),
        action: format!("{}/new", portal.base()),
        values,
        errors,
        kinds,
        categories,
        requester_types,
        etiquette,
        promise: portal.response_promise(Channel::WebForm),
        max_files: crate::dto::MAX_ATTACHMENTS,
        max_megabytes: crate::dto::MAX_ATTACHMENT_BYTES / (1024 * 1024),
        accept: ACCEPTED_ATTACHMENT_TYPES.join(","),
        kb_suggest: format!("{}/kb/suggest", portal.base()),
        kb_help_centre: format!("{}/kb", portal.base()),
    })
}

#[derive(Deserialize, Default)]
pub struct NewRequestQuery {
    kind: Option<String>,
}

pub async fn new_request_form(
    State(state): State<AppState>,
    portal: Portal,
    Query(query): Query<NewRequestQuery>,
) -> Result<Html<String>, PageError> {
    let values = SubmissionValues {
        kind: query
            .kind
            .filter(|kind| kind.parse::<TicketKind>().is_ok())
            .unwrap_or_default(),
        requester_type: "trainee".to_owned(),
        kb_visit: secrets::generate_token(),
        ..SubmissionValues::default()
    };
    let page = new_request_page(&portal, &state, values, FieldErrors::default()).await?;
    Ok(Html(page.render()?))
}

/// A submission checked field by field; every problem is reported at once, beside its field.
fn parse_submission(
    values: &SubmissionValues,
    files: Vec<UploadedFile>,
    has_etiquette: bool,
    tr: &Tr,
) -> Result<NewTicket, FieldErrors> {
    let mut errors = FieldErrors::default();
    let kind = values.kind.parse::<TicketKind>().ok();
    if kind.is_none() {
        errors.add("kind", tr.t("error-choose-kind"));
    }
    let category = if values.category.is_empty() {
        None
    } else {
        match sanad_domain::Code::parse(&values.category) {
            Ok(code) => Some(code),
            Err(_) => {
                errors.add("category", tr.t("error-choose-category"));
                None
            }
        }
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
        errors.add("email", tr.t("error-contact-required"));
    }
    let requester_type = values
        .requester_type
        .parse::<RequesterType>()
        .map_err(|_| errors.add("requester_type", tr.t("error-choose")))
        .ok();
    if has_etiquette && values.etiquette != "accepted" {
        errors.add("etiquette", tr.t("error-etiquette"));
    }
    let attachments = check_uploads(files, &mut errors, tr);
    match (kind, subject, body, name, contact, requester_type) {
        (
            Some(kind),
            Some(subject),
            Some(body),
            Some(name),
            Some(contact),
            Some(requester_type),
        ) if errors.is_empty() => Ok(NewTicket {
            kind,
            channel: Channel::WebForm,
            subject,
            body,
            category,
            requester: NewRequester {
                name,
                contact,
                requester_type,
            },
            attachments,
        }),
        _ => Err(errors),
    }
}

/// Checks uploaded files against the portal's limits: count, size and type.
pub fn check_uploads(
    files: Vec<UploadedFile>,
    errors: &mut FieldErrors,
    tr: &Tr,
) -> Vec<NewAttachment> {
    let files: Vec<UploadedFile> = files
        .into_iter()
        .filter(|file| !(file.filename.is_empty() && file.bytes.is_empty()))
        .collect();
    if files.len() > crate::dto::MAX_ATTACHMENTS {
        errors.add(
            "attachments",
            tr.n("error-attachment-count", crate::dto::MAX_ATTACHMENTS as i64),
        );
        return Vec::new();
    }
    let mut attachments = Vec::new();
    for file in files {
        let content_type = file.content_type.to_ascii_lowercase();
        if file.bytes.len() > crate::dto::MAX_ATTACHMENT_BYTES {
            errors.add(
                "attachments",
                tr.n1(
                    "error-attachment-size",
                    (crate::dto::MAX_ATTACHMENT_BYTES / (1024 * 1024)) as i64,
                    "file",
                    &file.filename,
                ),
            );
        } else if file.bytes.is_empty() {
            errors.add(
                "attachments",
                tr.t1("error-attachment-empty", "file", &file.filename),
            );
        } else if !ACCEPTED_ATTACHMENT_TYPES.contains(&content_type.as_str()) {
            errors.add(
                "attachments",
                tr.t1("error-attachment-type", "file", &file.filename),
            );
        } else if crate::sniff::check(&content_type, &file.bytes).is_err() {
            errors.add(
                "attachments",
                tr.t1("error-attachment-content", "file", &file.filename),
            );
        } else {
            let filename: String = file
                .filename
                .chars()
                .filter(|c| !c.is_control() && *c != '/' && *c != '\\')
                .take(200)
                .collect();
            attachments.push(NewAttachment {
                filename: if filename.trim().is_empty() {
                    "attachment".to_owned()
                } else {
                    filename
                },
                content_type,
                bytes: file.bytes,
            });
        }
    }
    attachments
}

#[derive(Template)]
#[template(path = "ui/portal_receipt.html")]
struct ReceiptPage {
    chrome: Chrome,
    number: String,
    code: String,
    promise: String,
    track_href: String,
    received: ShownTime,
}

pub async fn submit_request(
    State(state): State<AppState>,
    portal: Portal,
    client: super::auth::ClientAddress,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let form = MultipartForm::read(multipart).await?;
    check_csrf(&portal.page.csrf, form.text("_csrf"))?;
    let values = SubmissionValues {
        kind: form.text("kind").unwrap_or_default().to_owned(),
        category: form.text("category").unwrap_or_default().to_owned(),
        subject: form.text("subject").unwrap_or_default().to_owned(),
        body: form.text("body").unwrap_or_default().to_owned(),
        name: form.text("name").unwrap_or_default().to_owned(),
        email: form.text("email").unwrap_or_default().to_owned(),
        phone: form.text("phone").unwrap_or_default().to_owned(),
        requester_type: form.text("requester_type").unwrap_or_default().to_owned(),
        etiquette: form.text("etiquette").unwrap_or_default().to_owned(),
        kb_visit: form.text("kb_visit").unwrap_or_default().to_owned(),
    };
    let has_etiquette = portal
        .policy
        .as_deref()
        .is_some_and(|policy| !policy.public_texts().etiquette_ar.is_empty());
    let new = match parse_submission(&values, form.files, has_etiquette, portal.tr()) {
        Ok(new) => new,
        Err(errors) => {
            let page = new_request_page(&portal, &state, values, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
    };
    // Counted only once the form is valid, so a person correcting mistakes is never locked out.
    crate::limits::check_page(
        &state,
        crate::limits::PORTAL_SUBMISSIONS,
        portal.org.id,
        &client.0,
    )
    .await?;
    let now = state.clock.now();
    let actor = Actor::NewRequester {
        name: new.requester.name.as_str().to_owned(),
    };
    let created = match state
        .store
        .create_ticket(&portal.org, &new, None, &actor, now)
        .await
    {
        Ok(created) => created,
        Err(sanad_store::StoreError::UnknownReference { .. }) => {
            let mut errors = FieldErrors::default();
            errors.add("category", portal.tr().t("error-choose-category"));
            let page = new_request_page(&portal, &state, values, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
        }
        Err(error) => return Err(error.into()),
    };
    let ticket = created.ticket;
    super::knowledge::record_visit_submitted(&state, &portal.org, &values.kb_visit, now).await;
    // The store registers a tracking code with every new ticket; an idempotent repeat of the
    // form (same ticket) gets a fresh one, since the first was shown only once.
    let code = match created.tracking_code {
        Some(code) => code,
        None => {
            let code = new_tracking_code();
            state
                .store
                .set_tracking_code(portal.org.id, ticket.id, &secrets::token_digest(&code), now)
                .await?;
            code
        }
    };
    let cookie = start_tracking_session(&state, &portal, ticket.id, now).await?;
    let page = ReceiptPage {
        chrome: portal.chrome("receipt-title", "new"),
        track_href: format!("{}/track/{}", portal.base(), ticket.number),
        promise: portal.response_promise(Channel::WebForm),
        received: shown_time(ticket.created_at, &portal.zone, portal.tr()),
        number: ticket.number,
        code,
    };
    let mut response = (StatusCode::CREATED, Html(page.render()?)).into_response();
    append_cookie(response.headers_mut(), &cookie);
    Ok(response)
}

/// A new tracking code (see [`secrets::new_tracking_code`]).
pub fn new_tracking_code() -> String {
    secrets::new_tracking_code()
}

/// Normalises a typed tracking code: case, spaces and dashes do not matter.
fn normalize_tracking_code(raw: &str) -> String {
    let compact: String = raw
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if compact.len() == 10 {
        format!("{}-{}", &compact[..5], &compact[5..])
    } else {
        compact
    }
}

async fn start_tracking_session(
    state: &AppState,
    portal: &Portal,
    ticket_id: i64,
    now: Timestamp,
) -> Result<String, PageError> {
    let secret = secrets::generate_token();
    state
        .store
        .create_session(
            &NewSession {
                org_id: portal.org.id,
                kind: SessionKind::Requester,
                user_id: None,
                ticket_id: Some(ticket_id),
                token_hash: secrets::token_digest(&secret),
                expires_at: now + jiff::SignedDuration::from_hours(24 * TRACKING_SESSION_DAYS),
            },
            now,
        )
        .await?;
    Ok(portal
        .page
        .cookies
        .build(TRACKING_COOKIE, secret, TRACKING_SESSION_DAYS * 86_400))
}

// ---- tracking -----------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "ui/portal_track.html")]
struct TrackPage {
    chrome: Chrome,
    action: String,
    number: String,
    error: String,
}

pub async fn track_form(portal: Portal) -> Result<Html<String>, PageError> {
    let page = TrackPage {
        chrome: portal.chrome("track-title", "track"),
        action: format!("{}/track", portal.base()),
        number: String::new(),
        error: String::new(),
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub struct TrackForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    number: String,
    code: String,
}

/// Failed look-ups of one ticket number within `TRACKING_WINDOW_MINUTES` are limited, like
/// sign-ins; one client may fail three times as often (across numbers) in the same window.
const TRACKING_FAILURES_ALLOWED: i64 = 10;
const TRACKING_WINDOW_MINUTES: i64 = 15;

/// Refuses a tracking-code guess when the ticket number or the client has failed too often
/// recently; otherwise returns the key the attempt's outcome is recorded under.
async fn tracking_throttle(
    state: &AppState,
    portal: &Portal,
    client: &super::auth::ClientAddress,
    number: &str,
    now: jiff::Timestamp,
) -> Result<String, PageError> {
    let throttle_key = format!("tracking:{number}");
    let failures = state
        .store
        .login_failures_since(
            portal.org.id,
            &throttle_key,
            &client.0,
            now - jiff::SignedDuration::from_mins(TRACKING_WINDOW_MINUTES),
        )
        .await?;
    if failures.for_email >= TRACKING_FAILURES_ALLOWED
        || failures.from_client >= 3 * TRACKING_FAILURES_ALLOWED
    {
        return Err(PageError::TooManyAttempts {
            retry_after_minutes: TRACKING_WINDOW_MINUTES,
        });
    }
    Ok(throttle_key)
}

pub async fn track_submit(
    State(state): State<AppState>,
    portal: Portal,
    client: super::auth::ClientAddress,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: TrackForm = parse_form(&body)?;
    check_csrf(&portal.page.csrf, form.csrf.as_deref())?;
    let now = state.clock.now();
    let number = form.number.trim().to_uppercase();
    let throttle_key = tracking_throttle(&state, &portal, &client, &number, now).await?;
    let code = normalize_tracking_code(&form.code);
    let found = state
        .store
        .ticket_id_by_tracking_code(portal.org.id, &number, &secrets::token_digest(&code))
        .await?;
    let outcome = if found.is_some() {
        sanad_store::LoginOutcome::Succeeded
    } else {
        sanad_store::LoginOutcome::Failed
    };
    state
        .store
        .record_login_attempt(portal.org.id, &throttle_key, &client.0, outcome, now)
        .await?;
    let Some(ticket_id) = found else {
        let page = TrackPage {
            chrome: portal.chrome("track-title", "track"),
            action: format!("{}/track", portal.base()),
            number,
            error: portal.tr().t("track-not-found"),
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response());
    };
    let cookie = start_tracking_session(&state, &portal, ticket_id, now).await?;
    let mut response = Redirect::to(&format!("{}/track/{number}", portal.base())).into_response();
    append_cookie(response.headers_mut(), &cookie);
    Ok(response)
}

/// The ticket a requester's session may see, or `None`.
pub(crate) async fn tracked_ticket(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    org: &Organization,
    number: &str,
) -> Result<Option<TicketDetail>, PageError> {
    let Some(secret) = cookie_value(headers, TRACKING_COOKIE) else {
        return Ok(None);
    };
    let Some(session) = state
        .store
        .session_by_token_hash(&secrets::token_digest(&secret), state.clock.now())
        .await?
    else {
        return Ok(None);
    };
    if session.kind != SessionKind::Requester || session.org_id != org.id {
        return Ok(None);
    }
    let detail = state.store.ticket_detail(org.id, number).await?;
    Ok(detail.filter(|detail| Some(detail.ticket.id) == session.ticket_id))
}

#[derive(Deserialize, Default)]
pub struct MagicLinkQuery {
    code: Option<String>,
    /// The channel of the rating invitation that brought the requester here (`email`,
    /// `whatsapp`, …), carried into the rating form so the answer records it.
    via: Option<String>,
}

/// One dimension of the satisfaction question: a radio group of the five scores.
struct RatingDimension {
    field: &'static str,
    legend: String,
    choices: Vec<RatingChoice>,
}

struct RatingChoice {
    value: u8,
    label: String,
    checked: bool,
}

/// The satisfaction part of the requester's ticket page (seed 002).
#[derive(Default)]
struct RatingView {
    /// The ticket is resolved or closed, so the section is shown.
    shown: bool,
    /// The form is offered: no answer yet, or the edit window is open.
    editable: bool,
    dimensions: Vec<RatingDimension>,
    comment: String,
    /// "You can change your answer until …", or empty.
    window_note: String,
    /// The given answer as read-only lines (label, score), once the window closed.
    summary: Vec<(String, String)>,
    /// `portal` or the invitation's channel.
    via: String,
}

/// The answer's channel from the address: an invitation's channel, or the portal.
fn answered_via(raw: Option<&str>) -> AnsweredVia {
    raw.and_then(AnsweredVia::parse)
        .unwrap_or(AnsweredVia::Portal)
}

async fn rating_view(
    state: &AppState,
    portal: &Portal,
    ticket: &sanad_store::TicketSummary,
    via: AnsweredVia,
    now: Timestamp,
) -> Result<RatingView, PageError> {
    if !matches!(ticket.status, TicketStatus::Resolved | TicketStatus::Closed) {
        return Ok(RatingView::default());
    }
    let tr = *portal.tr();
    let answer = state.store.satisfaction(portal.org.id, ticket.id).await?;
    let rules = state.store.rating_rules(portal.org.id).await?;
    let editable = answer
        .as_ref()
        .is_none_or(|answer| rules.may_edit(answer.created_at, now));
    let dimensions = [
        (AnswerField::Handling, answer.as_ref().map(|a| a.handling)),
        (AnswerField::Clarity, answer.as_ref().map(|a| a.clarity)),
        (AnswerField::Closure, answer.as_ref().map(|a| a.closure)),
    ];
    let window_note = match &answer {
        Some(answer) if editable => tr.t1(
            "rate-editable-until",
            "until",
            &shown_time(
                rules.edit_window_closes(answer.created_at),
                &portal.zone,
                &tr,
            )
            .gregorian,
        ),
        _ => String::new(),
    };
    Ok(RatingView {
        shown: true,
        editable,
        dimensions: dimensions
            .iter()
            .map(|(field, current)| RatingDimension {
                field: field.as_str(),
                legend: tr.t(&format!("rate-question-{}", field.as_str())),
                choices: (Score::MIN..=Score::MAX)
                    .map(|value| RatingChoice {
                        value,
                        label: tr.value("score", &value.to_string()),
                        checked: current.is_some_and(|score| score.get() == value),
                    })
                    .collect(),
            })
            .collect(),
        comment: answer
            .as_ref()
            .map(|a| a.comment.clone())
            .unwrap_or_default(),
        window_note,
        summary: match &answer {
            Some(answer) if !editable => dimensions
                .iter()
                .filter_map(|(field, score)| {
                    score.map(|score| {
                        (
                            tr.t(&format!("rate-label-{}", field.as_str())),
                            tr.value("score", &score.to_string()),
                        )
                    })
                })
                .chain(
                    (!answer.comment.is_empty())
                        .then(|| (tr.t("ticket-rate-comment"), answer.comment.clone())),
                )
                .collect(),
            _ => Vec::new(),
        },
        via: via.as_str().to_owned(),
    })
}

/// The rating invitation's link: it signs the requester in to this one ticket (a requester
/// session, like the tracking link) and opens the rating form. The secret is single-purpose and
/// unguessable (256 bits, stored only as a digest); a wrong one is simply not found.
pub async fn rating_invitation(
    State(state): State<AppState>,
    portal: Portal,
    Path((_, token)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let now = state.clock.now();
    let invitation = state
        .store
        .rating_invitation(portal.org.id, &secrets::token_digest(&token))
        .await?
        .ok_or(PageError::NotFound)?;
    let cookie = start_tracking_session(&state, &portal, invitation.ticket_id, now).await?;
    let mut response = Redirect::to(&format!(
        "{}/track/{}?via={}#rating",
        portal.base(),
        invitation.number,
        invitation.channel.as_str()
    ))
    .into_response();
    append_cookie(response.headers_mut(), &cookie);
    Ok(response)
}

struct TargetLine {
    name: String,
    state_class: &'static str,
    state: String,
    deadline: ShownTime,
}

struct MessageLine {
    author: String,
    from_requester: bool,
    body: String,
    at: ShownTime,
    attachments: Vec<String>,
}

#[derive(Template)]
#[template(path = "ui/portal_ticket.html")]
struct TicketPage {
    chrome: Chrome,
    base: String,
    number: String,
    subject: String,
    status: String,
    status_class: &'static str,
    kind: String,
    created: ShownTime,
    targets: Vec<TargetLine>,
    messages: Vec<MessageLine>,
    may_reply: bool,
    may_reopen: bool,
    may_escalate: bool,
    escalated: bool,
    rating: RatingView,
    flash: String,
    /// Why the ticket was cancelled for a conduct violation, shown to its requester; or empty.
    cancel_reason: String,
}

pub async fn ticket(
    State(state): State<AppState>,
    portal: Portal,
    Path((_, number)): Path<(String, String)>,
    Query(query): Query<MagicLinkQuery>,
    client: super::auth::ClientAddress,
    headers: axum::http::HeaderMap,
) -> Result<Response, PageError> {
    let number = number.to_uppercase();
    // The link sent to the requester carries the code: it signs them in, then redirects to
    // the plain address so the code does not stay in the browser's history or the Referer.
    if let Some(code) = query.code {
        let now = state.clock.now();
        // A code in the address is a guess like one typed into the tracking form, so it is
        // throttled and counted the same way (per ticket number and per client).
        let throttle_key = tracking_throttle(&state, &portal, &client, &number, now).await?;
        let code = normalize_tracking_code(&code);
        let found = state
            .store
            .ticket_id_by_tracking_code(portal.org.id, &number, &secrets::token_digest(&code))
            .await?;
        let outcome = if found.is_some() {
            sanad_store::LoginOutcome::Succeeded
        } else {
            sanad_store::LoginOutcome::Failed
        };
        state
            .store
            .record_login_attempt(portal.org.id, &throttle_key, &client.0, outcome, now)
            .await?;
        let Some(ticket_id) = found else {
            return Err(PageError::NotFound);
        };
        let cookie = start_tracking_session(&state, &portal, ticket_id, now).await?;
        let mut response =
            Redirect::to(&format!("{}/track/{number}", portal.base())).into_response();
        append_cookie(response.headers_mut(), &cookie);
        return Ok(response);
    }
    let Some(detail) = tracked_ticket(&state, &headers, &portal.org, &number).await? else {
        return Ok(Redirect::to(&format!("{}/track", portal.base())).into_response());
    };
    let flash = portal
        .page
        .path
        .split_once("done=")
        .map(|(_, key)| key.split(['&', '#']).next().unwrap_or(""))
        // Only the confirmations this page redirects with; anything else typed into the
        // address shows nothing.
        .filter(|key| ["reply", "reopen", "escalate", "rate"].contains(key))
        .map(|key| portal.tr().t(&format!("flash-{key}")))
        .unwrap_or_default();
    let via = answered_via(query.via.as_deref());
    let page = ticket_page(&state, &portal, detail, flash, via).await?;
    Ok(Html(page.render()?).into_response())
}

async fn ticket_page(
    state: &AppState,
    portal: &Portal,
    detail: TicketDetail,
    flash: String,
    via: AnsweredVia,
) -> Result<TicketPage, PageError> {
    let tr = *portal.tr();
    let now = state.clock.now();
    let ticket = &detail.ticket;
    let targets = detail
        .targets
        .iter()
        .map(|target| TargetLine {
            name: tr.value("target", target.target.as_str()),
            state_class: target_state_class(target.state, target.deadline, now),
            state: tr.value("target-state", target.state.as_str()),
            deadline: shown_time(target.deadline, &portal.zone, &tr),
        })
        .collect();
    let messages = detail
        .messages
        .iter()
        .filter(|message| message.kind != MessageKind::InternalNote)
        .map(|message| MessageLine {
            from_requester: message.kind == MessageKind::RequesterMessage,
            author: if message.kind == MessageKind::RequesterMessage {
                tr.t("author-you")
            } else {
                tr.t1("author-staff", "org", &portal.org.name)
            },
            body: message.body.clone(),
            at: shown_time(message.created_at, &portal.zone, &tr),
            attachments: message
                .attachments
                .iter()
                .map(|a| a.filename.clone())
                .collect(),
        })
        .collect();
    let open = ticket.status.is_open();
    let reopen_closes = ticket
        .resolved_at
        .map(|at| at + jiff::SignedDuration::from_hours(portal.org.reopen_window_hours));
    let may_reopen = matches!(ticket.status, TicketStatus::Resolved | TicketStatus::Closed)
        && reopen_closes.is_some_and(|closes| now <= closes);
    let first_target_lapsed = detail.targets.iter().any(|target| {
        target.state == TargetState::Breached
            || (target.target == TargetKind::FirstResponse
                && target.state == TargetState::Running
                && target.deadline < now)
    });
    let escalated = detail
        .escalations
        .iter()
        .any(|escalation| escalation.reason == "requester");
    let rating = rating_view(state, portal, ticket, via, now).await?;
    Ok(TicketPage {
        chrome: chrome::portal(&portal.page, &portal.org, ticket.number.clone(), "track"),
        base: format!("{}/track/{}", portal.base(), ticket.number),
        number: ticket.number.clone(),
        subject: ticket.subject.clone(),
        status: tr.value("status", ticket.status.as_str()),
        status_class: status_class(ticket.status),
        kind: tr.value("kind", ticket.kind.as_str()),
        created: shown_time(ticket.created_at, &portal.zone, &tr),
        targets,
        messages,
        may_reply: !ticket.status.is_terminal(),
        may_reopen,
        may_escalate: open && first_target_lapsed && !escalated,
        escalated,
        rating,
        flash,
        cancel_reason: match ticket.status {
            TicketStatus::Cancelled => ticket.cancel_reason.clone().unwrap_or_default(),
            _ => String::new(),
        },
    })
}

pub fn status_class(status: TicketStatus) -> &'static str {
    match status {
        TicketStatus::Resolved | TicketStatus::Closed => "status-done",
        TicketStatus::Cancelled | TicketStatus::Merged => "status-ended",
        TicketStatus::WaitingOnRequester => "status-waiting",
        _ => "status-open",
    }
}

/// The colour of a deadline: met, breached, due within a day, or comfortable.
pub fn target_state_class(state: TargetState, deadline: Timestamp, now: Timestamp) -> &'static str {
    match state {
        TargetState::Met => "clock-met",
        TargetState::Breached => "clock-breached",
        TargetState::Running if deadline < now => "clock-breached",
        TargetState::Running if deadline < now + jiff::SignedDuration::from_hours(4) => {
            "clock-soon"
        }
        _ => "clock-ok",
    }
}

/// A requester's action on their ticket: reopen or escalate.
#[derive(Deserialize)]
pub struct RequesterActionForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    body: String,
}

pub async fn requester_reply(
    State(state): State<AppState>,
    portal: Portal,
    Path((_, number)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let number = number.to_uppercase();
    let form = MultipartForm::read(multipart).await?;
    check_csrf(&portal.page.csrf, form.text("_csrf"))?;
    let detail = tracked_ticket(&state, &headers, &portal.org, &number)
        .await?
        .ok_or(PageError::Forbidden)?;
    let tr = *portal.tr();
    let mut errors = FieldErrors::default();
    let body = MessageBody::parse(form.text("body").unwrap_or_default())
        .map_err(|_| {
            errors.add(
                "body",
                tr.n("error-text-length", MessageBody::MAX_CHARS as i64),
            )
        })
        .ok();
    let attachments = check_uploads(form.files, &mut errors, &tr);
    let Some(body) = body.filter(|_| errors.is_empty()) else {
        return Err(PageError::rejected(errors.joined()));
    };
    let actor = requester_actor(&detail);
    state
        .store
        .add_message(
            &portal.org,
            &number,
            &NewMessage {
                kind: MessageKind::RequesterMessage,
                body,
                attachments,
            },
            &actor,
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to(&format!(
        "{}/track/{number}?done=reply#messages",
        portal.base()
    ))
    .into_response())
}

fn requester_actor(detail: &TicketDetail) -> Actor {
    Actor::Requester {
        id: detail.ticket.requester.id,
        name: detail.ticket.requester.name.clone(),
    }
}

pub async fn requester_reopen(
    State(state): State<AppState>,
    portal: Portal,
    Path((_, number)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let number = number.to_uppercase();
    let form: RequesterActionForm = parse_form(&body)?;
    check_csrf(&portal.page.csrf, form.csrf.as_deref())?;
    let detail = tracked_ticket(&state, &headers, &portal.org, &number)
        .await?
        .ok_or(PageError::Forbidden)?;
    let actor = requester_actor(&detail);
    let now = state.clock.now();
    if let Ok(reason) = MessageBody::parse(&form.body) {
        state
            .store
            .add_message(
                &portal.org,
                &number,
                &NewMessage {
                    kind: MessageKind::RequesterMessage,
                    body: reason,
                    attachments: Vec::new(),
                },
                &actor,
                now,
            )
            .await?;
    }
    state
        .store
        .transition_ticket(
            &portal.org,
            &number,
            &TransitionRequest {
                to: TicketStatus::InProgress,
                reason: None,
                merge_into: None,
            },
            &actor,
            now,
        )
        .await?;
    Ok(Redirect::to(&format!("{}/track/{number}?done=reopen", portal.base())).into_response())
}

pub async fn requester_escalate(
    State(state): State<AppState>,
    portal: Portal,
    Path((_, number)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let number = number.to_uppercase();
    let form: RequesterActionForm = parse_form(&body)?;
    check_csrf(&portal.page.csrf, form.csrf.as_deref())?;
    let detail = tracked_ticket(&state, &headers, &portal.org, &number)
        .await?
        .ok_or(PageError::Forbidden)?;
    let note = MessageBody::parse(&form.body)
        .or_else(|_| MessageBody::parse(&portal.tr().t("escalate-default-note")))
        .map_err(|_| PageError::Internal)?;
    state
        .store
        .escalate_by_requester(
            &portal.org,
            &number,
            &note,
            &requester_actor(&detail),
            state.clock.now(),
        )
        .await?;
    Ok(Redirect::to(&format!("{}/track/{number}?done=escalate", portal.base())).into_response())
}

/// The satisfaction form: three scores and a comment.
#[derive(Deserialize)]
pub struct RatingForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    handling: String,
    #[serde(default)]
    clarity: String,
    #[serde(default)]
    closure: String,
    #[serde(default)]
    comment: String,
    via: Option<String>,
}

pub async fn requester_rate(
    State(state): State<AppState>,
    portal: Portal,
    Path((_, number)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let number = number.to_uppercase();
    let form: RatingForm = parse_form(&body)?;
    check_csrf(&portal.page.csrf, form.csrf.as_deref())?;
    let detail = tracked_ticket(&state, &headers, &portal.org, &number)
        .await?
        .ok_or(PageError::Forbidden)?;
    let tr = *portal.tr();
    if !matches!(
        detail.ticket.status,
        TicketStatus::Resolved | TicketStatus::Closed
    ) {
        return Err(PageError::rejected(tr.t("rate-not-yet")));
    }
    let answer = SatisfactionAnswer::try_from(RawSatisfactionAnswer {
        handling: &form.handling,
        clarity: &form.clarity,
        closure: &form.closure,
        comment: &form.comment,
    })
    .map_err(|errors| {
        let mut messages = FieldErrors::default();
        for field in errors.fields() {
            let message = match field {
                AnswerField::Comment => tr.n("error-text-length", COMMENT_MAX_CHARS as i64),
                other => tr.t(&format!("rate-error-{}", other.as_str())),
            };
            messages.add(field.as_str(), message);
        }
        PageError::rejected(messages.joined())
    })?;
    let answered = state
        .store
        .answer_satisfaction(
            portal.org.id,
            detail.ticket.id,
            &answer,
            answered_via(form.via.as_deref()),
            &requester_actor(&detail),
            state.clock.now(),
        )
        .await;
    match answered {
        Ok(_) => {}
        // The page offered the form while the window was open, and it closed before the
        // answer arrived: say so in the page's language, with the moment it closed, rather
        // than the store's English sentence.
        Err(sanad_store::StoreError::Conflict(_)) => {
            return Err(rating_window_closed(&state, &portal, detail.ticket.id).await);
        }
        Err(error) => return Err(error.into()),
    }
    Ok(Redirect::to(&format!(
        "{}/track/{number}?done=rate#rating",
        portal.base()
    ))
    .into_response())
}

/// The refusal of a change after the organization's edit window closed, as a Fluent message
/// naming when it closed (found again from the stored answer and the rules).
async fn rating_window_closed(state: &AppState, portal: &Portal, ticket_id: i64) -> PageError {
    let tr = *portal.tr();
    let record = state.store.satisfaction(portal.org.id, ticket_id).await;
    let rules = state.store.rating_rules(portal.org.id).await;
    let detail = match (record, rules) {
        (Ok(Some(record)), Ok(rules)) => tr.t1(
            "rate-window-closed",
            "until",
            &shown_time(
                rules.edit_window_closes(record.created_at),
                &portal.zone,
                &tr,
            )
            .gregorian,
        ),
        _ => tr.t("rate-final"),
    };
    PageError::Rejected {
        status: StatusCode::CONFLICT,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_codes_are_readable_and_normalised() {
        let code = new_tracking_code();
        assert_eq!(code.len(), 11);
        assert_eq!(
            normalize_tracking_code(&code.to_lowercase().replace('-', " ")),
            code
        );
        assert!(!code.contains(['0', 'O', '1', 'I', 'L']));
    }

    #[test]
    fn markup_in_policy_text_is_shown_as_text() {
        let html = markdown_to_safe_html("# Hours\n\n<script>alert(1)</script>\n\n*Sunday*");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("<em>Sunday</em>"), "{html}");
    }
}
