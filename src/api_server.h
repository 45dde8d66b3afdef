/* api_server — the HTTP API on GNU libmicrohttpd (`streamtop serve`, and
 * `ingest` or the live dashboard with --listen).
 *
 * One thread of libmicrohttpd's answers requests, one at a time, so the
 * snapshot reader and the per-key rate limits need no locks.  Every
 * request needs `Authorization: Bearer KEY` of an active key (api_key.h);
 * past its rate_limit_per_hour it gets 429 with Retry-After.  Each request
 * is recorded in api_access_log, and a key's last_used_at kept, by a
 * thread of the server's that writes what accumulated about once a second
 * in one transaction.  The maintain pass (maintain.h) deletes log rows
 * older than 7 days. */
#ifndef STREAMTOP_API_SERVER_H
#define STREAMTOP_API_SERVER_H

#include <stdbool.h>
#include <sys/socket.h>

#include "db.h"
#include "err.h"

#define API_DEFAULT_LISTEN "127.0.0.1:8080"

struct api_listen {
    struct sockaddr_storage addr;
    socklen_t len;
    bool loopback;
};

/* "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:80": numeric addresses only. */
int api_listen_parse(const char *text, struct api_listen *out, struct err *e);

/* Refuses a non-loopback address while no active key could authenticate. */
int api_exposure_check(struct db *db, const struct api_listen *l, struct err *e);

struct api_config {
    const char *db_path;
    const struct api_listen *listen;
    const char *backup_dir;             /* NULL: no backup is judged (as status) */
    double backup_max_age_h;
};

struct api_server;

/* Opens its own connections to db_path (a writer for retries and the
 * access log, then a read-only snapshot reader) and starts answering. */
int api_server_start(const struct api_config *cfg, struct api_server **out, struct err *e);
/* "127.0.0.1:43121": where it listens, the port chosen when 0 was asked. */
const char *api_server_address(const struct api_server *s);
/* Stops answering and writes what the access log still holds. */
void api_server_stop(struct api_server *s);

#endif
