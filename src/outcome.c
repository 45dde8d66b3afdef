#include "config.h"

#include "outcome.h"

void metric_counts_add(struct metric_counts *to, const struct metric_counts *from)
{
    to->received += from->received;
    to->processed += from->processed;
    to->failed += from->failed;
    to->repeated += from->repeated;
    to->bytes += from->bytes;
    to->reconnects += from->reconnects;
    to->gaps += from->gaps;
}

void outcome_count(struct state_delta *d, struct metric_counts *c, enum apply_outcome outcome)
{
    switch (outcome) {
    case APPLY_FAILED:
        d->failed++;
        c->failed++;
        return;
    case APPLY_SUPERSEDED:
        d->superseded++;
        break;
    case APPLY_REPEATED:
        d->repeated++;
        c->repeated++;
        break;
    case APPLY_APPLIED:
        break;
    }
    d->processed++;
    c->processed++;
}
