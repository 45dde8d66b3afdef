#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "backoff.h"
#include "checkpointer.h"
#include "commit_times.h"
#include "db.h"
#include "log.h"
#include "maintain_schedule.h"
#include "metric_names.h"
#include "outcome.h"
#include "processor.h"
#include "rates.h"
#include "reapply.h"
#include "store_companies.h"
#include "store_events.h"
#include "store_metadata.h"
#include "store_metrics.h"
#include "store_queue.h"
#include "stream_client.h"
#include "timeutil.h"

#define BUSY_TIMEOUT_MS 5000
#define BUSY_STEP_MS 5

struct processor {
    struct processor_config cfg;
    pthread_t thread;
    bool started;
    struct db *db;
    struct checkpointer *checkpointer;
    atomic_bool failed;
    char failure[sizeof ((struct err *)0)->msg];
    int64_t committed_max_tp;       /* newest timepoint committed */
    int64_t last_published_at;      /* of the newest committed event: lag */
    struct metric_counts since_sample;
    int64_t last_sample_at;
    int64_t last_point_at;          /* the newest counter reading (rates.h) */
    int64_t moved_at;               /* when counters or the buffer last changed */
    int64_t point_buffered;         /* the buffer as that reading saw it */
    struct maintain_schedule retention;
    struct reapply retries;
    int64_t stopping_since;         /* monotonic ms: first failure or busy wait after a stop */
    int64_t busy_since;             /* monotonic ms: the current busy wait began */
    struct commit_times commits;    /* how long each batch took to commit */
};

/* One attempt at committing a batch: what it adds, discarded if it fails. */
struct batch {
    struct state_delta delta;
    struct metric_counts counts;
    int64_t max_tp;
    int64_t published_at;
    int64_t buffered;               /* -1: no counter reading taken */
};

/* ---- one message ---- */

static int record_failure(struct processor *p, int64_t log_id, const char *why, int64_t duration_us,
                          const char *now, struct err *e)
{
    struct queue_failure f = {log_id, why, p->cfg.worker_id, duration_us, now};
    return store_queue_record_failure(p->db, &f, e);
}

static int store_event(struct processor *p, struct batch *b, const struct ingest_msg *m,
                       const char *now, struct err *e)
{
    const struct stream_event *ev = m->event;
    char id[EVENT_ID_LEN], received[ISO_TIME_LEN], why[512];
    b->counts.bytes += (int64_t)m->bytes;
    b->delta.bytes += (int64_t)m->bytes;
    event_id(ev->timepoint, id);
    int64_t newest = p->committed_max_tp > b->max_tp ? p->committed_max_tp : b->max_tp;
    if (ev->timepoint <= newest) {
        bool found;
        int64_t ignored;
        if (store_events_find(p->db, id, &found, &ignored, NULL, e) < 0)
            return -1;
        if (found)
            return 0;   /* sent again after a resume: stored already */
    }
    enum apply_outcome outcome;
    int64_t t0 = time_mono_us();
    if (store_companies_apply(p->db, ev, id, now, &outcome, why, sizeof why, e) < 0)
        return -1;
    struct log_row row = {
        .event_id = id, .event_type = event_type_name(ev->type), .company_number = ev->company_number,
        .event_data = ev->raw, .event_data_len = ev->raw_len,
        .status = outcome == APPLY_FAILED ? "failed" : "processed",
        .error = outcome == APPLY_FAILED || outcome == APPLY_SUPERSEDED ? why : NULL,
        .received_at = time_format_iso(m->at, received), .processed_at = now,
    };
    int64_t log_id;
    bool inserted;
    if (store_events_insert(p->db, &row, false, &log_id, &inserted, e) < 0 ||
        (outcome == APPLY_FAILED && record_failure(p, log_id, why, time_mono_us() - t0, now, e) < 0))
        return -1;
    b->delta.received++;
    b->counts.received++;
    if (ev->type == EVENT_DELETED)
        b->delta.deleted++;
    else
        b->delta.changed++;
    if (m->gap_before) {
        b->delta.gaps++;
        b->counts.gaps++;
    }
    outcome_count(&b->delta, &b->counts, outcome);
    b->delta.last_event_at = m->at;
    b->delta.processed_events = true;
    if (ev->timepoint > b->max_tp) {
        b->max_tp = ev->timepoint;
        b->published_at = ev->published_at;
    }
    return 0;
}

