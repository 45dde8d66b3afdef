/* retry_worker — the dashboard's retries, carried out beside the UI.
 *
 * The UI thread never waits on the database's write lock.  A retry the
 * operator confirmed is handed to this thread with its set of log ids,
 * fixed when the screen showed it, and carried out RETRY_CHUNK ids per
 * transaction, so a bulk retry neither freezes the screen nor holds the
 * ingester's writer back for long, and its progress can be shown.  While
 * another connection holds the write lock the worker waits in short steps
 * and says so, instead of stalling anyone.  Every retry goes through
 * retry_run(), so the one rule holds: only events failed at the moment of
 * the write are re-queued.
 *
 * Each finished job is written to the log as the audit trail: the time,
 * the operating-system user, what was confirmed (event ids or the filter),
 * how many were asked for, retried and skipped. */
#ifndef STREAMTOP_RETRY_WORKER_H
#define STREAMTOP_RETRY_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "err.h"

#define RETRY_CHUNK 500
#define RETRY_LABEL_MAX 200

struct retry_job {
    int64_t *ids;                   /* stream_events_log ids; malloc'd, the worker's once submitted */
    size_t n;
    char label[RETRY_LABEL_MAX];    /* what was confirmed: "company-profile:1000752",
                                       "58 failures matching \"timeout\"" */
    char filter[128];               /* the filter the set came from, or "" */
};

struct retry_progress {
    bool running;                   /* a job is being carried out */
    bool finished;                  /* a job ended since the last look: its outcome below */
    bool waiting_for_lock;          /* another connection holds the write lock */
    size_t total, done, retried, skipped;
    char label[RETRY_LABEL_MAX];
    char error[sizeof(struct err)]; /* why the job stopped early, or "" */
};

struct retry_worker;

/* Starts the thread; it owns db from now on (and closes it when stopped). */
int retry_worker_start(struct db *db, struct retry_worker **out, struct err *e);

/* Hands a job over (the worker frees job->ids).  False, with the job left
 * to the caller, while another job is still running. */
bool retry_worker_submit(struct retry_worker *w, struct retry_job *job);

/* The current job's progress.  `finished` is reported once per job. */
void retry_worker_progress(struct retry_worker *w, struct retry_progress *p);

/* Stops after the chunk in hand (logging what was done), joins the thread
 * and closes the connection. */
void retry_worker_stop(struct retry_worker *w);

#endif
