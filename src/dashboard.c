#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "dashboard.h"
#include "details.h"
#include "frame.h"
#include "retry.h"
#include "screen.h"
#include "signals.h"
#include "snapshot.h"
#include "timeutil.h"

/* Windowed figures (rates, ages) are re-read at least this often even when
 * nothing is written, so they decay on a quiet stream. */
#define STALE_MS 10000
/* The clock in the header is redrawn at least this often. */
#define TICK_MS 1000

struct dash {
    const struct dashboard_config *cfg;
    struct ui ui;
    struct snapshot_reader *reader;
    struct db *writer;              /* for retries; NULL when read-only */
    struct snapshot *snap, *spare;
    bool have_snap, need_fetch, ingester_stopped;
    int64_t data_version, fetched_at, next_check;
    char read_error[sizeof(struct err)];
    struct details details;
    struct frame frame;
};

static void fetch(struct dash *d)
{
    struct err e;
    struct snapshot_request req = {.stream_type = STREAM_TYPE,
                                   .failure_filter = d->ui.filter[0] ? d->ui.filter : NULL,
                                   .backup_dir = d->cfg->backup_dir,
                                   .backup_max_age_ms = d->cfg->backup_max_age_ms};
    /* Read before the snapshot: a commit landing in between is then seen
     * as a change next time, never missed. */
    d->data_version = db_data_version(snapshot_reader_db(d->reader));
    for (int pass = 0; pass < 2; pass++) {
        ui_request(&d->ui, &req.failures);
        if (snapshot_fill(d->reader, &req, d->spare, &e) < 0) {
            snprintf(d->read_error, sizeof d->read_error, "%s", e.msg);
            break;
        }
        struct snapshot *t = d->snap;
        d->snap = d->spare;
        d->spare = t;
        d->have_snap = true;
        d->read_error[0] = '\0';
        if (!ui_sync(&d->ui, &d->snap->failures))
            break;
    }
    d->need_fetch = false;
    d->fetched_at = time_mono_ms();
}

/* Whether the database changed since the last snapshot.  A view frozen
 * because no writer was attached is reopened once one appears. */
static bool database_changed(struct dash *d)
{
    struct db *db = snapshot_reader_db(d->reader);
    struct err e;
    bool reopened = false;
    if (db_view_frozen(db) && db_refresh_view(db, &reopened, &e) == 0 && reopened)
        return true;
    return db_data_version(db) != d->data_version;
}

static void retry(struct dash *d, bool selected_only, int64_t now)
{
    struct err e;
    struct retry_request req = {0};
    struct retry_result res = {0};
    int64_t one = d->ui.list.selected_id;
    if (selected_only) {
        req.log_ids = &one;
        req.log_id_count = 1;
    } else if (d->ui.confirm_tagged) {
        req.log_ids = d->ui.tags;
        req.log_id_count = d->ui.ntags;
    } else {
        req.all_failed = true;
        req.error_like = d->ui.filter[0] ? d->ui.filter : NULL;
    }
    if (retry_run(d->writer, &req, &res, &e) < 0) {
        ui_say(&d->ui, now, "retry failed: %s", e.msg);
    } else {
        ui_say(&d->ui, now, "retried %zu event%s%s", res.retried, res.retried == 1 ? "" : "s",
               res.not_failed.count ? " (some were no longer failed)" : "");
        if (!selected_only && d->ui.confirm_tagged)
            ui_clear_tags(&d->ui);
    }
    retry_result_free(&res);
    d->need_fetch = true;
}

static const struct failure_row *selected_row(const struct dash *d)
{
    const struct snap_failures *f = &d->snap->failures;
    for (int i = 0; d->have_snap && i < f->nrows; i++)
        if (f->rows[i].id == d->ui.list.selected_id)
            return &f->rows[i];
    return NULL;
}

static void open_details(struct dash *d, int64_t now)
{
    struct err e;
    const struct failure_row *row = selected_row(d);
    details_free(&d->details);
    if (!row || details_load(snapshot_reader_db(d->reader), row->id, row->company_name,
                             screen_charset(), now, &d->details, &e) < 0) {
        d->ui.dialog = DIALOG_NONE;
        ui_say(&d->ui, now, "cannot show the failure: %s", row ? e.msg : "it left the list");
    }
}

