/* db: connections that share a file within one process, and what a
 * read-only open may and may not do. */
#include "config.h"

#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "schema.h"
#include "testdb.h"

struct fixture {
    char *dir, *path, *wal, *shm;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dir = testdb_mkdtemp();
    f->path = testdb_path(f->dir, "db.db");
    f->wal = testdb_path(f->dir, "db.db-wal");
    f->shm = testdb_path(f->dir, "db.db-shm");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    testdb_rmdir(f->dir);
    free(f->path);
    free(f->wal);
    free(f->shm);
    free(f);
    return 0;
}

/* Closing any descriptor of a file drops all of a process's POSIX locks on
 * it.  If opening a second connection did that, another process closing
 * its connection would believe it was the last one and delete the WAL
 * under the writer, whose commits would then be invisible to every new
 * reader. */
static void a_second_connection_keeps_the_first_ones_locks(void **state)
{
    struct fixture *f = *state;
    struct db *writer, *second, *reader;
    struct err e;
    char cmd[4200];
    assert_int_equal(db_open(f->path, DB_READ_WRITE, &writer, &e), 0);
    assert_int_equal(db_exec(writer, "CREATE TABLE t (x); INSERT INTO t VALUES (1)", &e), 0);
    assert_int_equal(db_open(f->path, DB_READ_WRITE, &second, &e), 0);
    assert_int_equal(db_open(f->path, DB_READ_ONLY, &reader, &e), 0);
    assert_false(db_view_frozen(reader));
    assert_int_equal(db_exec(writer, "INSERT INTO t VALUES (2)", &e), 0);
    snprintf(cmd, sizeof cmd, "sqlite3 '%s' 'SELECT count(*) FROM t' >/dev/null", f->path);
    assert_int_equal(system(cmd), 0);          /* another process opens and closes */
    assert_true(testdb_file_exists(f->wal));
    assert_true(testdb_file_exists(f->shm));
    assert_int_equal(db_exec(writer, "INSERT INTO t VALUES (3)", &e), 0);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM t"), 3);
    db_close(reader);
    db_close(second);
    db_close(writer);
}

static void a_writer_never_joins_a_lock_free_view(void **state)
{
    struct fixture *f = *state;
    struct db *view, *writer;
    struct err e;
    testdb_migrate(f->path, 1);
    assert_false(testdb_file_exists(f->wal));
    assert_int_equal(db_open(f->path, DB_READ_ONLY, &view, &e), 0);
    assert_true(db_view_frozen(view));
    assert_int_equal(db_open(f->path, DB_READ_WRITE, &writer, &e), -1);
    assert_non_null(strstr(e.msg, "a writer must start before it"));
    db_close(view);
    assert_int_equal(db_open(f->path, DB_READ_WRITE, &writer, &e), 0);
    db_close(writer);
}

static void read_only_changes_no_byte(void **state)
{
    struct fixture *f = *state;
    struct db *view;
    struct err e;
    size_t before_len, after_len;
    testdb_migrate(f->path, schema_latest_version());
    char *before = testdb_read_file(f->path, &before_len);
    assert_int_equal(db_open(f->path, DB_READ_ONLY, &view, &e), 0);
    assert_int_equal(db_exec(view, "SELECT count(*) FROM stream_events_log", &e), 0);
    assert_int_equal(db_exec(view, "INSERT INTO stream_state (stream_type) VALUES ('x')", &e), -1);
    assert_non_null(strstr(e.msg, "readonly"));
    db_close(view);
    char *after = testdb_read_file(f->path, &after_len);
    assert_int_equal(before_len, after_len);
    assert_memory_equal(before, after, before_len);
    assert_false(testdb_file_exists(f->wal));
    assert_false(testdb_file_exists(f->shm));
    free(before);
    free(after);
}

/* The code of a failure survives the rollback that follows it, so the
 * writer can tell a corrupt file (give up) from a busy one (try again). */
