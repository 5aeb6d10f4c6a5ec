// Full-text search, written once and included beside `queries.rs` for each backend: keeping the
// index in step with tickets and articles, finding candidates (FTS5 on SQLite, `tsvector` on
// PostgreSQL), and ranking them in Rust. Private helpers are prefixed with `search_` so that they
// never collide with the names of the files included beside this one.

use crate::search::*;
use sanad_domain::search as analysis;
use sanad_domain::search::SearchQuery;

// ---- the candidate query -----------------------------------------------------------------------

/// Keeps only the characters an analyzed term can hold, so that a term can never change the
/// syntax of the query around it (the analyzer already yields letters and digits only).
fn search_clean_term(term: &str) -> String {
    term.chars().filter(|character| character.is_alphanumeric()).collect()
}

/// The query as an FTS5 expression: every term must match; a type-ahead term matches words
/// beginning with its stem or with its surface form.
fn search_fts5_expression(query: &SearchQuery) -> String {
    let mut parts = Vec::with_capacity(query.terms().len());
    for term in query.terms() {
        let stem = search_clean_term(&term.stem);
        let surface = search_clean_term(&term.surface);
        if term.prefix {
            if stem == surface || surface.is_empty() {
                parts.push(format!("\"{stem}\"*"));
            } else if stem.is_empty() {
                parts.push(format!("\"{surface}\"*"));
            } else {
                parts.push(format!("(\"{stem}\"* OR \"{surface}\"*)"));
            }
        } else {
            parts.push(format!("\"{}\"", if stem.is_empty() { surface } else { stem }));
        }
    }
    parts.join(" AND ")
}

/// The same query as PostgreSQL `to_tsquery('simple', …)` text.
fn search_tsquery_expression(query: &SearchQuery) -> String {
    let mut parts = Vec::with_capacity(query.terms().len());
    for term in query.terms() {
        let stem = search_clean_term(&term.stem);
        let surface = search_clean_term(&term.surface);
        if term.prefix {
            if stem == surface || surface.is_empty() {
                parts.push(format!("'{stem}':*"));
            } else if stem.is_empty() {
                parts.push(format!("'{surface}':*"));
            } else {
                parts.push(format!("('{stem}':* | '{surface}':*)"));
            }
        } else {
            parts.push(format!("'{}'", if stem.is_empty() { surface } else { stem }));
        }
    }
    parts.join(" & ")
}

/// A query with no usable term matches nothing (the analyzer refuses such queries; this is the
/// store's own guard, because an empty FTS5 expression is a syntax error).
fn search_has_terms(query: &SearchQuery) -> bool {
    query.terms().iter().any(|term| !search_clean_term(&term.stem).is_empty() || !search_clean_term(&term.surface).is_empty())
}

// ---- keeping the ticket index in step ----------------------------------------------------------

/// The identity terms of a ticket: its number, and its requester's name, e-mail and phone forms.
fn search_identity_terms(number: &str, name: &str, email: Option<&str>, phone: Option<&str>) -> String {
    let mut terms = analysis::index_terms(number);
    for part in [analysis::index_terms(name), email.map(analysis::index_terms).unwrap_or_default(), phone.map(analysis::phone_terms).unwrap_or_default()] {
        if !part.is_empty() {
            if !terms.is_empty() {
                terms.push(' ');
            }
            terms.push_str(&part);
        }
    }
    terms
}

/// Cuts analyzed terms to the stored maximum, at a space.
fn search_capped(mut terms: String) -> String {
    let limit = usize::try_from(MAX_BODY_TERMS_CHARS).unwrap_or(usize::MAX);
    if terms.chars().count() > limit {
        let cut = terms.char_indices().nth(limit).map_or(terms.len(), |(index, _)| index);
        let cut = terms[..cut].rfind(' ').unwrap_or(0);
        terms.truncate(cut);
    }
    terms
}

