/* textsafe: nothing from the stream may act on the terminal. */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "textsafe.h"

struct sanitise_case {
    const char *name;
    const char *in;
    size_t len;           /* 0: strlen(in) */
    enum textsafe_charset charset;
    const char *want;
};

static const struct sanitise_case cases[] = {
    {"plain ascii", "ACME WIDGETS LTD", 0, TEXTSAFE_UTF8, "ACME WIDGETS LTD"},
    {"utf-8 passes", "Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 0, TEXTSAFE_UTF8,
     "Caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
    {"ascii charset", "Caf\xc3\xa9 \xe2\x82\xac", 0, TEXTSAFE_ASCII, "Caf? ?"},
    {"colour escape", "\x1b[31mRED\x1b[0m", 0, TEXTSAFE_UTF8, "^[[31mRED^[[0m"},
    {"title escape", "\x1b]0;pwned\x07", 0, TEXTSAFE_UTF8, "^[]0;pwned^G"},
    {"newline, tab, cr", "a\nb\tc\rd", 0, TEXTSAFE_UTF8, "a^Jb^Ic^Md"},
    {"delete", "x\x7fy", 0, TEXTSAFE_UTF8, "x^?y"},
    {"C1 CSI", "a\xc2\x9b" "31mb", 0, TEXTSAFE_UTF8, "a<U+009B>31mb"},
    {"bidi override", "abc\xe2\x80\xae" "def", 0, TEXTSAFE_UTF8, "abc<U+202E>def"},
    {"invalid byte", "a\xff" "b", 0, TEXTSAFE_UTF8, "a\\xFFb"},
    {"lone continuation", "\x80", 0, TEXTSAFE_UTF8, "\\x80"},
    {"overlong slash", "\xc0\xaf", 0, TEXTSAFE_UTF8, "\\xC0\\xAF"},
    {"surrogate", "\xed\xa0\x80", 0, TEXTSAFE_UTF8, "\\xED\\xA0\\x80"},
    {"truncated sequence", "ok\xe2\x82", 0, TEXTSAFE_UTF8, "ok\\xE2\\x82"},
    {"embedded NUL", "a\0b", 3, TEXTSAFE_UTF8, "a^@b"},
};

static void sanitises_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct sanitise_case *c = &cases[i];
        char out[128];
        size_t len = c->len ? c->len : strlen(c->in);
        size_t n = textsafe_copy(out, sizeof out, c->in, len, c->charset);
        if (strcmp(out, c->want) != 0)
            fail_msg("%s: got '%s', want '%s'", c->name, out, c->want);
        assert_int_equal(n, strlen(out));
    }
}

static void output_never_holds_control_bytes(void **state)
{
    (void)state;
    char in[256], out[2048];
    for (int i = 0; i < 256; i++)
        in[i] = (char)i;
    textsafe_copy(out, sizeof out, in, sizeof in, TEXTSAFE_UTF8);
    for (const unsigned char *p = (const unsigned char *)out; *p; p++)
        assert_false(*p < 0x20 || *p == 0x7f);
}

static void truncates_at_character_boundaries(void **state)
{
    (void)state;
    char out[6];
    textsafe_str(out, sizeof out, "ab\x1b" "cd", TEXTSAFE_UTF8);
    assert_string_equal(out, "ab^[c");
    textsafe_str(out, sizeof out, "abcd\x1b", TEXTSAFE_UTF8);
    assert_string_equal(out, "abcd");                   /* "^[" would not fit whole */
    textsafe_str(out, sizeof out, "abc\xc3\xa9\xc3\xa9", TEXTSAFE_UTF8);
    assert_string_equal(out, "abc\xc3\xa9");
    textsafe_str(out, sizeof out, NULL, TEXTSAFE_UTF8);
    assert_string_equal(out, "");
    assert_int_equal(textsafe_copy(out, 0, "x", 1, TEXTSAFE_UTF8), 0);
}

static void utf8_dup_replaces_invalid_bytes_and_nul(void **state)
{
    (void)state;
    char *s = textsafe_utf8_dup("a\xff\0\x1b" "\xc3\xa9", 6);
    assert_string_equal(s, "a\xef\xbf\xbd\xef\xbf\xbd\x1b\xc3\xa9");
    free(s);
}

/* Clipping to terminal columns: wide characters take two, combining
 * marks none, and a character is never cut. */
static void fits_by_terminal_columns(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        int cols;
        size_t bytes;
        int used;
    } fits[] = {
        {"abc", 2, 2, 2},
        {"abc", 9, 3, 3},
        {"h\xC3\xA9llo", 3, 4, 3},
        {"\xE6\x97\xA5\xE6\x9C\xAC", 3, 3, 2},     /* 日本: one fits */
        {"\xE6\x97\xA5\xE6\x9C\xAC", 4, 6, 4},
        {"e\xCC\x81x", 1, 3, 1},                     /* e + combining acute */
        {"", 5, 0, 0},
        {"abc", 0, 0, 0},
    };
    if (!setlocale(LC_CTYPE, "C.UTF-8"))
        skip();
    for (size_t i = 0; i < sizeof fits / sizeof fits[0]; i++) {
        int used = -1;
        assert_int_equal(textsafe_fit(fits[i].in, strlen(fits[i].in), fits[i].cols, &used),
                         fits[i].bytes);
        assert_int_equal(used, fits[i].used);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sanitises_table),
        cmocka_unit_test(output_never_holds_control_bytes),
        cmocka_unit_test(truncates_at_character_boundaries),
        cmocka_unit_test(utf8_dup_replaces_invalid_bytes_and_nul),
        cmocka_unit_test(fits_by_terminal_columns),
    };
    return RUN_TAP(tests);
}
