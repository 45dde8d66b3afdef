#include "config.h"

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "commands.h"
#include "curl_api.h"
#include "log.h"
#include "notifier.h"
#include "snapshot.h"
#include "store_webhooks.h"
#include "timeutil.h"

#define TICK_MS 1000
#define POST_TIMEOUT_MS 10000
/* At a stop the last message has this long in all, so SIGTERM still ends
 * the process within its documented 10 s (the ingester takes up to 6). */
#define STOP_TIMEOUT_MS 2000
#define STOP_BUDGET_MS 2000
#define STOP_BUSY_MS 500

struct notifier {
    struct notifier_config cfg;
    const struct curl_api *curl;
    struct db *db;
    struct snapshot_reader *reader;
    struct snapshot *snap;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    uint64_t rng;

    /* what the thread has seen */
    bool observed;
    int64_t down_since;             /* first seen not connected; 0 while connected */
    bool down_sent;
    int64_t gaps_seen, gaps_pending, gap_window_end;
    bool failures_above;
};

/* ---- messages ---- */

char *webhook_payload(enum webhook_event ev, cJSON *data)
{
    char now[ISO_TIME_LEN];
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", webhook_event_name(ev));
    cJSON_AddStringToObject(o, "timestamp", time_format_iso(time_now_ms(), now));
    cJSON_AddItemToObject(o, "data", data ? data : cJSON_CreateObject());
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

struct enqueue {
    struct db *db;
    unsigned bit;
    const char *event, *payload;
    struct err *e;
    bool failed;
};

static int enqueue_for(void *ctx, const struct webhook_row *w)
{
    struct enqueue *q = ctx;
    char msg_id[40];
    if (q->failed || !(webhook_events_from_json(w->events) & q->bit))
        return 0;
    if (webhook_msg_id(msg_id, q->e) < 0 ||
        store_outbox_insert(q->db, w->id, msg_id, q->event, q->payload, time_now_ms(), q->e) < 0)
        q->failed = true;
    return 0;
}

/* What a message does to the alert of an outage (webhook_alerts). */
enum alert_change { ALERT_KEEP, ALERT_RAISE, ALERT_RESOLVE };

static int change_alert(struct db *db, enum alert_change change, int64_t since, struct err *e)
{
    const char *alert = webhook_event_name(WH_DISCONNECTED);
    if (change == ALERT_RAISE)
        return store_alert_set(db, alert, STREAM_TYPE, since, e);
    return change == ALERT_RESOLVE ? store_alert_clear(db, alert, e) : 0;
}

/* One message per active hook that wants ev, in one transaction with the
 * alert it raises (the outage began at since) or resolves. */
static int queue(struct db *db, enum webhook_event ev, cJSON *data, enum alert_change change,
                 int64_t since, struct err *e)
{
    char *payload = webhook_payload(ev, data);
    struct enqueue q = {.db = db, .bit = 1u << ev, .event = webhook_event_name(ev),
                        .payload = payload, .e = e};
    if (!payload)
        return err_set(e, "out of memory"), -1;
    if (db_begin_write(db, e) == 0) {
        if (store_webhooks_each(db, true, enqueue_for, &q, e) < 0 ||
            (!q.failed && change_alert(db, change, since, e) < 0))
            q.failed = true;
        if (q.failed)
            db_rollback(db);
        else if (db_commit(db, e) < 0)
            q.failed = true;
    } else {
        q.failed = true;
    }
    free(payload);
    return q.failed ? -1 : 0;
}

int webhook_queue(struct db *db, enum webhook_event ev, cJSON *data, struct err *e)
{
    return queue(db, ev, data, ALERT_KEEP, 0, e);
}

static void enqueue(struct notifier *n, enum webhook_event ev, enum alert_change change,
                    cJSON *data)
{
    struct err e;
    if (queue(n->db, ev, data, change, n->down_since, &e) < 0)
        log_kv(LOG_WARN, "webhook_queue_failed", "webhook_event", webhook_event_name(ev), "error", e.msg, NULL);
}

/* ---- delivery ---- */

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

static int post(const struct curl_api *c, const char *url, const char *secret, const char *msg_id,
                const char *body, long timeout_ms, long *status, struct err *e)
{
    char sig[WEBHOOK_SIGNATURE_LEN], h_id[64], h_ts[48], h_sig[96];
    int64_t ts = time_now_ms() / 1000;
    *status = 0;
    if (webhook_sign(secret, msg_id, ts, body, strlen(body), sig, e) < 0)
        return -1;
    snprintf(h_id, sizeof h_id, "webhook-id: %s", msg_id);
    snprintf(h_ts, sizeof h_ts, "webhook-timestamp: %lld", (long long)ts);
    snprintf(h_sig, sizeof h_sig, "webhook-signature: %s", sig);
    struct curl_slist *headers = NULL;
    const char *lines[] = {"Content-Type: application/json", h_id, h_ts, h_sig};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++)
        headers = c->slist_append(headers, lines[i]);
    CURL *h = c->easy_init();
    if (!h || !headers) {
        c->slist_free_all(headers);
        if (h)
            c->easy_cleanup(h);
        return err_set(e, "out of memory"), -1;
    }
    c->easy_setopt(h, CURLOPT_URL, url);
    c->easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    c->easy_setopt(h, CURLOPT_POSTFIELDS, body);
    c->easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    c->easy_setopt(h, CURLOPT_USERAGENT, "streamtop/" PACKAGE_VERSION);
    c->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    c->easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    c->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 5000 ? timeout_ms : 5000L);
    c->easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    CURLcode rc = c->easy_perform(h);
    if (rc == CURLE_OK)
        c->easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    c->easy_cleanup(h);
    c->slist_free_all(headers);
    if (rc != CURLE_OK)
        return err_set(e, "%s", c->easy_strerror(rc)), -1;
    if (*status < 200 || *status > 299)
        return err_set(e, "HTTP %ld", *status), -1;
    return 0;
}

