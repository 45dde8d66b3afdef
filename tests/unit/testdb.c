#include "config.h"

#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db.h"
#include "schema.h"
#include "testdb.h"

char *testdb_mkdtemp(void)
{
    const char *base = getenv("TMPDIR");
    char *tmpl;
    assert_true(asprintf(&tmpl, "%s/streamtop-unit.XXXXXX", base && *base ? base : "/tmp") > 0);
    assert_non_null(mkdtemp(tmpl));
    return tmpl;
}

void testdb_rmdir(char *dir)
{
    char *cmd;
    assert_true(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
    assert_int_equal(system(cmd), 0);
    free(cmd);
    free(dir);
}

char *testdb_path(const char *dir, const char *name)
{
    char *p;
    assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
    return p;
}

void testdb_migrate(const char *path, int target)
{
    struct db *db;
    struct err e;
    struct migrate_report r;
    if (db_open(path, DB_READ_WRITE, &db, &e) < 0)
        fail_msg("open %s: %s", path, e.msg);
    if (schema_migrate(db, target, &r, &e) < 0)
        fail_msg("migrate %s: %s", path, e.msg);
    migrate_report_free(&r);
    db_close(db);
}

static sqlite3 *open_plain(const char *path)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    sqlite3_busy_timeout(h, 5000);
    return h;
}

void testdb_exec(const char *path, const char *sql)
{
    sqlite3 *h = open_plain(path);
    char *msg = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("exec on %s: %s\n%s", path, msg, sql);
    sqlite3_close(h);
}

long long testdb_int(const char *path, const char *sql)
{
    sqlite3 *h = open_plain(path);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(h));
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

char *testdb_text(const char *path, const char *sql)
{
    sqlite3 *h = open_plain(path);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(h));
    char *v = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

char *testdb_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t cap = 0, n = 0, got;
    do {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        got = fread(buf + n, 1, cap - n, f);
        n += got;
    } while (got > 0);
    fclose(f);
    *len = n;
    return buf;
}

bool testdb_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

char *testdb_schema_dump(const char *path)
{
    return testdb_text(path, "SELECT group_concat(type || ' ' || name || ': ' || coalesce(sql, ''), "
                             "char(10)) FROM (SELECT * FROM sqlite_schema "
                             "WHERE name <> 'sqlite_sequence' ORDER BY type, name)");
}
