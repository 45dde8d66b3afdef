/* api_metrics — the Prometheus text exposition of one snapshot (GET
 * /metrics): `streamtop_` names, HELP and TYPE for each family, counters
 * ending _total, gauges for state, and the newest system_metrics rows. */
#ifndef STREAMTOP_API_METRICS_H
#define STREAMTOP_API_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include "sbuf.h"
#include "snapshot.h"

/* What the HTTP server itself counts, by status class. */
struct api_counters {
    int64_t requests[6];            /* [status / 100]: 1xx..5xx; [0] unused */
    int64_t rate_limited;
    int64_t unauthorized;
};

/* The families read from a snapshot (rendered once per snapshot), then
 * the server's own counters (per request); /metrics is the one followed
 * by the other. */
int api_metrics_snapshot_text(const struct snapshot *s, bool healthy, struct sbuf *out);
int api_metrics_server_text(const struct api_counters *c, struct sbuf *out);

#endif
