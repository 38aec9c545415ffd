/* setrlimit, one entry at a time; the names come with the plan, so a
 * failure is reported without a lookup. */

#include <errno.h>

#include "sandbox/child/child_side.h"
#include "sandbox/child/rlimits.h"

CHILD_SIDE int sb_rlimits_apply(const struct sb_rlimit *v, size_t n, const char **step_name)
{
	for (size_t i = 0; i < n; i++) {
		if (setrlimit((__rlimit_resource_t)v[i].resource, &v[i].lim) < 0) {
			*step_name = v[i].call ? v[i].call : "setrlimit";
			return -1;
		}
	}
	*step_name = NULL;
	return 0;
}
