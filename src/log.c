#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "textsafe.h"
#include "timeutil.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = STDERR_FILENO;
static char *log_path;

/* What a new log file is created with, whatever the umask: its lines
 * name URLs, databases and errors an operator may consider private. */
#define LOG_FILE_MODE 0600

/* Opens path for appending, never through a symbolic link (it would append
 * to, or create, whatever the link points to).  A file it creates gets
 * LOG_FILE_MODE; an existing one keeps its mode. */
static int open_append(const char *path, struct err *e)
{
    const int flags = O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY;
    int fd = open(path, flags | O_CREAT | O_EXCL, LOG_FILE_MODE);
    bool created = fd >= 0;
    if (fd < 0 && errno == EEXIST)
        fd = open(path, flags);
    if (fd < 0) {
        if (errno == ELOOP)
            err_set(e, "log file %s: is a symbolic link; streamtop writes no log through one: "
                       "give the path of the file itself", path);
        else
            err_set(e, "log file %s: %s", path, strerror(errno));
        return -1;
    }
    if (created && fchmod(fd, LOG_FILE_MODE) < 0) {   /* the umask may have taken bits away */
        err_set(e, "log file %s: %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

int log_open(const char *path, struct err *e)
{
    if (!path)
        return 0;
    int fd = open_append(path, e);
    if (fd < 0)
        return -1;
    pthread_mutex_lock(&log_lock);
    if (log_fd != STDERR_FILENO)
        close(log_fd);
    log_fd = fd;
    free(log_path);
    log_path = strdup(path);
    pthread_mutex_unlock(&log_lock);
    return 0;
}

int log_reopen(void)
{
    struct err e;
    bool failed = false;
    pthread_mutex_lock(&log_lock);
    if (log_path) {
        int fd = open_append(log_path, &e);
        if (fd >= 0) {
            close(log_fd);
            log_fd = fd;
        }
        failed = fd < 0;
    }
    pthread_mutex_unlock(&log_lock);
    if (failed)   /* into the file still open, the only place an operator will look */
        log_kv(LOG_WARN, "log_reopen_failed", "error", e.msg, NULL);
    return failed ? -1 : 0;
}

void log_close(void)
{
    pthread_mutex_lock(&log_lock);
    if (log_fd != STDERR_FILENO)
        close(log_fd);
    log_fd = STDERR_FILENO;
    free(log_path);
    log_path = NULL;
    pthread_mutex_unlock(&log_lock);
}

static void append(char *line, size_t *len, size_t cap, const char *s)
{
    if (*len + 1 >= cap)
        return;
    size_t room = cap - *len - 1, n = strlen(s);
    if (n > room)
        n = room;
    memcpy(line + *len, s, n);
    *len += n;
    line[*len] = '\0';
}

/* A value as it appears in the log: safe, and quoted when it needs to be. */
static void append_value(char *line, size_t *len, size_t cap, const char *value)
{
    char safe[1024];
    textsafe_str(safe, sizeof safe, value ? value : "", TEXTSAFE_UTF8);
    bool quote = safe[0] == '\0' || strpbrk(safe, " \"=") != NULL;
    if (!quote) {
        append(line, len, cap, safe);
        return;
    }
    append(line, len, cap, "\"");
    for (const char *p = safe; *p; p++) {
        char c[3] = {*p, 0, 0};
        if (*p == '"' || *p == '\\') {
            c[0] = '\\';
            c[1] = *p;
        }
        append(line, len, cap, c);
    }
    append(line, len, cap, "\"");
}

void log_kv(enum log_level level, const char *event, ...)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    char line[4096], now[ISO_TIME_LEN];
    size_t len = 0;
    append(line, &len, sizeof line, time_format_iso(time_now_ms(), now));
    append(line, &len, sizeof line, " level=");
    append(line, &len, sizeof line, names[level]);
    append(line, &len, sizeof line, " event=");
    append_value(line, &len, sizeof line, event);
    va_list ap;
    va_start(ap, event);
    for (const char *key; (key = va_arg(ap, const char *)) != NULL;) {
        const char *value = va_arg(ap, const char *);
        append(line, &len, sizeof line, " ");
        append(line, &len, sizeof line, key);
        append(line, &len, sizeof line, "=");
        append_value(line, &len, sizeof line, value);
    }
    va_end(ap);
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    pthread_mutex_lock(&log_lock);
    ssize_t ignored = write(log_fd, line, len);
    (void)ignored;   /* nowhere better to report a failing log */
    pthread_mutex_unlock(&log_lock);
}
