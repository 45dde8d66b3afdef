/* lockholder — which other process holds a database's write lock, and
 * what a process on this host is called.
 *
 * A writer that cannot commit, or an ingester waiting to start, is held
 * up by whoever has the write lock: often an sqlite3 shell left inside a
 * transaction.  SQLite cannot name it, but its unix VFS takes the WAL
 * write lock as a POSIX lock on one byte of the -shm file, and F_GETLK
 * reports the holder's pid without taking anything. */
#ifndef STREAMTOP_LOCKHOLDER_H
#define STREAMTOP_LOCKHOLDER_H

#include <stddef.h>
#include <sys/types.h>

/* The pid of another process holding db_path's WAL write lock, or 0 (none,
 * no -shm file, or a database not in WAL mode). */
pid_t lockholder_of_write_lock(const char *db_path);

/* The process's name from /proc (its comm), or "?" when it cannot be read. */
void lockholder_process_name(pid_t pid, char *name, size_t size);

#endif
