/* The dashboard in its four modes (DESIGN.md section 2): live (the
 * default), attached (--no-ingest), read-only (--read-only) and demo.
 * Everything that can fail for a reason the operator can fix is checked
 * before the terminal is taken over, so the error lands on a normal
 * screen. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_server.h"
#include "commands.h"
#include "notifier.h"
#include "dashboard.h"
#include "ingester.h"
#include "log.h"
#include "pathutil.h"
#include "signals.h"
#include "simulator.h"
#include "stream_key.h"

/* A steady flow with the faults an operator should recognise: a dropped
 * connection now and then, a 503 with Retry-After, garbage and hostile
 * lines that become failures, and an occasional timepoint gap. */
#define DEMO_RATE 40.0
#define DEMO_FAULTS "drop:900,503:4,retry-after:3,garbage:120,hostile:200,gap:1500"
/* The demo's simulator and ingester share a key of their own, whatever
 * key the environment holds for the real stream. */
#define DEMO_KEY "streamtop-demo"

static int need_terminal(void)
{
    if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO))
        return 0;
    fprintf(stderr, "streamtop: the dashboard needs a terminal on stdin and stdout; "
                    "use 'streamtop status' for a snapshot or 'streamtop ingest' to run headless\n");
    return -1;
}

/* Opens the log for the ingester's lines and for stderr while the screen
 * is up: --log-file, else $XDG_STATE_HOME/streamtop/streamtop.log. */
static int open_log(const char *given, const char *fallback, int *fd, struct err *e)
{
    char *dflt = given || fallback ? NULL : path_xdg("XDG_STATE_HOME", ".local/state", "streamtop.log");
    const char *path = given ? given : fallback ? fallback : dflt;
    int rc = -1;
    if (!path)
        err_set(e, "no place for the log: set HOME or XDG_STATE_HOME, or give --log-file");
    else if (path_make_parents(path, e) == 0 && log_open(path, e) == 0) {
        *fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
        if (*fd < 0)
            err_set(e, "log file %s: %s", path, strerror(errno));
        else
            rc = 0;
    }
    free(dflt);
    return rc;
}

static int report(int rc, const struct err *e)
{
    if (rc != 0)
        fprintf(stderr, "streamtop: %s\n", e->msg);
    return rc;
}

static int dashboard_mode(const struct options *o, enum ui_mode mode, struct ingester *ig, int log_fd)
{
    struct err e;
    struct dashboard_config cfg = {
        .mode = mode, .db_path = o->db_path, .log_fd = log_fd, .color = !o->no_color,
        .refresh_s = o->refresh_s, .ingester = ig, .backup_dir = o->backup_dir,
        .backup_max_age_ms = (int64_t)(o->backup_max_age_h * 3600000),
    };
    int rc = dashboard_run(&cfg, &e);
    return report(rc < 0 ? EXIT_FAILURE : EXIT_SUCCESS, &e);
}

/* Live: the ingester runs in this process, and the HTTP API with
 * --listen. */
static int live(const struct options *o, int log_fd)
{
    struct err e;
    char *key = NULL;
    struct ingester_config cfg;
    struct ingester *ig;
    struct api_listen listen;
    struct api_server *api = NULL;
    bool serve;
    int rc;
    if (api_listen_option(o, false, &listen, &serve, &e) < 0 || stream_key_load(o, true, &key, &e) < 0)
        return report(2, &e);
    ingester_config_from(o, key, &cfg);
    cfg.cancel = &signals_stop;   /* waits out another process's write lock, saying so */
    cfg.wait_on_stderr = true;
    if (ingester_start(&cfg, &ig, &e) < 0) {
        rc = atomic_load(&signals_stop) ? EXIT_SUCCESS : report(EXIT_FAILURE, &e);
    } else if (serve && api_beside_ingester(o, &listen, &api, &e, &rc) < 0) {
        ingester_stop(ig);
        rc = report(rc, &e);
    } else {
        struct notifier_config ncfg;
        struct notifier *notifier = NULL;
        notifier_config_from(o, &ncfg);
        if (notifier_start(&ncfg, &notifier, &e) < 0)
            log_kv(LOG_WARN, "webhooks_unavailable", "error", e.msg, NULL);
        rc = dashboard_mode(o, UI_LIVE, ig, log_fd);
        api_server_stop(api);
        notifier_stop(notifier, rc == EXIT_SUCCESS ? WH_INGESTER_STOPPED : WH_FATAL_ERROR,
                      rc == EXIT_SUCCESS ? "the dashboard was closed" : "the dashboard stopped on an error");
    }
    free(key);
    return rc;
}

