#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "store_metrics.h"
#include "timeutil.h"

/* How many of the newest rows are searched for distinct names: enough for
 * several intervals of everything the ingester writes. */
#define RECENT_SCAN_ROWS 400

bool store_metrics_readable(struct db *db, char *why, size_t whysize)
{
    static const char *const cols[] = {"metric_name", "metric_value", "tags", "recorded_at"};
    static const char *const indexes[] = {"idx_system_metrics_series",
                                          "idx_system_metrics_recorded"};
    if (!db_require_columns(db, "system_metrics", cols, sizeof cols / sizeof cols[0], why, whysize))
        return false;
    for (size_t i = 0; i < sizeof indexes / sizeof indexes[0]; i++) {
        if (!db_has_index(db, indexes[i])) {
            snprintf(why, whysize, "index %s is missing", indexes[i]);
            return false;
        }
    }
    return true;
}

int store_metrics_series(struct db *db, const char *name, int64_t since_ms, metric_sample_fn fn,
                         void *ctx, struct err *e)
{
    char since[ISO_TIME_LEN];
    sqlite3_stmt *st = db_stmt(db,
        "SELECT recorded_at, metric_value FROM system_metrics INDEXED BY idx_system_metrics_series "
        "WHERE metric_name = ?1 AND recorded_at > ?2 ORDER BY recorded_at", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, time_format_iso(since_ms, since), -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t at = db_column_time(st, 0);
        if (at)
            fn(ctx, at, sqlite3_column_double(st, 1));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading system_metrics");
}

int store_metrics_latest(struct db *db, const char *name, int64_t *at_ms, double *value,
                         bool *found, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db,
        "SELECT recorded_at, metric_value FROM system_metrics INDEXED BY idx_system_metrics_series "
        "WHERE metric_name = ?1 ORDER BY recorded_at DESC LIMIT 1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (*found) {
        *at_ms = db_column_time(st, 0);
        *value = sqlite3_column_double(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading system_metrics");
}

static bool seen(const struct snap_metrics *m, const char *name)
{
    for (int i = 0; i < m->nrows; i++)
        if (strcmp(m->rows[i].name, name) == 0)
            return true;
    return false;
}

int store_metrics_recent(struct db *db, struct snap_metrics *m, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db,
        "SELECT metric_name, metric_value, tags, recorded_at FROM system_metrics "
        "ORDER BY recorded_at DESC LIMIT ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, RECENT_SCAN_ROWS);
    int rc;
    m->nrows = 0;
    while (m->nrows < SNAP_METRIC_ROWS && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct snap_metric *row = &m->rows[m->nrows];
        db_column_copy(st, 0, row->name, sizeof row->name);
        if (seen(m, row->name))
            continue;
        row->value = sqlite3_column_double(st, 1);
        db_column_copy(st, 2, row->tags, sizeof row->tags);
        row->recorded_at = db_column_time(st, 3);
        m->nrows++;
    }
    if (m->nrows < SNAP_METRIC_ROWS && rc != SQLITE_DONE) {
        sqlite3_reset(st);
        return db_fail(db, e, "reading system_metrics");
    }
    sqlite3_reset(st);
    return 0;
}

/* ---- writing ---- */

/* RFC 9562 version 7: 48 bits of Unix milliseconds, then random bits. */
static void uuid7(int64_t ms, char out[37])
{
    unsigned char b[16];
    if (getrandom(b, sizeof b, 0) != (ssize_t)sizeof b)
        memset(b, 0, sizeof b);   /* still unique enough with the time and a counter below */
    static _Atomic unsigned counter;
    unsigned c = counter++;
    b[8] ^= (unsigned char)c;
    b[9] ^= (unsigned char)(c >> 8);
    for (int i = 0; i < 6; i++)
        b[i] = (unsigned char)((uint64_t)ms >> (40 - 8 * i));
    b[6] = (unsigned char)(0x70 | (b[6] & 0x0F));
    b[8] = (unsigned char)(0x80 | (b[8] & 0x3F));
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

int store_metrics_insert(struct db *db, const char *name, double value, const char *tags,
                         int64_t recorded_at, struct err *e)
{
    char id[37], at[ISO_TIME_LEN];
    sqlite3_stmt *st = db_stmt(db, "INSERT INTO system_metrics (id, metric_name, metric_value, tags, "
                                   "recorded_at) VALUES (?1, ?2, ?3, ?4, ?5)", e);
    if (!st)
        return -1;
    uuid7(recorded_at, id);
    sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 3, value);
    sqlite3_bind_text(st, 4, tags, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, time_format_iso(recorded_at, at), -1, SQLITE_TRANSIENT);
    return db_step_done(db, st, e, "recording a metric");
}

int store_metrics_prune(struct db *db, int64_t cutoff, int limit, int *deleted, struct err *e)
{
    char at[ISO_TIME_LEN];
    sqlite3_stmt *st = db_stmt(db,
        "DELETE FROM system_metrics WHERE rowid IN (SELECT rowid FROM system_metrics "
        "INDEXED BY idx_system_metrics_recorded WHERE recorded_at < ?1 LIMIT ?2)", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, time_format_iso(cutoff, at), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, limit);
    if (db_step_done(db, st, e, "pruning system_metrics") < 0)
        return -1;
    *deleted = sqlite3_changes(db_handle(db));
    return 0;
}

/* ---- retention ---- */

/* A raw sample: tags that are not a JSON object saying its resolution. */
#define RAW_SAMPLE "(CASE WHEN json_valid(tags) THEN json_extract(tags, '$.resolution') END) IS NULL"

int store_metrics_next_at(struct db *db, int64_t from, int64_t before, bool raw_only,
                          int64_t *at, bool *found, struct err *e)
{
    char lo[ISO_TIME_LEN], hi[ISO_TIME_LEN];
    sqlite3_stmt *st = raw_only
        ? db_stmt(db, "SELECT recorded_at FROM system_metrics INDEXED BY idx_system_metrics_recorded "
                      "WHERE recorded_at >= ?1 AND recorded_at < ?2 AND " RAW_SAMPLE " "
                      "ORDER BY recorded_at LIMIT 1", e)
        : db_stmt(db, "SELECT recorded_at FROM system_metrics INDEXED BY idx_system_metrics_recorded "
                      "WHERE recorded_at >= ?1 AND recorded_at < ?2 ORDER BY recorded_at LIMIT 1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, time_format_iso(from, lo), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, time_format_iso(before, hi), -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (*found)
        *at = db_column_time(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading system_metrics");
}

int store_metrics_expire(struct db *db, int64_t from, int64_t before, int *deleted,
                         struct err *e)
{
    char lo[ISO_TIME_LEN], hi[ISO_TIME_LEN];
    sqlite3_stmt *st = db_stmt(db,
        "DELETE FROM system_metrics WHERE rowid IN (SELECT rowid FROM system_metrics "
        "INDEXED BY idx_system_metrics_recorded WHERE recorded_at >= ?1 AND recorded_at < ?2)", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, time_format_iso(from, lo), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, time_format_iso(before, hi), -1, SQLITE_TRANSIENT);
    if (db_step_done(db, st, e, "expiring system_metrics") < 0)
        return -1;
    *deleted = sqlite3_changes(db_handle(db));
    return 0;
}

/* The tags that name a series in an hour, whatever its resolution: a raw
 * sample's own (tags that are not a JSON object kept under "tags"), an
 * hourly row's without what the roll-up added.  A late sample of a series
 * already rolled up is found by them. */
#define SERIES_TAGS \
    "json_remove(CASE WHEN tags IS NULL THEN '{}' " \
    "  WHEN json_valid(tags) AND json_type(tags) = 'object' THEN json(tags) " \
    "  ELSE json_object('tags', tags) END, " \
    "  '$.resolution', '$.count', '$.min', '$.max', '$.mean', '$.last')"

/* An hourly row's figure, or the raw sample's value it stands for. */
#define FIGURE(key) \
    "CASE WHEN hourly THEN coalesce(json_extract(tags, '$." key "'), v) ELSE v END"

struct hourly_row {
    char name[256];
    char *tags;
    double mean;
    char *merged;   /* the rowids of the hourly rows it replaces, a JSON array, or NULL */
};

static void free_rows(struct hourly_row *rows, int n)
{
    for (int i = 0; i < n; i++) {
        sqlite3_free(rows[i].tags);
        sqlite3_free(rows[i].merged);
    }
    sqlite3_free(rows);
}

/* The hour's rows, computed before any is written so the read never sees
 * its own output: one per name and series tags that has raw samples,
 * merged with the hourly rows the series already has in the hour (samples
 * that came late, after the hour was rolled up).  The raw samples were
 * written last, so the newest of them is the hour's last value. */
static int read_hour(struct db *db, const char *lo, const char *hi, struct hourly_row **out,
                     int *n, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db,
        "WITH hour AS (SELECT rowid AS id, metric_name AS name, metric_value AS v, "
        "  recorded_at AS at, tags, NOT (" RAW_SAMPLE ") AS hourly, " SERIES_TAGS " AS base "
        "  FROM system_metrics INDEXED BY idx_system_metrics_recorded "
        "  WHERE recorded_at >= ?1 AND recorded_at < ?2), "
        "rows AS (SELECT id, name, base, hourly, "
        "  CASE WHEN hourly THEN coalesce(json_extract(tags, '$.count'), 1) ELSE 1 END AS n, "
        "  " FIGURE("min") " AS low, " FIGURE("max") " AS high, " FIGURE("mean") " AS mean, "
        "  first_value(" FIGURE("last") ") OVER (PARTITION BY name, base "
        "    ORDER BY hourly, at DESC, id DESC) AS last FROM hour) "
        "SELECT name, json_set(base, '$.resolution', '1h', '$.count', sum(n), '$.min', min(low), "
        "  '$.max', max(high), '$.mean', total(mean * n) / sum(n), '$.last', last), "
        "  total(mean * n) / sum(n), nullif(json_group_array(id) FILTER (WHERE hourly), '[]') "
        "FROM rows GROUP BY name, base HAVING min(hourly) = 0", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, lo, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, hi, -1, SQLITE_STATIC);
    struct hourly_row *rows = NULL;
    int rc, count = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct hourly_row *grown = sqlite3_realloc64(rows, (sqlite3_uint64)(count + 1) * sizeof *rows);
        if (!grown)
            break;
        rows = grown;
        struct hourly_row *r = &rows[count++];
        db_column_copy(st, 0, r->name, sizeof r->name);
        r->tags = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(st, 1));
        r->mean = sqlite3_column_double(st, 2);
        const char *merged = (const char *)sqlite3_column_text(st, 3);
        r->merged = merged ? sqlite3_mprintf("%s", merged) : NULL;
        if (!r->tags || (merged && !r->merged)) {
            count--;
            sqlite3_free(r->tags);
            sqlite3_free(r->merged);
            break;
        }
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free_rows(rows, count);
        if (rc == SQLITE_ROW)
            return err_set(e, "out of memory rolling up system_metrics"), -1;
        return db_fail(db, e, "rolling up system_metrics");
    }
    *out = rows;
    *n = count;
    return 0;
}

/* Removes the hourly rows a merged row replaces. */
static int delete_merged(struct db *db, const char *merged, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db,
        "DELETE FROM system_metrics WHERE rowid IN (SELECT value FROM json_each(?1))", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, merged, -1, SQLITE_STATIC);
    return db_step_done(db, st, e, "rolling up system_metrics");
}

