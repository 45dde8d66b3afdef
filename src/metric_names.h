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

#endif
