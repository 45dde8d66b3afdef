/* checkpointer — copies the WAL back into the database on its own thread.
 *
 * SQLite normally checkpoints inside the committing thread, which would
 * make the ingester's writer pay for every page twice.  The processor
 * disables that (its WAL hook replaces the automatic checkpoint) and pokes
 * this thread instead, which runs PASSIVE checkpoints on a connection of
 * its own, on the other core, never blocking the writer or readers. */
#ifndef STREAMTOP_CHECKPOINTER_H
#define STREAMTOP_CHECKPOINTER_H

#include "err.h"

/* The WAL size (pages) at which a checkpoint is started. */
#define CHECKPOINT_PAGES 1000

struct checkpointer;

int checkpointer_start(const char *db_path, struct checkpointer **out, struct err *e);

/* Called from the writer after each commit with the WAL's size. */
void checkpointer_poke(void *checkpointer, int wal_pages);

/* Runs a last checkpoint, stops the thread and frees it. */
void checkpointer_stop(struct checkpointer *c);

#endif
