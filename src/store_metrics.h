/* store_metrics — all SQL on system_metrics (see metric_names.h for what
 * streamtop writes there). */
#ifndef STREAMTOP_STORE_METRICS_H
#define STREAMTOP_STORE_METRICS_H

#include <stdint.h>

#include "db.h"
#include "err.h"
#include "readings.h"

bool store_metrics_readable(struct db *db, char *why, size_t whysize);

typedef void (*metric_sample_fn)(void *ctx, int64_t at_ms, double value);

/* Calls fn for every sample of name recorded after since_ms, oldest first. */
int store_metrics_series(struct db *db, const char *name, int64_t since_ms, metric_sample_fn fn,
                         void *ctx, struct err *e);

/* The newest sample of name, if any (*found says). */
int store_metrics_latest(struct db *db, const char *name, int64_t *at_ms, double *value,
                         bool *found, struct err *e);

/* The newest value of each metric name, newest first. */
int store_metrics_recent(struct db *db, struct snap_metrics *m, struct err *e);

/* ---- writing (the ingester) ---- */

/* Appends a sample.  Its id is a version 7 UUID: time-ordered, so inserts
 * land at the end of the primary key's index. */
int store_metrics_insert(struct db *db, const char *name, double value, const char *tags,
                         int64_t recorded_at, struct err *e);

/* Deletes up to limit samples recorded before cutoff; *deleted says how
 * many (fewer than limit means none older remain). */
int store_metrics_prune(struct db *db, int64_t cutoff, int limit, int *deleted, struct err *e);

#endif
