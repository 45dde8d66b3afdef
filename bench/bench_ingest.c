/* bench_ingest: how fast the ingester catches up, and whether it stays lean.
 *
 *   1. Catch-up: N events (default 100,000) served by `streamtop simulate
 *      --replay` at full speed over loopback into `streamtop ingest`, timed
 *      from the ingester's start until every event is processed; next to it,
 *      in the same run, a bare loop that parses the same lines with cJSON and
 *      inserts them into stream_events_log (same schema, same indexes, WAL,
 *      synchronous=NORMAL, a transaction per 1,000 events), alone and with
 *      each event's companies upsert (the same writes as the ingester's).
 *      Then the same catch-up again while another connection holds one
 *      read transaction open from start to end (a long reader).
 *   2. Steady state: M generated events (default 1,000,000); the ingester's
 *      RSS sampled as they are processed, then its CPU use while the stream
 *      is idle (heartbeats only).
 *
 * usage: bench_ingest STREAMTOP WORKDIR [N [M]] */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "benchutil.h"

#define BARE_BATCH 1000
#define IDLE_SECONDS 20

static const char *json_text(const cJSON *o, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b)
        v = cJSON_GetObjectItemCaseSensitive(v, b);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char COMPANY_UPSERT[] =
    "INSERT INTO companies (company_number, company_name, company_status, company_type, "
    "date_of_creation, date_of_cessation, address_line_1, address_line_2, locality, region, "
    "postal_code, country, etag, sic_codes, data, stream_timepoint, stream_event_id, "
    "stream_processing_status) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
    "?14, ?15, ?16, ?17, 'processed') ON CONFLICT (company_number) DO UPDATE SET "
    "company_name = ?2, company_status = ?3, company_type = ?4, date_of_creation = ?5, "
    "date_of_cessation = ?6, address_line_1 = ?7, address_line_2 = ?8, locality = ?9, "
    "region = ?10, postal_code = ?11, country = ?12, etag = ?13, sic_codes = ?14, data = ?15, "
    "stream_timepoint = ?16, stream_event_id = ?17, updated_at = "
    "strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE stream_timepoint < ?16";

/* The second baseline's extra work: one upsert of the company's row. */
static void upsert_company(sqlite3 *h, sqlite3_stmt *st, const cJSON *o, const char *id,
                           long long tp)
{
    static const char *const fields[] = {"company_number", "company_name", "company_status",
                                         "type", "date_of_creation", "date_of_cessation"};
    static const char *const address[] = {"address_line_1", "address_line_2", "locality",
                                           "region", "postal_code", "country"};
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(o, "data");
    const cJSON *office = cJSON_GetObjectItemCaseSensitive(data, "registered_office_address");
    for (int i = 0; i < 6; i++) {
        sqlite3_bind_text(st, 1 + i, json_text(data, fields[i], NULL), -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 7 + i, json_text(office, address[i], NULL), -1, SQLITE_STATIC);
    }
    sqlite3_bind_text(st, 13, json_text(data, "etag", NULL), -1, SQLITE_STATIC);
    char *sic = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(data, "sic_codes"));
    char *text = cJSON_PrintUnformatted(data);
    sqlite3_bind_text(st, 14, sic, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 15, text, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 16, tp);
    sqlite3_bind_text(st, 17, id, -1, SQLITE_STATIC);
    bench_step_reset(h, st);
    cJSON_free(sic);
    cJSON_free(text);
}

/* The baselines: parse each line with cJSON and insert its log row; with
 * companies, also upsert the company's row, the least the ingester's
 * applying can cost. */
