#include "config.h"

#include <stdio.h>
#include <string.h>

#include "store_maintenance.h"
#include "timeutil.h"

bool store_maintenance_readable(struct db *db)
{
    return db_has_table(db, "maintenance_state");
}

bool store_maintenance_counts_access_log(struct db *db)
{
    return db_has_column(db, "maintenance_state", "access_log_removed");
}

int store_maintenance_read(struct db *db, bool access_log, struct snap_maintenance *m,
                           struct err *e)
{
    sqlite3_stmt *st = db_stmt(db,
        access_log
            ? "SELECT started_at, finished_at, run_by, search_cache_removed, metrics_rolled_up, "
              "metrics_hourly_rows, metrics_removed, events_removed, queue_removed, "
              "access_log_removed FROM maintenance_state WHERE id = 1"
            : "SELECT started_at, finished_at, run_by, search_cache_removed, metrics_rolled_up, "
              "metrics_hourly_rows, metrics_removed, events_removed, queue_removed, 0 "
              "FROM maintenance_state WHERE id = 1", e);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    m->have_pass = rc == SQLITE_ROW;
    if (m->have_pass) {
        m->started_at = db_column_time(st, 0);
        m->finished_at = db_column_time(st, 1);
        db_column_copy(st, 2, m->run_by, sizeof m->run_by);
        m->removed.search_cache_removed = sqlite3_column_int64(st, 3);
        m->removed.metrics_rolled_up = sqlite3_column_int64(st, 4);
        m->removed.metrics_hourly_rows = sqlite3_column_int64(st, 5);
        m->removed.metrics_removed = sqlite3_column_int64(st, 6);
        m->removed.events_removed = sqlite3_column_int64(st, 7);
        m->removed.queue_removed = sqlite3_column_int64(st, 8);
        m->removed.access_log_removed = sqlite3_column_int64(st, 9);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading maintenance_state");
}

static int pragma_int(struct db *db, const char *sql, int64_t *out, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, sql, e);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : db_fail(db, e, "reading the database's size");
}

int store_maintenance_size(struct db *db, int64_t *bytes, int64_t *free_bytes, struct err *e)
{
    int64_t pages, page_size, free_pages;
    if (pragma_int(db, "PRAGMA page_count", &pages, e) < 0 ||
        pragma_int(db, "PRAGMA page_size", &page_size, e) < 0 ||
        pragma_int(db, "PRAGMA freelist_count", &free_pages, e) < 0)
        return -1;
    *bytes = pages * page_size;
    *free_bytes = free_pages * page_size;
    return 0;
}

int store_maintenance_record(struct db *db, int64_t started_at, int64_t finished_at,
                             const char *run_by, const struct maintenance_counts *c,
                             struct err *e)
{
    char started[ISO_TIME_LEN], finished[ISO_TIME_LEN];
    sqlite3_stmt *st = db_stmt(db,
        "INSERT OR REPLACE INTO maintenance_state (id, started_at, finished_at, run_by, "
        "search_cache_removed, metrics_rolled_up, metrics_hourly_rows, metrics_removed, "
        "events_removed, queue_removed, access_log_removed) "
        "VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, time_format_iso(started_at, started), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, time_format_iso(finished_at, finished), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, run_by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, c->search_cache_removed);
    sqlite3_bind_int64(st, 5, c->metrics_rolled_up);
    sqlite3_bind_int64(st, 6, c->metrics_hourly_rows);
    sqlite3_bind_int64(st, 7, c->metrics_removed);
    sqlite3_bind_int64(st, 8, c->events_removed);
    sqlite3_bind_int64(st, 9, c->queue_removed);
    sqlite3_bind_int64(st, 10, c->access_log_removed);
    return db_step_done(db, st, e, "recording the maintenance pass");
}

int store_maintenance_optimize(struct db *db, struct err *e)
{
    /* analysis_limit keeps ANALYZE to a sample of each index, as SQLite
     * recommends for PRAGMA optimize on large databases. */
    return db_exec(db, "PRAGMA analysis_limit = 400; PRAGMA optimize", e);
}

int store_maintenance_vacuum(struct db *db, struct err *e)
{
    return db_exec(db, "VACUUM", e);
}
