#include "config.h"

#if HAVE_MALLOC_H
#include <malloc.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "pathutil.h"
#include "timeutil.h"

struct cached_stmt {
    const char *sql;
    sqlite3_stmt *stmt;
};

struct db {
    sqlite3 *handle;
    dev_t dev;                   /* the file's identity, for the registry */
    ino_t ino;
    char *path;                  /* as given, for messages */
    char *open_name;             /* its directory resolved: what SQLite opens */
    enum db_mode mode;
    bool frozen;                 /* read-only view opened immutable */
    struct stat frozen_stat;     /* the file as it was when frozen */
    struct cached_stmt *stmts;
    size_t nstmts, capstmts;
    int failed_rc;               /* SQLite's code at the last db_fail() */
};

static const char SQLITE_MAGIC[16] = "SQLite format 3";   /* includes the final NUL */

/* What a new database file is created with, whatever the umask: it holds
 * API key hashes and webhook addresses beside the stream's data.  SQLite
 * gives the -wal, -shm and -journal files it creates the database file's
 * mode, so they follow it (see doc/security.md). */
#define DB_FILE_MODE 0600
#define DB_BUSY_TIMEOUT_MS 5000   /* how long a statement waits for another's lock */

/* The files SQLite creates beside a database. */
static const char *const SIBLING_SUFFIXES[] = {"-wal", "-shm", "-journal"};

/* Which database files this process has connections to.
 *
 * POSIX advisory locks belong to the process, and closing any descriptor
 * of a file drops all of them.  Were this process to open and close a
 * database file behind SQLite's back while one of its connections held
 * locks on it, a reader elsewhere could conclude it was the last
 * connection and delete the live WAL.  So the file is read directly only
 * when no connection of ours has it open; otherwise SQLite's own handle is
 * used.  A frozen (immutable) view takes no locks either, so a writer is
 * never opened beside one. */
