#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "retry.h"
#include "retry_worker.h"
#include "store_events.h"
#include "timeutil.h"

/* How long one attempt waits for the write lock before saying so. */
#define LOCK_STEP_MS 200
/* Log ids written out in full in an audit line; the rest are counted. */
#define AUDIT_IDS 100
/* Outcomes kept until the UI takes them. */
#define DONE_MAX 16

struct queued_job {
    struct retry_job job;
    struct queued_job *next;
};

struct retry_worker {
    struct db *db;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    struct queued_job *head, *tail;       /* waiting, oldest first */
    size_t queued;
    struct retry_progress progress;       /* the job running */
    struct retry_progress done[DONE_MAX]; /* ended, not yet taken, oldest first */
    size_t ndone;
    char user[64];
};

static void who_am_i(char *out, size_t size)
{
    struct passwd pw, *found = NULL;
    char buf[1024];
    uid_t uid = geteuid();
    if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found)
        snprintf(out, size, "%s", found->pw_name);
    else
        snprintf(out, size, "uid:%u", (unsigned)uid);
}

static bool stopping(struct retry_worker *w)
{
    pthread_mutex_lock(&w->lock);
    bool s = w->stopping;
    pthread_mutex_unlock(&w->lock);
    return s;
}

/* One chunk in one transaction; waits for the write lock in steps, saying
 * so, until it gets it or the worker is stopped. */
static int run_chunk(struct retry_worker *w, const int64_t *ids, size_t n,
                     struct retry_result *res, struct err *e)
{
    struct retry_request req = {.log_ids = ids, .log_id_count = n};
    for (;;) {
        if (retry_run(w->db, &req, res, e) == 0)
            return 0;
        int code = db_failed_code(w->db) & 0xFF;
        if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || stopping(w))
            return -1;
        pthread_mutex_lock(&w->lock);
        w->progress.waiting_for_lock = true;
        pthread_mutex_unlock(&w->lock);
    }
}

/* The log ids a job acted on, as its audit line names them: the first
 * AUDIT_IDS in full, the rest counted. */
struct audited {
    int64_t first[AUDIT_IDS];
    size_t n;
};

static void note_ids(struct audited *a, const int64_t *ids, size_t n)
{
    for (size_t i = 0; i < n; i++, a->n++)
        if (a->n < AUDIT_IDS)
            a->first[a->n] = ids[i];
}

static void audit(const struct retry_worker *w, const struct retry_job *job,
                  const struct audited *a, const struct retry_progress *p)
{
    char ids[AUDIT_IDS * 21 + 32] = "", more[32] = "0", up_to[32] = "";
    size_t len = 0;
    for (size_t i = 0; i < a->n && i < AUDIT_IDS; i++)
        len += (size_t)snprintf(ids + len, sizeof ids - len, "%s%" PRId64, i ? "," : "",
                                a->first[i]);
    if (a->n > AUDIT_IDS)
        snprintf(more, sizeof more, "%zu", a->n - AUDIT_IDS);
    if (!job->ids)
        snprintf(up_to, sizeof up_to, "%" PRId64, job->up_to);
    char asked[32], num[32], retried[32], skipped[32];
    snprintf(asked, sizeof asked, "%zu", job->n);
    snprintf(retried, sizeof retried, "%zu", p->retried);
    snprintf(skipped, sizeof skipped, "%zu", p->skipped);
    snprintf(num, sizeof num, "%zu", p->done);
    log_kv(p->error[0] ? LOG_WARN : LOG_INFO, "retry", "source", "dashboard", "user", w->user,
           "what", job->label, "filter", job->filter, "kind", job->kind, "up_to", up_to,
           "failed_by", job->ids ? "" : job->failed_by, "asked", asked, "done", num,
           "retried", retried, "skipped", skipped, "log_ids", ids, "more_ids", more,
           "error", p->error, NULL);
}

/* The ids a chunk acts on; listed is malloc'd when the chunk was read. */
struct chunk {
    const int64_t *ids;
    size_t n;
    int64_t *listed;
};

/* The next chunk (n 0: the job is done): the next slice of the ids the
 * job carries, or the next RETRY_CHUNK failures of a set fixed by its
 * bound, after the last chunk's, listed in a read of their own.  Each is
 * checked as failed again inside the write. */
static int next_chunk(struct retry_worker *w, const struct retry_job *job, size_t at,
                      int64_t after, struct chunk *c, struct err *e)
{
    *c = (struct chunk){0};
    if (job->ids) {
        c->ids = job->ids + at;
        c->n = job->n - at < RETRY_CHUNK ? job->n - at : RETRY_CHUNK;
        return 0;
    }
    if (job->up_to <= 0)
        return 0;   /* nothing had failed when the set was fixed */
    struct failed_selection sel = {.filter = job->filter, .any_field = true, .kind = job->kind,
                                   .after = after, .up_to = job->up_to,
                                   .failed_by = job->failed_by, .limit = RETRY_CHUNK};
    if (db_begin_read(w->db, e) < 0)
        return -1;
    int rc = store_events_failed_ids(w->db, &sel, &c->listed, &c->n, e);
    db_rollback(w->db);
    c->ids = c->listed;
    return rc;
}

