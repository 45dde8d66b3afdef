/* processor: batches stored and applied in one transaction, exactly once;
 * order safety; failures kept for an operator; retries; state and metrics.
 * Messages are fed to the channel directly: no network. */
#include "config.h"

#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "db.h"
#include "log.h"
#include "processor.h"
#include "retry.h"
#include "schema.h"
#include "testdb.h"
#include "timeutil.h"

struct fixture {
    char *dir, *path;
    struct channel channel;
    struct processor *p;
    atomic_bool stop;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dir = testdb_mkdtemp();
    f->path = testdb_path(f->dir, "p.db");
    testdb_migrate(f->path, schema_latest_version());
    testdb_exec(f->path, "INSERT INTO stream_state (stream_type) VALUES ('company-profile')");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    testdb_rmdir(f->dir);
    free(f->path);
    free(f);
    return 0;
}

static void start(struct fixture *f, int64_t resume, int64_t metrics_ms)
{
    struct err e;
    channel_init(&f->channel, 1 << 24);
    struct processor_config cfg = {
        .db_path = f->path, .stream_type = "company-profile", .worker_id = "test:1",
        .in = &f->channel, .batch_events = 100, .batch_ms = 20,
        .metrics_interval_ms = metrics_ms, .resume_timepoint = resume, .give_up_ms = 300,
    };
    if (processor_start(&cfg, &f->p, &e) < 0)
        fail_msg("processor_start: %s", e.msg);
}

static void finish(struct fixture *f)
{
    char msg[512];
    channel_close(&f->channel);
    bool failed = processor_failed(f->p, msg, sizeof msg);
    processor_join(f->p);
    channel_destroy(&f->channel);
    if (failed)
        fail_msg("processor failed: %s", msg);
}

static void push(struct fixture *f, struct ingest_msg *m)
{
    assert_int_equal(channel_push(&f->channel, m, &f->stop), 0);
}

static struct ingest_msg *event_line(const char *line)
{
    struct ingest_msg *m = calloc(1, sizeof *m);
    struct err e;
    m->kind = MSG_EVENT;
    m->at = time_now_ms();
    m->bytes = strlen(line) + 1;
    if (event_decode(line, strlen(line), &m->event, &e) < 0)
        fail_msg("%s: %s", e.msg, line);
    return m;
}

static struct ingest_msg *event(int64_t tp, const char *type, const char *number,
                                const char *name, const char *etag)
{
    char line[1024];
    snprintf(line, sizeof line,
             "{\"resource_kind\":\"company-profile\",\"resource_id\":\"%s\",\"data\":{"
             "\"company_number\":\"%s\",\"company_name\":\"%s\",\"etag\":\"%s\"},"
             "\"event\":{\"timepoint\":%lld,\"published_at\":\"2026-11-24T10:00:00Z\",\"type\":\"%s\"}}",
             number, number, name, etag, (long long)tp, type);
    return event_line(line);
}

static struct ingest_msg *invalid(const char *id, const char *raw)
{
    struct ingest_msg *m = calloc(1, sizeof *m);
    m->kind = MSG_INVALID;
    m->at = time_now_ms();
    m->bytes = strlen(raw) + 1;
    m->invalid_id = strdup(id);
    m->raw = strdup(raw);
    m->raw_len = strlen(raw);
    m->error = strdup("invalid event: not valid JSON");
    return m;
}

static struct ingest_msg *connection(enum conn_state state, const char *error, bool reconnect)
{
    struct ingest_msg *m = calloc(1, sizeof *m);
    m->kind = MSG_CONNECTION;
    m->at = time_now_ms();
    m->state = state;
    m->endpoint = strdup("https://stream.example/companies");
    m->error = error ? strdup(error) : NULL;
    m->next_attempt_at = state == CONN_BACKOFF ? m->at + 30000 : 0;
    m->reconnect = reconnect;
    return m;
}

