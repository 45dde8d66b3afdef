#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error_kind.h"
#include "store_events.h"
#include "timeutil.h"

enum failures_source store_events_failures_source(struct db *db, char *why, size_t whysize)
{
    static const char *const cols[] = {"id", "event_id", "company_number", "processing_status",
                                       "error_message", "received_at"};
    if (!db_require_columns(db, "stream_events_log", cols, sizeof cols / sizeof cols[0], why,
                            whysize))
        return FAILURES_UNAVAILABLE;
    if (!db_has_index(db, "idx_stream_events_status")) {
        snprintf(why, whysize, "index idx_stream_events_status is missing");
        return FAILURES_UNAVAILABLE;
    }
    /* The partial indexes are made by streamtop's migrations together with
     * everything the full query joins, so their presence vouches for them;
     * the resolution index came with resolved_at (migration 17), and a
     * database not yet migrated that far is read as the seed's. */
    return db_has_index(db, "idx_stream_events_failed") &&
                   db_has_index(db, "idx_stream_events_resolution")
               ? FAILURES_FULL
               : FAILURES_SEED_INDEX;
}

/* '%filter%' for LIKE, with the filter's own % _ and \ taken literally. */
static char *like_pattern(const char *filter)
{
    size_t len = strlen(filter);
    char *p = malloc(len * 2 + 3), *out = p;
    if (!p)
        return NULL;
    *p++ = '%';
    for (; *filter; filter++) {
        if (*filter == '%' || *filter == '_' || *filter == '\\')
            *p++ = '\\';
        *p++ = *filter;
    }
    *p++ = '%';
    *p = '\0';
    return out;
}

/* The dashboard's filter: a failure matches when its error, its event id
 * or its company number contains the text.  All three are in the partial
 * index the list reads, so filtering costs no table lookups. */
#define FILTER_MATCHES                                                               \
    "(l.error_message LIKE ?1 ESCAPE '\\' OR l.event_id LIKE ?1 ESCAPE '\\' "        \
    "OR l.company_number LIKE ?1 ESCAPE '\\') "

/* A group of the failures list: the kind of its error (error_kind.h). */
#define KIND_MATCHES "(?4 IS NULL OR streamtop_error_kind(l.error_message) = ?4) "
#define MATCHING "WHERE l.processing_status = 'failed' AND (?1 IS NULL OR " FILTER_MATCHES ") " \
    "AND " KIND_MATCHES
/* A failure an operator resolved is no longer one to show, count or retry
 * in bulk.  Only the full source's databases have the column; the partial
 * index holds exactly these rows. */
#define UNRESOLVED "AND l.resolved_at IS NULL "
#define MATCHING_FULL MATCHING UNRESOLVED

/* Counting every failure walks a narrow index (a rowid per entry): the
 * resolution index's unresolved entries, or the seed's status index where
 * nothing can be resolved; only a filter needs the wide covering one, for
 * error_message. */
static const char *const COUNT_ALL[2] = {
    "SELECT count(*) FROM stream_events_log INDEXED BY idx_stream_events_status "
    "WHERE processing_status = 'failed'",
    "SELECT count(*) FROM stream_events_log AS l INDEXED BY idx_stream_events_resolution "
    "WHERE l.processing_status = 'failed' " UNRESOLVED,
};
static const char COUNT_MATCHING_FULL[] =
    "SELECT count(*) FROM stream_events_log AS l INDEXED BY idx_stream_events_failed "
    MATCHING_FULL;
static const char COUNT_MATCHING_SEED[] =
    "SELECT count(*) FROM stream_events_log AS l INDEXED BY idx_stream_events_status " MATCHING;

/* The list's rows, from either index: streamtop's covering partial index
 * joins the queue (attempts) and companies (names); the seed's index alone
 * gives the log's own columns. */
#define SELECT_FULL                                                                  \
    "SELECT l.id, l.received_at, l.event_id, l.company_number, c.company_name, "   \
    "l.error_message, q.attempts "                                                  \
    "FROM stream_events_log AS l INDEXED BY idx_stream_events_failed "               \
    "LEFT JOIN processing_queue AS q ON q.event_log_id = l.id "                      \
    "LEFT JOIN companies AS c ON c.company_number = l.company_number "
