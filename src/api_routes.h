/* api_routes — what each HTTP API path answers, apart from HTTP itself.
 *
 * The server (api_server.c) authenticates, rate-limits and reads bodies;
 * api_route() finds the route (404, 405), checks the key's permission
 * (403) and produces the answer.  Reads go through the server's snapshot
 * reader (the dashboard's code); only a retry takes the writer. */
#ifndef STREAMTOP_API_ROUTES_H
#define STREAMTOP_API_ROUTES_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "api_metrics.h"
#include "db.h"
#include "snapshot.h"
#include "strlist.h"

#define API_MAX_BODY (1024 * 1024)

/* /metrics, /healthz and /v1/status answer from one shared snapshot at
 * most this old, each answer rendered once per snapshot, so fifty clients
 * polling cost the database one snapshot a second rather than fifty, and
 * the server little more than a copy per request. */
#define API_SNAPSHOT_MAX_AGE_MS 1000

struct api_state {
    const char *db_path;
    const char *backup_dir;             /* NULL: none configured */
    int64_t backup_max_age_ms;
    struct snapshot_reader *reader;     /* used on the request thread only */
    struct db *writer;                  /* under writer_lock */
    pthread_mutex_t *writer_lock;
    struct api_counters counters;       /* request thread only */

    /* the latest whole-database snapshot and the answers rendered from it
     * (NULL until asked for), request thread only */
    struct snapshot *snap;
    int64_t snap_at;                    /* monotonic ms; 0: none */
    bool healthy;                       /* snap judged by status's rules */
    struct strlist problems;
    char *metrics_text;                 /* its families, without the server's counters */
    char *healthz_text;
    char *status_json;
};

/* Frees the cached answers. */
void api_state_free(struct api_state *st);

struct api_request {
    const char *method;
    const char *path;                   /* percent-decoded, without the query */
    const char *(*arg)(void *ctx, const char *name);   /* a query argument or NULL */
    void *arg_ctx;
    const char *body;
    size_t body_len;
    unsigned perms;                     /* API_PERM_* of the authenticated key */
};

struct api_response {
    int status;
    const char *content_type;
    char *body;                         /* malloc'd */
    size_t len;
    const char *allow;                  /* for 405 */
};

/* Fills res; returns -1 only when out of memory. */
int api_route(struct api_state *st, const struct api_request *req, struct api_response *res);

/* res becomes {"error": message} with status. */
int api_error(struct api_response *res, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
