//! Browser sessions, the CSRF token, the page language and the security headers.
//!
//! Every page request passes through [`guard`]: it settles the language, makes sure the
//! browser holds a CSRF cookie, refuses cross-site writes, and adds the Content-Security-Policy.
//! Handlers then take a [`PageContext`] (anyone), a [`StaffContext`] (a signed-in staff member
//! of the organization in the URL) or check a requester's session themselves.

use super::i18n::{Lang, Tr};
use super::page_error::PageError;
use crate::{AppState, CookieSecurity};
use axum::extract::{FromRequestParts, RawPathParams, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::Cookie;
use sanad_domain::permissions::Principal;
use sanad_store::{Organization, SessionKind, User, secrets};

pub const SESSION_COOKIE: &str = "sanad_session";
pub const TRACKING_COOKIE: &str = "sanad_track";
const CSRF_COOKIE: &str = "sanad_csrf";
const LANG_COOKIE: &str = "sanad_lang";

/// The token every form carries in its `_csrf` field; it must equal the browser's CSRF cookie
/// (a double-submit token: a forged cross-site form cannot read the cookie to copy it).
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// The cookie-writing settings of this deployment.
#[derive(Debug, Clone, Copy)]
pub struct CookieSettings {
    pub security: CookieSecurity,
}

impl CookieSettings {
    /// A cookie only the server reads (`HttpOnly`), sent on same-site navigation (`Lax`).
    /// Values are tokens and language codes, which need no quoting.
    pub fn build(&self, name: &'static str, value: String, max_age_seconds: i64) -> String {
        let secure = match self.security {
            CookieSecurity::SecureOnly => "; Secure",
            CookieSecurity::AllowPlainHttp => "",
        };
        format!("{name}={value}; Path=/; Max-Age={max_age_seconds}; HttpOnly; SameSite=Lax{secure}")
    }

    pub fn removal(&self, name: &'static str) -> String {
        self.build(name, String::new(), 0)
    }
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| Cookie::parse(pair.trim().to_owned()).ok())
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

/// The language of this request: `?lang=` (remembered in a cookie), else the cookie, else
/// Arabic.
fn requested_language(parts: &Parts) -> (Lang, bool) {
    let from_query = parts.uri.query().and_then(|query| {
        query
            .split('&')
            .filter_map(|pair| pair.split_once('='))
            .find(|(key, _)| *key == "lang")
            .and_then(|(_, value)| Lang::parse(value))
    });
    match from_query {
        Some(lang) => (lang, true),
        None => (
            cookie_value(&parts.headers, LANG_COOKIE)
                .and_then(|code| Lang::parse(&code))
                .unwrap_or_default(),
            false,
        ),
    }
}

/// Only scripts, styles, fonts and images of our own origin; no inline script, no framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

pub async fn guard(
    axum::extract::State(cookies): axum::extract::State<CookieSettings>,
    request: Request,
    next: Next,
) -> Result<Response, PageError> {
    let (mut parts, body) = request.into_parts();
    let (lang, remember_lang) = requested_language(&parts);
    let existing_csrf = cookie_value(&parts.headers, CSRF_COOKIE).filter(|token| token.len() >= 32);
    let csrf = existing_csrf
        .clone()
        .unwrap_or_else(secrets::generate_token);
    if parts.method != Method::GET && parts.method != Method::HEAD {
        refuse_cross_site(&parts.headers)?;
    }
    parts.extensions.insert(lang);
    parts.extensions.insert(CsrfToken(csrf.clone()));
    parts.extensions.insert(cookies);
    let mut response = next.run(Request::from_parts(parts, body)).await;
    let headers = response.headers_mut();
    if existing_csrf.is_none() {
        append_cookie(
            headers,
            &cookies.build(CSRF_COOKIE, csrf, 60 * 60 * 24 * 30),
        );
    }
    if remember_lang {
        append_cookie(
            headers,
            &cookies.build(LANG_COOKIE, lang.code().to_owned(), 60 * 60 * 24 * 365),
        );
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if cookies.security == CookieSecurity::SecureOnly {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    Ok(response)
}

pub fn append_cookie(headers: &mut HeaderMap, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        headers.append(header::SET_COOKIE, value);
    }
}

/// Browsers name the page a form was sent from in `Origin` (and `Sec-Fetch-Site`); a write
/// from another site is refused before any handler runs. The CSRF token is checked as well,
/// for clients that send neither header.
fn refuse_cross_site(headers: &HeaderMap) -> Result<(), PageError> {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && site == "cross-site"
    {
        return Err(PageError::Forbidden);
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .unwrap_or("");
    if origin == "null" || origin_host != host {
        return Err(PageError::Forbidden);
    }
    Ok(())
}

/// Checks a submitted CSRF token against the browser's cookie, in constant time.
pub fn check_csrf(expected: &CsrfToken, submitted: Option<&str>) -> Result<(), PageError> {
    let submitted = submitted.unwrap_or_default().as_bytes();
    let expected = expected.0.as_bytes();
    let same = submitted.len() == expected.len()
        && submitted
            .iter()
            .zip(expected)
            .fold(0u8, |difference, (a, b)| difference | (a ^ b))
            == 0;
    if same {
        Ok(())
    } else {
        Err(PageError::CsrfMismatch)
    }
}

/// What every page knows: its language and the CSRF token for its forms.
#[derive(Debug, Clone)]
pub struct PageContext {
    pub tr: Tr,
    pub csrf: CsrfToken,
    pub cookies: CookieSettings,
    /// The request path and query, to return to after switching language or signing in.
    pub path: String,
}

impl<S: Send + Sync> FromRequestParts<S> for PageContext {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let lang = parts.extensions.get::<Lang>().copied().unwrap_or_default();
        let csrf = parts
            .extensions
            .get::<CsrfToken>()
            .cloned()
            .ok_or(PageError::Internal)?;
        let cookies = *parts
            .extensions
            .get::<CookieSettings>()
            .ok_or(PageError::Internal)?;
        Ok(PageContext {
            tr: Tr::new(lang),
            csrf,
            cookies,
            path: parts
                .uri
                .path_and_query()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "/".to_owned()),
        })
    }
}

/// The organization named by `{slug}` in the URL.
pub async fn organization_in_path(
    parts: &mut Parts,
    state: &AppState,
) -> Result<Organization, PageError> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| PageError::NotFound)?;
    let slug = params
        .iter()
        .find(|(name, _)| *name == "slug")
        .map(|(_, value)| value.to_owned())
        .ok_or(PageError::NotFound)?;
    state
        .store
        .organization_by_slug(&slug)
        .await?
        .ok_or(PageError::NotFound)
}

