#include "config.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

#include "api_key.h"
#include "namebits.h"
#include "randbytes.h"

/* In bit order: API_PERM_READ, API_PERM_WRITE, API_PERM_ADMIN. */
static const char *const perm_names[] = {"read", "write", "admin"};
static const struct namebits perms_table = {perm_names, sizeof perm_names / sizeof perm_names[0]};

static void to_hex(const unsigned char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

int api_key_generate(char key[API_KEY_LEN + 1], char id[API_KEY_ID_LEN + 1], struct err *e)
{
    unsigned char b[4 + 32];
    char hex[2 * sizeof b + 1];
    if (random_bytes(b, sizeof b, e) < 0)
        return -1;
    to_hex(b, sizeof b, hex);
    snprintf(id, API_KEY_ID_LEN + 1, API_KEY_PREFIX "%.8s", hex);
    snprintf(key, API_KEY_LEN + 1, "%s_%s", id, hex + 8);
    OPENSSL_cleanse(b, sizeof b);
    OPENSSL_cleanse(hex, sizeof hex);
    return 0;
}

int api_key_hash(const char *key, size_t len, char hash[API_KEY_HASH_LEN + 1], struct err *e)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    if (!EVP_Digest(key, len, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
        return err_set(e, "SHA-256 failed in libcrypto"), -1;
    to_hex(md, mdlen, hash);
    return 0;
}

bool api_key_hash_valid(const char *stored)
{
    if (!stored || strlen(stored) != API_KEY_HASH_LEN)
        return false;
    for (const char *p = stored; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

bool api_key_hash_equal(const char *stored, const char *computed)
{
    return api_key_hash_valid(stored) &&
           CRYPTO_memcmp(stored, computed, API_KEY_HASH_LEN) == 0;
}

int api_key_parse_permissions(const char *list, unsigned *perms, struct err *e)
{
    const char *bad;
    size_t len;
    if (namebits_parse_list(&perms_table, list, perms, &bad, &len) < 0)
        return err_set(e, "--permissions: '%.*s' is not read, write or admin", (int)len, bad), -1;
    if (*perms & (API_PERM_WRITE | API_PERM_ADMIN))
        *perms |= API_PERM_READ;
    return 0;
}

void api_key_permissions_json(unsigned perms, char *buf, size_t size)
{
    namebits_json(&perms_table, perms, buf, size);
}

unsigned api_key_permissions_from_json(const char *json)
{
    return namebits_from_json(&perms_table, json);
}
