/* maintain: a retention pass on a prepared database at a fixed clock.
 * What leaves (expired cache rows, old metrics, old processed events with
 * their done queue rows, API access log rows past 7 days), what must stay (failed, pending and queued
 * events, the resume point's row, recent rows), hourly roll-ups and their
 * figures, dry runs, the record of the last pass, and counts that do not
 * drop when rows go. */
#include "config.h"

#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "maintain.h"
#include "maintain_schedule.h"
#include "schema.h"
#include "snapshot.h"
#include "store_metrics.h"
#include "testdb.h"
#include "timeutil.h"

#define NOW 1796000400000LL   /* 2026-11-29T12:20:00Z */
#define MIN 60000LL
#define HOUR 3600000LL
#define DAY (24 * HOUR)

struct fixture {
    char *dir, *path;
};

static const char *iso(int64_t ms)
{
    static char bufs[8][ISO_TIME_LEN];
    static int next;
    return time_format_iso(ms, bufs[next++ % 8]);
}

static void exec_fmt(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void exec_fmt(const char *path, const char *fmt, ...)
{
    char sql[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    testdb_exec(path, sql);
}

static void event(const char *path, int tp, const char *status, int64_t received)
{
    exec_fmt(path, "INSERT INTO stream_events_log (id, event_id, event_type, company_number, "
             "event_data, processing_status, received_at) VALUES (%d, 'company-profile:%d', "
             "'changed', '0000%04d', '{}', '%s', '%s')", tp, tp, tp, status, iso(received));
}

static void queue_row(const char *path, int log_id, const char *status)
{
    exec_fmt(path, "INSERT INTO processing_queue (event_log_id, status) VALUES (%d, '%s')", log_id,
             status);
}

static void sample(const char *path, const char *name, double v, const char *tags, int64_t at)
{
    exec_fmt(path, "INSERT INTO system_metrics (id, metric_name, metric_value, tags, recorded_at) "
             "VALUES (lower(hex(randomblob(16))), '%s', %g, %s, '%s')", name, v, tags, iso(at));
}

/* Events 1-10: 1-5 old and processed; 6 old and failed (with its queue
 * row); 7 old, processed after a retry (done queue row); 8 old, processed,
 * but queued again; 9 old and the resume point; 10 recent. */
static void prepare_events(const char *path)
{
    for (int tp = 1; tp <= 9; tp++)
        event(path, tp, tp == 6 ? "failed" : "processed", NOW - 40 * DAY + tp * MIN);
    event(path, 10, "processed", NOW - DAY);
    queue_row(path, 6, "failed");
    queue_row(path, 7, "done");
    queue_row(path, 8, "pending");
    testdb_exec(path, "INSERT INTO stream_state (stream_type, last_timepoint, events_received, "
                      "events_processed, events_failed, events_changed) "
                      "VALUES ('company-profile', 9, 10, 9, 1, 10)");
}

/* One hour three days ago holds three samples of one series and one of
 * another (no tags); one sample is older than 30 days; one is recent. */
static int64_t prepare_metrics(const char *path)
{
    const char *tags = "'{\"interval_ms\":5000}'";
    int64_t hour = (NOW - 3 * DAY) / HOUR * HOUR;
    sample(path, "events_received", 1, tags, hour);
    sample(path, "events_received", 5, tags, hour + 10 * MIN);
    sample(path, "events_received", 3, tags, hour + 20 * MIN);
    sample(path, "events_received", 7, "NULL", hour + 30 * MIN);
    sample(path, "events_received", 9, tags, NOW - 31 * DAY);
    sample(path, "events_received", 2, tags, NOW - 10 * MIN);
    return hour;
}

static void prepare_cache(const char *path)
{
    /* SQLite's CURRENT_TIMESTAMP text, as the seed's defaults write it. */
    exec_fmt(path, "INSERT INTO search_cache (id, query_hash, query_text, results, created_at, "
             "expires_at) VALUES ('old', 'h1', 'q', '[]', datetime(%lld, 'unixepoch'), "
             "datetime(%lld, 'unixepoch')), ('expired', 'h2', 'q', '[]', "
             "datetime(%lld, 'unixepoch'), '%s'), ('fresh', 'h3', 'q', '[]', '%s', '%s')",
             (long long)(NOW - 25 * HOUR) / 1000, (long long)(NOW + HOUR) / 1000,
             (long long)(NOW - HOUR) / 1000, iso(NOW - MIN), iso(NOW - HOUR), iso(NOW + HOUR));
}

/* The HTTP API's log: two rows past 7 days (one a millisecond past), one
 * a millisecond short of it, one recent. */
static void prepare_access_log(const char *path)
{
    exec_fmt(path, "INSERT INTO api_access_log (at, key_id, method, path, status, duration_us) "
             "VALUES ('%s', 'k', 'GET', '/old', 200, 1), ('%s', 'k', 'GET', '/just-old', 200, 1), "
             "('%s', 'k', 'GET', '/kept', 200, 1), ('%s', NULL, 'GET', '/new', 401, 1)",
             iso(NOW - 8 * DAY), iso(NOW - 7 * DAY - 1), iso(NOW - 7 * DAY + 1), iso(NOW - MIN));
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dir = testdb_mkdtemp();
    f->path = testdb_path(f->dir, "m.db");
    testdb_migrate(f->path, schema_latest_version());
    prepare_events(f->path);
    prepare_metrics(f->path);
    prepare_cache(f->path);
    prepare_access_log(f->path);
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

static struct maintain_pass run(const char *path, bool dry_run, int *steps)
{
    struct db *db;
    struct err e;
    struct maintain_pass p;
    struct maintain_policy policy;
    maintain_policy_default(&policy);
    if (db_open(path, DB_READ_WRITE, &db, &e) < 0)
        fail_msg("%s", e.msg);
    maintain_begin(&p, &policy, "company-profile", dry_run, NOW);
    int rc, n = 0;
    while ((rc = maintain_step(db, &p, &e)) > 0)
        n++;
    if (rc < 0)
        fail_msg("maintain_step: %s", e.msg);
    if (!dry_run && maintain_finish(db, &p, "maintain", NOW + 1000, &e) < 0)
        fail_msg("maintain_finish: %s", e.msg);
    db_close(db);
    if (steps)
        *steps = n + 1;
    return p;
}

static void old_processed_events_leave_with_done_queue_rows(void **state)
{
    struct fixture *f = *state;
    struct maintain_pass p = run(f->path, false, NULL);
    assert_int_equal(p.counts.events_removed, 6);       /* 1-5 and 7 */
    assert_int_equal(p.counts.queue_removed, 1);        /* 7's done row */
    char *kept = testdb_text(f->path, "SELECT group_concat(id) FROM (SELECT id FROM "
                                      "stream_events_log ORDER BY id)");
    assert_string_equal(kept, "6,8,9,10");
    free(kept);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM processing_queue"), 2);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

/* The events that leave and the done queue rows that go first must be
 * the same events: a queue row deleted for an event that stays loses its
 * record of the retry, and an event whose done row stays never leaves.
 * The resume point's row (9) and a recent row older by id than an old
 * one (11) keep their done rows; an old one (12) goes with its own. */
static void done_queue_rows_go_exactly_with_their_events(void **state)
{
    struct fixture *f = *state;
    event(f->path, 11, "processed", NOW - DAY);
    event(f->path, 12, "processed", NOW - 40 * DAY + 12 * MIN);
    queue_row(f->path, 9, "done");
    queue_row(f->path, 11, "done");
    queue_row(f->path, 12, "done");
    struct maintain_pass p = run(f->path, false, NULL);
    char *kept = testdb_text(f->path, "SELECT group_concat(id) FROM (SELECT id FROM "
                                      "stream_events_log ORDER BY id)");
    assert_string_equal(kept, "6,8,9,10,11");
    free(kept);
    char *queued = testdb_text(f->path, "SELECT group_concat(event_log_id || ':' || status) FROM "
                                        "(SELECT * FROM processing_queue ORDER BY event_log_id)");
    assert_string_equal(queued, "6:failed,8:pending,9:done,11:done");
    free(queued);
    assert_int_equal(p.counts.events_removed, 7);       /* 1-5, 7 and 12 */
    assert_int_equal(p.counts.queue_removed, 2);        /* 7's and 12's done rows */
}

/* A failure an operator resolved leaves like a processed event, with its
 * closed queue row; one not resolved stays however old. */
static void resolved_failures_leave_and_unresolved_stay(void **state)
{
    struct fixture *f = *state;
    event(f->path, 11, "failed", NOW - 40 * DAY + 11 * MIN);
    event(f->path, 12, "failed", NOW - 40 * DAY + 12 * MIN);
    exec_fmt(f->path, "UPDATE stream_events_log SET resolved_at = '%s' WHERE id = 11",
             iso(NOW - 39 * DAY));
    queue_row(f->path, 11, "done");
    queue_row(f->path, 12, "failed");
    struct maintain_pass p = run(f->path, false, NULL);
    char *kept = testdb_text(f->path, "SELECT group_concat(id) FROM (SELECT id FROM "
                                      "stream_events_log ORDER BY id)");
    assert_string_equal(kept, "6,8,9,10,12");
    free(kept);
    assert_int_equal(p.counts.events_removed, 7);       /* 1-5, 7 and 11 */
    assert_int_equal(p.counts.queue_removed, 2);        /* 7's and 11's done rows */
}

static void counts_come_from_counters(void **state)
{
    struct fixture *f = *state;
    run(f->path, false, NULL);
    struct snapshot_reader *r;
    struct snapshot *s = calloc(1, sizeof *s);
    struct err e;
    struct snapshot_request req = {.stream_type = "company-profile", .now = NOW + 2000};
    if (snapshot_reader_open(f->path, &r, &e) < 0 || snapshot_fill(r, &req, s, &e) < 0)
        fail_msg("%s", e.msg);
    assert_int_equal(s->throughput.received, 10);
    assert_int_equal(s->throughput.processed, 9);
    assert_int_equal(s->failures.count, 1);
    const struct snap_maintenance *m = &s->maintenance;
    assert_true(m->available && m->have_pass);
    assert_int_equal(m->started_at, NOW);
    assert_int_equal(m->finished_at, NOW + 1000);
    assert_string_equal(m->run_by, "maintain");
    assert_int_equal(m->removed.events_removed, 6);
    assert_int_equal(m->removed.search_cache_removed, 2);
    assert_true(m->db_bytes > 0 && m->free_bytes >= 0 && m->free_bytes < m->db_bytes);
    snapshot_reader_close(r);
    free(s);
}

static void metrics_roll_up_by_hour_and_tags(void **state)
{
    struct fixture *f = *state;
    struct maintain_pass p = run(f->path, false, NULL);
    assert_int_equal(p.counts.metrics_removed, 1);       /* 31 days old */
    assert_int_equal(p.counts.metrics_rolled_up, 4);
    assert_int_equal(p.counts.metrics_hourly_rows, 2);   /* one per tag set */
    int64_t hour = (NOW - 3 * DAY) / HOUR * HOUR;
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT json_extract(tags, '$.resolution') || ' ' || "
             "json_extract(tags, '$.interval_ms') || ' ' || json_extract(tags, '$.count') || ' ' || "
             "json_extract(tags, '$.min') || ' ' || json_extract(tags, '$.max') || ' ' || "
             "json_extract(tags, '$.mean') || ' ' || json_extract(tags, '$.last') || ' ' || "
             "metric_value FROM system_metrics WHERE recorded_at = '%s' "
             "AND json_extract(tags, '$.interval_ms') IS NOT NULL", iso(hour));
    char *row = testdb_text(f->path, sql);
    assert_string_equal(row, "1h 5000 3 1 5 3.0 3 3");
    free(row);
    snprintf(sql, sizeof sql, "SELECT json_extract(tags, '$.count') || ' ' || metric_value "
             "FROM system_metrics WHERE recorded_at = '%s' AND json_extract(tags, "
             "'$.interval_ms') IS NULL", iso(hour));
    row = testdb_text(f->path, sql);
    assert_string_equal(row, "1 7");
    free(row);
    /* The recent raw sample stays as it was. */
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM system_metrics WHERE tags NOT LIKE "
                                         "'%resolution%' OR tags IS NULL"), 1);
    /* A second pass finds nothing more to do. */
    p = run(f->path, false, NULL);
    assert_int_equal(p.counts.metrics_rolled_up + p.counts.metrics_removed + p.counts.events_removed, 0);
}

/* Each of the hour's rows as "series count min max mean last value", the
 * series being its interval, its non-object tags or "-". */
static char *hour_rows(const char *path, int64_t hour)
{
    char sql[768];
    snprintf(sql, sizeof sql, "SELECT group_concat(r, '; ') FROM (SELECT coalesce(json_extract(tags, "
             "'$.interval_ms'), json_extract(tags, '$.tags'), '-') || ' ' || json_extract(tags, "
             "'$.count') || ' ' || json_extract(tags, '$.min') || ' ' || json_extract(tags, '$.max') "
             "|| ' ' || json_extract(tags, '$.mean') || ' ' || json_extract(tags, '$.last') || ' ' || "
             "metric_value AS r FROM system_metrics WHERE recorded_at >= '%s' AND recorded_at < '%s' "
             "ORDER BY r)", iso(hour), iso(hour + HOUR));
    return testdb_text(path, sql);
}

/* Samples written into an hour already rolled up (an ingester whose clock
 * was behind, an old database merged in) join its row for their series:
 * one row per series and hour whatever the order things arrived in. */
static void late_samples_merge_into_the_hours_row(void **state)
{
    struct fixture *f = *state;
    const char *tags = "'{\"interval_ms\":5000}'";
    int64_t hour = (NOW - 3 * DAY) / HOUR * HOUR;
    sample(f->path, "events_received", 4, "'[5000]'", hour + 15 * MIN);
    run(f->path, false, NULL);
    char *rows = hour_rows(f->path, hour);
    assert_string_equal(rows, "- 1 7 7 7.0 7 7; 5000 3 1 5 3.0 3 3; [5000] 1 4 4 4.0 4 4");
    free(rows);
    int64_t untouched = testdb_int(f->path, "SELECT rowid FROM system_metrics WHERE tags NOT LIKE "
                                            "'%interval_ms%' AND tags NOT LIKE '%[5000]%'");
    sample(f->path, "events_received", 9, tags, hour + 50 * MIN);
    sample(f->path, "events_received", -1, "'{\"interval_ms\": 5000}'", hour + 5 * MIN);
    sample(f->path, "events_received", 6, "'[5000]'", hour + 55 * MIN);
    sample(f->path, "events_received", 8, "'{\"interval_ms\":1000}'", hour + 45 * MIN);
    struct maintain_pass p = run(f->path, false, NULL);
    assert_int_equal(p.counts.metrics_rolled_up, 4);
    assert_int_equal(p.counts.metrics_hourly_rows, 3);
    rows = hour_rows(f->path, hour);
    assert_string_equal(rows, "- 1 7 7 7.0 7 7; 1000 1 8 8 8.0 8 8; 5000 5 -1 9 3.4 9 3.4; "
                              "[5000] 2 4 6 5.0 6 5");
    free(rows);
    /* The series that got no late sample keeps its row as it was. */
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM system_metrics WHERE rowid = %lld",
             (long long)untouched);
    assert_int_equal(testdb_int(f->path, sql), 1);
    p = run(f->path, false, NULL);
    assert_int_equal(p.counts.metrics_rolled_up + p.counts.metrics_hourly_rows, 0);
}

