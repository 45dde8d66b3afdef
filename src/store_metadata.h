/* store_metadata — all SQL on stream_metadata (the seed's per-stream row)
 * and stream_state (streamtop's detailed connection state, counters and
 * the owning ingester). */
#ifndef STREAMTOP_STORE_METADATA_H
#define STREAMTOP_STORE_METADATA_H

#include "db.h"
#include "err.h"
#include "snapshot.h"

/* Whether the tables hold what the connection pane reads; if not, why. */
bool store_metadata_readable(struct db *db, char *why, size_t whysize);
bool store_state_readable(struct db *db);

/* Fills the connection section (and the stream_state counters of the
 * throughput section when present) for one stream. */
int store_metadata_read(struct db *db, const char *stream_type, bool with_state,
                        struct snap_connection *c, struct snap_throughput *t, struct err *e);

#endif
