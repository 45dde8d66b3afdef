/* backoff — how long to wait before reconnecting, by what went wrong.
 *
 *   network, TLS, DNS, 5xx, a stalled or closed stream:
 *       capped exponential backoff with full jitter: a random delay in
 *       [BACKOFF_FLOOR_MS, min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2^failures)],
 *       but never less than a Retry-After the server sent (503)
 *   429: the server's Retry-After; without one, at least a minute
 *   401: the key was rejected; retrying soon cannot help, so minutes
 *        (BACKOFF_AUTH_MS doubling to BACKOFF_AUTH_CAP_MS), with jitter
 *   416: the resume point is too old; reconnect from now at once
 *   a commit the database refused for now (busy, full): the writer tries
 *        again after BACKOFF_COMMIT_BASE_MS doubling to BACKOFF_COMMIT_CAP_MS,
 *        without jitter, as it is the database's only writer
 *
 * The server drops every connection after a day and overnight, so a drop
 * is normal life: a connection that delivered events resets the count. */
#ifndef STREAMTOP_BACKOFF_H
#define STREAMTOP_BACKOFF_H

#include <stdint.h>

#define BACKOFF_FLOOR_MS 250
#define BACKOFF_BASE_MS 1000
#define BACKOFF_CAP_MS 60000
#define BACKOFF_RATE_LIMIT_MS 60000
#define BACKOFF_AUTH_MS 120000
#define BACKOFF_AUTH_CAP_MS 1800000
#define BACKOFF_COMMIT_BASE_MS 50
#define BACKOFF_COMMIT_CAP_MS 5000

enum backoff_reason {
    BACKOFF_NETWORK,        /* reset, DNS, TLS, refused, timed out */
    BACKOFF_SERVER_ERROR,   /* 5xx */
    BACKOFF_CLOSED,         /* the server ended the response */
    BACKOFF_STALLED,        /* nothing, not even a heartbeat, for --stall-timeout */
    BACKOFF_RATE_LIMITED,   /* 429 */
    BACKOFF_UNAUTHORISED,   /* 401 */
    BACKOFF_TOO_OLD,        /* 416 */
    BACKOFF_REFUSED,        /* any other status: a configuration problem */
    BACKOFF_COMMIT,         /* the writer's commit failed for a transient reason */
};

struct backoff {
    unsigned failures;      /* consecutive attempts without progress */
    uint64_t rng;
};

void backoff_init(struct backoff *b, uint64_t seed);

/* The delay before the next attempt.  retry_after_s < 0 when the server
 * sent none. */
int64_t backoff_delay_ms(struct backoff *b, enum backoff_reason why, double retry_after_s);

/* A connection made progress: the next failure starts from the bottom. */
void backoff_reset(struct backoff *b);

#endif
