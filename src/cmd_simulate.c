/* `streamtop simulate`: the built-in stream server on loopback. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "commands.h"
#include "log.h"
#include "signals.h"
#include "simulator.h"
#include "stream_key.h"

#define SIM_DEFAULT_RATE 20.0
#define SIM_FIRST_TIMEPOINT 1000000

/* Fills sim_options from the command line; exit status 2 on bad input. */
int simulate_options(const struct options *o, double default_rate, struct sim_options *so,
                     char **key, struct err *e)
{
    memset(so, 0, sizeof *so);
    so->port = o->port;
    so->rate = o->rate > 0 ? o->rate : default_rate;
    so->count = o->count;
    so->heartbeat_s = o->heartbeat_s;
    so->replay_path = o->replay;
    so->seed = 20261124;
    so->first_timepoint = SIM_FIRST_TIMEPOINT;
    if (sim_faults_parse(o->faults, &so->faults, e) < 0 || stream_key_load(o, false, key, e) < 0)
        return -1;
    so->key = *key;
    return 0;
}

int cmd_simulate(const struct options *o)
{
    struct sim_options so;
    struct simulator *sim;
    struct err e;
    char *key = NULL;
    if (simulate_options(o, SIM_DEFAULT_RATE, &so, &key, &e) < 0) {
        fprintf(stderr, "streamtop: %s\n", e.msg);
        return 2;
    }
    if (log_open(o->log_file, &e) < 0) {
        fprintf(stderr, "streamtop: %s\n", e.msg);
        free(key);
        return 2;
    }
    signals_install();
    if (simulator_open(&so, &sim, &e) < 0) {
        fprintf(stderr, "streamtop: %s\n", e.msg);
        free(key);
        return EXIT_FAILURE;
    }
    printf("streamtop simulate: listening on http://127.0.0.1:%d/companies\n", simulator_port(sim));
    fflush(stdout);
    char port[16];
    snprintf(port, sizeof port, "%d", simulator_port(sim));
    log_kv(LOG_INFO, "listening", "port", port, "faults", o->faults ? o->faults : "none", NULL);
    int rc = simulator_run(sim, &signals_stop, &e);
    if (rc < 0)
        fprintf(stderr, "streamtop: %s\n", e.msg);
    simulator_close(sim);
    log_close();
    free(key);
    return rc < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
