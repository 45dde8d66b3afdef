/* dialog — what is drawn over the panes: the help screen, a failure's
 * details, the retry confirmation.  Each draws the panes' frame first
 * (done by the caller), then its box, and fits the box to the terminal on
 * every frame, so a resize re-lays it out at once.  Each records in ui how
 * many lines it shows and has, for the scrolling keys. */
#ifndef STREAMTOP_DIALOG_H
#define STREAMTOP_DIALOG_H

#include "details.h"
#include "ui.h"

void dialog_help(struct ui *ui, int rows, int cols);

/* d is wrapped to the box's width as needed. */
void dialog_details(struct ui *ui, struct details *d, int rows, int cols);

void dialog_confirm(const struct ui *ui, int rows, int cols);

#endif
