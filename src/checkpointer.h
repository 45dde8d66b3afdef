/* checkpointer — copies the writer's WAL back into the database file on a
 * thread and connection of its own.
 *
 * A checkpoint reads every WAL frame written since the last one, writes it
 * into the database and syncs both files.  Done on the writer's thread (as
 * SQLite's automatic checkpoint does it), that I/O and its fsync waits stop
 * the writer for a fifth of its time during a catch-up.  Here the writer
 * only counts WAL frames in a hook after each commit and wakes this thread,
 * which runs passive checkpoints while the writer goes on writing.
 *
 * A passive checkpoint alone never lets the WAL restart under continuous
 * writing: SQLite rewinds the WAL only when a write transaction begins
 * after every frame has been copied, and the writer always adds frames
 * before the checkpointer catches up.  So once the WAL holds wal_limit
 * frames, the writer calls checkpointer_throttle() between transactions: it
 * waits until a pass has copied everything (a few milliseconds' work, as the
 * checkpointer is never far behind), and its next transaction rewinds the
 * WAL.  A reader that keeps an old snapshot can block that; the wait is then
 * cut short and the WAL grows until the reader lets go, as it would with
 * SQLite's own checkpoints.  Once passes have been held back by a reader
 * for max_wait_ms, the writer waits only a few milliseconds, for a pass to
 * find the reader gone, until one copies everything again: waiting cannot
 * shrink the WAL then, and a wait per batch cut a catch-up under a
 * one-minute reader to a batch a second.
 * When the reader lets go the WAL rewinds, and SQLite truncates the file
 * to wal_limit frames (journal_size_limit) instead of keeping its size. */
#ifndef STREAMTOP_CHECKPOINTER_H
#define STREAMTOP_CHECKPOINTER_H

#include <stdbool.h>
#include <stdint.h>

#include "db.h"
#include "err.h"

struct checkpointer_config {
    const char *db_path;
    int start_frames;    /* run a pass once the WAL holds this many frames */
    int wal_limit;       /* frames past which the writer waits for a full pass */
    int64_t max_wait_ms; /* the longest the writer waits for one */
};

/* Defaults: a pass per 1,000 frames (SQLite's own checkpoint interval); the
 * WAL rewound past 16,384 frames (64 MiB of 4 KiB pages).  Each rewind
 * costs the writer about 15 ms (the last pass and an fsync of the WAL
 * header); at 4,096 frames that was a sixth of a catch-up's time, at
 * 16,384 a twentieth. */
#define CHECKPOINT_START_FRAMES 1000
#define CHECKPOINT_WAL_LIMIT 16384
#define CHECKPOINT_MAX_WAIT_MS 1000

struct checkpointer;

/* Opens a connection of its own to cfg->db_path, starts the thread and
 * takes over checkpointing for the writer connection: its automatic
 * checkpoint is turned off, a WAL hook installed, and its WAL file kept to
 * wal_limit frames when it rewinds. */
int checkpointer_start(const struct checkpointer_config *cfg, struct db *writer,
                       struct checkpointer **out, struct err *e);

/* The ingester's writer: a checkpointer with the defaults above, or, when
 * Litestream replicates the WAL (leave_to_litestream), none at all: *out
 * is NULL and the writer's automatic checkpoint is off, as Litestream
 * checkpoints the WAL itself and asks that the application does not. */
int checkpointer_start_for_writer(const char *db_path, struct db *writer,
                                  bool leave_to_litestream, struct checkpointer **out,
                                  struct err *e);

/* Called by the writer between transactions: returns at once unless the
 * WAL is over its limit, then waits (at most max_wait_ms) for a pass that
 * copies every frame.  Returns whether the WAL is now fully copied (NULL:
 * true, nothing to wait for). */
bool checkpointer_throttle(struct checkpointer *c);

/* Stops the thread, gives the writer its automatic checkpoint back and
 * closes the connection.  NULL is a no-op. */
void checkpointer_stop(struct checkpointer *c);

/* What it has done so far, for tests and logs. */
struct checkpointer_stats {
    int64_t passes;         /* checkpoints run */
    int64_t full_passes;    /* of which copied every frame in the WAL */
    int64_t throttles;      /* times the writer waited */
    int64_t throttle_ms;    /* total time it waited */
    int64_t timeouts;       /* waits cut short by max_wait_ms */
    int64_t pinned_skips;   /* short waits while a reader held passes back */
};
void checkpointer_stats(struct checkpointer *c, struct checkpointer_stats *out);

/* Logs what it did (`event=checkpoints`: passes, the writer's waits), for
 * an operator reading the log after a catch-up.  NULL is a no-op. */
void checkpointer_log_stats(struct checkpointer *c);

#endif
