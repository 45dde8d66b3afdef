/* bench_maintain: what a retention pass costs the ingester beside it.
 *
 * A database of N events (default 200,000), the oldest 30 % received 40
 * days ago, is copied twice.  Into each copy the ingester catches up M more
 * events (default 50,000) from `streamtop simulate --replay`: once alone,
 * once while `streamtop maintain` deletes the old 30 % beside it.  Both
 * ingesters keep events for 100 years, so their own pass at start removes
 * nothing and the runs differ only by the maintain process.  Reported: the
 * catch-up rate, the writer's longest commit and its 99th percentile (from
 * its `event=commits` log line), and how long the pass took.
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

struct run {
    double catch_up_ms, pass_ms;
    char commits[256];
    char removed[256];
};

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
                     const char *events, long long target, bool with_pass, struct run *r)
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
                                            "36500", NULL}, NULL);
    pid_t pass = with_pass ? bench_spawn((char *[]){(char *)streamtop, "maintain", "--db",
                                                    (char *)db_path, NULL}, pass_out) : 0;
    r->pass_ms = 0;
    while (processed(db_path) < target) {
        int status;
        if (pass && waitpid(pass, &status, WNOHANG) == pass) {
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                bench_die("maintain", "failed");
            r->pass_ms = bench_elapsed_ms(t0, bench_now());
            pass = 0;
        }
        if (waitpid(ingester, &status, WNOHANG) == ingester)
            bench_die("ingest", "exited early; see its log");
        bench_sleep_ms(10);
    }
    r->catch_up_ms = bench_elapsed_ms(t0, bench_now());
    if (pass) {
        waitpid(pass, NULL, 0);
        r->pass_ms = bench_elapsed_ms(t0, bench_now());
    }
    bench_stop(ingester);
    bench_stop(sim);
    read_commits(log, r->commits, sizeof r->commits);
    snprintf(r->removed, sizeof r->removed, "-");
    FILE *f = with_pass ? fopen(pass_out, "r") : NULL;
    char line[512];
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "stream_events_log", 17) == 0) {
            line[strcspn(line, "\n")] = '\0';
            snprintf(r->removed, sizeof r->removed, "%s", line + strspn(line + 17, " ") + 17);
        }
    if (f)
        fclose(f);
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
    struct run alone, beside;
    copy_file(base, db);
    catch_up(streamtop, dir, db, events, n + m, false, &alone);
    copy_file(base, db);
    catch_up(streamtop, dir, db, events, n + m, true, &beside);
    printf("  ingest alone:          %8.0f events/s; commits %s\n",
           (double)m / alone.catch_up_ms * 1000.0, alone.commits);
    printf("  ingest beside maintain: %7.0f events/s; commits %s\n",
           (double)m / beside.catch_up_ms * 1000.0, beside.commits);
    printf("  the pass: %.1f s, %s\n", beside.pass_ms / 1000.0, beside.removed);
    printf("  catch-up rate beside the pass: %.0f%% of alone\n",
           alone.catch_up_ms / beside.catch_up_ms * 100.0);
    unlink(base);
    unlink(db);
    return 0;
}
