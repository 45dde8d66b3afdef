/* details: the failure dialog's text is complete, sanitised and wrapped,
 * whatever the event holds. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"

#include "details.h"
#include "schema.h"
#include "testdb.h"

struct fixture {
    char *dir, *path;
    struct snapshot_reader *reader;
    struct event_view view;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dir = testdb_mkdtemp();
    f->path = testdb_path(f->dir, "details.db");
    testdb_migrate(f->path, schema_latest_version());
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    snapshot_event_free(&f->view);
    snapshot_reader_close(f->reader);
    testdb_rmdir(f->dir);
    free(f->path);
    free(f);
    return 0;
}

static void open_db(struct fixture *f)
{
    struct err e;
    if (snapshot_reader_open(f->path, &f->reader, &e) < 0)
        fail_msg("open: %s", e.msg);
}

/* What the dashboard does for Enter: read the event, then build its text. */
static int load(struct fixture *f, int64_t id, const char *company, int64_t now,
                struct details *d, struct err *e)
{
    snapshot_event_free(&f->view);
    if (snapshot_read_event(f->reader, id, &f->view, e) < 0)
        return -1;
    return details_build(&f->view, company, TEXTSAFE_UTF8, now, d, e);
}

/* Inserts a failed event whose data is the given SQL expression. */
static void insert_failure(struct fixture *f, const char *data_sql, const char *error_sql)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO stream_events_log (id, event_id, event_type, company_number, event_data, "
             "processing_status, error_message, received_at) VALUES (7, 'company-profile:42', "
             "'changed', '01234567', %s, 'failed', %s, '2026-11-25T10:00:00Z');"
             "INSERT INTO processing_queue (event_log_id, status, attempts, created_at, updated_at) "
             "VALUES (7, 'failed', 3, '2026-11-25T10:00:01Z', '2026-11-25T10:00:01Z')",
             data_sql, error_sql);
    testdb_exec(f->path, sql);
}

static bool has_line(const struct details *d, const char *text)
{
    for (size_t i = 0; i < d->nlines; i++)
        if (strcmp(d->lines[i], text) == 0)
            return true;
    return false;
}

static bool has_line_containing(const struct details *d, const char *text)
{
    for (size_t i = 0; i < d->nlines; i++)
        if (strstr(d->lines[i], text))
            return true;
    return false;
}

static void shows_the_record_and_pretty_json(void **state)
{
    struct fixture *f = *state;
    struct details d;
    struct err e;
    insert_failure(f, "'{\"data\":{\"company_name\":\"ACME LTD\"},\"event\":{\"timepoint\":42}}'",
                   "'company_number missing'");
    open_db(f);
    assert_int_equal(load(f, 7, "ACME LTD", 0, &d, &e), 0);
    assert_string_equal(d.title, "company-profile:42");
    assert_true(has_line_containing(&d, "company-profile:42 (changed)"));
    assert_true(has_line_containing(&d, "01234567 ACME LTD"));
    assert_true(has_line_containing(&d, "failed, 3 attempts, priority 5"));
    assert_true(has_line(&d, "company_number missing"));
    assert_true(has_line_containing(&d, "Event JSON (61 B)"));
    assert_true(has_line(&d, "{"));
    assert_true(has_line(&d, "  \"data\": {"));               /* two spaces a level, one after ':' */
    assert_true(has_line(&d, "    \"company_name\": \"ACME LTD\""));
    details_free(&d);
}

static void hostile_bytes_become_placeholders(void **state)
{
    struct fixture *f = *state;
    struct details d;
    struct err e;
    insert_failure(f, "'not json ' || char(27) || ']0;PWNED' || char(7)",
                   "'bad ' || char(27) || '[31mRED' || char(10) || 'second line'");
    open_db(f);
    assert_int_equal(load(f, 7, NULL, 0, &d, &e), 0);
    assert_true(has_line_containing(&d, "not valid JSON"));
    assert_true(has_line(&d, "not json ^[]0;PWNED^G"));
    assert_true(has_line(&d, "bad ^[[31mRED"));                /* the error's lines, each shown */
    assert_true(has_line(&d, "second line"));
    for (size_t i = 0; i < d.nlines; i++)
        for (const char *p = d.lines[i]; *p; p++)
            assert_true((unsigned char)*p >= 0x20 && *p != 0x7F);
    details_free(&d);
}