#define SELECT_SEED                                                                  \
    "SELECT l.id, l.received_at, l.event_id, l.company_number, NULL, l.error_message, NULL " \
    "FROM stream_events_log AS l INDEXED BY idx_stream_events_status "
#define DOWN_FROM "AND l.id <= ?2 ORDER BY l.id DESC LIMIT ?3"
#define UP_FROM "AND l.id > ?2 ORDER BY l.id ASC LIMIT ?3"

static const char *const PAGE_SQL[2][2] = {
    {SELECT_SEED MATCHING DOWN_FROM, SELECT_SEED MATCHING UP_FROM},
    {SELECT_FULL MATCHING_FULL DOWN_FROM, SELECT_FULL MATCHING_FULL UP_FROM},
};
static const char *const COUNT_NEWER_SQL[2] = {
    "SELECT count(*) FROM stream_events_log AS l INDEXED BY idx_stream_events_status "
    MATCHING "AND l.id > ?2",
    "SELECT count(*) FROM stream_events_log AS l INDEXED BY idx_stream_events_failed "
    MATCHING_FULL "AND l.id > ?2",
};

/* A filter as the queries take it: the LIKE pattern (?1) and the kind (?4). */
struct matching {
    const char *pattern;
    const char *kind;
};

static void bind_matching(sqlite3_stmt *st, const struct matching *m)
{
    if (m && m->pattern)
        sqlite3_bind_text(st, 1, m->pattern, -1, SQLITE_STATIC);
    if (m && m->kind)
        sqlite3_bind_text(st, 4, m->kind, -1, SQLITE_STATIC);
}

static int count_query(struct db *db, const char *sql, const struct matching *m, int64_t *out,
                       struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, sql, e);
    if (!st)
        return -1;
    bind_matching(st, m);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : db_fail(db, e, "counting failures");
}

static int count_failures(struct db *db, enum failures_source source, const struct matching *m,
                          struct snap_failures *f, struct err *e)
{
    if (count_query(db, COUNT_ALL[source == FAILURES_FULL], NULL, &f->count, e) < 0)
        return -1;
    if (!m->pattern && !m->kind) {
        f->matching = f->count;
        return 0;
    }
    return count_query(db, source == FAILURES_FULL ? COUNT_MATCHING_FULL : COUNT_MATCHING_SEED,
                       m, &f->matching, e);
}

static void read_failure_row(sqlite3_stmt *st, struct failure_row *r)
{
    r->id = sqlite3_column_int64(st, 0);
    r->received_at = db_column_time(st, 1);
    db_column_copy(st, 2, r->event_id, sizeof r->event_id);
    db_column_copy(st, 3, r->company_number, sizeof r->company_number);
    db_column_copy(st, 4, r->company_name, sizeof r->company_name);
    db_column_copy(st, 5, r->error, sizeof r->error);
    r->attempts = sqlite3_column_type(st, 6) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 6);
}

/* Appends up to max rows of the page query sql, anchored at anchor, to f;
 * *got says how many. */
static int read_page(struct db *db, const char *sql, const struct matching *m, int64_t anchor,
                     int max, struct snap_failures *f, int *got, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, sql, e);
    if (!st)
        return -1;
    bind_matching(st, m);
    sqlite3_bind_int64(st, 2, anchor);
    sqlite3_bind_int(st, 3, max);
    int rc = SQLITE_DONE;
    *got = 0;
    while (*got < max && f->nrows < SNAP_FAILURE_ROWS && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        read_failure_row(st, &f->rows[f->nrows++]);
        ++*got;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading failures");
}

static void reverse_rows(struct failure_row *rows, int n)
{
    for (int i = 0, j = n - 1; i < j; i++, j--) {
        struct failure_row t = rows[i];
        rows[i] = rows[j];
        rows[j] = t;
    }
}

