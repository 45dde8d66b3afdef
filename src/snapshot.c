#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_kind.h"
#include "health.h"
#include "lockholder.h"
#include "metric_names.h"
#include "rates.h"
#include "schema.h"
#include "snapshot.h"
#include "snapshot_rows.h"
#include "store_api.h"
#include "store_events.h"
#include "store_metadata.h"
#include "backup.h"
#include "store_maintenance.h"
#include "store_metrics.h"
#include "store_queue.h"
#include "store_webhooks.h"
#include "timeutil.h"

/* Without counter readings (a database before migration 12), the rate now
 * falls back to the ingest_rate sample, until it is older than this. */
#define RATE_NOW_MAX_AGE_MS 15000

/* What this database can show, probed once per schema change. */
struct snapshot_caps {
    int64_t schema_cookie;
    struct schema_state schema;
    bool metadata, state, rates, queue, metrics, integrations, maintenance;
    bool maintenance_access_log;    /* migration 16 counts the access log's rows */
    enum failures_source failures;
    char metadata_why[SNAP_REASON], failures_why[SNAP_REASON];
    char queue_why[SNAP_REASON], metrics_why[SNAP_REASON];
};

struct snapshot_reader {
    struct db *db;
    bool caps_valid;
    struct snapshot_caps caps;
};

static int probe_caps(struct snapshot_reader *r, int64_t cookie, struct err *e);

int snapshot_reader_open(const char *path, struct snapshot_reader **out, struct err *e)
{
    struct snapshot_reader *r = calloc(1, sizeof *r);
    *out = NULL;
    if (!r)
        return err_set(e, "out of memory"), -1;
    if (db_open(path, DB_READ_ONLY, &r->db, e) < 0) {
        free(r);
        return -1;
    }
    if (error_kind_register(db_handle(r->db)) < 0) {
        snapshot_reader_close(r);
        return err_set(e, "%s: cannot register the error kind function", path), -1;
    }
    /* Probing now refuses a newer or foreign schema before anything is shown. */
    if (probe_caps(r, db_schema_cookie(r->db), e) < 0) {
        snapshot_reader_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

void snapshot_reader_close(struct snapshot_reader *r)
{
    if (!r)
        return;
    db_close(r->db);
    free(r);
}

struct db *snapshot_reader_db(struct snapshot_reader *r)
{
    return r->db;
}

enum failures_source snapshot_reader_failures(struct snapshot_reader *r)
{
    return r->caps_valid ? r->caps.failures : FAILURES_UNAVAILABLE;
}

static int probe_caps(struct snapshot_reader *r, int64_t cookie, struct err *e)
{
    struct snapshot_caps *c = &r->caps;
    memset(c, 0, sizeof *c);
    c->schema_cookie = cookie;
    if (schema_state(r->db, &c->schema, e) < 0)
        return -1;
    c->metadata = store_metadata_readable(r->db, c->metadata_why, sizeof c->metadata_why);
    c->state = c->metadata && store_state_readable(r->db);
    c->rates = c->state && store_rates_readable(r->db);
    c->failures = store_events_failures_source(r->db, c->failures_why, sizeof c->failures_why);
    c->queue = store_queue_readable(r->db, c->queue_why, sizeof c->queue_why);
    c->metrics = store_metrics_readable(r->db, c->metrics_why, sizeof c->metrics_why);
    c->integrations = db_has_index(r->db, "idx_api_access_log_at") &&
                      db_has_index(r->db, "idx_webhook_outbox_hook") &&
                      db_has_index(r->db, "idx_webhooks_active");
    c->maintenance = store_maintenance_readable(r->db);
    c->maintenance_access_log = c->maintenance && store_maintenance_counts_access_log(r->db);
    r->caps_valid = true;
    return 0;
}

/* Sums a counter over windows and per minute, or takes a gauge's maximum
 * per minute, from one pass over its samples. */
struct series {
    int64_t now;
    int64_t first_minute;        /* minute number of spark[0] */
    bool gauge;
    double sum_1m, sum_15m;
    double *spark;
};

static void add_sample(void *ctx, int64_t at, double v)
{
    struct series *s = ctx;
    if (at > s->now - 60000)
        s->sum_1m += v;
    if (at > s->now - 900000)
        s->sum_15m += v;
    int64_t bucket = at / 60000 - s->first_minute;
    if (!s->spark || bucket < 0 || bucket >= SNAP_SPARK_MINUTES)
        return;   /* the current, unfinished minute is not drawn */
    if (s->gauge)
        s->spark[bucket] = v > s->spark[bucket] ? v : s->spark[bucket];
    else
        s->spark[bucket] += v / 60.0;
}

static int read_series(struct db *db, const char *name, int64_t now, bool gauge, double *spark,
                       struct series *out, struct err *e)
{
    *out = (struct series){.now = now, .gauge = gauge, .spark = spark,
                           .first_minute = now / 60000 - SNAP_SPARK_MINUTES};
    if (spark)
        memset(spark, 0, SNAP_SPARK_MINUTES * sizeof *spark);
    int64_t since = spark ? out->first_minute * 60000 : now - 900000;
    return store_metrics_series(db, name, since, add_sample, out, e);
}

static int fill_throughput(struct db *db, int64_t now, bool have_rates, struct snap_throughput *t,
                           struct err *e)
{
    struct series received;
    double rate;
    int64_t at;
    bool found = false;
    if (read_series(db, METRIC_EVENTS_RECEIVED, now, false, t->spark, &received, e) < 0 ||
        (!have_rates && store_metrics_latest(db, METRIC_INGEST_RATE, &at, &rate, &found, e) < 0))
        return -1;
    t->available = true;
    t->rate_1m = received.sum_1m / 60.0;
    t->rate_15m = received.sum_15m / 900.0;
    if (!have_rates)
        t->rate_now = found && now - at <= RATE_NOW_MAX_AGE_MS ? rate : 0.0;
    t->spark_len = SNAP_SPARK_MINUTES;
    return 0;
}

/* The figures that come from the ingester's counter readings: the rate
 * now, what it holds in memory, how fast the backlog drains and when it
 * will be gone; and whether the stream is caught up. */
static void apply_rates(struct snapshot *s, const struct rates_now *r)
{
    struct snap_queue *q = &s->queue;
    struct snap_connection *c = &s->connection;
    s->throughput.rate_now = r->received;
    q->buffered_known = r->buffered_known;
    q->buffered = r->buffered;
    q->drain_rate = r->drained;
    q->backlog = q->buffered + q->pending + q->processing;
    q->eta_s = q->backlog > 0 && q->drain_rate > 0 ? (int64_t)((double)q->backlog / q->drain_rate + 0.999)
                                                  : -1;
    /* The server sends heartbeats only when it has no events: one stored
     * after the newest event means everything it had was received, and an
     * empty buffer means it was stored too; an ingester that has stopped
     * committing cannot say what came since. */
    struct health_finding silent;
    health_ingester(s, &silent);
    c->caught_up = c->conn == CONN_CONNECTED && c->last_heartbeat_at &&
                   c->last_heartbeat_at >= c->last_event_at && q->buffered == 0 &&
                   silent.level != HEALTH_BAD;
}

static int fill_queue(struct db *db, int64_t now, bool with_metrics, struct snap_queue *q,
                      struct err *e)
{
    struct series processed, depth;
    if (store_queue_read(db, q, e) < 0)
        return -1;
    q->available = true;
    if (!with_metrics)
        return 0;
    if (read_series(db, METRIC_EVENTS_PROCESSED, now, false, NULL, &processed, e) < 0 ||
        read_series(db, METRIC_QUEUE_DEPTH, now, true, q->spark, &depth, e) < 0)
        return -1;
    q->process_rate = processed.sum_1m / 60.0;
    q->spark_len = SNAP_SPARK_MINUTES;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct snap_metric *)a)->name, ((const struct snap_metric *)b)->name);
}

