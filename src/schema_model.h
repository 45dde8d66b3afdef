/* schema_model — what a database's schema is made of, and how two differ.
 *
 * A model lists tables (with columns), indexes (with columns, uniqueness,
 * partiality) and triggers, read from sqlite_schema and the table_info /
 * index_list pragmas.  Diffing the model of a real database against the
 * reference model (every migration applied to an empty in-memory database)
 * says exactly which parts the real one lacks.  Adoption creates those
 * parts; `status` on a database streamtop has not migrated names them.
 *
 * Equivalence is by meaning where another system may have named a thing
 * differently: an index counts as present if one with the same name exists,
 * or, for an ordinary index, one on the same columns with the same
 * uniqueness; a UNIQUE or TEXT PRIMARY KEY constraint counts as present if
 * any unique index covers exactly its columns. */
#ifndef STREAMTOP_SCHEMA_MODEL_H
#define STREAMTOP_SCHEMA_MODEL_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "strlist.h"

struct schema_column {
    char *name;
    char *type;
    char *default_sql;   /* NULL when there is none */
    bool not_null;
};

struct schema_table {
    char *name;
    char *sql;
    struct schema_column *columns;
    size_t ncolumns;
};

struct schema_index {
    char *name;
    char *table;
    char *sql;           /* NULL for indexes made by a constraint */
    bool unique;
    bool partial;
    bool from_constraint;
    char **columns;      /* "<expr>" for an expression column */
    size_t ncolumns;
};

struct schema_trigger {
    char *name;
    char *table;
    char *sql;
};

struct schema_model {
    struct schema_table *tables;
    size_t ntables;
    struct schema_index *indexes;
    size_t nindexes;
    struct schema_trigger *triggers;
    size_t ntriggers;
};

/* Reads the model of the main database of handle, leaving out SQLite's own
 * tables and schema_migrations. */
int schema_model_load(sqlite3 *handle, struct schema_model *m, struct err *e);
void schema_model_free(struct schema_model *m);

enum schema_gap_kind {
    GAP_TABLE,     /* the whole table is missing */
    GAP_COLUMN,    /* the table exists without this column */
    GAP_UNIQUE,    /* no unique index enforces a UNIQUE / PRIMARY KEY constraint */
    GAP_INDEX,
    GAP_TRIGGER,
    GAP_CHECK,     /* the table exists without the reference's CHECK constraints */
};

struct schema_gap {
    enum schema_gap_kind kind;
    const struct schema_table *table;      /* reference table concerned */
    const struct schema_column *column;    /* GAP_COLUMN */
    const struct schema_index *index;      /* GAP_UNIQUE, GAP_INDEX */
    const struct schema_trigger *trigger;  /* GAP_TRIGGER */
};

struct schema_gaps {
    struct schema_gap *items;
    size_t count;
};

/* What real lacks compared with ref, in the order they must be created:
 * tables, columns, unique constraints, indexes, triggers, then CHECKs.  The
 * gaps point into ref, which must outlive them. */
int schema_diff(const struct schema_model *real, const struct schema_model *ref,
                struct schema_gaps *gaps, struct err *e);
void schema_gaps_free(struct schema_gaps *gaps);

/* One line per gap, e.g. "column companies.data", for `status`. */
int schema_gaps_describe(const struct schema_gaps *gaps, struct strlist *out);

#endif
