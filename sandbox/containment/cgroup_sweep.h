/* What a dead predecessor left: a daemon SIGKILLed with its actors still
 * running leaves their cgroups populated in the subtree (run by hand;
 * under systemd the unit's cgroup dies with the daemon). The next daemon
 * on the same subtree kills and removes them before it starts anything. */
#ifndef PROSPERO_CGROUP_SWEEP_H
#define PROSPERO_CGROUP_SWEEP_H

#include "sandbox/containment/cgroup_tree.h"

struct sb_cgroup_sweep {
	unsigned procs;		/* processes found in them (for the log and the event) */
	unsigned cgroups;	/* instance cgroups removed */
	unsigned mirrors;	/* their v1 mirrors removed */
};

/* Kill, wait for (each up to timeout_ms) and remove every instance cgroup
 * in t's subtree, and every v1 mirror of one; cgroups that are not an
 * instance's ("daemon", systemd's ".control") are left alone. s counts
 * what was found, also on failure. -1 with errno: ETIMEDOUT when a
 * process would not die (uninterruptible sleep), or what a removal said. */
int sb_cgroup_tree_sweep(const struct sb_cgroup_tree *t, int timeout_ms, struct sb_cgroup_sweep *s);

#endif