/* A stable order (by name, not by which was written last) and each
 * interval's length, so a value can say what it is per. */
static void settle_metrics(struct snap_metrics *m)
{
    qsort(m->rows, (size_t)m->nrows, sizeof m->rows[0], by_name);
    for (int i = 0; i < m->nrows; i++) {
        const char *at = strstr(m->rows[i].tags, "\"interval_ms\":");
        m->rows[i].interval_ms = at ? strtoll(at + strlen("\"interval_ms\":"), NULL, 10) : 0;
    }
}

static int read_rates(struct snapshot_reader *r, const struct snapshot_request *req, int64_t now,
                      struct rates_now *out, struct err *e)
{
    struct rate_point points[RATE_POINTS];
    int n = 0;
    if (r->caps.rates && store_rates_read(r->db, req->stream_type, points, &n, e) < 0)
        return -1;
    rates_compute(points, n, now, out);
    return 0;
}

/* Whoever else holds the write lock right now: the recorded ingester
 * holds it for each of its commits, anyone else holds it up. */
static void note_write_lock_holder(const char *path, struct snap_connection *c)
{
    pid_t pid = lockholder_of_write_lock(path);
    if (pid <= 0 || (c->ingester_process == INGESTER_RUNNING && pid == c->ingester_pid))
        return;
    c->write_lock_pid = pid;
    lockholder_process_name(pid, c->write_lock_name, sizeof c->write_lock_name);
}