static double bare_loop(const char *streamtop, const char *db_path, const char *events_path, long n,
                        bool companies)
{
    bench_run((char *[]){(char *)streamtop, "migrate", "--db", (char *)db_path, NULL});
    sqlite3 *h;
    if (sqlite3_open(db_path, &h) != SQLITE_OK)
        bench_die(db_path, "cannot open");
    bench_exec(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL");
    sqlite3_stmt *st = bench_prepare(h,
        "INSERT INTO stream_events_log (event_id, event_type, company_number, event_data, "
        "processing_status, received_at) VALUES (?1, ?2, ?3, ?4, 'processed', "
        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))");
    sqlite3_stmt *upsert = bench_prepare(h, COMPANY_UPSERT);
    FILE *f = fopen(events_path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long done = 0;
    struct timespec t0 = bench_now();
    bench_exec(h, "BEGIN");
    while ((len = getline(&line, &cap, f)) > 0) {
        cJSON *o = cJSON_ParseWithLength(line, (size_t)len);
        const cJSON *tp = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(o, "event"), "timepoint");
        char id[64];
        snprintf(id, sizeof id, "company-profile:%lld", (long long)cJSON_GetNumberValue(tp));
        sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, json_text(o, "event", "type"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 3, json_text(o, "data", "company_number"), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 4, line, (int)len - 1, SQLITE_STATIC);
        bench_step_reset(h, st);
        if (companies)
            upsert_company(h, upsert, o, id, (long long)cJSON_GetNumberValue(tp));
        cJSON_Delete(o);
        if (++done % BARE_BATCH == 0)
            bench_exec(h, "COMMIT; BEGIN");
    }
    bench_exec(h, "COMMIT");
    double ms = bench_elapsed_ms(t0, bench_now());
    free(line);
    fclose(f);
    sqlite3_finalize(st);
    sqlite3_finalize(upsert);
    sqlite3_close(h);
    if (done != n)
        bench_die(events_path, "short read");
    return ms;
}

