/* The Queue pane: the backlog an operator looks for.  What the ingester
 * has received but not yet stored (lines buffered in memory), the retry
 * queue's pending and processing rows, how long the oldest has waited
 * since it was queued, how fast the backlog drains now (events applied or
 * failed per second, from counters) and when it will be gone. */
#include "config.h"

#include "draw.h"
#include "health.h"
#include "humanfmt.h"
#include "pane.h"

static void draw_drain(const struct snap_queue *q, struct rect in, int y)
{
    char a[HUMAN_LEN], b[HUMAN_LEN];
    int x = in.x + draw_field(y, in.x, in.w, "draining", ROLE_NORMAL,
                              human_rate(q->drain_rate, a)) + 2;
    if (q->backlog > 0 && q->eta_s >= 0)
        draw_field(y, x, in.x + in.w - x, "done in", ROLE_NORMAL, human_duration(q->eta_s, b));
    else if (q->backlog > 0)
        draw_text(y, x, in.x + in.w - x, ROLE_WARN, "not draining");
}

static void draw_queue(const struct pane_view *v, struct rect in)
{
    const struct snap_queue *q = &v->snap->queue;
    char a[HUMAN_LEN], b[HUMAN_LEN];
    if (!q->available) {
        pane_unavailable(in, q->why_unavailable);
        return;
    }
    int y = in.y, end = in.y + in.h, hidden = 0;
    draw_field(y++, in.x, in.w, "received, not stored",
               !q->buffered_known ? ROLE_DIM : q->buffered ? ROLE_WARN : ROLE_GOOD,
               q->buffered_known ? human_count(q->buffered, a) : "unknown");
    if (pane_room(y, end, &hidden)) {
        int x = in.x + draw_field(y, in.x, in.w, "retry pending", q->pending ? ROLE_WARN : ROLE_GOOD,
                                  human_count(q->pending, a)) + 2;
        draw_field(y++, x, in.x + in.w - x, "processing", ROLE_NORMAL, human_count(q->processing, b));
    }
    if (pane_room(y, end, &hidden)) {
        struct health_finding f;
        health_queue(v->snap, &f);
        draw_field(y++, in.x, in.w, "oldest pending", pane_health_role(f.level, ROLE_NORMAL),
                   q->oldest_pending_at ? human_duration((v->snap->taken_at - q->oldest_pending_at) / 1000, a)
                                        : "none");
    }
    if (pane_room(y, end, &hidden))
        draw_drain(q, in, y++);
    if (q->spark_len > 0 && pane_room(y, end, &hidden)) {
        int used = draw_text(y, in.x, in.w, ROLE_LABEL, "depth ");
        draw_spark(y, in.x + used, in.w - used, q->spark, q->spark_len, ROLE_WARN);
    }
    pane_clipped(in, hidden);
}

const struct pane_class pane_queue = {.title = "Queue", .draw = draw_queue};
