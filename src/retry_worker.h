/* retry_worker — the dashboard's retries, carried out beside the UI.
 *
 * The UI thread never waits on the database's write lock, nor lists a
 * set.  A retry the operator confirmed is handed to this thread with its
 * set fixed when the screen showed it: the log ids (one event, the tags),
 * or, for every failure matching the filter, the newest one's id and the
 * moment of asking, from which this thread lists the set itself.  It is
 * carried out RETRY_CHUNK ids per transaction, so a bulk retry neither
 * freezes the screen nor holds the ingester's writer back for long, and
 * its progress can be shown.  Jobs
 * handed over while one runs wait their turn: none is dropped.  While
 * another connection holds the write lock the worker waits in short steps
 * and says so, instead of stalling anyone.  Every retry goes through
 * retry_run(), so the one rule holds: only events failed at the moment of
 * the write are re-queued.
 *
 * Each job is written to the log when it ends, as the audit trail: the
 * time, the operating-system user, what was confirmed (event ids, or the
 * filter, kind and bound), how many were asked for, retried and skipped,
 * and, for a job abandoned because the program stopped, why. */
#ifndef STREAMTOP_RETRY_WORKER_H
#define STREAMTOP_RETRY_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "error_kind.h"
#include "timeutil.h"

#define RETRY_CHUNK 500
#define RETRY_LABEL_MAX 200

struct retry_job {
    int64_t *ids;                   /* these stream_events_log ids (malloc'd, the worker's
                                       once submitted) ... */
    size_t n;                       /* ... how many the operator confirmed */
    int64_t up_to;                  /* ... or, ids NULL: every failure matching filter
                                       and kind with a log id up to this */
    char failed_by[ISO_TIME_LEN];   /*     that had failed by this moment (when asked) */
    char kind[ERROR_KIND_MAX];      /*     "": any kind */
    char label[RETRY_LABEL_MAX];    /* what was confirmed: "company-profile:1000752",
                                       "58 failures matching \"timeout\"" */
    char filter[128];               /* the filter the set came from, or "" */
};

struct retry_progress {
    bool running;                   /* a job is being carried out */
    bool waiting_for_lock;          /* another connection holds the write lock */
    size_t total, done, retried, skipped;
    size_t queued;                  /* jobs waiting behind this one */
    char label[RETRY_LABEL_MAX];
    char error[sizeof(struct err)]; /* why the job stopped early, or "" */
};

struct retry_worker;

/* Starts the thread; it owns db from now on (and closes it when stopped). */
int retry_worker_start(struct db *db, struct retry_worker **out, struct err *e);

/* Hands a job over (the worker frees job->ids); it runs after those before
 * it.  False, with the job left to the caller, only when out of memory. */
bool retry_worker_submit(struct retry_worker *w, struct retry_job *job);

/* The job being carried out now (running is false when idle). */
void retry_worker_progress(struct retry_worker *w, struct retry_progress *p);

/* The outcome of the oldest job ended since the last call; false if none. */
bool retry_worker_take_done(struct retry_worker *w, struct retry_progress *done);

/* Whether a job is running or waiting. */
bool retry_worker_busy(struct retry_worker *w);

/* Stops after the chunk in hand (logging what was done, and every job that
 * was still waiting as abandoned), joins the thread, closes the connection. */
void retry_worker_stop(struct retry_worker *w);

#endif
