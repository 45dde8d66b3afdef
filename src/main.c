/* streamtop: watch and steer the Companies House streaming API.
 *
 * main() parses the command line and hands over to one subcommand
 * (commands.h); everything else lives in the modules named after it. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "commands.h"
#include "db.h"

static int (*const command_table[])(const struct options *) = {
    [CMD_DASHBOARD] = cmd_dashboard,
    [CMD_DEMO] = cmd_demo,
    [CMD_INGEST] = cmd_ingest,
    [CMD_STATUS] = cmd_status,
    [CMD_RETRY] = cmd_retry,
    [CMD_MIGRATE] = cmd_migrate,
    [CMD_SIMULATE] = cmd_simulate,
    [CMD_SERVE] = cmd_serve,
    [CMD_KEYS] = cmd_keys,
    [CMD_WEBHOOKS] = cmd_webhooks,
    [CMD_MAINTAIN] = cmd_maintain,
    [CMD_BACKUP] = cmd_backup,
    [CMD_RESTORE] = cmd_restore,
    [CMD_RESOLVE] = cmd_resolve,
};

int main(int argc, char **argv)
{
    struct options o;
    struct err e;
    /* The user's locale for character handling (UTF-8 or not), but C
     * numbers, so "0.5" in a config file means the same everywhere. */
    setlocale(LC_ALL, "");
    setlocale(LC_NUMERIC, "C");
    db_library_init();
    switch (cli_parse(argc, argv, &o, &e)) {
    case CLI_DONE:
        cli_free(&o);
        return EXIT_SUCCESS;
    case CLI_USAGE_ERROR:
        fprintf(stderr, "streamtop: %s\n", e.msg);
        cli_free(&o);
        return 2;
    case CLI_RUN:
        break;
    }
    int rc = command_table[o.command](&o);
    cli_free(&o);
    return rc;
}
