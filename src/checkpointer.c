#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkpointer.h"
#include "log.h"
#include "timeutil.h"

/* How long to wait before another pass while the writer waits for one that
 * copies everything and a reader holds an old snapshot. */
#define PINNED_RETRY_MS 2

/* How long the writer waits for a pass once a reader has held passes back
 * for max_wait_ms: long enough for one to find the reader gone. */
#define PINNED_PROBE_MS 5

/* A WAL frame: SQLite's default page (the writer never changes it) and
 * the frame's header. */
#define WAL_PAGE_BYTES 4096
#define WAL_FRAME_HEADER_BYTES 24

struct checkpointer {
    struct checkpointer_config cfg;
    struct db *own;
    struct db *writer;
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;
    pthread_cond_t wake;      /* work for the thread */
    pthread_cond_t copied;    /* a pass copied every frame */
    bool stop;
    int wal_frames;           /* in the WAL after the writer's last commit */
    uint64_t commits;         /* seen by the hook */
    uint64_t pass_started_at; /* commits, when the last pass began */
    uint64_t copied_at;       /* commits, when a pass last copied every frame */
    int waiting;              /* writers in checkpointer_throttle() */
    int64_t pinned_since;     /* monotonic ms: passes held back by a reader, 0 if not */
    int last_error;           /* logged once until it changes */
    struct checkpointer_stats stats;
};

/* The writer's WAL hook: runs on its thread after each commit, with the
 * write lock already released. */
static int on_commit(void *arg, sqlite3 *handle, const char *schema, int frames)
{
    struct checkpointer *c = arg;
    (void)handle;
    (void)schema;
    pthread_mutex_lock(&c->lock);
    c->wal_frames = frames;
    c->commits++;
    if (frames >= c->cfg.start_frames)
        pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    return SQLITE_OK;
}

static bool have_work(const struct checkpointer *c)
{
    bool new_frames = c->commits != c->pass_started_at && c->wal_frames >= c->cfg.start_frames;
    bool writer_waits = c->waiting > 0 && c->copied_at != c->commits;
    return new_frames || writer_waits;
}

static void note_result(struct checkpointer *c, int rc)
{
    if (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == c->last_error) {
        if (rc == SQLITE_OK)
            c->last_error = SQLITE_OK;
        return;
    }
    c->last_error = rc;
    log_kv(LOG_WARN, "checkpoint_failed", "error", sqlite3_errmsg(db_handle(c->own)), NULL);
}

/* One passive checkpoint; called and returns with the lock held. */
static void run_pass(struct checkpointer *c)
{
    uint64_t seq = c->commits;
    int log_frames = -1, copied = -1;
    c->pass_started_at = seq;
    pthread_mutex_unlock(&c->lock);
    int rc = sqlite3_wal_checkpoint_v2(db_handle(c->own), NULL, SQLITE_CHECKPOINT_PASSIVE,
                                       &log_frames, &copied);
    pthread_mutex_lock(&c->lock);
    c->stats.passes++;
    note_result(c, rc);
    if (rc == SQLITE_OK && log_frames != copied && !c->pinned_since)
        c->pinned_since = time_mono_ms();
    if (rc == SQLITE_OK && log_frames == copied) {
        c->pinned_since = 0;
        c->stats.full_passes++;
        if (seq > c->copied_at)
            c->copied_at = seq;
        pthread_cond_broadcast(&c->copied);
    } else if (c->waiting > 0) {
        struct timespec ts;
        time_mono_deadline(&ts, PINNED_RETRY_MS);
        pthread_cond_timedwait(&c->wake, &c->lock, &ts);
    }
}

static void *checkpointer_main(void *arg)
{
    struct checkpointer *c = arg;
    pthread_mutex_lock(&c->lock);
    while (!c->stop) {
        if (have_work(c))
            run_pass(c);
        else
            pthread_cond_wait(&c->wake, &c->lock);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

/* A WAL a long reader made grow keeps its size after it rewinds unless
 * told otherwise: SQLite truncates it to this when it restarts it. */
static int limit_wal_file(struct checkpointer *c, struct err *e)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA journal_size_limit=%lld",
             (long long)c->cfg.wal_limit * (WAL_PAGE_BYTES + WAL_FRAME_HEADER_BYTES));
    return db_exec(c->writer, sql, e);
}

