/* store_queue — all SQL on processing_queue: the work outstanding on
 * stream events (pending, being processed, failed). */
#ifndef STREAMTOP_STORE_QUEUE_H
#define STREAMTOP_STORE_QUEUE_H

#include "db.h"
#include "err.h"
#include "readings.h"

bool store_queue_readable(struct db *db, char *why, size_t whysize);

/* Pending and processing counts, and when the longest-waiting pending row
 * was queued or re-queued. */
int store_queue_read(struct db *db, struct snap_queue *q, struct err *e);

/* The priority of an event an operator retried (the seed's default is 5;
 * higher is claimed first). */
#define QUEUE_RETRY_PRIORITY 10

/* Pending rows: a cheap count for the queue_depth metric. */
int store_queue_pending_count(struct db *db, int64_t *n, struct err *e);

/* Records a failed attempt at the event log_id: inserts its queue row, or
 * updates it (attempts + 1) when it has one. */
struct queue_failure {
    int64_t log_id;
    const char *error;
    const char *worker_id;
    int64_t duration_us;
    const char *now;
};
int store_queue_record_failure(struct db *db, const struct queue_failure *f, struct err *e);

/* Puts the event log_id back to pending with priority (creating its queue
 * row if it had none), for the processor to apply again.  Its estimated
 * duration is its last attempt's, else estimated_us. */
int store_queue_requeue(struct db *db, int64_t log_id, int priority, int64_t estimated_us,
                        const char *now, struct err *e);

/* Closes the failed queue row of the event log_id, which an operator
 * resolved: 'done', so no worker looks at it again, its attempts and last
 * error kept. */
int store_queue_resolve(struct db *db, int64_t log_id, const char *now, struct err *e);

/* Pending rows, highest priority first then oldest. */
struct queued_event {
    int64_t queue_id;
    int64_t log_id;
};
int store_queue_claim(struct db *db, int max, struct queued_event *out, int *n, struct err *e);

/* A retried event was applied: its row stays, marked done, so the attempts,
 * worker and duration of the retry remain on record. */
struct queue_done {
    int64_t queue_id;
    const char *now;            /* ISO 8601 UTC */
    const char *worker_id;
    int64_t duration_us;
};
int store_queue_done(struct db *db, const struct queue_done *d, struct err *e);

/* The queue row of the event log_id, for the details dialog. */
struct queue_entry {
    bool found;
    char status[16];
    int64_t attempts;
    int64_t priority;             /* -1: the column is missing */
    int64_t created_at, updated_at, last_attempt_at;   /* Unix ms */
    char worker_id[64];
};
int store_queue_entry(struct db *db, int64_t log_id, struct queue_entry *q, struct err *e);

/* Deletes the done rows of events with log ids in (lo, hi] that
 * store_events_prune() will delete (same cutoff and kept event). */
int store_queue_prune_done(struct db *db, int64_t lo, int64_t hi, int64_t cutoff,
                           const char *keep_event_id, int *deleted, struct err *e);

#endif
