#include "config.h"

#include <stdio.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "humanfmt.h"
#include "store_metadata.h"
#include "timeutil.h"

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
        snprintf(c->status, sizeof c->status, "%s", conn_state_seed_status(CONN_DISCONNECTED));
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading stream_metadata");
}

/* A reader cannot tell a stuck writer from a dead one by the database
 * alone: both stop committing.  On the writer's own host the process
 * table can. */
static enum ingester_process process_of(int64_t pid, const char *host)
{
    char here[64];
    if (pid <= 0 || gethostname(here, sizeof here) < 0)
        return INGESTER_ELSEWHERE;
    here[sizeof here - 1] = '\0';
    if (strcmp(here, host) != 0)
        return INGESTER_ELSEWHERE;
    return kill((pid_t)pid, 0) == 0 || errno == EPERM ? INGESTER_RUNNING : INGESTER_GONE;
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
    c->ingester_process = process_of(c->ingester_pid, c->ingester_host);
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

/* A state written by an ingester whose process has gone (kill -9, or a
 * release that failed on a lock as it exited) is no longer true: nobody
 * holds a connection.  It was last true when the ingester last committed. */
static void forget_state_of_the_dead(struct snap_connection *c)
{
    if (!c->have_state || c->ingester_pid <= 0 || c->ingester_process != INGESTER_GONE ||
        c->conn == CONN_DISCONNECTED)
        return;
    c->conn = CONN_DISCONNECTED;
    snprintf(c->state, sizeof c->state, "%s", conn_state_name(CONN_DISCONNECTED));
    snprintf(c->status, sizeof c->status, "%s", conn_state_seed_status(CONN_DISCONNECTED));
    if (c->ingester_seen_at > c->state_since)
        c->state_since = c->ingester_seen_at;
    c->connected_since = 0;
    c->next_attempt_at = 0;
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
                 conn_state_name(conn_state_from_seed_status(c->status)));
    c->conn = conn_state_parse(c->state);
    forget_state_of_the_dead(c);
    return 0;
}

bool store_rates_readable(struct db *db)
{
    char why[8];
    static const char *const cols[] = {"stream_type", "slot", "at", "stored", "drained", "buffered"};
    return db_require_columns(db, "stream_rate_points", cols, sizeof cols / sizeof cols[0], why,
                              sizeof why);
}

int store_rates_read(struct db *db, const char *stream_type, struct rate_point *points, int *n,
                     struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT at, stored, drained, buffered FROM stream_rate_points "
                                   "WHERE stream_type = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, stream_type, -1, SQLITE_STATIC);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < RATE_POINTS) {
        struct rate_point *p = &points[*n];
        p->at = db_column_time(st, 0);
        p->stored = sqlite3_column_int64(st, 1);
        p->drained = sqlite3_column_int64(st, 2);
        p->buffered = sqlite3_column_int64(st, 3);
        if (p->at)
            (*n)++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading stream_rate_points");
}

/* ---- writing ---- */

