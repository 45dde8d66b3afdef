#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui.h"

static const int refresh_steps[] = UI_REFRESH_STEPS;
#define NSTEPS ((int)(sizeof refresh_steps / sizeof refresh_steps[0]))

static const struct key_help key_table[] = {
    {"?", "show this help", "help", KEYS_MAIN, false},
    {"q", "quit (in a dialog: close it)", "quit", KEYS_MAIN, false},
    {"Tab S-Tab", "focus the next / previous pane", NULL, KEYS_MAIN, false},
    {"Up Down j k", "move the selection or scroll", NULL,
     KEYS_FAILURES | KEYS_METRICS | KEYS_DETAILS | KEYS_DIALOG, false},
    {"PgUp PgDn", "move a page", NULL, KEYS_FAILURES | KEYS_DETAILS | KEYS_DIALOG, false},
    {"Home End g G", "go to the newest / oldest", NULL,
     KEYS_FAILURES | KEYS_DETAILS | KEYS_DIALOG, false},
    {"Enter", "show the selected failure: error, attempts, the event's JSON", "details",
     KEYS_FAILURES, false},
    {"r", "retry the selected failure", "retry", KEYS_FAILURES | KEYS_DETAILS, true},
    {"space", "tag or untag the selected failure", "tag", KEYS_FAILURES, true},
    {"R", "retry the tagged failures, or all matching the filter (asks first)", "retry all",
     KEYS_FAILURES, true},
    {"t", "show or hide the metrics' tags", "tags", KEYS_METRICS, false},
    {"/", "filter failures by error text (empty: no filter)", "filter", KEYS_MAIN, false},
    {"p", "pause or resume updates", "pause", KEYS_MAIN, false},
    {"+ -", "refresh more / less often", NULL, KEYS_MAIN, false},
    {"Ctrl-L", "repaint the terminal", NULL, KEYS_MAIN, false},
    {"Esc", "close the dialog; on the dashboard, clear the filter", "close", KEYS_DIALOG, false},
};

const struct key_help *ui_key_table(size_t *n)
{
    *n = sizeof key_table / sizeof key_table[0];
    return key_table;
}

