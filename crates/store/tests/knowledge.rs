//! The knowledge base's storage on SQLite and on PostgreSQL: categories, articles and their
//! addresses, the editorial statuses, translation pairs, attachments, readers' verdicts (one per
//! reader, replaceable), suggestion events counted once per visit with the deflection figure,
//! and the search index kept in step with every change (drafts for editors only; Arabic found
//! with diacritics and alef variants).

use jiff::SignedDuration;
use sanad_domain::knowledge::{
    ArticleBody, ArticleLanguage, ArticleSlug, ArticleStatus, ArticleTitle, FeedbackComment,
    FeedbackVerdict, KbCategoryCode, KbCategoryName, SuggestionOutcome,
};
use sanad_domain::search::SearchQuery;
use sanad_store::*;

mod support;
use support::{TestDb, at};

on_both_backends!(
    categories_are_created_renamed_ordered_and_archived,
    articles_get_addresses_from_latin_titles_or_numbers,
    articles_move_between_draft_published_and_archived,
    translations_pair_one_article_of_each_language,
    attachments_are_stored_listed_served_and_removed,
    feedback_is_replaced_not_duplicated,
    suggestion_events_count_once_per_visit_and_give_the_deflection,
    search_shows_the_public_published_articles_and_editors_drafts,
    suggestions_rank_articles_holding_more_of_the_words_first,
    listings_filter_and_carry_each_articles_figures,
);

const START: &str = "2026-11-22T08:00:00Z";

async fn organization(store: &Store, slug: &str, prefix: &str) -> Organization {
    let new = support::new_organization(slug, &format!("Organization {slug}"), prefix);
    store.create_organization(&new, at(START)).await.unwrap()
}

fn input(
    language: ArticleLanguage,
    title: &str,
    body: &str,
    status: ArticleStatus,
) -> KbArticleInput {
    KbArticleInput {
        slug: None,
        language,
        title: ArticleTitle::parse(title).unwrap(),
        body: ArticleBody::parse(body).unwrap(),
        category: None,
        status,
    }
}

/// Writes an article of `org` at [`START`], by no one in particular.
async fn create(store: &Store, org: &Organization, input: &KbArticleInput) -> KbArticle {
    store
        .create_kb_article(org.id, input, None, at(START))
        .await
        .unwrap()
}

async fn article(
    store: &Store,
    org: &Organization,
    language: ArticleLanguage,
    title: &str,
    body: &str,
    status: ArticleStatus,
) -> KbArticle {
    create(store, org, &input(language, title, body, status)).await
}

fn category_input(name_ar: &str, name_en: &str, position: i64) -> KbCategoryInput {
    KbCategoryInput {
        name_ar: KbCategoryName::parse(name_ar).unwrap(),
        name_en: KbCategoryName::parse(name_en).unwrap(),
        position,
    }
}

/// Files a category `code` of `org` at [`START`].
async fn create_category(
    store: &Store,
    org: &Organization,
    code: &KbCategoryCode,
    name_ar: &str,
    name_en: &str,
    position: i64,
) -> Result<KbCategory, StoreError> {
    let input = category_input(name_ar, name_en, position);
    store
        .create_kb_category(org.id, code, &input, at(START))
        .await
}

/// The codes of `org`'s categories, in the order they are listed.
async fn category_codes(store: &Store, org: &Organization) -> Vec<String> {
    let categories = store.kb_categories(org.id).await.unwrap();
    categories
        .into_iter()
        .map(|category| category.code)
        .collect()
}

fn query(text: &str) -> SearchQuery {
    SearchQuery::parse(text).unwrap()
}

/// The first ten articles of `org` that `audience` finds with `text`.
async fn search(
    store: &Store,
    org: &Organization,
    audience: &ArticleAudience,
    text: &str,
) -> Vec<ArticleSearchHit> {
    store
        .search_articles(org.id, audience, &query(text), 10)
        .await
        .unwrap()
}

fn slugs(hits: &[ArticleSearchHit]) -> Vec<&str> {
    hits.iter().map(|hit| hit.slug.as_str()).collect()
}

const PASSWORD_AR: &str = "إعادة تعيين كلمة المرور";
const PASSWORD_AR_BODY: &str = "إذا نسيت كلمة المرور فافتح صفحة الدخول واضغط «نسيت كلمة المرور»، ثم اتبع الرابط المرسل إلى بريدك.";
const PASSWORD_EN: &str = "How to reset your password";
const PASSWORD_EN_BODY: &str =
    "Open the sign-in page, choose “Forgot password” and follow the link we e-mail you.";