/* A dry run over late samples says what the pass then does, and leaves
 * the hour's rows as they were. */
static void a_dry_run_counts_late_samples_as_the_pass_does(void **state)
{
    struct fixture *f = *state;
    int64_t hour = (NOW - 3 * DAY) / HOUR * HOUR;
    run(f->path, false, NULL);
    sample(f->path, "events_received", 9, "'{\"interval_ms\":5000}'", hour + 50 * MIN);
    sample(f->path, "events_received", 2, "NULL", hour + 51 * MIN);
    char *before = hour_rows(f->path, hour);
    struct maintain_pass dry = run(f->path, true, NULL);
    char *after = hour_rows(f->path, hour);
    assert_string_equal(before, after);
    assert_int_equal(dry.counts.metrics_rolled_up, 2);
    assert_int_equal(dry.counts.metrics_hourly_rows, 2);
    struct maintain_pass real = run(f->path, false, NULL);
    assert_memory_equal(&dry.counts, &real.counts, sizeof dry.counts);
    char *merged = hour_rows(f->path, hour);
    assert_string_equal(merged, "- 2 2 7 4.5 2 4.5; 5000 4 1 9 4.5 9 4.5");
    free(before);
    free(after);
    free(merged);
}

struct traced {
    char *sql[32];
    int n;
};