static int page_failures(struct db *db, enum failures_source source, const struct matching *pattern,
                         const struct failure_window *w, struct snap_failures *f, struct err *e)
{
    const char *const *sql = PAGE_SQL[source == FAILURES_FULL];
    int got;
    f->nrows = f->rows_above = 0;
    f->newer = 0;
    if (w->oldest) {
        /* Oldest first from the very start, then turned newest first. */
        if (read_page(db, sql[1], pattern, INT64_MIN, w->rows, f, &got, e) < 0)
            return -1;
        reverse_rows(f->rows, f->nrows);
    } else {
        int64_t anchor = w->anchor_id > 0 ? w->anchor_id : INT64_MAX;
        if (w->above > 0 && w->anchor_id > 0) {
            if (read_page(db, sql[1], pattern, anchor, w->above, f, &got, e) < 0)
                return -1;
            reverse_rows(f->rows, f->nrows);
            f->rows_above = f->nrows;
        }
        if (read_page(db, sql[0], pattern, anchor, w->rows, f, &got, e) < 0)
            return -1;
    }
    if (f->nrows == 0 || (!w->oldest && w->anchor_id <= 0))
        return 0;
    sqlite3_stmt *st = db_stmt(db, COUNT_NEWER_SQL[source == FAILURES_FULL], e);
    if (!st)
        return -1;
    bind_matching(st, pattern);
    sqlite3_bind_int64(st, 2, f->rows[0].id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        f->newer = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : db_fail(db, e, "counting failures");
}

int store_events_read_failures(struct db *db, enum failures_source source, const char *filter,
                               const char *kind, const struct failure_window *w,
                               struct snap_failures *f, struct err *e)
{
    struct matching m = {.kind = kind && *kind ? kind : NULL};
    char *pattern = NULL;
    if (filter && *filter && !(m.pattern = pattern = like_pattern(filter)))
        return err_set(e, "out of memory"), -1;
    int rc = count_failures(db, source, &m, f, e);
    if (rc == 0)
        rc = page_failures(db, source, &m, w, f, e);
    free(pattern);
    return rc;
}

/* Adds one failure to its kind's group (a new group while there is room). */
static void count_kind(struct snap_failures *f, const char *message, int64_t at)
{
    char kind[ERROR_KIND_MAX];
    error_kind(message, kind);
    int i = 0;
    while (i < f->nkinds && strcmp(f->kinds[i].kind, kind) != 0)
        i++;
    if (i == f->nkinds) {
        if (f->nkinds == SNAP_KIND_ROWS) {
            f->other_kinds++;
            return;
        }
        f->nkinds++;
        f->kinds[i] = (struct failure_kind){.newest_at = at, .oldest_at = at};
        memcpy(f->kinds[i].kind, kind, sizeof kind);
    }
    struct failure_kind *k = &f->kinds[i];
    k->count++;
    k->newest_at = at > k->newest_at ? at : k->newest_at;
    k->oldest_at = at < k->oldest_at ? at : k->oldest_at;
}

static int by_count(const void *a, const void *b)
{
    const struct failure_kind *x = a, *y = b;
    return x->count != y->count ? (x->count < y->count ? 1 : -1) : strcmp(x->kind, y->kind);
}

int store_events_read_kinds(struct db *db, enum failures_source source, const char *filter,
                            struct snap_failures *f, struct err *e)
{
    static const char *const sql[2] = {
        "SELECT l.error_message, l.received_at FROM stream_events_log AS l "
        "INDEXED BY idx_stream_events_status " MATCHING,
        "SELECT l.error_message, l.received_at FROM stream_events_log AS l "
        "INDEXED BY idx_stream_events_failed " MATCHING_FULL,
    };
    struct matching m = {0};
    char *pattern = NULL;
    if (filter && *filter && !(m.pattern = pattern = like_pattern(filter)))
        return err_set(e, "out of memory"), -1;
    sqlite3_stmt *st = db_stmt(db, sql[source == FAILURES_FULL], e);
    int rc = SQLITE_ERROR;
    f->nkinds = 0;
    f->other_kinds = 0;
    if (st) {
        bind_matching(st, &m);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            count_kind(f, (const char *)sqlite3_column_text(st, 0), db_column_time(st, 1));
        sqlite3_reset(st);
    }
    free(pattern);
    if (!st)
        return -1;
    qsort(f->kinds, (size_t)f->nkinds, sizeof f->kinds[0], by_count);
    return rc == SQLITE_DONE ? 0 : db_fail(db, e, "grouping failures");
}

/* ids as a JSON array, for json_each(): a list bound as one parameter. */
static char *json_ids(const int64_t *ids, size_t n)
{
    size_t size = n * 21 + 3, len = 0;
    char *json = malloc(size);
    if (!json)
        return NULL;
    json[len++] = '[';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(json + len, size - len, "%s%" PRId64, i ? "," : "", ids[i]);
    snprintf(json + len, size - len, "]");
    return json;
}

int store_events_check_rows(struct db *db, enum failures_source source, const int64_t *ids,
                            size_t n, const char *filter, struct row_check *out, struct err *e)
{
#define CHECK_ROWS(failed)                                                           \
    "SELECT j.key, " failed ", (?1 IS NULL OR " FILTER_MATCHES "), (SELECT q.attempts " \
    "FROM processing_queue AS q WHERE q.event_log_id = l.id) "                       \
    "FROM json_each(?2) AS j JOIN stream_events_log AS l ON l.id = j.value"
    static const char *const sql[2] = {
        CHECK_ROWS("l.processing_status = 'failed'"),
        CHECK_ROWS("(l.processing_status = 'failed' AND l.resolved_at IS NULL)"),
    };
#undef CHECK_ROWS
    for (size_t i = 0; i < n; i++)
        out[i] = (struct row_check){.attempts = -1};
    if (n == 0)
        return 0;
    char *pattern = NULL, *json = json_ids(ids, n);
    if (!json || (filter && *filter && !(pattern = like_pattern(filter)))) {
        free(json);
        return err_set(e, "out of memory"), -1;
    }
    sqlite3_stmt *st = db_stmt(db, sql[source == FAILURES_FULL], e);
    int rc = SQLITE_ERROR;
    if (st) {
        if (pattern)
            sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, json, -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t at = sqlite3_column_int64(st, 0);
            if (at < 0 || (size_t)at >= n)
                continue;
            out[at].failed = sqlite3_column_int(st, 1);
            out[at].matches = sqlite3_column_int(st, 2);
            if (sqlite3_column_type(st, 3) != SQLITE_NULL)
                out[at].attempts = sqlite3_column_int64(st, 3);
        }
        sqlite3_reset(st);
    }
    free(pattern);
    free(json);
    if (!st)
        return -1;
    return rc == SQLITE_DONE ? 0 : db_fail(db, e, "checking tagged failures");
}

