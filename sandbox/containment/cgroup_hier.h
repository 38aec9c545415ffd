/* Where the cgroup hierarchies are mounted and where the daemon sits in
 * each: the cgroup2 (unified) hierarchy, and the v1 hierarchies of the
 * controllers a hybrid host keeps there (memory, pids, cpu). Found in
 * /proc/self/mountinfo and /proc/self/cgroup, never assumed: a pure v2
 * host mounts cgroup2 at /sys/fs/cgroup, a hybrid one at
 * /sys/fs/cgroup/unified, a container wherever it likes. */
#ifndef PROSPERO_CGROUP_HIER_H
#define PROSPERO_CGROUP_HIER_H

#define SB_CGROUP_PATH_MAX 1024

/* The controllers whose limits the daemon applies. */
enum sb_cgroup_ctl {
	SB_CGROUP_MEMORY,
	SB_CGROUP_PIDS,
	SB_CGROUP_CPU,
	SB_CGROUP_NCTL
};

#define SB_CGROUP_CTL_BIT(c) (1u << (c))
#define SB_CGROUP_CTL_ALL ((1u << SB_CGROUP_NCTL) - 1)

struct sb_cgroup_place {
	char mnt[SB_CGROUP_PATH_MAX];	/* the mount point; "" when not mounted */
	char own[SB_CGROUP_PATH_MAX];	/* the daemon's cgroup as a directory; "" when
					 * it lies outside what is mounted */
};

struct sb_cgroup_hier {
	struct sb_cgroup_place v2;
	struct sb_cgroup_place v1[SB_CGROUP_NCTL];
};

/* "memory", "pids", "cpu" */
const char *sb_cgroup_ctl_name(enum sb_cgroup_ctl c);

/* From the text of mountinfo and of /proc/self/cgroup (both changed in
 * place). -1 EINVAL when a line is malformed, ENAMETOOLONG when a path
 * does not fit. */
int sb_cgroup_hier_parse(struct sb_cgroup_hier *h, char *mountinfo, char *self_cgroup);

/* The same from this process's /proc files. */
int sb_cgroup_hier_read(struct sb_cgroup_hier *h);

#endif
