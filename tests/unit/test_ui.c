/* ui: what every key does to the dashboard's state, without a terminal.
 *
 * A fake failures list stands in for the database: fetch() answers
 * ui_request() the way the snapshot's keyset paging does, so sequences of
 * keys can be played and the selection, the window and the actions checked
 * after each. */
#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "ui.h"

#define MAX_IDS 1000
#define NOW 1700000000000LL

struct world {
    bool present[MAX_IDS + 1];   /* failed log ids */
    struct snap_failures f;
    struct ui ui;
    enum ui_action last;
};

static struct world *world_new(int n, int page, enum ui_mode mode)
{
    struct world *w = calloc(1, sizeof *w);
    for (int id = 1; id <= n; id++)
        w->present[id] = true;
    ui_init(&w->ui, mode, 1000);
    w->ui.list.page = page;
    return w;
}

static void world_free(struct world *w)
{
    ui_free(&w->ui);
    free(w);
}

static void add_row(struct snap_failures *f, int id)
{
    f->rows[f->nrows] = (struct failure_row){.id = id, .attempts = 1};
    f->nrows++;
}

/* What the snapshot would return for the ui's request. */
static void fetch(struct world *w)
{
    struct failure_window req;
    ui_request(&w->ui, &req);
    struct snap_failures *f = &w->f;
    memset(f, 0, sizeof *f);
    for (int id = 1; id <= MAX_IDS; id++)
        f->count += w->present[id];
    f->matching = f->count;
    if (req.oldest) {
        for (int id = 1; id <= MAX_IDS && f->nrows < req.rows; id++)
            if (w->present[id])
                add_row(f, id);
        for (int i = 0, j = f->nrows - 1; i < j; i++, j--) {
            struct failure_row t = f->rows[i];
            f->rows[i] = f->rows[j];
            f->rows[j] = t;
        }
    } else {
        int anchor = req.anchor_id > 0 ? (int)req.anchor_id : MAX_IDS;
        /* the rows above the anchor, read upward, then newest first */
        int ids[MAX_IDS], n = 0;
        for (int id = anchor + 1; id <= MAX_IDS && n < req.above; id++)
            if (w->present[id])
                ids[n++] = id;
        for (int i = n - 1; i >= 0; i--)
            add_row(f, ids[i]);
        f->rows_above = n;
        for (int id = anchor, got = 0; id >= 1 && got < req.rows; id--)
            if (w->present[id])
                add_row(f, id), got++;
    }
    if (f->nrows > 0 && (req.oldest || req.anchor_id > 0))
        for (int id = (int)f->rows[0].id + 1; id <= MAX_IDS; id++)
            f->newer += w->present[id];
    if (ui_sync(&w->ui, f))
        fetch(w);
}

/* Presses a key and, like the dashboard, fetches when asked to and fixes
 * the set R asks about (the tags still failed, or every matching row). */
static void press(struct world *w, int key)
{
    w->last = ui_key(&w->ui, key, &w->f, NOW);
    if (w->last == UI_ACT_FETCH)
        fetch(w);
    if (w->last == UI_ACT_ASK_RETRY) {
        int64_t n = 0;
        for (size_t i = 0; i < w->ui.ntags; i++)
            n += w->present[w->ui.tags[i]];
        ui_confirm(&w->ui, w->ui.confirm_tagged ? n : w->f.matching, 0, NOW);
    }
}

static void press_string(struct world *w, const char *keys)
{
    for (; *keys; keys++)
        press(w, (unsigned char)*keys);
}

/* The id on screen row r of the failures pane. */
static int64_t row_on_screen(struct world *w, int r)
{
    int first, count;
    ui_visible(&w->ui, &w->f, &first, &count);
    return r < count ? w->f.rows[first + r].id : -1;
}

static void expect_selection(struct world *w, int64_t selected, int cursor, int64_t top_on_screen)
{
    assert_int_equal(w->ui.list.selected_id, selected);
    assert_int_equal(w->ui.list.cursor, cursor);
    assert_int_equal(row_on_screen(w, 0), top_on_screen);
    assert_int_equal(row_on_screen(w, cursor), selected);
}

/* ---- moving through the list ---- */

