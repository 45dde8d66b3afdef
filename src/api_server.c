#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#include "api_key.h"
#include "api_routes.h"
#include "api_server.h"
#include "log.h"
#include "store_api.h"
#include "textsafe.h"
#include "timeutil.h"

#define FLUSH_MS 1000
#define MAX_PENDING_LOG 20000          /* rows held between flushes; beyond, dropped and counted */
#define MAX_BEARER 256
#define RATE_BUCKETS 60                /* the hour, by minute */
#define REQUEST_NICE 10                /* the request thread's, above the writer's 0 */

/* ---- listening address ---- */

int api_listen_parse(const char *text, struct api_listen *out, struct err *e)
{
    char host[128];
    const char *colon = strrchr(text, ':');
    const char *h = text;
    size_t hlen = colon ? (size_t)(colon - text) : 0;
    if (hlen > 1 && text[0] == '[' && text[hlen - 1] == ']')
        h++, hlen -= 2;
    if (!colon || hlen == 0 || hlen >= sizeof host || !colon[1])
        return err_set(e, "--listen: '%s' is not ADDR:PORT (e.g. 127.0.0.1:8080, [::1]:8080)", text), -1;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE};
    struct addrinfo *ai;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535 || getaddrinfo(host, colon + 1, &hints, &ai) != 0)
        return err_set(e, "--listen: '%s' is not a numeric address and port", text), -1;
    memset(out, 0, sizeof *out);
    memcpy(&out->addr, ai->ai_addr, ai->ai_addrlen);
    out->len = ai->ai_addrlen;
    freeaddrinfo(ai);
    if (out->addr.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&out->addr;
        out->loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&out->addr;
        out->loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
    }
    return 0;
}

int api_exposure_check(struct db *db, const struct api_listen *l, struct err *e)
{
    int64_t usable;
    if (l->loopback)
        return 0;
    if (store_api_keys_usable(db, &usable, e) < 0)
        return -1;
    if (usable == 0)
        return err_set(e, "--listen: refusing a non-loopback address while no active API key "
                          "exists; create one with `streamtop keys create`"), -1;
    return 0;
}

/* ---- state ---- */

struct rate_entry {
    char key_id[40];
    int64_t minute[RATE_BUCKETS];      /* which minute each bucket counts */
    int64_t count[RATE_BUCKETS];
};

struct api_server {
    struct MHD_Daemon *daemon;
    char address[80];
    struct api_state state;
    pthread_mutex_t writer_lock;
    struct db *writer;

    /* request thread only */
    struct rate_entry *rates;
    size_t nrates;
    bool lowered;                      /* its priority, on its first request */

    /* shared with the log thread, under lock */
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stopping;
    struct api_access *pending;
    size_t npending;
    int64_t dropped;
    pthread_t log_thread;
};

struct request {
    int64_t started_us;
    char key_id[40];
    char method[16];
    char path[256];
    unsigned perms;
    bool answered, too_large;
    int status;
    struct sbuf body;
};

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- answering ---- */

static enum MHD_Result answer(struct api_server *s, struct MHD_Connection *c, struct request *r,
                            struct api_response *res, long retry_after)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(res->len, res->body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(res->body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, res->content_type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (res->allow)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, res->allow);
    if (res->status == 401)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"streamtop\"");
    if (retry_after > 0) {
        char v[24];
        snprintf(v, sizeof v, "%ld", retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, v);
    }
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)res->status, resp);
    MHD_destroy_response(resp);
    r->answered = true;
    r->status = res->status;
    s->state.counters.requests[res->status / 100 % 6]++;
    return rc;
}

static enum MHD_Result send_error(struct api_server *s, struct MHD_Connection *c, struct request *r,
                                  int status, long retry_after, const char *msg)
{
    struct api_response res = {0};
    if (api_error(&res, status, "%s", msg) < 0)
        return MHD_NO;
    return answer(s, c, r, &res, retry_after);
}

/* ---- authentication and rate limits ---- */

static const char *bearer(struct MHD_Connection *c)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    if (!h || strncasecmp(h, "Bearer ", 7) != 0)
        return NULL;
    h += 7;
    while (*h == ' ')
        h++;
    return *h && strlen(h) <= MAX_BEARER ? h : NULL;
}

