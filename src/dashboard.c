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
#include "health.h"
#include "humanfmt.h"
#include "retry_worker.h"
#include "screen.h"
#include "signals.h"
#include "snapshot.h"
#include "snapshot_rows.h"
#include "timeutil.h"

/* Windowed figures (rates, ages) and whether the ingester's process lives
 * are re-read at least this often even when nothing is written, so they
 * decay on a quiet stream and a killed ingester shows as one within
 * seconds, as `status` would say. */
#define STALE_MS 2000
/* The clock in the header is redrawn at least this often. */
#define TICK_MS 1000

struct dash {
    const struct dashboard_config *cfg;
    struct ui ui;
    struct snapshot_reader *reader;
    struct db *writer;              /* for retries until the worker takes it */
    struct retry_worker *retrier;   /* NULL when read-only */
    struct snapshot *snap, *spare;
    bool have_snap, need_fetch, ingester_stopped;
    bool quit_anyway;               /* q was pressed again over an unfinished retry */
    int64_t data_version, fetched_at, next_check;
    char read_error[sizeof(struct err)];
    struct retry_job asked;         /* the set the open confirmation counted */
    struct event_view shown;        /* the event the details dialog shows */
    struct details details;
    char status[RETRY_LABEL_MAX + 128];   /* a retry in progress */
    char ingester_note[96];         /* attached with no ingester running */
    struct frame frame;
};

/* Tags of rows that are no longer failed are dropped, so the count shown
 * is the count R would act on. */
static void prune_tags(struct dash *d)
{
    struct err e;
    size_t hidden, before = d->ui.ntags;
    if (before == 0 ||
        snapshot_keep_failed(d->reader, d->ui.tags, d->ui.tag_attempts, &d->ui.ntags, NULL,
                             &hidden, &e) < 0 ||
        d->ui.ntags == before)
        return;
    d->ui.tags_lost = d->ui.ntags == 0;
    ui_say(&d->ui, time_now_ms(), "%zu tag%s dropped: retried or resolved since tagged",
           before - d->ui.ntags, before - d->ui.ntags == 1 ? "" : "s");
}

/* The details dialog follows its event as the database changes (a retry
 * from elsewhere, another attempt), keeping where it was scrolled to; a
 * refresh that changed nothing of it costs a read, not a rebuild. */
static void reload_details(struct dash *d)
{
    struct event_view fresh;
    struct err e;
    bool rebuilt;
    if (snapshot_read_event(d->reader, d->ui.details.id, &fresh, &e) < 0)
        return;   /* gone from the log: what was read stays on screen */
    details_follow(&d->details, &d->shown, &fresh, time_now_ms(), &rebuilt, &e);
    snapshot_event_free(&fresh);
}

static void fetch(struct dash *d)
{
    struct err e;
    struct snapshot_request req = {.stream_type = STREAM_TYPE,
                                   .failure_filter = d->ui.filter[0] ? d->ui.filter : NULL,
                                   .failure_kind = d->ui.kind[0] ? d->ui.kind : NULL,
                                   .failure_kinds = d->ui.grouped,
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
        if (d->ui.paused && d->have_snap) {
            /* Paused: only what keys move (the failures list) changes. */
            memcpy(&d->snap->failures, &d->spare->failures, sizeof d->snap->failures);
        } else {
            struct snapshot *t = d->snap;
            d->snap = d->spare;
            d->spare = t;
        }
        d->have_snap = true;
        d->read_error[0] = '\0';
        if (!ui_sync(&d->ui, &d->snap->failures))
            break;
    }
    d->need_fetch = false;
    d->fetched_at = time_mono_ms();
    prune_tags(d);
    if (d->ui.dialog == DIALOG_DETAILS)
        reload_details(d);
}

/* Whether the database changed since the last snapshot.  A view frozen
 * because no writer was attached is reopened once one appears. */
static bool database_changed(struct dash *d)
{
    struct db *db = snapshot_reader_db(d->reader);
    struct err e;
    bool reopened = false;
    if (db_view_frozen(db) && snapshot_reader_refresh(d->reader, &reopened, &e) == 0 && reopened)
        return true;
    return db_data_version(db) != d->data_version;
}

/* Whether an ingester is there to apply what a retry queues: always in
 * live and demo; attached, only while another process holds a fresh lease. */
static bool ingester_running(const struct dash *d)
{
    if (d->cfg->ingester)
        return true;
    if (!d->have_snap)
        return true;   /* not known yet: say nothing */
    return health_ingester_running(d->snap);
}

/* Hands job over; its ids are the worker's then, or freed here. */
static void submit(struct dash *d, struct retry_job *job, int64_t now)
{
    if (!retry_worker_submit(d->retrier, job)) {
        free(job->ids);
        ui_say(&d->ui, now, "a retry is still running; %s was not retried", job->label);
    }
    *job = (struct retry_job){0};
}

