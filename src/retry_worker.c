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

static void audit(const struct retry_worker *w, const struct retry_job *job,
                  const struct retry_progress *p)
{
    char ids[AUDIT_IDS * 21 + 32] = "", num[32], more[32] = "0";
    size_t len = 0;
    for (size_t i = 0; i < job->n && i < AUDIT_IDS; i++)
        len += (size_t)snprintf(ids + len, sizeof ids - len, "%s%" PRId64, i ? "," : "",
                                job->ids[i]);
    if (job->n > AUDIT_IDS)
        snprintf(more, sizeof more, "%zu", job->n - AUDIT_IDS);
    char asked[32], retried[32], skipped[32];
    snprintf(asked, sizeof asked, "%zu", job->n);
    snprintf(retried, sizeof retried, "%zu", p->retried);
    snprintf(skipped, sizeof skipped, "%zu", p->skipped);
    snprintf(num, sizeof num, "%zu", p->done);
    log_kv(p->error[0] ? LOG_WARN : LOG_INFO, "retry", "source", "dashboard", "user", w->user,
           "what", job->label, "filter", job->filter, "asked", asked, "done", num,
           "retried", retried, "skipped", skipped, "log_ids", ids, "more_ids", more,
           "error", p->error, NULL);
}

static void run_job(struct retry_worker *w, struct retry_job *job)
{
    struct err e = {{0}};
    for (size_t at = 0; at < job->n && !stopping(w);) {
        size_t n = job->n - at < RETRY_CHUNK ? job->n - at : RETRY_CHUNK;
        struct retry_result res;
        int rc = run_chunk(w, job->ids + at, n, &res, &e);
        pthread_mutex_lock(&w->lock);
        w->progress.waiting_for_lock = false;
        if (rc == 0) {
            w->progress.retried += res.retried;
            w->progress.skipped += res.skipped;
            w->progress.done += n;
        } else {
            snprintf(w->progress.error, sizeof w->progress.error, "%s", e.msg);
        }
        pthread_mutex_unlock(&w->lock);
        retry_result_free(&res);
        if (rc < 0)
            break;
        at += n;
    }
    pthread_mutex_lock(&w->lock);
    if (w->progress.done < job->n && !w->progress.error[0])
        snprintf(w->progress.error, sizeof w->progress.error,
                 "abandoned when streamtop stopped, after %zu of %zu", w->progress.done, job->n);
    struct retry_progress p = w->progress;
    pthread_mutex_unlock(&w->lock);
    audit(w, job, &p);
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
