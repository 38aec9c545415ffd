/* Sweeping a predecessor's leftovers; see cgroup_sweep.h. */

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "sandbox/containment/cgroup_fs.h"
#include "sandbox/containment/cgroup_name.h"
#include "sandbox/containment/cgroup_sweep.h"

static int count_tree(int parent, const char *name, void *ctx)
{
	unsigned n;
	int dir = sb_cgfs_open_dir(parent, name), r;

	if (dir < 0)
		return -1;
	r = sb_cgfs_count_procs(dir, &n);
	if (r == 0) {
		*(unsigned *)ctx += n;
		r = sb_cgfs_each_child(dir, count_tree, ctx);
	}
	close(dir);
	return r;
}

/* Depth first: a cgroup with children cannot go. */
static int remove_tree(int parent, const char *name, void *ctx)
{
	int dir = sb_cgfs_open_dir(parent, name), r;

	(void)ctx;
	if (dir < 0)
		return -1;
	r = sb_cgfs_each_child(dir, remove_tree, NULL);
	close(dir);
	if (r == 0 && unlinkat(parent, name, AT_REMOVEDIR) < 0)
		r = -1;
	return r;
}

struct sweep {
	const struct sb_cgroup_tree *t;
	int timeout_ms;
	struct sb_cgroup_sweep *s;
};

static int sweep_v2(int parent, const char *name, void *ctx)
{
	struct sweep *w = ctx;
	int dir, r;

	if (!sb_cgroup_is_inst_name(name))
		return 0;
	if ((dir = sb_cgfs_open_dir(parent, name)) < 0)
		return -1;
	r = count_tree(parent, name, &w->s->procs);
	if (r == 0 && sb_cgfs_populated(dir) != 0)
		r = sb_cgfs_kill(dir, w->t->has_kill) == 0 ? sb_cgfs_wait_empty(dir, w->timeout_ms) : -1;
	close(dir);
	if (r == 0 && (r = remove_tree(parent, name, NULL)) == 0)
		w->s->cgroups++;
	return r;
}

/* v1 mirrors hold the same processes as the v2 cgroups, dead by now;
 * one left alone (its v2 twin gone some other way) is killed here. */
static int sweep_v1(int parent, const char *name, void *ctx)
{
	struct sweep *w = ctx;
	unsigned n = 0;
	int dir, r;

	if (!sb_cgroup_is_inst_name(name))
		return 0;
	if ((dir = sb_cgfs_open_dir(parent, name)) < 0)
		return -1;
	r = sb_cgfs_count_procs(dir, &n);
	if (r == 0 && n)
		r = sb_cgfs_kill_members(dir, w->timeout_ms);
	w->s->procs += n;
	close(dir);
	if (r == 0 && (r = remove_tree(parent, name, NULL)) == 0)
		w->s->mirrors++;
	return r;
}

int sb_cgroup_tree_sweep(const struct sb_cgroup_tree *t, int timeout_ms, struct sb_cgroup_sweep *s)
{
	struct sweep w = { t, timeout_ms, s };

	s->procs = s->cgroups = s->mirrors = 0;
	if (t->mode == SB_CGROUP_OFF) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if (sb_cgfs_each_child(t->fd, sweep_v2, &w) != 0)
		return -1;
	for (int c = 0; c < SB_CGROUP_NCTL; c++)
		if (t->v1.fd[c] >= 0 && sb_cgfs_each_child(t->v1.fd[c], sweep_v1, &w) != 0)
			return -1;
	return 0;
}
