/* commands — one entry point per subcommand; each returns the process's
 * exit status (DESIGN.md section 2). */
#ifndef STREAMTOP_COMMANDS_H
#define STREAMTOP_COMMANDS_H

#include "cli.h"

/* The stream streamtop ingests; stream_metadata and stream_state rows are
 * keyed by it. */
#define STREAM_TYPE "company-profile"

int cmd_migrate(const struct options *o);
int cmd_status(const struct options *o);

/* Subcommands listed in --help whose implementation is still to come. */
int cmd_not_implemented(const struct options *o);

#endif
