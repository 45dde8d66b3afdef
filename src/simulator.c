#include "config.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "sbuf.h"
#include "simgen.h"
#include "simulator.h"
#include "timeutil.h"

#define MAX_CLIENTS 8
#define OUT_HIGH_WATER (256 * 1024)
#define MAX_CHUNK 16384
#define OVERSIZE_BYTES (1536 * 1024)
#define POLL_MAX_MS 100          /* how soon a stop request is noticed */

enum conn_phase { CONN_FREE, CONN_REQUEST, CONN_STREAM };

struct conn {
    enum conn_phase phase;
    int fd;
    unsigned long number;       /* which connection attempt this is */
    char req[8192];
    size_t req_len;
    struct sbuf stage;          /* lines not yet cut into chunks */
    struct sbuf out;            /* bytes on their way to the socket */
    size_t out_off;
    int64_t next_tp;            /* generated mode: the next timepoint to send */
    int64_t last_whole_tp;      /* the last event sent whole: where a client resumes */
    size_t next_line;           /* replay mode: the next line to send */
    int64_t last_write_ms;
    bool stalled;
    bool close_when_flushed;
    uint64_t rng;
};

struct replay_line {
    int64_t timepoint;          /* -1 for a line without a valid one */
    char *text;                 /* with its newline */
    size_t len;
};

struct simulator {
    struct sim_options opt;
    int listen_fd;
    int port;
    struct simgen gen;
    bool started;
    int64_t t0_ms;
    int64_t end_tp;             /* generated mode: first timepoint never sent */
    struct replay_line *replay;
    size_t nreplay;
    struct conn conns[MAX_CLIENTS];
    unsigned long attempts;
    unsigned long long events_sent;
};

/* ---- faults ---- */

int sim_faults_parse(const char *spec, struct sim_faults *f, struct err *e)
{
    static const char *const every_names[] = {"drop", "stall", "garbage", "hostile", "gap", "oversize"};
    static const char *const status_names[] = {"429", "503", "401", "416"};
    memset(f, 0, sizeof *f);
    f->retry_after_s = 1;
    if (!spec || !*spec || strcmp(spec, "none") == 0)
        return 0;
    char *copy = strdup(spec), *save = NULL;
    int rc = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        char *end;
        if (!colon) {
            err_set(e, "--faults: '%s' needs a value, as in drop:100", tok);
            rc = -1;
            break;
        }
        *colon = '\0';
        const char *value = colon + 1;
        if (strcmp(tok, "retry-after") == 0) {
            double v = strtod(value, &end);
            if (strcmp(value, "none") == 0)
                f->retry_after_s = -1;
            else if (end == value || *end || v < 0 || !isfinite(v))
                rc = -1, err_set(e, "--faults: retry-after:%s is not a number of seconds", value);
            else
                f->retry_after_s = v;
            continue;
        }
        unsigned long n = strtoul(value, &end, 10);
        if (end == value || *end || n == 0 || n > 1000000000UL) {
            err_set(e, "--faults: %s:%s needs a whole number from 1", tok, value);
            rc = -1;
            break;
        }
        unsigned *slot = NULL;
        unsigned *every[] = {&f->drop_every, &f->stall_every, &f->garbage_every,
                             &f->hostile_every, &f->gap_every, &f->oversize_every};
        for (size_t i = 0; i < 6; i++)
            if (strcmp(tok, every_names[i]) == 0)
                slot = every[i];
        for (size_t i = 0; i < 4; i++)
            if (strcmp(tok, status_names[i]) == 0)
                slot = &f->status_every[i];
        if (!slot) {
            err_set(e, "--faults: unknown fault '%s' (drop, stall, garbage, hostile, gap, "
                       "oversize, 429, 503, 401, 416, retry-after)", tok);
            rc = -1;
            break;
        }
        *slot = (unsigned)n;
    }
    free(copy);
    return rc;
}

/* ---- setup ---- */

