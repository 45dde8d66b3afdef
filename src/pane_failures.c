/* The Failures pane: how many events failed, and the list of them, newest
 * first, as a window the ui module moves over the whole list (paged from
 * SQL, so 100,000 failures scroll like 10). */
#include "config.h"

#include <stdio.h>

#include "draw.h"
#include "humanfmt.h"
#include "pane.h"

/* Column widths, from the rows on screen: the event id whole, a column
 * empty on every row not drawn, and the error, the column that matters,
 * first served: the company gets only what the longest error leaves. */
struct columns {
    int age, event, company, tries, error;
};

#define AGE_COLS 8
#define TRIES_COLS 5
#define EVENT_MAX_COLS 40
#define COMPANY_MAX_COLS 32
#define ERROR_WANTED_COLS 60

/* The company as "number name", or just the number when the column has no
 * room for a useful part of the name: a whole number beats a stub. */
#define NAME_MIN_COLS 8

static void company_text(const struct failure_row *r, int width, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s%s", r->company_number, r->company_number[0] ? " " : "",
             r->company_name);
    if (draw_width(buf) > width && r->company_number[0] &&
        width < draw_width(r->company_number) + 1 + NAME_MIN_COLS)
        snprintf(buf, size, "%s", r->company_number);
}

static int widest(int have, int w)
{
    return w > have ? w : have;
}

static struct columns columns_for(int width, const struct failure_row *rows, int n)
{
    struct columns c = {.age = AGE_COLS, .event = 5};
    int company = 0, number = 0, error = 0;
    char buf[160];
    for (int i = 0; i < n; i++) {
        c.event = widest(c.event, draw_width(rows[i].event_id));
        company_text(&rows[i], COMPANY_MAX_COLS, buf, sizeof buf);
        company = widest(company, draw_width(buf));
        number = widest(number, draw_width(rows[i].company_number));
        error = widest(error, draw_width(rows[i].error));
        if (rows[i].attempts >= 0)
            c.tries = TRIES_COLS;
    }
    c.event = c.event < EVENT_MAX_COLS ? c.event : EVENT_MAX_COLS;
    company = company < COMPANY_MAX_COLS ? company : COMPANY_MAX_COLS;
    company = company > 0 && company < 7 ? 7 : company;   /* room for its heading */
    int fixed = 2 + (c.age + 1) + (c.event + 1) + (c.tries ? c.tries + 1 : 0);
    int wanted = error < ERROR_WANTED_COLS ? error : ERROR_WANTED_COLS;
    int spare = width - fixed - wanted - 1;
    number = number > 0 && number < 7 ? 7 : number;
    if (company > 0 && spare >= company)
        c.company = company;
    else if (company > 0 && spare >= 7)
        c.company = number >= 7 && number <= spare ? number : spare;
    c.error = width - fixed - (c.company ? c.company + 1 : 0);
    if (c.error < 5)
        c.error = 5;
    return c;
}

int pane_failures_rows(struct rect inner)
{
    return inner.h > 2 ? inner.h - 2 : 1;
}

/* The counts, and which rows of the list are on screen (first and shown
 * from ui_visible). */
/* Red while anything is failed: the same verdict as `status`. */
static enum role count_role(const struct snapshot *s)
{
    struct health_finding h;
    health_failures(s, &h);
    return pane_health_role(h.level, ROLE_GOOD);
}

static void summary(const struct pane_view *v, struct rect in, int first, int shown)
{
    const struct snap_failures *f = &v->snap->failures;
    const struct ui *ui = v->ui;
    char a[HUMAN_LEN], b[HUMAN_LEN], c[HUMAN_LEN], d[HUMAN_LEN];
    int x = in.x + draw_textf(in.y, in.x, in.w, count_role(v->snap), "%s failed",
                              human_count(f->count, a));
    if (ui->filter[0] || ui->kind[0])
        x += draw_textf(in.y, x, in.x + in.w - x, ROLE_WARN, ", %s %s \"%s\"",
                        human_count(f->matching, b), ui->kind[0] ? "like" : "matching",
                        ui->kind[0] ? ui->kind : ui->filter);
    if (shown > 0) {
        /* Rows above the window: those newer than the buffer, then the buffer's own. */
        int64_t top = f->newer + first + 1;
        x += draw_textf(in.y, x, in.x + in.w - x, ROLE_DIM, "  %s-%s of %s", human_count(top, c),
                        human_count(top + shown - 1, d), human_count(f->matching, b));
        int64_t newer = ui_newer_above(ui, f);
        if (newer > 0)
            x += draw_textf(in.y, x, in.x + in.w - x, ROLE_WARN, "  %s %s newer",
                            screen_charset() == TEXTSAFE_UTF8 ? "\u25b2" : "^", human_count(newer, a));
    }
    if (ui->list.lost)
        x += draw_text(in.y, x, in.x + in.w - x, ROLE_WARN, "  none selected");
    if (ui->ntags)
        x += draw_textf(in.y, x, in.x + in.w - x, ROLE_TAGGED, "  %zu tagged", ui->ntags);
    if (ui->paused)
        draw_text(in.y, x, in.x + in.w - x, ROLE_WARN, "  [paused]");
}

