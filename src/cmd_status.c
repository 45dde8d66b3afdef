/* `streamtop status`: one snapshot, printed for a person or as JSON, with
 * an exit status a monitoring check can use (0 healthy, 1 not). */
#include "config.h"

#include <cjson/cJSON.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "health.h"
#include "humanfmt.h"
#include "metric_names.h"
#include "schema.h"
#include "snapshot.h"
#include "textsafe.h"
#include "timeutil.h"

struct status_report {
    const char *db_path;
    const struct snapshot *snap;
    struct strlist missing, warnings, problems;
    bool healthy;
};

/* ---- text ---- */

static enum textsafe_charset out_charset;

/* Stream text made safe for the terminal; a static buffer per call site
 * slot, so several may appear in one printf. */
static const char *safe(const char *text, int slot)
{
    static char bufs[4][1024];
    textsafe_str(bufs[slot], sizeof bufs[slot], text, out_charset);
    return bufs[slot];
}

static const char *age_of(int64_t now, int64_t at, char buf[HUMAN_LEN])
{
    return at ? human_age((now - at) / 1000, buf) : "never";
}

static void print_connection(const struct snapshot *s)
{
    const struct snap_connection *c = &s->connection;
    char a[HUMAN_LEN], b[HUMAN_LEN], d[HUMAN_LEN];
    if (!c->available) {
        printf("connection  unavailable: %s\n", safe(c->why_unavailable, 0));
        return;
    }
    printf("connection  %s", conn_state_name(c->conn));
    if (c->endpoint[0])
        printf(" %s %s", c->conn == CONN_CONNECTED ? "to" : "from", safe(c->endpoint, 1));
    if (c->conn == CONN_CONNECTED && c->connected_since)
        printf(" for %s", human_duration((s->taken_at - c->connected_since) / 1000, a));
    if (c->conn == CONN_BACKOFF && c->next_attempt_at)
        printf(", next try in %s", human_duration((c->next_attempt_at - s->taken_at + 999) / 1000, a));
    printf("\n            last event %s, heartbeat %s", age_of(s->taken_at, c->last_event_at, a),
           age_of(s->taken_at, c->last_heartbeat_at, b));
    if (c->last_timepoint >= 0)
        printf(", timepoint %s", human_count(c->last_timepoint, d));
    if (c->caught_up)
        printf(", caught up");
    else if (c->last_published_at)
        printf(", lag %s", human_duration((s->taken_at - c->last_published_at) / 1000, a));
    printf("\n            reconnects %s, errors %s", human_count(c->reconnects, a),
           human_count(c->error_count, b));
    if (c->timepoint_gaps)
        printf(", possible gaps %s", human_count(c->timepoint_gaps, d));
    printf("\n");
    if (c->last_error[0])
        printf("            last error: %s\n", safe(c->last_error, 0));
    if (c->ingester_pid > 0)
        printf("            ingester pid %lld on %s, seen %s\n", (long long)c->ingester_pid,
               safe(c->ingester_host, 0), age_of(s->taken_at, c->ingester_seen_at, a));
    if (c->write_lock_pid > 0)
        printf("            write lock held by process %lld (%s)\n", (long long)c->write_lock_pid,
               safe(c->write_lock_name, 0));
}

static void print_throughput(const struct snap_throughput *t)
{
    char a[HUMAN_LEN], b[HUMAN_LEN], c[HUMAN_LEN], d[HUMAN_LEN], f[HUMAN_LEN];
    if (!t->available) {
        printf("throughput  unavailable: %s\n", safe(t->why_unavailable, 0));
        return;
    }
    printf("throughput  %s now, %s over 1m, %s over 15m\n", human_rate(t->rate_now, a),
           human_rate(t->rate_1m, b), human_rate(t->rate_15m, c));
    if (t->have_totals)
        printf("            %s received: %s changed, %s deleted, %s invalid, %s repeated\n",
               human_count(t->received, a), human_count(t->changed, b), human_count(t->deleted, c),
               human_count(t->invalid, d), human_count(t->repeated, f));
}

