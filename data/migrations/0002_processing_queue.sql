-- Base table for the processing queue, extended by the atlas seed (priority,
-- durations, worker).  A row lives while work on a stream event is
-- outstanding: it is inserted with the event, deleted once the event is
-- applied, and kept with status 'failed' (attempts, error, worker, duration)
-- when applying fails, until an operator retries it.
CREATE TABLE processing_queue (
    id              INTEGER PRIMARY KEY,
    event_log_id    INTEGER UNIQUE REFERENCES stream_events_log(id),
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'processing', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    last_attempt_at TEXT,
    created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
