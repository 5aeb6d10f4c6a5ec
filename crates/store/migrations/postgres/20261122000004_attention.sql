-- The moment a ticket next needs attention: the earliest deadline among its running and
-- breached targets, or the largest integer when it has none. Kept by the store whenever a
-- target is written, so the agents' "nearest deadline" sort and the "breaching soon" queue read
-- one indexed column instead of every ticket's targets.
ALTER TABLE tickets ADD COLUMN attention_at BIGINT NOT NULL DEFAULT 9223372036854775807;
UPDATE tickets SET attention_at = COALESCE(
    (SELECT MIN(tt.deadline_at) FROM ticket_targets tt
     WHERE tt.ticket_id = tickets.id AND tt.state IN ('running', 'breached')),
    9223372036854775807);
CREATE INDEX tickets_by_attention ON tickets (org_id, attention_at, id DESC);
-- The queue counts and pages filter on status, kind (complaints are confidential), assignee
-- and attention; with all four in one index they are answered from the index alone.
CREATE INDEX tickets_for_queues ON tickets (org_id, status, kind, assignee_id, attention_at);
