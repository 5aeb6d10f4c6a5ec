//! Live chat on the provider's own website: a script the provider embeds with one tag, and the
//! small JSON and server-sent-events API it talks to under `/o/{slug}/chat`.
//!
//! A conversation is a ticket on the `live_chat` channel; its public messages are the
//! transcript, and agents answer from the ticket page of the desk like on any other ticket.
//! Every message a visitor sends goes through [`Store::ingest_inbound`], which threads it onto
//! the conversation's ticket (or starts a new ticket when that one can no longer take messages).
//!
//! The visitor holds one bearer secret, the conversation token, and sends it in the path; the
//! database keeps only digests of it: a requester session (its digest, pointing at the current
//! ticket) and the conversation id the inbound messages carry. No cookie is read or written, so
//! these routes sit outside the pages' CSRF and Origin guard and answer any origin (CORS `*`).
//!
//! [`Store::ingest_inbound`]: sanad_store::Store::ingest_inbound

use crate::AppState;
use crate::error::{ApiError, FieldErrors, Problem};
use crate::extract::{ApiJson, ApiPath, ApiQuery};
use crate::ui::format::within_words;
use crate::ui::i18n::{Lang, Tr};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::{SignedDuration, Timestamp};
use sanad_domain::policy::Policy;
use sanad_domain::{
    Channel, EmailAddress, MessageBody, MessageKind, PersonName, PhoneNumber, Subject, TicketKind,
    TicketStatus,
};
use sanad_store::{
    ChannelState, InboundRecord, InboundSender, IngestOutcome, Message, NewSession, Organization,
    SessionKind, secrets,
};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::sync::OnceLock;
use std::time::Duration;

/// The widget, served as it is written: small enough that minifying would save little and cost
/// readability when a provider's developer looks at what they embed.
const WIDGET_JS: &str = include_str!("../assets/chat-widget.js");

/// The longest chat message. Chat is for short turns; a long text belongs in the portal's form
/// with attachments.
pub const MAX_MESSAGE_CHARS: usize = 4_000;

/// How many messages a visitor may send on one conversation within a minute, so that a script
/// cannot flood a ticket (and the agents' queue) through the public endpoint.
pub const MAX_MESSAGES_PER_MINUTE: usize = 20;

/// How long a conversation token stays valid after the last ticket change it caused; the widget
/// keeps it only for the browser tab's session anyway.
const CONVERSATION_DAYS: i64 = 30;

/// How often an open stream asks the database for news. Polling keeps several instances behind
/// one address correct without a message bus, as the desk's live updates do.
const POLL_EVERY: Duration = Duration::from_secs(2);

/// Tokens start with this, so that no other secret (a portal or desk session cookie) is taken
/// for a conversation token, and a leaked one is recognisable.
const TOKEN_PREFIX: &str = "sanad_chat_";

/// The body of any chat request is a few kilobytes of JSON at most; refuse more early.
const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/o/{slug}/chat/widget.js", get(widget))
        .route("/o/{slug}/chat/status", get(status))
        .route("/o/{slug}/chat/conversations", post(start_conversation))
        .route(
            "/o/{slug}/chat/conversations/{token}/messages",
            post(send_message),
        )
        .route("/o/{slug}/chat/conversations/{token}/events", get(events))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(cors))
}

// ---- cross-origin access ------------------------------------------------------------------------

/// What a preflight request is answered: the methods and request headers a page on another
/// origin may use, remembered by the browser for a day.
static PREFLIGHT_HEADERS: [(HeaderName, HeaderValue); 3] = [
    (
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, POST, OPTIONS"),
    ),
    // `Last-Event-ID` is what a reconnecting EventSource sends.
    (
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("Content-Type, Last-Event-ID"),
    ),
    (
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    ),
];

/// What every chat response carries, preflight or not.
static CROSS_ORIGIN_HEADERS: [(HeaderName, HeaderValue); 3] = [
    (
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    ),
    (
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    ),
    // Pages that isolate themselves (Cross-Origin-Embedder-Policy) may still load the script.
    (
        HeaderName::from_static("cross-origin-resource-policy"),
        HeaderValue::from_static("cross-origin"),
    ),
];

