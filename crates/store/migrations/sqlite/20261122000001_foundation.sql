-- Foundation schema (SQLite). Timestamps are integer microseconds since the Unix epoch (UTC),
-- the same representation as on PostgreSQL, so one query text serves both backends.
CREATE TABLE organizations (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    ticket_prefix TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    reopen_window_hours INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    code TEXT NOT NULL,
    name_ar TEXT NOT NULL,
    name_en TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    archived_at INTEGER,
    UNIQUE (org_id, code)
);

CREATE TABLE categories (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    code TEXT NOT NULL,
    name_ar TEXT NOT NULL,
    name_en TEXT NOT NULL,
    default_department_id INTEGER REFERENCES departments (id),
    created_at INTEGER NOT NULL,
    archived_at INTEGER,
    UNIQUE (org_id, code)
);

CREATE TABLE requesters (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    requester_type TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX requesters_by_email ON requesters (org_id, email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX requesters_by_phone ON requesters (org_id, phone) WHERE phone IS NOT NULL;

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT,
    created_at INTEGER NOT NULL,
    disabled_at INTEGER,
    UNIQUE (org_id, email)
);

CREATE TABLE user_departments (
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    department_id INTEGER NOT NULL REFERENCES departments (id),
    PRIMARY KEY (user_id, department_id)
);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

CREATE TABLE ticket_counters (
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    year INTEGER NOT NULL,
    last_sequence INTEGER NOT NULL,
    PRIMARY KEY (org_id, year)
);

CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    number TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    status TEXT NOT NULL,
    subject TEXT NOT NULL,
    category_id INTEGER REFERENCES categories (id),
    complexity TEXT,
    importance TEXT,
    assignee_id INTEGER REFERENCES users (id),
    requester_id INTEGER NOT NULL REFERENCES requesters (id),
    merged_into_id INTEGER REFERENCES tickets (id),
    cancel_reason TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    resolved_at INTEGER,
    UNIQUE (org_id, number)
);
CREATE INDEX tickets_by_org ON tickets (org_id, id);
CREATE INDEX tickets_by_status ON tickets (org_id, status, id);
CREATE INDEX tickets_by_assignee ON tickets (org_id, assignee_id, id);
CREATE INDEX tickets_by_requester ON tickets (org_id, requester_id, id);
CREATE INDEX tickets_by_kind ON tickets (org_id, kind, id);
CREATE INDEX tickets_by_category ON tickets (org_id, category_id, id);

CREATE TABLE ticket_departments (
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    department_id INTEGER NOT NULL REFERENCES departments (id),
    PRIMARY KEY (ticket_id, department_id)
);
CREATE INDEX ticket_departments_by_department ON ticket_departments (department_id, ticket_id);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id INTEGER,
    actor_label TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX messages_by_ticket ON messages (ticket_id, id);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    message_id INTEGER NOT NULL REFERENCES messages (id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    storage_key TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX attachments_by_message ON attachments (message_id);

CREATE TABLE ticket_events (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    at INTEGER NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id INTEGER,
    actor_label TEXT NOT NULL,
    kind TEXT NOT NULL,
    field TEXT,
    before_value TEXT,
    after_value TEXT
);
CREATE INDEX ticket_events_by_ticket ON ticket_events (ticket_id, id);

CREATE TABLE idempotency_keys (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    idempotency_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    ticket_id INTEGER REFERENCES tickets (id),
    created_at INTEGER NOT NULL,
    UNIQUE (org_id, idempotency_key)
);
