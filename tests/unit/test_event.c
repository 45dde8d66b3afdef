/* event: what the real stream sends decodes; what is not an event is
 * refused with a reason. */
#include "config.h"

#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "testdb.h"
#include "timeutil.h"

static int64_t utc(const char *text)
{
    int64_t ms;
    assert_true(time_parse_iso(text, TIME_NAIVE_IS_UTC, &ms));
    return ms;
}

static struct stream_event *decode_ok(const char *line)
{
    struct stream_event *ev;
    struct err e;
    if (event_decode(line, strlen(line), &ev, &e) < 0)
        fail_msg("refused (%s): %s", e.msg, line);
    return ev;
}

static void the_published_fixture_decodes(void **state)
{
    (void)state;
    char path[4096];
    size_t len;
    snprintf(path, sizeof path, "%s/data/company-profile-event.json", getenv("TESTS_SRCDIR"));
    char *line = testdb_read_file(path, &len);
    assert_non_null(line);
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    struct stream_event *ev;
    struct err e;
    assert_int_equal(event_decode(line, len, &ev, &e), 0);
    assert_int_equal(ev->timepoint, 68805561);
    assert_int_equal(ev->type, EVENT_CHANGED);
    assert_string_equal(ev->company_number, "05954546");
    assert_string_equal(ev->company_name, "GLENCOYNE ENGINEERING LTD");
    assert_string_equal(ev->company_status, "active");
    assert_string_equal(ev->company_type, "ltd");
    assert_string_equal(ev->date_of_creation, "2006-10-03");
    assert_string_equal(ev->etag, "055ef4b361baa737e96bdaf5e7c0cb9b1ba31b3b");
    assert_string_equal(ev->locality, "Norwich");
    assert_string_equal(ev->postal_code, "NR16 2HS");
    assert_string_equal(ev->sic_codes, "[\"45200\"]");
    assert_null(ev->region);
    assert_non_null(strstr(ev->data, "\"company_number\":\"05954546\""));
    /* 2023-11-04 is winter: UK local time is UTC. */
    assert_int_equal(ev->published_at, utc("2023-11-04T14:33:29Z"));
    assert_int_equal(ev->raw_len, len);
    assert_memory_equal(ev->raw, line, len);
    char id[EVENT_ID_LEN];
    assert_string_equal(event_id(ev->timepoint, id), "company-profile:68805561");
    event_free(ev);
    free(line);
}

#define ENVELOPE(data, event) \
    "{\"resource_kind\":\"company-profile\",\"resource_id\":\"00000042\"" data ",\"event\":" event "}"

struct valid_case {
    const char *name;
    const char *line;
    int64_t timepoint;
    int type;
    const char *number;
    int64_t published;    /* -1: do not check */
};

