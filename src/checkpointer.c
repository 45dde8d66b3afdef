#include "config.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "checkpointer.h"
#include "db.h"
#include "log.h"

struct checkpointer {
    struct db *db;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool due, stopping;
};

static void checkpoint(struct checkpointer *c, int mode)
{
    int wal = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(db_handle(c->db), NULL, mode, &wal, &copied);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        log_kv(LOG_WARN, "checkpoint_failed", "error", sqlite3_errmsg(db_handle(c->db)), NULL);
}

static void *checkpointer_main(void *arg)
{
    struct checkpointer *c = arg;
    pthread_mutex_lock(&c->lock);
    while (!c->stopping) {
        while (!c->due && !c->stopping)
            pthread_cond_wait(&c->wake, &c->lock);
        if (c->stopping)
            break;
        c->due = false;
        pthread_mutex_unlock(&c->lock);
        checkpoint(c, SQLITE_CHECKPOINT_PASSIVE);
        pthread_mutex_lock(&c->lock);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

int checkpointer_start(const char *db_path, struct checkpointer **out, struct err *e)
{
    struct checkpointer *c = calloc(1, sizeof *c);
    *out = NULL;
    if (!c)
        return err_set(e, "out of memory"), -1;
    if (db_open(db_path, DB_READ_WRITE, &c->db, e) < 0) {
        free(c);
        return -1;
    }
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->wake, NULL);
    int rc = pthread_create(&c->thread, NULL, checkpointer_main, c);
    if (rc != 0) {
        err_set(e, "cannot start the checkpoint thread: %s", strerror(rc));
        db_close(c->db);
        free(c);
        return -1;
    }
    *out = c;
    return 0;
}

void checkpointer_poke(void *checkpointer, int wal_pages)
{
    struct checkpointer *c = checkpointer;
    if (wal_pages < CHECKPOINT_PAGES)
        return;
    pthread_mutex_lock(&c->lock);
    c->due = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
}

void checkpointer_stop(struct checkpointer *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->lock);
    c->stopping = true;
    pthread_cond_signal(&c->wake);
    pthread_mutex_unlock(&c->lock);
    pthread_join(c->thread, NULL);
    /* The writer has stopped: leave a short WAL behind. */
    checkpoint(c, SQLITE_CHECKPOINT_TRUNCATE);
    db_close(c->db);
    pthread_cond_destroy(&c->wake);
    pthread_mutex_destroy(&c->lock);
    free(c);
}