static void stores_and_applies_a_batch(void **state)
{
    struct fixture *f = *state;
    start(f, -1, 3600000);
    push(f, connection(CONN_CONNECTED, NULL, false));
    push(f, event(101, "changed", "00000001", "ONE LTD", "e1"));
    push(f, event(102, "changed", "00000002", "TWO LTD", "e2"));
    struct ingest_msg *hb = calloc(1, sizeof *hb);
    hb->kind = MSG_HEARTBEAT;
    hb->at = time_now_ms();
    hb->bytes = 1;
    push(f, hb);
    push(f, event(103, "deleted", "00000001", "ONE LTD", "e3"));
    finish(f);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM stream_events_log "
                                         "WHERE processing_status = 'processed'"), 3);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM processing_queue"), 0);
    char *s = testdb_text(f->path, "SELECT company_name || '|' || coalesce(deleted_at, '-') || '|' || "
                                   "stream_event_id FROM companies WHERE company_number = '00000001'");
    assert_string_equal(s, "ONE LTD|2026-11-24T10:00:00.000Z|company-profile:103");
    free(s);
    s = testdb_text(f->path, "SELECT events_received || ' ' || events_changed || ' ' || "
                             "events_deleted || ' ' || events_processed || ' ' || last_timepoint || "
                             "' ' || state || ' ' || (last_heartbeat_at IS NOT NULL) || ' ' || "
                             "(connected_since IS NOT NULL) FROM stream_state");
    assert_string_equal(s, "3 2 1 3 103 connected 1 1");
    free(s);
    s = testdb_text(f->path, "SELECT last_event_id || ' ' || connection_status FROM stream_metadata");
    assert_string_equal(s, "company-profile:103 connected");
    free(s);
}

static void events_sent_again_are_stored_once(void **state)
{
    struct fixture *f = *state;
    start(f, -1, 3600000);
    push(f, event(10, "changed", "00000001", "A", "a"));
    push(f, event(11, "changed", "00000002", "B", "b"));
    push(f, event(11, "changed", "00000002", "B", "b"));   /* within one batch */
    finish(f);
    start(f, 11, 3600000);                                   /* a restart resumes at 11 */
    push(f, event(11, "changed", "00000002", "B", "b"));
    push(f, event(12, "changed", "00000003", "C", "c"));
    finish(f);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM stream_events_log"), 3);
    assert_int_equal(testdb_int(f->path, "SELECT events_received FROM stream_state"), 3);
    assert_int_equal(testdb_int(f->path, "SELECT last_timepoint FROM stream_state"), 12);
}

static void older_events_never_overwrite_newer_data(void **state)
{
    struct fixture *f = *state;
    start(f, -1, 3600000);
    push(f, event(20, "changed", "00000009", "NEW NAME LTD", "v2"));
    push(f, event(15, "changed", "00000009", "OLD NAME LTD", "v1"));   /* arrives late */
    push(f, event(21, "changed", "00000009", "NEW NAME LTD", "v2"));   /* a repeat */
    push(f, event(30, "deleted", "00000077", "GONE LTD", "g"));        /* unknown: tombstone */
    push(f, event(25, "changed", "00000077", "GONE LTD", "g0"));       /* cannot resurrect it */
    finish(f);
    char *s = testdb_text(f->path, "SELECT company_name || ' ' || stream_timepoint || ' ' || etag "
                                   "FROM companies WHERE company_number = '00000009'");
    assert_string_equal(s, "NEW NAME LTD 21 v2");
    free(s);
    s = testdb_text(f->path, "SELECT processing_status || ': ' || error_message FROM stream_events_log "
                             "WHERE event_id = 'company-profile:15'");
    assert_string_equal(s, "processed: superseded: the company already reflects timepoint 20");
    free(s);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM companies WHERE company_number = "
                                         "'00000077' AND deleted_at IS NOT NULL"), 1);
    s = testdb_text(f->path, "SELECT events_superseded || ' ' || events_repeated || ' ' || "
                             "events_processed FROM stream_state");
    assert_string_equal(s, "2 1 5");
    free(s);
}

