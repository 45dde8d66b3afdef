/* retry: one rule for every path (only an event failed at the moment of
 * the write is re-queued), dry runs that take no write lock, and the
 * dashboard's worker, which carries a confirmed set out in chunks beside
 * the UI, waits out a busy database without blocking anyone, and leaves an
 * audit line in the log. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unit.h"

#include "log.h"
#include "retry.h"
#include "retry_worker.h"
#include "schema.h"
#include "store_events.h"
#include "testdb.h"
#include "timeutil.h"

struct fixture {
    char *dir, *path, *log;
};

/* n failed events, log ids 1..n, each with a failed queue row. */
static void add_failures(const char *path, int n)
{
    char sql[1024];
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < %d) "
             "INSERT INTO stream_events_log (id, event_id, event_type, event_data, "
             "processing_status, error_message, received_at) SELECT i, 'company-profile:' || i, "
             "'changed', '{}', 'failed', 'boom', '2026-12-01T00:00:00Z' FROM k;"
             "INSERT INTO processing_queue (event_log_id, status, attempts, created_at, updated_at) "
             "SELECT id, 'failed', 1, received_at, received_at FROM stream_events_log", n);
    testdb_exec(path, sql);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dir = testdb_mkdtemp();
    f->path = testdb_path(f->dir, "retry.db");
    f->log = testdb_path(f->dir, "streamtop.log");
    testdb_migrate(f->path, schema_latest_version());
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    log_close();
    testdb_rmdir(f->dir);
    free(f->path);
    free(f->log);
    free(f);
    return 0;
}

static struct db *open_writer(const char *path)
{
    struct db *db;
    struct err e;
    if (db_open(path, DB_READ_WRITE, &db, &e) < 0)
        fail_msg("open: %s", e.msg);
    return db;
}

/* Event 2 was retried elsewhere and processed meanwhile. */
static void resolve_event_2(const char *path)
{
    testdb_exec(path, "UPDATE stream_events_log SET processing_status = 'processed', "
                      "processed_at = '2026-12-01T00:00:05Z', error_message = NULL WHERE id = 2;"
                      "UPDATE processing_queue SET status = 'done', attempts = 2 "
                      "WHERE event_log_id = 2");
}

static void a_set_never_requeues_what_is_no_longer_failed(void **state)
{
    struct fixture *f = *state;
    add_failures(f->path, 3);
    resolve_event_2(f->path);
    struct db *db = open_writer(f->path);
    struct err e;
    struct retry_result r;
    const int64_t ids[] = {1, 2, 3};
    struct retry_request req = {.log_ids = ids, .log_id_count = 3};
    assert_int_equal(retry_run(db, &req, &r, &e), 0);
    assert_int_equal(r.retried, 2);
    assert_int_equal(r.skipped, 1);
    retry_result_free(&r);
    db_close(db);
    char *s = testdb_text(f->path, "SELECT l.processing_status || ' ' || q.status || ' ' || "
                                   "q.attempts || ' ' || l.processed_at FROM stream_events_log l "
                                   "JOIN processing_queue q ON q.event_log_id = l.id WHERE l.id = 2");
    assert_string_equal(s, "processed done 2 2026-12-01T00:00:05Z");   /* untouched */
    free(s);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM processing_queue "
                                         "WHERE status = 'pending'"), 2);
}

static void event_ids_follow_the_same_rule(void **state)
{
    struct fixture *f = *state;
    add_failures(f->path, 3);
    resolve_event_2(f->path);
    struct db *db = open_writer(f->path);
    struct err e;
    struct retry_result r;
    const char *ids[] = {"company-profile:1", "company-profile:2"};
    struct retry_request req = {.event_ids = ids, .event_count = 2};
    assert_int_equal(retry_run(db, &req, &r, &e), 0);
    assert_int_equal(r.retried, 1);
    assert_int_equal(r.not_failed.count, 1);
    assert_string_equal(r.not_failed.items[0], "company-profile:2 (processed)");
    retry_result_free(&r);
    db_close(db);
    assert_int_equal(testdb_int(f->path, "SELECT attempts FROM processing_queue "
                                         "WHERE event_log_id = 2"), 2);
}

