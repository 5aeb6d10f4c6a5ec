//! The knowledge base in the pages: each organization's public help centre (categories, its own
//! search, articles with their translation, attachments and "was this helpful?"), the articles
//! suggested beside the new-ticket form (with what became of them: shown, opened, deflected,
//! submitted), the editors' pages under the desk, and the picker that puts an article's link
//! into an agent's reply.
//!
//! Who may write is decided in one place, `sanad_domain::permissions::knowledge_access`. Readers
//! and visits stay anonymous: a random cookie (a reader) or a random token in the new-ticket
//! form (a visit) is stored only as its digest.

use super::chrome::{self, Chrome};
use super::desk::Choice;
use super::format::{ShownTime, short_date, shown_time};
use super::forms::{
    FieldErrors, MultipartForm, check_csrf_only, done, parse_form, translated_choices,
    unprocessable,
};
use super::i18n::{Lang, Tr};
use super::page_error::{PageError, form_urlencoded_component};
use super::portal::check_uploads;
use super::session::{
    PageContext, StaffContext, append_cookie, check_csrf, cookie_value, organization_in_path,
};
use crate::AppState;
use askama::Template;
use axum::extract::{FromRequestParts, Multipart, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use jiff::tz::TimeZone;
use sanad_domain::knowledge::{
    ArticleBody, ArticleLanguage, ArticleSlug, ArticleStatus, ArticleTitle, FeedbackComment,
    FeedbackVerdict, KbCategoryCode, KbCategoryName, KnowledgeError, SuggestionOutcome,
    markdown_image, markdown_link,
};
use sanad_domain::permissions::{KnowledgeAccess, knowledge_access};
use sanad_domain::search::{SearchQuery, SearchQueryError, SnippetSegment};
use sanad_store::{
    ArticleAudience, ArticleSearchHit, KbArticle, KbArticleFilter, KbArticleInput, KbCategory,
    KbCategoryInput, Organization, StoreError, secrets,
};
use serde::Deserialize;

/// The address people use to reach Sanad (`WebSettings::public_url`), for links that leave
/// the site: an article's link in a reply is read in an e-mail or a WhatsApp message.
#[derive(Debug, Clone)]
pub struct PublicUrl(pub String);

/// The anonymous reader cookie behind "was this helpful?": one verdict per browser.
const READER_COOKIE: &str = "sanad_kb_reader";
const READER_COOKIE_DAYS: i64 = 365;
/// Suggestions listed beside the new-ticket form.
const SUGGESTIONS_SHOWN: u32 = 5;
/// Results of a public search.
const PUBLIC_RESULTS: u32 = 20;
/// Results of a search in the editors' list.
const EDITOR_RESULTS: u32 = 50;
/// Results of the reply's article picker.
const PICKER_RESULTS: u32 = 8;
/// The window of the deflection figure on the editors' list.
const DEFLECTION_DAYS: i64 = 30;
/// Verdict comments shown to the editors of an article.
const FEEDBACK_COMMENTS_SHOWN: u32 = 10;
/// How many words of a ticket's subject, completed from its description when the subject is
/// short, suggestions are looked up by.
const SUGGESTION_WORDS: usize = 8;

// ---- languages, statuses and permissions -------------------------------------------------------

/// The article language that matches a page language.
pub fn article_language(lang: Lang) -> ArticleLanguage {
    match lang {
        Lang::Ar => ArticleLanguage::Ar,
        Lang::En => ArticleLanguage::En,
    }
}

/// The page language an article is written in, for its `lang` and `dir` and for the words
/// around it that are in its language ("Read in Arabic").
fn page_language(language: ArticleLanguage) -> Lang {
    match language {
        ArticleLanguage::Ar => Lang::Ar,
        ArticleLanguage::En => Lang::En,
    }
}

fn status_class(status: ArticleStatus) -> &'static str {
    match status {
        ArticleStatus::Draft => "status-waiting",
        ArticleStatus::Published => "status-done",
        ArticleStatus::Archived => "status-ended",
    }
}

fn access(staff: &StaffContext) -> KnowledgeAccess {
    knowledge_access(&staff.principal)
}

/// Whether the staff member may change an article in `status`: publishers change any; writers
/// of drafts only drafts, so that nothing the public reads changes without a publisher.
fn may_change_article(access: KnowledgeAccess, status: ArticleStatus) -> bool {
    access.may_publish() || (access.may_write_drafts() && status == ArticleStatus::Draft)
}

fn require(allowed: bool) -> Result<(), PageError> {
    if allowed {
        Ok(())
    } else {
        Err(PageError::Forbidden)
    }
}

fn organization_zone(org: &Organization) -> TimeZone {
    TimeZone::get(&org.time_zone).unwrap_or(TimeZone::UTC)
}

/// The help centre's address of an organization.
fn help_centre_href(org: &Organization) -> String {
    format!("/o/{}/kb", org.slug)
}

fn article_href(org: &Organization, slug: &str) -> String {
    format!("/o/{}/kb/{slug}", org.slug)
}

fn file_href(org: &Organization, id: i64, filename: &str) -> String {
    format!(
        "/o/{}/kb/files/{id}/{}",
        org.slug,
        form_urlencoded_component(filename)
    )
}

fn editor_href(org: &Organization, id: i64) -> String {
    format!("/o/{}/desk/kb/articles/{id}", org.slug)
}

fn categories_href(org: &Organization) -> String {
    format!("/o/{}/desk/kb/categories", org.slug)
}

/// A trimmed value of a query string or form, or `None` when empty.
fn given(value: &Option<String>) -> Option<&str> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|value| !value.is_empty())
}

/// Why the words typed cannot be searched, in the page's language.
fn search_problem(tr: &Tr, error: &SearchQueryError) -> String {
    match error {
        SearchQueryError::Empty => tr.t("kb-search-problem-empty"),
        SearchQueryError::TooLong { max, .. } => tr.n("kb-search-problem-too-long", *max),
        SearchQueryError::TooManyTerms { max, .. } => {
            tr.n("kb-search-problem-too-many-words", *max)
        }
    }
}

/// The digest of a visit token from the new-ticket form, if the token looks like one this
/// server made (an invented or damaged token records nothing).
fn visit_digest(raw: Option<&str>) -> Option<String> {
    let raw = raw?.trim();
    let plausible = (20..=100).contains(&raw.len())
        && raw
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-');
    plausible.then(|| secrets::token_digest(raw))
}

/// Records that the new-ticket form of this visit was submitted. A failure here must not fail
/// the ticket, which is already created: it is logged, and only the figure misses one visit.
pub async fn record_visit_submitted(
    state: &AppState,
    org: &Organization,
    raw_visit: &str,
    now: jiff::Timestamp,
) {
    let Some(visit) = visit_digest(Some(raw_visit)) else {
        return;
    };
    if let Err(error) = state
        .store
        .record_kb_suggestion_outcome(org.id, &visit, None, SuggestionOutcome::Submitted, now)
        .await
    {
        tracing::warn!(%error, "could not record a submitted visit of the new-ticket form");
    }
}

// ---- Markdown ----------------------------------------------------------------------------------

/// Whether a link or image address in an article may be kept: the web, e-mail, telephone, or
/// this site. Anything else (`javascript:`, `data:`, unknown schemes) becomes `#`.
fn safe_destination(destination: &str) -> bool {
    let lower = destination.trim().to_ascii_lowercase();
    let scheme_end = lower.find(':');
    let path_start = lower.find(['/', '?', '#']);
    match scheme_end {
        None => true,
        Some(colon) if path_start.is_some_and(|start| start < colon) => true,
        Some(_) => ["http://", "https://", "mailto:", "tel:"]
            .iter()
            .any(|scheme| lower.starts_with(scheme)),
    }
}

