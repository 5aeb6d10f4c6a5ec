//! The web pages: the requester portal, the staff desk, the managers' dashboard and the
//! administration, all server-rendered (askama) and enhanced by htmx where it helps.
//!
//! Architecture invariant: every page works without JavaScript; scripts only enhance. Every
//! string a person reads comes from the Fluent files in `locales/`, and every template escapes
//! what it prints (the only `|safe` values are HTML rendered by another template or by the
//! policy renderer, which escapes raw HTML).

pub mod assets;
pub mod auth;
pub mod chrome;
pub mod desk;
pub mod format;
pub mod forms;
pub mod i18n;
pub mod page_error;
pub mod portal;
pub mod session;

use crate::{AppState, WebSettings};
use axum::Router;
use axum::middleware;
use axum::routing::{get, post};
use session::CookieSettings;

pub fn router(state: AppState, settings: &WebSettings) -> Router {
    let cookies = CookieSettings {
        security: settings.cookie_security,
    };
    let pages = Router::new()
        .route("/o/{slug}", get(portal::home))
        .route(
            "/o/{slug}/new",
            get(portal::new_request_form).post(portal::submit_request),
        )
        .route(
            "/o/{slug}/track",
            get(portal::track_form).post(portal::track_submit),
        )
        .route("/o/{slug}/track/{number}", get(portal::ticket))
        .route(
            "/o/{slug}/track/{number}/reply",
            post(portal::requester_reply),
        )
        .route(
            "/o/{slug}/track/{number}/reopen",
            post(portal::requester_reopen),
        )
        .route(
            "/o/{slug}/track/{number}/escalate",
            post(portal::requester_escalate),
        )
        .route("/o/{slug}/track/{number}/rate", post(portal::requester_rate))
        .route("/o/{slug}/policy", get(portal::policy))
        .route(
            "/o/{slug}/login",
            get(auth::login_form).post(auth::login_submit),
        )
        .route(
            "/o/{slug}/login/code",
            get(auth::code_form).post(auth::code_submit),
        )
        .route("/o/{slug}/logout", post(auth::logout))
        .route("/o/{slug}/desk", get(desk::queue))
        .route("/o/{slug}/desk/account", get(auth::account))
        .route(
            "/o/{slug}/desk/account/password",
            post(auth::change_password),
        )
        .route("/o/{slug}/desk/account/totp", post(auth::change_totp))
        .route(
            "/o/{slug}/desk/log-contact",
            get(desk::log_contact_form).post(desk::log_contact_submit),
        )
        .route("/o/{slug}/desk/tickets/{number}", get(desk::ticket))
        .route(
            "/o/{slug}/desk/tickets/{number}/timeline",
            get(desk::timeline),
        )
        .route("/o/{slug}/desk/tickets/{number}/live", get(desk::live))
        .route(
            "/o/{slug}/desk/tickets/{number}/replying",
            post(desk::replying),
        )
        .route(
            "/o/{slug}/desk/tickets/{number}/attachments/{id}",
            get(desk::attachment),
        )
        .route("/o/{slug}/desk/tickets/{number}/reply", post(desk::reply))
        .route(
            "/o/{slug}/desk/tickets/{number}/classify",
            post(desk::classify),
        )
        .route("/o/{slug}/desk/tickets/{number}/assign", post(desk::assign))
        .route("/o/{slug}/desk/tickets/{number}/status", post(desk::status))
        .route(
            "/o/{slug}/desk/tickets/{number}/escalate",
            post(desk::escalate),
        )
        .route(
            "/o/{slug}/desk/tickets/{number}/root-cause",
            post(desk::root_cause),
        )
        .layer(middleware::from_fn_with_state(cookies, session::guard))
        .with_state(state);
    Router::new()
        .route("/assets/{version}/{name}", get(assets::serve_asset))
        .merge(pages)
}
