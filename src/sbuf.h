/* sbuf — a growable byte buffer for building and queueing output. */
#ifndef STREAMTOP_SBUF_H
#define STREAMTOP_SBUF_H

#include <stddef.h>

struct sbuf {
    char *data;
    size_t len, cap;
};

/* Each returns 0, or -1 when out of memory (the buffer is unchanged). */
int sbuf_append(struct sbuf *b, const void *data, size_t n);
int sbuf_appendf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends s as the inside of a JSON string: quotes, backslashes and
 * control characters escaped, everything else as it is. */
int sbuf_append_json(struct sbuf *b, const char *s);

/* Drops the first n bytes. */
void sbuf_consume(struct sbuf *b, size_t n);
void sbuf_reset(struct sbuf *b);
void sbuf_free(struct sbuf *b);

#endif
