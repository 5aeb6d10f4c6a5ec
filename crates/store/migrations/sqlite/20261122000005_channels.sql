-- Channels: how requesters are known on each channel, every inbound provider message seen (the
-- idempotency record), e-mail threading, the transactional outbox with its delivery attempts,
-- per-channel credentials, and bounced addresses.

ALTER TABLE requesters ADD COLUMN email_undeliverable_at INTEGER;
ALTER TABLE requesters ADD COLUMN email_undeliverable_reason TEXT;

-- A requester's identity on a messaging channel: a WhatsApp number, an X account id, a
-- Messenger page-scoped id, a live-chat visitor. `last_inbound_at` decides whether free text may
-- still be sent (the providers' 24-hour window).
CREATE TABLE requester_identities (
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    channel TEXT NOT NULL,
    external_id TEXT NOT NULL,
    requester_id INTEGER NOT NULL REFERENCES requesters (id),
    last_inbound_at INTEGER,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, channel, external_id)
);
CREATE INDEX requester_identities_by_requester ON requester_identities (requester_id);

-- Every provider message taken in, keyed by the provider's own id: a second delivery of the same
-- message finds its row and creates nothing.
CREATE TABLE inbound_messages (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    channel TEXT NOT NULL,
    provider_message_id TEXT NOT NULL,
    -- `created`, `appended`, `ignored` or `bounce`.
    outcome TEXT NOT NULL,
    ticket_id INTEGER REFERENCES tickets (id),
    message_id INTEGER REFERENCES messages (id),
    detail TEXT,
    -- A provider's conversation id (live chat): later messages of it join the same ticket.
    conversation_id TEXT,
    received_at INTEGER NOT NULL,
    UNIQUE (org_id, channel, provider_message_id)
);
CREATE INDEX inbound_messages_by_ticket ON inbound_messages (ticket_id, id);
CREATE INDEX inbound_messages_by_conversation ON inbound_messages (org_id, channel, conversation_id) WHERE conversation_id IS NOT NULL;

-- E-mail Message-IDs that belong to a ticket, ours and the requester's, so a reply's
-- In-Reply-To or References finds its ticket.
CREATE TABLE mail_threads (
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    mail_message_id TEXT NOT NULL,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, mail_message_id)
);
CREATE INDEX mail_threads_by_ticket ON mail_threads (ticket_id, created_at);

-- The transactional outbox: a notification is written in the transaction of the event that
-- causes it, and a worker delivers it with retries.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    ticket_id INTEGER REFERENCES tickets (id),
    -- The public reply being delivered, for `reply` notifications.
    message_id INTEGER REFERENCES messages (id),
    -- `receipt`, `routed`, `reply`, `escalated`, `resolved` or `status_update`.
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    recipient_name TEXT,
    -- A JSON object with what the message needs beyond the ticket (the escalation stage…).
    payload TEXT NOT NULL,
    -- A value shown once to the requester (the tracking code of a receipt); erased on delivery.
    secret TEXT,
    -- `pending`, `delivered` or `failed`.
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    claimed_by TEXT,
    claimed_until INTEGER,
    provider_message_id TEXT,
    -- What the provider reported later: `sent`, `delivered`, `read` or `failed`.
    delivery_state TEXT,
    delivery_state_at INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    delivered_at INTEGER
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';
CREATE INDEX outbox_by_ticket ON outbox (ticket_id, id);
CREATE INDEX outbox_by_provider_id ON outbox (channel, provider_message_id) WHERE provider_message_id IS NOT NULL;

CREATE TABLE outbox_attempts (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    outbox_id INTEGER NOT NULL REFERENCES outbox (id),
    attempt INTEGER NOT NULL,
    at INTEGER NOT NULL,
    -- `delivered`, `transient_failure` or `permanent_failure`.
    outcome TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX outbox_attempts_by_outbox ON outbox_attempts (outbox_id, id);

-- A channel's connection settings and credentials (a JSON object), kept apart from the public
-- `channel_settings` so pages that list channels never load a secret.
CREATE TABLE channel_credentials (
    org_id INTEGER NOT NULL REFERENCES organizations (id),
    channel TEXT NOT NULL,
    settings TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, channel)
);