static void bind_time(sqlite3_stmt *st, int i, int64_t ms)
{
    char buf[ISO_TIME_LEN];
    if (ms)
        sqlite3_bind_text(st, i, time_format_iso(ms, buf), -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

int store_rates_mark(struct db *db, const char *stream_type, int64_t buffered, int64_t now,
                     struct err *e)
{
    sqlite3_stmt *st = db_stmt(db,
        "INSERT OR REPLACE INTO stream_rate_points (stream_type, slot, at, stored, drained, buffered) "
        "SELECT stream_type, ?2, ?3, events_received, events_processed + events_failed, ?4 "
        "FROM stream_state WHERE stream_type = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, stream_type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, now / 1000 % RATE_POINTS);
    bind_time(st, 3, now);
    sqlite3_bind_int64(st, 4, buffered);
    return db_step_done(db, st, e, "recording the stream's counters");
}

static int apply_counters(struct db *db, const char *stream_type, const struct state_delta *d,
                          int64_t now, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db,
        "UPDATE stream_state SET events_received = events_received + ?2, "
        "events_changed = events_changed + ?3, events_deleted = events_deleted + ?4, "
        "events_invalid = events_invalid + ?5, events_repeated = events_repeated + ?6, "
        "events_processed = events_processed + ?7, events_failed = events_failed + ?8, "
        "events_superseded = events_superseded + ?9, bytes_received = bytes_received + ?10, "
        "reconnects = reconnects + ?11, timepoint_gaps = timepoint_gaps + ?12, "
        "last_timepoint = coalesce(?13, last_timepoint), "
        "last_published_at = coalesce(?14, last_published_at), "
        "last_event_at = coalesce(?15, last_event_at), "
        "last_heartbeat_at = coalesce(?16, last_heartbeat_at), "
        "ingester_seen_at = ?17, updated_at = ?17 WHERE stream_type = ?1", e);
    if (!st)
        return -1;
    const int64_t counters[] = {d->received, d->changed, d->deleted, d->invalid, d->repeated,
                                d->processed, d->failed, d->superseded, d->bytes, d->reconnects,
                                d->gaps};
    sqlite3_bind_text(st, 1, stream_type, -1, SQLITE_STATIC);
    for (int i = 0; i < (int)(sizeof counters / sizeof counters[0]); i++)
        sqlite3_bind_int64(st, 2 + i, counters[i]);
    if (d->last_timepoint >= 0)
        sqlite3_bind_int64(st, 13, d->last_timepoint);
    bind_time(st, 14, d->last_published_at);
    bind_time(st, 15, d->last_event_at);
    bind_time(st, 16, d->last_heartbeat_at);
    bind_time(st, 17, now);
    return db_step_done(db, st, e, "updating stream_state");
}

static int apply_connection(struct db *db, const char *stream_type, const struct state_delta *d,
                            struct err *e)
{
    /* state_since moves only when the stream goes up or down: an outage
     * that cycles between connecting and backing off is one outage, and
     * its length is what health judges. */
    sqlite3_stmt *st = db_stmt(db,
        "UPDATE stream_state SET state = ?2, "
        "state_since = CASE WHEN ?8 = 0 AND state_since IS NOT NULL AND state IS NOT NULL AND "
        "(state = ?7) = (?2 = ?7) THEN state_since ELSE ?3 END, "
        "endpoint = coalesce(?4, endpoint), connected_since = ?5, next_attempt_at = ?6 "
        "WHERE stream_type = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, stream_type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, conn_state_name(d->state), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, conn_state_name(CONN_CONNECTED), -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 8, d->went_up_or_down);
    bind_time(st, 3, d->state_since);
    sqlite3_bind_text(st, 4, d->endpoint, -1, SQLITE_STATIC);
    bind_time(st, 5, d->connected_since);
    bind_time(st, 6, d->next_attempt_at);
    return db_step_done(db, st, e, "updating stream_state");
}

static int apply_metadata(struct db *db, const char *stream_type, const struct state_delta *d,
                          int64_t now, struct err *e)
{
    char event_id[64];
    sqlite3_stmt *st = db_stmt(db,
        "UPDATE stream_metadata SET last_event_id = coalesce(?2, last_event_id), "
        "last_processed_timestamp = coalesce(?3, last_processed_timestamp), "
        "connection_status = coalesce(?4, connection_status), "
        "error_count = coalesce(error_count, 0) + ?5, last_error = coalesce(?6, last_error), "
        "updated_at = ?7 "
        "WHERE id = (SELECT id FROM stream_metadata WHERE stream_type = ?1 ORDER BY id LIMIT 1)", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, stream_type, -1, SQLITE_STATIC);
    if (d->last_timepoint >= 0) {
        snprintf(event_id, sizeof event_id, "%s:%lld", stream_type, (long long)d->last_timepoint);
        sqlite3_bind_text(st, 2, event_id, -1, SQLITE_TRANSIENT);
    }
    bind_time(st, 3, d->processed_events ? now : 0);
    if (d->state_changed)
        sqlite3_bind_text(st, 4, conn_state_seed_status(d->state), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, d->errors);
    sqlite3_bind_text(st, 6, d->last_error, -1, SQLITE_STATIC);
    bind_time(st, 7, now);
    return db_step_done(db, st, e, "updating stream_metadata");
}

int store_state_apply(struct db *db, const char *stream_type, const struct state_delta *d,
                      int64_t now, struct err *e)
{
    if (apply_counters(db, stream_type, d, now, e) < 0 ||
        (d->state_changed && apply_connection(db, stream_type, d, e) < 0))
        return -1;
    return apply_metadata(db, stream_type, d, now, e);
}

int store_state_resume_point(struct db *db, const char *stream_type, int64_t *timepoint,
                             struct err *e)
{
    sqlite3_stmt *st = db_stmt(db,
        "SELECT coalesce((SELECT last_timepoint FROM stream_state WHERE stream_type = ?1), "
        "(SELECT CAST(substr(last_event_id, length(?1) + 2) AS INTEGER) FROM stream_metadata "
        " WHERE stream_type = ?1 AND last_event_id LIKE ?1 || ':%' ORDER BY id LIMIT 1), -1)", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, stream_type, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *timepoint = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : db_fail(db, e, "reading the resume point");
}

static int ensure_rows(struct db *db, const char *stream_type, int64_t now, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "INSERT OR IGNORE INTO stream_state (stream_type) VALUES (?1)", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, stream_type, -1, SQLITE_STATIC);
    if (db_step_done(db, st, e, "creating the stream_state row") < 0)
        return -1;
    st = db_stmt(db, "INSERT INTO stream_metadata (stream_type, created_at, updated_at) "
                     "SELECT ?1, ?2, ?2 WHERE NOT EXISTS "
                     "(SELECT 1 FROM stream_metadata WHERE stream_type = ?1)", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, stream_type, -1, SQLITE_STATIC);
    bind_time(st, 2, now);
    return db_step_done(db, st, e, "creating the stream_metadata row");
}

void ingester_identity_self(struct ingester_identity *me)
{
    me->pid = getpid();
    if (gethostname(me->host, sizeof me->host) < 0)
        snprintf(me->host, sizeof me->host, "localhost");
    me->host[sizeof me->host - 1] = '\0';
}

/* Whether the recorded ingester may still be running. */
static bool holder_alive(const struct ingester_identity *me, int64_t pid, const char *host,
                         int64_t seen_at, int64_t now)
{
    bool recent = seen_at && now - seen_at < INGESTER_LEASE_S * 1000;
    if (strcmp(host, me->host) != 0)
        return recent;
    if (pid == me->pid)
        return false;   /* a previous run of this very process id: gone */
    return recent && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* *held: another live ingester has the stream; e then says which. */
static int check_holder(struct db *db, const char *stream_type, const struct ingester_identity *me,
                        int64_t now, bool *held, struct err *e)
{
    *held = false;
    sqlite3_stmt *st = db_stmt(db, "SELECT ingester_pid, ingester_host, ingester_started_at, "
                                   "ingester_seen_at FROM stream_state WHERE stream_type = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, stream_type, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st), result = 0;
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
        int64_t pid = sqlite3_column_int64(st, 0), seen = db_column_time(st, 3);
        char host[64], since[64], age[HUMAN_LEN];
        db_column_copy(st, 1, host, sizeof host);
        db_column_copy(st, 2, since, sizeof since);
        if (holder_alive(me, pid, host, seen, now)) {
            err_set(e, "%s: another streamtop is ingesting this stream: pid %lld on %s since %s, "
                       "last seen %s; stop it first (a vanished one is taken over after %d s)",
                    db_path(db), (long long)pid, host, since,
                    human_age((now - seen) / 1000, age), INGESTER_LEASE_S);
            *held = true;
        }
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        result = db_fail(db, e, "reading stream_state");
    }
    sqlite3_reset(st);
    return result;
}

int store_state_acquire(struct db *db, const char *stream_type, const struct ingester_identity *me,
                        int64_t now, struct err *e)
{
    bool held;
    if (db_begin_write(db, e) < 0)
        return -1;
    if (ensure_rows(db, stream_type, now, e) < 0 ||
        check_holder(db, stream_type, me, now, &held, e) < 0 || held)
        goto failed;
    sqlite3_stmt *st = db_stmt(db, "UPDATE stream_state SET ingester_pid = ?2, ingester_host = ?3, "
                                   "ingester_started_at = ?4, ingester_seen_at = ?4, "
                                   "updated_at = ?4 WHERE stream_type = ?1", e);
    if (!st)
        goto failed;
    sqlite3_bind_text(st, 1, stream_type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, me->pid);
    sqlite3_bind_text(st, 3, me->host, -1, SQLITE_STATIC);
    bind_time(st, 4, now);
    if (db_step_done(db, st, e, "claiming the stream") < 0 || db_commit(db, e) < 0)
        goto failed;
    return 0;
failed:
    db_rollback(db);
    return -1;
}

int store_state_held(struct db *db, const char *stream_type, const struct ingester_identity *me,
                     int64_t now, bool *held, struct err *e)
{
    struct err who;
    if (check_holder(db, stream_type, me, now, held, &who) < 0) {
        *e = who;
        return -1;
    }
    return 0;
}

/* The stream without an ingester: no owner, disconnected, no counter
 * readings.  me NULL: whoever owned it. */
static int release(struct db *db, const char *stream_type, const struct ingester_identity *me,
                   int64_t now, struct err *e)
{
    sqlite3_stmt *st = me
        ? db_stmt(db,
            "UPDATE stream_state SET ingester_pid = NULL, ingester_host = NULL, "
            "ingester_started_at = NULL, ingester_seen_at = NULL, state = 'disconnected', "
            "state_since = ?4, connected_since = NULL, next_attempt_at = NULL, updated_at = ?4 "
            "WHERE stream_type = ?1 AND ingester_pid = ?2 AND ingester_host = ?3", e)
        : db_stmt(db,
            "UPDATE stream_state SET ingester_pid = NULL, ingester_host = NULL, "
            "ingester_started_at = NULL, ingester_seen_at = NULL, state = 'disconnected', "
            "state_since = ?4, connected_since = NULL, next_attempt_at = NULL, updated_at = ?4 "
            "WHERE stream_type = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, stream_type, -1, SQLITE_STATIC);
    if (me) {
        sqlite3_bind_int64(st, 2, me->pid);
        sqlite3_bind_text(st, 3, me->host, -1, SQLITE_STATIC);
    }
    bind_time(st, 4, now);
    if (db_step_done(db, st, e, "releasing the stream") < 0)
        return -1;
    if (store_rates_readable(db)) {
        st = db_stmt(db, "DELETE FROM stream_rate_points WHERE stream_type = ?1", e);
        if (!st)
            return -1;
        sqlite3_bind_text(st, 1, stream_type, -1, SQLITE_STATIC);
        if (db_step_done(db, st, e, "clearing the counter readings") < 0)
            return -1;
    }
    st = db_stmt(db, "UPDATE stream_metadata SET connection_status = 'disconnected', updated_at = ?2 "
                     "WHERE stream_type = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, stream_type, -1, SQLITE_STATIC);
    bind_time(st, 2, now);
    return db_step_done(db, st, e, "releasing the stream");
}

int store_state_release(struct db *db, const char *stream_type, const struct ingester_identity *me,
                        int64_t now, struct err *e)
{
    return release(db, stream_type, me, now, e);
}

int store_state_disown(struct db *db, const char *stream_type, int64_t now, struct err *e)
{
    return release(db, stream_type, NULL, now, e);
}
