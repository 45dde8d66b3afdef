#include "config.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backup.h"
#include "safefile.h"
#include "db.h"
#include "humanfmt.h"
#include "readings.h"
#include "schema.h"
#include "store_backup.h"
#include "store_metadata.h"
#include "timeutil.h"

#define STREAM "company-profile"
#define NAME_PREFIX "streamtop-"
#define DAY_MS 86400000LL

/* ---- files ---- */

/* path resolved (links, "..", relative): the same database however it was
 * named.  A path that no longer resolves stands for itself. */
static char *canonical(const char *path)
{
    char *real = realpath(path, NULL);
    return real ? real : strdup(path);
}

static int sha256_file(const char *path, char out[65], int64_t *bytes, struct err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, "%s: %s", path, strerror(errno)), -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char buf[1 << 16], md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    size_t n;
    int ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    *bytes = 0;
    while (ok && (n = fread(buf, 1, sizeof buf, f)) > 0) {
        ok = EVP_DigestUpdate(ctx, buf, n);
        *bytes += (int64_t)n;
    }
    ok = ok && !ferror(f) && EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    fclose(f);
    if (!ok)
        return err_set(e, "%s: cannot compute its SHA-256", path), -1;
    for (unsigned i = 0; i < mdlen && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return 0;
}

/* ---- facts ---- */

static int add_table(void *ctx, const char *table, int64_t rows)
{
    struct backup_facts *f = ctx;
    if (f->ntables == BACKUP_MAX_TABLES)
        return 0;
    snprintf(f->tables[f->ntables].name, sizeof f->tables[0].name, "%s", table);
    f->tables[f->ntables++].rows = rows;
    return 0;
}

/* What a copy holds, read through a read-only connection. */
static int read_facts(const char *path, struct backup_facts *f, struct err *e)
{
    struct db *db;
    struct schema_state st;
    memset(f, 0, sizeof *f);
    if (db_open(path, DB_READ_ONLY, &db, e) < 0)
        return -1;
    int rc = store_backup_integrity(db, f->integrity, sizeof f->integrity, e);
    if (rc == 0 && strcmp(f->integrity, "ok") == 0) {
        rc = schema_state(db, &st, e);
        f->schema_version = st.version;
        if (rc == 0)
            rc = store_backup_table_counts(db, add_table, f, e);
        f->has_resume = rc == 0 && db_has_table(db, "stream_state");
        if (f->has_resume)
            rc = store_state_resume_point(db, STREAM, &f->resume_point, e);
    }
    db_close(db);
    if (rc == 0)
        rc = sha256_file(path, f->sha256, &f->bytes, e);
    return rc;
}

/* ---- the manifest ---- */

