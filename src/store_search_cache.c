#include "config.h"

#include "store_search_cache.h"
#include "timeutil.h"

bool store_search_cache_readable(struct db *db)
{
    static const char *const cols[] = {"expires_at", "created_at"};
    char why[64];
    return db_require_columns(db, "search_cache", cols, 2, why, sizeof why);
}

int store_search_cache_expire(struct db *db, int64_t now, int64_t made_before, int limit,
                              int64_t *cursor, int *deleted, struct err *e)
{
    char at[ISO_TIME_LEN], before[ISO_TIME_LEN];
    /* The cursor lets a dry run, whose deletions are rolled back, move on. */
    sqlite3_stmt *st = db_stmt(db,
        "DELETE FROM search_cache WHERE rowid IN (SELECT rowid FROM search_cache "
        "WHERE rowid > ?1 AND (julianday(expires_at) < julianday(?2) "
        "OR julianday(created_at) < julianday(?3)) ORDER BY rowid LIMIT ?4) RETURNING rowid", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, *cursor);
    sqlite3_bind_text(st, 2, time_format_iso(now, at), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, time_format_iso(made_before, before), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, limit);
    int rc;
    *deleted = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        *cursor = id > *cursor ? id : *cursor;
        (*deleted)++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db_fail(db, e, "expiring search_cache");
}