static void wraps_to_the_width_at_character_boundaries(void **state)
{
    struct fixture *f = *state;
    struct details d;
    struct err e;
    /* 3,000 two-byte characters on one line of raw data. */
    insert_failure(f, "replace(hex(zeroblob(3000)), '00', 'é')", "'x'");
    open_db(f);
    assert_int_equal(load(f, 7, NULL, 0, &d, &e), 0);
    assert_int_equal(details_wrap(&d, 70), 0);
    size_t rows_of_raw = 0;
    for (size_t i = 0; i < d.nrows; i++) {
        const struct details_row *r = &d.rows[i];
        int used;
        assert_true(textsafe_fit(d.lines[r->line] + r->off, r->len, 70, &used) == r->len);
        assert_true(used <= 70);
        if (strncmp(d.lines[r->line], "\xC3\xA9", 2) == 0) {
            rows_of_raw++;
            assert_true((d.lines[r->line][r->off] & 0xC0) != 0x80);   /* never mid-character */
        }
    }
    assert_int_equal(rows_of_raw, (3000 + 69) / 70);
    size_t before = d.nrows;
    assert_int_equal(details_wrap(&d, 35), 0);                   /* a resize re-wraps */
    assert_true(d.nrows > before);
    details_free(&d);
}

static void a_multi_megabyte_event_loads(void **state)
{
    struct fixture *f = *state;
    struct details d;
    struct err e;
    /* About 1 MiB of JSON: an array of 200,000 small strings, which
     * cJSON prints on one line of 1.2 MB. */
    insert_failure(f, "'[' || substr(replace(hex(zeroblob(200000)), '00', ',\"ab\"'), 2) || ']'",
                   "'too big'");
    open_db(f);
    assert_int_equal(load(f, 7, NULL, 0, &d, &e), 0);
    assert_int_equal(details_wrap(&d, 80), 0);
    assert_true(d.nrows > 200000 * 6 / 80);
    details_free(&d);
}

static void ages_tick_and_a_failed_event_was_never_processed(void **state)
{
    struct fixture *f = *state;
    struct details d;
    struct err e;
    insert_failure(f, "'{\"data\":{\"company_name\":\"FROM THE EVENT LTD\"}}'", "'boom'");
    testdb_exec(f->path, "UPDATE stream_events_log SET processed_at = '2026-11-25T10:00:02Z'");
    open_db(f);
    int64_t received = 1795600800000LL;   /* 2026-11-25T10:00:00Z */
    assert_int_equal(load(f, 7, NULL, received + 41000, &d, &e), 0);
    assert_true(has_line_containing(&d, "01234567 FROM THE EVENT LTD"));   /* not listed: the event's */
    assert_false(has_line_containing(&d, "Processed"));
    assert_true(has_line_containing(&d, "Failed"));
    assert_true(has_line_containing(&d, "(41s ago)"));
    size_t lines = d.nlines;
    assert_int_equal(details_wrap(&d, 70), 0);
    assert_int_equal(details_tick(&d, &f->view, received + 102000), 0);
    assert_true(has_line_containing(&d, "(1m ago)"));
    assert_false(has_line_containing(&d, "(41s ago)"));
    assert_int_equal(d.nlines, lines);
    assert_int_equal(details_wrap(&d, 70), 0);
    details_free(&d);
}

static void wraps_between_words(void **state)
{
    struct fixture *f = *state;
    struct details d;
    struct err e;
    insert_failure(f, "'{}'", "'the quick brown fox jumps over the lazy dog and keeps running far away'");
    open_db(f);
    assert_int_equal(load(f, 7, NULL, 0, &d, &e), 0);
    assert_int_equal(details_wrap(&d, 30), 0);
    for (size_t i = 0; i < d.nrows; i++) {
        const struct details_row *r = &d.rows[i];
        const char *line = d.lines[r->line];
        if (strncmp(line, "the quick", 9) != 0 || r->off + r->len >= strlen(line))
            continue;
        assert_true(line[r->off + r->len - 1] == ' ');   /* every cut row ends between words */
    }
    details_free(&d);
}