/// A ticket's access terms from its stored kind, assignee and departments.
async fn search_stored_access_terms(conn: &mut DbConn, ticket_id: i64) -> Result<String, StoreError> {
    let row = sqlx::query("SELECT kind, assignee_id FROM tickets WHERE id = $1").bind(ticket_id).fetch_one(&mut *conn).await?;
    let kind: TicketKind = parse_stored(&row.try_get::<String, _>("kind")?)?;
    let departments: Vec<i64> = sqlx::query("SELECT department_id FROM ticket_departments WHERE ticket_id = $1")
        .bind(ticket_id)
        .fetch_all(&mut *conn)
        .await?
        .iter()
        .map(|row| row.try_get("department_id"))
        .collect::<Result<_, _>>()?;
    Ok(access_terms(kind, row.try_get("assignee_id")?, &departments))
}

/// Writes a new ticket's index entry (subject, identity and access; messages are appended as
/// they are stored). Called in the transaction that inserts the ticket, after its departments.
async fn search_index_new_ticket(conn: &mut DbConn, ticket_id: i64) -> Result<(), StoreError> {
    let row = sqlx::query(
        "SELECT t.org_id, t.number, t.subject, r.name, r.email, r.phone FROM tickets t JOIN requesters r ON r.id = t.requester_id WHERE t.id = $1",
    )
    .bind(ticket_id)
    .fetch_one(&mut *conn)
    .await?;
    let identity = search_identity_terms(
        &row.try_get::<String, _>("number")?,
        &row.try_get::<String, _>("name")?,
        row.try_get::<Option<String>, _>("email")?.as_deref(),
        row.try_get::<Option<String>, _>("phone")?.as_deref(),
    );
    let access = search_stored_access_terms(conn, ticket_id).await?;
    sqlx::query(
        "INSERT INTO ticket_search (ticket_id, org_id, analyzer_version, subject_terms, identity_terms, body_terms, access_terms) VALUES ($1, $2, $3, $4, $5, '', $6) \
         ON CONFLICT (ticket_id) DO UPDATE SET subject_terms = excluded.subject_terms, identity_terms = excluded.identity_terms, access_terms = excluded.access_terms",
    )
    .bind(ticket_id)
    .bind(row.try_get::<i64, _>("org_id")?)
    .bind(i64::from(analysis::ANALYZER_VERSION))
    .bind(analysis::index_terms(&row.try_get::<String, _>("subject")?))
    .bind(identity)
    .bind(access)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Appends a stored message's terms to its ticket's entry, in the message's transaction. A
/// message that would take the entry past its cap is left out of the index (it is still stored
/// and shown; only finding the ticket by its words is affected).
async fn search_append_message(conn: &mut DbConn, ticket_id: i64, body: &str) -> Result<(), StoreError> {
    let terms = analysis::index_terms(body);
    if terms.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE ticket_search SET body_terms = CASE WHEN body_terms = '' THEN CAST($2 AS TEXT) ELSE body_terms || ' ' || CAST($2 AS TEXT) END \
         WHERE ticket_id = $1 AND LENGTH(body_terms) + 1 + LENGTH(CAST($2 AS TEXT)) <= $3",
    )
    .bind(ticket_id)
    .bind(search_capped(terms))
    .bind(MAX_BODY_TERMS_CHARS)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Re-analyzes a ticket's subject and recomputes its access terms after its facts (kind,
/// assignee, departments) are written; no write when neither changed.
async fn search_update_facts(conn: &mut DbConn, ticket_id: i64, subject: &str) -> Result<(), StoreError> {
    let terms = analysis::index_terms(subject);
    let access = search_stored_access_terms(conn, ticket_id).await?;
    sqlx::query("UPDATE ticket_search SET subject_terms = $2, access_terms = $3 WHERE ticket_id = $1 AND (subject_terms <> $2 OR access_terms <> $3)")
        .bind(ticket_id)
        .bind(terms)
        .bind(access)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

// ---- keeping the article index in step ---------------------------------------------------------

/// The words of a Markdown article body, without link targets and markup characters, for
/// indexing and snippets.
fn search_markdown_words(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    let mut rest = markdown;
    // Drops the target of every `[text](target)` and `![alt](target)`, keeping the text.
    while let Some(start) = rest.find("](") {
        text.push_str(&rest[..start]);
        match rest[start..].find(')') {
            Some(end) => rest = &rest[start + end + 1..],
            None => {
                rest = "";
            }
        }
    }
    text.push_str(rest);
    text.chars().map(|character| if matches!(character, '#' | '*' | '_' | '`' | '>' | '[' | ']' | '!' | '|' | '~') { ' ' } else { character }).collect()
}

/// Writes (or rewrites) an article's index entry from its stored row. Called in the transaction
/// that creates, edits, publishes or archives the article.
pub(crate) async fn search_index_article(conn: &mut DbConn, article_id: i64) -> Result<(), StoreError> {
    let row = sqlx::query("SELECT org_id, language, status, title, body FROM kb_articles WHERE id = $1")
        .bind(article_id)
        .fetch_one(&mut *conn)
        .await?;
    let body = search_markdown_words(&row.try_get::<String, _>("body")?);
    sqlx::query(
        "INSERT INTO kb_article_search (article_id, org_id, language, status, analyzer_version, title_terms, body_terms) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (article_id) DO UPDATE SET language = excluded.language, status = excluded.status, analyzer_version = excluded.analyzer_version, \
         title_terms = excluded.title_terms, body_terms = excluded.body_terms",
    )
    .bind(article_id)
    .bind(row.try_get::<i64, _>("org_id")?)
    .bind(row.try_get::<String, _>("language")?)
    .bind(row.try_get::<String, _>("status")?)
    .bind(i64::from(analysis::ANALYZER_VERSION))
    .bind(analysis::index_terms(&row.try_get::<String, _>("title")?))
    .bind(search_capped(analysis::index_terms(&body)))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

// ---- searching ---------------------------------------------------------------------------------

/// `(?, ?, …)` over ids.
fn search_id_list(builder: &mut SqlBuilder, ids: &[i64]) {
    let marks = vec!["?"; ids.len()].join(", ");
    builder.push(&format!("({marks})"), ids.iter().map(|id| Param::Int(*id)));
}

/// Ranks candidates `(id, fields)` and keeps the best `limit`, ties going to the newest.
fn search_rank(query: &SearchQuery, candidates: Vec<(i64, Vec<(f64, String)>)>, limit: u32) -> Vec<(i64, f64)> {
    let mut ranked: Vec<(i64, f64)> = candidates
        .into_iter()
        .map(|(id, fields)| {
            let borrowed: Vec<(f64, &str)> = fields.iter().map(|(weight, terms)| (*weight, terms.as_str())).collect();
            (id, analysis::score(query, &borrowed))
        })
        .filter(|(_, score)| *score > 0.0)
        .collect();
    ranked.sort_by(|left, right| right.1.total_cmp(&left.1).then(right.0.cmp(&left.0)));
    ranked.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    ranked
}

/// Of several texts, the snippet with the most highlighted words (the earliest on a tie); the
/// first text's opening when none matches.
fn search_best_snippet<'a>(query: &SearchQuery, texts: impl IntoIterator<Item = &'a str>) -> analysis::Snippet {
    let mut best: Option<(usize, analysis::Snippet)> = None;
    for text in texts {
        let snippet = analysis::snippet(text, query, 180);
        let marks = snippet.segments.iter().filter(|segment| segment.highlighted).count();
        if best.as_ref().is_none_or(|(best_marks, _)| marks > *best_marks) {
            best = Some((marks, snippet));
        }
    }
    best.map(|(_, snippet)| snippet).unwrap_or(analysis::Snippet { segments: Vec::new() })
}

/// The access terms a restricted viewer's candidates must hold one of (`None` for a viewer who
/// sees everything): see `search::access_terms`.
async fn search_viewer_access(conn: &mut DbConn, org_id: i64, viewer: &DeskViewer<'_>) -> Result<Option<Vec<String>>, StoreError> {
    let (DeskScope::Restricted, Some(user_id)) = (viewer.scope, viewer.user_id) else { return Ok(None) };
    let mut department_ids = Vec::with_capacity(viewer.departments.len());
    if !viewer.departments.is_empty() {
        let mut departments = SqlBuilder::new("SELECT id FROM departments WHERE");
        departments.push(" org_id = ?", [Param::Int(org_id)]);
        departments.push(&format!(" AND code IN ({})", desk_marks(viewer.departments.len())), desk_texts(viewer.departments));
        for row in departments.fetch_all(conn).await? {
            department_ids.push(row.try_get::<i64, _>("id")?);
        }
    }
    Ok(Some(viewer_access_terms(user_id, &department_ids)))
}

/// The newest visible candidates for `query`, ranked, best `limit` kept.
async fn search_ranked_tickets(
    conn: &mut DbConn,
    org_id: i64,
    viewer: &DeskViewer<'_>,
    access: Option<&[String]>,
    query: &SearchQuery,
    limit: u32,
) -> Result<Vec<(i64, f64)>, StoreError> {
    let (visibility, visibility_params) = desk_visibility(org_id, viewer);
    let rows = match DIALECT {
        // FTS5 yields matches in descending rowid order itself, so the newest visible matches
        // come first and the scan stops at the limit.
        crate::BackendKind::Sqlite => {
            let mut expression = search_fts5_expression(query);
            if let Some(access) = access {
                let any_of: Vec<String> = access.iter().map(|term| format!("\"{term}\"")).collect();
                expression = format!("({expression}) AND ({})", any_of.join(" OR "));
            }
            let mut candidates = SqlBuilder::new(
                "SELECT s.ticket_id, s.subject_terms, s.identity_terms, s.body_terms FROM ticket_search_fts f \
                 JOIN ticket_search s ON s.ticket_id = f.rowid JOIN tickets t ON t.id = f.rowid WHERE ticket_search_fts MATCH ",
            );
            candidates.push("?", [Param::Text(expression)]);
            candidates.push(" AND t.org_id = ?", [Param::Int(org_id)]);
            candidates.push(&visibility, visibility_params);
            candidates.push(" ORDER BY f.rowid DESC LIMIT ?", [Param::Int(RANKED_CANDIDATES)]);
            candidates.fetch_all(&mut *conn).await?
        }
        crate::BackendKind::Postgres => {
            let mut expression = search_tsquery_expression(query);
            if let Some(access) = access {
                let any_of: Vec<String> = access.iter().map(|term| format!("'{term}'")).collect();
                expression = format!("({expression}) & ({})", any_of.join(" | "));
            }
            let newest: Option<i64> = sqlx::query("SELECT MAX(id) AS newest FROM tickets").fetch_one(&mut *conn).await?.try_get("newest")?;
            let newest = newest.unwrap_or(0);
            let mut rows = Vec::new();
            let (mut lower, mut upper) = (newest.saturating_sub(SEARCH_FIRST_WINDOW).max(0), newest);
            loop {
                let wanted = RANKED_CANDIDATES - i64::try_from(rows.len()).unwrap_or(RANKED_CANDIDATES);
                // Two plans, chosen here rather than by the planner, whose estimates for a
                // full-text condition are poor (for an agent, a word found mostly in other
                // departments' complaints looks common). In a narrow window: walk the newest ids
                // and test each document, which stops as soon as enough match (the subquery's
                // `OFFSET 0` keeps it a walk); a narrow window bounds the walk when the matches
                // are few. In a wide window, reached only when matches are sparse: ask the GIN
                // index, then sort (`+ 0` keeps the planner from walking instead, which read
                // and decompressed every document of the window).
                let walk = upper - lower <= SEARCH_WALKABLE_WINDOW;
                let source = if walk {
                    "(SELECT * FROM ticket_search w WHERE w.ticket_id > ? AND w.ticket_id <= ? ORDER BY w.ticket_id DESC OFFSET 0) s"
                } else {
                    "ticket_search s"
                };
                let mut candidates = SqlBuilder::new("SELECT s.ticket_id, s.subject_terms, s.identity_terms, s.body_terms FROM ");
                candidates.push(source, if walk { vec![Param::Int(lower), Param::Int(upper)] } else { Vec::new() });
                candidates.push(
                    " JOIN tickets t ON t.id = s.ticket_id WHERE s.document @@ to_tsquery('simple', ?) AND s.org_id = ? AND s.ticket_id > ? AND s.ticket_id <= ?",
                    [Param::Text(expression.clone()), Param::Int(org_id), Param::Int(lower), Param::Int(upper)],
                );
                candidates.push(" AND t.org_id = ?", [Param::Int(org_id)]);
                candidates.push(&visibility, visibility_params.clone());
                let order = if walk { " ORDER BY s.ticket_id DESC LIMIT ?" } else { " ORDER BY s.ticket_id + 0 DESC LIMIT ?" };
                candidates.push(order, [Param::Int(wanted)]);
                let found = candidates.fetch_all_planned_for_values(&mut *conn).await?;
                let found_count = i64::try_from(found.len()).unwrap_or(i64::MAX);
                rows.extend(found);
                if found_count >= wanted || lower <= 0 {
                    break;
                }
                (lower, upper) = search_next_window(lower, upper - lower, found_count, wanted - found_count);
            }
            rows
        }
    };
    let mut documents = Vec::with_capacity(rows.len());
    for row in &rows {
        documents.push((
            row.try_get::<i64, _>("ticket_id")?,
            vec![
                (TICKET_FIELD_WEIGHTS[0], row.try_get::<String, _>("subject_terms")?),
                (TICKET_FIELD_WEIGHTS[1], row.try_get::<String, _>("identity_terms")?),
                (TICKET_FIELD_WEIGHTS[2], row.try_get::<String, _>("body_terms")?),
            ],
        ));
    }
    Ok(search_rank(query, documents, limit))
}

pub(crate) async fn search_tickets(pools: &Pool, org_id: i64, viewer: &Principal, query: &SearchQuery, limit: u32) -> Result<Vec<TicketSearchHit>, StoreError> {
    let viewer = desk_viewer(viewer);
    if viewer.scope == DeskScope::Nothing || !search_has_terms(query) || limit == 0 {
        return Ok(Vec::new());
    }
    let mut conn = pools.reader.acquire().await?;
    let access = search_viewer_access(&mut conn, org_id, &viewer).await?;
    let access = access.as_deref();
    // The last word as a whole word first: both indexes walk an exact term's matches lazily,
    // newest first, but must gather every match of a prefix before ordering (160 ms for "exam*"
    // over a million tickets on SQLite, 1 ms for "exam"). Only when whole words do not fill the
    // page is the word taken as the start of longer ones, as someone still typing means it.
    let mut ranked = match query.as_whole_words() {
        Some(whole_words) => search_ranked_tickets(&mut conn, org_id, &viewer, access, &whole_words, limit).await?,
        None => Vec::new(),
    };
    if ranked.len() < usize::try_from(limit).unwrap_or(usize::MAX) {
        ranked = search_ranked_tickets(&mut conn, org_id, &viewer, access, query, limit).await?;
    }
    if ranked.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = ranked.iter().map(|(id, _)| *id).collect();

    let mut details = SqlBuilder::new(
        "SELECT t.id, t.number, t.subject, t.kind, t.status, t.updated_at, r.name AS requester_name FROM tickets t \
         JOIN requesters r ON r.id = t.requester_id WHERE t.id IN ",
    );
    search_id_list(&mut details, &ids);
    let detail_rows = details.fetch_all(&mut conn).await?;
    let mut bodies = SqlBuilder::new("SELECT ticket_id, body FROM messages WHERE ticket_id IN ");
    search_id_list(&mut bodies, &ids);
    bodies.push(" ORDER BY id", []);
    let body_rows = bodies.fetch_all(&mut conn).await?;
    let mut messages: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    for row in &body_rows {
        messages.entry(row.try_get("ticket_id")?).or_default().push(row.try_get("body")?);
    }

    let mut hits = Vec::with_capacity(ranked.len());
    for (id, score) in ranked {
        let Some(row) = detail_rows.iter().find(|row| row.try_get::<i64, _>("id").ok() == Some(id)) else { continue };
        let subject: String = row.try_get("subject")?;
        let texts = messages.get(&id).map(Vec::as_slice).unwrap_or_default();
        let mut snippet = search_best_snippet(query, texts.iter().map(String::as_str));
        if !snippet.segments.iter().any(|segment| segment.highlighted) {
            // Found by its subject, number or requester: the subject shows why.
            let from_subject = analysis::snippet(&subject, query, 180);
            if from_subject.segments.iter().any(|segment| segment.highlighted) || snippet.is_empty() {
                snippet = from_subject;
            }
        }
        hits.push(TicketSearchHit {
            id,
            number: row.try_get("number")?,
            subject,
            kind: parse_stored(&row.try_get::<String, _>("kind")?)?,
            status: parse_stored(&row.try_get::<String, _>("status")?)?,
            requester_name: row.try_get("requester_name")?,
            updated_at: from_micros(row.try_get("updated_at")?)?,
            score,
            snippet,
        });
    }
    Ok(hits)
}

pub(crate) async fn search_articles(pools: &Pool, org_id: i64, audience: &ArticleAudience, query: &SearchQuery, limit: u32) -> Result<Vec<ArticleSearchHit>, StoreError> {
    if !search_has_terms(query) || limit == 0 {
        return Ok(Vec::new());
    }
    let mut conn = pools.reader.acquire().await?;
    let mut candidates = match DIALECT {
        crate::BackendKind::Sqlite => {
            let mut builder = SqlBuilder::new(
                "SELECT s.article_id, s.title_terms, s.body_terms FROM kb_article_search_fts f \
                 JOIN kb_article_search s ON s.article_id = f.rowid WHERE kb_article_search_fts MATCH ",
            );
            builder.push("?", [Param::Text(search_fts5_expression(query))]);
            builder
        }
        crate::BackendKind::Postgres => {
            let mut builder = SqlBuilder::new("SELECT s.article_id, s.title_terms, s.body_terms FROM kb_article_search s WHERE s.document @@ to_tsquery('simple', ");
            builder.push("?)", [Param::Text(search_tsquery_expression(query))]);
            builder
        }
    };
    candidates.push(" AND s.org_id = ?", [Param::Int(org_id)]);
    if let ArticleAudience::Public { language } = audience {
        candidates.push(" AND s.status = 'published'", []);
        if let Some(language) = language {
            candidates.push(" AND s.language = ?", [Param::Text(language.clone())]);
        }
    }
    let order = match DIALECT {
        crate::BackendKind::Sqlite => " ORDER BY f.rowid DESC LIMIT ?",
        crate::BackendKind::Postgres => " ORDER BY s.article_id DESC LIMIT ?",
    };
    candidates.push(order, [Param::Int(RANKED_CANDIDATES)]);
    let rows = candidates.fetch_all(&mut conn).await?;
    let mut documents = Vec::with_capacity(rows.len());
    for row in &rows {
        documents.push((
            row.try_get::<i64, _>("article_id")?,
            vec![
                (ARTICLE_FIELD_WEIGHTS[0], row.try_get::<String, _>("title_terms")?),
                (ARTICLE_FIELD_WEIGHTS[1], row.try_get::<String, _>("body_terms")?),
            ],
        ));
    }
    let ranked = search_rank(query, documents, limit);
    if ranked.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = ranked.iter().map(|(id, _)| *id).collect();
    let mut details = SqlBuilder::new("SELECT id, slug, language, title, status, body FROM kb_articles WHERE id IN ");
    search_id_list(&mut details, &ids);
    let detail_rows = details.fetch_all(&mut conn).await?;
    let mut hits = Vec::with_capacity(ranked.len());
    for (id, score) in ranked {
        let Some(row) = detail_rows.iter().find(|row| row.try_get::<i64, _>("id").ok() == Some(id)) else { continue };
        let body = search_markdown_words(&row.try_get::<String, _>("body")?);
        let title: String = row.try_get("title")?;
        let mut snippet = analysis::snippet(&body, query, 180);
        if !snippet.segments.iter().any(|segment| segment.highlighted) {
            // Found by its title alone: the title shows why.
            let from_title = analysis::snippet(&title, query, 180);
            if from_title.segments.iter().any(|segment| segment.highlighted) {
                snippet = from_title;
            }
        }
        hits.push(ArticleSearchHit {
            id,
            slug: row.try_get("slug")?,
            language: row.try_get("language")?,
            title,
            status: row.try_get("status")?,
            score,
            snippet,
        });
    }
    Ok(hits)
}

// ---- rebuilding --------------------------------------------------------------------------------

pub(crate) async fn rebuild_search_index(pools: &Pool, scope: ReindexScope, batch: u32) -> Result<ReindexReport, StoreError> {
    // At most 4,000 rows of seven values a statement: under both backends' limits on bound values.
    let batch = i64::from(batch.clamp(1, 4_000));
    let version = i64::from(analysis::ANALYZER_VERSION);
    let stale = match scope {
        ReindexScope::Stale => " AND NOT EXISTS (SELECT 1 FROM ticket_search s WHERE s.ticket_id = t.id AND s.analyzer_version = $3)",
        ReindexScope::Everything => " AND $3 = $3",
    };
    let mut report = ReindexReport::default();
    let mut after = 0_i64;
    loop {
        let mut tx = pools.writer.begin().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT t.id, t.org_id, t.number, t.subject, t.kind, t.assignee_id, r.name, r.email, r.phone FROM tickets t \
             JOIN requesters r ON r.id = t.requester_id WHERE t.id > $1{stale} ORDER BY t.id LIMIT $2"
        )))
        .bind(after)
        .bind(batch)
        .bind(version)
        .fetch_all(&mut *tx)
        .await?;
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else { break };
        let first_id: i64 = first.try_get("id")?;
        let last_id: i64 = last.try_get("id")?;
        let message_rows = sqlx::query("SELECT ticket_id, body FROM messages WHERE ticket_id BETWEEN $1 AND $2 ORDER BY ticket_id, id")
            .bind(first_id)
            .bind(last_id)
            .fetch_all(&mut *tx)
            .await?;
        let mut bodies: std::collections::HashMap<i64, String> = std::collections::HashMap::new();
        for row in &message_rows {
            let terms = analysis::index_terms(&row.try_get::<String, _>("body")?);
            if terms.is_empty() {
                continue;
            }
            let entry = bodies.entry(row.try_get("ticket_id")?).or_default();
            // The same rule as appending: a message that would pass the cap is left out.
            let cap = usize::try_from(MAX_BODY_TERMS_CHARS).unwrap_or(usize::MAX);
            let length = entry.chars().count();
            if entry.is_empty() {
                *entry = search_capped(terms);
            } else if length + 1 + terms.chars().count() <= cap {
                entry.push(' ');
                entry.push_str(&terms);
            }
        }
        let route_rows = sqlx::query("SELECT ticket_id, department_id FROM ticket_departments WHERE ticket_id BETWEEN $1 AND $2")
            .bind(first_id)
            .bind(last_id)
            .fetch_all(&mut *tx)
            .await?;
        let mut routes: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
        for row in &route_rows {
            routes.entry(row.try_get("ticket_id")?).or_default().push(row.try_get("department_id")?);
        }
        let mut entries = Vec::with_capacity(rows.len());
        for row in &rows {
            let ticket_id: i64 = row.try_get("id")?;
            let identity = search_identity_terms(
                &row.try_get::<String, _>("number")?,
                &row.try_get::<String, _>("name")?,
                row.try_get::<Option<String>, _>("email")?.as_deref(),
                row.try_get::<Option<String>, _>("phone")?.as_deref(),
            );
            let kind: TicketKind = parse_stored(&row.try_get::<String, _>("kind")?)?;
            let access = access_terms(kind, row.try_get("assignee_id")?, routes.get(&ticket_id).map(Vec::as_slice).unwrap_or_default());
            entries.push((
                ticket_id,
                row.try_get::<i64, _>("org_id")?,
                analysis::index_terms(&row.try_get::<String, _>("subject")?),
                identity,
                bodies.remove(&ticket_id).unwrap_or_default(),
                access,
            ));
        }
        // One statement per batch: a statement per ticket made PostgreSQL's rebuild a
        // round trip per ticket.
        let mut upsert: sqlx::QueryBuilder<Db> =
            sqlx::QueryBuilder::new("INSERT INTO ticket_search (ticket_id, org_id, analyzer_version, subject_terms, identity_terms, body_terms, access_terms) ");
        upsert.push_values(&entries, |mut values, (ticket_id, org_id, subject, identity, body, access)| {
            values
                .push_bind(*ticket_id)
                .push_bind(*org_id)
                .push_bind(version)
                .push_bind(subject.as_str())
                .push_bind(identity.as_str())
                .push_bind(body.as_str())
                .push_bind(access.as_str());
        });
        upsert.push(
            " ON CONFLICT (ticket_id) DO UPDATE SET analyzer_version = excluded.analyzer_version, subject_terms = excluded.subject_terms, \
             identity_terms = excluded.identity_terms, body_terms = excluded.body_terms, access_terms = excluded.access_terms",
        );
        upsert.build().execute(&mut *tx).await?;
        report.tickets += u64::try_from(entries.len()).unwrap_or(u64::MAX);
        tx.commit().await?;
        after = last_id;
    }

    let stale = match scope {
        ReindexScope::Stale => " AND NOT EXISTS (SELECT 1 FROM kb_article_search s WHERE s.article_id = a.id AND s.analyzer_version = $2)",
        ReindexScope::Everything => " AND $2 = $2",
    };
    let mut tx = pools.writer.begin().await?;
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT a.id FROM kb_articles a WHERE a.id > $1{stale} ORDER BY a.id")))
        .bind(0_i64)
        .bind(version)
        .fetch_all(&mut *tx)
        .await?;
    for row in &rows {
        search_index_article(&mut tx, row.try_get("id")?).await?;
        report.articles += 1;
    }
    tx.commit().await?;
    Ok(report)
}

/// Rebuilds what is stale when the index was last brought up to an older analyzer version (or
/// never), then records the current version.
pub(crate) async fn search_bring_index_up_to_date(pools: &Pool) -> Result<ReindexReport, StoreError> {
    let version = i64::from(analysis::ANALYZER_VERSION);
    let recorded: Option<i64> = sqlx::query("SELECT analyzer_version FROM search_index_state WHERE id = 1")
        .fetch_optional(&pools.writer)
        .await?
        .map(|row| row.try_get("analyzer_version"))
        .transpose()?;
    if recorded == Some(version) {
        return Ok(ReindexReport::default());
    }
    let report = rebuild_search_index(pools, ReindexScope::Stale, 500).await?;
    sqlx::query(
        "INSERT INTO search_index_state (id, analyzer_version) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET analyzer_version = excluded.analyzer_version",
    )
    .bind(version)
    .execute(&pools.writer)
    .await?;
    Ok(report)
}
