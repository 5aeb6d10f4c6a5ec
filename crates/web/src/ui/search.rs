//! The desk's search page: one box over every ticket the staff member may see, with results
//! ranked and excerpts highlighted, refreshed as they type (htmx) and working without script.

use super::chrome::{self, Chrome};
use super::format::short_date;
use super::i18n::Tr;
use super::page_error::PageError;
use super::session::StaffContext;
use crate::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use sanad_domain::search::{SearchQuery, SearchQueryError, SnippetSegment};

/// Results shown on the page.
const PAGE_RESULTS: u32 = 30;

#[derive(Debug, Default, serde::Deserialize)]
pub struct SearchParams {
    pub q: Option<String>,
}

pub struct SearchLine {
    pub href: String,
    pub number: String,
    pub subject: String,
    pub kind: String,
    pub kind_value: &'static str,
    pub status: String,
    pub status_class: &'static str,
    pub requester: String,
    pub updated: String,
    pub snippet: Vec<SnippetSegment>,
}

#[derive(Template)]
#[template(path = "ui/desk_search_results.html")]
struct SearchResults {
    tr: Tr,
    /// Empty when nothing was asked yet.
    asked: String,
    /// Why the words cannot be searched, if they cannot.
    problem: String,
    lines: Vec<SearchLine>,
}

#[derive(Template)]
#[template(path = "ui/desk_search.html")]
struct SearchPage {
    chrome: Chrome,
    action: String,
    text: String,
    results: SearchResults,
}

fn problem_text(tr: &Tr, error: &SearchQueryError) -> String {
    match error {
        SearchQueryError::Empty => tr.t("search-problem-empty"),
        SearchQueryError::TooLong { max, .. } => tr.n("search-problem-too-long", *max),
        SearchQueryError::TooManyTerms { max, .. } => tr.n("search-problem-too-many-words", *max),
    }
}

pub async fn desk_search(
    State(state): State<AppState>,
    staff: StaffContext,
    Query(params): Query<SearchParams>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let tr = *staff.tr();
    let asked = params
        .q
        .as_deref()
        .map(str::trim)
        .unwrap_or_default()
        .to_owned();
    let mut results = SearchResults {
        tr,
        asked: asked.clone(),
        problem: String::new(),
        lines: Vec::new(),
    };
    if !asked.is_empty() {
        match SearchQuery::parse(&asked) {
            Err(error) => results.problem = problem_text(&tr, &error),
            Ok(query) => {
                let base = format!("/o/{}/desk", staff.org.slug);
                let hits = state
                    .store
                    .search_tickets(staff.org.id, &staff.principal, &query, PAGE_RESULTS)
                    .await?;
                results.lines = hits
                    .into_iter()
                    .map(|hit| SearchLine {
                        href: format!("{base}/tickets/{}", hit.number),
                        kind: tr.value("kind", hit.kind.as_str()),
                        kind_value: hit.kind.as_str(),
                        status: tr.value("status", hit.status.as_str()),
                        status_class: super::portal::status_class(hit.status),
                        updated: short_date(hit.updated_at, &staff.zone),
                        number: hit.number,
                        subject: hit.subject,
                        requester: hit.requester_name,
                        snippet: hit.snippet.segments,
                    })
                    .collect();
            }
        }
    }
    if headers.contains_key("hx-request") {
        return Ok(Html(results.render()?).into_response());
    }
    let page = SearchPage {
        chrome: chrome::desk(&staff, tr.t("search-title"), "search"),
        action: format!("/o/{}/desk/search", staff.org.slug),
        text: asked,
        results,
    };
    Ok(Html(page.render()?).into_response())
}
