/* schema: migrations from empty and from every version, idempotence,
 * adoption of a database another system made, refusal of newer and foreign
 * files, and every CHECK constraint and trigger. */
#include "config.h"

#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "migrations.h"
#include "schema.h"
#include "testdb.h"

struct fixture {
    char *dir;
    char *path;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dir = testdb_mkdtemp();
    f->path = testdb_path(f->dir, "test.db");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    testdb_rmdir(f->dir);
    free(f->path);
    free(f);
    return 0;
}

static int latest(void)
{
    return schema_latest_version();
}

/* Every table and column the two seed documents define. */
static const struct { const char *table; const char *columns; } seed_columns[] = {
    {"companies", "stream_last_updated stream_event_id stream_event_type stream_processing_status"},
    {"stream_metadata", "id stream_type last_event_id last_processed_timestamp connection_status "
                        "error_count last_error created_at updated_at"},
    {"stream_events_log", "id event_id event_type company_number event_data processing_status "
                          "error_message received_at processed_at"},
    {"api_keys", "id name key_hash permissions rate_limit_per_hour created_at last_used_at is_active"},
    {"webhooks", "id url events secret is_active created_at last_triggered_at failure_count"},
    {"search_cache", "id query_hash query_text results created_at expires_at"},
    {"system_metrics", "id metric_name metric_value tags recorded_at"},
    {"content_metadata", "search_indexed_at last_accessed_at access_count cognitive_score "
                         "vector_embedding"},
    {"processing_queue", "priority estimated_duration actual_duration worker_id"},
};

static const char *const seed_indexes[] = {
    "idx_companies_stream_status", "idx_companies_stream_updated", "idx_stream_events_company",
    "idx_stream_events_type", "idx_stream_events_status", "idx_stream_events_received",
    "idx_api_keys_hash", "idx_api_keys_active", "idx_webhooks_active", "idx_search_cache_hash",
    "idx_search_cache_expires", "idx_system_metrics_name_time", "idx_content_search_indexed",
    "idx_content_last_accessed", "idx_content_cognitive_score", "idx_queue_priority_status",
    "idx_queue_worker",
};

/* Defaults the seeds give, as table_info reports them. */
static const struct { const char *table, *column, *dflt; } seed_defaults[] = {
    {"companies", "stream_processing_status", "'pending'"},
    {"stream_metadata", "connection_status", "'disconnected'"},
    {"stream_metadata", "error_count", "0"},
    {"stream_events_log", "processing_status", "'pending'"},
    {"api_keys", "rate_limit_per_hour", "1000"},
    {"api_keys", "created_at", "CURRENT_TIMESTAMP"},
    {"api_keys", "is_active", "TRUE"},
    {"webhooks", "is_active", "TRUE"},
    {"webhooks", "failure_count", "0"},
    {"search_cache", "created_at", "CURRENT_TIMESTAMP"},
    {"system_metrics", "recorded_at", "CURRENT_TIMESTAMP"},
    {"content_metadata", "access_count", "0"},
    {"processing_queue", "priority", "5"},
};

static void assert_seed_schema(const char *path)
{
    char sql[512];
    for (size_t i = 0; i < sizeof seed_columns / sizeof seed_columns[0]; i++) {
        char *cols = strdup(seed_columns[i].columns);
        for (char *c = strtok(cols, " "); c; c = strtok(NULL, " ")) {
            snprintf(sql, sizeof sql, "SELECT count(*) FROM pragma_table_info('%s') WHERE name = '%s'",
                     seed_columns[i].table, c);
            if (testdb_int(path, sql) != 1)
                fail_msg("%s.%s is missing", seed_columns[i].table, c);
        }
        free(cols);
    }
    for (size_t i = 0; i < sizeof seed_indexes / sizeof seed_indexes[0]; i++) {
        snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = '%s'",
                 seed_indexes[i]);
        if (testdb_int(path, sql) != 1)
            fail_msg("index %s is missing", seed_indexes[i]);
    }
    for (size_t i = 0; i < sizeof seed_defaults / sizeof seed_defaults[0]; i++) {
        snprintf(sql, sizeof sql, "SELECT dflt_value FROM pragma_table_info('%s') WHERE name = '%s'",
                 seed_defaults[i].table, seed_defaults[i].column);
        char *d = testdb_text(path, sql);
        if (!d || strcmp(d, seed_defaults[i].dflt) != 0)
            fail_msg("%s.%s defaults to %s, not %s", seed_defaults[i].table,
                     seed_defaults[i].column, d ? d : "nothing", seed_defaults[i].dflt);
        free(d);
    }
}

