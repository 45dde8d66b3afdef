#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "health.h"
#include "humanfmt.h"

static void found(struct health_finding *out, enum health_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void found(struct health_finding *out, enum health_level level, const char *fmt, ...)
{
    va_list ap;
    out->level = level;
    va_start(ap, fmt);
    vsnprintf(out->why, sizeof out->why, fmt, ap);
    va_end(ap);
}

/* An ingester cannot start, or take the stream back, while another
 * process holds the write lock: say who, after why. */
static void name_lock_holder(const struct snap_connection *c, struct health_finding *out)
{
    size_t n = strlen(out->why);
    if (c->write_lock_pid > 0 && n < sizeof out->why)
        snprintf(out->why + n, sizeof out->why - n, "; process %lld (%s) holds the database's "
                 "write lock", (long long)c->write_lock_pid, c->write_lock_name);
}

void health_ingester(const struct snapshot *s, struct health_finding *out)
{
    const struct snap_connection *c = &s->connection;
    char buf[HUMAN_LEN];
    memset(out, 0, sizeof *out);
    if (!c->available || !c->have_state || c->ingester_pid <= 0 || c->ingester_seen_at <= 0 ||
        s->taken_at - c->ingester_seen_at <= HEALTH_INGESTER_SILENT_S * 1000)
        return;
    const char *silent = human_duration((s->taken_at - c->ingester_seen_at) / 1000, buf);
    switch (c->ingester_process) {
    case INGESTER_RUNNING:
        if (c->write_lock_pid > 0)
            found(out, HEALTH_BAD, "the ingester (pid %lld) runs but has not committed for %s: "
                  "process %lld (%s) holds the database's write lock", (long long)c->ingester_pid,
                  silent, (long long)c->write_lock_pid, c->write_lock_name);
        else
            found(out, HEALTH_BAD, "the ingester (pid %lld) runs but has not committed for %s: "
                  "its writes fail (a lock held elsewhere, a full disk); its log says why",
                  (long long)c->ingester_pid, silent);
        break;
    case INGESTER_GONE:
        found(out, HEALTH_BAD, "the ingester (pid %lld) has not committed for %s and is no "
              "longer running", (long long)c->ingester_pid, silent);
        name_lock_holder(c, out);
        break;
    case INGESTER_ELSEWHERE:
        found(out, HEALTH_BAD, "the ingester on %.64s has not committed for %s",
              c->ingester_host, silent);
        break;
    }
}

bool health_ingester_running(const struct snapshot *s)
{
    const struct snap_connection *c = &s->connection;
    return c->available && c->have_state && c->ingester_pid > 0 && c->ingester_seen_at > 0 &&
           s->taken_at - c->ingester_seen_at <= HEALTH_INGESTER_SILENT_S * 1000;
}

void health_connection(const struct snapshot *s, struct health_finding *out)
{
    const struct snap_connection *c = &s->connection;
    char buf[HUMAN_LEN];
    memset(out, 0, sizeof *out);
    if (!c->available) {
        found(out, HEALTH_BAD, "connection state unknown: %s", c->why_unavailable);
        return;
    }
    if (c->conn == CONN_CONNECTED)
        return;
    int64_t since = c->state_since ? c->state_since : c->updated_at;
    bool ever = c->connected_since || c->last_event_at || c->last_event_id[0];
    bool trying = c->conn == CONN_CONNECTING || c->conn == CONN_BACKOFF;
    bool too_long = since == 0 || s->taken_at - since > HEALTH_DISCONNECTED_S * 1000;
    if (c->conn == CONN_ERROR)
        found(out, HEALTH_BAD, "the server refused the connection: %s",
              c->last_error[0] ? c->last_error : "no reason recorded");
    else if (!ever && (!trying || too_long))
        found(out, HEALTH_BAD, "%s", "never connected");
    else if (too_long)
        found(out, HEALTH_BAD, "not connected for %s",
              since ? human_duration((s->taken_at - since) / 1000, buf) : "an unknown time");
    else
        found(out, HEALTH_WARN, "not connected for %s",
              human_duration((s->taken_at - since) / 1000, buf));
    name_lock_holder(c, out);
}

void health_queue(const struct snapshot *s, struct health_finding *out)
{
    const struct snap_queue *q = &s->queue;
    char buf[HUMAN_LEN];
    memset(out, 0, sizeof *out);
    if (!q->available || q->pending == 0 || q->oldest_pending_at == 0)
        return;
    int64_t age = s->taken_at - q->oldest_pending_at;
    if (age > HEALTH_QUEUE_BAD_S * 1000)
        found(out, HEALTH_BAD, "queue stuck: the oldest pending event has waited %s",
              human_duration(age / 1000, buf));
    else if (age > HEALTH_QUEUE_WARN_S * 1000)
        found(out, HEALTH_WARN, "queue slow: the oldest pending event has waited %s",
              human_duration(age / 1000, buf));
}

void health_failures(const struct snapshot *s, struct health_finding *out)
{
    char buf[HUMAN_LEN];
    memset(out, 0, sizeof *out);
    if (s->failures.available && s->failures.count > 0)
        found(out, HEALTH_BAD, "%s failed events", human_count(s->failures.count, buf));
}

void health_backup(const struct snapshot *s, struct health_finding *out)
{
    const struct snap_backup *b = &s->backup;
    char age[HUMAN_LEN], max[HUMAN_LEN];
    memset(out, 0, sizeof *out);
    if (!b->configured)
        return;
    out->level = HEALTH_BAD;
    if (!b->readable)
        snprintf(out->why, sizeof out->why, "%s", b->why_unreadable);
    else if (!b->found)
        snprintf(out->why, sizeof out->why, "no verified backup in %.160s", b->dir);
    else if (s->taken_at - b->newest_at > b->max_age_ms)
        snprintf(out->why, sizeof out->why, "the newest verified backup is %s old (more than %s)",
                 human_duration((s->taken_at - b->newest_at) / 1000, age),
                 human_duration(b->max_age_ms / 1000, max));
    else
        out->level = HEALTH_OK;
}

bool health_judge(const struct snapshot *s, struct strlist *problems)
{
    struct health_finding f[5];
    health_ingester(s, &f[0]);
    /* A silent ingester's connection state is what it last wrote, not what
     * is: judging it too would only add a second, stale, reason. */
    if (f[0].level == HEALTH_BAD)
        memset(&f[1], 0, sizeof f[1]);
    else
        health_connection(s, &f[1]);
    health_failures(s, &f[2]);
    health_queue(s, &f[3]);
    health_backup(s, &f[4]);
    bool ok = true;
    for (int i = 0; i < 5; i++) {
        if (f[i].level == HEALTH_BAD) {
            ok = false;
            strlist_addf(problems, "%s", f[i].why);
        }
    }
    return ok;
}
