/* store_queue — all SQL on processing_queue: the work outstanding on
 * stream events (pending, being processed, failed). */
#ifndef STREAMTOP_STORE_QUEUE_H
#define STREAMTOP_STORE_QUEUE_H

#include "db.h"
#include "err.h"
#include "snapshot.h"

bool store_queue_readable(struct db *db, char *why, size_t whysize);

/* Pending and processing counts and the oldest pending row's age. */
int store_queue_read(struct db *db, struct snap_queue *q, struct err *e);

#endif