int store_metrics_roll_up_hour(struct db *db, int64_t hour_start, int *raw, int *rows,
                               struct err *e)
{
    char lo[ISO_TIME_LEN], hi[ISO_TIME_LEN];
    time_format_iso(hour_start, lo);
    time_format_iso(hour_start + METRICS_HOUR_MS, hi);
    struct hourly_row *hourly = NULL;
    int n = 0;
    if (read_hour(db, lo, hi, &hourly, &n, e) < 0)
        return -1;
    sqlite3_stmt *del = db_stmt(db,
        "DELETE FROM system_metrics WHERE rowid IN (SELECT rowid FROM system_metrics "
        "INDEXED BY idx_system_metrics_recorded WHERE recorded_at >= ?1 AND recorded_at < ?2 "
        "AND " RAW_SAMPLE ")", e);
    int rc = del ? 0 : -1;
    if (rc == 0) {
        sqlite3_bind_text(del, 1, lo, -1, SQLITE_STATIC);
        sqlite3_bind_text(del, 2, hi, -1, SQLITE_STATIC);
        rc = db_step_done(db, del, e, "rolling up system_metrics");
    }
    if (rc == 0)
        *raw = sqlite3_changes(db_handle(db));
    for (int i = 0; rc == 0 && i < n; i++) {
        if (hourly[i].merged)
            rc = delete_merged(db, hourly[i].merged, e);
        if (rc == 0)
            rc = store_metrics_insert(db, hourly[i].name, hourly[i].mean, hourly[i].tags,
                                      hour_start, e);
    }
    *rows = n;
    free_rows(hourly, n);
    return rc;
}