/* A set fixed by its bound is counted against what the operator was
 * shown: what is not retried of it was no longer failed. */
static void settle_set(struct retry_progress *p, size_t asked)
{
    p->done = asked;
    p->skipped = asked > p->retried ? asked - p->retried : 0;
}

static void run_job(struct retry_worker *w, struct retry_job *job)
{
    struct err e = {{0}};
    struct audited a = {.n = 0};
    size_t at = 0;
    int64_t after = INT64_MIN;
    bool finished = false;
    while (!stopping(w)) {
        struct chunk c;
        struct retry_result res = {0};
        int rc = next_chunk(w, job, at, after, &c, &e);
        if (rc == 0 && c.n == 0) {
            finished = true;
            break;
        }
        if (rc == 0) {
            note_ids(&a, c.ids, c.n);
            rc = run_chunk(w, c.ids, c.n, &res, &e);
        }
        pthread_mutex_lock(&w->lock);
        w->progress.waiting_for_lock = false;
        if (rc == 0) {
            w->progress.retried += res.retried;
            w->progress.skipped += res.skipped;
            w->progress.done = at + c.n < job->n ? at + c.n : job->n;
        } else {
            snprintf(w->progress.error, sizeof w->progress.error, "%s", e.msg);
        }
        pthread_mutex_unlock(&w->lock);
        retry_result_free(&res);
        at += c.n;
        after = c.n ? c.ids[c.n - 1] : after;
        free(c.listed);
        if (rc < 0)
            break;
    }
    pthread_mutex_lock(&w->lock);
    if (finished && !job->ids)
        settle_set(&w->progress, job->n);
    if (!finished && !w->progress.error[0])
        snprintf(w->progress.error, sizeof w->progress.error,
                 "abandoned when streamtop stopped, after %zu of %zu", w->progress.done, job->n);
    struct retry_progress p = w->progress;
    pthread_mutex_unlock(&w->lock);
    audit(w, job, &a, &p);
}

/* Keeps an ended job's outcome for the UI (the oldest goes when full). */
static void record_done(struct retry_worker *w)
{
    if (w->ndone == DONE_MAX) {
        memmove(&w->done[0], &w->done[1], (DONE_MAX - 1) * sizeof w->done[0]);
        w->ndone--;
    }
    w->progress.running = false;
    w->done[w->ndone++] = w->progress;
    w->progress = (struct retry_progress){0};
}

static void *worker_main(void *arg)
{
    struct retry_worker *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->head && !w->stopping)
            pthread_cond_wait(&w->wake, &w->lock);
        struct queued_job *q = w->head;
        if (!q)
            break;   /* stopping, and nothing left to account for */
        w->head = q->next;
        if (!w->head)
            w->tail = NULL;
        w->queued--;
        w->progress = (struct retry_progress){.running = true, .total = q->job.n,
                                              .queued = w->queued};
        snprintf(w->progress.label, sizeof w->progress.label, "%s", q->job.label);
        pthread_mutex_unlock(&w->lock);
        run_job(w, &q->job);
        free(q->job.ids);
        free(q);
        pthread_mutex_lock(&w->lock);
        record_done(w);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int retry_worker_start(struct db *db, struct retry_worker **out, struct err *e)
{
    struct retry_worker *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w)
        return err_set(e, "out of memory"), -1;
    /* A set of one kind of error is listed by it. */
    if (error_kind_register(db_handle(db)) < 0) {
        free(w);
        return err_set(e, "%s: cannot register the error kind function", db_path(db)), -1;
    }
    w->db = db;
    who_am_i(w->user, sizeof w->user);
    db_set_busy_timeout(db, LOCK_STEP_MS);
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        pthread_cond_destroy(&w->wake);
        pthread_mutex_destroy(&w->lock);
        free(w);
        return err_set(e, "cannot start the retry thread"), -1;
    }
    *out = w;
    return 0;
}

bool retry_worker_submit(struct retry_worker *w, struct retry_job *job)
{
    struct queued_job *q = malloc(sizeof *q);
    if (!q)
        return false;
    *q = (struct queued_job){.job = *job};
    pthread_mutex_lock(&w->lock);
    if (w->tail)
        w->tail->next = q;
    else
        w->head = q;
    w->tail = q;
    w->queued++;
    w->progress.queued = w->queued;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    return true;
}

void retry_worker_progress(struct retry_worker *w, struct retry_progress *p)
{
    pthread_mutex_lock(&w->lock);
    *p = w->progress;
    p->queued = w->queued;
    pthread_mutex_unlock(&w->lock);
}

bool retry_worker_take_done(struct retry_worker *w, struct retry_progress *done)
{
    pthread_mutex_lock(&w->lock);
    bool any = w->ndone > 0;
    if (any) {
        *done = w->done[0];
        memmove(&w->done[0], &w->done[1], (w->ndone - 1) * sizeof w->done[0]);
        w->ndone--;
    }
    pthread_mutex_unlock(&w->lock);
    return any;
}

bool retry_worker_busy(struct retry_worker *w)
{
    pthread_mutex_lock(&w->lock);
    bool busy = w->progress.running || w->head;
    pthread_mutex_unlock(&w->lock);
    return busy;
}

void retry_worker_stop(struct retry_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    db_close(w->db);
    free(w);
}
