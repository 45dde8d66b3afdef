/* store_events — all SQL on stream_events_log, the record of every line
 * the stream sent: valid events, and invalid lines kept as failures. */
#ifndef STREAMTOP_STORE_EVENTS_H
#define STREAMTOP_STORE_EVENTS_H

#include <stdint.h>

#include "db.h"
#include "err.h"
#include "event.h"
#include "readings.h"

/* How the failures list can be read from this database. */
enum failures_source {
    FAILURES_UNAVAILABLE,
    FAILURES_SEED_INDEX,   /* only the seed's processing_status index: no attempts, no names */
    FAILURES_FULL,         /* streamtop's partial covering index, with attempts and names */
};

enum failures_source store_events_failures_source(struct db *db, char *why, size_t whysize);

/* Counts failures (all, and those whose error, event id or company number
 * contains filter) and reads
 * the window w of those matching, newest first. */
int store_events_read_failures(struct db *db, enum failures_source source, const char *filter,
                               const char *kind, const struct failure_window *w,
                               struct snap_failures *f, struct err *e);

/* Groups the failures matching filter by the kind of their error
 * (error_kind.h), most frequent first.  Needs streamtop_error_kind()
 * registered on the connection, as the snapshot's reader has. */
int store_events_read_kinds(struct db *db, enum failures_source source, const char *filter,
                            struct snap_failures *f, struct err *e);

/* What became of one of a set of rows (the dashboard's tags). */
struct row_check {
    bool failed;          /* failed now (a missing row is not) */
    bool matches;         /* ... and matches the filter as the list does */
    int64_t attempts;     /* its queue row's attempts; -1: none */
};

/* Checks rows ids[0..n) into out[0..n), in one query for them all (each
 * looked up by its primary key): the dashboard does it on every refresh.
 * A resolved failure is not failed. */
int store_events_check_rows(struct db *db, enum failures_source source, const int64_t *ids,
                            size_t n, const char *filter, struct row_check *out, struct err *e);

/* ---- writing ---- */

struct log_row {
    const char *event_id;
    const char *event_type;       /* "changed", "deleted", or "invalid" */
    const char *company_number;   /* may be NULL */
    const char *event_data;       /* the raw line (capped for invalid ones) */
    size_t event_data_len;
    const char *status;           /* "processed", "failed" or "pending" */
    const char *error;            /* may be NULL */
    const char *received_at;
    const char *processed_at;     /* may be NULL */
};

/* Inserts a row.  With or_ignore, an event id already stored is left as it
 * is and *inserted says so.  *id is the row's id when inserted. */
int store_events_insert(struct db *db, const struct log_row *row, bool or_ignore, int64_t *id,
                        bool *inserted, struct err *e);

/* Whether an event id is stored; *id and status (when found). */
int store_events_find(struct db *db, const char *event_id, bool *found, int64_t *id,
                      char status[16], struct err *e);

/* Sets the outcome of a row: status, error (NULL clears it), processed_at. */
int store_events_set_outcome(struct db *db, int64_t id, const char *status, const char *error,
                             const char *processed_at, struct err *e);

/* Marks the row pending (a retry) if it is failed, keeping its last error;
 * *changed says whether it was failed. */
int store_events_mark_pending(struct db *db, int64_t id, bool *changed, struct err *e);

/* Marks the row resolved at now if it is an unresolved failure: it stays
 * failed, with its line and error, but leaves the failures list and
 * counts.  *changed says whether it was one. */
int store_events_resolve(struct db *db, int64_t id, const char *now, bool *changed,
                         struct err *e);

/* Whether the row is a failure not yet resolved. */
int store_events_unresolved(struct db *db, int64_t id, bool *unresolved, struct err *e);

/* Makes a resolved failure an ordinary one again (an operator retries it
 * by its id after all). */
int store_events_unresolve(struct db *db, int64_t id, struct err *e);

/* The row's processing status; "" when there is no such row. */
int store_events_status(struct db *db, int64_t id, char status[16], struct err *e);

/* Which failed events a retry acts on.  A set the dashboard's operator
 * confirmed is fixed by its bound (up_to: the newest matching failure when
 * they were asked) and read in chunks from after. */