static char *manifest_path(const char *file)
{
    size_t n = strlen(file) + sizeof BACKUP_MANIFEST_SUFFIX;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s%s", file, BACKUP_MANIFEST_SUFFIX);
    return p;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static cJSON *manifest_json(const char *file, const char *source, int64_t now,
                            const struct backup_facts *f)
{
    char at[ISO_TIME_LEN];
    cJSON *m = cJSON_CreateObject();
    cJSON_AddNumberToObject(m, "format", 1);
    cJSON_AddStringToObject(m, "file", base_name(file));
    cJSON_AddStringToObject(m, "created_at", time_format_iso(now, at));
    cJSON_AddStringToObject(m, "source", source);
    cJSON_AddNumberToObject(m, "bytes", (double)f->bytes);
    cJSON_AddStringToObject(m, "sha256", f->sha256);
    cJSON_AddStringToObject(m, "integrity_check", f->integrity);
    cJSON_AddNumberToObject(m, "schema_version", f->schema_version);
    if (f->has_resume)
        cJSON_AddNumberToObject(m, "resume_point", (double)f->resume_point);
    else
        cJSON_AddNullToObject(m, "resume_point");
    cJSON *tables = cJSON_AddObjectToObject(m, "tables");
    for (int i = 0; i < f->ntables; i++)
        cJSON_AddNumberToObject(tables, f->tables[i].name, (double)f->tables[i].rows);
    return m;
}

static int write_manifest(const char *file, const char *source, int64_t now,
                          const struct backup_facts *f, struct err *e)
{
    char *path = manifest_path(file), *tmp = path ? malloc(strlen(path) + 5) : NULL;
    cJSON *m = manifest_json(file, source, now, f);
    char *text = m ? cJSON_Print(m) : NULL;
    int rc = path && tmp && text ? 0 : (err_set(e, "out of memory"), -1);
    if (rc == 0) {
        sprintf(tmp, "%s.tmp", path);
        int fd = file_create_private(tmp, 0600, e);
        FILE *out = fd >= 0 ? fdopen(fd, "w") : NULL;
        if (fd >= 0 && !out)
            close(fd);
        if (!out || fprintf(out, "%s\n", text) < 0 || fclose(out) != 0)
            rc = fd < 0 ? -1 : (err_set(e, "%s: %s", tmp, strerror(errno)), -1);
        if (rc == 0)
            rc = file_commit(tmp, path, e);
        if (rc < 0)
            unlink(tmp);
    }
    cJSON_free(text);
    cJSON_Delete(m);
    free(tmp);
    free(path);
    return rc;
}

static cJSON *read_manifest(const char *file, struct strlist *problems)
{
    char *path = manifest_path(file);
    FILE *f = path ? fopen(path, "r") : NULL;
    cJSON *m = NULL;
    if (!f) {
        strlist_addf(problems, "no manifest: %s%s is missing", file, BACKUP_MANIFEST_SUFFIX);
    } else {
        char buf[1 << 16];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
        m = cJSON_Parse(buf);
        if (!m)
            strlist_addf(problems, "the manifest %s is not valid JSON", path);
    }
    free(path);
    return m;
}

static void compare_text(struct strlist *p, const cJSON *m, const char *key, const char *got)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
    if (!cJSON_IsString(v) || strcmp(v->valuestring, got) != 0)
        strlist_addf(p, "%s: the manifest says %s, the file has %s", key,
                     cJSON_IsString(v) ? v->valuestring : "nothing", got);
}

static void compare_number(struct strlist *p, const cJSON *m, const char *key, bool have,
                           int64_t got)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);
    bool same = have ? cJSON_IsNumber(v) && (int64_t)v->valuedouble == got : cJSON_IsNull(v);
    if (!same) {
        char want[32] = "nothing", has[32] = "nothing";
        if (cJSON_IsNumber(v))
            snprintf(want, sizeof want, "%lld", (long long)v->valuedouble);
        if (have)
            snprintf(has, sizeof has, "%lld", (long long)got);
        strlist_addf(p, "%s: the manifest says %s, the file has %s", key, want, has);
    }
}

static void compare_tables(struct strlist *p, const cJSON *m, const struct backup_facts *f)
{
    const cJSON *tables = cJSON_GetObjectItemCaseSensitive(m, "tables"), *t;
    int listed = 0;
    cJSON_ArrayForEach(t, tables) {
        listed++;
        int i = 0;
        while (i < f->ntables && strcmp(f->tables[i].name, t->string) != 0)
            i++;
        if (i == f->ntables)
            strlist_addf(p, "table %s: in the manifest, not in the file", t->string);
        else if ((int64_t)t->valuedouble != f->tables[i].rows)
            strlist_addf(p, "table %s: the manifest says %lld rows, the file has %lld", t->string,
                         (long long)t->valuedouble, (long long)f->tables[i].rows);
    }
    if (listed != f->ntables)
        strlist_addf(p, "tables: the manifest lists %d, the file has %d", listed, f->ntables);
}

int backup_verify(const char *file, struct strlist *problems, struct err *e)
{
    struct backup_facts f;
    struct stat st;
    if (stat(file, &st) < 0 || !S_ISREG(st.st_mode))
        return strlist_addf(problems, "no such backup file") < 0 ? (err_set(e, "out of memory"), -1) : 0;
    cJSON *m = read_manifest(file, problems);
    if (!m)
        return 0;
    /* The checksum first: a file that differs from what was verified is
     * not opened by SQLite at all. */
    int rc = sha256_file(file, f.sha256, &f.bytes, e);
    if (rc == 0) {
        compare_number(problems, m, "bytes", true, f.bytes);
        compare_text(problems, m, "sha256", f.sha256);
    }
    if (rc == 0 && problems->count == 0) {
        rc = read_facts(file, &f, e);
        if (rc < 0) {
            strlist_addf(problems, "it cannot be read as a database: %s", e->msg);
            rc = 0;
        } else {
            compare_text(problems, m, "integrity_check", f.integrity);
            compare_number(problems, m, "schema_version", true, f.schema_version);
            compare_number(problems, m, "resume_point", f.has_resume, f.resume_point);
            compare_tables(problems, m, &f);
        }
    }
    cJSON_Delete(m);
    return rc;
}

