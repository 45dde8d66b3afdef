/* readings — the plain structs the store fills when it reads.
 *
 * Each store_* module reads its table into one of these; the snapshot
 * gathers them into what the panes, `status` and the API show.  They are
 * data only, owned by neither side, so the store depends on nothing of the
 * dashboard's and the dashboard on no SQL. */
#ifndef STREAMTOP_READINGS_H
#define STREAMTOP_READINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "conn_state.h"

#define SNAP_SPARK_MINUTES 60
#define SNAP_FAILURE_ROWS 400
#define SNAP_METRIC_ROWS 24
#define SNAP_REASON 160

/* All times are Unix milliseconds; 0 means never or unknown. */

struct failure_row {
    int64_t id;                     /* stream_events_log.id */
    int64_t received_at;
    char event_id[96];
    char company_number[32];
    char company_name[96];          /* from companies, when known */
    char error[256];
    int64_t attempts;               /* -1 when the queue row is unknown */
};

/* Whether the recorded ingester's process still runs, as far as the
 * reader can tell: only one on this host can be looked for. */
enum ingester_process { INGESTER_ELSEWHERE, INGESTER_RUNNING, INGESTER_GONE };

struct snap_connection {
    bool available;
    char why_unavailable[SNAP_REASON];
    bool have_state;                /* streamtop's stream_state row exists */
    char stream_type[32];
    char status[16];                /* the seed's connection_status */
    char state[16];                 /* disconnected/connecting/connected/backoff/error */
    enum conn_state conn;           /* state, parsed */
    int64_t state_since;
    char endpoint[256];
    int64_t connected_since;
    int64_t next_attempt_at;
    int64_t last_event_at;
    int64_t last_heartbeat_at;
    int64_t last_timepoint;         /* -1 when none */
    char last_event_id[96];
    int64_t last_processed_at;      /* the seed's last_processed_timestamp */
    int64_t last_published_at;      /* of the newest event: lag = now - this */
    bool caught_up;                 /* connected, a heartbeat came after the newest
                                       event and nothing received waits: no lag */
    int64_t reconnects;
    int64_t error_count;
    int64_t timepoint_gaps;
    char last_error[512];
    int64_t updated_at;
    int64_t ingester_pid;           /* 0 when none recorded */
    char ingester_host[64];
    int64_t ingester_started_at;
    int64_t ingester_seen_at;       /* its last commit */
    enum ingester_process ingester_process;
    int64_t write_lock_pid;         /* another process holding the write lock
                                       as the snapshot was taken, or 0 */
    char write_lock_name[32];       /* its name, on this host */
};

struct snap_throughput {
    bool available;
    char why_unavailable[SNAP_REASON];
    bool have_totals;               /* stream_state counters */
    double rate_now, rate_1m, rate_15m;           /* events received per second; now
                                                     from counter readings (rates.h) */
    double spark[SNAP_SPARK_MINUTES];             /* per minute, oldest first */
    int spark_len;
    int64_t received, changed, deleted, invalid, repeated;
    int64_t processed, failed, superseded, bytes;
};

#define SNAP_KIND_ROWS 64

/* One kind of error (error_kind.h) and its failures. */
struct failure_kind {
    char kind[128];
    int64_t count;
    int64_t newest_at, oldest_at;
};

struct snap_failures {
    bool available;
    char why_unavailable[SNAP_REASON];
    int64_t count;                  /* every failed event */
    int64_t matching;               /* those matching the filter */
    struct failure_row rows[SNAP_FAILURE_ROWS];   /* newest first */
    int nrows;
    int rows_above;                 /* rows[0 .. rows_above-1] are newer than the anchor */
    int64_t newer;                  /* matching failures newer than rows[0] (list position) */
    struct failure_kind kinds[SNAP_KIND_ROWS];   /* when grouped: most frequent first */
    int nkinds;
    int64_t other_kinds;            /* failures of kinds beyond the table */
};

struct snap_queue {
    bool available;
    char why_unavailable[SNAP_REASON];
    int64_t pending, processing;    /* the retry queue */
    int64_t oldest_pending_at;      /* when the oldest pending row was queued or re-queued */
    bool buffered_known;            /* the ingester reported its buffer recently */
    int64_t buffered;               /* received, held in memory, not yet stored */
    double drain_rate;              /* events applied or failed per second, now */
    int64_t backlog;                /* buffered + pending + processing */
    int64_t eta_s;                  /* backlog / drain_rate; -1: not behind, or not draining */
    double process_rate;            /* events applied per second, last minute */
    double spark[SNAP_SPARK_MINUTES];   /* depth, per minute, oldest first */
    int spark_len;
};

struct snap_metric {
    char name[64];
    double value;
    char tags[160];
    int64_t interval_ms;            /* from the tags; 0 when they do not say */
    int64_t recorded_at;
};

struct snap_metrics {
    bool available;
    char why_unavailable[SNAP_REASON];
    struct snap_metric rows[SNAP_METRIC_ROWS];   /* newest value of each name, by name */
    int nrows;
};

/* What the failures list should hold: a window around the page the
 * operator is looking at, found by keyset paging on the log id so that any
 * page of 100,000 failures costs the same as the first. */
struct failure_window {
    int64_t anchor_id;              /* rows from this id down; 0 = the newest */
    bool oldest;                    /* instead: the oldest rows (End) */
    int above;                      /* also this many rows newer than the anchor */
    int rows;                       /* this many from the anchor down */
};

/* The HTTP API's last hour and the webhooks' delivery health (migration
 * 14), shown on a line of the Connection pane. */
struct api_activity {
    int64_t requests, refused;      /* in the last hour; refused: 4xx and 5xx */
    int64_t server_errors;          /* of those refused, 5xx */
    int64_t last_at;
};

struct webhook_health {
    int64_t pending;                /* deliveries not yet acknowledged */
    int64_t active, failing, inactive;
};

struct snap_integrations {
    bool available;
    struct api_activity api;
    struct webhook_health hooks;
};

/* What one retention pass removed (maintain.h). */
struct maintenance_counts {
    int64_t search_cache_removed;
    int64_t metrics_rolled_up;      /* raw samples folded into hourly rows */
    int64_t metrics_hourly_rows;    /* the hourly rows written for them */
    int64_t metrics_removed;        /* samples of any resolution past retention */
    int64_t events_removed;         /* processed stream_events_log rows */
    int64_t queue_removed;          /* their done processing_queue rows */
    int64_t access_log_removed;     /* api_access_log rows past 7 days */
};

struct snap_maintenance {
    bool available;                 /* the database records passes (migration 13) */
    bool have_pass;
    int64_t started_at, finished_at;
    char run_by[16];                /* "maintain" or "ingester" */
    struct maintenance_counts removed;
    int64_t db_bytes;               /* the database file's pages */
    int64_t free_bytes;             /* of which on the freelist, reused before the file grows */
};

/* The newest verified backup, when a backup directory is configured
 * (backup.h); read from the directory, not the database. */
struct snap_backup {
    bool configured;
    char dir[256];
    bool readable;                  /* the directory could be listed */
    char why_unreadable[SNAP_REASON];
    bool found;
    int64_t newest_at;
    int64_t max_age_ms;             /* older than this is unhealthy */
    int leftovers;                  /* temporary files of backups whose process is gone */
    int future;                     /* newer backups dated after now: their age is unknown */
    int damaged;                    /* newer backups whose size is not their manifest's */
};

#endif
