// The knowledge base's queries, written once and included beside `queries.rs` for each backend.
// Private helpers are prefixed with `knowledge_` so that they never collide with the names of
// the files included beside this one.
//
// Listings are sorted in Rust, not by `ORDER BY title`: PostgreSQL compares text by the
// database's collation and SQLite byte by byte, and both backends must list the same order.

use crate::knowledge::*;
use sanad_domain::knowledge as kb;

// ---- shared pieces ---------------------------------------------------------------------------

/// A rule of the knowledge base refused the change: a conflict with what exists (a link or a
/// status that does not allow it), or a request that can never work.
fn knowledge_refused(error: kb::KnowledgeError) -> StoreError {
    match error {
        kb::KnowledgeError::AlreadyLinked(_) | kb::KnowledgeError::IllegalStatusChange { .. } => StoreError::Conflict(error.to_string()),
        other => StoreError::Invalid(other.to_string()),
    }
}

/// A unique index refused a write that raced with another one: the same conflict the checks
/// before it report.
fn knowledge_unique(error: sqlx::Error, message: String) -> StoreError {
    match &error {
        sqlx::Error::Database(database) if database.is_unique_violation() => StoreError::Conflict(message),
        _ => StoreError::Database(error),
    }
}

fn knowledge_article_not_found(article_id: i64) -> StoreError {
    StoreError::NotFound { what: "article", key: article_id.to_string() }
}

fn knowledge_slug_taken(slug: &str) -> String {
    format!("the address '{slug}' is already used by another article")
}

const KNOWLEDGE_ARTICLE_COLUMNS: &str = "SELECT a.id, a.org_id, a.slug, a.language, a.title, a.body, a.status, a.category_id, c.code AS category_code, \
     a.author_id, a.created_at, a.updated_at, a.published_at, a.translation_group_id, \
     t.id AS t_id, t.slug AS t_slug, t.language AS t_language, t.title AS t_title, t.status AS t_status \
     FROM kb_articles a LEFT JOIN kb_categories c ON c.id = a.category_id \
     LEFT JOIN kb_articles t ON t.translation_group_id = a.translation_group_id AND t.id <> a.id";

/// The translation columns (`t_…`) of a row, if the article has one.
fn knowledge_translation_from_row(row: &DbRow) -> Result<Option<KbArticleRef>, StoreError> {
    let Some(id) = row.try_get::<Option<i64>, _>("t_id")? else { return Ok(None) };
    Ok(Some(KbArticleRef {
        id,
        slug: row.try_get::<Option<String>, _>("t_slug")?.unwrap_or_default(),
        language: parse_stored(&row.try_get::<Option<String>, _>("t_language")?.unwrap_or_default())?,
        title: row.try_get::<Option<String>, _>("t_title")?.unwrap_or_default(),
        status: parse_stored(&row.try_get::<Option<String>, _>("t_status")?.unwrap_or_default())?,
    }))
}

fn knowledge_reference_from_row(row: &DbRow) -> Result<KbArticleRef, StoreError> {
    Ok(KbArticleRef {
        id: row.try_get("id")?,
        slug: row.try_get("slug")?,
        language: parse_stored(&row.try_get::<String, _>("language")?)?,
        title: row.try_get("title")?,
        status: parse_stored(&row.try_get::<String, _>("status")?)?,
    })
}

fn knowledge_article_from_row(row: &DbRow) -> Result<KbArticle, StoreError> {
    Ok(KbArticle {
        id: row.try_get("id")?,
        org_id: row.try_get("org_id")?,
        slug: row.try_get("slug")?,
        language: parse_stored(&row.try_get::<String, _>("language")?)?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        status: parse_stored(&row.try_get::<String, _>("status")?)?,
        category_id: row.try_get("category_id")?,
        category_code: row.try_get("category_code")?,
        translation: knowledge_translation_from_row(row)?,
        author_id: row.try_get("author_id")?,
        created_at: from_micros(row.try_get("created_at")?)?,
        updated_at: from_micros(row.try_get("updated_at")?)?,
        published_at: row.try_get::<Option<i64>, _>("published_at")?.map(from_micros).transpose()?,
    })
}

async fn knowledge_load_article(conn: &mut DbConn, org_id: i64, article_id: i64) -> Result<Option<KbArticle>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{KNOWLEDGE_ARTICLE_COLUMNS} WHERE a.org_id = $1 AND a.id = $2")))
        .bind(org_id)
        .bind(article_id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(knowledge_article_from_row).transpose()
}

