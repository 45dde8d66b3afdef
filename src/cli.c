#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config_file.h"
#include "db.h"
#include "pathutil.h"
#include "stream_client.h"

#define BIT(c) (1u << (c))
#define ALL_COMMANDS (BIT(CMD_DASHBOARD) | BIT(CMD_DEMO) | BIT(CMD_INGEST) | BIT(CMD_STATUS) | \
                      BIT(CMD_RETRY) | BIT(CMD_MIGRATE) | BIT(CMD_SIMULATE) | BIT(CMD_SERVE) | \
                      BIT(CMD_KEYS) | BIT(CMD_WEBHOOKS) | \
                      BIT(CMD_MAINTAIN) | BIT(CMD_BACKUP) | BIT(CMD_RESTORE) | BIT(CMD_RESOLVE))
#define SELECT_COMMANDS (BIT(CMD_RETRY) | BIT(CMD_RESOLVE))
#define DB_COMMANDS (ALL_COMMANDS & ~BIT(CMD_SIMULATE))
#define STREAM_COMMANDS (BIT(CMD_DASHBOARD) | BIT(CMD_DEMO) | BIT(CMD_INGEST))
#define SCREEN_COMMANDS (BIT(CMD_DASHBOARD) | BIT(CMD_DEMO))
#define SIM_COMMANDS (BIT(CMD_SIMULATE) | BIT(CMD_DEMO))
#define ACTION_COMMANDS (BIT(CMD_KEYS) | BIT(CMD_WEBHOOKS))
#define INGESTING_COMMANDS (BIT(CMD_INGEST) | BIT(CMD_DASHBOARD))
#define RETENTION_COMMANDS (BIT(CMD_MAINTAIN) | BIT(CMD_DASHBOARD) | BIT(CMD_INGEST))

enum value_type {
    V_PATH,     /* a non-empty string */
    V_TEXT,     /* any string */
    V_URL,      /* http:// or https:// */
    V_SECONDS,  /* a positive number, fractions allowed, within [min, max] */
    V_LONG,     /* an integer within [min, max] */
    V_COUNT,    /* an integer >= 0 (long long) */
    V_FLAG,     /* no argument on the command line; a boolean elsewhere */
    V_EVENT,    /* appended to the event list */
    V_HELP,
    V_VERSION,
};

enum help_group {
    G_COMMON, G_STREAM, G_MODES, G_STATUS_RETRY, G_MAINTAIN, G_BACKUP, G_API, G_SIMULATE
};

struct opt_def {
    enum help_group group;
    const char *name;       /* long option, config key, STREAMTOP_<NAME> variable */
    int short_name;         /* 0 if none */
    enum value_type type;
    size_t offset;          /* field in struct options */
    double min, max;
    unsigned commands;      /* subcommands that accept it on the command line */
    bool setting;           /* may also come from the config file and environment */
    const char *arg;        /* placeholder shown in --help */
    const char *help;
};

#define OFF(field) offsetof(struct options, field)

