/* checkpointer: the WAL stays bounded under continuous writing, a reader
 * holding an old snapshot cuts the writer's wait short instead of blocking
 * it (once, not on every commit, and the WAL file shrinks back when it
 * leaves), and the writer gets SQLite's own checkpoint back when it stops. */
#include "config.h"

#include "unit.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "checkpointer.h"
#include "db.h"
#include "testdb.h"

#define PAGE 4096
#define ROWS_PER_COMMIT 10   /* each row fills most of a page: about 10 frames a commit */

struct fixture {
    char *dir, *path, *wal;
    struct db *writer;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct err e;
    f->dir = testdb_mkdtemp();
    f->path = testdb_path(f->dir, "test.db");
    f->wal = testdb_path(f->dir, "test.db-wal");
    assert_int_equal(db_open(f->path, DB_READ_WRITE, &f->writer, &e), 0);
    assert_int_equal(db_exec(f->writer, "CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB)", &e), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    db_close(f->writer);
    testdb_rmdir(f->dir);
    free(f->path);
    free(f->wal);
    free(f);
    return 0;
}

static void commit_rows(struct fixture *f)
{
    struct err e;
    assert_int_equal(db_exec(f->writer, "BEGIN IMMEDIATE", &e), 0);
    for (int i = 0; i < ROWS_PER_COMMIT; i++)
        assert_int_equal(db_exec(f->writer, "INSERT INTO t (b) VALUES (randomblob(3000))", &e), 0);
    assert_int_equal(db_exec(f->writer, "COMMIT", &e), 0);
}

static long wal_frames(const struct fixture *f)
{
    struct stat st;
    return stat(f->wal, &st) == 0 ? (long)(st.st_size / (PAGE + 24)) : 0;
}

static struct checkpointer *start(struct fixture *f, int limit, int64_t max_wait_ms)
{
    struct checkpointer_config cfg = {
        .db_path = f->path, .start_frames = 20, .wal_limit = limit, .max_wait_ms = max_wait_ms,
    };
    struct checkpointer *c;
    struct err e;
    if (checkpointer_start(&cfg, f->writer, &c, &e) < 0)
        fail_msg("%s", e.msg);
    return c;
}

/* 300 commits of about 10 frames would make a 3,000-frame WAL if it never
 * rewound; throttled at 200 it stays within a commit or two of that. */
static void the_wal_stays_bounded_under_continuous_writing(void **state)
{
    struct fixture *f = *state;
    struct checkpointer *c = start(f, 200, 5000);
    long largest = 0;
    for (int i = 0; i < 300; i++) {
        commit_rows(f);
        assert_true(checkpointer_throttle(c));
        if (wal_frames(f) > largest)
            largest = wal_frames(f);
    }
    struct checkpointer_stats s;
    checkpointer_stats(c, &s);
    checkpointer_stop(c);
    if (largest > 200 + 4 * ROWS_PER_COMMIT)
        fail_msg("the WAL grew to %ld frames", largest);
    assert_true(s.full_passes > 0);
    assert_true(s.throttles > 0);
    assert_int_equal(s.timeouts, 0);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM t"), 300 * ROWS_PER_COMMIT);
}

/* While a reader keeps an old snapshot no pass can copy everything: the
 * writer waits max_wait_ms, not for ever, and once the reader is done a
 * wait soon succeeds. */
static void a_reader_holding_a_snapshot_cuts_the_wait_short(void **state)
{
    struct fixture *f = *state;
    struct checkpointer *c = start(f, 50, 100);
    commit_rows(f);
    sqlite3 *reader;
    assert_int_equal(sqlite3_open(f->path, &reader), SQLITE_OK);
    assert_int_equal(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM t", NULL, NULL, NULL),
                     SQLITE_OK);
    for (int i = 0; i < 8; i++)
        commit_rows(f);
    assert_false(checkpointer_throttle(c));
    struct checkpointer_stats s;
    checkpointer_stats(c, &s);
    assert_int_equal(s.timeouts, 1);
    assert_int_equal(sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(reader);
    /* Held back for max_wait_ms, the writer now waits only briefly, for a
     * pass to find the reader gone: one soon does. */
    bool copied = false;
    for (int i = 0; i < 200 && !copied; i++)
        copied = checkpointer_throttle(c);
    assert_true(copied);
    checkpointer_stop(c);
}

/* A reader that stays costs the writer a wait or two, not one per commit: 40
 * commits past the limit waited 4 s here before (100 ms each).  When it
 * leaves, the WAL rewinds and its file is cut back to the limit. */
static void a_long_reader_costs_one_wait_and_the_wal_shrinks_after(void **state)
{
    struct fixture *f = *state;
    struct checkpointer *c = start(f, 50, 100);
    commit_rows(f);
    sqlite3 *reader;
    assert_int_equal(sqlite3_open(f->path, &reader), SQLITE_OK);
    assert_int_equal(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM t", NULL, NULL, NULL),
                     SQLITE_OK);
    for (int i = 0; i < 40; i++) {
        commit_rows(f);
        checkpointer_throttle(c);
    }
    struct checkpointer_stats s;
    checkpointer_stats(c, &s);
    if (s.throttle_ms > 600)
        fail_msg("the writer waited %lld ms in all", (long long)s.throttle_ms);
    assert_true(s.timeouts <= 2);   /* the pin is known a wait after it began */
    assert_true(s.pinned_skips > 0);
    long grown = wal_frames(f);
    assert_true(grown > 40 * ROWS_PER_COMMIT);
    assert_int_equal(sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(reader);
    for (int i = 0; i < 10; i++) {
        commit_rows(f);
        checkpointer_throttle(c);
    }
    checkpointer_stop(c);
    if (wal_frames(f) > 50 + 2 * ROWS_PER_COMMIT)
        fail_msg("the WAL file kept %ld frames (%ld with the reader)", wal_frames(f), grown);
}

/* Stopped, the writer checkpoints for itself again (every 1,000 frames),
 * so the WAL still rewinds. */
static void the_writer_checkpoints_again_once_stopped(void **state)
{
    struct fixture *f = *state;
    checkpointer_stop(start(f, 50, 100));
    long largest = 0;
    for (int i = 0; i < 300; i++) {
        commit_rows(f);
        if (wal_frames(f) > largest)
            largest = wal_frames(f);
    }
    if (largest > CHECKPOINT_START_FRAMES + 4 * ROWS_PER_COMMIT)
        fail_msg("the WAL grew to %ld frames", largest);
}

/* With Litestream replicating the WAL, the ingester's writer gets no
 * checkpointer and no automatic checkpoint: Litestream alone copies the
 * WAL back, so nothing of ours waits for or runs a checkpoint. */
static void litestream_leaves_the_writer_without_checkpoints(void **state)
{
    struct fixture *f = *state;
    struct checkpointer *c = NULL;
    struct err e;
    assert_int_equal(checkpointer_start_for_writer(f->path, f->writer, true, &c, &e), 0);
    assert_null(c);
    for (int i = 0; i < 200; i++) {
        commit_rows(f);
        assert_true(checkpointer_throttle(c));
    }
    /* SQLite's own checkpoint would have rewound it at 1,000 frames. */
    if (wal_frames(f) < 150 * ROWS_PER_COMMIT)
        fail_msg("the WAL was checkpointed: %ld frames", wal_frames(f));
    checkpointer_log_stats(c);
    checkpointer_stop(c);
}

/* Without Litestream the writer gets a checkpointer with the defaults. */
static void the_ingester_writer_gets_a_checkpointer(void **state)
{
    struct fixture *f = *state;
    struct checkpointer *c = NULL;
    struct err e;
    assert_int_equal(checkpointer_start_for_writer(f->path, f->writer, false, &c, &e), 0);
    assert_non_null(c);
    checkpointer_stop(c);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(the_wal_stays_bounded_under_continuous_writing),
        T(a_reader_holding_a_snapshot_cuts_the_wait_short),
        T(a_long_reader_costs_one_wait_and_the_wal_shrinks_after),
        T(the_writer_checkpoints_again_once_stopped),
        T(litestream_leaves_the_writer_without_checkpoints),
        T(the_ingester_writer_gets_a_checkpointer),
    };
    return RUN_TAP(tests);
}
