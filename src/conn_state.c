#include "config.h"

#include <string.h>

#include "conn_state.h"

static const char *const names[] = {
    [CONN_DISCONNECTED] = "disconnected", [CONN_CONNECTING] = "connecting",
    [CONN_CONNECTED] = "connected",       [CONN_BACKOFF] = "backoff",
    [CONN_ERROR] = "error",
};

const char *conn_state_name(enum conn_state s)
{
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : names[CONN_DISCONNECTED];
}

enum conn_state conn_state_parse(const char *name)
{
    for (unsigned i = 0; name && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return (enum conn_state)i;
    return CONN_DISCONNECTED;
}
