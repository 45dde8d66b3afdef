/* snapshot: the values the panes show, read from a prepared database;
 * health; every query indexed; databases streamtop has not migrated; and a
 * read-only view that follows a writer that appears later. */
#include "config.h"

#include "unit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "health.h"
#include "metric_names.h"
#include "schema.h"
#include "snapshot.h"
#include "snapshot_rows.h"
#include "testdb.h"
#include "timeutil.h"

struct fixture {
    char *dir;
    char *path;
    int64_t now;
    struct snapshot snap;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dir = testdb_mkdtemp();
    f->path = testdb_path(f->dir, "snap.db");
    f->now = time_now_ms();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    testdb_rmdir(f->dir);
    free(f->path);
    free(f);
    return 0;
}

static const char *iso(int64_t ms)
{
    static char bufs[16][ISO_TIME_LEN];
    static int next;
    return time_format_iso(ms, bufs[next++ % 16]);
}

static void execf(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void execf(const char *path, const char *fmt, ...)
{
    va_list ap;
    char *sql;
    va_start(ap, fmt);
    assert_true(vasprintf(&sql, fmt, ap) > 0);
    va_end(ap);
    testdb_exec(path, sql);
    free(sql);
}

/* A connected stream: 30 events of which 5 failed, a small queue, and
 * twenty minutes of metrics every five seconds. */
static void prepare(struct fixture *f)
{
    int64_t now = f->now;
    testdb_migrate(f->path, schema_latest_version());
    execf(f->path,
          "UPDATE stream_metadata SET connection_status = 'connected', "
          "last_event_id = 'company-profile:1030', last_processed_timestamp = '%s', "
          "error_count = 2, last_error = 'HTTP 503 from stream.example', updated_at = '%s';"
          "INSERT INTO stream_state (stream_type, state, state_since, endpoint, connected_since, "
          "last_event_at, last_heartbeat_at, last_timepoint, last_published_at, reconnects, "
          "events_received, events_changed, events_deleted, events_invalid, events_repeated, "
          "events_processed, events_failed, events_superseded, bytes_received, timepoint_gaps, "
          "ingester_pid, ingester_host, ingester_started_at, ingester_seen_at) VALUES "
          "('company-profile', 'connected', '%s', 'https://stream.example/companies', '%s', '%s', "
          "'%s', 1030, '%s', 3, 1000, 900, 60, 40, 7, 950, 5, 2, 1300000, 1, 4242, 'ingest-1', "
          "'%s', '%s');",
          iso(now - 1000), iso(now - 1000), iso(now - 7200000), iso(now - 7200000),
          iso(now - 1000), iso(now - 10000), iso(now - 5000), iso(now - 7300000), iso(now - 2000));
    for (int i = 1; i <= 30; i++) {
        bool failed = i % 6 == 0;
        execf(f->path,
              "INSERT INTO stream_events_log (event_id, event_type, company_number, event_data, "
              "processing_status, error_message, received_at) VALUES "
              "('company-profile:%d', 'changed', '%08d', '{}', '%s', %s, '%s')",
              1000 + i, i, failed ? "failed" : "processed",
              failed ? (i == 12 ? "'database timeout'" : "'company_number missing'") : "NULL",
              iso(now - (31 - i) * 1000));
        if (failed)
            execf(f->path, "INSERT INTO processing_queue (event_log_id, status, attempts, "
                           "last_error, created_at, updated_at) VALUES (%d, 'failed', 2, 'x', '%s', '%s')",
                  i, iso(now - 60000), iso(now - 60000));
    }
    execf(f->path, "INSERT INTO companies (company_number, company_name) VALUES ('00000030', 'THIRTY LTD')");
    /* Three pending rows, created long ago, re-queued 5, 10 and 15 s ago. */
    for (int i = 0; i < 3; i++)
        execf(f->path, "INSERT INTO processing_queue (event_log_id, status, created_at, updated_at) "
                       "VALUES (%d, 'pending', '%s', '%s')", 100 + i, iso(now - 3600000),
              iso(now - (i + 1) * 5000));
    execf(f->path, "INSERT INTO processing_queue (event_log_id, status, worker_id, created_at, "
                   "updated_at) VALUES (200, 'processing', 'w1', '%s', '%s')", iso(now), iso(now));
    testdb_exec(f->path, "BEGIN");
    for (int k = 0; k < 240; k++) {
        int64_t at = now - k * 5000LL;
        execf(f->path,
              "INSERT INTO system_metrics (id, metric_name, metric_value, tags, recorded_at) VALUES "
              "('r%d', '" METRIC_EVENTS_RECEIVED "', 50, '{\"interval_ms\":5000}', '%s'),"
              "('p%d', '" METRIC_EVENTS_PROCESSED "', 45, '{\"interval_ms\":5000}', '%s'),"
              "('q%d', '" METRIC_QUEUE_DEPTH "', %d, NULL, '%s')",
              k, iso(at), k, iso(at), k, k % 12 == 0 ? 40 : 4, iso(at));
    }
    execf(f->path, "INSERT INTO system_metrics (id, metric_name, metric_value, tags, recorded_at) "
                   "VALUES ('rate', '" METRIC_INGEST_RATE "', 9.5, NULL, '%s')", iso(now - 2000));
    /* Counter readings a second apart: 12 stored and 8 drained a second,
     * 12 received and waiting in memory. */
    for (int k = 0; k < 5; k++)
        execf(f->path, "INSERT INTO stream_rate_points (stream_type, slot, at, stored, drained, "
                       "buffered) VALUES ('company-profile', %d, '%s', %d, %d, 12)",
              k, iso(now - 4300 + k * 1000), 940 + 12 * k, 900 + 8 * k);
}

static void fill_window(struct fixture *f, const char *filter, struct failure_window w)
{
    struct snapshot_reader *r;
    struct err e;
    struct snapshot_request req = {.stream_type = "company-profile", .failure_filter = filter,
                                   .now = f->now, .failures = w};
    if (snapshot_reader_open(f->path, &r, &e) < 0)
        fail_msg("open: %s", e.msg);
    if (snapshot_fill(r, &req, &f->snap, &e) < 0)
        fail_msg("fill: %s", e.msg);
    snapshot_reader_close(r);
}

/* Three failures from before_id down (0: the newest). */
static void fill(struct fixture *f, const char *filter, int64_t before_id)
{
    fill_window(f, filter, (struct failure_window){.anchor_id = before_id ? before_id - 1 : 0,
                                                   .rows = 3});
}

static void connection_section(void **state)
{
    struct fixture *f = *state;
    prepare(f);
    fill(f, NULL, 0);
    const struct snap_connection *c = &f->snap.connection;
    assert_true(c->available);
    assert_true(c->have_state);
    assert_string_equal(c->state, "connected");
    assert_string_equal(c->status, "connected");
    assert_string_equal(c->endpoint, "https://stream.example/companies");
    assert_int_equal(c->connected_since, f->now - 7200000);
    assert_int_equal(c->last_event_at, f->now - 1000);
    assert_int_equal(c->last_heartbeat_at, f->now - 10000);
    assert_int_equal(c->last_timepoint, 1030);
    assert_string_equal(c->last_event_id, "company-profile:1030");
    assert_int_equal(c->last_published_at, f->now - 5000);
    assert_int_equal(c->reconnects, 3);
    assert_int_equal(c->error_count, 2);
    assert_int_equal(c->timepoint_gaps, 1);
    assert_string_equal(c->last_error, "HTTP 503 from stream.example");
    assert_int_equal(c->ingester_pid, 4242);
    assert_string_equal(c->ingester_host, "ingest-1");
    assert_int_equal(f->snap.schema_version, schema_latest_version());
}

/* The pid of a process that has exited and been reaped. */
static pid_t dead_pid(void)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(0);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    return pid;
}