/* Resolving selects as a retry does: all failures, narrowed by error text,
 * or by id.  Each resolved row stays failed with its line and error; only
 * resolved_at is set and its queue row closed. */
static void resolving_marks_failures_and_keeps_their_rows(void **state)
{
    struct fixture *f = *state;
    add_failures(f->path, 4);
    resolve_event_2(f->path);
    testdb_exec(f->path, "UPDATE stream_events_log SET error_message = 'other', "
                         "event_data = 'raw ' || char(1) || ' line' WHERE id IN (3, 4);"
                         "UPDATE stream_events_log SET error_message = 'boom again' WHERE id = 3");
    char *before = testdb_text(f->path, "SELECT group_concat(hex(event_data) || error_message "
                                        "|| processing_status, ',') FROM stream_events_log");
    struct db *db = open_writer(f->path);
    struct err e;
    struct retry_result r;
    struct retry_request req = {.all_failed = true, .error_like = "boom", .resolve = true,
                                .dry_run = true};
    assert_int_equal(retry_run(db, &req, &r, &e), 0);
    assert_int_equal(r.retried, 2);                      /* 1 and 3; 2 is processed */
    retry_result_free(&r);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM stream_events_log "
                                         "WHERE resolved_at IS NOT NULL"), 0);
    req.dry_run = false;
    assert_int_equal(retry_run(db, &req, &r, &e), 0);
    assert_int_equal(r.retried, 2);
    retry_result_free(&r);
    assert_int_equal(retry_run(db, &req, &r, &e), 0);
    assert_int_equal(r.retried, 0);                      /* resolved already */
    retry_result_free(&r);
    const char *ids[] = {"company-profile:1", "company-profile:2", "company-profile:4"};
    struct retry_request by_id = {.event_ids = ids, .event_count = 3, .resolve = true};
    assert_int_equal(retry_run(db, &by_id, &r, &e), 0);
    assert_int_equal(r.retried, 1);
    assert_int_equal(r.not_failed.count, 2);
    assert_string_equal(r.not_failed.items[0], "company-profile:1 (resolved already)");
    assert_string_equal(r.not_failed.items[1], "company-profile:2 (processed)");
    retry_result_free(&r);
    db_close(db);
    char *after = testdb_text(f->path, "SELECT group_concat(hex(event_data) || error_message "
                                       "|| processing_status, ',') FROM stream_events_log");
    assert_string_equal(after, before);
    free(before);
    free(after);
    char *s = testdb_text(f->path, "SELECT group_concat(l.id || ':' || (l.resolved_at IS NOT NULL) "
                                   "|| q.status, ',') FROM stream_events_log l "
                                   "JOIN processing_queue q ON q.event_log_id = l.id");
    assert_string_equal(s, "1:1done,2:0done,3:1done,4:1done");
    free(s);
}

/* Resolved failures leave every list and count of failures, and a retry of
 * all failures; named by its id, one is retried and shows again if it fails. */
