/* `streamtop keys`: the HTTP API's keys.  create prints the key once; only
 * its SHA-256 is stored, so a lost key is revoked and replaced. */
#include "config.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api_key.h"
#include "commands.h"
#include "schema.h"
#include "store_api.h"
#include "textsafe.h"
#include "timeutil.h"

static int create_key(struct db *db, const struct options *o, struct err *e)
{
    struct api_key_row k = {0};
    char key[API_KEY_LEN + 1];
    unsigned perms;
    if (api_key_parse_permissions(o->permissions, &perms, e) < 0)
        return 2;
    if (strlen(o->action_arg) >= sizeof k.name)
        return err_set(e, "keys create: the name is longer than %zu bytes", sizeof k.name - 1), 2;
    for (const char *c = o->action_arg; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return err_set(e, "keys create: the name holds a control character"), 2;
    snprintf(k.name, sizeof k.name, "%s", o->action_arg);
    api_key_permissions_json(perms, k.permissions, sizeof k.permissions);
    k.rate_limit_per_hour = o->rate_limit;
    if (api_key_generate(key, k.id, e) < 0 || api_key_hash(key, strlen(key), k.key_hash, e) < 0 ||
        store_api_key_insert(db, &k, e) < 0) {
        OPENSSL_cleanse(key, sizeof key);
        return EXIT_FAILURE;
    }
    printf("%s\n", key);
    fprintf(stderr, "streamtop: key %s (%s) created; it is shown only this once\n", k.id,
            k.permissions);
    OPENSSL_cleanse(key, sizeof key);
    return EXIT_SUCCESS;
}

static int print_key(void *ctx, const struct api_key_row *k)
{
    char name[128], perms[128], created[ISO_TIME_LEN], used[ISO_TIME_LEN];
    (void)ctx;
    textsafe_str(name, sizeof name, k->name, TEXTSAFE_ASCII);
    textsafe_str(perms, sizeof perms, k->permissions, TEXTSAFE_ASCII);
    char limit[24] = "none";
    if (k->rate_limit_per_hour > 0)
        snprintf(limit, sizeof limit, "%lld/h", (long long)k->rate_limit_per_hour);
    printf("%-14s %-8s %-24s %-9s %-24s %-24s %s\n", k->id, k->active ? "active" : "revoked",
           perms, limit, k->created_at ? time_format_iso(k->created_at, created) : "-",
           k->last_used_at ? time_format_iso(k->last_used_at, used) : "never", name);
    return 0;
}

static int list_keys(struct db *db, struct err *e)
{
    printf("%-14s %-8s %-24s %-9s %-24s %-24s %s\n", "ID", "STATE", "PERMISSIONS", "LIMIT",
           "CREATED", "LAST USED", "NAME");
    return store_api_keys_each(db, print_key, NULL, e) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* An operator revoking a leaked key may paste the key itself: it names
 * its own id, and it is never repeated in a message. */
static int id_of_key(struct db *db, const char *key, char id[API_KEY_ID_LEN + 1], struct err *e)
{
    char hash[API_KEY_HASH_LEN + 1];
    struct api_key_row k;
    bool found;
    if (api_key_hash(key, strlen(key), hash, e) < 0 || store_api_key_find(db, hash, &k, &found, e) < 0)
        return -1;
    if (!found)
        return err_set(e, "keys revoke: that is not a key of this database (it is not repeated "
                          "here); give the id from `streamtop keys list`"), -1;
    snprintf(id, API_KEY_ID_LEN + 1, "%.*s", API_KEY_ID_LEN, k.id);
    return 0;
}

static int revoke_key(struct db *db, const char *arg, struct err *e)
{
    char pasted[API_KEY_ID_LEN + 1];
    const char *id = arg;
    if (strlen(arg) > API_KEY_ID_LEN && strncmp(arg, API_KEY_PREFIX, strlen(API_KEY_PREFIX)) == 0) {
        if (id_of_key(db, arg, pasted, e) < 0)
            return EXIT_FAILURE;
        id = pasted;
    }
    bool found;
    if (store_api_key_revoke(db, id, &found, e) < 0)
        return EXIT_FAILURE;
    if (!found)
        return err_set(e, "no API key with id '%s' (see `streamtop keys list`)", id), EXIT_FAILURE;
    printf("revoked %s\n", id);
    return EXIT_SUCCESS;
}

int cmd_keys(const struct options *o)
{
    struct db *db;
    struct err e;
    if (access(o->db_path, F_OK) < 0) {
        fprintf(stderr, "streamtop: %s: no such database\n", o->db_path);
        return EXIT_FAILURE;
    }
    bool listing = strcmp(o->action, "list") == 0;
    if (schema_open_current(o->db_path, listing ? DB_READ_ONLY : DB_READ_WRITE, &db, &e) < 0) {
        fprintf(stderr, "streamtop: %s\n", e.msg);
        return EXIT_FAILURE;
    }
    int rc = listing                             ? list_keys(db, &e)
             : strcmp(o->action, "create") == 0 ? create_key(db, o, &e)
                                                 : revoke_key(db, o->action_arg, &e);
    db_close(db);
    if (rc != EXIT_SUCCESS)
        fprintf(stderr, "streamtop: %s\n", e.msg);
    return rc;
}
