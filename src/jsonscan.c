#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonscan.h"
#include "textsafe.h"

struct scan {
    const unsigned char *s;
    size_t len, pos;
    struct jsonscan *out;
    int depth;                           /* containers open */
    char open[JSONSCAN_MAX_DEPTH];       /* '{' or '[' for each */
    bool event_open;                     /* the container at depth 2 is the root's "event" */
};

/* What the value about to be scanned is, as far as the decoder cares. */
enum key_role { ROLE_OTHER, ROLE_EVENT, ROLE_TIMEPOINT };

static int fail(struct scan *sc, const char *what)
{
    snprintf(sc->out->why, sizeof sc->out->why, "not valid JSON: %s at byte %zu", what, sc->pos);
    return -1;
}

static void skip_ws(struct scan *sc)
{
    while (sc->pos < sc->len) {
        unsigned char c = sc->s[sc->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            return;
        sc->pos++;
    }
}

static int hex4(const unsigned char *s, size_t n, unsigned *v)
{
    if (n < 4)
        return -1;
    *v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = s[i], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
            d = (c | 0x20) - 'a' + 10;
        else
            return -1;
        *v = *v << 4 | d;
    }
    return 0;
}

/* The escape at s (s[0] is the backslash, n bytes available): its length,
 * and whether it is one the tree cannot carry (\u0000 or a surrogate that
 * is not half of a pair; always 6 bytes).  -1 when it is no escape. */
static int read_escape(const unsigned char *s, size_t n, size_t *used, bool *bad)
{
    *bad = false;
    if (n < 2)
        return -1;
    if (strchr("\"\\/bfnrt", s[1]) && s[1] != '\0') {
        *used = 2;
        return 0;
    }
    unsigned v, low;
    if (s[1] != 'u' || hex4(s + 2, n - 2, &v) < 0)
        return -1;
    *used = 6;
    if (v >= 0xD800 && v <= 0xDBFF && n >= 12 && s[6] == '\\' && s[7] == 'u' &&
        hex4(s + 8, n - 8, &low) == 0 && low >= 0xDC00 && low <= 0xDFFF)
        *used = 12;
    else
        *bad = v == 0 || (v >= 0xD800 && v <= 0xDFFF);
    return 0;
}

