#include "config.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "details.h"
#include "humanfmt.h"
#include "timeutil.h"

struct builder {
    struct details *d;
    enum textsafe_charset charset;
    bool failed;
};

/* Adds len bytes of text, sanitised, as one line. */
static void add_line(struct builder *b, const char *text, size_t len)
{
    struct details *d = b->d;
    if (b->failed)
        return;
    if (d->nlines == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 64;
        char **grown = realloc(d->lines, cap * sizeof *grown);
        if (!grown) {
            b->failed = true;
            return;
        }
        d->lines = grown;
        d->cap = cap;
    }
    /* A placeholder is at most four times the bytes it stands for. */
    size_t size = len * 4 + 1;
    char *safe = malloc(size);
    if (!safe) {
        b->failed = true;
        return;
    }
    textsafe_copy(safe, size, text, len, b->charset);
    d->lines[d->nlines++] = safe;
}

static void add_linef(struct builder *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void add_linef(struct builder *b, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    add_line(b, buf, strlen(buf));
}

/* Adds text split at its newlines. */
static void add_text(struct builder *b, const char *text, size_t len)
{
    const char *end = text + len;
    while (!b->failed) {
        const char *nl = memchr(text, '\n', (size_t)(end - text));
        add_line(b, text, (size_t)((nl ? nl : end) - text));
        if (!nl)
            break;
        text = nl + 1;
    }
}

static void add_time(struct builder *b, const char *label, int64_t at, int64_t now)
{
    char iso[ISO_TIME_LEN], age[HUMAN_LEN];
    if (at)
        add_linef(b, "%-10s %s (%s)", label, time_format_iso(at, iso),
                  human_age((now - at) / 1000, age));
    else
        add_linef(b, "%-10s never", label);
}

static void add_queue(struct builder *b, const struct event_view *v, int64_t now)
{
    const struct queue_entry *q = &v->queue;
    if (v->queue_error[0]) {
        add_linef(b, "%-10s unknown: %s", "Queue", v->queue_error);
        return;
    }
    if (!q->found) {
        add_linef(b, "%-10s no queue row (the line was never a valid event)", "Queue");
        return;
    }
    char prio[32] = "";
    if (q->priority >= 0)
        snprintf(prio, sizeof prio, ", priority %lld", (long long)q->priority);
    add_linef(b, "%-10s %s, %lld attempt%s%s%s%s", "Queue", q->status, (long long)q->attempts,
              q->attempts == 1 ? "" : "s", prio, q->worker_id[0] ? ", last worker " : "",
              q->worker_id);
    add_time(b, "Queued", q->created_at, now);
    if (q->last_attempt_at)
        add_time(b, "Attempted", q->last_attempt_at, now);
}

/* The event as indented JSON, or the raw line when it does not parse. */
static void add_event_body(struct builder *b, const cJSON *json, const char *data, size_t len)
{
    char size[HUMAN_LEN];
    char *pretty = json ? cJSON_Print(json) : NULL;
    if (!pretty) {
        add_linef(b, "Raw line (%s, not valid JSON):", human_bytes((int64_t)len, size));
        add_text(b, data, len);
        return;
    }
    add_linef(b, "Event JSON (%s):", human_bytes((int64_t)len, size));
    /* cJSON indents with tabs, which curses would expand unpredictably:
     * two spaces per level, one after a colon. */
    size_t tabs = 0, plen = strlen(pretty);
    for (size_t i = 0; i < plen; i++)
        tabs += pretty[i] == '\t';
    char *spaced = malloc(plen + tabs + 1);
    if (!spaced) {
        b->failed = true;
    } else {
        char *o = spaced;
        bool line_start = true;
        for (size_t i = 0; i < plen; i++) {
            if (pretty[i] == '\t' && line_start)
                *o++ = ' ';
            *o++ = pretty[i] == '\t' ? ' ' : pretty[i];
            line_start = pretty[i] == '\n' || (line_start && pretty[i] == '\t');
        }
        add_text(b, spaced, (size_t)(o - spaced));
        free(spaced);
    }
    cJSON_free(pretty);
}

/* The lines above the error and the body: who, what and when.  Rebuilt as
 * time passes, so ages tick while the dialog is open. */
static void add_facts(struct builder *b, const struct event_view *v, int64_t now)
{
    const struct event_detail *ev = &v->log;
    const struct details *d = b->d;
    add_linef(b, "%-10s %s (%s)", "Event", ev->event_id, ev->event_type);
    if (ev->company_number[0] || d->company[0])
        add_linef(b, "%-10s %s%s%s", "Company", ev->company_number,
                  ev->company_number[0] && d->company[0] ? " " : "", d->company);
    add_linef(b, "%-10s %s", "Status", ev->status);
    add_time(b, "Received", ev->received_at, now);
    /* A failed event was never processed: its processed_at is when it failed. */
    if (ev->processed_at)
        add_time(b, strcmp(ev->status, "failed") == 0 ? "Failed" : "Processed", ev->processed_at,
                 now);
    add_queue(b, v, now);
}

/* The company's name: from the list (companies), else from the event. */
static void company_name_of(const char *listed, const cJSON *json, char *out, size_t size)
{
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(json, "data");
    const char *name = listed && listed[0] ? listed
        : cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(data, "company_name"));
    snprintf(out, size, "%s", name ? name : "");
}

