/* webhook: Standard Webhooks signatures, secrets, event lists and the
 * retry schedule. */
#include "config.h"

#include <string.h>

#include "unit.h"

#include "webhook.h"

/* The example in the Standard Webhooks specification's reference tests. */
static void signs_as_the_standard_says(void **state)
{
    (void)state;
    char sig[WEBHOOK_SIGNATURE_LEN];
    struct err e;
    const char *body = "{\"test\": 2432232314}";
    assert_int_equal(webhook_sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek",
                                  1614265330, body, strlen(body), sig, &e), 0);
    assert_string_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

static void secrets_are_checked_and_generated(void **state)
{
    (void)state;
    char secret[WEBHOOK_SECRET_LEN + 1], sig[WEBHOOK_SIGNATURE_LEN];
    struct err e;
    assert_int_equal(webhook_secret_generate(secret, &e), 0);
    assert_int_equal(strncmp(secret, "whsec_", 6), 0);
    assert_int_equal(strlen(secret), 6 + 44);
    assert_int_equal(webhook_secret_check(secret, &e), 0);
    assert_int_equal(webhook_secret_check("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", &e), -1);   /* no prefix */
    assert_int_equal(webhook_secret_check("whsec_", &e), -1);
    assert_int_equal(webhook_secret_check("whsec_c2hvcnQ=", &e), -1);                      /* 5 bytes */
    assert_int_equal(webhook_secret_check("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa!w", &e), -1);
    assert_int_equal(webhook_sign("placeholder", "msg_1", 1, "{}", 2, sig, &e), -1);
}

static void events_parse_and_round_trip(void **state)
{
    (void)state;
    unsigned mask;
    char json[256];
    struct err e;
    assert_int_equal(webhook_parse_events("disconnected,failures", &mask, &e), 0);
    assert_int_equal(mask, (1u << WH_DISCONNECTED) | (1u << WH_FAILURES));
    webhook_events_json(mask, json, sizeof json);
    assert_string_equal(json, "[\"disconnected\",\"failures\"]");
    assert_int_equal(webhook_events_from_json(json), mask);
    assert_int_equal(webhook_parse_events("all", &mask, &e), 0);
    assert_int_equal(mask, (1u << WH_TEST) - 1);
    assert_int_equal(webhook_parse_events("backup_failed", &mask, &e), 0);
    assert_int_equal(mask, 1u << WH_BACKUP_FAILED);
    webhook_events_json(mask, json, sizeof json);
    assert_string_equal(json, "[\"backup_failed\"]");
    assert_int_equal(webhook_parse_events("disconnected,reboot", &mask, &e), -1);
    assert_non_null(strstr(e.msg, "'reboot'"));
    assert_int_equal(webhook_parse_events("test", &mask, &e), -1);
    assert_int_equal(webhook_events_from_json("not json"), 0);
}

static void retries_back_off_exponentially_with_jitter_over_a_day(void **state)
{
    (void)state;
    int64_t base = 30000, total = 0;
    assert_int_equal(webhook_retry_delay_ms(1, base, 0.5), base);
    assert_int_equal(webhook_retry_delay_ms(2, base, 0.5), 2 * base);
    assert_int_equal(webhook_retry_delay_ms(3, base, 0.0), 4 * base * 3 / 4);
    assert_int_equal(webhook_retry_delay_ms(3, base, 0.999999), (int64_t)(4 * base * 1.249999));
    assert_int_equal(webhook_retry_delay_ms(40, base, 0.5), 480 * base);   /* capped at 4 hours */
    for (int i = 1; i < WEBHOOK_MAX_ATTEMPTS; i++)
        total += webhook_retry_delay_ms(i, base, 0.5);
    assert_true(total > 18 * 3600 * 1000LL && total < 36 * 3600 * 1000LL);
}

static void message_ids_are_unique(void **state)
{
    (void)state;
    char a[40], b[40];
    struct err e;
    assert_int_equal(webhook_msg_id(a, &e), 0);
    assert_int_equal(webhook_msg_id(b, &e), 0);
    assert_int_equal(strlen(a), 36);
    assert_int_equal(strncmp(a, "msg_", 4), 0);
    assert_string_not_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(signs_as_the_standard_says),
        cmocka_unit_test(secrets_are_checked_and_generated),
        cmocka_unit_test(events_parse_and_round_trip),
        cmocka_unit_test(retries_back_off_exponentially_with_jitter_over_a_day),
        cmocka_unit_test(message_ids_are_unique),
    };
    return RUN_TAP(tests);
}