static void header(struct rect in, const struct columns *c)
{
    int y = in.y + 1, x = in.x + 2;
    draw_text(y, x, c->age, ROLE_LABEL, "AGE");
    x += c->age + 1;
    draw_text(y, x, c->event, ROLE_LABEL, "EVENT");
    x += c->event + 1;
    if (c->company) {
        draw_text(y, x, c->company, ROLE_LABEL, "COMPANY");
        x += c->company + 1;
    }
    draw_text(y, x, c->error, ROLE_LABEL, "ERROR");
    x += c->error + 1;
    if (c->tries)
        draw_textf(y, x, c->tries, ROLE_LABEL, "%*s", c->tries, "TRIES");
}

static void row(const struct pane_view *v, int y, struct rect in, const struct columns *c,
                const struct failure_row *r, bool selected)
{
    char age[HUMAN_LEN], tries[24], company[160];
    enum role role = selected ? ROLE_SELECTED : ROLE_NORMAL;
    if (selected)
        draw_fill(y, in.x, in.w, ROLE_SELECTED);
    if (ui_tagged(v->ui, r->id))
        draw_text(y, in.x, 1, selected ? ROLE_SELECTED : ROLE_TAGGED, "*");
    int x = in.x + 2;
    draw_textf(y, x, c->age, role, "%s", pane_age(v, r->received_at, age));
    x += c->age + 1;
    draw_text(y, x, c->event, role, r->event_id);
    x += c->event + 1;
    if (c->company) {
        company_text(r, c->company, company, sizeof company);
        draw_text(y, x, c->company, role, company);
        x += c->company + 1;
    }
    draw_text(y, x, c->error, selected ? role : ROLE_BAD, r->error);
    x += c->error + 1;
    if (!c->tries)
        return;
    if (r->attempts >= 0)
        snprintf(tries, sizeof tries, "%lld", (long long)r->attempts);
    else
        snprintf(tries, sizeof tries, "-");
    draw_textf(y, x, c->tries, role, "%*s", c->tries, tries);
}

/* One row per kind of error: how many, the newest and oldest, the kind. */
static void draw_kinds(const struct pane_view *v, struct rect in)
{
    const struct snap_failures *f = &v->snap->failures;
    const struct ui *ui = v->ui;
    char a[HUMAN_LEN], b[HUMAN_LEN], newest[32], oldest[32];
    int x = in.x + draw_textf(in.y, in.x, in.w, count_role(v->snap),
                              "%s failed in %d kind%s", human_count(f->count, a), f->nkinds,
                              f->nkinds == 1 ? "" : "s");
    if (ui->filter[0])
        x += draw_textf(in.y, x, in.x + in.w - x, ROLE_WARN, ", %s matching \"%s\"",
                        human_count(f->matching, b), ui->filter);
    if (f->other_kinds)
        draw_textf(in.y, x, in.x + in.w - x, ROLE_DIM, "  (+%s in further kinds)",
                   human_count(f->other_kinds, a));
    if (in.h < 3)
        return;
    int y = in.y + 1, cx = in.x + 2;
    draw_textf(y, cx, in.w - 2, ROLE_LABEL, "%7s %-8s %-8s %s", "COUNT", "NEWEST", "OLDEST",
               "KIND OF ERROR");
    int rows = in.h - 2, first = ui->kind_cursor >= rows ? ui->kind_cursor - rows + 1 : 0;
    for (int i = 0; i < rows && first + i < f->nkinds; i++) {
        const struct failure_kind *k = &f->kinds[first + i];
        bool selected = v->focused && first + i == ui->kind_cursor;
        enum role role = selected ? ROLE_SELECTED : ROLE_NORMAL;
        if (selected)
            draw_fill(y + 1 + i, in.x, in.w, ROLE_SELECTED);
        int used = draw_textf(y + 1 + i, cx, in.w - 2, role, "%7s %-8s %-8s ",
                              human_count(k->count, a), pane_age(v, k->newest_at, newest),
                              pane_age(v, k->oldest_at, oldest));
        draw_text(y + 1 + i, cx + used, in.w - 2 - used, selected ? role : ROLE_BAD, k->kind);
    }
}

static void draw_failures(const struct pane_view *v, struct rect in)
{
    const struct snap_failures *f = &v->snap->failures;
    if (!f->available) {
        pane_unavailable(in, f->why_unavailable);
        return;
    }
    if (v->ui->grouped) {
        draw_kinds(v, in);
        return;
    }
    int first, count;
    ui_visible(v->ui, f, &first, &count);
    summary(v, in, first, count);
    if (in.h < 3)
        return;
    struct columns c = columns_for(in.w, &f->rows[first], count < in.h - 2 ? count : in.h - 2);
    header(in, &c);
    if (count == 0) {
        draw_text(in.y + 2, in.x + 2, in.w - 2, ROLE_DIM,
                  v->ui->filter[0] ? "no failures match the filter" : "no failures");
        return;
    }
    for (int i = 0; i < count && i < in.h - 2; i++) {
        const struct failure_row *r = &f->rows[first + i];
        row(v, in.y + 2 + i, in, &c, r, v->focused && r->id == v->ui->list.selected_id);
    }
}

static const char *title_now(const struct ui *ui)
{
    if (ui->grouped)
        return "Failures by kind";
    if (ui->kind[0])
        return ui->list.follow ? "Failures of one kind: following the newest"
                               : "Failures of one kind";
    return ui->list.follow ? "Failures: following the newest" : "Failures";
}

const struct pane_class pane_failures = {.title = "Failures", .draw = draw_failures,
                                         .title_now = title_now};
