#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pathutil.h"

/* mkdir with 0700 whatever the umask: a strict one (0277) would leave a
 * directory its owner cannot create the database in. */
static int make_dir(const char *dir, struct err *e)
{
    if (mkdir(dir, 0700) == 0 ? chmod(dir, 0700) == 0 : errno == EEXIST)
        return 0;
    err_set(e, "cannot create directory %s: %s", dir, strerror(errno));
    return -1;
}

int path_make_parents(const char *path, struct err *e)
{
    char *dir = strdup(path);
    if (!dir)
        return err_set(e, "out of memory"), -1;
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) {
        free(dir);
        return 0;
    }
    *slash = '\0';
    for (char *p = dir + 1; ; p++) {
        if (*p == '/' || *p == '\0') {
            char saved = *p;
            *p = '\0';
            if (make_dir(dir, e) < 0) {
                free(dir);
                return -1;
            }
            *p = saved;
            if (saved == '\0')
                break;
        }
    }
    free(dir);
    return 0;
}

char *path_xdg(const char *xdg_var, const char *fallback, const char *leaf)
{
    const char *base = getenv(xdg_var);
    char buf[4096];
    if (base && *base == '/')
        snprintf(buf, sizeof buf, "%s/streamtop/%s", base, leaf);
    else if ((base = getenv("HOME")) && *base)
        snprintf(buf, sizeof buf, "%s/%s/streamtop/%s", base, fallback, leaf);
    else
        return NULL;
    return strdup(buf);
}

char *path_resolve_dir(const char *path, struct err *e)
{
    const char *slash = strrchr(path, '/');
    const char *leaf = slash ? slash + 1 : path;
    if (*leaf == '\0' || strcmp(leaf, ".") == 0 || strcmp(leaf, "..") == 0) {
        char *same = strdup(path);   /* names a directory: the caller says so */
        if (!same)
            err_set(e, "out of memory");
        return same;
    }
    char *dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
    if (!dir)
        return err_set(e, "out of memory"), NULL;
    char real[PATH_MAX];
    bool found = realpath(*dir ? dir : "/", real) != NULL;
    int saved = errno;
    free(dir);
    if (!found) {
        err_set(e, "%s: %s", path, strerror(saved));
        errno = saved;
        return NULL;
    }
    size_t n = strlen(real) + 1 + strlen(leaf) + 1;
    char *out = malloc(n);
    if (!out)
        return err_set(e, "out of memory"), NULL;
    snprintf(out, n, "%s%s%s", real, strcmp(real, "/") == 0 ? "" : "/", leaf);
    return out;
}
