#include "config.h"

#include <stdio.h>
#include <string.h>

#include "snapshot_rows.h"

int snapshot_read_event(struct snapshot_reader *r, int64_t log_id, struct event_view *out,
                        struct err *e)
{
    struct db *db = snapshot_reader_db(r);
    struct err qe;
    memset(out, 0, sizeof *out);
    if (db_begin_read(db, e) < 0)
        return -1;
    if (store_events_load_detail(db, log_id, &out->log, e) < 0) {
        db_rollback(db);
        return -1;
    }
    if (store_queue_entry(db, log_id, &out->queue, &qe) < 0)
        snprintf(out->queue_error, sizeof out->queue_error, "%s", qe.msg);
    db_rollback(db);   /* nothing was written: ending the read is enough */
    return 0;
}

void snapshot_event_free(struct event_view *v)
{
    store_events_detail_free(&v->log);
}

int snapshot_count_failed(struct snapshot_reader *r, const char *filter, const char *kind,
                          int64_t *count, int64_t *newest, struct err *e)
{
    struct db *db = snapshot_reader_db(r);
    if (db_begin_read(db, e) < 0)
        return -1;
    int rc = store_events_count_failed(db, snapshot_reader_failures(r), filter, kind, count,
                                       newest, e);
    db_rollback(db);
    return rc;
}

int snapshot_keep_failed(struct snapshot_reader *r, int64_t *ids, int64_t *attempts, size_t *n,
                         const char *filter, size_t *hidden, struct err *e)
{
    struct db *db = snapshot_reader_db(r);
    size_t kept = 0;
    *hidden = 0;
    if (db_begin_read(db, e) < 0)
        return -1;
    for (size_t i = 0; i < *n; i++) {
        bool failed, matches;
        int64_t now_attempts;
        if (store_events_still_failed(db, ids[i], filter, &failed, &matches, &now_attempts, e) < 0) {
            db_rollback(db);
            return -1;
        }
        if (!failed || (attempts && attempts[i] != now_attempts))
            continue;
        if (attempts)
            attempts[kept] = attempts[i];
        ids[kept++] = ids[i];
        *hidden += !matches;
    }
    db_rollback(db);
    *n = kept;
    return 0;
}