static int trace_statement(unsigned type, void *ctx, void *p, void *x)
{
    (void)x;
    struct traced *t = ctx;
    if (type == SQLITE_TRACE_STMT && t->n < 32) {
        char *sql = sqlite3_expanded_sql(p);
        t->sql[t->n++] = strdup(sql);
        sqlite3_free(sql);
    }
    return 0;
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

/* Rolling up an hour with late samples reads and deletes by index only:
 * the hour by idx_system_metrics_recorded, the merged rows by rowid.  A
 * day of raw samples makes the planner's statistics, taken at the end of
 * the first pass, those of a table worth an index. */
static void rolling_up_late_samples_is_indexed(void **state)
{
    struct fixture *f = *state;
    int64_t hour = (NOW - 3 * DAY) / HOUR * HOUR;
    exec_fmt(f->path, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 17280) "
             "INSERT INTO system_metrics (id, metric_name, metric_value, tags, recorded_at) "
             "SELECT lower(hex(randomblob(16))), 'events_received', i %% 7, '{\"interval_ms\":5000}', "
             "strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', '%s', '-' || (i * 5) || ' seconds') FROM n",
             iso(NOW));
    run(f->path, false, NULL);
    sample(f->path, "events_received", 9, "'{\"interval_ms\":5000}'", hour + 50 * MIN);
    struct db *db;
    struct err e;
    struct traced t = {0};
    int raw, rows;
    if (db_open(f->path, DB_READ_WRITE, &db, &e) < 0)
        fail_msg("%s", e.msg);
    sqlite3 *h = db_handle(db);
    sqlite3_trace_v2(h, SQLITE_TRACE_STMT, trace_statement, &t);
    if (db_begin_write(db, &e) < 0 || store_metrics_roll_up_hour(db, hour, &raw, &rows, &e) < 0)
        fail_msg("%s", e.msg);
    db_rollback(db);
    sqlite3_trace_v2(h, 0, NULL, NULL);
    assert_int_equal(raw, 1);
    assert_int_equal(rows, 1);
    bool saw_hour = false, saw_merged = false;
    for (int i = 0; i < t.n; i++) {
        if (strstr(t.sql[i], "system_metrics")) {
            char *plan = plan_of(h, t.sql[i]);
            if (strstr(plan, "SCAN system_metrics"))
                fail_msg("not indexed: %s\n  for: %s", plan, t.sql[i]);
            saw_hour |= strstr(t.sql[i], "json_group_array") &&
                        strstr(plan, "SEARCH system_metrics USING INDEX idx_system_metrics_recorded");
            saw_merged |= strstr(t.sql[i], "json_each") &&
                          strstr(plan, "SEARCH system_metrics USING INTEGER PRIMARY KEY");
            free(plan);
        }
        free(t.sql[i]);
    }
    assert_true(saw_hour);
    assert_true(saw_merged);
    db_close(db);
}

