#include "config.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "framer.h"

void framer_init(struct framer *fr, size_t max_line)
{
    memset(fr, 0, sizeof *fr);
    fr->max_line = max_line;
}

void framer_free(struct framer *fr)
{
    free(fr->buf);
    memset(fr, 0, sizeof *fr);
}

void framer_reset(struct framer *fr)
{
    fr->len = 0;
    fr->skipping = false;
    fr->skipped_len = 0;
    fr->last_cr = false;
}

size_t framer_pending(const struct framer *fr)
{
    return fr->skipping ? fr->skipped_len : fr->len;
}

static int buffer(struct framer *fr, const char *data, size_t n)
{
    if (fr->len + n > fr->cap) {
        size_t cap = fr->cap ? fr->cap : 4096;
        while (cap < fr->len + n)
            cap *= 2;
        char *grown = realloc(fr->buf, cap);
        if (!grown)
            return -1;
        fr->buf = grown;
        fr->cap = cap;
    }
    memcpy(fr->buf + fr->len, data, n);
    fr->len += n;
    return 0;
}

static int emit_line(const char *data, size_t len, frame_fn fn, void *ctx)
{
    if (len > 0 && data[len - 1] == '\r')
        len--;
    struct framed_line f = {len ? FRAME_LINE : FRAME_HEARTBEAT, data, len, len};
    return fn(ctx, &f);
}

/* full_len counts no line end: a head holding the whole line keeps no \r. */
static int emit_oversize(const char *head, size_t head_len, size_t full_len, frame_fn fn, void *ctx)
{
    if (head_len > full_len)
        head_len = full_len;
    struct framed_line f = {FRAME_OVERSIZE, head, head_len < FRAMER_HEAD_KEEP ? head_len : FRAMER_HEAD_KEEP,
                      full_len};
    return fn(ctx, &f);
}

/* Whether the line ending with segment (after what is buffered) ends in
 * \r: a CRLF line end, which is no part of the line or of its length. */
static bool ends_in_cr(const struct framer *fr, const char *segment, size_t n)
{
    if (n > 0)
        return segment[n - 1] == '\r';
    return fr->last_cr;
}

/* Adds to the buffered head until it holds FRAMER_HEAD_KEEP bytes. */
static int top_up_head(struct framer *fr, const char *segment, size_t n)
{
    size_t room = fr->len < FRAMER_HEAD_KEEP ? FRAMER_HEAD_KEEP - fr->len : 0;
    return buffer(fr, segment, room < n ? room : n);
}

/* A complete line whose last n bytes are segment (the whole line if
 * nothing was buffered). */
static int finish_line(struct framer *fr, const char *segment, size_t n, frame_fn fn, void *ctx)
{
    int rc;
    if (fr->skipping) {
        size_t total = fr->skipped_len + n - ends_in_cr(fr, segment, n);
        rc = top_up_head(fr, segment, n) < 0 ? -1 : emit_oversize(fr->buf, fr->len, total, fn, ctx);
    } else if (fr->len + n - ends_in_cr(fr, segment, n) > fr->max_line) {
        size_t total = fr->len + n - ends_in_cr(fr, segment, n);
        if (fr->len == 0)
            rc = emit_oversize(segment, n, total, fn, ctx);
        else
            rc = top_up_head(fr, segment, n) < 0 ? -1 : emit_oversize(fr->buf, fr->len, total, fn, ctx);
    } else if (fr->len == 0) {
        rc = emit_line(segment, n, fn, ctx);
    } else {
        rc = buffer(fr, segment, n) < 0 ? -1 : emit_line(fr->buf, fr->len, fn, ctx);
    }
    framer_reset(fr);
    return rc;
}

/* The input ended inside a line: keep it, or its head if it is too long.
 * The head goes on growing while the line is skipped, so it is the same
 * however the line was cut into chunks, even when max_line is shorter. */
static int hold_partial(struct framer *fr, const char *segment, size_t n)
{
    fr->last_cr = segment[n - 1] == '\r';
    if (fr->skipping) {
        fr->skipped_len += n;
        return top_up_head(fr, segment, n);
    }
    if (fr->len + n <= fr->max_line + 1)   /* + 1: the \r of a CRLF may be next */
        return buffer(fr, segment, n);
    size_t total = fr->len + n;
    if (top_up_head(fr, segment, n) < 0)
        return -1;
    if (fr->len > FRAMER_HEAD_KEEP)
        fr->len = FRAMER_HEAD_KEEP;
    fr->skipping = true;
    fr->skipped_len = total;
    return 0;
}

int framer_feed(struct framer *fr, const char *data, size_t n, frame_fn fn, void *ctx)
{
    while (n > 0) {
        const char *nl = memchr(data, '\n', n);
        if (!nl)
            return hold_partial(fr, data, n);
        size_t seg = (size_t)(nl - data);
        if (finish_line(fr, data, seg, fn, ctx) < 0)
            return -1;
        data = nl + 1;
        n -= seg + 1;
    }
    return 0;
}
