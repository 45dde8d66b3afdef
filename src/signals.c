#include "config.h"

#include <signal.h>
#include <string.h>

#include "signals.h"

atomic_bool signals_stop;
static atomic_int stop_signal;
static atomic_bool hangup;

static void on_signal(int sig)
{
    if (sig == SIGHUP) {
        atomic_store(&hangup, true);
        return;
    }
    atomic_store(&stop_signal, sig);
    atomic_store(&signals_stop, true);
}

void signals_install(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int signals_stop_signal(void)
{
    return atomic_load(&stop_signal);
}

bool signals_take_hangup(void)
{
    return atomic_exchange(&hangup, false);
}
