/* The Throughput pane: events per second now and on average, a sparkline
 * of the last hour by minute, and totals by event type. */
#include "config.h"

#include "draw.h"
#include "humanfmt.h"
#include "pane.h"

static void totals(const struct snap_throughput *t, struct rect in, int y, int *hidden)
{
    char a[HUMAN_LEN], b[HUMAN_LEN];
    int end = in.y + in.h;
    if (pane_room(y, end, hidden)) {
        int x = in.x + draw_field(y, in.x, in.w, "received", ROLE_NORMAL, human_count(t->received, a)) + 2;
        draw_field(y++, x, in.x + in.w - x, "", ROLE_DIM, human_bytes(t->bytes, b));
    }
    if (pane_room(y, end, hidden)) {
        int x = in.x + draw_field(y, in.x, in.w, "changed", ROLE_NORMAL, human_count(t->changed, a)) + 2;
        draw_field(y++, x, in.x + in.w - x, "deleted", ROLE_NORMAL, human_count(t->deleted, b));
    }
    if (pane_room(y, end, hidden)) {
        int x = in.x + draw_field(y, in.x, in.w, "invalid", t->invalid ? ROLE_WARN : ROLE_NORMAL,
                                  human_count(t->invalid, a)) + 2;
        draw_field(y++, x, in.x + in.w - x, "repeated", ROLE_NORMAL, human_count(t->repeated, b));
    }
}

static void draw_throughput(const struct pane_view *v, struct rect in)
{
    const struct snap_throughput *t = &v->snap->throughput;
    char a[HUMAN_LEN], b[HUMAN_LEN], c[HUMAN_LEN];
    if (!t->available) {
        pane_unavailable(in, t->why_unavailable);
        return;
    }
    int x = in.x + draw_field(in.y, in.x, in.w, "now", ROLE_GOOD, human_rate(t->rate_now, a)) + 2;
    x += draw_field(in.y, x, in.x + in.w - x, "1m", ROLE_NORMAL, human_rate(t->rate_1m, b)) + 2;
    draw_field(in.y, x, in.x + in.w - x, "15m", ROLE_NORMAL, human_rate(t->rate_15m, c));
    int y = in.y + 1, hidden = 0;
    if (t->spark_len > 0 && pane_room(y, in.y + in.h, &hidden))
        draw_spark(y++, in.x, in.w, t->spark, t->spark_len, ROLE_GOOD);
    if (t->have_totals)
        totals(t, in, y, &hidden);
    pane_clipped(in, hidden);
}

const struct pane_class pane_throughput = {.title = "Throughput", .draw = draw_throughput};