static void migrates_empty_database_to_full_schema(void **state)
{
    struct fixture *f = *state;
    testdb_migrate(f->path, latest());
    assert_seed_schema(f->path);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM schema_migrations"), (long long)migration_count);
    assert_int_equal(testdb_int(f->path, "SELECT max(version) FROM schema_migrations"), latest());
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM schema_migrations WHERE how <> 'applied'"), 0);
    /* The seed's initial metadata row. */
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM stream_metadata "
                                         "WHERE stream_type = 'company-profile' AND created_at IS NOT NULL"), 1);
    /* No placeholder admin key is shipped. */
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM api_keys"), 0);
    char *mode = testdb_text(f->path, "PRAGMA journal_mode");
    assert_string_equal(mode, "wal");
    free(mode);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
}

static void migrating_twice_changes_nothing(void **state)
{
    struct fixture *f = *state;
    testdb_migrate(f->path, latest());
    char *before = testdb_schema_dump(f->path);
    struct db *db;
    struct err e;
    struct migrate_report r;
    assert_int_equal(db_open(f->path, DB_READ_WRITE, &db, &e), 0);
    assert_int_equal(schema_migrate(db, latest(), &r, &e), 0);
    assert_int_equal(r.applied, 0);
    assert_false(r.adopted);
    migrate_report_free(&r);
    db_close(db);
    char *after = testdb_schema_dump(f->path);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void migrates_from_every_intermediate_version(void **state)
{
    struct fixture *f = *state;
    char *fresh_path = testdb_path(f->dir, "fresh.db");
    testdb_migrate(fresh_path, latest());
    char *fresh = testdb_schema_dump(fresh_path);
    for (size_t i = 0; i + 1 < migration_count; i++) {
        char name[32];
        snprintf(name, sizeof name, "from-%d.db", migrations[i].version);
        char *path = testdb_path(f->dir, name);
        testdb_migrate(path, migrations[i].version);
        assert_int_equal(testdb_int(path, "SELECT max(version) FROM schema_migrations"),
                         migrations[i].version);
        testdb_migrate(path, latest());
        char *dump = testdb_schema_dump(path);
        if (strcmp(dump, fresh) != 0)
            fail_msg("migrating from version %d gives a different schema", migrations[i].version);
        assert_int_equal(testdb_int(path, "SELECT count(*) FROM stream_metadata"), 1);
        free(dump);
        free(path);
    }
    free(fresh);
    free(fresh_path);
}

/* Returns SQLite's extended result code for sql on path. */
static int try_sql(const char *path, const char *sql)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    sqlite3_extended_result_codes(h, 1);
    int rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
    sqlite3_close(h);
    return rc;
}

static void check_constraints_enforce_allowed_values(void **state)
{
    struct fixture *f = *state;
    testdb_migrate(f->path, latest());
    static const struct { const char *sql; int want; } cases[] = {
        {"INSERT INTO stream_events_log (event_id, event_type, processing_status, received_at) "
         "VALUES ('a', 'changed', 'processed', 'now')", SQLITE_OK},
        {"INSERT INTO stream_events_log (event_id, event_type, processing_status, received_at) "
         "VALUES ('b', 'changed', 'done', 'now')", SQLITE_CONSTRAINT_CHECK},
        {"UPDATE stream_events_log SET processing_status = 'weird'", SQLITE_CONSTRAINT_CHECK},
        {"UPDATE stream_metadata SET connection_status = 'error'", SQLITE_OK},
        {"UPDATE stream_metadata SET connection_status = 'flapping'", SQLITE_CONSTRAINT_CHECK},
        {"INSERT INTO companies (company_number, stream_processing_status) VALUES ('1', 'failed')",
         SQLITE_OK},
        {"INSERT INTO companies (company_number, stream_processing_status) VALUES ('2', 'lost')",
         SQLITE_CONSTRAINT_CHECK},
        {"INSERT INTO processing_queue (event_log_id, status) VALUES (1, 'processing')", SQLITE_OK},
        {"INSERT INTO processing_queue (event_log_id, status) VALUES (2, 'waiting')",
         SQLITE_CONSTRAINT_CHECK},
        {"INSERT INTO stream_state (stream_type, state) VALUES ('company-profile', 'backoff')",
         SQLITE_OK},
        {"UPDATE stream_state SET state = 'sleeping'", SQLITE_CONSTRAINT_CHECK},
        {"INSERT INTO api_keys (id, name, key_hash) VALUES ('k1', 'ops', "
         "'9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08')", SQLITE_OK},
        {"INSERT INTO api_keys (id, name, key_hash) VALUES ('admin-key-001', 'Admin API Key', "
         "'admin_key_hash_placeholder')", SQLITE_CONSTRAINT_TRIGGER},
        {"INSERT INTO api_keys (id, name, key_hash) VALUES ('k2', 'short', 'abc')",
         SQLITE_CONSTRAINT_TRIGGER},
        {"UPDATE api_keys SET key_hash = 'placeholder-placeholder-placeholder-xx'",
         SQLITE_CONSTRAINT_TRIGGER},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = try_sql(f->path, cases[i].sql);
        if (rc != cases[i].want)
            fail_msg("case %zu: got %d, want %d: %s", i, rc, cases[i].want, cases[i].sql);
    }
}