int details_build(const struct event_view *v, const char *company_name,
                  enum textsafe_charset charset, int64_t now, struct details *d, struct err *e)
{
    const struct event_detail *ev = &v->log;
    memset(d, 0, sizeof *d);
    d->charset_ascii = charset == TEXTSAFE_ASCII;
    cJSON *json = cJSON_ParseWithLength(ev->data, ev->len);
    char name[sizeof d->company];
    company_name_of(company_name, json, name, sizeof name);
    textsafe_str(d->company, sizeof d->company, name, charset);
    struct builder b = {.d = d, .charset = charset};
    textsafe_str(d->title, sizeof d->title, ev->event_id, charset);
    add_facts(&b, v, now);
    d->nfacts = d->nlines;
    d->facts_at = now / 1000;
    add_linef(&b, "Error:");
    add_text(&b, ev->error[0] ? ev->error : "(none)", ev->error[0] ? strlen(ev->error) : 6);
    add_line(&b, "", 0);
    add_event_body(&b, json, ev->data, ev->len);
    cJSON_Delete(json);
    if (b.failed) {
        details_free(d);
        return err_set(e, "out of memory showing the event"), -1;
    }
    return 0;
}

static bool same_queue(const struct queue_entry *a, const struct queue_entry *b)
{
    return a->found == b->found && strcmp(a->status, b->status) == 0 &&
           a->attempts == b->attempts && a->priority == b->priority &&
           a->created_at == b->created_at && a->last_attempt_at == b->last_attempt_at &&
           strcmp(a->worker_id, b->worker_id) == 0;
}

/* Whether the text for a says all there is to say of b.  The line itself
 * is never rewritten, so its length stands for it. */
static bool same_event(const struct event_view *a, const struct event_view *b)
{
    const struct event_detail *x = &a->log, *y = &b->log;
    return strcmp(x->event_id, y->event_id) == 0 && strcmp(x->event_type, y->event_type) == 0 &&
           strcmp(x->company_number, y->company_number) == 0 &&
           strcmp(x->status, y->status) == 0 && x->received_at == y->received_at &&
           x->processed_at == y->processed_at && strcmp(x->error, y->error) == 0 &&
           x->len == y->len && same_queue(&a->queue, &b->queue) &&
           strcmp(a->queue_error, b->queue_error) == 0;
}

int details_follow(struct details *d, struct event_view *shown, struct event_view *fresh,
                   int64_t now, bool *rebuilt, struct err *e)
{
    *rebuilt = false;
    if (same_event(shown, fresh))
        return 0;
    struct details text;
    if (details_build(fresh, d->company, d->charset_ascii ? TEXTSAFE_ASCII : TEXTSAFE_UTF8, now,
                      &text, e) < 0)
        return -1;
    text.log_id = d->log_id;
    details_free(d);
    *d = text;
    struct event_view t = *shown;
    *shown = *fresh;
    *fresh = t;
    *rebuilt = true;
    return 0;
}

int details_tick(struct details *d, const struct event_view *v, int64_t now)
{
    if (d->nlines == 0 || now / 1000 == d->facts_at)
        return 0;
    struct details fresh = {.charset_ascii = d->charset_ascii};
    memcpy(fresh.company, d->company, sizeof fresh.company);
    struct builder b = {.d = &fresh,
                        .charset = d->charset_ascii ? TEXTSAFE_ASCII : TEXTSAFE_UTF8};
    add_facts(&b, v, now);
    if (b.failed || fresh.nlines != d->nfacts) {
        details_free(&fresh);
        return b.failed ? -1 : 0;
    }
    for (size_t i = 0; i < d->nfacts; i++) {
        free(d->lines[i]);
        d->lines[i] = fresh.lines[i];
    }
    free(fresh.lines);
    d->facts_at = now / 1000;
    d->width = 0;   /* rewrap */
    return 0;
}

static int add_row(struct details *d, size_t *cap, size_t line, size_t off, size_t len)
{
    if (d->nrows == *cap) {
        size_t n = *cap ? *cap * 2 : 256;
        struct details_row *grown = realloc(d->rows, n * sizeof *grown);
        if (!grown)
            return -1;
        d->rows = grown;
        *cap = n;
    }
    d->rows[d->nrows++] = (struct details_row){line, off, len};
    return 0;
}

/* Where a row of n bytes should end to break between words: after its last
 * space, unless that would leave the row less than half used. */
static size_t word_boundary(const char *s, size_t n)
{
    for (size_t i = n; i > n / 2; i--)
        if (s[i - 1] == ' ')
            return i;
    return n;
}

int details_wrap(struct details *d, int width)
{
    if (width < 1)
        width = 1;
    if (width == d->width && d->rows)
        return 0;
    size_t cap = 0;
    free(d->rows);
    d->rows = NULL;
    d->nrows = 0;
    for (size_t i = 0; i < d->nlines; i++) {
        const char *s = d->lines[i];
        size_t len = strlen(s), off = 0;
        do {
            size_t n = textsafe_fit(s + off, len - off, width, NULL);
            if (off + n < len)
                n = word_boundary(s + off, n);
            if (n == 0 && off < len) {
                /* A character wider than the dialog: show it alone. */
                unsigned cp;
                n = textsafe_utf8_decode((const unsigned char *)s + off, len - off, &cp);
                n = n ? n : 1;
            }
            if (add_row(d, &cap, i, off, n) < 0)
                return -1;
            off += n;
        } while (off < len);
    }
    d->width = width;
    return 0;
}

void details_free(struct details *d)
{
    for (size_t i = 0; i < d->nlines; i++)
        free(d->lines[i]);
    free(d->lines);
    free(d->rows);
    memset(d, 0, sizeof *d);
}