struct move_case {
    const char *what;
    int keys[4];
    int64_t selected;
    int cursor;
    int64_t top;
};

/* 100 failures, a page of 10: every key from the newest page. */
static void moves_from_the_newest_page(void **state)
{
    (void)state;
    static const struct move_case cases[] = {
        {"first fetch selects the newest", {0}, 100, 0, 100},
        {"j moves down", {'j', 'j', 'j'}, 97, 3, 100},
        {"arrows too", {UI_KEY_DOWN, UI_KEY_DOWN, UI_KEY_UP}, 99, 1, 100},
        {"k stops at the top", {'k', 'k'}, 100, 0, 100},
        {"up past the top scrolls one", {UI_KEY_PGDN, 'k'}, 91, 0, 91},
        {"PgDn moves a page, keeping the row", {'j', 'j', UI_KEY_PGDN}, 88, 2, 90},
        {"PgDn then PgUp returns", {UI_KEY_PGDN, UI_KEY_PGDN, UI_KEY_PGUP}, 90, 0, 90},
        {"End shows the oldest page", {UI_KEY_END}, 1, 9, 10},
        {"End then PgUp reads upward", {UI_KEY_END, UI_KEY_PGUP}, 11, 9, 20},
        {"End then PgUp twice", {UI_KEY_END, UI_KEY_PGUP, UI_KEY_PGUP}, 21, 9, 30},
        {"End then Home", {UI_KEY_END, UI_KEY_HOME}, 100, 0, 100},
        {"G and g are End and Home", {'G', 'k', 'g'}, 100, 0, 100},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct world *w = world_new(100, 10, UI_LIVE);
        fetch(w);
        for (int k = 0; k < 4 && cases[i].keys[k]; k++)
            press(w, cases[i].keys[k]);
        print_message("# %s\n", cases[i].what);
        expect_selection(w, cases[i].selected, cases[i].cursor, cases[i].top);
        world_free(w);
    }
}

static void scrolling_up_one_row_at_a_time_reads_upward(void **state)
{
    (void)state;
    struct world *w = world_new(100, 10, UI_LIVE);
    fetch(w);
    press(w, UI_KEY_END);
    for (int i = 0; i < 9; i++)
        press(w, 'k');
    expect_selection(w, 10, 0, 10);
    press(w, 'k');                              /* the row above the window */
    expect_selection(w, 11, 0, 11);
    for (int i = 0; i < 200; i++)
        press(w, 'k');
    expect_selection(w, 100, 0, 100);
    assert_int_equal(w->ui.list.top_id, 100);   /* anchored there: only f follows */
    world_free(w);
}

/* However tall the terminal, a request fits in a snapshot and keeps rows
 * above the window to scroll up into. */
static void a_very_tall_list_still_scrolls_both_ways(void **state)
{
    (void)state;
    struct world *w = world_new(1000, 300, UI_LIVE);
    fetch(w);
    press(w, UI_KEY_END);
    struct failure_window req;
    ui_request(&w->ui, &req);
    assert_true(req.above > 0);
    assert_true(req.above + req.rows <= SNAP_FAILURE_ROWS);
    assert_true(req.rows > 300);                /* room to move down into, too */
    expect_selection(w, 1, 299, 300);
    press(w, UI_KEY_PGUP);                      /* the selection moves a page, the window what it can */
    expect_selection(w, 301, 49, 350);
    press(w, UI_KEY_HOME);
    for (int i = 0; i < 400; i++)
        press(w, 'j');
    expect_selection(w, 600, 299, 899);
    world_free(w);
}

static void new_failures_do_not_move_the_selected_row_off_screen(void **state)
{
    (void)state;
    struct world *w = world_new(100, 10, UI_LIVE);
    fetch(w);
    press_string(w, "jjj");
    expect_selection(w, 97, 3, 100);
    for (int id = 101; id <= 105; id++)        /* five arrive above it */
        w->present[id] = true;
    fetch(w);
    expect_selection(w, 97, 3, 100);            /* the window holds still */
    for (int id = 106; id <= 125; id++)
        w->present[id] = true;
    fetch(w);
    expect_selection(w, 97, 3, 100);
    assert_int_equal(w->ui.list.top_id, 100);
    press(w, UI_KEY_HOME);                      /* back to the newest */
    expect_selection(w, 125, 0, 125);
    world_free(w);
}