static void count_sample(void *ctx, int64_t at, double v)
{
    (void)at;
    (void)v;
    (*(int *)ctx)++;
}

/* A reader over a window that covers rolled-up time sees each hour once:
 * the hourly rows replace their samples in one transaction. */
static void series_reads_each_time_at_one_resolution(void **state)
{
    struct fixture *f = *state;
    run(f->path, false, NULL);
    struct db *db;
    struct err e;
    int n = 0;
    if (db_open(f->path, DB_READ_ONLY, &db, &e) < 0 ||
        store_metrics_series(db, "events_received", NOW - 4 * DAY, count_sample, &n, &e) < 0)
        fail_msg("%s", e.msg);
    db_close(db);
    assert_int_equal(n, 3);   /* two hourly rows and the recent sample */
}

static void search_cache_past_expiry_or_a_day(void **state)
{
    struct fixture *f = *state;
    run(f->path, false, NULL);
    char *left = testdb_text(f->path, "SELECT group_concat(id) FROM search_cache");
    assert_string_equal(left, "fresh");
    free(left);
}

static void access_log_kept_seven_days(void **state)
{
    struct fixture *f = *state;
    struct maintain_pass p = run(f->path, false, NULL);
    assert_int_equal(p.counts.access_log_removed, 2);
    char *left = testdb_text(f->path, "SELECT group_concat(path) FROM api_access_log ORDER BY id");
    assert_string_equal(left, "/kept,/new");
    free(left);
}