static void print_failures(const struct snapshot *s)
{
    const struct snap_failures *f = &s->failures;
    char a[HUMAN_LEN], b[HUMAN_LEN];
    if (!f->available) {
        printf("failures    unavailable: %s\n", safe(f->why_unavailable, 0));
        return;
    }
    printf("failures    %s failed\n", human_count(f->count, a));
    for (int i = 0; i < f->nrows; i++) {
        const struct failure_row *r = &f->rows[i];
        printf("            %-8s %s%s%s%s%s: %s", age_of(s->taken_at, r->received_at, a),
               safe(r->event_id, 0), r->company_number[0] ? " " : "", safe(r->company_number, 1),
               r->company_name[0] ? " " : "", safe(r->company_name, 2), safe(r->error, 3));
        if (r->attempts >= 0)
            printf(" (%s attempt%s)", human_count(r->attempts, b), r->attempts == 1 ? "" : "s");
        printf("\n");
    }
    if (f->count > f->nrows)
        printf("            ... and %s more\n", human_count(f->count - f->nrows, a));
}

static void print_queue(const struct snapshot *s)
{
    const struct snap_queue *q = &s->queue;
    char a[HUMAN_LEN], b[HUMAN_LEN], c[HUMAN_LEN];
    if (!q->available) {
        printf("queue       unavailable: %s\n", safe(q->why_unavailable, 0));
        return;
    }
    if (q->buffered_known)
        printf("queue       %s received, not stored; ", human_count(q->buffered, a));
    else
        printf("queue       ");
    printf("retry %s pending, %s processing", human_count(q->pending, a),
           human_count(q->processing, b));
    if (q->oldest_pending_at)
        printf(", oldest %s", human_duration((s->taken_at - q->oldest_pending_at) / 1000, c));
    printf("\n            draining %s", human_rate(q->drain_rate, a));
    if (q->backlog > 0)
        printf(", %s behind, %s%s", human_count(q->backlog, b), q->eta_s < 0 ? "not draining" : "done in ",
               q->eta_s < 0 ? "" : human_duration(q->eta_s, c));
    printf("; applied %s over 1m\n", human_rate(q->process_rate, a));
}

static void print_metrics(const struct snapshot *s)
{
    const struct snap_metrics *m = &s->metrics;
    char a[HUMAN_LEN];
    if (!m->available) {
        printf("metrics     unavailable: %s\n", safe(m->why_unavailable, 0));
        return;
    }
    if (m->nrows == 0)
        printf("metrics     none recorded\n");
    for (int i = 0; i < m->nrows; i++) {
        char value[48], kind[24];
        metric_value_text(m->rows[i].name, m->rows[i].value, value, sizeof value);
        metric_kind_text(m->rows[i].name, m->rows[i].interval_ms, kind, sizeof kind);
        printf("%s%-20s %14s %-6s  %s\n", i == 0 ? "metrics     " : "            ",
               safe(m->rows[i].name, 0), safe(value, 1), kind,
               age_of(s->taken_at, m->rows[i].recorded_at, a));
    }
}

static void print_maintenance(const struct snapshot *s)
{
    const struct snap_maintenance *m = &s->maintenance;
    char a[HUMAN_LEN], b[HUMAN_LEN], c[HUMAN_LEN], d[HUMAN_LEN], f[HUMAN_LEN];
    printf("database    %s, %s free for reuse\n", human_bytes(m->db_bytes, a),
           human_bytes(m->free_bytes, b));
    if (!m->available)
        return;
    if (!m->have_pass) {
        printf("maintained  never\n");
        return;
    }
    const struct maintenance_counts *r = &m->removed;
    char g[HUMAN_LEN];
    printf("maintained  %s by %s: removed %s events, %s metric samples, %s cached searches, "
           "%s API requests; rolled up %s samples\n", age_of(s->taken_at, m->finished_at, a),
           safe(m->run_by, 0), human_count(r->events_removed, b), human_count(r->metrics_removed, c),
           human_count(r->search_cache_removed, d), human_count(r->access_log_removed, g),
           human_count(r->metrics_rolled_up, f));
}

