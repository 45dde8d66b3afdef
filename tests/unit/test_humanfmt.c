/* humanfmt: numbers as an operator reads them. */
#include "config.h"

#include "unit.h"

#include <math.h>

#include "humanfmt.h"

static void counts_have_thousands_separators(void **state)
{
    (void)state;
    char b[HUMAN_LEN];
    assert_string_equal(human_count(0, b), "0");
    assert_string_equal(human_count(999, b), "999");
    assert_string_equal(human_count(1000, b), "1,000");
    assert_string_equal(human_count(1234567, b), "1,234,567");
    assert_string_equal(human_count(-1234567, b), "-1,234,567");
    assert_string_equal(human_count(INT64_MAX, b), "9,223,372,036,854,775,807");
    assert_string_equal(human_count(INT64_MIN, b), "-9,223,372,036,854,775,808");
}

static void rates_have_units(void **state)
{
    (void)state;
    char b[HUMAN_LEN];
    assert_string_equal(human_rate(0, b), "0/s");
    assert_string_equal(human_rate(-3, b), "0/s");
    assert_string_equal(human_rate(NAN, b), "0/s");
    assert_string_equal(human_rate(0.4, b), "0.4/s");
    assert_string_equal(human_rate(12.34, b), "12/s");
    assert_string_equal(human_rate(842, b), "842/s");
    assert_string_equal(human_rate(12500, b), "12.5k/s");
    assert_string_equal(human_rate(1.2e6, b), "1.2M/s");
}

static void durations_and_ages(void **state)
{
    (void)state;
    char b[HUMAN_LEN];
    assert_string_equal(human_duration(-5, b), "0s");
    assert_string_equal(human_duration(45, b), "45s");
    assert_string_equal(human_duration(243, b), "4m 03s");
    assert_string_equal(human_duration(7500, b), "2h 05m");
    assert_string_equal(human_duration(273600, b), "3d 04h");
    assert_string_equal(human_age(0, b), "now");
    assert_string_equal(human_age(3, b), "3s ago");
    assert_string_equal(human_age(240, b), "4m ago");
    assert_string_equal(human_age(7200, b), "2h ago");
    assert_string_equal(human_age(3 * 86400, b), "3d ago");
}

static void bytes_use_binary_units(void **state)
{
    (void)state;
    char b[HUMAN_LEN];
    assert_string_equal(human_bytes(512, b), "512 B");
    assert_string_equal(human_bytes(1536, b), "1.5 KiB");
    assert_string_equal(human_bytes(12LL * 1024 * 1024, b), "12.0 MiB");
    assert_string_equal(human_bytes(5LL << 50, b), "5120.0 TiB");
}

/* `status` printed 1.043e+04 and the Metrics pane 17399.60. */
static void figures_read_as_people_read_them(void **state)
{
    (void)state;
    char b[HUMAN_LEN];
    assert_string_equal(human_number(0, b), "0");
    assert_string_equal(human_number(3, b), "3");
    assert_string_equal(human_number(0.109, b), "0.109");
    assert_string_equal(human_number(199.6, b), "200");
    assert_string_equal(human_number(999.4, b), "999");
    assert_string_equal(human_number(999.6, b), "1k");
    assert_string_equal(human_number(10430, b), "10.4k");
    assert_string_equal(human_number(17399.60, b), "17.4k");
    assert_string_equal(human_number(851400, b), "851k");
    assert_string_equal(human_number(1043000, b), "1.04M");
    assert_string_equal(human_number(2.5e9, b), "2.5G");
    assert_string_equal(human_number(3e15, b), "3000T");
    assert_string_equal(human_number(-1234, b), "-1.23k");
    assert_string_equal(human_number(NAN, b), "-");
    assert_string_equal(human_number(INFINITY, b), "-");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_have_thousands_separators),
        cmocka_unit_test(rates_have_units),
        cmocka_unit_test(durations_and_ages),
        cmocka_unit_test(bytes_use_binary_units),
        cmocka_unit_test(figures_read_as_people_read_them),
    };
    return RUN_TAP(tests);
}