static const struct opt_def opt_defs[] = {
    {G_STREAM, "db", 0, V_PATH, OFF(db_path), 0, 0, DB_COMMANDS, true, "PATH",
     "database file (default $XDG_DATA_HOME/streamtop/streamtop.db)"},
    {G_STREAM, "url", 0, V_URL, OFF(url), 0, 0, BIT(CMD_DASHBOARD) | BIT(CMD_INGEST), true, "URL",
     "stream endpoint (default " DEFAULT_URL ")"},
    {G_STREAM, "refresh", 0, V_SECONDS, OFF(refresh_s), 0.1, 3600, SCREEN_COMMANDS, true, "SECONDS",
     "dashboard refresh interval, fractions allowed (default 1)"},
    {G_STREAM, "stall-timeout", 0, V_SECONDS, OFF(stall_timeout_s), 1, 86400, STREAM_COMMANDS, true, "SECONDS",
     "drop a connection silent this long, not even a heartbeat (default 90)"},
    {G_STREAM, "stream-key-file", 0, V_PATH, OFF(stream_key_file), 0, 0,
     BIT(CMD_DASHBOARD) | BIT(CMD_INGEST) | BIT(CMD_SIMULATE), true, "PATH",
     "file holding the stream key, readable by its owner only"},
    {G_STREAM, "ca-file", 0, V_PATH, OFF(ca_file), 0, 0, BIT(CMD_DASHBOARD) | BIT(CMD_INGEST), true,
     "PATH", "verify the server against these CA certificates (PEM), not the system's"},
    {G_STREAM, "log-file", 0, V_PATH, OFF(log_file), 0, 0, STREAM_COMMANDS | BIT(CMD_SIMULATE), true, "PATH",
     "append logs here instead of stderr"},
    {G_STREAM, "no-color", 0, V_FLAG, OFF(no_color), 0, 0, SCREEN_COMMANDS, true, NULL,
     "draw without colours (also NO_COLOR)"},
    {G_COMMON, "config", 0, V_PATH, OFF(config_path), 0, 0, ALL_COMMANDS, false, "PATH",
     "config file (default $XDG_CONFIG_HOME/streamtop/config)"},
    {G_STREAM, "max-line-bytes", 0, V_LONG, OFF(max_line_bytes), 1024, 256L * 1024 * 1024, STREAM_COMMANDS,
     true, "N", "longest stream line kept whole (default 1048576)"},
    {G_STREAM, "batch-events", 0, V_LONG, OFF(batch_events), 1, 100000, STREAM_COMMANDS, true, "N",
     "commit stored events after this many (default 1000)"},
    {G_STREAM, "batch-ms", 0, V_LONG, OFF(batch_ms), 1, 60000, STREAM_COMMANDS, true, "MS",
     "or after this many milliseconds, whichever comes first (default 200)"},
    {G_STREAM, "litestream", 0, V_FLAG, OFF(litestream), 0, 0, BIT(CMD_DASHBOARD) | BIT(CMD_INGEST),
     true, NULL, "leave WAL checkpoints to Litestream, which replicates the database"},
    {G_MODES, "read-only", 0, V_FLAG, OFF(read_only), 0, 0, BIT(CMD_DASHBOARD), false, NULL,
     "watch only: the database is opened read-only and never written"},
    {G_MODES, "no-ingest", 0, V_FLAG, OFF(no_ingest), 0, 0, BIT(CMD_DASHBOARD), false, NULL,
     "dashboard and retries against a database another process ingests"},
    {G_STATUS_RETRY, "json", 0, V_FLAG, OFF(json), 0, 0, BIT(CMD_STATUS), false, NULL,
     "status: print the snapshot as JSON"},
    {G_STATUS_RETRY, "event", 0, V_EVENT, 0, 0, 0, SELECT_COMMANDS, false, "ID...",
     "retry, resolve: these event ids"},
    {G_STATUS_RETRY, "all-failed", 0, V_FLAG, OFF(all_failed), 0, 0, SELECT_COMMANDS, false, NULL,
     "retry, resolve: every failed event not yet resolved"},
    {G_STATUS_RETRY, "error-like", 0, V_TEXT, OFF(error_like), 0, 0, SELECT_COMMANDS, false,
     "TEXT", "retry, resolve: only failures whose error contains TEXT"},
    {G_STATUS_RETRY, "dry-run", 0, V_FLAG, OFF(dry_run), 0, 0,
     SELECT_COMMANDS | BIT(CMD_MAINTAIN), false, NULL,
     "retry, resolve, maintain: say what would be done, change nothing"},
    {G_MAINTAIN, "vacuum", 0, V_FLAG, OFF(vacuum), 0, 0, BIT(CMD_MAINTAIN), false, NULL,
     "maintain: then compact the file (refused while an ingester runs)"},
    {G_MAINTAIN, "maintain-every", 0, V_SECONDS, OFF(maintain_every_s), 1, 7 * 86400.0,
     STREAM_COMMANDS, true, "SECONDS", "the ingester's retention pass, this often (default 3600)"},
    {G_MAINTAIN, "keep-metrics-raw", 0, V_LONG, OFF(keep_metrics_raw_h), 1, 720, RETENTION_COMMANDS,
     true, "HOURS", "raw metric samples, then hourly roll-ups (default 48)"},
    {G_MAINTAIN, "keep-events", 0, V_LONG, OFF(keep_events_d), 1, 36500, RETENTION_COMMANDS, true,
     "DAYS", "processed events kept this long (default 30)"},
    {G_BACKUP, "to", 0, V_PATH, OFF(backup_dir), 0, 0, BIT(CMD_BACKUP), false, "DIR",
     "backup: the directory to write it in (default: the backup-dir setting)"},
    {G_BACKUP, "backup-dir", 0, V_PATH, OFF(backup_dir), 0, 0,
     BIT(CMD_BACKUP) | BIT(CMD_STATUS) | BIT(CMD_DASHBOARD) | BIT(CMD_SERVE) | BIT(CMD_INGEST), true,
     "DIR", "where backups go; status and the HTTP API judge the newest one there"},
    {G_BACKUP, "verify", 0, V_PATH, OFF(verify_file), 0, 0, BIT(CMD_BACKUP), false, "FILE",
     "backup: check FILE against its manifest instead"},
    {G_BACKUP, "from", 0, V_PATH, OFF(from_file), 0, 0, BIT(CMD_RESTORE), false, "FILE",
     "restore: the backup to put in place of --db"},
    {G_BACKUP, "force", 0, V_FLAG, OFF(force), 0, 0, BIT(CMD_RESTORE), false, NULL,
     "restore: even over a database an ingester holds"},
    {G_BACKUP, "backup-keep-daily", 0, V_LONG, OFF(backup_keep_daily), 1, 3650, BIT(CMD_BACKUP), true,
     "N", "backup: keep the newest backup of this many days (default 7)"},
    {G_BACKUP, "backup-keep-weekly", 0, V_LONG, OFF(backup_keep_weekly), 0, 520, BIT(CMD_BACKUP), true,
     "N", "backup: and of this many weeks (default 4)"},
    {G_BACKUP, "backup-max-age", 0, V_SECONDS, OFF(backup_max_age_h), 1, 8760,
     BIT(CMD_STATUS) | BIT(CMD_DASHBOARD) | BIT(CMD_SERVE) | BIT(CMD_INGEST), true,
     "HOURS", "status, the HTTP API: unhealthy when the newest backup is older (default 26)"},
    {G_API, "listen", 0, V_TEXT, OFF(listen), 0, 0, BIT(CMD_SERVE) | BIT(CMD_INGEST) | BIT(CMD_DASHBOARD),
     false, "ADDR:PORT", "serve the HTTP API here (serve's default 127.0.0.1:8080)"},
    {G_API, "permissions", 0, V_TEXT, OFF(permissions), 0, 0, BIT(CMD_KEYS), false, "LIST",
     "keys create: read, write, admin, comma-separated"},
    {G_API, "rate-limit", 0, V_LONG, OFF(rate_limit), 0, 100000000, BIT(CMD_KEYS), false, "N",
     "keys create: requests per hour, 0 for none (default 1000)"},
    {G_API, "events", 0, V_TEXT, OFF(events), 0, 0, BIT(CMD_WEBHOOKS), false, "LIST",
     "webhooks add: events to send, comma-separated (see streamtop(1)), or all"},
    {G_API, "secret-file", 0, V_PATH, OFF(secret_file), 0, 0, BIT(CMD_WEBHOOKS), false, "PATH",
     "webhooks add: the signing secret (whsec_...) from this file"},
    {G_API, "webhook-disconnect-after", 0, V_SECONDS, OFF(webhook_disconnect_after_s), 1, 86400 * 7,
     INGESTING_COMMANDS, true, "SECONDS", "webhooks: disconnected after this long (default 300)"},
    {G_API, "webhook-failures", 0, V_LONG, OFF(webhook_failures), 1, 1000000000L, INGESTING_COMMANDS,
     true, "N", "webhooks: failures outstanding worth a message (default 100)"},
    {G_API, "webhook-window", 0, V_SECONDS, OFF(webhook_window_s), 0.1, 86400, INGESTING_COMMANDS,
     true, "SECONDS", "webhooks: at most one timepoint_gap message per window (default 60)"},
    {G_API, "webhook-backoff", 0, V_SECONDS, OFF(webhook_backoff_s), 0.01, 3600, INGESTING_COMMANDS,
     true, "SECONDS", "webhooks: the first retry's wait, doubling (default 30)"},
    {G_SIMULATE, "port", 0, V_LONG, OFF(port), 0, 65535, BIT(CMD_SIMULATE), false, "N",
     "simulate: loopback port, 0 picks a free one (default 0)"},
    {G_SIMULATE, "rate", 0, V_SECONDS, OFF(rate), 0.001, 1e7, SIM_COMMANDS, false, "EV_PER_S",
     "simulate: events per second (default 20; demo 40)"},
    {G_SIMULATE, "count", 0, V_COUNT, OFF(count), 0, 0, SIM_COMMANDS, false, "N",
     "simulate: stop after N events (default: never)"},
    {G_SIMULATE, "faults", 0, V_TEXT, OFF(faults), 0, 0, SIM_COMMANDS, false, "SPEC",
     "simulate: faults to inject, see streamtop(1)"},
    {G_SIMULATE, "replay", 0, V_PATH, OFF(replay), 0, 0, SIM_COMMANDS, false, "FILE.jsonl",
     "simulate: serve these events instead of generated ones"},
    {G_SIMULATE, "heartbeat", 0, V_SECONDS, OFF(heartbeat_s), 0.05, 3600, SIM_COMMANDS, false, "SECONDS",
     "simulate: heartbeat interval while idle (default 30)"},
    {G_COMMON, "help", 'h', V_HELP, 0, 0, 0, ALL_COMMANDS, false, NULL, "show this help and exit"},
    {G_COMMON, "version", 'V', V_VERSION, 0, 0, 0, ALL_COMMANDS, false, NULL, "show the version and exit"},
};

