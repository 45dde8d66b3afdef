#include "config.h"

#include <stdio.h>
#include <string.h>

#include "event.h"
#include "maintain.h"
#include "store_api.h"
#include "store_events.h"
#include "store_maintenance.h"
#include "store_metadata.h"
#include "store_metrics.h"
#include "store_queue.h"
#include "store_search_cache.h"
#include "timeutil.h"

#define HOUR_MS METRICS_HOUR_MS
#define DAY_MS (24 * HOUR_MS)
#define SEARCH_CACHE_ROWS 2000
#define ACCESS_LOG_ROWS 2000
#define EVENTS_BATCH_FIRST 1000
#define EVENTS_BATCH_MIN 50
#define EVENTS_BATCH_MAX 50000

void maintain_policy_default(struct maintain_policy *p)
{
    p->search_cache_keep_ms = DAY_MS;
    p->metrics_raw_ms = 2 * DAY_MS;
    p->metrics_keep_ms = 30 * DAY_MS;
    p->events_keep_ms = 30 * DAY_MS;
    p->access_log_keep_ms = 7 * DAY_MS;
}

void maintain_begin(struct maintain_pass *p, const struct maintain_policy *policy,
                    const char *stream_type, bool dry_run, int64_t now)
{
    memset(p, 0, sizeof *p);
    p->policy = *policy;
    snprintf(p->stream_type, sizeof p->stream_type, "%s", stream_type);
    p->dry_run = dry_run;
    p->started_at = now;
    p->stage = MAINTAIN_SEARCH_CACHE;
    p->events_batch = EVENTS_BATCH_FIRST;
}

static void next_stage(struct maintain_pass *p)
{
    p->stage++;
    p->stage_ready = false;
}

static int64_t floor_hour(int64_t t)
{
    return t / HOUR_MS * HOUR_MS;
}

static int step_search_cache(struct db *db, struct maintain_pass *p,
                             struct maintenance_counts *c, struct err *e)
{
    if (!p->stage_ready) {
        if (!store_search_cache_readable(db))
            return next_stage(p), 0;
        p->cursor = 0;
        p->stage_ready = true;
    }
    int n;
    if (store_search_cache_expire(db, p->started_at, p->started_at - p->policy.search_cache_keep_ms,
                                  SEARCH_CACHE_ROWS, &p->cursor, &n, e) < 0)
        return -1;
    c->search_cache_removed += n;
    if (n < SEARCH_CACHE_ROWS)
        next_stage(p);
    return 0;
}

static int step_access_log(struct db *db, struct maintain_pass *p, struct maintenance_counts *c,
                           struct err *e)
{
    if (!p->stage_ready) {
        if (!store_api_log_readable(db))
            return next_stage(p), 0;
        p->log_cursor = (struct api_log_cursor){0};
        p->stage_ready = true;
    }
    int n;
    if (store_api_log_expire(db, p->started_at - p->policy.access_log_keep_ms, ACCESS_LOG_ROWS,
                             &p->log_cursor, &n, e) < 0)
        return -1;
    c->access_log_removed += n;
    if (n < ACCESS_LOG_ROWS)
        next_stage(p);
    return 0;
}

/* One hour (at most) of samples past retention, whatever their resolution. */
static int step_metrics_expire(struct db *db, struct maintain_pass *p,
                               struct maintenance_counts *c, struct err *e)
{
    int64_t cutoff = p->started_at - p->policy.metrics_keep_ms;
    if (!p->stage_ready) {
        p->cursor = 0;
        p->stage_ready = true;
    }
    int64_t at;
    bool found;
    if (store_metrics_next_at(db, p->cursor, cutoff, false, &at, &found, e) < 0)
        return -1;
    if (!found)
        return next_stage(p), 0;
    int64_t to = floor_hour(at) + HOUR_MS < cutoff ? floor_hour(at) + HOUR_MS : cutoff;
    int n;
    if (store_metrics_expire(db, at, to, &n, e) < 0)
        return -1;
    c->metrics_removed += n;
    p->cursor = to;
    return 0;
}

/* One hour of raw samples older than the raw window, rolled up.  Only whole
 * hours: the hour that straddles the window waits for the next pass.  It
 * starts at the first whole hour after retention's cutoff, so a dry run
 * (whose expiry was rolled back) does not count those samples twice. */
static int step_metrics_roll_up(struct db *db, struct maintain_pass *p,
                                struct maintenance_counts *c, struct err *e)
{
    int64_t until = floor_hour(p->started_at - p->policy.metrics_raw_ms);
    if (!p->stage_ready) {
        p->cursor = floor_hour(p->started_at - p->policy.metrics_keep_ms + HOUR_MS - 1);
        p->stage_ready = true;
    }
    int64_t at;
    bool found;
    if (p->cursor >= until)
        return next_stage(p), 0;
    if (store_metrics_next_at(db, p->cursor, until, true, &at, &found, e) < 0)
        return -1;
    if (!found)
        return next_stage(p), 0;
    int raw, rows;
    if (store_metrics_roll_up_hour(db, floor_hour(at), &raw, &rows, e) < 0)
        return -1;
    c->metrics_rolled_up += raw;
    c->metrics_hourly_rows += rows;
    p->cursor = floor_hour(at) + HOUR_MS;
    return 0;
}