static void at_the_top_new_failures_do_not_take_the_selection(void **state)
{
    (void)state;
    struct world *w = world_new(20, 10, UI_LIVE);
    fetch(w);
    expect_selection(w, 20, 0, 20);
    for (int id = 21; id <= 23; id++)
        w->present[id] = true;
    fetch(w);
    expect_selection(w, 20, 0, 20);             /* still the row the operator saw */
    assert_int_equal(ui_newer_above(&w->ui, &w->f), 3);   /* "3 newer" */
    press(w, 'r');
    assert_int_equal(w->last, UI_ACT_RETRY_TARGET);
    assert_int_equal(w->ui.target.id, 20);
    press(w, UI_KEY_HOME);
    expect_selection(w, 23, 0, 23);
    assert_int_equal(ui_newer_above(&w->ui, &w->f), 0);
    world_free(w);
}

/* A short list never hides rows above blank lines: the window moves up to
 * fill the page, and the selection stays on its row. */
static void a_short_list_fills_the_page(void **state)
{
    (void)state;
    struct world *w = world_new(5, 10, UI_LIVE);
    fetch(w);
    expect_selection(w, 5, 0, 5);
    for (int id = 6; id <= 8; id++)
        w->present[id] = true;
    fetch(w);
    expect_selection(w, 5, 3, 8);
    assert_int_equal(ui_newer_above(&w->ui, &w->f), 0);
    world_free(w);
}

static void f_follows_the_newest_until_any_move(void **state)
{
    (void)state;
    struct world *w = world_new(20, 10, UI_LIVE);
    fetch(w);
    press(w, 'f');
    assert_true(w->ui.list.follow);
    w->present[21] = true;
    fetch(w);
    expect_selection(w, 21, 0, 21);
    press(w, 'j');                              /* a move ends it */
    assert_false(w->ui.list.follow);
    expect_selection(w, 20, 1, 21);
    w->present[22] = true;
    fetch(w);
    expect_selection(w, 20, 1, 21);
    press(w, 'f');                              /* following again: r stops it */
    w->present[23] = true;
    fetch(w);
    expect_selection(w, 23, 0, 23);
    press(w, 'r');
    assert_int_equal(w->ui.target.id, 23);
    assert_false(w->ui.list.follow);
    w->present[24] = true;
    fetch(w);
    press(w, 'r');                              /* nothing selected: no second retry */
    assert_int_not_equal(w->last, UI_ACT_RETRY_TARGET);
    press(w, 'f');
    press(w, 'f');                              /* off again, where it was */
    assert_false(w->ui.list.follow);
    world_free(w);
}

static void a_retried_row_leaves_and_nothing_is_selected_until_a_key(void **state)
{
    (void)state;
    struct world *w = world_new(100, 10, UI_LIVE);
    fetch(w);
    press_string(w, "jjj");
    press(w, 'r');
    assert_int_equal(w->ui.target.id, 97);
    w->present[97] = false;
    fetch(w);
    assert_int_equal(w->ui.list.selected_id, 0);
    assert_true(w->ui.list.lost);
    press(w, 'r');                              /* a second r retries nothing */
    assert_int_not_equal(w->last, UI_ACT_RETRY_TARGET);
    assert_non_null(strstr(w->ui.message, "nothing selected"));
    press(w, ' ');
    assert_int_equal(w->ui.ntags, 0);
    press(w, UI_KEY_ENTER);
    assert_int_equal(w->ui.dialog, DIALOG_NONE);
    press(w, 'j');                              /* Down takes the row below the gap */
    expect_selection(w, 96, 3, 100);
    w->present[96] = false;
    fetch(w);
    press(w, 'k');                              /* Up the one above it */
    expect_selection(w, 98, 2, 100);
    w->present[98] = false;
    fetch(w);
    for (int id = 1; id <= 100; id++)           /* the list empties, then refills */
        w->present[id] = false;
    fetch(w);
    w->present[101] = true;
    fetch(w);
    assert_int_equal(w->ui.list.selected_id, 0);
    world_free(w);
}

