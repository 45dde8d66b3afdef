#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "retry.h"
#include "store_events.h"
#include "store_queue.h"
#include "timeutil.h"

/* Re-queues the event log_id if, and only if, it is failed now.  *retried
 * says whether it was. */
static int retry_if_failed(struct db *db, int64_t log_id, bool dry_run, const char *now,
                           bool *retried, struct err *e)
{
    if (dry_run) {
        char status[16];
        if (store_events_status(db, log_id, status, e) < 0)
            return -1;
        *retried = strcmp(status, "failed") == 0;
        return 0;
    }
    if (store_events_mark_pending(db, log_id, retried, e) < 0)
        return -1;
    return *retried ? store_queue_requeue(db, log_id, QUEUE_RETRY_PRIORITY, 0, now, e) : 0;
}

/* Resolves the event log_id if, and only if, it is an unresolved failure
 * now.  *resolved says whether it was. */
static int resolve_if_failed(struct db *db, int64_t log_id, bool dry_run, const char *now,
                             bool *resolved, struct err *e)
{
    if (dry_run)
        return store_events_unresolved(db, log_id, resolved, e);
    if (store_events_resolve(db, log_id, now, resolved, e) < 0)
        return -1;
    return *resolved ? store_queue_resolve(db, log_id, now, e) : 0;
}

/* Does what req asks to the event log_id; *acted says whether it did. */
static int act_on(struct db *db, const struct retry_request *req, int64_t log_id,
                  const char *now, bool *acted, struct err *e)
{
    if (req->resolve)
        return resolve_if_failed(db, log_id, req->dry_run, now, acted, e);
    return retry_if_failed(db, log_id, req->dry_run, now, acted, e);
}

static int retry_by_event_id(struct db *db, const struct retry_request *req,
                             struct retry_result *res, const char *now, struct err *e)
{
    for (size_t i = 0; i < req->event_count; i++) {
        bool found, acted;
        int64_t id;
        char status[16];
        if (store_events_find(db, req->event_ids[i], &found, &id, status, e) < 0)
            return -1;
        if (!found) {
            if (strlist_addf(&res->unknown, "%s", req->event_ids[i]) < 0)
                return err_set(e, "out of memory"), -1;
            continue;
        }
        /* Named by its id, a resolved failure is retried too: the operator
         * changed their mind, and a new failure must show again. */
        if (!req->resolve && !req->dry_run && store_events_unresolve(db, id, e) < 0)
            return -1;
        if (act_on(db, req, id, now, &acted, e) < 0)
            return -1;
        if (acted) {
            res->retried++;
        } else {
            res->skipped++;
            const char *was = req->resolve && strcmp(status, "failed") == 0 ? "resolved already"
                                                                            : status;
            if (strlist_addf(&res->not_failed, "%s (%s)", req->event_ids[i], was) < 0)
                return err_set(e, "out of memory"), -1;
        }
    }
    return 0;
}

static int retry_by_log_id(struct db *db, const struct retry_request *req, const int64_t *ids,
                           size_t n, struct retry_result *res, const char *now, struct err *e)
{
    for (size_t i = 0; i < n; i++) {
        bool acted;
        if (act_on(db, req, ids[i], now, &acted, e) < 0)
            return -1;
        if (acted)
            res->retried++;
        else
            res->skipped++;
    }
    return 0;
}

static int retry_in_transaction(struct db *db, const struct retry_request *req,
                                struct retry_result *res, const char *now, struct err *e)
{
    if (req->log_id_count)
        return retry_by_log_id(db, req, req->log_ids, req->log_id_count, res, now, e);
    if (!req->all_failed)
        return retry_by_event_id(db, req, res, now, e);
    /* Listed first, changed after: the failed index changes under an open
     * cursor otherwise. */
    int64_t *ids = NULL;
    size_t n = 0;
    struct failed_selection sel = {.filter = req->error_like, .any_field = req->any_field};
    int rc = store_events_failed_ids(db, &sel, &ids, &n, e);
    if (rc == 0)
        rc = retry_by_log_id(db, req, ids, n, res, now, e);
    free(ids);
    return rc;
}

int retry_run(struct db *db, const struct retry_request *req, struct retry_result *res,
              struct err *e)
{
    char now[ISO_TIME_LEN];
    memset(res, 0, sizeof *res);
    time_format_iso(time_now_ms(), now);
    if ((req->dry_run ? db_begin_read(db, e) : db_begin_write(db, e)) < 0)
        return -1;
    int rc = retry_in_transaction(db, req, res, now, e);
    if (rc < 0 || req->dry_run || res->unknown.count > 0) {
        db_rollback(db);
        if (res->unknown.count > 0)
            res->retried = 0;
        return rc;
    }
    return db_commit(db, e);
}

void retry_result_free(struct retry_result *res)
{
    strlist_free(&res->unknown);
    strlist_free(&res->not_failed);
}
