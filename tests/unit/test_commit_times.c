/* commit_times: the writer's commit times as the `event=commits` line
 * reports them (bench/bench_maintain reads that line, so its format is
 * pinned here): the count, the longest, and the whole milliseconds that
 * 99 % of commits took less than, a second or more in one bucket. */
#include "config.h"

#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include "commit_times.h"
#include "log.h"
#include "testdb.h"

static void add_ms(struct commit_times *c, int n, int64_t us)
{
    for (int i = 0; i < n; i++)
        commit_times_add(c, us);
}

static void p99_counts_whole_milliseconds(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        int fast;           /* commits of 0.4 ms */
        int slow;           /* and of 7.2 ms */
        int64_t p99;
    } cases[] = {
        {"no commits", 0, 0, 0},
        {"all under a millisecond", 100, 0, 1},
        {"one slow in a hundred", 99, 1, 1},
        {"two slow in a hundred", 98, 2, 8},
        {"all slow", 0, 5, 8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct commit_times *c = calloc(1, sizeof *c);
        add_ms(c, cases[i].fast, 400);
        add_ms(c, cases[i].slow, 7200);
        if (commit_times_p99_under_ms(c) != cases[i].p99)
            fail_msg("%s: p99 under %lld ms, want %lld", cases[i].what,
                     (long long)commit_times_p99_under_ms(c), (long long)cases[i].p99);
        assert_int_equal(c->count, cases[i].fast + cases[i].slow);
        free(c);
    }
}

static void a_second_or_more_shares_the_last_bucket(void **state)
{
    (void)state;
    struct commit_times *c = calloc(1, sizeof *c);
    commit_times_add(c, 5 * 1000 * 1000);
    commit_times_add(c, 2 * 1000 * 1000);
    assert_int_equal(c->hist[COMMIT_HIST_MS], 2);
    assert_int_equal(c->max_us, 5 * 1000 * 1000);
    assert_int_equal(commit_times_p99_under_ms(c), COMMIT_HIST_MS + 1);
    free(c);
}

static void the_log_line_keeps_its_format(void **state)
{
    (void)state;
    char *dir = testdb_mkdtemp(), *path = testdb_path(dir, "log");
    struct err e;
    struct commit_times *c = calloc(1, sizeof *c);
    add_ms(c, 99, 400);
    commit_times_add(c, 12345);
    assert_int_equal(log_open(path, &e), 0);
    commit_times_log(c);
    log_close();
    size_t len;
    char *log = testdb_read_file(path, &len);
    assert_non_null(strstr(log, "event=commits batches=100 max_ms=12.3 p99_under_ms=1\n"));
    free(log);
    free(c);
    testdb_rmdir(dir);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(p99_counts_whole_milliseconds),
        cmocka_unit_test(a_second_or_more_shares_the_last_bucket),
        cmocka_unit_test(the_log_line_keeps_its_format),
    };
    return RUN_TAP(tests);
}