/// The id of a category editors may file an article under: an active one, or the one the
/// article is already in (its category may have been archived since).
async fn knowledge_category_id(conn: &mut DbConn, org_id: i64, code: Option<&kb::KbCategoryCode>, current: Option<i64>) -> Result<Option<i64>, StoreError> {
    let Some(code) = code else { return Ok(None) };
    let row = sqlx::query("SELECT id FROM kb_categories WHERE org_id = $1 AND code = $2 AND (archived_at IS NULL OR id = $3)")
        .bind(org_id)
        .bind(code.as_str())
        .bind(current.unwrap_or(0))
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(Some(row.try_get("id")?)),
        None => Err(StoreError::UnknownReference { what: "knowledge-base category", code: code.as_str().to_owned() }),
    }
}

// ---- categories --------------------------------------------------------------------------------

fn knowledge_category_from_row(row: &DbRow) -> Result<KbCategory, StoreError> {
    Ok(KbCategory {
        id: row.try_get("id")?,
        code: row.try_get("code")?,
        name_ar: row.try_get("name_ar")?,
        name_en: row.try_get("name_en")?,
        position: row.try_get("position")?,
        archived: row.try_get::<Option<i64>, _>("archived_at")?.is_some(),
    })
}

pub(crate) async fn knowledge_categories(pools: &Pool, org_id: i64) -> Result<Vec<KbCategory>, StoreError> {
    let rows = sqlx::query("SELECT id, code, name_ar, name_en, position, archived_at FROM kb_categories WHERE org_id = $1")
        .bind(org_id)
        .fetch_all(&pools.reader)
        .await?;
    let mut categories = rows.iter().map(knowledge_category_from_row).collect::<Result<Vec<_>, _>>()?;
    categories.sort_by(|left, right| left.position.cmp(&right.position).then_with(|| left.code.cmp(&right.code)));
    Ok(categories)
}

pub(crate) async fn knowledge_create_category(pools: &Pool, org_id: i64, code: &kb::KbCategoryCode, input: &KbCategoryInput, now: Timestamp) -> Result<KbCategory, StoreError> {
    let row = sqlx::query(
        "INSERT INTO kb_categories (org_id, code, name_ar, name_en, position, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (org_id, code) DO NOTHING RETURNING id, code, name_ar, name_en, position, archived_at",
    )
    .bind(org_id)
    .bind(code.as_str())
    .bind(input.name_ar.as_str())
    .bind(input.name_en.as_str())
    .bind(input.position)
    .bind(to_micros(now))
    .fetch_optional(&pools.writer)
    .await?;
    match row {
        Some(row) => knowledge_category_from_row(&row),
        None => Err(StoreError::Conflict(format!("a knowledge-base category with the code '{code}' already exists"))),
    }
}

pub(crate) async fn knowledge_update_category(pools: &Pool, org_id: i64, code: &str, input: &KbCategoryInput) -> Result<KbCategory, StoreError> {
    let row = sqlx::query(
        "UPDATE kb_categories SET name_ar = $3, name_en = $4, position = $5 WHERE org_id = $1 AND code = $2 \
         RETURNING id, code, name_ar, name_en, position, archived_at",
    )
    .bind(org_id)
    .bind(code)
    .bind(input.name_ar.as_str())
    .bind(input.name_en.as_str())
    .bind(input.position)
    .fetch_optional(&pools.writer)
    .await?;
    match row {
        Some(row) => knowledge_category_from_row(&row),
        None => Err(StoreError::NotFound { what: "knowledge-base category", key: code.to_owned() }),
    }
}

pub(crate) async fn knowledge_archive_category(pools: &Pool, org_id: i64, code: &str, now: Timestamp) -> Result<(), StoreError> {
    archive_by_code(
        pools,
        "UPDATE kb_categories SET archived_at = $3 WHERE org_id = $1 AND code = $2 AND archived_at IS NULL",
        "knowledge-base category",
        org_id,
        code,
        now,
    )
    .await
}

// ---- articles ----------------------------------------------------------------------------------

/// When an article's `published_at` is set: on every move to published (the date a reader
/// sees is that of the version they read), kept otherwise.
fn knowledge_published_at(status: kb::ArticleStatus, before: Option<Timestamp>, moved: bool, now: Timestamp) -> Option<i64> {
    match status {
        kb::ArticleStatus::Published if moved => Some(to_micros(now)),
        _ => before.map(to_micros),
    }
}

