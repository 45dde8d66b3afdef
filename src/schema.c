#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "migrations.h"
#include "schema.h"
#include "schema_model.h"
#include "timeutil.h"

static const char CREATE_MIGRATIONS_TABLE[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at TEXT NOT NULL,"
    " how TEXT NOT NULL DEFAULT 'applied' CHECK (how IN ('applied', 'adopted')),"
    " notes TEXT)";   /* adoption: schema parts left missing, one per line */

int schema_latest_version(void)
{
    return migrations[migration_count - 1].version;
}

static int read_version(struct db *db, int *version, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", e);
    if (!st)
        return -1;
    if (sqlite3_step(st) != SQLITE_ROW)
        return db_fail(db, e, "reading schema_migrations");
    *version = sqlite3_column_int(st, 0);
    sqlite3_reset(st);
    return 0;
}

static bool has_user_tables(struct db *db)
{
    sqlite3_stmt *st = db_stmt(db,
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
        NULL);
    bool found = st && sqlite3_step(st) == SQLITE_ROW;
    if (st)
        sqlite3_reset(st);
    return found;
}

int schema_state(struct db *db, struct schema_state *s, struct err *e)
{
    static const char *const needed[] = {"version", "name", "applied_at"};
    memset(s, 0, sizeof *s);
    s->tracked = db_has_table(db, "schema_migrations");
    s->has_tables = has_user_tables(db);
    if (!s->tracked)
        return 0;
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
        if (!db_has_column(db, "schema_migrations", needed[i])) {
            err_set(e, "%s: schema_migrations has no column '%s': it was not made by streamtop, "
                       "refusing to use this database", db_path(db), needed[i]);
            return -1;
        }
    }
    if (read_version(db, &s->version, e) < 0)
        return -1;
    if (s->version > schema_latest_version()) {
        err_set(e, "%s: the schema is at version %d, newer than this streamtop knows (%d); "
                   "use a newer streamtop", db_path(db), s->version, schema_latest_version());
        return -1;
    }
    return 0;
}

/* Transaction control inside a migration file is the seed's own framing;
 * the runner owns the transaction, so such statements are skipped. */
static bool is_transaction_control(const char *sql)
{
    static const char *const words[] = {"BEGIN", "COMMIT", "END", "ROLLBACK"};
    for (;;) {
        while (isspace((unsigned char)*sql))
            sql++;
        if (sql[0] == '-' && sql[1] == '-') {
            sql = strchr(sql, '\n');
            if (!sql)
                return false;
        } else if (sql[0] == '/' && sql[1] == '*') {
            sql = strstr(sql + 2, "*/");
            if (!sql)
                return false;
            sql += 2;
        } else {
            break;
        }
    }
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        size_t n = strlen(words[i]);
        if (strncasecmp(sql, words[i], n) == 0 && !isalnum((unsigned char)sql[n]) && sql[n] != '_')
            return true;
    }
    return false;
}

/* Runs every statement of one migration on a raw handle. */
static int run_migration_sql(sqlite3 *h, const struct migration *m, struct err *e)
{
    const char *sql = m->sql;
    while (*sql) {
        sqlite3_stmt *st = NULL;
        const char *tail;
        if (sqlite3_prepare_v2(h, sql, -1, &st, &tail) != SQLITE_OK) {
            err_set(e, "migration %04d %s: %s", m->version, m->name, sqlite3_errmsg(h));
            return -1;
        }
        if (st && !is_transaction_control(sql)) {
            int rc;
            while ((rc = sqlite3_step(st)) == SQLITE_ROW)
                ;
            if (rc != SQLITE_DONE) {
                err_set(e, "migration %04d %s: %s", m->version, m->name, sqlite3_errmsg(h));
                sqlite3_finalize(st);
                return -1;
            }
        }
        sqlite3_finalize(st);
        sql = tail;
    }
    return 0;
}

static int record_migration(struct db *db, const struct migration *m, const char *how,
                            const char *notes, struct err *e)
{
    char now[ISO_TIME_LEN];
    sqlite3_stmt *st = db_stmt(db,
        "INSERT INTO schema_migrations (version, name, applied_at, how, notes) "
        "VALUES (?1, ?2, ?3, ?4, ?5)", e);
    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, m->version);
    sqlite3_bind_text(st, 2, m->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, time_format_iso(time_now_ms(), now), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, how, -1, SQLITE_STATIC);
    if (notes && *notes)
        sqlite3_bind_text(st, 5, notes, -1, SQLITE_STATIC);
    return db_step_done(db, st, e, "recording a migration");
}

