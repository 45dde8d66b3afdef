#include "config.h"

#include "backoff.h"

void backoff_init(struct backoff *b, uint64_t seed)
{
    b->failures = 0;
    b->rng = seed;
}

void backoff_reset(struct backoff *b)
{
    b->failures = 0;
}

static uint64_t next_random(struct backoff *b)
{
    b->rng += 0x9E3779B97F4A7C15ULL;
    uint64_t x = b->rng;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/* A random value in [lo, hi]. */
static int64_t between(struct backoff *b, int64_t lo, int64_t hi)
{
    return hi <= lo ? lo : lo + (int64_t)(next_random(b) % (uint64_t)(hi - lo + 1));
}

/* base * 2^failures, capped, without overflowing. */
static int64_t doubled(int64_t base, unsigned failures, int64_t cap)
{
    int64_t v = base;
    for (unsigned i = 0; i < failures && v < cap; i++)
        v *= 2;
    return v < cap ? v : cap;
}

int64_t backoff_delay_ms(struct backoff *b, enum backoff_reason why, double retry_after_s)
{
    int64_t retry_after = retry_after_s >= 0 ? (int64_t)(retry_after_s * 1000) : -1;
    unsigned n = b->failures++;
    switch (why) {
    case BACKOFF_TOO_OLD:
        return BACKOFF_FLOOR_MS;
    case BACKOFF_COMMIT:
        return doubled(BACKOFF_COMMIT_BASE_MS, n, BACKOFF_COMMIT_CAP_MS);
    case BACKOFF_RATE_LIMITED:
        if (retry_after >= 0)
            return retry_after + between(b, 0, retry_after / 10);
        return BACKOFF_RATE_LIMIT_MS + between(b, 0, doubled(BACKOFF_BASE_MS, n, BACKOFF_CAP_MS));
    case BACKOFF_UNAUTHORISED:
    case BACKOFF_REFUSED: {
        int64_t d = doubled(BACKOFF_AUTH_MS, n, BACKOFF_AUTH_CAP_MS);
        return d + between(b, 0, d / 4);
    }
    case BACKOFF_NETWORK:
    case BACKOFF_SERVER_ERROR:
    case BACKOFF_CLOSED:
    case BACKOFF_STALLED:
        break;
    }
    int64_t d = between(b, BACKOFF_FLOOR_MS, doubled(BACKOFF_BASE_MS, n, BACKOFF_CAP_MS));
    return retry_after > d ? retry_after : d;
}