/// The address itself if it may be kept (see [`safe_destination`]), else `#`.
fn safe_destination_or_hash(destination: pulldown_cmark::CowStr<'_>) -> pulldown_cmark::CowStr<'_> {
    if safe_destination(&destination) {
        destination
    } else {
        pulldown_cmark::CowStr::Borrowed("#")
    }
}

/// Renders an article's Markdown as HTML that is safe to put in a page: raw HTML becomes text,
/// links and images keep only safe addresses, and headings move one level down, since the
/// page's own `<h1>` is the title.
pub fn article_html(markdown: &str) -> String {
    use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
    let lower = |level: HeadingLevel| match level {
        HeadingLevel::H1 => HeadingLevel::H2,
        HeadingLevel::H2 => HeadingLevel::H3,
        HeadingLevel::H3 => HeadingLevel::H4,
        HeadingLevel::H4 => HeadingLevel::H5,
        HeadingLevel::H5 | HeadingLevel::H6 => HeadingLevel::H6,
    };

    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let parser = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(text) | Event::InlineHtml(text) => Event::Text(text),
        Event::Start(Tag::Heading { level, .. }) => Event::Start(Tag::Heading {
            level: lower(level),
            id: None,
            classes: Vec::new(),
            attrs: Vec::new(),
        }),
        Event::End(TagEnd::Heading(level)) => Event::End(TagEnd::Heading(lower(level))),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type,
            dest_url: safe_destination_or_hash(dest_url),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Image {
            link_type,
            dest_url: safe_destination_or_hash(dest_url),
            title,
            id,
        }),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, parser);
    out
}

// ---- the public help centre --------------------------------------------------------------------

/// The organization of a public knowledge-base page.
pub struct HelpCentre {
    page: PageContext,
    org: Organization,
}

impl FromRequestParts<AppState> for HelpCentre {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let page = PageContext::from_request_parts(parts, state).await?;
        let org = organization_in_path(parts, state).await?;
        Ok(HelpCentre { page, org })
    }
}

impl HelpCentre {
    fn tr(&self) -> &Tr {
        &self.page.tr
    }

    fn chrome(&self, title: String) -> Chrome {
        chrome::portal(&self.page, &self.org, title, "kb")
    }
}

/// A staff member of the organization signed in on this browser, if any: they may read drafts
/// and their files on the public pages, to check them before publishing.
async fn staff_on_public_page(parts: &Parts, state: &AppState) -> Option<StaffContext> {
    let mut parts = parts.clone();
    StaffContext::from_request_parts(&mut parts, state)
        .await
        .ok()
}

/// An article as a line of a list: its title in its own language.
pub struct ArticleLine {
    pub href: String,
    pub title: String,
    pub lang: &'static str,
    pub dir: &'static str,
    /// The article's language, named when it differs from the page's.
    pub other_language: String,
    pub snippet: Vec<SnippetSegment>,
}

pub struct CategoryGroup {
    pub name: String,
    pub articles: Vec<ArticleLine>,
}

#[derive(Template)]
#[template(path = "ui/kb_results.html")]
struct HelpCentreResults {
    tr: Tr,
    /// What was searched; empty when nothing was, and the categories are listed.
    asked: String,
    problem: String,
    hits: Vec<ArticleLine>,
    groups: Vec<CategoryGroup>,
}

#[derive(Template)]
#[template(path = "ui/kb_home.html")]
struct HelpCentrePage {
    chrome: Chrome,
    action: String,
    text: String,
    results: HelpCentreResults,
}

#[derive(Deserialize, Default)]
pub struct HelpCentreQuery {
    q: Option<String>,
}

fn line_for_hit(tr: &Tr, hit: ArticleSearchHit, href: String) -> ArticleLine {
    let language = hit.language.parse().unwrap_or(ArticleLanguage::Ar);
    let lang = page_language(language);
    ArticleLine {
        href,
        title: hit.title,
        lang: lang.code(),
        dir: lang.dir(),
        other_language: if lang == tr.lang {
            String::new()
        } else {
            tr.value("kb-language", language.as_str())
        },
        snippet: hit.snippet.segments,
    }
}

/// The categories of the help centre with their published articles: those in the page's
/// language, and those in the other language that have no published translation in it (so
/// every article can be reached whichever language the reader chose).
async fn category_groups(
    state: &AppState,
    org: &Organization,
    tr: &Tr,
) -> Result<Vec<CategoryGroup>, PageError> {
    let categories = state.store.kb_categories(org.id).await?;
    let articles = state.store.published_kb_articles(org.id).await?;
    let wanted = article_language(tr.lang);
    let line = |entry: &sanad_store::KbPublishedArticle| {
        let lang = page_language(entry.article.language);
        ArticleLine {
            href: article_href(org, &entry.article.slug),
            title: entry.article.title.clone(),
            lang: lang.code(),
            dir: lang.dir(),
            other_language: if entry.article.language == wanted {
                String::new()
            } else {
                tr.value("kb-language", entry.article.language.as_str())
            },
            snippet: Vec::new(),
        }
    };
    let shown: Vec<&sanad_store::KbPublishedArticle> = articles
        .iter()
        .filter(|entry| {
            entry.article.language == wanted || entry.published_translation_id.is_none()
        })
        .collect();
    let mut groups = Vec::new();
    let active: Vec<&KbCategory> = categories.iter().filter(|c| !c.archived).collect();
    for category in &active {
        let lines: Vec<ArticleLine> = shown
            .iter()
            .filter(|entry| entry.category_id == Some(category.id))
            .map(|entry| line(entry))
            .collect();
        if !lines.is_empty() {
            groups.push(CategoryGroup {
                name: tr
                    .lang
                    .pick(&category.name_ar, &category.name_en)
                    .to_owned(),
                articles: lines,
            });
        }
    }
    let others: Vec<ArticleLine> = shown
        .iter()
        .filter(|entry| {
            !entry
                .category_id
                .is_some_and(|id| active.iter().any(|category| category.id == id))
        })
        .map(|entry| line(entry))
        .collect();
    if !others.is_empty() {
        groups.push(CategoryGroup {
            name: tr.t(if groups.is_empty() {
                "kb-all-articles"
            } else {
                "kb-other-articles"
            }),
            articles: others,
        });
    }
    Ok(groups)
}

async fn help_centre_results(
    state: &AppState,
    centre: &HelpCentre,
    asked: &str,
) -> Result<HelpCentreResults, PageError> {
    let tr = *centre.tr();
    let mut results = HelpCentreResults {
        tr,
        asked: String::new(),
        problem: String::new(),
        hits: Vec::new(),
        groups: Vec::new(),
    };
    if !asked.is_empty() {
        match SearchQuery::parse(asked) {
            Ok(query) => {
                let hits = state
                    .store
                    .search_articles(
                        centre.org.id,
                        &ArticleAudience::Public { language: None },
                        &query,
                        PUBLIC_RESULTS,
                    )
                    .await?;
                results.asked = asked.to_owned();
                results.hits = hits
                    .into_iter()
                    .map(|hit| {
                        let href = article_href(&centre.org, &hit.slug);
                        line_for_hit(&tr, hit, href)
                    })
                    .collect();
                return Ok(results);
            }
            // Only punctuation or nothing to look for: the categories, as for an empty box.
            Err(SearchQueryError::Empty) => {}
            Err(error) => {
                results.asked = asked.to_owned();
                results.problem = search_problem(&tr, &error);
                return Ok(results);
            }
        }
    }
    results.groups = category_groups(state, &centre.org, &tr).await?;
    Ok(results)
}

/// The help centre: its search box, and the categories with their articles, or what a search
/// found. When htmx asks (results as the reader types), only the results.
pub async fn help_centre(
    State(state): State<AppState>,
    centre: HelpCentre,
    Query(query): Query<HelpCentreQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let asked = given(&query.q).unwrap_or_default().to_owned();
    let results = help_centre_results(&state, &centre, &asked).await?;
    // htmx asks for the results as the reader types; when it restores a page from history
    // it asks for the whole page.
    if headers.contains_key("hx-request") && !headers.contains_key("hx-history-restore-request") {
        return Ok(Html(results.render()?).into_response());
    }
    let page = HelpCentrePage {
        chrome: centre.chrome(centre.tr().t("kb-help-centre-title")),
        action: help_centre_href(&centre.org),
        text: asked,
        results,
    };
    Ok(Html(page.render()?).into_response())
}

pub struct AttachmentLine {
    pub href: String,
    pub filename: String,
    pub size: String,
}

