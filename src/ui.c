#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "humanfmt.h"
#include "ui.h"

static const int refresh_steps[] = UI_REFRESH_STEPS;
#define NSTEPS ((int)(sizeof refresh_steps / sizeof refresh_steps[0]))

void ui_init(struct ui *ui, enum ui_mode mode, int refresh_ms)
{
    memset(ui, 0, sizeof *ui);
    for (int i = 0; i < PANE_COUNT; i++)
        ui->tab_order[i] = (enum pane_id)i;
    ui->mode = mode;
    ui->focus = PANE_FAILURES;
    ui->refresh_ms = refresh_ms > 0 ? refresh_ms : 1000;
    ui->list.page = 1;
    ui->scroll_page = 1;
}

void ui_free(struct ui *ui)
{
    free(ui->tags);
    free(ui->tag_attempts);
    ui->tags = ui->tag_attempts = NULL;
    ui->ntags = ui->tags_cap = 0;
}

bool ui_read_only(const struct ui *ui)
{
    return ui->mode == UI_READ_ONLY;
}

void ui_say(struct ui *ui, int64_t now, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ui->message, sizeof ui->message, fmt, ap);
    va_end(ap);
    ui->message_until = now + UI_MESSAGE_MS;
}

/* ---- the failures list ---- */

void ui_request(const struct ui *ui, struct failure_window *w)
{
    int page = ui->list.page;
    page = page < 1 ? 1 : page > SNAP_FAILURE_ROWS - 2 ? SNAP_FAILURE_ROWS - 2 : page;
    /* The page, and a margin above and below it to move into without a
     * read: a page each way, or on a very tall terminal what a snapshot
     * has room for. */
    int margin = (SNAP_FAILURE_ROWS - page) / 2 < page ? (SNAP_FAILURE_ROWS - page) / 2 : page;
    *w = (struct failure_window){
        .anchor_id = ui->list.top_id,
        .oldest = ui->list.to_oldest,
        .above = ui->list.top_id > 0 ? margin : 0,
        .rows = ui->list.to_oldest ? page : page + margin,
    };
}

/* Index in f->rows of the list's top row. */
static int top_index(const struct snap_failures *f)
{
    if (f->rows_above >= f->nrows)   /* everything from the anchor down is gone */
        return f->nrows > 0 ? f->nrows - 1 : 0;
    return f->rows_above;
}

/* Index in f->rows of the window's top row: the list's top row when the
 * snapshot holds it (the window may have moved since it was read). */
static int window_top(const struct ui *ui, const struct snap_failures *f)
{
    for (int i = 0; ui->list.top_id > 0 && i < f->nrows; i++)
        if (f->rows[i].id == ui->list.top_id)
            return i;
    return top_index(f);
}

void ui_visible(const struct ui *ui, const struct snap_failures *f, int *first, int *count)
{
    int t = window_top(ui, f);
    int left = f->nrows - t;
    *first = t;
    *count = left < ui->list.page ? (left > 0 ? left : 0) : ui->list.page;
}

static int find_row(const struct snap_failures *f, int64_t id)
{
    for (int i = 0; id > 0 && i < f->nrows; i++)
        if (f->rows[i].id == id)
            return i;
    return -1;
}

/* Points the list at top row t and selected row s of f (both valid).  The
 * window is anchored on its top row, so rows arriving above move nothing
 * the operator is looking at; only while following does it stay on the
 * newest page (top_id 0) with the newest row selected. */
static void place(struct ui_list *l, const struct snap_failures *f, int t, int s)
{
    l->top_id = l->follow ? 0 : f->rows[t].id;
    l->selected_id = f->rows[s].id;
    l->cursor = s - t;
    l->lost = false;
}

/* The selected row left the list (retried, or resolved elsewhere): nothing
 * is selected until a key chooses, so a second r or space never lands on
 * a row that merely slid into its place.  The cursor stays where the row
 * was, between its neighbours. */
static void lose_selection(struct ui_list *l, const struct snap_failures *f, int t)
{
    int cursor = l->cursor;
    if (t + cursor > f->nrows)
        cursor = f->nrows - t;
    l->top_id = l->follow ? 0 : f->rows[t].id;
    l->selected_id = 0;
    l->cursor = cursor < 0 ? 0 : cursor;
    l->lost = true;
}

int64_t ui_newer_above(const struct ui *ui, const struct snap_failures *f)
{
    return f->nrows > 0 ? f->newer + window_top(ui, f) : 0;
}