static void invalid_lines_are_kept_once_as_failures(void **state)
{
    struct fixture *f = *state;
    start(f, -1, 3600000);
    push(f, invalid("invalid:5+1:0000abcd", "{broken"));
    push(f, invalid("invalid:5+1:0000abcd", "{broken"));   /* the same line after a resume */
    push(f, invalid("invalid:5+2:00001234", "[1]"));
    finish(f);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM stream_events_log WHERE "
                                         "processing_status = 'failed' AND event_type = 'invalid'"), 2);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM processing_queue WHERE "
                                         "status = 'failed' AND attempts = 1"), 2);
    char *s = testdb_text(f->path, "SELECT event_data FROM stream_events_log WHERE "
                                   "event_id = 'invalid:5+1:0000abcd'");
    assert_string_equal(s, "{broken");
    free(s);
    assert_int_equal(testdb_int(f->path, "SELECT events_invalid FROM stream_state"), 2);
}

static void a_failing_event_does_not_stop_its_batch_and_can_be_retried(void **state)
{
    struct fixture *f = *state;
    testdb_exec(f->path, "CREATE TRIGGER refuse_bad BEFORE INSERT ON companies "
                         "WHEN NEW.company_name = 'BAD LTD' BEGIN SELECT RAISE(ABORT, 'bad name'); END");
    start(f, -1, 3600000);
    push(f, event(40, "changed", "00000040", "GOOD LTD", "g"));
    push(f, event(41, "changed", "00000041", "BAD LTD", "b"));
    push(f, event(42, "changed", "00000042", "ALSO GOOD LTD", "a"));
    finish(f);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM companies"), 2);
    char *s = testdb_text(f->path, "SELECT l.processing_status || ' ' || q.status || ' ' || "
                                   "q.attempts || ' ' || q.worker_id || ' ' || l.error_message "
                                   "FROM stream_events_log l JOIN processing_queue q "
                                   "ON q.event_log_id = l.id WHERE l.event_id = 'company-profile:41'");
    assert_string_equal(s, "failed failed 1 test:1 companies: bad name");
    free(s);

    /* The operator fixes the cause and retries; the processor applies it. */
    testdb_exec(f->path, "DROP TRIGGER refuse_bad");
    struct db *db;
    struct err e;
    struct retry_result r;
    const char *ids[] = {"company-profile:41"};
    struct retry_request req = {.event_ids = ids, .event_count = 1};
    assert_int_equal(db_open(f->path, DB_READ_WRITE, &db, &e), 0);
    assert_int_equal(retry_run(db, &req, &r, &e), 0);
    assert_int_equal(r.retried, 1);
    retry_result_free(&r);
    db_close(db);
    assert_int_equal(testdb_int(f->path, "SELECT priority FROM processing_queue"), 10);
    start(f, 42, 3600000);
    for (int i = 0; i < 200 && testdb_int(f->path, "SELECT count(*) FROM processing_queue "
                                                   "WHERE status <> 'done'") > 0; i++) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    finish(f);
    s = testdb_text(f->path, "SELECT status || ' ' || attempts || ' ' || (last_error IS NULL) || ' ' || "
                             "(worker_id IS NOT NULL) || ' ' || (actual_duration >= 0) FROM processing_queue");
    assert_string_equal(s, "done 2 1 1 1");
    free(s);
    s = testdb_text(f->path, "SELECT processing_status || ' ' || coalesce(error_message, 'none') "
                             "FROM stream_events_log WHERE event_id = 'company-profile:41'");
    assert_string_equal(s, "processed none");
    free(s);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM companies WHERE company_name = 'BAD LTD'"), 1);
}

static void a_retried_invalid_line_fails_again(void **state)
{
    struct fixture *f = *state;
    start(f, -1, 3600000);
    push(f, invalid("invalid:1+1:00000001", "{broken"));
    finish(f);
    struct db *db;
    struct err e;
    struct retry_result r;
    struct retry_request req = {.all_failed = true};
    assert_int_equal(db_open(f->path, DB_READ_WRITE, &db, &e), 0);
    assert_int_equal(retry_run(db, &req, &r, &e), 0);
    retry_result_free(&r);
    db_close(db);
    start(f, -1, 3600000);
    for (int i = 0; i < 200 && testdb_int(f->path, "SELECT count(*) FROM processing_queue "
                                                    "WHERE status = 'pending'") > 0; i++) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    finish(f);
    char *s = testdb_text(f->path, "SELECT q.status || ' ' || q.attempts || ' ' || l.processing_status "
                                   "FROM processing_queue q JOIN stream_events_log l ON l.id = q.event_log_id");
    assert_string_equal(s, "failed 2 failed");
    free(s);
}

