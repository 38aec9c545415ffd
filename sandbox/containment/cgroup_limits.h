/* An instance's "limits" that cgroups carry: memory (bytes, everything
 * charged to the cgroup: anonymous memory, memfd, SysV shm and tmpfs
 * pages alike; swap is not a way around it), tasks (processes and
 * threads) and cpu_weight (1..10000, 100 the default share). Each goes to
 * the unified hierarchy where its controller is enabled for the subtree,
 * else to the v1 mirror of a hybrid host. */
#ifndef PROSPERO_CGROUP_LIMITS_H
#define PROSPERO_CGROUP_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#include "sandbox/containment/cgroup_tree.h"

#define SB_CGROUP_WEIGHT_MIN 1
#define SB_CGROUP_WEIGHT_MAX 10000
#define SB_CGROUP_WEIGHT_DEFAULT 100
/* pids.max takes no more: the kernel's PID_MAX_LIMIT */
#define SB_CGROUP_TASKS_MAX 4194304

struct sb_cgroup_limits {
	uint64_t memory;	/* bytes; 0: none */
	uint64_t tasks;		/* 0: none */
	uint32_t cpu_weight;	/* 0: none */
};

/* The config key of the limit controller c carries: "memory", "tasks",
 * "cpu_weight". */
const char *sb_cgroup_limit_name(enum sb_cgroup_ctl c);

/* The SB_CGROUP_CTL_BITs lim asks for. */
unsigned sb_cgroup_limits_need(const struct sb_cgroup_limits *lim);

/* Can this host apply the limit controller c carries? 2: on the unified
 * hierarchy, 1: on a v1 mirror, 0: no, and why says so (for check and for
 * a start that asks for it). */
int sb_cgroup_limit_where(const struct sb_cgroup_tree *t, enum sb_cgroup_ctl c, char *why,
			  size_t len);

/* v1 cpu.shares for a v2 weight: 100 (the default weight) is 1024 (the
 * default shares), in proportion, within the kernel's [2, 262144]. */
uint64_t sb_cgroup_weight_to_shares(uint32_t weight);

/* Write the limits of lim for the controllers in mask into dir, an
 * instance's v2 cgroup; one lim sets no limit for goes back to a new
 * cgroup's value (no limit, weight 100), as a leftover taken over may
 * hold another run's. */
int sb_cgroup_limits_write_v2(int dir, const struct sb_cgroup_limits *lim, unsigned mask);

/* Write the limit controller c carries into dir, an instance's v1 mirror
 * of that controller. */
int sb_cgroup_limits_write_v1(int dir, enum sb_cgroup_ctl c, const struct sb_cgroup_limits *lim);

#endif
