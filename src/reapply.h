/* reapply — the writer's deferred retries: events put back to pending (by
 * `retry`, the dashboard or the API, all through retry.c) are claimed and
 * applied again on the writer's connection, between its batches.
 *
 * It owns when to look and the applying: a look is due every
 * REAPPLY_SCAN_MS when another connection has committed (PRAGMA
 * data_version), at once while the last look left some behind, and again
 * after a look that failed (a lock's release or space freed changes
 * nothing data_version can see).  Each look claims up to REAPPLY_BATCH
 * events, highest priority first, in one transaction.  It is not
 * retry_worker.c (the dashboard's thread that puts events back) nor
 * retry.c (the rule for putting them back). */
#ifndef STREAMTOP_REAPPLY_H
#define STREAMTOP_REAPPLY_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "outcome.h"

#define REAPPLY_SCAN_MS 500
#define REAPPLY_BATCH 64

/* What the writer shares with its retries, and when they last looked. */
struct reapply {
    struct db *db;                  /* the writer's connection */
    const char *stream_type;
    const char *worker_id;          /* recorded on queue rows */
    int64_t data_version;           /* at the last look; -1: look at once */
    int64_t next_scan;              /* monotonic ms */
    bool backlog;                   /* the last look filled a whole batch */
};

/* The first look finds what was left pending before this start. */
void reapply_init(struct reapply *r, struct db *db, const char *stream_type,
                  const char *worker_id);

/* What one look applied: the counts go into the writer's next sample. */
struct reapply_result {
    int claimed;
    struct metric_counts counts;
};

/* Looks for pending events if one is due and applies them.  committed_max_tp
 * is the writer's resume point: a retried invalid line that now decodes
 * past it keeps failing, as the stream will send it again.  Returns 0, or
 * -1 with e set when the look's transaction failed and was rolled back (the
 * next look is at the next scan). */
int reapply_maybe(struct reapply *r, int64_t committed_max_tp, struct reapply_result *out,
                  struct err *e);

#endif
