/* commands — one entry point per subcommand; each returns the process's
 * exit status (DESIGN.md section 2). */
#ifndef STREAMTOP_COMMANDS_H
#define STREAMTOP_COMMANDS_H

#include "cli.h"
#include "err.h"
#include "simulator.h"

/* The stream streamtop ingests; stream_metadata and stream_state rows are
 * keyed by it. */
#define STREAM_TYPE "company-profile"

int cmd_backup(const struct options *o);
int cmd_dashboard(const struct options *o);
int cmd_demo(const struct options *o);
int cmd_ingest(const struct options *o);
int cmd_maintain(const struct options *o);
int cmd_migrate(const struct options *o);
int cmd_restore(const struct options *o);
int cmd_retry(const struct options *o);
int cmd_simulate(const struct options *o);
int cmd_status(const struct options *o);

/* The ingester's settings from the command line (ingest and the dashboard). */
struct ingester_config;
int ingester_config_from(const struct options *o, const char *key, struct ingester_config *cfg);

/* The retention policy from the command line (maintain and the ingester). */
struct maintain_policy;
void maintain_policy_from(const struct options *o, struct maintain_policy *p);

/* The simulator's settings from the command line (simulate and demo). */
int simulate_options(const struct options *o, double default_rate, struct sim_options *so,
                     char **key, struct err *e);

#endif