/* kill -9 leaves "connected" behind; on the ingester's own host a reader
 * knows better: nobody holds the connection since it last committed. */
static void a_dead_ingesters_state_is_not_believed(void **state)
{
    struct fixture *f = *state;
    char host[64];
    prepare(f);
    assert_int_equal(gethostname(host, sizeof host), 0);
    host[sizeof host - 1] = '\0';
    execf(f->path, "UPDATE stream_state SET ingester_pid = %d, ingester_host = '%s'", (int)dead_pid(),
          host);
    fill(f, NULL, 0);
    const struct snap_connection *c = &f->snap.connection;
    assert_int_equal(c->ingester_process, INGESTER_GONE);
    assert_int_equal(c->conn, CONN_DISCONNECTED);
    assert_string_equal(c->state, "disconnected");
    assert_string_equal(c->status, "disconnected");
    assert_int_equal(c->state_since, f->now - 2000);      /* its last commit */
    assert_int_equal(c->connected_since, 0);

    execf(f->path, "UPDATE stream_state SET ingester_pid = %d", (int)getpid());
    fill(f, NULL, 0);
    assert_int_equal(c->ingester_process, INGESTER_RUNNING);
    assert_string_equal(c->state, "connected");
    assert_int_equal(c->connected_since, f->now - 7200000);
}