/* ---- making one ---- */

static int check_dir(const char *dir, struct err *e)
{
    struct stat st;
    if (stat(dir, &st) < 0)
        return err_set(e, "backup directory %s: %s", dir, strerror(errno)), -1;
    if (!S_ISDIR(st.st_mode))
        return err_set(e, "backup directory %s is not a directory", dir), -1;
    if (access(dir, W_OK | X_OK) < 0)
        return err_set(e, "backup directory %s is not writable: %s", dir, strerror(errno)), -1;
    return 0;
}

static void backup_name(const char *dir, int64_t now, char *out, size_t size)
{
    time_t s = (time_t)(now / 1000);
    struct tm tm;
    char stamp[32];
    gmtime_r(&s, &tm);
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
    snprintf(out, size, "%s/" NAME_PREFIX "%s.%03dZ.db", dir, stamp, (int)(now % 1000));
}

/* The copy as a backup: no ingester owns it, and it is one file. */
static int settle_copy(const char *tmp, int64_t now, struct err *e)
{
    struct db *db;
    if (db_open(tmp, DB_READ_WRITE, &db, e) < 0)
        return -1;
    int rc = 0;
    if (db_has_table(db, "stream_state"))
        rc = store_state_disown(db, STREAM, now, e);
    if (rc == 0)
        rc = store_backup_detach_wal(db, e);
    db_close(db);
    return rc;
}

static int copy_database(const char *db_path, const char *tmp, int64_t now, struct err *e)
{
    struct db *src;
    struct schema_state st;
    if (access(db_path, F_OK) < 0)
        return err_set(e, "%s: no such database", db_path), -1;
    if (db_open(db_path, DB_READ_ONLY, &src, e) < 0)
        return -1;
    int rc = schema_state(src, &st, e);
    /* SQLite would create the copy 0644; one it finds keeps its mode, and
     * gives it to the -journal beside it. */
    int fd = rc == 0 ? file_create_private(tmp, 0600, e) : -1;
    if (fd < 0)
        rc = -1;
    else
        close(fd);
    if (rc == 0)
        rc = store_backup_copy(src, tmp, e);
    db_close(src);
    if (rc == 0)
        rc = settle_copy(tmp, now, e);
    return rc;
}

/* Whether name is a backup's temporary file (or SQLite's -journal, -wal
 * or -shm beside one) whose writer is gone.  The writer's pid is in the
 * name: .streamtop-STAMP.db.PID.tmp; a name without one is from a version
 * that did not record it, and nothing writes it any more. */
static bool stale_temp(const char *name, size_t *tail_len)
{
    static const char *const tails[] = {"", "-journal", "-wal", "-shm"};
    const char *db = strstr(name, ".db.");
    if (strncmp(name, "." NAME_PREFIX, sizeof NAME_PREFIX) != 0 || !db)
        return false;
    char *end;
    long pid = strtol(db + 4, &end, 10);
    if (end == db + 4)
        pid = 0;
    else if (*end++ != '.')
        return false;
    if (strncmp(end, "tmp", 3) != 0)
        return false;
    size_t i = 0;
    while (i < sizeof tails / sizeof tails[0] && strcmp(end + 3, tails[i]) != 0)
        i++;
    if (i == sizeof tails / sizeof tails[0])
        return false;
    *tail_len = strlen(tails[i]);
    return pid <= 0 || (kill((pid_t)pid, 0) < 0 && errno == ESRCH);
}

/* Counts the interrupted backups in dir (their copies: SQLite's files
 * beside one are not counted again), removing all their files if told. */
static int stale_temps(const char *dir, bool remove, int *count, struct err *e)
{
    DIR *d = opendir(dir);
    struct dirent *ent;
    *count = 0;
    if (!d)
        return err_set(e, "backup directory %s: %s", dir, strerror(errno)), -1;
    while ((ent = readdir(d))) {
        char path[4200];
        size_t tail;
        if (!stale_temp(ent->d_name, &tail))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
        if ((!remove || unlink(path) == 0) && tail == 0)
            (*count)++;
    }
    closedir(d);
    return 0;
}