/* ---- writing ---- */

int store_events_insert(struct db *db, const struct log_row *row, bool or_ignore, int64_t *id,
                        bool *inserted, struct err *e)
{
    static const char INSERT[] =
        "INSERT INTO stream_events_log (event_id, event_type, company_number, event_data, "
        "processing_status, error_message, received_at, processed_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    static const char INSERT_OR_IGNORE[] =
        "INSERT OR IGNORE INTO stream_events_log (event_id, event_type, company_number, "
        "event_data, processing_status, error_message, received_at, processed_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    sqlite3_stmt *st = db_stmt(db, or_ignore ? INSERT_OR_IGNORE : INSERT, e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, row->event_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, row->event_type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, row->company_number, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, row->event_data, (int)row->event_data_len, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, row->status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, row->error, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, row->received_at, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, row->processed_at, -1, SQLITE_STATIC);
    if (db_step_done(db, st, e, "storing an event") < 0)
        return -1;
    *inserted = sqlite3_changes(db_handle(db)) > 0;
    *id = *inserted ? sqlite3_last_insert_rowid(db_handle(db)) : 0;
    return 0;
}

int store_events_find(struct db *db, const char *event_id, bool *found, int64_t *id,
                      char status[16], struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT id, processing_status FROM stream_events_log "
                                   "WHERE event_id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, event_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (*found) {
        *id = sqlite3_column_int64(st, 0);
        if (status)
            db_column_copy(st, 1, status, 16);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "looking up an event");
}

int store_events_set_outcome(struct db *db, int64_t id, const char *status, const char *error,
                             const char *processed_at, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE stream_events_log SET processing_status = ?2, "
                                   "error_message = ?3, processed_at = ?4 WHERE id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, error, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, processed_at, -1, SQLITE_STATIC);
    return db_step_done(db, st, e, "recording an event's outcome");
}

