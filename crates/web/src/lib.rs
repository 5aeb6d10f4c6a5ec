//! Sanad's HTTP layer: the REST API (with its OpenAPI document), health and metrics.
//!
//! Architecture invariant: this is the only crate that knows HTTP, HTML and JSON request and
//! response shapes. It holds no SQL (it calls `sanad_store`), and it reads the time only through
//! the injected [`Clock`], so tests can run the whole server on simulated time.
#![forbid(unsafe_code)]

mod catalog;
mod chat;
pub mod dto;
pub mod error;
mod extract;
mod headers;
pub mod hooks;
pub mod knowledge_api;
mod limits;
mod ops;
pub mod search_api;
pub mod sniff;
pub mod supervision_api;
mod tickets;
pub mod ui;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sanad_store::Store;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The source of the current time. Production uses the system clock; tests drive their own.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> jiff::Timestamp;
}

/// The real clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> jiff::Timestamp {
        jiff::Timestamp::now()
    }
}

/// Settings of the HTTP layer, from the validated configuration.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// The largest request body accepted, in bytes (attachments travel base64-encoded inside).
    pub max_request_bytes: usize,
    /// How long one request may take before it is answered with 503.
    pub request_timeout: Duration,
    /// The address people use to reach Sanad, without a trailing slash; links sent to
    /// requesters start with it.
    pub public_url: String,
    pub cookie_security: CookieSecurity,
}

/// Whether browsers may send the session cookies over plain HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CookieSecurity {
    /// Cookies carry `Secure`: the deployment is reached over HTTPS.
    SecureOnly,
    /// A local trial over `http://` (the demo); cookies are still `HttpOnly` and `SameSite`.
    AllowPlainHttp,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            max_request_bytes: 16 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            public_url: "http://127.0.0.1:8080".to_owned(),
            cookie_security: CookieSecurity::AllowPlainHttp,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub metrics: PrometheusHandle,
}

/// The process-wide Prometheus recorder. `metrics` has one global recorder, so every app built
/// in one process (several in the test suite) shares it.
pub fn metrics_handle() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Another recorder may already be installed (e.g. by an embedding program); then
            // ours still renders what it records directly.
            let _ = metrics::set_global_recorder(recorder);
            handle
        })
        .clone()
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sanad API",
        description = "Complaints, suggestions and technical-support requests for training providers. \
                       Every error is application/problem+json (RFC 9457).",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later")
    ),
    modifiers(&BearerSecurity),
    tags(
        (name = "tickets", description = "Requests and their lifecycle"),
        (name = "catalogue", description = "Departments and categories"),
        (name = "service levels", description = "Targets, escalation and root causes"),
        (name = "search", description = "Finding tickets and knowledge-base articles"),
        (name = "operations", description = "Health"),
    )
)]
struct ApiDoc;

struct BearerSecurity;

impl utoipa::Modify for BearerSecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An integration token from `sanad token create`"))
                    .build(),
            ),
        );
    }
}

/// The API routes and the OpenAPI document that describes exactly them.
fn api_router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let parts = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(tickets::create_ticket, tickets::list_tickets))
        .routes(routes!(tickets::get_ticket, tickets::update_ticket))
        .routes(routes!(tickets::find_requester))
        .routes(routes!(tickets::transition_ticket))
        .routes(routes!(tickets::add_message))
        .routes(routes!(tickets::download_attachment))
        .routes(routes!(tickets::record_root_cause))
        .routes(routes!(tickets::escalate))
        .routes(routes!(
            catalog::list_departments,
            catalog::create_department
        ))
        .routes(routes!(
            catalog::update_department,
            catalog::archive_department
        ))
        .routes(routes!(catalog::list_categories, catalog::create_category))
        .routes(routes!(catalog::update_category, catalog::archive_category))
        .routes(routes!(search_api::search_tickets))
        .routes(routes!(knowledge_api::search_articles))
        .routes(routes!(supervision_api::list_organizations))
        .routes(routes!(supervision_api::organization_report))
        .routes(routes!(supervision_api::comparison))
        .routes(routes!(ops::healthz))
        .split_for_parts();
    let (router, mut openapi) = parts;
    utoipa::Modify::modify(&CommonProblems, &mut openapi);
    (router, openapi)
}

/// Documents the problem responses that the extractors and middleware give on every operation,
/// so that each handler's annotation lists only the answers of its own logic: 400 for a
/// malformed path, query or JSON body, 401 and 403 where a token is required, 413, 415 and
/// 422 (bodies refuse unknown fields) where a body is read, and 503 when the database cannot be reached or the request runs out
/// of time. Without them the published schema did not describe what clients really receive
/// (schemathesis reported each as an undocumented status code).
struct CommonProblems;

impl utoipa::Modify for CommonProblems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let secured = operation
                    .security
                    .as_ref()
                    .is_some_and(|requirements| !requirements.is_empty());
                let has_body = operation.request_body.is_some();
                let mut common = vec![
                    ("400", "The path, query string or body is malformed"),
                    (
                        "503",
                        "The database is unavailable or the request took too long; retry later",
                    ),
                ];
                if secured {
                    common.push(("401", "The bearer token is missing, unknown or revoked"));
                    common.push(("403", "The token may not do this"));
                }
                if has_body {
                    common.push(("413", "The body is larger than the configured limit"));
                    common.push(("415", "The body is not sent as application/json"));
                    common.push((
                        "422",
                        "A field is missing, unknown, of the wrong type or invalid",
                    ));
                }
                for (status, description) in common {
                    operation
                        .responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| problem(description).into());
                }
            }
        }
    }
}

