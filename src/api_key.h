/* api_key — the secrets of the HTTP API's keys, apart from storing them.
 *
 * A key is "stk_" + an 8-hex-digit id + "_" + 64 hex digits (256 bits from
 * the system's CSPRNG).  The id is not secret: it names the key in
 * `keys list`, the access log and `keys revoke`, and it is the api_keys
 * row's id.  Only the SHA-256 of the whole key is stored, as 64 lowercase
 * hex digits; a stored hash of any other shape (the seed's placeholder)
 * never matches anything. */
#ifndef STREAMTOP_API_KEY_H
#define STREAMTOP_API_KEY_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

#define API_KEY_PREFIX "stk_"
#define API_KEY_ID_LEN 12           /* "stk_" + 8 hex digits */
#define API_KEY_LEN (API_KEY_ID_LEN + 1 + 64)
#define API_KEY_HASH_LEN 64

/* Permissions, as stored in api_keys.permissions (a JSON array). */
#define API_PERM_READ  1u
#define API_PERM_WRITE 2u
#define API_PERM_ADMIN 4u

/* A new key and its id, from getrandom(2). */
int api_key_generate(char key[API_KEY_LEN + 1], char id[API_KEY_ID_LEN + 1], struct err *e);

/* The stored form of a presented key (any bytes): hex SHA-256. */
int api_key_hash(const char *key, size_t len, char hash[API_KEY_HASH_LEN + 1], struct err *e);

/* Whether a stored hash can be a real key's digest at all, and, in
 * constant time, whether it equals the digest of the presented key. */
bool api_key_hash_valid(const char *stored);
bool api_key_hash_equal(const char *stored, const char *computed);

/* "read,write" -> bits; unknown or empty words are an error naming them.
 * write and admin imply read. */
int api_key_parse_permissions(const char *list, unsigned *perms, struct err *e);
/* The JSON array stored for perms: ["read","write"]. */
void api_key_permissions_json(unsigned perms, char *buf, size_t size);
/* Bits from a stored JSON array; unknown words are ignored, garbage is 0. */
unsigned api_key_permissions_from_json(const char *json);

#endif