static void a_failure_code_outlives_the_rollback(void **state)
{
    struct fixture *f = *state;
    struct db *db;
    struct err e;
    assert_int_equal(db_open(f->path, DB_READ_WRITE, &db, &e), 0);
    assert_int_equal(db_exec(db, "CREATE TABLE t (x UNIQUE); INSERT INTO t VALUES (1)", &e), 0);
    assert_int_equal(db_begin_write(db, &e), 0);
    sqlite3_stmt *st = db_stmt(db, "INSERT INTO t VALUES (1)", &e);
    assert_non_null(st);
    assert_int_equal(db_step_done(db, st, &e, "inserting"), -1);
    db_rollback(db);
    assert_int_equal(sqlite3_errcode(db_handle(db)), SQLITE_OK);
    assert_int_equal(db_failed_code(db), SQLITE_CONSTRAINT_UNIQUE);
    assert_int_equal(db_exec(db, "INSERT INTO nowhere VALUES (1)", &e), -1);
    assert_int_equal(db_failed_code(db), SQLITE_ERROR);
    db_close(db);
}

/* A link where the database would be created: opening must neither
 * create the file it points to nor open it, in either mode. */
static void a_dangling_link_is_not_followed(void **state)
{
    struct fixture *f = *state;
    struct db *db;
    struct err e;
    char *target = testdb_path(f->dir, "elsewhere.db");
    assert_int_equal(symlink(target, f->path), 0);
    assert_int_equal(db_open(f->path, DB_READ_WRITE, &db, &e), -1);
    assert_non_null(strstr(e.msg, f->path));
    assert_non_null(strstr(e.msg, "is a symbolic link"));
    assert_int_equal(db_open(f->path, DB_READ_ONLY, &db, &e), -1);
    assert_non_null(strstr(e.msg, "is a symbolic link"));
    assert_false(testdb_file_exists(target));
    free(target);
}

/* A link to a database that exists is refused too: the link could be
 * swapped between a check and the open. */
static void a_link_to_a_database_is_refused(void **state)
{
    struct fixture *f = *state;
    struct db *db;
    struct err e;
    char *real = testdb_path(f->dir, "real.db");
    testdb_migrate(real, 1);
    assert_int_equal(symlink(real, f->path), 0);
    assert_int_equal(db_open(f->path, DB_READ_WRITE, &db, &e), -1);
    assert_non_null(strstr(e.msg, "is a symbolic link"));
    assert_int_equal(db_open(f->path, DB_READ_ONLY, &db, &e), -1);
    assert_non_null(strstr(e.msg, "is a symbolic link"));
    free(real);
}

/* The files SQLite creates beside the database are not made through
 * links either, for a new database as for an existing one. */
static void a_link_beside_the_database_is_not_followed(void **state)
{
    struct fixture *f = *state;
    static const char *const suffixes[] = {"-wal", "-shm", "-journal"};
    for (size_t i = 0; i < 3; i++) {
        for (int exists = 0; exists < 2; exists++) {
            struct db *db;
            struct err e;
            char *target = testdb_path(f->dir, "target"), *sibling;
            assert_true(asprintf(&sibling, "%s%s", f->path, suffixes[i]) > 0);
            unlink(f->path);
            if (exists)
                testdb_migrate(f->path, 1);
            assert_int_equal(symlink(target, sibling), 0);
            assert_int_equal(db_open(f->path, DB_READ_WRITE, &db, &e), -1);
            assert_non_null(strstr(e.msg, sibling));
            assert_non_null(strstr(e.msg, "is a symbolic link"));
            assert_false(testdb_file_exists(target));
            if (exists) {
                assert_int_equal(db_open(f->path, DB_READ_ONLY, &db, &e), -1);
                assert_false(testdb_file_exists(target));
            }
            unlink(sibling);
            free(sibling);
            free(target);
        }
    }
}

/* Links on the way to the database's directory are the operator's
 * business (a data volume mounted elsewhere): they are followed. */
static void a_linked_directory_is_followed(void **state)
{
    struct fixture *f = *state;
    struct db *db;
    struct err e;
    char *real = testdb_path(f->dir, "real"), *link = testdb_path(f->dir, "link");
    char *path = testdb_path(link, "db.db"), *wal = testdb_path(real, "db.db-wal");
    assert_int_equal(mkdir(real, 0700), 0);
    assert_int_equal(symlink(real, link), 0);
    assert_int_equal(db_open(path, DB_READ_WRITE, &db, &e), 0);
    assert_int_equal(db_exec(db, "CREATE TABLE t (x)", &e), 0);
    assert_string_equal(db_path(db), path);
    assert_true(testdb_file_exists(wal));
    db_close(db);
    free(real);
    free(link);
    free(path);
    free(wal);
}

