/* namebits: a comma list and a stored JSON array to a mask and back, the
 * first bad word named, names a newer streamtop stored ignored, garbage
 * read as none, and a buffer too small refused. */
#include "config.h"

#include <string.h>

#include "unit.h"

#include "namebits.h"

static const char *const names[] = {"red", "green", "blue"};
static const struct namebits colours = {names, 3};

static void a_list_parses_to_bits_in_table_order(void **state)
{
    (void)state;
    static const struct {
        const char *list;
        int rc;
        unsigned mask;
        const char *bad;            /* the word named, for rc -1 */
    } cases[] = {
        {"red", 0, 1u, NULL},
        {"blue,red", 0, 5u, NULL},
        {"green,green", 0, 2u, NULL},
        {"red,purple", -1, 0, "purple"},
        {"", -1, 0, ""},
        {"red,", -1, 0, ""},
        {"re", -1, 0, "re"},
        {"redd,green", -1, 0, "redd"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned mask = 99;
        const char *bad = NULL;
        size_t len = 0;
        int rc = namebits_parse_list(&colours, cases[i].list, &mask, &bad, &len);
        assert_int_equal(rc, cases[i].rc);
        if (rc == 0) {
            assert_int_equal(mask, cases[i].mask);
        } else {
            assert_int_equal(len, strlen(cases[i].bad));
            assert_memory_equal(bad, cases[i].bad, len);
        }
    }
}

static void json_round_trips(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(namebits_json(&colours, 5u, buf, sizeof buf), 0);
    assert_string_equal(buf, "[\"red\",\"blue\"]");
    assert_int_equal(namebits_from_json(&colours, buf), 5u);
    assert_int_equal(namebits_json(&colours, 0, buf, sizeof buf), 0);
    assert_string_equal(buf, "[]");
    assert_int_equal(namebits_json(&colours, 1u << 7, buf, sizeof buf), 0);   /* not a name */
    assert_string_equal(buf, "[]");
}

static void stored_arrays_read_leniently(void **state)
{
    (void)state;
    assert_int_equal(namebits_from_json(&colours, "[\"green\", \"ultraviolet\", 3, null]"), 2u);
    assert_int_equal(namebits_from_json(&colours, "\"green\""), 0);
    assert_int_equal(namebits_from_json(&colours, "not json"), 0);
    assert_int_equal(namebits_from_json(&colours, NULL), 0);
}

static void a_small_buffer_is_refused(void **state)
{
    (void)state;
    char buf[8];
    assert_int_equal(namebits_json(&colours, 7u, buf, sizeof buf), -1);
    assert_string_equal(buf, "[]");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_list_parses_to_bits_in_table_order),
        cmocka_unit_test(json_round_trips),
        cmocka_unit_test(stored_arrays_read_leniently),
        cmocka_unit_test(a_small_buffer_is_refused),
    };
    return RUN_TAP(tests);
}
