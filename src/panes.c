#include "config.h"

#include <stdio.h>

#include "draw.h"
#include "humanfmt.h"
#include "pane.h"

const struct pane_class *const pane_table[PANE_COUNT] = {
    [PANE_CONNECTION] = &pane_connection,
    [PANE_THROUGHPUT] = &pane_throughput,
    [PANE_FAILURES] = &pane_failures,
    [PANE_QUEUE] = &pane_queue,
    [PANE_METRICS] = &pane_metrics,
};

void pane_unavailable(struct rect inner, const char *why)
{
    draw_text(inner.y, inner.x, inner.w, ROLE_DIM, "unavailable:");
    draw_text(inner.y + 1, inner.x, inner.w, ROLE_DIM, why);
}

const char *pane_age(const struct pane_view *v, int64_t at, char buf[32])
{
    if (!at)
        return "never";
    return human_age((v->now - at) / 1000, buf);
}

enum role pane_health_role(enum health_level level, enum role fine)
{
    return level == HEALTH_BAD ? ROLE_BAD : level == HEALTH_WARN ? ROLE_WARN : fine;
}

void pane_clipped(struct rect in, int hidden)
{
    char more[32];
    if (hidden <= 0)
        return;
    snprintf(more, sizeof more, " %s %d more ", screen_charset() == TEXTSAFE_UTF8 ? "\u25bc" : "v",
             hidden);
    int w = draw_width(more);
    if (w < in.w)
        draw_text(in.y + in.h, in.x + in.w - w, w, ROLE_WARN, more);
}

bool pane_room(int y, int end, int *hidden)
{
    if (y < end)
        return true;
    ++*hidden;
    return false;
}
