#include "config.h"

#include <string.h>

#include "rates.h"

enum field { RECEIVED, DRAINED };

static int64_t value(const struct rate_point *p, enum field f)
{
    return f == RECEIVED ? p->stored + p->buffered : p->drained;
}

/* The counter at time t, interpolated between the readings around it and
 * held flat beyond the first and the last. */
static double value_at(const struct rate_point *p, int n, int64_t t, enum field f)
{
    if (t <= p[0].at)
        return (double)value(&p[0], f);
    for (int i = 0; i + 1 < n; i++) {
        if (t < p[i + 1].at) {
            double v0 = (double)value(&p[i], f), v1 = (double)value(&p[i + 1], f);
            return v0 + (v1 - v0) * (double)(t - p[i].at) / (double)(p[i + 1].at - p[i].at);
        }
    }
    return (double)value(&p[n - 1], f);
}

/* Events per second over [start, end].  A flat stretch at the start of the
 * window is left out: when events begin after a quiet spell, the rate is
 * measured from the last reading before they began, so it is right within a
 * reading or two instead of climbing for a whole window. */
static double rate(const struct rate_point *p, int n, int64_t start, int64_t end, enum field f)
{
    double v0 = value_at(p, n, start, f), v1 = value_at(p, n, end, f);
    for (int i = 0; i < n && p[i].at < end; i++)
        if (p[i].at > start && (double)value(&p[i], f) <= v0)
            start = p[i].at;
    v0 = value_at(p, n, start, f);
    if (end - start < 1 || v1 <= v0)
        return 0.0;
    return (v1 - v0) * 1000.0 / (double)(end - start);
}

static void sort_by_time(struct rate_point *p, int n)
{
    for (int i = 1; i < n; i++) {
        struct rate_point k = p[i];
        int j = i - 1;
        for (; j >= 0 && p[j].at > k.at; j--)
            p[j + 1] = p[j];
        p[j + 1] = k;
    }
}

void rates_compute(const struct rate_point *points, int n, int64_t now, struct rates_now *out)
{
    struct rate_point p[RATE_POINTS];
    memset(out, 0, sizeof *out);
    n = n > RATE_POINTS ? RATE_POINTS : n;
    if (n <= 0)
        return;
    memcpy(p, points, (size_t)n * sizeof *p);
    sort_by_time(p, n);
    const struct rate_point *newest = &p[n - 1];
    out->known = true;
    out->buffered_known = now - newest->at <= RATE_BUFFERED_MS;
    out->buffered = out->buffered_known ? newest->buffered : 0;
    /* A fresh writer has counted everything up to its newest reading; a
     * stale one has counted nothing since, which is what the reader's clock
     * then measures. */
    int64_t end = now - newest->at <= RATE_FRESH_MS ? newest->at : now;
    int64_t start = end - RATE_WINDOW_MS;
    if (start < p[0].at)
        start = p[0].at;
    out->received = rate(p, n, start, end, RECEIVED);
    out->drained = rate(p, n, start, end, DRAINED);
}