/// Lets the provider's site (any origin) call these routes. Nothing here uses cookies or other
/// ambient credentials — the conversation token in the path is the only bearer — so allowing
/// every origin grants a page nothing it could not do with a plain HTTP client. Preflight
/// requests are answered here, before routing by method.
async fn cors(request: Request, next: Next) -> Response {
    let preflight = request.method() == Method::OPTIONS;
    let mut response = if preflight {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    // `insert`, not `extend` (which appends): a header a handler already set is replaced, not
    // doubled.
    let added = if preflight {
        &PREFLIGHT_HEADERS[..]
    } else {
        &[]
    };
    for (name, value) in added.iter().chain(&CROSS_ORIGIN_HEADERS) {
        headers.insert(name.clone(), value.clone());
    }
    response
}

// ---- the script ---------------------------------------------------------------------------------

fn widget_etag() -> &'static str {
    static ETAG: OnceLock<String> = OnceLock::new();
    ETAG.get_or_init(|| format!("\"{}\"", &secrets::sha256_hex(WIDGET_JS.as_bytes())[..16]))
}

/// The script the provider embeds. Its address cannot carry a version (the provider pastes it
/// once), so browsers keep it for an hour and then revalidate it with its ETag.
pub async fn widget(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    chat_organization(&state, &slug).await?;
    let etag = widget_etag();
    let cache = [
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=3600"),
        ),
        (header::ETAG, HeaderValue::from_static(etag)),
    ];
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|tag| tag.trim() == etag));
    if unchanged {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/javascript; charset=utf-8"),
        )],
        cache,
        WIDGET_JS,
    )
        .into_response())
}

// ---- status -------------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct LangQuery {
    lang: Option<String>,
}

impl LangQuery {
    /// English when asked for (`en`, `en-GB`, …), else Arabic, the default.
    fn tr(&self) -> Tr {
        let english = self
            .lang
            .as_deref()
            .is_some_and(|code| code.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("en")));
        Tr::new(if english { Lang::En } else { Lang::Ar })
    }
}

/// The widget's texts: the key it uses, and the Fluent message.
const TEXTS: &[(&str, &str)] = &[
    ("launcher", "chat-launcher"),
    ("title", "chat-title"),
    ("close", "chat-close"),
    ("online", "chat-online"),
    ("offline", "chat-offline"),
    ("name", "chat-name"),
    ("email", "chat-email"),
    ("email-optional", "chat-email-optional"),
    ("message", "chat-message"),
    ("start", "chat-start"),
    ("leave", "chat-leave"),
    ("send", "chat-send"),
    ("error", "chat-error"),
    ("error-name", "chat-error-name"),
    ("error-email", "chat-error-email"),
    ("error-phone", "chat-error-phone"),
    ("error-busy", "chat-error-busy"),
    ("ended", "chat-ended"),
    ("etiquette", "etiquette-title"),
];

#[derive(Serialize)]
struct StatusBody {
    online: bool,
    language: &'static str,
    direction: &'static str,
    organization: String,
    texts: BTreeMap<&'static str, String>,
    first_response: String,
    /// The policy's conduct rules, shown before the first message is sent.
    etiquette: Vec<String>,
}

/// Whether the team is at work now, by the policy's default calendar. Without a published
/// policy there are no published hours, so the widget asks for an address to answer later.
fn is_online(policy: Option<&Policy>, now: Timestamp) -> bool {
    policy.is_some_and(|policy| policy.default_calendar().is_working_at(now))
}

/// The policy's first-response promise for live chat, in words: "سنرد خلال 48 ساعة عمل."
fn promise(policy: Option<&Policy>, tr: &Tr) -> String {
    match policy
        .and_then(|policy| policy.channel(Channel::LiveChat))
        .and_then(|entry| entry.first_response.as_ref())
    {
        Some(duration) => tr.t1("receipt-promise", "within", &within_words(duration, tr)),
        None => tr.t("receipt-promise-unset"),
    }
}

