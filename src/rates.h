/* rates — what is happening now, from the ingester's counters.
 *
 * The ingester keeps a short ring of counter readings in the database
 * (stream_rate_points): about one a second while its counters move, for a
 * few seconds after they stop, and one with every idle commit.  Any reader,
 * in any process, turns the ring into rates by differencing two readings,
 * so the dashboard and a one-shot `status` say the same thing and neither
 * waits for a five-second metric sample.
 *
 * The rate now is the average over the last RATE_WINDOW_MS, ending at the
 * newest reading while the writer is fresh, or at the reader's clock when
 * it is not (the stream went quiet, or the ingester stopped), so it falls
 * to zero within seconds instead of keeping its last value. */
#ifndef STREAMTOP_RATES_H
#define STREAMTOP_RATES_H

#include <stdbool.h>
#include <stdint.h>

#define RATE_POINTS 16           /* the ring's length: one slot per second */
#define RATE_POINT_MS 1000       /* the writer takes a reading at most this often */
#define RATE_WINDOW_MS 3000      /* "now" is the average over this */
#define RATE_FRESH_MS 2500       /* a newer reading is due by now if counters move */
#define RATE_BUFFERED_MS 12000   /* the buffered count is believed for this long */

struct rate_point {
    int64_t at;                  /* Unix ms */
    int64_t stored;              /* events stored (stream_state.events_received) */
    int64_t drained;             /* events applied or failed */
    int64_t buffered;            /* messages received, not yet stored */
};

struct rates_now {
    bool known;                  /* there were readings at all */
    double received;             /* events arriving per second: stored + buffered */
    double drained;              /* events applied or failed per second */
    bool buffered_known;         /* the newest reading is recent enough */
    int64_t buffered;
};

/* Rates at now (Unix ms) from up to RATE_POINTS readings in any order. */
void rates_compute(const struct rate_point *points, int n, int64_t now, struct rates_now *out);

#endif