static int load_replay(struct simulator *s, const char *path, struct err *e)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return err_set(e, "--replay %s: %s", path, strerror(errno)), -1;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        struct replay_line *grown = realloc(s->replay, (s->nreplay + 1) * sizeof *grown);
        if (!grown)
            break;
        s->replay = grown;
        struct replay_line *r = &s->replay[s->nreplay++];
        r->timepoint = -1;
        cJSON *root = cJSON_ParseWithLength(line, (size_t)n);
        const cJSON *tp = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "event"),
                                                           "timepoint");
        if (cJSON_IsNumber(tp))
            r->timepoint = (int64_t)tp->valuedouble;
        cJSON_Delete(root);
        bool has_nl = line[n - 1] == '\n';
        r->len = (size_t)n + (has_nl ? 0 : 1);
        r->text = malloc(r->len);
        memcpy(r->text, line, (size_t)n);
        r->text[r->len - 1] = '\n';
    }
    free(line);
    bool failed = ferror(f);
    fclose(f);
    if (failed)
        return err_set(e, "--replay %s: read error", path), -1;
    return 0;
}

static int listen_loopback(struct simulator *s, long port, struct err *e)
{
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    int one = 1;
    s->listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (s->listen_fd < 0)
        return err_set(e, "socket: %s", strerror(errno)), -1;
    setsockopt(s->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(s->listen_fd, (struct sockaddr *)&addr, sizeof addr) < 0 ||
        listen(s->listen_fd, 16) < 0 ||
        getsockname(s->listen_fd, (struct sockaddr *)&addr, &len) < 0)
        return err_set(e, "127.0.0.1:%ld: %s", port, strerror(errno)), -1;
    s->port = ntohs(addr.sin_port);
    return 0;
}

int simulator_open(const struct sim_options *o, struct simulator **out, struct err *e)
{
    struct simulator *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s)
        return err_set(e, "out of memory"), -1;
    s->opt = *o;
    s->listen_fd = -1;
    for (int i = 0; i < MAX_CLIENTS; i++)
        s->conns[i].fd = -1;
    if ((o->replay_path && load_replay(s, o->replay_path, e) < 0) ||
        listen_loopback(s, o->port, e) < 0) {
        simulator_close(s);
        return -1;
    }
    *out = s;
    return 0;
}

int simulator_port(const struct simulator *s)
{
    return s->port;
}

unsigned long simulator_connections(const struct simulator *s)
{
    return s->attempts;
}

