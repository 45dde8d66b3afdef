/* webhook — what a webhook delivery is, apart from sending it: the events
 * worth waking someone for, Standard Webhooks secrets and signatures
 * (HMAC-SHA256 from libcrypto), and the retry schedule.
 *
 * A delivery carries `webhook-id` (stable across retries, for the receiver
 * to deduplicate), `webhook-timestamp` (Unix seconds) and
 * `webhook-signature`: "v1," + base64 of HMAC-SHA256 over
 * "id.timestamp.body", keyed by the base64-decoded part of the secret
 * after "whsec_". */
#ifndef STREAMTOP_WEBHOOK_H
#define STREAMTOP_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum webhook_event {
    WH_DISCONNECTED,          /* not connected for longer than the threshold */
    WH_RECONNECTED,           /* connected again after that */
    WH_TIMEPOINT_GAP,         /* timepoint jumps, counted over a window */
    WH_INGESTER_STOPPED,      /* a clean stop */
    WH_FATAL_ERROR,           /* the ingester stopped on an error */
    WH_FAILURES,              /* failures outstanding crossed the threshold */
    WH_BACKUP_FAILED,         /* `streamtop backup` made no verified backup */
    WH_TEST,                  /* `webhooks test` */
    WH_EVENT_COUNT,
};

#define WEBHOOK_SECRET_PREFIX "whsec_"
#define WEBHOOK_SECRET_LEN 64         /* the generated ones: whsec_ + base64 of 32 bytes */
#define WEBHOOK_SIGNATURE_LEN 64      /* "v1," + base64 of 32 bytes, and room */
#define WEBHOOK_MAX_ATTEMPTS 14       /* at the default backoff, about a day */

const char *webhook_event_name(enum webhook_event ev);

/* "disconnected,reconnected" or "all" -> a mask of (1 << event); the
 * test event is always delivered by `webhooks test` and not listed. */
int webhook_parse_events(const char *list, unsigned *mask, struct err *e);
void webhook_events_json(unsigned mask, char *buf, size_t size);
unsigned webhook_events_from_json(const char *json);

int webhook_secret_generate(char out[WEBHOOK_SECRET_LEN + 1], struct err *e);
/* Whether text is whsec_ + base64 of 24 to 64 bytes. */
int webhook_secret_check(const char *text, struct err *e);

/* "v1,<base64>" for the message; -1 when the secret is not one. */
int webhook_sign(const char *secret, const char *msg_id, int64_t timestamp, const char *body,
                 size_t len, char out[WEBHOOK_SIGNATURE_LEN], struct err *e);

/* A new message id: "msg_" + 32 hex digits. */
int webhook_msg_id(char out[40], struct err *e);

/* The wait before attempt number attempts + 1 (attempts >= 1 failed so
 * far): base_ms doubling each time up to 480 times base_ms, and a random
 * spread of a quarter either way (rnd in [0, 1)). */
int64_t webhook_retry_delay_ms(int attempts, int64_t base_ms, double rnd);

#endif
