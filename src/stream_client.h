/* stream_client — the connection to the stream, on its own thread.
 *
 * One libcurl connection at a time to the stream URL, with Basic
 * authentication (the key as user name), TLS verification on, and a
 * User-Agent naming streamtop.  It resumes with ?timepoint= from the last
 * event it received.  Bytes go through the framer and the decoder; what
 * comes out (events, invalid lines, heartbeats, connection changes) goes
 * into the channel for the processor.  The client never touches the
 * database.
 *
 * A connection silent for the stall timeout (no event, no heartbeat) is
 * dropped.  Every end of a connection is classified and followed by the
 * delay backoff.h gives for it; the client posts that state, with the
 * time of the next attempt, so an operator sees it. */
#ifndef STREAMTOP_STREAM_CLIENT_H
#define STREAMTOP_STREAM_CLIENT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "channel.h"
#include "curl_api.h"
#include "err.h"

/* The longest prefix of an invalid line kept in the database. */
#define INVALID_RAW_CAP 65536

struct stream_client_config {
    const struct curl_api *curl;
    const char *url;              /* without timepoint */
    const char *key;
    const char *ca_file;          /* NULL: the system's CA store */
    double stall_timeout_s;
    size_t max_line;
    int64_t resume_timepoint;     /* -1: from now */
    struct channel *out;
    atomic_bool *stop;
    uint64_t seed;                /* backoff jitter */
};

struct stream_client;

int stream_client_start(const struct stream_client_config *cfg, struct stream_client **out,
                        struct err *e);

/* Waits for the thread after *stop was set (it notices within about a
 * second), and frees the client. */
void stream_client_join(struct stream_client *sc);

/* Whether path is a CA bundle the TLS library will load: a readable
 * regular file holding at least one PEM certificate, checked at startup so
 * a wrong --ca-file is a configuration error, not a connection retried for
 * ever.  -1 with e saying why (without naming the file). */
int stream_client_check_ca_file(const char *path, struct err *e);

/* scheme://host[:port]/path of url: what may be shown and stored. */
char *stream_endpoint(const char *url);

/* The event id given to an invalid line: unique by position (the last
 * valid timepoint before it and its rank since) and content, so the same
 * line sent again after a resume is recognised. */
char *stream_invalid_id(int64_t after_timepoint, unsigned rank, const char *raw, size_t len);

/* Whether an invalid line's error says only its head was kept: such a
 * line is never decoded again, its text being incomplete. */
bool stream_invalid_was_cut(const char *error);

#endif
