-- Open tickets by assignee, newest first: the "mine" queue and its count. Without it the count
-- walked all of an agent's tickets through the assignee index, nine in ten of them long closed,
-- to find the open ones (171 ms at a million tickets on SQLite). The predicate is spelled as
-- the queue query spells it.
CREATE INDEX tickets_open_by_assignee ON tickets (org_id, assignee_id, id DESC)
    WHERE status IN ('received', 'registered', 'classified', 'routed', 'in_progress', 'waiting_on_requester');
