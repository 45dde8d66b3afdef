#include "config.h"

#include <string.h>

#include "layout.h"

/* Heights of the fixed bands, borders included: the Connection pane's
 * eight facts fit in 8 rows plus borders once the terminal is tall enough. */
#define TOP_ROWS_MIN 7
#define TOP_ROWS_MAX 10
#define BOTTOM_ROWS_MIN 6
#define BOTTOM_ROWS_MAX 10

static struct rect rect(int y, int x, int h, int w)
{
    return (struct rect){y, x, h, w};
}

/* A band's height: its minimum, plus a share of the rows beyond those of
 * an 80x24 screen, up to its maximum. */
static int band_rows(int body, int min, int max)
{
    int extra = (body - (24 - 2)) / 6;
    int h = min + (extra > 0 ? extra : 0);
    return h < max ? h : max;
}

static void narrow(int body, int cols, struct layout *l)
{
    int top = band_rows(body, TOP_ROWS_MIN, TOP_ROWS_MAX);
    int bottom = band_rows(body, BOTTOM_ROWS_MIN, BOTTOM_ROWS_MAX);
    int left = cols / 2;
    l->pane[PANE_CONNECTION] = rect(1, 0, top, left);
    l->pane[PANE_THROUGHPUT] = rect(1, left, top, cols - left);
    l->pane[PANE_FAILURES] = rect(1 + top, 0, body - top - bottom, cols);
    l->pane[PANE_QUEUE] = rect(1 + body - bottom, 0, bottom, left);
    l->pane[PANE_METRICS] = rect(1 + body - bottom, left, bottom, cols - left);
}

/* Three across the top; the failures list gets the full width, because its
 * error column is what an operator reads, and Metrics takes a band below. */
static void wide(int body, int cols, struct layout *l)
{
    int top = band_rows(body, TOP_ROWS_MIN + 1, TOP_ROWS_MAX);
    int bottom = band_rows(body, BOTTOM_ROWS_MIN, BOTTOM_ROWS_MAX);
    int third = cols / 3;
    l->pane[PANE_CONNECTION] = rect(1, 0, top, third);
    l->pane[PANE_THROUGHPUT] = rect(1, third, top, third);
    l->pane[PANE_QUEUE] = rect(1, 2 * third, top, cols - 2 * third);
    l->pane[PANE_FAILURES] = rect(1 + top, 0, body - top - bottom, cols);
    l->pane[PANE_METRICS] = rect(1 + body - bottom, 0, bottom, cols);
}

/* Wide enough for a whole failures row beside it: Metrics takes a column. */
static void very_wide(int body, int cols, struct layout *l)
{
    int top = band_rows(body, TOP_ROWS_MIN + 1, TOP_ROWS_MAX);
    int third = cols / 3;
    int failures = cols * 3 / 5 > LAYOUT_FAILURES_COLS ? cols * 3 / 5 : LAYOUT_FAILURES_COLS;
    l->pane[PANE_CONNECTION] = rect(1, 0, top, third);
    l->pane[PANE_THROUGHPUT] = rect(1, third, top, third);
    l->pane[PANE_QUEUE] = rect(1, 2 * third, top, cols - 2 * third);
    l->pane[PANE_FAILURES] = rect(1 + top, 0, body - top, failures);
    l->pane[PANE_METRICS] = rect(1 + top, failures, body - top, cols - failures);
}

/* Tab order: the panes as they are read, top to bottom, left to right. */
static void reading_order(struct layout *l)
{
    for (int i = 0; i < PANE_COUNT; i++)
        l->order[i] = (enum pane_id)i;
    for (int i = 1; i < PANE_COUNT; i++)
        for (int j = i; j > 0; j--) {
            struct rect a = l->pane[l->order[j - 1]], b = l->pane[l->order[j]];
            if (a.y < b.y || (a.y == b.y && a.x <= b.x))
                break;
            enum pane_id t = l->order[j - 1];
            l->order[j - 1] = l->order[j];
            l->order[j] = t;
        }
}

void layout_compute(int rows, int cols, struct layout *out)
{
    memset(out, 0, sizeof *out);
    if (rows < LAYOUT_MIN_ROWS || cols < LAYOUT_MIN_COLS) {
        out->too_small = true;
        return;
    }
    int body = rows - 2;
    out->header = rect(0, 0, 1, cols);
    out->footer = rect(rows - 1, 0, 1, cols);
    if (cols >= LAYOUT_VERY_WIDE_COLS)
        very_wide(body, cols, out);
    else if (cols >= LAYOUT_WIDE_COLS)
        wide(body, cols, out);
    else
        narrow(body, cols, out);
    reading_order(out);
}
