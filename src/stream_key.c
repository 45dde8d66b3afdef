#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stream_key.h"

static char *trimmed_copy(const char *s, size_t len)
{
    while (len > 0 && isspace((unsigned char)*s))
        s++, len--;
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        len--;
    char *out = malloc(len + 1);
    if (out) {
        memcpy(out, s, len);
        out[len] = '\0';
    }
    return out;
}

static int read_key_file(const char *path, char **key, struct err *e)
{
    struct stat st;
    char buf[4096];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return err_set(e, "--stream-key-file %s: %s", path, strerror(errno)), -1;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(e, "--stream-key-file %s: not a regular file", path), -1;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        close(fd);
        return err_set(e, "--stream-key-file %s: readable by group or others; run chmod 600 on it",
                       path), -1;
    }
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    if (n < 0)
        return err_set(e, "--stream-key-file %s: %s", path, strerror(errno)), -1;
    *key = trimmed_copy(buf, (size_t)n);
    explicit_bzero(buf, sizeof buf);
    if (!*key)
        return err_set(e, "out of memory"), -1;
    if (!**key || strchr(*key, '\n') || memchr(*key, '\0', strlen(*key))) {
        free(*key);
        *key = NULL;
        return err_set(e, "--stream-key-file %s: no key on one line in it", path), -1;
    }
    return 0;
}

int stream_key_load(const struct options *o, bool required, char **key, struct err *e)
{
    *key = NULL;
    if (o->stream_key_file)
        return read_key_file(o->stream_key_file, key, e);
    const char *env = getenv("STREAMTOP_STREAM_KEY");
    if (env && *env) {
        *key = trimmed_copy(env, strlen(env));
        return *key ? 0 : (err_set(e, "out of memory"), -1);
    }
    if (required)
        return err_set(e, "no stream key: set STREAMTOP_STREAM_KEY or give --stream-key-file PATH"), -1;
    return 0;
}