int store_events_mark_pending(struct db *db, int64_t id, bool *changed, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE stream_events_log SET processing_status = 'pending' "
                                   "WHERE id = ?1 AND processing_status = 'failed'", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    if (db_step_done(db, st, e, "marking an event for retry") < 0)
        return -1;
    *changed = sqlite3_changes(db_handle(db)) > 0;
    return 0;
}

int store_events_resolve(struct db *db, int64_t id, const char *now, bool *changed,
                         struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE stream_events_log SET resolved_at = ?2 WHERE id = ?1 "
                                   "AND processing_status = 'failed' AND resolved_at IS NULL", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    if (db_step_done(db, st, e, "resolving a failed event") < 0)
        return -1;
    *changed = sqlite3_changes(db_handle(db)) > 0;
    return 0;
}

int store_events_unresolved(struct db *db, int64_t id, bool *unresolved, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT 1 FROM stream_events_log WHERE id = ?1 "
                                   "AND processing_status = 'failed' AND resolved_at IS NULL", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    *unresolved = rc == SQLITE_ROW;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading an event's status");
}

int store_events_unresolve(struct db *db, int64_t id, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE stream_events_log SET resolved_at = NULL "
                                   "WHERE id = ?1 AND resolved_at IS NOT NULL", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    return db_step_done(db, st, e, "taking back a resolution");
}

int store_events_status(struct db *db, int64_t id, char status[16], struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT processing_status FROM stream_events_log WHERE id = ?1",
                               e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    status[0] = '\0';
    if (rc == SQLITE_ROW)
        db_column_copy(st, 0, status, 16);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading an event's status");
}

/* The rest of a selection after its filter (?1) and kind (?4): the ids in
 * (?2, ?3], failed by ?5 (processed_at is when it last failed; a failure
 * stamped later was not yet one when the set was fixed), ?6 at most. */
#define SELECTED                                                                     \
    "AND l.id > ?2 AND l.id <= ?3 "                                                  \
    "AND (?5 IS NULL OR l.processed_at IS NULL OR l.processed_at <= ?5) "            \
    "ORDER BY l.id LIMIT ?6"
#define ERROR_MATCHES "l.error_message LIKE ?1 ESCAPE '\\' "

int store_events_failed_ids(struct db *db, const struct failed_selection *sel, int64_t **ids,
                            size_t *n, struct err *e)
{
    char why[SNAP_REASON];
    enum failures_source source = store_events_failures_source(db, why, sizeof why);
    *ids = NULL;
    *n = 0;
    if (source == FAILURES_UNAVAILABLE)
        return err_set(e, "%s: cannot list failures: %s", db_path(db), why), -1;
    static const char *const sql[2][2] = {
        {"SELECT l.id FROM stream_events_log AS l INDEXED BY idx_stream_events_status "
         "WHERE l.processing_status = 'failed' AND (?1 IS NULL OR " ERROR_MATCHES ") " SELECTED,
         "SELECT l.id FROM stream_events_log AS l INDEXED BY idx_stream_events_status "
         "WHERE l.processing_status = 'failed' AND (?1 IS NULL OR " FILTER_MATCHES ") "
         "AND " KIND_MATCHES SELECTED},
        {"SELECT l.id FROM stream_events_log AS l INDEXED BY idx_stream_events_failed "
         "WHERE l.processing_status = 'failed' AND (?1 IS NULL OR " ERROR_MATCHES ") "
         UNRESOLVED SELECTED,
         "SELECT l.id FROM stream_events_log AS l INDEXED BY idx_stream_events_failed "
         "WHERE l.processing_status = 'failed' AND (?1 IS NULL OR " FILTER_MATCHES ") "
         "AND " KIND_MATCHES UNRESOLVED SELECTED},
    };
    /* Only the dashboard's connections know streamtop_error_kind(). */
    struct matching m = {.kind = sel->any_field && sel->kind && *sel->kind ? sel->kind : NULL};
    char *pattern = NULL;
    if (sel->filter && *sel->filter && !(m.pattern = pattern = like_pattern(sel->filter)))
        return err_set(e, "out of memory"), -1;
    sqlite3_stmt *st = db_stmt(db, sql[source == FAILURES_FULL][sel->any_field], e);
    if (!st) {
        free(pattern);
        return -1;
    }
    bind_matching(st, &m);
    sqlite3_bind_int64(st, 2, sel->up_to > 0 ? sel->after : INT64_MIN);
    sqlite3_bind_int64(st, 3, sel->up_to > 0 ? sel->up_to : INT64_MAX);
    if (sel->failed_by)
        sqlite3_bind_text(st, 5, sel->failed_by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, sel->limit ? (int64_t)sel->limit : -1);
    int rc;
    size_t cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 256;
            int64_t *grown = realloc(*ids, cap * sizeof *grown);
            if (!grown) {
                rc = SQLITE_NOMEM;
                break;
            }
            *ids = grown;
        }
        (*ids)[(*n)++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    free(pattern);
    if (rc != SQLITE_DONE) {
        free(*ids);
        *ids = NULL;
        *n = 0;
        return db_fail(db, e, "listing failures");
    }
    return 0;
}

