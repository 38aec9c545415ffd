/* v1 mirrors; see cgroup_v1.h. */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "sandbox/containment/cgroup_fs.h"
#include "sandbox/containment/cgroup_v1.h"

static int open_parent(struct sb_cgroup_v1 *v, const struct sb_cgroup_place *p,
		       enum sb_cgroup_ctl c)
{
	int root;

	if (!p->mnt[0]) {
		errno = ENOENT;
		return -1;
	}
	if (!v->name[0]) {
		struct statvfs fs;
		int own;

		if (!p->own[0]) {
			errno = ENOENT;
			return -1;
		}
		if ((own = open(p->own, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			return -1;
		/* not made here, so never tried: a container's read-only v1
		 * mounts would fail each instance's mkdir instead */
		if (fstatvfs(own, &fs) == 0 && (fs.f_flag & ST_RDONLY)) {
			close(own);
			errno = EROFS;
			return -1;
		}
		/* a v2 cgroup delegated to a daemon without root leaves the
		 * v1 ones root's: each instance's mkdir would fail there */
		if (faccessat(own, ".", W_OK, AT_EACCESS) < 0) {
			int saved = errno;

			close(own);
			errno = saved;
			return -1;
		}
		return own;
	}
	if ((root = open(p->mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	v->root_fd[c] = root;
	return sb_cgfs_make_dir(root, v->name);
}

void sb_cgroup_v1_open(struct sb_cgroup_v1 *v, const struct sb_cgroup_hier *h,
		       const char *subtree, unsigned need)
{
	v->name[0] = '\0';
	if (subtree && strlen(subtree) < sizeof(v->name))
		strcpy(v->name, subtree);
	for (int c = 0; c < SB_CGROUP_NCTL; c++) {
		v->fd[c] = v->root_fd[c] = -1;
		v->err[c] = 0;
		if (!(need & SB_CGROUP_CTL_BIT(c)))
			v->err[c] = ENOENT;
		else if ((v->fd[c] = open_parent(v, &h->v1[c], (enum sb_cgroup_ctl)c)) < 0)
			v->err[c] = errno;
	}
}

void sb_cgroup_v1_close(struct sb_cgroup_v1 *v)
{
	for (int c = 0; c < SB_CGROUP_NCTL; c++) {
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

int sb_cgroup_v1_make(const struct sb_cgroup_v1 *v, enum sb_cgroup_ctl c, const char *name)
{
	if (v->fd[c] < 0) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return sb_cgfs_make_dir(v->fd[c], name);
}

int sb_cgroup_v1_open_inst(const struct sb_cgroup_v1 *v, enum sb_cgroup_ctl c, const char *name)
{
	if (v->fd[c] < 0) {
		errno = EOPNOTSUPP;
		return -1;
	}
	return sb_cgfs_open_dir(v->fd[c], name);
}

int sb_cgroup_v1_remove(const struct sb_cgroup_v1 *v, unsigned mask, const char *name)
{
	int err = 0;

	for (int c = 0; c < SB_CGROUP_NCTL; c++)
		if ((mask & SB_CGROUP_CTL_BIT(c)) && v->fd[c] >= 0 &&
		    unlinkat(v->fd[c], name, AT_REMOVEDIR) < 0 && errno != ENOENT && !err)
			err = errno;
	errno = err;
	return err ? -1 : 0;
}
