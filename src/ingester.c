#include "config.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "channel.h"
#include "curl_api.h"
#include "db.h"
#include "ingester.h"
#include "lockholder.h"
#include "log.h"
#include "processor.h"
#include "schema.h"
#include "store_metadata.h"
#include "stream_client.h"
#include "timeutil.h"

/* How long the lease's release and the last checkpoint each wait for a
 * lock at a stop, so that a database refusing writes holds a stop up by
 * seconds, not by the busy timeout twice over. */
#define STOP_BUSY_MS 1000

struct ingester {
    struct ingester_config cfg;
    struct db *db;                 /* for the lease */
    struct ingester_identity me;
    bool leased;                   /* the stream is ours: release it on stop */
    char worker_id[96];
    struct channel channel;
    bool channel_ready;
    atomic_bool stop;
    struct processor *processor;
    struct stream_client *client;
};

/* The ingester writes, so it brings a database it made up to date; one
 * made by another system is adopted only when an operator asks. */
static int prepare_schema(struct db *db, struct err *e)
{
    struct schema_state st;
    struct migrate_report r;
    if (schema_state(db, &st, e) < 0)
        return -1;
    if (!st.tracked && st.has_tables) {
        err_set(e, "%s was not made by streamtop: run `streamtop migrate --db %s` to adopt it first",
                db_path(db), db_path(db));
        return -1;
    }
    if (st.version == schema_latest_version())
        return 0;
    int rc = schema_migrate(db, schema_latest_version(), &r, e);
    migrate_report_free(&r);
    return rc;
}

static bool lock_held_elsewhere(struct db *db)
{
    return (db_failed_code(db) & 0xff) == SQLITE_BUSY;
}

/* Says, now and then, that another process's write lock holds the start
 * up, so an operator looking at the log knows why nothing happens. */
static void notice_lock_wait(struct ingester *ig, int64_t since, int64_t *next_notice)
{
    int64_t now = time_now_ms();
    if (now < *next_notice)
        return;
    char waited[32], holder[64] = "unknown", name[32];
    pid_t pid = lockholder_of_write_lock(ig->cfg.db_path);
    if (pid > 0) {
        lockholder_process_name(pid, name, sizeof name);
        snprintf(holder, sizeof holder, "%ld (%s)", (long)pid, name);
    }
    snprintf(waited, sizeof waited, "%lld", (long long)((now - since) / 1000));
    log_kv(LOG_WARN, "waiting_for_lock", "db", ig->cfg.db_path, "waited_s", waited,
           "reason", "another process holds the database's write lock", "holder", holder, NULL);
    if (ig->cfg.wait_on_stderr)
        fprintf(stderr, "streamtop: %s: waiting for the database's write lock, held by process %s "
                        "(%s s so far; Ctrl-C gives up)\n", ig->cfg.db_path, holder, waited);
    *next_notice = now + LOCK_NOTICE_MS;
}

/* Brings the schema up to date and takes the stream.  Both need the write
 * lock: when another process holds it (a long `retry`, an operator's
 * sqlite3 shell), this waits for it, each try under the connection's busy
 * timeout, until it is free or a stop is asked for. */
static int take_stream(struct ingester *ig, struct err *e)
{
    int64_t since = time_now_ms(), next_notice = 0;
    bool waited = false;
    while (prepare_schema(ig->db, e) < 0 ||
           store_state_acquire(ig->db, ig->cfg.stream_type, &ig->me, time_now_ms(), e) < 0) {
        if (!ig->cfg.cancel || !lock_held_elsewhere(ig->db))
            return -1;
        if (atomic_load(ig->cfg.cancel)) {
            err_set(e, "%s: stopped while waiting for another process's write lock", ig->cfg.db_path);
            return -1;
        }
        notice_lock_wait(ig, since, &next_notice);
        waited = true;
    }
    ig->leased = true;
    if (waited) {
        char secs[32];
        snprintf(secs, sizeof secs, "%lld", (long long)((time_now_ms() - since) / 1000));
        log_kv(LOG_INFO, "lock_acquired", "db", ig->cfg.db_path, "waited_s", secs, NULL);
    }
    return 0;
}