static int store_invalid(struct processor *p, struct batch *b, const struct ingest_msg *m,
                         const char *now, struct err *e)
{
    char received[ISO_TIME_LEN];
    struct log_row row = {
        .event_id = m->invalid_id, .event_type = "invalid", .company_number = NULL,
        .event_data = m->raw, .event_data_len = m->raw_len, .status = "failed",
        .error = m->error, .received_at = time_format_iso(m->at, received), .processed_at = now,
    };
    int64_t log_id;
    bool inserted;
    b->counts.bytes += (int64_t)m->bytes;
    b->delta.bytes += (int64_t)m->bytes;
    if (store_events_insert(p->db, &row, true, &log_id, &inserted, e) < 0)
        return -1;
    if (!inserted)
        return 0;   /* the same line, sent again after a resume */
    b->delta.received++;
    b->delta.invalid++;
    b->counts.received++;
    outcome_count(&b->delta, &b->counts, APPLY_FAILED);
    b->delta.last_event_at = m->at;
    return record_failure(p, log_id, m->error, 0, now, e);
}

static void note_connection(struct batch *b, const struct ingest_msg *m)
{
    struct state_delta *d = &b->delta;
    bool up = m->state == CONN_CONNECTED;
    if (!d->state_changed) {
        d->state_since = m->at;
    } else if ((d->state == CONN_CONNECTED) != up) {
        d->state_since = m->at;
        d->went_up_or_down = true;
    }
    d->state_changed = true;
    d->state = m->state;
    d->endpoint = m->endpoint;
    d->connected_since = m->state == CONN_CONNECTED ? m->at : 0;
    d->next_attempt_at = m->next_attempt_at;
    if (m->error)
        d->last_error = m->error;
    if (m->reconnect) {
        d->reconnects++;
        b->counts.reconnects++;
    }
    if (m->error && (m->state == CONN_BACKOFF || m->state == CONN_ERROR))
        d->errors++;
    if (m->timepoint_gap) {
        d->gaps++;
        b->counts.gaps++;
    }
}

static int handle(struct processor *p, struct batch *b, const struct ingest_msg *m,
                  const char *now, struct err *e)
{
    switch (m->kind) {
    case MSG_EVENT:
        return store_event(p, b, m, now, e);
    case MSG_INVALID:
        return store_invalid(p, b, m, now, e);
    case MSG_HEARTBEAT:
        b->delta.last_heartbeat_at = m->at;
        b->delta.bytes += (int64_t)m->bytes;
        b->counts.bytes += (int64_t)m->bytes;
        return 0;
    case MSG_CONNECTION:
        note_connection(b, m);
        return 0;
    }
    return 0;
}

/* ---- metric samples ---- */

/* The tags every sample of one interval carries, as JSON. */
static int sample_tags(int64_t interval_ms, const char *stream_type, char *out, size_t size,
                       struct err *e)
{
    cJSON *o = cJSON_CreateObject();
    if (!o || !cJSON_AddNumberToObject(o, "interval_ms", (double)interval_ms) ||
        !cJSON_AddStringToObject(o, "stream", stream_type) ||
        !cJSON_PrintPreallocated(o, out, (int)size, false)) {
        cJSON_Delete(o);
        return err_set(e, "cannot build the metric tags: out of memory"), -1;
    }
    cJSON_Delete(o);
    return 0;
}