/// The password article in Arabic.
fn password_ar_input(status: ArticleStatus) -> KbArticleInput {
    input(ArticleLanguage::Ar, PASSWORD_AR, PASSWORD_AR_BODY, status)
}

/// The password article in English.
fn password_en_input(status: ArticleStatus) -> KbArticleInput {
    input(ArticleLanguage::En, PASSWORD_EN, PASSWORD_EN_BODY, status)
}

async fn password_ar(store: &Store, org: &Organization, status: ArticleStatus) -> KbArticle {
    create(store, org, &password_ar_input(status)).await
}

async fn password_en(store: &Store, org: &Organization, status: ArticleStatus) -> KbArticle {
    create(store, org, &password_en_input(status)).await
}

async fn categories_are_created_renamed_ordered_and_archived(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "north-academy", "NA").await;
    let other = organization(store, "south-academy", "SA").await;
    let accounts = KbCategoryCode::parse("accounts").unwrap();
    let exams = KbCategoryCode::parse("exams").unwrap();
    create_category(store, &org, &exams, "الاختبارات", "Exams", 2)
        .await
        .unwrap();
    let created = create_category(store, &org, &accounts, "الحسابات", "Accounts", 1)
        .await
        .unwrap();
    assert_eq!(created.code, "accounts");
    assert!(!created.archived);
    let taken = create_category(store, &org, &accounts, "حسابات", "Accounts", 3).await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    // Another organization may use the same code.
    create_category(store, &other, &accounts, "الحسابات", "Accounts", 0)
        .await
        .unwrap();

    assert_eq!(category_codes(store, &org).await, ["accounts", "exams"]);
    let renamed = store
        .update_kb_category(org.id, "exams", &category_input("الامتحانات", "Exams", 0))
        .await
        .unwrap();
    assert_eq!(renamed.name_ar, "الامتحانات");
    assert_eq!(
        category_codes(store, &org).await,
        ["exams", "accounts"],
        "position orders the list"
    );
    assert!(matches!(
        store
            .update_kb_category(org.id, "missing", &category_input("س", "S", 0))
            .await,
        Err(StoreError::NotFound { .. })
    ));

    // An article is filed under an active category only; an archived one keeps its articles.
    let mut filed = password_ar_input(ArticleStatus::Draft);
    filed.category = Some(accounts.clone());
    let filed = create(store, &org, &filed).await;
    assert_eq!(filed.category_code.as_deref(), Some("accounts"));
    store
        .archive_kb_category(org.id, "accounts", at(START))
        .await
        .unwrap();
    assert!(
        store.kb_categories(org.id).await.unwrap()[1].archived,
        "archived, still listed"
    );
    assert!(matches!(
        store
            .archive_kb_category(org.id, "accounts", at(START))
            .await,
        Err(StoreError::NotFound { .. })
    ));
    let mut new_one = password_en_input(ArticleStatus::Draft);
    new_one.category = Some(accounts.clone());
    let refused = store
        .create_kb_article(org.id, &new_one, None, at(START))
        .await;
    assert!(
        matches!(refused, Err(StoreError::UnknownReference { .. })),
        "{refused:?}"
    );
    // Editing the article that is already there keeps its archived category.
    let mut kept = input(
        ArticleLanguage::Ar,
        PASSWORD_AR,
        "نص أحدث.",
        ArticleStatus::Draft,
    );
    kept.category = Some(accounts);
    let kept = store
        .update_kb_article(org.id, filed.id, &kept, at(START))
        .await
        .unwrap();
    assert_eq!(kept.category_code.as_deref(), Some("accounts"));
}

