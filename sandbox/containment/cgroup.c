/* An instance's cgroup; see cgroup.h. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/containment/cgroup.h"
#include "sandbox/containment/cgroup_fs.h"
#include "sandbox/containment/cgroup_usage.h"

void sb_cgroup_inst_init(struct sb_cgroup_inst *ci)
{
	ci->fd = ci->wd = ci->notify_fd = -1;
	ci->v1 = 0;
	ci->name[0] = '\0';
	ci->lim = (struct sb_cgroup_limits){ 0 };
	ci->killed = false;
	ci->cpu_base = 0;
}

/* Make the v1 mirrors of the controllers in mask, with lim in them. */
static int make_mirrors(const struct sb_cgroup_tree *t, struct sb_cgroup_inst *ci, unsigned mask,
			const struct sb_cgroup_limits *lim)
{
	for (int c = 0; c < SB_CGROUP_NCTL; c++) {
		if (!(mask & SB_CGROUP_CTL_BIT(c)))
			continue;
		int fd = sb_cgroup_v1_make(&t->v1, (enum sb_cgroup_ctl)c, ci->name);
		if (fd < 0)
			return -1;
		ci->v1 |= SB_CGROUP_CTL_BIT(c);
		int r = sb_cgroup_limits_write_v1(fd, (enum sb_cgroup_ctl)c, lim);
		int saved = errno;
		close(fd);
		errno = saved;
		if (r < 0)
			return -1;
	}
	return 0;
}

/* The controllers with a v1 mirror parent. */
static unsigned v1_parents(const struct sb_cgroup_tree *t)
{
	unsigned m = 0;

	for (int c = 0; c < SB_CGROUP_NCTL; c++)
		if (t->v1.fd[c] >= 0)
			m |= SB_CGROUP_CTL_BIT(c);
	return m;
}

int sb_cgroup_inst_create(const struct sb_cgroup_tree *t, struct sb_cgroup_inst *ci,
			  const char *instance, const struct sb_cgroup_limits *lim)
{
	unsigned need = sb_cgroup_limits_need(lim), on_v2 = need & t->v2_ctl;
	unsigned on_v1 = (need | t->v1_account) & ~t->v2_ctl & v1_parents(t);
	bool existed;
	int saved, p;

	sb_cgroup_inst_init(ci);
	/* a limit asked for is applied, or the instance does not start */
	if (t->mode == SB_CGROUP_OFF || (need & ~on_v2 & ~on_v1)) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if (sb_cgroup_inst_name(instance, ci->name, sizeof(ci->name)) < 0)
		return -1;
	existed = mkdirat(t->fd, ci->name, 0755) < 0;
	if ((existed && errno != EEXIST) || (ci->fd = sb_cgfs_open_dir(t->fd, ci->name)) < 0)
		return -1;
	/* a leftover of this name (a run that ended without its removal) is
	 * ours to reuse only when nothing lives in it */
	if (existed && (p = sb_cgfs_populated(ci->fd)) != 0) {
		saved = p > 0 ? EBUSY : errno;
		close(ci->fd);
		sb_cgroup_inst_init(ci);
		errno = saved;
		return -1;
	}
	/* a leftover holds the limits of the run that left it, which this
	 * one may not have: every enabled controller is set afresh */
	if (sb_cgroup_limits_write_v2(ci->fd, lim, existed ? t->v2_ctl : on_v2) < 0 ||
	    make_mirrors(t, ci, on_v1, lim) < 0) {
		saved = errno;
		sb_cgroup_inst_remove(t, ci);
		errno = saved;
		return -1;
	}
	ci->lim = *lim;
	return 0;
}

int sb_cgroup_inst_open_leftover(const struct sb_cgroup_tree *t, struct sb_cgroup_inst *ci,
				 const char *instance)
{
	sb_cgroup_inst_init(ci);
	if (sb_cgroup_inst_name(instance, ci->name, sizeof(ci->name)) < 0 ||
	    (ci->fd = sb_cgfs_open_dir(t->fd, ci->name)) < 0)
		return -1;
	ci->killed = true;
	return 0;
}

int sb_cgroup_inst_populated(const struct sb_cgroup_inst *ci)
{
	return sb_cgfs_populated(ci->fd);
}

