#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_key.h"
#include "api_routes.h"
#include "commands.h"
#include "health.h"
#include "retry.h"
#include "store_events.h"
#include "store_queue.h"
#include "textsafe.h"
#include "timeutil.h"

#define FAILURES_DEFAULT_LIMIT 50
#define FAILURES_MAX_LIMIT (SNAP_FAILURE_ROWS - 1)   /* one more is read to know if there are more */
#define EVENTS_PREFIX "/v1/events/"
#define RETRY_MAX_IDS 10000

static int set_body(struct api_response *res, int status, const char *type, char *body)
{
    if (!body)
        return -1;
    res->status = status;
    res->content_type = type;
    res->body = body;
    res->len = strlen(body);
    return 0;
}

int api_error(struct api_response *res, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *clean = textsafe_utf8_dup(msg, strlen(msg));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", clean ? clean : "error");
    free(clean);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return set_body(res, status, "application/json", text);
}

static int json_body(struct api_response *res, int status, cJSON *o)
{
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return set_body(res, status, "application/json", text);
}

static void add_text(cJSON *o, const char *key, const char *text, size_t len)
{
    char *clean = text && len ? textsafe_utf8_dup(text, len) : NULL;
    cJSON_AddItemToObject(o, key, clean ? cJSON_CreateString(clean) : cJSON_CreateNull());
    free(clean);
}

static void add_time(cJSON *o, const char *key, int64_t ms)
{
    char buf[ISO_TIME_LEN];
    if (ms)
        cJSON_AddStringToObject(o, key, time_format_iso(ms, buf));
    else
        cJSON_AddNullToObject(o, key);
}

/* A snapshot with the failures window asked for (/v1/failures). */
static int take(struct api_state *st, const char *filter, const struct failure_window *w,
                struct snapshot **out, struct err *e)
{
    struct snapshot_request req = {.stream_type = STREAM_TYPE, .failure_filter = filter,
                                   .failures = *w};
    if (!(*out = malloc(sizeof **out)))
        return err_set(e, "out of memory"), -1;
    if (snapshot_fill(st->reader, &req, *out, e) < 0) {
        free(*out);
        return -1;
    }
    return 0;
}

/* ---- GET /metrics, /healthz, /v1/status ---- */

static void forget_answers(struct api_state *st)
{
    free(st->snap);
    free(st->metrics_text);
    free(st->healthz_text);
    cJSON_free(st->status_json);
    strlist_free(&st->problems);
    st->snap = NULL;
    st->metrics_text = st->healthz_text = st->status_json = NULL;
}

void api_state_free(struct api_state *st)
{
    forget_answers(st);
}

static bool fresh(int64_t at)
{
    return at && time_mono_ms() - at < API_SNAPSHOT_MAX_AGE_MS;
}

/* The whole-database snapshot, taken as `status` takes it and judged by
 * its health rules, again once it is a second old: what /metrics,
 * /healthz and /v1/status all answer from. */
static const struct snapshot *judged(struct api_state *st, struct err *e)
{
    struct snapshot_request req;
    if (st->snap && fresh(st->snap_at))
        return st->snap;
    forget_answers(st);
    if (!(st->snap = malloc(sizeof *st->snap)))
        return err_set(e, "out of memory"), NULL;
    status_snapshot_request(st->backup_dir, st->backup_max_age_ms, &req);
    if (snapshot_fill(st->reader, &req, st->snap, e) < 0) {
        forget_answers(st);
        return NULL;
    }
    st->healthy = health_judge(st->snap, &st->problems);
    st->snap_at = time_mono_ms();
    return st->snap;
}

static char *metrics_text(const struct api_state *st)
{
    struct sbuf out = {0};
    if (api_metrics_snapshot_text(st->snap, st->healthy, &out) < 0 || sbuf_append(&out, "", 1) < 0) {
        sbuf_free(&out);
        return NULL;
    }
    return out.data;
}

static char *healthz_text(const struct api_state *st)
{
    struct sbuf out = {0};
    int rc = sbuf_appendf(&out, "%s\n", st->healthy ? "ok" : "unhealthy");
    for (size_t i = 0; rc == 0 && i < st->problems.count; i++) {
        char safe[512];
        textsafe_str(safe, sizeof safe, st->problems.items[i], TEXTSAFE_UTF8);
        rc = sbuf_appendf(&out, "%s\n", safe);
    }
    if (rc < 0 || sbuf_append(&out, "", 1) < 0) {
        sbuf_free(&out);
        return NULL;
    }
    return out.data;
}