/* After a snapshot: the cursor follows its kind by name; a kind that is
 * gone leaves nothing selected.  Entering the view selects the first. */
static void sync_kinds(struct ui *ui, const struct snap_failures *f)
{
    if (!ui->kind_selected[0]) {
        ui->kind_cursor = f->nkinds > 0 && ui->kind_cursor == 0 ? 0 : -1;
        if (ui->kind_cursor == 0)
            snprintf(ui->kind_selected, sizeof ui->kind_selected, "%s", f->kinds[0].kind);
        return;
    }
    ui->kind_cursor = -1;
    for (int i = 0; i < f->nkinds; i++)
        if (strcmp(f->kinds[i].kind, ui->kind_selected) == 0)
            ui->kind_cursor = i;
}

/* The top row for a window starting at t: moved up when the rows below it
 * do not fill the page, so no rows hide above blank lines. */
static int filled_top(const struct ui_list *l, const struct snap_failures *f, int t)
{
    int max_top = f->nrows > l->page ? f->nrows - l->page : 0;
    return t > max_top ? max_top : t;
}

bool ui_sync(struct ui *ui, const struct snap_failures *f)
{
    struct ui_list *l = &ui->list;
    if (ui->grouped)
        sync_kinds(ui, f);
    bool oldest = l->to_oldest;
    l->to_oldest = false;
    if (f->nrows == 0) {
        /* A selection that existed is lost, not handed to the next arrival. */
        *l = (struct ui_list){.page = l->page, .follow = l->follow,
                              .lost = !l->follow && (l->lost || l->selected_id != 0)};
        return false;
    }
    int t = window_top(ui, f);
    if (oldest) {
        int last = f->nrows < l->page ? f->nrows - 1 : l->page - 1;
        place(l, f, 0, last);
        return f->newer > 0;   /* read the page above too */
    }
    if (l->follow) {
        place(l, f, 0, 0);
        return false;
    }
    int s = find_row(f, l->selected_id);
    if (s >= 0) {
        if (s < t || s >= t + l->page) {
            /* Rows arrived above it: keep it where it is on the screen. */
            t = s - l->cursor;
            if (t < 0)
                t = 0;
        }
        place(l, f, filled_top(l, f, t), s);
    } else if (l->selected_id == 0 && !l->lost) {
        place(l, f, t, t);   /* a new list (start, Home): its top row */
    } else {
        int top = filled_top(l, f, t);
        l->cursor += t - top;   /* the gap stays between the same rows */
        lose_selection(l, f, top);
    }
    return false;
}

static enum ui_action list_move(struct ui *ui, const struct snap_failures *f, int delta, bool paging)
{
    struct ui_list *l = &ui->list;
    if (f->nrows == 0)
        return UI_ACT_NONE;
    int page = l->page;
    int t = window_top(ui, f);
    int s = find_row(f, l->selected_id);
    l->follow = false;
    if (s < 0 && l->lost) {
        /* From between two rows: Down takes the one below, Up the one above. */
        s = t + l->cursor;
        delta = delta > 0 ? delta - 1 : delta;
    } else if (s < 0) {
        s = t;
    }
    int ns = s + delta;
    ns = ns < 0 ? 0 : ns >= f->nrows ? f->nrows - 1 : ns;
    int nt = t;
    if (paging) {
        int max_top = f->nrows - page > 0 ? f->nrows - page : 0;
        nt = t + delta;
        nt = nt < 0 ? 0 : nt > max_top ? max_top : nt;
    }
    if (ns < nt)
        nt = ns;
    if (ns >= nt + page)
        nt = ns - page + 1;
    int64_t old_top = l->top_id;
    place(l, f, nt, ns);
    return l->top_id != old_top ? UI_ACT_FETCH : UI_ACT_REDRAW;
}

/* Home: the newest page, its top row selected once it is read. */
static enum ui_action list_home(struct ui *ui)
{
    ui->list = (struct ui_list){.page = ui->list.page};
    return UI_ACT_FETCH;
}

/* The rows listed changed (a filter, a kind): the selected failure stays
 * selected if it is still listed, at the top of the window; otherwise
 * nothing is selected.  Never a jump to whatever is newest. */
static enum ui_action list_refilter(struct ui *ui)
{
    struct ui_list *l = &ui->list;
    int64_t keep = l->selected_id;
    bool had = keep != 0 || l->lost;
    *l = (struct ui_list){.page = l->page, .top_id = keep, .selected_id = keep,
                          .lost = keep == 0 && had};
    return UI_ACT_FETCH;
}

