/* screen — the terminal, and the only module besides the drawing code that
 * calls curses.  Used by the UI thread alone.
 *
 * screen_open() sends stderr to the log file for as long as curses owns
 * the terminal, so nothing libcurl, SQLite or another thread prints can
 * scribble on it; screen_close() gives the terminal back exactly as it was
 * and is safe to call on every exit path (it is also registered with
 * atexit, and a crash signal restores the terminal before the default
 * action).  Colours are roles, so a monochrome terminal, --no-color and
 * NO_COLOR get attributes instead; box lines and sparklines fall back to
 * ASCII when the locale is not UTF-8. */
#ifndef STREAMTOP_SCREEN_H
#define STREAMTOP_SCREEN_H

#include <stdbool.h>

#include "err.h"
#include "textsafe.h"

enum role {
    ROLE_NORMAL,
    ROLE_HEADER,        /* the header and footer bars */
    ROLE_TITLE,         /* a pane's title */
    ROLE_FOCUS,         /* the focused pane's title and border */
    ROLE_LABEL,
    ROLE_GOOD,
    ROLE_WARN,
    ROLE_BAD,
    ROLE_DIM,
    ROLE_SELECTED,      /* the selected row in the focused list */
    ROLE_TAGGED,
    ROLE_KEY,           /* a key name in the footer or help */
    ROLE_DISABLED,      /* a key that does nothing in this mode */
    ROLE_COUNT
};

/* Takes over the terminal; stderr goes to log_fd until screen_close(). */
int screen_open(bool color, int log_fd, struct err *e);
void screen_close(void);

/* Whether the terminal takes UTF-8 (else text is shown as ASCII). */
enum textsafe_charset screen_charset(void);

/* The curses attribute for a role (colour pair or monochrome attribute). */
int screen_attr(enum role r);

void screen_size(int *rows, int *cols);

/* Waits up to timeout_ms for a key; returns a ui_keycode or a character,
 * or UI_KEY_NONE on timeout. */
int screen_read_key(int timeout_ms);

/* Frames: screen_begin() clears curses' buffer (not the terminal);
 * screen_end() sends only what changed, in one write. */
void screen_begin(void);
void screen_end(void);

/* The next frame repaints the whole terminal (Ctrl-L, after a resize). */
void screen_repaint(void);

#endif