/* Bytes that stand for themselves in a string: most of every line. */
static bool plain_byte(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* A string; *from and *n get its content (between the quotes, raw). */
static int scan_string(struct scan *sc, size_t *from, size_t *n)
{
    *from = ++sc->pos;
    for (;;) {
        while (sc->pos < sc->len && plain_byte(sc->s[sc->pos]))
            sc->pos++;
        if (sc->pos == sc->len)
            break;
        unsigned char c = sc->s[sc->pos];
        if (c == '"') {
            *n = sc->pos++ - *from;
            return 0;
        }
        if (c < 0x20)
            return fail(sc, "a control character in a string");
        if (c == '\\') {
            size_t used;
            bool bad;
            if (read_escape(sc->s + sc->pos, sc->len - sc->pos, &used, &bad) < 0)
                return fail(sc, "a bad escape");
            sc->out->needs_repair |= bad;
            sc->pos += used;
        } else {   /* not ASCII */
            unsigned cp;
            size_t k = textsafe_utf8_decode(sc->s + sc->pos, sc->len - sc->pos, &cp);
            sc->out->needs_repair |= k == 0;
            sc->pos += k ? k : 1;
        }
    }
    return fail(sc, "an unterminated string");
}

static size_t digits(struct scan *sc)
{
    size_t from = sc->pos;
    while (sc->pos < sc->len && sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9')
        sc->pos++;
    return sc->pos - from;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int scan_number(struct scan *sc)
{
    if (sc->s[sc->pos] == '-')
        sc->pos++;
    if (sc->pos < sc->len && sc->s[sc->pos] == '0')
        sc->pos++;
    else if (digits(sc) == 0)
        return fail(sc, "a bad number");
    if (sc->pos < sc->len && sc->s[sc->pos] == '.') {
        sc->pos++;
        if (digits(sc) == 0)
            return fail(sc, "a bad number");
    }
    if (sc->pos < sc->len && (sc->s[sc->pos] | 0x20) == 'e') {
        sc->pos++;
        if (sc->pos < sc->len && (sc->s[sc->pos] == '+' || sc->s[sc->pos] == '-'))
            sc->pos++;
        if (digits(sc) == 0)
            return fail(sc, "a bad number");
    }
    return 0;
}

static int scan_literal(struct scan *sc)
{
    static const struct { const char *word; size_t len; } literals[] = {
        {"true", 4}, {"false", 5}, {"null", 4},
    };
    for (size_t i = 0; i < 3; i++) {
        size_t n = literals[i].len;
        if (sc->len - sc->pos >= n && memcmp(sc->s + sc->pos, literals[i].word, n) == 0) {
            sc->pos += n;
            return 0;
        }
    }
    return fail(sc, "an unexpected character");
}

/* Whether the raw string content s (n bytes) means the ASCII name want.
 * Escapes count: "\u0065vent" is "event" to every other reader. */
static bool key_is(const unsigned char *s, size_t n, const char *want, size_t want_len)
{
    if (!memchr(s, '\\', n))
        return n == want_len && memcmp(s, want, n) == 0;
    for (size_t i = 0; i < n; want++) {
        unsigned c = s[i++], v;
        if (c == '\\' && s[i] == 'u' && hex4(s + i + 1, n - i - 1, &v) == 0) {
            c = v;
            i += 5;
        } else if (c == '\\') {
            c = s[i++];   /* \" \\ \/ stand for themselves; the rest are never in a name */
        }
        if (*want == '\0' || c != (unsigned char)*want)
            return false;
    }
    return *want == '\0';
}

/* An object member's name and colon; the role of the value that follows. */
static int scan_key(struct scan *sc, enum key_role *role)
{
    size_t from, n;
    skip_ws(sc);
    if (sc->pos >= sc->len || sc->s[sc->pos] != '"')
        return fail(sc, "a missing member name");
    if (scan_string(sc, &from, &n) < 0)
        return -1;
    *role = ROLE_OTHER;
    if (sc->depth == 1 && key_is(sc->s + from, n, "event", 5))
        *role = ROLE_EVENT;
    else if (sc->depth == 2 && sc->event_open && key_is(sc->s + from, n, "timepoint", 9))
        *role = ROLE_TIMEPOINT;
    skip_ws(sc);
    if (sc->pos >= sc->len || sc->s[sc->pos] != ':')
        return fail(sc, "a missing colon");
    sc->pos++;
    skip_ws(sc);
    return 0;
}

static void close_container(struct scan *sc)
{
    if (sc->depth-- == 2)
        sc->event_open = false;
}

/* After a value: commas, closing brackets and the next member's name, until
 * another value is due (returns 1) or the line's value is complete (0). */
static int after_value(struct scan *sc, enum key_role *role)
{
    for (;;) {
        skip_ws(sc);
        if (sc->depth == 0)
            return sc->pos == sc->len ? 0 : fail(sc, "text after the value");
        if (sc->pos >= sc->len)
            return fail(sc, "the end of the line inside a value");
        char open = sc->open[sc->depth - 1];
        unsigned char c = sc->s[sc->pos++];
        if (c == (open == '{' ? '}' : ']')) {
            close_container(sc);
        } else if (c == ',') {
            *role = ROLE_OTHER;
            if (open == '{' && scan_key(sc, role) < 0)
                return -1;
            skip_ws(sc);
            return 1;
        } else {
            sc->pos--;
            return fail(sc, "a missing comma");
        }
    }
}

/* Opens an object or array; 1 when a value is due next, 0 when it closed at once. */
static int open_container(struct scan *sc, enum key_role role, enum key_role *next)
{
    char c = (char)sc->s[sc->pos];
    if (sc->depth == JSONSCAN_MAX_DEPTH)
        return fail(sc, "nesting too deep");
    sc->open[sc->depth++] = c;
    sc->pos++;
    if (c == '{' && sc->depth == 2 && role == ROLE_EVENT)
        sc->event_open = true;
    skip_ws(sc);
    if (sc->pos < sc->len && sc->s[sc->pos] == (c == '{' ? '}' : ']')) {
        sc->pos++;
        close_container(sc);
        return 0;
    }
    *next = ROLE_OTHER;
    if (c == '{' && scan_key(sc, next) < 0)
        return -1;
    return 1;
}

/* One value at sc->pos; for containers only its opening.  1 when another
 * value is due at once (the first inside a container), else 0. */
static int scan_value(struct scan *sc, enum key_role role, enum key_role *next)
{
    size_t from = sc->pos, ignored_from, ignored_n;
    if (role == ROLE_EVENT)
        sc->out->timepoint = NULL;   /* a later "event" member replaces an earlier one */
    if (sc->pos >= sc->len)
        return fail(sc, "a missing value");
    unsigned char c = sc->s[sc->pos];
    int rc;
    if (role == ROLE_TIMEPOINT) {
        sc->out->timepoint = (const char *)sc->s + from;
        sc->out->timepoint_len = 0;   /* not a number, unless one is read below */
    }
    if (c == '{' || c == '[')
        return open_container(sc, role, next);
    if (c == '"')
        rc = scan_string(sc, &ignored_from, &ignored_n);
    else if (c == '-' || (c >= '0' && c <= '9'))
        rc = scan_number(sc);
    else
        rc = scan_literal(sc);
    if (rc == 0 && role == ROLE_TIMEPOINT && c != '"')
        sc->out->timepoint_len = sc->pos - from;
    return rc;
}

int jsonscan_line(const char *line, size_t len, struct jsonscan *out)
{
    struct scan sc = {.s = (const unsigned char *)line, .len = len, .out = out};
    memset(out, 0, sizeof *out);
    enum key_role role = ROLE_OTHER;
    skip_ws(&sc);
    for (;;) {
        enum key_role next = ROLE_OTHER;
        int rc = scan_value(&sc, role, &next);
        if (rc == 0)
            rc = after_value(&sc, &next);
        if (rc <= 0) {
            if (rc < 0)
                out->timepoint = NULL;
            return rc;
        }
        role = next;
    }
}

char *jsonscan_repair(const char *line, size_t len, size_t *outlen)
{
    static const char replacement[] = "\xEF\xBF\xBD";
    const unsigned char *s = (const unsigned char *)line;
    char *out = malloc(len * 3 + 1), *p = out;
    bool in_string = false;
    if (!out)
        return NULL;
    for (size_t i = 0; i < len;) {
        size_t used = 1;
        bool bad = false;
        unsigned cp;
        if (in_string && s[i] == '\\')
            read_escape(s + i, len - i, &used, &bad);
        else if (in_string && s[i] >= 0x80 && (used = textsafe_utf8_decode(s + i, len - i, &cp)) == 0)
            used = 1, bad = true;
        else if (s[i] == '"')
            in_string = !in_string;
        if (!bad)
            memcpy(p, s + i, used), p += used;
        else if (s[i] == '\\')
            memcpy(p, "\\ufffd", 6), p += 6;
        else
            memcpy(p, replacement, 3), p += 3;
        i += used;
    }
    *p = '\0';
    *outlen = (size_t)(p - out);
    return out;
}
