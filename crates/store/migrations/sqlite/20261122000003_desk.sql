-- Web desk (SQLite): browser sessions, login throttling, requester tracking codes, canned
-- replies, the confidentiality audit of complaint views, presence on a ticket, satisfaction
-- ratings, details of contacts logged by staff, and per-channel settings.
ALTER TABLE users ADD COLUMN totp_secret TEXT;

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    token_hash TEXT NOT NULL UNIQUE,
    -- `staff` (signed in), `staff_totp_pending` (password checked, code still due) or `requester`.
    kind TEXT NOT NULL,
    user_id INTEGER REFERENCES users (id),
    ticket_id INTEGER REFERENCES tickets (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE login_attempts (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    email TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    outcome TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_attempts_by_email ON login_attempts (org_id, email, at);
CREATE INDEX login_attempts_by_ip ON login_attempts (client_ip, at);

CREATE TABLE tracking_codes (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id),
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    code_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE canned_replies (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    archived_at INTEGER
);
CREATE INDEX canned_replies_by_org ON canned_replies (org_id, id);

CREATE TABLE ticket_views (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    at INTEGER NOT NULL
);
CREATE INDEX ticket_views_by_org ON ticket_views (org_id, id);
CREATE INDEX ticket_views_by_ticket ON ticket_views (ticket_id, id);

CREATE TABLE ticket_presence (
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    -- `viewing` or `replying`.
    activity TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (ticket_id, user_id)
);

CREATE TABLE satisfaction_ratings (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id),
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
    comment TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX satisfaction_ratings_by_org ON satisfaction_ratings (org_id, created_at);

CREATE TABLE contact_details (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id),
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    -- A JSON object: what staff recorded about a phone call, a classroom contact or a remote session.
    details TEXT NOT NULL,
    logged_by INTEGER NOT NULL REFERENCES users (id)
);

CREATE TABLE channel_settings (
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    channel TEXT NOT NULL,
    -- `enabled` or `disabled`.
    state TEXT NOT NULL,
    -- The address requesters use: a mailbox, a WhatsApp number, an account handle.
    address TEXT NOT NULL,
    PRIMARY KEY (org_id, channel)
);
