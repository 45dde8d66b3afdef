/* `streamtop resolve`: mark failed events that can never succeed as
 * resolved by an operator, by id or all, so monitoring sees no failure
 * left to act on.  The rows and their raw lines stay. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "log.h"
#include "retry.h"
#include "textsafe.h"

static void report(const struct options *o, const struct retry_result *r)
{
    char safe[512];
    for (size_t i = 0; i < r->not_failed.count; i++) {
        textsafe_str(safe, sizeof safe, r->not_failed.items[i], TEXTSAFE_ASCII);
        fprintf(stderr, "streamtop: %s is not an unresolved failure; skipped\n", safe);
    }
    if (o->dry_run)
        printf("would resolve %zu failed event%s (dry run: nothing changed)\n", r->retried,
               r->retried == 1 ? "" : "s");
    else if (r->retried == 0)
        printf("nothing resolved: no event asked for is an unresolved failure\n");
    else
        printf("resolved %zu failed event%s\n", r->retried, r->retried == 1 ? "" : "s");
}

/* The audit line, as the dashboard's retries leave one. */
static void log_resolved(const struct options *o, const struct retry_result *r)
{
    char resolved[32], skipped[32], asked[32];
    snprintf(resolved, sizeof resolved, "%zu", r->retried);
    snprintf(skipped, sizeof skipped, "%zu", r->skipped);
    snprintf(asked, sizeof asked, "%zu", o->event_count);
    log_kv(LOG_INFO, "resolve", "source", "cli", "what", o->all_failed ? "all-failed" : "events",
           "filter", o->error_like ? o->error_like : "", "asked", asked, "resolved", resolved,
           "skipped", skipped, NULL);
}

int cmd_resolve(const struct options *o)
{
    struct retry_result res;
    if (selection_run(o, true, &res) < 0)
        return EXIT_FAILURE;
    report(o, &res);
    if (!o->dry_run)
        log_resolved(o, &res);
    retry_result_free(&res);
    return EXIT_SUCCESS;
}
