-- An operator resolves a failure that can never succeed (a garbage line,
-- an event stored already under its own id): the row stays as it is,
-- still 'failed' with its raw line, and resolved_at says when it was
-- given up on.  Resolved failures leave the failures list, the counts and
-- the health check; retention may then delete them like processed events.
ALTER TABLE stream_events_log ADD COLUMN resolved_at TEXT;

-- Failures pane: now over unresolved failures only, so the list, its
-- filter and its paging never step over resolved ones.  The two columns
-- of its condition are in it too: without them SQLite (3.40) reads each
-- failure's table row to test the condition again.
DROP INDEX idx_stream_events_failed;
CREATE INDEX idx_stream_events_failed
    ON stream_events_log(id, received_at, event_id, company_number, error_message,
                         processing_status, resolved_at)
    WHERE processing_status = 'failed' AND resolved_at IS NULL;

-- Every failure, unresolved (NULL) first in id order: the narrow count of
-- unresolved failures (status, health, the pane's count), and retention's
-- search for resolved ones.  The seed's status index cannot tell the two
-- apart without reading every failed row.
CREATE INDEX idx_stream_events_resolution
    ON stream_events_log(resolved_at, processing_status)
    WHERE processing_status = 'failed';