static void r_in_details_retries_the_event_shown(void **state)
{
    (void)state;
    struct world *w = world_new(20, 10, UI_LIVE);
    fetch(w);
    press(w, 'j');
    press(w, UI_KEY_ENTER);
    assert_int_equal(w->ui.details.id, 19);
    for (int id = 21; id <= 30; id++)           /* failures keep arriving */
        w->present[id] = true;
    w->present[19] = false;                     /* and the row itself is resolved */
    fetch(w);
    press(w, 'r');
    assert_int_equal(w->last, UI_ACT_RETRY_TARGET);
    assert_int_equal(w->ui.target.id, 19);
    world_free(w);
}

static void an_empty_list_selects_nothing(void **state)
{
    (void)state;
    struct world *w = world_new(0, 10, UI_LIVE);
    fetch(w);
    assert_int_equal(w->ui.list.selected_id, 0);
    press(w, 'j');
    assert_int_equal(w->last, UI_ACT_NONE);
    press(w, UI_KEY_ENTER);
    assert_int_equal(w->ui.dialog, DIALOG_NONE);
    press(w, 'r');
    assert_int_not_equal(w->last, UI_ACT_RETRY_TARGET);
    press(w, 'R');
    assert_int_equal(w->ui.dialog, DIALOG_NONE);
    assert_string_equal(w->ui.message, "nothing to retry");
    world_free(w);
}

/* ---- retrying ---- */

static void r_retries_the_selected_row(void **state)
{
    (void)state;
    struct world *w = world_new(20, 10, UI_LIVE);
    fetch(w);
    press_string(w, "jr");
    assert_int_equal(w->last, UI_ACT_RETRY_TARGET);
    assert_int_equal(w->ui.target.id, 19);
    world_free(w);
}

static void space_tags_and_moves_down(void **state)
{
    (void)state;
    struct world *w = world_new(20, 10, UI_LIVE);
    fetch(w);
    press_string(w, "  ");
    assert_true(ui_tagged(&w->ui, 20));
    assert_true(ui_tagged(&w->ui, 19));
    assert_false(ui_tagged(&w->ui, 18));
    assert_int_equal(w->ui.list.selected_id, 18);
    press_string(w, "k ");                      /* untags */
    assert_false(ui_tagged(&w->ui, 19));
    assert_int_equal(w->ui.ntags, 1);
    world_free(w);
}

struct confirm_case {
    const char *what;
    const char *tags;       /* keys pressed before R */
    int answer;
    enum ui_action action;
    int64_t count;
    bool tagged;
};

static void capital_r_asks_and_defaults_to_no(void **state)
{
    (void)state;
    static const struct confirm_case cases[] = {
        {"y retries all matching", "", 'y', UI_ACT_RETRY_CONFIRMED, 20, false},
        {"Y too", "", 'Y', UI_ACT_RETRY_CONFIRMED, 20, false},
        {"n does not", "", 'n', UI_ACT_REDRAW, 20, false},
        {"Enter is no", "", UI_KEY_ENTER, UI_ACT_REDRAW, 20, false},
        {"Esc is no", "", UI_KEY_ESC, UI_ACT_REDRAW, 20, false},
        {"any other key is no", "", 'x', UI_ACT_REDRAW, 20, false},
        {"tagged ones when tagged", "  ", 'y', UI_ACT_RETRY_CONFIRMED, 2, true},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct world *w = world_new(20, 10, UI_LIVE);
        fetch(w);
        print_message("# %s\n", cases[i].what);
        press_string(w, cases[i].tags);
        press(w, 'R');
        assert_int_equal(w->ui.dialog, DIALOG_CONFIRM);
        assert_int_equal(w->ui.confirm_count, cases[i].count);
        assert_int_equal(w->ui.confirm_tagged, cases[i].tagged);
        press(w, cases[i].answer);
        assert_int_equal(w->last, cases[i].action);
        assert_int_equal(w->ui.dialog, DIALOG_NONE);
        world_free(w);
    }
}