int store_events_count_failed(struct db *db, enum failures_source source, const char *filter,
                              const char *kind, int64_t *count, int64_t *newest, struct err *e)
{
    static const char *const all[2] = {
        "SELECT count(*), max(id) FROM stream_events_log INDEXED BY idx_stream_events_status "
        "WHERE processing_status = 'failed'",
        "SELECT count(*), max(l.id) FROM stream_events_log AS l "
        "INDEXED BY idx_stream_events_resolution WHERE l.processing_status = 'failed' " UNRESOLVED,
    };
    static const char *const sql[2] = {
        "SELECT count(*), max(l.id) FROM stream_events_log AS l "
        "INDEXED BY idx_stream_events_status " MATCHING,
        "SELECT count(*), max(l.id) FROM stream_events_log AS l "
        "INDEXED BY idx_stream_events_failed " MATCHING_FULL,
    };
    if (source == FAILURES_UNAVAILABLE)
        return err_set(e, "%s: this database has no failures list", db_path(db)), -1;
    struct matching m = {.kind = kind && *kind ? kind : NULL};
    char *pattern = NULL;
    if (filter && *filter && !(m.pattern = pattern = like_pattern(filter)))
        return err_set(e, "out of memory"), -1;
    bool full = source == FAILURES_FULL;
    sqlite3_stmt *st = db_stmt(db, m.pattern || m.kind ? sql[full] : all[full], e);
    int rc = SQLITE_ERROR;
    if (st) {
        bind_matching(st, &m);
        if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            *count = sqlite3_column_int64(st, 0);
            *newest = sqlite3_column_int64(st, 1);   /* NULL, read as 0, when none */
        }
        sqlite3_reset(st);
    }
    free(pattern);
    if (!st)
        return -1;
    return rc == SQLITE_ROW ? 0 : db_fail(db, e, "counting failures");
}

/* A malloc'd, NUL-terminated copy of a text or blob column ("" for NULL);
 * NULL only when out of memory.  *len gets its length. */
