-- One row per HTTP API request (`streamtop serve`, `ingest --listen`):
-- who asked what, the answer and how long it took.  Rows are written in
-- batches about once a second and kept for seven days; the index on `at`
-- serves that pruning, the one on key_id an operator's questions per key.
CREATE TABLE api_access_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,        -- UTC, when the request arrived
    key_id      TEXT,                 -- api_keys.id; NULL when no key authenticated
    method      TEXT NOT NULL,
    path        TEXT NOT NULL,        -- without the query string, capped
    status      INTEGER NOT NULL,
    duration_us INTEGER NOT NULL,
    client      TEXT                  -- the peer's address
);

CREATE INDEX idx_api_access_log_at ON api_access_log(at);
CREATE INDEX idx_api_access_log_key ON api_access_log(key_id, at);