#define OPT_COUNT (sizeof opt_defs / sizeof opt_defs[0])

static const char *const command_names[] = {
    [CMD_DASHBOARD] = "dashboard", [CMD_DEMO] = "demo",     [CMD_INGEST] = "ingest",
    [CMD_STATUS] = "status",       [CMD_RETRY] = "retry",   [CMD_MIGRATE] = "migrate",
    [CMD_SIMULATE] = "simulate",   [CMD_SERVE] = "serve",   [CMD_KEYS] = "keys",
    [CMD_WEBHOOKS] = "webhooks",   [CMD_MAINTAIN] = "maintain", [CMD_BACKUP] = "backup",
    [CMD_RESTORE] = "restore",     [CMD_RESOLVE] = "resolve",
};

const char *cli_command_name(enum command c)
{
    return command_names[c];
}

static void *field(struct options *o, const struct opt_def *d)
{
    return (char *)o + d->offset;
}

static int parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = {"1", "yes", "true", "on"};
    static const char *const no[] = {"0", "no", "false", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return *out = true, 0;
        if (strcasecmp(v, no[i]) == 0)
            return *out = false, 0;
    }
    return -1;
}

static int set_string(char **slot, const char *value)
{
    char *copy = strdup(value);
    if (!copy)
        return -1;
    free(*slot);
    *slot = copy;
    return 0;
}

