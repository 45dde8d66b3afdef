#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_file.h"

enum line_result { LINE_OK, LINE_END, LINE_TOO_LONG };

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    char *end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        *--end = '\0';
    return s;
}

static int parse_line(char *line, size_t len, const char *where, config_apply_fn apply,
                      void *ctx, struct err *e)
{
    if (memchr(line, '\0', len) != NULL) {
        err_set(e, "%s: the line contains a NUL byte", where);
        return -1;
    }
    char *s = trim(line);
    if (*s == '\0' || *s == '#')
        return 0;
    char *eq = strchr(s, '=');
    if (!eq) {
        err_set(e, "%s: expected 'key = value'", where);
        return -1;
    }
    *eq = '\0';
    char *key = trim(s);
    char *value = trim(eq + 1);
    if (*key == '\0') {
        err_set(e, "%s: the key before '=' is empty", where);
        return -1;
    }
    size_t vlen = strlen(value);
    if (vlen >= 2 && value[0] == '"' && value[vlen - 1] == '"') {
        value[vlen - 1] = '\0';
        value++;
    } else if (value[0] == '"') {
        err_set(e, "%s: %s: the opening quote is not closed", where, key);
        return -1;
    }
    return apply(ctx, key, value, where, e);
}

/* Reads one line, without its '\n', into buf (CONFIG_LINE_MAX bytes and a
 * NUL) and sets *len.  Memory stays bounded whatever the file holds: a
 * longer line is refused, not grown into (a 200 MB line took 198 MB). */
static enum line_result read_line(FILE *f, char *buf, size_t *len)
{
    size_t n = 0;
    int c;
    while ((c = getc(f)) != EOF && c != '\n') {
        if (n == CONFIG_LINE_MAX)
            return LINE_TOO_LONG;
        buf[n++] = (char)c;
    }
    buf[n] = '\0';
    *len = n;
    return c == EOF && n == 0 ? LINE_END : LINE_OK;
}

/* Editors on Windows start a UTF-8 file with a byte order mark; left in,
 * it would become an invisible part of the first key.  Taken from the
 * line read, not the stream, so a config given as a pipe works too. */
static size_t skip_bom(char *line, size_t len)
{
    static const char bom[] = "\xEF\xBB\xBF";
    if (len < 3 || memcmp(line, bom, 3) != 0)
        return len;
    memmove(line, line + 3, len - 3 + 1);
    return len - 3;
}

int config_file_read(const char *path, config_apply_fn apply, void *ctx, struct err *e)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        err_set(e, "config file %s: %s", path, strerror(errno));
        return -1;
    }
    char line[CONFIG_LINE_MAX + 1];
    size_t n;
    enum line_result got;
    unsigned lineno = 0;
    int rc = 0;
    while (rc == 0 && (got = read_line(f, line, &n)) != LINE_END) {
        char where[4200];
        if (++lineno == 1 && got == LINE_OK)
            n = skip_bom(line, n);
        snprintf(where, sizeof where, "config file %s:%u", path, lineno);
        if (got == LINE_TOO_LONG)
            rc = (err_set(e, "%s: the line is longer than %d bytes", where, CONFIG_LINE_MAX), -1);
        else
            rc = parse_line(line, n, where, apply, ctx, e);
    }
    if (rc == 0 && ferror(f)) {
        err_set(e, "config file %s: read error", path);
        rc = -1;
    }
    fclose(f);
    return rc;
}
