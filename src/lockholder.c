#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "lockholder.h"

/* SQLite's unix VFS: the shared-memory locks start after the WAL index
 * header, 120 bytes in, and the write lock is the first of them. */
#define SHM_WRITE_LOCK_OFFSET 120

/* One /proc/locks line: "N: POSIX  ADVISORY  WRITE pid maj:min:ino start end",
 * major and minor in hex, end a number or EOF.  Waiters ("N: -> ...") hold
 * nothing. */
static pid_t holder_on_line(const char *line, dev_t dev, ino_t ino, long long offset)
{
    char kind[16], mode[16], access[16], end[24];
    unsigned maj, min;
    unsigned long long file_ino;
    long long start;
    int pid;
    if (strstr(line, "->") ||
        sscanf(line, "%*d: %15s %15s %15s %d %x:%x:%llu %lld %23s", kind, mode, access, &pid, &maj,
               &min, &file_ino, &start, end) != 9)
        return 0;
    bool covers = start <= offset && (strcmp(end, "EOF") == 0 || offset <= atoll(end));
    if ((strcmp(kind, "POSIX") != 0 && strcmp(kind, "OFDLCK") != 0) || strcmp(access, "WRITE") != 0 ||
        maj != major(dev) || min != minor(dev) || file_ino != (unsigned long long)ino || !covers)
        return 0;
    return pid > 0 ? (pid_t)pid : 0;
}

pid_t lockholder_find(FILE *proc_locks, dev_t dev, ino_t ino, long long offset, pid_t self)
{
    char line[256];
    while (fgets(line, sizeof line, proc_locks)) {
        pid_t pid = holder_on_line(line, dev, ino, offset);
        if (pid > 0 && pid != self)
            return pid;
    }
    return 0;
}

pid_t lockholder_of_write_lock(const char *db_path)
{
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s-shm", db_path);
    if (lstat(path, &st) < 0 || !S_ISREG(st.st_mode))
        return 0;
    FILE *locks = fopen("/proc/locks", "re");
    if (!locks)
        return 0;
    pid_t pid = lockholder_find(locks, st.st_dev, st.st_ino, SHM_WRITE_LOCK_OFFSET, getpid());
    fclose(locks);
    return pid;
}

void lockholder_process_name(pid_t pid, char *name, size_t size)
{
    char path[64];
    snprintf(name, size, "?");
    snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return;
    if (!fgets(name, (int)size, f))
        snprintf(name, size, "?");
    name[strcspn(name, "\n")] = '\0';
    fclose(f);
}