pub async fn status(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(query): ApiQuery<LangQuery>,
) -> Result<Response, ApiError> {
    let org = chat_organization(&state, &slug).await?;
    let policy = state.store.policy_in_force(&org).await?;
    let tr = query.tr();
    let mut texts: BTreeMap<&'static str, String> = TEXTS
        .iter()
        .map(|(key, message)| (*key, tr.t(message)))
        .collect();
    // Texts with a value the widget fills in keep a `{number}` placeholder.
    texts.insert("ticket", tr.t1("chat-ticket", "number", "{number}"));
    texts.insert(
        "error-message",
        tr.n("chat-error-message", MAX_MESSAGE_CHARS),
    );
    let body = StatusBody {
        online: is_online(policy.as_deref(), state.clock.now()),
        language: tr.lang.code(),
        direction: tr.lang.dir(),
        organization: org.name.clone(),
        texts,
        first_response: promise(policy.as_deref(), &tr),
        etiquette: crate::ui::portal::etiquette_rules(policy.as_deref(), tr.lang),
    };
    // Whether the team is online changes with the clock: never cache it.
    Ok((
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        axum::Json(body),
    )
        .into_response())
}

// ---- conversations ------------------------------------------------------------------------------

/// The organization named in the path, if it takes live chats: unknown organizations and those
/// whose administrator turned the channel off are both "not found", so the widget stays hidden.
async fn chat_organization(state: &AppState, slug: &str) -> Result<Organization, ApiError> {
    let org = state
        .store
        .organization_by_slug(slug)
        .await?
        .ok_or_else(|| ApiError::not_found("no organization has this address"))?;
    let turned_off = state
        .store
        .channel_settings(org.id)
        .await?
        .iter()
        .any(|setting| {
            setting.channel == Channel::LiveChat && setting.state == ChannelState::Disabled
        });
    if turned_off {
        return Err(ApiError::not_found(
            "this organization does not offer live chat",
        ));
    }
    Ok(org)
}

/// What the database knows a conversation by; each is a digest of the token, never the token.
struct Conversation {
    /// The digest the requester session is stored under.
    session_hash: String,
    /// The conversation id every inbound message of the conversation carries.
    conversation_id: String,
    /// The visitor's address on the live-chat channel (their requester identity).
    visitor: String,
    /// The ticket the conversation is on now, if the token is known.
    ticket_id: Option<i64>,
}

impl Conversation {
    fn of(token: &str) -> Conversation {
        // Distinct prefixes keep the three digests unrelated to each other.
        Conversation {
            session_hash: secrets::token_digest(token),
            conversation_id: secrets::sha256_hex(format!("live-chat:{token}").as_bytes()),
            visitor: format!(
                "visitor-{}",
                &secrets::sha256_hex(format!("live-chat-visitor:{token}").as_bytes())[..24]
            ),
            ticket_id: None,
        }
    }

    fn new_token() -> String {
        let secret = secrets::generate_token();
        let random = secret
            .strip_prefix(secrets::TOKEN_PREFIX)
            .unwrap_or(&secret);
        format!("{TOKEN_PREFIX}{random}")
    }

    /// The conversation of a token the visitor sent, or 404 when it is unknown or expired.
    async fn find(
        state: &AppState,
        org: &Organization,
        token: &str,
    ) -> Result<Conversation, ApiError> {
        let unknown = || ApiError::not_found("no conversation has this token; start a new one");
        if !token.starts_with(TOKEN_PREFIX) || token.len() > 100 {
            return Err(unknown());
        }
        let mut conversation = Conversation::of(token);
        let session = state
            .store
            .session_by_token_hash(&conversation.session_hash, state.clock.now())
            .await?
            .filter(|session| session.kind == SessionKind::Requester && session.org_id == org.id)
            .ok_or_else(unknown)?;
        conversation.ticket_id = Some(session.ticket_id.ok_or_else(unknown)?);
        Ok(conversation)
    }

    /// Stores a message of the visitor from `sender`: on the conversation's ticket while that
    /// takes messages, on a new live-chat ticket otherwise (the store decides), and makes the
    /// conversation follow the ticket it landed on. Answers the ticket and the message's id.
    async fn take_message(
        &mut self,
        state: &AppState,
        org: &Organization,
        sender: InboundSender,
        body: &MessageBody,
        now: Timestamp,
    ) -> Result<(sanad_store::TicketSummary, i64), ApiError> {
        let record = InboundRecord {
            channel: Channel::LiveChat,
            provider_message_id: new_message_id(),
            sender,
            subject: subject_of(body).ok_or_else(ApiError::internal)?,
            body: body.clone(),
            attachments: Vec::new(),
            mail: None,
            conversation_id: Some(self.conversation_id.clone()),
            kind_for_new_ticket: TicketKind::Inquiry,
        };
        let (ticket, message_id) =
            ingested_ticket(state.store.ingest_inbound(org, &record, now).await?)?;
        self.follow(state, org, ticket.id, now).await?;
        Ok((ticket, message_id))
    }

