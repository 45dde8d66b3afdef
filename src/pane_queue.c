/* The Queue pane: work waiting for the processor, how old the oldest is,
 * how fast it drains, and the depth over the last hour. */
#include "config.h"

#include "draw.h"
#include "humanfmt.h"
#include "pane.h"

/* Pending work older than this is worth a colour. */
#define QUEUE_OLD_MS 60000

static void draw_queue(const struct pane_view *v, struct rect in)
{
    const struct snap_queue *q = &v->snap->queue;
    char a[HUMAN_LEN], b[HUMAN_LEN];
    if (!q->available) {
        pane_unavailable(in, q->why_unavailable);
        return;
    }
    int y = in.y, end = in.y + in.h;
    int x = in.x + draw_field(y, in.x, in.w, "pending", q->pending ? ROLE_WARN : ROLE_GOOD,
                              human_count(q->pending, a)) + 2;
    draw_field(y++, x, in.x + in.w - x, "processing", ROLE_NORMAL, human_count(q->processing, b));
    if (y < end) {
        int64_t age = q->oldest_pending_at ? v->now - q->oldest_pending_at : 0;
        draw_field(y++, in.x, in.w, "oldest pending", age > QUEUE_OLD_MS ? ROLE_BAD : ROLE_NORMAL,
                   q->oldest_pending_at ? human_duration(age / 1000, a) : "none");
    }
    if (y < end)
        draw_field(y++, in.x, in.w, "applying", ROLE_NORMAL, human_rate(q->process_rate, a));
    if (y < end && q->spark_len > 0) {
        int used = draw_text(y, in.x, in.w, ROLE_LABEL, "depth ");
        draw_spark(y, in.x + used, in.w - used, q->spark, q->spark_len, ROLE_WARN);
    }
}

const struct pane_class pane_queue = {.title = "Queue", .draw = draw_queue};