static void print_backup(const struct snapshot *s)
{
    const struct snap_backup *b = &s->backup;
    char a[HUMAN_LEN];
    if (!b->configured)
        return;
    if (!b->readable)
        printf("backup      unreadable: %s\n", safe(b->why_unreadable, 0));
    else if (!b->found)
        printf("backup      none verified in %s\n", safe(b->dir, 0));
    else
        printf("backup      newest verified %s in %s\n", age_of(s->taken_at, b->newest_at, a),
               safe(b->dir, 1));
    if (b->readable && b->future > 0)
        printf("backup      %d newer backup%s dated in the future (clock skew?): age unknown, "
               "not counted\n", b->future, b->future == 1 ? "" : "s");
    if (b->readable && b->damaged > 0)
        printf("backup      %d newer backup%s not the size %s manifest says: not counted "
               "(backup --verify says more)\n",
               b->damaged, b->damaged == 1 ? "" : "s", b->damaged == 1 ? "its" : "their");
    if (b->readable && b->leftovers > 0)
        printf("backup      %d leftover temporary file%s of an interrupted backup in %s "
               "(the next backup removes them)\n",
               b->leftovers, b->leftovers == 1 ? "" : "s", safe(b->dir, 1));
}

/* Shown once the integration tables exist (migration 14), whether or not
 * the API or any hook is in use, so "nothing" reads as nothing. */
static void print_integrations(const struct snapshot *s)
{
    const struct snap_integrations *g = &s->integrations;
    const struct api_activity *api = &g->api;
    const struct webhook_health *h = &g->hooks;
    char a[HUMAN_LEN], b[HUMAN_LEN], c[HUMAN_LEN], d[HUMAN_LEN];
    if (!g->available)
        return;
    if (api->requests == 0)
        printf("api         no requests in the last hour\n");
    else
        printf("api         last request %s; %s request%s in the last hour, %s 4xx, %s 5xx\n",
               age_of(s->taken_at, api->last_at, a), human_count(api->requests, b),
               api->requests == 1 ? "" : "s", human_count(api->refused - api->server_errors, c),
               human_count(api->server_errors, d));
    if (h->active + h->inactive == 0) {
        printf("webhooks    none\n");
        return;
    }
    printf("webhooks    %s active, %s failing, %s deactivated; ", human_count(h->active, a),
           human_count(h->failing, b), human_count(h->inactive, c));
    printf("%s pending\n", human_count(h->pending, a));
}

static void print_list(const char *label, const struct strlist *l)
{
    for (size_t i = 0; i < l->count; i++)
        printf("%-11s %s\n", i == 0 ? label : "", safe(l->items[i], 0));
}

static void print_text(const struct status_report *r)
{
    const struct snapshot *s = r->snap;
    const char *codeset = nl_langinfo(CODESET);
    out_charset = codeset && strcmp(codeset, "UTF-8") == 0 ? TEXTSAFE_UTF8 : TEXTSAFE_ASCII;
    printf("streamtop   %s (", safe(r->db_path, 0));
    if (s->schema_tracked)
        printf("schema %d)\n", s->schema_version);
    else
        printf("not migrated by streamtop)\n");
    print_connection(s);
    print_throughput(&s->throughput);
    print_failures(s);
    print_queue(s);
    print_metrics(s);
    print_maintenance(s);
    print_backup(s);
    print_integrations(s);
    print_list("missing", &r->missing);
    print_list("warning", &r->warnings);
    if (r->healthy)
        printf("health      ok\n");
    else
        print_list("unhealthy", &r->problems);
}

/* ---- JSON ---- */