pub(crate) async fn knowledge_create_article(pools: &Pool, org_id: i64, input: &KbArticleInput, author_id: Option<i64>, now: Timestamp) -> Result<KbArticle, StoreError> {
    let change = kb::ArticleStatus::Draft.check_transition(input.status).map_err(knowledge_refused)?;
    let mut tx = pools.writer.begin().await?;
    let category_id = knowledge_category_id(&mut tx, org_id, input.category.as_ref(), None).await?;
    // The slugs to try, in order: the one given (and only it), or one made from the title with
    // `-2`, `-3`, … after it while taken.
    let candidates: Vec<kb::ArticleSlug> = match &input.slug {
        Some(slug) => vec![slug.clone()],
        None => {
            let base = match kb::ArticleSlug::from_title(input.title.as_str()) {
                Some(slug) => slug,
                None => {
                    let count: i64 = sqlx::query("SELECT COUNT(*) AS count FROM kb_articles WHERE org_id = $1")
                        .bind(org_id)
                        .fetch_one(&mut *tx)
                        .await?
                        .try_get("count")?;
                    kb::ArticleSlug::numbered(count + 1)
                }
            };
            std::iter::once(base.clone()).chain((2..=200).map(|suffix| base.with_suffix(suffix))).collect()
        }
    };
    let published_at = knowledge_published_at(input.status, None, change == kb::StatusChange::Moves, now);
    let mut article_id = None;
    for slug in &candidates {
        let row = sqlx::query(
            "INSERT INTO kb_articles (org_id, category_id, slug, language, title, body, status, author_id, created_at, updated_at, published_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10) ON CONFLICT (org_id, slug) DO NOTHING RETURNING id",
        )
        .bind(org_id)
        .bind(category_id)
        .bind(slug.as_str())
        .bind(input.language.as_str())
        .bind(input.title.as_str())
        .bind(input.body.as_str())
        .bind(input.status.as_str())
        .bind(author_id)
        .bind(to_micros(now))
        .bind(published_at)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = row {
            article_id = Some(row.try_get::<i64, _>("id")?);
            break;
        }
    }
    let Some(article_id) = article_id else {
        let slug = candidates.first().map(|slug| slug.as_str()).unwrap_or_default();
        return Err(StoreError::Conflict(knowledge_slug_taken(slug)));
    };
    search_index_article(&mut tx, article_id).await?;
    let article = knowledge_load_article(&mut tx, org_id, article_id).await?.ok_or_else(|| knowledge_article_not_found(article_id))?;
    tx.commit().await?;
    Ok(article)
}

pub(crate) async fn knowledge_update_article(pools: &Pool, org_id: i64, article_id: i64, input: &KbArticleInput, now: Timestamp) -> Result<KbArticle, StoreError> {
    let mut tx = pools.writer.begin().await?;
    let current = knowledge_load_article(&mut tx, org_id, article_id).await?.ok_or_else(|| knowledge_article_not_found(article_id))?;
    let change = current.status.check_transition(input.status).map_err(knowledge_refused)?;
    if input.language != current.language && current.translation.is_some() {
        return Err(StoreError::Conflict(
            "this article is linked to its translation in the other language; unlink it before changing its language".into(),
        ));
    }
    let category_id = knowledge_category_id(&mut tx, org_id, input.category.as_ref(), current.category_id).await?;
    let slug = input.slug.as_ref().map(|slug| slug.as_str().to_owned()).unwrap_or_else(|| current.slug.clone());
    if slug != current.slug {
        let taken = sqlx::query("SELECT id FROM kb_articles WHERE org_id = $1 AND slug = $2 AND id <> $3")
            .bind(org_id)
            .bind(&slug)
            .bind(article_id)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(StoreError::Conflict(knowledge_slug_taken(&slug)));
        }
    }
    sqlx::query(
        "UPDATE kb_articles SET slug = $3, language = $4, title = $5, body = $6, status = $7, category_id = $8, updated_at = $9, published_at = $10 \
         WHERE org_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(article_id)
    .bind(&slug)
    .bind(input.language.as_str())
    .bind(input.title.as_str())
    .bind(input.body.as_str())
    .bind(input.status.as_str())
    .bind(category_id)
    .bind(to_micros(now))
    .bind(knowledge_published_at(input.status, current.published_at, change == kb::StatusChange::Moves, now))
    .execute(&mut *tx)
    .await
    .map_err(|error| knowledge_unique(error, knowledge_slug_taken(&slug)))?;
    search_index_article(&mut tx, article_id).await?;
    let article = knowledge_load_article(&mut tx, org_id, article_id).await?.ok_or_else(|| knowledge_article_not_found(article_id))?;
    tx.commit().await?;
    Ok(article)
}

