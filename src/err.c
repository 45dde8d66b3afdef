#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

void err_set(struct err *e, const char *fmt, ...)
{
    va_list ap;
    if (!e)
        return;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
}

void err_wrap(struct err *e, const char *fmt, ...)
{
    char prefix[512];
    char joined[sizeof prefix + sizeof e->msg + 8];
    va_list ap;
    if (!e)
        return;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    snprintf(joined, sizeof joined, "%s: %s", prefix, e->msg);
    snprintf(e->msg, sizeof e->msg, "%.*s", (int)sizeof e->msg - 1, joined);
}