static enum ui_action list_end(struct ui *ui)
{
    ui->list.follow = false;
    ui->list.to_oldest = true;
    return UI_ACT_FETCH;
}

static enum ui_action toggle_follow(struct ui *ui, int64_t now)
{
    bool on = !ui->list.follow;
    ui->list = (struct ui_list){.page = ui->list.page, .follow = on};
    ui_say(ui, now, on ? "following the newest failure: any move stops it"
                       : "not following: the selection stays where it is");
    return UI_ACT_FETCH;
}

/* ---- tags ---- */

bool ui_tagged(const struct ui *ui, int64_t id)
{
    for (size_t i = 0; i < ui->ntags; i++)
        if (ui->tags[i] == id)
            return true;
    return false;
}

void ui_clear_tags(struct ui *ui)
{
    ui->ntags = 0;
    ui->tags_lost = false;
}

void ui_confirm_label(const struct ui *ui, char *buf, size_t size)
{
    char count[HUMAN_LEN], kind[sizeof ui->confirm_kind + 16] = "";
    human_count(ui->confirm_count, count);
    const char *plural = ui->confirm_count == 1 ? "" : "s";
    if (ui->confirm_kind[0])
        snprintf(kind, sizeof kind, " like \"%s\"", ui->confirm_kind);
    if (ui->confirm_tagged)
        snprintf(buf, size, "%s tagged failure%s", count, plural);
    else if (ui->confirm_filter[0])
        snprintf(buf, size, "%s failure%s matching \"%s\"%s", count, plural, ui->confirm_filter,
                 kind);
    else if (kind[0])
        snprintf(buf, size, "%s failure%s%s", count, plural, kind);
    else
        snprintf(buf, size, "all %s failure%s", count, plural);
}

void ui_confirm(struct ui *ui, int64_t count, size_t hidden, int64_t now)
{
    ui->confirm_count = count;
    ui->confirm_hidden = hidden;
    if (count == 0) {
        ui_say(ui, now, ui->confirm_tagged ? "nothing to retry: no tagged failure is still failed"
                                           : "nothing to retry");
        return;
    }
    ui->dialog = DIALOG_CONFIRM;
}

/* Tags a row as the operator sees it: its id and its attempts so far, so
 * a retry made elsewhere since (even one that failed again) drops it. */
static bool toggle_tag(struct ui *ui, const struct failure_row *r)
{
    for (size_t i = 0; i < ui->ntags; i++)
        if (ui->tags[i] == r->id) {
            size_t after = ui->ntags - i - 1;
            memmove(&ui->tags[i], &ui->tags[i + 1], after * sizeof *ui->tags);
            memmove(&ui->tag_attempts[i], &ui->tag_attempts[i + 1], after * sizeof *ui->tags);
            ui->ntags--;
            return true;
        }
    if (ui->ntags == ui->tags_cap) {
        size_t cap = ui->tags_cap ? ui->tags_cap * 2 : 64;
        int64_t *ids = realloc(ui->tags, cap * sizeof *ids);
        if (ids)
            ui->tags = ids;
        int64_t *attempts = ids ? realloc(ui->tag_attempts, cap * sizeof *attempts) : NULL;
        if (!attempts)
            return false;
        ui->tag_attempts = attempts;
        ui->tags_cap = cap;
    }
    ui->tags[ui->ntags] = r->id;
    ui->tag_attempts[ui->ntags++] = r->attempts;
    ui->tags_lost = false;
    return true;
}

/* ---- keys ----
 *
 * One table says, for every key, what it does, where it works (the pane in
 * focus or the dialog open), whether it writes, and how the help screen and
 * the footer describe it; ui_key() dispatches through it, so the help can
 * never disagree with what a key does.  The confirmation and the filter
 * line take keys of their own (an answer, typed text). */

static bool refuse_if_read_only(struct ui *ui, int64_t now)
{
    if (!ui_read_only(ui))
        return false;
    ui_say(ui, now, "read-only: retries are disabled, the database is opened read-only");
    return true;
}

/* The selected row, pinned for r or Enter; false (and a message) when
 * nothing is selected. */
static bool pin_selected(struct ui *ui, const struct snap_failures *f, struct ui_target *t,
                         int64_t now)
{
    int i = find_row(f, ui->list.selected_id);
    if (i < 0) {
        if (ui->list.lost)
            ui_say(ui, now, "nothing selected: the selected failure left the list; "
                            "choose one with Up or Down");
        return false;
    }
    t->id = f->rows[i].id;
    snprintf(t->event_id, sizeof t->event_id, "%s", f->rows[i].event_id);
    return true;
}

