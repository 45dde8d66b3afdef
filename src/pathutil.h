/* pathutil — where streamtop keeps its files, and making room for them. */
#ifndef STREAMTOP_PATHUTIL_H
#define STREAMTOP_PATHUTIL_H

#include "err.h"

/* mkdir -p (mode 0700) for the directory that will hold path. */
int path_make_parents(const char *path, struct err *e);

/* $XDG_<kind>_HOME/streamtop/<leaf>, or $HOME/<fallback>/streamtop/<leaf>;
 * NULL when neither is set.  Caller frees. */
char *path_xdg(const char *xdg_var, const char *fallback, const char *leaf);

#endif