static cJSON *json_text(const char *text)
{
    char *clean = textsafe_utf8_dup(text, strlen(text));
    cJSON *v = clean ? cJSON_CreateString(clean) : cJSON_CreateNull();
    free(clean);
    return v;
}

static void add_text(cJSON *o, const char *key, const char *text)
{
    cJSON_AddItemToObject(o, key, text && *text ? json_text(text) : cJSON_CreateNull());
}

static void add_time(cJSON *o, const char *key, int64_t ms)
{
    char buf[ISO_TIME_LEN];
    if (ms)
        cJSON_AddStringToObject(o, key, time_format_iso(ms, buf));
    else
        cJSON_AddNullToObject(o, key);
}

static cJSON *section(cJSON *root, const char *key, bool available, const char *why)
{
    cJSON *o = cJSON_AddObjectToObject(root, key);
    cJSON_AddBoolToObject(o, "available", available);
    if (!available)
        add_text(o, "unavailable_because", why);
    return o;
}

static cJSON *json_list(const struct strlist *l)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; i < l->count; i++)
        cJSON_AddItemToArray(a, json_text(l->items[i]));
    return a;
}

static void json_connection(cJSON *root, const struct snapshot *s)
{
    const struct snap_connection *c = &s->connection;
    cJSON *o = section(root, "connection", c->available, c->why_unavailable);
    if (!c->available)
        return;
    add_text(o, "stream_type", c->stream_type);
    add_text(o, "state", c->state);
    add_text(o, "connection_status", c->status);
    add_time(o, "state_since", c->state_since);
    add_text(o, "endpoint", c->endpoint);
    add_time(o, "connected_since", c->connected_since);
    add_time(o, "next_attempt_at", c->next_attempt_at);
    add_time(o, "last_event_at", c->last_event_at);
    add_time(o, "last_heartbeat_at", c->last_heartbeat_at);
    if (c->last_timepoint >= 0)
        cJSON_AddNumberToObject(o, "last_timepoint", (double)c->last_timepoint);
    else
        cJSON_AddNullToObject(o, "last_timepoint");
    add_text(o, "last_event_id", c->last_event_id);
    add_time(o, "last_processed_at", c->last_processed_at);
    add_time(o, "last_published_at", c->last_published_at);
    if (c->caught_up)
        cJSON_AddNumberToObject(o, "lag_seconds", 0);
    else if (c->last_published_at)
        cJSON_AddNumberToObject(o, "lag_seconds", (double)(s->taken_at - c->last_published_at) / 1e3);
    else
        cJSON_AddNullToObject(o, "lag_seconds");
    cJSON_AddBoolToObject(o, "caught_up", c->caught_up);
    cJSON_AddNumberToObject(o, "reconnects", (double)c->reconnects);
    cJSON_AddNumberToObject(o, "error_count", (double)c->error_count);
    cJSON_AddNumberToObject(o, "timepoint_gaps", (double)c->timepoint_gaps);
    add_text(o, "last_error", c->last_error);
    if (c->ingester_pid > 0) {
        cJSON *ing = cJSON_AddObjectToObject(o, "ingester");
        cJSON_AddNumberToObject(ing, "pid", (double)c->ingester_pid);
        add_text(ing, "host", c->ingester_host);
        add_time(ing, "started_at", c->ingester_started_at);
        add_time(ing, "seen_at", c->ingester_seen_at);
    } else {
        cJSON_AddNullToObject(o, "ingester");
    }
    if (c->write_lock_pid > 0) {
        cJSON *lock = cJSON_AddObjectToObject(o, "write_lock_holder");
        cJSON_AddNumberToObject(lock, "pid", (double)c->write_lock_pid);
        add_text(lock, "name", c->write_lock_name);
    } else {
        cJSON_AddNullToObject(o, "write_lock_holder");
    }
}

static cJSON *json_spark(const double *v, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++)
        cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
    return a;
}

