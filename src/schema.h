/* schema — brings a database to the schema this binary needs.
 *
 * Migrations (data/migrations, embedded) run in version order, each in its
 * own transaction, recorded in schema_migrations; running them again is a
 * no-op.  A database made by the existing system that the seeds extend
 * (tables present, no schema_migrations) is adopted instead: the parts the
 * reference schema has and it lacks are created, nothing existing is
 * dropped, renamed or rewritten, and every migration is recorded as
 * adopted, with notes on what could not be added.  A database whose schema
 * is newer than this binary is refused. */
#ifndef STREAMTOP_SCHEMA_H
#define STREAMTOP_SCHEMA_H

#include <stdbool.h>

#include "db.h"
#include "err.h"
#include "strlist.h"

/* The highest migration version this binary knows. */
int schema_latest_version(void);

struct schema_state {
    bool tracked;        /* schema_migrations exists */
    int version;         /* highest recorded migration, 0 when untracked */
    bool has_tables;     /* at least one table the reference schema defines */
};

/* Reads where the database stands.  Fails for a schema_migrations table
 * that streamtop did not make, and for a schema newer than this binary. */
int schema_state(struct db *db, struct schema_state *st, struct err *e);

/* Opens an existing database (never creating one) that streamtop has
 * migrated to this binary's schema; anything else is an error saying what
 * to do (`streamtop migrate`).  For the commands that work on a database
 * the ingester made: retry, maintain, serve. */
int schema_open_current(const char *path, enum db_mode mode, struct db **out, struct err *e);

struct migrate_report {
    int from_version;    /* before; 0 for a new or adopted database */
    int to_version;
    int applied;         /* migrations run (or recorded, when adopting) */
    bool adopted;
    struct strlist done;   /* adoption: what was created */
    struct strlist notes;  /* adoption: what was kept as it is and why */
};

/* Applies pending migrations up to target (schema_latest_version() for
 * everything; lower values exist for tests).  The connection must be
 * read-write. */
int schema_migrate(struct db *db, int target, struct migrate_report *r, struct err *e);
void migrate_report_free(struct migrate_report *r);

/* The parts of the current schema the database lacks, one line each
 * ("table processing_queue", "column companies.data", ...).  For a database
 * at the latest version this is the notes adoption recorded. */
int schema_missing(struct db *db, struct strlist *missing, struct err *e);

/* Problems with the data itself that an operator must act on, such as an
 * active API key whose hash is a placeholder. */
int schema_warnings(struct db *db, struct strlist *warnings, struct err *e);

#endif