int webhook_post(const struct curl_api *c, const char *url, const char *secret, const char *msg_id,
                 const char *body, long *status, struct err *e)
{
    return post(c, url, secret, msg_id, body, POST_TIMEOUT_MS, status, e);
}

static double random_unit(struct notifier *n)
{
    n->rng ^= n->rng << 13;
    n->rng ^= n->rng >> 7;
    n->rng ^= n->rng << 17;
    return (double)(n->rng >> 11) / 9007199254740992.0;
}

static void record_failure(struct notifier *n, const struct outbox_row *o, const char *why)
{
    struct err e;
    char attempts[24];
    snprintf(attempts, sizeof attempts, "%lld", (long long)o->attempts + 1);
    if (o->attempts + 1 >= WEBHOOK_MAX_ATTEMPTS) {
        log_kv(LOG_WARN, "webhook_deactivated", "webhook", o->webhook_id, "attempts", attempts,
               "error", why, NULL);
        if (store_webhook_deactivate(n->db, o->webhook_id, &e) < 0)
            log_kv(LOG_WARN, "webhook_update_failed", "error", e.msg, NULL);
        return;
    }
    int64_t now = time_now_ms();
    int64_t wait = webhook_retry_delay_ms((int)o->attempts + 1, (int64_t)(n->cfg.backoff_s * 1000),
                                          random_unit(n));
    log_kv(LOG_INFO, "webhook_failed", "webhook", o->webhook_id, "id", o->msg_id, "attempts", attempts,
           "error", why, NULL);
    if (store_outbox_failed(n->db, o, now + wait, why, now, &e) < 0)
        log_kv(LOG_WARN, "webhook_update_failed", "error", e.msg, NULL);
}

/* Sends what is due, oldest first, until nothing is or the time is up. */
static void deliver_due(struct notifier *n, int64_t until_mono, long timeout_ms)
{
    struct outbox_row o;
    struct err e;
    bool found;
    while (time_mono_ms() < until_mono) {
        if (store_outbox_next_due(n->db, time_now_ms(), &o, &found, &e) < 0) {
            log_kv(LOG_WARN, "webhook_read_failed", "error", e.msg, NULL);
            return;
        }
        if (!found)
            return;
        long status;
        if (post(n->curl, o.url, o.secret, o.msg_id, o.payload, timeout_ms, &status, &e) == 0) {
            log_kv(LOG_INFO, "webhook_delivered", "webhook", o.webhook_id, "id", o.msg_id,
                   "event", o.event, NULL);
            if (store_outbox_delivered(n->db, &o, time_now_ms(), &e) < 0)
                log_kv(LOG_WARN, "webhook_update_failed", "error", e.msg, NULL);
        } else {
            record_failure(n, &o, e.msg);
        }
        free(o.payload);
    }
}

/* ---- what is worth a message ---- */

static void observe_connection(struct notifier *n, const struct snapshot *s)
{
    const struct snap_connection *c = &s->connection;
    char since[ISO_TIME_LEN];
    if (c->conn == CONN_CONNECTED) {
        if (n->down_sent) {
            cJSON *d = cJSON_CreateObject();
            cJSON_AddNumberToObject(d, "down_seconds", (double)(s->taken_at - n->down_since) / 1e3);
            cJSON_AddStringToObject(d, "endpoint", c->endpoint);
            enqueue(n, WH_RECONNECTED, ALERT_RESOLVE, d);
        }
        n->down_since = 0;
        n->down_sent = false;
        return;
    }
    if (!n->down_since)
        n->down_since = s->taken_at;
    if (n->down_sent || s->taken_at - n->down_since < (int64_t)(n->cfg.disconnect_after_s * 1000))
        return;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "state", conn_state_name(c->conn));
    cJSON_AddStringToObject(d, "since", time_format_iso(n->down_since, since));
    cJSON_AddStringToObject(d, "last_error", c->last_error);
    enqueue(n, WH_DISCONNECTED, ALERT_RAISE, d);
    n->down_sent = true;
}