/* Whether SQLite builds a temporary index to run sql on path. */
static bool uses_ephemeral_table(const char *path, const char *sql)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    bool found = false;
    assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
    char *explain = sqlite3_mprintf("EXPLAIN %s", sql);
    assert_int_equal(sqlite3_prepare_v2(h, explain, -1, &st, NULL), SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        found |= strcmp((const char *)sqlite3_column_text(st, 1), "OpenEphemeral") == 0;
    sqlite3_finalize(st);
    sqlite3_free(explain);
    sqlite3_close(h);
    return found;
}

/* The rows the ingester writes for every event check their allowed values
 * in place (migration 11), not through a temporary index per row. */
static void allowed_values_are_checked_without_a_temporary_index(void **state)
{
    struct fixture *f = *state;
    static const char *const writes[] = {
        "INSERT INTO stream_events_log (event_id, event_type, processing_status, received_at) "
        "VALUES ('a', 'changed', 'processed', 'now')",
        "INSERT INTO companies (company_number, stream_processing_status) VALUES ('1', 'processed')",
        "UPDATE companies SET stream_processing_status = 'processed' WHERE company_number = '1'",
        "UPDATE stream_metadata SET connection_status = 'connected' WHERE id = 1",
    };
    testdb_migrate(f->path, 10);
    assert_true(uses_ephemeral_table(f->path, writes[0]));   /* what migration 11 fixes */
    testdb_exec(f->path, writes[0]);
    sqlite3 *before;   /* opened before the upgrade: must see the new definitions */
    assert_int_equal(sqlite3_open(f->path, &before), SQLITE_OK);
    assert_int_equal(sqlite3_exec(before, "SELECT count(*) FROM companies", NULL, NULL, NULL),
                     SQLITE_OK);
    testdb_migrate(f->path, latest());
    for (size_t i = 0; i < sizeof writes / sizeof writes[0]; i++)
        if (uses_ephemeral_table(f->path, writes[i]))
            fail_msg("builds a temporary index: %s", writes[i]);
    assert_int_equal(sqlite3_exec(before, "INSERT INTO stream_events_log (event_id, event_type, "
                                          "processing_status, received_at) VALUES ('b', 'changed', "
                                          "'lost', 'now')", NULL, NULL, NULL), SQLITE_CONSTRAINT);
    sqlite3_close(before);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM stream_events_log"), 1);
    char *ok = testdb_text(f->path, "PRAGMA integrity_check");
    assert_string_equal(ok, "ok");
    free(ok);
}

static void refuses_a_newer_schema(void **state)
{
    struct fixture *f = *state;
    testdb_migrate(f->path, latest());
    testdb_exec(f->path, "INSERT INTO schema_migrations (version, name, applied_at) "
                         "VALUES (9999, 'from_the_future', 'now')");
    struct db *db;
    struct err e;
    struct migrate_report r;
    struct schema_state st;
    assert_int_equal(db_open(f->path, DB_READ_ONLY, &db, &e), 0);
    assert_int_equal(schema_state(db, &st, &e), -1);
    assert_non_null(strstr(e.msg, "newer than this streamtop"));
    db_close(db);
    assert_int_equal(db_open(f->path, DB_READ_WRITE, &db, &e), 0);
    assert_int_equal(schema_migrate(db, latest(), &r, &e), -1);
    assert_non_null(strstr(e.msg, "version 9999"));
    migrate_report_free(&r);
    db_close(db);
}

