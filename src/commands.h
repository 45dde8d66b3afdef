/* commands — one entry point per subcommand; each returns the process's
 * exit status (DESIGN.md section 2). */
#ifndef STREAMTOP_COMMANDS_H
#define STREAMTOP_COMMANDS_H

#include "cli.h"
#include "err.h"
#include "simulator.h"
#include "snapshot.h"

/* The stream streamtop ingests; stream_metadata and stream_state rows are
 * keyed by it. */
#define STREAM_TYPE "company-profile"

int cmd_backup(const struct options *o);
int cmd_dashboard(const struct options *o);
int cmd_demo(const struct options *o);
int cmd_ingest(const struct options *o);
int cmd_maintain(const struct options *o);
int cmd_migrate(const struct options *o);
int cmd_resolve(const struct options *o);
int cmd_restore(const struct options *o);
int cmd_retry(const struct options *o);

/* retry's and resolve's common part: the events --event or --all-failed
 * select, retried or resolved (or counted, with --dry-run).  An error or
 * an unknown id is printed and gives -1 (res then holds nothing). */
struct retry_result;
int selection_run(const struct options *o, bool resolve, struct retry_result *res);
int cmd_simulate(const struct options *o);
int cmd_status(const struct options *o);
int cmd_serve(const struct options *o);
int cmd_keys(const struct options *o);
int cmd_webhooks(const struct options *o);

/* The failure rows status shows. */
#define STATUS_FAILURE_ROWS 10

/* The snapshot status takes, judging the newest backup in backup_dir
 * (NULL: none configured); the HTTP API takes the same one. */
void status_snapshot_request(const char *backup_dir, int64_t backup_max_age_ms,
                             struct snapshot_request *req);

/* The JSON `status --json` prints (the HTTP API's /v1/status) for a
 * snapshot taken as status_snapshot_request() says, by reader; *json is
 * cJSON's allocation. */
int status_json(struct snapshot_reader *reader, const char *db_path, const struct snapshot *snap,
                char **json, struct err *e);

/* The ingester's settings from the command line (ingest and the dashboard). */
struct ingester_config;
int ingester_config_from(const struct options *o, const char *key, struct ingester_config *cfg);

/* --listen: the address to serve the HTTP API on (serve's default when
 * required), *wanted false when none was asked for. */
struct api_listen;
int api_listen_option(const struct options *o, bool required, struct api_listen *l, bool *wanted,
                      struct err *e);

/* The HTTP API's settings from the command line: l, and the backups
 * judged (--backup-dir, --backup-max-age). */
struct api_config;
void api_config_from(const struct options *o, const struct api_listen *l, struct api_config *cfg);

/* Starts the HTTP API on l beside a running ingester; *code is the exit
 * status to give on failure (2 for a refused address). */
struct api_server;
int api_beside_ingester(const struct options *o, const struct api_listen *l, struct api_server **out,
                        struct err *e, int *code);

/* The webhook notifier's settings from the command line. */
struct notifier_config;
void notifier_config_from(const struct options *o, struct notifier_config *cfg);
/* The retention policy from the command line (maintain and the ingester). */
struct maintain_policy;
void maintain_policy_from(const struct options *o, struct maintain_policy *p);

/* The simulator's settings from the command line (simulate and demo). */
int simulate_options(const struct options *o, double default_rate, struct sim_options *so,
                     char **key, struct err *e);

#endif
