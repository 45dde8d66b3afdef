/* config_file — reads streamtop's configuration file.
 *
 * The format is one `key = value` per line.  Blank lines and lines whose
 * first non-blank character is '#' are ignored.  Spaces around the key and
 * value are trimmed; a value may be wrapped in double quotes to keep
 * leading or trailing spaces.  Which keys exist, and what their values may
 * be, is the caller's business: each pair is handed to a callback together
 * with "FILE:LINE" so its error can name the line.  A line longer than
 * CONFIG_LINE_MAX bytes (its newline aside) is an error naming the line. */
#ifndef STREAMTOP_CONFIG_FILE_H
#define STREAMTOP_CONFIG_FILE_H

#include "err.h"

#define CONFIG_LINE_MAX 4096

typedef int (*config_apply_fn)(void *ctx, const char *key, const char *value,
                               const char *where, struct err *e);

/* Returns 0, or -1 with e set: unreadable file, malformed line, or whatever
 * the callback refused. */
int config_file_read(const char *path, config_apply_fn apply, void *ctx, struct err *e);

#endif