struct open_file {
    dev_t dev;
    ino_t ino;
    int connections;
    int frozen;
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct open_file registry[32];

static struct open_file *registry_find(dev_t dev, ino_t ino, bool create)
{
    struct open_file *free_slot = NULL;
    for (size_t i = 0; i < sizeof registry / sizeof registry[0]; i++) {
        if (registry[i].connections > 0 && registry[i].dev == dev && registry[i].ino == ino)
            return &registry[i];
        if (registry[i].connections == 0 && !free_slot)
            free_slot = &registry[i];
    }
    if (create && free_slot)
        *free_slot = (struct open_file){.dev = dev, .ino = ino};
    return create ? free_slot : NULL;
}

/* The number of this process's connections to the file (and frozen ones). */
static int registry_count(dev_t dev, ino_t ino, int *frozen)
{
    pthread_mutex_lock(&registry_lock);
    struct open_file *f = registry_find(dev, ino, false);
    int n = f ? f->connections : 0;
    *frozen = f ? f->frozen : 0;
    pthread_mutex_unlock(&registry_lock);
    return n;
}

static void registry_add(struct db *db)
{
    pthread_mutex_lock(&registry_lock);
    struct open_file *f = registry_find(db->dev, db->ino, true);
    if (f) {
        f->connections++;
        f->frozen += db->frozen;
    }
    pthread_mutex_unlock(&registry_lock);
}

static void registry_remove(struct db *db)
{
    pthread_mutex_lock(&registry_lock);
    struct open_file *f = registry_find(db->dev, db->ino, false);
    if (f) {
        f->connections--;
        f->frozen -= db->frozen;
    }
    pthread_mutex_unlock(&registry_lock);
}

int db_fail(struct db *db, struct err *e, const char *what)
{
    db->failed_rc = sqlite3_extended_errcode(db->handle);
    err_set(e, "%s: %s: %s", db->path, what, sqlite3_errmsg(db->handle));
    return -1;
}

int db_failed_code(const struct db *db)
{
    return db->failed_rc;
}

#define HEADER_BYTES 20

/* Refuses a file that is not SQLite.  An empty file is an empty database.
 * Sets *wal when the header says the database is in WAL mode. */
static int check_header(const char *path, const unsigned char *header, size_t n, bool *wal,
                        struct err *e)
{
    *wal = false;
    if (n == 0)
        return 0;
    if (n < HEADER_BYTES || memcmp(header, SQLITE_MAGIC, sizeof SQLITE_MAGIC) != 0) {
        err_set(e, "%s: not an SQLite database; refusing to touch it", path);
        return -1;
    }
    *wal = header[18] == 2 && header[19] == 2;
    return 0;
}

/* Reads the header with a descriptor of our own: only when no connection
 * of this process has the file open (see the registry above). */
static int read_header_directly(const char *path, const char *name, unsigned char *header,
                                size_t *n, struct err *e)
{
    int fd = open(name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        err_set(e, "%s: %s", path, strerror(errno));
        return -1;
    }
    ssize_t got = read(fd, header, HEADER_BYTES);
    int saved = errno;
    close(fd);
    if (got < 0) {
        err_set(e, "%s: %s", path, strerror(saved));
        return -1;
    }
    *n = (size_t)got;
    return 0;
}

/* Reads the header through SQLite's own handle on the file. */
static int read_header_via_sqlite(struct db *db, unsigned char *header, size_t *n, struct err *e)
{
    sqlite3_file *f = NULL;
    sqlite3_int64 size = 0;
    if (sqlite3_file_control(db->handle, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK ||
        !f || !f->pMethods || f->pMethods->xFileSize(f, &size) != SQLITE_OK)
        return db_fail(db, e, "cannot read the file");
    *n = size < HEADER_BYTES ? (size_t)size : HEADER_BYTES;
    if (*n > 0 && f->pMethods->xRead(f, header, (int)*n, 0) != SQLITE_OK)
        return db_fail(db, e, "cannot read the file");
    return 0;
}

static bool sibling_exists(const char *path, const char *suffix)
{
    char buf[4200];
    struct stat st;
    snprintf(buf, sizeof buf, "%s%s", path, suffix);
    return stat(buf, &st) == 0;
}

/* A WAL file's header, without frames. */
#define WAL_HEADER_BYTES 32

/* Whether the -wal file holds frames: changes that may not be in the
 * database file yet. */
static bool wal_has_frames(const char *path)
{
    char buf[4200];
    struct stat st;
    snprintf(buf, sizeof buf, "%s-wal", path);
    return stat(buf, &st) == 0 && st.st_size > WAL_HEADER_BYTES;
}

/* How a read-only open of a WAL database is made without creating a file.
 * With both -wal and -shm present a writer has (or had) it open, and
 * SQLite reads through them.  With no -shm and no frames in the WAL the
 * file holds every commit, and an immutable open, which reads no WAL and
 * creates no -shm, sees them all.  With frames but no -shm (a copy taken
 * while a writer ran, a -shm removed by hand) the commits in the WAL can
 * only be read by building a -shm: that is a writer's job, so the open is
 * refused, saying how to fold them in, rather than showing the database
 * without them.  SQLite gives no supported way to read a WAL without a
 * -shm file except exclusive locking, which a read-only open cannot use. */
static int choose_read_only_open(struct db *db, const struct stat *st, struct err *e)
{
    if (sibling_exists(db->path, "-shm") && sibling_exists(db->path, "-wal"))
        return 0;
    if (wal_has_frames(db->path))
        return err_set(e, "%s: its -wal file holds commits that are not in the database file, "
                          "and there is no -shm file beside it (a copy taken while a writer ran?); "
                          "a read-only open cannot read them without creating one. Fold them in "
                          "first: sqlite3 '%s' 'PRAGMA wal_checkpoint(TRUNCATE)' (on a copy if "
                          "this one must not change)",
                       db->path, db->path), -1;
    db->frozen = true;
    db->frozen_stat = *st;
    return 0;
}

/* "file:" URI for path, percent-encoding what a URI would misread. */
static char *file_uri(const char *path, bool immutable)
{
    size_t len = strlen(path);
    char *uri = malloc(len * 3 + 64);
    if (!uri)
        return NULL;
    char *p = uri + sprintf(uri, "file:");
    for (const unsigned char *s = (const unsigned char *)path; *s; s++) {
        if (*s == '%' || *s == '?' || *s == '#' || *s <= 0x20 || *s >= 0x7F)
            p += sprintf(p, "%%%02X", *s);
        else
            *p++ = (char)*s;
    }
    sprintf(p, "?mode=ro%s", immutable ? "&immutable=1" : "");
    return uri;
}

/* Switching a rollback-journal file (a restored one, say) to WAL needs
 * its exclusive lock.  Another writer's lock makes SQLite answer busy at
 * once, without the busy handler (waiting could deadlock), so the switch
 * is tried again for as long as the busy timeout. */
static int step_journal_switch(sqlite3_stmt *st)
{
    int64_t give_up = time_mono_ms() + DB_BUSY_TIMEOUT_MS;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_BUSY && time_mono_ms() < give_up) {
        sqlite3_reset(st);
        struct timespec pause = {0, 20 * 1000000L};
        nanosleep(&pause, NULL);
    }
    return rc;
}

static int configure_rw(struct db *db, struct err *e)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->handle, "PRAGMA journal_mode=WAL", -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, e, "cannot open");
    int rc = step_journal_switch(st);
    bool wal = rc == SQLITE_ROW &&
               sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
        return db_fail(db, e, "cannot open");
    if (!wal) {
        err_set(e, "%s: cannot switch to WAL mode (is the file on a network filesystem?)", db->path);
        return -1;
    }
    /* trusted_schema=OFF: a database made by another system must not be
     * able to run functions with side effects from its views or triggers. */
    return db_exec(db, "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                       "PRAGMA trusted_schema=OFF; PRAGMA cache_size=-32768;", e);
}

