/* The daemon's subtree; see cgroup_tree.h. */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/containment/cgroup_fs.h"
#include "sandbox/containment/cgroup_text.h"
#include "sandbox/containment/cgroup_tree.h"

static void init(struct sb_cgroup_tree *t)
{
	t->mode = SB_CGROUP_OFF;
	t->fd = t->root_fd = -1;
	t->has_kill = false;
	t->v2_ctl = t->v1_account = 0;
	t->name[0] = t->path[0] = t->why[0] = '\0';
	for (int c = 0; c < SB_CGROUP_NCTL; c++) {
		t->v1.fd[c] = t->v1.root_fd[c] = -1;
		t->v1.err[c] = ENOENT;
	}
	t->v1.name[0] = '\0';
}

/* No cgroups: say why (the format's %s arguments only), errno err. */
__attribute__((format(printf, 3, 4)))
static int off(struct sb_cgroup_tree *t, int err, const char *fmt, ...)
{
	va_list ap;

	sb_cgroup_tree_close(t);
	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
	errno = err;
	return -1;
}

void sb_cgroup_tree_disable(struct sb_cgroup_tree *t, const char *why)
{
	init(t);
	snprintf(t->why, sizeof(t->why), "%s", why);
}

/* systemd marks the cgroup of a unit with Delegate=yes so; a cgroup
 * without the mark belongs to the service manager, not to us. */
static bool delegated(const char *dir)
{
	static const char *const marks[] = { "trusted.delegate", "user.delegate" };
	char v[8];
	bool yes = false;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return false;
	for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]) && !yes; i++)
		yes = fgetxattr(fd, marks[i], v, sizeof(v)) == 1 && v[0] == '1';
	close(fd);
	return yes;
}

/* The cgroup the daemon was given: its own, or the delegated one above
 * when it is already in the leaf it makes there (an earlier open moved
 * it: check's probe, before run's own), into BUF. */
static const char *given_cgroup(const char *own, char *buf, size_t len)
{
	static const char leaf[] = "/" SB_CGROUP_DAEMON_LEAF;
	size_t n = strlen(own), m = strlen(leaf);

	if (n <= m || n - m >= len || strcmp(own + n - m, leaf) != 0)
		return own;
	memcpy(buf, own, n - m);
	buf[n - m] = '\0';
	return !delegated(own) && delegated(buf) ? buf : own;
}

