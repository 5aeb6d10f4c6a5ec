//! Full-text search over tickets (staff) and knowledge-base articles (staff and public).
//!
//! The database only finds candidates: both backends index the same analyzed terms (the
//! domain's `search::index_terms`), SQLite in FTS5 and PostgreSQL in a `tsvector` with the
//! `simple` configuration, and answer "which documents hold every term (or prefix)". The newest
//! [`RANKED_CANDIDATES`] matches the searcher may see are then ranked and given snippets in Rust
//! (`search::score`, `search::snippet`), so both backends return the same results in the same
//! order.

use crate::StoreError;
use crate::backend::{Backend, Store, dispatch, postgres_queries, sqlite_queries};
use jiff::Timestamp;
use sanad_domain::permissions::Principal;
use sanad_domain::search::{SearchQuery, Snippet};
use sanad_domain::{TicketKind, TicketStatus};

/// How many of the newest matching documents are ranked. Beyond this, a very common query ranks
/// only its most recent matches: in a helpdesk the recent ticket is almost always the one sought,
/// and it keeps a search over a million tickets from scoring hundreds of thousands of rows.
pub const RANKED_CANDIDATES: i64 = 200;

/// The weight of each indexed field in the ranking: a word in the subject counts three times a
/// word in a message, and the ticket number or the requester's name, e-mail or phone twice.
pub const TICKET_FIELD_WEIGHTS: [f64; 3] = [3.0, 2.0, 1.0];
/// An article's title counts three times its body.
pub const ARTICLE_FIELD_WEIGHTS: [f64; 2] = [3.0, 1.0];

/// The longest analyzed body kept for one document, in characters. PostgreSQL refuses a
/// `tsvector` over 1 MB; the same cap on SQLite keeps both backends matching the same words.
pub const MAX_BODY_TERMS_CHARS: i64 = 200_000;

/// The character that begins every access term. The analyzer folds Arabic-Indic digits to ASCII
/// ones, so no query term can ever begin with it: an access term is matched only by the
/// condition the store adds for a restricted viewer, never by what somebody types (a type-ahead
/// `a*` must not find every ticket through its access terms). Both FTS5's `unicode61` tokenizer
/// and PostgreSQL's parser keep it inside the word that follows.
pub(crate) const ACCESS_TERM_MARK: char = '\u{0660}';

/// The access terms of a ticket: who, besides those who see everything, may find it. The queues'
/// visibility rule, kept in the full-text index so that a search by an agent skips, inside the
/// index, the confidential complaints the agent may not see (walking them row by row took
/// seconds over a million tickets). The rule itself is still checked on every candidate: these
/// terms only narrow the candidates, they never grant anything.
///
/// A ticket that is not a complaint is open to every agent (`٠any`); a complaint only to its
/// assignee (`٠u<user id>`) and to the departments it is routed to (`٠d<department id>`).
pub(crate) fn access_terms(
    kind: TicketKind,
    assignee_id: Option<i64>,
    department_ids: &[i64],
) -> String {
    let mut terms = Vec::with_capacity(department_ids.len() + 2);
    if kind != TicketKind::Complaint {
        terms.push(format!("{ACCESS_TERM_MARK}any"));
    }
    if let Some(user_id) = assignee_id {
        terms.push(format!("{ACCESS_TERM_MARK}u{user_id}"));
    }
    let mut departments = department_ids.to_vec();
    departments.sort_unstable();
    departments.dedup();
    terms.extend(
        departments
            .iter()
            .map(|department_id| format!("{ACCESS_TERM_MARK}d{department_id}")),
    );
    terms.join(" ")
}

/// The access terms any one of which a restricted viewer's candidates must hold.
pub(crate) fn viewer_access_terms(user_id: i64, department_ids: &[i64]) -> Vec<String> {
    let mut terms = vec![
        format!("{ACCESS_TERM_MARK}any"),
        format!("{ACCESS_TERM_MARK}u{user_id}"),
    ];
    terms.extend(
        department_ids
            .iter()
            .map(|department_id| format!("{ACCESS_TERM_MARK}d{department_id}")),
    );
    terms
}

/// How many of the newest ticket ids PostgreSQL searches first. GIN answers "which rows match"
/// but not "the newest rows that match", so a common query otherwise fetched and sorted every
/// match (tens of thousands of rows, 0.2 s) to keep 200; a word in one ticket of 25 finds its
/// 200 among the newest 5,000.
pub(crate) const SEARCH_FIRST_WINDOW: i64 = 5_000;

/// The widest window in which PostgreSQL walks the newest ids testing each document (about
/// 2.6 µs a document over a million tickets, so at worst 50 ms); a wider one asks the index.
pub(crate) const SEARCH_WALKABLE_WINDOW: i64 = 20_000;

/// The id range `(lower, upper]` of the next PostgreSQL search window, after a window of `span`
/// ids gave `found` matches and `wanted` are still missing. The density of matches seen so far
/// predicts how far back the missing ones lie; the window is twice that, so that one more pass
/// usually suffices. No match at all means a rare query: the rest in one pass (its matches are
/// few, and each pass costs a full index probe).
pub(crate) fn search_next_window(upper: i64, span: i64, found: i64, wanted: i64) -> (i64, i64) {
    if found <= 0 || span <= 0 {
        return (0, upper);
    }
    let needed_span = wanted.saturating_mul(span).saturating_mul(2) / found;
    (
        upper
            .saturating_sub(needed_span.max(SEARCH_FIRST_WINDOW))
            .max(0),
        upper,
    )
}