static int write_samples(struct processor *p, const struct metric_counts *c,
                         int64_t newest_published, int64_t now, struct err *e)
{
    int64_t interval = now - p->last_sample_at, pending = 0;
    char tags[128];
    if (sample_tags(interval, p->cfg.stream_type, tags, sizeof tags, e) < 0)
        return -1;
    const struct { const char *name; int64_t v; } counters[] = {
        {METRIC_EVENTS_RECEIVED, c->received}, {METRIC_EVENTS_PROCESSED, c->processed},
        {METRIC_EVENTS_FAILED, c->failed},     {METRIC_EVENTS_REPEATED, c->repeated},
        {METRIC_BYTES_RECEIVED, c->bytes},     {METRIC_RECONNECTS, c->reconnects},
        {METRIC_TIMEPOINT_GAPS, c->gaps},
    };
    /* Counters are written only when something happened; an idle stream
     * then adds three gauges per interval. */
    for (size_t i = 0; i < sizeof counters / sizeof counters[0]; i++)
        if (counters[i].v && store_metrics_insert(p->db, counters[i].name, (double)counters[i].v,
                                                  tags, now, e) < 0)
            return -1;
    if (store_queue_pending_count(p->db, &pending, e) < 0)
        return -1;
    double depth = (double)(pending + (int64_t)channel_depth(p->cfg.in));
    double rate = interval > 0 ? (double)c->received * 1000.0 / (double)interval : 0;
    if (store_metrics_insert(p->db, METRIC_QUEUE_DEPTH, depth, tags, now, e) < 0 ||
        store_metrics_insert(p->db, METRIC_INGEST_RATE, rate, tags, now, e) < 0)
        return -1;
    if (newest_published &&
        store_metrics_insert(p->db, METRIC_LAG_SECONDS, (double)(now - newest_published) / 1e3,
                             tags, now, e) < 0)
        return -1;
    return 0;
}

/* ---- counter readings ---- */

/* A reading is due a second after the last; the loop commits for one only
 * while the counters move and for a window after they stop, so the last
 * reading written shows a quiet stream as quiet.  Idle, readings ride on
 * the commits the metric samples make anyway. */
static bool point_due(const struct processor *p, int64_t now)
{
    return now - p->last_point_at >= RATE_POINT_MS;
}

/* Readings go on for a window and two intervals after the counters last
 * moved: the last change may fall just after one reading, and the last
 * reading must still see a whole quiet window. */
static bool moving(const struct processor *p, int64_t now)
{
    return now - p->moved_at <= RATE_WINDOW_MS + 2 * RATE_POINT_MS;
}

static bool points_wanted(const struct processor *p, int64_t now)
{
    return point_due(p, now) && moving(p, now);
}

/* ---- committing ---- */

/* Commits the messages from list on, as many as fit in BATCH_BUDGET_MS of
 * work; *rest: the first one left for the next transaction, or NULL. */
static int commit_batch(struct processor *p, struct ingest_msg *list, struct ingest_msg **rest,
                        struct batch *b, bool *sampled, struct err *e)
{
    char now_iso[ISO_TIME_LEN];
    int64_t now = time_now_ms();
    time_format_iso(now, now_iso);
    memset(b, 0, sizeof *b);
    b->max_tp = -1;
    b->delta.last_timepoint = -1;
    *sampled = false;
    if (db_begin_write(p->db, e) < 0)
        return -1;
    int64_t budget_end = time_mono_us() + p->cfg.batch_budget_us;
    *rest = NULL;
    for (struct ingest_msg *m = list; m; m = m->next) {
        if (handle(p, b, m, now_iso, e) < 0)
            goto failed;
        if (m->next && time_mono_us() >= budget_end) {
            *rest = m->next;
            break;
        }
    }
    if (b->max_tp > p->committed_max_tp) {
        b->delta.last_timepoint = b->max_tp;
        b->delta.last_published_at = b->published_at;
    }
    if (store_state_apply(p->db, p->cfg.stream_type, &b->delta, now, e) < 0)
        goto failed;
    if (now - p->last_sample_at >= p->cfg.metrics_interval_ms) {
        struct metric_counts total = p->since_sample;
        metric_counts_add(&total, &b->counts);
        if (write_samples(p, &total, b->published_at ? b->published_at : p->last_published_at,
                          now, e) < 0)
            goto failed;
        *sampled = true;
    }
    b->buffered = -1;
    if (point_due(p, now)) {
        b->buffered = (int64_t)channel_depth(p->cfg.in);
        if (store_rates_mark(p->db, p->cfg.stream_type, b->buffered, now, e) < 0)
            goto failed;
    }
    if (db_commit(p->db, e) < 0)
        goto failed;
    return 0;
failed:
    db_rollback(p->db);
    return -1;
}

