/* `streamtop backup` and `streamtop restore`: verified copies of the
 * database, checking one, and putting one back (backup.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "backup.h"
#include "restore.h"
#include "commands.h"
#include "humanfmt.h"
#include "notifier.h"
#include "schema.h"
#include "timeutil.h"

static void print_problems(const char *file, const struct strlist *problems)
{
    for (size_t i = 0; i < problems->count; i++)
        fprintf(stderr, "streamtop: %s: %s\n", file, problems->items[i]);
}

static int verify(const char *file)
{
    struct strlist problems = {0};
    struct err e;
    int rc = backup_verify(file, &problems, &e);
    if (rc < 0)
        fprintf(stderr, "streamtop: %s\n", e.msg);
    print_problems(file, &problems);
    if (rc == 0 && problems.count == 0)
        printf("%s: good: it matches its manifest and passes its integrity check\n", file);
    rc = rc == 0 && problems.count == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
    strlist_free(&problems);
    return rc;
}

static void print_backup(const char *file, const struct backup_facts *f)
{
    char size[HUMAN_LEN];
    int64_t rows = 0;
    for (int i = 0; i < f->ntables; i++)
        rows += f->tables[i].rows;
    printf("%s: %s, schema %d, %lld rows in %d tables, ", file, human_bytes(f->bytes, size),
           f->schema_version, (long long)rows, f->ntables);
    if (f->has_resume && f->resume_point >= 0)
        printf("resume point %lld, ", (long long)f->resume_point);
    printf("integrity ok, sha256 %s\n", f->sha256);
}

/* A failed backup is worth waking someone for: a backup_failed message
 * goes in the database's own webhook outbox, for the ingester to send.
 * When that database cannot take it either, stderr is all there is. */
static void report_failure(const struct options *o, const char *stage, const char *why)
{
    struct db *db;
    struct err e;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "stage", stage);
    cJSON_AddStringToObject(d, "reason", why);
    cJSON_AddStringToObject(d, "dir", o->backup_dir);
    if (schema_open_current(o->db_path, DB_READ_WRITE, &db, &e) < 0) {
        cJSON_Delete(d);
    } else {
        int rc = webhook_queue(db, WH_BACKUP_FAILED, d, &e);
        db_close(db);
        if (rc == 0)
            return;
    }
    fprintf(stderr, "streamtop: no backup_failed webhook could be queued: %s\n", e.msg);
}

int cmd_backup(const struct options *o)
{
    if (o->verify_file)
        return verify(o->verify_file);
    struct backup_facts facts;
    struct backup_rotation rot = {(int)o->backup_keep_daily, (int)o->backup_keep_weekly};
    struct strlist removed = {0};
    struct err e;
    char *file;
    if (backup_make(o->db_path, o->backup_dir, time_now_ms(), &file, &facts, &e) < 0) {
        fprintf(stderr, "streamtop: %s\n", e.msg);
        report_failure(o, "backup", e.msg);
        return EXIT_FAILURE;
    }
    print_backup(file, &facts);
    free(file);
    int rc = backup_rotate(o->backup_dir, o->db_path, &rot, &removed, &e);
    for (size_t i = 0; i < removed.count; i++)
        printf("rotated out: %s\n", removed.items[i]);
    if (rc < 0) {
        fprintf(stderr, "streamtop: the backup is made, but rotation failed: %s\n", e.msg);
        report_failure(o, "rotation", e.msg);
    }
    strlist_free(&removed);
    return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

int cmd_restore(const struct options *o)
{
    struct strlist problems = {0};
    struct err e;
    int rc = restore_from_backup(o->from_file, o->db_path, o->force, &problems, &e);
    print_problems(o->from_file, &problems);
    if (rc < 0)
        fprintf(stderr, "streamtop: %s\n", e.msg);
    else
        printf("%s: restored from %s\n", o->db_path, o->from_file);
    strlist_free(&problems);
    return rc == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
