#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lockholder.h"

/* SQLite's unix VFS: the shared-memory locks start after the WAL index
 * header, 120 bytes in, and the write lock is the first of them. */
#define SHM_WRITE_LOCK_OFFSET 120

pid_t lockholder_of_write_lock(const char *db_path)
{
    char path[4200];
    snprintf(path, sizeof path, "%s-shm", db_path);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return 0;
    struct flock probe = {.l_type = F_WRLCK, .l_whence = SEEK_SET,
                          .l_start = SHM_WRITE_LOCK_OFFSET, .l_len = 1};
    int rc = fcntl(fd, F_GETLK, &probe);
    close(fd);
    return rc == 0 && probe.l_type != F_UNLCK && probe.l_pid > 0 ? probe.l_pid : 0;
}

void lockholder_process_name(pid_t pid, char *name, size_t size)
{
    char path[64];
    snprintf(name, size, "?");
    snprintf(path, sizeof path, "/proc/%ld/comm", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (!fgets(name, (int)size, f))
        snprintf(name, size, "?");
    name[strcspn(name, "\n")] = '\0';
    fclose(f);
}