static void a_vanished_event_is_an_error(void **state)
{
    struct fixture *f = *state;
    struct details d;
    struct err e;
    open_db(f);
    assert_int_equal(load(f, 99, NULL, 0, &d, &e), -1);
    assert_non_null(strstr(e.msg, "no longer"));
}

/* One refresh of the open dialog, as the dashboard's: 1 if it rebuilt. */
static int follow(struct fixture *f, struct details *d, int64_t now)
{
    struct event_view fresh;
    struct err e;
    bool rebuilt, reopened;
    /* The dashboard's snapshot before it: the view follows the file. */
    assert_int_equal(db_refresh_view(snapshot_reader_db(f->reader), &reopened, &e), 0);
    assert_int_equal(snapshot_read_event(f->reader, 7, &fresh, &e), 0);
    assert_int_equal(details_follow(d, &f->view, &fresh, now, &rebuilt, &e), 0);
    snapshot_event_free(&fresh);
    return rebuilt;
}

/* The open dialog follows its event on every refresh that changed the
 * database: the text is built again only when the event's row or its
 * queue row changed, never for a refresh that changed something else. */
static void rebuilt_only_when_the_event_changes(void **state)
{
    struct fixture *f = *state;
    struct err e;
    struct details d;
    int rebuilds = 0;
    insert_failure(f, "'{\"data\":{}}'", "'boom'");
    open_db(f);
    int64_t now = 1764064800000;
    assert_int_equal(load(f, 7, NULL, now, &d, &e), 0);
    d.log_id = 7;
    for (int i = 0; i < 20; i++) {
        testdb_exec(f->path, "INSERT INTO stream_events_log (event_id, event_type, event_data, "
                             "processing_status, received_at) VALUES ('other:' || random(), "
                             "'changed', '{}', 'processed', '2026-11-25T10:00:00Z')");
        rebuilds += follow(f, &d, now);
    }
    assert_int_equal(rebuilds, 0);                     /* other events: the text stands */
    assert_true(has_line(&d, "Queue      failed, 3 attempts, priority 5"));
    testdb_exec(f->path, "UPDATE processing_queue SET attempts = 4 WHERE event_log_id = 7");
    rebuilds += follow(f, &d, now);
    rebuilds += follow(f, &d, now);
    assert_int_equal(rebuilds, 1);                     /* another attempt: once */
    assert_true(has_line(&d, "Queue      failed, 4 attempts, priority 5"));
    testdb_exec(f->path, "UPDATE stream_events_log SET error_message = 'bang' WHERE id = 7");
    rebuilds += follow(f, &d, now);
    assert_int_equal(rebuilds, 2);
    assert_true(has_line(&d, "bang"));
    testdb_exec(f->path, "UPDATE stream_events_log SET processed_at = '2026-11-25T10:05:00Z' "
                         "WHERE id = 7");
    rebuilds += follow(f, &d, now);
    testdb_exec(f->path, "UPDATE stream_events_log SET processing_status = 'pending' "
                         "WHERE id = 7");
    rebuilds += follow(f, &d, now);
    rebuilds += follow(f, &d, now);
    assert_int_equal(rebuilds, 4);
    assert_true(has_line(&d, "Status     pending"));
    assert_int_equal(d.log_id, 7);
    details_free(&d);
}

int main(void)
{
    setlocale(LC_CTYPE, "C.UTF-8");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(shows_the_record_and_pretty_json, setup, teardown),
        cmocka_unit_test_setup_teardown(hostile_bytes_become_placeholders, setup, teardown),
        cmocka_unit_test_setup_teardown(wraps_to_the_width_at_character_boundaries, setup, teardown),
        cmocka_unit_test_setup_teardown(a_multi_megabyte_event_loads, setup, teardown),
        cmocka_unit_test_setup_teardown(ages_tick_and_a_failed_event_was_never_processed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(wraps_between_words, setup, teardown),
        cmocka_unit_test_setup_teardown(a_vanished_event_is_an_error, setup, teardown),
        cmocka_unit_test_setup_teardown(rebuilt_only_when_the_event_changes, setup, teardown),
    };
    return RUN_TAP(tests);
}
