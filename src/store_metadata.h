/* store_metadata — all SQL on stream_metadata (the seed's per-stream row),
 * stream_state (streamtop's detailed connection state, counters and the
 * owning ingester) and stream_rate_points (recent readings of those
 * counters, see rates.h). */
#ifndef STREAMTOP_STORE_METADATA_H
#define STREAMTOP_STORE_METADATA_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "rates.h"
#include "readings.h"

/* Whether the tables hold what the connection pane reads; if not, why. */
bool store_metadata_readable(struct db *db, char *why, size_t whysize);
bool store_state_readable(struct db *db);

/* Fills the connection section (and the stream_state counters of the
 * throughput section when present) for one stream. */
int store_metadata_read(struct db *db, const char *stream_type, bool with_state,
                        struct snap_connection *c, struct snap_throughput *t, struct err *e);

/* Whether stream_rate_points exists (migration 12). */
bool store_rates_readable(struct db *db);

/* The stream's counter readings, in no particular order: up to RATE_POINTS. */
int store_rates_read(struct db *db, const char *stream_type, struct rate_point *points, int *n,
                     struct err *e);

/* ---- writing (the ingester) ---- */

/* Records the stream's counters as they stand in this transaction, and
 * buffered (messages received but not yet stored), as the reading taken
 * at now: one slot of the ring per second. */
int store_rates_mark(struct db *db, const char *stream_type, int64_t buffered, int64_t now,
                     struct err *e);

/* What one committed batch changes in stream_state and stream_metadata. */
struct state_delta {
    int64_t received, changed, deleted, invalid, repeated, processed, failed, superseded;
    int64_t bytes, reconnects, gaps, errors;
    int64_t last_timepoint;          /* -1: unchanged */
    int64_t last_published_at;       /* 0: unchanged */
    int64_t last_event_at;           /* 0: unchanged */
    int64_t last_heartbeat_at;       /* 0: unchanged */
    bool processed_events;           /* stamp last_processed_timestamp */
    /* the connection, when it changed */
    bool state_changed;
    enum conn_state state;
    int64_t state_since;             /* when the stream last went up or down */
    bool went_up_or_down;            /* in this delta: state_since stands; else the
                                        stored one stays while up or down is unchanged */
    const char *endpoint;            /* NULL: unchanged */
    int64_t connected_since;         /* 0: not connected */
    int64_t next_attempt_at;         /* 0: none */
    const char *last_error;          /* NULL: unchanged */
};

/* Adds a batch's changes (and refreshes ingester_seen_at). */
int store_state_apply(struct db *db, const char *stream_type, const struct state_delta *d,
                      int64_t now, struct err *e);

/* Where to resume: the newest stored timepoint, or -1. */
int store_state_resume_point(struct db *db, const char *stream_type, int64_t *timepoint,
                             struct err *e);

struct ingester_identity {
    int64_t pid;
    char host[64];
};

/* This process: its pid and host name ("localhost" if it has none). */
void ingester_identity_self(struct ingester_identity *me);

/* Makes this process the stream's only ingester (creating the stream's
 * rows if needed).  Fails, naming the running one, if another ingester is
 * alive: same host and its process exists, or any host and seen within
 * INGESTER_LEASE_S seconds. */
#define INGESTER_LEASE_S 120
int store_state_acquire(struct db *db, const char *stream_type, const struct ingester_identity *me,
                        int64_t now, struct err *e);

/* Whether another live ingester holds the stream (by the same rule). */
int store_state_held(struct db *db, const char *stream_type, const struct ingester_identity *me,
                     int64_t now, bool *held, struct err *e);

/* Gives the stream up: no ingester, disconnected, no counter readings (so
 * no reader sees a rate from a stopped ingester). */
int store_state_release(struct db *db, const char *stream_type, const struct ingester_identity *me,
                        int64_t now, struct err *e);

/* The same whoever owns it: for a copy of the database (a backup), which
 * no ingester holds whatever the original said. */
int store_state_disown(struct db *db, const char *stream_type, int64_t now, struct err *e);

#endif