static void resolved_failures_are_no_longer_counted_or_retried(void **state)
{
    struct fixture *f = *state;
    add_failures(f->path, 3);
    testdb_exec(f->path, "UPDATE stream_events_log SET resolved_at = '2026-12-02T00:00:00Z' "
                         "WHERE id IN (1, 2); UPDATE processing_queue SET status = 'done' "
                         "WHERE event_log_id IN (1, 2)");
    struct db *db = open_writer(f->path);
    struct err e;
    char why[256];
    enum failures_source source = store_events_failures_source(db, why, sizeof why);
    assert_int_equal(source, FAILURES_FULL);
    int64_t count, newest;
    assert_int_equal(store_events_count_failed(db, source, NULL, NULL, &count, &newest, &e), 0);
    assert_int_equal(count, 1);
    assert_int_equal(newest, 3);
    int64_t *listed;
    size_t n;
    struct failed_selection sel = {.filter = "boom"};
    assert_int_equal(store_events_failed_ids(db, &sel, &listed, &n, &e), 0);
    assert_int_equal(n, 1);
    assert_int_equal(listed[0], 3);
    free(listed);
    const int64_t rows[] = {1, 3};
    struct row_check checked[2];
    assert_int_equal(store_events_check_rows(db, source, rows, 2, NULL, checked, &e), 0);
    assert_false(checked[0].failed);
    assert_true(checked[1].failed);
    struct retry_result r;
    struct retry_request all = {.all_failed = true};
    assert_int_equal(retry_run(db, &all, &r, &e), 0);
    assert_int_equal(r.retried, 1);
    retry_result_free(&r);
    const char *ids[] = {"company-profile:1"};
    struct retry_request one = {.event_ids = ids, .event_count = 1};
    assert_int_equal(retry_run(db, &one, &r, &e), 0);
    assert_int_equal(r.retried, 1);
    retry_result_free(&r);
    db_close(db);
    char *s = testdb_text(f->path, "SELECT group_concat(l.id || ':' || l.processing_status || ':' "
                                   "|| coalesce(l.resolved_at, '-') || ':' || q.status, ',') "
                                   "FROM stream_events_log l "
                                   "JOIN processing_queue q ON q.event_log_id = l.id");
    assert_string_equal(s, "1:pending:-:pending,2:failed:2026-12-02T00:00:00Z:done,"
                           "3:pending:-:pending");
    free(s);
}

static void a_dry_run_takes_no_write_lock(void **state)
{
    struct fixture *f = *state;
    add_failures(f->path, 3);
    struct db *holder = open_writer(f->path), *db = open_writer(f->path);
    struct err e;
    struct retry_result r;
    assert_int_equal(db_begin_write(holder, &e), 0);
    db_set_busy_timeout(db, 100);
    struct retry_request req = {.all_failed = true, .dry_run = true};
    assert_int_equal(retry_run(db, &req, &r, &e), 0);
    assert_int_equal(r.retried, 3);
    retry_result_free(&r);
    db_rollback(holder);
    db_close(holder);
    db_close(db);
}