static void after_commit(struct processor *p, const struct batch *b, bool sampled)
{
    int64_t now = time_now_ms();
    if (b->delta.received || b->delta.processed || b->delta.failed ||
        (b->buffered >= 0 && b->buffered != p->point_buffered))
        p->moved_at = now;
    if (b->buffered >= 0) {
        p->last_point_at = now;
        p->point_buffered = b->buffered;
    }
    if (b->max_tp > p->committed_max_tp) {
        p->committed_max_tp = b->max_tp;
        if (b->published_at)
            p->last_published_at = b->published_at;
    }
    if (sampled) {
        memset(&p->since_sample, 0, sizeof p->since_sample);
        p->last_sample_at = now;
    } else {
        metric_counts_add(&p->since_sample, &b->counts);
    }
}

/* Errors a later attempt cannot fix. */
static bool fatal(struct db *db)
{
    int rc = db_failed_code(db) & 0xff;
    return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB || rc == SQLITE_READONLY ||
           rc == SQLITE_CANTOPEN || rc == SQLITE_PERM;
}

static void fail(struct processor *p, const char *msg)
{
    snprintf(p->failure, sizeof p->failure, "%s", msg);
    log_kv(LOG_ERROR, "processor_stopped", "error", msg, NULL);
    atomic_store(&p->failed, true);
}