static int open_delegated(struct sb_cgroup_tree *t, const char *own)
{
	int leaf;

	if ((t->fd = open(own, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return off(t, errno, "cannot open the daemon's cgroup %s: %s", own, strerror(errno));
	if ((leaf = sb_cgfs_make_dir(t->fd, SB_CGROUP_DAEMON_LEAF)) < 0)
		return off(t, errno, "cannot make %s/" SB_CGROUP_DAEMON_LEAF ": %s", own, strerror(errno));
	/* no process may stay where controllers are handed to children */
	if (sb_cgfs_write(leaf, "cgroup.procs", "0") < 0) {
		int e = errno;
		close(leaf);
		return off(t, e, "cannot move the daemon into %s/" SB_CGROUP_DAEMON_LEAF ": %s", own,
			   strerror(e));
	}
	close(leaf);
	snprintf(t->path, sizeof(t->path), "%s", own);
	t->mode = SB_CGROUP_DELEGATED;
	return 0;
}

static int open_subtree(struct sb_cgroup_tree *t, const char *mnt, const char *name)
{
	if (strlen(name) >= sizeof(t->name) || strchr(name, '/') || name[0] == '.' || !name[0])
		return off(t, EINVAL, "invalid cgroup subtree name \"%s\"", name);
	if ((t->root_fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return off(t, errno, "cannot open %s: %s", mnt, strerror(errno));
	if ((size_t)snprintf(t->path, sizeof(t->path), "%s/%s", mnt, name) >= sizeof(t->path))
		return off(t, ENAMETOOLONG, "the cgroup path %s/%s is too long", mnt, name);
	if ((t->fd = sb_cgfs_make_dir(t->root_fd, name)) < 0)
		return off(t, errno, "cannot make %s: %s", t->path, strerror(errno));
	strcpy(t->name, name);
	t->mode = SB_CGROUP_SUBTREE;
	return 0;
}

/* Hand every controller the limits need to the instances, where the
 * subtree has it; one refused does not stop the others. */
static void enable_controllers(struct sb_cgroup_tree *t)
{
	char avail[512], on[512], cmd[32];

	if (sb_cgfs_read(t->fd, "cgroup.controllers", avail, sizeof(avail)) < 0)
		return;
	for (int c = 0; c < SB_CGROUP_NCTL; c++) {
		const char *n = sb_cgroup_ctl_name((enum sb_cgroup_ctl)c);
		if (!sb_cgroup_list_has(avail, ' ', n))
			continue;
		snprintf(cmd, sizeof(cmd), "+%s", n);
		sb_cgfs_write(t->fd, "cgroup.subtree_control", cmd);
	}
	if (sb_cgfs_read(t->fd, "cgroup.subtree_control", on, sizeof(on)) < 0)
		return;
	for (int c = 0; c < SB_CGROUP_NCTL; c++)
		if (sb_cgroup_list_has(on, ' ', sb_cgroup_ctl_name((enum sb_cgroup_ctl)c)))
			t->v2_ctl |= SB_CGROUP_CTL_BIT(c);
}

int sb_cgroup_tree_open_hier(struct sb_cgroup_tree *t, const struct sb_cgroup_hier *h,
			     const char *name)
{
	char unit[SB_CGROUP_PATH_MAX];
	const char *own;
	int r;

	init(t);
	if (!h->v2.mnt[0])
		return off(t, ENOENT, "no cgroup2 (unified) hierarchy is mounted");
	own = given_cgroup(h->v2.own, unit, sizeof(unit));
	if (own[0] && strcmp(own, h->v2.mnt) != 0 && delegated(own))
		r = open_delegated(t, own);
	else if (geteuid() != 0)
		return off(t, EPERM, "not root, and the daemon's cgroup %s is not delegated to it"
			   " (systemd: Delegate=yes)", own[0] ? own : "(outside the mounted hierarchy)");
	else
		r = open_subtree(t, h->v2.mnt, name);
	if (r < 0)
		return r;
	t->has_kill = faccessat(t->fd, "cgroup.kill", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	enable_controllers(t);
	sb_cgroup_v1_open(&t->v1, h, t->mode == SB_CGROUP_SUBTREE ? t->name : NULL,
			  SB_CGROUP_CTL_ALL & ~t->v2_ctl);
	return 0;
}

int sb_cgroup_tree_open(struct sb_cgroup_tree *t, const char *name)
{
	struct sb_cgroup_hier h;

	init(t);
	if (sb_cgroup_hier_read(&h) < 0)
		return off(t, errno, "cannot read /proc/self/mountinfo or /proc/self/cgroup: %s",
			   strerror(errno));
	return sb_cgroup_tree_open_hier(t, &h, name);
}

int sb_cgroup_tree_lock(struct sb_cgroup_tree *t, int wait_ms)
{
	const struct timespec step = { 0, 10 * 1000 * 1000 };

	if (t->mode != SB_CGROUP_SUBTREE)
		return 0;
	for (int waited = 0;; waited += 10) {
		if (flock(t->fd, LOCK_EX | LOCK_NB) == 0)
			return 0;
		if (errno != EWOULDBLOCK)
			return -1;
		if (waited >= wait_ms)
			break;
		nanosleep(&step, NULL);
	}
	/* the holder's: not ours to remove */
	close(t->root_fd);
	t->root_fd = -1;
	for (int c = 0; c < SB_CGROUP_NCTL; c++) {
		if (t->v1.root_fd[c] >= 0)
			close(t->v1.root_fd[c]);
		t->v1.root_fd[c] = -1;
	}
	errno = EBUSY;
	return -1;
}

void sb_cgroup_tree_close(struct sb_cgroup_tree *t)
{
	sb_cgroup_v1_close(&t->v1);
	if (t->fd >= 0)
		close(t->fd);
	if (t->root_fd >= 0) {
		unlinkat(t->root_fd, t->name, AT_REMOVEDIR);
		close(t->root_fd);
	}
	t->fd = t->root_fd = -1;
	t->mode = SB_CGROUP_OFF;
}