static int apply_number(struct options *o, const struct opt_def *d, const char *value,
                        const char *where, struct err *e)
{
    char *end;
    errno = 0;
    if (d->type == V_SECONDS) {
        double v = strtod(value, &end);
        if (errno || end == value || *end || !isfinite(v)) {
            err_set(e, "%s: '%s' is not a number", where, value);
            return -1;
        }
        if (v < d->min || v > d->max) {
            err_set(e, "%s: %s is out of range (%g to %g)", where, value, d->min, d->max);
            return -1;
        }
        *(double *)field(o, d) = v;
        return 0;
    }
    long long v = strtoll(value, &end, 10);
    if (errno || end == value || *end) {
        err_set(e, "%s: '%s' is not a whole number", where, value);
        return -1;
    }
    if (d->type == V_COUNT) {
        if (v < 0) {
            err_set(e, "%s: %s must not be negative", where, value);
            return -1;
        }
        *(long long *)field(o, d) = v;
        return 0;
    }
    if (v < (long long)d->min || v > (long long)d->max) {
        err_set(e, "%s: %s is out of range (%.0f to %.0f)", where, value, d->min, d->max);
        return -1;
    }
    *(long *)field(o, d) = (long)v;
    return 0;
}

static int append_event(struct options *o, const char *id, const char *where, struct err *e)
{
    if (*id == '\0') {
        err_set(e, "%s: an event id must not be empty", where);
        return -1;
    }
    for (size_t i = 0; i < o->event_count; i++)
        if (strcmp(o->event_ids[i], id) == 0)
            return 0;   /* named twice, acted on once */
    char **grown = realloc(o->event_ids, (o->event_count + 1) * sizeof *grown);
    if (!grown || !(grown[o->event_count] = strdup(id))) {
        if (grown)
            o->event_ids = grown;
        err_set(e, "out of memory");
        return -1;
    }
    o->event_ids = grown;
    o->event_count++;
    return 0;
}

/* Sets one option from text.  `where` names its source for error messages. */
static int apply_value(struct options *o, const struct opt_def *d, const char *value,
                       const char *where, struct err *e)
{
    switch (d->type) {
    case V_PATH:
        if (*value == '\0') {
            err_set(e, "%s: the path is empty", where);
            return -1;
        }
        /* fall through */
    case V_TEXT:
        if (set_string((char **)field(o, d), value) < 0) {
            err_set(e, "out of memory");
            return -1;
        }
        if (d->offset == OFF(db_path))
            o->db_path_given = true;
        return 0;
    case V_URL:
        if (strncasecmp(value, "http://", 7) != 0 && strncasecmp(value, "https://", 8) != 0) {
            err_set(e, "%s: '%s' is not an http:// or https:// URL", where, value);
            return -1;
        }
        if (strchr(value, '@')) {
            err_set(e, "%s: put credentials in STREAMTOP_STREAM_KEY or --stream-key-file, "
                       "not in the URL", where);
            return -1;
        }
        return set_string((char **)field(o, d), value) < 0 ? (err_set(e, "out of memory"), -1) : 0;
    case V_SECONDS:
    case V_LONG:
    case V_COUNT:
        return apply_number(o, d, value, where, e);
    case V_FLAG:
        if (parse_bool(value, (bool *)field(o, d)) < 0) {
            err_set(e, "%s: '%s' is not yes/no, true/false, on/off or 1/0", where, value);
            return -1;
        }
        return 0;
    case V_EVENT:
        return append_event(o, value, where, e);
    case V_HELP:
    case V_VERSION:
        break;
    }
    return 0;
}

