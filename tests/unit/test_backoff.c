/* backoff: how long to wait, for every way a connection ends. */
#include "config.h"

#include "unit.h"

#include "backoff.h"

static void network_failures_grow_with_jitter_up_to_the_cap(void **state)
{
    (void)state;
    struct backoff b;
    backoff_init(&b, 42);
    int64_t ceiling = BACKOFF_BASE_MS;
    for (int i = 0; i < 12; i++) {
        int64_t d = backoff_delay_ms(&b, BACKOFF_NETWORK, -1);
        assert_true(d >= BACKOFF_FLOOR_MS);
        assert_true(d <= ceiling);
        ceiling = ceiling * 2 < BACKOFF_CAP_MS ? ceiling * 2 : BACKOFF_CAP_MS;
    }
    /* Jitter: delays at the cap are spread, not all equal. */
    int64_t lo = INT64_MAX, hi = 0;
    for (int i = 0; i < 50; i++) {
        int64_t d = backoff_delay_ms(&b, BACKOFF_SERVER_ERROR, -1);
        lo = d < lo ? d : lo;
        hi = d > hi ? d : hi;
        assert_true(d <= BACKOFF_CAP_MS);
    }
    assert_true(hi - lo > BACKOFF_CAP_MS / 4);
}

static void progress_resets_the_count(void **state)
{
    (void)state;
    struct backoff b;
    backoff_init(&b, 7);
    for (int i = 0; i < 10; i++)
        backoff_delay_ms(&b, BACKOFF_STALLED, -1);
    backoff_reset(&b);
    assert_true(backoff_delay_ms(&b, BACKOFF_CLOSED, -1) <= BACKOFF_BASE_MS);
}

static void retry_after_is_honoured(void **state)
{
    (void)state;
    struct backoff b;
    backoff_init(&b, 1);
    int64_t d = backoff_delay_ms(&b, BACKOFF_RATE_LIMITED, 30);
    assert_true(d >= 30000 && d <= 33000);
    d = backoff_delay_ms(&b, BACKOFF_SERVER_ERROR, 45);   /* 503 with Retry-After */
    assert_true(d >= 45000);
}

static void rate_limited_without_retry_after_waits_a_minute(void **state)
{
    (void)state;
    struct backoff b;
    backoff_init(&b, 3);
    for (int i = 0; i < 5; i++)
        assert_true(backoff_delay_ms(&b, BACKOFF_RATE_LIMITED, -1) >= 60000);
}

static void a_rejected_key_backs_off_for_minutes(void **state)
{
    (void)state;
    struct backoff b;
    backoff_init(&b, 9);
    int64_t first = backoff_delay_ms(&b, BACKOFF_UNAUTHORISED, -1);
    assert_true(first >= BACKOFF_AUTH_MS);
    int64_t d = 0;
    for (int i = 0; i < 10; i++)
        d = backoff_delay_ms(&b, BACKOFF_UNAUTHORISED, -1);
    assert_true(d >= BACKOFF_AUTH_CAP_MS && d <= BACKOFF_AUTH_CAP_MS * 5 / 4);
    assert_true(backoff_delay_ms(&b, BACKOFF_REFUSED, -1) >= 60000);
}

/* The writer's failed commits: 50 ms doubling to 5 s, the same every
 * time (one writer: nothing to spread). */
static void a_failed_commit_is_tried_again_sooner_then_later(void **state)
{
    (void)state;
    static const int64_t want[] = {50, 100, 200, 400, 800, 1600, 3200, 5000, 5000};
    struct backoff b;
    backoff_init(&b, 7);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_int_equal(backoff_delay_ms(&b, BACKOFF_COMMIT, -1), want[i]);
    backoff_reset(&b);
    assert_int_equal(backoff_delay_ms(&b, BACKOFF_COMMIT, -1), BACKOFF_COMMIT_BASE_MS);
}

static void too_old_restarts_from_now_at_once(void **state)
{
    (void)state;
    struct backoff b;
    backoff_init(&b, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(backoff_delay_ms(&b, BACKOFF_TOO_OLD, -1), BACKOFF_FLOOR_MS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(network_failures_grow_with_jitter_up_to_the_cap),
        cmocka_unit_test(progress_resets_the_count),
        cmocka_unit_test(retry_after_is_honoured),
        cmocka_unit_test(rate_limited_without_retry_after_waits_a_minute),
        cmocka_unit_test(a_rejected_key_backs_off_for_minutes),
        cmocka_unit_test(a_failed_commit_is_tried_again_sooner_then_later),
        cmocka_unit_test(too_old_restarts_from_now_at_once),
    };
    return RUN_TAP(tests);
}
