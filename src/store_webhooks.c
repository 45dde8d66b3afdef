#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store_webhooks.h"
#include "timeutil.h"

int store_webhook_insert(struct db *db, const struct webhook_row *w, struct err *e)
{
    char now[ISO_TIME_LEN];
    sqlite3_stmt *st = db_stmt(db,
        "INSERT INTO webhooks (id, url, events, secret, is_active, created_at, failure_count) "
        "VALUES (?1, ?2, ?3, ?4, 1, ?5, 0)", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, w->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, w->url, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, w->events, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, w->secret, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, time_format_iso(time_now_ms(), now), -1, SQLITE_TRANSIENT);
    return db_step_done(db, st, e, "adding a webhook");
}

#define HOOK_COLUMNS \
    "w.id, w.url, w.events, w.secret, w.is_active, w.created_at, w.last_triggered_at, " \
    "w.failure_count, (SELECT count(*) FROM webhook_outbox o WHERE o.webhook_id = w.id) "

static void read_hook(sqlite3_stmt *st, struct webhook_row *w)
{
    memset(w, 0, sizeof *w);
    db_column_copy(st, 0, w->id, sizeof w->id);
    db_column_copy(st, 1, w->url, sizeof w->url);
    db_column_copy(st, 2, w->events, sizeof w->events);
    db_column_copy(st, 3, w->secret, sizeof w->secret);
    w->active = sqlite3_column_type(st, 4) == SQLITE_NULL || sqlite3_column_int(st, 4) != 0;
    w->created_at = db_column_time(st, 5);
    w->last_triggered_at = db_column_time(st, 6);
    w->failure_count = sqlite3_column_int64(st, 7);
    w->pending = sqlite3_column_int64(st, 8);
}

int store_webhooks_each(struct db *db, bool active_only, webhook_fn fn, void *ctx, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " HOOK_COLUMNS "FROM webhooks w "
                                   "WHERE ?1 = 0 OR coalesce(w.is_active, 1) <> 0 "
                                   "ORDER BY w.created_at, w.id", e);
    if (!st)
        return -1;
    sqlite3_bind_int(st, 1, active_only);
    int rc;
    struct webhook_row w;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_hook(st, &w);
        if (fn(ctx, &w) < 0) {
            sqlite3_reset(st);
            return err_set(e, "out of memory"), -1;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading webhooks");
}

int store_webhook_get(struct db *db, const char *id, struct webhook_row *w, bool *found,
                      struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT " HOOK_COLUMNS "FROM webhooks w WHERE w.id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if ((*found = rc == SQLITE_ROW))
        read_hook(st, w);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading webhooks");
}

static int drop_deliveries(struct db *db, const char *id, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "DELETE FROM webhook_outbox WHERE webhook_id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    return db_step_done(db, st, e, "dropping a webhook's deliveries");
}

int store_webhook_remove(struct db *db, const char *id, bool *found, struct err *e)
{
    if (db_begin_write(db, e) < 0)
        return -1;
    sqlite3_stmt *st = db_stmt(db, "DELETE FROM webhooks WHERE id = ?1", e);
    if (!st)
        goto failed;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (db_step_done(db, st, e, "removing a webhook") < 0)
        goto failed;
    *found = sqlite3_changes(db_handle(db)) > 0;
    if (drop_deliveries(db, id, e) < 0)
        goto failed;
    return db_commit(db, e);
failed:
    db_rollback(db);
    return -1;
}

int store_webhook_deactivate(struct db *db, const char *id, struct err *e)
{
    if (db_begin_write(db, e) < 0)
        return -1;
    sqlite3_stmt *st = db_stmt(db, "UPDATE webhooks SET is_active = 0 WHERE id = ?1", e);
    if (!st)
        goto failed;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (db_step_done(db, st, e, "deactivating a webhook") < 0 || drop_deliveries(db, id, e) < 0)
        goto failed;
    return db_commit(db, e);
failed:
    db_rollback(db);
    return -1;
}

int store_outbox_insert(struct db *db, const char *webhook_id, const char *msg_id,
                        const char *event, const char *payload, int64_t now_ms, struct err *e)
{
    char now[ISO_TIME_LEN];
    sqlite3_stmt *st = db_stmt(db,
        "INSERT INTO webhook_outbox (webhook_id, msg_id, event, payload, created_at, next_attempt_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?5)", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, webhook_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, msg_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, event, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, payload, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, time_format_iso(now_ms, now), -1, SQLITE_TRANSIENT);
    return db_step_done(db, st, e, "queueing a webhook delivery");
}

