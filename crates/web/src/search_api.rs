//! `GET /api/v1/search`: staff search over tickets, best first, only what the token may see.

use crate::AppState;
use crate::error::{ApiError, Problem};
use crate::extract::{ApiQuery, ApiViewer};
use axum::extract::State;
use sanad_domain::search::{SearchQuery, Snippet};

/// The most results one search returns.
const MAX_RESULTS: u32 = 50;

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketSearchParams {
    /// What to look for: words in Arabic or English (diacritics, alef forms and Arabic-Indic
    /// digits are folded; the last word may be a prefix), a ticket number, or a requester's
    /// name, e-mail or phone.
    pub q: Option<String>,
    /// How many results, 1 to 50 (default 20).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<u32>,
}

/// A piece of a snippet: plain, or a word that matched the query.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct SnippetPart {
    pub text: String,
    pub highlighted: bool,
}

impl SnippetPart {
    pub fn all_of(snippet: &Snippet) -> Vec<SnippetPart> {
        snippet
            .segments
            .iter()
            .map(|segment| SnippetPart {
                text: segment.text.clone(),
                highlighted: segment.highlighted,
            })
            .collect()
    }
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TicketSearchResult {
    pub number: String,
    pub subject: String,
    /// An excerpt of the best-matching message, or of the subject, as plain text.
    pub snippet: String,
    /// The same excerpt in parts, with the matching words marked.
    pub highlights: Vec<SnippetPart>,
    pub kind: String,
    pub status: String,
    pub requester_name: String,
    /// RFC 3339.
    pub updated_at: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct TicketSearchResults {
    /// Best first.
    pub results: Vec<TicketSearchResult>,
}

/// Parses the `q` of a search request into a query, or says what is wrong with it.
pub fn parse_search_text(raw: Option<&str>) -> Result<SearchQuery, ApiError> {
    let raw = raw
        .map(str::trim)
        .filter(|raw| !raw.is_empty())
        .ok_or_else(|| ApiError::bad_request("q is required: the words to search for"))?;
    SearchQuery::parse(raw).map_err(|error| ApiError::bad_request(format!("q: {error}")))
}

/// Search tickets (staff). An organization token searches the whole organization; a personal
/// token searches what its holder may see in the desk (complaints only of their departments or
/// assigned to them).
#[utoipa::path(
    get, path = "/api/v1/search", tag = "search",
    params(TicketSearchParams),
    responses(
        (status = 200, body = TicketSearchResults),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn search_tickets(
    State(state): State<AppState>,
    viewer: ApiViewer,
    ApiQuery(params): ApiQuery<TicketSearchParams>,
) -> Result<axum::Json<TicketSearchResults>, ApiError> {
    let query = parse_search_text(params.q.as_deref())?;
    let limit = params.limit.unwrap_or(20);
    if !(1..=MAX_RESULTS).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit must be between 1 and {MAX_RESULTS}"
        )));
    }
    let hits = state
        .store
        .search_tickets(viewer.organization.id, &viewer.principal, &query, limit)
        .await?;
    Ok(axum::Json(TicketSearchResults {
        results: hits
            .into_iter()
            .map(|hit| TicketSearchResult {
                snippet: hit.snippet.plain_text(),
                highlights: SnippetPart::all_of(&hit.snippet),
                number: hit.number,
                subject: hit.subject,
                kind: hit.kind.as_str().to_owned(),
                status: hit.status.as_str().to_owned(),
                requester_name: hit.requester_name,
                updated_at: hit.updated_at.to_string(),
            })
            .collect(),
    }))
}