fn size_text(tr: &Tr, bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        tr.t1(
            "kb-size-megabytes",
            "size",
            &format!("{:.1}", bytes as f64 / (1024.0 * 1024.0)),
        )
    } else {
        tr.t1(
            "kb-size-kilobytes",
            "size",
            &((bytes + 1023) / 1024).max(1).to_string(),
        )
    }
}

/// The link to an article's translation, worded in the article's own language ("اقرأ
/// بالإنجليزية" on an Arabic article), and switching the pages to the translation's language.
pub struct TranslationLink {
    pub href: String,
    pub label: String,
    pub lang: &'static str,
    pub hreflang: &'static str,
}

#[derive(Template)]
#[template(path = "ui/kb_article.html")]
struct ArticlePage {
    chrome: Chrome,
    help_centre: String,
    category: String,
    title: String,
    lang: &'static str,
    dir: &'static str,
    body_html: String,
    /// A staff member reading a draft or an archived article is told so.
    notice: String,
    updated: ShownTime,
    translation: Option<TranslationLink>,
    attachments: Vec<AttachmentLine>,
    /// Readers judge only published articles.
    published: bool,
    feedback_action: String,
    feedback_done: bool,
    your_verdict: String,
    helpful_count: i64,
    /// The visit token when the requester came from the suggestions of the new-ticket form.
    suggestion_visit: String,
    solved_action: String,
    solved: bool,
}

#[derive(Deserialize, Default)]
pub struct ArticleQuery {
    from: Option<String>,
    visit: Option<String>,
    done: Option<String>,
}

/// The article the public (or a signed-in staff member) may read at this address.
async fn readable_article(
    state: &AppState,
    org: &Organization,
    slug: &str,
    staff: Option<&StaffContext>,
) -> Result<KbArticle, PageError> {
    let article = state
        .store
        .kb_article_by_slug(org.id, slug)
        .await?
        .ok_or(PageError::NotFound)?;
    if article.status == ArticleStatus::Published || staff.is_some() {
        Ok(article)
    } else {
        Err(PageError::NotFound)
    }
}

/// One published article, rendered from its Markdown, with its translation, its files and
/// "was this helpful?". Opened from the new-ticket form's suggestions, it also offers "this
/// solved my problem".
pub async fn article(
    State(state): State<AppState>,
    centre: HelpCentre,
    Path((_, slug)): Path<(String, String)>,
    Query(query): Query<ArticleQuery>,
    parts: Parts,
) -> Result<Response, PageError> {
    let staff = staff_on_public_page(&parts, &state).await;
    let article = readable_article(&state, &centre.org, &slug, staff.as_ref()).await?;
    let tr = *centre.tr();
    let now = state.clock.now();
    let published = article.status == ArticleStatus::Published;
    let mut suggestion_visit = String::new();
    if published
        && given(&query.from) == Some("suggestion")
        && let Some(visit) = visit_digest(query.visit.as_deref())
    {
        state
            .store
            .record_kb_suggestion_outcome(
                centre.org.id,
                &visit,
                Some(article.id),
                SuggestionOutcome::Opened,
                now,
            )
            .await?;
        suggestion_visit = given(&query.visit).unwrap_or_default().to_owned();
    }
    let translation = article
        .translation
        .as_ref()
        .filter(|other| other.status == ArticleStatus::Published || staff.is_some())
        .map(|other| {
            let own = page_language(article.language);
            let theirs = page_language(other.language);
            TranslationLink {
                href: format!(
                    "{}?lang={}",
                    article_href(&centre.org, &other.slug),
                    theirs.code()
                ),
                label: Tr::new(own).t("kb-read-in-other-language"),
                lang: own.code(),
                hreflang: theirs.code(),
            }
        });
    let category = match article.category_id {
        Some(id) => state
            .store
            .kb_categories(centre.org.id)
            .await?
            .into_iter()
            .find(|category| category.id == id && !category.archived)
            .map(|category| {
                tr.lang
                    .pick(&category.name_ar, &category.name_en)
                    .to_owned()
            })
            .unwrap_or_default(),
        None => String::new(),
    };
    let attachments = state
        .store
        .kb_attachments(centre.org.id, article.id)
        .await?
        .into_iter()
        .map(|attachment| AttachmentLine {
            href: file_href(&centre.org, attachment.id, &attachment.filename),
            size: size_text(&tr, attachment.size_bytes),
            filename: attachment.filename,
        })
        .collect();
    let your_verdict = match cookie_value(&parts.headers, READER_COOKIE) {
        Some(reader) if published => state
            .store
            .kb_feedback_of_reader(article.id, &secrets::token_digest(&reader))
            .await?
            .map(|record| tr.value("kb-your-verdict", record.verdict.as_str()))
            .unwrap_or_default(),
        _ => String::new(),
    };
    let figures = state
        .store
        .kb_article_figures(centre.org.id, article.id)
        .await?;
    let lang = page_language(article.language);
    let base = article_href(&centre.org, &article.slug);
    let notice = if published {
        String::new()
    } else {
        tr.value("kb-staff-preview", article.status.as_str())
    };
    let done = given(&query.done);
    let page = ArticlePage {
        chrome: centre.chrome(article.title.clone()),
        help_centre: help_centre_href(&centre.org),
        category,
        title: article.title.clone(),
        lang: lang.code(),
        dir: lang.dir(),
        body_html: article_html(&article.body),
        notice,
        updated: shown_time(
            article.published_at.unwrap_or(article.updated_at),
            &organization_zone(&centre.org),
            &tr,
        ),
        translation,
        attachments,
        published,
        feedback_action: format!("{base}/feedback"),
        feedback_done: done == Some("feedback"),
        your_verdict,
        helpful_count: figures.helpful,
        suggestion_visit,
        solved_action: format!("{base}/solved"),
        solved: done == Some("solved"),
    };
    Ok(Html(page.render()?).into_response())
}

#[derive(Deserialize)]
pub struct FeedbackForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    verdict: String,
    #[serde(default)]
    comment: String,
}

/// Records the reader's verdict, once per reader (a new verdict replaces the old one).
pub async fn feedback(
    State(state): State<AppState>,
    centre: HelpCentre,
    Path((_, slug)): Path<(String, String)>,
    client: super::auth::ClientAddress,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: FeedbackForm = parse_form(&body)?;
    check_csrf(&centre.page.csrf, form.csrf.as_deref())?;
    crate::limits::check_page(&state, crate::limits::KB_FEEDBACK, centre.org.id, &client.0).await?;
    let tr = *centre.tr();
    let verdict: FeedbackVerdict = form
        .verdict
        .parse()
        .map_err(|_| PageError::rejected(tr.t("kb-error-verdict")))?;
    let comment = match form.comment.trim() {
        "" => None,
        text => Some(FeedbackComment::parse(text).map_err(|_| {
            PageError::rejected(tr.n("kb-error-comment", FeedbackComment::MAX_CHARS))
        })?),
    };
    let article = readable_article(&state, &centre.org, &slug, None).await?;
    let existing = cookie_value(&headers, READER_COOKIE).filter(|reader| reader.len() >= 32);
    let reader = existing.clone().unwrap_or_else(secrets::generate_token);
    state
        .store
        .record_kb_feedback(
            centre.org.id,
            article.id,
            &secrets::token_digest(&reader),
            verdict,
            comment.as_ref(),
            state.clock.now(),
        )
        .await?;
    let mut response = done(
        article_href(&centre.org, &article.slug),
        "feedback#feedback",
    );
    if existing.is_none() {
        append_cookie(
            response.headers_mut(),
            &centre
                .page
                .cookies
                .build(READER_COOKIE, reader, READER_COOKIE_DAYS * 86_400),
        );
    }
    Ok(response)
}

#[derive(Deserialize)]
pub struct SolvedForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    visit: String,
}

