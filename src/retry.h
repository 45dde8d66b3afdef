/* retry — putting failed events back to pending, by hand.
 *
 * The one rule every retry path follows (the `retry` command, the
 * dashboard's keys, and any later caller): an event is re-queued only if
 * it is failed at the moment of the write, checked inside the write
 * transaction.  An event that was retried and processed meanwhile is
 * skipped and counted, never applied a second time.
 *
 * Each retried event's log row goes back to pending and its queue row to
 * pending with a raised priority (QUEUE_RETRY_PRIORITY); the ingester's
 * processor picks them up.  Asking for an event id that does not exist
 * changes nothing.  A dry run only reads: it takes no write lock.
 *
 * Resolving (the `resolve` command) selects the same way and follows the
 * same rule for failures not yet resolved: each one's log row gets
 * resolved_at, keeping its status, line and error, and its queue row is
 * closed ('done').  A selection of all failures never includes resolved
 * ones; a retry of an event named by its id takes its resolution back. */
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
    bool any_field;                 /* ... or the event id or company number does */
    const int64_t *log_ids;         /* ... or these stream_events_log ids (a set fixed */
    size_t log_id_count;            /*     when the operator confirmed it) */
    bool dry_run;                   /* count, change nothing */
    bool resolve;                   /* resolve the failures instead of retrying them */
};

struct retry_result {
    size_t retried;                 /* or resolved; or would be, on a dry run */
    size_t skipped;                 /* in the set but no longer failed (or gone, or resolved) */
    struct strlist unknown;         /* event ids not found: nothing was changed */
    struct strlist not_failed;      /* "id (status)" of event ids skipped */
};

int retry_run(struct db *db, const struct retry_request *req, struct retry_result *res,
              struct err *e);
void retry_result_free(struct retry_result *res);

#endif
