/* The one main of every test program; see runner.h. */
#include <stdlib.h>

#include "tests/common/runner.h"

int main(int argc, char **argv)
{
	SRunner *sr;
	int status, failed;

	if (test_suite.before && (status = test_suite.before(argc, argv)) >= 0)
		return status;
	sr = srunner_create(test_suite.suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	if (failed && test_suite.after_failure)
		test_suite.after_failure();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