static int route_metrics(struct api_state *st, const struct api_request *req, struct api_response *res)
{
    struct err e;
    struct sbuf out = {0};
    (void)req;
    if (!judged(st, &e))
        return api_error(res, 503, "%s", e.msg);
    if (!st->metrics_text && !(st->metrics_text = metrics_text(st)))
        return -1;
    /* The server's counters change with every request; the rest is the
     * snapshot's and rendered once. */
    if (sbuf_append(&out, st->metrics_text, strlen(st->metrics_text)) < 0 ||
        api_metrics_server_text(&st->counters, &out) < 0 || sbuf_append(&out, "", 1) < 0) {
        sbuf_free(&out);
        return -1;
    }
    return set_body(res, 200, "text/plain; version=0.0.4; charset=utf-8", out.data);
}

static int route_healthz(struct api_state *st, const struct api_request *req, struct api_response *res)
{
    struct err e;
    (void)req;
    if (!judged(st, &e))
        return api_error(res, 503, "%s", e.msg);
    if (!st->healthz_text && !(st->healthz_text = healthz_text(st)))
        return -1;
    return set_body(res, st->healthy ? 200 : 503, "text/plain; charset=utf-8", strdup(st->healthz_text));
}

static int route_status(struct api_state *st, const struct api_request *req, struct api_response *res)
{
    struct err e;
    (void)req;
    if (!judged(st, &e))
        return api_error(res, 503, "%s", e.msg);
    if (!st->status_json && status_json(st->reader, st->db_path, st->snap, &st->status_json, &e) < 0)
        return api_error(res, 503, "%s", e.msg);
    return set_body(res, 200, "application/json", strdup(st->status_json));
}

/* ---- GET /v1/failures ---- */

static int parse_positive(const char *text, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < 1 || v > max || text[0] == '+' || text[0] == ' ')
        return -1;
    *out = v;
    return 0;
}

static cJSON *failure_json(const struct failure_row *r)
{
    cJSON *row = cJSON_CreateObject();
    cJSON_AddNumberToObject(row, "id", (double)r->id);
    add_text(row, "event_id", r->event_id, strlen(r->event_id));
    add_time(row, "received_at", r->received_at);
    add_text(row, "company_number", r->company_number, strlen(r->company_number));
    add_text(row, "company_name", r->company_name, strlen(r->company_name));
    add_text(row, "error", r->error, strlen(r->error));
    if (r->attempts >= 0)
        cJSON_AddNumberToObject(row, "attempts", (double)r->attempts);
    else
        cJSON_AddNullToObject(row, "attempts");
    return row;
}

static int route_failures(struct api_state *st, const struct api_request *req, struct api_response *res)
{
    const char *filter = req->arg(req->arg_ctx, "filter");
    const char *before = req->arg(req->arg_ctx, "before");
    const char *limit_text = req->arg(req->arg_ctx, "limit");
    long long limit = FAILURES_DEFAULT_LIMIT, cursor = 0;
    if (limit_text && parse_positive(limit_text, FAILURES_MAX_LIMIT, &limit) < 0)
        return api_error(res, 400, "limit must be a whole number from 1 to %d", FAILURES_MAX_LIMIT);
    if (before && parse_positive(before, INT64_MAX, &cursor) < 0)
        return api_error(res, 400, "before must be a cursor from next_before (a positive id)");
    if (filter && strlen(filter) > 256)
        return api_error(res, 400, "filter is longer than 256 bytes");
    struct snapshot *s;
    struct err e;
    /* Keyset paging: rows with ids below the cursor, newest first, and one
     * more than asked to tell whether another page follows. */
    struct failure_window w = {.anchor_id = cursor ? cursor - 1 : 0, .rows = (int)limit + 1};
    cJSON *o = cJSON_CreateObject(), *rows = cJSON_AddArrayToObject(o, "failures");
    if (cursor != 1) {
        if (take(st, filter && *filter ? filter : NULL, &w, &s, &e) < 0) {
            cJSON_Delete(o);
            return api_error(res, 503, "%s", e.msg);
        }
        if (!s->failures.available) {
            cJSON_Delete(o);
            int rc = api_error(res, 503, "failures unavailable: %s", s->failures.why_unavailable);
            free(s);
            return rc;
        }
        int n = s->failures.nrows < limit ? s->failures.nrows : (int)limit;
        for (int i = 0; i < n; i++)
            cJSON_AddItemToArray(rows, failure_json(&s->failures.rows[i]));
        cJSON_AddNumberToObject(o, "count", (double)s->failures.count);
        cJSON_AddNumberToObject(o, "matching", (double)s->failures.matching);
        if (s->failures.nrows > limit)
            cJSON_AddNumberToObject(o, "next_before", (double)s->failures.rows[n - 1].id);
        else
            cJSON_AddNullToObject(o, "next_before");
        free(s);
    } else {
        cJSON_AddNullToObject(o, "next_before");
    }
    return json_body(res, 200, o);
}

/* ---- GET /v1/events/{event_id} ---- */

