/* snapshot — everything the five panes show, read in one go.
 *
 * snapshot_fill() reads the database through a read-only connection in one
 * short read transaction, with indexed queries only, into a plain struct.
 * Panes render that struct, `status` prints it, and nothing else queries on
 * the way to the screen, so live, attached, read-only and demo modes show
 * the same thing.  Its cost does not grow with history: counters come from
 * stream_state, the rate now and the backlog from the ingester's last few
 * counter readings (rates.h), averages and sparklines from a bounded window
 * of system_metrics, and lists from partial indexes over failed or pending
 * rows only.
 *
 * A database streamtop has not migrated may lack parts; each section says
 * whether it is available and, if not, why, instead of failing. */
#ifndef STREAMTOP_SNAPSHOT_H
#define STREAMTOP_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "readings.h"

struct snapshot {
    int64_t taken_at;
    int schema_version;             /* 0 when untracked */
    bool schema_tracked;
    struct snap_connection connection;
    struct snap_throughput throughput;
    struct snap_failures failures;
    struct snap_queue queue;
    struct snap_metrics metrics;
    struct snap_integrations integrations;
    struct snap_maintenance maintenance;
    struct snap_backup backup;
};

struct snapshot_request {
    const char *stream_type;        /* "company-profile" */
    int64_t now;                    /* the clock to judge ages and rates by; 0: the real one */
    const char *failure_filter;     /* substring of the error, event id or company, or NULL */
    const char *failure_kind;       /* only this kind of error, or NULL */
    bool failure_kinds;             /* also group the matching failures by kind */
    struct failure_window failures; /* above + rows at most SNAP_FAILURE_ROWS */
    const char *backup_dir;         /* NULL: none configured */
    int64_t backup_max_age_ms;
};

/* A read-only connection and what it has learnt about the schema. */
struct snapshot_reader;

/* Opens path read-only (never creating it) and refuses a schema newer than
 * this binary. */
int snapshot_reader_open(const char *path, struct snapshot_reader **out, struct err *e);
void snapshot_reader_close(struct snapshot_reader *r);
struct db *snapshot_reader_db(struct snapshot_reader *r);

/* A view frozen while no writer was attached (db.h) reopened once one is,
 * with what the reader keeps per connection set up again; *reopened says
 * whether it was.  snapshot_fill() does this itself. */
int snapshot_reader_refresh(struct snapshot_reader *r, bool *reopened, struct err *e);

int snapshot_fill(struct snapshot_reader *r, const struct snapshot_request *req,
                  struct snapshot *s, struct err *e);

#endif
