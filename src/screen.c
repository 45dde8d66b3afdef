#include "config.h"

#include <curses.h>
#include <errno.h>
#include <langinfo.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "screen.h"
#include "ui.h"

static bool active;
static bool atexit_registered;
static int saved_stderr = -1;
static enum textsafe_charset charset = TEXTSAFE_ASCII;
static int attrs[ROLE_COUNT];

static const int crash_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};

/* A crash must not leave the terminal in raw mode with the cursor hidden.
 * endwin() is not async-signal-safe, but the process is dying anyway and a
 * wrecked terminal is the worse outcome (htop does the same). */
static void restore_on_crash(int sig)
{
    if (active) {
        active = false;
        endwin();
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void set_crash_handlers(void (*handler)(int))
{
    for (size_t i = 0; i < sizeof crash_signals / sizeof crash_signals[0]; i++)
        signal(crash_signals[i], handler);
}

static void monochrome(void)
{
    attrs[ROLE_NORMAL] = A_NORMAL;
    attrs[ROLE_HEADER] = A_REVERSE;
    attrs[ROLE_TITLE] = A_BOLD;
    attrs[ROLE_FOCUS] = A_BOLD | A_REVERSE;
    attrs[ROLE_LABEL] = A_NORMAL;
    attrs[ROLE_GOOD] = A_BOLD;
    attrs[ROLE_WARN] = A_BOLD;
    attrs[ROLE_BAD] = A_BOLD | A_UNDERLINE;
    attrs[ROLE_DIM] = A_DIM;
    attrs[ROLE_SELECTED] = A_REVERSE;
    attrs[ROLE_TAGGED] = A_BOLD;
    attrs[ROLE_KEY] = A_BOLD;
    attrs[ROLE_DISABLED] = A_DIM;
}

/* Colour pairs on the terminal's own background. */
static void colours(void)
{
    static const struct { enum role role; short fg, bg; int extra; } pairs[] = {
        {ROLE_HEADER, COLOR_BLACK, COLOR_CYAN, 0},
        {ROLE_TITLE, COLOR_CYAN, -1, A_BOLD},
        {ROLE_FOCUS, COLOR_YELLOW, -1, A_BOLD},
        {ROLE_LABEL, COLOR_CYAN, -1, 0},
        {ROLE_GOOD, COLOR_GREEN, -1, A_BOLD},
        {ROLE_WARN, COLOR_YELLOW, -1, A_BOLD},
        {ROLE_BAD, COLOR_RED, -1, A_BOLD},
        {ROLE_SELECTED, COLOR_BLACK, COLOR_CYAN, 0},
        {ROLE_TAGGED, COLOR_MAGENTA, -1, A_BOLD},
        {ROLE_KEY, COLOR_YELLOW, -1, A_BOLD},
    };
    start_color();
    use_default_colors();
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        short pair = (short)(i + 1);
        init_pair(pair, pairs[i].fg, pairs[i].bg);
        attrs[pairs[i].role] = (int)COLOR_PAIR(pair) | pairs[i].extra;
    }
}

int screen_open(bool color, int log_fd, struct err *e)
{
    charset = strcmp(nl_langinfo(CODESET), "UTF-8") == 0 ? TEXTSAFE_UTF8 : TEXTSAFE_ASCII;
    fflush(stderr);
    saved_stderr = dup(STDERR_FILENO);
    if (saved_stderr < 0 || dup2(log_fd, STDERR_FILENO) < 0)
        return err_set(e, "cannot redirect stderr to the log: %s", strerror(errno)), -1;
    if (!atexit_registered) {
        atexit(screen_close);
        atexit_registered = true;
    }
    /* newterm, unlike initscr, reports a bad TERM instead of exiting. */
    if (!newterm(NULL, stdout, stdin)) {
        screen_close();
        return err_set(e, "cannot use terminal type \"%s\"", getenv("TERM") ? getenv("TERM") : ""),
               -1;
    }
    active = true;
    /* A terminal that cannot place the cursor (TERM=dumb) would get the
     * header on one line and garbage on the prompt after: refuse it. */
    const char *cup = tigetstr("cup");
    if (!cup || cup == (const char *)-1) {
        screen_close();
        return err_set(e, "terminal type \"%s\" cannot place the cursor; set TERM to the "
                          "terminal's real type (xterm-256color, screen, tmux...), or use "
                          "'streamtop status'", getenv("TERM") ? getenv("TERM") : ""), -1;
    }
    set_crash_handlers(restore_on_crash);
    cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    monochrome();
    if (color && has_colors())
        colours();
    return 0;
}

void screen_close(void)
{
    if (active) {
        active = false;
        endwin();
        set_crash_handlers(SIG_DFL);
    }
    if (saved_stderr >= 0) {
        dup2(saved_stderr, STDERR_FILENO);
        close(saved_stderr);
        saved_stderr = -1;
    }
}

enum textsafe_charset screen_charset(void)
{
    return charset;
}

int screen_attr(enum role r)
{
    return attrs[r];
}

void screen_size(int *rows, int *cols)
{
    getmaxyx(stdscr, *rows, *cols);
}

static int translate(int kind, wint_t ch)
{
    if (kind == OK)
        return ch == '\n' ? UI_KEY_ENTER : ch == 8 ? UI_KEY_BACKSPACE : (int)ch;
    switch (ch) {
    case KEY_UP: return UI_KEY_UP;
    case KEY_DOWN: return UI_KEY_DOWN;
    case KEY_LEFT: return UI_KEY_LEFT;
    case KEY_RIGHT: return UI_KEY_RIGHT;
    case KEY_PPAGE: return UI_KEY_PGUP;
    case KEY_NPAGE: return UI_KEY_PGDN;
    case KEY_HOME: return UI_KEY_HOME;
    case KEY_END: return UI_KEY_END;
    case KEY_BTAB: return UI_KEY_BTAB;
    case KEY_RESIZE: return UI_KEY_RESIZE;
    case KEY_ENTER: return UI_KEY_ENTER;
    case KEY_BACKSPACE: return UI_KEY_BACKSPACE;
    default: return UI_KEY_NONE;
    }
}

int screen_read_key(int timeout_ms)
{
    wint_t ch;
    timeout(timeout_ms);
    int kind = get_wch(&ch);
    if (kind == ERR)
        return UI_KEY_NONE;
    return translate(kind, ch);
}

void screen_begin(void)
{
    erase();
}

void screen_end(void)
{
    wnoutrefresh(stdscr);
    doupdate();
}

void screen_repaint(void)
{
    clearok(curscr, TRUE);
}
