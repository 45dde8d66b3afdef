#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "safefile.h"

static int fsync_path(const char *path, int flags, struct err *e)
{
    int fd = open(path, flags);
    if (fd < 0 || fsync(fd) < 0) {
        err_set(e, "%s: cannot sync to disk: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

int file_create_private(const char *path, mode_t mode, struct err *e)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0 || fchmod(fd, mode) < 0) {
        err_set(e, "%s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

int file_commit(const char *tmp, const char *final, struct err *e)
{
    char *dir = dir_of(final);
    int rc = dir ? 0 : (err_set(e, "out of memory"), -1);
    if (rc == 0)
        rc = fsync_path(tmp, O_RDONLY, e);
    if (rc == 0 && rename(tmp, final) < 0)
        rc = (err_set(e, "%s: cannot rename to %s: %s", tmp, final, strerror(errno)), -1);
    if (rc == 0)
        rc = fsync_path(dir, O_RDONLY | O_DIRECTORY, e);
    free(dir);
    return rc;
}

/* Copies from into a new file to, created with mode exactly; to is removed
 * if the copy fails. */
int file_copy_private(const char *from, const char *to, mode_t mode, struct err *e)
{
    char buf[1 << 16];
    size_t n;
    int rc = 0, fd = -1;
    FILE *in = fopen(from, "rb"), *out = NULL;
    if (!in)
        rc = (err_set(e, "%s: %s", from, strerror(errno)), -1);
    if (rc == 0 && (fd = file_create_private(to, mode, e)) < 0)
        rc = -1;
    if (rc == 0 && !(out = fdopen(fd, "wb"))) {
        rc = (err_set(e, "%s: %s", to, strerror(errno)), -1);
        close(fd);
    }
    while (rc == 0 && (n = fread(buf, 1, sizeof buf, in)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            rc = (err_set(e, "%s: %s", to, strerror(errno)), -1);
    if (rc == 0 && ferror(in))
        rc = (err_set(e, "%s: %s", from, strerror(errno)), -1);
    if (in)
        fclose(in);
    if (out && fclose(out) != 0 && rc == 0)
        rc = (err_set(e, "%s: %s", to, strerror(errno)), -1);
    if (rc < 0 && fd >= 0)
        unlink(to);
    return rc;
}
