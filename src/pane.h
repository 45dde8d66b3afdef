/* pane — the five panes of the dashboard (DESIGN.md section 6).
 *
 * A pane is a module with one draw function that renders the snapshot (and
 * the ui state, for the failures list) into the inside of its frame.  It
 * never queries: everything it shows is in the snapshot.  pane_table
 * registers them in layout order, so adding a pane is one new file and
 * one line there. */
#ifndef STREAMTOP_PANE_H
#define STREAMTOP_PANE_H

#include <stdbool.h>
#include <stdint.h>

#include "health.h"
#include "layout.h"
#include "snapshot.h"
#include "ui.h"

struct pane_view {
    const struct snapshot *snap;
    const struct ui *ui;
    int64_t now;                    /* Unix ms, for ages */
    bool focused;
};

struct pane_class {
    const char *title;
    void (*draw)(const struct pane_view *v, struct rect inner);
    /* Optional: a title that says which mode the pane is in. */
    const char *(*title_now)(const struct ui *ui);
};

extern const struct pane_class pane_connection, pane_throughput, pane_failures, pane_queue,
    pane_metrics;

/* Indexed by enum pane_id. */
extern const struct pane_class *const pane_table[PANE_COUNT];

/* How many list rows the failures pane shows inside a frame of this size. */
int pane_failures_rows(struct rect inner);

/* Bounds the metrics pane's scrolling by what a frame of this size shows
 * of the snapshot's metrics (the drawing side owns both). */
void pane_metrics_bound(struct ui *ui, const struct snapshot *s, struct rect inner);

/* Draws "unavailable: why" for a section the database cannot provide. */
void pane_unavailable(struct rect inner, const char *why);

/* Whether line y fits above end; a line that does not is counted in
 * *hidden, for pane_clipped(). */
bool pane_room(int y, int end, int *hidden);

/* Says on the frame's bottom edge that hidden lines did not fit ("▼ 2
 * more"): a pane never loses lines without a sign. */
void pane_clipped(struct rect inner, int hidden);

/* The colour of a health verdict (health.h); fine is the role when OK. */
enum role pane_health_role(enum health_level level, enum role fine);

/* Ages and durations relative to the snapshot ("never" for 0). */
const char *pane_age(const struct pane_view *v, int64_t at, char buf[32]);

#endif
