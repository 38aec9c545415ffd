/* Limits into cgroup files; see cgroup_limits.h. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sandbox/containment/cgroup_fs.h"
#include "sandbox/containment/cgroup_limits.h"

static const char *const limit_names[CGROUP_NCTL] = {
	[CGROUP_MEMORY] = "memory",
	[CGROUP_PIDS] = "tasks",
	[CGROUP_CPU] = "cpu_weight",
};

const char *cgroup_limit_name(enum cgroup_ctl c)
{
	return c < CGROUP_NCTL ? limit_names[c] : "?";
}

unsigned cgroup_limits_need(const struct cgroup_limits *lim)
{
	return (lim->memory ? CGROUP_CTL_BIT(CGROUP_MEMORY) : 0) |
	       (lim->tasks ? CGROUP_CTL_BIT(CGROUP_PIDS) : 0) |
	       (lim->cpu_weight ? CGROUP_CTL_BIT(CGROUP_CPU) : 0);
}

int cgroup_limit_where(const struct cgroup_tree *t, enum cgroup_ctl c, char *why, size_t len)
{
	const char *n = cgroup_ctl_name(c);

	if (t->mode == CGROUP_OFF) {
		snprintf(why, len, "no cgroups in use (%s)", t->why);
		return 0;
	}
	if (t->v2_ctl & CGROUP_CTL_BIT(c))
		return 2;
	if (t->v1.fd[c] >= 0)
		return 1;
	if (t->v1.err[c] == ENOENT)
		snprintf(why, len, "the %s controller is neither enabled for %s nor mounted as a v1 hierarchy",
			 n, t->path);
	else
		snprintf(why, len, "the %s controller is not enabled for %s, and its v1 hierarchy cannot be used: %s",
			 n, t->path, strerror(t->v1.err[c]));
	return 0;
}

uint64_t cgroup_weight_to_shares(uint32_t weight)
{
	uint64_t s = (uint64_t)weight * 1024 / 100;

	return s < 2 ? 2 : s > 262144 ? 262144 : s;
}

/* memory.max alone lets pages out to swap: the limit would not hold */
static int write_memory_v2(int dir, uint64_t bytes)
{
	if (cgfs_write_u64(dir, "memory.max", bytes) < 0)
		return -1;
	if (cgfs_write_u64(dir, "memory.swap.max", 0) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int cgroup_limits_write_v2(int dir, const struct cgroup_limits *lim, unsigned mask)
{
	if ((mask & CGROUP_CTL_BIT(CGROUP_MEMORY)) && lim->memory && write_memory_v2(dir, lim->memory) < 0)
		return -1;
	if ((mask & CGROUP_CTL_BIT(CGROUP_PIDS)) && lim->tasks &&
	    cgfs_write_u64(dir, "pids.max", lim->tasks) < 0)
		return -1;
	if ((mask & CGROUP_CTL_BIT(CGROUP_CPU)) && lim->cpu_weight &&
	    cgfs_write_u64(dir, "cpu.weight", lim->cpu_weight) < 0)
		return -1;
	return 0;
}

/* v1 memsw (memory + swap) must stay at or above the memory limit at
 * every step: raise it first when the new limit is above it. */
static int write_memory_v1(int dir, uint64_t bytes)
{
	if (cgfs_write_u64(dir, "memory.limit_in_bytes", bytes) < 0) {
		if (errno != EINVAL || cgfs_write_u64(dir, "memory.memsw.limit_in_bytes", bytes) < 0 ||
		    cgfs_write_u64(dir, "memory.limit_in_bytes", bytes) < 0)
			return -1;
	}
	/* no memsw file: the kernel does not account swap, so RAM is all there is to limit */
	if (cgfs_write_u64(dir, "memory.memsw.limit_in_bytes", bytes) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int cgroup_limits_write_v1(int dir, enum cgroup_ctl c, const struct cgroup_limits *lim)
{
	switch (c) {
	case CGROUP_MEMORY:
		return lim->memory ? write_memory_v1(dir, lim->memory) : 0;
	case CGROUP_PIDS:
		return lim->tasks ? cgfs_write_u64(dir, "pids.max", lim->tasks) : 0;
	case CGROUP_CPU:
		return lim->cpu_weight ? cgfs_write_u64(dir, "cpu.shares",
							cgroup_weight_to_shares(lim->cpu_weight)) : 0;
	default:
		errno = EINVAL;
		return -1;
	}
}
