-- Supervisors: people at a regulator (the National eLearning Center, TVTC) who read one or
-- several organizations' aggregate figures. They belong to the deployment, not to an
-- organization, so an organization grants them access — and, separately, access to personal
-- data — and can take either back. Supervisors never change anything.
CREATE TABLE supervisors (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    password_hash TEXT,
    created_at INTEGER NOT NULL,
    disabled_at INTEGER
);

-- One row per (supervisor, organization) ever granted; a revoked grant keeps its row so the
-- organization can see who had access and when.
CREATE TABLE supervisor_grants (
    supervisor_id INTEGER NOT NULL REFERENCES supervisors (id),
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    -- 'hidden' (aggregates only) or 'granted' (names of staff and requesters' comments too).
    personal_data TEXT NOT NULL,
    granted_by INTEGER REFERENCES users (id),
    granted_at INTEGER NOT NULL,
    revoked_at INTEGER,
    PRIMARY KEY (supervisor_id, org_id)
);
CREATE INDEX supervisor_grants_by_org ON supervisor_grants (org_id);

-- The supervisors' own API tokens (stored as SHA-256 digests, like api_tokens).
CREATE TABLE supervisor_tokens (
    id INTEGER PRIMARY KEY,
    supervisor_id INTEGER NOT NULL REFERENCES supervisors (id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
);

-- Browser sessions of supervisors, kept apart from the organizations' sessions so that no
-- organization-scoped page can ever accept one.
CREATE TABLE supervisor_sessions (
    id INTEGER PRIMARY KEY,
    supervisor_id INTEGER NOT NULL REFERENCES supervisors (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

-- Failed and successful sign-ins of supervisors, counted to throttle password guessing as the
-- organizations' sign-in is.
CREATE TABLE supervisor_login_attempts (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    client_ip TEXT NOT NULL,
    outcome TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX supervisor_login_attempts_by_email ON supervisor_login_attempts (email, at);
CREATE INDEX supervisor_login_attempts_by_ip ON supervisor_login_attempts (client_ip, at);