static void refuses_a_foreign_schema_migrations_table(void **state)
{
    struct fixture *f = *state;
    testdb_exec(f->path, "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY);"
                         "INSERT INTO schema_migrations VALUES ('20240101000000');");
    char *before = testdb_schema_dump(f->path);
    struct db *db;
    struct err e;
    struct migrate_report r;
    assert_int_equal(db_open(f->path, DB_READ_WRITE, &db, &e), 0);
    assert_int_equal(schema_migrate(db, latest(), &r, &e), -1);
    assert_non_null(strstr(e.msg, "not made by streamtop"));
    migrate_report_free(&r);
    db_close(db);
    char *after = testdb_schema_dump(f->path);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void refuses_files_that_are_not_sqlite(void **state)
{
    struct fixture *f = *state;
    static const char junk[] = "id,name\n1,not a database at all, just a CSV file\n";
    FILE *fp = fopen(f->path, "wb");
    fwrite(junk, 1, sizeof junk - 1, fp);
    fclose(fp);
    for (int mode = 0; mode < 2; mode++) {
        struct db *db;
        struct err e;
        assert_int_equal(db_open(f->path, mode ? DB_READ_ONLY : DB_READ_WRITE, &db, &e), -1);
        assert_non_null(strstr(e.msg, "not an SQLite database"));
    }
    size_t len;
    char *bytes = testdb_read_file(f->path, &len);
    assert_int_equal(len, sizeof junk - 1);
    assert_memory_equal(bytes, junk, len);
    free(bytes);
    char *wal = testdb_path(f->dir, "test.db-wal");
    assert_false(testdb_file_exists(wal));
    free(wal);
}

static char *read_seed_sql(void)
{
    const char *dir = getenv("TESTS_SRCDIR");
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/data/seed_legacy.sql", dir ? dir : "tests");
    char *sql = testdb_read_file(path, &len);
    if (!sql)
        fail_msg("cannot read %s", path);
    sql = realloc(sql, len + 1);
    sql[len] = '\0';
    return sql;
}

static void adopts_a_database_made_by_another_system(void **state)
{
    struct fixture *f = *state;
    char *seed = read_seed_sql();
    testdb_exec(f->path, seed);
    free(seed);

    struct db *db;
    struct err e;
    struct migrate_report r;
    assert_int_equal(db_open(f->path, DB_READ_WRITE, &db, &e), 0);
    assert_int_equal(schema_migrate(db, latest(), &r, &e), 0);
    assert_true(r.adopted);
    assert_int_equal(r.to_version, latest());
    char *done = strlist_join(&r.done, "\n"), *notes = strlist_join(&r.notes, "\n");
    assert_non_null(strstr(done, "created table stream_state"));
    assert_non_null(strstr(done, "added column companies.data"));
    assert_non_null(strstr(done, "added column processing_queue.priority"));
    assert_non_null(strstr(done, "created index idx_stream_events_failed"));
    assert_non_null(strstr(done, "created unique index streamtop_unique_processing_queue_event_log_id"));
    assert_non_null(strstr(notes, "CHECK constraints on stream_events_log"));
    assert_non_null(strstr(notes, "CHECK constraints on companies"));
    free(done);
    free(notes);
    migrate_report_free(&r);

    /* Rows and the other system's own columns are kept exactly. */
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM companies"), 2);
    char *row = testdb_text(f->path, "SELECT company_name || '|' || incorporation_date || '|' || "
                                     "sector || '|' || internal_score FROM companies "
                                     "WHERE company_number = '00000002'");
    assert_string_equal(row, "LEGACY TWO PLC|2001-02-03|finance|0.9");
    free(row);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM processing_queue "
                                         "WHERE job_type = 'reindex' AND status = 'done'"), 1);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM stream_events_log"), 2);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM stream_metadata"), 1);
    /* Never deleted, even the placeholder key: status warns instead. */
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM api_keys"), 1);
    assert_seed_schema(f->path);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM schema_migrations WHERE how = 'adopted'"),
                     (long long)migration_count);

    struct strlist missing = {0}, warnings = {0};
    assert_int_equal(schema_missing(db, &missing, &e), 0);
    char *m = strlist_join(&missing, "\n");
    assert_non_null(strstr(m, "CHECK constraints on stream_metadata"));
    assert_null(strstr(m, "table"));
    free(m);
    assert_int_equal(schema_warnings(db, &warnings, &e), 0);
    assert_int_equal(warnings.count, 1);
    assert_non_null(strstr(warnings.items[0], "admin-key-001"));
    strlist_free(&missing);
    strlist_free(&warnings);

    /* Adopting is done once; migrating again is a no-op. */
    char *before = testdb_schema_dump(f->path);
    assert_int_equal(schema_migrate(db, latest(), &r, &e), 0);
    assert_int_equal(r.applied, 0);
    assert_false(r.adopted);
    migrate_report_free(&r);
    db_close(db);
    char *after = testdb_schema_dump(f->path);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void adoption_with_duplicate_keys_fails_and_changes_nothing(void **state)
{
    struct fixture *f = *state;
    testdb_exec(f->path, "CREATE TABLE companies (company_number TEXT, company_name TEXT);"
                         "INSERT INTO companies VALUES ('1', 'A'), ('1', 'B');");
    char *before = testdb_schema_dump(f->path);
    struct db *db;
    struct err e;
    struct migrate_report r;
    assert_int_equal(db_open(f->path, DB_READ_WRITE, &db, &e), 0);
    assert_int_equal(schema_migrate(db, latest(), &r, &e), -1);
    assert_non_null(strstr(e.msg, "companies(company_number) must be unique"));
    migrate_report_free(&r);
    db_close(db);
    char *after = testdb_schema_dump(f->path);
    assert_string_equal(before, after);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM companies"), 2);
    free(before);
    free(after);
}

