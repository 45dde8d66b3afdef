#include "config.h"

#include <math.h>
#include <string.h>

#include "api_metrics.h"
#include "metric_names.h"

static int family(struct sbuf *o, const char *name, const char *type, const char *help)
{
    return sbuf_appendf(o, "# HELP streamtop_%s %s\n# TYPE streamtop_%s %s\n", name, help, name, type);
}

static int sample(struct sbuf *o, const char *name, double v)
{
    if (isnan(v))   /* unknown: the exposition format's own spelling */
        return sbuf_appendf(o, "streamtop_%s NaN\n", name);
    return sbuf_appendf(o, "streamtop_%s %.17g\n", name, v);
}

static int one(struct sbuf *o, const char *name, const char *type, const char *help, double v)
{
    return family(o, name, type, help) < 0 ? -1 : sample(o, name, v);
}

/* A label value: backslash, quote and newline escaped, other control
 * bytes dropped. */
static int label_value(struct sbuf *o, const char *v)
{
    for (; *v; v++) {
        unsigned char c = (unsigned char)*v;
        int rc = 0;
        if (c == '\\' || c == '"')
            rc = sbuf_appendf(o, "\\%c", c);
        else if (c == '\n')
            rc = sbuf_append(o, "\\n", 2);
        else if (c >= 0x20 && c != 0x7f)
            rc = sbuf_append(o, v, 1);
        if (rc < 0)
            return -1;
    }
    return 0;
}

static int connection(struct sbuf *o, const struct snapshot *s)
{
    const struct snap_connection *c = &s->connection;
    static const enum conn_state states[] = {CONN_DISCONNECTED, CONN_CONNECTING, CONN_CONNECTED,
                                             CONN_BACKOFF, CONN_ERROR};
    int rc = family(o, "connection_state", "gauge",
                    "1 for the stream connection's current state, 0 for the others.");
    for (size_t i = 0; rc == 0 && i < sizeof states / sizeof states[0]; i++)
        rc = sbuf_appendf(o, "streamtop_connection_state{state=\"%s\"} %d\n",
                          conn_state_name(states[i]), c->available && c->conn == states[i]);
    if (rc < 0 || !c->available)
        return rc;
    double lag = c->caught_up ? 0 : c->last_published_at
                     ? (double)(s->taken_at - c->last_published_at) / 1e3 : NAN;
    double age = c->last_event_at ? (double)(s->taken_at - c->last_event_at) / 1e3 : NAN;
    if (one(o, "lag_seconds", "gauge", "Now minus the newest stored event's published_at (0 when caught up).", lag) < 0 ||
        one(o, "last_event_age_seconds", "gauge", "Seconds since the newest event was received.", age) < 0 ||
        one(o, "caught_up", "gauge", "1 when connected with nothing behind.", c->caught_up) < 0 ||
        one(o, "last_timepoint", "gauge", "The newest stored timepoint.", (double)c->last_timepoint) < 0 ||
        one(o, "reconnects_total", "counter", "Reconnections to the stream.", (double)c->reconnects) < 0 ||
        one(o, "connection_errors_total", "counter", "Failed connection attempts.", (double)c->error_count) < 0)
        return -1;
    return one(o, "timepoint_gaps_total", "counter", "Jumps in the timepoint: events possibly missed.",
               (double)c->timepoint_gaps);
}

static int throughput(struct sbuf *o, const struct snap_throughput *t)
{
    if (!t->available)
        return 0;
    if (one(o, "events_per_second", "gauge", "Events received per second, now.", t->rate_now) < 0)
        return -1;
    if (!t->have_totals)
        return 0;
    const struct { const char *name; const char *help; int64_t v; } totals[] = {
        {"events_received_total", "Events received and stored.", t->received},
        {"events_changed_total", "Events of type changed.", t->changed},
        {"events_deleted_total", "Events of type deleted.", t->deleted},
        {"events_invalid_total", "Lines that were not valid events.", t->invalid},
        {"events_repeated_total", "Events repeating an already stored profile.", t->repeated},
        {"events_processed_total", "Events applied to companies.", t->processed},
        {"events_failed_total", "Events that failed to apply.", t->failed},
        {"events_superseded_total", "Events older than the stored company.", t->superseded},
        {"received_bytes_total", "Bytes of event lines received.", t->bytes},
    };
    for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++)
        if (one(o, totals[i].name, "counter", totals[i].help, (double)totals[i].v) < 0)
            return -1;
    return 0;
}

