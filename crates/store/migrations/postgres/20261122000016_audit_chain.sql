-- A tamper-evident audit log. Every ticket's events form a hash chain: each event stores the
-- SHA-256 of its own content and a chain hash over its predecessor's chain hash, its position and
-- its content; the ticket row keeps the head (the position and chain hash of its last event), so
-- an edited, inserted, reordered or deleted event — the last one included — no longer verifies.
-- The hashes are computed in Rust (`audit_queries.rs`); rows written before this migration are
-- chained at start-up, in batches, found through the partial index below.

-- The event's position in its ticket's chain (1, 2, …), the hex SHA-256 of its content, and the
-- hex chain hash. NULL only until the start-up backfill reaches a row written before the chain.
ALTER TABLE ticket_events ADD COLUMN chain_seq BIGINT;
ALTER TABLE ticket_events ADD COLUMN content_hash TEXT;
ALTER TABLE ticket_events ADD COLUMN chain_hash TEXT;
-- Set when a lawful erasure rewrote the event's personal data: the content hash is kept (it is
-- of the original) and verification checks the links but no longer the content of this row.
ALTER TABLE ticket_events ADD COLUMN redacted_at BIGINT;
CREATE INDEX ticket_events_unchained ON ticket_events (ticket_id, id) WHERE chain_seq IS NULL;

-- The head of each ticket's chain: how many events it holds and the last chain hash.
ALTER TABLE tickets ADD COLUMN audit_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tickets ADD COLUMN audit_head TEXT;
