/* A fuzz target for what the network controls: the framer, the decoder
 * and what the decoder's events do to companies.
 *
 * The input is a byte stream as a server might send it.  It is framed twice,
 * once whole and once cut into chunks at points the input itself chooses,
 * and both must yield the same lines (the framer's promise that chunk
 * boundaries never matter).  Every line is then decoded; a decoded event
 * must describe a sane timepoint and keep the line's bytes exactly.  Each
 * event is applied to companies in a database in memory, in one transaction
 * per input rolled back at its end: the row must then reflect the event (or
 * a newer one) and hold only valid UTF-8 text. */
#include "config.h"

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "event.h"
#include "framer.h"
#include "schema.h"
#include "store_companies.h"
#include "textsafe.h"

#define FUZZ_MAX_LINE 4096     /* small, so oversize lines are common */
#define FUZZ_MAX_FRAMES 4096

struct frame_log {
    bool decode;               /* decode each line too (once per input is enough) */
    struct { enum frame_kind kind; size_t len, full_len; uint64_t hash; } f[FUZZ_MAX_FRAMES];
    size_t n;
};

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

static char fuzz_dir[] = "/tmp/streamtop-fuzz.XXXXXX";

static void remove_fuzz_db(void)
{
    static const char *const files[] = {"fuzz.db", "fuzz.db-wal", "fuzz.db-shm"};
    char path[sizeof fuzz_dir + 16];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", fuzz_dir, files[i]);
        remove(path);
    }
    remove(fuzz_dir);
}

/* One database for the whole run, in a directory of its own. */
static struct db *fuzz_db(void)
{
    static struct db *db;
    char path[sizeof fuzz_dir + 16];
    struct err e;
    struct migrate_report r;
    if (db)
        return db;
    if (!mkdtemp(fuzz_dir))
        abort();
    atexit(remove_fuzz_db);
    snprintf(path, sizeof path, "%s/fuzz.db", fuzz_dir);
    if (db_open(path, DB_READ_WRITE, &db, &e) < 0 ||
        schema_migrate(db, schema_latest_version(), &r, &e) < 0) {
        fprintf(stderr, "fuzz: %s\n", e.msg);
        abort();
    }
    migrate_report_free(&r);
    return db;
}

static bool valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0, k; i < n; i += k) {
        unsigned cp;
        if ((k = textsafe_utf8_decode(s + i, n - i, &cp)) == 0 || cp == 0)
            return false;
    }
    return true;
}

/* The company's row after ev was applied with the given outcome. */
static void check_row(struct db *db, const struct stream_event *ev, enum apply_outcome outcome)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db_handle(db), "SELECT * FROM companies WHERE company_number = ?1", -1,
                           &st, NULL) != SQLITE_OK)
        abort();
    sqlite3_bind_text(st, 1, ev->company_number, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW)
        abort();
    for (int c = 0; c < sqlite3_column_count(st); c++) {
        const char *name = sqlite3_column_name(st, c);
        if (sqlite3_column_type(st, c) == SQLITE_TEXT &&
            !valid_utf8(sqlite3_column_text(st, c), (size_t)sqlite3_column_bytes(st, c)))
            abort();
        if (strcmp(name, "stream_timepoint") == 0 &&
            (outcome == APPLY_SUPERSEDED ? sqlite3_column_int64(st, c) < ev->timepoint
                                         : sqlite3_column_int64(st, c) != ev->timepoint))
            abort();
    }
    sqlite3_finalize(st);
}

static void apply(const struct stream_event *ev)
{
    struct db *db = fuzz_db();
    struct err e;
    char id[EVENT_ID_LEN], why[512];
    enum apply_outcome outcome;
    if (store_companies_apply(db, ev, event_id(ev->timepoint, id), "2026-01-01T00:00:00.000Z",
                              &outcome, why, sizeof why, &e) < 0)
        abort();
    if (outcome != APPLY_FAILED)
        check_row(db, ev, outcome);
}

static void check_event(const struct framed_line *f)
{
    struct stream_event *ev;
    struct err e;
    if (event_decode(f->data, f->len, &ev, &e) < 0) {
        if (!e.msg[0])
            abort();   /* a refusal always says why */
        return;
    }
    if (ev->timepoint < 0 || ev->raw_len != f->len || memcmp(ev->raw, f->data, f->len) != 0)
        abort();
    apply(ev);
    event_free(ev);
}

static int record(void *ctx, const struct framed_line *f)
{
    struct frame_log *log = ctx;
    if (log->decode && f->kind == FRAME_LINE)
        check_event(f);
    if (log->n < FUZZ_MAX_FRAMES) {
        log->f[log->n].kind = f->kind;
        log->f[log->n].len = f->len;
        log->f[log->n].full_len = f->full_len;
        log->f[log->n].hash = fnv1a(f->data, f->len);
        log->n++;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct frame_log whole = {.decode = true}, chunked;
    struct framer fr;
    whole.n = chunked.n = 0;

    struct err e;
    if (db_begin_write(fuzz_db(), &e) < 0)
        abort();
    framer_init(&fr, FUZZ_MAX_LINE);
    framer_feed(&fr, (const char *)data, size, record, &whole);
    framer_free(&fr);
    db_rollback(fuzz_db());

    /* Chunk sizes from the bytes themselves: 1..16, often 1. */
    framer_init(&fr, FUZZ_MAX_LINE);
    for (size_t off = 0; off < size;) {
        size_t chunk = 1 + data[off] % 16;
        if (chunk > size - off)
            chunk = size - off;
        framer_feed(&fr, (const char *)data + off, chunk, record, &chunked);
        off += chunk;
    }
    framer_free(&fr);

    if (whole.n != chunked.n || memcmp(whole.f, chunked.f, whole.n * sizeof whole.f[0]) != 0)
        abort();
    return 0;
}