int cmd_dashboard(const struct options *o)
{
    struct err e;
    int log_fd = -1;
    if ((o->read_only || o->no_ingest) && o->listen) {
        fprintf(stderr, "streamtop: --listen serves beside an ingester: use `streamtop serve` "
                        "with --read-only or --no-ingest\n");
        return 2;
    }
    if (need_terminal() < 0)
        return 2;
    if (open_log(o->log_file, NULL, &log_fd, &e) < 0)
        return report(2, &e);
    signals_install();
    int rc;
    if (o->read_only)
        rc = dashboard_mode(o, UI_READ_ONLY, NULL, log_fd);
    else if (o->no_ingest)
        rc = dashboard_mode(o, UI_ATTACHED, NULL, log_fd);
    else
        rc = live(o, log_fd);
    close(log_fd);
    log_close();
    return rc;
}

/* ---- demo ---- */

struct demo {
    char dir[64];                   /* the temporary directory, or "" */
    char db[128], log[128];
    struct simulator *sim;
    pthread_t thread;
    bool running;
    atomic_bool stop;
    struct err sim_err;
};

static void *serve(void *arg)
{
    struct demo *d = arg;
    simulator_run(d->sim, &d->stop, &d->sim_err);
    return NULL;
}

static int demo_files(struct demo *d, struct err *e)
{
    const char *tmp = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(d->dir, sizeof d->dir, "%.40s/streamtop-demo-XXXXXX", tmp);
    if (!mkdtemp(d->dir)) {
        err_set(e, "cannot create a directory in %s: %s", tmp, strerror(errno));
        d->dir[0] = '\0';
        return -1;
    }
    snprintf(d->db, sizeof d->db, "%s/streamtop.db", d->dir);
    snprintf(d->log, sizeof d->log, "%s/streamtop.log", d->dir);
    return 0;
}

static void demo_cleanup(struct demo *d)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    if (d->running) {
        atomic_store(&d->stop, true);
        pthread_join(d->thread, NULL);
    }
    simulator_close(d->sim);
    if (!d->dir[0])
        return;
    char path[160];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(path, sizeof path, "%s%s", d->db, suffixes[i]);
        unlink(path);
    }
    unlink(d->log);
    rmdir(d->dir);
}

static int start_simulator(struct demo *d, const struct options *o, struct err *e)
{
    struct sim_options so;
    char *key = NULL;
    struct options with_faults = *o;
    if (!with_faults.faults)
        with_faults.faults = DEMO_FAULTS;
    int rc = simulate_options(&with_faults, DEMO_RATE, &so, &key, e);
    so.key = DEMO_KEY;
    if (rc == 0)
        rc = simulator_open(&so, &d->sim, e);
    free(key);
    if (rc == 0 && pthread_create(&d->thread, NULL, serve, d) != 0)
        rc = (err_set(e, "cannot start the simulator thread"), -1);
    d->running = rc == 0;
    return rc;
}

static int demo_dashboard(struct demo *d, const struct options *o, int log_fd)
{
    struct err e;
    char url[64];
    struct options live_opts = *o;
    struct ingester_config cfg;
    struct ingester *ig;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/companies", simulator_port(d->sim));
    live_opts.url = url;
    live_opts.db_path = o->db_path_given ? o->db_path : d->db;
    ingester_config_from(&live_opts, DEMO_KEY, &cfg);
    if (ingester_start(&cfg, &ig, &e) < 0)
        return report(EXIT_FAILURE, &e);
    return dashboard_mode(&live_opts, UI_DEMO, ig, log_fd);
}

int cmd_demo(const struct options *o)
{
    struct err e;
    struct demo d = {0};
    int log_fd = -1, rc;
    if ((o->read_only || o->no_ingest) && o->listen) {
        fprintf(stderr, "streamtop: --listen serves beside an ingester: use `streamtop serve` "
                        "with --read-only or --no-ingest\n");
        return 2;
    }
    if (need_terminal() < 0)
        return 2;
    if ((!o->db_path_given || !o->log_file) && demo_files(&d, &e) < 0)
        return report(EXIT_FAILURE, &e);
    if (open_log(o->log_file, d.log, &log_fd, &e) < 0) {
        demo_cleanup(&d);
        return report(2, &e);
    }
    signals_install();
    if (start_simulator(&d, o, &e) < 0)
        rc = report(o->faults ? 2 : EXIT_FAILURE, &e);
    else
        rc = demo_dashboard(&d, o, log_fd);
    close(log_fd);
    log_close();
    demo_cleanup(&d);
    return rc;
}
