-- The open tickets alone, newest first and by deadline. Over years of history most tickets are
-- closed, so a queue of open tickets that also filters on something the other indexes cannot
-- see (the viewer's departments, the confidentiality rule) walks only open tickets, in the
-- order of the page, and stops after the page. The predicate is spelled exactly as the queue
-- query spells "open" (`desk_open_condition`), which both databases need to use the index.
CREATE INDEX tickets_open_by_id ON tickets (org_id, id DESC)
    WHERE status IN ('received', 'registered', 'classified', 'routed', 'in_progress', 'waiting_on_requester');
CREATE INDEX tickets_open_by_attention ON tickets (org_id, attention_at, id DESC)
    WHERE status IN ('received', 'registered', 'classified', 'routed', 'in_progress', 'waiting_on_requester');
