/* snapshot_rows — reads on demand beside the snapshot.
 *
 * Through the snapshot's read-only connection, each in one short read
 * transaction: everything the details dialog shows of one event, the
 * count and bound that fix the set a confirmed retry acts on (so what is
 * retried is what was counted), and which tags are still failed.  The
 * dashboard calls these; drawing modules only ever see what they return. */
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

/* How the failures list can be read, as the last snapshot probed it
 * (FAILURES_UNAVAILABLE before any). */
enum failures_source snapshot_reader_failures(struct snapshot_reader *r);

/* How many failures match filter (NULL: all) as the list matches it, and
 * kind (NULL: any), and the newest one's log id (0: none): what R asks
 * about, and the bound that fixes its set. */
int snapshot_count_failed(struct snapshot_reader *r, const char *filter, const char *kind,
                          int64_t *count, int64_t *newest, struct err *e);

/* Keeps in ids[0..*n) only the events still failed, in order, and, when
 * attempts is given (each id's attempts when it was chosen), only those
 * not retried since; *hidden counts the kept ones filter does not match. */
int snapshot_keep_failed(struct snapshot_reader *r, int64_t *ids, int64_t *attempts, size_t *n,
                         const char *filter, size_t *hidden, struct err *e);

#endif
