-- Access terms in the ticket index: the queues' visibility rule ("not a complaint", the
-- assignee, each routed department), so that the full-text query itself skips the confidential
-- complaints an agent may not see. The store rewrites them whenever a ticket's kind, assignee or
-- departments change.
--
-- The index must hold the terms of every ticket, so it is emptied here and rebuilt from the
-- stored tickets when the store opens (`search_index_state` is cleared, which makes the store
-- reindex what is missing), as on SQLite. The terms are computed in Rust, in one place, rather
-- than a second time in SQL.
DROP INDEX ticket_search_documents;
TRUNCATE ticket_search;
ALTER TABLE ticket_search DROP COLUMN document;
ALTER TABLE ticket_search ADD COLUMN access_terms TEXT NOT NULL DEFAULT '';
ALTER TABLE ticket_search ADD COLUMN document tsvector GENERATED ALWAYS AS (
    to_tsvector('simple'::regconfig, subject_terms || ' ' || identity_terms || ' ' || body_terms || ' ' || access_terms)
) STORED;
CREATE INDEX ticket_search_documents ON ticket_search USING GIN (document);

DELETE FROM search_index_state;
