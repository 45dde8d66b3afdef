/* maintain — one retention and upkeep pass over a database, in small
 * transactions, for the `maintain` command and the running ingester alike.
 *
 * A pass fixes its cutoffs when it begins, then goes through its stages:
 * search_cache rows past expiry or 24 hours old; system_metrics samples
 * past retention (any resolution); raw samples past the raw window rolled
 * up by hour (store_metrics.h); processed stream_events_log rows past their
 * age with their done queue rows (store_events.h says which may leave);
 * api_access_log rows past access_log_keep_ms (the HTTP API's log).
 * Each maintain_step() is one transaction: one hour of metrics, or a batch
 * of events sized so a transaction takes about MAINTAIN_STEP_MS, so an
 * ingester interleaving steps with its batches keeps its pace.  A dry run
 * takes the same steps and rolls each back, so it counts exactly what a
 * real pass would remove.  The dashboard's counts come from stream_state's
 * counters, so they do not drop when rows leave. */
#ifndef STREAMTOP_MAINTAIN_H
#define STREAMTOP_MAINTAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "snapshot.h"
#include "store_api.h"

#define MAINTAIN_STEP_MS 25

/* A paced pass rests after each transaction so that it takes at most this
 * share of the time: beside an ingester catching up on two cores, a pass
 * flat out took a third of the ingester's rate. */
#define MAINTAIN_PACED_PERCENT 10

struct maintain_policy {
    int64_t search_cache_keep_ms;   /* 24 hours */
    int64_t metrics_raw_ms;         /* raw samples kept this long, then rolled up: 48 hours */
    int64_t metrics_keep_ms;        /* nothing older survives: 30 days */
    int64_t events_keep_ms;         /* processed events: 30 days */
    int64_t access_log_keep_ms;     /* the HTTP API's access log: 7 days */
};

void maintain_policy_default(struct maintain_policy *p);

enum maintain_stage {
    MAINTAIN_SEARCH_CACHE,
    MAINTAIN_ACCESS_LOG,
    MAINTAIN_METRICS_EXPIRE,
    MAINTAIN_METRICS_ROLL_UP,
    MAINTAIN_EVENTS,
    MAINTAIN_DONE,
};

struct maintain_pass {
    struct maintain_policy policy;
    char stream_type[32];
    bool dry_run;
    int64_t started_at;             /* wall clock: the cutoffs count from it */
    enum maintain_stage stage;
    bool stage_ready;               /* the stage's bounds have been read */
    int64_t cursor;                 /* rowid, time or log id, per stage */
    struct api_log_cursor log_cursor;
    int64_t events_last;            /* the newest log id old enough */
    char keep_event_id[96];         /* the resume point's row */
    int events_batch;               /* log ids per transaction, adapted to MAINTAIN_STEP_MS */
    bool paced;                     /* rest between transactions (MAINTAIN_PACED_PERCENT) */
    int64_t next_step_at;           /* monotonic us: a paced pass's next transaction */
    struct maintenance_counts counts;
};

void maintain_begin(struct maintain_pass *p, const struct maintain_policy *policy,
                    const char *stream_type, bool dry_run, int64_t now);

/* Runs one transaction of the pass: 1 while more remain, 0 when the pass
 * is through, -1 with e set (that transaction is rolled back; the pass may
 * be stepped again later). */
int maintain_step(struct db *db, struct maintain_pass *p, struct err *e);

/* Whether a paced pass has rested long enough for its next transaction
 * (always, unpaced) at mono_us (time_mono_us()); *wait_us: how long is left. */
bool maintain_due(const struct maintain_pass *p, int64_t mono_us, int64_t *wait_us);

/* Records a finished pass as the last one and refreshes the planner's
 * statistics (PRAGMA optimize).  Not for dry runs. */
int maintain_finish(struct db *db, const struct maintain_pass *p, const char *run_by,
                    int64_t now, struct err *e);

#endif
