/* timeutil: formatting, parsing every timestamp shape the database and the
 * stream use, and UK civil time for the stream's zone-less published_at. */
#include "config.h"

#include "unit.h"

#include <string.h>

#include "timeutil.h"

static int64_t utc(const char *text)
{
    int64_t ms;
    if (!time_parse_iso(text, TIME_NAIVE_IS_UTC, &ms))
        fail_msg("could not parse %s", text);
    return ms;
}

static void format_known_instants(void **state)
{
    (void)state;
    char buf[ISO_TIME_LEN];
    assert_string_equal(time_format_iso(0, buf), "1970-01-01T00:00:00.000Z");
    assert_string_equal(time_format_iso(1699108409123, buf), "2023-11-04T14:33:29.123Z");
    assert_string_equal(time_format_iso(951782400000, buf), "2000-02-29T00:00:00.000Z");
    assert_string_equal(time_format_iso(-1, buf), "1969-12-31T23:59:59.999Z");
}

static void parse_round_trips(void **state)
{
    (void)state;
    char buf[ISO_TIME_LEN];
    for (int64_t ms = -86400000LL * 400; ms < 86400000LL * 365 * 100; ms += 86400000LL * 37 + 3723456)
        assert_int_equal(utc(time_format_iso(ms, buf)), ms);
}

static void parse_accepts_database_and_stream_shapes(void **state)
{
    (void)state;
    const int64_t t = 1699108409000;   /* 2023-11-04T14:33:29Z */
    assert_int_equal(utc("2023-11-04T14:33:29Z"), t);
    assert_int_equal(utc("2023-11-04 14:33:29"), t);                /* SQLite datetime('now') */
    assert_int_equal(utc("2023-11-04T14:33:29"), t);
    assert_int_equal(utc("2023-11-04T14:33:29.5Z"), t + 500);
    assert_int_equal(utc("2023-11-04T14:33:29.123456789Z"), t + 123);
    assert_int_equal(utc("2023-11-04T15:33:29+01:00"), t);
    assert_int_equal(utc("2023-11-04T09:03:29-0530"), t);
    assert_int_equal(utc("2023-11-04t14:33:29z"), t);
}

static void parse_rejects_malformed(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "2023-11-04", "2023-11-04T14:33", "2023-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
        "2023-11-31T00:00:00Z", "2023-11-04T24:00:00Z", "2023-11-04T14:60:00Z",
        "2023-11-04T14:33:29ZZ", "2023-11-04T14:33:29.Z", "2023-11-04T14:33:29+1", "garbage",
        "2023-11-04X14:33:29", " 2023-11-04T14:33:29Z",
    };
    int64_t ms;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (time_parse_iso(bad[i], TIME_NAIVE_IS_UTC, &ms))
            fail_msg("accepted '%s'", bad[i]);
    assert_false(time_parse_iso(NULL, TIME_NAIVE_IS_UTC, &ms));
}

static void london_time_follows_summer_time(void **state)
{
    (void)state;
    int64_t ms;
    /* Winter: GMT. */
    assert_true(time_parse_iso("2023-11-04T14:33:29", TIME_NAIVE_IS_LONDON, &ms));
    assert_int_equal(ms, utc("2023-11-04T14:33:29Z"));
    /* Summer: BST is UTC+1. */
    assert_true(time_parse_iso("2024-07-01T12:00:00", TIME_NAIVE_IS_LONDON, &ms));
    assert_int_equal(ms, utc("2024-07-01T11:00:00Z"));
    /* An explicit zone wins over the London default. */
    assert_true(time_parse_iso("2024-07-01T12:00:00Z", TIME_NAIVE_IS_LONDON, &ms));
    assert_int_equal(ms, utc("2024-07-01T12:00:00Z"));
    /* 2024: summer time from 31 March 01:00 UTC to 27 October 01:00 UTC. */
    assert_int_equal(time_london_offset_ms(utc("2024-03-31T00:59:59Z")), 0);
    assert_int_equal(time_london_offset_ms(utc("2024-03-31T01:00:00Z")), 3600000);
    assert_int_equal(time_london_offset_ms(utc("2024-10-27T00:59:59Z")), 3600000);
    assert_int_equal(time_london_offset_ms(utc("2024-10-27T01:00:00Z")), 0);
    /* The repeated autumn hour reads as the earlier (summer time) instant. */
    assert_true(time_parse_iso("2024-10-27T01:30:00", TIME_NAIVE_IS_LONDON, &ms));
    assert_int_equal(ms, utc("2024-10-27T00:30:00Z"));
    assert_true(time_parse_iso("2024-10-27T02:30:00", TIME_NAIVE_IS_LONDON, &ms));
    assert_int_equal(ms, utc("2024-10-27T02:30:00Z"));
}

static void clocks_move_forward(void **state)
{
    (void)state;
    int64_t a = time_mono_ms(), now = time_now_ms();
    assert_true(now > utc("2024-01-01T00:00:00Z"));
    assert_true(time_mono_ms() >= a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_known_instants),
        cmocka_unit_test(parse_round_trips),
        cmocka_unit_test(parse_accepts_database_and_stream_shapes),
        cmocka_unit_test(parse_rejects_malformed),
        cmocka_unit_test(london_time_follows_summer_time),
        cmocka_unit_test(clocks_move_forward),
    };
    return RUN_TAP(tests);
}
