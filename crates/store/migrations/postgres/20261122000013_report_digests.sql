-- Reports (issue 7): the weekly digest mailed to directors and executives is claimed once per
-- organization and period, so several instances sending at the same moment send it once.
CREATE TABLE report_digests (
    org_id BIGINT NOT NULL REFERENCES organizations (id),
    -- The start of the digest's week, in microseconds (UTC).
    period_start BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    -- How many managers the digest went to (0 when the organization has none, or no mail).
    recipients BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (org_id, period_start)
);

-- The report's range scans: assignments and escalation stages by the moment they happened, and
-- public replies by when they were written, without reading every event or message of the
-- organization.
CREATE INDEX ticket_events_by_org_at ON ticket_events (org_id, at);
CREATE INDEX messages_by_org_kind_at ON messages (org_id, kind, created_at);
CREATE INDEX tickets_by_created ON tickets (org_id, created_at);
CREATE INDEX tickets_by_resolved ON tickets (org_id, resolved_at) WHERE resolved_at IS NOT NULL;