static void valid_events(void **state)
{
    (void)state;
    const struct valid_case cases[] = {
        {"zone-less summer time is UK local",
         ENVELOPE(",\"data\":{\"company_number\":\"1\"}", "{\"timepoint\":5,\"published_at\":\"2024-07-01T12:00:00\",\"type\":\"changed\"}"),
         5, EVENT_CHANGED, "1", 1719831600000},
        {"fractions and Z",
         ENVELOPE(",\"data\":{\"company_number\":\"1\"}", "{\"timepoint\":6,\"published_at\":\"2024-07-01T12:00:00.250Z\",\"type\":\"changed\"}"),
         6, EVENT_CHANGED, "1", 1719835200250},
        {"an offset",
         ENVELOPE(",\"data\":{\"company_number\":\"1\"}", "{\"timepoint\":7,\"published_at\":\"2024-07-01T13:00:00+01:00\",\"type\":\"changed\"}"),
         7, EVENT_CHANGED, "1", 1719835200000},
        {"no published_at, fields_changed absent",
         ENVELOPE(",\"data\":{\"company_number\":\"1\"}", "{\"timepoint\":8,\"type\":\"changed\"}"),
         8, EVENT_CHANGED, "1", 0},
        {"unreadable published_at is tolerated",
         ENVELOPE(",\"data\":{\"company_number\":\"1\"}", "{\"timepoint\":9,\"published_at\":\"yesterday\",\"type\":\"changed\"}"),
         9, EVENT_CHANGED, "1", 0},
        {"unknown extra fields",
         ENVELOPE(",\"data\":{\"company_number\":\"1\",\"new_thing\":[1,{}]},\"extra\":true", "{\"timepoint\":10,\"type\":\"changed\",\"fields_changed\":[\"x\"],\"more\":1}"),
         10, EVENT_CHANGED, "1", -1},
        {"deleted without data uses resource_id",
         ENVELOPE("", "{\"timepoint\":11,\"type\":\"deleted\"}"), 11, EVENT_DELETED, "00000042", -1},
        {"company number from resource_id",
         ENVELOPE(",\"data\":{\"company_name\":\"X\"}", "{\"timepoint\":12,\"type\":\"changed\"}"),
         12, EVENT_CHANGED, "00000042", -1},
        {"a big timepoint",
         ENVELOPE(",\"data\":{}", "{\"timepoint\":9007199254740991,\"type\":\"changed\"}"), 9007199254740991,
         EVENT_CHANGED, "00000042", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct stream_event *ev = decode_ok(cases[i].line);
        if (ev->timepoint != cases[i].timepoint || (int)ev->type != cases[i].type ||
            strcmp(ev->company_number, cases[i].number) != 0 ||
            (cases[i].published >= 0 && ev->published_at != cases[i].published))
            fail_msg("%s: tp %lld type %d number %s published %lld", cases[i].name,
                     (long long)ev->timepoint, ev->type, ev->company_number,
                     (long long)ev->published_at);
        event_free(ev);
    }
}

static void wrong_types_in_the_profile_are_left_out(void **state)
{
    (void)state;
    struct stream_event *ev = decode_ok(ENVELOPE(
        ",\"data\":{\"company_number\":\"7\",\"company_name\":42,\"company_status\":null,"
        "\"registered_office_address\":\"not an object\",\"sic_codes\":\"62012\"}",
        "{\"timepoint\":1,\"type\":\"changed\"}"));
    assert_null(ev->company_name);
    assert_null(ev->company_status);
    assert_null(ev->locality);
    assert_null(ev->sic_codes);
    assert_string_equal(ev->company_number, "7");
    event_free(ev);
}

struct invalid_case {
    const char *line;
    size_t len;           /* 0: strlen */
    const char *reason;
};

static void lines_that_are_not_events(void **state)
{
    (void)state;
    const struct invalid_case cases[] = {
        {"not json", 0, "not valid JSON"},
        {"{\"resource_kind\":\"company-profile\"", 0, "not valid JSON"},
        {"[1,2,3]", 0, "not a JSON object"},
        {"\"string\"", 0, "not a JSON object"},
        {"{}", 0, "missing resource_kind"},
        {"{\"resource_kind\":\"officers\",\"event\":{\"timepoint\":1,\"type\":\"changed\"}}", 0,
         "unexpected resource_kind 'officers'"},
        {ENVELOPE(",\"data\":{}", "{\"type\":\"changed\"}"), 0, "missing event.timepoint"},
        {ENVELOPE(",\"data\":{}", "{\"timepoint\":\"soon\",\"type\":\"changed\"}"), 0,
         "event.timepoint is not a non-negative integer"},
        {ENVELOPE(",\"data\":{}", "{\"timepoint\":-1,\"type\":\"changed\"}"), 0,
         "event.timepoint is not a non-negative integer"},
        {ENVELOPE(",\"data\":{}", "{\"timepoint\":1.5,\"type\":\"changed\"}"), 0,
         "event.timepoint is not a non-negative integer"},
        {ENVELOPE(",\"data\":{}", "{\"timepoint\":1,\"type\":\"merged\"}"), 0,
         "unknown event type 'merged'"},
        {ENVELOPE(",\"data\":{}", "{\"timepoint\":1}"), 0, "missing event.type"},
        {ENVELOPE(",\"data\":[1]", "{\"timepoint\":1,\"type\":\"changed\"}"), 0, "data is not an object"},
        {ENVELOPE("", "{\"timepoint\":1,\"type\":\"changed\"}"), 0, "a changed event without data"},
        {ENVELOPE("", "\"later\""), 0, "missing event object"},
        {"{\"resource_kind\":\"company-profile\"\0,\"event\":{}}", 44, "NUL byte"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct stream_event *ev = (struct stream_event *)1;
        struct err e = {{0}};
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].line);
        if (event_decode(cases[i].line, len, &ev, &e) == 0)
            fail_msg("accepted: %s", cases[i].line);
        assert_null(ev);
        if (!strstr(e.msg, cases[i].reason))
            fail_msg("case %zu: '%s' does not say '%s'", i, e.msg, cases[i].reason);
    }
}

