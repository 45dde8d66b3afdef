/* store_maintenance — all SQL on maintenance_state (the last retention
 * pass) and the database file's size as SQLite counts it. */
#ifndef STREAMTOP_STORE_MAINTENANCE_H
#define STREAMTOP_STORE_MAINTENANCE_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "readings.h"

/* Whether maintenance_state exists (migration 13). */
bool store_maintenance_readable(struct db *db);

/* Whether the record counts the access log's rows (migration 16). */
bool store_maintenance_counts_access_log(struct db *db);

/* Fills m with the last pass (have_pass says if there was one); without
 * access_log (a database read where it was not migrated), that count is 0. */
int store_maintenance_read(struct db *db, bool access_log, struct snap_maintenance *m,
                           struct err *e);

/* The file's size and the part of it on the freelist, in bytes. */
int store_maintenance_size(struct db *db, int64_t *bytes, int64_t *free_bytes, struct err *e);

/* Replaces the record of the last pass. */
int store_maintenance_record(struct db *db, int64_t started_at, int64_t finished_at,
                             const char *run_by, const struct maintenance_counts *c,
                             struct err *e);

/* Lets SQLite refresh the planner's statistics where the data changed
 * enough to matter, bounded so it stays quick on a large database. */
int store_maintenance_optimize(struct db *db, struct err *e);

/* Rewrites the file without its free pages.  Needs the database to
 * itself: the caller holds the stream's lease. */
int store_maintenance_vacuum(struct db *db, struct err *e);

#endif
