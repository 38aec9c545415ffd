/* Everything an actor's process does between fork and exec, in one fixed
 * order (DESIGN.md section 3). The plan is built in the daemon; the child
 * only applies it, with system calls alone: it runs on a vfork-style stack
 * sharing the daemon's memory, so it must not allocate, lock or log. */
#ifndef PROSPERO_SANDBOX_CHILD_CONFINE_H
#define PROSPERO_SANDBOX_CHILD_CONFINE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "sandbox/child/namespaces.h"
#include "sandbox/child/ns_enter.h"
#include "sandbox/child/privs.h"
#include "sandbox/child/rlimits.h"
#include "sandbox/containment/cgroup_join.h"
#include "sandbox/seccomp/filter.h"

enum sb_confine_step {
	SB_CONFINE_CGROUP,		/* join the instance's cgroups clone3 could not put it in */
	SB_CONFINE_SIGNALS,		/* default dispositions for what the daemon handles */
	SB_CONFINE_SESSION,		/* own session and process group */
	SB_CONFINE_PDEATHSIG,		/* die with the daemon */
	SB_CONFINE_FDS,			/* 0..nfds-1 from the plan, every other fd closed */
	SB_CONFINE_CWD,
	SB_CONFINE_RLIMITS,
	SB_CONFINE_NAMESPACES,
	SB_CONFINE_IDS,			/* supplementary groups, gid, uid */
	SB_CONFINE_CAPS,		/* bounding, permitted, effective, inheritable, ambient */
	SB_CONFINE_NO_NEW_PRIVS,
	SB_CONFINE_SECCOMP,		/* load the filter, hand its listener to the daemon */
	SB_CONFINE_EXEC,
	SB_CONFINE_CLONE,		/* the daemon's clone itself: no child, no step of one */
};

struct sb_confine_plan {
	/* NULL: none. The v1 mirrors of a hybrid host (and the v2 cgroup
	 * where clone3 cannot place the child): joined first, while the
	 * child is still root and has run none of the actor's code. */
	const struct sb_cgroup_join *join;
	const int *fds;			/* fds[i] becomes the actor's fd i */
	unsigned nfds;			/* at least 3 */
	int *lifted;			/* nfds ints the child may write: it cannot allocate */
	const char *cwd;
	pid_t daemon_pid;		/* to notice a daemon that died before PDEATHSIG was set */
	const int *reset_signals;	/* signals to set to SIG_DFL: the daemon's
					 * handled ones and any it found ignored */
	unsigned nreset_signals;
	struct rlimit nofile;		/* the limit the daemon was started with */
	const struct sb_rlimit *limits;	/* the actor's "limits", applied after nofile */
	size_t nlimits;
	const struct sb_ns *ns;		/* NULL: the daemon's namespaces */
	const struct sb_ns_kept *kept;	/* NULL: make ns's namespaces new */
	bool hand_ns;			/* and send them on handoff_fd (sb_ns_hand) */
	/* NULL when the daemon cannot change ids or the bounding set (no
	 * CAP_SETPCAP): then every capability still held is dropped and
	 * no_new_privs set, which is all an unprivileged daemon can do. */
	const struct sb_privs *privs;
	const struct sb_filter *filter;	/* NULL or empty: no seccomp */
	int handoff_fd;			/* where the listener goes; > nfds, CLOEXEC */
	/* > 0: the child shares the daemon's fd table (CLONE_FILES) and first
	 * takes a private copy of fds [0, unshare_below) only; every fd the
	 * plan names is below it. 0: the table is the child's already. */
	int unshare_below;
};

/* Child side. Returns only on failure: -1, errno set, *step the failed
 * step and *detail (may be NULL) a static string naming the call. */
int sb_confine_apply(const struct sb_confine_plan *p, enum sb_confine_step *step,
		     const char **detail);

#endif
