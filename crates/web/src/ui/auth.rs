//! Staff sign-in: Argon2id passwords, an optional time-based one-time code (TOTP), throttling
//! of failed attempts (per address and per client, counted in the database so that every
//! instance sees them), sign-out, and the account page where a person changes their password
//! and turns the one-time code on or off.

use super::chrome::{self, Chrome};
use super::forms::parse_form;
use super::page_error::PageError;
use super::session::{
    PageContext, SESSION_COOKIE, StaffContext, append_cookie, check_csrf, cookie_value,
    organization_in_path,
};
use crate::AppState;
use askama::Template;
use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Redirect, Response};
use jiff::{SignedDuration, Timestamp};
use sanad_store::{LoginOutcome, NewSession, Organization, SessionKind, secrets};
use serde::Deserialize;
use std::net::SocketAddr;

/// Failed sign-ins allowed for one address within [`THROTTLE_WINDOW_MINUTES`].
const FAILURES_PER_ADDRESS: i64 = 5;
/// Failed sign-ins allowed from one client address (any account) in the same window.
const FAILURES_PER_CLIENT: i64 = 30;
const THROTTLE_WINDOW_MINUTES: i64 = 15;
const STAFF_SESSION_HOURS: i64 = 12;
const TOTP_PENDING_MINUTES: i64 = 5;
/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// The client's IP address as the server saw the connection.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|info| info.0.ip().to_string())
                .unwrap_or_else(|| "unknown".to_owned()),
        ))
    }
}

/// Hashes a password with Argon2id and a random salt, in the PHC string format.
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    use argon2::password_hash::PasswordHasher;
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    argon2::Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| PasswordError::Hashing(error.to_string()))
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the password must have at least {MIN_PASSWORD_CHARS} characters")]
    TooShort,
    #[error("cannot hash the password: {0}")]
    Hashing(String),
}

/// Whether `password` matches the stored hash. An unreadable hash never matches.
pub fn verify_password(password: &str, stored_hash: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    use argon2::password_hash::phc::PasswordHash;
    PasswordHash::new(stored_hash).is_ok_and(|parsed| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash of a password nobody knows, checked when the address is unknown so that a wrong
/// address takes as long as a wrong password and does not reveal who has an account.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| {
        hash_password(&secrets::generate_token()).unwrap_or_else(|_| String::from("$invalid"))
    })
}

/// Checks a password against a hash nobody knows, so that an unknown account costs as much time
/// as a wrong password (used by every sign-in form).
pub fn verify_decoy(password: &str) {
    verify_password(password, decoy_hash());
}

fn totp_for(secret_base32: &str, account: &str) -> Option<totp_rs::Totp> {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).ok()?;
    totp_rs::Builder::new()
        .with_algorithm(totp_rs::Algorithm::SHA1)
        .with_digits(6)
        .with_skew(1)
        .with_step_duration(30)
        .with_secret(secret)
        .with_issuer(Some("Sanad"))
        .with_account_name(account)
        .build()
        .ok()
}

/// A new random secret for enrolment, in base32 as authenticator apps take it.
pub fn new_totp_secret() -> String {
    let bytes: [u8; 20] = rand::random();
    totp_rs::Secret::new_stack(bytes).to_base32()
}

/// Whether `code` is the one-time code of `secret` at `now` (one 30-second step either side is
/// accepted for clock drift).
pub fn totp_code_is_valid(secret_base32: &str, code: &str, now: Timestamp) -> bool {
    let code: String = code.chars().filter(char::is_ascii_digit).collect();
    let Ok(seconds) = u64::try_from(now.as_second()) else {
        return false;
    };
    totp_for(secret_base32, "staff").is_some_and(|totp| totp.check(&code, seconds).is_some())
}

/// The code of `secret` at `now`, for tests and for showing on enrolment.
pub fn totp_code_at(secret_base32: &str, now: Timestamp) -> Option<String> {
    let seconds = u64::try_from(now.as_second()).ok()?;
    totp_for(secret_base32, "staff").map(|totp| totp.generate(seconds).to_string())
}

// ---- sign-in ------------------------------------------------------------------------------------

pub struct LoginOrg {
    page: PageContext,
    org: Organization,
}

impl FromRequestParts<AppState> for LoginOrg {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(LoginOrg {
            page: PageContext::from_request_parts(parts, state).await?,
            org: organization_in_path(parts, state).await?,
        })
    }
}

#[derive(Template)]
#[template(path = "ui/login.html")]
struct LoginPage {
    chrome: Chrome,
    action: String,
    next: String,
    email: String,
    error: String,
    step: LoginStep,
}