static void read_only_refuses_every_retry_key_and_says_why(void **state)
{
    (void)state;
    static const int keys[] = {'r', ' ', 'R'};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        struct world *w = world_new(20, 10, UI_READ_ONLY);
        fetch(w);
        press(w, keys[i]);
        assert_int_equal(w->last, UI_ACT_REDRAW);
        assert_int_equal(w->ui.dialog, DIALOG_NONE);
        assert_int_equal(w->ui.ntags, 0);
        assert_non_null(strstr(w->ui.message, "read-only"));
        assert_int_equal(w->ui.message_until, NOW + UI_MESSAGE_MS);
        world_free(w);
    }
    struct world *w = world_new(20, 10, UI_READ_ONLY);
    fetch(w);
    press(w, UI_KEY_ENTER);                     /* details still open */
    assert_int_equal(w->last, UI_ACT_DETAILS);
    press(w, 'r');
    assert_int_equal(w->last, UI_ACT_REDRAW);
    assert_int_equal(w->ui.dialog, DIALOG_DETAILS);
    world_free(w);
}

/* ---- dialogs, focus and the rest ---- */

static void details_open_scroll_and_close(void **state)
{
    (void)state;
    struct world *w = world_new(20, 10, UI_LIVE);
    fetch(w);
    press(w, UI_KEY_ENTER);
    assert_int_equal(w->last, UI_ACT_DETAILS);
    assert_int_equal(w->ui.dialog, DIALOG_DETAILS);
    w->ui.scroll_lines = 100;                   /* what the dashboard loaded */
    w->ui.scroll_page = 20;
    press(w, UI_KEY_PGDN);
    assert_int_equal(w->ui.scroll, 20);
    press(w, UI_KEY_END);
    assert_int_equal(w->ui.scroll, 80);
    press(w, 'j');
    assert_int_equal(w->ui.scroll, 80);
    press(w, UI_KEY_HOME);
    press(w, 'k');
    assert_int_equal(w->ui.scroll, 0);
    press(w, 'j');                              /* keys scroll the dialog, not the list */
    assert_int_equal(w->ui.list.selected_id, 20);
    press(w, UI_KEY_ESC);
    assert_int_equal(w->ui.dialog, DIALOG_NONE);
    press(w, UI_KEY_ENTER);
    press(w, 'r');                              /* retry from the details */
    assert_int_equal(w->last, UI_ACT_RETRY_TARGET);
    assert_int_equal(w->ui.dialog, DIALOG_NONE);
    world_free(w);
}

static void help_opens_and_closes_without_quitting(void **state)
{
    (void)state;
    static const int closers[] = {'?', 'q', UI_KEY_ESC, UI_KEY_ENTER};
    for (size_t i = 0; i < sizeof closers / sizeof closers[0]; i++) {
        struct world *w = world_new(5, 10, UI_LIVE);
        press(w, '?');
        assert_int_equal(w->ui.dialog, DIALOG_HELP);
        press(w, closers[i]);
        assert_int_equal(w->ui.dialog, DIALOG_NONE);
        assert_false(w->ui.quit);
        world_free(w);
    }
}

static void q_quits(void **state)
{
    (void)state;
    struct world *w = world_new(5, 10, UI_LIVE);
    press(w, 'q');
    assert_int_equal(w->last, UI_ACT_QUIT);
    assert_true(w->ui.quit);
    world_free(w);
}

static void tab_cycles_focus_and_list_keys_follow_it(void **state)
{
    (void)state;
    struct world *w = world_new(20, 10, UI_LIVE);
    fetch(w);
    assert_int_equal(w->ui.focus, PANE_FAILURES);
    press(w, UI_KEY_TAB);
    assert_int_equal(w->ui.focus, PANE_QUEUE);
    press(w, 'j');                              /* no list here */
    assert_int_equal(w->ui.list.selected_id, 20);
    press(w, 'r');                              /* says where it works, does nothing */
    assert_int_equal(w->last, UI_ACT_REDRAW);
    assert_string_equal(w->ui.message, "r: works in Failures (Tab to it, or press 3)");
    press(w, UI_KEY_TAB);
    assert_int_equal(w->ui.focus, PANE_METRICS);
    w->ui.metrics_scroll_max = 5;               /* as drawing sets it */
    press_string(w, "jj");
    assert_int_equal(w->ui.metrics_scroll, 2);
    press(w, UI_KEY_TAB);
    assert_int_equal(w->ui.focus, PANE_CONNECTION);
    press(w, UI_KEY_BTAB);
    press(w, UI_KEY_BTAB);
    assert_int_equal(w->ui.focus, PANE_QUEUE);
    press(w, '3');                              /* a number jumps to its pane */
    assert_int_equal(w->ui.focus, PANE_FAILURES);
    press(w, '1');
    assert_int_equal(w->ui.focus, PANE_CONNECTION);
    /* On a wide screen Queue stands before Failures, and Tab goes that way. */
    const enum pane_id wide[PANE_COUNT] = {PANE_CONNECTION, PANE_THROUGHPUT, PANE_QUEUE,
                                           PANE_FAILURES, PANE_METRICS};
    memcpy(w->ui.tab_order, wide, sizeof wide);
    press_string(w, "\t\t");
    assert_int_equal(w->ui.focus, PANE_QUEUE);
    press(w, UI_KEY_TAB);
    assert_int_equal(w->ui.focus, PANE_FAILURES);
    world_free(w);
}