static void retry_target(struct dash *d, int64_t now)
{
    struct retry_job job = {.ids = malloc(sizeof *job.ids), .n = 1};
    if (!job.ids) {
        ui_say(&d->ui, now, "out of memory: nothing retried");
        return;
    }
    job.ids[0] = d->ui.target.id;
    snprintf(job.label, sizeof job.label, "%s", d->ui.target.event_id);
    submit(d, &job, now);
}

/* R on the tags: those still failed, fixed now. */
static int ask_tagged(struct dash *d, struct retry_job *job, size_t *hidden, struct err *e)
{
    size_t before = d->ui.ntags;
    if (snapshot_keep_failed(d->reader, d->ui.tags, d->ui.tag_attempts, &d->ui.ntags,
                             d->ui.filter[0] ? d->ui.filter : NULL, hidden, e) < 0)
        return -1;
    d->ui.confirm_dropped = before - d->ui.ntags;
    if (d->ui.ntags > 0 && !(job->ids = malloc(d->ui.ntags * sizeof *job->ids)))
        return err_set(e, "out of memory"), -1;
    if (job->ids)
        memcpy(job->ids, d->ui.tags, d->ui.ntags * sizeof *job->ids);
    job->n = d->ui.ntags;
    return 0;
}

/* R on everything matching the filter and kind: one count, and the set
 * fixed by its bound (the newest of them, failed by now) for the worker to
 * list, so the screen never waits on listing 100,000 ids. */
static int ask_matching(struct dash *d, struct retry_job *job, int64_t now, struct err *e)
{
    int64_t count;
    if (snapshot_count_failed(d->reader, d->ui.filter[0] ? d->ui.filter : NULL,
                              d->ui.confirm_kind[0] ? d->ui.confirm_kind : NULL, &count,
                              &job->up_to, e) < 0)
        return -1;
    job->n = (size_t)count;
    time_format_iso(now, job->failed_by);
    snprintf(job->filter, sizeof job->filter, "%s", d->ui.filter);
    snprintf(job->kind, sizeof job->kind, "%s", d->ui.confirm_kind);
    return 0;
}

/* R: fixes the set now, so y acts on exactly what the dialog counts. */
static void ask_retry(struct dash *d, int64_t now)
{
    struct err e;
    size_t hidden = 0;
    free(d->asked.ids);
    d->asked = (struct retry_job){0};
    int rc = d->ui.confirm_tagged ? ask_tagged(d, &d->asked, &hidden, &e)
                                  : ask_matching(d, &d->asked, now, &e);
    if (rc < 0) {
        free(d->asked.ids);
        d->asked = (struct retry_job){0};
        ui_say(&d->ui, now, "cannot count the failures to retry: %s", e.msg);
        return;
    }
    ui_confirm(&d->ui, (int64_t)d->asked.n, hidden, now);
}

static void retry_confirmed(struct dash *d, int64_t now)
{
    ui_confirm_label(&d->ui, d->asked.label, sizeof d->asked.label);
    submit(d, &d->asked, now);
    if (d->ui.confirm_tagged)
        ui_clear_tags(&d->ui);
}

/* What a finished retry did, naming what it acted on. */
static void report_retry(struct dash *d, const struct retry_progress *p, int64_t now)
{
    char n[HUMAN_LEN], of[HUMAN_LEN], skipped[64] = "";
    const char *queued = ingester_running(d) ? ""
                         : "; queued, but no ingester is running to apply it";
    if (p->skipped)
        snprintf(skipped, sizeof skipped, "; %zu %s no longer failed", p->skipped,
                 p->skipped == 1 ? "was" : "were");
    if (p->error[0])
        ui_say(&d->ui, now, "retry of %s stopped: %s (%s of %s retried)", p->label, p->error,
               human_count((int64_t)p->retried, n), human_count((int64_t)p->total, of));
    else if (p->retried == 0)
        ui_say(&d->ui, now, "nothing retried: %s %s no longer failed", p->label,
               p->total == 1 ? "is" : "are");
    else if (p->skipped == 0)
        ui_say(&d->ui, now, "retried %s%s", p->label, queued);
    else
        ui_say(&d->ui, now, "retried %s of %s%s%s", human_count((int64_t)p->retried, n),
               p->label, skipped, queued);
}