async fn articles_get_addresses_from_latin_titles_or_numbers(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "north-academy", "NA").await;
    let english = password_en(store, &org, ArticleStatus::Draft).await;
    assert_eq!(english.slug, "how-to-reset-your-password");
    assert_eq!(english.status, ArticleStatus::Draft);
    assert_eq!(english.published_at, None);
    let again = article(
        store,
        &org,
        ArticleLanguage::En,
        PASSWORD_EN,
        "A second article with the same title.",
        ArticleStatus::Draft,
    )
    .await;
    assert_eq!(again.slug, "how-to-reset-your-password-2");
    let arabic = password_ar(store, &org, ArticleStatus::Draft).await;
    assert_eq!(arabic.slug, "article-3", "Arabic is never transliterated");
    assert_eq!(arabic.language, ArticleLanguage::Ar);
    assert_eq!(arabic.title, PASSWORD_AR);
    assert_eq!(arabic.body, PASSWORD_AR_BODY);

    let mut chosen = input(
        ArticleLanguage::Ar,
        "طلب الشهادة",
        "تصدر الشهادة بعد اجتياز الاختبار النهائي.",
        ArticleStatus::Draft,
    );
    chosen.slug = Some(ArticleSlug::parse("get-your-certificate").unwrap());
    let certificate = create(store, &org, &chosen).await;
    assert_eq!(certificate.slug, "get-your-certificate");
    let taken = store
        .create_kb_article(org.id, &chosen, None, at(START))
        .await;
    assert!(
        matches!(&taken, Err(StoreError::Conflict(message)) if message.contains("get-your-certificate")),
        "{taken:?}"
    );
    // The same address in another organization is fine.
    let other = organization(store, "south-academy", "SA").await;
    create(store, &other, &chosen).await;

    // Editing keeps the address unless a new one is given; a taken one is refused.
    let mut edit = input(
        ArticleLanguage::Ar,
        "طلب الشهادة الإلكترونية",
        "نص محدث.",
        ArticleStatus::Draft,
    );
    let edited = store
        .update_kb_article(org.id, certificate.id, &edit, at(START))
        .await
        .unwrap();
    assert_eq!(edited.slug, "get-your-certificate");
    assert_eq!(edited.title, "طلب الشهادة الإلكترونية");
    edit.slug = Some(ArticleSlug::parse("how-to-reset-your-password").unwrap());
    let refused = store
        .update_kb_article(org.id, certificate.id, &edit, at(START))
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    edit.slug = Some(ArticleSlug::parse("e-certificates").unwrap());
    let moved = store
        .update_kb_article(org.id, certificate.id, &edit, at(START))
        .await
        .unwrap();
    assert_eq!(moved.slug, "e-certificates");
    assert!(
        store
            .kb_article_by_slug(org.id, "get-your-certificate")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .kb_article_by_slug(org.id, "e-certificates")
            .await
            .unwrap()
            .map(|found| found.id),
        Some(certificate.id)
    );
    assert!(
        store
            .kb_article(other.id, certificate.id)
            .await
            .unwrap()
            .is_none(),
        "articles stay inside their organization"
    );
    assert!(matches!(
        store
            .update_kb_article(other.id, certificate.id, &edit, at(START))
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn articles_move_between_draft_published_and_archived(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "north-academy", "NA").await;
    let draft = password_ar(store, &org, ArticleStatus::Draft).await;
    let later = at(START) + SignedDuration::from_hours(2);
    let published = store
        .set_kb_article_status(org.id, draft.id, ArticleStatus::Published, later)
        .await
        .unwrap();
    assert_eq!(published.status, ArticleStatus::Published);
    assert_eq!(published.published_at, Some(later));
    assert_eq!(published.updated_at, later);
    // Asking again for the same status changes nothing.
    let same = store
        .set_kb_article_status(
            org.id,
            draft.id,
            ArticleStatus::Published,
            later + SignedDuration::from_hours(1),
        )
        .await
        .unwrap();
    assert_eq!(same.updated_at, later);
    let unpublished = store
        .set_kb_article_status(
            org.id,
            draft.id,
            ArticleStatus::Draft,
            later + SignedDuration::from_hours(2),
        )
        .await
        .unwrap();
    assert_eq!(unpublished.status, ArticleStatus::Draft);
    assert_eq!(
        unpublished.published_at,
        Some(later),
        "the last publication date is kept"
    );
    let archived = store
        .set_kb_article_status(org.id, draft.id, ArticleStatus::Archived, later)
        .await
        .unwrap();
    assert_eq!(archived.status, ArticleStatus::Archived);
    let refused = store
        .set_kb_article_status(org.id, draft.id, ArticleStatus::Published, later)
        .await;
    assert!(
        matches!(&refused, Err(StoreError::Conflict(message)) if message.contains("archived to published")),
        "{refused:?}"
    );
    let restored = store
        .set_kb_article_status(org.id, draft.id, ArticleStatus::Draft, later)
        .await
        .unwrap();
    assert_eq!(restored.status, ArticleStatus::Draft);

    // The status travels with an edit too, checked the same way; a new article may be created
    // published at once.
    let direct = password_en(store, &org, ArticleStatus::Published).await;
    assert_eq!(direct.status, ArticleStatus::Published);
    assert_eq!(direct.published_at, Some(at(START)));
    store
        .set_kb_article_status(org.id, direct.id, ArticleStatus::Archived, later)
        .await
        .unwrap();
    let refused = store
        .update_kb_article(
            org.id,
            direct.id,
            &password_en_input(ArticleStatus::Published),
            later,
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    assert!(matches!(
        store
            .set_kb_article_status(org.id, 999_999, ArticleStatus::Published, later)
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn translations_pair_one_article_of_each_language(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "north-academy", "NA").await;
    let arabic = password_ar(store, &org, ArticleStatus::Published).await;
    let english = password_en(store, &org, ArticleStatus::Draft).await;
    let second_english = article(
        store,
        &org,
        ArticleLanguage::En,
        "Forgot your password?",
        "Another English text.",
        ArticleStatus::Draft,
    )
    .await;
    let second_arabic = article(
        store,
        &org,
        ArticleLanguage::Ar,
        "نسيت كلمة المرور",
        "نص آخر.",
        ArticleStatus::Draft,
    )
    .await;
    let candidates: Vec<i64> = store
        .kb_translation_candidates(org.id, arabic.id)
        .await
        .unwrap()
        .into_iter()
        .map(|candidate| candidate.id)
        .collect();
    assert_eq!(
        candidates,
        [second_english.id, english.id],
        "English articles not linked yet, by title"
    );

    store
        .link_kb_translation(org.id, arabic.id, english.id, at(START))
        .await
        .unwrap();
    let linked = store.kb_article(org.id, arabic.id).await.unwrap().unwrap();
    let translation = linked.translation.expect("linked");
    assert_eq!(translation.id, english.id);
    assert_eq!(translation.slug, english.slug);
    assert_eq!(translation.language, ArticleLanguage::En);
    assert_eq!(translation.status, ArticleStatus::Draft);
    let other_side = store.kb_article(org.id, english.id).await.unwrap().unwrap();
    assert_eq!(other_side.translation.map(|t| t.id), Some(arabic.id));
    // Linking the same pair again is harmless.
    store
        .link_kb_translation(org.id, english.id, arabic.id, at(START))
        .await
        .unwrap();

    let same_language = store
        .link_kb_translation(org.id, english.id, second_english.id, at(START))
        .await;
    assert!(
        matches!(same_language, Err(StoreError::Invalid(_))),
        "{same_language:?}"
    );
    let third = store
        .link_kb_translation(org.id, second_arabic.id, english.id, at(START))
        .await;
    assert!(matches!(third, Err(StoreError::Conflict(_))), "{third:?}");
    let itself = store
        .link_kb_translation(org.id, arabic.id, arabic.id, at(START))
        .await;
    assert!(matches!(itself, Err(StoreError::Invalid(_))), "{itself:?}");
    assert!(
        store
            .kb_translation_candidates(org.id, second_arabic.id)
            .await
            .unwrap()
            .iter()
            .all(|candidate| candidate.id != english.id),
        "a linked article is no candidate"
    );

    // A linked article keeps its language.
    let relanguage = store
        .update_kb_article(
            org.id,
            english.id,
            &input(
                ArticleLanguage::Ar,
                PASSWORD_EN,
                PASSWORD_EN_BODY,
                ArticleStatus::Draft,
            ),
            at(START),
        )
        .await;
    assert!(
        matches!(relanguage, Err(StoreError::Conflict(_))),
        "{relanguage:?}"
    );

    // Unlinking frees both sides; then another pair can form.
    store
        .unlink_kb_translation(org.id, english.id, at(START))
        .await
        .unwrap();
    for id in [arabic.id, english.id] {
        assert!(
            store
                .kb_article(org.id, id)
                .await
                .unwrap()
                .unwrap()
                .translation
                .is_none()
        );
    }
    store
        .unlink_kb_translation(org.id, english.id, at(START))
        .await
        .unwrap();
    store
        .link_kb_translation(org.id, second_arabic.id, english.id, at(START))
        .await
        .unwrap();
    store
        .link_kb_translation(org.id, arabic.id, second_english.id, at(START))
        .await
        .unwrap();
    assert_eq!(
        store
            .kb_article(org.id, second_english.id)
            .await
            .unwrap()
            .unwrap()
            .translation
            .map(|t| t.id),
        Some(arabic.id)
    );
    let other = organization(store, "south-academy", "SA").await;
    let foreign = password_en(store, &other, ArticleStatus::Draft).await;
    assert!(matches!(
        store
            .link_kb_translation(org.id, second_arabic.id, foreign.id, at(START))
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn attachments_are_stored_listed_served_and_removed(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "north-academy", "NA").await;
    let draft = password_ar(store, &org, ArticleStatus::Draft).await;
    let png = b"\x89PNG\r\n\x1a\nnot-really-a-picture".to_vec();
    let stored = store
        .add_kb_attachments(
            org.id,
            draft.id,
            &[
                NewAttachment {
                    filename: "شاشة الدخول.png".into(),
                    content_type: "image/png".into(),
                    bytes: png.clone(),
                },
                NewAttachment {
                    filename: "form.pdf".into(),
                    content_type: "application/pdf".into(),
                    bytes: b"%PDF-1.7".to_vec(),
                },
            ],
            at(START),
        )
        .await
        .unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].size_bytes, png.len() as i64);
    let listed = store.kb_attachments(org.id, draft.id).await.unwrap();
    assert_eq!(listed, stored);
    let (found, owner) = store
        .kb_attachment(org.id, stored[0].id)
        .await
        .unwrap()
        .expect("found");
    assert_eq!(found.filename, "شاشة الدخول.png");
    assert_eq!(owner.id, draft.id);
    assert_eq!(owner.status, ArticleStatus::Draft);
    assert_eq!(
        store.attachments().get(&found.storage_key).await.unwrap(),
        png,
        "the content comes back from the attachment store"
    );
    let other = organization(store, "south-academy", "SA").await;
    assert!(
        store
            .kb_attachment(other.id, stored[0].id)
            .await
            .unwrap()
            .is_none()
    );
    assert!(matches!(
        store
            .add_kb_attachments(other.id, draft.id, &[], at(START))
            .await,
        Err(StoreError::NotFound { .. })
    ));

    store
        .remove_kb_attachment(org.id, draft.id, stored[0].id)
        .await
        .unwrap();
    let left = store.kb_attachments(org.id, draft.id).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].filename, "form.pdf");
    assert!(matches!(
        store
            .remove_kb_attachment(org.id, draft.id, stored[0].id)
            .await,
        Err(StoreError::NotFound { .. })
    ));
}

async fn feedback_is_replaced_not_duplicated(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "north-academy", "NA").await;
    let published = password_ar(store, &org, ArticleStatus::Published).await;
    let reader = secrets::token_digest("reader-one");
    let another = secrets::token_digest("reader-two");
    // Records what a reader said of an article.
    let judge = async |article_id: i64, reader: &str, verdict, comment: Option<&str>, at| {
        let comment = comment.map(|text| FeedbackComment::parse(text).unwrap());
        let recorded =
            store.record_kb_feedback(org.id, article_id, reader, verdict, comment.as_ref(), at);
        recorded.await
    };
    let figures_now = async || {
        store
            .kb_article_figures(org.id, published.id)
            .await
            .unwrap()
    };
    judge(
        published.id,
        &reader,
        FeedbackVerdict::NotHelpful,
        Some("لا يذكر ماذا أفعل إن لم يصل البريد."),
        at(START),
    )
    .await
    .unwrap();
    let figures = figures_now().await;
    assert_eq!((figures.helpful, figures.not_helpful), (0, 1));
    // The same reader changes their mind: one verdict, the latest.
    let later = at(START) + SignedDuration::from_mins(5);
    judge(published.id, &reader, FeedbackVerdict::Helpful, None, later)
        .await
        .unwrap();
    judge(
        published.id,
        &another,
        FeedbackVerdict::Helpful,
        None,
        later,
    )
    .await
    .unwrap();
    let figures = figures_now().await;
    assert_eq!((figures.helpful, figures.not_helpful), (2, 0));
    let mine = store
        .kb_feedback_of_reader(published.id, &reader)
        .await
        .unwrap()
        .expect("recorded");
    assert_eq!(mine.verdict, FeedbackVerdict::Helpful);
    assert_eq!(
        mine.comment, None,
        "the replaced verdict's comment goes with it"
    );
    assert_eq!(mine.at, later);
    assert!(
        store
            .kb_feedback_of_reader(published.id, &secrets::token_digest("nobody"))
            .await
            .unwrap()
            .is_none()
    );
    judge(
        published.id,
        &another,
        FeedbackVerdict::NotHelpful,
        Some("Screenshots please"),
        later,
    )
    .await
    .unwrap();
    let comments = store
        .kb_feedback_comments(org.id, published.id, 10)
        .await
        .unwrap();
    assert_eq!(comments.len(), 1);
    assert_eq!(comments[0].comment.as_deref(), Some("Screenshots please"));

    // Readers judge only what is published.
    let draft = password_en(store, &org, ArticleStatus::Draft).await;
    let refused = judge(draft.id, &reader, FeedbackVerdict::Helpful, None, later).await;
    assert!(
        matches!(refused, Err(StoreError::NotFound { .. })),
        "{refused:?}"
    );
}

async fn suggestion_events_count_once_per_visit_and_give_the_deflection(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "north-academy", "NA").await;
    let password = password_ar(store, &org, ArticleStatus::Published).await;
    let certificate = article(
        store,
        &org,
        ArticleLanguage::Ar,
        "طلب شهادة إتمام الدورة",
        "تصدر الشهادة خلال يومي عمل من اجتياز الاختبار النهائي.",
        ArticleStatus::Published,
    )
    .await;
    let draft = article(
        store,
        &org,
        ArticleLanguage::Ar,
        "مسودة",
        "لم تنشر بعد.",
        ArticleStatus::Draft,
    )
    .await;
    let now = at(START);
    let first = secrets::token_digest("visit-one");
    let second = secrets::token_digest("visit-two");
    let third = secrets::token_digest("visit-three");
    // Records what became of a visit's suggestions.
    let record = async |visit: &str, article_id: Option<i64>, outcome| {
        store
            .record_kb_suggestion_outcome(org.id, visit, article_id, outcome, now)
            .await
    };

    // The requester types on: the list is asked for again and again.
    for typed in ["كلمة", "كلمة المرور", "كلمة المرور لا تعمل"] {
        store
            .record_kb_suggestions_shown(
                org.id,
                &first,
                &[password.id, certificate.id, draft.id],
                typed,
                now,
            )
            .await
            .unwrap();
    }
    let outcomes = store.kb_visit_outcomes(org.id, &first).await.unwrap();
    assert_eq!(
        outcomes,
        vec![
            (SuggestionOutcome::Shown, 2),
            (SuggestionOutcome::Opened, 0),
            (SuggestionOutcome::Deflected, 0),
            (SuggestionOutcome::Submitted, 0)
        ],
        "one `shown` per published article and visit"
    );
    for _ in 0..2 {
        record(&first, Some(password.id), SuggestionOutcome::Opened)
            .await
            .unwrap();
    }
    assert_eq!(
        record(&first, Some(password.id), SuggestionOutcome::Deflected)
            .await
            .unwrap(),
        SuggestionRecording::Recorded
    );
    assert_eq!(
        record(&first, Some(password.id), SuggestionOutcome::Deflected)
            .await
            .unwrap(),
        SuggestionRecording::AlreadyRecorded
    );

    // A second visit was shown suggestions, then submitted anyway (after saying one helped);
    // a third only submitted.
    store
        .record_kb_suggestions_shown(org.id, &second, &[certificate.id], "شهادة", now)
        .await
        .unwrap();
    record(&second, Some(certificate.id), SuggestionOutcome::Deflected)
        .await
        .unwrap();
    for visit in [&second, &third] {
        for _ in 0..2 {
            record(visit, None, SuggestionOutcome::Submitted)
                .await
                .unwrap();
        }
    }
    assert_eq!(
        store.kb_visit_outcomes(org.id, &second).await.unwrap()[3],
        (SuggestionOutcome::Submitted, 1)
    );
    let deflection = store
        .kb_deflection(org.id, now - SignedDuration::from_hours(24 * 30))
        .await
        .unwrap();
    assert_eq!(deflection.visits_with_suggestions, 2);
    assert_eq!(deflection.deflected_visits, 1);
    assert_eq!(deflection.percent(), Some(50));
    // Only the window counts.
    let empty = store
        .kb_deflection(org.id, now + SignedDuration::from_hours(1))
        .await
        .unwrap();
    assert_eq!(empty.visits_with_suggestions, 0);
    assert_eq!(empty.percent(), None);

    let figures = store.kb_article_figures(org.id, password.id).await.unwrap();
    assert_eq!(
        (figures.suggested, figures.opened, figures.deflected),
        (1, 1, 1)
    );

    // Drafts are never opened from suggestions; outcomes name their article as they must.
    assert!(matches!(
        record(&first, Some(draft.id), SuggestionOutcome::Opened).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        record(&first, None, SuggestionOutcome::Opened).await,
        Err(StoreError::Invalid(_))
    ));
    assert!(matches!(
        record(&first, Some(password.id), SuggestionOutcome::Submitted).await,
        Err(StoreError::Invalid(_))
    ));
}

