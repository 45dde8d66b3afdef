#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "channel.h"
#include "timeutil.h"

void ingest_msg_free(struct ingest_msg *m)
{
    if (!m)
        return;
    event_free(m->event);
    free(m->invalid_id);
    free(m->raw);
    free(m->error);
    free(m->endpoint);
    free(m);
}

void channel_init(struct channel *c, size_t max_bytes)
{
    pthread_mutex_init(&c->lock, NULL);
    time_mono_cond_init(&c->readable);
    time_mono_cond_init(&c->writable);
    c->head = c->tail = NULL;
    c->count = c->bytes = 0;
    c->max_bytes = max_bytes;
    c->closed = false;
}

void channel_destroy(struct channel *c)
{
    while (c->head) {
        struct ingest_msg *m = c->head;
        c->head = m->next;
        ingest_msg_free(m);
    }
    pthread_cond_destroy(&c->readable);
    pthread_cond_destroy(&c->writable);
    pthread_mutex_destroy(&c->lock);
}

/* About the memory a message holds: a decoded event keeps its line and,
 * in its data and profile columns, about as much again; and at least a
 * little, so a flood of heartbeats cannot fill memory either. */
static size_t weight(const struct ingest_msg *m)
{
    return 2 * m->bytes + 128;
}

int channel_push(struct channel *c, struct ingest_msg *m, atomic_bool *stop)
{
    pthread_mutex_lock(&c->lock);
    /* An empty channel always takes a message, however large. */
    while (!c->closed && c->count > 0 && c->bytes + weight(m) > c->max_bytes && !atomic_load(stop)) {
        struct timespec ts;
        time_mono_deadline(&ts, 100);   /* how soon a stop is noticed */
        pthread_cond_timedwait(&c->writable, &c->lock, &ts);
    }
    if (c->closed || atomic_load(stop)) {
        pthread_mutex_unlock(&c->lock);
        return -1;
    }
    m->next = NULL;
    if (c->tail)
        c->tail->next = m;
    else
        c->head = m;
    c->tail = m;
    c->count++;
    c->bytes += weight(m);
    pthread_cond_signal(&c->readable);
    pthread_mutex_unlock(&c->lock);
    return 0;
}

static void wait_until(struct channel *c, int64_t deadline_mono)
{
    int64_t left = deadline_mono - time_mono_ms();
    if (left <= 0)
        return;
    struct timespec ts;
    time_mono_deadline(&ts, left);
    pthread_cond_timedwait(&c->readable, &c->lock, &ts);
}

size_t channel_take(struct channel *c, size_t max, int64_t wait_ms, int64_t batch_ms,
                    struct ingest_msg **out)
{
    struct ingest_msg *first = NULL, *last = NULL;
    size_t n = 0;
    int64_t first_deadline = time_mono_ms() + wait_ms, batch_deadline = 0;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (c->head && n < max) {
            struct ingest_msg *m = c->head;
            c->head = m->next;
            if (!c->head)
                c->tail = NULL;
            c->count--;
            c->bytes -= weight(m);
            m->next = NULL;
            if (last)
                last->next = m;
            else
                first = m;
            last = m;
            if (n++ == 0)
                batch_deadline = time_mono_ms() + batch_ms;
            if (m->kind == MSG_CONNECTION)
                batch_deadline = 0;   /* readers learn of it now, not a batch later */
        }
        pthread_cond_broadcast(&c->writable);
        int64_t deadline = n == 0 ? first_deadline : batch_deadline;
        if (n >= max || c->closed || time_mono_ms() >= deadline)
            break;
        wait_until(c, deadline);
    }
    pthread_mutex_unlock(&c->lock);
    *out = first;
    return n;
}

void channel_close(struct channel *c)
{
    pthread_mutex_lock(&c->lock);
    c->closed = true;
    pthread_cond_broadcast(&c->readable);
    pthread_cond_broadcast(&c->writable);
    pthread_mutex_unlock(&c->lock);
}

bool channel_closed(struct channel *c)
{
    pthread_mutex_lock(&c->lock);
    bool closed = c->closed;
    pthread_mutex_unlock(&c->lock);
    return closed;
}

bool channel_drained(struct channel *c)
{
    pthread_mutex_lock(&c->lock);
    bool drained = c->closed && c->count == 0;
    pthread_mutex_unlock(&c->lock);
    return drained;
}

size_t channel_depth(struct channel *c)
{
    pthread_mutex_lock(&c->lock);
    size_t n = c->count;
    pthread_mutex_unlock(&c->lock);
    return n;
}
