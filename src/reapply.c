#include "config.h"

#include <stdio.h>
#include <string.h>

#include "event.h"
#include "log.h"
#include "reapply.h"
#include "store_companies.h"
#include "store_events.h"
#include "store_metadata.h"
#include "store_queue.h"
#include "stream_client.h"
#include "timeutil.h"

void reapply_init(struct reapply *r, struct db *db, const char *stream_type,
                  const char *worker_id)
{
    memset(r, 0, sizeof *r);
    r->db = db;
    r->stream_type = stream_type;
    r->worker_id = worker_id;
    r->data_version = -1;
}

/* What applying one stored event again came to. */
struct reapplied {
    enum apply_outcome outcome;
    char why[512];
};

/* A retried invalid line that now decodes takes its own event's id, unless
 * that event is stored already or the stream may still send it: a line
 * past the resume point comes again after a restart, and its id must then
 * be free (the writer looks ids up only up to its resume point).  *why
 * says which, else stays empty. */
static int take_real_id(struct reapply *r, int64_t committed_max_tp, int64_t log_id,
                        const struct stream_event *ev, char id[EVENT_ID_LEN], char *why,
                        size_t whysize, struct err *e)
{
    bool taken;
    int64_t other;
    event_id(ev->timepoint, id);
    if (ev->timepoint > committed_max_tp) {
        snprintf(why, whysize, "the line decodes now as %s, past the resume point %lld: "
                 "retry it once the stream has passed it", id, (long long)committed_max_tp);
        return 0;
    }
    if (store_events_find(r->db, id, &taken, &other, NULL, e) < 0)
        return -1;
    if (taken) {
        snprintf(why, whysize, "the line decodes now as %s, which is stored already", id);
        return 0;
    }
    return store_events_set_identity(r->db, log_id, id, event_type_name(ev->type),
                                     ev->company_number, e);
}

/* Applies a stored event again.  An invalid line is decoded again: one that
 * now decodes becomes its real event, applied as any other (an older one
 * is superseded); one that does not, or whose text was cut, fails again
 * with the error it had. */
static int apply_again(struct reapply *r, int64_t committed_max_tp, int64_t log_id,
                       const char *now, struct reapplied *out, struct err *e)
{
    struct stored_event stored;
    struct stream_event *ev;
    struct err decode;
    if (store_events_load(r->db, log_id, &stored, e) < 0)
        return -1;
    bool invalid = strcmp(stored.event_type, "invalid") == 0;
    char id[EVENT_ID_LEN];
    int rc = 0;
    out->outcome = APPLY_FAILED;
    out->why[0] = '\0';
    if ((invalid && stream_invalid_was_cut(stored.error)) ||
        event_decode(stored.data, stored.len, &ev, &decode) < 0) {
        if (invalid)
            snprintf(out->why, sizeof out->why, "%s", stored.error);
        else
            snprintf(out->why, sizeof out->why, "invalid event: %.400s", decode.msg);
    } else {
        const char *as = stored.event_id;
        if (invalid && (rc = take_real_id(r, committed_max_tp, log_id, ev, id, out->why,
                                          sizeof out->why, e)) == 0)
            as = id;
        if (rc == 0 && !out->why[0])
            rc = store_companies_apply(r->db, ev, as, now, &out->outcome, out->why,
                                       sizeof out->why, e);
        event_free(ev);
    }
    store_events_stored_free(&stored);
    return rc;
}

static int retry_one(struct reapply *r, int64_t committed_max_tp, const struct queued_event *q,
                     const char *now, struct state_delta *d, struct metric_counts *c,
                     struct err *e)
{
    struct reapplied out;
    int64_t t0 = time_mono_us();
    if (apply_again(r, committed_max_tp, q->log_id, now, &out, e) < 0)
        return -1;
    outcome_count(d, c, out.outcome);
    if (out.outcome == APPLY_FAILED) {
        if (store_events_set_outcome(r->db, q->log_id, "failed", out.why, now, e) < 0)
            return -1;
        struct queue_failure f = {q->log_id, out.why, r->worker_id, time_mono_us() - t0, now};
        return store_queue_record_failure(r->db, &f, e);
    }
    const char *note = out.outcome == APPLY_SUPERSEDED ? out.why : NULL;
    if (store_events_set_outcome(r->db, q->log_id, "processed", note, now, e) < 0)
        return -1;
    struct queue_done done = {.queue_id = q->queue_id, .now = now, .worker_id = r->worker_id,
                              .duration_us = time_mono_us() - t0};
    return store_queue_done(r->db, &done, e);
}

/* Applies up to REAPPLY_BATCH pending events in one transaction. */
static int retry_pending(struct reapply *r, int64_t committed_max_tp,
                         struct reapply_result *out, struct err *e)
{
    struct queued_event claimed[REAPPLY_BATCH];
    struct state_delta delta = {.last_timepoint = -1};
    struct metric_counts counts = {0};
    int n;
    int64_t now = time_now_ms();
    char now_iso[ISO_TIME_LEN];
    time_format_iso(now, now_iso);
    if (db_begin_write(r->db, e) < 0)
        return -1;
    if (store_queue_claim(r->db, REAPPLY_BATCH, claimed, &n, e) < 0)
        goto failed;
    for (int i = 0; i < n; i++)
        if (retry_one(r, committed_max_tp, &claimed[i], now_iso, &delta, &counts, e) < 0)
            goto failed;
    if (n > 0 && store_state_apply(r->db, r->stream_type, &delta, now, e) < 0)
        goto failed;
    if (db_commit(r->db, e) < 0)
        goto failed;
    r->backlog = n == REAPPLY_BATCH;
    out->claimed = n;
    out->counts = counts;
    if (n > 0) {
        char count[16];
        snprintf(count, sizeof count, "%d", n);
        log_kv(LOG_INFO, "retried", "events", count, NULL);
    }
    return 0;
failed:
    db_rollback(r->db);
    return -1;
}

int reapply_maybe(struct reapply *r, int64_t committed_max_tp, struct reapply_result *out,
                  struct err *e)
{
    memset(out, 0, sizeof *out);
    int64_t now = time_mono_ms();
    if (now < r->next_scan && !r->backlog)
        return 0;
    r->next_scan = now + REAPPLY_SCAN_MS;
    int64_t version = db_data_version(r->db);
    if (version == r->data_version && !r->backlog)
        return 0;
    r->data_version = version;
    if (retry_pending(r, committed_max_tp, out, e) < 0) {
        r->backlog = false;
        r->data_version = -1;
        return -1;
    }
    return 0;
}
