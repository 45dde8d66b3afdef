/* lockholder: another process holding a WAL database's write lock is
 * named by pid (its POSIX lock on the -shm, from /proc/locks) and by its
 * name; once it lets go, or when the database has no -shm, nobody is; and
 * looking never drops this process's own locks. */
#include "config.h"

#include <signal.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"

#include "lockholder.h"
#include "testdb.h"

struct fixture {
    char *dir, *path;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dir = testdb_mkdtemp();
    f->path = testdb_path(f->dir, "locked.db");
    testdb_exec(f->path, "PRAGMA journal_mode=WAL; CREATE TABLE t (x)");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    free(f->path);
    testdb_rmdir(f->dir);
    free(f);
    return 0;
}

/* A child that opens path, takes its write lock, says so on the pipe and
 * holds it until killed. */
static pid_t hold_write_lock(const char *path)
{
    int ready[2];
    char c;
    assert_int_equal(pipe(ready), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        sqlite3 *db;
        if (sqlite3_open(path, &db) != SQLITE_OK ||
            sqlite3_exec(db, "BEGIN IMMEDIATE; INSERT INTO t VALUES (1)", NULL, NULL, NULL) != SQLITE_OK)
            _exit(1);
        if (write(ready[1], "x", 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    close(ready[1]);
    assert_int_equal(read(ready[0], &c, 1), 1);
    close(ready[0]);
    return pid;
}

static void another_process_holding_the_lock_is_named(void **state)
{
    struct fixture *f = *state;
    char name[32];
    sqlite3 *mine;   /* keeps the -shm in place after the child goes */
    assert_int_equal(sqlite3_open(f->path, &mine), SQLITE_OK);
    assert_int_equal(sqlite3_exec(mine, "SELECT count(*) FROM t", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(lockholder_of_write_lock(f->path), 0);

    pid_t child = hold_write_lock(f->path);
    assert_int_equal(lockholder_of_write_lock(f->path), child);
    lockholder_process_name(child, name, sizeof name);
    assert_string_equal(name, "test_lockholder");

    kill(child, SIGKILL);
    assert_int_equal(waitpid(child, NULL, 0), child);
    assert_int_equal(lockholder_of_write_lock(f->path), 0);
    sqlite3_close(mine);
}

/* Whether another process can take path's write lock right now. */
static bool another_can_write(const char *path)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        sqlite3 *db;
        _exit(sqlite3_open(path, &db) == SQLITE_OK &&
              sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK ? 0 : 1);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* This process's own lock is not another's; and looking leaves it held
 * (closing a descriptor of the -shm would have dropped it). */
static void this_process_holding_it_is_not_another(void **state)
{
    struct fixture *f = *state;
    sqlite3 *mine;
    assert_int_equal(sqlite3_open(f->path, &mine), SQLITE_OK);
    assert_int_equal(sqlite3_exec(mine, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(lockholder_of_write_lock(f->path), 0);
    assert_false(another_can_write(f->path));
    sqlite3_exec(mine, "ROLLBACK", NULL, NULL, NULL);
    assert_true(another_can_write(f->path));
    sqlite3_close(mine);
}

/* The listing's edges: waiters, read locks, other files and ranges, an
 * open-ended range, this process, an OFD lock without a pid. */
static void a_listing_is_read_for_write_locks_on_the_byte(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        pid_t holder;
    } cases[] = {
        {"1: POSIX  ADVISORY  WRITE 321 fe:01:77 120 120\n", 321},
        {"1: POSIX  ADVISORY  WRITE 321 fe:01:77 100 EOF\n", 321},
        {"1: -> POSIX  ADVISORY  WRITE 321 fe:01:77 120 120\n", 0},
        {"1: POSIX  ADVISORY  READ 321 fe:01:77 120 120\n", 0},
        {"1: POSIX  ADVISORY  WRITE 321 fe:01:78 120 120\n", 0},
        {"1: POSIX  ADVISORY  WRITE 321 fe:02:77 120 120\n", 0},
        {"1: POSIX  ADVISORY  WRITE 321 fe:01:77 121 128\n", 0},
        {"1: POSIX  ADVISORY  WRITE 999 fe:01:77 120 120\n", 0},
        {"1: OFDLCK ADVISORY  WRITE -1 fe:01:77 120 120\n", 0},
        {"1: FLOCK  ADVISORY  WRITE 321 fe:01:77 120 120\n", 0},
        {"garbage\n", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *listing = fmemopen((void *)cases[i].line, strlen(cases[i].line), "r");
        assert_non_null(listing);
        pid_t got = lockholder_find(listing, makedev(0xfe, 1), 77, 120, 999);
        fclose(listing);
        if (got != cases[i].holder)
            fail_msg("%s: got %d, want %d", cases[i].line, (int)got, (int)cases[i].holder);
    }
}

static void no_shm_file_no_holder(void **state)
{
    (void)state;
    char name[32];
    assert_int_equal(lockholder_of_write_lock("/nonexistent/streamtop.db"), 0);
    lockholder_process_name(0, name, sizeof name);
    assert_string_equal(name, "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(another_process_holding_the_lock_is_named, setup, teardown),
        cmocka_unit_test_setup_teardown(this_process_holding_it_is_not_another, setup, teardown),
        cmocka_unit_test_setup_teardown(no_shm_file_no_holder, setup, teardown),
        cmocka_unit_test(a_listing_is_read_for_write_locks_on_the_byte),
    };
    return RUN_TAP(tests);
}