static int queue(struct sbuf *o, const struct snapshot *s)
{
    const struct snap_queue *q = &s->queue;
    if (s->failures.available &&
        one(o, "failures_outstanding", "gauge", "Failed events waiting for an operator.",
            (double)s->failures.count) < 0)
        return -1;
    if (!q->available)
        return 0;
    double oldest = q->oldest_pending_at ? (double)(s->taken_at - q->oldest_pending_at) / 1e3 : 0;
    if (one(o, "queue_pending", "gauge", "Retried events waiting to be applied.", (double)q->pending) < 0 ||
        one(o, "queue_processing", "gauge", "Events being applied.", (double)q->processing) < 0 ||
        one(o, "queue_oldest_pending_seconds", "gauge", "Age of the oldest pending event.", oldest) < 0 ||
        one(o, "queue_backlog", "gauge", "Events received but not yet applied.", (double)q->backlog) < 0)
        return -1;
    return one(o, "queue_drain_per_second", "gauge", "Events applied or failed per second, now.",
               q->drain_rate);
}

static int system_metrics(struct sbuf *o, const struct snap_metrics *m)
{
    if (!m->available || m->nrows == 0)
        return 0;
    if (family(o, "system_metric", "gauge",
               "The newest system_metrics value of each name (counters: the amount in its interval).") < 0)
        return -1;
    for (int i = 0; i < m->nrows; i++) {
        const char *unit;
        enum metric_kind k = metric_kind_of(m->rows[i].name, &unit);
        if (sbuf_appendf(o, "streamtop_system_metric{name=\"") < 0 ||
            label_value(o, m->rows[i].name) < 0 ||
            sbuf_appendf(o, "\",kind=\"%s\"} %.17g\n",
                         k == METRIC_PER_INTERVAL ? "per_interval" : k == METRIC_GAUGE ? "gauge" : "unknown",
                         m->rows[i].value) < 0)
            return -1;
    }
    return 0;
}

static int integrations(struct sbuf *o, const struct snap_integrations *g)
{
    if (!g->available)
        return 0;
    const struct webhook_health *h = &g->hooks;
    if (one(o, "webhook_deliveries_pending", "gauge", "Webhook messages not yet acknowledged.",
            (double)h->pending) < 0 ||
        one(o, "webhooks_active", "gauge", "Active webhooks.", (double)h->active) < 0 ||
        one(o, "webhooks_failing", "gauge", "Active webhooks whose last attempt failed.",
            (double)h->failing) < 0 ||
        one(o, "webhooks_deactivated", "gauge", "Webhooks deactivated after failing for a day.",
            (double)h->inactive) < 0)
        return -1;
    return one(o, "api_requests_last_hour", "gauge", "HTTP API requests in the last hour (all servers on this database).",
               (double)g->api.requests);
}

/* Nothing without a backup directory: the families would only say "not
 * configured", which Prometheus tells from a missing series anyway.  With
 * one, the age is NaN until a verified backup exists, and verified 0
 * makes that alertable without NaN arithmetic. */
static int backup(struct sbuf *o, const struct snapshot *s)
{
    const struct snap_backup *b = &s->backup;
    if (!b->configured)
        return 0;
    bool found = b->readable && b->found;
    double age = found ? (double)(s->taken_at - b->newest_at) / 1e3 : NAN;
    if (one(o, "backup_verified", "gauge",
            "1 when the backup directory holds a verified backup, 0 when none or unreadable.",
            found) < 0)
        return -1;
    return one(o, "backup_age_seconds", "gauge",
               "Age of the newest verified backup (NaN when there is none).", age);
}

static int server(struct sbuf *o, const struct api_counters *c)
{
    int rc = family(o, "api_requests_total", "counter", "HTTP API requests answered, by status class.");
    for (int i = 1; rc == 0 && i < 6; i++)
        rc = sbuf_appendf(o, "streamtop_api_requests_total{code=\"%dxx\"} %lld\n", i,
                          (long long)c->requests[i]);
    if (rc < 0 ||
        one(o, "api_rate_limited_total", "counter", "Requests refused by a key's hourly limit.",
            (double)c->rate_limited) < 0)
        return -1;
    return one(o, "api_unauthorized_total", "counter", "Requests without a valid active key.",
               (double)c->unauthorized);
}

int api_metrics_snapshot_text(const struct snapshot *s, bool healthy, struct sbuf *out)
{
    if (one(out, "healthy", "gauge", "1 when status would exit 0 (the same health rules).", healthy) < 0 ||
        connection(out, s) < 0 || throughput(out, &s->throughput) < 0 || queue(out, s) < 0 ||
        system_metrics(out, &s->metrics) < 0 || integrations(out, &s->integrations) < 0 ||
        backup(out, s) < 0)
        return -1;
    return 0;
}

int api_metrics_server_text(const struct api_counters *c, struct sbuf *out)
{
    return server(out, c);
}