static int check_foreign_keys(struct db *db, const struct migration *m, struct err *e)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db_handle(db), "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, e, "checking foreign keys");
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        err_set(e, "migration %04d %s would leave a row of %s without its %s row", m->version,
                m->name, sqlite3_column_text(st, 0), sqlite3_column_text(st, 2));
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW)
        return -1;
    return rc == SQLITE_DONE ? 0 : db_fail(db, e, "checking foreign keys");
}

/* One migration in one transaction.  The version is re-read inside it so
 * two streamtop processes migrating at once apply each migration once. */
static int apply_one(struct db *db, const struct migration *m, bool *applied, struct err *e)
{
    int current;
    *applied = false;
    if (db_begin_write(db, e) < 0)
        return -1;
    if (db_exec(db, CREATE_MIGRATIONS_TABLE, e) < 0 || read_version(db, &current, e) < 0)
        goto failed;
    if (current >= m->version)
        return db_commit(db, e);
    if (run_migration_sql(db_handle(db), m, e) < 0 || check_foreign_keys(db, m, e) < 0 ||
        record_migration(db, m, "applied", NULL, e) < 0 || db_commit(db, e) < 0)
        goto failed;
    *applied = true;
    return 0;
failed:
    db_rollback(db);
    return -1;
}

/* The reference schema: migrations up to target run on an empty in-memory
 * database. */
static int build_reference(int target, sqlite3 **out, struct err *e)
{
    sqlite3 *h;
    if (sqlite3_open_v2(":memory:", &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_MEMORY, NULL) != SQLITE_OK) {
        sqlite3_close(h);
        return err_set(e, "cannot open an in-memory database"), -1;
    }
    sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
    for (size_t i = 0; i < migration_count && migrations[i].version <= target; i++) {
        if (run_migration_sql(h, &migrations[i], e) < 0) {
            sqlite3_close(h);
            return -1;
        }
    }
    sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
    *out = h;
    return 0;
}

/* Copies the rows a migration put in a table (the initial stream_metadata
 * row) from the reference into a table adoption just created. */
static int copy_rows(sqlite3 *ref, struct db *db, const struct schema_table *t, struct err *e)
{
    sqlite3_stmt *src, *dst = NULL;
    char *select = sqlite3_mprintf("SELECT * FROM \"%w\"", t->name);
    int rc = sqlite3_prepare_v2(ref, select, -1, &src, NULL);
    sqlite3_free(select);
    if (rc != SQLITE_OK)
        return err_set(e, "reading reference rows of %s: %s", t->name, sqlite3_errmsg(ref)), -1;
    int ncols = sqlite3_column_count(src);
    char *params = sqlite3_mprintf("?");
    for (int i = 1; params && i < ncols; i++)
        params = sqlite3_mprintf("%z, ?", params);
    char *insert = params ? sqlite3_mprintf("INSERT INTO \"%w\" VALUES (%s)", t->name, params) : NULL;
    sqlite3_free(params);
    rc = insert ? sqlite3_prepare_v2(db_handle(db), insert, -1, &dst, NULL) : SQLITE_NOMEM;
    sqlite3_free(insert);
    while (rc == SQLITE_OK && sqlite3_step(src) == SQLITE_ROW) {
        for (int i = 0; i < ncols; i++)
            sqlite3_bind_value(dst, i + 1, sqlite3_column_value(src, i));
        rc = sqlite3_step(dst) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
        sqlite3_reset(dst);
    }
    sqlite3_finalize(src);
    sqlite3_finalize(dst);
    return rc == SQLITE_OK ? 0 : db_fail(db, e, "copying initial rows");
}

/* Whether a default, as table_info reports it, is a literal: the only kind
 * ALTER TABLE ADD COLUMN accepts.  Expressions (strftime(...)) and
 * CURRENT_TIMESTAMP are not. */
static bool literal_default(const char *d)
{
    if (!d)
        return true;
    if (*d == '+' || *d == '-')
        d++;
    return *d == '\'' || isdigit((unsigned char)*d) || *d == '.' ||
           ((d[0] == 'x' || d[0] == 'X') && d[1] == '\'') || strcasecmp(d, "NULL") == 0 ||
           strcasecmp(d, "TRUE") == 0 || strcasecmp(d, "FALSE") == 0;
}

/* ALTER TABLE ADD COLUMN cannot add NOT NULL without a default, nor a
 * default that is an expression; such columns are added without them. */
