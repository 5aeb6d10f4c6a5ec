-- Knowledge base (articles in Arabic and English, categories, attachments, "was this helpful?",
-- suggestions shown while a requester types a ticket) and full-text search over tickets and
-- articles.
--
-- Search indexes hold *analyzed terms*, not raw text: Sanad normalizes and stems in Rust (the
-- domain's `search` module) before indexing and before querying, so that SQLite and PostgreSQL
-- see the same terms and behave the same. FTS5 here only finds candidates; ranking and snippets
-- are computed in Rust.

CREATE TABLE kb_categories (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    code TEXT NOT NULL,
    name_ar TEXT NOT NULL,
    name_en TEXT NOT NULL,
    position INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    archived_at INTEGER,
    UNIQUE (org_id, code)
);

CREATE TABLE kb_articles (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    category_id INTEGER REFERENCES kb_categories (id),
    slug TEXT NOT NULL,
    -- `ar` or `en`.
    language TEXT NOT NULL,
    title TEXT NOT NULL,
    -- Markdown; rendered with raw HTML disabled.
    body TEXT NOT NULL,
    -- `draft`, `published` or `archived`.
    status TEXT NOT NULL,
    -- Articles that translate each other share a group: the id of the group's first article.
    translation_group_id INTEGER,
    author_id INTEGER REFERENCES users (id),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    published_at INTEGER,
    UNIQUE (org_id, slug)
);
CREATE INDEX kb_articles_by_category ON kb_articles (org_id, category_id, status);
CREATE UNIQUE INDEX kb_articles_one_per_language ON kb_articles (translation_group_id, language) WHERE translation_group_id IS NOT NULL;

CREATE TABLE kb_attachments (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    article_id INTEGER NOT NULL REFERENCES kb_articles (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX kb_attachments_by_article ON kb_attachments (article_id, id);

-- One verdict per reader and article (the reader is an anonymous cookie, kept only as a
-- digest); a reader who changes their mind replaces their verdict.
CREATE TABLE kb_feedback (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    article_id INTEGER NOT NULL REFERENCES kb_articles (id),
    -- `helpful` or `not_helpful`.
    verdict TEXT NOT NULL,
    comment TEXT,
    reader_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (article_id, reader_key)
);

-- What happened to the articles suggested while a requester typed a ticket: shown, opened, the
-- requester said it answered them and left without submitting (deflected), or submitted anyway.
CREATE TABLE kb_suggestion_events (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    article_id INTEGER REFERENCES kb_articles (id),
    -- `shown`, `opened`, `deflected` or `submitted`.
    outcome TEXT NOT NULL,
    -- One visit to the new-ticket form (a random token kept only as a digest).
    visit_key TEXT NOT NULL,
    query TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX kb_suggestion_events_by_org ON kb_suggestion_events (org_id, created_at);
CREATE INDEX kb_suggestion_events_by_article ON kb_suggestion_events (article_id, outcome);
-- Each outcome is recorded once per visit and article (a visit's `submitted` has no article):
-- typing on in the form asks for suggestions again and again, and must not count them again.
CREATE UNIQUE INDEX kb_suggestion_events_once ON kb_suggestion_events (visit_key, outcome, COALESCE(article_id, 0));

-- Ticket search: the analyzed terms of a ticket's subject; of its number and requester (name,
-- e-mail, phone forms); and of its messages, internal notes included (only staff search tickets,
-- through the same visibility rule as the queues).
CREATE TABLE ticket_search (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id),
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    analyzer_version INTEGER NOT NULL,
    subject_terms TEXT NOT NULL,
    identity_terms TEXT NOT NULL,
    body_terms TEXT NOT NULL
);
-- `detail=none`: the index answers only "which documents hold these terms (or prefixes)", which
-- is all the candidate query asks; it is the smallest FTS5 index. `prefix` keeps type-ahead
-- prefixes of two and three characters from scanning the whole term list.
CREATE VIRTUAL TABLE ticket_search_fts USING fts5 (
    subject_terms, identity_terms, body_terms,
    content = 'ticket_search', content_rowid = 'ticket_id',
    tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3', detail = none
);
CREATE TRIGGER ticket_search_inserted AFTER INSERT ON ticket_search BEGIN
    INSERT INTO ticket_search_fts (rowid, subject_terms, identity_terms, body_terms)
    VALUES (new.ticket_id, new.subject_terms, new.identity_terms, new.body_terms);
END;
CREATE TRIGGER ticket_search_deleted AFTER DELETE ON ticket_search BEGIN
    INSERT INTO ticket_search_fts (ticket_search_fts, rowid, subject_terms, identity_terms, body_terms)
    VALUES ('delete', old.ticket_id, old.subject_terms, old.identity_terms, old.body_terms);
END;
CREATE TRIGGER ticket_search_updated AFTER UPDATE ON ticket_search BEGIN
    INSERT INTO ticket_search_fts (ticket_search_fts, rowid, subject_terms, identity_terms, body_terms)
    VALUES ('delete', old.ticket_id, old.subject_terms, old.identity_terms, old.body_terms);
    INSERT INTO ticket_search_fts (rowid, subject_terms, identity_terms, body_terms)
    VALUES (new.ticket_id, new.subject_terms, new.identity_terms, new.body_terms);
END;

-- Article search, every status (editors search drafts; the public sees published articles only).
CREATE TABLE kb_article_search (
    article_id INTEGER PRIMARY KEY REFERENCES kb_articles (id),
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    language TEXT NOT NULL,
    status TEXT NOT NULL,
    analyzer_version INTEGER NOT NULL,
    title_terms TEXT NOT NULL,
    body_terms TEXT NOT NULL
);
CREATE VIRTUAL TABLE kb_article_search_fts USING fts5 (
    title_terms, body_terms,
    content = 'kb_article_search', content_rowid = 'article_id',
    tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3', detail = none
);
CREATE TRIGGER kb_article_search_inserted AFTER INSERT ON kb_article_search BEGIN
    INSERT INTO kb_article_search_fts (rowid, title_terms, body_terms) VALUES (new.article_id, new.title_terms, new.body_terms);
END;
CREATE TRIGGER kb_article_search_deleted AFTER DELETE ON kb_article_search BEGIN
    INSERT INTO kb_article_search_fts (kb_article_search_fts, rowid, title_terms, body_terms)
    VALUES ('delete', old.article_id, old.title_terms, old.body_terms);
END;
CREATE TRIGGER kb_article_search_updated AFTER UPDATE ON kb_article_search BEGIN
    INSERT INTO kb_article_search_fts (kb_article_search_fts, rowid, title_terms, body_terms)
    VALUES ('delete', old.article_id, old.title_terms, old.body_terms);
    INSERT INTO kb_article_search_fts (rowid, title_terms, body_terms) VALUES (new.article_id, new.title_terms, new.body_terms);
END;

-- The analyzer version the whole index was last brought up to. Start-up compares it with the
-- running analyzer's and re-indexes only when they differ, instead of scanning every ticket.
CREATE TABLE search_index_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    analyzer_version INTEGER NOT NULL
);

-- A personal API token belongs to one staff member and sees what they see (search applies their
-- visibility rule); an organization token (no user) sees the whole organization.
ALTER TABLE api_tokens ADD COLUMN user_id INTEGER REFERENCES users (id);
