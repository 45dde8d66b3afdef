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
