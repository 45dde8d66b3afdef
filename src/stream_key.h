/* stream_key — where the stream key comes from.
 *
 * STREAMTOP_STREAM_KEY, or --stream-key-file PATH (a regular file that
 * only its owner may read; surrounding whitespace is trimmed).  Never the
 * command line: it would show in ps.  The key is kept in memory only, and
 * never written to the database, a log or the screen. */
#ifndef STREAMTOP_STREAM_KEY_H
#define STREAMTOP_STREAM_KEY_H

#include <stdbool.h>

#include "cli.h"
#include "err.h"

/* Sets *key (caller frees) or, when there is none and required is false,
 * NULL.  Fails for an unreadable, too open or empty key file, and for a
 * missing key when one is required. */
int stream_key_load(const struct options *o, bool required, char **key, struct err *e);

#endif
