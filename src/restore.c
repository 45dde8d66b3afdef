/* `restore`: a verified backup put in place of a database that nothing
 * has open (restore.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backup.h"
#include "db.h"
#include "humanfmt.h"
#include "lockholder.h"
#include "readings.h"
#include "restore.h"
#include "safefile.h"
#include "store_backup.h"
#include "store_metadata.h"
#include "timeutil.h"

#define STREAM "company-profile"

struct file_id {
    dev_t dev;
    ino_t ino;
};

static bool same_file(const struct file_id *ids, size_t n, const struct stat *st)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i].dev == st->st_dev && ids[i].ino == st->st_ino)
            return true;
    return false;
}

static bool process_has_open(const char *pid, const struct file_id *ids, size_t n)
{
    char path[600];
    snprintf(path, sizeof path, "/proc/%s/fd", pid);
    DIR *d = opendir(path);
    struct dirent *ent;
    struct stat st;
    bool found = false;
    if (!d)
        return false;   /* gone, or another user's: the SQLite locks still tell */
    while (!found && (ent = readdir(d))) {
        snprintf(path, sizeof path, "/proc/%s/fd/%s", pid, ent->d_name);
        found = ent->d_name[0] != '.' && stat(path, &st) == 0 && same_file(ids, n, &st);
    }
    closedir(d);
    return found;
}

/* The first other process on this host with db_path (or its -wal or -shm)
 * open, from /proc: SQLite's locks cannot show a read-only view opened
 * immutable (db.h), which takes none, but its descriptor is there.
 * Returns its pid and name, or 0. */
static pid_t opened_elsewhere(const char *db_path, char *comm, size_t size)
{
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    struct file_id ids[3];
    size_t n = 0;
    for (size_t i = 0; i < 3; i++) {
        char path[4200];
        struct stat st;
        snprintf(path, sizeof path, "%s%s", db_path, suffixes[i]);
        if (stat(path, &st) == 0)
            ids[n++] = (struct file_id){st.st_dev, st.st_ino};
    }
    DIR *d = n ? opendir("/proc") : NULL;
    struct dirent *ent;
    pid_t found = 0, me = getpid();
    while (d && !found && (ent = readdir(d))) {
        char *end;
        long pid = strtol(ent->d_name, &end, 10);
        if (*end == '\0' && pid > 0 && pid != me && process_has_open(ent->d_name, ids, n))
            found = (pid_t)pid;
    }
    if (d)
        closedir(d);
    lockholder_process_name(found, comm, size);
    return found;
}

/* Whether the stream's recorded ingester lets the file be replaced.  A
 * live process on this host never does; a lease from another host, whose
 * process cannot be seen from here, only when it is past INGESTER_LEASE_S
 * and force says it is gone; a vanished local ingester always does. */
static int check_lease(struct db *db, const char *db_path, bool force, int64_t now,
                       struct err *e)
{
    struct snap_connection c = {0};
    struct snap_throughput t = {0};
    char age[HUMAN_LEN];
    if (store_metadata_read(db, STREAM, true, &c, &t, e) < 0)
        return -1;
    if (c.ingester_pid <= 0 || c.ingester_process == INGESTER_GONE)
        return 0;
    bool recent = now - c.ingester_seen_at < INGESTER_LEASE_S * 1000;
    human_age((now - c.ingester_seen_at) / 1000, age);
    if (c.ingester_process == INGESTER_RUNNING && recent)
        return err_set(e, "%s is held by a running ingester (pid %lld on this host); stop it "
                          "first (--force never replaces a database a live process holds)",
                       db_path, (long long)c.ingester_pid), -1;
    /* A process of that pid that has not had the file open (checked
     * before) nor committed for minutes is most likely the pid reused. */
    if (c.ingester_process == INGESTER_RUNNING && !force)
        return err_set(e, "%s is held by pid %lld on this host, last seen %s, which runs but does "
                          "not have the database open; if it is not its ingester (a pid reused), "
                          "restore with --force", db_path, (long long)c.ingester_pid, age), -1;
    if (c.ingester_process == INGESTER_RUNNING)
        return 0;
    if (recent)
        return err_set(e, "%s is held by an ingester on %s (pid %lld), last seen %s; stop "
                          "it first", db_path, c.ingester_host, (long long)c.ingester_pid, age), -1;
    if (!force)
        return err_set(e, "%s is held by an ingester on %s (pid %lld), last seen %s; if it "
                          "is gone, restore with --force", db_path, c.ingester_host,
                       (long long)c.ingester_pid, age), -1;
    return 0;
}

