/* Faults below SQLite: a VFS shim wraps the real one and makes writes to
 * the WAL fail (disk full, I/O error) or the write lock busy, a given
 * number of times, then clears.  The writer must commit each batch exactly
 * once after a transient failure (no event lost, none stored or counted
 * twice), and stop on a fatal one instead of retrying it for ever. */
#include "config.h"

#include "unit.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "processor.h"
#include "schema.h"
#include "testdb.h"
#include "timeutil.h"

/* ---- the shim ---- */

struct fault_file {
    sqlite3_file base;
    sqlite3_file *real;     /* the real VFS's file, right behind this struct */
    bool wal;
};

static sqlite3_vfs *real_vfs;
static sqlite3_vfs fault_vfs;
static atomic_int wal_writes_to_fail, wal_write_rc, write_locks_to_refuse;
static atomic_int wal_writes_failed, write_locks_refused;

#define REAL(f) (((struct fault_file *)(f))->real)
#define WAL_WRITE_LOCK 0   /* the shm lock slot a WAL writer takes exclusively */

static bool take_one(atomic_int *left)
{
    int n = atomic_load(left);
    while (n > 0 && !atomic_compare_exchange_weak(left, &n, n - 1))
        ;
    return n > 0;
}

static int f_close(sqlite3_file *f) { return REAL(f)->pMethods->xClose(REAL(f)); }
static int f_read(sqlite3_file *f, void *b, int n, sqlite3_int64 o) { return REAL(f)->pMethods->xRead(REAL(f), b, n, o); }
static int f_write(sqlite3_file *f, const void *b, int n, sqlite3_int64 o)
{
    if (((struct fault_file *)f)->wal && take_one(&wal_writes_to_fail)) {
        atomic_fetch_add(&wal_writes_failed, 1);
        return atomic_load(&wal_write_rc);
    }
    return REAL(f)->pMethods->xWrite(REAL(f), b, n, o);
}
static int f_truncate(sqlite3_file *f, sqlite3_int64 s) { return REAL(f)->pMethods->xTruncate(REAL(f), s); }
static int f_sync(sqlite3_file *f, int fl) { return REAL(f)->pMethods->xSync(REAL(f), fl); }
static int f_size(sqlite3_file *f, sqlite3_int64 *s) { return REAL(f)->pMethods->xFileSize(REAL(f), s); }
static int f_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int f_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int f_reserved(sqlite3_file *f, int *r) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), r); }
static int f_control(sqlite3_file *f, int op, void *a) { return REAL(f)->pMethods->xFileControl(REAL(f), op, a); }
static int f_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int f_device(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int f_shm_map(sqlite3_file *f, int p, int s, int w, void volatile **m) { return REAL(f)->pMethods->xShmMap(REAL(f), p, s, w, m); }
static int f_shm_lock(sqlite3_file *f, int ofst, int n, int flags)
{
    if (ofst == WAL_WRITE_LOCK && (flags & SQLITE_SHM_LOCK) && (flags & SQLITE_SHM_EXCLUSIVE) &&
        take_one(&write_locks_to_refuse)) {
        atomic_fetch_add(&write_locks_refused, 1);
        return SQLITE_BUSY;
    }
    return REAL(f)->pMethods->xShmLock(REAL(f), ofst, n, flags);
}
static void f_shm_barrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int f_shm_unmap(sqlite3_file *f, int d) { return REAL(f)->pMethods->xShmUnmap(REAL(f), d); }
static int f_fetch(sqlite3_file *f, sqlite3_int64 o, int n, void **p) { return REAL(f)->pMethods->xFetch(REAL(f), o, n, p); }
static int f_unfetch(sqlite3_file *f, sqlite3_int64 o, void *p) { return REAL(f)->pMethods->xUnfetch(REAL(f), o, p); }

static const sqlite3_io_methods fault_methods = {
    3, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock, f_unlock, f_reserved,
    f_control, f_sector, f_device, f_shm_map, f_shm_lock, f_shm_barrier, f_shm_unmap,
    f_fetch, f_unfetch,
};

static int f_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out)
{
    struct fault_file *f = (struct fault_file *)file;
    (void)vfs;
    f->real = (sqlite3_file *)(f + 1);
    f->wal = (flags & SQLITE_OPEN_WAL) != 0;
    int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out);
    f->base.pMethods = rc == SQLITE_OK && f->real->pMethods ? &fault_methods : NULL;
    return rc;
}

/* Every connection opened from here on goes through the shim. */
static void install_shim(void)
{
    if (real_vfs)
        return;
    real_vfs = sqlite3_vfs_find(NULL);
    fault_vfs = *real_vfs;
    fault_vfs.zName = "fault";
    fault_vfs.szOsFile = (int)sizeof(struct fault_file) + real_vfs->szOsFile;
    fault_vfs.xOpen = f_open;
    sqlite3_vfs_register(&fault_vfs, 1);
}

static void clear_faults(void)
{
    atomic_store(&wal_writes_to_fail, 0);
    atomic_store(&write_locks_to_refuse, 0);
    atomic_store(&wal_writes_failed, 0);
    atomic_store(&write_locks_refused, 0);
}

/* ---- the writer ---- */

