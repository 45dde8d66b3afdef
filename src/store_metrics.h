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

/* ---- retention (maintain.h) ----
 *
 * Samples older than the raw window are rolled up into one row per name,
 * tag set and hour: recorded_at is the hour's start, metric_value its
 * mean, and the tags are the samples' own plus "resolution": "1h" and the
 * hour's "count", "min", "max", "mean" and "last".  A raw sample's tags
 * never carry "resolution"; that is how the two are told apart. */

#define METRICS_HOUR_MS 3600000LL

/* The time of the first sample recorded in [from, before), raw samples
 * only or any; *found says whether there is one. */
int store_metrics_next_at(struct db *db, int64_t from, int64_t before, bool raw_only,
                          int64_t *at, bool *found, struct err *e);

/* Deletes every sample, of either resolution, recorded in [from, before). */
int store_metrics_expire(struct db *db, int64_t from, int64_t before, int *deleted,
                         struct err *e);

/* Replaces the raw samples of the hour starting at hour_start with their
 * hourly rows: *raw says how many samples went, *rows how many rows came.
 * A series that has an hourly row there already (its samples came late)
 * keeps one: the row and the samples are merged into it. */
int store_metrics_roll_up_hour(struct db *db, int64_t hour_start, int *raw, int *rows,
                               struct err *e);

#endif