static void act(struct dash *d, enum ui_action a, int64_t now)
{
    switch (a) {
    case UI_ACT_FETCH: d->need_fetch = true; break;
    case UI_ACT_FULL_REDRAW: screen_repaint(); break;
    case UI_ACT_DETAILS: open_details(d, now); break;
    case UI_ACT_RETRY_SELECTED: retry(d, true, now); break;
    case UI_ACT_RETRY_CONFIRMED: retry(d, false, now); break;
    case UI_ACT_RELAYOUT:
        frame_layout(&d->frame, &d->ui);
        d->need_fetch = true;
        break;
    case UI_ACT_NONE: case UI_ACT_REDRAW: case UI_ACT_QUIT: break;
    }
}

static bool should_stop(struct dash *d, int *rc, struct err *e)
{
    if (atomic_load(&signals_stop) || signals_take_hangup())
        return true;
    if (d->cfg->ingester && !ingester_healthy(d->cfg->ingester, e)) {
        *rc = -1;
        return true;
    }
    return d->ui.quit;
}

static void draw(struct dash *d)
{
    d->frame.now = time_now_ms();
    d->frame.snap = d->have_snap ? d->snap : NULL;
    d->frame.read_error = d->read_error[0] ? d->read_error : NULL;
    d->frame.details = &d->details;
    frame_draw(&d->frame, &d->ui);
}

/* One turn of the loop: refresh what is due, draw, wait for a key. */
static void turn(struct dash *d)
{
    int64_t mono = time_mono_ms();
    if (mono >= d->next_check) {
        d->next_check = mono + d->ui.refresh_ms;
        if (!d->ui.paused && (database_changed(d) || mono - d->fetched_at >= STALE_MS))
            d->need_fetch = true;
    }
    if (d->need_fetch)
        fetch(d);
    draw(d);
    int64_t wait = d->next_check - time_mono_ms();
    wait = wait < 0 ? 0 : wait > TICK_MS ? TICK_MS : wait;
    int key = screen_read_key((int)wait);
    if (key != UI_KEY_NONE) {
        int64_t now = time_now_ms();
        const struct snap_failures *f = d->have_snap ? &d->snap->failures : &d->spare->failures;
        act(d, ui_key(&d->ui, key, f, now), now);
    }
}

static void stop_ingester(struct dash *d)
{
    if (!d->cfg->ingester)
        return;
    d->frame.status_line = "stopping: committing what was received...";
    draw(d);
    ingester_stop(d->cfg->ingester);
    d->ingester_stopped = true;
}

static int run(struct dash *d, struct err *e)
{
    if (screen_open(d->cfg->color, d->cfg->log_fd, e) < 0)
        return -1;
    frame_layout(&d->frame, &d->ui);
    d->need_fetch = true;
    int rc = 0;
    while (!should_stop(d, &rc, e))
        turn(d);
    stop_ingester(d);
    screen_close();
    return rc;
}

/* A mode that retries opens its writer first: a read-only view opened
 * while no writer was attached would be an immutable one, which no writer
 * may join.  The database must already exist: only the ingester creates
 * one. */
static int open_connections(struct dash *d, const struct dashboard_config *cfg, struct err *e)
{
    struct stat st;
    if (cfg->mode != UI_READ_ONLY) {
        if (stat(cfg->db_path, &st) < 0)
            return err_set(e, "%s: %s", cfg->db_path, strerror(errno)), -1;
        if (db_open(cfg->db_path, DB_READ_WRITE, &d->writer, e) < 0)
            return -1;
    }
    return snapshot_reader_open(cfg->db_path, &d->reader, e);
}

static void dash_free(struct dash *d)
{
    if (!d)
        return;
    ui_free(&d->ui);
    details_free(&d->details);
    snapshot_reader_close(d->reader);
    db_close(d->writer);
    free(d->snap);
    free(d->spare);
    free(d);
}

int dashboard_run(const struct dashboard_config *cfg, struct err *e)
{
    struct dash *d = calloc(1, sizeof *d);
    int rc = -1;
    if (!d || !(d->snap = calloc(1, sizeof *d->snap)) || !(d->spare = calloc(1, sizeof *d->spare))) {
        err_set(e, "out of memory");
    } else if (open_connections(d, cfg, e) == 0) {
        d->cfg = cfg;
        d->frame.db_path = cfg->db_path;
        ui_init(&d->ui, cfg->mode, (int)(cfg->refresh_s * 1000 + 0.5));
        rc = run(d, e);
    }
    if (cfg->ingester && !(d && d->ingester_stopped))
        ingester_stop(cfg->ingester);
    dash_free(d);
    return rc;
}