/// The requester says the article answered them and they need not submit the ticket: the
/// visit is recorded as deflected, and they are thanked.
pub async fn solved(
    State(state): State<AppState>,
    centre: HelpCentre,
    Path((_, slug)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: SolvedForm = parse_form(&body)?;
    check_csrf(&centre.page.csrf, form.csrf.as_deref())?;
    let article = readable_article(&state, &centre.org, &slug, None).await?;
    let visit = visit_digest(Some(&form.visit))
        .ok_or_else(|| PageError::rejected(centre.tr().t("kb-error-visit")))?;
    state
        .store
        .record_kb_suggestion_outcome(
            centre.org.id,
            &visit,
            Some(article.id),
            SuggestionOutcome::Deflected,
            state.clock.now(),
        )
        .await?;
    Ok(done(
        article_href(&centre.org, &article.slug),
        "solved#solved",
    ))
}

/// A file of an article. Files of drafts and archived articles are served only to the
/// organization's staff; pictures are shown in the page, everything else is downloaded.
pub async fn file(
    State(state): State<AppState>,
    centre: HelpCentre,
    Path((_, id, _)): Path<(String, i64, String)>,
    parts: Parts,
) -> Result<Response, PageError> {
    let (attachment, article) = state
        .store
        .kb_attachment(centre.org.id, id)
        .await?
        .ok_or(PageError::NotFound)?;
    if article.status != ArticleStatus::Published
        && staff_on_public_page(&parts, &state).await.is_none()
    {
        return Err(PageError::NotFound);
    }
    let bytes = state
        .store
        .attachments()
        .get(&attachment.storage_key)
        .await?;
    let inline = matches!(
        attachment.content_type.as_str(),
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    );
    let disposition = format!(
        "{}; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        form_urlencoded_component(&attachment.filename)
    );
    Ok((
        [
            (header::CONTENT_TYPE, attachment.content_type),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

// ---- suggestions beside the new-ticket form ----------------------------------------------------

#[derive(Template)]
#[template(path = "ui/kb_suggestions.html")]
struct SuggestionList {
    tr: Tr,
    lines: Vec<ArticleLine>,
}

#[derive(Deserialize, Default)]
pub struct SuggestQuery {
    q: Option<String>,
    subject: Option<String>,
    body: Option<String>,
    visit: Option<String>,
    /// The visit token as the form names it (htmx sends the form's fields by their names).
    kb_visit: Option<String>,
}

/// What suggestions are looked up by: `q`, or the subject completed from the beginning of the
/// description while the subject is short.
fn suggestion_text(query: &SuggestQuery) -> String {
    if let Some(q) = given(&query.q) {
        return q.to_owned();
    }
    let mut words: Vec<&str> = query
        .subject
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    if words.len() < 3 {
        words.extend(
            query
                .body
                .as_deref()
                .unwrap_or_default()
                .split_whitespace()
                .take(SUGGESTION_WORDS.saturating_sub(words.len())),
        );
    }
    words.truncate(SUGGESTION_WORDS);
    words.join(" ")
}

/// Up to five published articles for what the requester is typing, those in the page's
/// language first; each listed article is recorded as shown once per visit. Without a usable
/// query the list is empty (and the slot hidden).
pub async fn suggest(
    State(state): State<AppState>,
    centre: HelpCentre,
    Query(query): Query<SuggestQuery>,
) -> Result<Html<String>, PageError> {
    let tr = *centre.tr();
    let typed = suggestion_text(&query);
    let hits = state
        .store
        .suggest_kb_articles(
            centre.org.id,
            &typed,
            article_language(tr.lang),
            SUGGESTIONS_SHOWN,
        )
        .await?;
    let raw_visit = given(&query.visit)
        .or(given(&query.kb_visit))
        .map(str::to_owned);
    if let Some(visit) = visit_digest(raw_visit.as_deref())
        && !hits.is_empty()
    {
        let ids: Vec<i64> = hits.iter().map(|hit| hit.id).collect();
        state
            .store
            .record_kb_suggestions_shown(centre.org.id, &visit, &ids, &typed, state.clock.now())
            .await?;
    }
    let visit_part = raw_visit
        .as_deref()
        .map(|visit| format!("&visit={}", form_urlencoded_component(visit)))
        .unwrap_or_default();
    let lines = hits
        .into_iter()
        .map(|hit| {
            let href = format!(
                "{}?from=suggestion{visit_part}",
                article_href(&centre.org, &hit.slug)
            );
            line_for_hit(&tr, hit, href)
        })
        .collect();
    Ok(Html(SuggestionList { tr, lines }.render()?))
}

// ---- the editors' list -------------------------------------------------------------------------

fn language_choices(tr: &Tr, selected: &str) -> Vec<Choice> {
    let languages = ArticleLanguage::ALL
        .iter()
        .map(|language| language.as_str());
    translated_choices(tr, "kb-language", languages, selected)
}

fn category_choices(tr: &Tr, categories: &[KbCategory], selected: &str) -> Vec<Choice> {
    categories
        .iter()
        .filter(|category| !category.archived || category.code == selected)
        .map(|category| Choice {
            value: category.code.clone(),
            label: tr
                .lang
                .pick(&category.name_ar, &category.name_en)
                .to_owned(),
            selected: category.code == selected,
        })
        .collect()
}

pub struct EditorLine {
    pub href: String,
    pub public_href: String,
    pub title: String,
    pub lang: &'static str,
    pub dir: &'static str,
    pub language: String,
    pub status: String,
    pub status_class: &'static str,
    pub category: String,
    pub translation: String,
    pub translation_href: String,
    pub helpful: i64,
    pub not_helpful: i64,
    pub suggested: i64,
    pub opened: i64,
    pub deflected: i64,
    pub updated: String,
}

#[derive(Template)]
#[template(path = "ui/kb_desk_list.html")]
struct EditorListPage {
    chrome: Chrome,
    action: String,
    text: String,
    problem: String,
    statuses: Vec<Choice>,
    languages: Vec<Choice>,
    categories: Vec<Choice>,
    lines: Vec<EditorLine>,
    deflection: String,
    deflection_detail: String,
    may_write: bool,
    may_publish: bool,
    new_href: String,
    categories_href: String,
    help_centre_href: String,
}

#[derive(Deserialize, Default)]
pub struct EditorListQuery {
    q: Option<String>,
    status: Option<String>,
    language: Option<String>,
    category: Option<String>,
}

/// Every article with its figures, filtered by status, language and category, or found by a
/// search (drafts included); and how many visits of the new-ticket form the suggestions saved.
pub async fn desk_list(
    State(state): State<AppState>,
    staff: StaffContext,
    Query(query): Query<EditorListQuery>,
) -> Result<Html<String>, PageError> {
    let tr = *staff.tr();
    let org = &staff.org;
    let zone = &staff.zone;
    let filter = KbArticleFilter {
        status: given(&query.status).and_then(|value| value.parse().ok()),
        language: given(&query.language).and_then(|value| value.parse().ok()),
        category: given(&query.category).and_then(|value| KbCategoryCode::parse(value).ok()),
    };
    let mut listings = state.store.kb_article_listings(org.id, &filter).await?;
    let text = given(&query.q).unwrap_or_default().to_owned();
    let mut problem = String::new();
    if !text.is_empty() {
        match SearchQuery::parse(&text) {
            Ok(search) => {
                let hits = state
                    .store
                    .search_articles(org.id, &ArticleAudience::Editors, &search, EDITOR_RESULTS)
                    .await?;
                // Best match first, within the filters.
                let mut found = Vec::with_capacity(hits.len());
                for hit in &hits {
                    if let Some(index) = listings.iter().position(|line| line.article.id == hit.id)
                    {
                        found.push(listings.swap_remove(index));
                    }
                }
                listings = found;
            }
            Err(error) => {
                problem = search_problem(&tr, &error);
                listings.clear();
            }
        }
    }
    let categories = state.store.kb_categories(org.id).await?;
    let category_name = |code: &Option<String>| {
        code.as_deref()
            .and_then(|code| categories.iter().find(|category| category.code == code))
            .map(|category| {
                tr.lang
                    .pick(&category.name_ar, &category.name_en)
                    .to_owned()
            })
            .unwrap_or_default()
    };
    let lines = listings
        .into_iter()
        .map(|line| {
            let lang = page_language(line.article.language);
            EditorLine {
                href: editor_href(org, line.article.id),
                public_href: if line.article.status == ArticleStatus::Published {
                    article_href(org, &line.article.slug)
                } else {
                    String::new()
                },
                title: line.article.title.clone(),
                lang: lang.code(),
                dir: lang.dir(),
                language: tr.value("kb-language", line.article.language.as_str()),
                status: tr.value("kb-status", line.article.status.as_str()),
                status_class: status_class(line.article.status),
                category: category_name(&line.category_code),
                translation: line
                    .translation
                    .as_ref()
                    .map(|other| other.title.clone())
                    .unwrap_or_default(),
                translation_href: line
                    .translation
                    .as_ref()
                    .map(|other| editor_href(org, other.id))
                    .unwrap_or_default(),
                helpful: line.figures.helpful,
                not_helpful: line.figures.not_helpful,
                suggested: line.figures.suggested,
                opened: line.figures.opened,
                deflected: line.figures.deflected,
                updated: short_date(line.updated_at, zone),
            }
        })
        .collect();
    let now = state.clock.now();
    let deflection = state
        .store
        .kb_deflection(
            org.id,
            now - jiff::SignedDuration::from_hours(24 * DEFLECTION_DAYS),
        )
        .await?;
    let access = access(&staff);
    let selected = |value: &Option<String>| given(value).unwrap_or_default().to_owned();
    let page = EditorListPage {
        chrome: chrome::desk(&staff, tr.t("kb-desk-title"), "kb"),
        action: format!("/o/{}/desk/kb", org.slug),
        text,
        problem,
        statuses: translated_choices(
            &tr,
            "kb-status",
            ArticleStatus::ALL.iter().map(|status| status.as_str()),
            &selected(&query.status),
        ),
        languages: language_choices(&tr, &selected(&query.language)),
        categories: category_choices(&tr, &categories, &selected(&query.category)),
        lines,
        deflection: match deflection.percent() {
            Some(percent) => tr.t1("kb-deflection-percent", "percent", &percent.to_string()),
            None => tr.t("kb-deflection-none"),
        },
        deflection_detail: tr.n1(
            "kb-deflection-detail",
            deflection.visits_with_suggestions,
            "deflected",
            &deflection.deflected_visits.to_string(),
        ),
        may_write: access.may_write_drafts(),
        may_publish: access.may_publish(),
        new_href: format!("/o/{}/desk/kb/new", org.slug),
        categories_href: format!("/o/{}/desk/kb/categories", org.slug),
        help_centre_href: help_centre_href(org),
    };
    Ok(Html(page.render()?))
}

// ---- writing an article ------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub struct ArticleValues {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub status: String,
}

impl ArticleValues {
    fn of(article: &KbArticle) -> ArticleValues {
        ArticleValues {
            csrf: None,
            title: article.title.clone(),
            slug: article.slug.clone(),
            language: article.language.as_str().to_owned(),
            category: article.category_code.clone().unwrap_or_default(),
            body: article.body.clone(),
            status: article.status.as_str().to_owned(),
        }
    }
}

pub struct AttachmentEditLine {
    pub href: String,
    pub filename: String,
    pub size: String,
    /// The Markdown that shows (a picture) or links (another file) it in the body.
    pub markdown: String,
    pub remove_action: String,
}

pub struct FeedbackLine {
    pub verdict: String,
    pub comment: String,
    pub at: String,
}

/// What only an existing article's page shows.
pub struct ExistingArticle {
    pub public_href: String,
    pub preview_href: String,
    pub status: String,
    pub status_class: &'static str,
    pub status_action: String,
    pub status_moves: Vec<Choice>,
    pub translation_action: String,
    pub translation: Option<Choice>,
    pub translation_href: String,
    pub candidates: Vec<Choice>,
    pub attachments_action: String,
    pub attachments: Vec<AttachmentEditLine>,
    pub figures: sanad_store::KbArticleFigures,
    pub comments: Vec<FeedbackLine>,
    pub preview_html: String,
}

#[derive(Template)]
#[template(path = "ui/kb_desk_edit.html")]
struct ArticleEditPage {
    chrome: Chrome,
    list_href: String,
    action: String,
    values: ArticleValues,
    errors: FieldErrors,
    languages: Vec<Choice>,
    categories: Vec<Choice>,
    statuses: Vec<Choice>,
    /// Whether the form can be sent: publishers change any article, writers of drafts only
    /// drafts, everyone else reads.
    may_change: bool,
    may_write: bool,
    existing: Option<ExistingArticle>,
    flash: String,
    max_files: usize,
    max_megabytes: usize,
    accept: String,
}

/// The statuses an article's form offers: its own, and the moves this staff member may make.
fn status_choices(
    tr: &Tr,
    current: Option<ArticleStatus>,
    access: KnowledgeAccess,
    selected: &str,
) -> Vec<Choice> {
    let from = current.unwrap_or(ArticleStatus::Draft);
    let statuses = std::iter::once(from)
        .chain(from.next_statuses().iter().copied())
        .filter(|status| *status == from || *status == ArticleStatus::Draft || access.may_publish())
        .filter(|status| current.is_some() || *status != ArticleStatus::Archived);
    translated_choices(
        tr,
        "kb-status",
        statuses.map(ArticleStatus::as_str),
        selected,
    )
}

async fn edit_page(
    state: &AppState,
    staff: &StaffContext,
    article: Option<&KbArticle>,
    values: ArticleValues,
    errors: FieldErrors,
    flash: String,
) -> Result<ArticleEditPage, PageError> {
    let tr = *staff.tr();
    let org = &staff.org;
    let access = access(staff);
    let categories = state.store.kb_categories(org.id).await?;
    let existing = match article {
        None => None,
        Some(article) => {
            let attachments = state.store.kb_attachments(org.id, article.id).await?;
            let candidates = state
                .store
                .kb_translation_candidates(org.id, article.id)
                .await?;
            let figures = state.store.kb_article_figures(org.id, article.id).await?;
            let comments = state
                .store
                .kb_feedback_comments(org.id, article.id, FEEDBACK_COMMENTS_SHOWN)
                .await?;
            let base = editor_href(org, article.id);
            Some(ExistingArticle {
                public_href: if article.status == ArticleStatus::Published {
                    article_href(org, &article.slug)
                } else {
                    String::new()
                },
                preview_href: article_href(org, &article.slug),
                status: tr.value("kb-status", article.status.as_str()),
                status_class: status_class(article.status),
                status_action: format!("{base}/status"),
                status_moves: article
                    .status
                    .next_statuses()
                    .iter()
                    .filter(|_| access.may_publish())
                    .map(|status| Choice {
                        value: status.as_str().to_owned(),
                        label: tr.value("kb-move", status.as_str()),
                        selected: false,
                    })
                    .collect(),
                translation_action: format!("{base}/translation"),
                translation: article.translation.as_ref().map(|other| Choice {
                    value: other.id.to_string(),
                    label: other.title.clone(),
                    selected: true,
                }),
                translation_href: article
                    .translation
                    .as_ref()
                    .map(|other| editor_href(org, other.id))
                    .unwrap_or_default(),
                candidates: candidates
                    .into_iter()
                    .map(|candidate| Choice {
                        value: candidate.id.to_string(),
                        label: format!(
                            "{} ({})",
                            candidate.title,
                            tr.value("kb-status", candidate.status.as_str())
                        ),
                        selected: false,
                    })
                    .collect(),
                attachments_action: format!("{base}/attachments"),
                attachments: attachments
                    .into_iter()
                    .map(|attachment| {
                        let href = file_href(org, attachment.id, &attachment.filename);
                        let picture = attachment.content_type.starts_with("image/");
                        AttachmentEditLine {
                            markdown: if picture {
                                markdown_image(&attachment.filename, &href)
                            } else {
                                markdown_link(&attachment.filename, &href)
                            },
                            remove_action: format!("{base}/attachments/{}/remove", attachment.id),
                            size: size_text(&tr, attachment.size_bytes),
                            filename: attachment.filename,
                            href,
                        }
                    })
                    .collect(),
                figures,
                comments: comments
                    .into_iter()
                    .map(|record| FeedbackLine {
                        verdict: tr.value("kb-verdict", record.verdict.as_str()),
                        comment: record.comment.unwrap_or_default(),
                        at: short_date(record.at, &staff.zone),
                    })
                    .collect(),
                preview_html: article_html(&article.body),
            })
        }
    };
    let may_change = match article {
        Some(article) => may_change_article(access, article.status),
        None => access.may_write_drafts(),
    };
    let statuses = status_choices(
        &tr,
        article.map(|article| article.status),
        access,
        &values.status,
    );
    Ok(ArticleEditPage {
        chrome: chrome::desk(
            staff,
            match article {
                Some(article) => article.title.clone(),
                None => tr.t("kb-new-article"),
            },
            "kb",
        ),
        list_href: format!("/o/{}/desk/kb", org.slug),
        action: match article {
            Some(article) => editor_href(org, article.id),
            None => format!("/o/{}/desk/kb/new", org.slug),
        },
        languages: language_choices(&tr, &values.language),
        categories: category_choices(&tr, &categories, &values.category),
        statuses,
        values,
        errors,
        may_change,
        may_write: access.may_write_drafts(),
        existing,
        flash,
        max_files: crate::dto::MAX_ATTACHMENTS,
        max_megabytes: crate::dto::MAX_ATTACHMENT_BYTES / (1024 * 1024),
        accept: super::portal::ACCEPTED_ATTACHMENT_TYPES.join(","),
    })
}

/// The confirmation for `?done=…` on an article's page; unknown values show nothing.
fn flash(tr: &Tr, done: Option<&str>) -> String {
    match done {
        Some(
            what
            @ ("created" | "saved" | "status" | "linked" | "unlinked" | "uploaded" | "removed"),
        ) => tr.t(&format!("kb-flash-{what}")),
        _ => String::new(),
    }
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn new_article_form(
    State(state): State<AppState>,
    staff: StaffContext,
) -> Result<Html<String>, PageError> {
    require(access(&staff).may_write_drafts())?;
    let values = ArticleValues {
        language: article_language(staff.tr().lang).as_str().to_owned(),
        status: ArticleStatus::Draft.as_str().to_owned(),
        ..ArticleValues::default()
    };
    let page = edit_page(
        &state,
        &staff,
        None,
        values,
        FieldErrors::default(),
        String::new(),
    )
    .await?;
    Ok(Html(page.render()?))
}

async fn article_of_staff(
    state: &AppState,
    staff: &StaffContext,
    id: i64,
) -> Result<KbArticle, PageError> {
    state
        .store
        .kb_article(staff.org.id, id)
        .await?
        .ok_or(PageError::NotFound)
}

pub async fn edit_article_form(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, id)): Path<(String, i64)>,
    Query(query): Query<DoneQuery>,
) -> Result<Html<String>, PageError> {
    let article = article_of_staff(&state, &staff, id).await?;
    let flash = flash(staff.tr(), given(&query.done));
    let page = edit_page(
        &state,
        &staff,
        Some(&article),
        ArticleValues::of(&article),
        FieldErrors::default(),
        flash,
    )
    .await?;
    Ok(Html(page.render()?))
}

/// An article form checked field by field, every problem reported beside its field; then the
/// checks that need the stored articles (the address is free, the status may move, a linked
/// article keeps its language).
async fn parse_article(
    state: &AppState,
    staff: &StaffContext,
    values: &ArticleValues,
    current: Option<&KbArticle>,
) -> Result<KbArticleInput, FieldErrors> {
    let tr = staff.tr();
    let mut errors = FieldErrors::default();
    let title = ArticleTitle::parse(&values.title)
        .map_err(|_| errors.add("title", tr.n("kb-error-title", ArticleTitle::MAX_CHARS)))
        .ok();
    let slug = match values.slug.trim() {
        "" => None,
        raw => match ArticleSlug::parse(raw) {
            Ok(slug) => Some(slug),
            Err(KnowledgeError::ReservedSlug(_)) => {
                errors.add("slug", tr.t("kb-error-slug-reserved"));
                None
            }
            Err(_) => {
                errors.add("slug", tr.t("kb-error-slug"));
                None
            }
        },
    };
    let language = values
        .language
        .parse::<ArticleLanguage>()
        .map_err(|_| errors.add("language", tr.t("kb-error-language")))
        .ok();
    let category = match values.category.trim() {
        "" => None,
        raw => KbCategoryCode::parse(raw)
            .map_err(|_| errors.add("category", tr.t("kb-error-category")))
            .ok(),
    };
    let body = ArticleBody::parse(&values.body)
        .map_err(|_| errors.add("body", tr.n("kb-error-body", ArticleBody::MAX_CHARS)))
        .ok();
    let status = values
        .status
        .parse::<ArticleStatus>()
        .map_err(|_| errors.add("status", tr.t("kb-error-status")))
        .ok();
    if let Some(status) = status {
        let from = current.map_or(ArticleStatus::Draft, |article| article.status);
        if from.check_transition(status).is_err() {
            errors.add("status", tr.t("kb-error-status"));
        }
    }
    if let (Some(language), Some(current)) = (language, current)
        && language != current.language
        && current.translation.is_some()
    {
        errors.add("language", tr.t("kb-error-language-linked"));
    }
    if let Some(slug) = &slug {
        match state
            .store
            .kb_article_by_slug(staff.org.id, slug.as_str())
            .await
        {
            Ok(Some(other)) if current.is_none_or(|current| current.id != other.id) => {
                errors.add("slug", tr.t("kb-error-slug-taken"));
            }
            Ok(_) => {}
            Err(_) => errors.add("slug", tr.t("kb-error-unavailable")),
        }
    }
    if let Some(category) = &category {
        match state.store.kb_categories(staff.org.id).await {
            Ok(categories) => {
                let usable = categories.iter().any(|known| {
                    known.code == category.as_str()
                        && (!known.archived
                            || current.is_some_and(|current| current.category_id == Some(known.id)))
                });
                if !usable {
                    errors.add("category", tr.t("kb-error-category"));
                }
            }
            Err(_) => errors.add("category", tr.t("kb-error-unavailable")),
        }
    }
    match (title, language, body, status) {
        (Some(title), Some(language), Some(body), Some(status)) if errors.is_empty() => {
            Ok(KbArticleInput {
                slug,
                language,
                title,
                body,
                category,
                status,
            })
        }
        _ => Err(errors),
    }
}

async fn invalid_article(
    state: &AppState,
    staff: &StaffContext,
    article: Option<&KbArticle>,
    values: ArticleValues,
    errors: FieldErrors,
) -> Result<Response, PageError> {
    let page = edit_page(state, staff, article, values, errors, String::new()).await?;
    Ok(unprocessable(page.render()?))
}

pub async fn create_article(
    State(state): State<AppState>,
    staff: StaffContext,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let values: ArticleValues = parse_form(&body)?;
    check_csrf(&staff.page.csrf, values.csrf.as_deref())?;
    let access = access(&staff);
    require(access.may_write_drafts())?;
    let input = match parse_article(&state, &staff, &values, None).await {
        Ok(input) => input,
        Err(errors) => return invalid_article(&state, &staff, None, values, errors).await,
    };
    require(input.status == ArticleStatus::Draft || access.may_publish())?;
    let created = state
        .store
        .create_kb_article(staff.org.id, &input, Some(staff.user.id), state.clock.now())
        .await?;
    Ok(done(editor_href(&staff.org, created.id), "created"))
}

pub async fn save_article(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, id)): Path<(String, i64)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let values: ArticleValues = parse_form(&body)?;
    check_csrf(&staff.page.csrf, values.csrf.as_deref())?;
    let article = article_of_staff(&state, &staff, id).await?;
    let access = access(&staff);
    require(may_change_article(access, article.status))?;
    let input = match parse_article(&state, &staff, &values, Some(&article)).await {
        Ok(input) => input,
        Err(errors) => {
            return invalid_article(&state, &staff, Some(&article), values, errors).await;
        }
    };
    require(input.status == ArticleStatus::Draft || access.may_publish())?;
    state
        .store
        .update_kb_article(staff.org.id, id, &input, state.clock.now())
        .await?;
    Ok(done(editor_href(&staff.org, id), "saved"))
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    to: String,
}

/// Publishes, unpublishes, archives or restores an article: only publishers change what the
/// public reads.
pub async fn change_status(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, id)): Path<(String, i64)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: StatusForm = parse_form(&body)?;
    check_csrf(&staff.page.csrf, form.csrf.as_deref())?;
    require(access(&staff).may_publish())?;
    let to: ArticleStatus = form
        .to
        .parse()
        .map_err(|_| PageError::rejected(staff.tr().t("kb-error-status")))?;
    let article = article_of_staff(&state, &staff, id).await?;
    if article.status.check_transition(to).is_err() {
        return Err(PageError::Rejected {
            status: StatusCode::CONFLICT,
            detail: staff.tr().t("kb-error-status"),
        });
    }
    state
        .store
        .set_kb_article_status(staff.org.id, id, to, state.clock.now())
        .await?;
    Ok(done(editor_href(&staff.org, id), "status"))
}