/* Down stops at the last row that still fills the pane, so Up moves at
 * once however often Down was pressed; t shows and hides the tags. */
static void metrics_scrolling_is_bounded_and_tags_toggle(void **state)
{
    (void)state;
    struct world *w = world_new(20, 10, UI_LIVE);
    fetch(w);
    w->ui.focus = PANE_METRICS;
    w->ui.metrics_scroll_max = 3;
    for (int i = 0; i < 20; i++)
        press(w, 'j');
    assert_int_equal(w->ui.metrics_scroll, 3);
    assert_int_equal(w->last, UI_ACT_NONE);     /* nothing moved: nothing to redraw */
    press(w, UI_KEY_UP);
    assert_int_equal(w->ui.metrics_scroll, 2);
    press_string(w, "kkkk");
    assert_int_equal(w->ui.metrics_scroll, 0);
    assert_false(w->ui.metrics_tags);
    press(w, 't');
    assert_true(w->ui.metrics_tags);
    assert_int_equal(w->last, UI_ACT_REDRAW);
    press(w, 't');
    assert_false(w->ui.metrics_tags);
    world_free(w);
}

static void slash_edits_the_filter_and_enter_applies_it(void **state)
{
    (void)state;
    struct world *w = world_new(30, 10, UI_LIVE);
    fetch(w);
    press_string(w, "jjj/tix");
    assert_int_equal(w->ui.dialog, DIALOG_FILTER);
    assert_string_equal(w->ui.filter_edit, "tix");
    assert_string_equal(w->ui.filter, "");
    press(w, UI_KEY_BACKSPACE);
    press_string(w, "meout");
    press(w, 0xE9);                             /* é, typed as a character */
    assert_string_equal(w->ui.filter_edit, "timeout\xC3\xA9");
    press(w, UI_KEY_BACKSPACE);                 /* a whole character goes */
    assert_string_equal(w->ui.filter_edit, "timeout");
    press(w, 0x9B);                             /* C1 CSI: never typed into the filter */
    assert_string_equal(w->ui.filter_edit, "timeout");
    press(w, UI_KEY_ENTER);
    assert_int_equal(w->last, UI_ACT_FETCH);
    assert_string_equal(w->ui.filter, "timeout");
    expect_selection(w, 27, 0, 27);             /* the selection stays if still listed */
    press_string(w, "/");
    press(w, 21);                               /* Ctrl-U clears the line */
    press(w, UI_KEY_ESC);                       /* and Esc abandons the edit */
    assert_string_equal(w->ui.filter, "timeout");
    press(w, UI_KEY_ESC);                       /* Esc on the dashboard clears the filter */
    assert_string_equal(w->ui.filter, "");
    assert_int_equal(w->last, UI_ACT_FETCH);
    world_free(w);
}

static void p_pauses_and_resuming_fetches(void **state)
{
    (void)state;
    struct world *w = world_new(5, 10, UI_LIVE);
    press(w, 'p');
    assert_true(w->ui.paused);
    assert_int_equal(w->last, UI_ACT_REDRAW);
    press(w, 'p');
    assert_false(w->ui.paused);
    assert_int_equal(w->last, UI_ACT_FETCH);
    world_free(w);
}

