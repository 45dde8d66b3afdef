/* safefile — files written so that a crash leaves a name holding nothing
 * or the whole file, with the mode streamtop means whatever the umask
 * (doc/security.md): backups, their manifests, restored databases. */
#ifndef STREAMTOP_SAFEFILE_H
#define STREAMTOP_SAFEFILE_H

#include <sys/types.h>

#include "err.h"

/* Creates (or truncates) path with mode exactly: fchmod, so the umask
 * neither widens nor narrows it; never through a symbolic link.  The
 * descriptor, or -1 with e set. */
int file_create_private(const char *path, mode_t mode, struct err *e);

/* Syncs tmp, renames it to final and syncs final's directory. */
int file_commit(const char *tmp, const char *final, struct err *e);

/* Copies from into a new file to, created with mode exactly; to is removed
 * if the copy fails. */
int file_copy_private(const char *from, const char *to, mode_t mode, struct err *e);

#endif
