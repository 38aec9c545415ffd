/* Helpers shared by the unit suites. */
#ifndef PROSPERO_TESTS_COMMON_RUNNER_H
#define PROSPERO_TESTS_COMMON_RUNNER_H

#include <check.h>

/* Run S as every unit suite's main does: EXIT_SUCCESS if all passed. */
int run_suite(Suite *s);

#endif
