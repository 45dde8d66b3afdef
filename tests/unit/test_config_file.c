/* config_file: the `key = value` format and its errors. */
#include "config.h"

#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_file.h"
#include "testdb.h"

struct collected {
    char text[1024];
    const char *refuse;   /* a key the callback refuses */
};

static int collect(void *ctx, const char *key, const char *value, const char *where, struct err *e)
{
    struct collected *c = ctx;
    if (c->refuse && strcmp(key, c->refuse) == 0) {
        err_set(e, "%s: unknown key '%s'", where, key);
        return -1;
    }
    size_t n = strlen(c->text);
    snprintf(c->text + n, sizeof c->text - n, "[%s=%s]", key, value);
    return 0;
}

static char *write_config(const char *dir, const char *content, size_t len)
{
    char *path = testdb_path(dir, "config");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, len, f), len);
    fclose(f);
    return path;
}

static int read_text(const char *content, size_t len, struct collected *c, struct err *e)
{
    char *dir = testdb_mkdtemp();
    char *path = write_config(dir, content, len);
    int rc = config_file_read(path, collect, c, e);
    free(path);
    testdb_rmdir(dir);
    return rc;
}

static void reads_pairs_comments_and_quotes(void **state)
{
    (void)state;
    static const char text[] =
        "# streamtop settings\n"
        "\n"
        "db = /var/lib/streamtop/prod.db\n"
        "   refresh=0.5   \r\n"
        "  # indented comment\n"
        "log-file = \"  spaced name.log \"\n"
        "url = https://example.test/companies#fragment\n"
        "empty =\n";
    struct collected c = {0};
    struct err e;
    assert_int_equal(read_text(text, sizeof text - 1, &c, &e), 0);
    assert_string_equal(c.text, "[db=/var/lib/streamtop/prod.db][refresh=0.5]"
                                "[log-file=  spaced name.log ]"
                                "[url=https://example.test/companies#fragment][empty=]");
}

static void last_line_without_newline(void **state)
{
    (void)state;
    struct collected c = {0};
    struct err e;
    assert_int_equal(read_text("a = 1", 5, &c, &e), 0);
    assert_string_equal(c.text, "[a=1]");
}

/* A byte order mark at the start is no part of the first key (it gave
 * "unknown key 'stall-timeout'" with the mark invisible); one anywhere
 * else is left alone. */
static void a_leading_bom_is_skipped(void **state)
{
    (void)state;
    static const char text[] = "\xEF\xBB\xBFstall-timeout = 30\nrefresh = 2\n";
    struct collected c = {0};
    struct err e;
    assert_int_equal(read_text(text, sizeof text - 1, &c, &e), 0);
    assert_string_equal(c.text, "[stall-timeout=30][refresh=2]");

    static const char bom_only[] = "\xEF\xBB\xBF";
    struct collected empty = {0};
    assert_int_equal(read_text(bom_only, sizeof bom_only - 1, &empty, &e), 0);
    assert_string_equal(empty.text, "");

    static const char later[] = "a = 1\n\xEF\xBB\xBF" "b = 2\n";
    struct collected c2 = {0};
    assert_int_equal(read_text(later, sizeof later - 1, &c2, &e), 0);
    assert_string_equal(c2.text, "[a=1][\xEF\xBB\xBF" "b=2]");
}

struct bad_case {
    const char *content;
    size_t len;
    const char *refuse;
    const char *want_in_error;
};

static void errors_name_the_line(void **state)
{
    (void)state;
    static const struct bad_case cases[] = {
        {"db = x\nno equals sign here\n", 0, NULL, ":2: expected 'key = value'"},
        {"= value\n", 0, NULL, ":1: the key before '=' is empty"},
        {"\n\nlog-file = \"open\n", 0, NULL, ":3: log-file: the opening quote is not closed"},
        {"db = a\0b\n", 9, NULL, ":1: the line contains a NUL byte"},
        {"db = x\n# c\nbogus = 1\n", 0, "bogus", ":3: unknown key 'bogus'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct collected c = {.refuse = cases[i].refuse};
        struct err e = {{0}};
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].content);
        assert_int_equal(read_text(cases[i].content, len, &c, &e), -1);
        if (!strstr(e.msg, cases[i].want_in_error))
            fail_msg("case %zu: '%s' does not contain '%s'", i, e.msg, cases[i].want_in_error);
        assert_non_null(strstr(e.msg, "config file "));
    }
}

/* A line is read into a bounded buffer: one at the limit is read whole,
 * a longer one is an error naming its line, however long it is (a 200 MB
 * line used to be read whole into memory). */
static void lines_have_a_length_limit(void **state)
{
    (void)state;
    static const size_t lengths[] = {CONFIG_LINE_MAX, CONFIG_LINE_MAX + 1, 1u << 20};
    for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
        size_t len = lengths[i];
        char *text = malloc(len + 16);
        int head = sprintf(text, "a = 1\n");
        memcpy(text + head, "db = ", 5);
        memset(text + head + 5, 'x', len - 5);
        memcpy(text + head + len, "\nb = 2\n", 7);
        struct collected c = {0};
        struct err e = {{0}};
        int rc = read_text(text, (size_t)head + len + 7, &c, &e);
        if (len <= CONFIG_LINE_MAX) {
            assert_int_equal(rc, 0);
            assert_true(strncmp(c.text, "[a=1][db=xxxx", 13) == 0);
        } else {
            assert_int_equal(rc, -1);
            assert_non_null(strstr(e.msg, ":2: the line is longer than 4096 bytes"));
            assert_string_equal(c.text, "[a=1]");
        }
        free(text);
    }
}

static void missing_file_is_an_error(void **state)
{
    (void)state;
    struct collected c = {0};
    struct err e;
    assert_int_equal(config_file_read("/nonexistent/streamtop/config", collect, &c, &e), -1);
    assert_non_null(strstr(e.msg, "/nonexistent/streamtop/config"));
    assert_non_null(strstr(e.msg, "No such file"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reads_pairs_comments_and_quotes),
        cmocka_unit_test(last_line_without_newline),
        cmocka_unit_test(a_leading_bom_is_skipped),
        cmocka_unit_test(errors_name_the_line),
        cmocka_unit_test(lines_have_a_length_limit),
        cmocka_unit_test(missing_file_is_an_error),
    };
    return RUN_TAP(tests);
}