static const struct opt_def *event_option(void)
{
    for (size_t i = 0; i < OPT_COUNT; i++)
        if (opt_defs[i].type == V_EVENT)
            return &opt_defs[i];
    return NULL;
}

static const struct opt_def *find_setting(const char *key)
{
    for (size_t i = 0; i < OPT_COUNT; i++)
        if (opt_defs[i].setting && strcmp(opt_defs[i].name, key) == 0)
            return &opt_defs[i];
    return NULL;
}

static int apply_config_pair(void *ctx, const char *key, const char *value, const char *where,
                             struct err *e)
{
    const struct opt_def *d = find_setting(key);
    char full[4400];
    if (!d) {
        err_set(e, "%s: unknown key '%s'", where, key);
        return -1;
    }
    snprintf(full, sizeof full, "%s: %s", where, key);
    return apply_value(ctx, d, value, full, e);
}

/* STREAMTOP_STALL_TIMEOUT for "stall-timeout". */
static void env_name(const char *key, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "STREAMTOP_");
    for (; *key && n + 1 < size; key++)
        buf[n++] = *key == '-' ? '_' : (char)toupper((unsigned char)*key);
    buf[n] = '\0';
}

static int apply_environment(struct options *o, struct err *e)
{
    for (size_t i = 0; i < OPT_COUNT; i++) {
        const struct opt_def *d = &opt_defs[i];
        char name[64], where[96];
        if (!d->setting)
            continue;
        env_name(d->name, name, sizeof name);
        const char *value = getenv(name);
        if (!value || !*value)
            continue;
        snprintf(where, sizeof where, "environment %s", name);
        if (apply_value(o, d, value, where, e) < 0)
            return -1;
    }
    /* https://no-color.org: present and not empty means no colour. */
    const char *no_color = getenv("NO_COLOR");
    if (no_color && *no_color)
        o->no_color = true;
    return 0;
}

static void set_defaults(struct options *o)
{
    memset(o, 0, sizeof *o);
    o->command = CMD_DASHBOARD;
    o->refresh_s = 1.0;
    o->stall_timeout_s = 90.0;
    o->max_line_bytes = 1024L * 1024;
    o->batch_events = 1000;
    o->batch_ms = 200;
    o->port = 0;
    o->rate = 0;            /* 0: the command's own default */
    o->count = -1;
    o->heartbeat_s = 30.0;
    o->rate_limit = 1000;
    o->webhook_disconnect_after_s = 300;
    o->webhook_failures = 100;
    o->webhook_window_s = 60;
    o->webhook_backoff_s = 30;
    o->maintain_every_s = 3600.0;
    o->keep_metrics_raw_h = 48;
    o->keep_events_d = 30;
    o->backup_keep_daily = 7;
    o->backup_keep_weekly = 4;
    o->backup_max_age_h = 26;
}

/* One option as given on the command line, kept until the config file and
 * environment have been applied beneath it. */
struct given {
    const struct opt_def *def;
    const char *value;
};

