#include "config.h"

#include <stdio.h>

#include "log.h"
#include "maintain_schedule.h"
#include "timeutil.h"

void maintain_schedule_init(struct maintain_schedule *s, int64_t every_ms,
                            const struct maintain_policy *policy, const char *stream_type,
                            bool paced, int64_t now)
{
    *s = (struct maintain_schedule){
        .every_ms = every_ms, .policy = *policy, .stream_type = stream_type, .paced = paced,
        .last_at = now - every_ms,
    };
}

static void log_pass(const struct maintain_pass *pass)
{
    char cache[24], rolled[24], metrics[24], events[24], queue[24], access[24];
    snprintf(cache, sizeof cache, "%lld", (long long)pass->counts.search_cache_removed);
    snprintf(rolled, sizeof rolled, "%lld", (long long)pass->counts.metrics_rolled_up);
    snprintf(metrics, sizeof metrics, "%lld", (long long)pass->counts.metrics_removed);
    snprintf(events, sizeof events, "%lld", (long long)pass->counts.events_removed);
    snprintf(queue, sizeof queue, "%lld", (long long)pass->counts.queue_removed);
    snprintf(access, sizeof access, "%lld", (long long)pass->counts.access_log_removed);
    log_kv(LOG_INFO, "maintained", "search_cache", cache, "metrics_rolled_up", rolled,
           "metrics_removed", metrics, "events", events, "queue", queue, "access_log", access, NULL);
}

void maintain_schedule_turn(struct maintain_schedule *s, struct db *db, int64_t now)
{
    if (s->every_ms <= 0)
        return;
    if (!s->running) {
        if (now - s->last_at < s->every_ms)
            return;
        maintain_begin(&s->pass, &s->policy, s->stream_type, false, now);
        s->pass.paced = s->paced;
        s->running = true;
        s->last_at = now;
    }
    int64_t wait_us;
    if (!maintain_due(&s->pass, time_mono_us(), &wait_us))
        return;
    struct err e;
    int rc = maintain_step(db, &s->pass, &e);
    if (rc == 0 && maintain_finish(db, &s->pass, "ingester", time_now_ms(), &e) == 0) {
        log_pass(&s->pass);
        s->running = false;
        return;
    }
    if (rc > 0)
        return;
    /* Retention can wait for the next pass; a database that refuses every
     * write stops the ingester through the batches anyway. */
    log_kv(LOG_WARN, "maintain_deferred", "error", e.msg, NULL);
    s->running = false;
}