int backup_leftovers(const char *dir, int *count, struct err *e)
{
    return stale_temps(dir, false, count, e);
}

/* A failed copy leaves nothing behind, SQLite's files beside it included. */
static void remove_copy(const char *tmp)
{
    static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
    char path[4300];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(path, sizeof path, "%s%s", tmp, suffixes[i]);
        unlink(path);
    }
}

int backup_make(const char *db_path, const char *dir, int64_t now, char **file,
                struct backup_facts *facts, struct err *e)
{
    char final[4096], tmp[4200];
    *file = NULL;
    if (check_dir(dir, e) < 0)
        return -1;
    /* A backup killed mid-copy (kill -9, a crash) left its temporary
     * files, as big as the database: the next one clears them. */
    int cleared = 0;
    if (stale_temps(dir, true, &cleared, e) < 0)
        return -1;
    backup_name(dir, now, final, sizeof final);
    snprintf(tmp, sizeof tmp, "%s/.%s.%ld.tmp", dir, base_name(final), (long)getpid());
    int rc = copy_database(db_path, tmp, now, e);
    if (rc == 0)
        rc = read_facts(tmp, facts, e);
    if (rc == 0 && strcmp(facts->integrity, "ok") != 0)
        rc = (err_set(e, "the copy fails its integrity check: %s", facts->integrity), -1);
    if (rc == 0)
        rc = file_commit(tmp, final, e);
    if (rc < 0) {
        remove_copy(tmp);
        err_wrap(e, "no backup was made (the database is unchanged)");
        return -1;
    }
    char *source = canonical(db_path);
    rc = source ? write_manifest(final, source, now, facts, e) : (err_set(e, "out of memory"), -1);
    free(source);
    if (rc < 0) {
        unlink(final);
        err_wrap(e, "no backup was made (the database is unchanged)");
        return -1;
    }
    *file = strdup(final);
    return *file ? 0 : (err_set(e, "out of memory"), -1);
}

/* ---- rotation ---- */

static int64_t iso_week(int64_t ms)
{
    /* Days since Monday 1970-01-05, in weeks; a week runs Monday to Sunday. */
    return (ms / DAY_MS - 4 + 7) / 7;
}

void backup_rotation_keep(const int64_t *times, size_t n, const struct backup_rotation *r,
                          bool *keep)
{
    int days = 0, weeks = 0;
    int64_t last_day = -1, last_week = -1;
    for (size_t i = 0; i < n; i++) {
        int64_t day = times[i] / DAY_MS, week = iso_week(times[i]);
        keep[i] = false;
        if (day != last_day && days < r->daily) {
            keep[i] = true;
            days++;
        }
        if (day != last_day)
            last_day = day;
        if (week != last_week && weeks < r->weekly) {
            keep[i] = true;
            weeks++;
        }
        if (week != last_week)
            last_week = week;
    }
}

/* A backup's time from its name; false for any other file. */
static bool parse_name(const char *name, int64_t *ms)
{
    struct tm tm = {0};
    int msec, used = 0;
    if (sscanf(name, NAME_PREFIX "%4d%2d%2dT%2d%2d%2d.%3dZ.db%n", &tm.tm_year, &tm.tm_mon,
               &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &msec, &used) != 7 ||
        name[used] != '\0')
        return false;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *ms = (int64_t)timegm(&tm) * 1000 + msec;
    return true;
}

struct listing {
    char **names;
    int64_t *times;
    size_t n;
};

static int cmp_newest_first(const void *a, const void *b)
{
    return -strcmp(*(char *const *)a, *(char *const *)b);
}

static void listing_free(struct listing *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->names[i]);
    free(l->names);
    free(l->times);
}

/* Whether the manifest at path names the database canon as its source. */
static bool made_from(const char *path, const char *canon)
{
    struct strlist ignored = {0};
    char *file = strndup(path, strlen(path) - strlen(BACKUP_MANIFEST_SUFFIX));
    cJSON *m = file ? read_manifest(file, &ignored) : NULL;
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(m, "source");
    char *source = cJSON_IsString(src) ? canonical(src->valuestring) : NULL;
    bool same = source && strcmp(source, canon) == 0;
    free(source);
    cJSON_Delete(m);
    free(file);
    strlist_free(&ignored);
    return same;
}

