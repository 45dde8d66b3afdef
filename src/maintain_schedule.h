/* maintain_schedule — the running ingester's retention passes (maintain.h):
 * one begins every every_ms, the first at once, and the writer's loop runs
 * one maintain_step() (one small transaction) per turn, between batches,
 * so a batch of events waits for at most one step; paced, a step only
 * when the pass has rested (MAINTAIN_PACED_PERCENT), so a catch-up keeps
 * nearly all its rate.  A step that fails ends
 * the pass with `maintain_deferred` in the log; the next begins on
 * schedule.  A finished pass is recorded and logged (`maintained`, what
 * each stage removed). */
#ifndef STREAMTOP_MAINTAIN_SCHEDULE_H
#define STREAMTOP_MAINTAIN_SCHEDULE_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "maintain.h"

struct maintain_schedule {
    int64_t every_ms;               /* 0: never */
    struct maintain_policy policy;
    const char *stream_type;
    int64_t last_at;                /* wall clock: when the last pass began */
    bool paced;                     /* its passes rest between steps (maintain.h) */
    bool running;
    struct maintain_pass pass;
};

void maintain_schedule_init(struct maintain_schedule *s, int64_t every_ms,
                            const struct maintain_policy *policy, const char *stream_type,
                            bool paced, int64_t now);

/* Begins a pass if one is due, and runs a step of the current one. */
void maintain_schedule_turn(struct maintain_schedule *s, struct db *db, int64_t now);

#endif
