/* store_webhooks — all SQL on webhooks (the seed's table) and
 * webhook_outbox (migration 14): the hooks, and the deliveries not yet
 * acknowledged; webhook_alerts (migration 15): alerts announced and not yet
 * resolved. */
#ifndef STREAMTOP_STORE_WEBHOOKS_H
#define STREAMTOP_STORE_WEBHOOKS_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "readings.h"

struct webhook_row {
    char id[40];
    char url[2049];
    char events[256];               /* as stored: a JSON array */
    char secret[160];
    bool active;
    int64_t created_at, last_triggered_at;   /* Unix ms; 0: never */
    int64_t failure_count;          /* failed attempts since the last success */
    int64_t pending;                /* its deliveries in the outbox */
};

int store_webhook_insert(struct db *db, const struct webhook_row *w, struct err *e);
typedef int (*webhook_fn)(void *ctx, const struct webhook_row *w);
/* Every hook, oldest first (active_only: only active ones). */
int store_webhooks_each(struct db *db, bool active_only, webhook_fn fn, void *ctx, struct err *e);
int store_webhook_get(struct db *db, const char *id, struct webhook_row *w, bool *found,
                      struct err *e);
/* Deletes the hook and its deliveries. */
int store_webhook_remove(struct db *db, const char *id, bool *found, struct err *e);
/* is_active = 0, and its deliveries dropped: a hook that kept failing. */
int store_webhook_deactivate(struct db *db, const char *id, struct err *e);

struct outbox_row {
    int64_t id;
    char webhook_id[40];
    char msg_id[40];
    char event[32];
    char *payload;                  /* malloc'd */
    int64_t attempts;
    char url[2049];
    char secret[160];
};

int store_outbox_insert(struct db *db, const char *webhook_id, const char *msg_id,
                        const char *event, const char *payload, int64_t now_ms, struct err *e);
/* The oldest delivery due at now_ms to an active hook, if any. */
int store_outbox_next_due(struct db *db, int64_t now_ms, struct outbox_row *o, bool *found,
                          struct err *e);
/* Acknowledged: the row goes, the hook's last_triggered_at is set and its
 * failure_count reset. */
int store_outbox_delivered(struct db *db, const struct outbox_row *o, int64_t now_ms,
                           struct err *e);
/* Refused or unreachable: attempts + 1, next try at next_ms, the hook's
 * failure_count + 1. */
int store_outbox_failed(struct db *db, const struct outbox_row *o, int64_t next_ms,
                        const char *error, int64_t now_ms, struct err *e);

/* Deliveries waiting; hooks active, failing (active, failure_count > 0)
 * and deactivated. */
int store_webhooks_health(struct db *db, struct webhook_health *h, struct err *e);

/* An announced alert (the event that raised it) and since when its
 * condition holds: kept until store_alert_clear(). */
int store_alert_set(struct db *db, const char *alert, const char *stream_type, int64_t since_ms,
                    struct err *e);
int store_alert_clear(struct db *db, const char *alert, struct err *e);
int store_alert_get(struct db *db, const char *alert, int64_t *since_ms, bool *found,
                    struct err *e);

#endif
