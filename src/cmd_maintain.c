/* `streamtop maintain`: one retention and upkeep pass (maintain.h), and on
 * request an offline compaction of the file. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "db.h"
#include "humanfmt.h"
#include "maintain.h"
#include "schema.h"
#include "store_maintenance.h"
#include "store_metadata.h"
#include "timeutil.h"

#define HOUR_MS 3600000LL

void maintain_policy_from(const struct options *o, struct maintain_policy *p)
{
    maintain_policy_default(p);
    p->metrics_raw_ms = o->keep_metrics_raw_h * HOUR_MS;
    p->events_keep_ms = o->keep_events_d * 24 * HOUR_MS;
}

static void print_counts(const struct maintain_pass *p)
{
    const struct maintenance_counts *c = &p->counts;
    const char *verb = p->dry_run ? "would remove" : "removed";
    char a[HUMAN_LEN], b[HUMAN_LEN], d[HUMAN_LEN];
    printf("search_cache       %s %s expired or older than 24 h\n", verb,
           human_count(c->search_cache_removed, a));
    printf("system_metrics     %s %s past retention; %s %s raw samples into %s hourly rows\n", verb,
           human_count(c->metrics_removed, a), p->dry_run ? "would roll up" : "rolled up",
           human_count(c->metrics_rolled_up, b), human_count(c->metrics_hourly_rows, d));
    printf("stream_events_log  %s %s processed events and their %s finished queue rows\n", verb,
           human_count(c->events_removed, a), human_count(c->queue_removed, b));
    printf("api_access_log     %s %s requests older than 7 days\n", verb,
           human_count(c->access_log_removed, a));
    if (p->dry_run)
        printf("dry run: nothing changed\n");
}

static void print_size(struct db *db)
{
    int64_t bytes, free_bytes;
    struct err e;
    char a[HUMAN_LEN], b[HUMAN_LEN];
    if (store_maintenance_size(db, &bytes, &free_bytes, &e) == 0)
        printf("database           %s, of which %s free for reuse\n", human_bytes(bytes, a),
               human_bytes(free_bytes, b));
}

/* A pass beside a running ingester yields to it (maintain.h); alone, it
 * runs flat out.  Looked at again each second: the ingester may start or
 * stop during a long pass. */
static void choose_pace(struct db *db, struct maintain_pass *pass, int64_t *checked_at)
{
    int64_t now = time_mono_ms();
    if (*checked_at && now - *checked_at < 1000)
        return;
    *checked_at = now;
    struct ingester_identity me;
    ingester_identity_self(&me);
    bool held;
    struct err e;
    if (store_state_held(db, STREAM_TYPE, &me, time_now_ms(), &held, &e) < 0 || held == pass->paced)
        return;
    pass->paced = held;
    if (held)
        fprintf(stderr, "streamtop maintain: an ingester is running; the pass yields to it "
                        "(%d %% of the time at most)\n", MAINTAIN_PACED_PERCENT);
}

static void rest(const struct maintain_pass *pass)
{
    int64_t wait_us;
    if (!maintain_due(pass, time_mono_us(), &wait_us))
        nanosleep(&(struct timespec){wait_us / 1000000, wait_us % 1000000 * 1000}, NULL);
}

static int run_pass(struct db *db, const struct options *o, struct err *e)
{
    struct maintain_pass pass;
    struct maintain_policy policy;
    maintain_policy_from(o, &policy);
    maintain_begin(&pass, &policy, STREAM_TYPE, o->dry_run, time_now_ms());
    int rc;
    int64_t checked_at = 0;
    do {
        choose_pace(db, &pass, &checked_at);
        rest(&pass);
    } while ((rc = maintain_step(db, &pass, e)) > 0);
    if (rc == 0 && !o->dry_run)
        rc = maintain_finish(db, &pass, "maintain", time_now_ms(), e);
    if (rc < 0) {
        err_wrap(e, "%s", pass.dry_run ? "dry run" : "maintenance stopped; what was removed "
                   "before this stays removed, nothing else changed");
        return -1;
    }
    print_counts(&pass);
    return 0;
}

/* VACUUM rewrites the whole file: the stream's lease is taken before the
 * pass, so it refuses while an ingester runs before changing anything, and
 * no ingester can start under it. */
static int claim(struct db *db, struct ingester_identity *me, struct err *e)
{
    ingester_identity_self(me);
    if (store_state_acquire(db, STREAM_TYPE, me, time_now_ms(), e) < 0) {
        err_wrap(e, "--vacuum needs the database to itself; nothing was changed");
        return -1;
    }
    return 0;
}

/* Vacuums if the pass went well (rc 0), and gives the lease back either way. */
static int vacuum(struct db *db, const struct ingester_identity *me, int rc, struct err *e)
{
    if (rc == 0)
        rc = store_maintenance_vacuum(db, e);
    struct err release_err;
    if (store_state_release(db, STREAM_TYPE, me, time_now_ms(), &release_err) < 0 && rc == 0) {
        *e = release_err;
        rc = -1;
    }
    if (rc == 0)
        printf("vacuumed: the file holds no free pages now\n");
    return rc;
}

int cmd_maintain(const struct options *o)
{
    struct db *db;
    struct err e = {{0}};
    if (o->vacuum && o->dry_run) {
        fprintf(stderr, "streamtop: --vacuum and --dry-run cannot be combined (see streamtop --help)\n");
        return 2;
    }
    if (schema_open_current(o->db_path, DB_READ_WRITE, &db, &e) < 0) {
        fprintf(stderr, "streamtop: %s\n", e.msg);
        return EXIT_FAILURE;
    }
    struct ingester_identity me = {0};
    int rc = o->vacuum ? claim(db, &me, &e) : 0;
    if (rc == 0)
        rc = run_pass(db, o, &e);
    if (o->vacuum && me.pid)
        rc = vacuum(db, &me, rc, &e);
    if (rc == 0)
        print_size(db);
    else
        fprintf(stderr, "streamtop: %s\n", e.msg);
    db_close(db);
    return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