/* Scrolling a dialog's text: help or details. */
static enum ui_action scroll_dialog(struct ui *ui, int key)
{
    int page = ui->scroll_page > 0 ? ui->scroll_page : 1;
    int max = ui->scroll_lines - page > 0 ? ui->scroll_lines - page : 0;
    int s = ui->scroll;
    switch (key) {
    case UI_KEY_UP: case 'k': s--; break;
    case UI_KEY_DOWN: case 'j': s++; break;
    case UI_KEY_PGUP: s -= page; break;
    case UI_KEY_PGDN: s += page; break;
    case UI_KEY_HOME: case 'g': s = 0; break;
    case UI_KEY_END: case 'G': s = max; break;
    default: return UI_ACT_NONE;
    }
    ui->scroll = s < 0 ? 0 : s > max ? max : s;
    return UI_ACT_REDRAW;
}

static enum ui_action move_list(struct ui *ui, int key, const struct snap_failures *f)
{
    int page = ui->list.page;
    switch (key) {
    case UI_KEY_UP: case 'k': return list_move(ui, f, -1, false);
    case UI_KEY_DOWN: case 'j': return list_move(ui, f, 1, false);
    case UI_KEY_PGUP: return list_move(ui, f, -page, true);
    case UI_KEY_PGDN: return list_move(ui, f, page, true);
    case UI_KEY_HOME: case 'g': return list_home(ui);
    default: return list_end(ui);
    }
}

/* Scrolling stops where the last metric is on screen, so Up always moves. */
static enum ui_action scroll_metrics(struct ui *ui, int key)
{
    int s = ui->metrics_scroll;
    switch (key) {
    case UI_KEY_UP: case 'k': s--; break;
    case UI_KEY_DOWN: case 'j': s++; break;
    case UI_KEY_HOME: case 'g': s = 0; break;
    case UI_KEY_END: case 'G': s = ui->metrics_scroll_max; break;
    default: return UI_ACT_NONE;
    }
    s = s > ui->metrics_scroll_max ? ui->metrics_scroll_max : s;
    s = s < 0 ? 0 : s;
    if (s == ui->metrics_scroll)
        return UI_ACT_NONE;
    ui->metrics_scroll = s;
    return UI_ACT_REDRAW;
}

/* The grouped view: the cursor moves over the kinds, and keeps its kind
 * (by name) while counts reorder them. */
static enum ui_action move_kinds(struct ui *ui, int key, const struct snap_failures *f)
{
    int c = ui->kind_cursor, last = f->nkinds > 0 ? f->nkinds - 1 : 0;
    if (c < 0)   /* from none: Down takes the first, Up stays there */
        c = key == UI_KEY_DOWN || key == 'j' ? -1 : 0;
    switch (key) {
    case UI_KEY_UP: case 'k': c--; break;
    case UI_KEY_DOWN: case 'j': c++; break;
    case UI_KEY_PGUP: c -= ui->list.page; break;
    case UI_KEY_PGDN: c += ui->list.page; break;
    case UI_KEY_HOME: case 'g': c = 0; break;
    default: c = last; break;
    }
    ui->kind_cursor = c < 0 ? 0 : c > last ? last : c;
    snprintf(ui->kind_selected, sizeof ui->kind_selected, "%s",
             ui->kind_cursor < f->nkinds ? f->kinds[ui->kind_cursor].kind : "");
    return UI_ACT_REDRAW;
}

static enum ui_action k_move(struct ui *ui, int key, const struct snap_failures *f, int64_t now)
{
    (void)now;
    if (ui->dialog != DIALOG_NONE)
        return scroll_dialog(ui, key);
    if (ui->focus != PANE_FAILURES)
        return scroll_metrics(ui, key);
    return ui->grouped ? move_kinds(ui, key, f) : move_list(ui, key, f);
}

/* What a kind key would act on: the kind under the cursor. */
static const char *kind_at_cursor(const struct ui *ui, const struct snap_failures *f)
{
    return ui->kind_cursor >= 0 && ui->kind_cursor < f->nkinds ? f->kinds[ui->kind_cursor].kind
                                                                  : NULL;
}


static enum ui_action k_group(struct ui *ui, int key, const struct snap_failures *f, int64_t now)
{
    (void)key, (void)f;
    ui->grouped = !ui->grouped;
    ui->kind_cursor = 0;
    ui->kind_selected[0] = '\0';
    ui_say(ui, now, ui->grouped ? "grouped by kind of error: Enter lists a kind, R retries it"
                                : "every failure, newest first");
    return UI_ACT_FETCH;
}

