#include "config.h"

#include <string.h>

#include "store_api.h"
#include "timeutil.h"

int store_api_key_insert(struct db *db, const struct api_key_row *k, struct err *e)
{
    char now[ISO_TIME_LEN];
    sqlite3_stmt *st = db_stmt(db,
        "INSERT INTO api_keys (id, name, key_hash, permissions, rate_limit_per_hour, created_at, "
        "is_active) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1)", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, k->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, k->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, k->key_hash, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, k->permissions, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, k->rate_limit_per_hour);
    sqlite3_bind_text(st, 6, time_format_iso(time_now_ms(), now), -1, SQLITE_TRANSIENT);
    return db_step_done(db, st, e, "adding an API key");
}

static void read_key(sqlite3_stmt *st, struct api_key_row *k)
{
    memset(k, 0, sizeof *k);
    db_column_copy(st, 0, k->id, sizeof k->id);
    db_column_copy(st, 1, k->name, sizeof k->name);
    db_column_copy(st, 2, k->key_hash, sizeof k->key_hash);
    db_column_copy(st, 3, k->permissions, sizeof k->permissions);
    k->rate_limit_per_hour = sqlite3_column_type(st, 4) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 4);
    k->created_at = db_column_time(st, 5);
    k->last_used_at = db_column_time(st, 6);
    /* The seed's default is TRUE; NULL is read the same way. */
    k->active = sqlite3_column_type(st, 7) == SQLITE_NULL || sqlite3_column_int(st, 7) != 0;
}

#define KEY_COLUMNS \
    "id, name, key_hash, permissions, rate_limit_per_hour, created_at, last_used_at, is_active "

int store_api_keys_each(struct db *db, api_key_fn fn, void *ctx, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " KEY_COLUMNS "FROM api_keys ORDER BY created_at, id", e);
    if (!st)
        return -1;
    int rc;
    struct api_key_row k;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_key(st, &k);
        if (fn(ctx, &k) < 0) {
            sqlite3_reset(st);
            return err_set(e, "out of memory"), -1;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading api_keys");
}

int store_api_key_revoke(struct db *db, const char *id, bool *found, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE api_keys SET is_active = 0 WHERE id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (db_step_done(db, st, e, "revoking an API key") < 0)
        return -1;
    *found = sqlite3_changes(db_handle(db)) > 0;
    return 0;
}

int store_api_key_find(struct db *db, const char *hash, struct api_key_row *k, bool *found,
                       struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " KEY_COLUMNS "FROM api_keys WHERE key_hash = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (*found)
        read_key(st, k);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading api_keys");
}

int store_api_keys_usable(struct db *db, int64_t *n, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db,
        "SELECT count(*) FROM api_keys WHERE coalesce(is_active, 1) <> 0 "
        "AND length(key_hash) = 64 AND key_hash NOT GLOB '*[^0-9a-f]*'", e);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : db_fail(db, e, "counting api_keys");
}

int store_api_key_touch(struct db *db, const char *id, int64_t at_ms, struct err *e)
{
    char at[ISO_TIME_LEN];
    sqlite3_stmt *st = db_stmt(db, "UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, time_format_iso(at_ms, at), -1, SQLITE_TRANSIENT);
    return db_step_done(db, st, e, "updating api_keys.last_used_at");
}

int store_api_log_insert(struct db *db, const struct api_access *a, struct err *e)
{
    char at[ISO_TIME_LEN];
    sqlite3_stmt *st = db_stmt(db,
        "INSERT INTO api_access_log (at, key_id, method, path, status, duration_us, client) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, time_format_iso(a->at, at), -1, SQLITE_TRANSIENT);
    if (a->key_id[0])
        sqlite3_bind_text(st, 2, a->key_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, a->method, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, a->path, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, a->status);
    sqlite3_bind_int64(st, 6, a->duration_us);
    sqlite3_bind_text(st, 7, a->client, -1, SQLITE_STATIC);
    return db_step_done(db, st, e, "writing api_access_log");
}

bool store_api_log_readable(struct db *db)
{
    return db_has_index(db, "idx_api_access_log_at");
}

int store_api_log_expire(struct db *db, int64_t before_ms, int limit, struct api_log_cursor *cursor,
                         int *deleted, struct err *e)
{
    char before[ISO_TIME_LEN], after[ISO_TIME_LEN];
    /* Keyset order of the time index (at, then rowid): each call reads one
     * short range of it, and the last call finds nothing at once. */
    sqlite3_stmt *st = db_stmt(db,
        "DELETE FROM api_access_log WHERE id IN (SELECT id FROM api_access_log "
        "INDEXED BY idx_api_access_log_at WHERE at < ?1 AND (at > ?2 OR (at = ?2 AND id > ?3)) "
        "ORDER BY at, id LIMIT ?4) RETURNING at, id", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, time_format_iso(before_ms, before), -1, SQLITE_TRANSIENT);
    if (cursor->at)
        sqlite3_bind_text(st, 2, time_format_iso(cursor->at, after), -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_text(st, 2, "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, cursor->id);
    sqlite3_bind_int(st, 4, limit);
    int rc;
    *deleted = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t at = db_column_time(st, 0), id = sqlite3_column_int64(st, 1);
        if (at > cursor->at || (at == cursor->at && id > cursor->id))
            cursor->at = at, cursor->id = id;
        (*deleted)++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db_fail(db, e, "expiring api_access_log");
}

int store_api_log_count(struct db *db, const char *key_id, int64_t since_ms, int64_t *n,
                        struct err *e)
{
    char since[ISO_TIME_LEN];
    sqlite3_stmt *st = db_stmt(db,
        "SELECT count(*) FROM api_access_log WHERE key_id = ?1 AND at >= ?2", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, key_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, time_format_iso(since_ms, since), -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : db_fail(db, e, "counting api_access_log");
}

int store_api_activity(struct db *db, int64_t since_ms, struct api_activity *a, struct err *e)
{
    char since[ISO_TIME_LEN];
    sqlite3_stmt *st = db_stmt(db,
        "SELECT count(*), coalesce(sum(status >= 400), 0), coalesce(sum(status >= 500), 0), max(at) "
        "FROM api_access_log "
        "INDEXED BY idx_api_access_log_at WHERE at >= ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, time_format_iso(since_ms, since), -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        a->requests = sqlite3_column_int64(st, 0);
        a->refused = sqlite3_column_int64(st, 1);
        a->server_errors = sqlite3_column_int64(st, 2);
        a->last_at = db_column_time(st, 3);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : db_fail(db, e, "reading api_access_log");
}
