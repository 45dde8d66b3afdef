/* store_events — all SQL on stream_events_log, the record of every line
 * the stream sent: valid events, and invalid lines kept as failures. */
#ifndef STREAMTOP_STORE_EVENTS_H
#define STREAMTOP_STORE_EVENTS_H

#include <stdint.h>

#include "db.h"
#include "err.h"
#include "snapshot.h"

/* How the failures list can be read from this database. */
enum failures_source {
    FAILURES_UNAVAILABLE,
    FAILURES_SEED_INDEX,   /* only the seed's processing_status index: no attempts, no names */
    FAILURES_FULL,         /* streamtop's partial covering index, with attempts and names */
};

enum failures_source store_events_failures_source(struct db *db, char *why, size_t whysize);

/* Counts failures (all, and those whose error contains filter) and reads up
 * to max_rows of them, newest first, older than before_id (0: the newest). */
int store_events_read_failures(struct db *db, enum failures_source source, const char *filter,
                               int64_t before_id, int max_rows, struct snap_failures *f,
                               struct err *e);

#endif
