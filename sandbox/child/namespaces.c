/* Mount and network namespaces for one actor. The child runs with CLONE_VM
 * but without CLONE_FS, so unshare(CLONE_NEWNS) leaves the daemon's mounts
 * alone. */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>

#include "sandbox/child/child_side.h"
#include "sandbox/child/namespaces.h"

/* Bind the path onto itself, submounts included, then flip the whole
 * subtree read-only in one call: a plain MS_REMOUNT would reach only the
 * top mount and leave what is mounted below it writable. */
CHILD_SIDE static int make_read_only(const char *path, const char **step_name)
{
	/* nosuid: nothing read-only is there to grant privileges. Not nodev:
	 * the recursion would reach /dev when path is "/". */
	struct mount_attr attr = {
		.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID,
	};

	*step_name = "bind-mount read_only path";
	if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return -1;
	*step_name = "mount_setattr(read_only path)";
	return mount_setattr(AT_FDCWD, path, AT_RECURSIVE, &attr, sizeof(attr));
}

/* PATH, below a read-only mount, writable again: a bind mount of it
 * starts with the flags of the mount it comes from, then loses RDONLY. */
CHILD_SIDE static int make_writable(const char *path, const char **step_name)
{
	struct mount_attr attr = { .attr_clr = MOUNT_ATTR_RDONLY };

	*step_name = "bind-mount the state directory";
	if (mount(path, path, NULL, MS_BIND, NULL) < 0)
		return -1;
	*step_name = "mount_setattr(state directory writable)";
	return mount_setattr(AT_FDCWD, path, 0, &attr, sizeof(attr));
}

CHILD_SIDE int sb_ns_apply(const struct sb_ns *ns, const char **step_name)
{
	/* An empty network namespace: its loopback is down and has no
	 * address, so the actor reaches only the fds it was given. */
	*step_name = "unshare(CLONE_NEWNET)";
	if (ns->private_network && unshare(CLONE_NEWNET) < 0)
		return -1;

	*step_name = "unshare(CLONE_NEWIPC)";
	if (ns->private_ipc && unshare(CLONE_NEWIPC) < 0)
		return -1;

	if (ns->private_tmp || ns->nread_only || ns->dev_shm) {
		*step_name = "unshare(CLONE_NEWNS)";
		if (unshare(CLONE_NEWNS) < 0)
			return -1;
		/* Slave, not private: host mounts still arrive (a disk mounted
		 * later under /srv), and nothing done here travels back. */
		*step_name = "make / a recursive slave mount";
		if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
			return -1;
	}

	/* Read-only first, private /tmp after: a fresh tmpfs mounted on top
	 * stays writable even under read_only "/". */
	for (size_t i = 0; i < ns->nread_only; i++)
		if (make_read_only(ns->read_only[i], step_name) < 0)
			return -1;
	if (ns->nread_only && ns->writable && make_writable(ns->writable, step_name) < 0)
		return -1;

	if (ns->private_tmp) {
		/* nosuid, nodev: a world-writable tmpfs must not grow device
		 * nodes or setuid binaries. */
		*step_name = "mount tmpfs on /tmp";
		if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
			return -1;
		*step_name = "mount tmpfs on /var/tmp";
		if (mount("tmpfs", "/var/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0 &&
		    errno != ENOENT)	/* a system without /var/tmp has nothing to hide */
			return -1;
	}

	/* noexec too: shared memory is for data */
	*step_name = "mount tmpfs on /dev/shm";
	if (ns->dev_shm && mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
				 ns->dev_shm) < 0)
		return -1;

	*step_name = NULL;
	return 0;
}
