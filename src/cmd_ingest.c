/* `streamtop ingest`: the ingester and processor without a terminal, for
 * running as a service.  Logs one line per event of note; SIGTERM or
 * SIGINT commit the open batch and exit 0; SIGHUP reopens the log file. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "commands.h"
#include "ingester.h"
#include "log.h"
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

int cmd_ingest(const struct options *o)
{
    struct err e;
    char *key = NULL;
    struct ingester_config cfg;
    struct ingester *ig;
    if (stream_key_load(o, true, &key, &e) < 0 || log_open(o->log_file, &e) < 0) {
        fprintf(stderr, "streamtop: %s\n", e.msg);
        free(key);
        return 2;
    }
    signals_install();
    ingester_config_from(o, key, &cfg);
    if (ingester_start(&cfg, &ig, &e) < 0) {
        log_kv(LOG_ERROR, "cannot_start", "error", e.msg, NULL);
        if (o->log_file)
            fprintf(stderr, "streamtop: %s\n", e.msg);
        free(key);
        log_close();
        return EXIT_FAILURE;
    }
    bool healthy = true;
    while (!atomic_load(&signals_stop) && (healthy = ingester_healthy(ig, &e))) {
        struct timespec ts = {0, MAIN_LOOP_MS * 1000000L};
        nanosleep(&ts, NULL);
        if (signals_take_hangup()) {
            log_reopen();
            log_kv(LOG_INFO, "log_reopened", NULL);
        }
    }
    if (healthy)
        log_kv(LOG_INFO, "stopping", "signal", signals_stop_signal() == SIGTERM ? "SIGTERM" : "SIGINT", NULL);
    ingester_stop(ig);
    free(key);
    log_close();
    if (!healthy)
        fprintf(stderr, "streamtop: %s\n", e.msg);
    return healthy ? EXIT_SUCCESS : EXIT_FAILURE;
}
