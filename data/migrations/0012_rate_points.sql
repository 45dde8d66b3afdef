-- A short ring of the ingester's counters, written about once a second while
-- they move (and for a few seconds after they stop), so that a reader in
-- another process (a one-shot `status`, the dashboard) can tell the rate now
-- by differencing two readings instead of trusting a sample taken every five
-- seconds.  The ingester clears its points when it stops; points older than a
-- few seconds mean it is not writing, and the rate is read as zero.
CREATE TABLE stream_rate_points (
    stream_type  TEXT NOT NULL,
    slot         INTEGER NOT NULL,   -- the second it was taken, modulo the ring's length
    at           TEXT NOT NULL,      -- UTC, when the counters were read
    stored       INTEGER NOT NULL,   -- stream_state.events_received then
    drained      INTEGER NOT NULL,   -- events_processed + events_failed then
    buffered     INTEGER NOT NULL,   -- messages received but not yet stored
    PRIMARY KEY (stream_type, slot)
) WITHOUT ROWID;

-- "Oldest pending" counts from when an event was queued or re-queued, which
-- is a pending row's updated_at; the index covers it, so reading the age
-- still touches only pending rows' index entries.
DROP INDEX IF EXISTS idx_queue_pending;
CREATE INDEX idx_queue_pending
    ON processing_queue(priority DESC, id, created_at, updated_at)
    WHERE status = 'pending';
