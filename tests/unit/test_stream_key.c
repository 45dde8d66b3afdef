/* stream_key: what a --stream-key-file must be, and every way it can be
 * refused. */
#include "config.h"

#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "stream_key.h"
#include "testdb.h"

/* Each refusal must come back at once: a case that blocks (opening a FIFO
 * did) is ended by the alarm and fails. */
#define CASE_SECONDS 10

struct key_case {
    const char *name;
    const char *content;
    size_t len;
    mode_t mode;
    const char *key;        /* the key read, or NULL when refused */
    const char *refusal;    /* part of the message when refused */
};

static int load(const char *path, char **key, struct err *e)
{
    struct options o = {.stream_key_file = (char *)path};
    alarm(CASE_SECONDS);
    int rc = stream_key_load(&o, true, key, e);
    alarm(0);
    return rc;
}

static char *write_key(const char *dir, const char *content, size_t len, mode_t mode)
{
    char *path = testdb_path(dir, "key");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, len, f), len);
    fclose(f);
    assert_int_equal(chmod(path, mode), 0);
    return path;
}

static void contents_and_modes(void **state)
{
    (void)state;
    static char big[5001];
    memset(big, 'k', sizeof big - 1);
    static const struct key_case cases[] = {
        {"a key and a newline", "0123-abcd\n", 10, 0600, "0123-abcd", NULL},
        {"spaces around it", "  0123-abcd \r\n\n", 15, 0400, "0123-abcd", NULL},
        {"a key of 4,000 bytes", big, 4000, 0600, big + 1000, NULL},   /* its last 4,000 */
        {"a key of 5,000 bytes", big, 5000, 0600, NULL, "larger than 4096 bytes"},
        {"a NUL in the key", "0123\0abcd\n", 10, 0600, NULL, "contains a NUL byte"},
        {"a NUL after it", "0123-abcd\n\0", 11, 0600, NULL, "contains a NUL byte"},
        {"two lines", "0123\nabcd\n", 10, 0600, NULL, "no key on one line"},
        {"empty", "", 0, 0600, NULL, "no key on one line"},
        {"readable by others", "0123-abcd\n", 10, 0644, NULL, "group or others have access to it (mode 0644)"},
        {"writable by the group", "0123-abcd\n", 10, 0620, NULL, "group or others have access to it (mode 0620)"},
        {"executable by others", "0123-abcd\n", 10, 0601, NULL, "group or others have access"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct key_case *c = &cases[i];
        char *dir = testdb_mkdtemp(), *key = NULL;
        char *path = write_key(dir, c->content, c->len, c->mode);
        struct err e = {0};
        int rc = load(path, &key, &e);
        print_message("# %s\n", c->name);
        if (c->key) {
            assert_int_equal(rc, 0);
            assert_non_null(key);
            assert_string_equal(key, c->key);
        } else {
            assert_int_equal(rc, -1);
            assert_null(key);
            assert_non_null(strstr(e.msg, path));
            assert_non_null(strstr(e.msg, c->refusal));
        }
        free(key);
        free(path);
        testdb_rmdir(dir);
    }
}

static void refused(const char *path, const char *why)
{
    char *key = NULL;
    struct err e = {0};
    assert_int_equal(load(path, &key, &e), -1);
    assert_null(key);
    assert_non_null(strstr(e.msg, path));
    assert_non_null(strstr(e.msg, why));
    assert_null(strchr(e.msg, '\n'));
}

/* Opening a FIFO for reading waits for a writer; it must be refused at
 * once instead. */
static void a_fifo_is_refused_without_waiting(void **state)
{
    (void)state;
    char *dir = testdb_mkdtemp(), *path = testdb_path(dir, "key");
    assert_int_equal(mkfifo(path, 0600), 0);
    refused(path, "not a regular file");
    free(path);
    testdb_rmdir(dir);
}

/* A link is refused, whatever it points to: the checks would be made on
 * the target, which whoever made the link chose. */
static void a_link_is_refused(void **state)
{
    (void)state;
    char *dir = testdb_mkdtemp(), *link = testdb_path(dir, "link");
    char *target = write_key(dir, "0123-abcd\n", 10, 0600);
    assert_int_equal(symlink(target, link), 0);
    refused(link, "is a symbolic link");
    free(link);
    free(target);
    testdb_rmdir(dir);
}

static void a_directory_is_refused(void **state)
{
    (void)state;
    char *dir = testdb_mkdtemp();
    refused(dir, "not a regular file");
    testdb_rmdir(dir);
}

/* Another user's file, even one only they can read, is not ours to trust.
 * Only root can give a file away, so elsewhere the case is skipped. */
static void another_users_file_is_refused(void **state)
{
    (void)state;
    if (geteuid() != 0)
        skip();
    char *dir = testdb_mkdtemp();
    char *path = write_key(dir, "0123-abcd\n", 10, 0600);
    assert_int_equal(chown(path, 65534, 65534), 0);
    refused(path, "owned by uid 65534, not by uid 0");
    free(path);
    testdb_rmdir(dir);
}

/* systemd's copy of a credential: root's, mode 0400 plus an ACL for the
 * service's user, which the group bits show (0440).  In
 * $CREDENTIALS_DIRECTORY that is accepted; others' access never is, and
 * the same file elsewhere is held to the usual rule. */
static void a_credential_systemd_passed_is_accepted(void **state)
{
    (void)state;
    char *dir = testdb_mkdtemp(), *key = NULL;
    char *path = write_key(dir, "0123-abcd\n", 10, 0440);
    struct err e = {0};
    assert_int_equal(setenv("CREDENTIALS_DIRECTORY", dir, 1), 0);
    assert_int_equal(load(path, &key, &e), 0);
    assert_string_equal(key, "0123-abcd");
    free(key);
    key = NULL;
    assert_int_equal(chmod(path, 0444), 0);
    refused(path, "others have access to it (mode 0444)");
    if (geteuid() == 0) {
        assert_int_equal(chmod(path, 0400), 0);
        assert_int_equal(chown(path, 65534, 65534), 0);
        refused(path, "a credential owned by uid 65534, neither root nor uid 0");
        assert_int_equal(chown(path, 0, 0), 0);
    }
    assert_int_equal(chmod(path, 0440), 0);
    assert_int_equal(setenv("CREDENTIALS_DIRECTORY", "/nonexistent", 1), 0);
    refused(path, "group or others have access to it (mode 0440)");
    assert_int_equal(unsetenv("CREDENTIALS_DIRECTORY"), 0);
    refused(path, "group or others have access to it (mode 0440)");
    free(path);
    testdb_rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(contents_and_modes),
        cmocka_unit_test(a_fifo_is_refused_without_waiting),
        cmocka_unit_test(a_link_is_refused),
        cmocka_unit_test(a_directory_is_refused),
        cmocka_unit_test(another_users_file_is_refused),
        cmocka_unit_test(a_credential_systemd_passed_is_accepted),
    };
    return RUN_TAP(tests);
}