static int fill_sections(struct snapshot_reader *r, const struct snapshot_request *req,
                         struct snapshot *s, struct err *e)
{
    const struct snapshot_caps *c = &r->caps;
    struct rates_now rates;
    s->schema_tracked = c->schema.tracked;
    s->schema_version = c->schema.version;
    if (c->metadata) {
        if (store_metadata_read(r->db, req->stream_type, c->state, &s->connection, &s->throughput,
                                e) < 0)
            return -1;
        s->connection.available = true;
        note_write_lock_holder(db_path(r->db), &s->connection);
        if (read_rates(r, req, s->taken_at, &rates, e) < 0)
            return -1;
    } else {
        snprintf(s->connection.why_unavailable, SNAP_REASON, "%s", c->metadata_why);
    }
    if (c->failures != FAILURES_UNAVAILABLE) {
        struct failure_window w = req->failures;
        if (w.rows <= 0)
            w.rows = 10;
        if (w.above < 0)
            w.above = 0;
        if (w.rows > SNAP_FAILURE_ROWS)
            w.rows = SNAP_FAILURE_ROWS;
        if (w.above > SNAP_FAILURE_ROWS - w.rows)
            w.above = SNAP_FAILURE_ROWS - w.rows;
        if (store_events_read_failures(r->db, c->failures, req->failure_filter, req->failure_kind,
                                       &w, &s->failures, e) < 0 ||
            (req->failure_kinds && store_events_read_kinds(r->db, c->failures, req->failure_filter,
                                                           &s->failures, e) < 0))
            return -1;
        s->failures.available = true;
    } else {
        snprintf(s->failures.why_unavailable, SNAP_REASON, "%s", c->failures_why);
    }
    if (c->queue) {
        if (fill_queue(r->db, s->taken_at, c->metrics, &s->queue, e) < 0)
            return -1;
    } else {
        snprintf(s->queue.why_unavailable, SNAP_REASON, "%s", c->queue_why);
    }
    if (c->metrics) {
        if (fill_throughput(r->db, s->taken_at, c->rates, &s->throughput, e) < 0 ||
            store_metrics_recent(r->db, &s->metrics, e) < 0)
            return -1;
        settle_metrics(&s->metrics);
        s->metrics.available = true;
    } else {
        snprintf(s->throughput.why_unavailable, SNAP_REASON, "%s", c->metrics_why);
        snprintf(s->metrics.why_unavailable, SNAP_REASON, "%s", c->metrics_why);
        s->throughput.available = s->throughput.have_totals;
    }
    if (c->integrations) {
        if (store_api_activity(r->db, s->taken_at - 3600 * 1000, &s->integrations.api, e) < 0 ||
            store_webhooks_health(r->db, &s->integrations.hooks, e) < 0)
            return -1;
        s->integrations.available = true;
    }
    struct snap_maintenance *m = &s->maintenance;
    if (store_maintenance_size(r->db, &m->db_bytes, &m->free_bytes, e) < 0 ||
        (c->maintenance && store_maintenance_read(r->db, c->maintenance_access_log, m, e) < 0))
        return -1;
    m->available = c->maintenance;
    if (c->rates)
        apply_rates(s, &rates);
    else
        s->queue.eta_s = -1;
    return 0;
}

/* Outside the read transaction: a directory listing, not the database. */
static void fill_backup(const struct snapshot_request *req, const char *db, int64_t now,
                        struct snap_backup *b)
{
    struct err e;
    struct backup_newest n;
    b->configured = req->backup_dir != NULL;
    if (!b->configured)
        return;
    snprintf(b->dir, sizeof b->dir, "%s", req->backup_dir);
    b->max_age_ms = req->backup_max_age_ms;
    b->readable = backup_newest(req->backup_dir, db, now, &n, &e) == 0;
    b->found = n.found;
    b->newest_at = n.at;
    b->future = n.future;
    b->damaged = n.damaged;
    if (b->readable && backup_leftovers(req->backup_dir, &b->leftovers, &e) < 0)
        b->leftovers = 0;   /* listed a moment ago: gone since, and judged next time */
    if (!b->readable)
        snprintf(b->why_unreadable, sizeof b->why_unreadable, "%.*s", SNAP_REASON - 1, e.msg);
}

int snapshot_reader_refresh(struct snapshot_reader *r, bool *reopened, struct err *e)
{
    if (db_refresh_view(r->db, reopened, e) < 0)
        return -1;
    if (!*reopened)
        return 0;
    r->caps_valid = false;
    if (error_kind_register(db_handle(r->db)) < 0)
        return err_set(e, "%s: cannot register the error kind function", db_path(r->db)), -1;
    return 0;
}

int snapshot_fill(struct snapshot_reader *r, const struct snapshot_request *req,
                  struct snapshot *s, struct err *e)
{
    bool reopened;
    memset(s, 0, sizeof *s);
    s->taken_at = req->now ? req->now : time_now_ms();
    if (snapshot_reader_refresh(r, &reopened, e) < 0)
        return -1;
    /* One short read transaction: every section describes the same moment,
     * and the writer's WAL is never held back for long. */
    if (db_begin_read(r->db, e) < 0)
        return -1;
    int64_t cookie = db_schema_cookie(r->db);
    int rc = 0;
    if (!r->caps_valid || cookie != r->caps.schema_cookie)
        rc = probe_caps(r, cookie, e);
    if (rc == 0)
        rc = fill_sections(r, req, s, e);
    if (rc == 0)
        rc = db_commit(r->db, e);
    if (rc < 0)
        db_rollback(r->db);
    else
        fill_backup(req, db_path(r->db), s->taken_at, &s->backup);
    return rc;
}