static void plus_and_minus_step_the_refresh_interval(void **state)
{
    (void)state;
    struct world *w = world_new(5, 10, UI_LIVE);
    static const struct { int key, ms; } steps[] = {
        {'+', 500}, {'+', 250}, {'+', 250}, {'-', 500}, {'-', 1000}, {'-', 2000},
        {'-', 5000}, {'-', 10000}, {'-', 10000},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        press(w, steps[i].key);
        assert_int_equal(w->ui.refresh_ms, steps[i].ms);
    }
    assert_non_null(strstr(w->ui.message, "10 s"));
    world_free(w);
}

static void resize_and_redraw_work_everywhere(void **state)
{
    (void)state;
    static const int dialog_keys[] = {0, '?', '/', 'R'};
    for (size_t i = 0; i < sizeof dialog_keys / sizeof dialog_keys[0]; i++) {
        struct world *w = world_new(5, 10, UI_LIVE);
        fetch(w);
        if (dialog_keys[i])
            press(w, dialog_keys[i]);
        enum ui_dialog before = w->ui.dialog;
        press(w, UI_KEY_RESIZE);
        assert_int_equal(w->last, UI_ACT_RELAYOUT);
        assert_int_equal(w->ui.dialog, before);
        world_free(w);
    }
    struct world *w = world_new(5, 10, UI_LIVE);
    press(w, UI_KEY_CTRL_L);
    assert_int_equal(w->last, UI_ACT_FULL_REDRAW);
    world_free(w);
}

static void the_key_table_knows_where_each_key_works(void **state)
{
    (void)state;
    size_t n;
    const struct key_help *keys = ui_key_table(&n);
    const struct key_help *retry = NULL, *quit = NULL;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(keys[i].keys, "r") == 0)
            retry = &keys[i];
        if (strcmp(keys[i].keys, "q") == 0)
            quit = &keys[i];
    }
    assert_non_null(retry);
    assert_non_null(quit);
    struct ui ui;
    ui_init(&ui, UI_LIVE, 1000);
    assert_true(ui_key_applies(&ui, retry));
    assert_true(ui_key_enabled(&ui, retry));
    ui.focus = PANE_QUEUE;
    assert_false(ui_key_applies(&ui, retry));
    assert_true(ui_key_applies(&ui, quit));
    ui.mode = UI_READ_ONLY;
    assert_false(ui_key_enabled(&ui, retry));
    assert_true(ui_key_enabled(&ui, quit));
    ui.dialog = DIALOG_DETAILS;
    assert_true(ui_key_applies(&ui, retry));
    ui_free(&ui);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(moves_from_the_newest_page),
        cmocka_unit_test(scrolling_up_one_row_at_a_time_reads_upward),
        cmocka_unit_test(a_very_tall_list_still_scrolls_both_ways),
        cmocka_unit_test(new_failures_do_not_move_the_selected_row_off_screen),
        cmocka_unit_test(at_the_top_new_failures_do_not_take_the_selection),
        cmocka_unit_test(a_short_list_fills_the_page),
        cmocka_unit_test(f_follows_the_newest_until_any_move),
        cmocka_unit_test(a_retried_row_leaves_and_nothing_is_selected_until_a_key),
        cmocka_unit_test(r_in_details_retries_the_event_shown),
        cmocka_unit_test(an_empty_list_selects_nothing),
        cmocka_unit_test(r_retries_the_selected_row),
        cmocka_unit_test(space_tags_and_moves_down),
        cmocka_unit_test(capital_r_asks_and_defaults_to_no),
        cmocka_unit_test(read_only_refuses_every_retry_key_and_says_why),
        cmocka_unit_test(details_open_scroll_and_close),
        cmocka_unit_test(help_opens_and_closes_without_quitting),
        cmocka_unit_test(q_quits),
        cmocka_unit_test(tab_cycles_focus_and_list_keys_follow_it),
        cmocka_unit_test(metrics_scrolling_is_bounded_and_tags_toggle),
        cmocka_unit_test(slash_edits_the_filter_and_enter_applies_it),
        cmocka_unit_test(p_pauses_and_resuming_fetches),
        cmocka_unit_test(plus_and_minus_step_the_refresh_interval),
        cmocka_unit_test(resize_and_redraw_work_everywhere),
        cmocka_unit_test(the_key_table_knows_where_each_key_works),
    };
    return RUN_TAP(tests);
}
