-- What streamtop's ingester knows about its stream beyond the seed's
-- stream_metadata row: the detailed connection state, counters the
-- dashboard reads in constant time, and the ingester that owns the stream
-- (only one may run per database and stream).
CREATE TABLE stream_state (
    stream_type          TEXT PRIMARY KEY,
    state                TEXT NOT NULL DEFAULT 'disconnected'
                         CHECK (state IN ('disconnected', 'connecting', 'connected', 'backoff', 'error')),
    state_since          TEXT,
    endpoint             TEXT,     -- scheme://host[:port]/path, never credentials
    connected_since      TEXT,
    next_attempt_at      TEXT,
    last_event_at        TEXT,
    last_heartbeat_at    TEXT,
    last_timepoint       INTEGER,
    last_published_at    TEXT,     -- UTC, of the newest event: lag is measured from it
    reconnects           INTEGER NOT NULL DEFAULT 0,
    events_received      INTEGER NOT NULL DEFAULT 0,
    events_changed       INTEGER NOT NULL DEFAULT 0,
    events_deleted       INTEGER NOT NULL DEFAULT 0,
    events_invalid       INTEGER NOT NULL DEFAULT 0,
    events_repeated      INTEGER NOT NULL DEFAULT 0,
    events_processed     INTEGER NOT NULL DEFAULT 0,
    events_failed        INTEGER NOT NULL DEFAULT 0,
    events_superseded    INTEGER NOT NULL DEFAULT 0,
    bytes_received       INTEGER NOT NULL DEFAULT 0,
    timepoint_gaps       INTEGER NOT NULL DEFAULT 0,
    ingester_pid         INTEGER,
    ingester_host        TEXT,
    ingester_started_at  TEXT,
    ingester_seen_at     TEXT,     -- refreshed while the ingester runs; stale means it is gone
    updated_at           TEXT
);

-- The seed's metadata row is looked up by stream type on every refresh.
CREATE INDEX idx_stream_metadata_type ON stream_metadata(stream_type);

-- Failures pane: partial, so it holds only failed events and costs nothing
-- while events succeed; covering, so counting, filtering by error text and
-- paging never read event_data, which can be megabytes long.
CREATE INDEX idx_stream_events_failed
    ON stream_events_log(id, received_at, event_id, company_number, error_message)
    WHERE processing_status = 'failed';

-- Processor claim order (highest priority first, then oldest) and the queue
-- pane's pending count and oldest age, over pending rows only.
CREATE INDEX idx_queue_pending
    ON processing_queue(priority DESC, id, created_at)
    WHERE status = 'pending';

-- Rows being worked on: normally none, so this index is free to maintain.
CREATE INDEX idx_queue_processing
    ON processing_queue(id, worker_id)
    WHERE status = 'processing';

-- Rates and sparklines read a window of one metric's samples; covering, so
-- that needs a few contiguous index pages and never the table's rows.
CREATE INDEX idx_system_metrics_series
    ON system_metrics(metric_name, recorded_at, metric_value);

-- Metrics pane: the newest rows whatever their name.
CREATE INDEX idx_system_metrics_recorded ON system_metrics(recorded_at);