struct fixture {
    char *dir, *path;
    struct channel channel;
    struct processor *p;
    atomic_bool stop;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    clear_faults();
    f->dir = testdb_mkdtemp();
    f->path = testdb_path(f->dir, "faults.db");
    testdb_migrate(f->path, schema_latest_version());
    testdb_exec(f->path, "INSERT INTO stream_state (stream_type) VALUES ('company-profile')");
    install_shim();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    clear_faults();
    testdb_rmdir(f->dir);
    free(f->path);
    free(f);
    return 0;
}

static void start(struct fixture *f)
{
    struct err e;
    channel_init(&f->channel, 1 << 24);
    struct processor_config cfg = {
        .db_path = f->path, .stream_type = "company-profile", .worker_id = "test:1",
        .in = &f->channel, .batch_events = 100, .batch_ms = 20,
        .metrics_interval_ms = 60000, .resume_timepoint = -1, .give_up_ms = 300,
    };
    if (processor_start(&cfg, &f->p, &e) < 0)
        fail_msg("processor_start: %s", e.msg);
}

/* Stops the writer; returns whether it stopped on a fatal error. */
static bool finish(struct fixture *f, char *msg, size_t size)
{
    channel_close(&f->channel);
    bool failed = processor_failed(f->p, msg, size);
    processor_join(f->p);
    channel_destroy(&f->channel);
    return failed;
}

static void push_events(struct fixture *f, int n)
{
    for (int tp = 1; tp <= n; tp++) {
        char line[512];
        struct err e;
        struct ingest_msg *m = calloc(1, sizeof *m);
        snprintf(line, sizeof line,
                 "{\"resource_kind\":\"company-profile\",\"resource_id\":\"%08d\",\"data\":{"
                 "\"company_number\":\"%08d\",\"company_name\":\"CO %d LTD\"},\"event\":{"
                 "\"timepoint\":%d,\"published_at\":\"2026-11-24T10:00:00Z\",\"type\":\"changed\"}}",
                 tp, tp, tp, tp);
        m->kind = MSG_EVENT;
        m->at = time_now_ms();
        m->bytes = strlen(line) + 1;
        if (event_decode(line, strlen(line), &m->event, &e) < 0)
            fail_msg("%s", e.msg);
        assert_int_equal(channel_push(&f->channel, m, &f->stop), 0);
    }
}

static long long stored(const struct fixture *f)
{
    return testdb_int(f->path, "SELECT count(*) FROM stream_events_log");
}

static void wait_stored(const struct fixture *f, long long n)
{
    for (int i = 0; i < 400 && stored(f) < n; i++) {
        struct timespec pause = {0, 25 * 1000000L};
        nanosleep(&pause, NULL);
    }
}

/* n events stored once each, applied, and counted once. */
static void expect_exactly_once(const struct fixture *f, long long n)
{
    assert_int_equal(stored(f), n);
    assert_int_equal(testdb_int(f->path, "SELECT count(DISTINCT event_id) FROM stream_events_log"), n);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM companies"), n);
    assert_int_equal(testdb_int(f->path, "SELECT events_received FROM stream_state"), n);
    assert_int_equal(testdb_int(f->path, "SELECT events_processed FROM stream_state"), n);
    assert_int_equal(testdb_int(f->path, "SELECT last_timepoint FROM stream_state"), n);
}

static void transient_write_failure(struct fixture *f, int rc)
{
    char msg[512];
    atomic_store(&wal_write_rc, rc);
    atomic_store(&wal_writes_to_fail, 3);
    start(f);
    push_events(f, 50);
    wait_stored(f, 50);
    assert_false(finish(f, msg, sizeof msg));
    assert_int_equal(atomic_load(&wal_writes_failed), 3);
    expect_exactly_once(f, 50);
}

static void a_full_disk_that_frees_up_commits_each_batch_once(void **state)
{
    transient_write_failure(*state, SQLITE_FULL);
}

static void an_io_error_that_passes_commits_each_batch_once(void **state)
{
    transient_write_failure(*state, SQLITE_IOERR_WRITE);
}

static void a_busy_database_that_clears_commits_each_batch_once(void **state)
{
    struct fixture *f = *state;
    char msg[512];
    atomic_store(&write_locks_to_refuse, 25);
    start(f);
    push_events(f, 50);
    wait_stored(f, 50);
    assert_false(finish(f, msg, sizeof msg));
    assert_int_equal(atomic_load(&write_locks_refused), 25);
    expect_exactly_once(f, 50);
}

/* A file that refuses writes for good: the writer stops and says why
 * rather than retrying, and nothing of the batch is half stored. */
static void a_read_only_file_is_fatal(void **state)
{
    struct fixture *f = *state;
    char msg[512];
    start(f);
    atomic_store(&wal_write_rc, SQLITE_READONLY);
    atomic_store(&wal_writes_to_fail, 1000000);
    push_events(f, 10);
    for (int i = 0; i < 400 && !processor_failed(f->p, msg, sizeof msg); i++) {
        struct timespec pause = {0, 25 * 1000000L};
        nanosleep(&pause, NULL);
    }
    assert_true(finish(f, msg, sizeof msg));
    clear_faults();
    assert_int_equal(stored(f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
        T(a_full_disk_that_frees_up_commits_each_batch_once),
        T(an_io_error_that_passes_commits_each_batch_once),
        T(a_busy_database_that_clears_commits_each_batch_once),
        T(a_read_only_file_is_fatal),
    };
    return RUN_TAP(tests);
}
