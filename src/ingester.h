/* ingester — the stream client and the processor, started and stopped
 * together.
 *
 * Starting: bring the schema up to date (a database another system made
 * must be adopted with `migrate` first), become the stream's only
 * ingester (waiting, if asked to, while another process holds the write
 * lock), read the resume point, start the threads.  Stopping: the
 * client stops reading, the processor commits everything already
 * received, a last checkpoint runs, the stream is released.  Used by
 * `ingest` (headless) and by the live dashboard. */
#ifndef STREAMTOP_INGESTER_H
#define STREAMTOP_INGESTER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "maintain.h"

/* What the stream thread may hold ahead of the writer: about 15,000
 * typical events, several seconds of the writer's work. */
#define CHANNEL_MAX_BYTES (32u * 1024 * 1024)

/* How often a start waiting for another process's write lock logs that
 * it still waits. */
#define LOCK_NOTICE_MS 10000

struct ingester_config {
    const char *db_path;
    const char *url;
    const char *key;
    const char *ca_file;            /* NULL: the system's CA store */
    const char *stream_type;
    double stall_timeout_s;
    size_t max_line;
    size_t batch_events;
    int64_t batch_ms;
    /* When set, a start finding the write lock held by another process
     * waits for it (logging waiting_for_lock every LOCK_NOTICE_MS) until
     * it is free or *cancel becomes true; when NULL the start fails once the
     * connection's busy timeout runs out. */
    const atomic_bool *cancel;
    bool wait_on_stderr;            /* ... and says so on stderr too (a terminal
                                       whose screen is not up yet) */
    int64_t maintain_every_ms;      /* a retention pass this often; 0: never */
    bool leave_checkpoints;         /* Litestream's: no checkpoint thread, no TRUNCATE at stop */
    struct maintain_policy retention;
};

struct ingester;

int ingester_start(const struct ingester_config *cfg, struct ingester **out, struct err *e);

/* False, with e set, once a thread has stopped on an error. */
bool ingester_healthy(struct ingester *ig, struct err *e);

/* Stops everything cleanly (the open batch is committed) and frees it. */
void ingester_stop(struct ingester *ig);

#endif