    /// Points the conversation at `ticket_id` (a new ticket, or the one a merge led to) and
    /// renews it. A session's ticket cannot be changed in place, so it is replaced.
    async fn follow(
        &mut self,
        state: &AppState,
        org: &Organization,
        ticket_id: i64,
        now: Timestamp,
    ) -> Result<(), ApiError> {
        if self.ticket_id == Some(ticket_id) {
            return Ok(());
        }
        if self.ticket_id.is_some() {
            state.store.delete_session(&self.session_hash).await?;
        }
        state
            .store
            .create_session(
                &NewSession {
                    org_id: org.id,
                    kind: SessionKind::Requester,
                    user_id: None,
                    ticket_id: Some(ticket_id),
                    token_hash: self.session_hash.clone(),
                    expires_at: now + SignedDuration::from_hours(24 * CONVERSATION_DAYS),
                },
                now,
            )
            .await?;
        self.ticket_id = Some(ticket_id);
        Ok(())
    }
}

#[derive(Deserialize)]
pub struct StartRequest {
    name: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
pub struct MessageRequest {
    message: Option<String>,
}

/// One line of the transcript, as the widget shows it.
#[derive(Serialize)]
struct Line {
    id: i64,
    /// `visitor` or `agent`.
    from: &'static str,
    author: String,
    text: String,
    /// RFC 3339, in UTC; the widget shows it in the visitor's own time.
    at: String,
}

impl Line {
    /// The transcript line of a message, or `None` for what the visitor must never see
    /// (internal notes).
    fn of(message: &Message, org: &Organization, tr: &Tr) -> Option<Line> {
        let (from, author) = match message.kind {
            MessageKind::RequesterMessage => ("visitor", tr.t("author-you")),
            MessageKind::PublicReply => ("agent", tr.t1("author-staff", "org", &org.name)),
            MessageKind::InternalNote => return None,
        };
        Some(Line {
            id: message.id,
            from,
            author,
            text: message.body.clone(),
            at: message.created_at.to_string(),
        })
    }

    fn visitor(id: i64, body: &MessageBody, at: Timestamp, tr: &Tr) -> Line {
        Line {
            id,
            from: "visitor",
            author: tr.t("author-you"),
            text: body.as_str().to_owned(),
            at: at.to_string(),
        }
    }
}

#[derive(Serialize)]
struct Started {
    conversation: String,
    ticket: String,
    message: Line,
}

#[derive(Serialize)]
struct Sent {
    ticket: String,
    message: Line,
}

fn parse_message(raw: Option<&str>, errors: &mut FieldErrors) -> Option<MessageBody> {
    let raw = raw.unwrap_or_default();
    if raw.trim().chars().count() > MAX_MESSAGE_CHARS {
        errors.push(
            "message",
            format!("at most {MAX_MESSAGE_CHARS} characters are allowed in one chat message"),
        );
        return None;
    }
    errors.check(
        "message",
        MessageBody::parse(raw).map_err(|error| error.to_string().replace("body", "message")),
    )
}

/// The subject of a new ticket: the start of the first line of the visitor's first message.
fn subject_of(body: &MessageBody) -> Option<Subject> {
    const SUBJECT_CHARS: usize = 80;
    let line: String = body
        .as_str()
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())?
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let subject = if line.chars().count() > SUBJECT_CHARS {
        let cut: String = line.chars().take(SUBJECT_CHARS).collect();
        format!("{}…", cut.trim_end())
    } else {
        line
    };
    Subject::parse(&subject).ok()
}

/// An id for one inbound message. The widget sends each message once, so a random id per
/// request is enough; the store still refuses a repeated one.
fn new_message_id() -> String {
    format!("chat-{:032x}", rand::random::<u128>())
}