pub(crate) async fn knowledge_set_article_status(pools: &Pool, org_id: i64, article_id: i64, status: kb::ArticleStatus, now: Timestamp) -> Result<KbArticle, StoreError> {
    let mut tx = pools.writer.begin().await?;
    let current = knowledge_load_article(&mut tx, org_id, article_id).await?.ok_or_else(|| knowledge_article_not_found(article_id))?;
    if current.status.check_transition(status).map_err(knowledge_refused)? == kb::StatusChange::Unchanged {
        return Ok(current);
    }
    sqlx::query("UPDATE kb_articles SET status = $3, updated_at = $4, published_at = $5 WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(article_id)
        .bind(status.as_str())
        .bind(to_micros(now))
        .bind(knowledge_published_at(status, current.published_at, true, now))
        .execute(&mut *tx)
        .await?;
    search_index_article(&mut tx, article_id).await?;
    let article = knowledge_load_article(&mut tx, org_id, article_id).await?.ok_or_else(|| knowledge_article_not_found(article_id))?;
    tx.commit().await?;
    Ok(article)
}

pub(crate) async fn knowledge_article_by_id(pools: &Pool, org_id: i64, article_id: i64) -> Result<Option<KbArticle>, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    knowledge_load_article(&mut conn, org_id, article_id).await
}

pub(crate) async fn knowledge_article_by_slug(pools: &Pool, org_id: i64, slug: &str) -> Result<Option<KbArticle>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{KNOWLEDGE_ARTICLE_COLUMNS} WHERE a.org_id = $1 AND a.slug = $2")))
        .bind(org_id)
        .bind(slug)
        .fetch_optional(&pools.reader)
        .await?;
    row.as_ref().map(knowledge_article_from_row).transpose()
}

/// The figures of every article, as subqueries over the article `a`.
const KNOWLEDGE_FIGURE_COLUMNS: &str = "(SELECT COUNT(*) FROM kb_feedback f WHERE f.article_id = a.id AND f.verdict = 'helpful') AS helpful, \
     (SELECT COUNT(*) FROM kb_feedback f WHERE f.article_id = a.id AND f.verdict = 'not_helpful') AS not_helpful, \
     (SELECT COUNT(*) FROM kb_suggestion_events e WHERE e.article_id = a.id AND e.outcome = 'shown') AS suggested, \
     (SELECT COUNT(*) FROM kb_suggestion_events e WHERE e.article_id = a.id AND e.outcome = 'opened') AS opened, \
     (SELECT COUNT(*) FROM kb_suggestion_events e WHERE e.article_id = a.id AND e.outcome = 'deflected') AS deflected";

fn knowledge_figures_from_row(row: &DbRow) -> Result<KbArticleFigures, StoreError> {
    Ok(KbArticleFigures {
        helpful: row.try_get("helpful")?,
        not_helpful: row.try_get("not_helpful")?,
        suggested: row.try_get("suggested")?,
        opened: row.try_get("opened")?,
        deflected: row.try_get("deflected")?,
    })
}

pub(crate) async fn knowledge_article_listings(pools: &Pool, org_id: i64, filter: &KbArticleFilter) -> Result<Vec<KbArticleListing>, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let mut builder = SqlBuilder::new(&format!(
        "SELECT a.id, a.slug, a.language, a.title, a.status, a.updated_at, c.code AS category_code, \
         t.id AS t_id, t.slug AS t_slug, t.language AS t_language, t.title AS t_title, t.status AS t_status, {KNOWLEDGE_FIGURE_COLUMNS} \
         FROM kb_articles a LEFT JOIN kb_categories c ON c.id = a.category_id \
         LEFT JOIN kb_articles t ON t.translation_group_id = a.translation_group_id AND t.id <> a.id WHERE a.org_id = "
    ));
    builder.push("?", [Param::Int(org_id)]);
    if let Some(status) = filter.status {
        builder.push(" AND a.status = ?", [Param::Text(status.as_str().to_owned())]);
    }
    if let Some(language) = filter.language {
        builder.push(" AND a.language = ?", [Param::Text(language.as_str().to_owned())]);
    }
    if let Some(category) = &filter.category {
        builder.push(" AND c.code = ?", [Param::Text(category.as_str().to_owned())]);
    }
    builder.push(" ORDER BY a.updated_at DESC, a.id DESC", []);
    let rows = builder.fetch_all(&mut conn).await?;
    rows.iter()
        .map(|row| {
            Ok(KbArticleListing {
                article: knowledge_reference_from_row(row)?,
                category_code: row.try_get("category_code")?,
                translation: knowledge_translation_from_row(row)?,
                updated_at: from_micros(row.try_get("updated_at")?)?,
                figures: knowledge_figures_from_row(row)?,
            })
        })
        .collect()
}

