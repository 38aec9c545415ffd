/* Resource limits, child side: the plan the daemon made from the config's
 * "limits" (sandbox/daemon/rlimits.h), applied with setrlimit alone. */
#ifndef PROSPERO_SANDBOX_CHILD_RLIMITS_H
#define PROSPERO_SANDBOX_CHILD_RLIMITS_H

#include <stddef.h>
#include <sys/resource.h>

struct sb_rlimit {
	int resource;		/* RLIMIT_* */
	struct rlimit lim;	/* soft and hard; the config sets both alike */
	const char *call;	/* "setrlimit(RLIMIT_NOFILE)", static: what a
				 * failure names; NULL: "setrlimit" */
};

/* System calls only: setrlimit for each, in order. Raising a hard limit
 * needs CAP_SYS_RESOURCE, so this runs before privileges are dropped.
 * nproc counts the processes of the actor's real uid and does not bind
 * root. Returns 0, or -1 with errno and *step_name the failed entry's
 * call. */
int sb_rlimits_apply(const struct sb_rlimit *v, size_t n, const char **step_name);

#endif
