/* retry — putting failed events back to pending, by hand.
 *
 * Shared by `streamtop retry` and the dashboard's retry keys.  Each
 * retried event's log row goes back to pending and its queue row to
 * pending with a raised priority (QUEUE_RETRY_PRIORITY), all in one
 * transaction; the ingester's processor picks them up.  Asking for an
 * event id that does not exist changes nothing. */
#ifndef STREAMTOP_RETRY_H
#define STREAMTOP_RETRY_H

#include <stdbool.h>
#include <stddef.h>

#include "db.h"
#include "err.h"
#include "strlist.h"

struct retry_request {
    const char *const *event_ids;   /* these events ... */
    size_t event_count;
    bool all_failed;                /* ... or every failed one */
    const char *error_like;         /* narrowing all_failed: the error contains this */
    const int64_t *log_ids;         /* ... or these stream_events_log ids (the dashboard) */
    size_t log_id_count;
    bool dry_run;                   /* count, change nothing */
};

struct retry_result {
    size_t retried;                 /* or would be, on a dry run */
    struct strlist unknown;         /* ids not found: nothing was changed */
    struct strlist not_failed;      /* "id (status)": skipped */
};

int retry_run(struct db *db, const struct retry_request *req, struct retry_result *res,
              struct err *e);
void retry_result_free(struct retry_result *res);

#endif