static struct ingest_msg *invalid_because(const char *id, const char *raw, const char *error)
{
    struct ingest_msg *m = invalid(id, raw);
    free(m->error);
    m->error = strdup(error);
    return m;
}

#define PROFILE_LINE(tp, number, name) \
    "{\"resource_kind\":\"company-profile\",\"data\":{\"company_number\":\"" number "\"," \
    "\"company_name\":\"" name "\"},\"event\":{\"timepoint\":" tp ",\"type\":\"changed\"}}"

/* Marks every failure for retry and lets a processor resuming from
 * timepoint resume work through them. */
static void retry_all_failed(struct fixture *f, int64_t resume)
{
    struct db *db;
    struct err e;
    struct retry_result r;
    struct retry_request req = {.all_failed = true};
    assert_int_equal(db_open(f->path, DB_READ_WRITE, &db, &e), 0);
    assert_int_equal(retry_run(db, &req, &r, &e), 0);
    retry_result_free(&r);
    db_close(db);
    start(f, resume, 3600000);
    for (int i = 0; i < 500 && testdb_int(f->path, "SELECT count(*) FROM processing_queue "
                                                    "WHERE status = 'pending'") > 0; i++) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    finish(f);
}

static void a_retried_line_that_now_decodes_becomes_its_event(void **state)
{
    struct fixture *f = *state;
    const char *too_long = "line of 130 bytes is longer than the 100-byte limit";
    start(f, -1, 3600000);
    push(f, event(9, "changed", "00000009", "NEWER LTD", "n"));
    push(f, invalid_because("invalid:9+1:00000001", PROFILE_LINE("7", "00000009", "OLDER LTD"), too_long));
    push(f, invalid_because("invalid:9+2:00000002", PROFILE_LINE("12", "00000012", "TWELVE LTD"), too_long));
    push(f, event(20, "changed", "00000020", "TWENTY LTD", "t"));
    /* Past the resume point: the stream would send it again after a restart. */
    push(f, invalid_because("invalid:20+1:00000003", PROFILE_LINE("30", "00000030", "LATER LTD"), too_long));
    finish(f);
    retry_all_failed(f, 20);
    char *s = testdb_text(f->path, "SELECT group_concat(event_id || ' ' || event_type || ' ' || "
                                   "coalesce(company_number, '-') || ' ' || processing_status, ', ') "
                                   "FROM (SELECT * FROM stream_events_log ORDER BY id)");
    assert_string_equal(s, "company-profile:9 changed 00000009 processed, "
                           "company-profile:7 changed 00000009 processed, "
                           "company-profile:12 changed 00000012 processed, "
                           "company-profile:20 changed 00000020 processed, "
                           "invalid:20+1:00000003 invalid - failed");
    free(s);
    s = testdb_text(f->path, "SELECT error_message FROM stream_events_log WHERE event_id = 'invalid:20+1:00000003'");
    assert_string_equal(s, "the line decodes now as company-profile:30, past the resume point 20: "
                           "retry it once the stream has passed it");
    free(s);
    s = testdb_text(f->path, "SELECT group_concat(company_name || ' ' || stream_event_id, ', ') FROM "
                             "(SELECT * FROM companies ORDER BY company_number)");
    assert_string_equal(s, "NEWER LTD company-profile:9, TWELVE LTD company-profile:12, "
                           "TWENTY LTD company-profile:20");
    free(s);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM companies WHERE "
                                         "stream_event_id LIKE 'invalid:%'"), 0);
}

