/* commit_times — how long the writer's batches took to commit (retries of
 * a failed commit included), for the `event=commits` line logged when it
 * stops: an operator, or `make bench` (bench/bench_maintain.c reads the
 * line), judges from it whether anything beside the writer, such as a
 * retention pass, held it up. */
#ifndef STREAMTOP_COMMIT_TIMES_H
#define STREAMTOP_COMMIT_TIMES_H

#include <stdint.h>

/* By the millisecond; the last bucket holds a second or more. */
#define COMMIT_HIST_MS 1024

struct commit_times {
    int64_t count, max_us;
    uint32_t hist[COMMIT_HIST_MS + 1];
};

void commit_times_add(struct commit_times *c, int64_t us);

/* The whole milliseconds that 99 % of the commits took less than (0: none
 * yet). */
int64_t commit_times_p99_under_ms(const struct commit_times *c);

/* Logs `event=commits batches=N max_ms=M.m p99_under_ms=P`. */
void commit_times_log(const struct commit_times *c);

#endif
