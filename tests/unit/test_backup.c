/* backup: which backups rotation keeps; a backup made while a writer holds
 * an open transaction is the committed state only, owned by no ingester,
 * with its facts in the manifest; verification names each difference;
 * a corrupt backup is never restored. */
#include "config.h"

#include "unit.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup.h"
#include "restore.h"
#include "schema.h"
#include "testdb.h"

#define DAY 86400000LL
#define HOUR 3600000LL
/* Monday 2026-11-30T12:00:00Z */
#define MONDAY_NOON 1796040000000LL

static void keep_of(const int64_t *times, size_t n, int daily, int weekly, char *out)
{
    bool keep[64];
    struct backup_rotation r = {daily, weekly};
    backup_rotation_keep(times, n, &r, keep);
    for (size_t i = 0; i < n; i++)
        out[i] = keep[i] ? 'k' : '-';
    out[n] = '\0';
}

/* One backup a day for five weeks, newest first: the newest of each of the
 * last 7 days, and the newest of each of the last 4 ISO weeks. */
static void rotation_keeps_days_then_weeks(void **state)
{
    (void)state;
    int64_t times[35];
    for (int i = 0; i < 35; i++)
        times[i] = MONDAY_NOON + 6 * DAY - i * DAY;   /* Sunday back to five weeks before */
    char got[64];
    keep_of(times, 35, 7, 4, got);
    /* Days 0-6 are this week (Sunday to Monday); then the Sundays of the
     * three weeks before it. */
    assert_string_equal(got, "kkkkkkkk------k------k-------------");
    keep_of(times, 35, 2, 0, got);
    assert_string_equal(got, "kk---------------------------------");
}

static void rotation_keeps_one_per_day(void **state)
{
    (void)state;
    int64_t times[] = {MONDAY_NOON + 3 * HOUR, MONDAY_NOON + HOUR, MONDAY_NOON,
                       MONDAY_NOON - DAY, MONDAY_NOON - DAY - HOUR};
    char got[8];
    keep_of(times, 5, 7, 4, got);
    assert_string_equal(got, "k--k-");   /* Sunday's is also its week's newest */
}

struct fixture {
    char *dir, *path, *backups;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dir = testdb_mkdtemp();
    f->path = testdb_path(f->dir, "live.db");
    f->backups = testdb_path(f->dir, "backups");
    assert_int_equal(mkdir(f->backups, 0700), 0);
    testdb_migrate(f->path, schema_latest_version());
    testdb_exec(f->path, "PRAGMA journal_mode = WAL; "
                         "INSERT INTO stream_state (stream_type, last_timepoint, ingester_pid, "
                         "ingester_host, ingester_seen_at) VALUES ('company-profile', 7, 4242, "
                         "'elsewhere', '2026-11-30T12:00:00.000Z'); "
                         "INSERT INTO stream_events_log (event_id, event_type, event_data, "
                         "processing_status, received_at) VALUES ('company-profile:7', 'changed', "
                         "'{}', 'processed', '2026-11-30T12:00:00.000Z')");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    testdb_rmdir(f->dir);
    free(f->path);
    free(f->backups);
    free(f);
    return 0;
}

static char *make(struct fixture *f, struct backup_facts *facts)
{
    char *file;
    struct err e;
    if (backup_make(f->path, f->backups, MONDAY_NOON, &file, facts, &e) < 0)
        fail_msg("backup_make: %s", e.msg);
    return file;
}

static void a_backup_is_the_committed_state_and_owned_by_nobody(void **state)
{
    struct fixture *f = *state;
    sqlite3 *writer;
    assert_int_equal(sqlite3_open(f->path, &writer), SQLITE_OK);
    assert_int_equal(sqlite3_exec(writer, "BEGIN IMMEDIATE; INSERT INTO stream_events_log "
                                          "(event_id, event_type, received_at) VALUES "
                                          "('company-profile:8', 'changed', 'x')", NULL, NULL, NULL),
                     SQLITE_OK);
    struct backup_facts facts;
    char *file = make(f, &facts);
    sqlite3_exec(writer, "COMMIT", NULL, NULL, NULL);
    sqlite3_close(writer);
    assert_non_null(strstr(file, "/streamtop-20261130T120000.000Z.db"));
    assert_string_equal(facts.integrity, "ok");
    assert_int_equal(facts.schema_version, schema_latest_version());
    assert_true(facts.has_resume);
    assert_int_equal(facts.resume_point, 7);
    assert_int_equal(strlen(facts.sha256), 64);
    assert_int_equal(testdb_int(file, "SELECT count(*) FROM stream_events_log"), 1);
    assert_int_equal(testdb_int(file, "SELECT count(*) FROM stream_state WHERE ingester_pid IS NULL"), 1);
    char wal[4200];
    snprintf(wal, sizeof wal, "%s-wal", file);
    assert_false(testdb_file_exists(wal));
    char manifest_path[4200];
    size_t len;
    snprintf(manifest_path, sizeof manifest_path, "%s%s", file, BACKUP_MANIFEST_SUFFIX);
    char *manifest = testdb_read_file(manifest_path, &len);
    assert_non_null(strstr(manifest, "\"stream_events_log\":\t1"));
    assert_non_null(strstr(manifest, "\"resume_point\":\t7"));
    assert_non_null(strstr(manifest, facts.sha256));
    struct strlist problems = {0};
    struct err e;
    assert_int_equal(backup_verify(file, &problems, &e), 0);
    assert_int_equal(problems.count, 0);
    free(manifest);
    free(file);
}