/// A signed-in staff member of the organization in the URL.
#[derive(Debug, Clone)]
pub struct StaffContext {
    pub page: PageContext,
    pub org: Organization,
    pub user: User,
    pub principal: Principal,
    pub zone: jiff::tz::TimeZone,
    pub has_totp: bool,
}

impl StaffContext {
    pub fn tr(&self) -> &Tr {
        &self.page.tr
    }

    /// Managers see the dashboard and the confidentiality audit.
    pub fn is_manager(&self) -> bool {
        use sanad_domain::StaffRole::*;
        matches!(
            self.user.role,
            TeamLead | Director | Executive | Admin | Supervisor
        )
    }

    pub fn is_admin(&self) -> bool {
        self.user.role == sanad_domain::StaffRole::Admin
    }

    pub fn may_change(&self) -> bool {
        sanad_domain::permissions::may_change_tickets(&self.principal)
    }
}

impl FromRequestParts<AppState> for StaffContext {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let page = PageContext::from_request_parts(parts, state).await?;
        let org = organization_in_path(parts, state).await?;
        let sign_in = || PageError::SignIn {
            org_slug: org.slug.clone(),
            next: page.path.clone(),
        };
        let secret = cookie_value(&parts.headers, SESSION_COOKIE).ok_or_else(sign_in)?;
        let now = state.clock.now();
        let session = state
            .store
            .session_by_token_hash(&secrets::token_digest(&secret), now)
            .await?
            .filter(|session| session.kind == SessionKind::Staff && session.org_id == org.id)
            .ok_or_else(sign_in)?;
        let user_id = session.user_id.ok_or_else(sign_in)?;
        let credentials = state
            .store
            .staff_credentials_by_id(org.id, user_id)
            .await?
            .filter(|credentials| credentials.state == sanad_store::UserState::Active)
            .ok_or_else(sign_in)?;
        let zone = jiff::tz::TimeZone::get(&org.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        let user = credentials.user;
        Ok(StaffContext {
            principal: Principal::Staff {
                user_id: user.id,
                role: user.role,
                departments: user.departments.clone(),
            },
            has_totp: credentials.totp_secret.is_some(),
            page,
            org,
            user,
            zone,
        })
    }
}
