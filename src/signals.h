/* signals — turns SIGINT, SIGTERM and SIGHUP into flags the main loop
 * polls, and ignores SIGPIPE (a closed socket is an error to handle, not a
 * reason to die).  Handlers only set atomic flags. */
#ifndef STREAMTOP_SIGNALS_H
#define STREAMTOP_SIGNALS_H

#include <stdatomic.h>
#include <stdbool.h>

void signals_install(void);

/* Set by SIGINT or SIGTERM; also set directly to ask for a stop. */
extern atomic_bool signals_stop;

/* Which signal asked to stop (0 if none). */
int signals_stop_signal(void);

/* True once per SIGHUP received. */
bool signals_take_hangup(void);

#endif