fn ingested_ticket(outcome: IngestOutcome) -> Result<(sanad_store::TicketSummary, i64), ApiError> {
    match outcome {
        IngestOutcome::Created {
            ticket, message_id, ..
        }
        | IngestOutcome::Appended { ticket, message_id } => Ok((ticket, message_id)),
        IngestOutcome::Duplicate => {
            tracing::error!("a fresh live-chat message id was reported as a duplicate");
            Err(ApiError::internal())
        }
    }
}

/// Starts a conversation: a new live-chat ticket with the visitor's first message. Outside
/// working hours the same request is the offline form, and an address to answer to is needed.
pub async fn start_conversation(
    State(state): State<AppState>,
    ApiPath(slug): ApiPath<String>,
    ApiQuery(query): ApiQuery<LangQuery>,
    client: crate::ui::auth::ClientAddress,
    ApiJson(request): ApiJson<StartRequest>,
) -> Result<Response, ApiError> {
    let org = chat_organization(&state, &slug).await?;
    let now = state.clock.now();
    let policy = state.store.policy_in_force(&org).await?;
    let mut errors = FieldErrors::default();
    let name = errors.check(
        "name",
        PersonName::parse(request.name.as_deref().unwrap_or_default())
            .map_err(|_| "write a name of 1 to 200 characters"),
    );
    let email = match request.email.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => errors.check(
            "email",
            EmailAddress::parse(raw).map_err(|_| "not a valid e-mail address"),
        ),
    };
    let phone = match request.phone.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => errors.check(
            "phone",
            PhoneNumber::parse(raw).map_err(|_| "not a valid phone number"),
        ),
    };
    let body = parse_message(request.message.as_deref(), &mut errors);
    let has_contact = email.is_some() || phone.is_some();
    let contact_given = request
        .email
        .as_deref()
        .or(request.phone.as_deref())
        .is_some_and(|raw| !raw.trim().is_empty());
    if !is_online(policy.as_deref(), now) && !has_contact && !contact_given {
        errors.push(
            "email",
            "outside working hours the team answers later, so an e-mail address (or a phone number) is required",
        );
    }
    errors.into_result()?;
    let (Some(name), Some(body)) = (name, body) else {
        return Err(ApiError::internal());
    };
    // Counted only once the request is valid, as the portal's form is: a mistyped address must
    // not use up the visitor's hour.
    let limit = crate::limits::CHAT_CONVERSATIONS;
    if let Some(wait) = crate::limits::check(&state, limit, org.id, &client.0).await? {
        return Ok(crate::limits::too_many_requests(
            wait,
            format!(
                "at most {} conversations an hour may be started from one address; try again later",
                limit.limit
            ),
        ));
    }
    let token = Conversation::new_token();
    let mut conversation = Conversation::of(&token);
    let sender = InboundSender {
        address: conversation.visitor.clone(),
        name: Some(name.as_str().to_owned()),
        email,
        phone,
    };
    let (ticket, message_id) = conversation
        .take_message(&state, &org, sender, &body, now)
        .await?;
    let tr = query.tr();
    let started = Started {
        conversation: token,
        ticket: ticket.number,
        message: Line::visitor(message_id, &body, now, &tr),
    };
    Ok((StatusCode::CREATED, axum::Json(started)).into_response())
}

