/* bench_status: the cost of one snapshot must not grow with history.
 *
 * Builds two databases, one with 1,000 events and one with 1,000,000 (1% of
 * them failed, a queue, and metrics every 5 s for an hour and for a day),
 * then times `streamtop status --json` end to end and snapshot_fill() in
 * process on each.  usage: bench_status STREAMTOP [WORKDIR [--keep]]
 * --keep leaves the databases in WORKDIR for profiling. */
#include "config.h"

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "benchutil.h"
#include "db.h"
#include "metric_names.h"
#include "schema.h"
#include "snapshot.h"
#include "timeutil.h"

extern char **environ;

#define RUNS 41


static char *read_fixture(void)
{
    /* A realistic 1.3 KB event body; the exact bytes do not matter. */
    static char body[1400];
    memset(body, 'x', sizeof body - 1);
    memcpy(body, "{\"resource_kind\":\"company-profile\",\"data\":{\"company_name\":\"", 59);
    body[sizeof body - 3] = '"';
    body[sizeof body - 2] = '}';
    return body;
}




static void populate_events(sqlite3 *h, long events, int64_t now)
{
    const char *body = read_fixture();
    sqlite3_stmt *ev = bench_prepare(h,
        "INSERT INTO stream_events_log (id, event_id, event_type, company_number, event_data, "
        "processing_status, error_message, received_at, processed_at) "
        "VALUES (?1, 'company-profile:' || ?1, ?2, printf('%08d', ?1 % 5000000), ?3, ?4, ?5, ?6, ?6)");
    sqlite3_stmt *q = bench_prepare(h,
        "INSERT INTO processing_queue (event_log_id, status, attempts, last_error, created_at, "
        "updated_at, priority) VALUES (?1, ?2, 1, ?3, ?4, ?4, 5)");
    char at[ISO_TIME_LEN];
    for (long i = 1; i <= events; i++) {
        bool failed = i % 100 == 0;
        bool pending = i > events - 50;
        time_format_iso(now - (events - i) * 50, at);   /* 20 events/s of history */
        sqlite3_bind_int64(ev, 1, i);
        sqlite3_bind_text(ev, 2, i % 17 == 0 ? "deleted" : "changed", -1, SQLITE_STATIC);
        sqlite3_bind_text(ev, 3, body, -1, SQLITE_STATIC);
        sqlite3_bind_text(ev, 4, failed ? "failed" : pending ? "pending" : "processed", -1, SQLITE_STATIC);
        if (failed)
            sqlite3_bind_text(ev, 5, i % 300 == 0 ? "database is locked" : "company_number missing",
                              -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(ev, 5);
        sqlite3_bind_text(ev, 6, at, -1, SQLITE_TRANSIENT);
        bench_step_reset(h, ev);
        if (failed || pending) {
            sqlite3_bind_int64(q, 1, i);
            sqlite3_bind_text(q, 2, failed ? "failed" : "pending", -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 3, failed ? "company_number missing" : NULL, -1, SQLITE_STATIC);
            sqlite3_bind_text(q, 4, at, -1, SQLITE_TRANSIENT);
            bench_step_reset(h, q);
        }
    }
    sqlite3_finalize(ev);
    sqlite3_finalize(q);
}

static void populate_metrics(sqlite3 *h, long samples, int64_t now)
{
    static const char *const names[] = {
        METRIC_EVENTS_RECEIVED, METRIC_EVENTS_PROCESSED, METRIC_EVENTS_FAILED,
        METRIC_EVENTS_REPEATED, METRIC_BYTES_RECEIVED,   METRIC_RECONNECTS,
        METRIC_TIMEPOINT_GAPS,  METRIC_QUEUE_DEPTH,      METRIC_LAG_SECONDS,
        METRIC_INGEST_RATE,
    };
    sqlite3_stmt *st = bench_prepare(h, "INSERT INTO system_metrics (id, metric_name, metric_value, tags, "
                                  "recorded_at) VALUES (?1, ?2, ?3, '{\"interval_ms\":5000}', ?4)");
    char at[ISO_TIME_LEN], id[48];
    for (long k = 0; k < samples; k++) {
        time_format_iso(now - k * 5000, at);
        for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
            snprintf(id, sizeof id, "%ld-%zu", k, n);
            sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
            sqlite3_bind_text(st, 2, names[n], -1, SQLITE_STATIC);
            sqlite3_bind_double(st, 3, 100.0 + (double)n);
            sqlite3_bind_text(st, 4, at, -1, SQLITE_TRANSIENT);
            bench_step_reset(h, st);
        }
    }
    sqlite3_finalize(st);
}