static int add_column(struct db *db, const struct schema_table *t, const struct schema_column *c,
                      struct migrate_report *r, struct err *e)
{
    bool keep_default = literal_default(c->default_sql);
    bool keep_not_null = c->not_null && keep_default && c->default_sql;
    char *sql = sqlite3_mprintf("ALTER TABLE \"%w\" ADD COLUMN \"%w\" %s%s%s%s", t->name, c->name,
                                c->type ? c->type : "",
                                keep_default && c->default_sql ? " DEFAULT " : "",
                                keep_default && c->default_sql ? c->default_sql : "",
                                keep_not_null ? " NOT NULL" : "");
    int rc = sql ? db_exec(db, sql, e) : (err_set(e, "out of memory"), -1);
    sqlite3_free(sql);
    if (rc < 0)
        return -1;
    if ((c->default_sql && !keep_default) || (c->not_null && !keep_not_null))
        return strlist_addf(&r->done, "added column %s.%s without its NOT NULL or computed "
                                      "default (SQLite cannot add those to an existing table)",
                            t->name, c->name);
    return strlist_addf(&r->done, "added column %s.%s", t->name, c->name);
}

static int add_unique(struct db *db, const struct schema_index *ix, struct migrate_report *r,
                      struct err *e)
{
    char *cols = sqlite3_mprintf("\"%w\"", ix->columns[0]);
    char *name = sqlite3_mprintf("streamtop_unique_%s_%s", ix->table, ix->columns[0]);
    for (size_t i = 1; cols && i < ix->ncolumns; i++)
        cols = sqlite3_mprintf("%z, \"%w\"", cols, ix->columns[i]);
    char *sql = cols && name ? sqlite3_mprintf("CREATE UNIQUE INDEX \"%w\" ON \"%w\" (%s)", name,
                                               ix->table, cols) : NULL;
    int rc = sql ? db_exec(db, sql, e) : (err_set(e, "out of memory"), -1);
    if (rc < 0)
        err_wrap(e, "%s(%s) must be unique for streamtop, and making it so failed "
                    "(duplicate values?)", ix->table, ix->columns[0]);
    else
        rc = strlist_addf(&r->done, "created unique index %s", name);
    sqlite3_free(cols);
    sqlite3_free(name);
    sqlite3_free(sql);
    return rc;
}

static int fill_gap(struct db *db, sqlite3 *ref, const struct schema_gap *g,
                    struct migrate_report *r, struct err *e)
{
    switch (g->kind) {
    case GAP_TABLE:
        if (db_exec(db, g->table->sql, e) < 0 || copy_rows(ref, db, g->table, e) < 0)
            return -1;
        return strlist_addf(&r->done, "created table %s", g->table->name);
    case GAP_COLUMN:
        return add_column(db, g->table, g->column, r, e);
    case GAP_UNIQUE:
        return add_unique(db, g->index, r, e);
    case GAP_INDEX:
        if (db_exec(db, g->index->sql, e) < 0)
            return -1;
        return strlist_addf(&r->done, "created index %s", g->index->name);
    case GAP_TRIGGER:
        if (db_exec(db, g->trigger->sql, e) < 0)
            return -1;
        return strlist_addf(&r->done, "created trigger %s", g->trigger->name);
    case GAP_CHECK:
        return strlist_addf(&r->notes, "CHECK constraints on %s", g->table->name);
    }
    return 0;
}

static int adopt(struct db *db, int target, struct migrate_report *r, struct err *e)
{
    sqlite3 *ref = NULL;
    struct schema_model ref_model = {0}, real_model = {0};
    struct schema_gaps gaps = {0};
    char *notes = NULL;
    int rc = -1;
    r->adopted = true;
    if (build_reference(target, &ref, e) < 0 || db_begin_write(db, e) < 0)
        goto out;
    if (schema_model_load(ref, &ref_model, e) < 0 ||
        schema_model_load(db_handle(db), &real_model, e) < 0 ||
        schema_diff(&real_model, &ref_model, &gaps, e) < 0 ||
        db_exec(db, CREATE_MIGRATIONS_TABLE, e) < 0)
        goto rollback;
    for (size_t i = 0; i < gaps.count; i++)
        if (fill_gap(db, ref, &gaps.items[i], r, e) < 0)
            goto rollback;
    if (!(notes = strlist_join(&r->notes, "\n")))
        goto rollback;
    for (size_t i = 0; i < migration_count && migrations[i].version <= target; i++) {
        bool last = i + 1 == migration_count || migrations[i + 1].version > target;
        if (record_migration(db, &migrations[i], "adopted", last ? notes : NULL, e) < 0)
            goto rollback;
        r->applied++;
        r->to_version = migrations[i].version;
    }
    rc = db_commit(db, e);
    if (rc == 0)
        goto out;
rollback:
    db_rollback(db);
out:
    free(notes);
    schema_gaps_free(&gaps);
    schema_model_free(&real_model);
    schema_model_free(&ref_model);
    sqlite3_close(ref);
    return rc;
}