/// Another message of the visitor. It lands on the conversation's ticket; when that ticket can
/// no longer take messages (cancelled, or resolved longer ago than the reopen window) the store
/// starts a new ticket, and the conversation follows it.
pub async fn send_message(
    State(state): State<AppState>,
    ApiPath((slug, token)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<LangQuery>,
    ApiJson(request): ApiJson<MessageRequest>,
) -> Result<Response, ApiError> {
    let org = chat_organization(&state, &slug).await?;
    let mut conversation = Conversation::find(&state, &org, &token).await?;
    let now = state.clock.now();
    let mut errors = FieldErrors::default();
    let body = parse_message(request.message.as_deref(), &mut errors);
    errors.into_result()?;
    let Some(body) = body else {
        return Err(ApiError::internal());
    };
    let current = current_ticket(&state, &org, &conversation).await?;
    let requester_name = current
        .as_ref()
        .map(|detail| detail.ticket.requester.name.clone());
    if let Some(detail) = &current {
        let minute_ago = now - SignedDuration::from_mins(1);
        let recent = detail
            .messages
            .iter()
            .filter(|m| m.kind == MessageKind::RequesterMessage && m.created_at > minute_ago)
            .count();
        if recent >= MAX_MESSAGES_PER_MINUTE {
            return Ok(too_many_messages());
        }
    }
    let sender = InboundSender {
        address: conversation.visitor.clone(),
        name: requester_name,
        email: None,
        phone: None,
    };
    let (ticket, message_id) = conversation
        .take_message(&state, &org, sender, &body, now)
        .await?;
    let sent = Sent {
        ticket: ticket.number,
        message: Line::visitor(message_id, &body, now, &query.tr()),
    };
    Ok((StatusCode::CREATED, axum::Json(sent)).into_response())
}

async fn current_ticket(
    state: &AppState,
    org: &Organization,
    conversation: &Conversation,
) -> Result<Option<sanad_store::TicketDetail>, ApiError> {
    let Some(ticket_id) = conversation.ticket_id else {
        return Ok(None);
    };
    let Some(number) = state.store.ticket_number_by_id(org.id, ticket_id).await? else {
        return Ok(None);
    };
    Ok(state.store.ticket_detail(org.id, &number).await?)
}

/// 429 as a problem document (the shared error type has no such status: only chat limits
/// the pace of anonymous writes this way).
fn too_many_messages() -> Response {
    let problem = Problem {
        problem_type: "urn:sanad:problem:too-many-messages".to_owned(),
        title: "Too many messages".to_owned(),
        status: StatusCode::TOO_MANY_REQUESTS.as_u16(),
        detail: format!(
            "at most {MAX_MESSAGES_PER_MINUTE} messages a minute are accepted on one conversation; wait a moment"
        ),
        errors: Vec::new(),
    };
    (
        StatusCode::TOO_MANY_REQUESTS,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/problem+json"),
            ),
            (header::RETRY_AFTER, HeaderValue::from_static("60")),
        ],
        serde_json::to_vec(&problem).unwrap_or_default(),
    )
        .into_response()
}

// ---- the transcript as server-sent events -------------------------------------------------------

/// What an open stream remembers between polls.
struct Follow {
    state: AppState,
    org: Organization,
    tr: Tr,
    session_hash: String,
    ticket_id: i64,
    number: String,
    /// The ticket's activity marker at the last look; `None` forces a look.
    marker: Option<i64>,
    /// The id of the last message sent; message ids grow across tickets, so this also works
    /// when the conversation moves to a new ticket.
    last_id: i64,
    pending: VecDeque<SseEvent>,
    first: bool,
}

impl Follow {
    /// One look at the database: follows the conversation to another ticket if it moved (a new
    /// ticket, or a merge), and queues the public messages not sent yet. Returns `false` when
    /// the conversation no longer exists.
    async fn look(&mut self) -> bool {
        // A clone of the store handle (a pool reference), so that `self` stays free to change.
        let store = self.state.store.clone();
        let now = self.state.clock.now();
        match store.session_by_token_hash(&self.session_hash, now).await {
            Ok(Some(session)) => {
                if let Some(ticket_id) = session.ticket_id
                    && ticket_id != self.ticket_id
                    && let Ok(Some(number)) =
                        store.ticket_number_by_id(self.org.id, ticket_id).await
                {
                    self.switch(ticket_id, number);
                }
            }
            // Between the two steps of re-pointing a conversation its session is briefly
            // absent; a conversation that really ended stays absent on the next look too.
            Ok(None) => {
                tokio::time::sleep(Duration::from_millis(200)).await;
                if !matches!(
                    store.session_by_token_hash(&self.session_hash, now).await,
                    Ok(Some(_))
                ) {
                    return false;
                }
            }
            // A database hiccup: try again at the next poll.
            Err(_) => return true,
        }
        let marker = store
            .ticket_activity_marker(self.org.id, &self.number)
            .await
            .ok()
            .flatten();
        if marker.is_some() && marker == self.marker {
            return true;
        }
        let Ok(Some(detail)) = store.ticket_detail(self.org.id, &self.number).await else {
            return true;
        };
        self.marker = marker;
        for message in &detail.messages {
            if message.id <= self.last_id {
                continue;
            }
            if let Some(line) = Line::of(message, &self.org, &self.tr)
                && let Ok(data) = serde_json::to_string(&line)
            {
                self.pending
                    .push_back(SseEvent::default().id(message.id.to_string()).data(data));
            }
            self.last_id = self.last_id.max(message.id);
        }
        // A merged ticket's conversation continues on the ticket it was merged into.
        if detail.ticket.status == TicketStatus::Merged
            && let Some(target) = detail.ticket.merged_into.clone()
            && let Ok(Some(found)) = store.ticket_detail(self.org.id, &target).await
        {
            self.switch(found.ticket.id, found.ticket.number);
        }
        true
    }