static void throughput_section(void **state)
{
    struct fixture *f = *state;
    prepare(f);
    fill(f, NULL, 0);
    const struct snap_throughput *t = &f->snap.throughput;
    assert_true(t->available);
    assert_true(fabs(t->rate_now - 12.0) < 1e-6);    /* from counters, not the 9.5 sample */
    assert_true(fabs(t->rate_1m - 10.0) < 1e-9);      /* 12 samples x 50 / 60 s */
    assert_true(fabs(t->rate_15m - 10.0) < 1e-9);     /* 180 samples x 50 / 900 s */
    assert_int_equal(t->spark_len, SNAP_SPARK_MINUTES);
    assert_true(fabs(t->spark[SNAP_SPARK_MINUTES - 1] - 10.0) < 1e-9);
    assert_true(fabs(t->spark[SNAP_SPARK_MINUTES - 10] - 10.0) < 1e-9);
    assert_true(t->spark[0] == 0.0);                  /* before the metrics began */
    assert_int_equal(t->received, 1000);
    assert_int_equal(t->changed, 900);
    assert_int_equal(t->deleted, 60);
    assert_int_equal(t->invalid, 40);
    assert_int_equal(t->repeated, 7);
    assert_int_equal(t->bytes, 1300000);
}

/* Caught up: connected, a heartbeat after the newest event, and nothing
 * received waiting to be stored.  Then there is no lag to show, however
 * long ago the newest event was published. */
static void caught_up(void **state)
{
    struct fixture *f = *state;
    prepare(f);
    fill(f, NULL, 0);
    assert_false(f->snap.connection.caught_up);        /* the heartbeat is older than the event */

    execf(f->path, "UPDATE stream_state SET last_heartbeat_at = '%s'", iso(f->now - 500));
    fill(f, NULL, 0);
    assert_false(f->snap.connection.caught_up);        /* 12 received, not stored yet */

    testdb_exec(f->path, "UPDATE stream_rate_points SET buffered = 0");
    fill(f, NULL, 0);
    assert_true(f->snap.connection.caught_up);

    execf(f->path, "UPDATE stream_state SET ingester_seen_at = '%s'",
          iso(f->now - (HEALTH_INGESTER_SILENT_S + 1) * 1000));
    fill(f, NULL, 0);
    assert_false(f->snap.connection.caught_up);        /* a silent ingester cannot say */
    execf(f->path, "UPDATE stream_state SET ingester_seen_at = '%s'", iso(f->now - 2000));

    testdb_exec(f->path, "UPDATE stream_state SET state = 'backoff'");
    fill(f, NULL, 0);
    assert_false(f->snap.connection.caught_up);        /* not connected: unknown */
}

static void failures_section(void **state)
{
    struct fixture *f = *state;
    prepare(f);
    fill(f, NULL, 0);
    const struct snap_failures *fl = &f->snap.failures;
    assert_true(fl->available);
    assert_int_equal(fl->count, 5);
    assert_int_equal(fl->matching, 5);
    assert_int_equal(fl->nrows, 3);                    /* the page size asked for */
    assert_string_equal(fl->rows[0].event_id, "company-profile:1030");   /* newest first */
    assert_string_equal(fl->rows[0].company_number, "00000030");
    assert_string_equal(fl->rows[0].company_name, "THIRTY LTD");
    assert_string_equal(fl->rows[0].error, "company_number missing");
    assert_int_equal(fl->rows[0].attempts, 2);
    assert_int_equal(fl->rows[0].received_at, f->now - 1000);
    assert_string_equal(fl->rows[1].event_id, "company-profile:1024");
    assert_string_equal(fl->rows[2].event_id, "company-profile:1018");

    fill(f, NULL, fl->rows[2].id);                     /* the next page */
    assert_int_equal(f->snap.failures.nrows, 2);
    assert_string_equal(f->snap.failures.rows[0].event_id, "company-profile:1012");

    fill(f, "TIMEOUT", 0);                             /* case-insensitive substring */
    assert_int_equal(f->snap.failures.count, 5);
    assert_int_equal(f->snap.failures.matching, 1);
    assert_int_equal(f->snap.failures.nrows, 1);
    assert_string_equal(f->snap.failures.rows[0].error, "database timeout");

    fill(f, "50%_\\", 0);                              /* LIKE wildcards are literal */
    assert_int_equal(f->snap.failures.matching, 0);

    fill(f, "00000030", 0);                            /* by company number */
    assert_int_equal(f->snap.failures.matching, 1);
    assert_string_equal(f->snap.failures.rows[0].event_id, "company-profile:1030");
    fill(f, "profile:1024", 0);                        /* by event id */
    assert_int_equal(f->snap.failures.matching, 1);
    assert_string_equal(f->snap.failures.rows[0].event_id, "company-profile:1024");
}