static long long processed(sqlite3 *h)
{
    static const char sql[] = "SELECT coalesce((SELECT events_processed + events_failed "
                              "FROM stream_state), 0)";
    sqlite3_stmt *st;
    long long n = 0;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;   /* not migrated yet */
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static long rss_kb(pid_t pid)
{
    char path[64], line[256];
    long kb = -1;
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

static double cpu_seconds(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f || !fgets(buf, sizeof buf, f))
        bench_die(path, "unreadable");
    fclose(f);
    unsigned long utime = 0, stime = 0;
    char *p = strrchr(buf, ')');
    /* fields after the command: state is 3rd; utime and stime are 14th, 15th */
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
        bench_die(path, "unparsable");
    return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* Begins a read transaction that keeps the snapshot it reads, once the
 * ingester has stored something. */
static sqlite3 *hold_snapshot(const char *db_path)
{
    sqlite3 *r;
    if (sqlite3_open_v2(db_path, &r, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        bench_die(db_path, "cannot open");
    bench_exec(r, "BEGIN; SELECT count(*) FROM stream_events_log");
    return r;
}

/* Runs the ingester until `target` events are processed; returns the
 * milliseconds it took and leaves it running in *pid.  Calls sample every
 * `every` events, if given.  With long_reader, a reader holds a snapshot
 * from the first events stored to the end. */
static double ingest_until(const char *streamtop, const char *db_path, const char *url,
                           long long target, pid_t *pid, long long every,
                           void (*sample)(pid_t, long long), bool long_reader)
{
    sqlite3 *reader = NULL;
    char log[4096];
    snprintf(log, sizeof log, "%s.log", db_path);
    struct timespec t0 = bench_now();
    *pid = bench_spawn((char *[]){(char *)streamtop, "ingest", "--db", (char *)db_path, "--url",
                            (char *)url, "--log-file", log, NULL}, NULL);
    sqlite3 *h = NULL;
    long long done = 0, next_sample = every;
    while (done < target) {
        bench_sleep_ms(10);
        if (!h && access(db_path, F_OK) == 0 &&
            sqlite3_open_v2(db_path, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
            bench_die(db_path, "cannot open");
        done = h ? processed(h) : 0;
        if (long_reader && !reader && done > 0)
            reader = hold_snapshot(db_path);
        if (sample && done >= next_sample) {
            sample(*pid, done);
            next_sample += every;
        }
        int status;
        if (waitpid(*pid, &status, WNOHANG) == *pid)
            bench_die("ingest", "exited early; see its log");
    }
    double ms = bench_elapsed_ms(t0, bench_now());
    if (reader) {
        bench_exec(reader, "COMMIT");
        sqlite3_close(reader);
    }
    sqlite3_close(h);
    return ms;
}

static long long file_bytes(const char *path, const char *suffix)
{
    char name[4200];
    struct stat st;
    snprintf(name, sizeof name, "%s%s", path, suffix);
    return stat(name, &st) == 0 ? (long long)st.st_size : 0;
}

static void print_rss(pid_t pid, long long done)
{
    printf("  %9lld events processed: RSS %6.1f MiB\n", done, (double)rss_kb(pid) / 1024.0);
    fflush(stdout);
}

static void catch_up(const char *streamtop, const char *dir, long n)
{
    char events[4096], bare_db[4096], db[4096], url[256];
    double bare_ms[2];
    snprintf(events, sizeof events, "%s/events.jsonl", dir);
    snprintf(bare_db, sizeof bare_db, "%s/bare.db", dir);
    snprintf(db, sizeof db, "%s/ingest.db", dir);
    unlink(db);
    size_t bytes = bench_write_events(events, n);
    printf("catch-up: %ld events, %.1f MiB of JSON, over loopback\n", n, (double)bytes / 1048576.0);
    for (int companies = 0; companies < 2; companies++) {
        unlink(bare_db);
        bare_ms[companies] = bare_loop(streamtop, bare_db, events, n, companies);
    }
    pid_t sim = bench_simulator(streamtop, dir, (char *[]){"--replay", events, NULL}, url, sizeof url);
    pid_t ingester;
    double ms = ingest_until(streamtop, db, url, n, &ingester, 0, NULL, false);
    bench_stop(ingester);
    bench_stop(sim);
    unlink(db);
    sim = bench_simulator(streamtop, dir, (char *[]){"--replay", events, NULL}, url, sizeof url);
    double held_ms = ingest_until(streamtop, db, url, n, &ingester, 0, NULL, true);
    long long wal_held = file_bytes(db, "-wal");
    bench_sleep_ms(3000);   /* the reader is gone: the WAL rewinds at the next commits */
    long long wal_after = file_bytes(db, "-wal");
    bench_stop(ingester);
    bench_stop(sim);
    double bare = (double)n / bare_ms[0] * 1000.0, bare_apply = (double)n / bare_ms[1] * 1000.0;
    double rate = (double)n / ms * 1000.0;
    printf("  bare loop, cJSON parse + log insert:      %8.0f events/s (%.2f s)\n", bare,
           bare_ms[0] / 1000.0);
    printf("  bare loop, the same + companies upsert:   %8.0f events/s (%.2f s)\n", bare_apply,
           bare_ms[1] / 1000.0);
    printf("  streamtop ingest, end to end:             %8.0f events/s (%.2f s): "
           "%.0f%% of the first, %.0f%% of the second\n",
           rate, ms / 1000.0, rate / bare * 100.0, rate / bare_apply * 100.0);
    double held = (double)n / held_ms * 1000.0;
    printf("  the same under a long reader:             %8.0f events/s (%.2f s): %.0f%% of the "
           "rate alone; WAL %.1f MiB, %.1f MiB 3 s after the reader left\n",
           held, held_ms / 1000.0, held / rate * 100.0, (double)wal_held / 1048576.0,
           (double)wal_after / 1048576.0);
    fflush(stdout);
}

static void steady_state(const char *streamtop, const char *dir, long m)
{
    char db[4096], url[256], count[32];
    snprintf(db, sizeof db, "%s/steady.db", dir);
    unlink(db);
    snprintf(count, sizeof count, "%ld", m);
    pid_t sim = bench_simulator(streamtop, dir, (char *[]){"--count", count, NULL}, url, sizeof url);
    pid_t ingester;
    printf("steady state: %ld generated events\n", m);
    double ms = ingest_until(streamtop, db, url, m, &ingester, m / 10, print_rss, false);
    printf("  processed in %.1f s (%.0f events/s)\n", ms / 1000.0, (double)m / ms * 1000.0);
    bench_sleep_ms(2000);   /* let the last batch, metrics and checkpoint settle */
    double c0 = cpu_seconds(ingester);
    bench_sleep_ms(IDLE_SECONDS * 1000);
    double used = cpu_seconds(ingester) - c0;
    printf("  idle stream (heartbeats only) for %d s: %.2f s of CPU, %.2f%% of one core; RSS %.1f MiB\n",
           IDLE_SECONDS, used, used / IDLE_SECONDS * 100.0, (double)rss_kb(ingester) / 1024.0);
    bench_stop(ingester);
    bench_stop(sim);
}

int main(int argc, char **argv)
{
    bench_name = "bench_ingest";
    if (argc < 3) {
        fprintf(stderr, "usage: bench_ingest STREAMTOP WORKDIR [EVENTS [STEADY_EVENTS]]\n");
        return 2;
    }
    long n = argc > 3 ? atol(argv[3]) : 100000, m = argc > 4 ? atol(argv[4]) : 1000000;
    setenv("STREAMTOP_STREAM_KEY", "bench", 1);
    catch_up(argv[1], argv[2], n);
    if (m > 0)
        steady_state(argv[1], argv[2], m);
    return 0;
}