/* Enter on a kind: the list of its failures. */
static enum ui_action drill_down(struct ui *ui, const struct snap_failures *f, int64_t now)
{
    const char *kind = kind_at_cursor(ui, f);
    if (!kind) {
        ui_say(ui, now, "no kind selected: choose one with Up or Down");
        return UI_ACT_REDRAW;
    }
    snprintf(ui->kind, sizeof ui->kind, "%s", kind);
    ui->grouped = false;
    ui_say(ui, now, "failures like \"%s\": Esc shows every kind again", ui->kind);
    return list_refilter(ui);
}

/* r and space act on one failure: not on a group. */
static bool refuse_if_grouped(struct ui *ui, int64_t now)
{
    if (!ui->grouped)
        return false;
    ui_say(ui, now, "grouped by kind: Enter lists a kind's failures; R retries the whole kind");
    return true;
}

static enum ui_action k_metric_tags(struct ui *ui, int key, const struct snap_failures *f,
                                   int64_t now)
{
    (void)key, (void)f, (void)now;
    ui->metrics_tags = !ui->metrics_tags;
    return UI_ACT_REDRAW;
}

static enum ui_action k_help(struct ui *ui, int key, const struct snap_failures *f, int64_t now)
{
    (void)key, (void)f, (void)now;
    ui->dialog = ui->dialog == DIALOG_HELP ? DIALOG_NONE : DIALOG_HELP;
    ui->scroll = 0;
    return UI_ACT_REDRAW;
}

static enum ui_action k_quit(struct ui *ui, int key, const struct snap_failures *f, int64_t now)
{
    (void)key, (void)f, (void)now;
    ui->quit = true;
    return UI_ACT_QUIT;
}

static enum ui_action k_close(struct ui *ui, int key, const struct snap_failures *f, int64_t now)
{
    (void)key, (void)f, (void)now;
    ui->dialog = DIALOG_NONE;
    return UI_ACT_REDRAW;
}

/* Tab and Shift-Tab go round the panes in the order they stand on screen. */
static enum ui_action k_tab(struct ui *ui, int key, const struct snap_failures *f, int64_t now)
{
    (void)f, (void)now;
    int at = 0;
    while (at < PANE_COUNT - 1 && ui->tab_order[at] != ui->focus)
        at++;
    at = (at + (key == UI_KEY_BTAB ? PANE_COUNT - 1 : 1)) % PANE_COUNT;
    ui->focus = ui->tab_order[at];
    return UI_ACT_REDRAW;
}

static enum ui_action k_pane(struct ui *ui, int key, const struct snap_failures *f, int64_t now)
{
    (void)f, (void)now;
    ui->focus = (enum pane_id)(key - '1');
    return UI_ACT_REDRAW;
}

static enum ui_action k_follow(struct ui *ui, int key, const struct snap_failures *f, int64_t now)
{
    (void)key, (void)f;
    return toggle_follow(ui, now);
}

static enum ui_action k_details(struct ui *ui, int key, const struct snap_failures *f,
                                int64_t now)
{
    (void)key;
    if (ui->grouped)
        return drill_down(ui, f, now);
    if (!pin_selected(ui, f, &ui->details, now))
        return UI_ACT_REDRAW;
    ui->dialog = DIALOG_DETAILS;
    ui->scroll = 0;
    return UI_ACT_DETAILS;
}

static enum ui_action k_retry(struct ui *ui, int key, const struct snap_failures *f, int64_t now)
{
    (void)key;
    if (ui->dialog == DIALOG_DETAILS) {
        /* The event the dialog shows, whatever the list did meanwhile. */
        ui->target = ui->details;
        ui->dialog = DIALOG_NONE;
        return UI_ACT_RETRY_TARGET;
    }
    if (refuse_if_grouped(ui, now))
        return UI_ACT_REDRAW;
    if (!pin_selected(ui, f, &ui->target, now))
        return UI_ACT_REDRAW;
    /* Retried: the row is no longer there to act on, even before a refresh
     * shows it gone (or failed again), and following stops, so a second r
     * retries neither it again nor whatever takes its place. */
    ui->list.selected_id = 0;
    ui->list.lost = true;
    ui->list.follow = false;
    return UI_ACT_RETRY_TARGET;
}

