/* db — owns SQLite connections.
 *
 * Read-write connections run in WAL mode with synchronous=NORMAL, a busy
 * timeout and foreign keys on.  Read-only connections honour DESIGN.md
 * section 7: they never create the database or any file beside it, never
 * write, never checkpoint.  A WAL database that no writer has open (no -wal
 * or -shm file) is opened `immutable`, because an ordinary read-only open
 * would create those files; db_refresh_view() reopens it normally as soon as
 * a writer appears.
 *
 * Neither mode opens the database, or a -wal, -shm or -journal beside it,
 * through a symbolic link; links among its directories are followed.  A
 * database it creates is 0600 whatever the umask (doc/security.md).
 *
 * Each connection keeps its prepared statements, keyed by the address of
 * their SQL text (always a string literal), so a statement is compiled once
 * per connection.  Every error names the database file and carries SQLite's
 * own message. */
#ifndef STREAMTOP_DB_H
#define STREAMTOP_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum db_mode {
    DB_READ_WRITE,   /* creates the file (0600, and its directory) if missing */
    DB_READ_ONLY,    /* the file must exist; it is never modified */
};

struct db;

/* Why a database named by a symbolic link is refused, after its name. */
#define DB_LINK_REFUSED "is a symbolic link; streamtop opens no database through one: " \
                        "give the path of the file itself"

/* Process-wide SQLite settings; call once, before any connection opens. */
void db_library_init(void);

int db_open(const char *path, enum db_mode mode, struct db **out, struct err *e);
void db_close(struct db *db);

sqlite3 *db_handle(struct db *db);
const char *db_path(const struct db *db);
bool db_read_only(const struct db *db);

/* A cached prepared statement, reset and with its bindings cleared, or
 * NULL with e set. */
sqlite3_stmt *db_stmt(struct db *db, const char *sql, struct err *e);

/* Runs SQL without results (may hold several statements). */
int db_exec(struct db *db, const char *sql, struct err *e);

/* Fills e with "DB: what: SQLite's message" and returns -1. */
int db_fail(struct db *db, struct err *e, const char *what);

/* SQLite's extended result code at the last db_fail(): still there after
 * a rollback has reset sqlite3_errcode(), so a caller can tell a corrupt
 * file from a busy one once its transaction is undone. */
int db_failed_code(const struct db *db);

/* Steps a statement to completion (no rows expected), then resets it. */
int db_step_done(struct db *db, sqlite3_stmt *st, struct err *e, const char *what);

/* Transactions.  BEGIN IMMEDIATE for writers so a busy database is noticed
 * at the start, under the busy timeout, instead of at the first write. */
int db_begin_read(struct db *db, struct err *e);
int db_begin_write(struct db *db, struct err *e);
int db_commit(struct db *db, struct err *e);
void db_rollback(struct db *db);

/* How long a statement waits for another connection's lock before
 * failing with SQLITE_BUSY (5 s unless changed). */
void db_set_busy_timeout(struct db *db, int ms);

/* Schema questions, answered from sqlite_schema and table_info. */
bool db_has_table(struct db *db, const char *table);
bool db_has_column(struct db *db, const char *table, const char *column);
bool db_has_index(struct db *db, const char *index);

/* Whether table exists with all n columns; if not, writes which part is
 * missing into why ("column companies.data is missing"). */
bool db_require_columns(struct db *db, const char *table, const char *const *columns, size_t n,
                        char *why, size_t whysize);

/* Copies a text column into buf, cut at a UTF-8 character boundary when
 * it does not fit; NULL gives "". */
void db_column_copy(sqlite3_stmt *st, int col, char *buf, size_t size);

/* A timestamp column as Unix milliseconds; 0 when NULL or unreadable. */
int64_t db_column_time(sqlite3_stmt *st, int col);

/* PRAGMA schema_version: changes whenever the schema does. */
int64_t db_schema_cookie(struct db *db);

/* PRAGMA data_version: changes whenever another connection commits. */
int64_t db_data_version(struct db *db);

/* For a read-only connection opened immutable because no writer was
 * attached: reopens it normally once a writer has created the WAL files.
 * Sets *reopened when it did.  A no-op for other connections. */
int db_refresh_view(struct db *db, bool *reopened, struct err *e);

/* Whether the read-only view is a frozen immutable one (see above). */
bool db_view_frozen(const struct db *db);

#endif
