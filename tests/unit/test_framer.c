/* framer: lines split at any byte reassemble exactly; heartbeats, CRLF,
 * oversize lines and dropped connections. */
#include "config.h"

#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "framer.h"

/* What the framer reported, as text: "L:<line>", "H", "O:<head length>/<full>". */
struct seen {
    char text[1 << 16];
};

static int record(void *ctx, const struct framed_line *f)
{
    struct seen *s = ctx;
    size_t n = strlen(s->text);
    if (f->kind == FRAME_LINE)
        snprintf(s->text + n, sizeof s->text - n, "L:%.*s|", (int)f->len, f->data);
    else if (f->kind == FRAME_HEARTBEAT)
        snprintf(s->text + n, sizeof s->text - n, "H|");
    else
        snprintf(s->text + n, sizeof s->text - n, "O:%zu/%zu|", f->len, f->full_len);
    return 0;
}

static void feed_all(struct framer *fr, const char *data, size_t n, struct seen *s)
{
    assert_int_equal(framer_feed(fr, data, n, record, s), 0);
}

static const char stream[] =
    "{\"a\":1,\"name\":\"CAF\xc3\x89 \xe2\x82\xac\"}\n"
    "\n"
    "{\"b\":2}\r\n"
    "\r\n"
    "{\"c\":\"\xf0\x9f\x98\x80\"}\n";

static const char expected[] =
    "L:{\"a\":1,\"name\":\"CAF\xc3\x89 \xe2\x82\xac\"}|H|L:{\"b\":2}|H|L:{\"c\":\"\xf0\x9f\x98\x80\"}|";

static void every_split_point_gives_the_same_lines(void **state)
{
    (void)state;
    size_t n = sizeof stream - 1;
    for (size_t cut = 0; cut <= n; cut++) {
        struct framer fr;
        struct seen *s = calloc(1, sizeof *s);
        framer_init(&fr, 1024);
        feed_all(&fr, stream, cut, s);
        feed_all(&fr, stream + cut, n - cut, s);
        if (strcmp(s->text, expected) != 0)
            fail_msg("split at %zu: %s", cut, s->text);
        assert_int_equal(framer_pending(&fr), 0);
        framer_free(&fr);
        free(s);
    }
}

static void one_byte_at_a_time(void **state)
{
    (void)state;
    struct framer fr;
    struct seen *s = calloc(1, sizeof *s);
    framer_init(&fr, 1024);
    for (size_t i = 0; i < sizeof stream - 1; i++)
        feed_all(&fr, stream + i, 1, s);
    assert_string_equal(s->text, expected);
    framer_free(&fr);
    free(s);
}

static void three_way_splits_inside_utf8(void **state)
{
    (void)state;
    static const char line[] = "\xe2\x82\xac\xf0\x9f\x98\x80\n";
    for (size_t a = 0; a < sizeof line - 1; a++) {
        for (size_t b = a; b < sizeof line - 1; b++) {
            struct framer fr;
            struct seen s = {{0}};
            framer_init(&fr, 64);
            feed_all(&fr, line, a, &s);
            feed_all(&fr, line + a, b - a, &s);
            feed_all(&fr, line + b, sizeof line - 1 - b, &s);
            assert_string_equal(s.text, "L:\xe2\x82\xac\xf0\x9f\x98\x80|");
            framer_free(&fr);
        }
    }
}

static void a_dropped_connection_discards_the_partial_line(void **state)
{
    (void)state;
    struct framer fr;
    struct seen s = {{0}};
    framer_init(&fr, 1024);
    feed_all(&fr, "{\"complete\":1}\n{\"half", 21, &s);
    assert_int_equal(framer_pending(&fr), 6);
    framer_reset(&fr);
    assert_int_equal(framer_pending(&fr), 0);
    feed_all(&fr, "{\"next\":2}\n", 11, &s);
    assert_string_equal(s.text, "L:{\"complete\":1}|L:{\"next\":2}|");
    framer_free(&fr);
}

static char *make_line(size_t len)
{
    char *line = malloc(len + 2);
    for (size_t i = 0; i < len; i++)
        line[i] = (char)('a' + i % 26);
    line[len] = '\n';
    line[len + 1] = '\0';
    return line;
}

/* The head is the line's first 64 KiB whatever the limit and however the
 * line arrives; memory stays bounded by the limit or the head. */
