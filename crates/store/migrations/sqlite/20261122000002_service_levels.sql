-- Service levels (SQLite): policies as applied, the targets each ticket carries, durable timers,
-- escalations, root causes of breaches, and staff notifications.
CREATE TABLE policies (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    version INTEGER NOT NULL,
    file_name TEXT NOT NULL,
    source TEXT NOT NULL,
    applied_at INTEGER NOT NULL,
    UNIQUE (org_id, version)
);

ALTER TABLE organizations ADD COLUMN policy_version INTEGER;
ALTER TABLE tickets ADD COLUMN policy_version INTEGER;

CREATE TABLE ticket_targets (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    target TEXT NOT NULL,
    duration TEXT NOT NULL,
    calendar TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    deadline_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    paused_at INTEGER,
    met_at INTEGER,
    breached_at INTEGER,
    UNIQUE (ticket_id, target)
);
CREATE INDEX ticket_targets_by_state ON ticket_targets (org_id, state, deadline_at);

CREATE TABLE timers (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    kind TEXT NOT NULL,
    target TEXT,
    alert_permille INTEGER,
    stage INTEGER,
    due_at INTEGER NOT NULL,
    claimed_by TEXT,
    claimed_until INTEGER,
    fired_at INTEGER
);
CREATE INDEX timers_due ON timers (due_at) WHERE fired_at IS NULL;
CREATE INDEX timers_by_ticket ON timers (ticket_id) WHERE fired_at IS NULL;

CREATE TABLE escalations (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    stage INTEGER NOT NULL,
    stage_name TEXT NOT NULL,
    reason TEXT NOT NULL,
    owner_user_id INTEGER REFERENCES users (id),
    started_at INTEGER NOT NULL,
    deadline_at INTEGER NOT NULL,
    UNIQUE (ticket_id, stage)
);

CREATE TABLE root_causes (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    target TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    corrective_action TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id INTEGER,
    actor_label TEXT NOT NULL,
    recorded_at INTEGER NOT NULL,
    UNIQUE (ticket_id, target)
);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER
);
CREATE INDEX notifications_by_user ON notifications (user_id, id);
CREATE INDEX notifications_by_ticket ON notifications (ticket_id, id);