/// What the translation form asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TranslationAction {
    Link(i64),
    Unlink,
}

#[derive(Deserialize)]
pub struct TranslationForm {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    action: String,
    #[serde(default)]
    other: String,
}

/// Links an article to its translation in the other language, or unlinks the pair. A link
/// shows on the public pages once both are published, so changing a published article's link
/// takes a publisher.
pub async fn change_translation(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, id)): Path<(String, i64)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let form: TranslationForm = parse_form(&body)?;
    check_csrf(&staff.page.csrf, form.csrf.as_deref())?;
    // Permission before validation: someone who may not change the article learns nothing
    // from how the form was filled in.
    let article = article_of_staff(&state, &staff, id).await?;
    let access = access(&staff);
    require(may_change_article(access, article.status))?;
    let tr = *staff.tr();
    let action = match (form.action.as_str(), form.other.trim().parse::<i64>()) {
        ("link", Ok(other)) => TranslationAction::Link(other),
        ("unlink", _) => TranslationAction::Unlink,
        _ => return Err(PageError::rejected(tr.t("kb-error-translation-choose"))),
    };
    let now = state.clock.now();
    match action {
        TranslationAction::Link(other_id) => {
            let other = article_of_staff(&state, &staff, other_id).await?;
            require(may_change_article(access, other.status))?;
            match state
                .store
                .link_kb_translation(staff.org.id, id, other_id, now)
                .await
            {
                Ok(()) => {}
                Err(StoreError::Invalid(_) | StoreError::Conflict(_)) => {
                    return Err(PageError::Rejected {
                        status: StatusCode::CONFLICT,
                        detail: tr.t("kb-error-translation"),
                    });
                }
                Err(error) => return Err(error.into()),
            }
            Ok(done(editor_href(&staff.org, id), "linked"))
        }
        TranslationAction::Unlink => {
            if let Some(other) = &article.translation {
                require(may_change_article(access, other.status))?;
            }
            state
                .store
                .unlink_kb_translation(staff.org.id, id, now)
                .await?;
            Ok(done(editor_href(&staff.org, id), "unlinked"))
        }
    }
}

