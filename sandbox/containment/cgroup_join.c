/* Joining from the child; see cgroup_join.h. */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "sandbox/child/child_side.h"
#include "sandbox/containment/cgroup_fs.h"
#include "sandbox/containment/cgroup_join.h"

static int open_for_join(int dir, const char *file)
{
	return openat(dir, file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
}

int sb_cgroup_join_open(const struct sb_cgroup_tree *t, const struct sb_cgroup_inst *ci, bool v2,
			struct sb_cgroup_join *j)
{
	int dir, fd;

	j->n = 0;
	if (v2 && (j->fd[j->n++] = open_for_join(ci->fd, "cgroup.procs")) < 0)
		goto fail;
	for (int c = 0; c < SB_CGROUP_NCTL; c++) {
		if (!(ci->v1 & SB_CGROUP_CTL_BIT(c)))
			continue;
		if ((dir = sb_cgroup_v1_open_inst(&t->v1, (enum sb_cgroup_ctl)c, ci->name)) < 0)
			goto fail;
		/* v1 "tasks" moves the writing thread alone, which is the whole
		 * child; moving a thread group ("cgroup.procs") takes a global
		 * lock whose writer waits out an RCU grace period */
		fd = open_for_join(dir, "tasks");
		close(dir);
		if ((j->fd[j->n++] = fd) < 0)
			goto fail;
	}
	return 0;
fail:
	if (j->n && j->fd[j->n - 1] < 0)
		j->n--;
	sb_cgroup_join_close(j);
	return -1;
}

CHILD_SIDE int sb_cgroup_join_self(const struct sb_cgroup_join *j)
{
	for (unsigned i = 0; i < j->n; i++)
		if (write(j->fd[i], "0", 1) != 1)
			return -1;
	return 0;
}

void sb_cgroup_join_close(struct sb_cgroup_join *j)
{
	int saved = errno;

	for (unsigned i = 0; i < j->n; i++)
		close(j->fd[i]);
	j->n = 0;
	errno = saved;
}
