-- Access terms in the ticket index: the queues' visibility rule ("not a complaint", the
-- assignee, each routed department), so that the full-text query itself skips the confidential
-- complaints an agent may not see. The store rewrites them whenever a ticket's kind, assignee or
-- departments change.
--
-- FTS5 cannot add a column to an existing table, and the index must hold the terms of every
-- ticket, so the index is emptied here and rebuilt from the stored tickets when the store opens
-- (`search_index_state` is cleared, which makes the store reindex what is missing). The terms
-- are computed in Rust, in one place, rather than a second time in SQL.
DROP TRIGGER ticket_search_inserted;
DROP TRIGGER ticket_search_deleted;
DROP TRIGGER ticket_search_updated;
DROP TABLE ticket_search_fts;
DELETE FROM ticket_search;
ALTER TABLE ticket_search ADD COLUMN access_terms TEXT NOT NULL DEFAULT '';

CREATE VIRTUAL TABLE ticket_search_fts USING fts5 (
    subject_terms, identity_terms, body_terms, access_terms,
    content = 'ticket_search', content_rowid = 'ticket_id',
    tokenize = 'unicode61 remove_diacritics 0', prefix = '2 3', detail = none
);
CREATE TRIGGER ticket_search_inserted AFTER INSERT ON ticket_search BEGIN
    INSERT INTO ticket_search_fts (rowid, subject_terms, identity_terms, body_terms, access_terms)
    VALUES (new.ticket_id, new.subject_terms, new.identity_terms, new.body_terms, new.access_terms);
END;
CREATE TRIGGER ticket_search_deleted AFTER DELETE ON ticket_search BEGIN
    INSERT INTO ticket_search_fts (ticket_search_fts, rowid, subject_terms, identity_terms, body_terms, access_terms)
    VALUES ('delete', old.ticket_id, old.subject_terms, old.identity_terms, old.body_terms, old.access_terms);
END;
CREATE TRIGGER ticket_search_updated AFTER UPDATE ON ticket_search BEGIN
    INSERT INTO ticket_search_fts (ticket_search_fts, rowid, subject_terms, identity_terms, body_terms, access_terms)
    VALUES ('delete', old.ticket_id, old.subject_terms, old.identity_terms, old.body_terms, old.access_terms);
    INSERT INTO ticket_search_fts (rowid, subject_terms, identity_terms, body_terms, access_terms)
    VALUES (new.ticket_id, new.subject_terms, new.identity_terms, new.body_terms, new.access_terms);
END;

DELETE FROM search_index_state;
