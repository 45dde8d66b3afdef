/* store_api — all SQL on api_keys (the seed's table) and api_access_log
 * (migration 14): the HTTP API's keys and its record of requests. */
#ifndef STREAMTOP_STORE_API_H
#define STREAMTOP_STORE_API_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "err.h"
#include "readings.h"

struct api_key_row {
    char id[40];
    char name[256];
    char key_hash[72];
    char permissions[128];          /* as stored: a JSON array */
    int64_t rate_limit_per_hour;    /* <= 0: none */
    int64_t created_at, last_used_at;   /* Unix ms; 0: never */
    bool active;
};

int store_api_key_insert(struct db *db, const struct api_key_row *k, struct err *e);

/* Every key, oldest first: fn is called for each. */
typedef int (*api_key_fn)(void *ctx, const struct api_key_row *k);
int store_api_keys_each(struct db *db, api_key_fn fn, void *ctx, struct err *e);

/* Sets is_active = 0; *found says whether the id exists. */
int store_api_key_revoke(struct db *db, const char *id, bool *found, struct err *e);

/* The key whose stored hash is hash, if any. */
int store_api_key_find(struct db *db, const char *hash, struct api_key_row *k, bool *found,
                       struct err *e);

/* Active keys whose hash has the shape of a real digest (not the seed's
 * placeholder): whether any client could authenticate at all. */
int store_api_keys_usable(struct db *db, int64_t *n, struct err *e);

int store_api_key_touch(struct db *db, const char *id, int64_t at_ms, struct err *e);

struct api_access {
    int64_t at;                     /* Unix ms */
    char key_id[40];                /* "" when none authenticated */
    char method[16];
    char path[256];
    int status;
    int64_t duration_us;
    char client[64];
};

/* Requests since since_ms: how many, how many refused (4xx, 5xx), the
 * newest. */
int store_api_activity(struct db *db, int64_t since_ms, struct api_activity *a, struct err *e);

int store_api_log_insert(struct db *db, const struct api_access *a, struct err *e);
/* Whether the table and its time index exist (migration 14). */
bool store_api_log_readable(struct db *db);
/* Deletes at most limit rows from before before_ms, oldest first, after
 * the cursor (time, id; both 0 at first), which moves past them: a dry run,
 * whose deletions are rolled back, moves on too.  *deleted how many. */
struct api_log_cursor {
    int64_t at, id;
};
int store_api_log_expire(struct db *db, int64_t before_ms, int limit, struct api_log_cursor *cursor,
                         int *deleted, struct err *e);
/* Requests a key made since since_ms (the rate limit, after a restart). */
int store_api_log_count(struct db *db, const char *key_id, int64_t since_ms, int64_t *n,
                        struct err *e);

#endif
