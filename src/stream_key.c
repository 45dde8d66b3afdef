#include "config.h"

#include <ctype.h>
#include <stdbool.h>
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

/* The largest key file read: a stream key is one short line (a UUID), so a
 * bigger file is the wrong one, and is refused rather than cut. */
#define KEY_FILE_MAX 4096

static int key_error(const char *path, struct err *e, const char *why)
{
    err_set(e, "--stream-key-file %s: %s", path, why);
    return -1;
}

/* Whether path lies directly in the directory systemd passes a service's
 * credentials in ($CREDENTIALS_DIRECTORY): only that service can enter it. */
static bool in_credentials_directory(const char *path)
{
    const char *creds = getenv("CREDENTIALS_DIRECTORY");
    char dir[4096];
    struct stat a, b;
    if (!creds || !*creds)
        return false;
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    return stat(creds, &a) == 0 && stat(dir, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* systemd's copy of a credential is root's, mode 0400, with an ACL letting
 * the service's user read it, which shows in the group bits: no access for
 * others is what still matters. */
static int check_credential(const char *path, const struct stat *st, struct err *e)
{
    char why[160];
    if (st->st_uid != geteuid() && st->st_uid != 0) {
        snprintf(why, sizeof why, "a credential owned by uid %ld, neither root nor uid %ld that "
                 "runs streamtop", (long)st->st_uid, (long)geteuid());
        return key_error(path, e, why);
    }
    if (st->st_mode & S_IRWXO) {
        snprintf(why, sizeof why, "others have access to it (mode %04o)", (unsigned)(st->st_mode & 07777));
        return key_error(path, e, why);
    }
    return 0;
}

/* A key file must be a regular file (a FIFO would block the open, a device
 * could be anything), not a link (what it points to is unchecked), and the
 * running user's alone, or a credential systemd passed. */
static int check_key_file(const char *path, int fd, struct err *e)
{
    struct stat st;
    char why[160];
    if (fstat(fd, &st) < 0)
        return key_error(path, e, strerror(errno));
    if (!S_ISREG(st.st_mode))
        return key_error(path, e, "not a regular file");
    if (in_credentials_directory(path))
        return check_credential(path, &st, e);
    if (st.st_uid != geteuid()) {
        snprintf(why, sizeof why, "owned by uid %ld, not by uid %ld that runs streamtop; chown it",
                 (long)st.st_uid, (long)geteuid());
        return key_error(path, e, why);
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        snprintf(why, sizeof why, "group or others have access to it (mode %04o); run chmod 600 on it",
                 (unsigned)(st.st_mode & 07777));
        return key_error(path, e, why);
    }
    return 0;
}

/* Reads the whole file into buf (KEY_FILE_MAX + 1 bytes): one byte more
 * than allowed tells a file that is too big. */
static ssize_t read_all(int fd, char *buf, size_t cap)
{
    size_t got = 0;
    while (got < cap) {
        ssize_t n = read(fd, buf + got, cap - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

static int read_key_file(const char *path, char **key, struct err *e)
{
    char buf[KEY_FILE_MAX + 1];
    /* O_NONBLOCK: opening a FIFO must not wait for a writer; O_NOFOLLOW:
     * a link is refused rather than followed. */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return key_error(path, e, errno == ELOOP ? "is a symbolic link; give the file itself"
                                                 : strerror(errno));
    if (check_key_file(path, fd, e) < 0) {
        close(fd);
        return -1;
    }
    ssize_t n = read_all(fd, buf, sizeof buf);
    int saved = errno;
    close(fd);
    int rc = 0;
    if (n < 0)
        rc = key_error(path, e, strerror(saved));
    else if ((size_t)n > KEY_FILE_MAX)
        rc = (err_set(e, "--stream-key-file %s: larger than %d bytes, too big for a stream key; "
                         "is it the right file?", path, KEY_FILE_MAX), -1);
    else if (memchr(buf, '\0', (size_t)n))
        rc = key_error(path, e, "the key contains a NUL byte");
    else if (!(*key = trimmed_copy(buf, (size_t)n)))
        rc = (err_set(e, "out of memory"), -1);
    else if (!**key || strchr(*key, '\n')) {
        free(*key);
        *key = NULL;
        rc = key_error(path, e, "no key on one line in it");
    }
    explicit_bzero(buf, sizeof buf);
    return rc;
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
