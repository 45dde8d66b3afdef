/* conn_state: each connection state's spellings come from one table: the
 * name stream_state stores (and parses back), the seed's
 * connection_status, and the Connection pane's label. */
#include "config.h"

#include "unit.h"

#include <string.h>

#include "conn_state.h"

static const struct {
    enum conn_state state;
    const char *name, *seed, *label;
} cases[] = {
    {CONN_DISCONNECTED, "disconnected", "disconnected", "disconnected"},
    {CONN_CONNECTING, "connecting", "disconnected", "connecting"},
    {CONN_CONNECTED, "connected", "connected", "connected"},
    {CONN_BACKOFF, "backoff", "disconnected", "backing off"},
    {CONN_ERROR, "error", "error", "error"},
};

static void each_state_is_spelled_once_for_each_reader(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_string_equal(conn_state_name(cases[i].state), cases[i].name);
        assert_string_equal(conn_state_seed_status(cases[i].state), cases[i].seed);
        assert_string_equal(conn_state_label(cases[i].state), cases[i].label);
        assert_int_equal(conn_state_parse(cases[i].name), cases[i].state);
    }
}

static void anything_unknown_is_disconnected(void **state)
{
    (void)state;
    assert_int_equal(conn_state_parse(NULL), CONN_DISCONNECTED);
    assert_int_equal(conn_state_parse(""), CONN_DISCONNECTED);
    assert_int_equal(conn_state_parse("backing off"), CONN_DISCONNECTED);
    assert_string_equal(conn_state_name((enum conn_state)99), "disconnected");
}

/* A database with only the seed's row says connected or not; its "error"
 * does not say whether a backoff is running. */
static void the_seed_status_says_connected_or_not(void **state)
{
    (void)state;
    assert_int_equal(conn_state_from_seed_status("connected"), CONN_CONNECTED);
    assert_int_equal(conn_state_from_seed_status("disconnected"), CONN_DISCONNECTED);
    assert_int_equal(conn_state_from_seed_status("error"), CONN_DISCONNECTED);
    assert_int_equal(conn_state_from_seed_status(NULL), CONN_DISCONNECTED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_state_is_spelled_once_for_each_reader),
        cmocka_unit_test(anything_unknown_is_disconnected),
        cmocka_unit_test(the_seed_status_says_connected_or_not),
    };
    return RUN_TAP(tests);
}