/// Attaches files to an article, within the portal's limits of count, size and type.
pub async fn upload_attachments(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, id)): Path<(String, i64)>,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let form = MultipartForm::read(multipart).await?;
    check_csrf(&staff.page.csrf, form.text("_csrf"))?;
    let article = article_of_staff(&state, &staff, id).await?;
    require(may_change_article(access(&staff), article.status))?;
    let tr = *staff.tr();
    let mut errors = FieldErrors::default();
    let files = check_uploads(form.files, &mut errors, &tr);
    if !errors.is_empty() {
        return Err(PageError::rejected(errors.joined()));
    }
    if files.is_empty() {
        return Err(PageError::rejected(tr.t("kb-error-no-file")));
    }
    state
        .store
        .add_kb_attachments(staff.org.id, id, &files, state.clock.now())
        .await?;
    Ok(done(editor_href(&staff.org, id), "uploaded#attachments"))
}

pub async fn remove_attachment(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, id, attachment)): Path<(String, i64, i64)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    check_csrf_only(&staff.page.csrf, &body)?;
    let article = article_of_staff(&state, &staff, id).await?;
    require(may_change_article(access(&staff), article.status))?;
    state
        .store
        .remove_kb_attachment(staff.org.id, id, attachment)
        .await?;
    Ok(done(editor_href(&staff.org, id), "removed#attachments"))
}

