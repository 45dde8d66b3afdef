/* timeutil — wall-clock time as streamtop stores and shows it.
 *
 * The database holds ISO 8601 UTC text with milliseconds
 * ("2026-11-24T10:00:00.123Z"): every writer uses the same format so text
 * comparison orders timestamps.  Readers accept the other shapes found in
 * databases and on the stream: a space instead of 'T', any number of
 * fraction digits, 'Z' or a numeric offset, or no zone at all. */
#ifndef STREAMTOP_TIMEUTIL_H
#define STREAMTOP_TIMEUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <time.h>

#define ISO_TIME_LEN 32

/* Milliseconds since the Unix epoch, from CLOCK_REALTIME. */
int64_t time_now_ms(void);

/* Milliseconds from CLOCK_MONOTONIC, for intervals and timeouts. */
int64_t time_mono_ms(void);

/* Microseconds from CLOCK_MONOTONIC, for timing short operations. */
int64_t time_mono_us(void);

/* The CLOCK_MONOTONIC instant ms from now, for pthread_cond_timedwait on a
 * condition variable set to that clock. */
void time_mono_deadline(struct timespec *ts, int64_t ms);

/* Initialises a condition variable whose timed waits use CLOCK_MONOTONIC,
 * so a change of the wall clock neither cuts them short nor stretches them. */
void time_mono_cond_init(pthread_cond_t *cond);

/* Writes "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (ISO_TIME_LEN bytes). */
char *time_format_iso(int64_t epoch_ms, char buf[ISO_TIME_LEN]);

/* How a timestamp without a zone designator is to be read. */
enum time_zone_default {
    TIME_NAIVE_IS_UTC,     /* database timestamps (SQLite's datetime('now')) */
    TIME_NAIVE_IS_LONDON,  /* the stream's published_at: UK civil time */
};

/* Parses an ISO 8601 timestamp into epoch milliseconds.  Returns false for
 * anything that is not a complete, valid date and time. */
bool time_parse_iso(const char *text, enum time_zone_default naive, int64_t *epoch_ms);

/* UTC offset of UK civil time (0 or 1 hour, in ms) at a UTC instant.  Used
 * to read the stream's zone-less published_at without depending on TZ. */
int64_t time_london_offset_ms(int64_t utc_ms);

#endif