/* Grouped by kind of error: counts, newest and oldest; a kind lists and
 * counts like a filter. */
static void failures_grouped_by_kind(void **state)
{
    struct fixture *f = *state;
    prepare(f);
    execf(f->path, "UPDATE stream_events_log SET error_message = 'invalid JSON at byte ' || id "
                   "WHERE processing_status = 'failed' AND id IN (6, 12, 18)");
    struct snapshot_reader *r;
    struct err e;
    struct snapshot_request req = {.stream_type = "company-profile", .failure_kinds = true,
                                   .failures = {.rows = 10}};
    assert_int_equal(snapshot_reader_open(f->path, &r, &e), 0);
    assert_int_equal(snapshot_fill(r, &req, &f->snap, &e), 0);
    const struct snap_failures *fl = &f->snap.failures;
    assert_true(fl->nkinds >= 2);
    assert_string_equal(fl->kinds[0].kind, "invalid JSON at byte #");   /* most frequent first */
    assert_int_equal(fl->kinds[0].count, 3);
    int64_t total = 0;
    for (int i = 0; i < fl->nkinds; i++)
        total += fl->kinds[i].count;
    assert_int_equal(total, fl->count);
    assert_true(fl->kinds[0].newest_at >= fl->kinds[0].oldest_at);
    req.failure_kind = "invalid JSON at byte #";
    req.failure_kinds = false;
    assert_int_equal(snapshot_fill(r, &req, &f->snap, &e), 0);
    assert_int_equal(fl->matching, 3);
    assert_int_equal(fl->nrows, 3);
    assert_int_equal(fl->rows[0].id, 18);
    int64_t count, newest;                           /* what R asks about, and its bound */
    assert_int_equal(snapshot_count_failed(r, NULL, "invalid JSON at byte #", &count, &newest,
                                           &e), 0);
    assert_int_equal(count, 3);
    assert_int_equal(newest, 18);
    assert_int_equal(snapshot_count_failed(r, NULL, NULL, &count, &newest, &e), 0);
    assert_int_equal(count, 5);
    assert_int_equal(newest, 30);
    assert_int_equal(snapshot_count_failed(r, "no such text", NULL, &count, &newest, &e), 0);
    assert_int_equal(count, 0);
    assert_int_equal(newest, 0);
    snapshot_reader_close(r);
}

/* The dashboard scrolls by keyset: a window around an anchor, or the
 * oldest page, with the position of its first row in the whole list.  The
 * failed log ids are 6, 12, 18, 24 and 30. */
static void failures_window(void **state)
{
    struct fixture *f = *state;
    prepare(f);
    const struct snap_failures *fl = &f->snap.failures;
    fill_window(f, NULL, (struct failure_window){.anchor_id = 18, .above = 1, .rows = 2});
    assert_int_equal(fl->nrows, 3);
    assert_int_equal(fl->rows_above, 1);
    assert_int_equal(fl->rows[0].id, 24);
    assert_int_equal(fl->rows[1].id, 18);
    assert_int_equal(fl->rows[2].id, 12);
    assert_int_equal(fl->newer, 1);                    /* 30 is above the window */

    fill_window(f, NULL, (struct failure_window){.anchor_id = 30, .above = 4, .rows = 1});
    assert_int_equal(fl->rows_above, 0);               /* nothing is newer than the newest */
    assert_int_equal(fl->rows[0].id, 30);
    assert_int_equal(fl->newer, 0);

    fill_window(f, NULL, (struct failure_window){.oldest = true, .rows = 2});
    assert_int_equal(fl->nrows, 2);
    assert_int_equal(fl->rows[0].id, 12);              /* still newest first */
    assert_int_equal(fl->rows[1].id, 6);
    assert_int_equal(fl->newer, 3);

    fill_window(f, "missing", (struct failure_window){.anchor_id = 13, .above = 10, .rows = 10});
    assert_int_equal(fl->matching, 4);                 /* 12 is the timeout */
    assert_int_equal(fl->rows_above, 3);               /* 18, 24 and 30 */
    assert_int_equal(fl->nrows, 4);
    assert_int_equal(fl->rows[3].id, 6);
    assert_int_equal(fl->newer, 0);
}