static enum cli_result usage(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum cli_result usage(struct err *e, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    err_set(e, "%s (see streamtop --help)", msg);
    return CLI_USAGE_ERROR;
}

static int lookup_command(const char *word, enum command *out)
{
    for (size_t i = 0; i < sizeof command_names / sizeof command_names[0]; i++) {
        if (i != CMD_DASHBOARD && strcmp(word, command_names[i]) == 0) {
            *out = (enum command)i;
            return 0;
        }
    }
    return -1;
}

static int load_config(struct options *o, const char *explicit_path, struct err *e)
{
    const char *env_path = getenv("STREAMTOP_CONFIG");
    char *path;
    bool required = true;
    if (explicit_path)
        path = strdup(explicit_path);
    else if (env_path && *env_path)
        path = strdup(env_path);
    else {
        path = path_xdg("XDG_CONFIG_HOME", ".config", "config");
        required = false;
    }
    if (!path)
        return 0;   /* no HOME: there is no default config file to read */
    struct stat st;
    int rc = 0;
    if (required || stat(path, &st) == 0)
        rc = config_file_read(path, apply_config_pair, o, e);
    free(o->config_path);
    o->config_path = path;
    return rc;
}

/* Collects argv into the subcommand, options in order, and event ids. */
static enum cli_result scan_argv(int argc, char **argv, struct options *o, struct given *given,
                                 size_t *ngiven, const char **config_path, struct err *e)
{
    struct option longopts[OPT_COUNT + 1];
    char shortopts[16] = "-:";
    size_t sn = 2;
    for (size_t i = 0; i < OPT_COUNT; i++) {
        bool takes_arg = opt_defs[i].type != V_FLAG && opt_defs[i].type != V_HELP &&
                         opt_defs[i].type != V_VERSION;
        longopts[i] = (struct option){opt_defs[i].name, takes_arg ? required_argument : no_argument,
                                      NULL, (int)(256 + i)};
        if (opt_defs[i].short_name)
            shortopts[sn++] = (char)opt_defs[i].short_name;
    }
    shortopts[sn] = '\0';
    longopts[OPT_COUNT] = (struct option){0, 0, 0, 0};

    bool command_seen = false, event_list_open = false, want_help = false, want_version = false;
    opterr = 0;
    optind = 0;   /* glibc: start a fresh scan */
    int c;
    while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        if (c == 1) {   /* a word that is not an option */
            if (!command_seen) {
                if (lookup_command(optarg, &o->command) < 0)
                    return usage(e, "unknown command '%s'", optarg);
                command_seen = true;
            } else if (event_list_open) {
                given[(*ngiven)++] = (struct given){event_option(), optarg};
            } else if ((BIT(o->command) & ACTION_COMMANDS) && (!o->action || !o->action_arg)) {
                if (set_string(o->action ? &o->action_arg : &o->action, optarg) < 0)
                    return usage(e, "out of memory");
            } else {
                return usage(e, "unexpected argument '%s'", optarg);
            }
            continue;
        }
        event_list_open = false;
        if (c == '?' || c == ':') {
            const char *bad = argv[optind - 1];
            if (c == '?')
                return usage(e, "unknown option '%s'", bad);
            return usage(e, "option '%s' needs a value", bad);
        }
        const struct opt_def *d = NULL;
        if (c >= 256)
            d = &opt_defs[c - 256];
        else
            for (size_t i = 0; i < OPT_COUNT; i++)
                if (opt_defs[i].short_name == c)
                    d = &opt_defs[i];
        if (d->type == V_HELP) {
            want_help = true;
            continue;
        }
        if (d->type == V_VERSION) {
            want_version = true;
            continue;
        }
        if (d->type == V_EVENT)
            event_list_open = true;
        if (strcmp(d->name, "config") == 0)
            *config_path = optarg;
        given[(*ngiven)++] = (struct given){d, d->type == V_FLAG ? "yes" : optarg};
    }
    if (want_help) {
        cli_print_help();
        return CLI_DONE;
    }
    if (want_version) {
        cli_print_version();
        return CLI_DONE;
    }
    return CLI_RUN;
}

static enum cli_result check_applicable(const struct options *o, const struct given *given,
                                        size_t ngiven, struct err *e)
{
    for (size_t i = 0; i < ngiven; i++) {
        if (!(given[i].def->commands & BIT(o->command))) {
            char opt[64];
            snprintf(opt, sizeof opt, "--%s", given[i].def->name);
            if (o->command == CMD_DASHBOARD)
                return usage(e, "option '%s' belongs to a subcommand, not the dashboard", opt);
            return usage(e, "option '%s' does not apply to '%s'", opt,
                         cli_command_name(o->command));
        }
    }
    return CLI_RUN;
}

/* keys create NAME --permissions LIST | keys list | keys revoke ID */
static enum cli_result check_keys(const struct options *o, struct err *e)
{
    const char *a = o->action ? o->action : "";
    bool takes_arg = strcmp(a, "create") == 0 || strcmp(a, "revoke") == 0;
    if (!takes_arg && strcmp(a, "list") != 0)
        return usage(e, "keys needs create NAME, list or revoke ID");
    if (takes_arg && (!o->action_arg || !*o->action_arg))
        return usage(e, "keys %s needs %s", a, strcmp(a, "create") == 0 ? "a NAME" : "an ID");
    if (!takes_arg && o->action_arg)
        return usage(e, "unexpected argument '%s'", o->action_arg);
    if (strcmp(a, "create") == 0 && !o->permissions)
        return usage(e, "keys create needs --permissions read[,write][,admin]");
    if (strcmp(a, "create") != 0 && o->permissions)
        return usage(e, "--permissions belongs to keys create");
    return CLI_RUN;
}

/* webhooks add URL --events LIST | list | remove ID | test ID */
static enum cli_result check_webhooks(const struct options *o, struct err *e)
{
    const char *a = o->action ? o->action : "";
    bool add = strcmp(a, "add") == 0;
    bool takes_arg = add || strcmp(a, "remove") == 0 || strcmp(a, "test") == 0;
    if (!takes_arg && strcmp(a, "list") != 0)
        return usage(e, "webhooks needs add URL, list, remove ID or test ID");
    if (takes_arg && (!o->action_arg || !*o->action_arg))
        return usage(e, "webhooks %s needs %s", a, add ? "a URL" : "an ID");
    if (!takes_arg && o->action_arg)
        return usage(e, "unexpected argument '%s'", o->action_arg);
    if (add && !o->events)
        return usage(e, "webhooks add needs --events LIST");
    if (!add && (o->events || o->secret_file))
        return usage(e, "--events and --secret-file belong to webhooks add");
    return CLI_RUN;
}

