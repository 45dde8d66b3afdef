#include "config.h"

#include <stdio.h>
#include <stdlib.h>
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
    struct row_check *checked = calloc(*n ? *n : 1, sizeof *checked);
    size_t kept = 0;
    *hidden = 0;
    if (!checked)
        return err_set(e, "out of memory"), -1;
    if (db_begin_read(db, e) < 0) {
        free(checked);
        return -1;
    }
    int rc = store_events_check_rows(db, snapshot_reader_failures(r), ids, *n, filter, checked,
                                     e);
    db_rollback(db);
    for (size_t i = 0; rc == 0 && i < *n; i++) {
        if (!checked[i].failed || (attempts && attempts[i] != checked[i].attempts))
            continue;
        if (attempts)
            attempts[kept] = attempts[i];
        ids[kept++] = ids[i];
        *hidden += !checked[i].matches;
    }
    free(checked);
    if (rc == 0)
        *n = kept;
    return rc;
}
