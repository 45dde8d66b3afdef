/* channel: order, batching by count and by time, back-pressure, stopping. */
#include "config.h"

#include "unit.h"

#include <pthread.h>
#include <stdlib.h>

#include "channel.h"
#include "timeutil.h"

static struct ingest_msg *msg(size_t bytes, int64_t tag)
{
    struct ingest_msg *m = calloc(1, sizeof *m);
    m->kind = MSG_HEARTBEAT;
    m->bytes = bytes;
    m->at = tag;
    return m;
}

static size_t take_and_free(struct channel *c, size_t max, int64_t wait, int64_t batch,
                            int64_t *first_tag, int64_t *last_tag)
{
    struct ingest_msg *list;
    size_t n = channel_take(c, max, wait, batch, &list);
    *first_tag = list ? list->at : -1;
    while (list) {
        struct ingest_msg *next = list->next;
        *last_tag = list->at;
        ingest_msg_free(list);
        list = next;
    }
    return n;
}

static void fifo_and_batches_by_count(void **state)
{
    (void)state;
    struct channel c;
    atomic_bool stop = false;
    int64_t first, last;
    channel_init(&c, 1 << 20);
    for (int i = 0; i < 10; i++)
        assert_int_equal(channel_push(&c, msg(100, i), &stop), 0);
    assert_int_equal(channel_depth(&c), 10);
    assert_int_equal(take_and_free(&c, 4, 0, 1000, &first, &last), 4);
    assert_int_equal(first, 0);
    assert_int_equal(last, 3);
    assert_int_equal(take_and_free(&c, 100, 0, 0, &first, &last), 6);
    assert_int_equal(first, 4);
    assert_int_equal(last, 9);
    channel_destroy(&c);
}

static void an_empty_take_waits_then_returns_nothing(void **state)
{
    (void)state;
    struct channel c;
    int64_t first, last;
    channel_init(&c, 1 << 20);
    int64_t t0 = time_mono_ms();
    assert_int_equal(take_and_free(&c, 10, 50, 10, &first, &last), 0);
    assert_true(time_mono_ms() - t0 >= 45);
    channel_destroy(&c);
}

/* A change of connection state is not held back for a long batch: what is
 * queued is taken at once, the state change with it. */
static void a_connection_change_ends_the_gathering(void **state)
{
    (void)state;
    struct channel c;
    atomic_bool stop = false;
    int64_t first, last;
    channel_init(&c, 1 << 20);
    struct ingest_msg *change = msg(0, 1);
    change->kind = MSG_CONNECTION;
    assert_int_equal(channel_push(&c, msg(100, 0), &stop), 0);
    assert_int_equal(channel_push(&c, change, &stop), 0);
    assert_int_equal(channel_push(&c, msg(100, 2), &stop), 0);
    int64_t t0 = time_mono_ms();
    assert_int_equal(take_and_free(&c, 100, 0, 10000, &first, &last), 3);
    assert_true(time_mono_ms() - t0 < 1000);
    assert_int_equal(first, 0);
    assert_int_equal(last, 2);

    assert_int_equal(channel_push(&c, msg(100, 3), &stop), 0);   /* a heartbeat waits its batch */
    t0 = time_mono_ms();
    assert_int_equal(take_and_free(&c, 100, 0, 100, &first, &last), 1);
    assert_true(time_mono_ms() - t0 >= 95);
    channel_destroy(&c);
}

struct producer {
    struct channel *c;
    atomic_bool *stop;
    int count;
    int pushed;
};

static void *produce(void *arg)
{
    struct producer *p = arg;
    for (int i = 0; i < p->count; i++) {
        struct ingest_msg *m = msg(1000, i);
        if (channel_push(p->c, m, p->stop) < 0) {
            ingest_msg_free(m);   /* refused: still ours */
            break;
        }
        p->pushed++;
    }
    return NULL;
}

static void a_full_channel_holds_the_producer_back(void **state)
{
    (void)state;
    struct channel c;
    atomic_bool stop = false;
    pthread_t t;
    int64_t first, last = -1, expect = 0;
    channel_init(&c, 10 * 1000);
    struct producer p = {&c, &stop, 200, 0};
    pthread_create(&t, NULL, produce, &p);
    size_t total = 0;
    while (total < 200) {
        size_t n = take_and_free(&c, 7, 1000, 5, &first, &last);
        if (n) {
            assert_int_equal(first, expect);   /* nothing lost, nothing reordered */
            expect = last + 1;
        }
        assert_true(channel_depth(&c) <= 10);
        total += n;
    }
    pthread_join(t, NULL);
    assert_int_equal(p.pushed, 200);
    channel_destroy(&c);
}

static void stop_and_close_release_a_blocked_producer(void **state)
{
    (void)state;
    struct channel c;
    atomic_bool stop = false;
    pthread_t t;
    channel_init(&c, 1000);
    struct producer p = {&c, &stop, 100, 0};
    pthread_create(&t, NULL, produce, &p);
    while (channel_depth(&c) == 0)
        ;
    atomic_store(&stop, true);
    pthread_join(t, NULL);
    assert_true(p.pushed < 100);

    atomic_store(&stop, false);
    channel_close(&c);
    assert_true(channel_drained(&c) == (channel_depth(&c) == 0));
    struct ingest_msg *m = msg(10, 0);
    assert_int_equal(channel_push(&c, m, &stop), -1);
    ingest_msg_free(m);
    channel_destroy(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fifo_and_batches_by_count),
        cmocka_unit_test(an_empty_take_waits_then_returns_nothing),
        cmocka_unit_test(a_connection_change_ends_the_gathering),
        cmocka_unit_test(a_full_channel_holds_the_producer_back),
        cmocka_unit_test(stop_and_close_release_a_blocked_producer),
    };
    return RUN_TAP(tests);
}