/// One ticket found by a staff search.
#[derive(Debug, Clone, PartialEq)]
pub struct TicketSearchHit {
    pub id: i64,
    pub number: String,
    pub subject: String,
    pub kind: TicketKind,
    pub status: TicketStatus,
    pub requester_name: String,
    pub updated_at: Timestamp,
    pub score: f64,
    /// An excerpt of the best-matching message (or of the subject), with the matching words
    /// highlighted.
    pub snippet: Snippet,
}

/// Who is searching articles, which decides what they may find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArticleAudience {
    /// Anyone on the public pages: published articles only, optionally in one language
    /// (`ar` or `en`).
    Public { language: Option<String> },
    /// Staff writing articles or linking them in replies: every article, drafts included.
    Editors,
}

/// One knowledge-base article found by a search.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleSearchHit {
    pub id: i64,
    pub slug: String,
    pub language: String,
    pub title: String,
    pub status: String,
    pub score: f64,
    pub snippet: Snippet,
}

/// Which documents a rebuild of the search index rewrites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReindexScope {
    /// Documents never indexed, or indexed by an older analyzer.
    Stale,
    /// Every document (to measure the build rate, or after restoring an index by hand).
    Everything,
}

/// How much of the search index a rebuild rewrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReindexReport {
    pub tickets: u64,
    pub articles: u64,
}

impl Store {
    /// The tickets matching `query` that `viewer` may see (the queues' visibility rule), best
    /// first, at most `limit`.
    pub async fn search_tickets(
        &self,
        org_id: i64,
        viewer: &Principal,
        query: &SearchQuery,
        limit: u32,
    ) -> Result<Vec<TicketSearchHit>, StoreError> {
        dispatch!(self, search_tickets(org_id, viewer, query, limit))
    }

    /// The articles matching `query` that `audience` may see, best first, at most `limit`.
    pub async fn search_articles(
        &self,
        org_id: i64,
        audience: &ArticleAudience,
        query: &SearchQuery,
        limit: u32,
    ) -> Result<Vec<ArticleSearchHit>, StoreError> {
        dispatch!(self, search_articles(org_id, audience, query, limit))
    }

    /// Indexes tickets and articles again from their stored text, in transactions of `batch`
    /// documents: those without an index entry or with one written by an older analyzer
    /// (`ReindexScope::Stale`, run at start-up after an upgrade), or all of them. New and changed
    /// documents are indexed as they are written, in the transaction that writes them.
    pub async fn rebuild_search_index(
        &self,
        scope: ReindexScope,
        batch: u32,
    ) -> Result<ReindexReport, StoreError> {
        dispatch!(self, rebuild_search_index(scope, batch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_terms_name_the_assignee_and_departments_and_open_what_is_not_a_complaint() {
        let check = |kind, assignee, departments: &[i64], expected: &str| {
            assert_eq!(access_terms(kind, assignee, departments), expected)
        };
        check(TicketKind::Complaint, None, &[], "");
        check(TicketKind::Complaint, Some(7), &[3, 1, 3], "٠u7 ٠d1 ٠d3");
        check(TicketKind::TechnicalIssue, None, &[2], "٠any ٠d2");
        check(TicketKind::Suggestion, Some(4), &[], "٠any ٠u4");
        assert_eq!(
            viewer_access_terms(7, &[1, 3]),
            ["٠any", "٠u7", "٠d1", "٠d3"]
        );
    }

    #[test]
    fn the_next_window_reaches_as_far_back_as_the_density_seen_predicts_twice_over() {
        let check = |upper, span, found, wanted, expected: (i64, i64)| {
            assert_eq!(
                search_next_window(upper, span, found, wanted),
                expected,
                "{upper} {span} {found} {wanted}"
            )
        };
        // Nothing found: a rare query, the rest at once.
        check(995_000, 5_000, 0, 200, (0, 995_000));
        // 50 in 5,000 ids, 150 missing: 150 × 5,000 × 2 / 50 = 30,000 ids further back.
        check(995_000, 5_000, 50, 150, (965_000, 995_000));
        // Never smaller than the first window, never below zero.
        check(995_000, 5_000, 199, 1, (990_000, 995_000));
        check(30_000, 5_000, 1, 199, (0, 30_000));
    }

    /// The guarantee the mark rests on: whatever is typed, no query term begins with it, so a
    /// query (or a type-ahead prefix) can never match an access term.
    #[test]
    fn no_typed_query_yields_a_term_beginning_with_the_access_mark() {
        for typed in [
            "٠any",
            "٠u7",
            "٠",
            "٠d1 شهادة",
            "ـ٠any",
            "\u{0660}\u{0660}",
            "٠١٢",
            "a ٠an",
        ] {
            if let Ok(query) = SearchQuery::parse(typed) {
                for term in query.terms() {
                    assert!(
                        !term.stem.starts_with(ACCESS_TERM_MARK),
                        "{typed:?} gave the stem {:?}",
                        term.stem
                    );
                    assert!(
                        !term.surface.starts_with(ACCESS_TERM_MARK),
                        "{typed:?} gave the surface {:?}",
                        term.surface
                    );
                }
            }
        }
    }
}
