#include "config.h"

#include <stdio.h>
#include <string.h>

#include "store_companies.h"
#include "timeutil.h"

/* Constraint errors come from the data (an adopted table's NOT NULL, say):
 * the event fails and the batch goes on.  Anything else is the database's
 * problem and aborts the batch. */
static bool event_level_error(int rc)
{
    return (rc & 0xff) == SQLITE_CONSTRAINT || (rc & 0xff) == SQLITE_MISMATCH ||
           (rc & 0xff) == SQLITE_TOOBIG;
}

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* Runs st to completion; sorts a failure into the event's or the batch's. */
static int finish(struct db *db, sqlite3_stmt *st, enum apply_outcome *outcome, char *why,
                  size_t whysize, struct err *e)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (event_level_error(rc)) {
        *outcome = APPLY_FAILED;
        snprintf(why, whysize, "companies: %s", sqlite3_errmsg(db_handle(db)));
        return 0;
    }
    return db_fail(db, e, "applying an event to companies");
}

static void bind_stream_columns(sqlite3_stmt *st, const struct stream_event *ev,
                                const char *event_id, const char *published, const char *now)
{
    sqlite3_bind_int64(st, 1, ev->timepoint);
    sqlite3_bind_text(st, 2, event_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, event_type_name(ev->type), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, published, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, ev->company_number, -1, SQLITE_STATIC);
}

static const char UPDATE_STREAM_ONLY[] =
    "UPDATE companies SET stream_timepoint = ?1, stream_event_id = ?2, stream_event_type = ?3, "
    "stream_last_updated = ?4, stream_processing_status = 'processed', updated_at = ?5 "
    "WHERE company_number = ?6";

static const char UPDATE_DELETED[] =
    "UPDATE companies SET stream_timepoint = ?1, stream_event_id = ?2, stream_event_type = ?3, "
    "stream_last_updated = ?4, stream_processing_status = 'processed', updated_at = ?5, "
    "deleted_at = ?4 WHERE company_number = ?6";

static const char INSERT_TOMBSTONE[] =
    "INSERT INTO companies (stream_timepoint, stream_event_id, stream_event_type, "
    "stream_last_updated, stream_processing_status, created_at, updated_at, deleted_at, "
    "company_number, etag) VALUES (?1, ?2, ?3, ?4, 'processed', ?5, ?5, ?4, ?6, ?7)";

/* The profile columns, ?7 onwards, shared by UPDATE_PROFILE and INSERT_PROFILE. */
static const char UPDATE_PROFILE[] =
    "UPDATE companies SET stream_timepoint = ?1, stream_event_id = ?2, stream_event_type = ?3, "
    "stream_last_updated = ?4, stream_processing_status = 'processed', updated_at = ?5, "
    "deleted_at = NULL, company_name = ?7, company_status = ?8, company_type = ?9, "
    "date_of_creation = ?10, date_of_cessation = ?11, address_line_1 = ?12, "
    "address_line_2 = ?13, locality = ?14, region = ?15, postal_code = ?16, country = ?17, "
    "sic_codes = ?18, etag = ?19, data = ?20 WHERE company_number = ?6";

static const char INSERT_PROFILE[] =
    "INSERT INTO companies (stream_timepoint, stream_event_id, stream_event_type, "
    "stream_last_updated, stream_processing_status, updated_at, company_number, created_at, "
    "company_name, company_status, company_type, date_of_creation, date_of_cessation, "
    "address_line_1, address_line_2, locality, region, postal_code, country, sic_codes, etag, "
    "data) VALUES (?1, ?2, ?3, ?4, 'processed', ?5, ?6, ?5, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
    "?14, ?15, ?16, ?17, ?18, ?19, ?20)";

static void bind_profile(sqlite3_stmt *st, const struct stream_event *ev)
{
    const char *cols[] = {ev->company_name, ev->company_status, ev->company_type,
                          ev->date_of_creation, ev->date_of_cessation, ev->address_line_1,
                          ev->address_line_2, ev->locality, ev->region, ev->postal_code,
                          ev->country, ev->sic_codes, ev->etag, ev->data};
    for (int i = 0; i < (int)(sizeof cols / sizeof cols[0]); i++)
        bind_opt(st, 7 + i, cols[i]);
}

/* What the row holds now: whether it exists, its timepoint and its etag. */
static int read_current(struct db *db, const char *number, bool *found, int64_t *tp,
                        char *etag, size_t etagsize, struct err *e)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT stream_timepoint, etag FROM companies "
                                   "WHERE company_number = ?1", e);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    if (*found) {
        *tp = sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
        db_column_copy(st, 1, etag, etagsize);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_fail(db, e, "reading companies");
}

int store_companies_apply(struct db *db, const struct stream_event *ev, const char *event_id,
                          const char *now, enum apply_outcome *outcome, char *why, size_t whysize,
                          struct err *e)
{
    bool found;
    int64_t current_tp = -1;
    char etag[128] = "", published[ISO_TIME_LEN];
    *outcome = APPLY_APPLIED;
    why[0] = '\0';
    if (!ev->company_number) {
        *outcome = APPLY_FAILED;
        snprintf(why, whysize, "no company number in data.company_number or resource_id");
        return 0;
    }
    if (read_current(db, ev->company_number, &found, &current_tp, etag, sizeof etag, e) < 0)
        return -1;
    if (found && current_tp >= ev->timepoint) {
        *outcome = APPLY_SUPERSEDED;
        snprintf(why, whysize, "superseded: the company already reflects timepoint %lld",
                 (long long)current_tp);
        return 0;
    }
    bool repeated = found && ev->etag && etag[0] && strcmp(etag, ev->etag) == 0;
    const char *sql;
    if (ev->type == EVENT_DELETED)
        sql = found ? UPDATE_DELETED : INSERT_TOMBSTONE;
    else if (repeated)
        sql = UPDATE_STREAM_ONLY;
    else
        sql = found ? UPDATE_PROFILE : INSERT_PROFILE;
    sqlite3_stmt *st = db_stmt(db, sql, e);
    if (!st)
        return -1;
    time_format_iso(ev->published_at ? ev->published_at : time_now_ms(), published);
    bind_stream_columns(st, ev, event_id, published, now);
    if (sql == INSERT_TOMBSTONE)
        bind_opt(st, 7, ev->etag);
    else if (sql == UPDATE_PROFILE || sql == INSERT_PROFILE)
        bind_profile(st, ev);
    if (repeated && ev->type != EVENT_DELETED)
        *outcome = APPLY_REPEATED;
    return finish(db, st, outcome, why, whysize, e);
}