/* 0 when the key is good (r->key_id, r->perms set); else the message. */
static const char *authenticate(struct api_server *s, struct MHD_Connection *c, struct request *r,
                                struct api_key_row *k, bool *db_failed)
{
    char hash[API_KEY_HASH_LEN + 1];
    struct err e;
    bool found = false;
    const char *key = bearer(c);
    *db_failed = false;
    if (!key)
        return "send Authorization: Bearer KEY";
    if (api_key_hash(key, strlen(key), hash, &e) < 0 ||
        store_api_key_find(snapshot_reader_db(s->state.reader), hash, k, &found, &e) < 0) {
        *db_failed = true;
        return "the key could not be checked";
    }
    /* The lookup finds the row by its hash; the comparison that decides is
     * constant-time, and a placeholder hash never compares equal. */
    if (!found || !api_key_hash_equal(k->key_hash, hash))
        return "unknown API key";
    if (!k->active)
        return "this API key is revoked";
    snprintf(r->key_id, sizeof r->key_id, "%s", k->id);
    r->perms = api_key_permissions_from_json(k->permissions);
    return NULL;
}

static struct rate_entry *rate_entry(struct api_server *s, const char *key_id, int64_t minute)
{
    for (size_t i = 0; i < s->nrates; i++)
        if (strcmp(s->rates[i].key_id, key_id) == 0)
            return &s->rates[i];
    struct rate_entry *grown = realloc(s->rates, (s->nrates + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    s->rates = grown;
    struct rate_entry *r = &s->rates[s->nrates++];
    memset(r, 0, sizeof *r);
    snprintf(r->key_id, sizeof r->key_id, "%s", key_id);
    /* A restart does not reset the hour: the last hour's requests in the
     * log count as made this minute, which errs on the strict side.  If
     * the log cannot be read, the hour starts empty rather than refusing. */
    struct err e;
    int64_t before = 0;
    if (store_api_log_count(snapshot_reader_db(s->state.reader), key_id,
                            time_now_ms() - 3600 * 1000, &before, &e) < 0)
        log_kv(LOG_WARN, "api_rate_seed_failed", "error", e.msg, NULL);
    r->minute[minute % RATE_BUCKETS] = minute;
    r->count[minute % RATE_BUCKETS] = before;
    return r;
}

/* Counts a request against the key's hour; returns the seconds to wait
 * (Retry-After) when it is over its limit, 0 when it may go ahead. */
static long rate_check(struct api_server *s, const struct api_key_row *k)
{
    if (k->rate_limit_per_hour <= 0)
        return 0;
    int64_t now_s = time_now_ms() / 1000, minute = now_s / 60;
    struct rate_entry *r = rate_entry(s, k->id, minute);
    if (!r)
        return 0;
    int64_t used = 0, oldest = minute;
    for (int i = 0; i < RATE_BUCKETS; i++) {
        if (r->minute[i] > minute - RATE_BUCKETS && r->count[i] > 0) {
            used += r->count[i];
            if (r->minute[i] < oldest)
                oldest = r->minute[i];
        }
    }
    if (used >= k->rate_limit_per_hour)
        return (long)((oldest + RATE_BUCKETS) * 60 - now_s);
    int b = (int)(minute % RATE_BUCKETS);
    if (r->minute[b] != minute)
        r->minute[b] = minute, r->count[b] = 0;
    r->count[b]++;
    return 0;
}

/* ---- the request handler ---- */

/* Monitoring must not slow ingestion: the thread that answers requests
 * runs below the writer's CPU priority (Linux keeps a nice value per
 * thread).  The access log thread keeps the process's: it holds the write
 * lock while it writes, and a holder kept off the CPU would make the
 * writer wait behind it. */
static void lower_priority(struct api_server *s)
{
    if (s->lowered)
        return;
    s->lowered = true;
    pthread_setname_np(pthread_self(), "api-requests");
    if (setpriority(PRIO_PROCESS, (id_t)gettid(), REQUEST_NICE) < 0)
        log_kv(LOG_WARN, "api_priority_unchanged", "error", strerror(errno), NULL);
}

/* libmicrohttpd's decoding, except that %00 becomes a control character
 * the routes refuse, instead of silently cutting the text short. */
static size_t unescape(void *cls, struct MHD_Connection *c, char *uri)
{
    (void)cls;
    (void)c;
    for (char *p = uri; (p = strstr(p, "%00")) != NULL; p += 3)
        p[2] = '1';
    return MHD_http_unescape(uri);
}

static const char *query_arg(void *ctx, const char *name)
{
    return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static bool body_too_large(struct MHD_Connection *c)
{
    const char *len = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    return len && strtoull(len, NULL, 10) > API_MAX_BODY;
}

/* The first call: who is asking, and may they. */
static enum MHD_Result admit(struct api_server *s, struct MHD_Connection *c, struct request *r)
{
    struct api_key_row k;
    bool db_failed;
    const char *why = authenticate(s, c, r, &k, &db_failed);
    if (why) {
        if (!db_failed)
            s->state.counters.unauthorized++;
        return send_error(s, c, r, db_failed ? 503 : 401, 0, why);
    }
    long wait = rate_check(s, &k);
    if (wait > 0) {
        s->state.counters.rate_limited++;
        return send_error(s, c, r, 429, wait, "this key's hourly request limit is used up");
    }
    if (body_too_large(c))
        return send_error(s, c, r, 413, 0, "the request body is over 1 MiB");
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls)
{
    struct api_server *s = cls;
    struct request *r = *req_cls;
    (void)version;
    if (!r) {
        lower_priority(s);
        if (!(r = calloc(1, sizeof *r)))
            return MHD_NO;
        r->started_us = now_us();
        snprintf(r->method, sizeof r->method, "%s", method);
        textsafe_str(r->path, sizeof r->path, url, TEXTSAFE_ASCII);
        *req_cls = r;
        return admit(s, c, r);
    }
    if (r->answered) {
        *upload_size = 0;
        return MHD_YES;
    }
    if (*upload_size) {
        if (r->body.len + *upload_size > API_MAX_BODY)
            r->too_large = true;
        else if (sbuf_append(&r->body, upload, *upload_size) < 0)
            return MHD_NO;
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->too_large)
        return send_error(s, c, r, 413, 0, "the request body is over 1 MiB");
    struct api_request req = {
        .method = method, .path = url, .arg = query_arg, .arg_ctx = c,
        .body = r->body.data ? r->body.data : "", .body_len = r->body.len, .perms = r->perms,
    };
    struct api_response res = {0};
    if (api_route(&s->state, &req, &res) < 0)
        return MHD_NO;
    return answer(s, c, r, &res, 0);
}

/* ---- the access log ---- */

static void client_address(struct MHD_Connection *c, char *buf, size_t size)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    buf[0] = '\0';
    if (ci && ci->client_addr)
        getnameinfo(ci->client_addr, ci->client_addr->sa_family == AF_INET6
                        ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in),
                    buf, (socklen_t)size, NULL, 0, NI_NUMERICHOST);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct api_server *s = cls;
    struct request *r = *req_cls;
    (void)toe;
    if (!r)
        return;
    struct api_access a = {.at = time_now_ms(), .status = r->answered ? r->status : 0,
                           .duration_us = now_us() - r->started_us};
    snprintf(a.key_id, sizeof a.key_id, "%s", r->key_id);
    snprintf(a.method, sizeof a.method, "%s", r->method);
    snprintf(a.path, sizeof a.path, "%s", r->path);
    client_address(c, a.client, sizeof a.client);
    pthread_mutex_lock(&s->lock);
    if (s->npending < MAX_PENDING_LOG)
        s->pending[s->npending++] = a;
    else
        s->dropped++;
    pthread_mutex_unlock(&s->lock);
    sbuf_free(&r->body);
    free(r);
    *req_cls = NULL;
}

/* Writes rows and each key's newest use in one transaction. */
static int write_log(struct api_server *s, const struct api_access *rows, size_t n, struct err *e)
{
    if (db_begin_write(s->writer, e) < 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (store_api_log_insert(s->writer, &rows[i], e) < 0)
            goto failed;
        bool newest = rows[i].key_id[0];
        for (size_t j = i + 1; newest && j < n; j++)
            newest = strcmp(rows[j].key_id, rows[i].key_id) != 0;
        if (newest && store_api_key_touch(s->writer, rows[i].key_id, rows[i].at, e) < 0)
            goto failed;
    }
    return db_commit(s->writer, e);
failed:
    db_rollback(s->writer);
    return -1;
}

/* Takes what accumulated and writes it; rows that cannot be written are
 * logged as lost rather than held for ever. */
static void flush_log(struct api_server *s, struct api_access *batch)
{
    struct err e;
    pthread_mutex_lock(&s->lock);
    size_t n = s->npending;
    int64_t dropped = s->dropped;
    memcpy(batch, s->pending, n * sizeof *batch);
    s->npending = 0;
    s->dropped = 0;
    pthread_mutex_unlock(&s->lock);
    if (dropped) {
        char d[24];
        snprintf(d, sizeof d, "%lld", (long long)dropped);
        log_kv(LOG_WARN, "api_log_dropped", "requests", d, NULL);
    }
    if (n == 0)
        return;
    pthread_mutex_lock(&s->writer_lock);
    int rc = write_log(s, batch, n, &e);
    pthread_mutex_unlock(&s->writer_lock);
    if (rc < 0)
        log_kv(LOG_WARN, "api_log_write_failed", "error", e.msg, NULL);
}

static void *log_thread(void *arg)
{
    struct api_server *s = arg;
    struct api_access *batch = malloc(MAX_PENDING_LOG * sizeof *batch);
    bool stopping = false;
    while (!stopping) {
        struct timespec until;
        time_mono_deadline(&until, FLUSH_MS);
        pthread_mutex_lock(&s->lock);
        if (!s->stopping)
            pthread_cond_timedwait(&s->wake, &s->lock, &until);
        stopping = s->stopping;
        pthread_mutex_unlock(&s->lock);
        if (batch)
            flush_log(s, batch);
    }
    free(batch);
    return NULL;
}

/* ---- starting and stopping ---- */

static void describe(struct api_server *s, const struct api_listen *l)
{
    char host[64] = "?";
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    getnameinfo((const struct sockaddr *)&l->addr, l->len, host, sizeof host, NULL, 0, NI_NUMERICHOST);
    snprintf(s->address, sizeof s->address, l->addr.ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u",
             host, di ? (unsigned)di->port : 0u);
}

static int open_connections(struct api_server *s, const char *db_path, struct err *e)
{
    /* The writer first: its WAL files let the reader follow other writers
     * instead of opening a frozen immutable view. */
    if (db_open(db_path, DB_READ_WRITE, &s->writer, e) < 0)
        return -1;
    if (snapshot_reader_open(db_path, &s->state.reader, e) < 0) {
        db_close(s->writer);
        s->writer = NULL;
        return -1;
    }
    s->state.db_path = db_path;
    s->state.writer = s->writer;
    s->state.writer_lock = &s->writer_lock;
    return 0;
}

static void release(struct api_server *s)
{
    api_state_free(&s->state);
    if (s->state.reader)
        snapshot_reader_close(s->state.reader);
    if (s->writer)
        db_close(s->writer);
    pthread_mutex_destroy(&s->writer_lock);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->wake);
    free(s->pending);
    free(s->rates);
    free(s);
}

