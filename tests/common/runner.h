/* The one main of every test program, unit and integration alike
 * (runner.c): each suite file defines `test_suite`, saying what to run. */
#ifndef PROSPERO_TESTS_COMMON_RUNNER_H
#define PROSPERO_TESTS_COMMON_RUNNER_H

#include <check.h>

struct test_suite {
	Suite *(*suite)(void);		/* the suite to run */
	/* Optional, called first with the command line: an exit status to
	 * end with at once (a helper mode the program re-executes itself
	 * in; 77 to be skipped), or -1 to run the suite. */
	int (*before)(int argc, char **argv);
	/* Optional, called when a test failed: clean up what it left. */
	void (*after_failure)(void);
};

extern const struct test_suite test_suite;

#endif
