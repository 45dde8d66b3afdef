/* error_kind: messages that differ only in what varies from event to
 * event (numbers, quoted text, hashes) are one kind; words stay words. */
#include "config.h"

#include <string.h>

#include "unit.h"

#include "error_kind.h"

static void what_varies_is_replaced(void **state)
{
    (void)state;
    static const struct {
        const char *message, *kind;
    } cases[] = {
        {"invalid JSON at byte 123", "invalid JSON at byte #"},
        {"invalid JSON at byte 7", "invalid JSON at byte #"},
        {"event.timepoint missing in company-profile:1004559", "event.timepoint missing in company-profile:#"},
        {"duplicate of invalid:1004319+1:33853abc", "duplicate of invalid:#+#:#"},
        {"company \"ACME LTD\" not found", "company \"...\" not found"},
        {"field 'data.company_name' is not a string", "field '...' is not a string"},
        {"utf8 and sha256 are words", "utf8 and sha256 are words"},
        {"database timeout for company SC037549", "database timeout for company #"},
        {"database timeout for company 01234567", "database timeout for company #"},
        {"NI012345 and OC300001, not ABC1234 or SC12", "# and #, not # or SC12"},
        {"took 1.5 s, 1,200 rows", "took # s, # rows"},
        {"trailing spaces   ", "trailing spaces"},
        {"", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char kind[ERROR_KIND_MAX];
        error_kind(cases[i].message, kind);
        assert_string_equal(kind, cases[i].kind);
    }
}

static void a_long_message_is_cut_safely(void **state)
{
    (void)state;
    char message[1000], kind[ERROR_KIND_MAX];
    memset(message, 'x', sizeof message - 1);
    message[sizeof message - 1] = '\0';
    error_kind(message, kind);
    assert_int_equal(strlen(kind), ERROR_KIND_MAX - 1);
    error_kind(NULL, kind);
    assert_string_equal(kind, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(what_varies_is_replaced),
        cmocka_unit_test(a_long_message_is_cut_safely),
    };
    return RUN_TAP(tests);
}
