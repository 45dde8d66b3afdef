/* api_key: keys from the CSPRNG with a public id, digests, the constant-time
 * check refusing placeholders, and permissions. */
#include "config.h"

#include <string.h>

#include "unit.h"

#include "api_key.h"

static void a_key_is_256_bits_behind_its_id(void **state)
{
    (void)state;
    char key[API_KEY_LEN + 1], id[API_KEY_ID_LEN + 1], key2[API_KEY_LEN + 1], id2[API_KEY_ID_LEN + 1];
    struct err e;
    assert_int_equal(api_key_generate(key, id, &e), 0);
    assert_int_equal(api_key_generate(key2, id2, &e), 0);
    assert_int_equal(strlen(key), API_KEY_LEN);
    assert_int_equal(strlen(id), API_KEY_ID_LEN);
    assert_memory_equal(key, id, API_KEY_ID_LEN);          /* the key names its id */
    assert_int_equal(key[API_KEY_ID_LEN], '_');
    assert_int_equal(strspn(key + API_KEY_ID_LEN + 1, "0123456789abcdef"), 64);
    assert_string_not_equal(key, key2);
    assert_string_not_equal(id, id2);
}

static void the_digest_is_hex_sha256(void **state)
{
    (void)state;
    char hash[API_KEY_HASH_LEN + 1];
    struct err e;
    assert_int_equal(api_key_hash("abc", 3, hash, &e), 0);
    assert_string_equal(hash, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_true(api_key_hash_equal(hash, hash));
}

static void placeholders_and_other_shapes_never_match(void **state)
{
    (void)state;
    char hash[API_KEY_HASH_LEN + 1];
    struct err e;
    static const char *const stored[] = {
        "admin_key_hash_placeholder", "", "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
    };
    api_key_hash("admin_key_hash_placeholder", 26, hash, &e);
    for (size_t i = 0; i < sizeof stored / sizeof stored[0]; i++) {
        assert_false(api_key_hash_valid(stored[i]));
        assert_false(api_key_hash_equal(stored[i], hash));
    }
    assert_false(api_key_hash_equal(NULL, hash));
}

static void permissions_parse_and_round_trip(void **state)
{
    (void)state;
    unsigned p;
    char json[64];
    struct err e;
    assert_int_equal(api_key_parse_permissions("read", &p, &e), 0);
    assert_int_equal(p, API_PERM_READ);
    assert_int_equal(api_key_parse_permissions("write", &p, &e), 0);
    assert_int_equal(p, API_PERM_READ | API_PERM_WRITE);       /* write implies read */
    api_key_permissions_json(p, json, sizeof json);
    assert_string_equal(json, "[\"read\",\"write\"]");
    assert_int_equal(api_key_permissions_from_json(json), p);
    assert_int_equal(api_key_permissions_from_json("[\"read\", \"write\", \"admin\"]"),
                     API_PERM_READ | API_PERM_WRITE | API_PERM_ADMIN);
    assert_int_equal(api_key_permissions_from_json("\"write\""), 0);
    assert_int_equal(api_key_permissions_from_json(NULL), 0);
    assert_int_equal(api_key_parse_permissions("read,delete", &p, &e), -1);
    assert_non_null(strstr(e.msg, "'delete'"));
    assert_int_equal(api_key_parse_permissions("", &p, &e), -1);
    assert_int_equal(api_key_parse_permissions("read,", &p, &e), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_key_is_256_bits_behind_its_id),
        cmocka_unit_test(the_digest_is_hex_sha256),
        cmocka_unit_test(placeholders_and_other_shapes_never_match),
        cmocka_unit_test(permissions_parse_and_round_trip),
    };
    return RUN_TAP(tests);
}
