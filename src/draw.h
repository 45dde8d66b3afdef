/* draw — the few ways panes and dialogs put things on the screen.
 *
 * Every string passes through textsafe on its way to curses, whether it
 * came from the stream or not, so no caller can forget; then it is clipped
 * to the columns it was given, never wrapping into a neighbour. */
#ifndef STREAMTOP_DRAW_H
#define STREAMTOP_DRAW_H

#include <stdbool.h>

#include "layout.h"
#include "screen.h"

/* Draws text at (y, x) in at most width columns; returns the columns used.
 * Text that does not fit ends in a mark (an ellipsis), so a reader always
 * knows it was cut. */
int draw_text(int y, int x, int width, enum role role, const char *text);

/* The columns text takes on screen once sanitised. */
int draw_width(const char *text);

int draw_textf(int y, int x, int width, enum role role, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* "label value" with the label in its role; returns the columns used. */
int draw_field(int y, int x, int width, const char *label, enum role role, const char *value);

/* A row of spaces in role (the selection bar). */
void draw_fill(int y, int x, int width, enum role role);

/* A frame around r with title on its top edge. */
void draw_box(struct rect r, const char *title, bool focused);

/* The last width values of v[0..n-1] as a bar per value, scaled to their
 * maximum. */
void draw_spark(int y, int x, int width, const double *v, int n, enum role role);

/* The inside of a framed rectangle. */
struct rect draw_inner(struct rect r);

#endif