// ---- categories --------------------------------------------------------------------------------

#[derive(Deserialize, Default, Clone)]
pub struct CategoryValues {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name_ar: String,
    #[serde(default)]
    pub name_en: String,
    #[serde(default)]
    pub position: String,
}

pub struct CategoryRow {
    pub code: String,
    pub values: CategoryValues,
    pub archived: bool,
    pub action: String,
    pub archive_action: String,
    pub errors: FieldErrors,
}

#[derive(Template)]
#[template(path = "ui/kb_desk_categories.html")]
struct CategoriesPage {
    chrome: Chrome,
    list_href: String,
    action: String,
    rows: Vec<CategoryRow>,
    new: CategoryValues,
    new_errors: FieldErrors,
    flash: String,
}

fn parse_category(tr: &Tr, values: &CategoryValues) -> Result<KbCategoryInput, FieldErrors> {
    let mut errors = FieldErrors::default();
    let name_ar = KbCategoryName::parse(&values.name_ar)
        .map_err(|_| {
            errors.add(
                "name_ar",
                tr.n("kb-error-category-name", KbCategoryName::MAX_CHARS),
            )
        })
        .ok();
    let name_en = KbCategoryName::parse(&values.name_en)
        .map_err(|_| {
            errors.add(
                "name_en",
                tr.n("kb-error-category-name", KbCategoryName::MAX_CHARS),
            )
        })
        .ok();
    let position = match values.position.trim() {
        "" => Some(0),
        raw => raw
            .parse::<i64>()
            .ok()
            .filter(|position| (0..=9_999).contains(position))
            .or_else(|| {
                errors.add("position", tr.t("kb-error-position"));
                None
            }),
    };
    match (name_ar, name_en, position) {
        (Some(name_ar), Some(name_en), Some(position)) if errors.is_empty() => {
            Ok(KbCategoryInput {
                name_ar,
                name_en,
                position,
            })
        }
        _ => Err(errors),
    }
}

async fn categories_page(
    state: &AppState,
    staff: &StaffContext,
    new: CategoryValues,
    new_errors: FieldErrors,
    failed: Option<(String, CategoryValues, FieldErrors)>,
    flash: String,
) -> Result<CategoriesPage, PageError> {
    let tr = *staff.tr();
    let base = categories_href(&staff.org);
    let mut failed = failed;
    let rows = state
        .store
        .kb_categories(staff.org.id)
        .await?
        .into_iter()
        .map(|category| {
            let (values, errors) = match failed.take() {
                Some((code, values, errors)) if code == category.code => (values, errors),
                other => {
                    failed = other;
                    (
                        CategoryValues {
                            csrf: None,
                            code: category.code.clone(),
                            name_ar: category.name_ar.clone(),
                            name_en: category.name_en.clone(),
                            position: category.position.to_string(),
                        },
                        FieldErrors::default(),
                    )
                }
            };
            CategoryRow {
                action: format!("{base}/{}", category.code),
                archive_action: format!("{base}/{}/archive", category.code),
                code: category.code,
                values,
                archived: category.archived,
                errors,
            }
        })
        .collect();
    Ok(CategoriesPage {
        chrome: chrome::desk(staff, tr.t("kb-categories-title"), "kb"),
        list_href: format!("/o/{}/desk/kb", staff.org.slug),
        action: base,
        rows,
        new,
        new_errors,
        flash,
    })
}

pub async fn categories(
    State(state): State<AppState>,
    staff: StaffContext,
    Query(query): Query<DoneQuery>,
) -> Result<Html<String>, PageError> {
    require(access(&staff).may_publish())?;
    let flash = match given(&query.done) {
        Some(what @ ("created" | "saved" | "archived")) => {
            staff.tr().t(&format!("kb-category-flash-{what}"))
        }
        _ => String::new(),
    };
    let page = categories_page(
        &state,
        &staff,
        CategoryValues::default(),
        FieldErrors::default(),
        None,
        flash,
    )
    .await?;
    Ok(Html(page.render()?))
}