async fn search_shows_the_public_published_articles_and_editors_drafts(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "north-academy", "NA").await;
    let published = password_ar(store, &org, ArticleStatus::Published).await;
    let draft = article(
        store,
        &org,
        ArticleLanguage::Ar,
        "إعادة جدولة الاختبار",
        "يمكن تأجيل موعد الاختبار مرة واحدة قبل موعده بثمان وأربعين ساعة.",
        ArticleStatus::Draft,
    )
    .await;
    let english = article(
        store,
        &org,
        ArticleLanguage::En,
        "Rescheduling an exam",
        "An exam can be moved once, up to 48 hours before it starts.",
        ArticleStatus::Published,
    )
    .await;
    let public_any = ArticleAudience::Public { language: None };
    let public_ar = ArticleAudience::Public {
        language: Some("ar".into()),
    };

    // Diacritics and alef variants meet the plain spelling.
    for typed in ["إِعَادَةُ تَعْيِينِ", "اعادة تعيين", "كلمة المرور", "أعادة"]
    {
        let hits = search(store, &org, &public_any, typed).await;
        assert_eq!(slugs(&hits), [published.slug.as_str()], "{typed}");
    }
    let hits = search(store, &org, &public_ar, "إِعَادَةُ").await;
    assert_eq!(
        slugs(&hits),
        [published.slug.as_str()],
        "the draft with the same word stays hidden from the public"
    );
    let hits = search(store, &org, &ArticleAudience::Editors, "إعادة").await;
    let mut found = slugs(&hits);
    found.sort_unstable();
    let mut expected = [published.slug.as_str(), draft.slug.as_str()];
    expected.sort_unstable();
    assert_eq!(found, expected, "editors see drafts");
    assert!(
        hits.iter()
            .any(|hit| hit.id == draft.id && hit.status == "draft")
    );

    // Publishing, unpublishing, editing and archiving keep the index in step at once.
    store
        .set_kb_article_status(org.id, draft.id, ArticleStatus::Published, at(START))
        .await
        .unwrap();
    let hits = search(store, &org, &public_ar, "جدولة الاختبار").await;
    assert_eq!(slugs(&hits), [draft.slug.as_str()]);
    assert!(
        hits[0]
            .snippet
            .segments
            .iter()
            .any(|segment| segment.highlighted),
        "the snippet marks the match"
    );
    store
        .update_kb_article(
            org.id,
            draft.id,
            &input(
                ArticleLanguage::Ar,
                "تأجيل موعد الامتحان",
                "يمكن تأجيل الامتحان مرة واحدة.",
                ArticleStatus::Published,
            ),
            at(START),
        )
        .await
        .unwrap();
    assert!(
        search(store, &org, &public_ar, "جدولة").await.is_empty(),
        "the old title is gone from the index"
    );
    assert_eq!(
        slugs(&search(store, &org, &public_ar, "تأجيل الامتحان").await),
        [draft.slug.as_str()]
    );
    store
        .set_kb_article_status(org.id, english.id, ArticleStatus::Archived, at(START))
        .await
        .unwrap();
    assert!(
        search(store, &org, &public_any, "rescheduling")
            .await
            .is_empty()
    );
    assert_eq!(
        search(store, &org, &ArticleAudience::Editors, "rescheduling")
            .await
            .len(),
        1
    );
    let other = organization(store, "south-academy", "SA").await;
    assert!(
        search(store, &other, &public_any, "كلمة المرور")
            .await
            .is_empty(),
        "another organization's help centre finds nothing of this one"
    );
}