/* Many old rows, some at the same millisecond: the pass takes them a few
 * thousand at a time, and a dry run, rolled back each time, still moves on
 * and counts each once. */
static void access_log_goes_in_small_transactions(void **state)
{
    struct fixture *f = *state;
    testdb_exec(f->path, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 5000) "
                         "INSERT INTO api_access_log (at, method, path, status, duration_us) "
                         "SELECT strftime('%Y-%m-%dT%H:%M:%f', '2026-11-01T00:00:00', '+' || (i / 3) || "
                         "' seconds') || 'Z', 'GET', '/metrics', 200, 1 FROM n");
    struct maintain_pass dry = run(f->path, true, NULL);
    assert_int_equal(dry.counts.access_log_removed, 5002);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM api_access_log"), 5004);
    struct maintain_pass real = run(f->path, false, NULL);
    assert_int_equal(real.counts.access_log_removed, 5002);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM api_access_log"), 2);
}

static void dry_run_counts_the_same_and_changes_nothing(void **state)
{
    struct fixture *f = *state;
    char *before = testdb_text(f->path, "SELECT count(*) || ' ' || total(id) FROM (SELECT rowid AS id "
                                        "FROM system_metrics UNION ALL SELECT id FROM stream_events_log "
                                        "UNION ALL SELECT rowid FROM search_cache UNION ALL SELECT id "
                                        "FROM processing_queue)");
    struct maintain_pass dry = run(f->path, true, NULL);
    char *after = testdb_text(f->path, "SELECT count(*) || ' ' || total(id) FROM (SELECT rowid AS id "
                                       "FROM system_metrics UNION ALL SELECT id FROM stream_events_log "
                                       "UNION ALL SELECT rowid FROM search_cache UNION ALL SELECT id "
                                       "FROM processing_queue)");
    assert_string_equal(before, after);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM maintenance_state"), 0);
    struct maintain_pass real = run(f->path, false, NULL);
    assert_memory_equal(&dry.counts, &real.counts, sizeof dry.counts);
    free(before);
    free(after);
}

