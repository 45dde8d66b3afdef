/* health: each rule and threshold the panes and `status` share, pinned at
 * a fixed clock on a snapshot built by hand. */
#include "config.h"

#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"

#define NOW 1700000000000LL
#define S 1000LL

static struct snapshot *connected(void)
{
    struct snapshot *s = calloc(1, sizeof *s);
    s->taken_at = NOW;
    struct snap_connection *c = &s->connection;
    c->available = c->have_state = true;
    c->conn = CONN_CONNECTED;
    c->state_since = c->connected_since = NOW - 3600 * S;
    c->last_event_at = NOW - S;
    c->ingester_pid = 42;
    c->ingester_seen_at = NOW - S;
    s->failures.available = s->queue.available = true;
    return s;
}

static enum health_level level(void (*rule)(const struct snapshot *, struct health_finding *),
                               const struct snapshot *s)
{
    struct health_finding f;
    rule(s, &f);
    return f.level;
}

/* It commits at least every 5 s, so a stuck writer shows within 25 s. */
static void ingester_silent_after_20s(void **state)
{
    (void)state;
    struct snapshot *s = connected();
    s->connection.ingester_seen_at = NOW - HEALTH_INGESTER_SILENT_S * S;
    assert_int_equal(level(health_ingester, s), HEALTH_OK);
    s->connection.ingester_seen_at = NOW - HEALTH_INGESTER_SILENT_S * S - 1;
    assert_int_equal(level(health_ingester, s), HEALTH_BAD);
    s->connection.ingester_pid = 0;                    /* none recorded: nothing to be silent */
    assert_int_equal(level(health_ingester, s), HEALTH_OK);
    assert_int_equal(HEALTH_INGESTER_SILENT_S, 20);
    free(s);
}

/* A silent ingester is told apart: stuck (its process runs), gone, or on
 * another host, where the reader cannot look. */
static void silent_ingester_says_why(void **state)
{
    (void)state;
    static const struct {
        enum ingester_process process;
        const char *why;
    } cases[] = {
        {INGESTER_RUNNING, "the ingester (pid 42) runs but has not committed for 40s: its writes "
                           "fail (a lock held elsewhere, a full disk); its log says why"},
        {INGESTER_GONE, "the ingester (pid 42) has not committed for 40s and is no longer running"},
        {INGESTER_ELSEWHERE, "the ingester on other-host has not committed for 40s"},
    };
    struct snapshot *s = connected();
    snprintf(s->connection.ingester_host, sizeof s->connection.ingester_host, "other-host");
    s->connection.ingester_seen_at = NOW - 40 * S;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct health_finding f;
        s->connection.ingester_process = cases[i].process;
        health_ingester(s, &f);
        assert_int_equal(f.level, HEALTH_BAD);
        assert_string_equal(f.why, cases[i].why);
    }
    free(s);
}

/* Whoever else holds the write lock is named: the reason a running
 * ingester cannot commit, or one waiting to start cannot connect. */
static void a_lock_holder_is_named(void **state)
{
    (void)state;
    struct snapshot *s = connected();
    struct snap_connection *c = &s->connection;
    struct health_finding f;
    c->write_lock_pid = 777;
    snprintf(c->write_lock_name, sizeof c->write_lock_name, "sqlite3");
    c->ingester_process = INGESTER_RUNNING;
    c->ingester_seen_at = NOW - 40 * S;
    health_ingester(s, &f);
    assert_string_equal(f.why, "the ingester (pid 42) runs but has not committed for 40s: "
                               "process 777 (sqlite3) holds the database's write lock");
    c->ingester_pid = 0;
    c->conn = CONN_DISCONNECTED;
    c->state_since = NOW - HEALTH_DISCONNECTED_S * S - S;
    health_connection(s, &f);
    assert_int_equal(f.level, HEALTH_BAD);
    assert_string_equal(f.why, "not connected for 5m 01s; process 777 (sqlite3) holds the "
                               "database's write lock");
    free(s);
}

static void connection_states(void **state)
{
    (void)state;
    struct snapshot *s = connected();
    struct snap_connection *c = &s->connection;
    assert_int_equal(level(health_connection, s), HEALTH_OK);

    c->conn = CONN_BACKOFF;
    c->state_since = NOW - HEALTH_DISCONNECTED_S * S;
    assert_int_equal(level(health_connection, s), HEALTH_WARN);
    c->state_since = NOW - HEALTH_DISCONNECTED_S * S - 1;
    assert_int_equal(level(health_connection, s), HEALTH_BAD);
    assert_int_equal(HEALTH_DISCONNECTED_S, 300);

    c->conn = CONN_DISCONNECTED;
    c->state_since = NOW - 10 * S;
    assert_int_equal(level(health_connection, s), HEALTH_WARN);

    c->conn = CONN_ERROR;                              /* a refusal waits for an operator */
    assert_int_equal(level(health_connection, s), HEALTH_BAD);
    free(s);
}

