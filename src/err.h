/* err — errors as values.
 *
 * A function that can fail returns -1 and writes one line into the caller's
 * struct err saying what failed, on what (file, option, URL without
 * credentials) and, where it helps, what to do.  The caller decides what to
 * do with it: print it, wrap it, or show it in a pane. */
#ifndef STREAMTOP_ERR_H
#define STREAMTOP_ERR_H

struct err {
    char msg[1024];
};

void err_set(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefix an existing message: "what: <old message>". */
void err_wrap(struct err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
