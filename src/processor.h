/* processor — the one thread that writes the database while ingesting.
 *
 * It takes the stream client's messages from the channel in batches (N
 * events or T ms, whichever first) and commits each batch in one
 * transaction, or in several when it outlasts BATCH_BUDGET_MS:
 *   - every event's stream_events_log row (raw JSON kept), applied to
 *     companies in the same transaction, so a healthy event is stored and
 *     processed with no queue row at all;
 *   - a failed processing_queue row for an event that could not be
 *     applied, and for each invalid line (kept under a synthetic id);
 *   - the resume point and counters (stream_state, stream_metadata);
 *   - every few seconds, the metric samples.
 * Every maintain_every_ms it runs a retention pass, one small transaction
 * between batches at a time, so the stream keeps its pace
 * (maintain_schedule.h).
 * A kill -9 at any moment therefore loses nothing committed, and a restart
 * resumes from the last committed timepoint; events stored already are
 * recognised by their id and skipped.
 *
 * Between batches it claims the events an operator put back to pending,
 * highest priority first, and applies them again (reapply.h).  A batch that fails for
 * a transient reason (the database busy, the disk full) is kept and
 * retried with backoff; nothing is dropped. */
#ifndef STREAMTOP_PROCESSOR_H
#define STREAMTOP_PROCESSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel.h"
#include "err.h"
#include "maintain.h"

#define METRICS_INTERVAL_MS 5000
/* SIGTERM ends the ingester within 10 s: this, then a second at most for
 * each of the lease's release and the last checkpoint (ingester.c). */
#define GIVE_UP_WHEN_STOPPING_MS 4000
/* A batch commits once its transaction has done this much work, the rest
 * in the next one: other writers (a retry, a maintain pass) never wait
 * long for the lock, and the longest commit stays near it. */
#define BATCH_BUDGET_MS 40

struct processor_config {
    const char *db_path;
    const char *stream_type;
    const char *worker_id;          /* "host:pid", recorded on queue rows */
    struct channel *in;
    size_t batch_events;
    int64_t batch_ms;
    int64_t batch_budget_us;        /* 0: BATCH_BUDGET_MS */
    int64_t metrics_interval_ms;
    int64_t resume_timepoint;       /* the newest timepoint already stored, or -1 */
    int64_t give_up_ms;             /* after a stop, stop retrying a failing commit
                                       after this long (0: GIVE_UP_WHEN_STOPPING_MS) */
    int64_t maintain_every_ms;      /* a retention pass (maintain.h) this often; 0: never */
    bool leave_checkpoints;         /* Litestream checkpoints: none of our own */
    struct maintain_policy retention;
};

struct processor;

int processor_start(const struct processor_config *cfg, struct processor **out, struct err *e);

/* Waits until the processor has drained the closed channel and stopped. */
void processor_join(struct processor *p);

/* Whether it stopped on an error it cannot get past; msg says which. */
bool processor_failed(struct processor *p, char *msg, size_t size);

#endif