static int claim_stream(struct ingester *ig, int64_t *resume, struct err *e)
{
    ingester_identity_self(&ig->me);
    snprintf(ig->worker_id, sizeof ig->worker_id, "%s:%lld", ig->me.host, (long long)ig->me.pid);
    if (db_open(ig->cfg.db_path, DB_READ_WRITE, &ig->db, e) < 0 || take_stream(ig, e) < 0)
        return -1;
    return store_state_resume_point(ig->db, ig->cfg.stream_type, resume, e);
}

static int start_threads(struct ingester *ig, const struct curl_api *curl, int64_t resume,
                         struct err *e)
{
    channel_init(&ig->channel, CHANNEL_MAX_BYTES);
    ig->channel_ready = true;
    struct processor_config pc = {
        .db_path = ig->cfg.db_path, .stream_type = ig->cfg.stream_type, .worker_id = ig->worker_id,
        .in = &ig->channel, .batch_events = ig->cfg.batch_events, .batch_ms = ig->cfg.batch_ms,
        .metrics_interval_ms = METRICS_INTERVAL_MS, .resume_timepoint = resume,
        .maintain_every_ms = ig->cfg.maintain_every_ms, .retention = ig->cfg.retention,
        .leave_checkpoints = ig->cfg.leave_checkpoints,
    };
    if (processor_start(&pc, &ig->processor, e) < 0)
        return -1;
    struct stream_client_config sc = {
        .curl = curl, .url = ig->cfg.url, .key = ig->cfg.key, .ca_file = ig->cfg.ca_file,
        .stall_timeout_s = ig->cfg.stall_timeout_s, .max_line = ig->cfg.max_line,
        .resume_timepoint = resume, .out = &ig->channel, .stop = &ig->stop,
        .seed = (uint64_t)time_now_ms() ^ (uint64_t)ig->me.pid,
    };
    return stream_client_start(&sc, &ig->client, e);
}

int ingester_start(const struct ingester_config *cfg, struct ingester **out, struct err *e)
{
    struct ingester *ig = calloc(1, sizeof *ig);
    int64_t resume = -1;
    *out = NULL;
    if (!ig)
        return err_set(e, "out of memory"), -1;
    ig->cfg = *cfg;
    atomic_init(&ig->stop, false);
    const struct curl_api *curl = curl_api_load(e);
    if (!curl || claim_stream(ig, &resume, e) < 0 || start_threads(ig, curl, resume, e) < 0) {
        ingester_stop(ig);
        return -1;
    }
    char from[32];
    snprintf(from, sizeof from, "%lld", (long long)resume);
    log_kv(LOG_INFO, "ingester_started", "db", cfg->db_path, "worker", ig->worker_id,
           "resume_timepoint", resume >= 0 ? from : "none", NULL);
    *out = ig;
    return 0;
}

bool ingester_healthy(struct ingester *ig, struct err *e)
{
    char msg[512];
    if (ig->processor && processor_failed(ig->processor, msg, sizeof msg)) {
        err_set(e, "%s", msg);
        return false;
    }
    return true;
}

void ingester_stop(struct ingester *ig)
{
    if (!ig)
        return;
    atomic_store(&ig->stop, true);
    stream_client_join(ig->client);
    if (ig->channel_ready)
        channel_close(&ig->channel);
    processor_join(ig->processor);
    if (ig->channel_ready)
        channel_destroy(&ig->channel);
    struct err e;
    if (ig->db)
        db_set_busy_timeout(ig->db, STOP_BUSY_MS);
    /* A start that never took the stream has nothing to release, and must
     * not wait on a lock another process holds to say so. */
    if (ig->leased &&
        store_state_release(ig->db, ig->cfg.stream_type, &ig->me, time_now_ms(), &e) < 0)
        log_kv(LOG_WARN, "release_failed", "error", e.msg, NULL);
    /* Leave a short WAL behind; readers that still use it keep it whole.
     * Not under Litestream: a TRUNCATE checkpoint waits for its readers. */
    if (ig->leased && !ig->cfg.leave_checkpoints)
        sqlite3_wal_checkpoint_v2(db_handle(ig->db), NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
    db_close(ig->db);
    if (ig->leased)   /* otherwise nothing had started: the caller reports why */
        log_kv(LOG_INFO, "ingester_stopped", NULL);
    free(ig);
}
