-- The conduct policy (seed 004), SQLite. An organization's lexicon of abusive words (absent:
-- the shipped default applies), the flags raised when a requester's message matches it, and
-- the violations recorded when an agent cancels a ticket for one.
CREATE TABLE conduct_lexicons (
    org_id INTEGER PRIMARY KEY REFERENCES organizations (id),
    source TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER REFERENCES users (id)
);

-- One row per flagged message. `terms` is a JSON array of {entry, found, start, end}: the
-- lexicon entries matched and the words as written, so the desk can highlight them.
CREATE TABLE conduct_flags (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    message_id INTEGER NOT NULL REFERENCES messages (id),
    terms TEXT NOT NULL,
    flagged_at INTEGER NOT NULL,
    reviewed_at INTEGER,
    reviewed_by INTEGER REFERENCES users (id)
);
CREATE INDEX conduct_flags_by_ticket ON conduct_flags (ticket_id, id);
-- The flagged list walks the organization's unreviewed flags, newest first.
CREATE INDEX conduct_flags_open ON conduct_flags (org_id, id) WHERE reviewed_at IS NULL;

CREATE TABLE conduct_violations (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    requester_id INTEGER NOT NULL REFERENCES requesters (id),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    reason TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id INTEGER,
    actor_label TEXT NOT NULL,
    recorded_at INTEGER NOT NULL
);
CREATE INDEX conduct_violations_by_requester ON conduct_violations (org_id, requester_id, id);