static void never_connected(void **state)
{
    (void)state;
    struct snapshot *s = connected();
    struct snap_connection *c = &s->connection;
    c->connected_since = c->last_event_at = 0;
    c->conn = CONN_CONNECTING;                         /* starting up */
    c->state_since = NOW - 5 * S;
    assert_int_equal(level(health_connection, s), HEALTH_WARN);
    c->conn = CONN_DISCONNECTED;                       /* not even trying */
    struct health_finding f;
    health_connection(s, &f);
    assert_int_equal(f.level, HEALTH_BAD);
    assert_string_equal(f.why, "never connected");
    free(s);
}

static void queue_age(void **state)
{
    (void)state;
    struct snapshot *s = connected();
    s->queue.pending = 3;
    s->queue.oldest_pending_at = NOW - HEALTH_QUEUE_WARN_S * S;
    assert_int_equal(level(health_queue, s), HEALTH_OK);
    s->queue.oldest_pending_at = NOW - HEALTH_QUEUE_WARN_S * S - 1;
    assert_int_equal(level(health_queue, s), HEALTH_WARN);
    s->queue.oldest_pending_at = NOW - HEALTH_QUEUE_BAD_S * S;
    assert_int_equal(level(health_queue, s), HEALTH_WARN);
    s->queue.oldest_pending_at = NOW - HEALTH_QUEUE_BAD_S * S - 1;
    assert_int_equal(level(health_queue, s), HEALTH_BAD);
    assert_int_equal(HEALTH_QUEUE_WARN_S, 60);
    assert_int_equal(HEALTH_QUEUE_BAD_S, 300);
    s->queue.pending = 0;
    assert_int_equal(level(health_queue, s), HEALTH_OK);
    free(s);
}

static void failures(void **state)
{
    (void)state;
    struct snapshot *s = connected();
    assert_int_equal(level(health_failures, s), HEALTH_OK);
    s->failures.count = 1;
    assert_int_equal(level(health_failures, s), HEALTH_BAD);
    free(s);
}

/* status exits 1 exactly when a pane shows red. */
static void judge_agrees_with_the_rules(void **state)
{
    (void)state;
    struct snapshot *s = connected();
    struct strlist problems = {0};
    assert_true(health_judge(s, &problems));
    assert_int_equal(problems.count, 0);

    s->queue.pending = 1;
    s->queue.oldest_pending_at = NOW - 90 * S;         /* amber on screen, still healthy */
    assert_true(health_judge(s, &problems));

    s->queue.oldest_pending_at = NOW - 400 * S;
    s->connection.ingester_seen_at = NOW - 45 * S;
    s->connection.conn = CONN_BACKOFF;
    s->connection.state_since = NOW - 3600 * S;
    assert_false(health_judge(s, &problems));
    assert_int_equal(problems.count, 2);               /* a silent ingester's state is not judged */
    assert_non_null(strstr(problems.items[0], "has not committed for 45s"));
    assert_non_null(strstr(problems.items[1], "queue stuck"));
    strlist_free(&problems);
    free(s);
}

/* Only with a backup directory configured: none there, or the newest older
 * than its maximum age, is unhealthy, and status exits 1 by it. */
static void backup_age(void **state)
{
    (void)state;
    struct snapshot *s = connected();
    struct snap_backup *b = &s->backup;
    assert_int_equal(level(health_backup, s), HEALTH_OK);       /* not configured */
    b->configured = b->readable = true;
    snprintf(b->dir, sizeof b->dir, "/srv/backups");
    b->max_age_ms = 26 * 3600 * S;
    assert_int_equal(level(health_backup, s), HEALTH_BAD);      /* none there */
    b->found = true;
    b->newest_at = NOW - 26 * 3600 * S;
    assert_int_equal(level(health_backup, s), HEALTH_OK);
    b->newest_at--;
    assert_int_equal(level(health_backup, s), HEALTH_BAD);
    struct strlist problems = {0};
    assert_false(health_judge(s, &problems));
    assert_int_equal(problems.count, 1);
    assert_non_null(strstr(problems.items[0], "the newest verified backup is 1d 02h old (more than 1d 02h)"));
    strlist_free(&problems);
    b->readable = false;
    snprintf(b->why_unreadable, sizeof b->why_unreadable, "backup directory /srv/backups: gone");
    struct health_finding f;
    health_backup(s, &f);
    assert_string_equal(f.why, "backup directory /srv/backups: gone");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ingester_silent_after_20s),
        cmocka_unit_test(silent_ingester_says_why),
        cmocka_unit_test(a_lock_holder_is_named),
        cmocka_unit_test(connection_states),
        cmocka_unit_test(never_connected),
        cmocka_unit_test(queue_age),
        cmocka_unit_test(failures),
        cmocka_unit_test(judge_agrees_with_the_rules),
        cmocka_unit_test(backup_age),
    };
    return RUN_TAP(tests);
}
