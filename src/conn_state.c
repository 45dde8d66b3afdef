#include "config.h"

#include <string.h>

#include "conn_state.h"

/* Every spelling of a state, in one table: stream_state's, the seed's
 * connection_status (which knows only these three words) and the one the
 * Connection pane shows. */
static const struct {
    const char *name, *seed, *label;
} states[] = {
    [CONN_DISCONNECTED] = {"disconnected", "disconnected", "disconnected"},
    [CONN_CONNECTING] = {"connecting", "disconnected", "connecting"},
    [CONN_CONNECTED] = {"connected", "connected", "connected"},
    [CONN_BACKOFF] = {"backoff", "disconnected", "backing off"},
    [CONN_ERROR] = {"error", "error", "error"},
};

#define N_STATES (sizeof states / sizeof states[0])

static unsigned known(enum conn_state s)
{
    return (unsigned)s < N_STATES ? (unsigned)s : CONN_DISCONNECTED;
}

const char *conn_state_name(enum conn_state s)
{
    return states[known(s)].name;
}

const char *conn_state_seed_status(enum conn_state s)
{
    return states[known(s)].seed;
}

const char *conn_state_label(enum conn_state s)
{
    return states[known(s)].label;
}

enum conn_state conn_state_parse(const char *name)
{
    for (unsigned i = 0; name && i < N_STATES; i++)
        if (strcmp(name, states[i].name) == 0)
            return (enum conn_state)i;
    return CONN_DISCONNECTED;
}

enum conn_state conn_state_from_seed_status(const char *status)
{
    return status && strcmp(status, states[CONN_CONNECTED].seed) == 0 ? CONN_CONNECTED
                                                                      : CONN_DISCONNECTED;
}
