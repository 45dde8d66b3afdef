/* `streamtop serve`: the HTTP API alone, over a database another process
 * ingests (or none does).  SIGTERM or SIGINT stop it, exit 0. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "api_server.h"
#include "commands.h"
#include "log.h"
#include "schema.h"
#include "signals.h"

#define MAIN_LOOP_MS 200

/* The schema must be this streamtop's: the API reads its tables and writes
 * the access log.  Bad --listen or exposure is usage (2), the rest 1. */
static int check_database(const char *path, const struct api_listen *l, struct err *e, int *code)
{
    struct db *db;
    *code = EXIT_FAILURE;
    if (schema_open_current(path, DB_READ_ONLY, &db, e) < 0)
        return -1;
    int rc = 0;
    if (api_exposure_check(db, l, e) < 0)
        rc = -1, *code = 2;
    db_close(db);
    return rc;
}

int api_listen_option(const struct options *o, bool required, struct api_listen *l, bool *wanted,
                      struct err *e)
{
    const char *text = o->listen ? o->listen : required ? API_DEFAULT_LISTEN : NULL;
    *wanted = text != NULL;
    return text ? api_listen_parse(text, l, e) : 0;
}

void api_config_from(const struct options *o, const struct api_listen *l, struct api_config *cfg)
{
    *cfg = (struct api_config){.db_path = o->db_path, .listen = l, .backup_dir = o->backup_dir,
                               .backup_max_age_h = o->backup_max_age_h};
}

int cmd_serve(const struct options *o)
{
    struct api_config cfg;
    struct api_listen l;
    struct api_server *server;
    struct err e;
    bool wanted;
    int code = EXIT_FAILURE;
    if (api_listen_option(o, true, &l, &wanted, &e) < 0) {
        fprintf(stderr, "streamtop: %s\n", e.msg);
        return 2;
    }
    if (log_open(NULL, &e) < 0 || check_database(o->db_path, &l, &e, &code) < 0) {
        fprintf(stderr, "streamtop: %s\n", e.msg);
        log_close();
        return code;
    }
    signals_install();
    api_config_from(o, &l, &cfg);
    if (api_server_start(&cfg, &server, &e) < 0) {
        fprintf(stderr, "streamtop: %s\n", e.msg);
        log_close();
        return EXIT_FAILURE;
    }
    log_kv(LOG_INFO, "serving", "address", api_server_address(server), NULL);
    while (!atomic_load(&signals_stop)) {
        struct timespec ts = {0, MAIN_LOOP_MS * 1000000L};
        nanosleep(&ts, NULL);
    }
    log_kv(LOG_INFO, "stopping", NULL);
    api_server_stop(server);
    log_close();
    return EXIT_SUCCESS;
}
