/* The Metrics pane: the newest value of each system_metrics name, with
 * its tags and age; scrolls when focused. */
#include "config.h"

#include <stdio.h>

#include "draw.h"
#include "humanfmt.h"
#include "pane.h"

static void value_text(double value, char *buf, size_t size)
{
    if (value == (double)(long long)value && value < 1e15 && value > -1e15) {
        char count[HUMAN_LEN];
        snprintf(buf, size, "%s", human_count((int64_t)value, count));
    } else {
        snprintf(buf, size, "%.2f", value);
    }
}

static void draw_metrics(const struct pane_view *v, struct rect in)
{
    const struct snap_metrics *m = &v->snap->metrics;
    if (!m->available) {
        pane_unavailable(in, m->why_unavailable);
        return;
    }
    if (m->nrows == 0) {
        draw_text(in.y, in.x, in.w, ROLE_DIM, "no metrics recorded yet");
        return;
    }
    int first = v->ui->metrics_scroll;
    if (first > m->nrows - in.h)
        first = m->nrows - in.h > 0 ? m->nrows - in.h : 0;
    /* name | value | age, and the tags when there is room for them */
    int value_w = 11, age_w = 8;
    int name_w = in.w - value_w - age_w - 2;
    name_w = name_w > 24 ? 24 : name_w;
    int tags_x = in.x + name_w + value_w + age_w + 3;
    for (int i = 0; i < in.h && first + i < m->nrows; i++) {
        const struct snap_metric *r = &m->rows[first + i];
        char value[48], age[HUMAN_LEN];
        int y = in.y + i, x = in.x;
        value_text(r->value, value, sizeof value);
        draw_text(y, x, name_w, ROLE_LABEL, r->name);
        x += name_w + 1;
        draw_textf(y, x, value_w, ROLE_NORMAL, "%*s", value_w, value);
        x += value_w + 1;
        draw_textf(y, x, age_w, ROLE_DIM, "%*s", age_w, pane_age(v, r->recorded_at, age));
        if (tags_x + 8 < in.x + in.w && r->tags[0])
            draw_text(y, tags_x, in.x + in.w - tags_x, ROLE_DIM, r->tags);
    }
}

const struct pane_class pane_metrics = {.title = "Metrics", .draw = draw_metrics};
