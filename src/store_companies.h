/* store_companies — all SQL on companies: applying stream events.
 *
 * Applying is order-safe: stream_timepoint records which event a row
 * reflects, and an event whose timepoint is not newer (a retry after newer
 * events were applied, a replay) changes nothing and is reported as
 * superseded.  A repeat (same company and etag as already applied) is
 * reported so it can be counted, and only its stream columns are written.
 * A `deleted` event of an unknown company leaves a tombstone row, so an
 * older `changed` arriving later cannot bring the company back. */
#ifndef STREAMTOP_STORE_COMPANIES_H
#define STREAMTOP_STORE_COMPANIES_H

#include <stddef.h>

#include "db.h"
#include "err.h"
#include "event.h"

enum apply_outcome {
    APPLY_APPLIED,
    APPLY_REPEATED,      /* applied; the content was already there */
    APPLY_SUPERSEDED,    /* older than what the row reflects: nothing changed */
    APPLY_FAILED,        /* why is in the error buffer; nothing changed */
};

/* Applies ev (whose id is event_id) at time now (ISO).  Returns 0 with the
 * outcome, or -1 with e set for a database failure that must abort the
 * transaction (busy, I/O, corruption). */
int store_companies_apply(struct db *db, const struct stream_event *ev, const char *event_id,
                          const char *now, enum apply_outcome *outcome, char *why, size_t whysize,
                          struct err *e);

#endif
