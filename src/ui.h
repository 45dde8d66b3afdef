/* ui — the dashboard's state and what each key does to it.
 *
 * Pure: no curses, no database.  The screen turns terminal input into the
 * keys below; ui_key() changes the state and returns what the caller must
 * do that needs the outside world (fetch a page, retry, load details,
 * quit).  After every snapshot ui_sync() settles the failures list on it,
 * so the selection follows its row by id and the list does not jump under
 * the cursor.  The unit tests drive it key by key without a terminal.
 *
 * The failures list is a window over a list that may hold 100,000 rows:
 * it is anchored on the log id of its top row (0 while following the
 * newest) and asks the snapshot for the page on screen and a page above
 * and below it, so every move within a page is answered from rows already
 * read. */
#ifndef STREAMTOP_UI_H
#define STREAMTOP_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"
#include "snapshot.h"

/* Keys that are not characters; characters are their Unicode code point. */
enum ui_keycode {
    UI_KEY_NONE = 0,
    UI_KEY_TAB = '\t',
    UI_KEY_ENTER = '\r',
    UI_KEY_ESC = 27,
    UI_KEY_CTRL_L = 12,
    UI_KEY_BACKSPACE = 127,
    UI_KEY_UP = 0x110000,
    UI_KEY_DOWN,
    UI_KEY_LEFT,
    UI_KEY_RIGHT,
    UI_KEY_PGUP,
    UI_KEY_PGDN,
    UI_KEY_HOME,
    UI_KEY_END,
    UI_KEY_BTAB,        /* Shift-Tab */
    UI_KEY_RESIZE,
};

enum ui_mode { UI_LIVE, UI_ATTACHED, UI_READ_ONLY, UI_DEMO };

enum ui_dialog {
    DIALOG_NONE,
    DIALOG_HELP,
    DIALOG_DETAILS,
    DIALOG_CONFIRM,     /* "retry N events?" */
    DIALOG_FILTER,      /* editing the filter in the footer */
};

#define UI_FILTER_MAX 128
#define UI_MESSAGE_MAX 200
#define UI_MESSAGE_MS 4000

/* The refresh intervals +/- step through, in milliseconds. */
#define UI_REFRESH_STEPS {250, 500, 1000, 2000, 5000, 10000}

struct ui_list {
    int64_t top_id;           /* log id of the top row; 0: the newest page */
    bool to_oldest;           /* End: the next fetch reads the oldest page */
    int64_t selected_id;      /* 0: nothing selected */
    int cursor;               /* the selection's row on screen, from the top */
    int page;                 /* rows the pane shows (set from the layout) */
    bool follow;              /* following the newest: only `f` turns it on */
    bool lost;                /* the selected row left the list and no key has
                                 chosen another: the cursor stays between rows */
};

/* The one event a key acts on, pinned when the key was pressed. */
struct ui_target {
    int64_t id;               /* stream_events_log id; 0: none */
    char event_id[96];
};

struct ui {
    enum ui_mode mode;
    enum pane_id focus;
    enum pane_id tab_order[PANE_COUNT];   /* the panes as they stand on screen */
    enum ui_dialog dialog;
    bool paused;
    bool quit;
    int refresh_ms;

    struct ui_list list;
    int64_t *tags;            /* tagged log ids, in tagging order */
    int64_t *tag_attempts;    /* each one's attempts when tagged: a retry since drops it */
    size_t ntags, tags_cap;
    bool tags_lost;           /* every tag dropped since tagged (retried or resolved
                                 elsewhere): R says so once rather than ask for all */

    char filter[UI_FILTER_MAX];        /* applied */
    bool grouped;                      /* the list shows one row per kind of error */
    int kind_cursor;                   /* the selected kind's row, when grouped; -1: none */
    char kind_selected[sizeof(struct failure_kind){0}.kind];   /* ... kept by name */
    char kind[sizeof(struct failure_kind){0}.kind];   /* the kind drilled into, or "" */
    char filter_edit[UI_FILTER_MAX];   /* being typed */

    /* R: the set is fixed (by the caller, through ui_confirm) when the
     * dialog opens; y acts on exactly that set. */
    int64_t confirm_count;             /* what R will retry */
    bool confirm_tagged;               /* ... the tags, or all matching the filter */
    size_t confirm_hidden;             /* tagged rows the filter hides, included */
    size_t confirm_dropped;            /* tags dropped when the set was fixed */
    char confirm_filter[UI_FILTER_MAX];   /* the filter when the set was fixed */
    char confirm_kind[sizeof(struct failure_kind){0}.kind];   /* ... and the kind */