static int configure_ro(struct db *db, struct err *e)
{
    if (db_exec(db, "PRAGMA query_only=1; PRAGMA trusted_schema=OFF;", e) < 0)
        return -1;
    /* Reading the schema now surfaces "not a database" and corruption at
     * open time rather than in the first pane. */
    return db_exec(db, "SELECT count(*) FROM sqlite_schema", e);
}

static int open_handle(struct db *db, bool header_checked, struct err *e)
{
    int flags, rc;
    char *uri = NULL;
    const char *name = db->open_name;
    /* NOFOLLOW: SQLite then opens neither the database nor its -wal, -shm
     * or -journal through a symbolic link, which closes the gap between
     * prepare_file()'s checks and the open.  Its directory is already
     * resolved, so a link on the way there is allowed. */
    if (db->mode == DB_READ_WRITE) {
        flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                SQLITE_OPEN_NOFOLLOW;
    } else {
        flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW;
        if (!(uri = file_uri(db->open_name, db->frozen)))
            return err_set(e, "out of memory"), -1;
        name = uri;
    }
    rc = sqlite3_open_v2(name, &db->handle, flags, NULL);
    free(uri);
    if (rc != SQLITE_OK) {
        if (!db->handle)
            return err_set(e, "%s: cannot open: out of memory", db->path), -1;
        return db_fail(db, e, "cannot open");
    }
    sqlite3_extended_result_codes(db->handle, 1);
    sqlite3_busy_timeout(db->handle, DB_BUSY_TIMEOUT_MS);
    if (!header_checked) {
        /* Before any statement, so a foreign file is never written. */
        unsigned char header[HEADER_BYTES];
        size_t n;
        bool wal;
        if (read_header_via_sqlite(db, header, &n, e) < 0 || check_header(db->path, header, n, &wal, e) < 0)
            return -1;
    }
    return db->mode == DB_READ_WRITE ? configure_rw(db, e) : configure_ro(db, e);
}