#[derive(PartialEq, Eq)]
enum LoginStep {
    Password,
    OneTimeCode,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// Only a path inside this organization's desk is followed after signing in, never an
/// address elsewhere.
fn safe_next(org: &Organization, next: Option<&str>) -> String {
    let desk = format!("/o/{}/desk", org.slug);
    match next {
        Some(next)
            if next == desk
                || next.starts_with(&format!("{desk}/"))
                || next.starts_with(&format!("{desk}?")) =>
        {
            next.to_owned()
        }
        _ => desk,
    }
}

fn login_chrome(login: &LoginOrg) -> Chrome {
    let mut chrome = chrome::portal(&login.page, &login.org, login.page.tr.t("login-title"), "");
    chrome.nav.clear();
    chrome
}

pub async fn login_form(
    login: LoginOrg,
    axum::extract::Query(query): axum::extract::Query<NextQuery>,
) -> Result<Html<String>, PageError> {
    let page = LoginPage {
        chrome: login_chrome(&login),
        action: format!("/o/{}/login", login.org.slug),
        next: safe_next(&login.org, query.next.as_deref()),
        email: String::new(),
        error: String::new(),
        step: LoginStep::Password,
    };
    Ok(Html(page.render()?))
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

async fn start_session(
    state: &AppState,
    org: &Organization,
    user_id: i64,
    kind: SessionKind,
    lifetime: SignedDuration,
    now: Timestamp,
) -> Result<String, PageError> {
    let secret = secrets::generate_token();
    state
        .store
        .create_session(
            &NewSession {
                org_id: org.id,
                kind,
                user_id: Some(user_id),
                ticket_id: None,
                token_hash: secrets::token_digest(&secret),
                expires_at: now + lifetime,
            },
            now,
        )
        .await?;
    Ok(secret)
}

pub async fn login_submit(
    State(state): State<AppState>,
    login: LoginOrg,
    client: ClientAddress,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: LoginForm = parse_form(&body)?;
    check_csrf(&login.page.csrf, form.csrf.as_deref())?;
    let tr = login.page.tr;
    let now = state.clock.now();
    let email = sanad_domain::EmailAddress::parse(&form.email)
        .map(|email| email.as_str().to_owned())
        .unwrap_or_else(|_| form.email.trim().to_lowercase());
    let failures = state
        .store
        .login_failures_since(
            login.org.id,
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
    let credentials = state.store.staff_credentials(login.org.id, &email).await?;
    let matched = match &credentials {
        Some(found) if found.state == sanad_store::UserState::Active => found
            .password_hash
            .as_deref()
            .is_some_and(|hash| verify_password(&form.password, hash)),
        _ => {
            verify_password(&form.password, decoy_hash());
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
        .record_login_attempt(login.org.id, &email, &client.0, outcome, now)
        .await?;
    let Some(credentials) = credentials.filter(|_| matched) else {
        let page = LoginPage {
            chrome: login_chrome(&login),
            action: format!("/o/{}/login", login.org.slug),
            next: safe_next(&login.org, Some(&form.next)),
            email: form.email,
            error: tr.t("login-failed"),
            step: LoginStep::Password,
        };
        return Ok((StatusCode::UNAUTHORIZED, Html(page.render()?)).into_response());
    };
    let next = safe_next(&login.org, Some(&form.next));
    let (kind, lifetime, target) = if credentials.totp_secret.is_some() {
        (
            SessionKind::StaffTotpPending,
            SignedDuration::from_mins(TOTP_PENDING_MINUTES),
            format!(
                "/o/{}/login/code?next={}",
                login.org.slug,
                super::page_error::form_urlencoded_component(&next)
            ),
        )
    } else {
        (
            SessionKind::Staff,
            SignedDuration::from_hours(STAFF_SESSION_HOURS),
            next,
        )
    };
    let secret =
        start_session(&state, &login.org, credentials.user.id, kind, lifetime, now).await?;
    let mut response = Redirect::to(&target).into_response();
    let max_age = lifetime.as_secs();
    append_cookie(
        response.headers_mut(),
        &login.page.cookies.build(SESSION_COOKIE, secret, max_age),
    );
    Ok(response)
}

pub async fn code_form(
    login: LoginOrg,
    axum::extract::Query(query): axum::extract::Query<NextQuery>,
) -> Result<Html<String>, PageError> {
    let page = LoginPage {
        chrome: login_chrome(&login),
        action: format!("/o/{}/login/code", login.org.slug),
        next: safe_next(&login.org, query.next.as_deref()),
        email: String::new(),
        error: String::new(),
        step: LoginStep::OneTimeCode,
    };
    Ok(Html(page.render()?))
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    code: String,
    #[serde(default)]
    next: String,
}

pub async fn code_submit(
    State(state): State<AppState>,
    login: LoginOrg,
    client: ClientAddress,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: CodeForm = parse_form(&body)?;
    check_csrf(&login.page.csrf, form.csrf.as_deref())?;
    let now = state.clock.now();
    let back_to_password = || Redirect::to(&format!("/o/{}/login", login.org.slug)).into_response();
    let Some(secret) = cookie_value(&headers, SESSION_COOKIE) else {
        return Ok(back_to_password());
    };
    let digest = secrets::token_digest(&secret);
    let Some(pending) = state
        .store
        .session_by_token_hash(&digest, now)
        .await?
        .filter(|session| {
            session.kind == SessionKind::StaffTotpPending && session.org_id == login.org.id
        })
    else {
        return Ok(back_to_password());
    };
    let user_id = pending.user_id.ok_or(PageError::Internal)?;
    let credentials = state
        .store
        .staff_credentials_by_id(login.org.id, user_id)
        .await?
        .ok_or(PageError::Forbidden)?;
    let throttle_key = format!("totp:{user_id}");
    let failures = state
        .store
        .login_failures_since(
            login.org.id,
            &throttle_key,
            &client.0,
            now - SignedDuration::from_mins(THROTTLE_WINDOW_MINUTES),
        )
        .await?;
    if failures.for_email >= FAILURES_PER_ADDRESS {
        return Err(PageError::TooManyAttempts {
            retry_after_minutes: THROTTLE_WINDOW_MINUTES,
        });
    }
    let valid = credentials
        .totp_secret
        .as_deref()
        .is_some_and(|totp| totp_code_is_valid(totp, &form.code, now));
    let outcome = if valid {
        LoginOutcome::Succeeded
    } else {
        LoginOutcome::Failed
    };
    state
        .store
        .record_login_attempt(login.org.id, &throttle_key, &client.0, outcome, now)
        .await?;
    if !valid {
        let page = LoginPage {
            chrome: login_chrome(&login),
            action: format!("/o/{}/login/code", login.org.slug),
            next: safe_next(&login.org, Some(&form.next)),
            email: String::new(),
            error: login.page.tr.t("login-code-failed"),
            step: LoginStep::OneTimeCode,
        };
        return Ok((StatusCode::UNAUTHORIZED, Html(page.render()?)).into_response());
    }
    state.store.delete_session(&digest).await?;
    let lifetime = SignedDuration::from_hours(STAFF_SESSION_HOURS);
    let secret = start_session(
        &state,
        &login.org,
        user_id,
        SessionKind::Staff,
        lifetime,
        now,
    )
    .await?;
    let mut response = Redirect::to(&safe_next(&login.org, Some(&form.next))).into_response();
    append_cookie(
        response.headers_mut(),
        &login
            .page
            .cookies
            .build(SESSION_COOKIE, secret, lifetime.as_secs()),
    );
    Ok(response)
}

#[derive(Deserialize)]
pub struct CsrfOnlyForm {
    #[serde(rename = "_csrf")]
    pub csrf: Option<String>,
}

pub async fn logout(
    State(state): State<AppState>,
    login: LoginOrg,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: CsrfOnlyForm = parse_form(&body)?;
    check_csrf(&login.page.csrf, form.csrf.as_deref())?;
    if let Some(secret) = cookie_value(&headers, SESSION_COOKIE) {
        state
            .store
            .delete_session(&secrets::token_digest(&secret))
            .await?;
    }
    let mut response = Redirect::to(&format!("/o/{}/login", login.org.slug)).into_response();
    append_cookie(
        response.headers_mut(),
        &login.page.cookies.removal(SESSION_COOKIE),
    );
    Ok(response)
}

// ---- the account page ---------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "ui/account.html")]
struct AccountPage {
    chrome: Chrome,
    base: String,
    email: String,
    role: String,
    has_totp: bool,
    /// A new secret offered for enrolment, with its `otpauth://` address.
    new_secret: String,
    new_secret_url: String,
    message: String,
    error: String,
}

async fn account_page(
    staff: &StaffContext,
    message: String,
    error: String,
) -> Result<AccountPage, PageError> {
    let (new_secret, new_secret_url) = if staff.has_totp {
        (String::new(), String::new())
    } else {
        let secret = new_totp_secret();
        let url = totp_for(&secret, &staff.user.email)
            .and_then(|totp| totp.to_url().ok())
            .unwrap_or_default();
        (secret, url)
    };
    Ok(AccountPage {
        chrome: chrome::desk(staff, staff.tr().t("account-title"), "account"),
        base: format!("/o/{}/desk/account", staff.org.slug),
        email: staff.user.email.clone(),
        role: staff.tr().value("role", staff.user.role.as_str()),
        has_totp: staff.has_totp,
        new_secret,
        new_secret_url,
        message,
        error,
    })
}

pub async fn account(staff: StaffContext) -> Result<Html<String>, PageError> {
    Ok(Html(
        account_page(&staff, String::new(), String::new())
            .await?
            .render()?,
    ))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    current: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    staff: StaffContext,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: PasswordForm = parse_form(&body)?;
    check_csrf(&staff.page.csrf, form.csrf.as_deref())?;
    let tr = *staff.tr();
    let credentials = state
        .store
        .staff_credentials_by_id(staff.org.id, staff.user.id)
        .await?
        .ok_or(PageError::Forbidden)?;
    let current_ok = credentials
        .password_hash
        .as_deref()
        .is_some_and(|hash| verify_password(&form.current, hash));
    let error = if !current_ok {
        Some(tr.t("account-wrong-password"))
    } else if form.new_password != form.confirm {
        Some(tr.t("account-passwords-differ"))
    } else {
        None
    };
    let hash = match error {
        Some(error) => Err(error),
        None => hash_password(&form.new_password)
            .map_err(|_| tr.n("account-password-too-short", MIN_PASSWORD_CHARS as i64)),
    };
    match hash {
        Ok(hash) => {
            state
                .store
                .set_user_password(staff.org.id, staff.user.id, &hash)
                .await?;
            let page =
                account_page(&staff, tr.t("account-password-changed"), String::new()).await?;
            Ok(Html(page.render()?).into_response())
        }
        Err(error) => {
            let page = account_page(&staff, String::new(), error).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page.render()?)).into_response())
        }
    }
}

#[derive(Deserialize)]
pub struct TotpForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    code: String,
}

/// Turns the one-time code on (with the offered secret and a code proving the person's app
/// has it) or off (with a current code).
pub async fn change_totp(
    State(state): State<AppState>,
    staff: StaffContext,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: TotpForm = parse_form(&body)?;
    check_csrf(&staff.page.csrf, form.csrf.as_deref())?;
    let tr = *staff.tr();
    let now = state.clock.now();
    let credentials = state
        .store
        .staff_credentials_by_id(staff.org.id, staff.user.id)
        .await?
        .ok_or(PageError::Forbidden)?;
    let (result, message) = match credentials.totp_secret.as_deref() {
        Some(current) if totp_code_is_valid(current, &form.code, now) => {
            state
                .store
                .set_user_totp(staff.org.id, staff.user.id, None)
                .await?;
            (Ok(()), tr.t("account-totp-off"))
        }
        None if totp_code_is_valid(&form.secret, &form.code, now) => {
            state
                .store
                .set_user_totp(staff.org.id, staff.user.id, Some(&form.secret))
                .await?;
            (Ok(()), tr.t("account-totp-on"))
        }
        _ => (Err(()), tr.t("login-code-failed")),
    };
    let mut refreshed = staff.clone();
    refreshed.has_totp = match result {
        Ok(()) => credentials.totp_secret.is_none(),
        Err(()) => credentials.totp_secret.is_some(),
    };
    let page = match result {
        Ok(()) => account_page(&refreshed, message, String::new()).await?,
        Err(()) => account_page(&refreshed, String::new(), message).await?,
    };
    let status = if result.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((status, Html(page.render()?)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_with_the_right_text() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("correct horse battery!", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert!(matches!(
            hash_password("short"),
            Err(PasswordError::TooShort)
        ));
    }

    #[test]
    fn one_time_codes_follow_the_clock_given() {
        let secret = totp_rs::Secret::new_stack([7; 20]).to_base32();
        let now: Timestamp = "2026-11-22T07:00:00Z".parse().unwrap();
        let code = totp_code_at(&secret, now).unwrap();
        assert!(totp_code_is_valid(&secret, &code, now));
        assert!(totp_code_is_valid(
            &secret,
            &code,
            now + SignedDuration::from_secs(30)
        ));
        assert!(!totp_code_is_valid(
            &secret,
            &code,
            now + SignedDuration::from_mins(5)
        ));
        assert!(!totp_code_is_valid(&secret, "000000x", now));
    }

    #[test]
    fn only_desk_paths_are_followed_after_sign_in() {
        let org = Organization {
            id: 1,
            slug: "acme".into(),
            name: "Acme".into(),
            ticket_prefix: "AC".into(),
            time_zone: "Asia/Riyadh".into(),
            reopen_window_hours: 72,
            created_at: Timestamp::UNIX_EPOCH,
            policy_version: None,
        };
        let cases = [
            (
                Some("/o/acme/desk/tickets/AC-1"),
                "/o/acme/desk/tickets/AC-1",
            ),
            (Some("https://evil.example/o/acme/desk"), "/o/acme/desk"),
            (Some("//evil.example"), "/o/acme/desk"),
            (Some("/o/acme/desk-evil"), "/o/acme/desk"),
            (Some("/o/other/desk"), "/o/acme/desk"),
            (None, "/o/acme/desk"),
        ];
        for (next, expected) in cases {
            assert_eq!(safe_next(&org, next), expected, "{next:?}");
        }
    }
}