static void close_conn(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    sbuf_free(&c->stage);
    sbuf_free(&c->out);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

void simulator_close(struct simulator *s)
{
    if (!s)
        return;
    for (int i = 0; i < MAX_CLIENTS; i++)
        close_conn(&s->conns[i]);
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    for (size_t i = 0; i < s->nreplay; i++)
        free(s->replay[i].text);
    free(s->replay);
    free(s);
}

static bool has_extra(unsigned every, int64_t pos)
{
    return every && pos % every == every - 1;
}

/* Says what a --count run will send in all, so a test can check a client
 * stored exactly that: every event once, every invalid line once. */
static void log_plan(const struct simulator *s)
{
    const struct sim_faults *f = &s->opt.faults;
    long long invalid = 0;
    for (int64_t tp = s->opt.first_timepoint; tp < s->end_tp; tp++) {
        if (!simgen_exists(&s->gen, tp))
            continue;
        int64_t pos = tp - s->opt.first_timepoint;
        invalid += has_extra(f->garbage_every, pos) + has_extra(f->oversize_every, pos);
    }
    char events[24], lines[24], first[24], last[24];
    snprintf(events, sizeof events, "%lld", s->opt.count);
    snprintf(lines, sizeof lines, "%lld", invalid);
    snprintf(first, sizeof first, "%lld", (long long)s->opt.first_timepoint);
    snprintf(last, sizeof last, "%lld", (long long)s->end_tp - 1);
    log_kv(LOG_INFO, "plan", "events", events, "invalid_lines", lines, "first_timepoint", first,
           "last_timepoint", last, NULL);
}

/* The stream starts with the first connection, so a fresh client sees it
 * from its first event. */
static void start_stream(struct simulator *s, int64_t now)
{
    if (s->started)
        return;
    s->started = true;
    s->t0_ms = now;
    simgen_init(&s->gen, s->opt.seed, s->opt.first_timepoint, now, s->opt.rate);
    s->gen.gap_every = s->opt.faults.gap_every;
    s->gen.hostile_every = s->opt.faults.hostile_every;
    s->end_tp = INT64_MAX;
    if (s->opt.count >= 0) {
        int64_t tp = s->opt.first_timepoint - 1;
        for (long long i = 0; i < s->opt.count; i++)
            tp = simgen_next(&s->gen, tp);
        s->end_tp = tp + 1;
        log_plan(s);
    }
}

/* How many units (timepoints, or replay lines) exist by now. */
static int64_t produced(const struct simulator *s, int64_t now)
{
    double n = floor(s->opt.rate * (double)(now - s->t0_ms) / 1000.0);
    return n > 9e18 ? INT64_MAX : (int64_t)n;
}

static int64_t available_tp(const struct simulator *s, int64_t now)
{
    int64_t n = produced(s, now);
    int64_t tp = n >= s->end_tp - s->opt.first_timepoint ? s->end_tp : s->opt.first_timepoint + n;
    return tp < s->end_tp ? tp : s->end_tp;
}

/* ---- requests ---- */

static int b64_value(char c)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

/* Decodes base64 text into out (NUL-terminated); false when malformed. */
static bool b64_decode(const char *in, char *out, size_t outsz)
{
    size_t n = 0;
    int bits = 0;
    unsigned acc = 0;   /* only the bits not yet written out matter */
    for (; *in && *in != '\r' && *in != '\n' && *in != ' '; in++) {
        if (*in == '=')
            break;
        int v = b64_value(*in);
        if (v < 0)
            return false;
        acc = ((acc << 6) | (unsigned)v) & 0x3FFF;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (n + 1 >= outsz)
                return false;
            out[n++] = (char)((acc >> bits) & 0xFF);
        }
    }
    out[n] = '\0';
    return true;
}

