/* health — the one place that decides whether what a snapshot shows is
 * fine, worth a look, or wrong.  The panes colour by it and `status` exits
 * by it (1 when anything is HEALTH_BAD), so the screen and a monitoring
 * check never disagree.
 *
 * The rules (README and streamtop(1) describe them for operators):
 *   ingester   BAD when one is recorded but has not committed for
 *              HEALTH_INGESTER_SILENT_S (it commits at least every 5 s,
 *              so a writer stuck on a lock or a full disk shows within
 *              25 s); says whether its process still runs, when it runs
 *              on this host;
 *   connection OK when connected; BAD on a refusal (state error), when it
 *              never connected and is not trying, or when it has not been
 *              connected for HEALTH_DISCONNECTED_S; WARN otherwise;
 *   queue      the oldest pending event, counted from when it was queued
 *              or re-queued: WARN after HEALTH_QUEUE_WARN_S, BAD after
 *              HEALTH_QUEUE_BAD_S;
 *   failures   BAD while any event is failed;
 *   backup     when a backup directory is configured: BAD when it cannot
 *              be read, holds no verified backup, or the newest is older
 *              than its maximum age (26 hours unless configured). */
#ifndef STREAMTOP_HEALTH_H
#define STREAMTOP_HEALTH_H

#include <stdbool.h>
#include <stddef.h>

#include "snapshot.h"
#include "strlist.h"

#define HEALTH_INGESTER_SILENT_S 20
#define HEALTH_DISCONNECTED_S 300
#define HEALTH_QUEUE_WARN_S 60
#define HEALTH_QUEUE_BAD_S 300

enum health_level { HEALTH_OK, HEALTH_WARN, HEALTH_BAD };

struct health_finding {
    enum health_level level;
    char why[192];                  /* for WARN and BAD: one line */
};

void health_ingester(const struct snapshot *s, struct health_finding *out);
void health_connection(const struct snapshot *s, struct health_finding *out);

/* Whether an ingester holds the stream and has written within
 * HEALTH_INGESTER_SILENT_S: something is there to apply a retry. */
bool health_ingester_running(const struct snapshot *s);
void health_queue(const struct snapshot *s, struct health_finding *out);
void health_failures(const struct snapshot *s, struct health_finding *out);
void health_backup(const struct snapshot *s, struct health_finding *out);

/* Whether nothing is HEALTH_BAD; each BAD finding is added to problems. */
bool health_judge(const struct snapshot *s, struct strlist *problems);

#endif
