/* `streamtop retry`: put failed events back to pending, by id or all. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "db.h"
#include "retry.h"
#include "schema.h"
#include "store_queue.h"
#include "textsafe.h"

static void report(const struct options *o, const struct retry_result *r)
{
    char safe[512];
    for (size_t i = 0; i < r->not_failed.count; i++) {
        textsafe_str(safe, sizeof safe, r->not_failed.items[i], TEXTSAFE_ASCII);
        fprintf(stderr, "streamtop: %s is not failed; skipped\n", safe);
    }
    if (o->dry_run)
        printf("would retry %zu failed event%s (dry run: nothing changed)\n", r->retried,
               r->retried == 1 ? "" : "s");
    else if (r->retried == 0)
        printf("nothing retried: no event asked for is failed\n");
    else
        printf("retried %zu failed event%s: pending at priority %d for the ingester\n", r->retried,
               r->retried == 1 ? "" : "s", QUEUE_RETRY_PRIORITY);
}

int selection_run(const struct options *o, bool resolve, struct retry_result *res)
{
    struct db *db;
    struct err e = {{0}};
    struct retry_request req = {
        .event_ids = (const char *const *)o->event_ids, .event_count = o->event_count,
        .all_failed = o->all_failed, .error_like = o->error_like, .dry_run = o->dry_run,
        .resolve = resolve,
    };
    if (schema_open_current(o->db_path, DB_READ_WRITE, &db, &e) < 0) {
        fprintf(stderr, "streamtop: %s\n", e.msg);
        return -1;
    }
    int rc = retry_run(db, &req, res, &e);
    db_close(db);
    if (rc < 0) {
        fprintf(stderr, "streamtop: %s\n", e.msg);
        return -1;
    }
    if (res->unknown.count == 0)
        return 0;
    char safe[512];
    for (size_t i = 0; i < res->unknown.count; i++) {
        textsafe_str(safe, sizeof safe, res->unknown.items[i], TEXTSAFE_ASCII);
        fprintf(stderr, "streamtop: unknown event id '%s'; nothing was %s\n", safe,
                resolve ? "resolved" : "retried");
    }
    retry_result_free(res);
    return -1;
}

int cmd_retry(const struct options *o)
{
    struct retry_result res;
    if (selection_run(o, false, &res) < 0)
        return EXIT_FAILURE;
    report(o, &res);
    retry_result_free(&res);
    return EXIT_SUCCESS;
}