static char *column_dup(sqlite3_stmt *st, int col, size_t *len)
{
    const void *v = sqlite3_column_blob(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    if (len)
        *len = n;
    char *copy = malloc(n + 1);
    if (copy) {
        if (n)
            memcpy(copy, v, n);
        copy[n] = '\0';
    }
    return copy;
}

int store_events_load(struct db *db, int64_t id, struct stored_event *out, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT event_id, event_type, error_message, event_data "
                                   "FROM stream_events_log WHERE id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    memset(out, 0, sizeof *out);
    if (rc == SQLITE_ROW) {
        db_column_copy(st, 0, out->event_id, sizeof out->event_id);
        db_column_copy(st, 1, out->event_type, sizeof out->event_type);
        out->error = column_dup(st, 2, NULL);
        out->data = column_dup(st, 3, &out->len);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return err_set(e, "%s: no stored event with id %lld", db_path(db), (long long)id), -1;
    if (rc != SQLITE_ROW)
        return db_fail(db, e, "reading a stored event");
    if (!out->error || !out->data) {
        store_events_stored_free(out);
        return err_set(e, "out of memory"), -1;
    }
    return 0;
}

void store_events_stored_free(struct stored_event *s)
{
    free(s->error);
    free(s->data);
    s->error = s->data = NULL;
}

int store_events_set_identity(struct db *db, int64_t id, const char *event_id,
                              const char *event_type, const char *company_number, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "UPDATE stream_events_log SET event_id = ?2, event_type = ?3, "
                                   "company_number = ?4 WHERE id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, event_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, event_type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, company_number, -1, SQLITE_STATIC);
    return db_step_done(db, st, e, "giving a retried line its event's id");
}

int store_events_load_detail(struct db *db, int64_t id, struct event_detail *out, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT event_id, event_type, company_number, "
                                   "processing_status, received_at, processed_at, error_message, "
                                   "event_data FROM stream_events_log WHERE id = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    memset(out, 0, sizeof *out);
    if (rc == SQLITE_ROW) {
        db_column_copy(st, 0, out->event_id, sizeof out->event_id);
        db_column_copy(st, 1, out->event_type, sizeof out->event_type);
        db_column_copy(st, 2, out->company_number, sizeof out->company_number);
        db_column_copy(st, 3, out->status, sizeof out->status);
        out->received_at = db_column_time(st, 4);
        out->processed_at = db_column_time(st, 5);
        out->error = column_dup(st, 6, NULL);
        out->data = column_dup(st, 7, &out->len);
    }
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return err_set(e, "the event is no longer in the log"), -1;
    if (rc != SQLITE_ROW)
        return db_fail(db, e, "reading an event");
    if (!out->error || !out->data) {
        store_events_detail_free(out);
        return err_set(e, "out of memory"), -1;
    }
    return 0;
}

void store_events_detail_free(struct event_detail *d)
{
    free(d->error);
    free(d->data);
    d->error = d->data = NULL;
}

/* ---- retention ---- */

int store_events_last_before(struct db *db, int64_t cutoff, int64_t *id, struct err *e)
{
    char at[ISO_TIME_LEN];
    sqlite3_stmt *st = db_stmt(db,
        "SELECT id FROM stream_events_log INDEXED BY idx_stream_events_received "
        "WHERE received_at < ?1 ORDER BY received_at DESC LIMIT 1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, time_format_iso(cutoff, at), -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading stream_events_log");
}

int store_events_next_processed(struct db *db, int64_t after, int64_t *id, struct err *e)
{
    /* Resolved failures are few and leave by retention: walking them all
     * in the resolution index costs little. */
    sqlite3_stmt *st = db_stmt(db,
        "SELECT min(id) FROM ("
        "SELECT id FROM (SELECT id FROM stream_events_log INDEXED BY idx_stream_events_status "
        "WHERE processing_status = 'processed' AND id > ?1 ORDER BY id LIMIT 1) "
        "UNION ALL SELECT min(id) FROM stream_events_log INDEXED BY idx_stream_events_resolution "
        "WHERE processing_status = 'failed' AND resolved_at IS NOT NULL AND id > ?1)", e);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, after);
    int rc = sqlite3_step(st);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading stream_events_log");
}

void store_events_bind_may_leave(sqlite3_stmt *st, int64_t lo, int64_t hi, int64_t cutoff,
                                 const char *keep_event_id)
{
    char at[ISO_TIME_LEN];
    sqlite3_bind_int64(st, 1, lo);
    sqlite3_bind_int64(st, 2, hi);
    sqlite3_bind_text(st, 3, time_format_iso(cutoff, at), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, keep_event_id, -1, SQLITE_STATIC);
}

int store_events_prune(struct db *db, int64_t lo, int64_t hi, int64_t cutoff,
                       const char *keep_event_id, int *deleted, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db,
        "DELETE FROM stream_events_log WHERE " STREAM_EVENTS_MAY_LEAVE " "
        "AND NOT EXISTS (SELECT 1 FROM processing_queue q WHERE q.event_log_id = stream_events_log.id)",
        e);
    if (!st)
        return -1;
    store_events_bind_may_leave(st, lo, hi, cutoff, keep_event_id);
    if (db_step_done(db, st, e, "deleting old events") < 0)
        return -1;
    *deleted = sqlite3_changes(db_handle(db));
    return 0;
}
