/* simulator — a Companies House streaming API on loopback.
 *
 * An HTTP/1.1 server speaking the stream's wire format: Basic
 * authentication with the stream key as user name, `GET ...?timepoint=N`
 * to resume (the event at N included), a response that never ends,
 * newline-delimited events in chunks that split lines and UTF-8 characters
 * anywhere, and a blank-line heartbeat while idle.
 *
 * Events come from simgen, at --rate, starting when the first client
 * connects, so a fresh ingester sees the stream from its start.  --count
 * ends generation (heartbeats go on); --replay serves a JSONL file instead.
 *
 * Faults (--faults, comma-separated):
 *   drop:N      close the connection in the middle of a line every N events
 *   stall:N     after every N events go silent, no heartbeats, until the client leaves
 *   garbage:N   a line that is not a valid event after every Nth event
 *   hostile:N   every Nth company name carries escape sequences
 *   gap:N       skip every Nth timepoint
 *   oversize:N  a 1.5 MiB line after every Nth event
 *   429:N 503:N 401:N 416:N
 *               answer every Nth connection with that status (416 only
 *               when the client asks for a timepoint)
 *   retry-after:S   the Retry-After seconds of 429 and 503 (default 1; "none" omits it)
 *
 * It runs on its own thread of control (simulator_run) and touches no
 * global state, so `demo` runs it in a thread of the same process. */
#ifndef STREAMTOP_SIMULATOR_H
#define STREAMTOP_SIMULATOR_H

#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "err.h"

struct sim_faults {
    unsigned drop_every, stall_every, garbage_every, hostile_every, gap_every, oversize_every;
    unsigned status_every[4];       /* 429, 503, 401, 416 */
    double retry_after_s;           /* < 0: send no Retry-After */
};

int sim_faults_parse(const char *spec, struct sim_faults *f, struct err *e);

struct sim_options {
    long port;                      /* 0: pick a free one */
    double rate;                    /* events per second */
    long long count;                /* -1: unlimited */
    double heartbeat_s;
    const char *replay_path;        /* NULL: generated events */
    const char *key;                /* NULL: accept any non-empty key */
    uint64_t seed;
    int64_t first_timepoint;
    struct sim_faults faults;
};

struct simulator;

/* Binds 127.0.0.1:port and loads the replay file, if any. */
int simulator_open(const struct sim_options *o, struct simulator **out, struct err *e);

/* The port it listens on. */
int simulator_port(const struct simulator *s);

/* Serves until *stop becomes true.  Returns 0, or -1 with e set. */
int simulator_run(struct simulator *s, atomic_bool *stop, struct err *e);

/* Connections answered so far (for tests and the demo). */
unsigned long simulator_connections(const struct simulator *s);

void simulator_close(struct simulator *s);

#endif
