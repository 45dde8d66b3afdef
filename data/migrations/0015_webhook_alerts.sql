-- Alerts a webhook announced and has not yet resolved, so a restart does
-- not forget them: a `disconnected` sent by one ingester process is
-- answered by `reconnected` from the next, however it stopped.  The
-- notifier inserts the row with the message that raised the alert, in
-- the same transaction as that message's outbox rows, and deletes it
-- with the message that resolves it.
CREATE TABLE webhook_alerts (
    alert       TEXT PRIMARY KEY,     -- the event that raised it: 'disconnected'
    raised_at   TEXT NOT NULL,        -- when the condition began
    stream_type TEXT NOT NULL
);
