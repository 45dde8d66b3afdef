/* lockholder — which other process holds a database's write lock, and
 * what a process on this host is called.
 *
 * A writer that cannot commit, or an ingester waiting to start, is held
 * up by whoever has the write lock: often an sqlite3 shell left inside a
 * transaction.  SQLite cannot name it, but its unix VFS takes the WAL
 * write lock as a POSIX lock on one byte of the -shm file, and the kernel
 * lists every such lock, with its owner, in /proc/locks.  The file itself
 * is never opened here: closing any descriptor of a file drops every POSIX
 * lock the process holds on it, SQLite's own included. */
#ifndef STREAMTOP_LOCKHOLDER_H
#define STREAMTOP_LOCKHOLDER_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* The pid of another process holding db_path's WAL write lock, or 0 (none,
 * no -shm file, a database not in WAL mode, or no /proc). */
pid_t lockholder_of_write_lock(const char *db_path);

/* The pid of a process other than self holding a write lock on byte offset
 * of the file (dev, ino), read from a /proc/locks listing; 0 if none. */
pid_t lockholder_find(FILE *proc_locks, dev_t dev, ino_t ino, long long offset, pid_t self);

/* The process's name from /proc (its comm), or "?" when it cannot be read. */
void lockholder_process_name(pid_t pid, char *name, size_t size);

#endif
