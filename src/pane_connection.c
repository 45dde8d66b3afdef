/* The Connection pane: is the stream flowing, and if not, why and when
 * the next try is. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "health.h"
#include "humanfmt.h"
#include "pane.h"

/* The ingester's line; one that stopped committing says whether it is
 * stuck (its process runs) or gone, in few enough words for the pane at
 * 80 columns: `status` says it at length, with the pid. */
static void draw_ingester(const struct pane_view *v, const struct snap_connection *c, int y,
                          struct rect in)
{
    struct health_finding f;
    char a[32];
    health_ingester(v->snap, &f);
    const char *age = pane_age(v, c->ingester_seen_at, a);
    if (f.level != HEALTH_BAD)
        draw_textf(y, in.x, in.w, ROLE_DIM, "ingester pid %lld on %s, seen %s",
                   (long long)c->ingester_pid, c->ingester_host, age);
    else if (c->ingester_process == INGESTER_RUNNING)
        draw_textf(y, in.x, in.w, ROLE_BAD, "ingester stuck, last commit %s", age);
    else if (c->ingester_process == INGESTER_GONE)
        draw_textf(y, in.x, in.w, ROLE_BAD, "ingester gone, last commit %s", age);
    else
        draw_textf(y, in.x, in.w, ROLE_BAD, "ingester on %s, last commit %s", c->ingester_host,
                   age);
}

static enum role state_role(const struct snapshot *s)
{
    struct health_finding f;
    health_connection(s, &f);
    return pane_health_role(f.level, ROLE_GOOD);
}

/* "host:port" of an endpoint URL, without scheme, credentials or path. */
static void endpoint_host(const char *url, char *out, size_t size)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *at = strchr(p, '@'), *slash = strchr(p, '/');
    if (at && (!slash || at < slash))
        p = at + 1;
    size_t n = slash ? (size_t)(slash - p) : strlen(p);
    snprintf(out, size, "%.*s", (int)n, p);
}

static void state_line(const struct pane_view *v, struct rect in, int y)
{
    const struct snap_connection *c = &v->snap->connection;
    char host[256], a[HUMAN_LEN];
    int x = in.x;
    x += draw_text(y, x, in.w, state_role(v->snap),
                   conn_state_label(c->conn));
    if (c->conn == CONN_BACKOFF && c->next_attempt_at)
        x += draw_textf(y, x, in.x + in.w - x, ROLE_WARN, ", next try in %s",
                        human_duration((c->next_attempt_at - v->now + 999) / 1000, a));
    if (c->endpoint[0]) {
        endpoint_host(c->endpoint, host, sizeof host);
        draw_textf(y, x, in.x + in.w - x, ROLE_NORMAL, " %s %s",
                   c->conn == CONN_CONNECTED ? "to" : "from", host);
    }
}

/* "hooks 2, 4 pending, 1 failing, 1 off": webhook delivery health (2
 * active hooks), short enough for the pane at 80 columns. */
static void hooks_line(const struct webhook_health *h, struct rect in, int y)
{
    char a[HUMAN_LEN];
    int x = in.x, right = in.x + in.w;
    x += draw_textf(y, x, right - x, ROLE_DIM, "hooks ");
    x += draw_textf(y, x, right - x, ROLE_NORMAL, "%s", human_count(h->active, a));
    if (h->pending)
        x += draw_textf(y, x, right - x, ROLE_NORMAL, ", %s pending", human_count(h->pending, a));
    if (h->failing)
        x += draw_textf(y, x, right - x, ROLE_WARN, ", %s failing", human_count(h->failing, a));
    if (h->inactive)
        draw_textf(y, x, right - x, ROLE_BAD, ", %s off", human_count(h->inactive, a));
}

/* "api 120 req/h, 3 refused": the HTTP API's last hour. */
static void api_line(const struct api_activity *api, struct rect in, int y)
{
    char a[HUMAN_LEN];
    int x = in.x, right = in.x + in.w;
    x += draw_textf(y, x, right - x, ROLE_DIM, "api ");
    x += draw_textf(y, x, right - x, ROLE_NORMAL, "%s req/h", human_count(api->requests, a));
    if (api->refused)
        draw_textf(y, x, right - x, ROLE_WARN, ", %s refused", human_count(api->refused, a));
}

static void draw_connection(const struct pane_view *v, struct rect in)
{
    const struct snap_connection *c = &v->snap->connection;
    char a[HUMAN_LEN], b[HUMAN_LEN], d[HUMAN_LEN];
    if (!c->available) {
        pane_unavailable(in, c->why_unavailable);
        return;
    }
    int y = in.y, end = in.y + in.h, hidden = 0;
    state_line(v, in, y++);
    if (pane_room(y, end, &hidden)) {
        int x = in.x;
        if (c->conn == CONN_CONNECTED && c->connected_since)
            x += draw_field(y, x, in.w, "up", ROLE_NORMAL,
                            human_duration((v->now - c->connected_since) / 1000, a)) + 2;
        if (c->caught_up)
            x += draw_field(y, x, in.x + in.w - x, "lag", ROLE_GOOD, "caught up") + 2;
        else if (c->last_published_at)
            x += draw_field(y, x, in.x + in.w - x, "lag", ROLE_NORMAL,
                            human_duration((v->now - c->last_published_at) / 1000, b)) + 2;
        if (c->last_timepoint >= 0)
            draw_field(y, x, in.x + in.w - x, "timepoint", ROLE_NORMAL,
                       human_count(c->last_timepoint, d));
        y++;
    }
    if (pane_room(y, end, &hidden)) {
        int x = in.x + draw_field(y, in.x, in.w, "event", ROLE_NORMAL, pane_age(v, c->last_event_at, a)) + 2;
        draw_field(y++, x, in.x + in.w - x, "heartbeat", ROLE_NORMAL,
                   pane_age(v, c->last_heartbeat_at, b));
    }
    if (pane_room(y, end, &hidden)) {
        int x = in.x + draw_field(y, in.x, in.w, "reconnects", ROLE_NORMAL,
                                  human_count(c->reconnects, b)) + 2;
        draw_field(y++, x, in.x + in.w - x, "errors", c->error_count ? ROLE_WARN : ROLE_NORMAL,
                   human_count(c->error_count, d));
    }
    if (c->last_error[0] && pane_room(y, end, &hidden))
        draw_field(y++, in.x, in.w, "last error", ROLE_BAD, c->last_error);
    if (c->timepoint_gaps && pane_room(y, end, &hidden))
        draw_field(y++, in.x, in.w, "timepoint gaps", ROLE_WARN, human_count(c->timepoint_gaps, a));
    if (c->ingester_pid > 0 && pane_room(y, end, &hidden))
        draw_ingester(v, c, y++, in);
    if (c->write_lock_pid > 0 && pane_room(y, end, &hidden))
        draw_textf(y++, in.x, in.w, ROLE_WARN, "write lock held by pid %lld (%s)",
                   (long long)c->write_lock_pid, c->write_lock_name);
    /* Each only once there is something to say; delivery health first,
     * for a short pane. */
    const struct snap_integrations *g = &v->snap->integrations;
    if (g->available && g->hooks.active + g->hooks.inactive > 0 && pane_room(y, end, &hidden))
        hooks_line(&g->hooks, in, y++);
    if (g->available && g->api.requests > 0 && pane_room(y, end, &hidden))
        api_line(&g->api, in, y++);
    pane_clipped(in, hidden);
}

const struct pane_class pane_connection = {.title = "Connection", .draw = draw_connection};