static void a_retried_line_that_still_fails_keeps_its_error(void **state)
{
    struct fixture *f = *state;
    const char *cut = "line of 900 bytes is longer than the 100-byte limit (first 120 of 900 bytes kept)";
    start(f, -1, 3600000);
    push(f, event(3, "changed", "00000003", "THREE LTD", "t"));
    push(f, invalid_because("invalid:3+1:00000001", "{broken", "invalid event: not valid JSON"));
    /* Its kept head happens to be an event, but the line was longer. */
    push(f, invalid_because("invalid:3+2:00000002", PROFILE_LINE("4", "00000004", "HEAD LTD"), cut));
    /* It decodes, but as an event that is stored already. */
    push(f, invalid_because("invalid:3+3:00000003", PROFILE_LINE("3", "00000003", "OTHER LTD"),
                            "invalid event: not valid JSON"));
    finish(f);
    retry_all_failed(f, 3);
    char *s = testdb_text(f->path, "SELECT group_concat(event_id || ' | ' || processing_status || ' | ' || "
                                   "error_message, char(10)) FROM (SELECT * FROM stream_events_log "
                                   "WHERE event_type = 'invalid' ORDER BY id)");
    assert_string_equal(s, "invalid:3+1:00000001 | failed | invalid event: not valid JSON\n"
                           "invalid:3+2:00000002 | failed | line of 900 bytes is longer than the "
                           "100-byte limit (first 120 of 900 bytes kept)\n"
                           "invalid:3+3:00000003 | failed | the line decodes now as "
                           "company-profile:3, which is stored already");
    free(s);
    s = testdb_text(f->path, "SELECT group_concat(company_name, ',') FROM companies");
    assert_string_equal(s, "THREE LTD");
    free(s);
}

static void applied_text_is_valid_utf8_and_the_raw_line_exact(void **state)
{
    struct fixture *f = *state;
    const char *nul = PROFILE_LINE("21", "00000021", "NUL\\u0000LTD");
    const char *bytes = PROFILE_LINE("22", "00000022", "BAD\xff\xfeLTD");
    start(f, -1, 3600000);
    push(f, event_line(nul));
    push(f, event_line(bytes));
    finish(f);
    char *s = testdb_text(f->path, "SELECT group_concat(company_name || ' ' || stream_event_id || ' ' || "
                                   "json_extract(data, '$.company_name'), ', ') FROM "
                                   "(SELECT * FROM companies ORDER BY company_number)");
    assert_string_equal(s, "NUL\xEF\xBF\xBDLTD company-profile:21 NUL\xEF\xBF\xBDLTD, "
                           "BAD\xEF\xBF\xBD\xEF\xBF\xBDLTD company-profile:22 BAD\xEF\xBF\xBD\xEF\xBF\xBDLTD");
    free(s);
    s = testdb_text(f->path, "SELECT event_data FROM stream_events_log WHERE event_id = 'company-profile:21'");
    assert_string_equal(s, nul);
    free(s);
    s = testdb_text(f->path, "SELECT event_data FROM stream_events_log WHERE event_id = 'company-profile:22'");
    assert_string_equal(s, bytes);
    free(s);
}

static void connection_changes_reach_the_state(void **state)
{
    struct fixture *f = *state;
    start(f, -1, 3600000);
    push(f, connection(CONN_CONNECTING, NULL, false));
    push(f, connection(CONN_BACKOFF, "server error 503", false));
    push(f, connection(CONN_CONNECTING, NULL, true));
    push(f, connection(CONN_BACKOFF, "cannot connect: refused", false));
    finish(f);
    char *s = testdb_text(f->path, "SELECT state || ' ' || reconnects || ' ' || "
                                   "(next_attempt_at > state_since) || ' ' || endpoint FROM stream_state");
    assert_string_equal(s, "backoff 1 1 https://stream.example/companies");
    free(s);
    s = testdb_text(f->path, "SELECT connection_status || ' ' || error_count || ' ' || last_error "
                             "FROM stream_metadata");
    assert_string_equal(s, "disconnected 2 cannot connect: refused");
    free(s);
}

static struct ingest_msg *connection_at(enum conn_state state, int64_t at)
{
    struct ingest_msg *m = connection(state, state == CONN_BACKOFF ? "cannot connect" : NULL,
                                      state == CONN_CONNECTING);
    m->at = at;
    return m;
}

/* An outage that cycles between connecting and backing off is one outage:
 * state_since stays where the stream went down, so health can tell how
 * long it has been down; it moves when the stream comes up again. */
