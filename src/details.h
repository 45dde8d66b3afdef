/* details — the text of the details dialog for one failure.
 *
 * What the log and the queue know about the event, its error in full, and
 * the event's JSON pretty-printed (or the raw line, when it was not JSON).
 * Every line is sanitised once, when loaded; rows are wrapped to the
 * dialog's width on demand, so a multi-megabyte event scrolls as smoothly
 * as a small one: the dialog draws only the rows on screen. */
#ifndef STREAMTOP_DETAILS_H
#define STREAMTOP_DETAILS_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "textsafe.h"

struct details_row {
    size_t line;            /* index into lines */
    size_t off, len;        /* the bytes of that line on this row */
};

struct details {
    int64_t log_id;
    char title[128];        /* sanitised event id */
    char **lines;           /* sanitised, without newlines */
    size_t nlines, cap;
    struct details_row *rows;
    size_t nrows;
    int width;              /* what rows were wrapped for */
};

/* Loads the failure with log id log_id; company_name comes from the list
 * (companies may not hold it).  now (Unix ms) is for ages. */
int details_load(struct db *db, int64_t log_id, const char *company_name,
                 enum textsafe_charset charset, int64_t now, struct details *d, struct err *e);

/* Wraps the lines to width columns (a no-op when already so). */
int details_wrap(struct details *d, int width);

void details_free(struct details *d);

#endif
