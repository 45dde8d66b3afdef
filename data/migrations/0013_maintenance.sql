-- The last retention and upkeep pass (`streamtop maintain`, or the
-- ingester's own on its schedule), so the dashboard and `status` can say
-- when the database was last tidied and what left it.  One row: history of
-- passes is in the log; what an operator needs on screen is the last one.
CREATE TABLE maintenance_state (
    id                    INTEGER PRIMARY KEY CHECK (id = 1),
    started_at            TEXT NOT NULL,
    finished_at           TEXT NOT NULL,
    run_by                TEXT NOT NULL,     -- 'maintain' or 'ingester'
    search_cache_removed  INTEGER NOT NULL DEFAULT 0,
    metrics_rolled_up     INTEGER NOT NULL DEFAULT 0,  -- raw samples folded into hourly rows
    metrics_hourly_rows   INTEGER NOT NULL DEFAULT 0,  -- hourly rows written for them
    metrics_removed       INTEGER NOT NULL DEFAULT 0,  -- samples of any resolution past retention
    events_removed        INTEGER NOT NULL DEFAULT 0,
    queue_removed         INTEGER NOT NULL DEFAULT 0
);
