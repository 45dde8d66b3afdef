#include "config.h"

#include <stdio.h>
#include <string.h>

#include "store_backup.h"
#include "strlist.h"

int store_backup_copy(struct db *src, const char *dest_path, struct err *e)
{
    sqlite3 *dest;
    int rc = sqlite3_open_v2(dest_path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_backup *b = sqlite3_backup_init(dest, "main", db_handle(src), "main");
        if (b) {
            rc = sqlite3_backup_step(b, -1);
            rc = rc == SQLITE_DONE ? sqlite3_backup_finish(b) : (sqlite3_backup_finish(b), rc);
        } else {
            rc = sqlite3_errcode(dest);
        }
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(dest, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        err_set(e, "%s: copying %s: %s", dest_path, db_path(src),
                dest ? sqlite3_errmsg(dest) : sqlite3_errstr(rc));
    sqlite3_close(dest);
    return rc == SQLITE_OK ? 0 : -1;
}

int store_backup_detach_wal(struct db *db, struct err *e)
{
    return db_exec(db, "PRAGMA journal_mode = DELETE", e);
}

int store_backup_integrity(struct db *db, char *out, size_t size, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "PRAGMA integrity_check(20)", e);
    if (!st)
        return -1;
    size_t len = 0;
    int rc;
    out[0] = '\0';
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && len + 1 < size) {
        const char *line = (const char *)sqlite3_column_text(st, 0);
        len += (size_t)snprintf(out + len, size - len, "%s%s", len ? "\n" : "", line ? line : "");
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return db_fail(db, e, "checking integrity");
    return 0;
}

static int table_names(struct db *db, struct strlist *names, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT name FROM sqlite_schema WHERE type = 'table' "
                                   "AND name NOT LIKE 'sqlite_%' ORDER BY name", e);
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (strlist_addf(names, "%s", (const char *)sqlite3_column_text(st, 0)) < 0) {
            sqlite3_reset(st);
            return err_set(e, "out of memory"), -1;
        }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db_fail(db, e, "listing tables");
}

/* A table's name cannot be bound, so its count is built with %w, SQLite's
 * quoting of an identifier; the names come from sqlite_schema. */
static int count_rows(struct db *db, const char *table, int64_t *rows, struct err *e)
{
    char *sql = sqlite3_mprintf("SELECT count(*) FROM \"%w\"", table);
    sqlite3_stmt *st;
    if (!sql)
        return err_set(e, "out of memory"), -1;
    int rc = sqlite3_prepare_v2(db_handle(db), sql, -1, &st, NULL);
    sqlite3_free(sql);
    if (rc != SQLITE_OK)
        return db_fail(db, e, "counting rows");
    rc = sqlite3_step(st);
    *rows = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : db_fail(db, e, "counting rows");
}

int store_backup_table_counts(struct db *db, table_count_fn fn, void *ctx, struct err *e)
{
    struct strlist names = {0};
    int rc = table_names(db, &names, e);
    for (size_t i = 0; rc == 0 && i < names.count; i++) {
        int64_t rows = 0;
        rc = count_rows(db, names.items[i], &rows, e);
        if (rc == 0)
            rc = fn(ctx, names.items[i], rows);
    }
    strlist_free(&names);
    return rc;
}
