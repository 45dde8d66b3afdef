#include "config.h"

#include <stdio.h>
#include <string.h>

#include "store_metadata.h"

bool store_metadata_readable(struct db *db, char *why, size_t whysize)
{
    static const char *const cols[] = {"stream_type", "last_event_id", "last_processed_timestamp",
                                       "connection_status", "error_count", "last_error",
                                       "updated_at"};
    return db_require_columns(db, "stream_metadata", cols, sizeof cols / sizeof cols[0], why, whysize);
}

bool store_state_readable(struct db *db)
{
    char why[8];
    static const char *const cols[] = {"stream_type", "state", "timepoint_gaps", "ingester_seen_at"};
    return db_require_columns(db, "stream_state", cols, sizeof cols / sizeof cols[0], why, sizeof why);
}

static int read_metadata(struct db *db, const char *stream_type, struct snap_connection *c,
                         struct err *e)
{
    sqlite3_stmt *st = db_stmt(db,
        "SELECT last_event_id, last_processed_timestamp, connection_status, error_count, "
        "last_error, updated_at FROM stream_metadata WHERE stream_type = ?1 ORDER BY id LIMIT 1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, stream_type, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        db_column_copy(st, 0, c->last_event_id, sizeof c->last_event_id);
        c->last_processed_at = db_column_time(st, 1);
        db_column_copy(st, 2, c->status, sizeof c->status);
        c->error_count = sqlite3_column_int64(st, 3);
        db_column_copy(st, 4, c->last_error, sizeof c->last_error);
        c->updated_at = db_column_time(st, 5);
    } else if (rc == SQLITE_DONE) {
        snprintf(c->status, sizeof c->status, "disconnected");
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading stream_metadata");
}

static void read_state_row(sqlite3_stmt *st, struct snap_connection *c, struct snap_throughput *t)
{
    int i = 0;
    db_column_copy(st, i++, c->state, sizeof c->state);
    c->state_since = db_column_time(st, i++);
    db_column_copy(st, i++, c->endpoint, sizeof c->endpoint);
    c->connected_since = db_column_time(st, i++);
    c->next_attempt_at = db_column_time(st, i++);
    c->last_event_at = db_column_time(st, i++);
    c->last_heartbeat_at = db_column_time(st, i++);
    c->last_timepoint = sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, i);
    i++;
    c->last_published_at = db_column_time(st, i++);
    c->reconnects = sqlite3_column_int64(st, i++);
    c->timepoint_gaps = sqlite3_column_int64(st, i++);
    c->ingester_pid = sqlite3_column_int64(st, i++);
    db_column_copy(st, i++, c->ingester_host, sizeof c->ingester_host);
    c->ingester_started_at = db_column_time(st, i++);
    c->ingester_seen_at = db_column_time(st, i++);
    t->have_totals = true;
    t->received = sqlite3_column_int64(st, i++);
    t->changed = sqlite3_column_int64(st, i++);
    t->deleted = sqlite3_column_int64(st, i++);
    t->invalid = sqlite3_column_int64(st, i++);
    t->repeated = sqlite3_column_int64(st, i++);
    t->processed = sqlite3_column_int64(st, i++);
    t->failed = sqlite3_column_int64(st, i++);
    t->superseded = sqlite3_column_int64(st, i++);
    t->bytes = sqlite3_column_int64(st, i++);
}

static int read_state(struct db *db, const char *stream_type, struct snap_connection *c,
                      struct snap_throughput *t, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db,
        "SELECT state, state_since, endpoint, connected_since, next_attempt_at, last_event_at, "
        "last_heartbeat_at, last_timepoint, last_published_at, reconnects, timepoint_gaps, "
        "ingester_pid, ingester_host, ingester_started_at, ingester_seen_at, "
        "events_received, events_changed, events_deleted, events_invalid, events_repeated, "
        "events_processed, events_failed, events_superseded, bytes_received "
        "FROM stream_state WHERE stream_type = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, stream_type, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        c->have_state = true;
        read_state_row(st, c, t);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading stream_state");
}

int store_metadata_read(struct db *db, const char *stream_type, bool with_state,
                        struct snap_connection *c, struct snap_throughput *t, struct err *e)
{
    snprintf(c->stream_type, sizeof c->stream_type, "%s", stream_type);
    c->last_timepoint = -1;
    if (read_metadata(db, stream_type, c, e) < 0)
        return -1;
    if (with_state && read_state(db, stream_type, c, t, e) < 0)
        return -1;
    if (!c->have_state)
        snprintf(c->state, sizeof c->state, "%s",
                 strcmp(c->status, "connected") == 0 ? "connected" : "disconnected");
    return 0;
}
