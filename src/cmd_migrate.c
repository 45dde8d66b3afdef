/* `streamtop migrate`: bring the database to this binary's schema. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "commands.h"
#include "db.h"
#include "schema.h"

static void print_report(const char *path, const struct migrate_report *r)
{
    if (r->adopted) {
        printf("%s: adopted an existing database at schema version %d\n", path, r->to_version);
        for (size_t i = 0; i < r->done.count; i++)
            printf("  %s\n", r->done.items[i]);
        for (size_t i = 0; i < r->notes.count; i++)
            printf("  kept as it is, without: %s (streamtop never rebuilds a table it did not "
                   "create)\n", r->notes.items[i]);
    } else if (r->applied == 0) {
        printf("%s: already at schema version %d\n", path, r->to_version);
    } else {
        printf("%s: migrated from schema version %d to %d (%d migration%s)\n", path,
               r->from_version, r->to_version, r->applied, r->applied == 1 ? "" : "s");
    }
}

int cmd_migrate(const struct options *o)
{
    struct db *db;
    struct err e;
    struct migrate_report report;
    struct strlist warnings = {0};
    if (db_open(o->db_path, DB_READ_WRITE, &db, &e) < 0) {
        fprintf(stderr, "streamtop: %s\n", e.msg);
        return EXIT_FAILURE;
    }
    int rc = schema_migrate(db, schema_latest_version(), &report, &e);
    if (rc == 0) {
        print_report(o->db_path, &report);
        rc = schema_warnings(db, &warnings, &e);
        for (size_t i = 0; rc == 0 && i < warnings.count; i++)
            fprintf(stderr, "streamtop: warning: %s\n", warnings.items[i]);
    }
    if (rc < 0)
        fprintf(stderr, "streamtop: %s\n", e.msg);
    migrate_report_free(&report);
    strlist_free(&warnings);
    db_close(db);
    return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