static void sleep_ms(int64_t ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Whether to stop retrying failed commits: the ingester is stopping (its
 * channel is closed) and commits have kept failing, or waiting for a lock,
 * for give_up_ms since.  A stop asked for in the middle of retrying or of
 * a busy wait counts too, so quitting is never held up longer than that
 * by a database that refuses writes. */
static bool give_up(struct processor *p)
{
    if (!channel_closed(p->cfg.in))
        return false;
    int64_t now = time_mono_ms();
    if (!p->stopping_since)
        p->stopping_since = now;
    return now - p->stopping_since >= p->cfg.give_up_ms;
}

/* The writer's busy handler: SQLite's busy timeout, except that a wait
 * begun or going on after a stop ends with give_up(), not 5 s later. */
static int on_busy(void *arg, int count)
{
    struct processor *p = arg;
    int64_t now = time_mono_ms();
    if (count == 0)
        p->busy_since = now;
    if (now - p->busy_since >= BUSY_TIMEOUT_MS || give_up(p))
        return 0;
    sleep_ms(BUSY_STEP_MS);
    return 1;
}

/* Commits one transaction's worth from *list on, retrying transient
 * failures with backoff; *list moves to what is left.  Gives up (-1) only
 * on a fatal error, or when stopping and the database stays unavailable
 * (nothing is lost: the resume point was not advanced either). */
static int commit_part(struct processor *p, struct ingest_msg **list)
{
    struct batch b;
    bool sampled;
    struct err e;
    struct backoff delays;
    backoff_init(&delays, 0);
    struct ingest_msg *rest;
    int64_t t0 = time_mono_us();
    while (commit_batch(p, *list, &rest, &b, &sampled, &e) < 0) {
        if (fatal(p->db)) {
            fail(p, e.msg);
            return -1;
        }
        log_kv(LOG_WARN, "batch_retry", "error", e.msg, NULL);
        if (give_up(p)) {
            log_kv(LOG_WARN, "batch_abandoned", "reason", "stopping; it will be fetched again", NULL);
            return -1;
        }
        int64_t delay = backoff_delay_ms(&delays, BACKOFF_COMMIT, -1);
        sleep_ms(p->stopping_since && delay > 500 ? 500 : delay);
    }
    commit_times_add(&p->commits, time_mono_us() - t0);
    after_commit(p, &b, sampled);
    *list = rest;
    return 0;
}

/* A batch taken from the channel, in transactions of bounded length so no
 * other connection (a retry, a maintain pass) waits long for the lock. */
static void commit_with_retry(struct processor *p, struct ingest_msg *list)
{
    do {
        if (commit_part(p, &list) < 0)
            return;
    } while (list);
}

/* ---- retries ---- */

/* The events put back to pending, applied between batches (reapply.h). */
static void maybe_retry(struct processor *p)
{
    struct reapply_result r;
    struct err e;
    if (reapply_maybe(&p->retries, p->committed_max_tp, &r, &e) < 0) {
        if (fatal(p->db))
            fail(p, e.msg);
        else
            log_kv(LOG_WARN, "retry_deferred", "error", e.msg, NULL);
        return;
    }
    if (r.claimed > 0)
        p->moved_at = time_now_ms();
    metric_counts_add(&p->since_sample, &r.counts);
}

/* ---- the thread ---- */

static void *processor_main(void *arg)
{
    struct processor *p = arg;
    for (;;) {
        int64_t now = time_now_ms();
        int64_t until_sample = p->last_sample_at + p->cfg.metrics_interval_ms - now;
        int64_t wait = until_sample < REAPPLY_SCAN_MS ? until_sample : REAPPLY_SCAN_MS;
        if (moving(p, now)) {
            int64_t until_point = p->last_point_at + RATE_POINT_MS - now;
            wait = until_point < wait ? until_point : wait;
        }
        struct ingest_msg *list;
        /* However long --batch-ms, a commit comes with each sample: readers
         * judge the ingester stuck when it stops committing. */
        int64_t gather = until_sample < p->cfg.batch_ms ? until_sample : p->cfg.batch_ms;
        size_t n = channel_take(p->cfg.in, p->cfg.batch_events, wait < 0 ? 0 : wait,
                                gather < 0 ? 0 : gather, &list);
        bool drained = n == 0 && channel_drained(p->cfg.in);
        now = time_now_ms();
        if (n > 0 || now - p->last_sample_at >= p->cfg.metrics_interval_ms || points_wanted(p, now))
            commit_with_retry(p, list);
        checkpointer_throttle(p->checkpointer);
        while (list) {
            struct ingest_msg *next = list->next;
            ingest_msg_free(list);
            list = next;
        }
        if (atomic_load(&p->failed))
            break;
        maybe_retry(p);
        maintain_schedule_turn(&p->retention, p->db, time_now_ms());
        if (drained)
            break;
    }
    return NULL;
}

int processor_start(const struct processor_config *cfg, struct processor **out, struct err *e)
{
    struct processor *p = calloc(1, sizeof *p);
    *out = NULL;
    if (!p)
        return err_set(e, "out of memory"), -1;
    p->cfg = *cfg;
    if (p->cfg.give_up_ms <= 0)
        p->cfg.give_up_ms = GIVE_UP_WHEN_STOPPING_MS;
    if (p->cfg.batch_budget_us <= 0)
        p->cfg.batch_budget_us = BATCH_BUDGET_MS * 1000;
    p->committed_max_tp = cfg->resume_timepoint;
    p->last_sample_at = time_now_ms();
    maintain_schedule_init(&p->retention, cfg->maintain_every_ms, &cfg->retention,
                           p->cfg.stream_type, true, time_now_ms());
    if (db_open(cfg->db_path, DB_READ_WRITE, &p->db, e) < 0) {
        free(p);
        return -1;
    }
    reapply_init(&p->retries, p->db, p->cfg.stream_type, p->cfg.worker_id);
    sqlite3_busy_handler(db_handle(p->db), on_busy, p);
    if (checkpointer_start_for_writer(cfg->db_path, p->db, cfg->leave_checkpoints,
                                      &p->checkpointer, e) < 0) {
        db_close(p->db);
        free(p);
        return -1;
    }
    int rc = pthread_create(&p->thread, NULL, processor_main, p);
    if (rc != 0) {
        err_set(e, "cannot start the processor thread: %s", strerror(rc));
        checkpointer_stop(p->checkpointer);
        db_close(p->db);
        free(p);
        return -1;
    }
    p->started = true;
    *out = p;
    return 0;
}

void processor_join(struct processor *p)
{
    if (!p)
        return;
    if (p->started)
        pthread_join(p->thread, NULL);
    commit_times_log(&p->commits);
    checkpointer_log_stats(p->checkpointer);
    checkpointer_stop(p->checkpointer);
    db_close(p->db);
    free(p);
}

bool processor_failed(struct processor *p, char *msg, size_t size)
{
    if (!atomic_load(&p->failed))
        return false;
    snprintf(msg, size, "%s", p->failure);
    return true;
}
