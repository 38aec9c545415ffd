/* Limits into cgroup files; see cgroup_limits.h. */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "sandbox/containment/cgroup_fs.h"
#include "sandbox/containment/cgroup_limits.h"

static const char *const limit_names[SB_CGROUP_NCTL] = {
	[SB_CGROUP_MEMORY] = "memory",
	[SB_CGROUP_PIDS] = "tasks",
	[SB_CGROUP_CPU] = "cpu_weight",
};

const char *sb_cgroup_limit_name(enum sb_cgroup_ctl c)
{
	return c < SB_CGROUP_NCTL ? limit_names[c] : "?";
}

unsigned sb_cgroup_limits_need(const struct sb_cgroup_limits *lim)
{
	return (lim->memory ? SB_CGROUP_CTL_BIT(SB_CGROUP_MEMORY) : 0) |
	       (lim->tasks ? SB_CGROUP_CTL_BIT(SB_CGROUP_PIDS) : 0) |
	       (lim->cpu_weight ? SB_CGROUP_CTL_BIT(SB_CGROUP_CPU) : 0);
}

int sb_cgroup_limit_where(const struct sb_cgroup_tree *t, enum sb_cgroup_ctl c, char *why,
			  size_t len)
{
	const char *n = sb_cgroup_ctl_name(c);

	if (t->mode == SB_CGROUP_OFF) {
		snprintf(why, len, "no cgroups in use (%s)", t->why);
		return 0;
	}
	if (t->v2_ctl & SB_CGROUP_CTL_BIT(c))
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

uint64_t sb_cgroup_weight_to_shares(uint32_t weight)
{
	uint64_t s = (uint64_t)weight * 1024 / 100;

	return s < 2 ? 2 : s > 262144 ? 262144 : s;
}

/* memory.max alone lets pages out to swap: the limit would not hold */
static int write_memory_v2(int dir, uint64_t bytes)
{
	if (sb_cgfs_write_u64(dir, "memory.max", bytes) < 0)
		return -1;
	if (sb_cgfs_write_u64(dir, "memory.swap.max", 0) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

/* no limit: the values of a new cgroup */
static int write_no_memory_v2(int dir)
{
	if (sb_cgfs_write(dir, "memory.max", "max") < 0)
		return -1;
	if (sb_cgfs_write(dir, "memory.swap.max", "max") < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int sb_cgroup_limits_write_v2(int dir, const struct sb_cgroup_limits *lim, unsigned mask)
{
	if ((mask & SB_CGROUP_CTL_BIT(SB_CGROUP_MEMORY)) &&
	    (lim->memory ? write_memory_v2(dir, lim->memory) : write_no_memory_v2(dir)) < 0)
		return -1;
	if ((mask & SB_CGROUP_CTL_BIT(SB_CGROUP_PIDS)) &&
	    sb_cgfs_write_u64(dir, "pids.max", lim->tasks ? lim->tasks : UINT64_MAX) < 0)
		return -1;
	if ((mask & SB_CGROUP_CTL_BIT(SB_CGROUP_CPU)) &&
	    sb_cgfs_write_u64(dir, "cpu.weight", lim->cpu_weight ? lim->cpu_weight : SB_CGROUP_WEIGHT_DEFAULT) < 0)
		return -1;
	return 0;
}

/* v1 memsw (memory + swap) must stay at or above the memory limit at
 * every step: raise it first when the new limit is above it. */
static int write_memory_v1(int dir, uint64_t bytes)
{
	if (sb_cgfs_write_u64(dir, "memory.limit_in_bytes", bytes) < 0) {
		if (errno != EINVAL || sb_cgfs_write_u64(dir, "memory.memsw.limit_in_bytes", bytes) < 0 ||
		    sb_cgfs_write_u64(dir, "memory.limit_in_bytes", bytes) < 0)
			return -1;
	}
	/* no memsw file: the kernel does not account swap, so RAM is all there is to limit */
	if (sb_cgfs_write_u64(dir, "memory.memsw.limit_in_bytes", bytes) < 0 && errno != ENOENT)
		return -1;
	return 0;
}

int sb_cgroup_limits_write_v1(int dir, enum sb_cgroup_ctl c, const struct sb_cgroup_limits *lim)
{
	switch (c) {
	case SB_CGROUP_MEMORY:
		return lim->memory ? write_memory_v1(dir, lim->memory) : 0;
	case SB_CGROUP_PIDS:
		return lim->tasks ? sb_cgfs_write_u64(dir, "pids.max", lim->tasks) : 0;
	case SB_CGROUP_CPU:
		return lim->cpu_weight ? sb_cgfs_write_u64(dir, "cpu.shares",
							   sb_cgroup_weight_to_shares(lim->cpu_weight)) : 0;
	default:
		errno = EINVAL;
		return -1;
	}
}
