/* v1 mirrors; see cgroup_v1.h. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "sandbox/containment/cgroup_fs.h"
#include "sandbox/containment/cgroup_v1.h"

static int open_parent(struct cgroup_v1 *v, const struct cgroup_place *p, enum cgroup_ctl c)
{
	int root;

	if (!p->mnt[0]) {
		errno = ENOENT;
		return -1;
	}
	if (!v->name[0]) {
		if (!p->own[0]) {
			errno = ENOENT;
			return -1;
		}
		return open(p->own, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if ((root = open(p->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	v->root_fd[c] = root;
	return cgfs_make_dir(root, v->name);
}

void cgroup_v1_open(struct cgroup_v1 *v, const struct cgroup_hier *h, const char *subtree, unsigned need)
{
	v->name[0] = '\0';
	if (subtree && strlen(subtree) < sizeof(v->name))
		strcpy(v->name, subtree);
	for (int c = 0; c < CGROUP_NCTL; c++) {
		v->fd[c] = v->root_fd[c] = -1;
		v->err[c] = 0;
		if (!(need & CGROUP_CTL_BIT(c)))
			v->err[c] = ENOENT;
		else if ((v->fd[c] = open_parent(v, &h->v1[c], (enum cgroup_ctl)c)) < 0)
			v->err[c] = errno;
	}
}

void cgroup_v1_close(struct cgroup_v1 *v)
{
	for (int c = 0; c < CGROUP_NCTL; c++) {
		if (v->fd[c] >= 0)
			close(v->fd[c]);
		/* a parent it made goes with it, unless something still lives there */
		if (v->root_fd[c] >= 0) {
			unlinkat(v->root_fd[c], v->name, AT_REMOVEDIR);
			close(v->root_fd[c]);
		}
		v->fd[c] = v->root_fd[c] = -1;
	}
}

int cgroup_v1_make(const struct cgroup_v1 *v, enum cgroup_ctl c, const char *name)
{
	if (v->fd[c] < 0) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return cgfs_make_dir(v->fd[c], name);
}

int cgroup_v1_open_inst(const struct cgroup_v1 *v, enum cgroup_ctl c, const char *name)
{
	if (v->fd[c] < 0) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return cgfs_open_dir(v->fd[c], name);
}

int cgroup_v1_remove(const struct cgroup_v1 *v, unsigned mask, const char *name)
{
	int err = 0;

	for (int c = 0; c < CGROUP_NCTL; c++)
		if ((mask & CGROUP_CTL_BIT(c)) && v->fd[c] >= 0 &&
		    unlinkat(v->fd[c], name, AT_REMOVEDIR) < 0 && errno != ENOENT && !err)
			err = errno;
	errno = err;
	return err ? -1 : 0;
}
