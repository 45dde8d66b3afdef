/* conn_state — the stream connection's states, as the stream thread posts
 * them, as stream_state stores them (by name), and as readers parse them
 * once, so nothing downstream compares strings. */
#ifndef STREAMTOP_CONN_STATE_H
#define STREAMTOP_CONN_STATE_H

enum conn_state {
    CONN_DISCONNECTED,
    CONN_CONNECTING,
    CONN_CONNECTED,
    CONN_BACKOFF,
    CONN_ERROR,       /* backing off from a refusal an operator must fix (401) */
};

/* The stored name: "disconnected", "connecting", "connected", "backoff", "error". */
const char *conn_state_name(enum conn_state s);

/* The seed's stream_metadata.connection_status: "connected", "disconnected"
 * or "error". */
const char *conn_state_seed_status(enum conn_state s);

/* What the Connection pane shows ("backing off" for CONN_BACKOFF). */
const char *conn_state_label(enum conn_state s);

/* A stored name back to its state; anything unknown (a foreign value, an
 * empty column) is CONN_DISCONNECTED. */
enum conn_state conn_state_parse(const char *name);

/* The state of a database with only the seed's connection_status (no
 * stream_state): connected, or not. */
enum conn_state conn_state_from_seed_status(const char *status);

#endif
