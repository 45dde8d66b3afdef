#include "config.h"

#include <stdio.h>

#include "store_queue.h"

bool store_queue_readable(struct db *db, char *why, size_t whysize)
{
    static const char *const cols[] = {"status", "created_at", "priority", "event_log_id"};
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
     * partial indexes: their cost is the queue's depth, not its history. */
    sqlite3_stmt *st = db_stmt(db,
        "SELECT count(*), min(created_at) FROM processing_queue INDEXED BY idx_queue_pending "
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