pub(crate) async fn knowledge_published_articles(pools: &Pool, org_id: i64) -> Result<Vec<KbPublishedArticle>, StoreError> {
    let rows = sqlx::query(
        "SELECT a.id, a.slug, a.language, a.title, a.status, a.category_id, a.published_at, t.id AS t_id FROM kb_articles a \
         LEFT JOIN kb_articles t ON t.translation_group_id = a.translation_group_id AND t.id <> a.id AND t.status = 'published' \
         WHERE a.org_id = $1 AND a.status = 'published'",
    )
    .bind(org_id)
    .fetch_all(&pools.reader)
    .await?;
    let mut articles = rows
        .iter()
        .map(|row| {
            Ok(KbPublishedArticle {
                article: knowledge_reference_from_row(row)?,
                category_id: row.try_get("category_id")?,
                published_translation_id: row.try_get("t_id")?,
                published_at: row.try_get::<Option<i64>, _>("published_at")?.map(from_micros).transpose()?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
    articles.sort_by(|left, right| left.article.title.cmp(&right.article.title).then(left.article.id.cmp(&right.article.id)));
    Ok(articles)
}

pub(crate) async fn knowledge_translation_candidates(pools: &Pool, org_id: i64, article_id: i64) -> Result<Vec<KbArticleRef>, StoreError> {
    let mut conn = pools.reader.acquire().await?;
    let article = knowledge_load_article(&mut conn, org_id, article_id).await?.ok_or_else(|| knowledge_article_not_found(article_id))?;
    let rows = sqlx::query(
        "SELECT id, slug, language, title, status FROM kb_articles \
         WHERE org_id = $1 AND language = $2 AND translation_group_id IS NULL AND status <> 'archived' AND id <> $3",
    )
    .bind(org_id)
    .bind(article.language.other().as_str())
    .bind(article_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut candidates = rows.iter().map(knowledge_reference_from_row).collect::<Result<Vec<_>, _>>()?;
    candidates.sort_by(|left, right| left.title.cmp(&right.title).then(left.id.cmp(&right.id)));
    Ok(candidates)
}

/// One side of a translation link, from the article's row.
fn knowledge_translation_side(article: &KbArticle) -> kb::TranslationSide {
    kb::TranslationSide { id: article.id, language: article.language, linked_to: article.translation.as_ref().map(|other| other.id) }
}

pub(crate) async fn knowledge_link_translation(pools: &Pool, org_id: i64, article_id: i64, other_id: i64, now: Timestamp) -> Result<(), StoreError> {
    let mut tx = pools.writer.begin().await?;
    let article = knowledge_load_article(&mut tx, org_id, article_id).await?.ok_or_else(|| knowledge_article_not_found(article_id))?;
    let other = knowledge_load_article(&mut tx, org_id, other_id).await?.ok_or_else(|| knowledge_article_not_found(other_id))?;
    kb::check_translation_link(knowledge_translation_side(&article), knowledge_translation_side(&other)).map_err(knowledge_refused)?;
    if article.translation.as_ref().is_some_and(|linked| linked.id == other_id) {
        return Ok(());
    }
    // The group is named after its first article, as the schema says.
    let group = article_id.min(other_id);
    sqlx::query("UPDATE kb_articles SET translation_group_id = $3, updated_at = $4 WHERE org_id = $1 AND id IN ($2, $5)")
        .bind(org_id)
        .bind(article_id)
        .bind(group)
        .bind(to_micros(now))
        .bind(other_id)
        .execute(&mut *tx)
        .await
        .map_err(|error| knowledge_unique(error, "one of these articles already has a translation in this language".into()))?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn knowledge_unlink_translation(pools: &Pool, org_id: i64, article_id: i64, now: Timestamp) -> Result<(), StoreError> {
    let mut tx = pools.writer.begin().await?;
    let row = sqlx::query("SELECT translation_group_id FROM kb_articles WHERE org_id = $1 AND id = $2")
        .bind(org_id)
        .bind(article_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| knowledge_article_not_found(article_id))?;
    // A group of one means nothing, so both sides leave it.
    if let Some(group) = row.try_get::<Option<i64>, _>("translation_group_id")? {
        sqlx::query("UPDATE kb_articles SET translation_group_id = NULL, updated_at = $3 WHERE org_id = $1 AND translation_group_id = $2")
            .bind(org_id)
            .bind(group)
            .bind(to_micros(now))
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

// ---- attachments -------------------------------------------------------------------------------

const KNOWLEDGE_ATTACHMENT_COLUMNS: &str = "x.id, x.article_id, x.filename, x.content_type, x.size_bytes, x.sha256, x.storage_key";

fn knowledge_attachment_of(id: i64, article_id: i64, file: AttachmentBlob) -> KbAttachment {
    let AttachmentBlob { filename, content_type, size_bytes, sha256, storage_key } = file;
    KbAttachment { id, article_id, filename, content_type, size_bytes, sha256, storage_key }
}

fn knowledge_attachment_from_row(row: &DbRow) -> Result<KbAttachment, StoreError> {
    Ok(knowledge_attachment_of(row.try_get("id")?, row.try_get("article_id")?, stored_file_from_row(row)?))
}

pub(crate) async fn knowledge_insert_attachments(pools: &Pool, org_id: i64, article_id: i64, blobs: &[AttachmentBlob], now: Timestamp) -> Result<Vec<KbAttachment>, StoreError> {
    let mut tx = pools.writer.begin().await?;
    let mut stored = Vec::with_capacity(blobs.len());
    for blob in blobs {
        let id = insert_attachment_row(
            &mut tx,
            "INSERT INTO kb_attachments (org_id, article_id, filename, content_type, size_bytes, sha256, storage_key, created_at) \
             SELECT org_id, id, $3, $4, $5, $6, $7, $8 FROM kb_articles WHERE org_id = $1 AND id = $2 RETURNING id",
            &[org_id, article_id],
            blob,
            now,
        )
        .await?
        .ok_or_else(|| knowledge_article_not_found(article_id))?;
        stored.push(knowledge_attachment_of(id, article_id, blob.clone()));
    }
    tx.commit().await?;
    Ok(stored)
}

pub(crate) async fn knowledge_attachments(pools: &Pool, org_id: i64, article_id: i64) -> Result<Vec<KbAttachment>, StoreError> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {KNOWLEDGE_ATTACHMENT_COLUMNS} FROM kb_attachments x WHERE x.org_id = $1 AND x.article_id = $2 ORDER BY x.id"
    )))
    .bind(org_id)
    .bind(article_id)
    .fetch_all(&pools.reader)
    .await?;
    rows.iter().map(knowledge_attachment_from_row).collect()
}

pub(crate) async fn knowledge_attachment(pools: &Pool, org_id: i64, attachment_id: i64) -> Result<Option<(KbAttachment, KbArticleRef)>, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {KNOWLEDGE_ATTACHMENT_COLUMNS}, a.slug, a.language, a.title, a.status FROM kb_attachments x \
         JOIN kb_articles a ON a.id = x.article_id WHERE x.org_id = $1 AND x.id = $2"
    )))
    .bind(org_id)
    .bind(attachment_id)
    .fetch_optional(&pools.reader)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let attachment = knowledge_attachment_from_row(&row)?;
    let article = KbArticleRef {
        id: attachment.article_id,
        slug: row.try_get("slug")?,
        language: parse_stored(&row.try_get::<String, _>("language")?)?,
        title: row.try_get("title")?,
        status: parse_stored(&row.try_get::<String, _>("status")?)?,
    };
    Ok(Some((attachment, article)))
}