static unsigned file_mode(const char *path)
{
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    return (unsigned)st.st_mode & 07777;
}

/* The database and the files SQLite makes beside it are the owner's
 * alone, whatever the umask: a permissive one must not open them to
 * others, and a strict one must not lock the owner out of writing. */
static void new_files_are_private_whatever_the_umask(void **state)
{
    struct fixture *f = *state;
    static const mode_t masks[] = {0000, 0022, 0077, 0277};
    for (size_t i = 0; i < sizeof masks / sizeof masks[0]; i++) {
        struct db *db;
        struct err e;
        unlink(f->path);
        mode_t old = umask(masks[i]);
        int rc = db_open(f->path, DB_READ_WRITE, &db, &e);
        umask(old);
        assert_int_equal(rc, 0);
        assert_int_equal(db_exec(db, "CREATE TABLE t (x); INSERT INTO t VALUES (1)", &e), 0);
        assert_int_equal(file_mode(f->path), 0600);
        assert_int_equal(file_mode(f->wal), 0600);
        assert_int_equal(file_mode(f->shm), 0600);
        db_close(db);
    }
}

/* An existing database keeps the mode its operator gave it; SQLite gives
 * the -wal and -shm it creates the same. */
static void an_existing_database_keeps_its_mode(void **state)
{
    struct fixture *f = *state;
    struct db *db;
    struct err e;
    testdb_migrate(f->path, 1);
    assert_int_equal(chmod(f->path, 0640), 0);
    mode_t old = umask(0);
    int rc = db_open(f->path, DB_READ_WRITE, &db, &e);
    umask(old);
    assert_int_equal(rc, 0);
    assert_int_equal(db_exec(db, "CREATE TABLE extra (x)", &e), 0);
    assert_int_equal(file_mode(f->path), 0640);
    assert_int_equal(file_mode(f->wal), 0640);
    db_close(db);
}

/* A rollback-journal file (a restored one) whose write lock another
 * process holds for a moment: the switch to WAL waits for it, as any
 * statement waits out a lock, instead of failing at once. */
static void switching_to_wal_waits_out_a_writer(void **state)
{
    struct fixture *f = *state;
    struct db *db;
    struct err e;
    int ready[2];
    char c;
    testdb_exec(f->path, "PRAGMA journal_mode=DELETE; CREATE TABLE t (x)");
    assert_int_equal(pipe(ready), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        sqlite3 *other;
        struct timespec hold = {0, 400 * 1000000L};
        if (sqlite3_open(f->path, &other) != SQLITE_OK ||
            sqlite3_exec(other, "BEGIN IMMEDIATE; INSERT INTO t VALUES (1)", NULL, NULL, NULL) != SQLITE_OK ||
            write(ready[1], "x", 1) != 1)
            _exit(1);
        nanosleep(&hold, NULL);
        _exit(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : 1);
    }
    close(ready[1]);
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    if (db_open(f->path, DB_READ_WRITE, &db, &e) < 0)
        fail_msg("%s", e.msg);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM t"), 1);
    char *mode = testdb_text(f->path, "PRAGMA journal_mode");
    assert_string_equal(mode, "wal");
    free(mode);
    db_close(db);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(a_second_connection_keeps_the_first_ones_locks),
        T(a_writer_never_joins_a_lock_free_view),
        T(read_only_changes_no_byte),
        T(a_failure_code_outlives_the_rollback),
        T(a_dangling_link_is_not_followed),
        T(a_link_to_a_database_is_refused),
        T(a_link_beside_the_database_is_not_followed),
        T(a_linked_directory_is_followed),
        T(new_files_are_private_whatever_the_umask),
        T(an_existing_database_keeps_its_mode),
        T(switching_to_wal_waits_out_a_writer),
    };
    return RUN_TAP(tests);
}
