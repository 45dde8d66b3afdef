/* `streamtop ingest`: the ingester and processor without a terminal, for
 * running as a service.  Logs one line per event of note; SIGTERM or
 * SIGINT commit the open batch and exit 0; SIGHUP reopens the log file.
 * Started while another process holds the database's write lock, it waits
 * for the lock (saying so in the log) rather than give up. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "api_server.h"
#include "commands.h"
#include "ingester.h"
#include "log.h"
#include "notifier.h"
#include "signals.h"
#include "stream_key.h"

#define MAIN_LOOP_MS 200

int ingester_config_from(const struct options *o, const char *key, struct ingester_config *cfg)
{
    *cfg = (struct ingester_config){
        .db_path = o->db_path, .url = o->url, .key = key, .ca_file = o->ca_file,
        .stream_type = STREAM_TYPE,
        .stall_timeout_s = o->stall_timeout_s, .max_line = (size_t)o->max_line_bytes,
        .batch_events = (size_t)o->batch_events, .batch_ms = o->batch_ms,
        .maintain_every_ms = (int64_t)(o->maintain_every_s * 1000),
        .leave_checkpoints = o->litestream,
    };
    maintain_policy_from(o, &cfg->retention);
    return 0;
}

void notifier_config_from(const struct options *o, struct notifier_config *cfg)
{
    *cfg = (struct notifier_config){
        .db_path = o->db_path, .disconnect_after_s = o->webhook_disconnect_after_s,
        .failures_threshold = o->webhook_failures, .window_s = o->webhook_window_s,
        .backoff_s = o->webhook_backoff_s,
    };
}

/* The HTTP API beside the ingester (--listen), once the ingester has
 * migrated the database.  *code is the exit status on failure. */
int api_beside_ingester(const struct options *o, const struct api_listen *l, struct api_server **out,
                        struct err *e, int *code)
{
    struct db *db;
    struct api_config cfg;
    *code = EXIT_FAILURE;
    if (db_open(o->db_path, DB_READ_ONLY, &db, e) < 0)
        return -1;
    int rc = api_exposure_check(db, l, e);
    db_close(db);
    if (rc < 0)
        return *code = 2, -1;
    api_config_from(o, l, &cfg);
    if (api_server_start(&cfg, out, e) < 0)
        return -1;
    log_kv(LOG_INFO, "serving", "address", api_server_address(*out), NULL);
    return 0;
}

static const char *stop_signal_name(void)
{
    return signals_stop_signal() == SIGTERM ? "SIGTERM" : "SIGINT";
}

int cmd_ingest(const struct options *o)
{
    struct err e;
    char *key = NULL;
    struct ingester_config cfg;
    struct ingester *ig;
    struct api_listen listen;
    struct api_server *api = NULL;
    bool serve;
    int code;
    if (api_listen_option(o, false, &listen, &serve, &e) < 0 ||
        stream_key_load(o, true, &key, &e) < 0 || log_open(o->log_file, &e) < 0) {
        fprintf(stderr, "streamtop: %s\n", e.msg);
        free(key);
        return 2;
    }
    signals_install();
    ingester_config_from(o, key, &cfg);
    cfg.cancel = &signals_stop;   /* a service waits out another process's write lock */
    if (ingester_start(&cfg, &ig, &e) < 0) {
        if (atomic_load(&signals_stop)) {   /* stopped while waiting: nothing was started */
            log_kv(LOG_INFO, "stopping", "signal", stop_signal_name(), NULL);
            free(key);
            log_close();
            return EXIT_SUCCESS;
        }
        log_kv(LOG_ERROR, "cannot_start", "error", e.msg, NULL);
        if (o->log_file)
            fprintf(stderr, "streamtop: %s\n", e.msg);
        free(key);
        log_close();
        return EXIT_FAILURE;
    }
    if (serve && api_beside_ingester(o, &listen, &api, &e, &code) < 0) {
        log_kv(LOG_ERROR, "cannot_serve", "error", e.msg, NULL);
        if (o->log_file)
            fprintf(stderr, "streamtop: %s\n", e.msg);
        ingester_stop(ig);
        free(key);
        log_close();
        return code;
    }
    struct notifier_config ncfg;
    struct notifier *notifier = NULL;
    notifier_config_from(o, &ncfg);
    if (notifier_start(&ncfg, &notifier, &e) < 0)
        log_kv(LOG_WARN, "webhooks_unavailable", "error", e.msg, NULL);
    bool healthy = true;
    while (!atomic_load(&signals_stop) && (healthy = ingester_healthy(ig, &e))) {
        struct timespec ts = {0, MAIN_LOOP_MS * 1000000L};
        nanosleep(&ts, NULL);
        if (signals_take_hangup() && log_reopen() == 0)
            log_kv(LOG_INFO, "log_reopened", NULL);
    }
    if (healthy)
        log_kv(LOG_INFO, "stopping", "signal", stop_signal_name(), NULL);
    api_server_stop(api);
    ingester_stop(ig);
    notifier_stop(notifier, healthy ? WH_INGESTER_STOPPED : WH_FATAL_ERROR,
                  healthy ? "stopped by a signal" : e.msg);
    free(key);
    log_close();
    if (!healthy)
        fprintf(stderr, "streamtop: %s\n", e.msg);
    return healthy ? EXIT_SUCCESS : EXIT_FAILURE;
}
