/* metric_names — the system_metrics rows streamtop writes, shared by the
 * writer (the ingester) and the readers (snapshot, panes).
 *
 * Counters are written as the amount in the interval that ends at
 * recorded_at (tags carry interval_ms), so restarts need no special case and
 * a rate over a window is a sum divided by the window.  Gauges are the value
 * at recorded_at. */
#ifndef STREAMTOP_METRIC_NAMES_H
#define STREAMTOP_METRIC_NAMES_H

/* counters */
#define METRIC_EVENTS_RECEIVED   "events_received"
#define METRIC_EVENTS_PROCESSED  "events_processed"
#define METRIC_EVENTS_FAILED     "events_failed"
#define METRIC_EVENTS_REPEATED   "events_repeated"
#define METRIC_BYTES_RECEIVED    "bytes_received"
#define METRIC_RECONNECTS        "reconnects"
#define METRIC_TIMEPOINT_GAPS    "timepoint_gaps"

/* gauges */
#define METRIC_QUEUE_DEPTH       "queue_depth"
#define METRIC_LAG_SECONDS       "lag_seconds"
#define METRIC_INGEST_RATE       "ingest_rate"

#include <stddef.h>
#include <stdint.h>

/* What a value of a metric means, for showing it with its unit: the amount
 * in one interval (its tags carry interval_ms), or a value at a moment. */
enum metric_kind { METRIC_UNKNOWN, METRIC_PER_INTERVAL, METRIC_GAUGE };

/* The kind and unit ("events", "bytes", "s", "events/s") of a name
 * streamtop writes; METRIC_UNKNOWN and NULL for anything else. */
enum metric_kind metric_kind_of(const char *name, const char **unit);

/* "10.4k events", "851 KiB", "0.109 s"; a name streamtop does not write
 * gets its number alone. */
void metric_value_text(const char *name, double value, char *buf, size_t size);

/* "per 5s" for an interval's amount, "now" for a gauge, "" when unknown. */
void metric_kind_text(const char *name, int64_t interval_ms, char *buf, size_t size);

#endif