static unsigned where_now(const struct ui *ui)
{
    switch (ui->dialog) {
    case DIALOG_DETAILS:
        return KEYS_DETAILS | KEYS_DIALOG;
    case DIALOG_NONE:
        return KEYS_MAIN | (ui->focus == PANE_FAILURES ? KEYS_FAILURES : 0) |
               (ui->focus == PANE_METRICS ? KEYS_METRICS : 0);
    default:
        return KEYS_DIALOG;
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

void ui_init(struct ui *ui, enum ui_mode mode, int refresh_ms)
{
    memset(ui, 0, sizeof *ui);
    ui->mode = mode;
    ui->focus = PANE_FAILURES;
    ui->refresh_ms = refresh_ms > 0 ? refresh_ms : 1000;
    ui->list.page = 1;
    ui->scroll_page = 1;
}

void ui_free(struct ui *ui)
{
    free(ui->tags);
    ui->tags = NULL;
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

void ui_visible(const struct ui *ui, const struct snap_failures *f, int *first, int *count)
{
    int t = top_index(f);
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

/* Points the list at top row t and selected row s of f (both valid).
 * Selecting the newest row means following new failures as they come;
 * anywhere else the window is anchored on its top row, so rows arriving
 * above do not move what the operator is looking at. */
static void place(struct ui_list *l, const struct snap_failures *f, int t, int s)
{
    l->top_id = s == 0 && f->newer == 0 ? 0 : f->rows[t].id;
    l->selected_id = f->rows[s].id;
    l->cursor = s - t;
}

bool ui_sync(struct ui *ui, const struct snap_failures *f)
{
    struct ui_list *l = &ui->list;
    bool oldest = l->to_oldest;
    l->to_oldest = false;
    if (f->nrows == 0) {
        *l = (struct ui_list){.page = l->page};
        return false;
    }
    int t = top_index(f);
    if (oldest) {
        int last = f->nrows < l->page ? f->nrows - 1 : l->page - 1;
        l->top_id = f->rows[0].id;
        l->selected_id = f->rows[last].id;
        l->cursor = last;
        return f->newer > 0;   /* read the page above too */
    }
    int s = find_row(f, l->selected_id);
    if (l->top_id == 0 && l->cursor == 0)
        s = 0;   /* at the top of the newest: follow new failures */
    if (s < 0) {
        /* The selected row left the list (retried): select what took its place. */
        s = t + l->cursor;
        if (s >= f->nrows)
            s = f->nrows - 1;
        if (s < t)
            t = s;
    } else if (s < t || s >= t + l->page) {
        /* Rows arrived above it: keep it where it is on the screen. */
        t = s - l->cursor;
        if (t < 0)
            t = 0;
    }
    place(l, f, t, s);
    return false;
}

static enum ui_action list_move(struct ui *ui, const struct snap_failures *f, int delta, bool paging)
{
    struct ui_list *l = &ui->list;
    if (f->nrows == 0)
        return UI_ACT_NONE;
    int page = l->page;
    int t = top_index(f);
    int s = find_row(f, l->selected_id);
    if (s < 0)
        s = t;
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

static enum ui_action list_home(struct ui *ui)
{
    ui->list = (struct ui_list){.page = ui->list.page};
    return UI_ACT_FETCH;
}

static enum ui_action list_end(struct ui *ui)
{
    ui->list.to_oldest = true;
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
}

static bool toggle_tag(struct ui *ui, int64_t id)
{
    for (size_t i = 0; i < ui->ntags; i++)
        if (ui->tags[i] == id) {
            memmove(&ui->tags[i], &ui->tags[i + 1], (ui->ntags - i - 1) * sizeof *ui->tags);
            ui->ntags--;
            return true;
        }
    if (ui->ntags == ui->tags_cap) {
        size_t cap = ui->tags_cap ? ui->tags_cap * 2 : 64;
        int64_t *grown = realloc(ui->tags, cap * sizeof *grown);
        if (!grown)
            return false;
        ui->tags = grown;
        ui->tags_cap = cap;
    }
    ui->tags[ui->ntags++] = id;
    return true;
}

/* ---- keys ---- */

static bool refuse_if_read_only(struct ui *ui, int64_t now)
{
    if (!ui_read_only(ui))
        return false;
    ui_say(ui, now, "read-only: retries are disabled, the database is opened read-only");
    return true;
}

static enum ui_action key_retry_all(struct ui *ui, const struct snap_failures *f, int64_t now)
{
    ui->confirm_tagged = ui->ntags > 0;
    ui->confirm_count = ui->confirm_tagged ? (int64_t)ui->ntags : f->matching;
    if (ui->confirm_count == 0) {
        ui_say(ui, now, "nothing to retry");
        return UI_ACT_REDRAW;
    }
    ui->dialog = DIALOG_CONFIRM;
    return UI_ACT_REDRAW;
}

static enum ui_action key_failures(struct ui *ui, int key, const struct snap_failures *f,
                                   int64_t now)
{
    int page = ui->list.page;
    switch (key) {
    case UI_KEY_UP: case 'k': return list_move(ui, f, -1, false);
    case UI_KEY_DOWN: case 'j': return list_move(ui, f, 1, false);
    case UI_KEY_PGUP: return list_move(ui, f, -page, true);
    case UI_KEY_PGDN: return list_move(ui, f, page, true);
    case UI_KEY_HOME: case 'g': return list_home(ui);
    case UI_KEY_END: case 'G': return list_end(ui);
    case UI_KEY_ENTER: case '\n':
        if (ui->list.selected_id == 0)
            return UI_ACT_NONE;
        ui->dialog = DIALOG_DETAILS;
        ui->scroll = 0;
        return UI_ACT_DETAILS;
    case 'r':
        if (refuse_if_read_only(ui, now))
            return UI_ACT_REDRAW;
        return ui->list.selected_id ? UI_ACT_RETRY_SELECTED : UI_ACT_NONE;
    case ' ':
        if (refuse_if_read_only(ui, now))
            return UI_ACT_REDRAW;
        if (ui->list.selected_id == 0)
            return UI_ACT_NONE;
        if (!toggle_tag(ui, ui->list.selected_id))
            ui_say(ui, now, "out of memory: cannot tag");
        list_move(ui, f, 1, false);
        return UI_ACT_FETCH;
    case 'R':
        if (refuse_if_read_only(ui, now))
            return UI_ACT_REDRAW;
        return key_retry_all(ui, f, now);
    default:
        return UI_ACT_NONE;
    }
}

/* Scrolling stops where the last metric is on screen, so Up always moves. */
static enum ui_action key_metrics(struct ui *ui, int key)
{
    int s = ui->metrics_scroll;
    switch (key) {
    case UI_KEY_UP: case 'k': s--; break;
    case UI_KEY_DOWN: case 'j': s++; break;
    case 't':
        ui->metrics_tags = !ui->metrics_tags;
        return UI_ACT_REDRAW;
    default: return UI_ACT_NONE;
    }
    s = s > ui->metrics_scroll_max ? ui->metrics_scroll_max : s;
    s = s < 0 ? 0 : s;
    if (s == ui->metrics_scroll)
        return UI_ACT_NONE;
    ui->metrics_scroll = s;
    return UI_ACT_REDRAW;
}

static enum ui_action change_refresh(struct ui *ui, int direction, int64_t now)
{
    int i = 0;
    while (i < NSTEPS - 1 && refresh_steps[i] < ui->refresh_ms)
        i++;
    i -= direction;   /* + is more often: a shorter interval */
    i = i < 0 ? 0 : i >= NSTEPS ? NSTEPS - 1 : i;
    ui->refresh_ms = refresh_steps[i];
    ui_say(ui, now, "refreshing every %g s", ui->refresh_ms / 1000.0);
    return UI_ACT_REDRAW;
}

static enum ui_action key_main(struct ui *ui, int key, const struct snap_failures *f, int64_t now)
{
    switch (key) {
    case 'q':
        ui->quit = true;
        return UI_ACT_QUIT;
    case '?':
        ui->dialog = DIALOG_HELP;
        ui->scroll = 0;
        return UI_ACT_REDRAW;
    case UI_KEY_TAB:
        ui->focus = (enum pane_id)((ui->focus + 1) % PANE_COUNT);
        return UI_ACT_REDRAW;
    case UI_KEY_BTAB:
        ui->focus = (enum pane_id)((ui->focus + PANE_COUNT - 1) % PANE_COUNT);
        return UI_ACT_REDRAW;
    case '/':
        ui->dialog = DIALOG_FILTER;
        memcpy(ui->filter_edit, ui->filter, sizeof ui->filter);
        return UI_ACT_REDRAW;
    case 'p':
        ui->paused = !ui->paused;
        ui_say(ui, now, ui->paused ? "paused: press p to resume" : "resumed");
        return ui->paused ? UI_ACT_REDRAW : UI_ACT_FETCH;
    case '+':
        return change_refresh(ui, 1, now);
    case '-':
        return change_refresh(ui, -1, now);
    case UI_KEY_CTRL_L:
        return UI_ACT_FULL_REDRAW;
    case UI_KEY_ESC:
        if (!ui->filter[0])
            return UI_ACT_NONE;
        ui->filter[0] = '\0';
        return list_home(ui);
    default:
        if (ui->focus == PANE_FAILURES)
            return key_failures(ui, key, f, now);
        if (ui->focus == PANE_METRICS)
            return key_metrics(ui, key);
        return UI_ACT_NONE;
    }
}

/* Scrolling a dialog's text: help or details. */
static enum ui_action key_scroll(struct ui *ui, int key)
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

static bool closes_dialog(int key)
{
    return key == UI_KEY_ESC || key == 'q' || key == UI_KEY_ENTER || key == '\n';
}

static enum ui_action key_help_dialog(struct ui *ui, int key)
{
    if (closes_dialog(key) || key == '?') {
        ui->dialog = DIALOG_NONE;
        return UI_ACT_REDRAW;
    }
    return key_scroll(ui, key);
}

static enum ui_action key_details(struct ui *ui, int key, int64_t now)
{
    if (closes_dialog(key)) {
        ui->dialog = DIALOG_NONE;
        return UI_ACT_REDRAW;
    }
    if (key == 'r') {
        if (refuse_if_read_only(ui, now))
            return UI_ACT_REDRAW;
        ui->dialog = DIALOG_NONE;
        return UI_ACT_RETRY_SELECTED;
    }
    return key_scroll(ui, key);
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
        return list_home(ui);
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
    switch (ui->dialog) {
    case DIALOG_HELP: return key_help_dialog(ui, key);
    case DIALOG_DETAILS: return key_details(ui, key, now);
    case DIALOG_CONFIRM: return key_confirm(ui, key, now);
    case DIALOG_FILTER: return key_filter(ui, key);
    case DIALOG_NONE: break;
    }
    return key_main(ui, key, f, now);
}
