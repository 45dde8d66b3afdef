#include "config.h"

#include <stdio.h>

#include "commit_times.h"
#include "log.h"

void commit_times_add(struct commit_times *c, int64_t us)
{
    int64_t ms = us / 1000;
    c->hist[ms < COMMIT_HIST_MS ? ms : COMMIT_HIST_MS]++;
    c->count++;
    c->max_us = us > c->max_us ? us : c->max_us;
}

int64_t commit_times_p99_under_ms(const struct commit_times *c)
{
    int64_t seen = 0;
    for (int ms = 0; ms <= COMMIT_HIST_MS && c->count > 0; ms++) {
        seen += c->hist[ms];
        if (seen * 100 >= c->count * 99)
            return ms + 1;
    }
    return 0;
}

void commit_times_log(const struct commit_times *c)
{
    char count[24], max[24], p99_ms[24];
    snprintf(count, sizeof count, "%lld", (long long)c->count);
    snprintf(max, sizeof max, "%.1f", (double)c->max_us / 1000.0);
    snprintf(p99_ms, sizeof p99_ms, "%lld", (long long)commit_times_p99_under_ms(c));
    log_kv(LOG_INFO, "commits", "batches", count, "max_ms", max, "p99_under_ms", p99_ms, NULL);
}
