//! The knowledge base: categories, articles in Arabic and English linked as translations,
//! attachments, readers' "was this helpful?" verdicts and the suggestions shown while a
//! requester types a ticket.
//!
//! Every write that creates or changes an article (its title, body, language or status) also
//! rewrites the article's search entry in the same transaction (`search_index_article`), so the
//! public search never finds a draft and never misses a published article.
//!
//! Readers and visits are anonymous: the web layer hands over only the digest of a random
//! cookie (a reader) or of a random token in the new-ticket form (a visit), never the secret.

use crate::backend::{Backend, Store, dispatch, postgres_queries, sqlite_queries};
use crate::search::{ArticleAudience, ArticleSearchHit};
use crate::{NewAttachment, StoreError};
use jiff::Timestamp;
use sanad_domain::knowledge::{
    ArticleBody, ArticleLanguage, ArticleSlug, ArticleStatus, ArticleTitle, Deflection,
    FeedbackComment, FeedbackVerdict, KbCategoryCode, KbCategoryName, SuggestionOutcome,
};
use sanad_domain::search::SearchQuery;

/// A category of the help centre, in the order its `position` gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbCategory {
    pub id: i64,
    pub code: String,
    pub name_ar: String,
    pub name_en: String,
    pub position: i64,
    /// An archived category is no longer offered to editors and not shown as a heading; its
    /// articles keep it and appear among the uncategorized ones.
    pub archived: bool,
}

/// A category's names and place, for creating or changing one (its code never changes).
#[derive(Debug, Clone)]
pub struct KbCategoryInput {
    pub name_ar: KbCategoryName,
    pub name_en: KbCategoryName,
    pub position: i64,
}

/// The few facts that name an article: enough to link to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbArticleRef {
    pub id: i64,
    pub slug: String,
    pub language: ArticleLanguage,
    pub title: String,
    pub status: ArticleStatus,
}

/// A whole article.
#[derive(Debug, Clone, PartialEq)]
pub struct KbArticle {
    pub id: i64,
    pub org_id: i64,
    pub slug: String,
    pub language: ArticleLanguage,
    pub title: String,
    /// Markdown.
    pub body: String,
    pub status: ArticleStatus,
    pub category_id: Option<i64>,
    pub category_code: Option<String>,
    /// The article in the other language, when the two are linked as translations.
    pub translation: Option<KbArticleRef>,
    pub author_id: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// When the article was last published; kept when it is unpublished or archived.
    pub published_at: Option<Timestamp>,
}

impl KbArticle {
    pub fn reference(&self) -> KbArticleRef {
        KbArticleRef {
            id: self.id,
            slug: self.slug.clone(),
            language: self.language,
            title: self.title.clone(),
            status: self.status,
        }
    }
}

/// What an editor writes: the article's content, place and status.
#[derive(Debug, Clone)]
pub struct KbArticleInput {
    /// The address; `None` makes one from the title when creating (see
    /// [`ArticleSlug::from_title`]) and keeps the current one when editing, because a changed
    /// address breaks the links people already have.
    pub slug: Option<ArticleSlug>,
    pub language: ArticleLanguage,
    pub title: ArticleTitle,
    pub body: ArticleBody,
    pub category: Option<KbCategoryCode>,
    /// Checked against the article's current status by `ArticleStatus::check_transition`; a
    /// new article starts as a draft.
    pub status: ArticleStatus,
}

/// Which articles the editors' list shows; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct KbArticleFilter {
    pub status: Option<ArticleStatus>,
    pub language: Option<ArticleLanguage>,
    pub category: Option<KbCategoryCode>,
}

/// How an article has done: readers' verdicts and what happened when it was suggested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KbArticleFigures {
    pub helpful: i64,
    pub not_helpful: i64,
    /// Visits of the new-ticket form in which it was suggested.
    pub suggested: i64,
    /// Visits in which the requester opened it from the suggestions.
    pub opened: i64,
    /// Visits in which the requester said it answered them.
    pub deflected: i64,
}

/// One line of the editors' list.
#[derive(Debug, Clone, PartialEq)]
pub struct KbArticleListing {
    pub article: KbArticleRef,
    pub category_code: Option<String>,
    pub translation: Option<KbArticleRef>,
    pub updated_at: Timestamp,
    pub figures: KbArticleFigures,
}

/// A published article as the help centre lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct KbPublishedArticle {
    pub article: KbArticleRef,
    pub category_id: Option<i64>,
    /// The id of its translation, when that is published too.
    pub published_translation_id: Option<i64>,
    pub published_at: Option<Timestamp>,
}

/// A file attached to an article (a screenshot, a form to fill in).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbAttachment {
    pub id: i64,
    pub article_id: i64,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub storage_key: String,
}

