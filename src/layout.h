/* layout — where the header, the five panes and the footer go.
 *
 * A pure function of the terminal's size, so it is tested without a
 * terminal and recomputed on every resize.  The body (between the header
 * line and the footer line) is always covered exactly, without overlap:
 *
 *   narrow (< 120 columns)       wide (120-169)                 very wide (>= 170)
 *   +----------+----------+      +--------+--------+-------+    +--------+--------+--------+
 *   |Connection|Throughput|      |Connect.|Through.| Queue |    |Connect.|Through.| Queue  |
 *   +----------+----------+      +--------+--------+-------+    +--------+------+-+--------+
 *   |      Failures       |      |        Failures         |    |   Failures    | Metrics  |
 *   +----------+----------+      +-------------------------+    |               |          |
 *   |  Queue   | Metrics  |      |         Metrics         |    |               |          |
 *   +----------+----------+      +-------------------------+    +---------------+----------+
 *
 * Failures, the pane an operator works in, takes whatever height is left,
 * and the full width until a whole row (a 60-column error included) fits
 * beside Metrics.
 * Below LAYOUT_MIN_COLS x LAYOUT_MIN_ROWS nothing useful fits: the screen
 * says so instead of drawing. */
#ifndef STREAMTOP_LAYOUT_H
#define STREAMTOP_LAYOUT_H

#include <stdbool.h>

#define LAYOUT_MIN_COLS 60
#define LAYOUT_MIN_ROWS 21
#define LAYOUT_WIDE_COLS 120
#define LAYOUT_VERY_WIDE_COLS 170
#define LAYOUT_FAILURES_COLS 130   /* beside Metrics, the list is at least this wide */

enum pane_id {
    PANE_CONNECTION,
    PANE_THROUGHPUT,
    PANE_FAILURES,
    PANE_QUEUE,
    PANE_METRICS,
    PANE_COUNT
};

struct rect {
    int y, x, h, w;
};

struct layout {
    bool too_small;                 /* nothing below is set */
    struct rect header, footer;
    struct rect pane[PANE_COUNT];
    enum pane_id order[PANE_COUNT];   /* reading order: top to bottom, left to right */
};

void layout_compute(int rows, int cols, struct layout *out);

#endif
