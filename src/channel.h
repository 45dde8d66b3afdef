/* channel — what the stream thread hands the processor.
 *
 * A FIFO of messages (decoded events, invalid lines, heartbeats and
 * connection changes) bounded by bytes.  When it is full the stream thread
 * blocks inside libcurl's write callback, so back-pressure reaches the TCP
 * connection instead of growing memory.  The processor takes messages in
 * batches: up to N, or whatever arrived within T ms of the first. */
#ifndef STREAMTOP_CHANNEL_H
#define STREAMTOP_CHANNEL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conn_state.h"
#include "event.h"

enum msg_kind {
    MSG_EVENT,        /* a valid event */
    MSG_INVALID,      /* a line that is not a valid event */
    MSG_HEARTBEAT,
    MSG_CONNECTION,   /* the connection changed state */
};

struct ingest_msg {
    enum msg_kind kind;
    int64_t at;                    /* wall clock, ms */
    size_t bytes;                  /* bytes of stream this accounts for */
    struct stream_event *event;    /* MSG_EVENT */
    bool gap_before;               /* MSG_EVENT: the timepoint jumped */
    char *invalid_id;              /* MSG_INVALID: synthetic event id */
    char *raw;                     /* MSG_INVALID: the line (capped) */
    size_t raw_len;
    char *error;                   /* MSG_INVALID: why; MSG_CONNECTION: the last error */
    enum conn_state state;         /* MSG_CONNECTION */
    char *endpoint;                /* MSG_CONNECTION: scheme://host/path, no credentials */
    int64_t next_attempt_at;       /* MSG_CONNECTION, backoff: when */
    bool reconnect;                /* MSG_CONNECTION: a new attempt after a lost one */
    bool timepoint_gap;            /* MSG_CONNECTION: 416, events may have been missed */
    struct ingest_msg *next;
};

void ingest_msg_free(struct ingest_msg *m);

struct channel {
    pthread_mutex_t lock;
    pthread_cond_t readable, writable;
    struct ingest_msg *head, *tail;
    size_t count, bytes, max_bytes;
    bool closed;
};

void channel_init(struct channel *c, size_t max_bytes);
void channel_destroy(struct channel *c);

/* Queues m, waiting while the channel is full.  Returns 0, or -1 if *stop
 * became true or the channel was closed first (m is then the caller's). */
int channel_push(struct channel *c, struct ingest_msg *m, atomic_bool *stop);

/* Waits up to wait_ms for a first message, then gathers more until max are
 * taken or batch_ms have passed since the first; a change of connection
 * state ends the gathering with what is already queued.  Returns the count
 * and the messages as a list in *out (NULL when none). */
size_t channel_take(struct channel *c, size_t max, int64_t wait_ms, int64_t batch_ms,
                    struct ingest_msg **out);

/* No more pushes; takers and pushers wake. */
void channel_close(struct channel *c);

/* Whether channel_close() was called (messages may still be waiting). */
bool channel_closed(struct channel *c);

/* Whether the channel is closed and empty: nothing more will come. */
bool channel_drained(struct channel *c);

/* Messages waiting. */
size_t channel_depth(struct channel *c);

#endif
