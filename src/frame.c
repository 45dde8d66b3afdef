#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dialog.h"
#include "draw.h"
#include "frame.h"
#include "humanfmt.h"
#include "pane.h"
#include "screen.h"

static const char *const mode_tags[] = {
    [UI_LIVE] = "[live]", [UI_ATTACHED] = "[attached]", [UI_READ_ONLY] = "[read-only]",
    [UI_DEMO] = "[demo]",
};

void frame_layout(struct frame *f, struct ui *ui)
{
    screen_size(&f->rows, &f->cols);
    layout_compute(f->rows, f->cols, &f->layout);
    if (f->layout.too_small)
        return;
    ui->list.page = pane_failures_rows(draw_inner(f->layout.pane[PANE_FAILURES]));
    memcpy(ui->tab_order, f->layout.order, sizeof ui->tab_order);
}

static void header(const struct frame *f, const struct ui *ui)
{
    struct rect r = f->layout.header;
    char clock[16];
    time_t t = (time_t)(f->now / 1000);
    struct tm tm;
    strftime(clock, sizeof clock, "%H:%M:%S", localtime_r(&t, &tm));
    draw_fill(r.y, r.x, r.w, ROLE_HEADER);
    int right = r.x + r.w - (int)strlen(clock) - 1;
    char paused[HUMAN_LEN + 16] = "", dur[HUMAN_LEN];
    if (ui->paused)
        snprintf(paused, sizeof paused, " [paused %s]",
                 human_duration((f->now - ui->paused_at) / 1000, dur));
    int x = r.x + draw_textf(r.y, r.x, right - r.x, ROLE_HEADER, " streamtop %s  %s%s ",
                             PACKAGE_VERSION, mode_tags[ui->mode], paused);
    if (f->ingester_note)
        x += draw_textf(r.y, x, right - x - 1, ROLE_WARN, "%s ", f->ingester_note);
    draw_text(r.y, x, right - x - 1, ROLE_HEADER, f->db_path);
    draw_text(r.y, right, (int)strlen(clock), ROLE_HEADER, clock);
}

/* The keys that work here, each drawn whole or not at all. */
static void key_hints(const struct ui *ui, struct rect r)
{
    size_t n;
    const struct key_help *keys = ui_key_table(&n);
    int x = r.x + 1, end = r.x + r.w;
    for (size_t i = 0; i < n; i++) {
        const struct key_help *k = &keys[i];
        if (!k->short_what || !ui_key_applies(ui, k))
            continue;
        const char *label = ui_key_label(ui, k);
        int need = (int)(strlen(k->keys) + 1 + strlen(label));
        if (x + need > end)
            break;
        bool on = ui_key_enabled(ui, k);
        x += draw_text(r.y, x, end - x, on ? ROLE_KEY : ROLE_DISABLED, k->keys);
        x += draw_textf(r.y, x, end - x, on ? ROLE_NORMAL : ROLE_DISABLED, ":%s ", label);
    }
}

static void footer(const struct frame *f, const struct ui *ui)
{
    struct rect r = f->layout.footer;
    if (ui->dialog == DIALOG_FILTER) {
        int x = r.x + draw_text(r.y, r.x, r.w, ROLE_KEY, " Filter (error, event id, company number): ");
        x += draw_text(r.y, x, r.x + r.w - x, ROLE_NORMAL, ui->filter_edit);
        x += draw_text(r.y, x, r.x + r.w - x, ROLE_SELECTED, " ");
        draw_text(r.y, x, r.x + r.w - x, ROLE_DIM, "  Enter applies, Esc cancels, empty clears");
    } else if (f->status_line) {
        draw_textf(r.y, r.x, r.w, ROLE_WARN, " %s", f->status_line);
    } else if (ui->message_until > f->now) {
        draw_textf(r.y, r.x, r.w, ROLE_WARN, " %s", ui->message);
    } else if (f->read_error) {
        draw_textf(r.y, r.x, r.w, ROLE_BAD, " cannot read the database: %s", f->read_error);
    } else {
        key_hints(ui, r);
    }
}

static void too_small(const struct frame *f)
{
    char msg[96];
    snprintf(msg, sizeof msg, "terminal too small: %dx%d, streamtop needs %dx%d", f->cols, f->rows,
             LAYOUT_MIN_COLS, LAYOUT_MIN_ROWS);
    int len = (int)strlen(msg);
    int x = f->cols > len ? (f->cols - len) / 2 : 0;
    draw_text(f->rows / 2, x, f->cols, ROLE_WARN, msg);
    if (f->rows > 2)
        draw_text(f->rows / 2 + 1, x, f->cols, ROLE_DIM, "enlarge it, or press q to quit");
}

static void panes(const struct frame *f, const struct ui *ui)
{
    for (int i = 0; i < PANE_COUNT; i++) {
        const struct pane_class *p = pane_table[i];
        struct rect r = f->layout.pane[i];
        bool focused = ui->focus == (enum pane_id)i && ui->dialog == DIALOG_NONE;
        draw_box(r, p->title_now ? p->title_now(ui) : p->title, focused);
        struct rect in = draw_inner(r);
        if (!f->snap) {
            draw_text(in.y, in.x, in.w, ROLE_DIM, "reading the database...");
            continue;
        }
        /* Paused, the panes show the moment they were paused at: ages too. */
        struct pane_view v = {.snap = f->snap, .ui = ui,
                              .now = ui->paused ? f->snap->taken_at : f->now,
                              .focused = ui->focus == (enum pane_id)i};
        p->draw(&v, in);
    }
}

void frame_draw(struct frame *f, struct ui *ui)
{
    screen_begin();
    if (f->layout.too_small) {
        too_small(f);
        screen_end();
        return;
    }
    header(f, ui);
    if (f->snap)
        pane_metrics_bound(ui, f->snap, draw_inner(f->layout.pane[PANE_METRICS]));
    panes(f, ui);
    footer(f, ui);
    if (ui->dialog == DIALOG_HELP)
        dialog_help(ui, f->rows, f->cols);
    else if (ui->dialog == DIALOG_DETAILS && f->details)
        dialog_details(ui, f->details, f->rows, f->cols);
    else if (ui->dialog == DIALOG_CONFIRM)
        dialog_confirm(ui, f->rows, f->cols);
    screen_end();
}