static void queue_and_metrics_sections(void **state)
{
    struct fixture *f = *state;
    prepare(f);
    fill(f, NULL, 0);
    const struct snap_queue *q = &f->snap.queue;
    assert_true(q->available);
    assert_int_equal(q->pending, 3);
    assert_int_equal(q->processing, 1);
    assert_int_equal(q->oldest_pending_at, f->now - 15000);   /* re-queued, not created */
    assert_true(q->buffered_known);
    assert_int_equal(q->buffered, 12);
    assert_true(fabs(q->drain_rate - 8.0) < 1e-6);
    assert_int_equal(q->backlog, 16);                  /* 12 buffered, 3 pending, 1 processing */
    assert_int_equal(q->eta_s, 2);
    assert_true(fabs(q->process_rate - 9.0) < 1e-9);
    assert_true(q->spark[SNAP_SPARK_MINUTES - 1] == 40.0);   /* the minute's peak */

    const struct snap_metrics *m = &f->snap.metrics;
    assert_true(m->available);
    assert_int_equal(m->nrows, 4);                     /* the newest value of each name */
    for (int i = 0; i < m->nrows; i++)
        for (int j = i + 1; j < m->nrows; j++)
            assert_string_not_equal(m->rows[i].name, m->rows[j].name);
    for (int i = 0; i + 1 < m->nrows; i++)             /* a stable order: by name */
        assert_true(strcmp(m->rows[i].name, m->rows[i + 1].name) < 0);
    assert_string_equal(m->rows[0].name, METRIC_EVENTS_PROCESSED);
    assert_int_equal(m->rows[0].recorded_at, f->now);
    assert_int_equal(m->rows[0].interval_ms, 5000);    /* read from its tags */
    assert_string_equal(m->rows[3].name, METRIC_QUEUE_DEPTH);
    assert_int_equal(m->rows[3].interval_ms, 0);       /* a gauge */
}

/* The API's last hour from the access log, and the hooks' health. */
static void integrations_section(void **state)
{
    struct fixture *f = *state;
    prepare(f);
    execf(f->path,
          "INSERT INTO api_access_log (at, key_id, method, path, status, duration_us) VALUES "
          "('%s', 'stk_1', 'GET', '/metrics', 200, 10), ('%s', 'stk_1', 'GET', '/metrics', 429, 10), "
          "('%s', NULL, 'GET', '/x', 401, 10), ('%s', 'stk_1', 'GET', '/metrics', 200, 10);"
          "INSERT INTO webhooks (id, url, events, secret, is_active, failure_count) VALUES "
          "('wh_a', 'http://a/', '[]', 'whsec_x', 1, 0), ('wh_b', 'http://b/', '[]', 'whsec_x', 1, 3), "
          "('wh_c', 'http://c/', '[]', 'whsec_x', 0, 14);"
          "INSERT INTO webhook_outbox (webhook_id, msg_id, event, payload, created_at, next_attempt_at) VALUES "
          "('wh_b', 'msg_1', 'failures', '{}', '%s', '%s'), ('wh_b', 'msg_2', 'failures', '{}', '%s', '%s')",
          iso(f->now - 7200000), iso(f->now - 60000), iso(f->now - 30000), iso(f->now - 1000),
          iso(f->now), iso(f->now), iso(f->now), iso(f->now));
    fill(f, NULL, 0);
    const struct snap_integrations *g = &f->snap.integrations;
    assert_true(g->available);
    assert_int_equal(g->api.requests, 3);              /* the one two hours ago is not counted */
    assert_int_equal(g->api.refused, 2);
    assert_int_equal(g->api.last_at, f->now - 1000);
    assert_int_equal(g->hooks.pending, 2);
    assert_int_equal(g->hooks.active, 2);
    assert_int_equal(g->hooks.failing, 1);
    assert_int_equal(g->hooks.inactive, 1);
}

static bool has_problem(const struct strlist *l, const char *text)
{
    for (size_t i = 0; i < l->count; i++)
        if (strstr(l->items[i], text))
            return true;
    return false;
}

static void health(void **state)
{
    struct fixture *f = *state;
    struct strlist problems = {0};
    prepare(f);
    fill(f, NULL, 0);
    assert_false(health_judge(&f->snap, &problems));
    assert_int_equal(problems.count, 1);
    assert_true(has_problem(&problems, "5 failed events"));
    strlist_free(&problems);

    testdb_exec(f->path, "UPDATE stream_events_log SET processing_status = 'processed'");
    fill(f, NULL, 0);
    assert_true(health_judge(&f->snap, &problems));
    assert_int_equal(problems.count, 0);

    execf(f->path, "UPDATE stream_state SET state = 'backoff', state_since = '%s';"
                   "UPDATE processing_queue SET updated_at = '%s' WHERE status = 'pending'",
          iso(f->now - 600000), iso(f->now - 900000));
    fill(f, NULL, 0);
    assert_false(health_judge(&f->snap, &problems));
    assert_true(has_problem(&problems, "not connected for 10m"));
    assert_true(has_problem(&problems, "queue stuck"));
    strlist_free(&problems);

    execf(f->path, "UPDATE stream_state SET state = 'connected', ingester_seen_at = '%s'",
          iso(f->now - 3600000));
    fill(f, NULL, 0);
    assert_false(health_judge(&f->snap, &problems));
    assert_true(has_problem(&problems, "has not committed for 1h"));
    strlist_free(&problems);
}