    fn switch(&mut self, ticket_id: i64, number: String) {
        self.ticket_id = ticket_id;
        self.marker = None;
        self.pending.push_back(ticket_event(&number));
        self.number = number;
    }
}

fn ticket_event(number: &str) -> SseEvent {
    SseEvent::default()
        .event("ticket")
        .data(serde_json::json!({ "ticket": number }).to_string())
}

/// The transcript: first every public message so far (after `Last-Event-ID`, when a dropped
/// stream reconnects), then each new one as it is stored. Internal notes are never sent.
pub async fn events(
    State(state): State<AppState>,
    ApiPath((slug, token)): ApiPath<(String, String)>,
    ApiQuery(query): ApiQuery<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let org = chat_organization(&state, &slug).await?;
    let conversation = Conversation::find(&state, &org, &token).await?;
    let ticket_id = conversation.ticket_id.ok_or_else(ApiError::internal)?;
    let number = state
        .store
        .ticket_number_by_id(org.id, ticket_id)
        .await?
        .ok_or_else(|| ApiError::not_found("the conversation's ticket no longer exists"))?;
    let last_id = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<i64>().ok())
        .unwrap_or(0);
    let follow = Follow {
        state,
        org,
        tr: query.tr(),
        session_hash: conversation.session_hash,
        ticket_id,
        pending: VecDeque::from([ticket_event(&number)]),
        number,
        marker: None,
        last_id,
        first: true,
    };
    let stream = futures_util::stream::unfold(follow, |mut follow| async move {
        loop {
            if let Some(event) = follow.pending.pop_front() {
                return Some((Ok::<_, Infallible>(event), follow));
            }
            if !follow.first {
                tokio::time::sleep(POLL_EVERY).await;
            }
            follow.first = false;
            if !follow.look().await {
                return None;
            }
        }
    });
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response();
    // Proxies that buffer responses (nginx) would hold the stream back.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_subject_is_the_start_of_the_first_line() {
        let body = MessageBody::parse("\n  لا أستطيع الدخول إلى المنصة  \nجربت مرتين").unwrap();
        assert_eq!(
            subject_of(&body).unwrap().as_str(),
            "لا أستطيع الدخول إلى المنصة"
        );
        let long = MessageBody::parse(&"ب".repeat(200)).unwrap();
        let subject = subject_of(&long).unwrap();
        assert_eq!(subject.as_str().chars().count(), 81);
        assert!(subject.as_str().ends_with('…'));
        let tabbed = MessageBody::parse("a\tb").unwrap();
        assert_eq!(subject_of(&tabbed).unwrap().as_str(), "a b");
    }

    #[test]
    fn tokens_digest_into_unrelated_ids() {
        let token = Conversation::new_token();
        assert!(token.starts_with(TOKEN_PREFIX), "{token}");
        assert_ne!(token, Conversation::new_token());
        let conversation = Conversation::of(&token);
        assert!(!conversation.conversation_id.contains(&token));
        assert_ne!(conversation.conversation_id, conversation.session_hash);
        assert_eq!(conversation.visitor, Conversation::of(&token).visitor);
        assert_ne!(
            conversation.visitor,
            Conversation::of(&Conversation::new_token()).visitor
        );
    }

    #[test]
    fn language_follows_the_prefix_of_the_page_language() {
        let of = |lang: Option<&str>| {
            LangQuery {
                lang: lang.map(str::to_owned),
            }
            .tr()
            .lang
        };
        assert_eq!(of(Some("en")), Lang::En);
        assert_eq!(of(Some("en-GB")), Lang::En);
        assert_eq!(of(Some("ar")), Lang::Ar);
        assert_eq!(of(Some("fr")), Lang::Ar);
        assert_eq!(of(None), Lang::Ar);
    }
}
