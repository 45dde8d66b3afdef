/* libFuzzer target for the config file parser: whatever a config file
 * holds, reading it ends in 0 or a message naming the file, and every pair
 * handed on is a trimmed key and a value of one line within the limit,
 * named by file and line. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void require(int ok)
{
    if (!ok)
        abort();
}

static int check_pair(void *ctx, const char *key, const char *value, const char *where,
                      struct err *e)
{
    const char *path = ctx;
    size_t k = strlen(key), v = strlen(value);
    (void)e;
    require(k > 0 && k <= CONFIG_LINE_MAX && v <= CONFIG_LINE_MAX);
    require(key[0] != ' ' && key[0] != '\t' && key[k - 1] != ' ' && key[k - 1] != '\t');
    require(!strchr(key, '\n') && !strchr(value, '\n'));
    const char *at = strstr(where, path);   /* "config file PATH:LINE" */
    require(at != NULL && at[strlen(path)] == ':');
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/fuzz-config.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    int fd = mkstemp(path);
    require(fd >= 0);
    require(write(fd, data, size) == (ssize_t)size);
    close(fd);
    struct err e;
    e.msg[0] = '\0';
    if (config_file_read(path, check_pair, path, &e) < 0)
        require(strstr(e.msg, path) != NULL);
    unlink(path);
    return 0;
}
