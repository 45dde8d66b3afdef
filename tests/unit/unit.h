/* Common ground for the cmocka unit tests: every program reports in TAP so
 * automake's harness counts each case. */
#ifndef STREAMTOP_TEST_UNIT_H
#define STREAMTOP_TEST_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define RUN_TAP(tests) \
    (cmocka_set_message_output(CM_OUTPUT_TAP), cmocka_run_group_tests(tests, NULL, NULL))

#endif
