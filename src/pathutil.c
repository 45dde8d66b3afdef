#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pathutil.h"

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
            if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
                err_set(e, "cannot create directory %s: %s", dir, strerror(errno));
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
