/* store_search_cache — all SQL on search_cache (the seed's cache of search
 * results; streamtop only expires it). */
#ifndef STREAMTOP_STORE_SEARCH_CACHE_H
#define STREAMTOP_STORE_SEARCH_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "err.h"

bool store_search_cache_readable(struct db *db);

/* Deletes up to limit rows after rowid *cursor that expired before now or
 * were made before made_before, and moves *cursor past the last one
 * examined; *deleted says how many went (fewer than limit: none remain).
 * Timestamps are compared as times, so both SQLite's CURRENT_TIMESTAMP
 * text and ISO 8601 with a zone work; a row whose times cannot be read is
 * kept. */
int store_search_cache_expire(struct db *db, int64_t now, int64_t made_before, int limit,
                              int64_t *cursor, int *deleted, struct err *e);

#endif
