/* cli: the command line contract, option precedence and usage errors. */
#include "config.h"

#include "unit.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "testdb.h"

static char *config_dir;

/* Each case starts from an environment without streamtop settings and with
 * HOME pointing at an empty directory, so no user config leaks in. */
static int setup(void **state)
{
    (void)state;
    config_dir = testdb_mkdtemp();
    static const char *const vars[] = {"STREAMTOP_DB", "STREAMTOP_URL", "STREAMTOP_REFRESH",
                                       "STREAMTOP_CONFIG", "STREAMTOP_STALL_TIMEOUT", "NO_COLOR",
                                       "XDG_CONFIG_HOME", "XDG_DATA_HOME", "STREAMTOP_NO_COLOR"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        unsetenv(vars[i]);
    setenv("HOME", config_dir, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    testdb_rmdir(config_dir);
    return 0;
}

/* Parses a NULL-terminated argument list (argv[0] is supplied). */
static enum cli_result parse(struct options *o, struct err *e, const char *const *args)
{
    char *argv[32] = {"streamtop"};
    int argc = 1;
    for (; args[argc - 1]; argc++)
        argv[argc] = (char *)args[argc - 1];
    argv[argc] = NULL;
    memset(e, 0, sizeof *e);
    return cli_parse(argc, argv, o, e);
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void defaults(void **state)
{
    (void)state;
    struct options o;
    struct err e;
    assert_int_equal(parse(&o, &e, ARGS("status")), CLI_RUN);
    assert_int_equal(o.command, CMD_STATUS);
    assert_true(o.refresh_s == 1.0);
    assert_true(o.stall_timeout_s == 90.0);
    assert_string_equal(o.url, DEFAULT_URL);
    char want[4200];
    snprintf(want, sizeof want, "%s/.local/share/streamtop/streamtop.db", config_dir);
    assert_string_equal(o.db_path, want);
    assert_false(o.db_path_given);
    cli_free(&o);

    setenv("XDG_DATA_HOME", "/srv/data", 1);
    assert_int_equal(parse(&o, &e, ARGS("migrate")), CLI_RUN);
    assert_string_equal(o.db_path, "/srv/data/streamtop/streamtop.db");
    cli_free(&o);
}

static void every_command_and_mode(void **state)
{
    (void)state;
    struct options o;
    struct err e;
    static const struct { const char *word; enum command cmd; } words[] = {
        {"demo", CMD_DEMO},     {"ingest", CMD_INGEST},   {"status", CMD_STATUS},
        {"migrate", CMD_MIGRATE}, {"simulate", CMD_SIMULATE},
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        assert_int_equal(parse(&o, &e, ARGS(words[i].word)), CLI_RUN);
        assert_int_equal(o.command, words[i].cmd);
        cli_free(&o);
    }
    assert_int_equal(parse(&o, &e, ARGS("--read-only", "--db", "/x.db")), CLI_RUN);
    assert_int_equal(o.command, CMD_DASHBOARD);
    assert_true(o.read_only);
    assert_string_equal(o.db_path, "/x.db");
    assert_true(o.db_path_given);
    cli_free(&o);
    /* Options may come before or after the subcommand. */
    assert_int_equal(parse(&o, &e, ARGS("--db", "/y.db", "status", "--json")), CLI_RUN);
    assert_true(o.json);
    assert_string_equal(o.db_path, "/y.db");
    cli_free(&o);
}

static void retry_forms(void **state)
{
    (void)state;
    struct options o;
    struct err e;
    assert_int_equal(parse(&o, &e, ARGS("retry", "--db", "d", "--event", "a:1", "b:2", "c:3",
                                        "--dry-run")), CLI_RUN);
    assert_int_equal(o.event_count, 3);
    assert_string_equal(o.event_ids[2], "c:3");
    assert_true(o.dry_run);
    cli_free(&o);
    assert_int_equal(parse(&o, &e, ARGS("retry", "--event", "a:1", "--event", "b:2")), CLI_RUN);
    assert_int_equal(o.event_count, 2);
    cli_free(&o);
    /* An id named twice is acted on once: no "retried 1" beside "not failed". */
    assert_int_equal(parse(&o, &e, ARGS("retry", "--event", "a:1", "b:2", "--event", "a:1")), CLI_RUN);
    assert_int_equal(o.event_count, 2);
    assert_string_equal(o.event_ids[1], "b:2");
    cli_free(&o);
    assert_int_equal(parse(&o, &e, ARGS("retry", "--all-failed", "--error-like", "timeout")),
                     CLI_RUN);
    assert_true(o.all_failed);
    assert_string_equal(o.error_like, "timeout");
    cli_free(&o);
}

struct usage_case {
    const char *const *args;
    const char *want;     /* part of the one-line message */
};

static void usage_errors_name_the_problem(void **state)
{
    (void)state;
    const struct usage_case cases[] = {
        {ARGS("--frobnicate"), "unknown option '--frobnicate'"},
        {ARGS("frobnicate"), "unknown command 'frobnicate'"},
        {ARGS("status", "extra"), "unexpected argument 'extra'"},
        {ARGS("--refresh", "soon"), "--refresh: 'soon' is not a number"},
        {ARGS("--refresh", "0"), "--refresh: 0 is out of range"},
        {ARGS("--refresh", "nan"), "--refresh: 'nan' is not a number"},
        {ARGS("ingest", "--url", "ftp://x"), "--url: 'ftp://x' is not an http:// or https:// URL"},
        {ARGS("ingest", "--url", "https://key@x"), "not in the URL"},
        {ARGS("ingest", "--json"), "option '--json' does not apply to 'ingest'"},
        {ARGS("--json"), "belongs to a subcommand"},
        {ARGS("status", "--db"), "option '--db' needs a value"},
        {ARGS("status", "--db", ""), "--db: the path is empty"},
        {ARGS("--read-only", "--no-ingest"), "cannot be combined"},
        {ARGS("retry"), "retry needs --event ID... or --all-failed"},
        {ARGS("retry", "--event", "x", "--all-failed"), "not both"},
        {ARGS("retry", "--event", "x", "--error-like", "y"), "--error-like only narrows"},
        {ARGS("retry", "--all-failed", "--error-like", ""), "--error-like is empty"},
        {ARGS("simulate", "--port", "70000"), "--port: 70000 is out of range"},
        {ARGS("simulate", "--count", "-1"), "--count: -1 must not be negative"},
        {ARGS("simulate", "--db", "x"), "option '--db' does not apply to 'simulate'"},
        {ARGS("status", "--config", "/nonexistent/cfg"), "config file /nonexistent/cfg"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct options o;
        struct err e;
        assert_int_equal(parse(&o, &e, cases[i].args), CLI_USAGE_ERROR);
        if (!strstr(e.msg, cases[i].want))
            fail_msg("case %zu: '%s' does not contain '%s'", i, e.msg, cases[i].want);
        assert_null(strchr(e.msg, '\n'));
        cli_free(&o);
    }
}

static char *write_file(const char *name, const char *content)
{
    char *path = testdb_path(config_dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    return path;
}

static void precedence_config_then_environment_then_command_line(void **state)
{
    (void)state;
    struct options o;
    struct err e;
    char *cfg = write_file("cfg", "refresh = 2\nstall-timeout = 30\ndb = /from-config.db\n");
    assert_int_equal(parse(&o, &e, ARGS("status", "--config", cfg)), CLI_RUN);
    assert_true(o.refresh_s == 2.0);
    assert_string_equal(o.db_path, "/from-config.db");
    assert_true(o.db_path_given);
    cli_free(&o);

    setenv("STREAMTOP_REFRESH", "3", 1);
    setenv("STREAMTOP_CONFIG", cfg, 1);
    assert_int_equal(parse(&o, &e, ARGS("status")), CLI_RUN);
    assert_true(o.refresh_s == 3.0);
    assert_true(o.stall_timeout_s == 30.0);
    cli_free(&o);

    assert_int_equal(parse(&o, &e, ARGS("--refresh", "4")), CLI_RUN);
    assert_true(o.refresh_s == 4.0);
    cli_free(&o);

    setenv("STREAMTOP_REFRESH", "fast", 1);
    assert_int_equal(parse(&o, &e, ARGS("status")), CLI_USAGE_ERROR);
    assert_non_null(strstr(e.msg, "environment STREAMTOP_REFRESH: 'fast' is not a number"));
    cli_free(&o);
    free(cfg);
}

/* An explicit database in a directory that does not exist, or named by a
 * symbolic link, is bad configuration (exit 2) before anything opens it;
 * the default location's missing directory is not (it is created). */
static void db_path_checked_at_startup(void **state)
{
    (void)state;
    struct options o;
    struct err e;
    assert_int_equal(parse(&o, &e, ARGS("ingest", "--db", "/nonexistent/dir/x.db")), CLI_USAGE_ERROR);
    assert_non_null(strstr(e.msg, "--db: directory /nonexistent/dir does not exist; create it "
                                  "first (only the default location is created)"));
    cli_free(&o);

    setenv("STREAMTOP_DB", "/nonexistent/env.db/x.db", 1);
    assert_int_equal(parse(&o, &e, ARGS("status")), CLI_USAGE_ERROR);
    assert_non_null(strstr(e.msg, "directory /nonexistent/env.db does not exist"));
    cli_free(&o);
    unsetenv("STREAMTOP_DB");

    char *cfg = write_file("cfg", "db = /nonexistent/cfg/x.db\n");
    assert_int_equal(parse(&o, &e, ARGS("migrate", "--config", cfg)), CLI_USAGE_ERROR);
    assert_non_null(strstr(e.msg, "directory /nonexistent/cfg does not exist"));
    cli_free(&o);
    free(cfg);

    char *target = testdb_path(config_dir, "real.db");
    char *link = testdb_path(config_dir, "link.db");
    assert_int_equal(symlink(target, link), 0);
    static const char *const commands[] = {"status", "ingest", "migrate", "--read-only"};
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        assert_int_equal(parse(&o, &e, ARGS(commands[i], "--db", link)), CLI_USAGE_ERROR);
        assert_non_null(strstr(e.msg, "is a symbolic link; streamtop opens no database through one"));
        assert_non_null(strstr(e.msg, link));
        cli_free(&o);
    }

    /* HOME is an empty directory: ~/.local/share/streamtop does not exist. */
    assert_int_equal(parse(&o, &e, ARGS("migrate")), CLI_RUN);
    assert_false(o.db_path_given);
    cli_free(&o);
    assert_int_equal(parse(&o, &e, ARGS("ingest", "--db", "relative.db")), CLI_RUN);
    cli_free(&o);
    unlink(link);
    free(link);
    free(target);
}

static void default_config_file_is_read_and_checked(void **state)
{
    (void)state;
    struct options o;
    struct err e;
    char *dir = testdb_path(config_dir, ".config");
    char *sub = testdb_path(dir, "streamtop");
    assert_int_equal(mkdir(dir, 0700), 0);
    assert_int_equal(mkdir(sub, 0700), 0);
    char *cfg = testdb_path(sub, "config");
    FILE *f = fopen(cfg, "w");
    fputs("no-color = yes\ncolour = on\n", f);
    fclose(f);
    assert_int_equal(parse(&o, &e, ARGS("status")), CLI_USAGE_ERROR);
    assert_non_null(strstr(e.msg, "config:2: unknown key 'colour'"));
    cli_free(&o);
    f = fopen(cfg, "w");
    fputs("no-color = yes\n", f);
    fclose(f);
    assert_int_equal(parse(&o, &e, ARGS("status")), CLI_RUN);
    assert_true(o.no_color);
    cli_free(&o);
    /* Actions are not settings. */
    f = fopen(cfg, "w");
    fputs("read-only = yes\n", f);
    fclose(f);
    assert_int_equal(parse(&o, &e, ARGS("status")), CLI_USAGE_ERROR);
    assert_non_null(strstr(e.msg, "unknown key 'read-only'"));
    cli_free(&o);
    free(cfg);
    free(sub);
    free(dir);
}

static void no_color_environment(void **state)
{
    (void)state;
    struct options o;
    struct err e;
    setenv("NO_COLOR", "", 1);
    assert_int_equal(parse(&o, &e, ARGS("demo")), CLI_RUN);
    assert_false(o.no_color);
    cli_free(&o);
    setenv("NO_COLOR", "1", 1);
    assert_int_equal(parse(&o, &e, ARGS("demo")), CLI_RUN);
    assert_true(o.no_color);
    cli_free(&o);
}

/* Runs fn with stdout captured into buf. */
static void capture_stdout(void (*fn)(void), char *buf, size_t size)
{
    char *dir = testdb_mkdtemp();
    char *path = testdb_path(dir, "out");
    fflush(stdout);
    int saved = dup(1);
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    dup2(fd, 1);
    fn();
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    close(fd);
    FILE *f = fopen(path, "r");
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
    free(path);
    testdb_rmdir(dir);
}

static void help_lists_every_subcommand_and_option(void **state)
{
    (void)state;
    static char out[16384];
    capture_stdout(cli_print_help, out, sizeof out);
    static const char *const words[] = {
        "demo", "ingest", "status", "retry", "migrate", "simulate", "--db", "--url", "--refresh",
        "--stall-timeout", "--config", "--log-file", "--no-color", "--help", "--version",
        "--read-only", "--no-ingest", "--json", "--event", "--all-failed", "--error-like",
        "--dry-run", "--port", "--rate", "--count", "--faults", "--replay", "--stream-key-file",
        "--heartbeat", "--max-line-bytes", "--batch-events", "--batch-ms", "STREAMTOP_STREAM_KEY",
    };
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (!strstr(out, words[i]))
            fail_msg("--help does not mention %s", words[i]);
    struct options o;
    struct err e;
    capture_stdout(cli_print_version, out, sizeof out);
    assert_non_null(strstr(out, "streamtop " PACKAGE_VERSION));
    assert_int_equal(parse(&o, &e, ARGS("--version")), CLI_DONE);
    cli_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(defaults, setup, teardown),
        cmocka_unit_test_setup_teardown(every_command_and_mode, setup, teardown),
        cmocka_unit_test_setup_teardown(retry_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(usage_errors_name_the_problem, setup, teardown),
        cmocka_unit_test_setup_teardown(precedence_config_then_environment_then_command_line,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(db_path_checked_at_startup, setup, teardown),
        cmocka_unit_test_setup_teardown(default_config_file_is_read_and_checked, setup, teardown),
        cmocka_unit_test_setup_teardown(no_color_environment, setup, teardown),
        cmocka_unit_test_setup_teardown(help_lists_every_subcommand_and_option, setup, teardown),
    };
    return RUN_TAP(tests);
}
