/* log — one-line structured logs for the ingester and simulator.
 *
 *   2026-11-24T10:00:00.123Z level=info event=connected url=https://host/companies timepoint=42
 *
 * Lines go to stderr, or to the file given with log_open() (appended, so
 * logrotate's copytruncate and SIGHUP reopening both work).  The file is
 * never opened through a symbolic link, and one it creates is 0600.  Every line is
 * written with one write() under a mutex, so threads never interleave.
 * Values are made safe: control characters never reach the log, and a
 * value with spaces or quotes is quoted. */
#ifndef STREAMTOP_LOG_H
#define STREAMTOP_LOG_H

#include "err.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Sends logs to path (NULL: stderr).  Keeps the path for log_reopen(). */
int log_open(const char *path, struct err *e);

/* Reopens the log file (after SIGHUP); a no-op for stderr.  When the path
 * cannot be opened (gone to a symbolic link, say), logs why to the file
 * still open, keeps writing there, and returns -1. */
int log_reopen(void);

void log_close(void);

/* Logs event with key=value pairs given as alternating strings, ended by
 * NULL: log_kv(LOG_INFO, "connected", "url", url, "timepoint", tp, NULL). */
void log_kv(enum log_level level, const char *event, ...) __attribute__((sentinel));

#endif