static void build(const char *path, long events, long metric_samples)
{
    struct db *db;
    struct err e;
    struct migrate_report r;
    unlink(path);
    if (db_open(path, DB_READ_WRITE, &db, &e) < 0 || schema_migrate(db, schema_latest_version(), &r, &e) < 0)
        bench_die(path, e.msg);
    migrate_report_free(&r);
    db_close(db);
    sqlite3 *h;
    if (sqlite3_open(path, &h) != SQLITE_OK)
        bench_die(path, "cannot open");
    int64_t now = time_now_ms();
    char at[ISO_TIME_LEN], sql[1024];
    bench_exec(h, "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144; BEGIN");
    populate_events(h, events, now);
    populate_metrics(h, metric_samples, now);
    snprintf(sql, sizeof sql,
             "INSERT INTO stream_state (stream_type, state, state_since, connected_since, "
             "last_event_at, last_timepoint, events_received, events_changed) VALUES "
             "('company-profile', 'connected', '%s', '%s', '%s', %ld, %ld, %ld)",
             time_format_iso(now, at), at, at, events, events, events);
    bench_exec(h, sql);
    bench_exec(h, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE)");
    sqlite3_close(h);
}



/* Median and 90th percentile of RUNS runs of `streamtop ARGS`. */
static void time_command(const char *streamtop, char *const args[], double *median, double *p90)
{
    double t[RUNS];
    char *argv[8] = {(char *)streamtop};
    for (int i = 0; args[i] && i < 6; i++)
        argv[i + 1] = args[i];
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    for (int i = 0; i < RUNS; i++) {
        struct timespec a, b;
        pid_t pid;
        int status;
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (posix_spawn(&pid, streamtop, &fa, NULL, argv, environ) != 0)
            bench_die("spawn", streamtop);
        waitpid(pid, &status, 0);
        clock_gettime(CLOCK_MONOTONIC, &b);
        if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
            bench_die("status", "did not run cleanly");
        t[i] = bench_elapsed_ms(a, b);
    }
    posix_spawn_file_actions_destroy(&fa);
    qsort(t, RUNS, sizeof t[0], bench_cmp_double);
    *median = t[RUNS / 2];
    *p90 = t[RUNS * 9 / 10];
}

static void time_fill(const char *path, const struct snapshot_request *req, double *median,
                      double *p90)
{
    double t[RUNS * 5];
    struct snapshot_reader *r;
    struct err e;
    static struct snapshot s;
    if (snapshot_reader_open(path, &r, &e) < 0)
        bench_die(path, e.msg);
    for (int i = 0; i < RUNS * 5; i++) {
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (snapshot_fill(r, req, &s, &e) < 0)
            bench_die("snapshot_fill", e.msg);
        clock_gettime(CLOCK_MONOTONIC, &b);
        t[i] = bench_elapsed_ms(a, b);
    }
    snapshot_reader_close(r);
    qsort(t, RUNS * 5, sizeof t[0], bench_cmp_double);
    *median = t[RUNS * 5 / 2];
    *p90 = t[RUNS * 5 * 9 / 10];
}

int main(int argc, char **argv)
{
    bench_name = "bench_status";
    if (argc < 2) {
        fprintf(stderr, "usage: bench_status STREAMTOP [WORKDIR]\n");
        return 2;
    }
    const char *dir = argc > 2 ? argv[2] : "bench";
    bool keep = argc > 3 && strcmp(argv[3], "--keep") == 0;
    static const struct { const char *name; long events, samples; } sizes[] = {
        {"1k-events.db", 1000, 720},            /* an hour of metrics */
        {"1m-events.db", 1000000, 17280},       /* a day of metrics */
    };
    double vm, vp;
    time_command(argv[1], (char *[]){"--version", NULL}, &vm, &vp);
    printf("process start (streamtop --version): p50 %.2f ms, p90 %.2f ms\n", vm, vp);
    printf("status --json, snapshot_fill as status asks, and as a dashboard frame asks\n"
           "(a 40-row page in the middle of the failures list, with a page above and a\n"
           "page below), %d runs each (milliseconds)\n", RUNS);
    printf("%-10s %11s %11s %13s %13s %11s %11s\n", "events", "status p50", "status p90",
           "snapshot p50", "snapshot p90", "frame p50", "frame p90");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char path[4096];
        double cm, cp, fm, fp, dm, dp;
        snprintf(path, sizeof path, "%s/%s", dir, sizes[i].name);
        build(path, sizes[i].events, sizes[i].samples);
        time_command(argv[1], (char *[]){"status", "--json", "--db", path, NULL}, &cm, &cp);
        struct snapshot_request status_req = {.stream_type = "company-profile", .failures.rows = 50};
        /* Every 100th event failed: the middle one of them anchors the page. */
        struct snapshot_request frame_req = {
            .stream_type = "company-profile",
            .failures = {.anchor_id = sizes[i].events / 200 * 100, .above = 40, .rows = 80},
        };
        time_fill(path, &status_req, &fm, &fp);
        time_fill(path, &frame_req, &dm, &dp);
        printf("%-10ld %11.2f %11.2f %13.3f %13.3f %11.3f %11.3f\n", sizes[i].events, cm, cp, fm,
               fp, dm, dp);
        fflush(stdout);
        if (!keep)
            unlink(path);
    }
    return 0;
}
