/* details — the text of the details dialog for one failure.
 *
 * What the log and the queue know about the event, its error in full, and
 * the event's JSON pretty-printed (or the raw line, when it was not JSON).
 * Every line is sanitised once, when loaded; rows are wrapped to the
 * dialog's width on demand, so a multi-megabyte event scrolls as smoothly
 * as a small one: the dialog draws only the rows on screen. */
#ifndef STREAMTOP_DETAILS_H
#define STREAMTOP_DETAILS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "snapshot_rows.h"
#include "textsafe.h"

struct details_row {
    size_t line;            /* index into lines */
    size_t off, len;        /* the bytes of that line on this row */
};

struct details {
    int64_t log_id;
    char title[128];        /* sanitised event id */
    char company[128];      /* sanitised name, from the list or the event */
    bool charset_ascii;
    size_t nfacts;          /* lines[0 .. nfacts-1] carry ages: rebuilt by details_tick */
    int64_t facts_at;       /* the second they were built for */
    char **lines;           /* sanitised, without newlines */
    size_t nlines, cap;
    struct details_row *rows;
    size_t nrows;
    int width;              /* what rows were wrapped for */
};

/* Builds the text for the event v; company_name comes from the list
 * (companies may not hold it; the event's own name is used then).  now
 * (Unix ms) is for ages. */
int details_build(const struct event_view *v, const char *company_name,
                  enum textsafe_charset charset, int64_t now, struct details *d, struct err *e);

/* Follows the event shown as the database changes.  Only when fresh
 * differs from *shown in something the text says (the row's status,
 * error, identity or times, its queue row) is the text built again, for
 * fresh, and the two views swapped; otherwise the text, its wrapping and
 * the view stay, and only the ages tick.  Either way *fresh is then the
 * caller's to free; *rebuilt says which it was. */
int details_follow(struct details *d, struct event_view *shown, struct event_view *fresh,
                   int64_t now, bool *rebuilt, struct err *e);

/* Brings the ages up to now (once a second at most). */
int details_tick(struct details *d, const struct event_view *v, int64_t now);

/* Wraps the lines to width columns (a no-op when already so). */
int details_wrap(struct details *d, int width);

void details_free(struct details *d);

#endif
