/* store_backup — SQL over a whole database for backups: the online copy,
 * the integrity check, and the row count of every table. */
#ifndef STREAMTOP_STORE_BACKUP_H
#define STREAMTOP_STORE_BACKUP_H

#include <stdint.h>

#include "db.h"
#include "err.h"

/* Copies src into a new file at dest_path with SQLite's online backup API,
 * in one step, so the copy is the snapshot of one read transaction while
 * writers go on; the copy uses a rollback journal, not WAL, so it is one
 * self-contained file. */
int store_backup_copy(struct db *src, const char *dest_path, struct err *e);

/* Leaves a read-write connection's file in rollback-journal mode, so the
 * file is whole once the connection closes. */
int store_backup_detach_wal(struct db *db, struct err *e);

/* PRAGMA integrity_check: "ok", or its first findings, one per line. */
int store_backup_integrity(struct db *db, char *out, size_t size, struct err *e);

typedef int (*table_count_fn)(void *ctx, const char *table, int64_t rows);

/* Calls fn with the number of rows of every table, in name order. */
int store_backup_table_counts(struct db *db, table_count_fn fn, void *ctx, struct err *e);

#endif