static void an_escaped_backslash_before_u0000_is_fine(void **state)
{
    (void)state;
    struct stream_event *ev = decode_ok(ENVELOPE(",\"data\":{\"company_name\":\"A\\\\u0000B\"}",
                                                 "{\"timepoint\":1,\"type\":\"changed\"}"));
    assert_string_equal(ev->company_name, "A\\u0000B");
    event_free(ev);
}

#define CHANGED(tp) "{\"timepoint\":" tp ",\"type\":\"changed\"}"
#define FFFD "\xEF\xBF\xBD"

static void a_line_is_one_json_value(void **state)
{
    (void)state;
    const char *lines[] = {
        ENVELOPE(",\"data\":{}", CHANGED("1")) ENVELOPE(",\"data\":{}", CHANGED("2")),
        ENVELOPE(",\"data\":{}", CHANGED("1")) "\n" ENVELOPE(",\"data\":{}", CHANGED("2")),
        ENVELOPE(",\"data\":{}", CHANGED("1")) " x",
        ENVELOPE(",\"data\":{}", CHANGED("1")) "}",
        ENVELOPE(",\"data\":{}", CHANGED("1")) ",",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct stream_event *ev;
        struct err e;
        if (event_decode(lines[i], strlen(lines[i]), &ev, &e) == 0)
            fail_msg("accepted: %s", lines[i]);
        assert_non_null(strstr(e.msg, "text after the value"));
    }
    struct stream_event *ev = decode_ok(" \t" ENVELOPE(",\"data\":{}", CHANGED("3")) " \t\r");
    assert_int_equal(ev->timepoint, 3);
    event_free(ev);
}

/* Each refused for a reason cJSON alone would not have given. */
static void json_is_read_strictly(void **state)
{
    (void)state;
    const char *lines[] = {
        "\x01" ENVELOPE(",\"data\":{}", CHANGED("1")),
        ENVELOPE(",\"data\":{\"x\":01}", CHANGED("1")),
        ENVELOPE(",\"data\":{\"x\":1.}", CHANGED("1")),
        ENVELOPE(",\"data\":{\"x\":NaN}", CHANGED("1")),
        ENVELOPE(",\"data\":{\"x\":[1,]}", CHANGED("1")),
        ENVELOPE(",\"data\":{\"x\":\"a\tb\"}", CHANGED("1")),
        ENVELOPE(",\"data\":{\"x\":\"\\x41\"}", CHANGED("1")),
        ENVELOPE(",\"data\":{\"x\":\"\\u12\"}", CHANGED("1")),
        ENVELOPE(",\"data\":{\"x\":tru}", CHANGED("1")),
        "",
        " ",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        struct stream_event *ev;
        struct err e;
        if (event_decode(lines[i], strlen(lines[i]), &ev, &e) == 0)
            fail_msg("accepted: %s", lines[i]);
        assert_non_null(strstr(e.msg, "not valid JSON"));
    }
}

static void timepoints_are_exact_json_integers(void **state)
{
    (void)state;
    const struct { const char *token; int64_t tp; } ok[] = {
        {"0", 0}, {"115", 115}, {"9007199254740993", 9007199254740993},
        {"9223372036854775807", INT64_MAX},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char line[512];
        snprintf(line, sizeof line, ENVELOPE(",\"data\":{}", "{\"timepoint\":%s,\"type\":\"changed\"}"),
                 ok[i].token);
        struct stream_event *ev = decode_ok(line);
        if (ev->timepoint != ok[i].tp)
            fail_msg("%s read as %lld", ok[i].token, (long long)ev->timepoint);
        event_free(ev);
    }
    const char *bad[] = {
        "\"99999999999999999999\"", "\" 115\"", "\"+116\"", "\"13\"", "1e3", "1.0", "-1", "-0",
        "9223372036854775808", "99999999999999999999", "true", "null", "[1]", "{}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char line[512];
        struct stream_event *ev;
        struct err e;
        snprintf(line, sizeof line, ENVELOPE(",\"data\":{}", "{\"timepoint\":%s,\"type\":\"changed\"}"),
                 bad[i]);
        if (event_decode(line, strlen(line), &ev, &e) == 0)
            fail_msg("accepted timepoint %s as %lld", bad[i], (long long)ev->timepoint);
        assert_non_null(strstr(e.msg, "event.timepoint is not a non-negative integer"));
    }
}

