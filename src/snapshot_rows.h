/* snapshot_rows — reads on demand beside the snapshot.
 *
 * Through the snapshot's read-only connection, each in one short read
 * transaction: everything the details dialog shows of one event, and the
 * sets of failures a confirmed retry will act on (fixed when the operator
 * is asked, so what is retried is what was counted).  The dashboard calls
 * these; drawing modules only ever see what they return. */
#ifndef STREAMTOP_SNAPSHOT_ROWS_H
#define STREAMTOP_SNAPSHOT_ROWS_H

#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"
#include "store_events.h"
#include "store_queue.h"

/* One event as the log and the queue know it. */
struct event_view {
    struct event_detail log;
    struct queue_entry queue;
    char queue_error[sizeof(struct err)];   /* the queue row could not be read: why */
};

int snapshot_read_event(struct snapshot_reader *r, int64_t log_id, struct event_view *out,
                        struct err *e);
void snapshot_event_free(struct event_view *v);

/* The log ids of every failure matching filter (NULL: all) as the list
 * matches it, and of kind (NULL: any), oldest first; *ids is malloc'd. */
int snapshot_failed_ids(struct snapshot_reader *r, const char *filter, const char *kind,
                        int64_t **ids, size_t *n, struct err *e);

/* Keeps in ids[0..*n) only the events still failed, in order, and, when
 * attempts is given (each id's attempts when it was chosen), only those
 * not retried since; *hidden counts the kept ones filter does not match. */
int snapshot_keep_failed(struct snapshot_reader *r, int64_t *ids, int64_t *attempts, size_t *n,
                         const char *filter, size_t *hidden, struct err *e);

#endif
