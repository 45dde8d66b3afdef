#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "backoff.h"
#include "framer.h"
#include "log.h"
#include "stream_client.h"
#include "timeutil.h"

/* Reads the file as libcurl's OpenSSL backend does (PEM_X509_INFO_read:
 * an unreadable block fails the whole file) and counts the certificates. */
static int count_pem_certificates(FILE *f, int *count)
{
    STACK_OF(X509_INFO) *infos = PEM_X509_INFO_read(f, NULL, NULL, NULL);
    *count = 0;
    ERR_clear_error();
    if (!infos)
        return -1;
    for (int i = 0; i < sk_X509_INFO_num(infos); i++)
        if (sk_X509_INFO_value(infos, i)->x509)
            (*count)++;
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
    return 0;
}

int stream_client_check_ca_file(const char *path, struct err *e)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return err_set(e, "%s", strerror(errno)), -1;
    if (S_ISDIR(st.st_mode))
        return err_set(e, "is a directory; give a file of PEM certificates"), -1;
    if (!S_ISREG(st.st_mode))
        return err_set(e, "not a regular file"), -1;
    FILE *f = fopen(path, "r");
    if (!f)
        return err_set(e, "%s", strerror(errno)), -1;
    int count;
    int rc = count_pem_certificates(f, &count);
    fclose(f);
    if (rc < 0)
        return err_set(e, "not a PEM CA bundle: OpenSSL cannot read its certificates"), -1;
    if (count == 0)
        return err_set(e, "holds no PEM certificate (-----BEGIN CERTIFICATE-----)"), -1;
    return 0;
}

#define ERROR_BODY_CAP 512
#define HEARTBEAT_MIN_GAP_MS 1000
#define CONNECT_TIMEOUT_MS 15000
#define RECEIVE_BUFFER 131072

struct stream_client {
    struct stream_client_config cfg;
    pthread_t thread;
    CURL *curl;
    char errbuf[CURL_ERROR_SIZE];
    struct framer framer;
    struct backoff backoff;
    char *endpoint;
    int64_t last_tp;              /* the newest timepoint received: the resume point */
    unsigned invalid_rank;        /* invalid lines since the last valid event */
    /* the current attempt */
    long status;
    double retry_after_s;
    bool headers_done;
    bool stalled;
    bool stopped;                 /* the channel refused a message: shutting down */
    int64_t last_data_mono;
    int64_t last_heartbeat_posted;
    bool started;                 /* the thread exists and must be joined */
    char body[ERROR_BODY_CAP];
    size_t body_len;
};

char *stream_endpoint(const char *url)
{
    const char *scheme_end = strstr(url, "://");
    const char *host = scheme_end ? scheme_end + 3 : url;
    const char *at = strchr(host, '@');
    const char *path = strpbrk(host, "/?#");
    if (at && (!path || at < path))
        host = at + 1;   /* never show credentials, should a URL carry them */
    size_t scheme_len = scheme_end ? (size_t)(scheme_end + 3 - url) : 0;
    size_t rest = strcspn(host, "?#");
    char *out = malloc(scheme_len + rest + 1);
    if (out) {
        memcpy(out, url, scheme_len);
        memcpy(out + scheme_len, host, rest);
        out[scheme_len + rest] = '\0';
    }
    return out;
}

char *stream_invalid_id(int64_t after_timepoint, unsigned rank, const char *raw, size_t len)
{
    uint32_t h = 2166136261u;   /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)raw[i]) * 16777619u;
    char *id = NULL;
    if (after_timepoint >= 0) {
        if (asprintf(&id, "invalid:%lld+%u:%08x", (long long)after_timepoint, rank, h) < 0)
            return NULL;
    } else if (asprintf(&id, "invalid:start+%u:%08x", rank, h) < 0) {
        return NULL;
    }
    return id;
}

/* Replaces every occurrence of the key in text, should a library ever
 * echo it back in an error. */