int sb_cgroup_inst_kill(const struct sb_cgroup_tree *t, struct sb_cgroup_inst *ci)
{
	ci->killed = true;
	/* removed from outside, so it was empty: nothing left to kill */
	return sb_cgfs_kill(ci->fd, t->has_kill) < 0 && errno != ENOENT ? -1 : 0;
}

bool sb_cgroup_inst_reusable(const struct sb_cgroup_tree *t, const struct sb_cgroup_inst *ci,
			     const struct sb_cgroup_limits *lim)
{
	return ci->fd >= 0 && !ci->killed && !ci->v1 && !(t->v2_ctl & SB_CGROUP_CTL_BIT(SB_CGROUP_MEMORY)) &&
	       ci->lim.memory == lim->memory && ci->lim.tasks == lim->tasks &&
	       ci->lim.cpu_weight == lim->cpu_weight;
}

/* Its watch, if any, removed: a cgroup's removal does not end a watch
 * of its cgroup.events (kernfs keeps the inode the watch holds). EINVAL,
 * a watch the kernel ended after all, is as good. */
static void unwatch(struct sb_cgroup_inst *ci)
{
	int saved = errno;

	if (ci->wd >= 0 && ci->notify_fd >= 0)
		inotify_rm_watch(ci->notify_fd, ci->wd);
	ci->wd = ci->notify_fd = -1;
	errno = saved;
}

void sb_cgroup_inst_forget(struct sb_cgroup_inst *ci)
{
	unwatch(ci);
	if (ci->fd >= 0)
		close(ci->fd);
	sb_cgroup_inst_init(ci);
}

void sb_cgroup_inst_next_run(struct sb_cgroup_inst *ci, const struct sb_cgroup_usage *u)
{
	ci->cpu_base += u->cpu_usec;
}

int sb_cgroup_inst_remove(const struct sb_cgroup_tree *t, struct sb_cgroup_inst *ci)
{
	int r;

	if (ci->fd < 0)
		return 0;
	/* ENOENT: removed from outside (it was empty); the rest may not be */
	if ((r = sb_cgfs_populated(ci->fd)) != 0 && !(r < 0 && errno == ENOENT)) {
		if (r > 0)
			errno = EBUSY;
		return -1;
	}
	if (unlinkat(t->fd, ci->name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -1;
	/* the v2 cgroup held every process: empty there is empty here too */
	r = sb_cgroup_v1_remove(&t->v1, ci->v1, ci->name);
	unwatch(ci);
	close(ci->fd);
	sb_cgroup_inst_init(ci);
	return r;
}

int sb_cgroup_notify_open(void)
{
	return inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
}

int sb_cgroup_inst_watch(struct sb_cgroup_inst *ci, int notify_fd)
{
	char path[64];

	/* inotify takes a path: reach cgroup.events through the fd held */
	snprintf(path, sizeof(path), "/proc/self/fd/%d/cgroup.events", ci->fd);
	ci->wd = inotify_add_watch(notify_fd, path, IN_MODIFY | IN_DONT_FOLLOW);
	if (ci->wd < 0)
		return -1;
	ci->notify_fd = notify_fd;
	return 0;
}

int sb_cgroup_notify_read(int notify_fd, int *wds, int max)
{
	/* watches on files carry no name: every event is the bare struct */
	struct inotify_event ev[SB_CGROUP_NOTIFY_BATCH];
	ssize_t r;
	int n = 0;

	if (max > SB_CGROUP_NOTIFY_BATCH)
		max = SB_CGROUP_NOTIFY_BATCH;
	/* a batch of IN_IGNORED alone (watches removed with their cgroups) is
	 * not the end of what is queued */
	while (n == 0) {
		r = read(notify_fd, ev, (size_t)max * sizeof(ev[0]));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN ? 0 : -1;
		for (size_t i = 0; i < (size_t)r / sizeof(ev[0]); i++) {
			if (ev[i].mask & IN_Q_OVERFLOW)
				wds[n++] = -1;
			else if (ev[i].mask & IN_MODIFY)
				wds[n++] = ev[i].wd;
		}
	}
	return n;
}