static cJSON *queue_json(struct db *db, int64_t log_id)
{
    struct queue_entry q;
    struct err e;
    if (store_queue_entry(db, log_id, &q, &e) < 0 || !q.found)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    add_text(o, "status", q.status, strlen(q.status));
    cJSON_AddNumberToObject(o, "attempts", (double)q.attempts);
    if (q.priority >= 0)
        cJSON_AddNumberToObject(o, "priority", (double)q.priority);
    else
        cJSON_AddNullToObject(o, "priority");
    add_time(o, "created_at", q.created_at);
    add_time(o, "updated_at", q.updated_at);
    add_time(o, "last_attempt_at", q.last_attempt_at);
    add_text(o, "worker_id", q.worker_id, strlen(q.worker_id));
    return o;
}

static cJSON *detail_json(struct db *db, int64_t id, const struct event_detail *d)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)id);
    add_text(o, "event_id", d->event_id, strlen(d->event_id));
    add_text(o, "event_type", d->event_type, strlen(d->event_type));
    add_text(o, "company_number", d->company_number, strlen(d->company_number));
    add_text(o, "status", d->status, strlen(d->status));
    add_time(o, "received_at", d->received_at);
    add_time(o, "processed_at", d->processed_at);
    add_text(o, "error", d->error, strlen(d->error));
    cJSON_AddItemToObject(o, "queue", queue_json(db, id));
    cJSON *event = cJSON_ParseWithLength(d->data, d->len);
    cJSON_AddItemToObject(o, "event", event ? event : cJSON_CreateNull());
    add_text(o, "raw", d->data, d->len);
    return o;
}

static bool valid_event_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > EVENT_ID_LEN + 63)
        return false;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        if (*p < 0x20 || *p == 0x7f || *p == '/')
            return false;
    return true;
}

static int route_event(struct api_state *st, const struct api_request *req, struct api_response *res)
{
    const char *id = req->path + strlen(EVENTS_PREFIX);
    struct db *db = snapshot_reader_db(st->reader);
    struct event_detail d;
    struct err e;
    bool found = false, reopened;
    int64_t log_id = 0;
    char status[16];
    if (!valid_event_id(id))
        return api_error(res, 400, "not an event id");
    if (db_refresh_view(db, &reopened, &e) < 0 || db_begin_read(db, &e) < 0)
        return api_error(res, 503, "%s", e.msg);
    int rc = store_events_find(db, id, &found, &log_id, status, &e);
    if (rc == 0 && found)
        rc = store_events_load_detail(db, log_id, &d, &e);
    if (rc < 0) {
        db_rollback(db);
        return api_error(res, 503, "%s", e.msg);
    }
    if (!found) {
        db_rollback(db);
        return api_error(res, 404, "no event %s", id);
    }
    cJSON *o = detail_json(db, log_id, &d);
    db_rollback(db);
    store_events_detail_free(&d);
    return json_body(res, 200, o);
}

/* ---- POST /v1/retry ---- */

struct retry_body {
    const char **ids;
    size_t n;
    bool all_failed, dry_run;
    const char *error_like;
};

/* Reads the body's fields into b (pointing into json); NULL or a reason. */
static const char *parse_retry(const cJSON *json, struct retry_body *b)
{
    const cJSON *item;
    if (!cJSON_IsObject(json))
        return "the body must be a JSON object";
    cJSON_ArrayForEach(item, json) {
        const char *k = item->string;
        if (strcmp(k, "event_ids") == 0) {
            if (!cJSON_IsArray(item) || cJSON_GetArraySize(item) == 0)
                return "event_ids must be a non-empty array of event ids";
            if (cJSON_GetArraySize(item) > RETRY_MAX_IDS)
                return "event_ids holds more than 10000 ids";
        } else if (strcmp(k, "all_failed") == 0 || strcmp(k, "dry_run") == 0) {
            if (!cJSON_IsBool(item))
                return strcmp(k, "all_failed") == 0 ? "all_failed must be true or false"
                                                    : "dry_run must be true or false";
        } else if (strcmp(k, "error_like") == 0) {
            if (!cJSON_IsString(item) || !item->valuestring[0])
                return "error_like must be a non-empty string (leave it out to retry every failure)";
        } else {
            return "unknown member (event_ids, all_failed, error_like, dry_run are known)";
        }
    }
    b->all_failed = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "all_failed"));
    b->dry_run = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(json, "dry_run"));
    item = cJSON_GetObjectItemCaseSensitive(json, "error_like");
    b->error_like = item ? item->valuestring : NULL;
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(json, "event_ids");
    if (!ids && !b->all_failed)
        return "give event_ids or all_failed: true";
    if (ids && b->all_failed)
        return "give event_ids or all_failed: true, not both";
    if (b->error_like && !b->all_failed)
        return "error_like only narrows all_failed";
    if (!ids)
        return NULL;
    b->n = (size_t)cJSON_GetArraySize(ids);
    if (!(b->ids = calloc(b->n, sizeof *b->ids)))
        return "out of memory";
    size_t i = 0;
    cJSON_ArrayForEach(item, ids) {
        if (!cJSON_IsString(item) || !item->valuestring[0])
            return "event_ids must hold non-empty strings";
        b->ids[i++] = item->valuestring;
    }
    return NULL;
}