/* Waits (bounded) until the worker has finished a job; its outcome. */
static struct retry_progress wait_finished(struct retry_worker *w)
{
    struct retry_progress p;
    for (int i = 0; i < 1000; i++) {
        if (retry_worker_take_done(w, &p))
            return p;
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    fail_msg("the retry worker did not finish");
    return p;
}

static int64_t *id_range(size_t n)
{
    int64_t *ids = malloc(n * sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = (int64_t)i + 1;
    return ids;
}

static void the_worker_carries_out_a_set_in_chunks_and_logs_it(void **state)
{
    struct fixture *f = *state;
    struct err e;
    add_failures(f->path, 1200);
    resolve_event_2(f->path);
    assert_int_equal(log_open(f->log, &e), 0);
    struct retry_worker *w;
    assert_int_equal(retry_worker_start(open_writer(f->path), &w, &e), 0);
    struct retry_job job = {.ids = id_range(1200), .n = 1200, .filter = "boom"};
    snprintf(job.label, sizeof job.label, "1200 failures matching \"boom\"");
    assert_true(retry_worker_submit(w, &job));
    struct retry_job second = {.ids = id_range(2), .n = 2};
    snprintf(second.label, sizeof second.label, "the first two again");
    assert_true(retry_worker_submit(w, &second));   /* waits its turn, is not dropped */
    struct retry_progress p = wait_finished(w);
    assert_int_equal(p.total, 1200);
    assert_int_equal(p.done, 1200);
    assert_int_equal(p.retried, 1199);
    assert_int_equal(p.skipped, 1);
    assert_string_equal(p.error, "");
    p = wait_finished(w);
    assert_string_equal(p.label, "the first two again");
    assert_int_equal(p.retried, 0);                 /* both pending now: nothing is re-queued twice */
    assert_int_equal(p.skipped, 2);
    assert_false(retry_worker_busy(w));
    retry_worker_stop(w);
    log_close();
    size_t len;
    char *log = testdb_read_file(f->log, &len);
    assert_non_null(strstr(log, "event=retry source=dashboard user="));
    assert_non_null(strstr(log, "asked=1200 done=1200 retried=1199 skipped=1"));
    assert_non_null(strstr(log, "filter=boom"));
    assert_non_null(strstr(log, "log_ids=1,2,3,"));
    assert_non_null(strstr(log, "more_ids=1100"));
    free(log);
}

/* R over everything matching: the set is fixed by its newest id and the
 * moment of asking, and the worker lists it chunk by chunk.  Failures newer
 * than the bound, or that failed (again) after the question, are not in it;
 * one resolved meanwhile counts as no longer failed. */
static void a_set_fixed_by_its_bound_is_listed_by_the_worker(void **state)
{
    struct fixture *f = *state;
    struct err e;
    add_failures(f->path, 1200);
    resolve_event_2(f->path);
    testdb_exec(f->path, "UPDATE stream_events_log SET processed_at = '2026-12-01T00:00:20Z' "
                         "WHERE id = 3");   /* pending when asked, failed again since */
    assert_int_equal(log_open(f->log, &e), 0);
    struct retry_worker *w;
    assert_int_equal(retry_worker_start(open_writer(f->path), &w, &e), 0);
    struct retry_job job = {.n = 1099, .up_to = 1100, .failed_by = "2026-12-01T00:00:10Z",
                            .filter = "boom"};
    snprintf(job.label, sizeof job.label, "1099 failures matching \"boom\"");
    assert_true(retry_worker_submit(w, &job));
    struct retry_progress p = wait_finished(w);
    assert_string_equal(p.error, "");
    assert_int_equal(p.total, 1099);
    assert_int_equal(p.done, 1099);
    assert_int_equal(p.retried, 1098);
    assert_int_equal(p.skipped, 1);
    retry_worker_stop(w);
    log_close();
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM stream_events_log "
                                         "WHERE processing_status = 'pending'"), 1098);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM stream_events_log "
                                         "WHERE processing_status = 'failed' AND id > 1100"), 100);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM stream_events_log "
                                         "WHERE processing_status = 'failed' AND id = 3"), 1);
    size_t len;
    char *log = testdb_read_file(f->log, &len);
    assert_non_null(strstr(log, "up_to=1100 failed_by=2026-12-01T00:00:10Z asked=1099 "
                                "done=1099 retried=1098 skipped=1"));
    assert_non_null(strstr(log, "log_ids=1,4,5,"));
    assert_non_null(strstr(log, "more_ids=998"));
    free(log);
}

/* A set of one kind of error, narrowed by a filter on any field. */
static void a_set_of_one_kind_is_listed_by_it(void **state)
{
    struct fixture *f = *state;
    struct err e;
    add_failures(f->path, 6);
    testdb_exec(f->path, "UPDATE stream_events_log SET error_message = 'invalid JSON at byte ' "
                         "|| id WHERE id IN (1, 3, 5)");
    struct retry_worker *w;
    assert_int_equal(retry_worker_start(open_writer(f->path), &w, &e), 0);
    struct retry_job job = {.n = 2, .up_to = 6, .failed_by = "2026-12-01T00:00:10Z",
                            .kind = "invalid JSON at byte #", .filter = "profile:"};
    assert_true(retry_worker_submit(w, &job));
    struct retry_progress p = wait_finished(w);
    assert_int_equal(p.retried, 3);                 /* one more than asked: none skipped */
    assert_int_equal(p.skipped, 0);
    struct retry_job none = {.n = 0, .up_to = 0, .filter = ""};
    assert_true(retry_worker_submit(w, &none));     /* nothing had failed: nothing to do */
    p = wait_finished(w);
    assert_int_equal(p.retried, 0);
    retry_worker_stop(w);
    char *s = testdb_text(f->path, "SELECT group_concat(id) FROM stream_events_log "
                                   "WHERE processing_status = 'pending'");
    assert_string_equal(s, "1,3,5");
    free(s);
}

