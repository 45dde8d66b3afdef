/* dashboard — the interactive screen's loop, on the UI thread.
 *
 * Each turn: take a snapshot when the database changed (PRAGMA
 * data_version), the list moved, or the figures are getting old; draw a
 * frame; sleep in getch() until a key or the next tick; act on the key.
 * Every mode runs this same loop over a read-only connection; only live
 * and demo have an ingester in the process, and only read-only refuses to
 * write (retries go through a separate read-write connection). */
#ifndef STREAMTOP_DASHBOARD_H
#define STREAMTOP_DASHBOARD_H

#include <stdbool.h>

#include "err.h"
#include "ingester.h"
#include "ui.h"

struct dashboard_config {
    enum ui_mode mode;
    const char *db_path;
    int log_fd;                     /* stderr goes here while the screen is up */
    bool color;
    double refresh_s;
    struct ingester *ingester;      /* NULL: none in this process */
    const char *backup_dir;         /* the newest backup's age is shown; NULL: none */
    int64_t backup_max_age_ms;
};

/* Runs until q or a signal; returns 0, or -1 with e set on a fatal error.
 * The ingester, if any, is stopped (its open batch committed) before the
 * terminal is given back; the error, if any, is for the caller to print
 * once it has been. */
int dashboard_run(const struct dashboard_config *cfg, struct err *e);

#endif