static void an_outage_keeps_its_start_across_attempts(void **state)
{
    struct fixture *f = *state;
    const int64_t t = 1796000000000;    /* 2026-11-29T... */
    start(f, -1, 3600000);
    push(f, connection_at(CONN_CONNECTED, t));
    push(f, connection_at(CONN_BACKOFF, t + 1000));
    push(f, connection_at(CONN_CONNECTING, t + 31000));
    push(f, connection_at(CONN_BACKOFF, t + 32000));
    push(f, connection_at(CONN_CONNECTING, t + 92000));
    finish(f);
    assert_int_equal(testdb_int(f->path, "SELECT CAST(round((julianday(state_since) - 2440587.5) * "
                                         "86400000) AS INTEGER) FROM stream_state"), t + 1000);
    start(f, -1, 3600000);
    push(f, connection_at(CONN_CONNECTED, t + 95000));
    finish(f);
    assert_int_equal(testdb_int(f->path, "SELECT CAST(round((julianday(state_since) - 2440587.5) * "
                                         "86400000) AS INTEGER) FROM stream_state"), t + 95000);
    /* Down again, then attempts in later batches: the stored start stays. */
    start(f, -1, 3600000);
    push(f, connection_at(CONN_BACKOFF, t + 100000));
    finish(f);
    start(f, -1, 3600000);
    push(f, connection_at(CONN_CONNECTING, t + 130000));
    finish(f);
    assert_int_equal(testdb_int(f->path, "SELECT CAST(round((julianday(state_since) - 2440587.5) * "
                                         "86400000) AS INTEGER) FROM stream_state"), t + 100000);
}

/* A database that refuses every write must not hold up a stop for ever:
 * the batch is abandoned (it will be fetched again on the next start),
 * whether the stop came before the retries began or in the middle. */
static void a_stop_is_not_held_up_by_a_database_that_refuses_writes(void **state)
{
    struct fixture *f = *state;
    testdb_exec(f->path, "CREATE TRIGGER refuse BEFORE INSERT ON stream_events_log "
                         "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END");
    start(f, -1, 60000);
    push(f, event(1, "changed", "00000001", "ONE LTD", "e1"));
    push(f, event(2, "changed", "00000002", "TWO LTD", "e2"));
    struct timespec pause = {0, 200 * 1000000L};
    nanosleep(&pause, NULL);                    /* retrying by now */
    int64_t asked = time_mono_ms();
    finish(f);                                  /* closes, joins, and requires no fatal failure */
    int64_t took = time_mono_ms() - asked;
    print_message("# stopped %lld ms after being asked\n", (long long)took);
    assert_true(took < 5000);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM stream_events_log"), 0);
}

/* The commits line the processor logs when it stops: how many. */
static long logged_batches(const char *log)
{
    FILE *in = fopen(log, "r");
    char line[512];
    long n = -1;
    while (in && fgets(line, sizeof line, in)) {
        const char *at = strstr(line, "event=commits batches=");
        if (at)
            n = strtol(at + strlen("event=commits batches="), NULL, 10);
    }
    if (in)
        fclose(in);
    return n;
}

static void a_long_batch_commits_in_parts_each_once(void **state)
{
    struct fixture *f = *state;
    struct err e;
    char *log = testdb_path(f->dir, "p.log");
    if (log_open(log, &e) < 0)
        fail_msg("log_open: %s", e.msg);
    channel_init(&f->channel, 1 << 24);
    /* No time to spare: every event outlasts the budget. */
    struct processor_config cfg = {
        .db_path = f->path, .stream_type = "company-profile", .worker_id = "test:1",
        .in = &f->channel, .batch_events = 1000, .batch_ms = 1000, .batch_budget_us = 1,
        .metrics_interval_ms = 3600000, .resume_timepoint = -1, .give_up_ms = 300,
    };
    for (int i = 1; i <= 40; i++) {
        char number[16];
        snprintf(number, sizeof number, "%08d", i);
        push(f, event(100 + i, "changed", number, "PART LTD", number));
    }
    if (processor_start(&cfg, &f->p, &e) < 0)
        fail_msg("processor_start: %s", e.msg);
    finish(f);
    log_open(NULL, &e);
    assert_true(logged_batches(log) >= 40);
    assert_int_equal(testdb_int(f->path, "SELECT count(DISTINCT event_id) FROM stream_events_log "
                                         "WHERE processing_status = 'processed'"), 40);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM companies"), 40);
    assert_int_equal(testdb_int(f->path, "SELECT events_received * 1000 + last_timepoint "
                                         "FROM stream_state"), 40140);
    free(log);
}

