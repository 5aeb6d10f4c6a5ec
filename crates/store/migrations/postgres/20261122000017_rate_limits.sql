-- Hits counted against public rate limits (new requests from the portal, live-chat
-- conversations, knowledge-base feedback, tracking-code look-ups). Kept in the database, like
-- login_attempts, so that every instance behind one database shares the same counts. A bucket
-- names the limit, a key what it is counted per (a client address, a ticket number); rows older
-- than the longest window are deleted now and then by the writer that records a hit.
CREATE TABLE rate_limit_hits (
    id BIGSERIAL PRIMARY KEY,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);

CREATE INDEX rate_limit_hits_by_key ON rate_limit_hits (bucket, key, at);
CREATE INDEX rate_limit_hits_by_time ON rate_limit_hits (at);