int store_outbox_next_due(struct db *db, int64_t now_ms, struct outbox_row *o, bool *found,
                          struct err *e)
{
    char now[ISO_TIME_LEN];
    sqlite3_stmt *st = db_stmt(db,
        "SELECT o.id, o.webhook_id, o.msg_id, o.event, o.payload, o.attempts, w.url, w.secret "
        "FROM webhook_outbox o INDEXED BY idx_webhook_outbox_due JOIN webhooks w ON w.id = o.webhook_id "
        "WHERE o.next_attempt_at <= ?1 AND coalesce(w.is_active, 1) <> 0 "
        "ORDER BY o.next_attempt_at, o.id LIMIT 1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, time_format_iso(now_ms, now), -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    *found = false;
    if (rc == SQLITE_ROW) {
        memset(o, 0, sizeof *o);
        o->id = sqlite3_column_int64(st, 0);
        db_column_copy(st, 1, o->webhook_id, sizeof o->webhook_id);
        db_column_copy(st, 2, o->msg_id, sizeof o->msg_id);
        db_column_copy(st, 3, o->event, sizeof o->event);
        const char *p = (const char *)sqlite3_column_text(st, 4);
        o->payload = strdup(p ? p : "");
        o->attempts = sqlite3_column_int64(st, 5);
        db_column_copy(st, 6, o->url, sizeof o->url);
        db_column_copy(st, 7, o->secret, sizeof o->secret);
        *found = o->payload != NULL;
        if (!o->payload) {
            sqlite3_reset(st);
            return err_set(e, "out of memory"), -1;
        }
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading webhook_outbox");
}

static int update_hook(struct db *db, const char *id, bool ok, int64_t now_ms, struct err *e)
{
    char now[ISO_TIME_LEN];
    sqlite3_stmt *st = db_stmt(db,
        "UPDATE webhooks SET last_triggered_at = ?2, "
        "failure_count = CASE WHEN ?3 THEN 0 ELSE coalesce(failure_count, 0) + 1 END WHERE id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, time_format_iso(now_ms, now), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 3, ok);
    return db_step_done(db, st, e, "updating a webhook");
}

int store_outbox_delivered(struct db *db, const struct outbox_row *o, int64_t now_ms,
                           struct err *e)
{
    if (db_begin_write(db, e) < 0)
        return -1;
    sqlite3_stmt *st = db_stmt(db, "DELETE FROM webhook_outbox WHERE id = ?1", e);
    if (!st)
        goto failed;
    sqlite3_bind_int64(st, 1, o->id);
    if (db_step_done(db, st, e, "removing a delivered message") < 0 ||
        update_hook(db, o->webhook_id, true, now_ms, e) < 0)
        goto failed;
    return db_commit(db, e);
failed:
    db_rollback(db);
    return -1;
}

int store_outbox_failed(struct db *db, const struct outbox_row *o, int64_t next_ms,
                        const char *error, int64_t now_ms, struct err *e)
{
    char next[ISO_TIME_LEN];
    if (db_begin_write(db, e) < 0)
        return -1;
    sqlite3_stmt *st = db_stmt(db,
        "UPDATE webhook_outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3 "
        "WHERE id = ?1", e);
    if (!st)
        goto failed;
    sqlite3_bind_int64(st, 1, o->id);
    sqlite3_bind_text(st, 2, time_format_iso(next_ms, next), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, error, -1, SQLITE_STATIC);
    if (db_step_done(db, st, e, "recording a failed delivery") < 0 ||
        update_hook(db, o->webhook_id, false, now_ms, e) < 0)
        goto failed;
    return db_commit(db, e);
failed:
    db_rollback(db);
    return -1;
}

int store_webhooks_health(struct db *db, struct webhook_health *h, struct err *e)
{
    /* Both tables are small; the indexes keep the reads off their rows. */
    sqlite3_stmt *st = db_stmt(db,
        "SELECT (SELECT count(*) FROM webhook_outbox INDEXED BY idx_webhook_outbox_hook), "
        "coalesce(sum(coalesce(is_active, 1) <> 0), 0), "
        "coalesce(sum(coalesce(is_active, 1) <> 0 AND failure_count > 0), 0), "
        "coalesce(sum(is_active = 0), 0) FROM webhooks INDEXED BY idx_webhooks_active", e);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        h->pending = sqlite3_column_int64(st, 0);
        h->active = sqlite3_column_int64(st, 1);
        h->failing = sqlite3_column_int64(st, 2);
        h->inactive = sqlite3_column_int64(st, 3);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : db_fail(db, e, "reading webhook health");
}

int store_alert_set(struct db *db, const char *alert, const char *stream_type, int64_t since_ms,
                    struct err *e)
{
    char since[ISO_TIME_LEN];
    sqlite3_stmt *st = db_stmt(db, "INSERT OR REPLACE INTO webhook_alerts (alert, raised_at, "
                                   "stream_type) VALUES (?1, ?2, ?3)", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, alert, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, time_format_iso(since_ms, since), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, stream_type, -1, SQLITE_STATIC);
    return db_step_done(db, st, e, "recording a webhook alert");
}

int store_alert_clear(struct db *db, const char *alert, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "DELETE FROM webhook_alerts WHERE alert = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, alert, -1, SQLITE_STATIC);
    return db_step_done(db, st, e, "clearing a webhook alert");
}

int store_alert_get(struct db *db, const char *alert, int64_t *since_ms, bool *found,
                    struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT raised_at FROM webhook_alerts WHERE alert = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, alert, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    *since_ms = *found ? db_column_time(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading webhook_alerts");
}