/* Progress of a running retry in the footer, and its outcome when done. */
static void watch_retry(struct dash *d, int64_t now)
{
    struct retry_progress p;
    d->status[0] = '\0';
    if (!d->retrier)
        return;
    retry_worker_progress(d->retrier, &p);
    if (p.running) {
        char done[HUMAN_LEN], total[HUMAN_LEN], more[48] = "";
        if (p.queued)
            snprintf(more, sizeof more, "; %zu more waiting", p.queued);
        snprintf(d->status, sizeof d->status, "retrying %s: %s of %s done%s%s", p.label,
                 human_count((int64_t)p.done, done), human_count((int64_t)p.total, total),
                 p.waiting_for_lock ? "; waiting: another connection holds the write lock" : "",
                 more);
    }
    while (retry_worker_take_done(d->retrier, &p)) {
        report_retry(d, &p, now);
        d->need_fetch = true;
    }
}

static const struct failure_row *selected_row(const struct dash *d)
{
    const struct snap_failures *f = &d->snap->failures;
    for (int i = 0; d->have_snap && i < f->nrows; i++)
        if (f->rows[i].id == d->ui.details.id)
            return &f->rows[i];
    return NULL;
}

static void open_details(struct dash *d, int64_t now)
{
    struct err e;
    const struct failure_row *row = selected_row(d);
    details_free(&d->details);
    snapshot_event_free(&d->shown);
    if (snapshot_read_event(d->reader, d->ui.details.id, &d->shown, &e) < 0 ||
        details_build(&d->shown, row ? row->company_name : NULL, screen_charset(), now,
                      &d->details, &e) < 0) {
        d->ui.dialog = DIALOG_NONE;
        ui_say(&d->ui, now, "cannot show %s: %s", d->ui.details.event_id, e.msg);
        return;
    }
    d->details.log_id = d->ui.details.id;
}

/* q while a retry is running or waiting asks once more: quitting then
 * abandons it (the log says so). */
static void confirm_quit(struct dash *d, int64_t now)
{
    if (!d->retrier || d->quit_anyway || !retry_worker_busy(d->retrier))
        return;
    d->ui.quit = false;
    d->quit_anyway = true;
    ui_say(&d->ui, now, "a retry has not finished; q again quits and abandons it");
}

static void act(struct dash *d, enum ui_action a, int64_t now)
{
    switch (a) {
    case UI_ACT_FETCH: d->need_fetch = true; break;
    case UI_ACT_FULL_REDRAW: screen_repaint(); break;
    case UI_ACT_DETAILS: open_details(d, now); break;
    case UI_ACT_RETRY_TARGET: retry_target(d, now); break;
    case UI_ACT_ASK_RETRY: ask_retry(d, now); break;
    case UI_ACT_RETRY_CONFIRMED: retry_confirmed(d, now); break;
    case UI_ACT_RELAYOUT:
        frame_layout(&d->frame, &d->ui);
        d->need_fetch = true;
        break;
    case UI_ACT_QUIT: confirm_quit(d, now); break;
    case UI_ACT_NONE: case UI_ACT_REDRAW: break;
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
    bool attached_alone = d->ui.mode == UI_ATTACHED && !ingester_running(d);
    bool stuck = attached_alone && d->have_snap &&
                 d->snap->connection.ingester_process == INGESTER_RUNNING;
    snprintf(d->ingester_note, sizeof d->ingester_note, "%s",
             !attached_alone ? ""
             : stuck ? "the ingester is stuck: retries wait until it commits again"
                     : "no ingester running: retries wait until one starts");
    d->frame.ingester_note = d->ingester_note[0] ? d->ingester_note : NULL;
    /* A retry's progress shows in the footer, but a message (what a key
     * did) takes the footer for its few seconds first. */
    if (!d->frame.status_line || d->frame.status_line == d->status)
        d->frame.status_line = d->status[0] && d->ui.message_until <= d->frame.now ? d->status
                                                                                    : NULL;
    if (d->ui.dialog == DIALOG_DETAILS)
        details_tick(&d->details, &d->shown, d->frame.now);
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
    watch_retry(d, time_now_ms());
    if (d->need_fetch)
        fetch(d);
    draw(d);
    int64_t wait = d->next_check - time_mono_ms();
    wait = wait < 0 ? 0 : wait > TICK_MS ? TICK_MS : wait;
    int key = screen_read_key((int)wait);
    /* Nothing but "too small" is on the screen: no key may act on what the
     * operator cannot see (a hidden question, a selected row), only q. */
    if (d->frame.layout.too_small && key != UI_KEY_RESIZE && key != 'q')
        key = UI_KEY_NONE;
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
    if (snapshot_reader_open(cfg->db_path, &d->reader, e) < 0)
        return -1;
    if (d->writer) {
        if (retry_worker_start(d->writer, &d->retrier, e) < 0)
            return -1;
        d->writer = NULL;   /* the worker's now */
    }
    return 0;
}

static void dash_free(struct dash *d)
{
    if (!d)
        return;
    retry_worker_stop(d->retrier);
    ui_free(&d->ui);
    details_free(&d->details);
    snapshot_event_free(&d->shown);
    free(d->asked.ids);
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