static void close_handle(struct db *db)
{
    for (size_t i = 0; i < db->nstmts; i++)
        sqlite3_finalize(db->stmts[i].stmt);
    db->nstmts = 0;
    if (db->handle && db->dev)
        registry_remove(db);
    sqlite3_close(db->handle);
    db->handle = NULL;
}

/* A symbolic link where the database or a file SQLite creates beside it
 * would be: writing through it would create or change whatever it points
 * to, so it is refused by name. */
static int refuse_links(const struct db *db, const struct stat *st, struct err *e)
{
    if (st && S_ISLNK(st->st_mode))
        return err_set(e, "%s: " DB_LINK_REFUSED, db->path), -1;
    for (size_t i = 0; i < sizeof SIBLING_SUFFIXES / sizeof SIBLING_SUFFIXES[0]; i++) {
        char sibling[4200];
        struct stat sst;
        snprintf(sibling, sizeof sibling, "%s%s", db->path, SIBLING_SUFFIXES[i]);
        if (lstat(sibling, &sst) == 0 && S_ISLNK(sst.st_mode))
            return err_set(e, "%s: is a symbolic link; streamtop creates no file through one: "
                              "remove it", sibling), -1;
    }
    return 0;
}

/* Creates the empty database file with DB_FILE_MODE, never through a
 * link.  Another process creating it first is no error: SQLite opens
 * theirs. */
static int create_file(const struct db *db, struct err *e)
{
    int fd = open(db->open_name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY,
                  DB_FILE_MODE);
    if (fd < 0 && errno == EEXIST)
        return 0;
    if (fd < 0)
        return err_set(e, "%s: cannot create: %s", db->path, strerror(errno)), -1;
    int rc = fchmod(fd, DB_FILE_MODE);   /* the umask may have taken bits away */
    int saved = errno;
    close(fd);
    if (rc < 0)
        return err_set(e, "%s: %s", db->path, strerror(saved)), -1;
    return 0;
}

/* Checks the file before SQLite opens it.  Sets *header_checked when the
 * header could be read directly (no connection of ours has it open). */
static int prepare_file(struct db *db, bool *header_checked, struct err *e)
{
    struct stat st;
    int frozen_views = 0;
    *header_checked = false;
    if (db->mode == DB_READ_WRITE && path_make_parents(db->path, e) < 0)
        return -1;
    free(db->open_name);
    if (!(db->open_name = path_resolve_dir(db->path, e))) {
        if (db->mode == DB_READ_ONLY && errno == ENOENT)
            err_set(e, "%s: no such database (a read-only open never creates one)", db->path);
        return -1;
    }
    if (lstat(db->open_name, &st) < 0) {
        if (errno != ENOENT)
            return err_set(e, "%s: %s", db->path, strerror(errno)), -1;
        if (db->mode == DB_READ_ONLY)
            return err_set(e, "%s: no such database (a read-only open never creates one)",
                           db->path), -1;
        return refuse_links(db, NULL, e) < 0 ? -1 : create_file(db, e);
    }
    if (refuse_links(db, &st, e) < 0)
        return -1;
    if (!S_ISREG(st.st_mode))
        return err_set(e, "%s: not a regular file", db->path), -1;
    int ours = registry_count(st.st_dev, st.st_ino, &frozen_views);
    if (db->mode == DB_READ_WRITE && frozen_views > 0)
        return err_set(e, "%s: a lock-free read-only view of it is open in this process; "
                          "a writer must start before it", db->path), -1;
    if (ours > 0)
        return 0;   /* SQLite's handle is used instead, after opening */
    unsigned char header[HEADER_BYTES];
    size_t n;
    bool wal;
    if (read_header_directly(db->path, db->open_name, header, &n, e) < 0 ||
        check_header(db->path, header, n, &wal, e) < 0)
        return -1;
    *header_checked = true;
    return db->mode == DB_READ_ONLY && wal ? choose_read_only_open(db, &st, e) : 0;
}

