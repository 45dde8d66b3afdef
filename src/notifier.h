/* notifier — webhooks from the ingesting process, on a thread of its own.
 *
 * Once a second it takes a snapshot (the dashboard's read-only code) and
 * turns what changed into events: the stream not connected for longer than
 * disconnect_after_s, connected again after that, timepoint gaps (one
 * message per window_s, with the count), failures outstanding crossing
 * failures_threshold.  Each event becomes one message per subscribed
 * active hook in webhook_outbox before anything is sent, so a restart or a
 * kill -9 loses none; then due messages are posted, signed, with libcurl.
 * A refused or failed delivery is retried with exponential backoff and
 * jitter; one that fails WEBHOOK_MAX_ATTEMPTS times deactivates its hook.
 * The thread has its own connections and never waits for the writer. */
#ifndef STREAMTOP_NOTIFIER_H
#define STREAMTOP_NOTIFIER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "webhook.h"

struct notifier_config {
    const char *db_path;
    double disconnect_after_s;
    int64_t failures_threshold;
    double window_s;
    double backoff_s;               /* the first retry's wait */
};

struct notifier;

int notifier_start(const struct notifier_config *cfg, struct notifier **out, struct err *e);
/* Stops the thread, queues the final event (WH_INGESTER_STOPPED or
 * WH_FATAL_ERROR, with why) and tries what is due for a few seconds;
 * what is left is sent by the next start. */
void notifier_stop(struct notifier *n, enum webhook_event final, const char *why);

/* Queues ev in the outbox of db (open for writing): one message per
 * active hook that wants it, in one transaction; the ingesting process's
 * notifier sends them.  data is moved in.  For events raised outside the
 * ingester, such as a failed backup. */
struct db;
struct cJSON;
int webhook_queue(struct db *db, enum webhook_event ev, struct cJSON *data, struct err *e);

/* One signed POST, as the notifier sends it: *status is the HTTP status (0
 * when none came back).  Returns 0 on a 2xx answer. */
struct curl_api;
int webhook_post(const struct curl_api *c, const char *url, const char *secret, const char *msg_id,
                 const char *body, long *status, struct err *e);

/* The body of a message: {"type", "timestamp", "data"}; data is moved in. */
char *webhook_payload(enum webhook_event ev, struct cJSON *data);

#endif