/// What one reader said of one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KbFeedbackRecord {
    pub verdict: FeedbackVerdict,
    pub comment: Option<String>,
    pub at: Timestamp,
}

/// Whether a suggestion event was new or had been recorded for the same visit before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SuggestionRecording {
    Recorded,
    AlreadyRecorded,
}

/// The most words of what a requester typed that suggestions are looked up by, one at a time,
/// after the whole text.
const SUGGESTION_WORDS: usize = 6;

impl Store {
    // ---- categories --------------------------------------------------------------------------

    /// Every category of the organization, archived ones included, by position then code.
    pub async fn kb_categories(&self, org_id: i64) -> Result<Vec<KbCategory>, StoreError> {
        dispatch!(self, knowledge_categories(org_id))
    }

    /// `Conflict` when the code is taken.
    pub async fn create_kb_category(
        &self,
        org_id: i64,
        code: &KbCategoryCode,
        input: &KbCategoryInput,
        now: Timestamp,
    ) -> Result<KbCategory, StoreError> {
        dispatch!(self, knowledge_create_category(org_id, code, input, now))
    }

    pub async fn update_kb_category(
        &self,
        org_id: i64,
        code: &str,
        input: &KbCategoryInput,
    ) -> Result<KbCategory, StoreError> {
        dispatch!(self, knowledge_update_category(org_id, code, input))
    }

    pub async fn archive_kb_category(
        &self,
        org_id: i64,
        code: &str,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(self, knowledge_archive_category(org_id, code, now))
    }

    // ---- articles ----------------------------------------------------------------------------

    /// Creates an article. Without a slug one is made from the title, or `article-<n>` when the
    /// title is Arabic, with `-2`, `-3`, … when taken; a slug given and taken is a `Conflict`.
    pub async fn create_kb_article(
        &self,
        org_id: i64,
        input: &KbArticleInput,
        author_id: Option<i64>,
        now: Timestamp,
    ) -> Result<KbArticle, StoreError> {
        dispatch!(
            self,
            knowledge_create_article(org_id, input, author_id, now)
        )
    }

    /// Replaces an article's content, place and status (the status move is checked).
    pub async fn update_kb_article(
        &self,
        org_id: i64,
        article_id: i64,
        input: &KbArticleInput,
        now: Timestamp,
    ) -> Result<KbArticle, StoreError> {
        dispatch!(
            self,
            knowledge_update_article(org_id, article_id, input, now)
        )
    }

    /// Publishes, unpublishes, archives or restores an article, if the move is allowed.
    pub async fn set_kb_article_status(
        &self,
        org_id: i64,
        article_id: i64,
        status: ArticleStatus,
        now: Timestamp,
    ) -> Result<KbArticle, StoreError> {
        dispatch!(
            self,
            knowledge_set_article_status(org_id, article_id, status, now)
        )
    }

    pub async fn kb_article(
        &self,
        org_id: i64,
        article_id: i64,
    ) -> Result<Option<KbArticle>, StoreError> {
        dispatch!(self, knowledge_article_by_id(org_id, article_id))
    }

    pub async fn kb_article_by_slug(
        &self,
        org_id: i64,
        slug: &str,
    ) -> Result<Option<KbArticle>, StoreError> {
        dispatch!(self, knowledge_article_by_slug(org_id, slug))
    }

    /// The editors' list, most recently changed first, with each article's figures.
    pub async fn kb_article_listings(
        &self,
        org_id: i64,
        filter: &KbArticleFilter,
    ) -> Result<Vec<KbArticleListing>, StoreError> {
        dispatch!(self, knowledge_article_listings(org_id, filter))
    }

    /// The published articles of the organization, for the help centre, by title.
    pub async fn published_kb_articles(
        &self,
        org_id: i64,
    ) -> Result<Vec<KbPublishedArticle>, StoreError> {
        dispatch!(self, knowledge_published_articles(org_id))
    }

    /// The articles that could be linked to this one as its translation: the other language's
    /// articles that are not linked yet, by title.
    pub async fn kb_translation_candidates(
        &self,
        org_id: i64,
        article_id: i64,
    ) -> Result<Vec<KbArticleRef>, StoreError> {
        dispatch!(self, knowledge_translation_candidates(org_id, article_id))
    }