static enum cli_result check_combinations(struct options *o, struct err *e)
{
    if (o->read_only && o->no_ingest)
        return usage(e, "--read-only and --no-ingest cannot be combined");
    if (o->command == CMD_RETRY || o->command == CMD_RESOLVE) {
        const char *name = command_names[o->command];
        if (o->event_count == 0 && !o->all_failed)
            return usage(e, "%s needs --event ID... or --all-failed", name);
        if (o->event_count > 0 && o->all_failed)
            return usage(e, "%s takes --event or --all-failed, not both", name);
        if (o->error_like && !o->all_failed)
            return usage(e, "--error-like only narrows --all-failed");
        if (o->error_like && !o->error_like[0])
            return usage(e, "--error-like is empty: it would match every failure "
                            "(leave it out to mean that)");
    }
    if (o->ca_file && (find_setting("ca-file")->commands & BIT(o->command))) {
        struct err why;
        if (stream_client_check_ca_file(o->ca_file, &why) < 0)
            return err_set(e, "--ca-file %s: %s", o->ca_file, why.msg), CLI_USAGE_ERROR;
    }
    if (o->command == CMD_BACKUP && !o->verify_file && !o->backup_dir)
        return usage(e, "backup needs --to DIR (or the backup-dir setting), or --verify FILE");
    if (o->command == CMD_RESTORE && !o->from_file)
        return usage(e, "restore needs --from FILE");
    if (o->command == CMD_KEYS)
        return check_keys(o, e);
    if (o->command == CMD_WEBHOOKS)
        return check_webhooks(o, e);
    return CLI_RUN;
}

/* The database's directory must exist unless it is the default location:
 * a mistyped --db would otherwise start a new, empty database there,
 * resuming from "now", and split the data in two. */
static enum cli_result check_db_dir(const struct options *o, struct err *e)
{
    const char *slash = strrchr(o->db_path, '/');
    if (!o->db_path_given || !slash)
        return CLI_RUN;   /* the default location, or the current directory */
    char *dir = slash == o->db_path ? strdup("/") : strndup(o->db_path, (size_t)(slash - o->db_path));
    if (!dir)
        return usage(e, "out of memory");
    struct stat st;
    enum cli_result r = CLI_RUN;
    int found = stat(dir, &st);
    if (found < 0 && (errno == ENOENT || errno == ENOTDIR))
        r = (err_set(e, "--db: directory %s does not exist; create it first "
                        "(only the default location is created)", dir), CLI_USAGE_ERROR);
    else if (found == 0 && !S_ISDIR(st.st_mode))
        r = (err_set(e, "--db: %s is not a directory", dir), CLI_USAGE_ERROR);
    free(dir);
    return r;
}

/* A link at the database's own name is refused by db_open() too; here it
 * is a configuration error (exit 2), which a service does not restart. */
static enum cli_result check_db_link(const struct options *o, struct err *e)
{
    struct stat st;
    if (lstat(o->db_path, &st) == 0 && S_ISLNK(st.st_mode))
        return err_set(e, "--db %s: " DB_LINK_REFUSED, o->db_path), CLI_USAGE_ERROR;
    return CLI_RUN;
}

/* The demo ignores the default location for a temporary directory. */
static bool opens_db(const struct options *o)
{
    return o->db_path && o->command != CMD_SIMULATE && (o->command != CMD_DEMO || o->db_path_given);
}

enum cli_result cli_parse(int argc, char **argv, struct options *o, struct err *e)
{
    set_defaults(o);
    struct given *given = calloc((size_t)argc + 1, sizeof *given);
    size_t ngiven = 0;
    const char *config_path = NULL;
    if (!given) {
        err_set(e, "out of memory");
        return CLI_USAGE_ERROR;
    }
    enum cli_result r = scan_argv(argc, argv, o, given, &ngiven, &config_path, e);
    if (r == CLI_RUN)
        r = check_applicable(o, given, ngiven, e);
    if (r == CLI_RUN && (load_config(o, config_path, e) < 0 || apply_environment(o, e) < 0))
        r = CLI_USAGE_ERROR;
    for (size_t i = 0; r == CLI_RUN && i < ngiven; i++) {
        char where[80];
        snprintf(where, sizeof where, "--%s", given[i].def->name);
        if (apply_value(o, given[i].def, given[i].value, where, e) < 0)
            r = CLI_USAGE_ERROR;
    }
    free(given);
    if (r == CLI_RUN)
        r = check_combinations(o, e);
    if (r == CLI_RUN && !o->url && (o->url = strdup(DEFAULT_URL)) == NULL)
        r = usage(e, "out of memory");
    if (r == CLI_RUN && !o->db_path && o->command != CMD_SIMULATE &&
        !(o->db_path = path_xdg("XDG_DATA_HOME", ".local/share", "streamtop.db")))
        r = usage(e, "no default database location (HOME is not set): give --db PATH");
    if (r == CLI_RUN && opens_db(o))
        r = check_db_link(o, e);
    if (r == CLI_RUN && opens_db(o))
        r = check_db_dir(o, e);
    return r;
}

