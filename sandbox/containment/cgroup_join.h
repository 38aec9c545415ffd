/* Joining an instance's cgroups from the child's side, for what
 * CLONE_INTO_CGROUP cannot do: the v1 mirrors of a hybrid host (v1 has no
 * such flag), and the v2 cgroup itself on a kernel without it (before
 * 5.7, where sb_clone_into fails with ENOSYS).
 *
 * The child writes "0" (itself) to each as its first step,
 * before confinement drops the right to. The parent cannot write the pid
 * for it: spawning with CLONE_VFORK holds the parent until the child has
 * exec'ed, and a handshake to release it after the write would cost a
 * round trip per spawn. Until the write the child runs only the daemon's
 * code, never the actor's, so no process of the actor exists outside its
 * cgroups. */
#ifndef PROSPERO_CGROUP_JOIN_H
#define PROSPERO_CGROUP_JOIN_H

#include <stdbool.h>

#include "sandbox/containment/cgroup.h"

struct sb_cgroup_join {
	int fd[1 + SB_CGROUP_NCTL];	/* files to write "0" to, opened for writing */
	unsigned n;
};

/* Parent side, before the clone: open the "tasks" of ci's v1 mirrors,
 * and with v2 the cgroup.procs of its v2 cgroup too (first). */
int sb_cgroup_join_open(const struct sb_cgroup_tree *t, const struct sb_cgroup_inst *ci, bool v2,
			struct sb_cgroup_join *j);

/* Child side, first thing: system calls only. -1 with errno. */
int sb_cgroup_join_self(const struct sb_cgroup_join *j);

/* Parent side, after the clone. */
void sb_cgroup_join_close(struct sb_cgroup_join *j);

#endif
