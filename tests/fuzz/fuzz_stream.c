/* A fuzz target for what the network controls: the framer and the decoder.
 *
 * The input is a byte stream as a server might send it.  It is framed twice,
 * once whole and once cut into chunks at points the input itself chooses,
 * and both must yield the same lines (the framer's promise that chunk
 * boundaries never matter).  Every line is then decoded; a decoded event
 * must describe a sane timepoint and keep the line's bytes exactly. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "framer.h"

#define FUZZ_MAX_LINE 4096     /* small, so oversize lines are common */
#define FUZZ_MAX_FRAMES 4096

struct frame_log {
    bool decode;               /* decode each line too (once per input is enough) */
    struct { enum frame_kind kind; size_t len, full_len; uint64_t hash; } f[FUZZ_MAX_FRAMES];
    size_t n;
};

static uint64_t fnv1a(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

static void check_event(const struct frame *f)
{
    struct stream_event *ev;
    struct err e;
    if (event_decode(f->data, f->len, &ev, &e) < 0) {
        if (!e.msg[0])
            abort();   /* a refusal always says why */
        return;
    }
    if (ev->timepoint < 0 || ev->raw_len != f->len || memcmp(ev->raw, f->data, f->len) != 0)
        abort();
    char id[EVENT_ID_LEN];
    event_id(ev->timepoint, id);
    event_free(ev);
}

static int record(void *ctx, const struct frame *f)
{
    struct frame_log *log = ctx;
    if (log->decode && f->kind == FRAME_LINE)
        check_event(f);
    if (log->n < FUZZ_MAX_FRAMES) {
        log->f[log->n].kind = f->kind;
        log->f[log->n].len = f->len;
        log->f[log->n].full_len = f->full_len;
        log->f[log->n].hash = fnv1a(f->data, f->len);
        log->n++;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct frame_log whole = {.decode = true}, chunked;
    struct framer fr;
    whole.n = chunked.n = 0;

    framer_init(&fr, FUZZ_MAX_LINE);
    framer_feed(&fr, (const char *)data, size, record, &whole);
    framer_free(&fr);

    /* Chunk sizes from the bytes themselves: 1..16, often 1. */
    framer_init(&fr, FUZZ_MAX_LINE);
    for (size_t off = 0; off < size;) {
        size_t chunk = 1 + data[off] % 16;
        if (chunk > size - off)
            chunk = size - off;
        framer_feed(&fr, (const char *)data + off, chunk, record, &chunked);
        off += chunk;
    }
    framer_free(&fr);

    if (whole.n != chunked.n || memcmp(whole.f, chunked.f, whole.n * sizeof whole.f[0]) != 0)
        abort();
    return 0;
}