    /// Links two articles of the two languages as translations of each other; refused when
    /// they share a language or either is linked to a third article.
    pub async fn link_kb_translation(
        &self,
        org_id: i64,
        article_id: i64,
        other_id: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            knowledge_link_translation(org_id, article_id, other_id, now)
        )
    }

    /// Unlinks an article from its translation (both sides); nothing happens if it has none.
    pub async fn unlink_kb_translation(
        &self,
        org_id: i64,
        article_id: i64,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(self, knowledge_unlink_translation(org_id, article_id, now))
    }

    // ---- attachments -------------------------------------------------------------------------

    /// Stores files and attaches them to an article. The content is written to the attachment
    /// store first (addressed by its digest), then the rows, as for tickets.
    pub async fn add_kb_attachments(
        &self,
        org_id: i64,
        article_id: i64,
        files: &[NewAttachment],
        now: Timestamp,
    ) -> Result<Vec<KbAttachment>, StoreError> {
        if self.kb_article(org_id, article_id).await?.is_none() {
            return Err(StoreError::NotFound {
                what: "article",
                key: article_id.to_string(),
            });
        }
        let blobs = self.attachments().put_all(org_id, files).await?;
        dispatch!(
            self,
            knowledge_insert_attachments(org_id, article_id, &blobs, now)
        )
    }

    pub async fn kb_attachments(
        &self,
        org_id: i64,
        article_id: i64,
    ) -> Result<Vec<KbAttachment>, StoreError> {
        dispatch!(self, knowledge_attachments(org_id, article_id))
    }

    /// One attachment with the article it belongs to, so the caller can decide who may have it.
    pub async fn kb_attachment(
        &self,
        org_id: i64,
        attachment_id: i64,
    ) -> Result<Option<(KbAttachment, KbArticleRef)>, StoreError> {
        dispatch!(self, knowledge_attachment(org_id, attachment_id))
    }

    /// Detaches a file from an article. The content stays in the attachment store, where
    /// another row may share it (content is addressed by its digest).
    pub async fn remove_kb_attachment(
        &self,
        org_id: i64,
        article_id: i64,
        attachment_id: i64,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            knowledge_remove_attachment(org_id, article_id, attachment_id)
        )
    }

    // ---- "was this helpful?" -----------------------------------------------------------------

    /// Records a reader's verdict on a published article, replacing their earlier one.
    pub async fn record_kb_feedback(
        &self,
        org_id: i64,
        article_id: i64,
        reader_digest: &str,
        verdict: FeedbackVerdict,
        comment: Option<&FeedbackComment>,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        dispatch!(
            self,
            knowledge_record_feedback(org_id, article_id, reader_digest, verdict, comment, now)
        )
    }

    /// What this reader said of the article, if anything.
    pub async fn kb_feedback_of_reader(
        &self,
        article_id: i64,
        reader_digest: &str,
    ) -> Result<Option<KbFeedbackRecord>, StoreError> {
        dispatch!(
            self,
            knowledge_feedback_of_reader(article_id, reader_digest)
        )
    }

    /// The article's figures: verdicts, and what happened when it was suggested.
    pub async fn kb_article_figures(
        &self,
        org_id: i64,
        article_id: i64,
    ) -> Result<KbArticleFigures, StoreError> {
        dispatch!(self, knowledge_article_figures(org_id, article_id))
    }

    /// The latest verdicts that came with a comment, newest first: what readers missed.
    pub async fn kb_feedback_comments(
        &self,
        org_id: i64,
        article_id: i64,
        limit: u32,
    ) -> Result<Vec<KbFeedbackRecord>, StoreError> {
        dispatch!(self, knowledge_feedback_comments(org_id, article_id, limit))
    }

    // ---- suggestions while a requester types -------------------------------------------------

    /// Published articles for what a requester is typing, at most `limit`, those in `language`
    /// before the others at equal merit. An article holding every word typed comes first; then
    /// articles holding more of the words before those holding fewer, because a ticket's
    /// subject is a sentence and few articles contain all of its words.
    pub async fn suggest_kb_articles(
        &self,
        org_id: i64,
        typed: &str,
        language: ArticleLanguage,
        limit: u32,
    ) -> Result<Vec<ArticleSearchHit>, StoreError> {
        let Some(whole) = suggestion_query(typed) else {
            return Ok(Vec::new());
        };
        let public = ArticleAudience::Public { language: None };
        let wanted = limit.max(1) * 2;
        let mut queries = vec![whole.clone()];
        if whole.terms().len() > 1 {
            let mut words: Vec<&str> = whole
                .terms()
                .iter()
                .map(|term| term.surface.as_str())
                .filter(|surface| surface.chars().count() >= 3)
                .collect();
            words.sort_by_key(|word| std::cmp::Reverse(word.chars().count()));
            words.dedup();
            for word in words.into_iter().take(SUGGESTION_WORDS) {
                // A word given alone ends without a space, so it matches as a prefix as well:
                // `المرور` finds `المروري` too, which suits a suggestion.
                if let Ok(query) = SearchQuery::parse(word) {
                    queries.push(query);
                }
            }
        }
        // Per article: whether it held every word, how many single words it held, its best
        // score, and the order it was first found in.
        let mut found: Vec<(ArticleSearchHit, bool, usize, f64)> = Vec::new();
        for (index, query) in queries.iter().enumerate() {
            let hits = self.search_articles(org_id, &public, query, wanted).await?;
            for hit in hits {
                let score = hit.score;
                match found.iter_mut().find(|(known, ..)| known.id == hit.id) {
                    Some((_, _, words, best)) => {
                        *words += usize::from(index > 0);
                        *best = best.max(score);
                    }
                    None => found.push((hit, index == 0, usize::from(index > 0), score)),
                }
            }
        }
        let preferred = |hit: &ArticleSearchHit| hit.language == language.as_str();
        found.sort_by(|left, right| {
            right
                .1
                .cmp(&left.1)
                .then(right.2.cmp(&left.2))
                .then(preferred(&right.0).cmp(&preferred(&left.0)))
                .then(right.3.total_cmp(&left.3))
        });
        Ok(found
            .into_iter()
            .take(usize::try_from(limit).unwrap_or(usize::MAX))
            .map(|(hit, ..)| hit)
            .collect())
    }

    /// Records that these articles were shown during one visit; an article already shown in
    /// the visit is not counted again. Returns how many were new.
    pub async fn record_kb_suggestions_shown(
        &self,
        org_id: i64,
        visit_digest: &str,
        article_ids: &[i64],
        query: &str,
        now: Timestamp,
    ) -> Result<u64, StoreError> {
        dispatch!(
            self,
            knowledge_record_shown(org_id, visit_digest, article_ids, query, now)
        )
    }

    /// Records that a suggested article was opened or that it answered the requester
    /// (`opened`, `deflected`: the article must be published), or that the visit ended in a
    /// submitted ticket (`submitted`: no article). Once per visit and article.
    pub async fn record_kb_suggestion_outcome(
        &self,
        org_id: i64,
        visit_digest: &str,
        article_id: Option<i64>,
        outcome: SuggestionOutcome,
        now: Timestamp,
    ) -> Result<SuggestionRecording, StoreError> {
        dispatch!(
            self,
            knowledge_record_outcome(org_id, visit_digest, article_id, outcome, now)
        )
    }

    /// Of the visits since `since` in which suggestions were shown, how many ended with the
    /// requester saying an article answered them, without submitting a ticket.
    pub async fn kb_deflection(
        &self,
        org_id: i64,
        since: Timestamp,
    ) -> Result<Deflection, StoreError> {
        dispatch!(self, knowledge_deflection(org_id, since))
    }

    /// How many times each outcome was recorded for one visit: for tests and support staff
    /// checking what a requester saw. In `SuggestionOutcome::ALL` order.
    pub async fn kb_visit_outcomes(
        &self,
        org_id: i64,
        visit_digest: &str,
    ) -> Result<Vec<(SuggestionOutcome, i64)>, StoreError> {
        dispatch!(self, knowledge_visit_outcomes(org_id, visit_digest))
    }
}

