/* cli — the command line contract (DESIGN.md section 2).
 *
 * Parses argv into struct options.  Settings are merged from, lowest first:
 * built-in defaults, the config file, the environment (STREAMTOP_<KEY>, and
 * NO_COLOR), then the command line.  Every problem is reported as one line
 * naming the option, variable or file line, and is a usage error (exit 2). */
#ifndef STREAMTOP_CLI_H
#define STREAMTOP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum command {
    CMD_DASHBOARD,   /* no subcommand: live, --read-only or --no-ingest */
    CMD_DEMO,
    CMD_INGEST,
    CMD_STATUS,
    CMD_RETRY,
    CMD_MIGRATE,
    CMD_SIMULATE,
    CMD_SERVE,
    CMD_KEYS,
    CMD_WEBHOOKS,
    CMD_MAINTAIN,
    CMD_BACKUP,
    CMD_RESTORE,
    CMD_RESOLVE,
};

#define DEFAULT_URL "https://stream.companieshouse.gov.uk/companies"

struct options {
    enum command command;

    /* common */
    char *db_path;
    bool db_path_given;        /* --db, config or environment rather than the default */
    char *url;
    double refresh_s;
    double stall_timeout_s;
    char *config_path;
    char *log_file;
    bool no_color;
    char *stream_key_file;
    char *ca_file;             /* CA bundle to verify the server with, instead of the system's */

    /* ingest tuning */
    long max_line_bytes;
    long batch_events;
    long batch_ms;
    bool litestream;           /* leave checkpoints to Litestream */

    /* dashboard modes */
    bool read_only;
    bool no_ingest;

    /* status */
    bool json;

    /* retry */
    char **event_ids;
    size_t event_count;
    bool all_failed;
    char *error_like;
    bool dry_run;

    /* the HTTP API: serve, and ingest or the live dashboard beside it */
    char *listen;              /* ADDR:PORT; NULL: serve's default, none elsewhere */

    /* keys: an action and its argument (create NAME, revoke ID) */
    char *action;
    char *action_arg;
    char *permissions;
    long rate_limit;           /* per hour; 0: none */

    /* webhooks: add URL, remove ID, test ID; and the ingester's notifier */
    char *events;
    char *secret_file;
    double webhook_disconnect_after_s;
    long webhook_failures;
    double webhook_window_s;
    double webhook_backoff_s;
    /* retention: maintain, and the ingester's own passes */
    bool vacuum;
    double maintain_every_s;
    long keep_metrics_raw_h;
    long keep_events_d;

    /* backup and restore */
    char *backup_dir;          /* --to, or the backup-dir setting */
    char *verify_file;
    char *from_file;
    bool force;
    long backup_keep_daily;
    long backup_keep_weekly;
    double backup_max_age_h;   /* status: unhealthy when the newest backup is older */

    /* simulate (and demo) */
    long port;
    double rate;
    long long count;           /* -1: unlimited */
    char *faults;
    char *replay;
    double heartbeat_s;
};

enum cli_result {
    CLI_RUN,          /* options are complete: run the command */
    CLI_DONE,         /* --help or --version was printed: exit 0 */
    CLI_USAGE_ERROR,  /* e says what is wrong: exit 2 */
};

enum cli_result cli_parse(int argc, char **argv, struct options *o, struct err *e);
void cli_free(struct options *o);

const char *cli_command_name(enum command c);
void cli_print_help(void);
void cli_print_version(void);

#endif
