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