/* Opens the handle and records it in the registry. */
static int open_file(struct db *db, struct err *e)
{
    bool header_checked;
    struct stat st;
    if (prepare_file(db, &header_checked, e) < 0 || open_handle(db, header_checked, e) < 0)
        return -1;
    if (stat(db->path, &st) == 0) {
        db->dev = st.st_dev;
        db->ino = st.st_ino;
        registry_add(db);
    }
    return 0;
}

#define HEAP_TRIM_THRESHOLD (16 << 20)   /* free memory the heap keeps at its top */

/* SQLite's memory accounting takes a process-wide mutex on every
 * allocation, and the writer allocates for every value it binds; nothing
 * here reads those statistics.
 *
 * Many writes open a temporary b-tree (a statement journal) and close it
 * again, allocating and freeing some 90 KB at the top of the heap; with
 * glibc's default trim threshold the heap then shrinks and grows again by
 * brk(2) each time: retrying 50,000 failures took 5 s, 0.9 s without. */
void db_library_init(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
#ifdef M_TRIM_THRESHOLD
    mallopt(M_TRIM_THRESHOLD, HEAP_TRIM_THRESHOLD);
#endif
}

int db_open(const char *path, enum db_mode mode, struct db **out, struct err *e)
{
    struct db *db = calloc(1, sizeof *db);
    *out = NULL;
    if (!db || !(db->path = strdup(path))) {
        free(db);
        return err_set(e, "out of memory"), -1;
    }
    db->mode = mode;
    if (open_file(db, e) < 0) {
        db_close(db);
        return -1;
    }
    *out = db;
    return 0;
}

void db_close(struct db *db)
{
    if (!db)
        return;
    close_handle(db);
    free(db->stmts);
    free(db->path);
    free(db->open_name);
    free(db);
}

sqlite3 *db_handle(struct db *db)
{
    return db->handle;
}

const char *db_path(const struct db *db)
{
    return db->path;
}

bool db_read_only(const struct db *db)
{
    return db->mode == DB_READ_ONLY;
}

bool db_view_frozen(const struct db *db)
{
    return db->frozen;
}

