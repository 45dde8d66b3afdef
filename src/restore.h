/* restore — a backup back in place of a database.  The backup is verified
 * first (backup_verify) and never restored if it fails.  A database that
 * any other process has open (SQLite's locks; /proc for the lock-free
 * read-only views on this host) or whose stream a live ingester on this
 * host holds is never replaced; force overrides only another host's
 * lease once it is stale.  The copy keeps the replaced file's mode
 * (0600 on a new path) and is renamed into place. */
#ifndef STREAMTOP_RESTORE_H
#define STREAMTOP_RESTORE_H

#include <stdbool.h>

#include "err.h"
#include "strlist.h"

/* problems: what verification found wrong, if it did. */
int restore_from_backup(const char *file, const char *db_path, bool force,
                        struct strlist *problems, struct err *e);

#endif