static void missing_parts_of_an_unmigrated_database(void **state)
{
    struct fixture *f = *state;
    testdb_migrate(f->path, 5);   /* the seed's stream tables, nothing of streamtop's own after */
    struct db *db;
    struct err e;
    struct strlist missing = {0};
    assert_int_equal(db_open(f->path, DB_READ_ONLY, &db, &e), 0);
    assert_int_equal(schema_missing(db, &missing, &e), 0);
    char *m = strlist_join(&missing, "\n");
    assert_non_null(strstr(m, "table stream_state"));
    assert_non_null(strstr(m, "table system_metrics"));
    assert_non_null(strstr(m, "column processing_queue.priority"));
    assert_non_null(strstr(m, "index idx_stream_events_failed"));
    assert_non_null(strstr(m, "trigger api_keys_refuse_placeholder_insert"));
    free(m);
    strlist_free(&missing);
    db_close(db);
}

static void concurrent_migrations_apply_each_version_once(void **state)
{
    struct fixture *f = *state;
    struct db *a, *b;
    struct err e;
    struct migrate_report r;
    assert_int_equal(db_open(f->path, DB_READ_WRITE, &a, &e), 0);
    assert_int_equal(db_open(f->path, DB_READ_WRITE, &b, &e), 0);
    assert_int_equal(schema_migrate(a, 3, &r, &e), 0);
    migrate_report_free(&r);
    /* b read its state before a finished: it must still not re-apply 1..3. */
    assert_int_equal(schema_migrate(b, latest(), &r, &e), 0);
    assert_int_equal(r.applied, (int)migration_count - 3);
    migrate_report_free(&r);
    assert_int_equal(schema_migrate(a, latest(), &r, &e), 0);
    assert_int_equal(r.applied, 0);
    migrate_report_free(&r);
    db_close(a);
    db_close(b);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM schema_migrations"),
                     (long long)migration_count);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(migrates_empty_database_to_full_schema),
        T(migrating_twice_changes_nothing),
        T(migrates_from_every_intermediate_version),
        T(check_constraints_enforce_allowed_values),
        T(allowed_values_are_checked_without_a_temporary_index),
        T(refuses_a_newer_schema),
        T(refuses_a_foreign_schema_migrations_table),
        T(refuses_files_that_are_not_sqlite),
        T(adopts_a_database_made_by_another_system),
        T(adoption_with_duplicate_keys_fails_and_changes_nothing),
        T(missing_parts_of_an_unmigrated_database),
        T(concurrent_migrations_apply_each_version_once),
    };
    return RUN_TAP(tests);
}
