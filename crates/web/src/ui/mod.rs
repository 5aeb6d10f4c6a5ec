//! The web pages: the requester portal, the staff desk, the managers' dashboard and the
//! administration, all server-rendered (askama) and enhanced by htmx where it helps.
//!
//! Architecture invariant: every page works without JavaScript; scripts only enhance. Every
//! string a person reads comes from the Fluent files in `locales/`, and every template escapes
//! what it prints (the only `|safe` values are HTML rendered by another template or by the
//! policy and knowledge-base renderers, which escape raw HTML).

pub mod admin;
pub mod assets;
pub mod auth;
pub mod chrome;
pub mod conduct;
pub mod dashboard;
pub mod desk;
pub mod format;
pub mod forms;
pub mod i18n;
pub mod knowledge;
pub mod page_error;
pub mod portal;
pub mod privacy;
pub mod reports;
pub mod search;
pub mod session;
pub mod supervision;

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
        .route(
            "/o/{slug}/track/{number}/rate",
            post(portal::requester_rate),
        )
        .route("/o/{slug}/rate/{token}", get(portal::rating_invitation))
        // Privacy (PDPL): the requester's own data on the portal, and the administration's
        // erasure requests, exports and settings.
        .route(
            "/o/{slug}/track/{number}/privacy",
            get(privacy::portal_page),
        )
        .route(
            "/o/{slug}/track/{number}/privacy/export",
            post(privacy::portal_export),
        )
        .route(
            "/o/{slug}/track/{number}/privacy/erasure",
            post(privacy::portal_erasure),
        )
        .route("/o/{slug}/desk/admin/privacy", get(privacy::admin))
        .route(
            "/o/{slug}/desk/admin/privacy/settings",
            post(privacy::admin_settings),
        )
        .route(
            "/o/{slug}/desk/admin/privacy/export",
            post(privacy::admin_export_by_contact),
        )
        .route(
            "/o/{slug}/desk/admin/privacy/erasures/{id}",
            post(privacy::admin_carry_out),
        )
        .route(
            "/o/{slug}/desk/admin/privacy/requesters/{id}/export",
            post(privacy::admin_export_requester),
        )
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
        .route("/o/{slug}/desk/search", get(search::desk_search))
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
        .route("/o/{slug}/desk/known-requester", get(desk::known_requester))
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
        .route("/o/{slug}/desk/dashboard", get(dashboard::dashboard))
        .route("/o/{slug}/desk/reports", get(reports::page))
        .route("/o/{slug}/desk/reports.csv", get(reports::csv))
        .route("/o/{slug}/desk/reports.xlsx", get(reports::xlsx))
        .route(
            "/o/{slug}/desk/admin",
            get(admin::organization).post(admin::organization_save),
        )
        .route(
            "/o/{slug}/desk/admin/policy",
            get(admin::policy).post(admin::policy_apply),
        )
        .route(
            "/o/{slug}/desk/admin/departments",
            get(admin::departments).post(admin::department_create),
        )
        .route(
            "/o/{slug}/desk/admin/departments/{code}",
            post(admin::department_update),
        )
        .route(
            "/o/{slug}/desk/admin/departments/{code}/archive",
            post(admin::department_archive),
        )
        .route(
            "/o/{slug}/desk/admin/categories",
            get(admin::categories).post(admin::category_create),
        )
        .route(
            "/o/{slug}/desk/admin/categories/{code}",
            post(admin::category_update),
        )
        .route(
            "/o/{slug}/desk/admin/categories/{code}/archive",
            post(admin::category_archive),
        )
        .route(
            "/o/{slug}/desk/admin/staff",
            get(admin::staff_list).post(admin::staff_create),
        )
        .route("/o/{slug}/desk/admin/staff/{id}", post(admin::staff_update))
        .route(
            "/o/{slug}/desk/admin/staff/{id}/password",
            post(admin::staff_password),
        )
        .route(
            "/o/{slug}/desk/admin/canned",
            get(admin::canned).post(admin::canned_create),
        )
        .route(
            "/o/{slug}/desk/admin/canned/{id}",
            post(admin::canned_update),
        )
        .route(
            "/o/{slug}/desk/admin/canned/{id}/archive",
            post(admin::canned_archive),
        )
        .route(
            "/o/{slug}/desk/admin/channels",
            get(admin::channels).post(admin::channels_save),
        )
        .route(
            "/o/{slug}/desk/admin/channels/{channel}",
            post(admin::channel_credentials_save),
        )
        .route("/o/{slug}/desk/admin/audit", get(admin::audit))
        .route(
            "/o/{slug}/desk/admin/supervision",
            get(supervision::admin).post(supervision::admin_grant),
        )
        .route(
            "/o/{slug}/desk/admin/supervision/{supervisor_id}/revoke",
            post(supervision::admin_revoke),
        )
        .route(
            "/supervision/login",
            get(supervision::login_form).post(supervision::login_submit),
        )
        .route("/supervision/logout", post(supervision::logout))
        .route("/supervision", get(supervision::overview))
        .route("/supervision/o/{slug}", get(supervision::organization))
        .route(
            "/supervision/tokens",
            get(supervision::tokens).post(supervision::create_token),
        )
        .route(
            "/supervision/tokens/{id}/revoke",
            post(supervision::revoke_token),
        )
        // The conduct policy: flags and their review, violations, the lexicon.
        .route(
            "/o/{slug}/desk/tickets/{number}/conduct/review",
            post(conduct::review),
        )
        .route("/o/{slug}/desk/conduct/flagged", get(conduct::flagged))
        .route(
            "/o/{slug}/desk/conduct/violations",
            get(conduct::violations),
        )
        .route(
            "/o/{slug}/desk/admin/conduct",
            get(conduct::lexicon).post(conduct::lexicon_save),
        )
        // The knowledge base: the public help centre with its suggestions and feedback, and
        // the editors' pages under the desk.
        .route("/o/{slug}/kb", get(knowledge::help_centre))
        .route("/o/{slug}/kb/suggest", get(knowledge::suggest))
        .route("/o/{slug}/kb/files/{id}/{filename}", get(knowledge::file))
        .route("/o/{slug}/kb/{article}", get(knowledge::article))
        .route("/o/{slug}/kb/{article}/feedback", post(knowledge::feedback))
        .route("/o/{slug}/kb/{article}/solved", post(knowledge::solved))
        .route("/o/{slug}/desk/kb", get(knowledge::desk_list))
        .route(
            "/o/{slug}/desk/kb/new",
            get(knowledge::new_article_form).post(knowledge::create_article),
        )
        .route(
            "/o/{slug}/desk/kb/articles/{id}",
            get(knowledge::edit_article_form).post(knowledge::save_article),
        )
        .route(
            "/o/{slug}/desk/kb/articles/{id}/status",
            post(knowledge::change_status),
        )
        .route(
            "/o/{slug}/desk/kb/articles/{id}/translation",
            post(knowledge::change_translation),
        )
        .route(
            "/o/{slug}/desk/kb/articles/{id}/attachments",
            post(knowledge::upload_attachments),
        )
        .route(
            "/o/{slug}/desk/kb/articles/{id}/attachments/{attachment}/remove",
            post(knowledge::remove_attachment),
        )
        .route(
            "/o/{slug}/desk/kb/categories",
            get(knowledge::categories).post(knowledge::category_create),
        )
        .route(
            "/o/{slug}/desk/kb/categories/{code}",
            post(knowledge::category_update),
        )
        .route(
            "/o/{slug}/desk/kb/categories/{code}/archive",
            post(knowledge::category_archive),
        )
        .route("/o/{slug}/desk/kb/picker", get(knowledge::picker))
        .route("/o/{slug}/desk/kb/links", get(knowledge::links))
        .layer(axum::Extension(knowledge::PublicUrl(
            settings.public_url.clone(),
        )))
        .layer(middleware::from_fn_with_state(cookies, session::guard))
        .with_state(state);
    Router::new()
        .route("/assets/{version}/{name}", get(assets::serve_asset))
        .merge(pages)
}
