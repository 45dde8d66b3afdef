/* migrations — the schema migrations embedded in the binary.
 *
 * Generated at build time from data/migrations/NNNN_name.sql (see
 * build-aux/embed-sql.sh), in version order, so the binary never reads
 * migration files at run time. */
#ifndef STREAMTOP_MIGRATIONS_H
#define STREAMTOP_MIGRATIONS_H

#include <stddef.h>

struct migration {
    int version;
    const char *name;
    const char *sql;
};

extern const struct migration migrations[];
extern const size_t migration_count;

#endif
