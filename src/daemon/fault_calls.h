/* System-call faults, the daemon's side: the calls a fault plan names for
 * an actor are routed to its seccomp listener (the filter is built with
 * them as "routed", sandbox/seccomp/filter.h), and each one that arrives
 * is answered here: fail with the plan's errno, or continue. A routed
 * call the profile allows only conditionally (openat read-only, socket
 * AF_UNIX) is rechecked first: one the profile denies stays a violation
 * (violation.c). */
#ifndef PROSPERO_DAEMON_FAULT_CALLS_H
#define PROSPERO_DAEMON_FAULT_CALLS_H

#include <linux/seccomp.h>
#include <stdbool.h>

#include "sandbox/seccomp/profiles.h"
#include "sandbox/seccomp/violation.h"
#include "src/config/config.h"
#include "src/faults/plan.h"

struct instance;

/* The calls plan P faults in any instance of actor A, as POL's routed
 * list (a malloc'd array of names borrowed from P: free(pol->routed)).
 * Nothing for an actor no syscall fault targets. -1 with errno. */
int fault_calls_route(const struct fault_plan *p, const struct cfg_actor *a, struct sb_policy *pol);

/* The calls routed for actor A under plan P, each with its rule in A's
 * policy (condition SB_COND_ALWAYS under profile "none"), into
 * *ROUTED (malloc'd; NULL, 0 when there are none). -1 with errno. */
int fault_calls_rules(const struct fault_plan *p, const struct cfg_actor *a, struct sb_rule **routed,
		      size_t *n);

/* IN's listener delivered N (decoded as V): true when it is a call the
 * plan routes and the profile allows, answered (its errno, or continue)
 * and, if it failed, reported as a fault event; false for a violation,
 * which the caller handles. */
bool fault_calls_answer(struct instance *in, const struct seccomp_notif *n, const struct sb_violation *v);

#endif
