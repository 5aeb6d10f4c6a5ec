-- Privacy under the Saudi PDPL: requesters' erasure requests, the record of exports and
-- erasures (an audit without personal data), and per-organization retention of the personal
-- data of finished tickets.

-- Days after which the personal data of closed, cancelled and merged tickets is anonymized;
-- NULL keeps it.
ALTER TABLE organizations ADD COLUMN retention_days INTEGER;

-- Set when a requester's personal data was erased; the row stays (tickets refer to it) with
-- an anonymous name and no contact details.
ALTER TABLE requesters ADD COLUMN erased_at INTEGER;

-- Set when a ticket's personal data was anonymized (by erasure or retention), so the retention
-- sweep passes over it next time.
ALTER TABLE tickets ADD COLUMN personal_data_erased_at INTEGER;
-- The retention sweep looks for finished tickets not yet anonymized, oldest change first.
CREATE INDEX tickets_awaiting_retention ON tickets (org_id, updated_at) WHERE personal_data_erased_at IS NULL;

-- A requester's request to have their data erased. `state` is `pending` until an
-- administrator carries it out (`done`).
CREATE TABLE erasure_requests (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    requester_id INTEGER NOT NULL REFERENCES requesters (id),
    -- `portal` (the requester asked) or `staff` (recorded by staff on the requester's behalf).
    requested_via TEXT NOT NULL,
    requested_at INTEGER NOT NULL,
    state TEXT NOT NULL,
    carried_out_at INTEGER,
    carried_out_by INTEGER REFERENCES users (id)
);
CREATE INDEX erasure_requests_by_org ON erasure_requests (org_id, state, id);
CREATE UNIQUE INDEX erasure_requests_one_pending ON erasure_requests (requester_id) WHERE state = 'pending';

-- What was done with personal data: exports and erasures. No personal data is written here —
-- only the requester's internal id (whose record is anonymous after an erasure), who acted and
-- how many tickets were concerned.
CREATE TABLE privacy_audit (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    -- `export`, `erasure_requested`, `erasure` or `retention`.
    action TEXT NOT NULL,
    requester_id INTEGER REFERENCES requesters (id),
    -- `staff`, `requester` or `system`.
    actor_kind TEXT NOT NULL,
    actor_id INTEGER,
    tickets INTEGER NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX privacy_audit_by_org ON privacy_audit (org_id, id);