/* A failure an operator resolved is no failure to show, count, filter or
 * judge: once all are resolved, the database is healthy again. */
static void resolved_failures_leave_the_list_and_health(void **state)
{
    struct fixture *f = *state;
    struct strlist problems = {0};
    prepare(f);
    execf(f->path, "UPDATE stream_events_log SET resolved_at = '%s' WHERE id IN (12, 30)",
          iso(f->now));
    fill(f, NULL, 0);
    const struct snap_failures *fl = &f->snap.failures;
    assert_int_equal(fl->count, 3);
    assert_int_equal(fl->matching, 3);
    assert_int_equal(fl->nrows, 3);
    assert_string_equal(fl->rows[0].event_id, "company-profile:1024");
    assert_string_equal(fl->rows[2].event_id, "company-profile:1006");
    fill(f, "TIMEOUT", 0);
    assert_int_equal(fl->count, 3);
    assert_int_equal(fl->matching, 0);
    assert_false(health_judge(&f->snap, &problems));
    assert_true(has_problem(&problems, "3 failed events"));
    strlist_free(&problems);

    execf(f->path, "UPDATE stream_events_log SET resolved_at = '%s' "
                   "WHERE processing_status = 'failed'", iso(f->now));
    fill(f, NULL, 0);
    assert_int_equal(fl->count, 0);
    assert_int_equal(fl->nrows, 0);
    assert_true(health_judge(&f->snap, &problems));
    assert_int_equal(problems.count, 0);
}

static void a_fresh_database_is_not_healthy(void **state)
{
    struct fixture *f = *state;
    struct strlist problems = {0};
    testdb_migrate(f->path, schema_latest_version());
    fill(f, NULL, 0);
    assert_true(f->snap.connection.available);
    assert_string_equal(f->snap.connection.state, "disconnected");
    assert_int_equal(f->snap.failures.count, 0);
    assert_int_equal(f->snap.queue.pending, 0);
    assert_int_equal(f->snap.metrics.nrows, 0);
    assert_true(f->snap.throughput.rate_1m == 0.0);
    assert_false(health_judge(&f->snap, &problems));
    assert_true(has_problem(&problems, "never connected"));
    strlist_free(&problems);
}

/* ---- every query the snapshot runs is indexed ---- */

struct traced {
    char *sql[64];
    int n;
};

static int trace_statement(unsigned type, void *ctx, void *p, void *x)
{
    (void)x;
    struct traced *t = ctx;
    if (type == SQLITE_TRACE_STMT && t->n < 64) {
        char *sql = sqlite3_expanded_sql(p);
        t->sql[t->n++] = strdup(sql);
        sqlite3_free(sql);
    }
    return 0;
}