static void observe_gaps(struct notifier *n, const struct snapshot *s)
{
    const struct snap_connection *c = &s->connection;
    if (n->observed && c->timepoint_gaps > n->gaps_seen)
        n->gaps_pending += c->timepoint_gaps - n->gaps_seen;
    n->gaps_seen = c->timepoint_gaps;
    if (n->gaps_pending == 0 || s->taken_at < n->gap_window_end)
        return;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "count", (double)n->gaps_pending);
    cJSON_AddNumberToObject(d, "window_seconds", n->cfg.window_s);
    cJSON_AddNumberToObject(d, "last_timepoint", (double)c->last_timepoint);
    enqueue(n, WH_TIMEPOINT_GAP, ALERT_KEEP, d);
    n->gaps_pending = 0;
    n->gap_window_end = s->taken_at + (int64_t)(n->cfg.window_s * 1000);
}

static void observe_failures(struct notifier *n, const struct snapshot *s)
{
    if (!s->failures.available)
        return;
    bool above = s->failures.count >= n->cfg.failures_threshold;
    if (n->observed && above && !n->failures_above) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddNumberToObject(d, "outstanding", (double)s->failures.count);
        cJSON_AddNumberToObject(d, "threshold", (double)n->cfg.failures_threshold);
        enqueue(n, WH_FAILURES, ALERT_KEEP, d);
    }
    n->failures_above = above;
}

static void observe(struct notifier *n)
{
    struct snapshot_request req = {.stream_type = STREAM_TYPE};
    struct err e;
    if (snapshot_fill(n->reader, &req, n->snap, &e) < 0) {
        log_kv(LOG_WARN, "webhook_snapshot_failed", "error", e.msg, NULL);
        return;
    }
    if (n->snap->connection.available) {
        observe_connection(n, n->snap);
        observe_gaps(n, n->snap);
    }
    observe_failures(n, n->snap);
    n->observed = true;
}

static void *notifier_thread(void *arg)
{
    struct notifier *n = arg;
    for (;;) {
        observe(n);
        deliver_due(n, time_mono_ms() + TICK_MS, POST_TIMEOUT_MS);
        struct timespec until;
        time_mono_deadline(&until, TICK_MS);
        pthread_mutex_lock(&n->lock);
        if (!n->stopping)
            pthread_cond_timedwait(&n->wake, &n->lock, &until);
        bool stop = n->stopping;
        pthread_mutex_unlock(&n->lock);
        if (stop)
            return NULL;
    }
}

/* ---- starting and stopping ---- */

static void release(struct notifier *n)
{
    if (n->reader)
        snapshot_reader_close(n->reader);
    if (n->db)
        db_close(n->db);
    pthread_mutex_destroy(&n->lock);
    pthread_cond_destroy(&n->wake);
    free(n->snap);
    free(n);
}

/* An outage announced by an earlier process and not resolved: the next
 * connection answers it with `reconnected`. */
static int recall_outage(struct notifier *n, struct err *e)
{
    int64_t since;
    bool found;
    if (store_alert_get(n->db, webhook_event_name(WH_DISCONNECTED), &since, &found, e) < 0)
        return -1;
    if (found) {
        n->down_since = since;
        n->down_sent = true;
    }
    return 0;
}

int notifier_start(const struct notifier_config *cfg, struct notifier **out, struct err *e)
{
    struct notifier *n = calloc(1, sizeof *n);
    if (!n)
        return err_set(e, "out of memory"), -1;
    n->cfg = *cfg;
    pthread_mutex_init(&n->lock, NULL);
    time_mono_cond_init(&n->wake);
    if (getrandom(&n->rng, sizeof n->rng, 0) != sizeof n->rng || n->rng == 0)
        n->rng = (uint64_t)time_now_ms() | 1;
    /* The writer first, so the reader follows other writers (see db.h). */
    if (!(n->snap = malloc(sizeof *n->snap)) ||
        !(n->curl = curl_api_load(e)) || db_open(cfg->db_path, DB_READ_WRITE, &n->db, e) < 0 ||
        snapshot_reader_open(cfg->db_path, &n->reader, e) < 0) {
        if (!n->snap)
            err_set(e, "out of memory");
        release(n);
        return -1;
    }
    if (recall_outage(n, e) < 0) {
        release(n);
        return -1;
    }
    if (pthread_create(&n->thread, NULL, notifier_thread, n) != 0) {
        release(n);
        return err_set(e, "cannot start the webhook thread"), -1;
    }
    *out = n;
    return 0;
}

void notifier_stop(struct notifier *n, enum webhook_event final, const char *why)
{
    if (!n)
        return;
    pthread_mutex_lock(&n->lock);
    n->stopping = true;
    pthread_cond_signal(&n->wake);
    pthread_mutex_unlock(&n->lock);
    pthread_join(n->thread, NULL);
    db_set_busy_timeout(n->db, STOP_BUSY_MS);   /* a held lock must not hold the stop */
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "reason", why);
    enqueue(n, final, ALERT_KEEP, d);
    deliver_due(n, time_mono_ms() + STOP_BUDGET_MS, STOP_TIMEOUT_MS);
    release(n);
}
