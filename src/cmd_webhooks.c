/* `streamtop webhooks`: the hooks the ingester calls when something goes
 * wrong.  add prints the signing secret when it made one; test sends one
 * signed message now and says what the receiver answered. */
#include "config.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "schema.h"
#include "curl_api.h"
#include "notifier.h"
#include "store_webhooks.h"
#include "textsafe.h"
#include "timeutil.h"

/* The secret from an owner-only file, trimmed. */
static int read_secret(const char *path, char *out, size_t size, struct err *e)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(e, "--secret-file %s: %s", path, strerror(errno)), -1;
    if (fstat(fd, &st) < 0 || (st.st_mode & 077)) {
        close(fd);
        return err_set(e, "--secret-file %s: readable by others; chmod 600 it", path), -1;
    }
    ssize_t n = read(fd, out, size - 1);
    close(fd);
    if (n < 0)
        return err_set(e, "--secret-file %s: %s", path, strerror(errno)), -1;
    while (n > 0 && isspace((unsigned char)out[n - 1]))
        n--;
    out[n] = '\0';
    if (webhook_secret_check(out, e) < 0) {
        OPENSSL_cleanse(out, size);
        return err_wrap(e, "--secret-file %s", path), -1;
    }
    return 0;
}

static int check_url(const char *url, struct err *e)
{
    if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0)
        return err_set(e, "webhooks add: '%s' is not an http:// or https:// URL", url), -1;
    if (strlen(url) > 2048)
        return err_set(e, "webhooks add: the URL is longer than 2048 bytes"), -1;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return err_set(e, "webhooks add: the URL holds a space or control character"), -1;
    return 0;
}

static int add_hook(struct db *db, const struct options *o, struct err *e)
{
    struct webhook_row w = {0};
    unsigned mask;
    char id[40];
    if (check_url(o->action_arg, e) < 0 || webhook_parse_events(o->events, &mask, e) < 0 ||
        (o->secret_file && read_secret(o->secret_file, w.secret, sizeof w.secret, e) < 0))
        return 2;
    if (!o->secret_file && webhook_secret_generate(w.secret, e) < 0)
        return EXIT_FAILURE;
    if (webhook_msg_id(id, e) < 0)
        return EXIT_FAILURE;
    snprintf(w.id, sizeof w.id, "wh_%.8s", id + 4);
    snprintf(w.url, sizeof w.url, "%s", o->action_arg);
    webhook_events_json(mask, w.events, sizeof w.events);
    int rc = store_webhook_insert(db, &w, e) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
    if (rc == EXIT_SUCCESS) {
        printf("%s\n", w.id);
        if (!o->secret_file)
            printf("%s\n", w.secret);
        fprintf(stderr, "streamtop: webhook %s added for %s%s\n", w.id, w.events,
                o->secret_file ? "" : "; its signing secret is shown only this once");
    }
    OPENSSL_cleanse(w.secret, sizeof w.secret);
    return rc;
}

static int print_hook(void *ctx, const struct webhook_row *w)
{
    char url[256], events[256], last[ISO_TIME_LEN];
    (void)ctx;
    textsafe_str(url, sizeof url, w->url, TEXTSAFE_ASCII);
    textsafe_str(events, sizeof events, w->events, TEXTSAFE_ASCII);
    printf("%-12s %-11s %8lld %8lld %-24s %s %s\n", w->id, w->active ? "active" : "deactivated",
           (long long)w->pending, (long long)w->failure_count,
           w->last_triggered_at ? time_format_iso(w->last_triggered_at, last) : "never", url, events);
    return 0;
}

static int list_hooks(struct db *db, struct err *e)
{
    printf("%-12s %-11s %8s %8s %-24s %s %s\n", "ID", "STATE", "PENDING", "FAILURES", "LAST TRIGGERED",
           "URL", "EVENTS");
    return store_webhooks_each(db, false, print_hook, NULL, e) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

static int remove_hook(struct db *db, const char *id, struct err *e)
{
    bool found;
    if (store_webhook_remove(db, id, &found, e) < 0)
        return EXIT_FAILURE;
    if (!found)
        return err_set(e, "no webhook with id '%s' (see `streamtop webhooks list`)", id), EXIT_FAILURE;
    printf("removed %s\n", id);
    return EXIT_SUCCESS;
}

static int test_hook(struct db *db, const char *id, struct err *e)
{
    struct webhook_row w;
    bool found;
    char msg_id[40];
    long status;
    const struct curl_api *c;
    if (store_webhook_get(db, id, &w, &found, e) < 0)
        return EXIT_FAILURE;
    if (!found)
        return err_set(e, "no webhook with id '%s' (see `streamtop webhooks list`)", id), EXIT_FAILURE;
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "webhook", w.id);
    char *body = webhook_payload(WH_TEST, d);
    if (!body)
        return err_set(e, "out of memory"), EXIT_FAILURE;
    int rc = (c = curl_api_load(e)) && webhook_msg_id(msg_id, e) == 0 &&
             webhook_post(c, w.url, w.secret, msg_id, body, &status, e) == 0;
    free(body);
    OPENSSL_cleanse(w.secret, sizeof w.secret);
    if (!rc)
        return err_wrap(e, "webhook %s", id), EXIT_FAILURE;
    printf("delivered %s to %s: HTTP %ld\n", msg_id, id, status);
    return EXIT_SUCCESS;
}

int cmd_webhooks(const struct options *o)
{
    struct db *db;
    struct err e;
    if (access(o->db_path, F_OK) < 0) {
        fprintf(stderr, "streamtop: %s: no such database\n", o->db_path);
        return EXIT_FAILURE;
    }
    bool reading = strcmp(o->action, "list") == 0 || strcmp(o->action, "test") == 0;
    if (schema_open_current(o->db_path, reading ? DB_READ_ONLY : DB_READ_WRITE, &db, &e) < 0) {
        fprintf(stderr, "streamtop: %s\n", e.msg);
        return EXIT_FAILURE;
    }
    int rc = strcmp(o->action, "add") == 0    ? add_hook(db, o, &e)
             : strcmp(o->action, "list") == 0 ? list_hooks(db, &e)
             : strcmp(o->action, "test") == 0 ? test_hook(db, o->action_arg, &e)
                                              : remove_hook(db, o->action_arg, &e);
    db_close(db);
    if (rc != EXIT_SUCCESS)
        fprintf(stderr, "streamtop: %s\n", e.msg);
    return rc;
}
