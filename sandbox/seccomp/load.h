/* Loading the filter, child side: the last confinement step.
 *
 * Between the load and the exec the child may make only calls every
 * policy allows (sendmsg, rt_sigprocmask, execve, exit_group: see
 * sb_syscall_is_required): a denied one would wait for a daemon that is
 * itself waiting for the exec.
 *
 * If the daemon closes or loses the listener, denied calls fail ENOSYS
 * instead of being reported (the kernel's rule for a filter without a
 * listener); the actor dies with the daemon anyway (PR_SET_PDEATHSIG). A
 * daemon itself confined under a listener-bearing filter gets EBUSY from
 * the load (one listener per filter chain). */
#ifndef PROSPERO_SANDBOX_SECCOMP_LOAD_H
#define PROSPERO_SANDBOX_SECCOMP_LOAD_H

#include "sandbox/seccomp/filter.h"

/* System calls only, no allocation: set no_new_privs, load F with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER, send the listener on HANDOFF_FD (the
 * child's end of sb_handoff_pair). No-op for an empty filter ("none").
 * Must be the last confinement step: it cuts off what the others need.
 * Returns 0, or -1 with errno and *step_name a static string naming the
 * call that failed; the caller then _exits. */
int sb_filter_load(const struct sb_filter *f, int handoff_fd, const char **step_name);

#endif
