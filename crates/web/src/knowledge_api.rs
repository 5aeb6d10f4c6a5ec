//! `GET /api/v1/kb/search`: an organization's published knowledge-base articles, best first.
//! Public like the help centre it searches (no token), so a provider's own site or chat widget
//! can offer answers; drafts and archived articles are never found here.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::ApiQuery;
use crate::search_api::{SnippetPart, parse_search_text};
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use sanad_domain::knowledge::ArticleLanguage;
use sanad_store::ArticleAudience;

/// The most results one search returns.
const MAX_RESULTS: u32 = 50;
const DEFAULT_RESULTS: u32 = 10;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KbSearchParams {
    /// The organization's slug, as in its help centre's address `/o/{org}/kb`.
    pub org: Option<String>,
    /// What to look for, in Arabic or English (diacritics, alef forms and Arabic-Indic digits
    /// are folded; the last word may be a prefix).
    pub q: Option<String>,
    /// Only articles in this language, `ar` or `en`; both when absent.
    pub lang: Option<String>,
    /// How many results, 1 to 50 (default 10).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<u32>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct KbSearchResult {
    /// The article's address in the help centre: `/o/{org}/kb/{slug}`.
    pub slug: String,
    pub title: String,
    /// An excerpt of the article around what matched, as plain text.
    pub snippet: String,
    /// `ar` or `en`.
    pub language: String,
    /// The article's page, relative to this server.
    pub path: String,
    /// The same excerpt in parts, with the matching words marked.
    pub highlights: Vec<SnippetPart>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct KbSearchResults {
    /// Best first.
    pub results: Vec<KbSearchResult>,
}

/// Search an organization's published help-centre articles (no token needed).
#[utoipa::path(
    get, path = "/api/v1/kb/search", tag = "search",
    params(KbSearchParams),
    responses(
        (status = 200, body = KbSearchResults),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn search_articles(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<KbSearchParams>,
) -> Result<Response, ApiError> {
    let slug = params
        .org
        .as_deref()
        .map(str::trim)
        .filter(|slug| !slug.is_empty())
        .ok_or_else(|| {
            ApiError::bad_request("org is required: the organization's slug, as in /o/{org}/kb")
        })?;
    let query = parse_search_text(params.q.as_deref())?;
    let language = match params.lang.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => Some(
            raw.parse::<ArticleLanguage>()
                .map_err(|error| ApiError::bad_request(format!("lang: {error}")))?,
        ),
    };
    let limit = params.limit.unwrap_or(DEFAULT_RESULTS);
    if !(1..=MAX_RESULTS).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit must be between 1 and {MAX_RESULTS}"
        )));
    }
    let organization = state
        .store
        .organization_by_slug(slug)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no organization '{slug}'")))?;
    let audience = ArticleAudience::Public {
        language: language.map(|language| language.as_str().to_owned()),
    };
    let hits = state
        .store
        .search_articles(organization.id, &audience, &query, limit)
        .await?;
    let results = KbSearchResults {
        results: hits
            .into_iter()
            .map(|hit| KbSearchResult {
                snippet: hit.snippet.plain_text(),
                highlights: SnippetPart::all_of(&hit.snippet),
                path: format!("/o/{}/kb/{}", organization.slug, hit.slug),
                slug: hit.slug,
                title: hit.title,
                language: hit.language,
            })
            .collect(),
    };
    let mut response = axum::Json(results).into_response();
    // Public, read-only and without credentials: any site may call it from a browser.
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(response)
}