sqlite3_stmt *db_stmt(struct db *db, const char *sql, struct err *e)
{
    for (size_t i = 0; i < db->nstmts; i++) {
        if (db->stmts[i].sql == sql) {
            sqlite3_reset(db->stmts[i].stmt);
            sqlite3_clear_bindings(db->stmts[i].stmt);
            return db->stmts[i].stmt;
        }
    }
    if (db->nstmts == db->capstmts) {
        size_t cap = db->capstmts ? db->capstmts * 2 : 32;
        struct cached_stmt *grown = realloc(db->stmts, cap * sizeof *grown);
        if (!grown)
            return err_set(e, "out of memory"), NULL;
        db->stmts = grown;
        db->capstmts = cap;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v3(db->handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        db_fail(db, e, "cannot prepare a query");
        return NULL;
    }
    db->stmts[db->nstmts++] = (struct cached_stmt){sql, st};
    return st;
}

int db_exec(struct db *db, const char *sql, struct err *e)
{
    char *msg = NULL;
    if (sqlite3_exec(db->handle, sql, NULL, NULL, &msg) != SQLITE_OK) {
        db->failed_rc = sqlite3_extended_errcode(db->handle);
        err_set(e, "%s: %s", db->path, msg ? msg : sqlite3_errmsg(db->handle));
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

int db_step_done(struct db *db, sqlite3_stmt *st, struct err *e, const char *what)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    if (rc != SQLITE_DONE) {
        db_fail(db, e, what);
        sqlite3_reset(st);
        return -1;
    }
    sqlite3_reset(st);
    return 0;
}

int db_begin_read(struct db *db, struct err *e)
{
    return db_exec(db, "BEGIN DEFERRED", e);
}

int db_begin_write(struct db *db, struct err *e)
{
    return db_exec(db, "BEGIN IMMEDIATE", e);
}

int db_commit(struct db *db, struct err *e)
{
    return db_exec(db, "COMMIT", e);
}

void db_rollback(struct db *db)
{
    if (!sqlite3_get_autocommit(db->handle))
        sqlite3_exec(db->handle, "ROLLBACK", NULL, NULL, NULL);
}

static bool exists_query(struct db *db, const char *sql, const char *a, const char *b)
{
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    if (!st)
        return false;
    sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
    if (b)
        sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
    bool found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    return found;
}

bool db_has_table(struct db *db, const char *table)
{
    return exists_query(db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                        table, NULL);
}

bool db_has_column(struct db *db, const char *table, const char *column)
{
    return exists_query(db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2 COLLATE NOCASE",
                        table, column);
}

bool db_has_index(struct db *db, const char *index)
{
    return exists_query(db, "SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?1",
                        index, NULL);
}

bool db_require_columns(struct db *db, const char *table, const char *const *columns, size_t n,
                        char *why, size_t whysize)
{
    /* One table_info read per table: each read builds the whole column list. */
    uint64_t found = 0;
    sqlite3_stmt *st = db_stmt(db, "SELECT name FROM pragma_table_info(?1)", NULL);
    if (!st) {
        snprintf(why, whysize, "cannot read the columns of %s", table);
        return false;
    }
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    bool any = false;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        any = true;
        for (size_t i = 0; i < n && i < 64; i++)
            if (name && sqlite3_stricmp(name, columns[i]) == 0)
                found |= UINT64_C(1) << i;
    }
    sqlite3_reset(st);
    if (!any) {
        snprintf(why, whysize, "table %s is missing", table);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (i >= 64 || !(found & (UINT64_C(1) << i))) {
            snprintf(why, whysize, "column %s.%s is missing", table, columns[i]);
            return false;
        }
    }
    return true;
}

void db_column_copy(sqlite3_stmt *st, int col, char *buf, size_t size)
{
    const char *text = (const char *)sqlite3_column_text(st, col);
    size_t len = text ? (size_t)sqlite3_column_bytes(st, col) : 0;
    if (size == 0)
        return;
    if (len >= size) {
        len = size - 1;
        while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
            len--;   /* do not split a UTF-8 character */
    }
    if (len)
        memcpy(buf, text, len);
    buf[len] = '\0';
}

int64_t db_column_time(sqlite3_stmt *st, int col)
{
    int64_t ms;
    const char *text = (const char *)sqlite3_column_text(st, col);
    return text && time_parse_iso(text, TIME_NAIVE_IS_UTC, &ms) ? ms : 0;
}

static int64_t pragma_int(struct db *db, const char *sql)
{
    sqlite3_stmt *st = db_stmt(db, sql, NULL);
    int64_t v = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    return v;
}

int64_t db_schema_cookie(struct db *db)
{
    return pragma_int(db, "PRAGMA schema_version");
}

int64_t db_data_version(struct db *db)
{
    return pragma_int(db, "PRAGMA data_version");
}

int db_refresh_view(struct db *db, bool *reopened, struct err *e)
{
    struct stat st;
    *reopened = false;
    if (!db->frozen)
        return 0;
    bool writer_attached = sibling_exists(db->path, "-wal") && sibling_exists(db->path, "-shm");
    bool file_changed = stat(db->path, &st) < 0 || st.st_ino != db->frozen_stat.st_ino ||
                        st.st_size != db->frozen_stat.st_size ||
                        st.st_mtim.tv_sec != db->frozen_stat.st_mtim.tv_sec ||
                        st.st_mtim.tv_nsec != db->frozen_stat.st_mtim.tv_nsec;
    if (!writer_attached && !file_changed)
        return 0;
    close_handle(db);
    db->frozen = false;
    if (open_file(db, e) < 0)
        return -1;
    *reopened = true;
    return 0;
}

void db_set_busy_timeout(struct db *db, int ms)
{
    sqlite3_busy_timeout(db->handle, ms);
}