int schema_migrate(struct db *db, int target, struct migrate_report *r, struct err *e)
{
    struct schema_state s;
    memset(r, 0, sizeof *r);
    if (schema_state(db, &s, e) < 0)
        return -1;
    r->from_version = r->to_version = s.version;
    int rc = 0;
    /* Rebuilding tables (migration 9) needs foreign keys off, which SQLite
     * only allows outside a transaction; each migration checks them itself. */
    if (db_exec(db, "PRAGMA foreign_keys=OFF", e) < 0)
        return -1;
    if (!s.tracked && s.has_tables) {
        rc = adopt(db, target, r, e);
    } else {
        for (size_t i = 0; rc == 0 && i < migration_count; i++) {
            const struct migration *m = &migrations[i];
            bool applied;
            if (m->version <= s.version || m->version > target)
                continue;
            rc = apply_one(db, m, &applied, e);
            if (rc == 0 && applied) {
                r->applied++;
                r->to_version = m->version;
            }
        }
    }
    struct err ignored;
    db_exec(db, "PRAGMA foreign_keys=ON", &ignored);
    return rc;
}

void migrate_report_free(struct migrate_report *r)
{
    strlist_free(&r->done);
    strlist_free(&r->notes);
}

static int recorded_notes(struct db *db, struct strlist *missing, struct err *e)
{
    if (!db_has_column(db, "schema_migrations", "notes"))
        return 0;
    sqlite3_stmt *st = db_stmt(db, "SELECT notes FROM schema_migrations WHERE notes IS NOT NULL "
                                   "ORDER BY version", e);
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 0);
        for (const char *line = text; line && *line;) {
            const char *nl = strchr(line, '\n');
            int len = nl ? (int)(nl - line) : (int)strlen(line);
            if (strlist_addf(missing, "%.*s", len, line) < 0)
                return sqlite3_reset(st), err_set(e, "out of memory"), -1;
            line = nl ? nl + 1 : NULL;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading schema_migrations");
}

int schema_missing(struct db *db, struct strlist *missing, struct err *e)
{
    struct schema_state s;
    if (schema_state(db, &s, e) < 0)
        return -1;
    if (s.tracked && s.version == schema_latest_version())
        return recorded_notes(db, missing, e);
    sqlite3 *ref = NULL;
    struct schema_model ref_model = {0}, real_model = {0};
    struct schema_gaps gaps = {0};
    int rc = -1;
    if (build_reference(schema_latest_version(), &ref, e) == 0 &&
        schema_model_load(ref, &ref_model, e) == 0 &&
        schema_model_load(db_handle(db), &real_model, e) == 0 &&
        schema_diff(&real_model, &ref_model, &gaps, e) == 0)
        rc = schema_gaps_describe(&gaps, missing) < 0 ? (err_set(e, "out of memory"), -1) : 0;
    schema_gaps_free(&gaps);
    schema_model_free(&real_model);
    schema_model_free(&ref_model);
    sqlite3_close(ref);
    return rc;
}

int schema_warnings(struct db *db, struct strlist *warnings, struct err *e)
{
    if (!db_has_column(db, "api_keys", "key_hash") || !db_has_column(db, "api_keys", "is_active"))
        return 0;
    /* api_keys holds a handful of rows; scanning it is cheaper than an index. */
    sqlite3_stmt *st = db_stmt(db,
        "SELECT id FROM api_keys WHERE coalesce(is_active, 1) "
        "AND (key_hash LIKE '%placeholder%' OR length(key_hash) < 32)", e);
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (strlist_addf(warnings, "api_keys: active key '%s' has a placeholder hash; deactivate "
                                   "or delete it",
                         (const char *)sqlite3_column_text(st, 0)) < 0)
            return sqlite3_reset(st), err_set(e, "out of memory"), -1;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading api_keys");
}

int schema_open_current(const char *path, enum db_mode mode, struct db **out, struct err *e)
{
    struct schema_state st;
    *out = NULL;
    if (access(path, F_OK) < 0)
        return err_set(e, "%s: no such database", path), -1;
    if (db_open(path, mode, out, e) < 0)
        return -1;
    int rc = schema_state(*out, &st, e);
    if (rc == 0 && (!st.tracked || st.version < schema_latest_version())) {
        err_set(e, "%s: not at this streamtop's schema; run `streamtop migrate --db %s` first",
                path, path);
        rc = -1;
    }
    if (rc < 0) {
        db_close(*out);
        *out = NULL;
    }
    return rc;
}