static void scrub_key(char *text, const char *key)
{
    size_t klen = key ? strlen(key) : 0;
    if (klen < 4)
        return;
    for (char *p = text; (p = strstr(p, key)) != NULL; p += 3) {
        memcpy(p, "***", 3);
        memmove(p + 3, p + klen, strlen(p + klen) + 1);
    }
}

/* ---- messages to the processor ---- */

static struct ingest_msg *new_msg(enum msg_kind kind, size_t bytes)
{
    struct ingest_msg *m = calloc(1, sizeof *m);
    if (m) {
        m->kind = kind;
        m->at = time_now_ms();
        m->bytes = bytes;
    }
    return m;
}

static int post(struct stream_client *sc, struct ingest_msg *m)
{
    if (!m)
        return -1;
    if (channel_push(sc->cfg.out, m, sc->cfg.stop) < 0) {
        ingest_msg_free(m);
        sc->stopped = true;
        return -1;
    }
    return 0;
}

static void post_connection(struct stream_client *sc, enum conn_state state, const char *error,
                            int64_t next_attempt_at, bool gap)
{
    struct ingest_msg *m = new_msg(MSG_CONNECTION, 0);
    if (!m)
        return;
    m->state = state;
    m->endpoint = strdup(sc->endpoint);
    m->error = error ? strdup(error) : NULL;
    m->next_attempt_at = next_attempt_at;
    m->reconnect = state == CONN_CONNECTING && sc->status != -1;
    m->timepoint_gap = gap;
    post(sc, m);
}

#define CUT_NOTE " bytes kept)"

bool stream_invalid_was_cut(const char *error)
{
    size_t n = strlen(error), note = strlen(CUT_NOTE);
    return n >= note && strcmp(error + n - note, CUT_NOTE) == 0;
}

static int post_invalid(struct stream_client *sc, const char *data, size_t len, size_t full_len,
                        const char *why)
{
    struct ingest_msg *m = new_msg(MSG_INVALID, full_len + 1);
    size_t keep = len < INVALID_RAW_CAP ? len : INVALID_RAW_CAP;
    if (!m)
        return -1;
    m->invalid_id = stream_invalid_id(sc->last_tp, ++sc->invalid_rank, data, len);
    m->raw = malloc(keep + 1);
    if (m->raw) {
        memcpy(m->raw, data, keep);
        m->raw[keep] = '\0';
        m->raw_len = keep;
    }
    if (keep < full_len) {
        if (asprintf(&m->error, "%s (first %zu of %zu" CUT_NOTE, why, keep, full_len) < 0)
            m->error = NULL;
    } else {
        m->error = strdup(why);
    }
    if (!m->invalid_id || !m->raw || !m->error) {
        ingest_msg_free(m);
        return -1;
    }
    return post(sc, m);
}

static int post_event(struct stream_client *sc, struct stream_event *ev, size_t bytes)
{
    struct ingest_msg *m = new_msg(MSG_EVENT, bytes);
    if (!m) {
        event_free(ev);
        return -1;
    }
    m->event = ev;
    m->gap_before = sc->last_tp >= 0 && ev->timepoint > sc->last_tp + 1;
    if (ev->timepoint > sc->last_tp) {
        sc->last_tp = ev->timepoint;
        backoff_reset(&sc->backoff);   /* this connection is doing its job */
    }
    sc->invalid_rank = 0;
    return post(sc, m);
}

