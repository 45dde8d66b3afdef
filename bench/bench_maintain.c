/* bench_maintain: what a retention pass costs the ingester beside it.
 *
 * A database of N events (default 200,000), the oldest 30 % received 40
 * days ago, is copied three times.  Into each copy the ingester catches up
 * M more events (default 50,000) from `streamtop simulate --replay`: alone
 * (keeping events for 100 years, so its own pass removes nothing); with its
 * own pass deleting the old 30 % (keeping 30 days, as in production); and
 * keeping 100 years while `streamtop maintain` deletes them from beside it.
 * Reported: the catch-up rate, the writer's longest commit and its 99th
 * percentile (from its `event=commits` log line), and what the pass removed
 * meanwhile.
 *
 * usage: bench_maintain STREAMTOP WORKDIR [N [M]] */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchutil.h"

#define OLD_SHARE 0.3

/* The first n lines of events as processed log rows, the oldest share of
 * them 40 days old, with the stream's counters and resume point after them. */
static void build_base(const char *streamtop, const char *db_path, const char *events, long n)
{
    unlink(db_path);
    bench_run((char *[]){(char *)streamtop, "migrate", "--db", (char *)db_path, NULL});
    sqlite3 *h;
    if (sqlite3_open(db_path, &h) != SQLITE_OK)
        bench_die(db_path, "cannot open");
    sqlite3_stmt *st = bench_prepare(h,
        "INSERT INTO stream_events_log (event_id, event_type, event_data, processing_status, "
        "received_at, processed_at) VALUES ('company-profile:' || ?1, 'changed', ?2, 'processed', "
        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?3), strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?3))");
    FILE *f = fopen(events, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    bench_exec(h, "BEGIN");
    for (long tp = 1; tp <= n && (len = getline(&line, &cap, f)) > 0; tp++) {
        sqlite3_bind_int64(st, 1, tp);
        sqlite3_bind_text(st, 2, line, (int)len - 1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, tp <= (long)(n * OLD_SHARE) ? "-40 days" : "-1 days", -1,
                          SQLITE_STATIC);
        bench_step_reset(h, st);
    }
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO stream_state (stream_type, last_timepoint, "
             "events_received, events_changed, events_processed) VALUES ('company-profile', "
             "%ld, %ld, %ld, %ld); COMMIT", n, n, n, n);
    bench_exec(h, sql);
    free(line);
    fclose(f);
    sqlite3_finalize(st);
    sqlite3_close(h);   /* the last connection: the WAL is folded in and removed */
}

static void copy_file(const char *from, const char *to)
{
    char buf[1 << 16];
    size_t n;
    FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
    if (!in || !out)
        bench_die(to, "cannot copy");
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            bench_die(to, "short write");
    fclose(in);
    if (fclose(out) != 0)
        bench_die(to, "cannot write");
}

