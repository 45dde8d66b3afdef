#include "config.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <stdio.h>
#include <string.h>

#include "namebits.h"
#include "randbytes.h"
#include "webhook.h"

static const char *const event_names[WH_EVENT_COUNT] = {
    [WH_DISCONNECTED] = "disconnected",   [WH_RECONNECTED] = "reconnected",
    [WH_TIMEPOINT_GAP] = "timepoint_gap", [WH_INGESTER_STOPPED] = "ingester_stopped",
    [WH_FATAL_ERROR] = "fatal_error",     [WH_FAILURES] = "failures",
    [WH_BACKUP_FAILED] = "backup_failed", [WH_TEST] = "test",
};

#define LISTED_EVENTS ((1u << WH_TEST) - 1)

const char *webhook_event_name(enum webhook_event ev)
{
    return event_names[ev];
}

/* The test event is sent by `webhooks test` only, never subscribed to. */
static const struct namebits listed = {event_names, WH_TEST};

int webhook_parse_events(const char *list, unsigned *mask, struct err *e)
{
    const char *bad;
    size_t len;
    if (strcmp(list, "all") == 0)
        return *mask = LISTED_EVENTS, 0;
    if (namebits_parse_list(&listed, list, mask, &bad, &len) < 0)
        return err_set(e, "--events: '%.*s' is not one of disconnected, reconnected, "
                          "timepoint_gap, ingester_stopped, fatal_error, failures, backup_failed, all",
                       (int)len, bad), -1;
    return 0;
}

void webhook_events_json(unsigned mask, char *buf, size_t size)
{
    namebits_json(&listed, mask, buf, size);
}

unsigned webhook_events_from_json(const char *json)
{
    return namebits_from_json(&listed, json);
}

int webhook_secret_generate(char out[WEBHOOK_SECRET_LEN + 1], struct err *e)
{
    unsigned char b[32];
    if (random_bytes(b, sizeof b, e) < 0)
        return -1;
    memcpy(out, WEBHOOK_SECRET_PREFIX, 6);
    EVP_EncodeBlock((unsigned char *)out + 6, b, sizeof b);
    OPENSSL_cleanse(b, sizeof b);
    return 0;
}

/* The key bytes of a secret; -1 when it is not whsec_ + base64. */
static int secret_key(const char *secret, unsigned char key[96], int *len)
{
    size_t n;
    if (strncmp(secret, WEBHOOK_SECRET_PREFIX, 6) != 0)
        return -1;
    secret += 6;
    n = strlen(secret);
    if (n == 0 || n % 4 != 0 || n > 128 || strspn(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") != n)
        return -1;
    int got = EVP_DecodeBlock(key, (const unsigned char *)secret, (int)n);
    if (got < 0)
        return -1;
    /* EVP_DecodeBlock counts the padding as zero bytes. */
    for (const char *p = secret + n; p > secret && p[-1] == '='; p--)
        got--;
    *len = got;
    return 0;
}

int webhook_secret_check(const char *text, struct err *e)
{
    unsigned char key[96];
    int len;
    if (secret_key(text, key, &len) < 0 || len < 24 || len > 64) {
        OPENSSL_cleanse(key, sizeof key);
        return err_set(e, "the secret is not whsec_ followed by base64 of 24 to 64 bytes"), -1;
    }
    OPENSSL_cleanse(key, sizeof key);
    return 0;
}

int webhook_sign(const char *secret, const char *msg_id, int64_t timestamp, const char *body,
                 size_t len, char out[WEBHOOK_SIGNATURE_LEN], struct err *e)
{
    unsigned char key[96], mac[EVP_MAX_MD_SIZE];
    unsigned maclen;
    int keylen;
    char head[96];
    if (secret_key(secret, key, &keylen) < 0)
        return err_set(e, "the webhook's secret is not whsec_ followed by base64"), -1;
    int hlen = snprintf(head, sizeof head, "%s.%lld.", msg_id, (long long)timestamp);
    EVP_MAC *m = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *mc = m ? EVP_MAC_CTX_new(m) : NULL;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", "SHA256", 0), OSSL_PARAM_construct_end()};
    size_t outl = 0;
    int ok = mc && EVP_MAC_init(mc, key, (size_t)keylen, params) &&
             EVP_MAC_update(mc, (const unsigned char *)head, (size_t)hlen) &&
             EVP_MAC_update(mc, (const unsigned char *)body, len) &&
             EVP_MAC_final(mc, mac, &outl, sizeof mac);
    maclen = (unsigned)outl;
    EVP_MAC_CTX_free(mc);
    EVP_MAC_free(m);
    OPENSSL_cleanse(key, sizeof key);
    if (!ok || maclen != 32)
        return err_set(e, "HMAC-SHA256 failed in libcrypto"), -1;
    memcpy(out, "v1,", 3);
    EVP_EncodeBlock((unsigned char *)out + 3, mac, (int)maclen);
    return 0;
}

int webhook_msg_id(char out[40], struct err *e)
{
    unsigned char b[16];
    static const char digits[] = "0123456789abcdef";
    if (random_bytes(b, sizeof b, e) < 0)
        return -1;
    memcpy(out, "msg_", 4);
    for (size_t i = 0; i < sizeof b; i++) {
        out[4 + 2 * i] = digits[b[i] >> 4];
        out[5 + 2 * i] = digits[b[i] & 15];
    }
    out[4 + 2 * sizeof b] = '\0';
    return 0;
}

int64_t webhook_retry_delay_ms(int attempts, int64_t base_ms, double rnd)
{
    int64_t d = base_ms, cap = base_ms * 480;
    for (int i = 1; i < attempts && d < cap; i++)
        d *= 2;
    if (d > cap)
        d = cap;
    return (int64_t)((double)d * (0.75 + 0.5 * rnd));
}
