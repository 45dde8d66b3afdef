/* stream_key — where the stream key comes from.
 *
 * STREAMTOP_STREAM_KEY, or --stream-key-file PATH: a regular file (not a
 * link, not a FIFO) owned by the running user, with no access for group or
 * others, at most 4096 bytes, holding the key on one line without NUL
 * bytes (surrounding whitespace is trimmed).  Never the
 * command line: it would show in ps.  The key is kept in memory only, and
 * never written to the database, a log or the screen. */
#ifndef STREAMTOP_STREAM_KEY_H
#define STREAMTOP_STREAM_KEY_H

#include <stdbool.h>

#include "cli.h"
#include "err.h"

/* Sets *key (caller frees) or, when there is none and required is false,
 * NULL.  Fails, naming the file and the reason, for a key file that breaks
 * any of the rules above, and for a missing key when one is required. */
int stream_key_load(const struct options *o, bool required, char **key, struct err *e);

#endif