    struct ui_target target;           /* what r acts on */
    struct ui_target details;          /* the event the details dialog shows */
    int64_t paused_at;                 /* Unix ms; when p paused the screen */

    int scroll;               /* first line shown of the details or help dialog */
    int scroll_page;          /* lines the dialog shows (set from the layout) */
    int scroll_lines;         /* lines the dialog has */
    int metrics_scroll;       /* first metric shown */
    int metrics_scroll_max;   /* the last first one that still fills the pane (set when drawn) */
    bool metrics_tags;        /* show the metrics' tags */

    char message[UI_MESSAGE_MAX];
    int64_t message_until;    /* Unix ms; 0: no message */
};

/* What the caller must do after a key. */
enum ui_action {
    UI_ACT_NONE,
    UI_ACT_REDRAW,            /* state changed: draw again */
    UI_ACT_FETCH,             /* the window or filter changed: take a snapshot now */
    UI_ACT_FULL_REDRAW,       /* Ctrl-L: repaint the whole terminal */
    UI_ACT_DETAILS,           /* load the selected failure's details, then show them */
    UI_ACT_RETRY_TARGET,      /* retry ui->target, the one event the key was pressed on */
    UI_ACT_ASK_RETRY,         /* R: fix the set (tags, or all matching the filter), then
                                 call ui_confirm() with its size */
    UI_ACT_RETRY_CONFIRMED,   /* y: retry the set fixed for the confirmation */
    UI_ACT_RELAYOUT,          /* the terminal changed size */
    UI_ACT_QUIT,
};

void ui_init(struct ui *ui, enum ui_mode mode, int refresh_ms);
void ui_free(struct ui *ui);

bool ui_read_only(const struct ui *ui);

/* What the snapshot should read for the list as it stands. */
void ui_request(const struct ui *ui, struct failure_window *w);

/* Settles the list on a fresh snapshot of the failures.  True when the
 * window moved so far that it should be read again at once (after End). */
bool ui_sync(struct ui *ui, const struct snap_failures *f);

/* Handles one key; f is the list as last drawn.  now is Unix ms (for
 * messages). */
enum ui_action ui_key(struct ui *ui, int key, const struct snap_failures *f, int64_t now);

/* Shows a message in the footer for a few seconds. */
void ui_say(struct ui *ui, int64_t now, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The rows of f the pane shows: f->rows[*first .. *first + *count - 1]. */
void ui_visible(const struct ui *ui, const struct snap_failures *f, int *first, int *count);

bool ui_tagged(const struct ui *ui, int64_t id);

/* The key table: what each key does, and the help screen and footer. */
enum key_where {
    KEYS_MAIN = 1,          /* the dashboard, any pane focused */
    KEYS_FAILURES = 2,      /* the failures pane focused */
    KEYS_METRICS = 4,       /* the metrics pane focused */
    KEYS_DETAILS = 8,       /* the details dialog */
    KEYS_HELP = 16,         /* the help screen */
};

#define UI_KEY_CODES 6

struct key_help {
    const char *keys;       /* as shown: "PgUp PgDn" */
    const char *what;
    const char *short_what; /* for the footer; NULL: help screen only */
    unsigned where;
    bool writes;            /* disabled when the database is read-only */
    int codes[UI_KEY_CODES];   /* the keys it is bound to; 0 ends the list */
    enum ui_action (*run)(struct ui *ui, int key, const struct snap_failures *f, int64_t now);
};

const struct key_help *ui_key_table(size_t *n);

/* The label the footer gives k now ("resume" for p while paused). */
const char *ui_key_label(const struct ui *ui, const struct key_help *k);

/* Whether k works where the operator is now (focus and dialog). */
bool ui_key_applies(const struct ui *ui, const struct key_help *k);
bool ui_key_enabled(const struct ui *ui, const struct key_help *k);

/* After a retry: forget the tags (their rows have left the list). */
void ui_clear_tags(struct ui *ui);

/* Opens the confirmation for the set the caller fixed after
 * UI_ACT_ASK_RETRY: count events, hidden of them tagged but filtered out. */
void ui_confirm(struct ui *ui, int64_t count, size_t hidden, int64_t now);

/* What the confirmation's set is, for the dialog, messages and the log:
 * "3 tagged failures", "58 failures matching \"timeout\"", "all 60 failures". */
void ui_confirm_label(const struct ui *ui, char *buf, size_t size);

/* Failures newer than the top row on screen (the "N newer" marker). */
int64_t ui_newer_above(const struct ui *ui, const struct snap_failures *f);

#endif
