/* rates: the rate now from the ingester's counter readings, at a fixed
 * clock: right within a reading or two of events starting, zero within
 * seconds of them stopping, and zero when the ingester stops writing. */
#include "config.h"

#include "unit.h"

#include <math.h>

#include "rates.h"

#define T0 1700000000000LL

/* Readings a second apart from T0; stored[i] and drained[i] at T0 + i s. */
static int readings(struct rate_point *p, const int64_t *stored, const int64_t *drained,
                    const int64_t *buffered, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (struct rate_point){.at = T0 + i * 1000, .stored = stored[i],
                                   .drained = drained ? drained[i] : 0,
                                   .buffered = buffered ? buffered[i] : 0};
    return n;
}

static void no_readings_no_rate(void **state)
{
    (void)state;
    struct rates_now r;
    rates_compute(NULL, 0, T0, &r);
    assert_false(r.known);
    assert_true(r.received == 0.0 && r.drained == 0.0);
    assert_false(r.buffered_known);

    struct rate_point one = {.at = T0, .stored = 500};
    rates_compute(&one, 1, T0 + 500, &r);
    assert_true(r.known);
    assert_true(r.received == 0.0);                    /* one reading is no rate */
}

static void steady_flow(void **state)
{
    (void)state;
    struct rate_point p[RATE_POINTS];
    const int64_t stored[] = {0, 100, 200, 300, 400, 500}, drained[] = {0, 90, 180, 270, 360, 450};
    int n = readings(p, stored, drained, NULL, 6);
    struct rates_now r;
    rates_compute(p, n, T0 + 5400, &r);
    assert_true(fabs(r.received - 100.0) < 1e-6);
    assert_true(fabs(r.drained - 90.0) < 1e-6);
}

static void order_does_not_matter(void **state)
{
    (void)state;
    struct rate_point p[RATE_POINTS];
    const int64_t stored[] = {0, 100, 200, 300, 400, 500};
    int n = readings(p, stored, NULL, NULL, 6);
    struct rate_point shuffled[6] = {p[3], p[0], p[5], p[1], p[4], p[2]};
    struct rates_now r;
    rates_compute(shuffled, n, T0 + 5400, &r);
    assert_true(fabs(r.received - 100.0) < 1e-6);
}

/* Events begin between the fourth and fifth readings: the first reading
 * after that already gives most of the rate, not a third of it. */
static void flow_starting_is_seen_at_once(void **state)
{
    (void)state;
    struct rate_point p[RATE_POINTS];
    const int64_t stored[] = {50, 50, 50, 50, 130};
    int n = readings(p, stored, NULL, NULL, 5);
    struct rates_now r;
    rates_compute(p, n, T0 + 4100, &r);
    assert_true(r.received >= 50.0);                   /* 100/s began 0.2 s before a reading */
    assert_true(r.received <= 150.0);
}

/* Received counts what waits in memory too: during a catch-up the store
 * lags the stream, and the rate now is what arrives. */
static void received_includes_the_buffer(void **state)
{
    (void)state;
    struct rate_point p[RATE_POINTS];
    const int64_t stored[] = {0, 10, 20, 30}, buffered[] = {0, 190, 380, 570};
    int n = readings(p, stored, stored, buffered, 4);
    struct rates_now r;
    rates_compute(p, n, T0 + 3100, &r);
    assert_true(fabs(r.received - 200.0) < 1e-6);
    assert_true(fabs(r.drained - 10.0) < 1e-6);
    assert_true(r.buffered_known);
    assert_int_equal(r.buffered, 570);
}

/* The writer keeps taking readings for a window after its counters stop:
 * the last ones show the stream quiet. */
static void quiet_stream_reads_zero(void **state)
{
    (void)state;
    struct rate_point p[RATE_POINTS];
    const int64_t stored[] = {0, 1000, 2000, 3000, 3000, 3000, 3000, 3000};
    int n = readings(p, stored, stored, NULL, 8);
    struct rates_now r;
    rates_compute(p, n, T0 + 7200, &r);
    assert_true(r.received == 0.0);
    assert_true(r.drained == 0.0);
    rates_compute(p, 5, T0 + 4200, &r);                /* as it stood a second after */
    assert_true(r.received < 700.0);                   /* falling already */
}

/* An ingester killed mid-flow writes nothing more: from its last reading's
 * staleness on, the reader's clock ends the window, and the rate falls to
 * zero instead of keeping its last value. */
static void stopped_ingester_reads_zero(void **state)
{
    (void)state;
    struct rate_point p[RATE_POINTS];
    const int64_t stored[] = {0, 1000, 2000, 3000, 4000}, buffered[] = {0, 5, 5, 5, 7};
    int n = readings(p, stored, stored, buffered, 5);
    struct rates_now r;
    rates_compute(p, n, T0 + 4000 + RATE_FRESH_MS, &r);
    assert_true(fabs(r.received - 1000.0) < 10.0);     /* fresh still */
    rates_compute(p, n, T0 + 4000 + RATE_WINDOW_MS + 1, &r);
    assert_true(r.received == 0.0);
    assert_true(r.drained == 0.0);
    assert_true(r.buffered_known);
    rates_compute(p, n, T0 + 4000 + RATE_BUFFERED_MS + 1, &r);
    assert_false(r.buffered_known);                    /* no longer believed */
    assert_int_equal(r.buffered, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_readings_no_rate),
        cmocka_unit_test(steady_flow),
        cmocka_unit_test(order_does_not_matter),
        cmocka_unit_test(flow_starting_is_seen_at_once),
        cmocka_unit_test(received_includes_the_buffer),
        cmocka_unit_test(quiet_stream_reads_zero),
        cmocka_unit_test(stopped_ingester_reads_zero),
    };
    return RUN_TAP(tests);
}