/* Many events (received after the others, as ids are), each batch one
 * transaction: the pass takes several steps and still removes exactly the
 * old processed rows. */
static void events_go_in_many_small_transactions(void **state)
{
    struct fixture *f = *state;
    testdb_exec(f->path, "WITH RECURSIVE n(i) AS (SELECT 100 UNION ALL SELECT i + 1 FROM n "
                         "WHERE i < 20099) INSERT INTO stream_events_log (id, event_id, event_type, "
                         "event_data, processing_status, received_at) SELECT i, 'company-profile:' || i, "
                         "'changed', '{}', 'processed', '2026-10-25T00:00:00.000Z' FROM n");
    int steps;
    struct maintain_pass p = run(f->path, false, &steps);
    assert_int_equal(p.counts.events_removed, 6 + 20000);
    assert_true(steps > 5);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM stream_events_log"), 4);
}

/* The ingester runs a pass at once, then one every every_ms, a step per
 * turn of its loop, so a batch never waits for a whole pass. */
static void the_ingester_steps_a_pass_per_turn_on_schedule(void **state)
{
    struct fixture *f = *state;
    struct db *db;
    struct err e;
    struct maintain_policy policy;
    struct maintain_schedule s;
    maintain_policy_default(&policy);
    if (db_open(f->path, DB_READ_WRITE, &db, &e) < 0)
        fail_msg("%s", e.msg);
    maintain_schedule_init(&s, HOUR, &policy, "company-profile", false, NOW);
    maintain_schedule_turn(&s, db, NOW);
    assert_true(s.running);                             /* one step taken, more to come */
    int turns = 1;
    while (s.running && turns < 100) {
        maintain_schedule_turn(&s, db, NOW + turns * 10);
        turns++;
    }
    assert_false(s.running);
    assert_true(turns > 1);
    assert_int_equal(s.pass.counts.events_removed, 6);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM maintenance_state"), 1);
    maintain_schedule_turn(&s, db, NOW + HOUR - 1);
    assert_false(s.running);                            /* not due yet */
    maintain_schedule_turn(&s, db, NOW + HOUR);
    assert_true(s.running);
    maintain_schedule_init(&s, 0, &policy, "company-profile", false, NOW);
    maintain_schedule_turn(&s, db, NOW);
    assert_false(s.running);                            /* 0: never */
    db_close(db);
}

