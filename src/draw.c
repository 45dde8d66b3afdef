#include "config.h"

#include <curses.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "draw.h"
#include "textsafe.h"

/* Enough for the widest terminal line even when every byte of it needed a
 * four-byte placeholder. */
#define LINE_BYTES 8192

/* Puts safe text, already sanitised, in at most width columns. */
static int put(int y, int x, int width, enum role role, const char *safe, size_t len)
{
    int used;
    size_t fit = textsafe_fit(safe, len, width, &used);
    attrset(screen_attr(role));
    mvaddnstr(y, x, safe, (int)fit);
    attrset(A_NORMAL);
    return used;
}

int draw_text(int y, int x, int width, enum role role, const char *text)
{
    char safe[LINE_BYTES];
    if (width <= 0 || !text)
        return 0;
    size_t len = textsafe_str(safe, sizeof safe, text, screen_charset());
    int whole;
    if (textsafe_fit(safe, len, width, &whole) == len)
        return put(y, x, width, role, safe, len);
    /* Cut: the last column says so. */
    int used = put(y, x, width - 1, role, safe, len);
    return used + put(y, x + used, 1, ROLE_DIM,
                      screen_charset() == TEXTSAFE_UTF8 ? "\u2026" : "~",
                      screen_charset() == TEXTSAFE_UTF8 ? 3 : 1);
}

int draw_width(const char *text)
{
    char safe[LINE_BYTES];
    size_t len = textsafe_str(safe, sizeof safe, text, screen_charset());
    int used;
    textsafe_fit(safe, len, INT32_MAX / 2, &used);
    return used;
}

int draw_textf(int y, int x, int width, enum role role, const char *fmt, ...)
{
    char buf[LINE_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return draw_text(y, x, width, role, buf);
}

int draw_field(int y, int x, int width, const char *label, enum role role, const char *value)
{
    int used = draw_text(y, x, width, ROLE_LABEL, label);
    if (used < width && label[0])
        used++;
    return used + draw_text(y, x + used, width - used, role, value);
}

void draw_fill(int y, int x, int width, enum role role)
{
    if (width <= 0)
        return;
    attrset(screen_attr(role));
    mvhline(y, x, ' ', width);
    attrset(A_NORMAL);
}

void draw_box(struct rect r, const char *title, bool focused)
{
    if (r.h < 2 || r.w < 2)
        return;
    attrset(focused ? screen_attr(ROLE_FOCUS) & ~A_REVERSE : A_NORMAL);
    mvhline(r.y, r.x + 1, ACS_HLINE, r.w - 2);
    mvhline(r.y + r.h - 1, r.x + 1, ACS_HLINE, r.w - 2);
    mvvline(r.y + 1, r.x, ACS_VLINE, r.h - 2);
    mvvline(r.y + 1, r.x + r.w - 1, ACS_VLINE, r.h - 2);
    mvaddch(r.y, r.x, ACS_ULCORNER);
    mvaddch(r.y, r.x + r.w - 1, ACS_URCORNER);
    mvaddch(r.y + r.h - 1, r.x, ACS_LLCORNER);
    mvaddch(r.y + r.h - 1, r.x + r.w - 1, ACS_LRCORNER);
    attrset(A_NORMAL);
    char label[128];
    snprintf(label, sizeof label, " %s ", title);
    draw_text(r.y, r.x + 2, r.w - 4, focused ? ROLE_FOCUS : ROLE_TITLE, label);
}

void draw_spark(int y, int x, int width, const double *v, int n, enum role role)
{
    static const char *const utf8_bars[] = {"\u2581", "\u2582", "\u2583", "\u2584",
                                            "\u2585", "\u2586", "\u2587", "\u2588"};
    static const char ascii_bars[] = "_.,-=+*#";
    int first = n > width ? n - width : 0;
    double max = 0;
    for (int i = first; i < n; i++)
        max = v[i] > max ? v[i] : max;
    attrset(screen_attr(role));
    move(y, x);
    for (int i = first; i < n; i++) {
        int level = max > 0 ? (int)(v[i] / max * 7.0 + 0.5) : 0;
        level = level < 0 ? 0 : level > 7 ? 7 : level;
        if (v[i] <= 0)
            addch(' ');   /* nothing that minute */
        else if (screen_charset() == TEXTSAFE_UTF8)
            addstr(utf8_bars[level]);
        else
            addch((chtype)(unsigned char)ascii_bars[level]);
    }
    attrset(A_NORMAL);
}

struct rect draw_inner(struct rect r)
{
    return (struct rect){r.y + 1, r.x + 1, r.h - 2, r.w - 2};
}