pub(crate) async fn knowledge_remove_attachment(pools: &Pool, org_id: i64, article_id: i64, attachment_id: i64) -> Result<(), StoreError> {
    let done = sqlx::query("DELETE FROM kb_attachments WHERE org_id = $1 AND article_id = $2 AND id = $3")
        .bind(org_id)
        .bind(article_id)
        .bind(attachment_id)
        .execute(&pools.writer)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "attachment", key: attachment_id.to_string() });
    }
    Ok(())
}

// ---- "was this helpful?" -----------------------------------------------------------------------

fn knowledge_feedback_from_row(row: &DbRow) -> Result<KbFeedbackRecord, StoreError> {
    Ok(KbFeedbackRecord {
        verdict: parse_stored(&row.try_get::<String, _>("verdict")?)?,
        comment: row.try_get("comment")?,
        at: from_micros(row.try_get("created_at")?)?,
    })
}

pub(crate) async fn knowledge_record_feedback(
    pools: &Pool,
    org_id: i64,
    article_id: i64,
    reader_digest: &str,
    verdict: kb::FeedbackVerdict,
    comment: Option<&kb::FeedbackComment>,
    now: Timestamp,
) -> Result<(), StoreError> {
    // One verdict per reader: a second one replaces the first (and its comment), so a reader
    // who changes their mind is counted once, on the side they chose last.
    let done = sqlx::query(
        "INSERT INTO kb_feedback (org_id, article_id, verdict, comment, reader_key, created_at) \
         SELECT org_id, id, $3, $4, $5, $6 FROM kb_articles WHERE org_id = $1 AND id = $2 AND status = 'published' \
         ON CONFLICT (article_id, reader_key) DO UPDATE SET verdict = excluded.verdict, comment = excluded.comment, created_at = excluded.created_at",
    )
    .bind(org_id)
    .bind(article_id)
    .bind(verdict.as_str())
    .bind(comment.map(|comment| comment.as_str()))
    .bind(reader_digest)
    .bind(to_micros(now))
    .execute(&pools.writer)
    .await?;
    if done.rows_affected() == 0 {
        return Err(knowledge_article_not_found(article_id));
    }
    Ok(())
}

