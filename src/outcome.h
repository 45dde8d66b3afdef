/* outcome — how the writer counts what it stored, in one place for new
 * events (processor.c) and retried ones (reapply.c) alike: into the
 * stream's counters (a state_delta, committed with the batch) and into the
 * totals of the next metric sample. */
#ifndef STREAMTOP_OUTCOME_H
#define STREAMTOP_OUTCOME_H

#include <stdint.h>

#include "store_companies.h"
#include "store_metadata.h"

/* Counts that go into metric samples: totals since the last sample. */
struct metric_counts {
    int64_t received, processed, failed, repeated, bytes, reconnects, gaps;
};

void metric_counts_add(struct metric_counts *to, const struct metric_counts *from);

/* Counts one applied, failed, superseded or repeated event. */
void outcome_count(struct state_delta *d, struct metric_counts *c, enum apply_outcome outcome);

#endif