/* The backups of db_path in dir (their manifests name it as the source:
 * one directory may hold several databases' backups), newest first. */
static int list_backups(const char *dir, const char *db_path, struct listing *l, struct err *e)
{
    DIR *d = opendir(dir);
    struct dirent *ent;
    memset(l, 0, sizeof *l);
    if (!d)
        return err_set(e, "backup directory %s: %s", dir, strerror(errno)), -1;
    char *canon = canonical(db_path);
    if (!canon) {
        closedir(d);
        return err_set(e, "out of memory"), -1;
    }
    size_t cap = 0;
    int rc = 0;
    while (rc == 0 && (ent = readdir(d))) {
        int64_t ms;
        char path[4200];
        snprintf(path, sizeof path, "%s/%s" BACKUP_MANIFEST_SUFFIX, dir, ent->d_name);
        if (!parse_name(ent->d_name, &ms) || access(path, F_OK) < 0 || !made_from(path, canon))
            continue;
        if (l->n == cap) {
            cap = cap ? cap * 2 : 16;
            char **names = realloc(l->names, cap * sizeof *names);
            if (!names)
                rc = -1;
            else
                l->names = names;
        }
        if (rc == 0 && !(l->names[l->n] = strdup(ent->d_name)))
            rc = -1;
        if (rc == 0)
            l->n++;
    }
    closedir(d);
    free(canon);
    if (rc == 0) {
        if (l->n > 1)
            qsort(l->names, l->n, sizeof *l->names, cmp_newest_first);
        l->times = calloc(l->n + 1, sizeof *l->times);
        rc = l->times ? 0 : -1;
        for (size_t i = 0; rc == 0 && i < l->n; i++)
            parse_name(l->names[i], &l->times[i]);
    }
    if (rc < 0) {
        listing_free(l);
        err_set(e, "out of memory");
    }
    return rc;
}

int backup_rotate(const char *dir, const char *db_path, const struct backup_rotation *r,
                  struct strlist *removed, struct err *e)
{
    struct listing l;
    if (list_backups(dir, db_path, &l, e) < 0)
        return -1;
    bool *keep = calloc(l.n + 1, sizeof *keep);
    int rc = keep ? 0 : (err_set(e, "out of memory"), -1);
    if (rc == 0)
        backup_rotation_keep(l.times, l.n, r, keep);
    for (size_t i = 0; rc == 0 && i < l.n; i++) {
        char path[4200];
        if (keep[i])
            continue;
        /* The manifest goes first: a file without one no longer counts. */
        snprintf(path, sizeof path, "%s/%s" BACKUP_MANIFEST_SUFFIX, dir, l.names[i]);
        if (unlink(path) < 0)
            rc = (err_set(e, "%s: %s", path, strerror(errno)), -1);
        snprintf(path, sizeof path, "%s/%s", dir, l.names[i]);
        if (rc == 0 && unlink(path) < 0)
            rc = (err_set(e, "%s: %s", path, strerror(errno)), -1);
        if (rc == 0)
            strlist_addf(removed, "%s", l.names[i]);
    }
    free(keep);
    listing_free(&l);
    return rc;
}

/* Whether the file is as long as its manifest says: a cheap check that it
 * was not overwritten or cut short since it was verified (a full SHA-256
 * of every backup on every status call would read gigabytes). */
static bool size_matches(const char *dir, const char *name)
{
    struct strlist ignored = {0};
    struct stat st;
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cJSON *m = read_manifest(path, &ignored);
    const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(m, "bytes");
    bool same = cJSON_IsNumber(bytes) && stat(path, &st) == 0 &&
                (int64_t)bytes->valuedouble == (int64_t)st.st_size;
    cJSON_Delete(m);
    strlist_free(&ignored);
    return same;
}

int backup_newest(const char *dir, const char *db_path, int64_t now, struct backup_newest *out,
                  struct err *e)
{
    struct listing l;
    memset(out, 0, sizeof *out);
    if (list_backups(dir, db_path, &l, e) < 0)
        return -1;
    for (size_t i = 0; i < l.n && !out->found; i++) {
        if (l.times[i] > now)
            out->future++;
        else if (!size_matches(dir, l.names[i]))
            out->damaged++;
        else
            out->found = true, out->at = l.times[i];
    }
    listing_free(&l);
    return 0;
}