/* A paced pass rests nine times as long as each transaction took; an
 * unpaced one never waits.  The ingester's schedule paces its passes. */
static void a_paced_pass_rests_between_transactions(void **state)
{
    struct fixture *f = *state;
    struct db *db;
    struct err e;
    struct maintain_pass p;
    struct maintain_policy policy;
    maintain_policy_default(&policy);
    if (db_open(f->path, DB_READ_WRITE, &db, &e) < 0)
        fail_msg("%s", e.msg);
    maintain_begin(&p, &policy, "company-profile", false, NOW);
    int64_t wait;
    assert_true(maintain_due(&p, time_mono_us(), &wait));
    p.paced = true;
    int64_t before = time_mono_us();
    assert_true(maintain_due(&p, before, &wait));
    assert_int_equal(maintain_step(db, &p, &e), 1);
    int64_t after = time_mono_us();
    assert_false(maintain_due(&p, after, &wait));
    assert_true(wait > 0 && wait <= (after - before) * 9);
    assert_true(maintain_due(&p, after + wait, &wait));
    p.paced = false;
    assert_true(maintain_due(&p, after, &wait));

    struct maintain_schedule s;
    maintain_schedule_init(&s, HOUR, &policy, "company-profile", true, NOW);
    maintain_schedule_turn(&s, db, NOW);
    assert_true(s.running && s.pass.paced);
    int64_t steps_before = s.pass.next_step_at;
    maintain_schedule_turn(&s, db, NOW + 1);            /* at once: still resting */
    assert_int_equal(s.pass.next_step_at, steps_before);
    db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(old_processed_events_leave_with_done_queue_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(done_queue_rows_go_exactly_with_their_events, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(resolved_failures_leave_and_unresolved_stay, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(counts_come_from_counters, setup, teardown),
        cmocka_unit_test_setup_teardown(metrics_roll_up_by_hour_and_tags, setup, teardown),
        cmocka_unit_test_setup_teardown(late_samples_merge_into_the_hours_row, setup, teardown),
        cmocka_unit_test_setup_teardown(a_dry_run_counts_late_samples_as_the_pass_does, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(rolling_up_late_samples_is_indexed, setup, teardown),
        cmocka_unit_test_setup_teardown(series_reads_each_time_at_one_resolution, setup, teardown),
        cmocka_unit_test_setup_teardown(search_cache_past_expiry_or_a_day, setup, teardown),
        cmocka_unit_test_setup_teardown(access_log_kept_seven_days, setup, teardown),
        cmocka_unit_test_setup_teardown(access_log_goes_in_small_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(dry_run_counts_the_same_and_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(events_go_in_many_small_transactions, setup, teardown),
        cmocka_unit_test_setup_teardown(the_ingester_steps_a_pass_per_turn_on_schedule, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_paced_pass_rests_between_transactions, setup, teardown),
    };
    return RUN_TAP(tests);
}