/* The stream key from "Authorization: Basic base64(key:)", or false. */
/* The value of a request header, or NULL. */
static const char *header_value(const char *req, const char *name)
{
    size_t n = strlen(name);
    for (const char *line = strstr(req, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        const char *h = line + 2;
        if (strncasecmp(h, name, n) != 0 || h[n] != ':')
            continue;
        h += n + 1;
        while (*h == ' ')
            h++;
        return h;
    }
    return NULL;
}

static bool request_key(const char *req, char *key, size_t keysz)
{
    const char *h = header_value(req, "Authorization");
    char decoded[512];
    if (!h || strncasecmp(h, "Basic ", 6) != 0 || !b64_decode(h + 6, decoded, sizeof decoded))
        return false;
    char *colon = strchr(decoded, ':');
    if (colon)
        *colon = '\0';
    snprintf(key, keysz, "%s", decoded);
    return key[0] != '\0';
}

static void queue_error(struct conn *c, int status, const char *reason, double retry_after,
                        const char *body)
{
    sbuf_appendf(&c->out, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\n", status, reason);
    if (retry_after >= 0)
        sbuf_appendf(&c->out, "Retry-After: %.0f\r\n", ceil(retry_after));
    sbuf_appendf(&c->out, "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", strlen(body), body);
    c->close_when_flushed = true;
}

/* Which fault status (if any) answers connection number n. */
static int fault_status(const struct simulator *s, unsigned long n, bool has_timepoint)
{
    static const int statuses[] = {429, 503, 401, 416};
    for (int i = 0; i < 4; i++) {
        unsigned every = s->opt.faults.status_every[i];
        if (every && n % every == 0 && (statuses[i] != 416 || has_timepoint))
            return statuses[i];
    }
    return 0;
}

static void start_response(struct simulator *s, struct conn *c, int64_t now)
{
    char key[512];
    const char *q = strstr(c->req, "timepoint=");
    const char *eol = strstr(c->req, "\r\n");
    bool has_tp = q && q < eol;
    long long tp = has_tp ? strtoll(q + 10, NULL, 10) : -1;
    bool authorised = request_key(c->req, key, sizeof key) &&
                      (!s->opt.key || strcmp(key, s->opt.key) == 0);
    int status = authorised ? fault_status(s, c->number, has_tp) : 401;
    start_stream(s, now);
    if (status == 0 && has_tp && !s->replay && tp < s->opt.first_timepoint)
        status = 416;   /* older than anything the server keeps */
    char n[32], answer[8], from[24], agent[128] = "none";
    const char *ua = header_value(c->req, "User-Agent");
    snprintf(n, sizeof n, "%lu", c->number);
    snprintf(answer, sizeof answer, "%d", status ? status : 200);
    snprintf(from, sizeof from, "%lld", tp);
    if (ua)
        snprintf(agent, sizeof agent, "%.*s", (int)strcspn(ua, "\r\n"), ua);
    log_kv(LOG_INFO, "request", "connection", n, "timepoint", has_tp ? from : "none",
           "agent", agent, "answer", answer, NULL);
    switch (status) {
    case 401:
        queue_error(c, 401, "Unauthorized", -1, "{\"error\":\"Invalid Authorization\",\"type\":\"ch:service\"}");
        return;
    case 416:
        queue_error(c, 416, "Range Not Satisfiable", -1, "{\"error\":\"timepoint out of range\"}");
        return;
    case 429:
        queue_error(c, 429, "Too Many Requests", s->opt.faults.retry_after_s, "{\"error\":\"rate limited\"}");
        return;
    case 503:
        queue_error(c, 503, "Service Unavailable", s->opt.faults.retry_after_s, "{\"error\":\"unavailable\"}");
        return;
    }
    sbuf_appendf(&c->out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n");
    c->phase = CONN_STREAM;
    c->last_write_ms = now;
    c->last_whole_tp = -1;
    c->rng = 0x5eed ^ c->number;
    if (s->replay) {
        c->next_line = 0;
        while (has_tp && c->next_line < s->nreplay && s->replay[c->next_line].timepoint < tp)
            c->next_line++;
    } else {
        c->next_tp = has_tp ? tp : available_tp(s, now);
    }
}

static void read_request(struct simulator *s, struct conn *c, int64_t now)
{
    ssize_t n = read(c->fd, c->req + c->req_len, sizeof c->req - 1 - c->req_len);
    if (n <= 0) {
        if (n == 0 || (errno != EAGAIN && errno != EINTR))
            close_conn(c);
        return;
    }
    c->req_len += (size_t)n;
    c->req[c->req_len] = '\0';
    if (strstr(c->req, "\r\n\r\n")) {
        c->number = ++s->attempts;
        start_response(s, c, now);
    } else if (c->req_len == sizeof c->req - 1) {
        close_conn(c);
    }
}

/* ---- streaming ---- */

static uint64_t next_random(uint64_t *state)
{
    *state += 0x9E3779B97F4A7C15ULL;
    uint64_t x = *state;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

/* Moves staged bytes into the output as HTTP chunks of random sizes, so
 * chunk boundaries fall anywhere: inside lines, inside UTF-8 characters. */
static void cut_chunks(struct conn *c)
{
    size_t off = 0;
    while (off < c->stage.len) {
        size_t left = c->stage.len - off;
        uint64_t r = next_random(&c->rng);
        size_t size = (r & 3) == 0 ? 1 + (r >> 8) % 7 : 1 + (r >> 8) % MAX_CHUNK;
        if (size > left)
            size = left;
        sbuf_appendf(&c->out, "%zx\r\n", size);
        sbuf_append(&c->out, c->stage.data + off, size);
        sbuf_append(&c->out, "\r\n", 2);
        off += size;
    }
    sbuf_reset(&c->stage);
}

static void stage_oversize(struct sbuf *stage, int64_t after_tp)
{
    sbuf_appendf(stage, "{\"resource_kind\":\"company-profile\",\"after\":%lld,\"padding\":\"",
                 (long long)after_tp);
    static const char padding[] = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    for (size_t start = stage->len; stage->len - start < OVERSIZE_BYTES;)
        if (sbuf_append(stage, padding, sizeof padding - 1) < 0)
            break;
    sbuf_append(stage, "\"}\n", 3);
}

/* What follows the event at tp: garbage or an oversize line, by position,
 * so a replay from an earlier timepoint repeats them exactly. */
static void stage_extras(const struct simulator *s, struct conn *c, int64_t tp)
{
    const struct sim_faults *f = &s->opt.faults;
    int64_t pos = tp - s->opt.first_timepoint;
    if (has_extra(f->garbage_every, pos))
        simgen_garbage(&s->gen, tp, (unsigned)(pos / f->garbage_every), &c->stage);
    if (has_extra(f->oversize_every, pos))
        stage_oversize(&c->stage, tp);
}

static void log_fault(const char *kind, const struct conn *c)
{
    char n[24], last[24];
    snprintf(n, sizeof n, "%lu", c->number);
    snprintf(last, sizeof last, "%lld", (long long)c->last_whole_tp);
    log_kv(LOG_INFO, "fault", "kind", kind, "connection", n, "last_whole_timepoint", last, NULL);
}

/* Counts an event about to be sent and applies the faults keyed on the
 * number of events sent.  Returns false when the line must not go out whole. */
static bool count_event(struct simulator *s, struct conn *c, const char *line, size_t len)
{
    const struct sim_faults *f = &s->opt.faults;
    s->events_sent++;
    if (f->drop_every && s->events_sent % f->drop_every == 0) {
        sbuf_append(&c->stage, line, len / 2);
        c->close_when_flushed = true;
        log_fault("drop", c);
        return false;
    }
    if (f->stall_every && s->events_sent % f->stall_every == 0)
        c->stalled = true;   /* after this event, which goes out whole */
    return true;
}

static void fill_generated(struct simulator *s, struct conn *c, int64_t now)
{
    int64_t avail = available_tp(s, now);
    struct sbuf line = {0};
    while (c->out.len - c->out_off + c->stage.len < OUT_HIGH_WATER && !c->stalled &&
           !c->close_when_flushed && c->next_tp < avail) {
        int64_t tp = c->next_tp++;
        if (!simgen_exists(&s->gen, tp))
            continue;
        sbuf_reset(&line);
        simgen_event(&s->gen, tp, &line);
        if (!count_event(s, c, line.data, line.len))
            break;
        sbuf_append(&c->stage, line.data, line.len);
        c->last_whole_tp = tp;
        if (c->stalled)
            log_fault("stall", c);
        stage_extras(s, c, tp);
    }
    sbuf_free(&line);
}

static void fill_replay(struct simulator *s, struct conn *c, int64_t now)
{
    int64_t avail = produced(s, now);
    while (c->out.len - c->out_off + c->stage.len < OUT_HIGH_WATER && !c->stalled &&
           !c->close_when_flushed && c->next_line < s->nreplay && (int64_t)c->next_line < avail) {
        const struct replay_line *r = &s->replay[c->next_line++];
        if (!count_event(s, c, r->text, r->len))
            break;
        sbuf_append(&c->stage, r->text, r->len);
        if (r->timepoint >= 0)
            c->last_whole_tp = r->timepoint;
        if (c->stalled)
            log_fault("stall", c);
    }
}

static void fill(struct simulator *s, struct conn *c, int64_t now)
{
    if (c->phase != CONN_STREAM || c->stalled)
        return;
    if (s->replay)
        fill_replay(s, c, now);
    else
        fill_generated(s, c, now);
    if (c->stage.len == 0 && c->out.len == c->out_off &&
        now - c->last_write_ms >= (int64_t)(s->opt.heartbeat_s * 1000))
        sbuf_append(&c->stage, "\n", 1);
    cut_chunks(c);
}

static void flush(struct conn *c, int64_t now)
{
    while (c->out_off < c->out.len) {
        ssize_t n = send(c->fd, c->out.data + c->out_off, c->out.len - c->out_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno != EAGAIN && errno != EINTR)
                close_conn(c);
            return;
        }
        c->out_off += (size_t)n;
        c->last_write_ms = now;
    }
    sbuf_reset(&c->out);
    c->out_off = 0;
    if (c->close_when_flushed)
        close_conn(c);
}

/* Whether a connection has sent everything the stream will ever have. */
static bool exhausted(const struct simulator *s, const struct conn *c)
{
    return s->replay ? c->next_line >= s->nreplay : c->next_tp >= s->end_tp;
}

/* Milliseconds until the next unit (timepoint or replay line) after those
 * already produced is due. */
static int64_t until_next_unit(const struct simulator *s, int64_t now)
{
    double due = (double)(produced(s, now) + 1) * 1000.0 / s->opt.rate;
    return (int64_t)ceil(due) + s->t0_ms - now;
}

/* Milliseconds until something is due on any connection.  A connection
 * with bytes waiting is woken by POLLOUT instead. */
static int next_wakeup(const struct simulator *s, int64_t now)
{
    int64_t wait = POLL_MAX_MS;
    for (int i = 0; i < MAX_CLIENTS; i++) {
        const struct conn *c = &s->conns[i];
        if (c->phase != CONN_STREAM || c->stalled || c->out_off < c->out.len)
            continue;
        int64_t heartbeat = c->last_write_ms + (int64_t)(s->opt.heartbeat_s * 1000) - now;
        wait = heartbeat < wait ? heartbeat : wait;
        if (!exhausted(s, c)) {
            int64_t next = until_next_unit(s, now);
            wait = next < wait ? next : wait;
        }
    }
    return wait < 0 ? 0 : (int)wait;
}

static void accept_clients(struct simulator *s)
{
    for (;;) {
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct conn *c = NULL;
        for (int i = 0; i < MAX_CLIENTS && !c; i++)
            if (s->conns[i].phase == CONN_FREE)
                c = &s->conns[i];
        if (!c) {
            close(fd);   /* like the real service: a small number of connections */
            continue;
        }
        c->fd = fd;
        c->phase = CONN_REQUEST;
    }
}

int simulator_run(struct simulator *s, atomic_bool *stop, struct err *e)
{
    struct pollfd fds[MAX_CLIENTS + 1];
    while (!atomic_load(stop)) {
        int64_t now = time_now_ms();
        int n = 0;
        fds[n++] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
        for (int i = 0; i < MAX_CLIENTS; i++) {
            struct conn *c = &s->conns[i];
            if (c->phase == CONN_FREE)
                continue;
            fill(s, c, now);
            flush(c, now);
            if (c->phase == CONN_FREE)
                continue;
            short events = POLLIN;
            if (c->out_off < c->out.len)
                events |= POLLOUT;
            fds[n++] = (struct pollfd){.fd = c->fd, .events = events};
        }
        if (poll(fds, (nfds_t)n, next_wakeup(s, now)) < 0 && errno != EINTR)
            return err_set(e, "poll: %s", strerror(errno)), -1;
        now = time_now_ms();
        if (fds[0].revents & POLLIN)
            accept_clients(s);
        for (int i = 1; i < n; i++) {
            struct conn *c = NULL;
            for (int k = 0; k < MAX_CLIENTS && !c; k++)
                if (s->conns[k].phase != CONN_FREE && s->conns[k].fd == fds[i].fd)
                    c = &s->conns[k];
            if (!c || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            if (c->phase == CONN_REQUEST) {
                read_request(s, c, now);
            } else {
                char sink[4096];
                ssize_t got = read(c->fd, sink, sizeof sink);
                if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
                    close_conn(c);   /* the client went away */
            }
        }
    }
    return 0;
}
