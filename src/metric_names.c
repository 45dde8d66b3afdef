#include "config.h"

#include <stdio.h>
#include <string.h>

#include "humanfmt.h"
#include "metric_names.h"

static const struct {
    const char *name;
    enum metric_kind kind;
    const char *unit;
} known[] = {
    {METRIC_EVENTS_RECEIVED, METRIC_PER_INTERVAL, "events"},
    {METRIC_EVENTS_PROCESSED, METRIC_PER_INTERVAL, "events"},
    {METRIC_EVENTS_FAILED, METRIC_PER_INTERVAL, "events"},
    {METRIC_EVENTS_REPEATED, METRIC_PER_INTERVAL, "events"},
    {METRIC_BYTES_RECEIVED, METRIC_PER_INTERVAL, "bytes"},
    {METRIC_RECONNECTS, METRIC_PER_INTERVAL, "reconnects"},
    {METRIC_TIMEPOINT_GAPS, METRIC_PER_INTERVAL, "gaps"},
    {METRIC_QUEUE_DEPTH, METRIC_GAUGE, "events"},
    {METRIC_LAG_SECONDS, METRIC_GAUGE, "s"},
    {METRIC_INGEST_RATE, METRIC_GAUGE, "events/s"},
};

enum metric_kind metric_kind_of(const char *name, const char **unit)
{
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strcmp(name, known[i].name) == 0) {
            *unit = known[i].unit;
            return known[i].kind;
        }
    }
    *unit = NULL;
    return METRIC_UNKNOWN;
}

void metric_value_text(const char *name, double value, char *buf, size_t size)
{
    const char *unit;
    char num[HUMAN_LEN];
    metric_kind_of(name, &unit);
    if (unit && strcmp(unit, "bytes") == 0 && value >= 0 && value < 9.2e18)
        snprintf(buf, size, "%s", human_bytes((int64_t)value, num));
    else if (unit)
        snprintf(buf, size, "%s %s", human_number(value, num), unit);
    else
        snprintf(buf, size, "%s", human_number(value, num));
}

void metric_kind_text(const char *name, int64_t interval_ms, char *buf, size_t size)
{
    const char *unit;
    char d[HUMAN_LEN];
    switch (metric_kind_of(name, &unit)) {
    case METRIC_PER_INTERVAL:
        if (interval_ms >= 1000)
            snprintf(buf, size, "per %s", human_duration((interval_ms + 500) / 1000, d));
        else if (interval_ms > 0)
            snprintf(buf, size, "per %.1fs", (double)interval_ms / 1000.0);
        else
            snprintf(buf, size, "per interval");
        return;
    case METRIC_GAUGE:
        snprintf(buf, size, "now");
        return;
    case METRIC_UNKNOWN:
        break;
    }
    buf[0] = '\0';
}