/// The query suggestions are looked up by: the first words of what was typed, within the
/// search's limits of characters and words (a subject is longer than a search box allows).
fn suggestion_query(typed: &str) -> Option<SearchQuery> {
    let mut text = String::new();
    for word in typed.split_whitespace() {
        if text.chars().count() + 1 + word.chars().count() > sanad_domain::search::MAX_QUERY_CHARS {
            break;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(word);
    }
    // What was typed last ends the text only while the person is still typing it: a space
    // after it says the word is complete.
    if typed.ends_with(char::is_whitespace) {
        text.push(' ');
    }
    let mut words: Vec<&str> = text.split_whitespace().collect();
    loop {
        if words.is_empty() {
            return None;
        }
        let mut candidate = words.join(" ");
        if text.ends_with(' ') {
            candidate.push(' ');
        }
        match SearchQuery::parse(&candidate) {
            Ok(query) => return Some(query),
            Err(sanad_domain::search::SearchQueryError::TooManyTerms { .. }) => {
                words.pop();
            }
            Err(_) => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_look_up_the_first_words_within_the_limits() {
        assert!(suggestion_query("   ").is_none());
        let long = "كلمة ".repeat(100) + "المرور";
        let query = suggestion_query(&long).expect("a query from a long subject");
        assert!(!query.terms().is_empty());
        let many: String = (0..40).map(|n| format!("word{n} ")).collect();
        let query = suggestion_query(&many).expect("a query from many words");
        assert!(query.terms().len() <= sanad_domain::search::MAX_QUERY_TERMS);
    }
}