static long long processed(const char *db_path)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    long long n = 0;
    if (sqlite3_open_v2(db_path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h, "SELECT events_processed FROM stream_state", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return n;
}

enum pass_mode { NO_PASS, OWN_PASS, BESIDE };

struct run {
    double catch_up_ms;
    long long old_left;             /* old events still there when the catch-up ended */
    char commits[256];
};

static long long old_events(const char *db_path)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    long long n = -1;
    if (sqlite3_open_v2(db_path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(h, "SELECT count(*) FROM stream_events_log WHERE received_at < "
                              "strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-30 days')", -1, &st,
                           NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return n;
}

/* The `event=commits` line of the ingester's log. */
static void read_commits(const char *log, char *out, size_t size)
{
    char line[1024];
    FILE *f = fopen(log, "r");
    snprintf(out, size, "(no commits line)");
    while (f && fgets(line, sizeof line, f)) {
        char *at = strstr(line, "batches=");
        if (strstr(line, "event=commits") && at) {
            at[strcspn(at, "\n")] = '\0';
            snprintf(out, size, "%s", at);
        }
    }
    if (f)
        fclose(f);
}

static void catch_up(const char *streamtop, const char *dir, const char *db_path,
                     const char *events, long long target, enum pass_mode mode, struct run *r)
{
    char url[256], log[4096], pass_out[4096];
    snprintf(log, sizeof log, "%s.log", db_path);
    snprintf(pass_out, sizeof pass_out, "%s.maintain", db_path);
    unlink(log);
    pid_t sim = bench_simulator(streamtop, dir, (char *[]){"--replay", (char *)events, NULL}, url,
                                sizeof url);
    struct timespec t0 = bench_now();
    pid_t ingester = bench_spawn((char *[]){(char *)streamtop, "ingest", "--db", (char *)db_path,
                                            "--url", url, "--log-file", log, "--keep-events",
                                            mode == OWN_PASS ? "30" : "36500", NULL}, NULL);
    pid_t pass = mode == BESIDE ? bench_spawn((char *[]){(char *)streamtop, "maintain", "--db",
                                                         (char *)db_path, NULL}, pass_out) : 0;
    while (processed(db_path) < target) {
        int status;
        if (pass && waitpid(pass, &status, WNOHANG) == pass) {
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                bench_die("maintain", "failed");
            pass = 0;
        }
        if (waitpid(ingester, &status, WNOHANG) == ingester)
            bench_die("ingest", "exited early; see its log");
        bench_sleep_ms(10);
    }
    r->catch_up_ms = bench_elapsed_ms(t0, bench_now());
    r->old_left = old_events(db_path);
    if (pass)
        bench_stop(pass);
    bench_stop(ingester);
    bench_stop(sim);
    read_commits(log, r->commits, sizeof r->commits);
}

static void report(const char *what, long m, long long old, const struct run *r,
                   const struct run *alone)
{
    printf("  %-24s %7.0f events/s (%3.0f%% of alone); commits %s\n", what,
           (double)m / r->catch_up_ms * 1000.0, alone->catch_up_ms / r->catch_up_ms * 100.0,
           r->commits);
    if (r != alone)
        printf("  %-24s removed %lld of %lld old events during the catch-up%s\n", "",
               old - r->old_left, old,
               r->old_left > 0 ? " (the pass carries on after it)" : "");
}

int main(int argc, char **argv)
{
    bench_name = "bench_maintain";
    if (argc < 3) {
        fprintf(stderr, "usage: bench_maintain STREAMTOP WORKDIR [N [M]]\n");
        return 2;
    }
    const char *streamtop = argv[1], *dir = argv[2];
    long n = argc > 3 ? atol(argv[3]) : 200000, m = argc > 4 ? atol(argv[4]) : 50000;
    char events[4096], base[4096], db[4096];
    setenv("STREAMTOP_STREAM_KEY", "bench", 1);
    snprintf(events, sizeof events, "%s/maintain-events.jsonl", dir);
    snprintf(base, sizeof base, "%s/maintain-base.db", dir);
    snprintf(db, sizeof db, "%s/maintain.db", dir);
    bench_write_events(events, n + m);
    build_base(streamtop, base, events, n);
    printf("maintain beside a catch-up: %ld events stored (%.0f%% of them 40 days old), "
           "%ld more to catch up\n", n, OLD_SHARE * 100, m);
    struct run alone, own, beside;
    long long old = (long long)(n * OLD_SHARE);
    copy_file(base, db);
    catch_up(streamtop, dir, db, events, n + m, NO_PASS, &alone);
    copy_file(base, db);
    catch_up(streamtop, dir, db, events, n + m, OWN_PASS, &own);
    copy_file(base, db);
    catch_up(streamtop, dir, db, events, n + m, BESIDE, &beside);
    report("ingest alone:", m, old, &alone, &alone);
    report("with its own pass:", m, old, &own, &alone);
    report("beside `maintain`:", m, old, &beside, &alone);
    unlink(base);
    unlink(db);
    return 0;
}