pub(crate) async fn knowledge_feedback_of_reader(pools: &Pool, article_id: i64, reader_digest: &str) -> Result<Option<KbFeedbackRecord>, StoreError> {
    let row = sqlx::query("SELECT verdict, comment, created_at FROM kb_feedback WHERE article_id = $1 AND reader_key = $2")
        .bind(article_id)
        .bind(reader_digest)
        .fetch_optional(&pools.reader)
        .await?;
    row.as_ref().map(knowledge_feedback_from_row).transpose()
}

pub(crate) async fn knowledge_article_figures(pools: &Pool, org_id: i64, article_id: i64) -> Result<KbArticleFigures, StoreError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {KNOWLEDGE_FIGURE_COLUMNS} FROM kb_articles a WHERE a.org_id = $1 AND a.id = $2")))
        .bind(org_id)
        .bind(article_id)
        .fetch_optional(&pools.reader)
        .await?
        .ok_or_else(|| knowledge_article_not_found(article_id))?;
    knowledge_figures_from_row(&row)
}

pub(crate) async fn knowledge_feedback_comments(pools: &Pool, org_id: i64, article_id: i64, limit: u32) -> Result<Vec<KbFeedbackRecord>, StoreError> {
    let rows = sqlx::query(
        "SELECT verdict, comment, created_at FROM kb_feedback WHERE org_id = $1 AND article_id = $2 AND comment IS NOT NULL \
         ORDER BY created_at DESC, id DESC LIMIT $3",
    )
    .bind(org_id)
    .bind(article_id)
    .bind(i64::from(limit))
    .fetch_all(&pools.reader)
    .await?;
    rows.iter().map(knowledge_feedback_from_row).collect()
}

// ---- suggestions -------------------------------------------------------------------------------

/// The longest query kept with a `shown` event, in characters: enough to see what people look
/// for, not a copy of their ticket.
const KNOWLEDGE_QUERY_CHARS: usize = 200;

pub(crate) async fn knowledge_record_shown(pools: &Pool, org_id: i64, visit_digest: &str, article_ids: &[i64], query: &str, now: Timestamp) -> Result<u64, StoreError> {
    if article_ids.is_empty() {
        return Ok(0);
    }
    let query: String = query.trim().chars().take(KNOWLEDGE_QUERY_CHARS).collect();
    let mut tx = pools.writer.begin().await?;
    let mut recorded = 0;
    for article_id in article_ids {
        // The unique index on (visit, outcome, article) keeps one `shown` per article and visit
        // however many times the list is asked for while the requester types.
        let done = sqlx::query(
            "INSERT INTO kb_suggestion_events (org_id, article_id, outcome, visit_key, query, created_at) \
             SELECT org_id, id, $3, $4, $5, $6 FROM kb_articles WHERE org_id = $1 AND id = $2 AND status = 'published' ON CONFLICT DO NOTHING",
        )
        .bind(org_id)
        .bind(*article_id)
        .bind(kb::SuggestionOutcome::Shown.as_str())
        .bind(visit_digest)
        .bind(&query)
        .bind(to_micros(now))
        .execute(&mut *tx)
        .await?;
        recorded += done.rows_affected();
    }
    tx.commit().await?;
    Ok(recorded)
}

