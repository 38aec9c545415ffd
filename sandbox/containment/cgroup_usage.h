/* What an instance used, read from its cgroups: for the exit event (read
 * once it is empty, before its removal: the peak, CPU time and OOM kills
 * are its run's) and for status (while it runs). */
#ifndef PROSPERO_CGROUP_USAGE_H
#define PROSPERO_CGROUP_USAGE_H

#include <stdint.h>

#include "sandbox/containment/cgroup.h"

enum {
	SB_CGROUP_HAVE_MEMORY = 1 << 0,
	SB_CGROUP_HAVE_MEMORY_PEAK = 1 << 1,
	SB_CGROUP_HAVE_CPU = 1 << 2,
	SB_CGROUP_HAVE_TASKS = 1 << 3,
	SB_CGROUP_HAVE_OOM = 1 << 4,
};

struct sb_cgroup_usage {
	uint64_t memory;	/* bytes charged now */
	uint64_t memory_peak;	/* the most ever charged */
	uint64_t cpu_usec;	/* CPU time of all its processes, user and system */
	uint64_t tasks;		/* processes and threads now */
	/* processes the kernel killed at the memory limit: a main process
	 * that died of SIGKILL with this above 0 ran out of memory */
	uint64_t oom_kills;
	unsigned have;		/* SB_CGROUP_HAVE_*: which fields were read */
};

/* Fill u from ci's cgroups, for its current (or last) run: the v2 cgroup where its controller is
 * enabled (CPU time always: v2 counts it without a controller), else the
 * v1 mirror if the instance has one. A field neither has stays 0 and out
 * of have. -1 with errno only when ci has no cgroup. */
int sb_cgroup_usage_read(const struct sb_cgroup_tree *t, const struct sb_cgroup_inst *ci,
			 struct sb_cgroup_usage *u);

#endif
