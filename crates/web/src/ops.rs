//! Operational endpoints: health, metrics, the landing page.

use crate::AppState;
use crate::error::ApiError;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Response};

/// 200 when the database answers, 503 (problem+json) when it does not.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "The database answers", body = String),
              (status = 503, body = crate::error::Problem, content_type = "application/problem+json")))]
pub async fn healthz(State(state): State<AppState>) -> Result<&'static str, ApiError> {
    state.store.ping().await?;
    Ok("ok")
}

/// Prometheus text exposition of the server's metrics.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut response = state.metrics.render().into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    response
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage<'a> {
    version: &'a str,
}

/// A bilingual landing page that points to the API and its documentation.
pub async fn index() -> Result<Html<String>, ApiError> {
    let page = IndexPage {
        version: env!("CARGO_PKG_VERSION"),
    };
    page.render().map(Html).map_err(|error| {
        tracing::error!(%error, "template failed");
        ApiError::internal()
    })
}