int checkpointer_start(const struct checkpointer_config *cfg, struct db *writer,
                       struct checkpointer **out, struct err *e)
{
    struct checkpointer *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return err_set(e, "out of memory"), -1;
    c->cfg = *cfg;
    c->writer = writer;
    pthread_mutex_init(&c->lock, NULL);
    time_mono_cond_init(&c->wake);
    time_mono_cond_init(&c->copied);
    if (db_open(cfg->db_path, DB_READ_WRITE, &c->own, e) < 0) {
        checkpointer_stop(c);
        return -1;
    }
    if (limit_wal_file(c, e) < 0) {
        checkpointer_stop(c);
        return -1;
    }
    sqlite3_wal_hook(db_handle(writer), on_commit, c);
    int rc = pthread_create(&c->thread, NULL, checkpointer_main, c);
    if (rc != 0) {
        err_set(e, "cannot start the checkpoint thread: %s", strerror(rc));
        checkpointer_stop(c);
        return -1;
    }
    c->started = true;
    *out = c;
    return 0;
}

int checkpointer_start_for_writer(const char *db_path, struct db *writer,
                                  bool leave_to_litestream, struct checkpointer **out,
                                  struct err *e)
{
    if (leave_to_litestream) {
        sqlite3_wal_autocheckpoint(db_handle(writer), 0);
        log_kv(LOG_INFO, "checkpoints_left_to_litestream", NULL);
        *out = NULL;
        return 0;
    }
    struct checkpointer_config cc = {
        .db_path = db_path, .start_frames = CHECKPOINT_START_FRAMES,
        .wal_limit = CHECKPOINT_WAL_LIMIT, .max_wait_ms = CHECKPOINT_MAX_WAIT_MS,
    };
    return checkpointer_start(&cc, writer, out, e);
}

bool checkpointer_throttle(struct checkpointer *c)
{
    if (!c)
        return true;
    pthread_mutex_lock(&c->lock);
    uint64_t target = c->commits;
    if (c->wal_frames < c->cfg.wal_limit || c->copied_at == target) {
        pthread_mutex_unlock(&c->lock);
        return true;
    }
    int64_t t0 = time_mono_ms();
    bool pinned = c->pinned_since && t0 - c->pinned_since >= c->cfg.max_wait_ms;
    struct timespec deadline;
    time_mono_deadline(&deadline, pinned ? PINNED_PROBE_MS : c->cfg.max_wait_ms);
    c->waiting++;
    pthread_cond_signal(&c->wake);
    while (c->copied_at < target && !c->stop)
        if (pthread_cond_timedwait(&c->copied, &c->lock, &deadline) == ETIMEDOUT) {
            if (pinned)
                c->stats.pinned_skips++;
            else
                c->stats.timeouts++;
            break;
        }
    c->waiting--;
    c->stats.throttles++;
    c->stats.throttle_ms += time_mono_ms() - t0;
    bool copied = c->copied_at >= target;
    pthread_mutex_unlock(&c->lock);
    return copied;
}

void checkpointer_stop(struct checkpointer *c)
{
    if (!c)
        return;
    if (c->started) {
        pthread_mutex_lock(&c->lock);
        c->stop = true;
        pthread_cond_broadcast(&c->wake);
        pthread_cond_broadcast(&c->copied);
        pthread_mutex_unlock(&c->lock);
        pthread_join(c->thread, NULL);
    }
    if (c->own)
        sqlite3_wal_autocheckpoint(db_handle(c->writer), CHECKPOINT_START_FRAMES);
    db_close(c->own);
    pthread_cond_destroy(&c->wake);
    pthread_cond_destroy(&c->copied);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

void checkpointer_stats(struct checkpointer *c, struct checkpointer_stats *out)
{
    pthread_mutex_lock(&c->lock);
    *out = c->stats;
    pthread_mutex_unlock(&c->lock);
}

void checkpointer_log_stats(struct checkpointer *c)
{
    struct checkpointer_stats cs;
    if (!c)
        return;
    checkpointer_stats(c, &cs);
    char passes[24], waits[24], waited[24], timeouts[24], pinned[24];
    snprintf(passes, sizeof passes, "%lld", (long long)cs.passes);
    snprintf(waits, sizeof waits, "%lld", (long long)cs.throttles);
    snprintf(waited, sizeof waited, "%lld", (long long)cs.throttle_ms);
    snprintf(timeouts, sizeof timeouts, "%lld", (long long)cs.timeouts);
    snprintf(pinned, sizeof pinned, "%lld", (long long)cs.pinned_skips);
    log_kv(LOG_INFO, "checkpoints", "passes", passes, "writer_waits", waits, "writer_waited_ms",
           waited, "timeouts", timeouts, "reader_pinned_waits", pinned, NULL);
}