struct failed_selection {
    const char *filter;         /* the error contains this (NULL: any) ... */
    bool any_field;             /* ... or the event id or company number does (the dashboard's) */
    const char *kind;           /* with any_field: the kind of the error (error_kind.h;
                                   NULL: any) */
    int64_t after, up_to;       /* log ids in (after, up_to]; up_to 0: no bound */
    const char *failed_by;      /* ISO time: failed no later than this (NULL: any) */
    size_t limit;               /* at most this many, the oldest first (0: all) */
};

/* The ids of the failed events sel selects, in order; *ids is malloc'd.  A
 * kind needs streamtop_error_kind() registered on the connection. */
int store_events_failed_ids(struct db *db, const struct failed_selection *sel, int64_t **ids,
                            size_t *n, struct err *e);

/* How many failures match filter (as the dashboard's list matches it) and
 * kind, and the newest one's id (0: none), from one indexed count. */
int store_events_count_failed(struct db *db, enum failures_source source, const char *filter,
                              const char *kind, int64_t *count, int64_t *newest, struct err *e);

/* A row's id, type, last error and raw data, for applying it again. */
struct stored_event {
    char event_id[EVENT_ID_LEN + 64];
    char event_type[16];
    char *error;                  /* malloc'd; "" when none */
    char *data;                   /* malloc'd */
    size_t len;
};
int store_events_load(struct db *db, int64_t id, struct stored_event *out, struct err *e);
void store_events_stored_free(struct stored_event *s);

/* Gives a row the identity of the event its line turned out to be (a
 * retried invalid line that now decodes). */
int store_events_set_identity(struct db *db, int64_t id, const char *event_id,
                              const char *event_type, const char *company_number, struct err *e);

/* Everything the log holds on one event, for the details dialog. */
struct event_detail {
    char event_id[EVENT_ID_LEN + 64];
    char event_type[16];
    char company_number[32];
    char status[16];
    int64_t received_at, processed_at;   /* Unix ms; 0: never */
    char *error;                  /* malloc'd; "" when none */
    char *data;                   /* malloc'd */
    size_t len;
};
int store_events_load_detail(struct db *db, int64_t id, struct event_detail *out, struct err *e);
void store_events_detail_free(struct event_detail *d);

/* ---- retention (maintain.h) ----
 *
 * A row may leave when it is processed, was received before the cutoff,
 * is not the row of the resume point (keep_event_id: a resumed stream
 * sends that event again, and only its row shows it is stored already)
 * and no processing_queue row refers to it any more.  A resolved failure
 * may leave as a processed event does; unresolved failures and pending
 * rows stay. */

/* The newest row received before cutoff (*id 0: none): where a pass stops. */
int store_events_last_before(struct db *db, int64_t cutoff, int64_t *id, struct err *e);

/* The first processed or resolved row after id, or 0: where the next
 * batch starts. */
int store_events_next_processed(struct db *db, int64_t after, int64_t *id, struct err *e);

/* The rule above as SQL, stated once: the rows of stream_events_log with
 * ids in (?1, ?2] that may leave by their own columns (received before ?3,
 * event_id not ?4), bound by store_events_bind_may_leave().  Both
 * store_events_prune() and store_queue_prune_done() (which deletes their
 * done queue rows first) use it, so the two cannot disagree about which
 * events are going. */
#define STREAM_EVENTS_MAY_LEAVE \
    "id > ?1 AND id <= ?2 AND (processing_status = 'processed' " \
    "OR (processing_status = 'failed' AND resolved_at IS NOT NULL)) AND received_at < ?3 " \
    "AND event_id <> ?4"

void store_events_bind_may_leave(sqlite3_stmt *st, int64_t lo, int64_t hi, int64_t cutoff,
                                 const char *keep_event_id);

/* Deletes the rows with ids in (lo, hi] that may leave; *deleted says how
 * many went.  Their done queue rows must be gone first
 * (store_queue_prune_done). */
int store_events_prune(struct db *db, int64_t lo, int64_t hi, int64_t cutoff,
                       const char *keep_event_id, int *deleted, struct err *e);

#endif