static enum ui_action k_tag(struct ui *ui, int key, const struct snap_failures *f, int64_t now)
{
    (void)key;
    if (refuse_if_grouped(ui, now))
        return UI_ACT_REDRAW;
    if (find_row(f, ui->list.selected_id) < 0) {
        pin_selected(ui, f, &ui->target, now);   /* says why nothing is tagged */
        return UI_ACT_REDRAW;
    }
    if (!toggle_tag(ui, &f->rows[find_row(f, ui->list.selected_id)]))
        ui_say(ui, now, "out of memory: cannot tag");
    list_move(ui, f, 1, false);
    return UI_ACT_FETCH;
}

static enum ui_action k_retry_all(struct ui *ui, int key, const struct snap_failures *f,
                                  int64_t now)
{
    (void)key;
    const char *kind = ui->grouped ? kind_at_cursor(ui, f) : ui->kind;
    if (ui->grouped && !kind) {
        ui_say(ui, now, "no kind selected: choose one with Up or Down");
        return UI_ACT_REDRAW;
    }
    if (ui->tags_lost && ui->ntags == 0 && !ui->grouped) {
        ui->tags_lost = false;
        ui_say(ui, now, "no tagged failure is left: retried or resolved since tagged; "
                        "R again asks about all matching");
        return UI_ACT_REDRAW;
    }
    ui->confirm_tagged = ui->ntags > 0 && !ui->grouped;
    ui->confirm_count = 0;
    ui->confirm_hidden = 0;
    ui->confirm_dropped = 0;
    memcpy(ui->confirm_filter, ui->filter, sizeof ui->filter);
    snprintf(ui->confirm_kind, sizeof ui->confirm_kind, "%s", ui->confirm_tagged ? "" : kind);
    return UI_ACT_ASK_RETRY;
}

static enum ui_action k_filter(struct ui *ui, int key, const struct snap_failures *f, int64_t now)
{
    (void)key, (void)f, (void)now;
    ui->dialog = DIALOG_FILTER;
    memcpy(ui->filter_edit, ui->filter, sizeof ui->filter);
    return UI_ACT_REDRAW;
}

static enum ui_action k_clear_filter(struct ui *ui, int key, const struct snap_failures *f,
                                     int64_t now)
{
    (void)key, (void)f, (void)now;
    if (ui->kind[0]) {          /* back out of a kind first, then the filter */
        ui->kind[0] = '\0';
        ui->grouped = true;
        return list_refilter(ui);
    }
    if (!ui->filter[0])
        return UI_ACT_NONE;
    ui->filter[0] = '\0';
    return list_refilter(ui);
}

static enum ui_action k_pause(struct ui *ui, int key, const struct snap_failures *f, int64_t now)
{
    (void)key, (void)f;
    ui->paused = !ui->paused;
    ui->paused_at = ui->paused ? now : 0;
    ui_say(ui, now, ui->paused ? "paused: only the keys you press change the screen; "
                                 "p resumes" : "resumed");
    return ui->paused ? UI_ACT_REDRAW : UI_ACT_FETCH;
}

static enum ui_action k_refresh(struct ui *ui, int key, const struct snap_failures *f,
                                int64_t now)
{
    (void)f;
    int i = 0;
    while (i < NSTEPS - 1 && refresh_steps[i] < ui->refresh_ms)
        i++;
    i += key == '+' ? -1 : 1;   /* + is more often: a shorter interval */
    i = i < 0 ? 0 : i >= NSTEPS ? NSTEPS - 1 : i;
    ui->refresh_ms = refresh_steps[i];
    ui_say(ui, now, "refreshing every %g s", ui->refresh_ms / 1000.0);
    return UI_ACT_REDRAW;
}

static enum ui_action k_repaint(struct ui *ui, int key, const struct snap_failures *f,
                                int64_t now)
{
    (void)ui, (void)key, (void)f, (void)now;
    return UI_ACT_FULL_REDRAW;
}

#define LIST_KEYS (KEYS_FAILURES | KEYS_DETAILS | KEYS_HELP)

/* In the order the help screen lists them; the first entry that works
 * where the operator is wins, so Enter opens details from the list and
 * closes a dialog. */