void cli_free(struct options *o)
{
    free(o->db_path);
    free(o->url);
    free(o->config_path);
    free(o->log_file);
    free(o->stream_key_file);
    free(o->ca_file);
    free(o->error_like);
    free(o->faults);
    free(o->replay);
    free(o->listen);
    free(o->action);
    free(o->action_arg);
    free(o->permissions);
    free(o->events);
    free(o->secret_file);
    free(o->backup_dir);
    free(o->verify_file);
    free(o->from_file);
    for (size_t i = 0; i < o->event_count; i++)
        free(o->event_ids[i]);
    free(o->event_ids);
    memset(o, 0, sizeof *o);
}

void cli_print_version(void)
{
    printf("streamtop %s\n", PACKAGE_VERSION);
    printf("built with SQLite, libcurl, cJSON and ncursesw\n");
}

static void print_group(enum help_group group, const char *title)
{
    printf("\n%s:\n", title);
    for (size_t i = 0; i < OPT_COUNT; i++) {
        const struct opt_def *d = &opt_defs[i];
        if (d->group != group)
            continue;
        char left[48];
        snprintf(left, sizeof left, "--%s%s%s", d->name, d->arg ? " " : "", d->arg ? d->arg : "");
        printf("  %-26s %s\n", left, d->help);
    }
}

void cli_print_help(void)
{
    printf("streamtop %s: watch and steer the Companies House company-profile stream\n\n",
           PACKAGE_VERSION);
    fputs("Usage:\n"
          "  streamtop [--db PATH] [--url URL] [options]   dashboard + ingester + processor\n"
          "  streamtop --read-only --db PATH [options]     dashboard only; the database is never written\n"
          "  streamtop --no-ingest --db PATH [options]     dashboard + retries; another process ingests\n"
          "  streamtop demo [options]                      everything, against the built-in simulator\n"
          "  streamtop ingest [--db PATH] [--url URL] ...  headless ingester + processor; logs to stderr\n"
          "  streamtop status --db PATH [--json]           one snapshot of the panes, then exit\n"
          "  streamtop retry --db PATH (--event ID... | --all-failed [--error-like TEXT]) [--dry-run]\n"
          "  streamtop resolve --db PATH (--event ID... | --all-failed [--error-like TEXT]) [--dry-run]\n"
          "  streamtop migrate --db PATH                   apply pending migrations and exit\n"
          "  streamtop maintain --db PATH [--dry-run] [--vacuum]  retention and upkeep, one pass\n"
          "  streamtop backup --db PATH --to DIR | --verify FILE    verified online backup, or check one\n"
          "  streamtop restore --from FILE --db PATH [--force]     verify a backup, then put it in place\n"
          "  streamtop simulate [--port N] [--rate EV_PER_S] [--count N] [--faults SPEC] [--replay FILE]\n"
          "  streamtop serve --db PATH [--listen ADDR:PORT]  HTTP API: /metrics, /healthz, /v1/...\n"
          "  streamtop keys (create NAME --permissions LIST [--rate-limit N] | list | revoke ID) --db PATH\n"
          "  streamtop webhooks (add URL --events LIST [--secret-file F] | list | remove ID | test ID) --db PATH\n"
          , stdout);
    print_group(G_COMMON, "Options for every command");
    print_group(G_STREAM, "Database, stream and screen");
    print_group(G_MODES, "Dashboard modes");
    print_group(G_STATUS_RETRY, "status, retry and resolve");
    print_group(G_API, "The HTTP API and webhooks (serve, keys, webhooks; ingest and the dashboard)");
    print_group(G_MAINTAIN, "Retention (maintain, and the ingester's own passes)");
    print_group(G_BACKUP, "backup and restore");
    print_group(G_SIMULATE, "simulate and demo");
    fputs("\nThe stream key comes from STREAMTOP_STREAM_KEY or --stream-key-file, never from the\n"
          "command line.  Settings marked as such in streamtop(1) may also be set in the config\n"
          "file (key = value) or as STREAMTOP_<KEY> variables; the command line wins over the\n"
          "environment, which wins over the config file.\n"
          "\nExit status: 0 success (status: healthy), 1 failure (status: unhealthy),\n"
          "2 bad usage or configuration.\n", stdout);
}