static char *verify_problems(const char *file)
{
    struct strlist problems = {0};
    struct err e;
    assert_int_equal(backup_verify(file, &problems, &e), 0);
    char *joined = strlist_join(&problems, "\n");
    strlist_free(&problems);
    return joined;
}

static void verification_names_each_difference(void **state)
{
    struct fixture *f = *state;
    struct backup_facts facts;
    char *file = make(f, &facts);
    char manifest[4200];
    snprintf(manifest, sizeof manifest, "%s%s", file, BACKUP_MANIFEST_SUFFIX);

    /* A manifest edited to another row count: the checksum still holds, so
     * the database is opened and its facts compared. */
    size_t len;
    char *text = testdb_read_file(manifest, &len);
    char *at = strstr(text, "\"stream_events_log\":\t1");
    at[strlen("\"stream_events_log\":\t")] = '5';
    FILE *out = fopen(manifest, "w");
    fputs(text, out);
    fclose(out);
    char *got = verify_problems(file);
    assert_string_equal(got, "table stream_events_log: the manifest says 5 rows, the file has 1");
    free(got);

    /* One byte changed in the file. */
    FILE *db = fopen(file, "r+b");
    fseek(db, 5000, SEEK_SET);
    fputc('x', db);
    fclose(db);
    got = verify_problems(file);
    assert_non_null(strstr(got, "sha256: the manifest says "));
    free(got);

    unlink(manifest);
    got = verify_problems(file);
    assert_non_null(strstr(got, "no manifest"));
    free(got);
    free(text);
    free(file);
}

static void a_corrupt_backup_is_never_restored(void **state)
{
    struct fixture *f = *state;
    struct backup_facts facts;
    char *file = make(f, &facts);
    FILE *db = fopen(file, "r+b");
    fseek(db, 4096, SEEK_SET);
    fputs("garbage", db);
    fclose(db);
    char *target = testdb_path(f->dir, "target.db");
    testdb_exec(target, "CREATE TABLE keep (x); INSERT INTO keep VALUES (1)");
    struct strlist problems = {0};
    struct err e;
    assert_int_equal(restore_from_backup(file, target, true, &problems, &e), -1);
    assert_true(problems.count > 0);
    assert_non_null(strstr(e.msg, "nothing was restored"));
    assert_int_equal(testdb_int(target, "SELECT x FROM keep"), 1);
    strlist_free(&problems);
    free(target);
    free(file);
}

static void a_good_backup_is_restored_over_a_database(void **state)
{
    struct fixture *f = *state;
    struct backup_facts facts;
    char *file = make(f, &facts);
    testdb_exec(f->path, "UPDATE stream_state SET last_timepoint = 99, ingester_pid = NULL");
    struct strlist problems = {0};
    struct err e;
    if (restore_from_backup(file, f->path, false, &problems, &e) < 0)
        fail_msg("%s", e.msg);
    assert_int_equal(testdb_int(f->path, "SELECT last_timepoint FROM stream_state"), 7);
    char *integrity = testdb_text(f->path, "PRAGMA integrity_check");
    assert_string_equal(integrity, "ok");
    free(integrity);
    free(file);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rotation_keeps_days_then_weeks),
        cmocka_unit_test(rotation_keeps_one_per_day),
        cmocka_unit_test_setup_teardown(a_backup_is_the_committed_state_and_owned_by_nobody, setup, teardown),
        cmocka_unit_test_setup_teardown(verification_names_each_difference, setup, teardown),
        cmocka_unit_test_setup_teardown(a_corrupt_backup_is_never_restored, setup, teardown),
        cmocka_unit_test_setup_teardown(a_good_backup_is_restored_over_a_database, setup, teardown),
    };
    return RUN_TAP(tests);
}
