-- The HTTP API and webhooks.
--
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

-- Webhook deliveries not yet acknowledged: the ingester's notifier writes a
-- message here before it tries to send it, and deletes it once the receiver
-- answered 2xx, so a restart or a kill -9 loses none (at least once).
-- msg_id is the Standard Webhooks id the receiver deduplicates by.
CREATE TABLE webhook_outbox (
    id              INTEGER PRIMARY KEY,
    webhook_id      TEXT NOT NULL,        -- webhooks.id
    msg_id          TEXT NOT NULL UNIQUE,
    event           TEXT NOT NULL,
    payload         TEXT NOT NULL,        -- the JSON body, signed as it is
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT
);

CREATE INDEX idx_webhook_outbox_due ON webhook_outbox(next_attempt_at);
CREATE INDEX idx_webhook_outbox_hook ON webhook_outbox(webhook_id);
