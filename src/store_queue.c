#include "config.h"

#include <stdio.h>
#include <string.h>

#include "store_events.h"
#include "store_queue.h"

bool store_queue_readable(struct db *db, char *why, size_t whysize)
{
    static const char *const cols[] = {"status", "created_at", "priority", "event_log_id",
                                       "updated_at"};
    static const char *const indexes[] = {"idx_queue_pending", "idx_queue_processing"};
    if (!db_require_columns(db, "processing_queue", cols, sizeof cols / sizeof cols[0], why, whysize))
        return false;
    for (size_t i = 0; i < sizeof indexes / sizeof indexes[0]; i++) {
        if (!db_has_index(db, indexes[i])) {
            snprintf(why, whysize, "index %s is missing", indexes[i]);
            return false;
        }
    }
    return true;
}

int store_queue_read(struct db *db, struct snap_queue *q, struct err *e)
{
    /* Both scans cover only pending or processing rows, thanks to the
     * partial indexes: their cost is the queue's depth, not its history.
     * A pending row's updated_at is when it was queued or re-queued, so a
     * retry of an old failure starts its wait at zero. */
    sqlite3_stmt *st = db_stmt(db,
        "SELECT count(*), min(updated_at) FROM processing_queue INDEXED BY idx_queue_pending "
        "WHERE status = 'pending'", e);
    if (!st)
        return -1;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return db_fail(db, e, "counting pending events");
    }
    q->pending = sqlite3_column_int64(st, 0);
    q->oldest_pending_at = db_column_time(st, 1);
    sqlite3_reset(st);

    st = db_stmt(db, "SELECT count(*) FROM processing_queue INDEXED BY idx_queue_processing "
                     "WHERE status = 'processing'", e);
    if (!st)
        return -1;
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_reset(st);
        return db_fail(db, e, "counting events in processing");
    }
    q->processing = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return 0;
}

int store_queue_pending_count(struct db *db, int64_t *n, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM processing_queue INDEXED BY idx_queue_pending "
                                   "WHERE status = 'pending'", e);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : db_fail(db, e, "counting pending events");
}

int store_queue_record_failure(struct db *db, const struct queue_failure *f, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db,
        "INSERT INTO processing_queue (event_log_id, status, attempts, last_error, last_attempt_at, "
        "created_at, updated_at, worker_id, actual_duration) "
        "VALUES (?1, 'failed', 1, ?2, ?3, ?3, ?3, ?4, ?5) "
        "ON CONFLICT (event_log_id) DO UPDATE SET status = 'failed', attempts = attempts + 1, "
        "last_error = excluded.last_error, last_attempt_at = excluded.last_attempt_at, "
        "updated_at = excluded.updated_at, worker_id = excluded.worker_id, "
        "actual_duration = excluded.actual_duration", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, f->log_id);
    sqlite3_bind_text(st, 2, f->error, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, f->now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, f->worker_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, f->duration_us);
    return db_step_done(db, st, e, "recording a failed event");
}

int store_queue_resolve(struct db *db, int64_t log_id, const char *now, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE processing_queue SET status = 'done', updated_at = ?2 "
                                   "WHERE event_log_id = ?1 AND status = 'failed'", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, log_id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    return db_step_done(db, st, e, "closing a resolved event's queue row");
}

int store_queue_requeue(struct db *db, int64_t log_id, int priority, int64_t estimated_us,
                        const char *now, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db,
        "INSERT INTO processing_queue (event_log_id, status, priority, estimated_duration, "
        "created_at, updated_at) VALUES (?1, 'pending', ?2, ?3, ?4, ?4) "
        "ON CONFLICT (event_log_id) DO UPDATE SET status = 'pending', "
        "priority = max(coalesce(priority, 0), excluded.priority), "
        "estimated_duration = coalesce(actual_duration, excluded.estimated_duration), "
        "updated_at = excluded.updated_at", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, log_id);
    sqlite3_bind_int(st, 2, priority);
    sqlite3_bind_int64(st, 3, estimated_us);
    sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
    return db_step_done(db, st, e, "queueing an event for retry");
}

int store_queue_claim(struct db *db, int max, struct queued_event *out, int *n, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db,
        "SELECT id, event_log_id FROM processing_queue INDEXED BY idx_queue_pending "
        "WHERE status = 'pending' AND event_log_id IS NOT NULL "
        "ORDER BY priority DESC, id LIMIT ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, max);
    int rc;
    *n = 0;
    while (*n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        out[*n].queue_id = sqlite3_column_int64(st, 0);
        out[*n].log_id = sqlite3_column_int64(st, 1);
        (*n)++;
    }
    sqlite3_reset(st);
    return *n == max || rc == SQLITE_DONE ? 0 : db_fail(db, e, "claiming queued events");
}

int store_queue_done(struct db *db, const struct queue_done *d, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db,
        "UPDATE processing_queue SET status = 'done', attempts = attempts + 1, last_error = NULL, "
        "last_attempt_at = ?2, updated_at = ?2, worker_id = ?3, actual_duration = ?4 WHERE id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, d->queue_id);
    sqlite3_bind_text(st, 2, d->now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, d->worker_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, d->duration_us);
    return db_step_done(db, st, e, "completing a queued event");
}

int store_queue_entry(struct db *db, int64_t log_id, struct queue_entry *q, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT status, attempts, priority, created_at, updated_at, "
                                   "last_attempt_at, worker_id FROM processing_queue "
                                   "WHERE event_log_id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, log_id);
    int rc = sqlite3_step(st);
    memset(q, 0, sizeof *q);
    q->found = rc == SQLITE_ROW;
    if (q->found) {
        db_column_copy(st, 0, q->status, sizeof q->status);
        q->attempts = sqlite3_column_int64(st, 1);
        q->priority = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 2);
        q->created_at = db_column_time(st, 3);
        q->updated_at = db_column_time(st, 4);
        q->last_attempt_at = db_column_time(st, 5);
        db_column_copy(st, 6, q->worker_id, sizeof q->worker_id);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading a queue row");
}

int store_queue_prune_done(struct db *db, int64_t lo, int64_t hi, int64_t cutoff,
                           const char *keep_event_id, int *deleted, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db,
        "DELETE FROM processing_queue WHERE status = 'done' AND event_log_id > ?1 "
        "AND event_log_id <= ?2 AND event_log_id IN (SELECT id FROM stream_events_log "
        "WHERE " STREAM_EVENTS_MAY_LEAVE ")", e);
    if (!st)
        return -1;
    store_events_bind_may_leave(st, lo, hi, cutoff, keep_event_id);
    if (db_step_done(db, st, e, "deleting done queue rows") < 0)
        return -1;
    *deleted = sqlite3_changes(db_handle(db));
    return 0;
}