static int events_bounds(struct db *db, struct maintain_pass *p, struct err *e)
{
    int64_t resume;
    if (store_events_last_before(db, p->started_at - p->policy.events_keep_ms, &p->events_last,
                                 e) < 0 ||
        store_state_resume_point(db, p->stream_type, &resume, e) < 0)
        return -1;
    p->keep_event_id[0] = '\0';
    if (resume >= 0) {
        char id[EVENT_ID_LEN];
        snprintf(p->keep_event_id, sizeof p->keep_event_id, "%s", event_id(resume, id));
    }
    p->cursor = 0;
    p->stage_ready = true;
    return 0;
}

/* Sizes the next batch so a transaction takes about MAINTAIN_STEP_MS. */
static void adapt_batch(struct maintain_pass *p, int64_t took_ms)
{
    if (took_ms < MAINTAIN_STEP_MS / 2 && p->events_batch < EVENTS_BATCH_MAX)
        p->events_batch *= 2;
    else if (took_ms > MAINTAIN_STEP_MS && p->events_batch > EVENTS_BATCH_MIN)
        p->events_batch /= 2;
}

static int step_events(struct db *db, struct maintain_pass *p, struct maintenance_counts *c,
                       struct err *e)
{
    if (!p->stage_ready && events_bounds(db, p, e) < 0)
        return -1;
    int64_t first;
    if (store_events_next_processed(db, p->cursor, &first, e) < 0)
        return -1;
    if (first == 0 || first > p->events_last)
        return next_stage(p), 0;
    int64_t lo = first - 1;
    int64_t hi = lo + p->events_batch < p->events_last ? lo + p->events_batch : p->events_last;
    int64_t cutoff = p->started_at - p->policy.events_keep_ms;
    int queue, events;
    if (store_queue_prune_done(db, lo, hi, cutoff, p->keep_event_id, &queue, e) < 0 ||
        store_events_prune(db, lo, hi, cutoff, p->keep_event_id, &events, e) < 0)
        return -1;
    c->queue_removed += queue;
    c->events_removed += events;
    p->cursor = hi;
    return 0;
}

static void add_counts(struct maintenance_counts *to, const struct maintenance_counts *from)
{
    to->search_cache_removed += from->search_cache_removed;
    to->metrics_rolled_up += from->metrics_rolled_up;
    to->metrics_hourly_rows += from->metrics_hourly_rows;
    to->metrics_removed += from->metrics_removed;
    to->events_removed += from->events_removed;
    to->queue_removed += from->queue_removed;
    to->access_log_removed += from->access_log_removed;
}

int maintain_step(struct db *db, struct maintain_pass *p, struct err *e)
{
    static int (*const steps[])(struct db *, struct maintain_pass *, struct maintenance_counts *,
                                struct err *) = {
        [MAINTAIN_SEARCH_CACHE] = step_search_cache,
        [MAINTAIN_ACCESS_LOG] = step_access_log,
        [MAINTAIN_METRICS_EXPIRE] = step_metrics_expire,
        [MAINTAIN_METRICS_ROLL_UP] = step_metrics_roll_up,
        [MAINTAIN_EVENTS] = step_events,
    };
    if (p->stage == MAINTAIN_DONE)
        return 0;
    /* A failed step leaves the pass where it was: the cursor and stage move
     * only with a transaction that worked. */
    struct maintain_pass before = *p;
    struct maintenance_counts c = {0};
    int64_t t0 = time_mono_us();
    if (db_begin_write(db, e) < 0)
        return -1;
    enum maintain_stage stage = p->stage;
    if (steps[stage](db, p, &c, e) < 0) {
        db_rollback(db);
        *p = before;
        return -1;
    }
    if (p->dry_run) {
        db_rollback(db);
    } else if (db_commit(db, e) < 0) {
        db_rollback(db);
        *p = before;
        return -1;
    }
    int64_t took_us = time_mono_us() - t0;
    if (stage == MAINTAIN_EVENTS && p->stage == MAINTAIN_EVENTS)
        adapt_batch(p, took_us / 1000);
    if (p->paced)
        p->next_step_at = time_mono_us() + took_us * (100 - MAINTAIN_PACED_PERCENT) /
                                                  MAINTAIN_PACED_PERCENT;
    add_counts(&p->counts, &c);
    return p->stage == MAINTAIN_DONE ? 0 : 1;
}

bool maintain_due(const struct maintain_pass *p, int64_t mono_us, int64_t *wait_us)
{
    *wait_us = p->paced && p->next_step_at > mono_us ? p->next_step_at - mono_us : 0;
    return *wait_us == 0;
}

int maintain_finish(struct db *db, const struct maintain_pass *p, const char *run_by,
                    int64_t now, struct err *e)
{
    if (store_maintenance_readable(db) &&
        store_maintenance_record(db, p->started_at, now, run_by, &p->counts, e) < 0)
        return -1;
    return store_maintenance_optimize(db, e);
}