static const struct key_help key_table[] = {
    {"?", "show this help (again: close it)", "help", KEYS_MAIN | KEYS_HELP, false,
     {'?'}, k_help},
    {"q", "quit", "quit", KEYS_MAIN, false, {'q'}, k_quit},
    {"Esc q Enter", "close the dialog", "close", KEYS_DETAILS | KEYS_HELP, false,
     {UI_KEY_ESC, 'q', UI_KEY_ENTER, '\n'}, k_close},
    {"Tab S-Tab", "focus the next / previous pane, in screen order", NULL, KEYS_MAIN, false,
     {UI_KEY_TAB, UI_KEY_BTAB}, k_tab},
    {"1-5", "focus Connection, Throughput, Failures, Queue or Metrics", NULL, KEYS_MAIN, false,
     {'1', '2', '3', '4', '5'}, k_pane},
    {"Up Down j k", "move the selection or scroll", NULL, LIST_KEYS | KEYS_METRICS, false,
     {UI_KEY_UP, UI_KEY_DOWN, 'j', 'k'}, k_move},
    {"PgUp PgDn", "move a page", NULL, LIST_KEYS, false, {UI_KEY_PGUP, UI_KEY_PGDN}, k_move},
    {"Home End g G", "go to the newest / oldest (the top / bottom)", NULL,
     LIST_KEYS | KEYS_METRICS, false, {UI_KEY_HOME, UI_KEY_END, 'g', 'G'}, k_move},
    {"f", "follow the newest failure as they arrive (any move stops it)", "follow",
     KEYS_FAILURES, false, {'f'}, k_follow},
    {"Enter", "show the selected failure: error, attempts, the event's JSON (grouped: list "
              "the kind's failures)", "details", KEYS_FAILURES, false, {UI_KEY_ENTER, '\n'},
     k_details},
    {"v", "group failures by kind of error, with counts (again: every failure)", "by kind",
     KEYS_FAILURES, false, {'v'}, k_group},
    {"r", "retry the selected failure (in details: the one shown)", "retry",
     KEYS_FAILURES | KEYS_DETAILS, true, {'r'}, k_retry},
    {"space", "tag or untag the selected failure", "tag", KEYS_FAILURES, true, {' '}, k_tag},
    {"R", "retry the tagged failures, or all matching the filter (grouped: the kind under the "
          "cursor); asks first, and the set is fixed when asked", "retry all", KEYS_FAILURES,
     true, {'R'}, k_retry_all},
    {"t", "show or hide the metrics' tags", "tags", KEYS_METRICS, false, {'t'}, k_metric_tags},
    {"/", "filter failures by error text, event id or company number (empty: none)", "filter",
     KEYS_MAIN, false,
     {'/'}, k_filter},
    {"Esc", "leave a kind's list, then clear the filter", NULL, KEYS_MAIN, false, {UI_KEY_ESC},
     k_clear_filter},
    {"p", "pause or resume updates", "pause", KEYS_MAIN, false, {'p'}, k_pause},
    {"+ -", "refresh more / less often", NULL, KEYS_MAIN, false, {'+', '-'}, k_refresh},
    {"Ctrl-L", "repaint the terminal", NULL, KEYS_MAIN | KEYS_DETAILS | KEYS_HELP, false,
     {UI_KEY_CTRL_L}, k_repaint},
};
static const size_t key_count = sizeof key_table / sizeof key_table[0];

const struct key_help *ui_key_table(size_t *n)
{
    *n = key_count;
    return key_table;
}

static unsigned where_now(const struct ui *ui)
{
    switch (ui->dialog) {
    case DIALOG_DETAILS:
        return KEYS_DETAILS;
    case DIALOG_HELP:
        return KEYS_HELP;
    case DIALOG_NONE:
        return KEYS_MAIN | (ui->focus == PANE_FAILURES ? KEYS_FAILURES : 0) |
               (ui->focus == PANE_METRICS ? KEYS_METRICS : 0);
    default:
        return 0;
    }
}

bool ui_key_applies(const struct ui *ui, const struct key_help *k)
{
    return (k->where & where_now(ui)) != 0;
}

bool ui_key_enabled(const struct ui *ui, const struct key_help *k)
{
    return !(k->writes && ui_read_only(ui));
}

/* The first entry for key that works in where. */
static const struct key_help *binding(int key, unsigned where)
{
    for (size_t i = 0; i < key_count; i++)
        for (size_t j = 0; j < UI_KEY_CODES && key_table[i].codes[j]; j++)
            if (key_table[i].codes[j] == key && (key_table[i].where & where))
                return &key_table[i];
    return NULL;
}

const char *ui_key_label(const struct ui *ui, const struct key_help *k)
{
    if (k->run == k_pause && ui->paused)
        return "resume";
    return k->short_what;
}