static cJSON *list_json(const struct strlist *l)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < l->count; i++) {
        char *clean = textsafe_utf8_dup(l->items[i], strlen(l->items[i]));
        cJSON_AddItemToArray(a, clean ? cJSON_CreateString(clean) : cJSON_CreateNull());
        free(clean);
    }
    return a;
}

static int retry_answer(struct api_response *res, const struct retry_body *b,
                        const struct retry_result *r)
{
    char msg[160];
    cJSON *o = cJSON_CreateObject();
    if (r->unknown.count > 0) {
        cJSON_AddStringToObject(o, "error", "unknown event ids; nothing was retried");
        cJSON_AddItemToObject(o, "unknown", list_json(&r->unknown));
        return json_body(res, 404, o);
    }
    if (b->dry_run)
        snprintf(msg, sizeof msg, "would retry %zu failed event%s (dry run: nothing changed)",
                 r->retried, r->retried == 1 ? "" : "s");
    else
        snprintf(msg, sizeof msg, "retried %zu failed event%s: pending at priority %d for the ingester",
                 r->retried, r->retried == 1 ? "" : "s", QUEUE_RETRY_PRIORITY);
    cJSON_AddNumberToObject(o, "retried", (double)r->retried);
    cJSON_AddBoolToObject(o, "dry_run", b->dry_run);
    cJSON_AddItemToObject(o, "not_failed", list_json(&r->not_failed));
    cJSON_AddStringToObject(o, "message", msg);
    return json_body(res, 200, o);
}

static int route_retry(struct api_state *st, const struct api_request *req, struct api_response *res)
{
    struct retry_body b = {0};
    cJSON *json = cJSON_ParseWithLength(req->body, req->body_len);
    const char *bad = json ? parse_retry(json, &b) : "the body is not valid JSON";
    if (bad) {
        free(b.ids);
        cJSON_Delete(json);
        return api_error(res, 400, "%s", bad);
    }
    struct retry_request rq = {
        .event_ids = b.ids, .event_count = b.n, .all_failed = b.all_failed,
        .error_like = b.error_like, .dry_run = b.dry_run,
    };
    struct retry_result r;
    struct err e;
    pthread_mutex_lock(st->writer_lock);
    int rc = retry_run(st->writer, &rq, &r, &e);
    pthread_mutex_unlock(st->writer_lock);
    if (rc < 0)
        rc = api_error(res, 503, "%s", e.msg);
    else
        rc = retry_answer(res, &b, &r), retry_result_free(&r);
    free(b.ids);
    cJSON_Delete(json);
    return rc;
}

/* ---- the table ---- */

typedef int (*route_fn)(struct api_state *, const struct api_request *, struct api_response *);

static const struct route {
    const char *path;
    bool prefix;
    const char *method;
    unsigned perm;
    route_fn fn;
} routes[] = {
    {"/metrics", false, "GET", API_PERM_READ, route_metrics},
    {"/healthz", false, "GET", API_PERM_READ, route_healthz},
    {"/v1/status", false, "GET", API_PERM_READ, route_status},
    {"/v1/failures", false, "GET", API_PERM_READ, route_failures},
    {EVENTS_PREFIX, true, "GET", API_PERM_READ, route_event},
    {"/v1/retry", false, "POST", API_PERM_WRITE, route_retry},
};

static bool path_matches(const struct route *r, const char *path)
{
    if (r->prefix)
        return strncmp(path, r->path, strlen(r->path)) == 0 && path[strlen(r->path)];
    return strcmp(path, r->path) == 0;
}

int api_route(struct api_state *st, const struct api_request *req, struct api_response *res)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const struct route *r = &routes[i];
        if (!path_matches(r, req->path))
            continue;
        /* HEAD is GET without the body; the server drops it. */
        bool head = strcmp(req->method, "HEAD") == 0 && strcmp(r->method, "GET") == 0;
        if (strcmp(req->method, r->method) != 0 && !head) {
            res->allow = strcmp(r->method, "GET") == 0 ? "GET, HEAD" : r->method;
            return api_error(res, 405, "%s takes %s", r->path, r->method);
        }
        if ((req->perms & r->perm) != r->perm)
            return api_error(res, 403, "this key may not %s", r->perm == API_PERM_WRITE ? "write" : "read");
        return r->fn(st, req, res);
    }
    return api_error(res, 404, "no such path");
}