pub async fn category_create(
    State(state): State<AppState>,
    staff: StaffContext,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let values: CategoryValues = parse_form(&body)?;
    check_csrf(&staff.page.csrf, values.csrf.as_deref())?;
    require(access(&staff).may_publish())?;
    let tr = *staff.tr();
    let code = KbCategoryCode::parse(values.code.trim());
    let parsed = parse_category(&tr, &values);
    let (code, input) = match (code, parsed) {
        (Ok(code), Ok(input)) => (code, input),
        (code, parsed) => {
            let mut errors = parsed.err().unwrap_or_default();
            if code.is_err() {
                errors.add("code", tr.t("kb-error-category-code"));
            }
            let page = categories_page(&state, &staff, values, errors, None, String::new()).await?;
            return Ok(unprocessable(page.render()?));
        }
    };
    match state
        .store
        .create_kb_category(staff.org.id, &code, &input, state.clock.now())
        .await
    {
        Ok(_) => Ok(done(categories_href(&staff.org), "created")),
        Err(StoreError::Conflict(_)) => {
            let mut errors = FieldErrors::default();
            errors.add("code", tr.t("kb-error-category-code-taken"));
            let page = categories_page(&state, &staff, values, errors, None, String::new()).await?;
            Ok(unprocessable(page.render()?))
        }
        Err(error) => Err(error.into()),
    }
}

pub async fn category_update(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, code)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    let values: CategoryValues = parse_form(&body)?;
    check_csrf(&staff.page.csrf, values.csrf.as_deref())?;
    require(access(&staff).may_publish())?;
    let input = match parse_category(staff.tr(), &values) {
        Ok(input) => input,
        Err(errors) => {
            let page = categories_page(
                &state,
                &staff,
                CategoryValues::default(),
                FieldErrors::default(),
                Some((code, values, errors)),
                String::new(),
            )
            .await?;
            return Ok(unprocessable(page.render()?));
        }
    };
    state
        .store
        .update_kb_category(staff.org.id, &code, &input)
        .await?;
    Ok(done(categories_href(&staff.org), "saved"))
}

pub async fn category_archive(
    State(state): State<AppState>,
    staff: StaffContext,
    Path((_, code)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Response, PageError> {
    check_csrf_only(&staff.page.csrf, &body)?;
    require(access(&staff).may_publish())?;
    state
        .store
        .archive_kb_category(staff.org.id, &code, state.clock.now())
        .await?;
    Ok(done(categories_href(&staff.org), "archived"))
}

// ---- links in replies ----------------------------------------------------------------------------

/// A published article an agent can put in a reply: its Markdown link, with the public address
/// the requester opens.
pub struct PickerLine {
    pub title: String,
    pub lang: &'static str,
    pub dir: &'static str,
    pub language: String,
    pub url: String,
    pub markdown: String,
}

#[derive(Template)]
#[template(path = "ui/kb_picker.html")]
struct PickerResults {
    tr: Tr,
    asked: String,
    problem: String,
    lines: Vec<PickerLine>,
}

#[derive(Template)]
#[template(path = "ui/kb_desk_links.html")]
struct LinksPage {
    chrome: Chrome,
    action: String,
    text: String,
    ticket_href: String,
    ticket: String,
    results: PickerResults,
}

#[derive(Deserialize, Default)]
pub struct PickerQuery {
    q: Option<String>,
    ticket: Option<String>,
}

/// The published articles matching what an agent typed, as links to put in a reply. Editors'
/// search finds drafts too, but only published articles can be opened by a requester, so only
/// those are offered.
async fn picker_results(
    state: &AppState,
    staff: &StaffContext,
    public_url: &PublicUrl,
    asked: &str,
) -> Result<PickerResults, PageError> {
    let tr = *staff.tr();
    let mut results = PickerResults {
        tr,
        asked: asked.to_owned(),
        problem: String::new(),
        lines: Vec::new(),
    };
    if asked.is_empty() {
        return Ok(results);
    }
    let query = match SearchQuery::parse(asked) {
        Ok(query) => query,
        Err(error) => {
            results.problem = search_problem(&tr, &error);
            return Ok(results);
        }
    };
    let hits = state
        .store
        .search_articles(
            staff.org.id,
            &ArticleAudience::Editors,
            &query,
            EDITOR_RESULTS,
        )
        .await?;
    let base = public_url.0.trim_end_matches('/');
    results.lines = hits
        .into_iter()
        .filter(|hit| hit.status == ArticleStatus::Published.as_str())
        .take(PICKER_RESULTS as usize)
        .map(|hit| {
            let language = hit.language.parse().unwrap_or(ArticleLanguage::Ar);
            let lang = page_language(language);
            let url = format!("{base}{}", article_href(&staff.org, &hit.slug));
            PickerLine {
                markdown: markdown_link(&hit.title, &url),
                title: hit.title,
                lang: lang.code(),
                dir: lang.dir(),
                language: tr.value("kb-language", language.as_str()),
                url,
            }
        })
        .collect();
    Ok(results)
}

/// The reply form's article picker, as the agent types (htmx).
pub async fn picker(
    State(state): State<AppState>,
    staff: StaffContext,
    axum::Extension(public_url): axum::Extension<PublicUrl>,
    Query(query): Query<PickerQuery>,
) -> Result<Html<String>, PageError> {
    let asked = given(&query.q).unwrap_or_default().to_owned();
    let results = picker_results(&state, &staff, &public_url, &asked).await?;
    Ok(Html(results.render()?))
}

/// The same links on a page of their own, for an agent without JavaScript: they copy a link and
/// go back to the ticket.
pub async fn links(
    State(state): State<AppState>,
    staff: StaffContext,
    axum::Extension(public_url): axum::Extension<PublicUrl>,
    Query(query): Query<PickerQuery>,
) -> Result<Html<String>, PageError> {
    let asked = given(&query.q).unwrap_or_default().to_owned();
    let results = picker_results(&state, &staff, &public_url, &asked).await?;
    let ticket = given(&query.ticket)
        .filter(|number| sanad_domain::TicketNumber::parse(number).is_ok())
        .unwrap_or_default()
        .to_owned();
    let page = LinksPage {
        chrome: chrome::desk(&staff, staff.tr().t("kb-links-title"), "queues"),
        action: format!("/o/{}/desk/kb/links", staff.org.slug),
        text: asked,
        ticket_href: if ticket.is_empty() {
            String::new()
        } else {
            format!("/o/{}/desk/tickets/{ticket}#reply", staff.org.slug)
        },
        ticket,
        results,
    };
    Ok(Html(page.render()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn article_markdown_cannot_carry_markup_or_scripts() {
        let html = article_html(
            "# Steps\n\n<script>alert(1)</script>\n\n[bad](javascript:alert(1)) [good](https://example.sa/x) [here](/o/a/kb/b)\n\n![shot](data:image/png;base64,AAAA)",
        );
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("<h2>Steps</h2>"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"https://example.sa/x\""), "{html}");
        assert!(html.contains("href=\"/o/a/kb/b\""), "{html}");
        assert!(!html.contains("data:image"), "{html}");
    }

    #[test]
    fn visit_tokens_must_look_like_ours() {
        let token = secrets::generate_token();
        assert_eq!(
            visit_digest(Some(&token)),
            Some(secrets::token_digest(&token))
        );
        assert_eq!(visit_digest(Some("short")), None);
        assert_eq!(
            visit_digest(Some("<script>alert(1)</script>-padding-x")),
            None
        );
        assert_eq!(visit_digest(None), None);
    }

    #[test]
    fn suggestions_read_the_subject_then_the_description() {
        let query = SuggestQuery {
            subject: Some("كلمة المرور".into()),
            body: Some("نسيت كلمة المرور ولا يصلني البريد منذ يومين ولا أعرف ماذا أفعل الآن".into()),
            ..SuggestQuery::default()
        };
        let text = suggestion_text(&query);
        assert!(text.starts_with("كلمة المرور نسيت"), "{text}");
        assert_eq!(text.split_whitespace().count(), SUGGESTION_WORDS);
        let query = SuggestQuery {
            q: Some("شهادة".into()),
            subject: Some("ignored".into()),
            ..SuggestQuery::default()
        };
        assert_eq!(suggestion_text(&query), "شهادة");
    }
}
