/* layout: at every size, the panes tile the body exactly and each is big
 * enough to be useful; below the minimum, the layout says so. */
#include "config.h"

#include "unit.h"

#include "layout.h"

static bool inside(struct rect r, int rows, int cols)
{
    return r.y >= 0 && r.x >= 0 && r.h > 0 && r.w > 0 && r.y + r.h <= rows && r.x + r.w <= cols;
}

static bool overlap(struct rect a, struct rect b)
{
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

static void check_size(int rows, int cols)
{
    struct layout l;
    layout_compute(rows, cols, &l);
    assert_false(l.too_small);
    assert_int_equal(l.header.y, 0);
    assert_int_equal(l.header.w, cols);
    assert_int_equal(l.footer.y, rows - 1);
    assert_int_equal(l.footer.w, cols);
    long area = 0;
    for (int i = 0; i < PANE_COUNT; i++) {
        struct rect r = l.pane[i];
        assert_true(inside(r, rows - 1, cols));
        assert_true(r.y >= 1);
        assert_true(r.h >= 6);      /* borders and at least four lines */
        assert_true(r.w >= 30);
        for (int j = i + 1; j < PANE_COUNT; j++)
            assert_false(overlap(r, l.pane[j]));
        area += (long)r.h * r.w;
    }
    assert_int_equal(area, (long)(rows - 2) * cols);   /* no gap either */
}

static void the_panes_tile_the_body_at_every_size(void **state)
{
    (void)state;
    static const int sizes[][2] = {
        {21, 60}, {24, 80}, {25, 80}, {30, 100}, {24, 119}, {24, 120},
        {40, 120}, {50, 160}, {60, 200}, {100, 300}, {300, 1000},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        check_size(sizes[i][0], sizes[i][1]);
}

static void failures_get_the_spare_rows(void **state)
{
    (void)state;
    struct layout small, tall;
    layout_compute(24, 80, &small);
    layout_compute(60, 80, &tall);
    assert_true(small.pane[PANE_FAILURES].h >= 8);
    assert_true(tall.pane[PANE_FAILURES].h - small.pane[PANE_FAILURES].h >= 36 - 8);
    assert_true(tall.pane[PANE_CONNECTION].h <= 10);
}

static void wide_terminals_use_three_columns(void **state)
{
    (void)state;
    struct layout l;
    layout_compute(40, 120, &l);
    assert_int_equal(l.pane[PANE_CONNECTION].y, l.pane[PANE_QUEUE].y);
    assert_int_equal(l.pane[PANE_FAILURES].w, 120);      /* the error column needs the width */
    assert_true(l.pane[PANE_METRICS].y > l.pane[PANE_FAILURES].y);
    layout_compute(60, 200, &l);
    assert_int_equal(l.pane[PANE_FAILURES].y, l.pane[PANE_METRICS].y);
    assert_true(l.pane[PANE_FAILURES].w >= LAYOUT_FAILURES_COLS);
    layout_compute(40, 100, &l);
    assert_int_equal(l.pane[PANE_QUEUE].y, l.pane[PANE_METRICS].y);
    assert_true(l.pane[PANE_QUEUE].y > l.pane[PANE_FAILURES].y);
}

/* Tab follows what the eye reads: rows top to bottom, each left to right. */
static void the_tab_order_is_the_reading_order(void **state)
{
    (void)state;
    static const struct {
        int rows, cols;
        enum pane_id order[PANE_COUNT];
    } cases[] = {
        {24, 80, {PANE_CONNECTION, PANE_THROUGHPUT, PANE_FAILURES, PANE_QUEUE, PANE_METRICS}},
        {40, 120, {PANE_CONNECTION, PANE_THROUGHPUT, PANE_QUEUE, PANE_FAILURES, PANE_METRICS}},
        {60, 200, {PANE_CONNECTION, PANE_THROUGHPUT, PANE_QUEUE, PANE_FAILURES, PANE_METRICS}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct layout l;
        layout_compute(cases[i].rows, cases[i].cols, &l);
        for (int p = 0; p < PANE_COUNT; p++)
            assert_int_equal(l.order[p], cases[i].order[p]);
    }
}

static void too_small_says_so(void **state)
{
    (void)state;
    static const int sizes[][2] = {{20, 80}, {24, 59}, {0, 0}, {1, 1}, {-5, 80}, {24, -1}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        struct layout l;
        layout_compute(sizes[i][0], sizes[i][1], &l);
        assert_true(l.too_small);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_panes_tile_the_body_at_every_size),
        cmocka_unit_test(failures_get_the_spare_rows),
        cmocka_unit_test(wide_terminals_use_three_columns),
        cmocka_unit_test(the_tab_order_is_the_reading_order),
        cmocka_unit_test(too_small_says_so),
    };
    return RUN_TAP(tests);
}