async fn suggestions_rank_articles_holding_more_of_the_words_first(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "north-academy", "NA").await;
    let password = password_ar(store, &org, ArticleStatus::Published).await;
    let english = password_en(store, &org, ArticleStatus::Published).await;
    let attendance = article(
        store,
        &org,
        ArticleLanguage::Ar,
        "تسجيل الحضور في الفصول الافتراضية",
        "يسجل حضورك تلقائيًا عند دخولك الفصل الافتراضي من المنصة، وابق متصلًا حتى نهاية المحاضرة.",
        ArticleStatus::Published,
    )
    .await;
    article(
        store,
        &org,
        ArticleLanguage::Ar,
        "مسودة عن كلمة المرور والدخول",
        "لم تنشر بعد.",
        ArticleStatus::Draft,
    )
    .await;

    // A sentence no article holds whole still finds the articles holding its words, the one
    // holding more of them first.
    let hits = store
        .suggest_kb_articles(
            org.id,
            "لا أستطيع الدخول إلى المنصة بعد تغيير كلمة المرور",
            ArticleLanguage::Ar,
            5,
        )
        .await
        .unwrap();
    let found = slugs(&hits);
    assert_eq!(found.first(), Some(&password.slug.as_str()), "{found:?}");
    assert!(found.contains(&attendance.slug.as_str()), "{found:?}");
    assert!(hits.iter().all(|hit| hit.status == "published"));
    // The page's language comes first at equal merit; the other language still shows.
    let hits = store
        .suggest_kb_articles(org.id, "password", ArticleLanguage::Ar, 5)
        .await
        .unwrap();
    assert_eq!(slugs(&hits), [english.slug.as_str()]);
    let hits = store
        .suggest_kb_articles(org.id, "الحضور", ArticleLanguage::En, 1)
        .await
        .unwrap();
    assert_eq!(slugs(&hits), [attendance.slug.as_str()], "limit respected");
    assert!(
        store
            .suggest_kb_articles(org.id, "   ", ArticleLanguage::Ar, 5)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn listings_filter_and_carry_each_articles_figures(db: TestDb) {
    let store = &db.store;
    let org = organization(store, "north-academy", "NA").await;
    let accounts = KbCategoryCode::parse("accounts").unwrap();
    create_category(store, &org, &accounts, "الحسابات", "Accounts", 1)
        .await
        .unwrap();
    let mut filed = password_ar_input(ArticleStatus::Published);
    filed.category = Some(accounts.clone());
    let password = create(store, &org, &filed).await;
    let english = store
        .create_kb_article(
            org.id,
            &password_en_input(ArticleStatus::Draft),
            None,
            at(START) + SignedDuration::from_mins(1),
        )
        .await
        .unwrap();
    store
        .link_kb_translation(
            org.id,
            password.id,
            english.id,
            at(START) + SignedDuration::from_mins(2),
        )
        .await
        .unwrap();
    store
        .record_kb_feedback(
            org.id,
            password.id,
            &secrets::token_digest("reader"),
            FeedbackVerdict::Helpful,
            None,
            at(START),
        )
        .await
        .unwrap();
    let visit = secrets::token_digest("visit");
    store
        .record_kb_suggestions_shown(org.id, &visit, &[password.id], "كلمة", at(START))
        .await
        .unwrap();
    store
        .record_kb_suggestion_outcome(
            org.id,
            &visit,
            Some(password.id),
            SuggestionOutcome::Opened,
            at(START),
        )
        .await
        .unwrap();

    let all = store
        .kb_article_listings(org.id, &KbArticleFilter::default())
        .await
        .unwrap();
    assert_eq!(all.len(), 2);
    let line = all
        .iter()
        .find(|line| line.article.id == password.id)
        .unwrap();
    assert_eq!(line.category_code.as_deref(), Some("accounts"));
    assert_eq!(line.translation.as_ref().map(|t| t.id), Some(english.id));
    assert_eq!(
        line.figures,
        KbArticleFigures {
            helpful: 1,
            not_helpful: 0,
            suggested: 1,
            opened: 1,
            deflected: 0
        }
    );
    let drafts = store
        .kb_article_listings(
            org.id,
            &KbArticleFilter {
                status: Some(ArticleStatus::Draft),
                ..KbArticleFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].article.id, english.id);
    let arabic_in_accounts = store
        .kb_article_listings(
            org.id,
            &KbArticleFilter {
                language: Some(ArticleLanguage::Ar),
                category: Some(accounts),
                ..KbArticleFilter::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(arabic_in_accounts.len(), 1);
    assert_eq!(arabic_in_accounts[0].article.id, password.id);

    // The help centre lists what is published, with the published translation if any.
    let public = store.published_kb_articles(org.id).await.unwrap();
    assert_eq!(public.len(), 1);
    assert_eq!(public[0].article.id, password.id);
    assert_eq!(public[0].published_translation_id, None, "still a draft");
    store
        .set_kb_article_status(org.id, english.id, ArticleStatus::Published, at(START))
        .await
        .unwrap();
    let public = store.published_kb_articles(org.id).await.unwrap();
    assert_eq!(public.len(), 2);
    let arabic = public
        .iter()
        .find(|entry| entry.article.id == password.id)
        .unwrap();
    assert_eq!(arabic.published_translation_id, Some(english.id));
}