static void json_throughput(cJSON *root, const struct snap_throughput *t)
{
    cJSON *o = section(root, "throughput", t->available, t->why_unavailable);
    if (!t->available)
        return;
    cJSON_AddNumberToObject(o, "rate_now", t->rate_now);
    cJSON_AddNumberToObject(o, "rate_1m", t->rate_1m);
    cJSON_AddNumberToObject(o, "rate_15m", t->rate_15m);
    cJSON_AddItemToObject(o, "per_minute", json_spark(t->spark, t->spark_len));
    if (!t->have_totals) {
        cJSON_AddNullToObject(o, "totals");
        return;
    }
    cJSON *tot = cJSON_AddObjectToObject(o, "totals");
    const struct { const char *name; int64_t v; } totals[] = {
        {"received", t->received},   {"changed", t->changed},     {"deleted", t->deleted},
        {"invalid", t->invalid},     {"repeated", t->repeated},   {"processed", t->processed},
        {"failed", t->failed},       {"superseded", t->superseded}, {"bytes", t->bytes},
    };
    for (size_t i = 0; i < sizeof totals / sizeof totals[0]; i++)
        cJSON_AddNumberToObject(tot, totals[i].name, (double)totals[i].v);
}

static void json_failures(cJSON *root, const struct snap_failures *f)
{
    cJSON *o = section(root, "failures", f->available, f->why_unavailable);
    if (!f->available)
        return;
    cJSON_AddNumberToObject(o, "count", (double)f->count);
    cJSON *rows = cJSON_AddArrayToObject(o, "recent");
    for (int i = 0; i < f->nrows; i++) {
        const struct failure_row *r = &f->rows[i];
        cJSON *row = cJSON_CreateObject();
        add_text(row, "event_id", r->event_id);
        add_time(row, "received_at", r->received_at);
        add_text(row, "company_number", r->company_number);
        add_text(row, "company_name", r->company_name);
        add_text(row, "error", r->error);
        if (r->attempts >= 0)
            cJSON_AddNumberToObject(row, "attempts", (double)r->attempts);
        else
            cJSON_AddNullToObject(row, "attempts");
        cJSON_AddItemToArray(rows, row);
    }
}

static void json_queue(cJSON *root, const struct snapshot *s)
{
    const struct snap_queue *q = &s->queue;
    cJSON *o = section(root, "queue", q->available, q->why_unavailable);
    if (!q->available)
        return;
    cJSON_AddNumberToObject(o, "pending", (double)q->pending);
    cJSON_AddNumberToObject(o, "processing", (double)q->processing);
    add_time(o, "oldest_pending_at", q->oldest_pending_at);
    if (q->buffered_known)
        cJSON_AddNumberToObject(o, "buffered", (double)q->buffered);
    else
        cJSON_AddNullToObject(o, "buffered");
    cJSON_AddNumberToObject(o, "drain_rate", q->drain_rate);
    cJSON_AddNumberToObject(o, "backlog", (double)q->backlog);
    if (q->eta_s >= 0)
        cJSON_AddNumberToObject(o, "eta_seconds", (double)q->eta_s);
    else
        cJSON_AddNullToObject(o, "eta_seconds");
    cJSON_AddNumberToObject(o, "process_rate", q->process_rate);
    cJSON_AddItemToObject(o, "depth_per_minute", json_spark(q->spark, q->spark_len));
}

static void json_metrics(cJSON *root, const struct snap_metrics *m)
{
    cJSON *o = section(root, "metrics", m->available, m->why_unavailable);
    if (!m->available)
        return;
    cJSON *rows = cJSON_AddArrayToObject(o, "recent");
    for (int i = 0; i < m->nrows; i++) {
        cJSON *row = cJSON_CreateObject();
        const char *unit;
        enum metric_kind kind = metric_kind_of(m->rows[i].name, &unit);
        add_text(row, "name", m->rows[i].name);
        cJSON_AddNumberToObject(row, "value", m->rows[i].value);
        add_text(row, "unit", unit);
        add_text(row, "kind", kind == METRIC_PER_INTERVAL ? "per_interval"
                              : kind == METRIC_GAUGE      ? "gauge" : NULL);
        if (m->rows[i].interval_ms > 0)
            cJSON_AddNumberToObject(row, "interval_ms", (double)m->rows[i].interval_ms);
        else
            cJSON_AddNullToObject(row, "interval_ms");
        cJSON *tags = cJSON_Parse(m->rows[i].tags);   /* tags are JSON when whole */
        cJSON_AddItemToObject(row, "tags", tags ? tags : json_text(m->rows[i].tags));
        add_time(row, "recorded_at", m->rows[i].recorded_at);
        cJSON_AddItemToArray(rows, row);
    }
}

