/* The confinement sequence. Order matters and is commented where it does.
 * Later steps (rlimits, namespaces, uid/gid, capabilities, no_new_privs,
 * seccomp) slot in before exec, seccomp last: it cuts off the system calls
 * the other steps need. */

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "sandbox/confine.h"

/* Everything here runs in the vfork child: no sanitizer bookkeeping. */
#define CHILD_SIDE __attribute__((no_sanitize("address", "undefined")))

CHILD_SIDE static int reset_signals(const struct confine_plan *p)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };

	for (unsigned i = 0; i < p->nreset_signals; i++)
		if (sigaction(p->reset_signals[i], &dfl, NULL) < 0)
			return -1;
	return 0;
}

/* Move the plan's fds to 0..nfds-1 and close all others. A source that
 * sits inside the target range is first lifted above it so no dup2
 * clobbers a source still to be copied. */
CHILD_SIDE static int map_fds(const struct confine_plan *p)
{
	int lifted[p->nfds];
	unsigned i;

	for (i = 0; i < p->nfds; i++) {
		lifted[i] = p->fds[i];
		if (lifted[i] >= 0 && (unsigned)lifted[i] < p->nfds) {
			lifted[i] = fcntl(p->fds[i], F_DUPFD, (int)p->nfds);
			if (lifted[i] < 0)
				return -1;
		}
	}
	for (i = 0; i < p->nfds; i++)
		if (dup2(lifted[i], (int)i) < 0)	/* dup2 clears CLOEXEC on i */
			return -1;
	/* Mark, don't close: closing the daemon's fds here (one per actor's
	 * output pipe) happens while the daemon waits for this vfork child,
	 * making N starts cost O(N^2) on its critical path. execve closes
	 * marked fds after it has released the daemon. */
	return close_range(p->nfds, ~0U, CLOSE_RANGE_CLOEXEC);
}

CHILD_SIDE int confine_apply(const struct confine_plan *p, enum confine_step *step)
{
	*step = CONFINE_SIGNALS;
	if (reset_signals(p) < 0)
		return -1;

	/* A session of its own: a process group to signal as one, and no
	 * controlling terminal whose ^C would bypass the supervisor. */
	*step = CONFINE_SESSION;
	if (setsid() < 0)
		return -1;

	*step = CONFINE_PDEATHSIG;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return -1;
	if (getppid() != p->daemon_pid) {	/* it died before the line above */
		errno = ESRCH;
		return -1;
	}

	*step = CONFINE_FDS;
	if (map_fds(p) < 0)
		return -1;

	*step = CONFINE_CWD;
	if (p->cwd && chdir(p->cwd) < 0)
		return -1;

	/* the daemon raised its own fd limit; actors get the one it was given */
	*step = CONFINE_RLIMITS;
	if (setrlimit(RLIMIT_NOFILE, &p->nofile) < 0)
		return -1;

	*step = CONFINE_EXEC;
	return 0;
}

const char *confine_step_name(enum confine_step s)
{
	static const char *const names[] = {
		[CONFINE_SIGNALS] = "reset signals",
		[CONFINE_SESSION] = "setsid",
		[CONFINE_PDEATHSIG] = "set parent-death signal",
		[CONFINE_FDS] = "set up file descriptors",
		[CONFINE_CWD] = "chdir",
		[CONFINE_RLIMITS] = "set resource limits",
		[CONFINE_EXEC] = "exec",
	};
	return names[s];
}
