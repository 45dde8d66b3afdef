#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "error_kind.h"

static bool is_hex_run(const char *s, size_t *len)
{
    size_t n = 0;
    bool letter = false, digit = false;
    while (isxdigit((unsigned char)s[n])) {
        letter |= isalpha((unsigned char)s[n]) != 0;
        digit |= isdigit((unsigned char)s[n]) != 0;
        n++;
    }
    *len = n;
    /* A hash mixes letters and digits; an English word has no digits. */
    return n >= 6 && letter && digit;
}

/* A company number with a letter prefix (SC037549, NI012345, OC300001):
 * one or two capitals, then at least four digits. */
static bool is_prefixed_number(const char *s, size_t *len)
{
    size_t n = 0;
    while (n < 2 && isupper((unsigned char)s[n]))
        n++;
    size_t digits = 0;
    while (isdigit((unsigned char)s[n + digits]))
        digits++;
    *len = n + digits;
    return n > 0 && digits >= 4 && !isalnum((unsigned char)s[*len]);
}

static void put(char *out, size_t *o, const char *text)
{
    while (*text && *o < ERROR_KIND_MAX - 1)
        out[(*o)++] = *text++;
}

void error_kind(const char *message, char out[ERROR_KIND_MAX])
{
    size_t o = 0;
    const char *s = message ? message : "";
    bool in_word = false;   /* digits inside a word (utf8, sha256) stay */
    while (*s && o < ERROR_KIND_MAX - 1) {
        size_t n;
        unsigned char c = (unsigned char)*s;
        if ((c == '"' || c == '\'') && strchr(s + 1, (char)c)) {
            const char *end = strchr(s + 1, (char)c);
            out[o++] = (char)c;
            put(out, &o, "...");
            if (o < ERROR_KIND_MAX - 1)
                out[o++] = (char)c;
            s = end + 1;
            in_word = false;
        } else if (!in_word && (is_prefixed_number(s, &n) || is_hex_run(s, &n))) {
            put(out, &o, "#");
            s += n;
        } else if (!in_word && isdigit(c)) {
            while (isdigit((unsigned char)*s) || *s == '.' || *s == ',')
                s++;
            put(out, &o, "#");
        } else {
            out[o++] = (char)c;
            in_word = isalpha(c) || c == '_' || (in_word && isdigit(c));
            s++;
        }
    }
    while (o > 0 && isspace((unsigned char)out[o - 1]))
        o--;
    out[o] = '\0';
}

static void sql_error_kind(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    char kind[ERROR_KIND_MAX];
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(ctx);
        return;
    }
    error_kind((const char *)sqlite3_value_text(argv[0]), kind);
    sqlite3_result_text(ctx, kind, -1, SQLITE_TRANSIENT);
}

int error_kind_register(sqlite3 *db)
{
    return sqlite3_create_function(db, "streamtop_error_kind", 1,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                   sql_error_kind, NULL, NULL) == SQLITE_OK ? 0 : -1;
}