static void json_maintenance(cJSON *root, const struct snap_maintenance *m)
{
    cJSON *o = cJSON_AddObjectToObject(root, "maintenance");
    cJSON_AddNumberToObject(o, "db_bytes", (double)m->db_bytes);
    cJSON_AddNumberToObject(o, "free_bytes", (double)m->free_bytes);
    if (!m->have_pass) {
        cJSON_AddNullToObject(o, "last_pass");
        return;
    }
    cJSON *p = cJSON_AddObjectToObject(o, "last_pass");
    add_time(p, "started_at", m->started_at);
    add_time(p, "finished_at", m->finished_at);
    add_text(p, "run_by", m->run_by);
    const struct maintenance_counts *c = &m->removed;
    const struct { const char *name; int64_t v; } counts[] = {
        {"search_cache_removed", c->search_cache_removed}, {"metrics_rolled_up", c->metrics_rolled_up},
        {"metrics_hourly_rows", c->metrics_hourly_rows}, {"metrics_removed", c->metrics_removed},
        {"events_removed", c->events_removed}, {"queue_removed", c->queue_removed},
        {"access_log_removed", c->access_log_removed},
    };
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        cJSON_AddNumberToObject(p, counts[i].name, (double)counts[i].v);
}

static void json_backup(cJSON *root, const struct snap_backup *b)
{
    if (!b->configured) {
        cJSON_AddNullToObject(root, "backup");
        return;
    }
    cJSON *o = cJSON_AddObjectToObject(root, "backup");
    add_text(o, "dir", b->dir);
    cJSON_AddBoolToObject(o, "readable", b->readable);
    add_time(o, "newest_at", b->found ? b->newest_at : 0);
    cJSON_AddNumberToObject(o, "leftover_temp_files", b->leftovers);
    cJSON_AddNumberToObject(o, "future_dated", b->future);
    cJSON_AddNumberToObject(o, "size_mismatch", b->damaged);
    cJSON_AddNumberToObject(o, "max_age_seconds", (double)(b->max_age_ms / 1000));
}

static void json_integrations(cJSON *root, const struct snap_integrations *g)
{
    if (!g->available) {
        cJSON_AddNullToObject(root, "integrations");
        return;
    }
    cJSON *o = cJSON_AddObjectToObject(root, "integrations");
    cJSON *api = cJSON_AddObjectToObject(o, "api");
    cJSON_AddNumberToObject(api, "requests_last_hour", (double)g->api.requests);
    cJSON_AddNumberToObject(api, "client_errors", (double)(g->api.refused - g->api.server_errors));
    cJSON_AddNumberToObject(api, "server_errors", (double)g->api.server_errors);
    add_time(api, "last_request_at", g->api.requests ? g->api.last_at : 0);
    cJSON *hooks = cJSON_AddObjectToObject(o, "webhooks");
    cJSON_AddNumberToObject(hooks, "active", (double)g->hooks.active);
    cJSON_AddNumberToObject(hooks, "failing", (double)g->hooks.failing);
    cJSON_AddNumberToObject(hooks, "deactivated", (double)g->hooks.inactive);
    cJSON_AddNumberToObject(hooks, "pending", (double)g->hooks.pending);
}

