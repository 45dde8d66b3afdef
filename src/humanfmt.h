/* humanfmt — numbers as people read them: counts with thousands
 * separators, rates with units, ages as "3s ago", durations as "2h 5m".
 * Shared by `status` and the dashboard panes so both say the same thing. */
#ifndef STREAMTOP_HUMANFMT_H
#define STREAMTOP_HUMANFMT_H

#include <stddef.h>
#include <stdint.h>

#define HUMAN_LEN 32

/* 1234567 -> "1,234,567" */
char *human_count(int64_t n, char buf[HUMAN_LEN]);

/* events per second -> "0/s", "0.4/s", "12.3/s", "842/s", "12.5k/s", "1.2M/s" */
char *human_rate(double per_second, char buf[HUMAN_LEN]);

/* any figure, three significant digits at most and a k/M/G/T suffix:
 * 0.109 -> "0.109", 3 -> "3", 199.6 -> "200", 10430 -> "10.4k",
 * 17399.6 -> "17.4k", 1043000 -> "1.04M"; not a number -> "-" */
char *human_number(double v, char buf[HUMAN_LEN]);

/* seconds -> "45s", "4m 03s", "2h 05m", "3d 04h"; negative is treated as 0 */
char *human_duration(int64_t seconds, char buf[HUMAN_LEN]);

/* seconds ago -> "now", "3s ago", "4m ago", "2h ago", "3d ago" */
char *human_age(int64_t seconds, char buf[HUMAN_LEN]);

/* bytes -> "512 B", "1.5 KiB", "12.0 MiB", "3.2 GiB" */
char *human_bytes(int64_t bytes, char buf[HUMAN_LEN]);

#endif