/// The OpenAPI document, e.g. for writing it to a file.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    api_router().1
}

/// Builds the whole application.
pub fn router(state: AppState, settings: &WebSettings) -> Router {
    let (api, openapi) = api_router();
    let docs = utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/openapi.json", openapi);
    let pages = ui::router(state.clone(), settings);
    let behind_tls = headers::behind_tls(&settings.public_url);
    api.route("/", axum::routing::get(ops::index))
        .route("/metrics", axum::routing::get(ops::metrics))
        .merge(chat::router())
        .fallback(|uri: axum::http::Uri| async move {
            // Unknown page addresses get a page; everything else is an API client's mistake.
            if uri.path().starts_with("/o/") {
                ui::page_error::PageError::NotFound.into_response()
            } else {
                error::ApiError::not_found("no such endpoint; see /api/openapi.json")
                    .into_response()
            }
        })
        .merge(hooks::router())
        .with_state(state)
        .merge(docs)
        .merge(pages)
        .layer(middleware::from_fn(record_metrics))
        .layer(DefaultBodyLimit::max(settings.max_request_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            settings.request_timeout,
        ))
        .layer(CatchPanicLayer::custom(
            |_: Box<dyn std::any::Any + Send>| error::ApiError::internal().into_response(),
        ))
        .layer(CompressionLayer::new())
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &Request| {
                tracing::debug_span!(
                    "request",
                    method = %request.method(),
                    path = %loggable_path(request.uri().path()),
                )
            }),
        )
        // Outermost, so that even a timeout's or a panic's answer carries the headers.
        .layer(middleware::from_fn(move |request, next| {
            headers::security_headers(behind_tls, request, next)
        }))
}

/// The request path as logs may show it: never the query string (a tracking code travels in
/// `?code=`), and the segment after `rate` or `conversations` (a rating link's secret, a chat
/// conversation's token) replaced, since a log is read by more people than the database.
fn loggable_path(path: &str) -> String {
    let mut redact_next = false;
    path.split('/')
        .map(|segment| {
            let shown = if redact_next && !segment.is_empty() {
                "[redacted]"
            } else {
                segment
            };
            redact_next = matches!(segment, "rate" | "conversations");
            shown
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod loggable_path_tests {
    #[test]
    fn secrets_in_addresses_are_left_out() {
        assert_eq!(
            super::loggable_path("/o/quiet/rate/abcdef123"),
            "/o/quiet/rate/[redacted]"
        );
        assert_eq!(
            super::loggable_path("/o/quiet/chat/conversations/tok/messages"),
            "/o/quiet/chat/conversations/[redacted]/messages"
        );
        assert_eq!(super::loggable_path("/api/v1/tickets"), "/api/v1/tickets");
    }
}

/// Counts requests and records their latency per route and status.
async fn record_metrics(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|path| path.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().to_string();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("sanad_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("sanad_http_request_duration_seconds", "method" => method, "route" => route).record(started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod openapi_tests {
    use sanad_domain::{Complexity, TicketKind};

    fn document() -> serde_json::Value {
        serde_json::to_value(super::openapi_document()).expect("the document serializes")
    }

    /// schemathesis found that the published enums listed the Rust variant names
    /// (`Critical`) while the API accepts only the serde spellings (`critical`).
    #[test]
    fn enums_publish_the_spellings_the_api_accepts() {
        let document = document();
        let schemas = &document["components"]["schemas"];
        for (name, spellings) in [
            ("Complexity", Complexity::SPELLINGS),
            ("TicketKind", TicketKind::SPELLINGS),
        ] {
            let published: Vec<&str> = schemas[name]["enum"]
                .as_array()
                .unwrap_or_else(|| panic!("{name} has no enum"))
                .iter()
                .map(|value| value.as_str().expect("a string"))
                .collect();
            assert_eq!(published, spellings, "{name}");
        }
    }

    /// schemathesis found 400, 401 and 415 answers that no operation documented.
    #[test]
    fn every_operation_documents_the_common_problems() {
        let document = document();
        let operations = document["paths"]
            .as_object()
            .expect("paths")
            .values()
            .flat_map(|item| item.as_object().expect("a path item").values())
            .filter(|value| value.get("responses").is_some());
        let mut with_body = 0;
        for operation in operations {
            let responses = operation["responses"].as_object().expect("responses");
            for status in ["400", "503"] {
                assert!(responses.contains_key(status), "{operation} lacks {status}");
            }
            if operation["security"]
                .as_array()
                .is_some_and(|s| !s.is_empty())
            {
                assert!(responses.contains_key("401") && responses.contains_key("403"));
            }
            if operation.get("requestBody").is_some() {
                with_body += 1;
                for status in ["413", "415", "422"] {
                    assert!(responses.contains_key(status), "{operation} lacks {status}");
                }
            }
        }
        assert!(with_body >= 8, "only {with_body} operations take a body");
    }
}