static void oversize_lines_keep_a_head_and_memory_stays_bounded(void **state)
{
    (void)state;
    const size_t limits[] = {1024, 70000};
    size_t big = 200000;
    char *line = make_line(big);
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        size_t max = limits[i], bound = max > 65536 ? max : 65536;
        for (size_t chunk = 1000; chunk <= big + 1; chunk *= 5) {
            struct framer fr;
            struct seen s = {{0}};
            char want[128];
            framer_init(&fr, max);
            feed_all(&fr, "{\"before\":0}\n", 13, &s);
            for (size_t off = 0; off < big + 1; off += chunk) {
                size_t n = big + 1 - off < chunk ? big + 1 - off : chunk;
                feed_all(&fr, line + off, n, &s);
                assert_true(fr.cap <= 2 * bound + chunk);
            }
            feed_all(&fr, "{\"after\":1}\n", 12, &s);
            snprintf(want, sizeof want, "L:{\"before\":0}|O:65536/%zu|L:{\"after\":1}|", big);
            if (strcmp(s.text, want) != 0)
                fail_msg("limit %zu, chunks of %zu: %s", max, chunk, s.text);
            framer_free(&fr);
        }
    }
    free(line);
}

static void a_line_of_exactly_the_limit_is_whole(void **state)
{
    (void)state;
    struct framer fr;
    struct seen *s = calloc(1, sizeof *s);
    char *line = make_line(2000);
    framer_init(&fr, 2000);
    feed_all(&fr, line, 1000, s);
    feed_all(&fr, line + 1000, 1001, s);
    assert_int_equal(strncmp(s->text, "L:abc", 5), 0);
    assert_int_equal(strlen(s->text), 2000 + 3);
    framer_free(&fr);
    free(line);
    free(s);
}

/* A CRLF's \r is the line's end, not part of it: a line of exactly the
 * limit before CRLF is whole, however it is split (the \r alone in the
 * last chunk too); one byte more is oversize, its length and short head
 * without the \r. */
static void a_crlf_is_no_part_of_the_limit(void **state)
{
    (void)state;
    char *line = make_line(2001);
    line[2000] = '\r';
    line[2001] = '\n';
    for (size_t split = 0; split <= 2002; split += 1) {
        struct framer fr;
        struct seen *s = calloc(1, sizeof *s);
        framer_init(&fr, 2000);
        feed_all(&fr, line, split, s);
        feed_all(&fr, line + split, 2002 - split, s);
        if (strncmp(s->text, "L:abc", 5) != 0 || strlen(s->text) != 2000 + 3)
            fail_msg("split at %zu: %.40s", split, s->text);
        framer_free(&fr);
        free(s);
    }
    free(line);
    line = make_line(2002);
    line[2001] = '\r';
    line[2002] = '\n';
    for (size_t split = 0; split <= 2003; split++) {   /* the \r alone at a chunk's end too */
        struct framer fr;
        struct seen *s = calloc(1, sizeof *s);
        framer_init(&fr, 2000);
        feed_all(&fr, line, split, s);
        feed_all(&fr, line + split, 2003 - split, s);
        if (strcmp(s->text, "O:2001/2001|") != 0)
            fail_msg("oversize, split at %zu: %s", split, s->text);
        framer_free(&fr);
        free(s);
    }
    free(line);
}

static int stop_after_one(void *ctx, const struct framed_line *f)
{
    (void)f;
    int *count = ctx;
    return ++*count == 1 ? -1 : 0;
}

static void the_callback_can_stop_feeding(void **state)
{
    (void)state;
    struct framer fr;
    int count = 0;
    framer_init(&fr, 64);
    assert_int_equal(framer_feed(&fr, "a\nb\nc\n", 6, stop_after_one, &count), -1);
    assert_int_equal(count, 1);
    framer_free(&fr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_split_point_gives_the_same_lines),
        cmocka_unit_test(one_byte_at_a_time),
        cmocka_unit_test(three_way_splits_inside_utf8),
        cmocka_unit_test(a_dropped_connection_discards_the_partial_line),
        cmocka_unit_test(oversize_lines_keep_a_head_and_memory_stays_bounded),
        cmocka_unit_test(a_line_of_exactly_the_limit_is_whole),
        cmocka_unit_test(a_crlf_is_no_part_of_the_limit),
        cmocka_unit_test(the_callback_can_stop_feeding),
    };
    return RUN_TAP(tests);
}