static int on_frame(void *ctx, const struct framed_line *f)
{
    struct stream_client *sc = ctx;
    struct stream_event *ev;
    struct err e;
    char why[256];
    switch (f->kind) {
    case FRAME_HEARTBEAT: {
        int64_t now = time_mono_ms();
        if (now - sc->last_heartbeat_posted < HEARTBEAT_MIN_GAP_MS)
            return 0;
        sc->last_heartbeat_posted = now;
        return post(sc, new_msg(MSG_HEARTBEAT, 1));
    }
    case FRAME_OVERSIZE:
        snprintf(why, sizeof why, "line of %zu bytes is longer than the %zu-byte limit",
                 f->full_len, sc->cfg.max_line);
        return post_invalid(sc, f->data, f->len, f->full_len, why);
    case FRAME_LINE:
        break;
    }
    if (event_decode(f->data, f->len, &ev, &e) < 0) {
        snprintf(why, sizeof why, "invalid event: %.200s", e.msg);
        return post_invalid(sc, f->data, f->len, f->len, why);
    }
    return post_event(sc, ev, f->len + 1);
}

/* ---- libcurl callbacks ---- */

static double parse_retry_after(const struct curl_api *curl, const char *value)
{
    char *end;
    double secs = strtod(value, &end);
    if (end != value && (*end == '\0' || isspace((unsigned char)*end)))
        return secs >= 0 ? secs : -1;
    time_t when = curl->getdate(value, NULL);   /* an HTTP date */
    if (when == (time_t)-1)
        return -1;
    double diff = difftime(when, time(NULL));
    return diff > 0 ? diff : 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    struct stream_client *sc = ctx;
    size_t len = size * n;
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)(len < sizeof line ? len : sizeof line - 1), data);
    line[strcspn(line, "\r\n")] = '\0';
    if (strncmp(line, "HTTP/", 5) == 0) {
        const char *sp = strchr(line, ' ');
        sc->status = sp ? strtol(sp + 1, NULL, 10) : 0;
        sc->retry_after_s = -1;
        sc->headers_done = false;
    } else if (strncasecmp(line, "Retry-After:", 12) == 0) {
        const char *v = line + 12;
        while (*v == ' ')
            v++;
        sc->retry_after_s = parse_retry_after(sc->cfg.curl, v);
    } else if (line[0] == '\0' && !sc->headers_done) {
        sc->headers_done = true;
        if (sc->status == 200) {
            log_kv(LOG_INFO, "connected", "endpoint", sc->endpoint, NULL);
            post_connection(sc, CONN_CONNECTED, NULL, 0, false);
        }
    }
    sc->last_data_mono = time_mono_ms();
    return sc->stopped ? 0 : len;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    struct stream_client *sc = ctx;
    size_t len = size * n;
    sc->last_data_mono = time_mono_ms();
    if (sc->status != 200) {
        size_t room = sizeof sc->body - 1 - sc->body_len;
        size_t take = len < room ? len : room;
        memcpy(sc->body + sc->body_len, data, take);
        sc->body_len += take;
        sc->body[sc->body_len] = '\0';
        return len;
    }
    if (framer_feed(&sc->framer, data, len, on_frame, sc) < 0)
        return 0;   /* shutting down, or out of memory: ends the transfer */
    return len;
}

static int on_progress(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
    struct stream_client *sc = ctx;
    if (atomic_load(sc->cfg.stop) || sc->stopped)
        return 1;
    if (time_mono_ms() - sc->last_data_mono > (int64_t)(sc->cfg.stall_timeout_s * 1000)) {
        sc->stalled = true;
        return 1;
    }
    return 0;
}

/* ---- one attempt, and what to make of how it ended ---- */

