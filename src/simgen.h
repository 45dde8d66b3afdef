/* simgen — realistic company-profile events for the simulator.
 *
 * Every event is a pure function of (seed, timepoint): asking for the same
 * timepoint again, after a client resumes, gives the same bytes.  Tests
 * rely on that to check that each event is stored exactly once.
 *
 * What they look like: company numbers from a pool (English and Welsh
 * eight digits, Scottish SC and Northern Irish NI prefixes), names that are
 * sometimes not ASCII, addresses, statuses, SIC codes, accounts and links;
 * about 2% deleted; about 5% repeats of a recent event with a new timepoint
 * and the same etag; published_at alternating between UK local time
 * without a zone and UTC with milliseconds and 'Z'; fields_changed present
 * on some. */
#ifndef STREAMTOP_SIMGEN_H
#define STREAMTOP_SIMGEN_H

#include <stdbool.h>
#include <stdint.h>

#include "sbuf.h"

struct simgen {
    uint64_t seed;
    int64_t first_timepoint;
    int64_t start_ms;           /* published_at of the first event */
    double rate;                /* events per second, for published_at */
    unsigned gap_every;         /* 0, or skip every Nth timepoint (a gap) */
    unsigned hostile_every;     /* 0, or every Nth name carries escape sequences */
};

void simgen_init(struct simgen *g, uint64_t seed, int64_t first_timepoint, int64_t start_ms,
                 double rate);

/* Whether the stream has an event at tp (gaps have none). */
bool simgen_exists(const struct simgen *g, int64_t tp);

/* The next timepoint after tp that exists. */
int64_t simgen_next(const struct simgen *g, int64_t tp);

/* Appends the event at tp, with its newline. */
int simgen_event(const struct simgen *g, int64_t tp, struct sbuf *out);

/* Appends the k-th kind of line that is not a valid event (bad JSON, no
 * timepoint, unknown type, not an object, stray bytes), with its newline.
 * after_tp makes each one distinct. */
int simgen_garbage(const struct simgen *g, int64_t after_tp, unsigned k, struct sbuf *out);

/* The number of distinct garbage kinds simgen_garbage cycles through. */
#define SIMGEN_GARBAGE_KINDS 5

#endif
