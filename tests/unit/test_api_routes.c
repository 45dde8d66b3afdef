/* api_routes: the route table (404, 405 with Allow, 403) and the answers
 * kept for a second, without HTTP. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "api_key.h"
#include "api_routes.h"
#include "schema.h"
#include "testdb.h"

struct fixture {
    char *dir, *path;
    struct api_state st;
    pthread_mutex_t lock;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    struct err e;
    f->dir = testdb_mkdtemp();
    f->path = testdb_path(f->dir, "routes.db");
    testdb_migrate(f->path, schema_latest_version());
    pthread_mutex_init(&f->lock, NULL);
    f->st.db_path = f->path;
    f->st.writer_lock = &f->lock;
    if (db_open(f->path, DB_READ_WRITE, &f->st.writer, &e) < 0 ||
        snapshot_reader_open(f->path, &f->st.reader, &e) < 0)
        fail_msg("open: %s", e.msg);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    api_state_free(&f->st);
    snapshot_reader_close(f->st.reader);
    db_close(f->st.writer);
    pthread_mutex_destroy(&f->lock);
    testdb_rmdir(f->dir);
    free(f->path);
    free(f);
    return 0;
}

static const char *no_args(void *ctx, const char *name)
{
    (void)ctx;
    (void)name;
    return NULL;
}

static int call(struct fixture *f, const char *method, const char *path, unsigned perms,
                struct api_response *res)
{
    struct api_request req = {.method = method, .path = path, .arg = no_args, .body = "",
                              .perms = perms};
    memset(res, 0, sizeof *res);
    assert_int_equal(api_route(&f->st, &req, res), 0);
    return res->status;
}

static void routes_answer_404_405_and_403(void **state)
{
    struct fixture *f = *state;
    struct api_response res;
    assert_int_equal(call(f, "GET", "/nothing", API_PERM_READ, &res), 404);
    free(res.body);
    assert_int_equal(call(f, "GET", "/v1/events/", API_PERM_READ, &res), 404);   /* no id */
    free(res.body);
    assert_int_equal(call(f, "PUT", "/metrics", API_PERM_READ, &res), 405);
    assert_string_equal(res.allow, "GET, HEAD");
    free(res.body);
    assert_int_equal(call(f, "GET", "/v1/retry", API_PERM_WRITE, &res), 405);
    assert_string_equal(res.allow, "POST");
    free(res.body);
    assert_int_equal(call(f, "POST", "/v1/retry", API_PERM_READ, &res), 403);
    assert_non_null(strstr(res.body, "\"error\""));
    free(res.body);
    assert_int_equal(call(f, "GET", "/metrics", 0, &res), 403);
    free(res.body);
    assert_int_equal(call(f, "HEAD", "/healthz", API_PERM_READ, &res), 503);   /* never connected */
    free(res.body);
}

/* A second request within API_SNAPSHOT_MAX_AGE_MS gets the same answer,
 * even though the database changed in between. */
static void whole_database_answers_are_kept_for_a_second(void **state)
{
    struct fixture *f = *state;
    struct api_response a, b;
    assert_int_equal(call(f, "GET", "/v1/status", API_PERM_READ, &a), 200);
    assert_int_equal(call(f, "GET", "/metrics", API_PERM_READ, &b), 200);
    assert_non_null(strstr(b.body, "streamtop_failures_outstanding 0\n"));
    free(b.body);
    testdb_exec(f->path, "INSERT INTO stream_events_log (event_id, event_type, event_data, "
                         "processing_status, error_message, received_at) VALUES "
                         "('company-profile:1', 'changed', '{}', 'failed', 'x', '2026-01-01T00:00:00Z')");
    assert_int_equal(call(f, "GET", "/v1/status", API_PERM_READ, &b), 200);
    assert_string_equal(a.body, b.body);
    free(b.body);
    assert_int_equal(call(f, "GET", "/metrics", API_PERM_READ, &b), 200);
    assert_non_null(strstr(b.body, "streamtop_failures_outstanding 0\n"));
    free(b.body);
    /* Forgotten, they are read again. */
    f->st.snap_at = 1;
    assert_int_equal(call(f, "GET", "/metrics", API_PERM_READ, &b), 200);
    assert_non_null(strstr(b.body, "streamtop_failures_outstanding 1\n"));
    free(b.body);
    assert_int_equal(call(f, "GET", "/v1/status", API_PERM_READ, &b), 200);
    assert_string_not_equal(a.body, b.body);
    free(a.body);
    free(b.body);
}

/* /metrics, /healthz and /v1/status read one snapshot: a change after the
 * first of them is seen by none of them until it is a second old, and the
 * server's own counters, which are not the snapshot's, still move. */
static void the_three_answers_share_one_snapshot(void **state)
{
    struct fixture *f = *state;
    struct api_response res;
    assert_int_equal(call(f, "GET", "/metrics", API_PERM_READ, &res), 200);
    assert_non_null(strstr(res.body, "streamtop_failures_outstanding 0\n"));
    free(res.body);
    testdb_exec(f->path, "INSERT INTO stream_events_log (event_id, event_type, event_data, "
                         "processing_status, error_message, received_at) VALUES "
                         "('company-profile:1', 'changed', '{}', 'failed', 'x', '2026-01-01T00:00:00Z')");
    assert_int_equal(call(f, "GET", "/v1/status", API_PERM_READ, &res), 200);
    assert_non_null(strstr(res.body, "\"failures\":{\"available\":true,\"count\":0,"));
    free(res.body);
    assert_int_equal(call(f, "GET", "/healthz", API_PERM_READ, &res), 503);
    assert_null(strstr(res.body, "failed events"));
    free(res.body);
    f->st.counters.requests[2] = 41;
    assert_int_equal(call(f, "GET", "/metrics", API_PERM_READ, &res), 200);
    assert_non_null(strstr(res.body, "streamtop_api_requests_total{code=\"2xx\"} 41\n"));
    free(res.body);
    f->st.snap_at = 1;
    assert_int_equal(call(f, "GET", "/healthz", API_PERM_READ, &res), 503);
    assert_non_null(strstr(res.body, "1 failed events"));
    free(res.body);
    assert_int_equal(call(f, "GET", "/v1/status", API_PERM_READ, &res), 200);
    assert_non_null(strstr(res.body, "\"failures\":{\"available\":true,\"count\":1,"));
    free(res.body);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(routes_answer_404_405_and_403),
        T(whole_database_answers_are_kept_for_a_second),
        T(the_three_answers_share_one_snapshot),
    };
    return RUN_TAP(tests);
}
