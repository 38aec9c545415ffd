/* The confinement sequence. Order matters and is commented where it does:
 * fds, cwd, rlimits, namespaces, uid/gid, capabilities, no_new_privs,
 * seccomp last (it cuts off the system calls the other steps need), exec.
 * A failing step stops the sequence; exec.c then _exits, so nothing runs
 * half-confined. */

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/child/child_side.h"
#include "sandbox/child/confine.h"
#include "sandbox/seccomp/load.h"

CHILD_SIDE static int reset_signals(const struct sb_confine_plan *p)
{
	/* All zero is SIG_DFL, no flags and an empty mask in the kernel's
	 * struct, whatever its layout; raw, as libc refuses its own
	 * signals (32, 33), which a parent may have ignored (GNU make). */
	static const unsigned long dfl[8];

	for (unsigned i = 0; i < p->nreset_signals; i++)
		if (syscall(SYS_rt_sigaction, p->reset_signals[i], dfl, NULL, (size_t)(_NSIG / 8)) < 0)
			return -1;
	return 0;
}

CHILD_SIDE static int namespaces(const struct sb_confine_plan *p, const char **detail)
{
	if (p->kept)
		return sb_ns_enter_kept(p->kept, p->cwd, detail);
	if (sb_ns_apply(p->ns, detail) < 0)
		return -1;
	return p->hand_ns ? sb_ns_hand(p->handoff_fd, detail) : 0;
}

/* Move the plan's fds to 0..nfds-1 and close all others. A source that
 * sits inside the target range is first lifted above it so no dup2
 * clobbers a source still to be copied. */
CHILD_SIDE static int map_fds(const struct sb_confine_plan *p)
{
	int *lifted = p->lifted;
	unsigned i;

	/* Until this call every fd operation would act on the daemon's own
	 * table: nothing before this step touches an fd. */
	if (p->unshare_below > 0 &&
	    close_range((unsigned)p->unshare_below, ~0U, CLOSE_RANGE_UNSHARE) < 0)
		return -1;

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
	if (close_range(p->nfds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return -1;
	/* But free the first one: the seccomp listener takes the lowest free
	 * fd, which must be under the actor's soft limit, not above all of
	 * the daemon's (the handoff is never here: spawn.c) */
	close((int)p->nfds);
	return 0;
}

CHILD_SIDE static bool same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

/* sb_privs_apply names the call that failed; sort it into our steps. */
CHILD_SIDE static enum sb_confine_step privs_step(const char *call)
{
	if (!call)
		return SB_CONFINE_CAPS;
	if (same(call, "setgroups") || same(call, "setresgid") || same(call, "setresuid"))
		return SB_CONFINE_IDS;
	if (same(call, "prctl(PR_SET_NO_NEW_PRIVS)"))
		return SB_CONFINE_NO_NEW_PRIVS;
	return SB_CONFINE_CAPS;
}

/* An unprivileged daemon cannot shrink the bounding set, but whatever it
 * holds (ambient or file capabilities) is not the actor's. */
CHILD_SIDE static int drop_held_caps(const char **detail)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct none[2] = { { 0 } };

	*detail = "prctl(PR_CAP_AMBIENT_CLEAR_ALL)";
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		return -1;
	*detail = "capset";
	return (int)syscall(SYS_capset, &hdr, none);
}

CHILD_SIDE int sb_confine_apply(const struct sb_confine_plan *p, enum sb_confine_step *step,
				const char **detail)
{
	*detail = NULL;
	*step = SB_CONFINE_CGROUP;
	if (p->join && sb_cgroup_join_self(p->join) < 0)
		return -1;

	*step = SB_CONFINE_SIGNALS;
	if (reset_signals(p) < 0)
		return -1;

	/* A session of its own: a process group to signal as one, and no
	 * controlling terminal whose ^C would bypass the supervisor. */
	*step = SB_CONFINE_SESSION;
	if (setsid() < 0)
		return -1;

	*step = SB_CONFINE_PDEATHSIG;
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return -1;
	if (getppid() != p->daemon_pid) {	/* it died before the line above */
		errno = ESRCH;
		return -1;
	}

	*step = SB_CONFINE_FDS;
	if (map_fds(p) < 0)
		return -1;

	*step = SB_CONFINE_CWD;
	if (p->cwd && chdir(p->cwd) < 0)
		return -1;

	/* the daemon raised its own fd limit; actors get the one it was given */
	*step = SB_CONFINE_RLIMITS;
	*detail = "setrlimit(RLIMIT_NOFILE)";
	if (setrlimit(RLIMIT_NOFILE, &p->nofile) < 0)
		return -1;
	/* the actor's own limits after: its "nofile" wins. Raising a hard
	 * limit needs CAP_SYS_RESOURCE, still held here. */
	if (p->nlimits && sb_rlimits_apply(p->limits, p->nlimits, detail) < 0)
		return -1;

	/* mounts need CAP_SYS_ADMIN: before the capabilities go */
	*step = SB_CONFINE_NAMESPACES;
	if (p->ns && namespaces(p, detail) < 0)
		return -1;

	/* ids, then capabilities (bounding and ambient too), then
	 * no_new_privs: each needs what the one before still allowed */
	*step = SB_CONFINE_CAPS;
	if (p->privs) {
		if (sb_privs_apply(p->privs, detail) < 0) {
			*step = privs_step(*detail);
			return -1;
		}
	} else {
		if (drop_held_caps(detail) < 0)
			return -1;
		/* no setuid, setgid or file-capability binary raises anything */
		*step = SB_CONFINE_NO_NEW_PRIVS;
		*detail = "prctl(PR_SET_NO_NEW_PRIVS)";
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			return -1;
	}

	/* The kernel clears the parent-death signal when the ids change: arm
	 * it again, and check once more that the daemon did not die first. */
	if (p->privs && p->privs->change_ids) {
		*step = SB_CONFINE_PDEATHSIG;
		*detail = "prctl(PR_SET_PDEATHSIG) after the uid change";
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
			return -1;
		if (getppid() != p->daemon_pid) {
			errno = ESRCH;
			return -1;
		}
	}

	/* Last: the filter forbids what the steps above used. From here to
	 * execve only calls every profile allows (sandbox/seccomp/load.h). */
	*step = SB_CONFINE_SECCOMP;
	if (p->filter && sb_filter_load(p->filter, p->handoff_fd, detail) < 0)
		return -1;

	*detail = NULL;
	*step = SB_CONFINE_EXEC;
	return 0;
}
