/* The Metrics pane: the newest value of each system_metrics name, in name
 * order, each with its unit and whether it is an interval's amount ("per
 * 5s") or a value now, and its age; tags on request (t).  It scrolls when
 * focused, and says which rows it shows when they do not all fit.  It
 * also shows the database's upkeep: the file's size, the last retention
 * pass and, with a backup directory configured, the newest verified
 * backup's age (red when health.c calls it too old).  They take the
 * pane's last lines when it is tall, or a column at its right when it is
 * wide but low (120x40); a pane neither (80x24) gives the metrics all its
 * room. */
#include "config.h"

#include <stdio.h>

#include "draw.h"
#include "health.h"
#include "humanfmt.h"
#include "metric_names.h"
#include "pane.h"

#define VALUE_W 12
#define KIND_W 6
#define AGE_W 8
#define NAME_MAX_W 22
#define WIDE_W 50              /* narrower panes leave the age out */

#define UPKEEP_MIN_H 8          /* the upkeep lines below the metrics from this height */
#define BESIDE_MIN_W 100        /* ... or beside them, in a column this wide */
#define BESIDE_W 46

enum upkeep_place { UPKEEP_NONE, UPKEEP_BELOW, UPKEEP_BESIDE };

static int upkeep_h(const struct snapshot *s)
{
    return s->backup.configured ? 3 : 2;
}

static enum upkeep_place upkeep_place(struct rect in, const struct snapshot *s)
{
    if (in.h >= UPKEEP_MIN_H)
        return UPKEEP_BELOW;
    return in.w >= BESIDE_MIN_W && in.h >= upkeep_h(s) ? UPKEEP_BESIDE : UPKEEP_NONE;
}

/* Where the metrics go: all of the pane but the upkeep's lines or column. */
static struct rect list_rect(struct rect in, const struct snapshot *s)
{
    switch (upkeep_place(in, s)) {
    case UPKEEP_BELOW: in.h -= upkeep_h(s); break;
    case UPKEEP_BESIDE: in.w -= BESIDE_W + 1; break;
    case UPKEEP_NONE: break;
    }
    return in;
}

static struct rect upkeep_rect(struct rect in, const struct snapshot *s)
{
    int h = upkeep_h(s);
    if (upkeep_place(in, s) == UPKEEP_BESIDE)
        return (struct rect){.y = in.y, .x = in.x + in.w - BESIDE_W, .h = h, .w = BESIDE_W};
    return (struct rect){.y = in.y + in.h - h, .x = in.x, .h = h, .w = in.w};
}

/* Rows of metrics a frame shows: all, or all but the position line. */
static int visible_rows(const struct snap_metrics *m, struct rect in)
{
    return m->nrows > in.h ? in.h - 1 : m->nrows;
}

static int first_row(const struct ui *ui, const struct snap_metrics *m, struct rect in)
{
    int max = m->nrows - visible_rows(m, in);
    int first = ui->metrics_scroll < max ? ui->metrics_scroll : max;
    return first > 0 ? first : 0;
}

void pane_metrics_bound(struct ui *ui, const struct snapshot *s, struct rect inner)
{
    const struct snap_metrics *m = &s->metrics;
    int max = m->available ? m->nrows - visible_rows(m, list_rect(inner, s)) : 0;
    ui->metrics_scroll_max = max > 0 ? max : 0;
    if (ui->metrics_scroll > ui->metrics_scroll_max)
        ui->metrics_scroll = ui->metrics_scroll_max;
}

static void metric_row(const struct pane_view *v, const struct snap_metric *r, struct rect in, int y)
{
    char value[48], kind[24], age[HUMAN_LEN];
    bool wide = in.w >= WIDE_W;
    int name_w = in.w - VALUE_W - KIND_W - 2 - (wide ? AGE_W + 1 : 0);
    name_w = name_w > NAME_MAX_W ? NAME_MAX_W : name_w;
    int x = in.x, end = in.x + in.w;
    metric_value_text(r->name, r->value, value, sizeof value);
    metric_kind_text(r->name, r->interval_ms, kind, sizeof kind);
    draw_text(y, x, name_w, ROLE_LABEL, r->name);
    x += name_w + 1;
    draw_textf(y, x, end - x, ROLE_NORMAL, "%*s", VALUE_W, value);
    x += VALUE_W + 1;
    draw_textf(y, x, end - x, ROLE_DIM, "%-*s", KIND_W, kind);
    x += KIND_W;
    if (wide) {
        draw_textf(y, x + 1, end - x - 1, ROLE_DIM, "%*s", AGE_W, pane_age(v, r->recorded_at, age));
        x += AGE_W + 1;
    }
    if (v->ui->metrics_tags && r->tags[0] && x + 2 < end)
        draw_text(y, x + 2, end - x - 2, ROLE_DIM, r->tags);
}

static void draw_backup(const struct pane_view *v, struct rect in, int y)
{
    const struct snap_backup *b = &v->snap->backup;
    struct health_finding f;
    char age[32];
    if (!b->configured)
        return;
    health_backup(v->snap, &f);
    enum role role = f.level == HEALTH_BAD ? ROLE_BAD : ROLE_DIM;
    if (!b->readable)
        draw_text(y, in.x, in.w, role, "backups unreadable");
    else if (!b->found)
        draw_text(y, in.x, in.w, role, "no verified backup");
    else
        draw_textf(y, in.x, in.w, role, "backup verified %s", pane_age(v, b->newest_at, age));
}

static void draw_upkeep(const struct pane_view *v, struct rect in)
{
    const struct snap_maintenance *m = &v->snap->maintenance;
    char size[HUMAN_LEN], free_b[HUMAN_LEN], age[32], removed[HUMAN_LEN];
    in = upkeep_rect(in, v->snap);
    int y = in.y;
    draw_backup(v, in, y + 2);
    draw_textf(y, in.x, in.w, ROLE_DIM, "db %s, %s free", human_bytes(m->db_bytes, size),
               human_bytes(m->free_bytes, free_b));
    if (!m->available)
        return;
    if (!m->have_pass) {
        draw_text(y + 1, in.x, in.w, ROLE_DIM, "never maintained");
        return;
    }
    const struct maintenance_counts *c = &m->removed;
    human_count(c->events_removed + c->queue_removed + c->metrics_removed + c->search_cache_removed +
                    c->access_log_removed, removed);
    draw_textf(y + 1, in.x, in.w, ROLE_DIM, "maintained %s, %s rows removed",
               pane_age(v, m->finished_at, age), removed);
}

static void draw_metrics(const struct pane_view *v, struct rect in)
{
    if (upkeep_place(in, v->snap) != UPKEEP_NONE)
        draw_upkeep(v, in);
    in = list_rect(in, v->snap);
    const struct snap_metrics *m = &v->snap->metrics;
    if (!m->available) {
        pane_unavailable(in, m->why_unavailable);
        return;
    }
    if (m->nrows == 0) {
        draw_text(in.y, in.x, in.w, ROLE_DIM, "no metrics recorded yet");
        return;
    }
    int first = first_row(v->ui, m, in), shown = visible_rows(m, in);
    for (int i = 0; i < shown && first + i < m->nrows; i++)
        metric_row(v, &m->rows[first + i], in, in.y + i);
    if (shown < m->nrows)
        draw_textf(in.y + in.h - 1, in.x, in.w, ROLE_DIM, "%d-%d of %d%s", first + 1, first + shown,
                   m->nrows, v->focused ? "" : "  (Tab here to scroll)");
}

const struct pane_class pane_metrics = {.title = "Metrics", .draw = draw_metrics};