pub(crate) async fn knowledge_record_outcome(
    pools: &Pool,
    org_id: i64,
    visit_digest: &str,
    article_id: Option<i64>,
    outcome: kb::SuggestionOutcome,
    now: Timestamp,
) -> Result<SuggestionRecording, StoreError> {
    let mut tx = pools.writer.begin().await?;
    let done = match (outcome, article_id) {
        (kb::SuggestionOutcome::Submitted, None) => {
            sqlx::query("INSERT INTO kb_suggestion_events (org_id, article_id, outcome, visit_key, created_at) VALUES ($1, NULL, $2, $3, $4) ON CONFLICT DO NOTHING")
                .bind(org_id)
                .bind(outcome.as_str())
                .bind(visit_digest)
                .bind(to_micros(now))
                .execute(&mut *tx)
                .await?
        }
        (kb::SuggestionOutcome::Submitted, Some(_)) => {
            return Err(StoreError::Invalid("a submitted ticket ends the whole visit; it names no article".into()));
        }
        (_, None) => return Err(StoreError::Invalid(format!("a '{outcome}' suggestion event names its article"))),
        (_, Some(article_id)) => {
            let published = sqlx::query("SELECT id FROM kb_articles WHERE org_id = $1 AND id = $2 AND status = 'published'")
                .bind(org_id)
                .bind(article_id)
                .fetch_optional(&mut *tx)
                .await?;
            if published.is_none() {
                return Err(knowledge_article_not_found(article_id));
            }
            sqlx::query(
                "INSERT INTO kb_suggestion_events (org_id, article_id, outcome, visit_key, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            )
            .bind(org_id)
            .bind(article_id)
            .bind(outcome.as_str())
            .bind(visit_digest)
            .bind(to_micros(now))
            .execute(&mut *tx)
            .await?
        }
    };
    tx.commit().await?;
    Ok(if done.rows_affected() == 0 { SuggestionRecording::AlreadyRecorded } else { SuggestionRecording::Recorded })
}

pub(crate) async fn knowledge_deflection(pools: &Pool, org_id: i64, since: Timestamp) -> Result<kb::Deflection, StoreError> {
    // A visit counts as deflected when the requester said an article answered them and then
    // did not submit the ticket after all.
    let row = sqlx::query(
        "SELECT \
           (SELECT COUNT(DISTINCT s.visit_key) FROM kb_suggestion_events s WHERE s.org_id = $1 AND s.outcome = 'shown' AND s.created_at >= $2) \
             AS visits_with_suggestions, \
           (SELECT COUNT(DISTINCT d.visit_key) FROM kb_suggestion_events d WHERE d.org_id = $1 AND d.outcome = 'deflected' AND d.created_at >= $2 \
              AND EXISTS (SELECT 1 FROM kb_suggestion_events s WHERE s.visit_key = d.visit_key AND s.org_id = $1 AND s.outcome = 'shown' AND s.created_at >= $2) \
              AND NOT EXISTS (SELECT 1 FROM kb_suggestion_events s WHERE s.visit_key = d.visit_key AND s.org_id = $1 AND s.outcome = 'submitted')) \
             AS deflected_visits",
    )
    .bind(org_id)
    .bind(to_micros(since))
    .fetch_one(&pools.reader)
    .await?;
    Ok(kb::Deflection { visits_with_suggestions: row.try_get("visits_with_suggestions")?, deflected_visits: row.try_get("deflected_visits")? })
}

pub(crate) async fn knowledge_visit_outcomes(pools: &Pool, org_id: i64, visit_digest: &str) -> Result<Vec<(kb::SuggestionOutcome, i64)>, StoreError> {
    let rows = sqlx::query("SELECT outcome, COUNT(*) AS count FROM kb_suggestion_events WHERE org_id = $1 AND visit_key = $2 GROUP BY outcome")
        .bind(org_id)
        .bind(visit_digest)
        .fetch_all(&pools.reader)
        .await?;
    let mut counts = Vec::with_capacity(kb::SuggestionOutcome::ALL.len());
    for outcome in kb::SuggestionOutcome::ALL {
        let mut count = 0;
        for row in &rows {
            if row.try_get::<String, _>("outcome")? == outcome.as_str() {
                count = row.try_get("count")?;
            }
        }
        counts.push((*outcome, count));
    }
    Ok(counts)
}