int api_server_start(const struct api_config *cfg, struct api_server **out, struct err *e)
{
    const struct api_listen *l = cfg->listen;
    struct api_server *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, "out of memory"), -1;
    pthread_mutex_init(&s->writer_lock, NULL);
    pthread_mutex_init(&s->lock, NULL);
    time_mono_cond_init(&s->wake);
    if (!(s->pending = malloc(MAX_PENDING_LOG * sizeof *s->pending))) {
        release(s);
        return err_set(e, "out of memory"), -1;
    }
    if (open_connections(s, cfg->db_path, e) < 0) {
        release(s);
        return -1;
    }
    s->state.backup_dir = cfg->backup_dir;
    s->state.backup_max_age_ms = (int64_t)(cfg->backup_max_age_h * 3600000);
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | (l->addr.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
        0, NULL, NULL, on_request, s,
        MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&l->addr,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
        MHD_OPTION_CONNECTION_LIMIT, 512u,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u,
        MHD_OPTION_END);
    if (!s->daemon) {
        char host[64] = "?";
        getnameinfo((const struct sockaddr *)&l->addr, l->len, host, sizeof host, NULL, 0, NI_NUMERICHOST);
        err_set(e, "--listen: cannot listen on %s (address in use or not this host's)", host);
        release(s);
        return -1;
    }
    describe(s, l);
    if (pthread_create(&s->log_thread, NULL, log_thread, s) != 0) {
        MHD_stop_daemon(s->daemon);
        release(s);
        return err_set(e, "cannot start the access log thread"), -1;
    }
    *out = s;
    return 0;
}

const char *api_server_address(const struct api_server *s)
{
    return s->address;
}

void api_server_stop(struct api_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    pthread_join(s->log_thread, NULL);
    release(s);
}
