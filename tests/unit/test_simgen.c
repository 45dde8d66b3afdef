/* simgen: the simulator's events are deterministic, valid and realistic. */
#include "config.h"

#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "simgen.h"

static struct stream_event *generated(const struct simgen *g, int64_t tp)
{
    struct sbuf b = {0};
    struct stream_event *ev;
    struct err e;
    assert_int_equal(simgen_event(g, tp, &b), 0);
    assert_true(b.len > 100 && b.data[b.len - 1] == '\n');
    assert_null(memchr(b.data, '\n', b.len - 1));
    if (event_decode(b.data, b.len - 1, &ev, &e) < 0)
        fail_msg("tp %lld does not decode (%s): %s", (long long)tp, e.msg, b.data);
    sbuf_free(&b);
    return ev;
}

static void the_same_timepoint_gives_the_same_bytes(void **state)
{
    (void)state;
    struct simgen g;
    simgen_init(&g, 99, 1000, 1700000000000, 50);
    for (int64_t tp = 1000; tp < 1200; tp++) {
        struct sbuf a = {0}, b = {0};
        simgen_event(&g, tp, &a);
        simgen_event(&g, tp, &b);
        assert_int_equal(a.len, b.len);
        assert_memory_equal(a.data, b.data, a.len);
        sbuf_free(&a);
        sbuf_free(&b);
    }
}

static void events_are_valid_and_varied(void **state)
{
    (void)state;
    struct simgen g;
    simgen_init(&g, 7, 1, 1700000000000, 100);
    int deleted = 0, repeats = 0, non_ascii = 0, scottish = 0;
    for (int64_t tp = 1; tp <= 2000; tp++) {
        struct stream_event *ev = generated(&g, tp);
        assert_int_equal(ev->timepoint, tp);
        assert_non_null(ev->company_number);
        assert_non_null(ev->etag);
        assert_true(ev->published_at >= 1700000000000 - 3600000);
        deleted += ev->type == EVENT_DELETED;
        scottish += strncmp(ev->company_number, "SC", 2) == 0;
        for (const char *p = ev->company_name ? ev->company_name : ""; *p; p++)
            if ((unsigned char)*p >= 0x80) {
                non_ascii++;
                break;
            }
        if (tp > 100 && tp <= 600) {
            for (int64_t back = 1; back <= 50; back++) {
                struct stream_event *old = generated(&g, tp - back);
                bool same = strcmp(old->etag, ev->etag) == 0;
                event_free(old);
                if (same) {
                    assert_true(back > 0);
                    repeats++;
                    break;
                }
            }
        }
        event_free(ev);
    }
    assert_true(deleted > 10 && deleted < 120);
    assert_true(repeats > 10);
    assert_true(non_ascii > 50);
    assert_true(scottish > 50);
}

static void gaps_skip_timepoints(void **state)
{
    (void)state;
    struct simgen g;
    simgen_init(&g, 1, 100, 0, 10);
    g.gap_every = 10;
    assert_false(simgen_exists(&g, 99));
    assert_true(simgen_exists(&g, 100));
    assert_false(simgen_exists(&g, 109));
    assert_int_equal(simgen_next(&g, 108), 110);
}

static void garbage_is_never_a_valid_event(void **state)
{
    (void)state;
    struct simgen g;
    simgen_init(&g, 1, 1, 0, 10);
    for (unsigned k = 0; k < 2 * SIMGEN_GARBAGE_KINDS; k++) {
        struct sbuf b = {0};
        struct stream_event *ev;
        struct err e;
        simgen_garbage(&g, 1000 + k, k, &b);
        assert_true(b.len > 0 && b.data[b.len - 1] == '\n');
        assert_int_equal(event_decode(b.data, b.len - 1, &ev, &e), -1);
        sbuf_free(&b);
    }
}

static void hostile_names_carry_escape_sequences(void **state)
{
    (void)state;
    struct simgen g;
    simgen_init(&g, 3, 1, 0, 10);
    g.hostile_every = 5;
    struct stream_event *ev = generated(&g, 5);
    assert_non_null(strchr(ev->company_name, '\x1b'));
    assert_non_null(strchr(ev->company_name, '\x07'));
    event_free(ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_same_timepoint_gives_the_same_bytes),
        cmocka_unit_test(events_are_valid_and_varied),
        cmocka_unit_test(gaps_skip_timepoints),
        cmocka_unit_test(garbage_is_never_a_valid_event),
        cmocka_unit_test(hostile_names_carry_escape_sequences),
    };
    return RUN_TAP(tests);
}