/* A key's name as the operator types it. */
static const char *key_name(int key, char buf[8])
{
    switch (key) {
    case UI_KEY_ENTER: case '\n': return "Enter";
    case UI_KEY_ESC: return "Esc";
    case ' ': return "space";
    case UI_KEY_UP: return "Up";
    case UI_KEY_DOWN: return "Down";
    case UI_KEY_PGUP: return "PgUp";
    case UI_KEY_PGDN: return "PgDn";
    case UI_KEY_HOME: return "Home";
    case UI_KEY_END: return "End";
    default:
        snprintf(buf, 8, "%c", key > 0x20 && key < 0x7F ? key : '?');
        return buf;
    }
}

/* The entry for key that works in a pane (not only in a dialog), if any. */
static const struct key_help *pane_binding(int key)
{
    return binding(key, KEYS_FAILURES | KEYS_METRICS);
}

/* A key that does nothing here says where it works. */
static enum ui_action say_where(struct ui *ui, int key, const struct key_help *k, int64_t now)
{
    char buf[8];
    const char *name = key_name(key, buf);
    if (k->where & KEYS_FAILURES)
        ui_say(ui, now, "%s: works in Failures (Tab to it, or press 3)", name);
    else
        ui_say(ui, now, "%s: works in Metrics (Tab to it, or press 5)", name);
    return UI_ACT_REDRAW;
}

static enum ui_action key_confirm(struct ui *ui, int key, int64_t now)
{
    ui->dialog = DIALOG_NONE;
    if (key == 'y' || key == 'Y')
        return UI_ACT_RETRY_CONFIRMED;
    ui_say(ui, now, "nothing retried");
    return UI_ACT_REDRAW;
}

/* Appends code point cp to s as UTF-8 if it fits. */
static void append_utf8(char *s, size_t size, unsigned cp)
{
    char buf[4];
    size_t n;
    if (cp < 0x80) {
        buf[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        buf[0] = (char)(0xC0 | cp >> 6), buf[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
        if (cp >= 0xD800 && cp < 0xE000)
            return;
        buf[0] = (char)(0xE0 | cp >> 12), buf[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    } else if (cp < 0x110000) {
        buf[0] = (char)(0xF0 | cp >> 18), buf[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        buf[2] = (char)(0x80 | (cp >> 6 & 0x3F)), buf[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    } else {
        return;
    }
    size_t len = strlen(s);
    if (len + n < size) {
        memcpy(s + len, buf, n);
        s[len + n] = '\0';
    }
}

static void erase_last_char(char *s)
{
    size_t len = strlen(s);
    while (len > 0 && ((unsigned char)s[len - 1] & 0xC0) == 0x80)
        len--;
    if (len > 0)
        len--;
    s[len] = '\0';
}

static enum ui_action key_filter(struct ui *ui, int key)
{
    switch (key) {
    case UI_KEY_ESC:
        ui->dialog = DIALOG_NONE;
        return UI_ACT_REDRAW;
    case UI_KEY_ENTER: case '\n':
        ui->dialog = DIALOG_NONE;
        if (strcmp(ui->filter, ui->filter_edit) == 0)
            return UI_ACT_REDRAW;
        memcpy(ui->filter, ui->filter_edit, sizeof ui->filter);
        return list_refilter(ui);
    case UI_KEY_BACKSPACE: case 8:
        erase_last_char(ui->filter_edit);
        return UI_ACT_REDRAW;
    case 21:   /* Ctrl-U */
        ui->filter_edit[0] = '\0';
        return UI_ACT_REDRAW;
    default:
        if (key < 0x20 || key == 0x7F || (key >= 0x80 && key < 0xA0) || key >= 0x110000)
            return UI_ACT_NONE;
        append_utf8(ui->filter_edit, sizeof ui->filter_edit, (unsigned)key);
        return UI_ACT_REDRAW;
    }
}

enum ui_action ui_key(struct ui *ui, int key, const struct snap_failures *f, int64_t now)
{
    if (key == UI_KEY_RESIZE)
        return UI_ACT_RELAYOUT;
    if (ui->dialog == DIALOG_CONFIRM)
        return key_confirm(ui, key, now);
    if (ui->dialog == DIALOG_FILTER)
        return key_filter(ui, key);
    const struct key_help *k = binding(key, where_now(ui));
    if (k && k->writes && refuse_if_read_only(ui, now))
        return UI_ACT_REDRAW;
    if (k)
        return k->run(ui, key, f, now);
    if (ui->dialog == DIALOG_NONE && (k = pane_binding(key)) != NULL)
        return say_where(ui, key, k, now);
    return UI_ACT_NONE;
}
