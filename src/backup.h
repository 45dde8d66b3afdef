/* backup — verified copies of the database, and putting one back.
 *
 * A backup is made with SQLite's online backup API (store_backup.h) while
 * the ingester goes on writing, into a temporary name in the backup
 * directory.  The copy is then checked before it counts: PRAGMA
 * integrity_check, its schema version, the rows of every table and the
 * stream's resume point, and its SHA-256.  It is fsynced and renamed to
 * streamtop-YYYYMMDDTHHMMSS.mmmZ.db, and its facts are written beside it in
 * the same name plus ".manifest.json" (also through a temporary name, so a
 * manifest is always whole).  A backup without a manifest does not count.
 *
 * Every backup is a full copy; incremental backups and point-in-time
 * recovery come from Litestream (doc/operations.md). */
#ifndef STREAMTOP_BACKUP_H
#define STREAMTOP_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "strlist.h"

#define BACKUP_MAX_TABLES 64
#define BACKUP_MANIFEST_SUFFIX ".manifest.json"

struct backup_facts {
    char integrity[512];            /* "ok", or integrity_check's findings */
    int schema_version;
    bool has_resume;
    int64_t resume_point;           /* the stream's last stored timepoint */
    struct { char name[64]; int64_t rows; } tables[BACKUP_MAX_TABLES];
    int ntables;
    int64_t bytes;
    char sha256[65];
};

/* Makes a verified backup of db_path in dir; *file is its path (malloc'd). */
int backup_make(const char *db_path, const char *dir, int64_t now, char **file,
                struct backup_facts *facts, struct err *e);

/* Checks file against its manifest; each difference is one line in
 * problems (none: the backup is good).  -1 only when it cannot check. */
int backup_verify(const char *file, struct strlist *problems, struct err *e);

struct backup_rotation {
    int daily;                      /* the newest backup of each of this many days */
    int weekly;                     /* and of each of this many ISO weeks */
};

/* Which of n backups to keep, given their times newest first. */
void backup_rotation_keep(const int64_t *times, size_t n, const struct backup_rotation *r,
                          bool *keep);

/* Deletes the backups of db_path in dir that the rotation does not keep;
 * their names go into removed.  Backups whose manifest names another
 * database as the source (canonical paths compared) are left alone. */
int backup_rotate(const char *dir, const char *db_path, const struct backup_rotation *r,
                  struct strlist *removed, struct err *e);

/* The newest backup of db_path in dir with a manifest, made by now, whose
 * size is the manifest's (not its SHA-256: that reads the whole file). */
struct backup_newest {
    bool found;
    int64_t at;                     /* when it was made */
    int future;                     /* newer ones dated after now (clock skew): age unknown */
    int damaged;                    /* newer ones whose size is not the manifest's */
};
int backup_newest(const char *dir, const char *db_path, int64_t now, struct backup_newest *out,
                  struct err *e);

/* How many temporary files in dir were left by a backup whose process is
 * gone (the next backup removes them). */
int backup_leftovers(const char *dir, int *count, struct err *e);

#endif