static void metrics_are_sampled_each_interval(void **state)
{
    struct fixture *f = *state;
    start(f, -1, 100);
    for (int i = 0; i < 20; i++)
        push(f, event(200 + i, "changed", i % 2 ? "00000001" : "00000002", "X", "same"));
    for (int i = 0; i < 100 && testdb_int(f->path, "SELECT count(*) FROM system_metrics "
                                                   "WHERE metric_name = 'events_received'") == 0; i++) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
    finish(f);
    assert_int_equal(testdb_int(f->path, "SELECT sum(metric_value) FROM system_metrics "
                                         "WHERE metric_name = 'events_received'"), 20);
    assert_int_equal(testdb_int(f->path, "SELECT sum(metric_value) FROM system_metrics "
                                         "WHERE metric_name = 'events_repeated'"), 18);
    assert_true(testdb_int(f->path, "SELECT count(*) FROM system_metrics WHERE metric_name IN "
                                    "('queue_depth', 'ingest_rate', 'lag_seconds')") >= 3);
    char *tags = testdb_text(f->path, "SELECT tags FROM system_metrics WHERE metric_name = 'events_received'");
    assert_non_null(strstr(tags, "\"interval_ms\":"));
    free(tags);
    /* Built as JSON, not pasted together: whole numbers and a string. */
    assert_int_equal(testdb_int(f->path, "SELECT count(*) FROM system_metrics WHERE NOT "
                                         "(json_valid(tags) AND json_type(tags, '$.interval_ms') = "
                                         "'integer' AND json_type(tags, '$.stream') = 'text')"), 0);
}

static void wait_until(struct fixture *f, const char *sql)
{
    for (int i = 0; i < 250 && testdb_int(f->path, sql) == 0; i++) {
        struct timespec ts = {0, 20000000};
        nanosleep(&ts, NULL);
    }
}

/* The writer records its counters for readers in other processes: with the
 * batch that moved them, then again a second later although nothing more
 * arrived and no metric sample is due, so the newest reading shows the
 * stream quiet rather than the last burst. */
static void counters_are_read_for_the_rate_now(void **state)
{
    struct fixture *f = *state;
    start(f, -1, 60000);
    for (int i = 0; i < 10; i++)
        push(f, event(300 + i, "changed", "00000003", "X", "e"));
    wait_until(f, "SELECT count(*) >= 2 FROM stream_rate_points WHERE stored = 10");
    finish(f);
    assert_int_equal(testdb_int(f->path, "SELECT count(*) >= 2 FROM stream_rate_points "
                                         "WHERE stored = 10 AND drained = 10 AND buffered = 0"), 1);
    assert_int_equal(testdb_int(f->path, "SELECT max(stored) FROM stream_rate_points"), 10);
    assert_int_equal(testdb_int(f->path, "SELECT count(DISTINCT slot) FROM stream_rate_points"),
                     testdb_int(f->path, "SELECT count(*) FROM stream_rate_points"));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(stores_and_applies_a_batch),
        T(counters_are_read_for_the_rate_now),
        T(events_sent_again_are_stored_once),
        T(older_events_never_overwrite_newer_data),
        T(invalid_lines_are_kept_once_as_failures),
        T(a_failing_event_does_not_stop_its_batch_and_can_be_retried),
        T(a_retried_invalid_line_fails_again),
        T(a_retried_line_that_now_decodes_becomes_its_event),
        T(a_retried_line_that_still_fails_keeps_its_error),
        T(applied_text_is_valid_utf8_and_the_raw_line_exact),
        T(connection_changes_reach_the_state),
        T(an_outage_keeps_its_start_across_attempts),
        T(a_stop_is_not_held_up_by_a_database_that_refuses_writes),
        T(metrics_are_sampled_each_interval),
        T(a_long_batch_commits_in_parts_each_once),
    };
    return RUN_TAP(tests);
}