static void a_busy_database_is_waited_out_and_said(void **state)
{
    struct fixture *f = *state;
    struct err e;
    add_failures(f->path, 10);
    struct db *holder = open_writer(f->path);
    assert_int_equal(db_begin_write(holder, &e), 0);
    struct retry_worker *w;
    assert_int_equal(retry_worker_start(open_writer(f->path), &w, &e), 0);
    struct retry_job job = {.ids = id_range(10), .n = 10};
    snprintf(job.label, sizeof job.label, "all 10 failures");
    int64_t t0 = time_mono_ms();
    assert_true(retry_worker_submit(w, &job));
    assert_true(time_mono_ms() - t0 < 50);          /* handing over never waits */
    struct retry_progress p = {0};
    for (int i = 0; i < 500 && !p.waiting_for_lock; i++) {
        retry_worker_progress(w, &p);
        struct timespec ts = {0, 10000000};
        nanosleep(&ts, NULL);
    }
    assert_true(p.waiting_for_lock);
    assert_true(p.running);
    db_rollback(holder);
    p = wait_finished(w);
    assert_int_equal(p.retried, 10);
    assert_false(p.waiting_for_lock);
    retry_worker_stop(w);
    db_close(holder);
}

static void jobs_left_when_stopping_are_logged_as_abandoned(void **state)
{
    struct fixture *f = *state;
    struct err e;
    add_failures(f->path, 3);
    assert_int_equal(log_open(f->log, &e), 0);
    struct db *holder = open_writer(f->path);
    assert_int_equal(db_begin_write(holder, &e), 0);
    struct retry_worker *w;
    assert_int_equal(retry_worker_start(open_writer(f->path), &w, &e), 0);
    struct retry_job first = {.ids = id_range(3), .n = 3}, second = {.ids = id_range(1), .n = 1};
    snprintf(first.label, sizeof first.label, "all 3 failures");
    snprintf(second.label, sizeof second.label, "company-profile:1");
    assert_true(retry_worker_submit(w, &first));
    assert_true(retry_worker_submit(w, &second));
    assert_true(retry_worker_busy(w));
    retry_worker_stop(w);                           /* while the lock is still held */
    db_rollback(holder);
    db_close(holder);
    log_close();
    size_t len;
    char *log = testdb_read_file(f->log, &len);
    assert_non_null(strstr(log, "what=\"all 3 failures\""));
    assert_non_null(strstr(log, "what=company-profile:1 "));
    assert_non_null(strstr(log, "abandoned when streamtop stopped, after 0 of 1"));
    free(log);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM stream_events_log "
                                         "WHERE processing_status = 'failed'"), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_set_never_requeues_what_is_no_longer_failed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(event_ids_follow_the_same_rule, setup, teardown),
        cmocka_unit_test_setup_teardown(a_dry_run_takes_no_write_lock, setup, teardown),
        cmocka_unit_test_setup_teardown(resolving_marks_failures_and_keeps_their_rows, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(resolved_failures_are_no_longer_counted_or_retried, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_worker_carries_out_a_set_in_chunks_and_logs_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_set_fixed_by_its_bound_is_listed_by_the_worker, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_set_of_one_kind_is_listed_by_it, setup, teardown),
        cmocka_unit_test_setup_teardown(a_busy_database_is_waited_out_and_said, setup, teardown),
        cmocka_unit_test_setup_teardown(jobs_left_when_stopping_are_logged_as_abandoned, setup,
                                        teardown),
    };
    return RUN_TAP(tests);
}