static int configure(struct stream_client *sc)
{
    const struct curl_api *c = sc->cfg.curl;
    char agent[128];
    curl_version_info_data *v = c->version_info(CURLVERSION_NOW);
    snprintf(agent, sizeof agent, "streamtop/%s libcurl/%s", PACKAGE_VERSION, v ? v->version : "?");
    CURL *h = sc->curl;
    return (c->easy_setopt(h, CURLOPT_USERNAME, sc->cfg.key) |
            c->easy_setopt(h, CURLOPT_PASSWORD, "") |
            c->easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC) |
            c->easy_setopt(h, CURLOPT_USERAGENT, agent) |
            c->easy_setopt(h, CURLOPT_NOSIGNAL, 1L) |
            c->easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L) |
            c->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS) |
            c->easy_setopt(h, CURLOPT_BUFFERSIZE, (long)RECEIVE_BUFFER) |
            c->easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "") |
            c->easy_setopt(h, CURLOPT_ERRORBUFFER, sc->errbuf) |
            c->easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header) |
            c->easy_setopt(h, CURLOPT_HEADERDATA, sc) |
            c->easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body) |
            c->easy_setopt(h, CURLOPT_WRITEDATA, sc) |
            c->easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress) |
            c->easy_setopt(h, CURLOPT_XFERINFODATA, sc) |
            c->easy_setopt(h, CURLOPT_NOPROGRESS, 0L) |
            (sc->cfg.ca_file ? c->easy_setopt(h, CURLOPT_CAINFO, sc->cfg.ca_file) : CURLE_OK))
           == CURLE_OK ? 0 : -1;
}

static char *attempt_url(const struct stream_client *sc)
{
    char *url = NULL;
    if (sc->last_tp < 0)
        return strdup(sc->cfg.url);
    if (asprintf(&url, "%s%ctimepoint=%lld", sc->cfg.url, strchr(sc->cfg.url, '?') ? '&' : '?',
                 (long long)sc->last_tp) < 0)
        return NULL;
    return url;
}

/* A short, safe quote of an error response's body. */
static void body_excerpt(const struct stream_client *sc, char *out, size_t size)
{
    size_t n = 0;
    for (size_t i = 0; i < sc->body_len && n + 1 < size && n < 160; i++) {
        unsigned char c = (unsigned char)sc->body[i];
        out[n++] = c >= 0x20 && c < 0x7f ? (char)c : ' ';
    }
    out[n] = '\0';
}

static enum backoff_reason classify(struct stream_client *sc, CURLcode rc, char *why, size_t size,
                                    enum conn_state *state)
{
    char body[200];
    body_excerpt(sc, body, sizeof body);
    *state = CONN_BACKOFF;
    if (sc->stalled) {
        snprintf(why, size, "no data, not even a heartbeat, for %.0f s: reconnecting",
                 sc->cfg.stall_timeout_s);
        return BACKOFF_STALLED;
    }
    if (sc->status == 200) {
        snprintf(why, size, rc == CURLE_OK ? "the server ended the stream" : "connection lost: %s",
                 sc->errbuf[0] ? sc->errbuf : sc->cfg.curl->easy_strerror(rc));
        return rc == CURLE_OK ? BACKOFF_CLOSED : BACKOFF_NETWORK;
    }
    switch (sc->status) {
    case 0:
        snprintf(why, size, "cannot connect: %s",
                 sc->errbuf[0] ? sc->errbuf : sc->cfg.curl->easy_strerror(rc));
        return BACKOFF_NETWORK;
    case 401:
        *state = CONN_ERROR;
        snprintf(why, size, "stream key rejected (401 %s)", body);
        return BACKOFF_UNAUTHORISED;
    case 429:
        snprintf(why, size, "rate limited by the server (429)");
        return BACKOFF_RATE_LIMITED;
    case 416:
        snprintf(why, size, "timepoint %lld is too old for the server (416): restarted from now; "
                            "events since then may have been missed", (long long)sc->last_tp);
        return BACKOFF_TOO_OLD;
    }
    if (sc->status >= 500) {
        snprintf(why, size, "server error %ld", sc->status);
        return BACKOFF_SERVER_ERROR;
    }
    *state = CONN_ERROR;
    snprintf(why, size, "unexpected HTTP status %ld %s", sc->status, body);
    return BACKOFF_REFUSED;
}

/* Waits ms, waking early for a stop request.  Timed to the microsecond: a
 * clock read in whole milliseconds ended a Retry-After wait up to 1 ms
 * early, and a server may count that as not honoured. */