static char *report_json(const struct status_report *r)
{
    const struct snapshot *s = r->snap;
    cJSON *root = cJSON_CreateObject();
    cJSON *db = cJSON_AddObjectToObject(root, "database");
    add_text(db, "path", r->db_path);
    if (s->schema_tracked)
        cJSON_AddNumberToObject(db, "schema_version", s->schema_version);
    else
        cJSON_AddNullToObject(db, "schema_version");
    cJSON_AddItemToObject(db, "missing", json_list(&r->missing));
    cJSON_AddItemToObject(db, "warnings", json_list(&r->warnings));
    add_time(root, "taken_at", s->taken_at);
    cJSON_AddBoolToObject(root, "healthy", r->healthy);
    cJSON_AddItemToObject(root, "problems", json_list(&r->problems));
    json_connection(root, s);
    json_throughput(root, &s->throughput);
    json_failures(root, &s->failures);
    json_queue(root, s);
    json_metrics(root, &s->metrics);
    json_maintenance(root, &s->maintenance);
    json_backup(root, &s->backup);
    json_integrations(root, &s->integrations);
    char *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return text;
}

static int print_json(const struct status_report *r)
{
    char *text = report_json(r);
    if (!text)
        return -1;
    puts(text);
    cJSON_free(text);
    return 0;
}

/* ---- command ---- */

void status_snapshot_request(const char *backup_dir, int64_t backup_max_age_ms,
                             struct snapshot_request *req)
{
    *req = (struct snapshot_request){
        .stream_type = STREAM_TYPE, .failures.rows = STATUS_FAILURE_ROWS,
        .backup_dir = backup_dir, .backup_max_age_ms = backup_max_age_ms,
    };
}

/* What status adds to the snapshot: the schema's gaps and the verdict. */
static int judge(struct snapshot_reader *reader, struct status_report *r, struct err *e)
{
    struct db *db = snapshot_reader_db(reader);
    if (schema_missing(db, &r->missing, e) < 0 || schema_warnings(db, &r->warnings, e) < 0)
        return -1;
    r->healthy = health_judge(r->snap, &r->problems);
    return 0;
}

static void report_free(struct status_report *r)
{
    strlist_free(&r->missing);
    strlist_free(&r->warnings);
    strlist_free(&r->problems);
}

int status_json(struct snapshot_reader *reader, const char *db_path, const struct snapshot *snap,
                char **json, struct err *e)
{
    struct status_report r = {.db_path = db_path, .snap = snap};
    int rc = judge(reader, &r, e);
    if (rc == 0 && !(*json = report_json(&r)))
        rc = -1, err_set(e, "out of memory");
    report_free(&r);
    return rc;
}

int cmd_status(const struct options *o)
{
    struct snapshot_reader *reader;
    struct snapshot_request req;
    struct err e;
    struct snapshot *snap = malloc(sizeof *snap);   /* large: not on the stack */
    struct status_report report = {.db_path = o->db_path, .snap = snap}, *r = &report;
    int rc = EXIT_FAILURE;
    if (!snap) {
        fprintf(stderr, "streamtop: out of memory\n");
        return EXIT_FAILURE;
    }
    if (snapshot_reader_open(o->db_path, &reader, &e) < 0) {
        fprintf(stderr, "streamtop: %s\n", e.msg);
        free(snap);
        return EXIT_FAILURE;
    }
    status_snapshot_request(o->backup_dir, (int64_t)(o->backup_max_age_h * 3600000), &req);
    if (snapshot_fill(reader, &req, snap, &e) < 0 || judge(reader, r, &e) < 0) {
        fprintf(stderr, "streamtop: %s\n", e.msg);
    } else if (o->json ? print_json(r) < 0 : (print_text(r), 0)) {
        fprintf(stderr, "streamtop: out of memory\n");
    } else {
        rc = r->healthy ? EXIT_SUCCESS : EXIT_FAILURE;
    }
    if (fflush(stdout) != 0)
        rc = EXIT_FAILURE;
    snapshot_reader_close(reader);
    report_free(r);
    free(snap);
    return rc;
}