/* Takes db_path's stream and leaves the file without a WAL, so nothing of
 * the old database is applied to the new one; the connection stays open
 * (holding the lease) until the new file is in place.  Switching the
 * journal mode needs every other connection gone, which SQLite's locks
 * show for any process; /proc adds the lock-free ones on this host. */
static int take_old(const char *db_path, bool force, struct db **db, struct err *e)
{
    struct ingester_identity me;
    char comm[64];
    pid_t other = opened_elsewhere(db_path, comm, sizeof comm);
    if (other)
        return err_set(e, "%s is open in process %ld (%s); close it first (a dashboard, an "
                          "ingester or a server?)", db_path, (long)other, comm), -1;
    ingester_identity_self(&me);
    if (db_open(db_path, DB_READ_WRITE, db, e) < 0) {
        /* A file SQLite cannot open holds no lease to respect: one that
         * no process has open is what --force is for. */
        *db = NULL;
        if (force)
            return 0;
        size_t n = strlen(e->msg);
        snprintf(e->msg + n, sizeof e->msg - n, "; if nothing needs it, replace it with --force");
        return -1;
    }
    int64_t now = time_now_ms();
    int rc = 0;
    if (db_has_table(*db, "stream_state") &&
        (check_lease(*db, db_path, force, now, e) < 0 ||
         store_state_acquire(*db, STREAM, &me, now, e) < 0))
        rc = -1;
    if (rc == 0 && store_backup_detach_wal(*db, e) < 0) {
        err_wrap(e, "%s is open in another process (a dashboard?); close it first", db_path);
        rc = -1;
    }
    if (rc < 0) {
        db_close(*db);
        *db = NULL;
    }
    return rc;
}

static void remove_beside(const char *db_path, const char *suffix)
{
    char path[4200];
    snprintf(path, sizeof path, "%s%s", db_path, suffix);
    unlink(path);
}

/* The restored file belongs to whoever the replaced one did (the service's
 * user, when root restores it); a new one, restored by root, to whoever
 * owns its directory (a service's StateDirectory).  Otherwise a service
 * could not open its own database after a restore. */
static int give_to_owner(const char *db_path, const char *tmp, struct err *e)
{
    struct stat st;
    char dir[4200];
    if (stat(db_path, &st) < 0) {
        if (geteuid() != 0)
            return 0;
        const char *slash = strrchr(db_path, '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (slash == db_path ? 1 : (int)(slash - db_path)) : 1,
                 slash ? db_path : ".");
        if (stat(dir, &st) < 0)
            return 0;
    }
    if (st.st_uid == geteuid() && st.st_gid == getegid())
        return 0;
    if (lchown(tmp, st.st_uid, st.st_gid) < 0)
        return err_set(e, "cannot give the restored file to uid %ld gid %ld, who own %s: %s; "
                          "restore as root or as that user", (long)st.st_uid, (long)st.st_gid,
                       db_path, strerror(errno)), -1;
    return 0;
}

int restore_from_backup(const char *file, const char *db_path, bool force, struct strlist *problems,
                   struct err *e)
{
    if (backup_verify(file, problems, e) < 0)
        return -1;
    if (problems->count > 0)
        return err_set(e, "%s fails verification; nothing was restored", file), -1;
    struct db *old = NULL;
    if (access(db_path, F_OK) == 0 && take_old(db_path, force, &old, e) < 0) {
        err_wrap(e, "nothing was restored");
        return -1;
    }
    char tmp[4200];
    struct stat st;
    /* Over an existing database, its mode (the operator's: a group may
     * read it); a new one is private.  SQLite gives -wal and -shm the
     * database's mode when it makes them. */
    mode_t mode = stat(db_path, &st) == 0 ? st.st_mode & 07777 : 0600;
    snprintf(tmp, sizeof tmp, "%s.restore.tmp", db_path);
    int rc = file_copy_private(file, tmp, mode, e);
    if (rc == 0)
        rc = give_to_owner(db_path, tmp, e);
    if (rc == 0) {
        remove_beside(db_path, "-wal");
        remove_beside(db_path, "-shm");
        rc = file_commit(tmp, db_path, e);
    }
    if (rc < 0) {
        unlink(tmp);
        err_wrap(e, "nothing was restored");
    }
    db_close(old);
    return rc;
}