static void pause_for(struct stream_client *sc, int64_t ms)
{
    int64_t until = time_mono_us() + ms * 1000;
    int64_t left;
    while (!atomic_load(sc->cfg.stop) && (left = until - time_mono_us()) > 0) {
        struct timespec ts = {0, (left < 100000 ? left : 100000) * 1000L};
        nanosleep(&ts, NULL);
    }
}

static void run_attempt(struct stream_client *sc)
{
    char *url = attempt_url(sc);
    if (!url) {
        pause_for(sc, BACKOFF_BASE_MS);
        return;
    }
    char from[32];
    snprintf(from, sizeof from, "%lld", (long long)sc->last_tp);
    log_kv(LOG_INFO, "connecting", "endpoint", sc->endpoint, "timepoint",
           sc->last_tp >= 0 ? from : "now", NULL);
    post_connection(sc, CONN_CONNECTING, NULL, 0, false);
    sc->status = 0;
    sc->retry_after_s = -1;
    sc->headers_done = sc->stalled = false;
    sc->body_len = 0;
    sc->errbuf[0] = '\0';
    sc->last_data_mono = time_mono_ms();
    sc->cfg.curl->easy_setopt(sc->curl, CURLOPT_URL, url);
    CURLcode rc = sc->cfg.curl->easy_perform(sc->curl);
    free(url);
    framer_reset(&sc->framer);   /* a partial line comes again after the resume */
    sc->invalid_rank = 0;
    if (atomic_load(sc->cfg.stop) || sc->stopped)
        return;

    char why[512];
    enum conn_state state;
    enum backoff_reason reason = classify(sc, rc, why, sizeof why, &state);
    scrub_key(why, sc->cfg.key);
    int64_t delay = backoff_delay_ms(&sc->backoff, reason, sc->retry_after_s);
    bool gap = reason == BACKOFF_TOO_OLD;
    if (gap)
        sc->last_tp = -1;
    char wait[32];
    snprintf(wait, sizeof wait, "%lld", (long long)delay);
    log_kv(reason == BACKOFF_CLOSED ? LOG_INFO : LOG_WARN, "disconnected", "reason", why,
           "retry_in_ms", wait, NULL);
    post_connection(sc, state, why, time_now_ms() + delay, gap);
    pause_for(sc, delay);
}

static void *client_main(void *arg)
{
    struct stream_client *sc = arg;
    sc->status = -1;   /* no attempt yet: the first is not a reconnect */
    while (!atomic_load(sc->cfg.stop) && !sc->stopped)
        run_attempt(sc);
    return NULL;
}

int stream_client_start(const struct stream_client_config *cfg, struct stream_client **out,
                        struct err *e)
{
    struct stream_client *sc = calloc(1, sizeof *sc);
    *out = NULL;
    if (!sc)
        return err_set(e, "out of memory"), -1;
    sc->cfg = *cfg;
    sc->last_tp = cfg->resume_timepoint;
    sc->endpoint = stream_endpoint(cfg->url);
    framer_init(&sc->framer, cfg->max_line);
    backoff_init(&sc->backoff, cfg->seed);
    sc->curl = cfg->curl->easy_init();
    if (!sc->endpoint || !sc->curl || configure(sc) < 0) {
        err_set(e, "cannot set up libcurl for %s", cfg->url);
        stream_client_join(sc);
        return -1;
    }
    int rc = pthread_create(&sc->thread, NULL, client_main, sc);
    if (rc != 0) {
        err_set(e, "cannot start the stream thread: %s", strerror(rc));
        stream_client_join(sc);
        return -1;
    }
    sc->started = true;
    *out = sc;
    return 0;
}

void stream_client_join(struct stream_client *sc)
{
    if (!sc)
        return;
    if (sc->started)
        pthread_join(sc->thread, NULL);
    if (sc->curl)
        sc->cfg.curl->easy_cleanup(sc->curl);
    framer_free(&sc->framer);
    free(sc->endpoint);
    free(sc);
}
