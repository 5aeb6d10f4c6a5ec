-- Satisfaction in three dimensions (seed 002): the handling of the request, the clarity of the
-- procedure and the closure, each 1–5, with a comment. One answer per ticket, which the
-- requester may change until the organization's edit window closes. `score` stays as the
-- answer's overall figure (the rounded mean of the three) so earlier figures remain comparable.
ALTER TABLE satisfaction_ratings ADD COLUMN handling_score INTEGER CHECK (handling_score BETWEEN 1 AND 5);
ALTER TABLE satisfaction_ratings ADD COLUMN clarity_score INTEGER CHECK (clarity_score BETWEEN 1 AND 5);
ALTER TABLE satisfaction_ratings ADD COLUMN closure_score INTEGER CHECK (closure_score BETWEEN 1 AND 5);
-- When the answer was last changed; equal to created_at until it is edited.
ALTER TABLE satisfaction_ratings ADD COLUMN updated_at INTEGER;
-- The channel the answer came through (portal, email link, whatsapp …).
ALTER TABLE satisfaction_ratings ADD COLUMN answered_via TEXT;
UPDATE satisfaction_ratings
   SET handling_score = score, clarity_score = score, closure_score = score,
       updated_at = created_at, answered_via = 'portal';

-- How long a requester may change their answer, and the score at or below which a team lead
-- is asked to follow the ticket up.
ALTER TABLE organizations ADD COLUMN rating_edit_window_hours INTEGER NOT NULL DEFAULT 72;
ALTER TABLE organizations ADD COLUMN rating_follow_up_at_or_below INTEGER NOT NULL DEFAULT 2;

-- When a low answer asked the team leads to follow the ticket up; set once, so editing the
-- answer again never asks twice.
ALTER TABLE satisfaction_ratings ADD COLUMN follow_up_at INTEGER;

-- The links that invite a requester to rate, sent with the resolution notification. Only the
-- SHA-256 digest of the link's secret is kept (like tracking codes); the secret itself travels
-- in the outbox row until it is delivered. `channel` is the channel the invitation went out on,
-- recorded with the answer it brings.
CREATE TABLE rating_links (
    token_hash TEXT PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    channel TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX rating_links_by_ticket ON rating_links (ticket_id);
