/* frame — one whole screen: header, the five panes, footer, and the dialog
 * on top, drawn into curses' buffer and sent in one update. */
#ifndef STREAMTOP_FRAME_H
#define STREAMTOP_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "details.h"
#include "layout.h"
#include "snapshot.h"
#include "ui.h"

struct frame {
    const char *db_path;
    const char *status_line;        /* e.g. "stopping the ingester..."; NULL: none */
    const char *read_error;         /* the last snapshot failed: why; NULL: none */
    const char *ingester_note;      /* attached with no ingester: say so; NULL: none */
    const struct snapshot *snap;    /* NULL until the first snapshot */
    struct details *details;        /* for DIALOG_DETAILS */
    struct layout layout;
    int rows, cols;
    int64_t now;                    /* Unix ms */
};

/* Lays out for the terminal's size and tells ui how many rows the
 * failures list shows. */
void frame_layout(struct frame *f, struct ui *ui);

void frame_draw(struct frame *f, struct ui *ui);

#endif