static void an_escaped_nul_is_applied_as_u_fffd(void **state)
{
    (void)state;
    const char *line = ENVELOPE(",\"data\":{\"company_number\":\"12\\u000034\",\"company_name\":\"A\\u0000B\","
                                "\"registered_office_address\":{\"locality\":\"\\u0000\"}}",
                                CHANGED("77"));
    struct stream_event *ev = decode_ok(line);
    assert_int_equal(ev->timepoint, 77);
    assert_string_equal(ev->company_name, "A" FFFD "B");
    assert_string_equal(ev->company_number, "12" FFFD "34");
    assert_string_equal(ev->locality, FFFD);
    assert_non_null(strstr(ev->data, "\"company_name\":\"A" FFFD "B\""));
    assert_int_equal(ev->raw_len, strlen(line));
    assert_memory_equal(ev->raw, line, strlen(line));
    event_free(ev);
}

static void applied_text_is_valid_utf8(void **state)
{
    (void)state;
    const struct { const char *name_json, *applied; } cases[] = {
        {"\"A\xff\xfe" "B\"", "A" FFFD FFFD "B"},
        {"\"\\ud800\"", FFFD},
        {"\"\\udc00x\"", FFFD "x"},
        {"\"\\ud800\\ud800\\udc00\"", FFFD "\xF0\x90\x80\x80"},
        {"\"\\ud83d\\ude00\"", "\xF0\x9F\x98\x80"},
        {"\"\xe2\x82\"", FFFD FFFD},
        {"\"\xed\xa0\x80\"", FFFD FFFD FFFD},
        {"\"caf\xc3\xa9\"", "caf\xc3\xa9"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char line[512], data_has[128];
        snprintf(line, sizeof line, ENVELOPE(",\"data\":{\"company_name\":%s}", CHANGED("5")),
                 cases[i].name_json);
        struct stream_event *ev = decode_ok(line);
        snprintf(data_has, sizeof data_has, "\"company_name\":\"%s\"", cases[i].applied);
        if (strcmp(ev->company_name, cases[i].applied) != 0 || !strstr(ev->data, data_has))
            fail_msg("case %zu: name '%s', data %s", i, ev->company_name, ev->data);
        assert_memory_equal(ev->raw, line, strlen(line));
        event_free(ev);
    }
}

static void of_duplicate_keys_the_last_wins(void **state)
{
    (void)state;
    struct stream_event *ev = decode_ok(
        "{\"resource_kind\":\"officers\",\"resource_kind\":\"company-profile\","
        "\"data\":{\"company_number\":\"1\",\"company_name\":\"OLD\",\"company_name\":\"NEW\"},"
        "\"event\":{\"timepoint\":1,\"type\":\"deleted\"},"
        "\"event\":{\"timepoint\":2,\"timepoint\":3,\"type\":\"deleted\",\"type\":\"changed\"}}");
    assert_int_equal(ev->timepoint, 3);
    assert_int_equal(ev->type, EVENT_CHANGED);
    assert_string_equal(ev->company_name, "NEW");
    event_free(ev);
    /* A later event object without a timepoint does not inherit the earlier one's. */
    const char *line = "{\"resource_kind\":\"company-profile\",\"resource_id\":\"1\",\"data\":{},"
                       "\"event\":{\"timepoint\":2,\"type\":\"changed\"},\"event\":{\"type\":\"changed\"}}";
    struct err e;
    assert_int_equal(event_decode(line, strlen(line), &ev, &e), -1);
    assert_non_null(strstr(e.msg, "missing event.timepoint"));
    /* A name spelled with escapes is the same name. */
    ev = decode_ok("{\"resource_kind\":\"company-profile\",\"resource_id\":\"1\",\"data\":{},"
                   "\"event\":{\"timepoint\":2,\"type\":\"changed\"},"
                   "\"\\u0065vent\":{\"time\\u0070oint\":4,\"type\":\"changed\"}}");
    assert_int_equal(ev->timepoint, 4);
    event_free(ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_published_fixture_decodes),
        cmocka_unit_test(valid_events),
        cmocka_unit_test(wrong_types_in_the_profile_are_left_out),
        cmocka_unit_test(lines_that_are_not_events),
        cmocka_unit_test(an_escaped_backslash_before_u0000_is_fine),
        cmocka_unit_test(a_line_is_one_json_value),
        cmocka_unit_test(json_is_read_strictly),
        cmocka_unit_test(timepoints_are_exact_json_integers),
        cmocka_unit_test(an_escaped_nul_is_applied_as_u_fffd),
        cmocka_unit_test(applied_text_is_valid_utf8),
        cmocka_unit_test(of_duplicate_keys_the_last_wins),
    };
    return RUN_TAP(tests);
}
