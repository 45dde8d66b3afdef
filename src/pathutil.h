/* pathutil — where streamtop keeps its files, and making room for them. */
#ifndef STREAMTOP_PATHUTIL_H
#define STREAMTOP_PATHUTIL_H

#include "err.h"

/* mkdir -p (mode 0700) for the directory that will hold path. */
int path_make_parents(const char *path, struct err *e);

/* path with its directory resolved (realpath) and its last component
 * kept as given, so a symbolic link at that last component can still be
 * refused by whoever opens it.  A path ending in '/', '.' or '..' comes
 * back unchanged.  Caller frees; NULL with e set when the directory cannot
 * be resolved (errno's text, naming path). */
char *path_resolve_dir(const char *path, struct err *e);

/* $XDG_<kind>_HOME/streamtop/<leaf>, or $HOME/<fallback>/streamtop/<leaf>;
 * NULL when neither is set.  Caller frees. */
char *path_xdg(const char *xdg_var, const char *fallback, const char *leaf);

#endif
