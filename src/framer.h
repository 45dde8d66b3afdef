/* framer — splits the stream's bytes into lines.
 *
 * libcurl hands over chunks that end anywhere: inside a line, inside a
 * multi-byte UTF-8 character, between '\r' and '\n'.  The framer
 * reassembles lines exactly and calls back once per line, without the
 * newline (and without a '\r' before it):
 *   - an empty line is a heartbeat;
 *   - a line longer than max_line is reported once as oversize with its
 *     first FRAMER_HEAD_KEEP bytes (64 KiB, what the log keeps of an
 *     invalid line) and its full length; the rest is skipped as it
 *     arrives, so memory stays bounded by max_line or FRAMER_HEAD_KEEP,
 *     whichever is larger.
 * When the connection drops, framer_reset() discards the partial line: the
 * server sends it again after the client resumes. */
#ifndef STREAMTOP_FRAMER_H
#define STREAMTOP_FRAMER_H

#include <stdbool.h>
#include <stddef.h>

#define FRAMER_HEAD_KEEP 65536

enum frame_kind {
    FRAME_LINE,
    FRAME_HEARTBEAT,
    FRAME_OVERSIZE,
};

struct framed_line {
    enum frame_kind kind;
    const char *data;     /* the line, or an oversize line's head; not NUL-terminated */
    size_t len;
    size_t full_len;      /* the whole line's length (differs for FRAME_OVERSIZE) */
};

/* Returns 0 to go on, -1 to stop feeding (framer_feed then returns -1). */
typedef int (*frame_fn)(void *ctx, const struct framed_line *f);

struct framer {
    char *buf;            /* the partial line (or an oversize line's head) */
    size_t len, cap;
    size_t max_line;
    bool skipping;        /* inside an oversize line */
    size_t skipped_len;   /* its length so far */
    bool last_cr;         /* the last byte held ended in \r: a CRLF's, if \n comes next */
};

void framer_init(struct framer *fr, size_t max_line);
void framer_free(struct framer *fr);

/* Feeds n bytes; calls fn for every line they complete.  Returns 0, or -1
 * if fn stopped it or memory ran out. */
int framer_feed(struct framer *fr, const char *data, size_t n, frame_fn fn, void *ctx);

/* Forgets the partial line. */
void framer_reset(struct framer *fr);

/* Bytes of the partial line held (for tests and diagnostics). */
size_t framer_pending(const struct framer *fr);

#endif