static void assert_plan_indexed(sqlite3 *h, const char *sql)
{
    char *eqp;
    sqlite3_stmt *st;
    assert_true(asprintf(&eqp, "EXPLAIN QUERY PLAN %s", sql) > 0);
    if (sqlite3_prepare_v2(h, eqp, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", eqp, sqlite3_errmsg(h));
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *detail = (const char *)sqlite3_column_text(st, 3);
        /* Walking a list bound as a parameter (json_each) is not a table scan. */
        bool bound_list = strstr(sql, "json_each(") && strstr(detail, "VIRTUAL TABLE");
        bool bare_scan = strncmp(detail, "SCAN ", 5) == 0 && !strstr(detail, " USING ") &&
                         !bound_list;
        if (bare_scan || strstr(detail, "TEMP B-TREE"))
            fail_msg("not indexed: %s\n  for: %s", detail, sql);
    }
    sqlite3_finalize(st);
    free(eqp);
}

/* EXPLAIN QUERY PLAN's details, one per line. */
static char *plan_of(sqlite3 *h, const char *sql)
{
    char *eqp, *plan = calloc(1, 1);
    sqlite3_stmt *st;
    assert_true(asprintf(&eqp, "EXPLAIN QUERY PLAN %s", sql) > 0);
    assert_int_equal(sqlite3_prepare_v2(h, eqp, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW) {
        char *more;
        assert_true(asprintf(&more, "%s%s\n", plan, (const char *)sqlite3_column_text(st, 3)) > 0);
        free(plan);
        plan = more;
    }
    sqlite3_finalize(st);
    free(eqp);
    return plan;
}

static void every_query_is_indexed(void **state)
{
    struct fixture *f = *state;
    prepare(f);
    struct snapshot_reader *r;
    struct err e;
    struct traced t = {0};
    /* Every option of the failures list at once: a filter, a kind, groups. */
    struct snapshot_request req = {.stream_type = "company-profile", .failure_filter = "time",
                                   .failure_kind = "database timeout", .failure_kinds = true,
                                   .failures = {.anchor_id = 18, .above = 5, .rows = 50}};
    assert_int_equal(snapshot_reader_open(f->path, &r, &e), 0);
    /* The first fill also probes the schema; the second is a plain refresh. */
    assert_int_equal(snapshot_fill(r, &req, &f->snap, &e), 0);
    sqlite3 *h = db_handle(snapshot_reader_db(r));
    sqlite3_trace_v2(h, SQLITE_TRACE_STMT, trace_statement, &t);
    assert_int_equal(snapshot_fill(r, &req, &f->snap, &e), 0);
    /* ... and the reads beside it: what R counts, and which tags stay. */
    int64_t count, newest, tags[] = {6, 12, 7};
    size_t ntags = 3, hidden;
    assert_int_equal(snapshot_count_failed(r, "time", "database timeout", &count, &newest, &e), 0);
    assert_int_equal(snapshot_count_failed(r, NULL, NULL, &count, &newest, &e), 0);
    assert_int_equal(snapshot_keep_failed(r, tags, NULL, &ntags, "time", &hidden, &e), 0);
    sqlite3_trace_v2(h, 0, NULL, NULL);
    assert_true(t.n >= 8);
    bool saw_failed_index = false, saw_resolution_index = false, saw_rate_points = false;
    for (int i = 0; i < t.n; i++) {
        assert_plan_indexed(h, t.sql[i]);
        saw_failed_index |= strstr(t.sql[i], "idx_stream_events_failed") != NULL;
        saw_resolution_index |= strstr(t.sql[i], "idx_stream_events_resolution") != NULL;
        saw_rate_points |= strstr(t.sql[i], "stream_rate_points") != NULL;
        free(t.sql[i]);
    }
    assert_true(saw_failed_index);
    assert_true(saw_resolution_index);                 /* the narrow unresolved count */
    assert_true(saw_rate_points);                      /* the counter readings are covered too */
    snapshot_reader_close(r);
}

/* The tags are checked on every refresh: in one query whatever their
 * number, each row found by its primary key.  Failed ids are 6, 12, 18, 24
 * and 30, each with 2 attempts; 12's error is "database timeout". */
static void tags_are_checked_in_one_query(void **state)
{
    struct fixture *f = *state;
    prepare(f);
    struct snapshot_reader *r;
    struct err e;
    struct traced t = {0};
    assert_int_equal(snapshot_reader_open(f->path, &r, &e), 0);
    int64_t ids[] = {12, 7, 18, 999, 24, 6}, attempts[] = {2, 2, 2, 2, 3, 2};
    size_t n = 6, hidden;
    sqlite3 *h = db_handle(snapshot_reader_db(r));
    sqlite3_trace_v2(h, SQLITE_TRACE_STMT, trace_statement, &t);
    assert_int_equal(snapshot_keep_failed(r, ids, attempts, &n, "timeout", &hidden, &e), 0);
    sqlite3_trace_v2(h, 0, NULL, NULL);
    assert_int_equal(n, 3);                            /* 7 processed, 999 gone, 24 retried since */
    assert_int_equal(ids[0], 12);
    assert_int_equal(ids[1], 18);
    assert_int_equal(ids[2], 6);
    assert_int_equal(attempts[2], 2);
    assert_int_equal(hidden, 2);                       /* 18 and 6 do not match "timeout" */
    int queries = 0;
    for (int i = 0; i < t.n; i++) {
        if (strstr(t.sql[i], "stream_events_log")) {
            queries++;
            assert_plan_indexed(h, t.sql[i]);
            char *plan = plan_of(h, t.sql[i]);
            assert_non_null(strstr(plan, "SEARCH l USING INTEGER PRIMARY KEY"));
            free(plan);
        }
        free(t.sql[i]);
    }
    assert_int_equal(queries, 1);
    snapshot_reader_close(r);
}

/* ---- databases streamtop has not migrated ---- */

static void seed_only_database_shows_what_it_can(void **state)
{
    struct fixture *f = *state;
    testdb_migrate(f->path, 5);
    execf(f->path,
          "INSERT INTO stream_events_log (event_id, event_type, processing_status, error_message, "
          "received_at) VALUES ('company-profile:1', 'changed', 'failed', 'bad', '%s');"
          "INSERT INTO stream_events_log (event_id, event_type, processing_status, received_at) "
          "VALUES ('company-profile:2', 'changed', 'processed', '%s')", iso(f->now), iso(f->now));
    fill(f, NULL, 0);
    assert_true(f->snap.connection.available);
    assert_false(f->snap.connection.have_state);
    assert_true(f->snap.failures.available);
    assert_int_equal(f->snap.failures.count, 1);
    assert_int_equal(f->snap.failures.rows[0].attempts, -1);
    assert_false(f->snap.queue.available);
    assert_string_equal(f->snap.queue.why_unavailable, "column processing_queue.priority is missing");
    assert_false(f->snap.metrics.available);
    assert_string_equal(f->snap.metrics.why_unavailable, "table system_metrics is missing");
    assert_false(f->snap.throughput.available);
}

static void database_without_stream_tables(void **state)
{
    struct fixture *f = *state;
    testdb_exec(f->path, "CREATE TABLE companies (company_number TEXT PRIMARY KEY)");
    fill(f, NULL, 0);
    assert_false(f->snap.schema_tracked);
    assert_false(f->snap.connection.available);
    assert_string_equal(f->snap.connection.why_unavailable, "table stream_metadata is missing");
    assert_false(f->snap.failures.available);
}

/* ---- a read-only view follows a writer that appears later ---- */

static void frozen_view_follows_a_new_writer(void **state)
{
    struct fixture *f = *state;
    char *wal = testdb_path(f->dir, "snap.db-wal"), *shm = testdb_path(f->dir, "snap.db-shm");
    testdb_migrate(f->path, schema_latest_version());
    assert_false(testdb_file_exists(wal));   /* a clean close removes them */

    struct snapshot_reader *r;
    struct err e;
    struct snapshot_request req = {.stream_type = "company-profile", .failures.rows = 5};
    assert_int_equal(snapshot_reader_open(f->path, &r, &e), 0);
    assert_true(db_view_frozen(snapshot_reader_db(r)));
    assert_int_equal(snapshot_fill(r, &req, &f->snap, &e), 0);
    assert_false(testdb_file_exists(wal));
    assert_false(testdb_file_exists(shm));

    sqlite3 *writer;
    assert_int_equal(sqlite3_open(f->path, &writer), SQLITE_OK);
    assert_int_equal(sqlite3_exec(writer, "UPDATE stream_metadata SET last_event_id = 'company-profile:77'",
                                  NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(snapshot_fill(r, &req, &f->snap, &e), 0);
    assert_false(db_view_frozen(snapshot_reader_db(r)));
    assert_string_equal(f->snap.connection.last_event_id, "company-profile:77");
    assert_int_equal(sqlite3_exec(writer, "UPDATE stream_metadata SET last_event_id = 'company-profile:78'",
                                  NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(snapshot_fill(r, &req, &f->snap, &e), 0);
    assert_string_equal(f->snap.connection.last_event_id, "company-profile:78");
    snapshot_reader_close(r);
    sqlite3_close(writer);
    free(wal);
    free(shm);
}

static void read_only_never_creates_a_database(void **state)
{
    struct fixture *f = *state;
    struct snapshot_reader *r;
    struct err e;
    assert_int_equal(snapshot_reader_open(f->path, &r, &e), -1);
    assert_non_null(strstr(e.msg, "no such database"));
    assert_false(testdb_file_exists(f->path));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(connection_section),
        T(a_dead_ingesters_state_is_not_believed),
        T(throughput_section),
        T(caught_up),
        T(failures_section),
        T(failures_window),
        T(queue_and_metrics_sections),
        T(integrations_section),
        T(health),
        T(resolved_failures_leave_the_list_and_health),
        T(a_fresh_database_is_not_healthy),
        T(failures_grouped_by_kind),
        T(every_query_is_indexed),
        T(tags_are_checked_in_one_query),
        T(seed_only_database_shows_what_it_can),
        T(database_without_stream_tables),
        T(frozen_view_follows_a_new_writer),
        T(read_only_never_creates_a_database),
    };
    return RUN_TAP(tests);
}
