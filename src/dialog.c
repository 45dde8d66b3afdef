#include "config.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#include "dialog.h"
#include "draw.h"
#include "humanfmt.h"

/* A box of at most h x w, centred, cleared inside; returns its inside. */
static struct rect open_box(int rows, int cols, int h, int w, const char *title)
{
    h = h > rows - 2 ? rows - 2 : h;
    w = w > cols - 2 ? cols - 2 : w;
    struct rect box = {(rows - h) / 2, (cols - w) / 2, h, w};
    for (int y = box.y; y < box.y + box.h; y++)
        draw_fill(y, box.x, box.w, ROLE_NORMAL);
    draw_box(box, title, true);
    return draw_inner(box);
}

static void scroll_hint(const struct ui *ui, struct rect in)
{
    if (ui->scroll_lines <= ui->scroll_page)
        return;
    char pos[64];
    snprintf(pos, sizeof pos, " %d-%d of %d ", ui->scroll + 1,
             ui->scroll + ui->scroll_page > ui->scroll_lines ? ui->scroll_lines
                                                              : ui->scroll + ui->scroll_page,
             ui->scroll_lines);
    int len = (int)strlen(pos);
    draw_text(in.y + in.h, in.x + in.w - len - 1, len, ROLE_DIM, pos);
}

void dialog_help(struct ui *ui, int rows, int cols)
{
    size_t n;
    const struct key_help *keys = ui_key_table(&n);
    struct rect in = open_box(rows, cols, (int)n + 6, 84, "Help");
    int lines = (int)n + 3;
    ui->scroll_page = in.h;
    ui->scroll_lines = lines;
    for (int i = 0; i < in.h && ui->scroll + i < lines; i++) {
        int line = ui->scroll + i, y = in.y + i;
        if (line == 0) {
            draw_text(y, in.x + 1, in.w - 1, ROLE_TITLE, "streamtop: watch and steer the stream");
        } else if (line == 1) {
            continue;
        } else if (line - 2 < (int)n) {
            const struct key_help *k = &keys[line - 2];
            bool on = ui_key_enabled(ui, k);
            draw_text(y, in.x + 1, 12, on ? ROLE_KEY : ROLE_DISABLED, k->keys);
            draw_textf(y, in.x + 14, in.w - 14, on ? ROLE_NORMAL : ROLE_DISABLED, "%s%s", k->what,
                       on ? "" : "  (disabled: read-only)");
        } else {
            draw_text(y, in.x + 1, in.w - 1, ROLE_DIM, "Esc, q or ? closes this help.");
        }
    }
    scroll_hint(ui, in);
}

void dialog_details(struct ui *ui, struct details *d, int rows, int cols)
{
    char title[160];
    snprintf(title, sizeof title, "Failure %s", d->title);
    struct rect in = open_box(rows, cols, rows - 2, cols - 4, title);
    if (details_wrap(d, in.w - 2) < 0) {
        draw_text(in.y, in.x + 1, in.w - 1, ROLE_BAD, "out of memory");
        return;
    }
    ui->scroll_page = in.h;
    ui->scroll_lines = (int)d->nrows;
    for (int i = 0; i < in.h && (size_t)(ui->scroll + i) < d->nrows; i++) {
        const struct details_row *r = &d->rows[ui->scroll + i];
        /* Already sanitised when loaded: put the bytes as they are. */
        move(in.y + i, in.x + 1);
        addnstr(d->lines[r->line] + r->off, (int)r->len);
    }
    scroll_hint(ui, in);
}

static const char *hidden_text(const struct ui *ui, char *buf, size_t size)
{
    if (!ui->confirm_hidden)
        return "";
    snprintf(buf, size, "%zu of them hidden by the filter", ui->confirm_hidden);
    return buf;
}

static const char *dropped_text(const struct ui *ui, char *buf, size_t size)
{
    if (!ui->confirm_dropped)
        return "";
    snprintf(buf, size, "%s%zu tag%s dropped: retried or resolved since tagged",
             ui->confirm_hidden ? "; " : "", ui->confirm_dropped,
             ui->confirm_dropped == 1 ? "" : "s");
    return buf;
}

void dialog_confirm(const struct ui *ui, int rows, int cols)
{
    char label[UI_FILTER_MAX + 64], hidden[64], dropped[96];
    struct rect in = open_box(rows, cols, 8, 66, "Retry");
    ui_confirm_label(ui, label, sizeof label);
    draw_textf(in.y + 1, in.x + 2, in.w - 3, ROLE_NORMAL, "Retry %s%s?",
               ui->confirm_tagged ? "the " : "", label);
    if (ui->confirm_hidden || ui->confirm_dropped)
        draw_textf(in.y + 2, in.x + 2, in.w - 3, ROLE_WARN, "%s%s",
                   hidden_text(ui, hidden, sizeof hidden), dropped_text(ui, dropped, sizeof dropped));
    else
        draw_text(in.y + 2, in.x + 2, in.w - 3, ROLE_DIM, "failures arriving from now on are not included");
    int x = in.x + 2;
    x += draw_text(in.y + 4, x, in.w - 3, ROLE_KEY, "y");
    x += draw_text(in.y + 4, x, in.w - 3, ROLE_NORMAL, " retry    ");
    x += draw_text(in.y + 4, x, in.w - 3, ROLE_KEY, "n");
    draw_text(in.y + 4, x, in.w - 3, ROLE_NORMAL, " or any other key: keep them as they are");
}
