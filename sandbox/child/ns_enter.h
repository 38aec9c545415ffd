/* Entering the IPC and mount namespaces an instance's last run left,
 * instead of making new ones: a new pair costs its start the unshares
 * and mounts, and its end the teardown of a mount tree, both on the
 * restart path. The daemon keeps a pair and offers it only when it is
 * as good as a new one (sandbox/daemon/ns_keep.h). */
#ifndef PROSPERO_SANDBOX_CHILD_NS_ENTER_H
#define PROSPERO_SANDBOX_CHILD_NS_ENTER_H

struct sb_ns_kept {
	int ipc, mnt;
};

/* Needs CAP_SYS_ADMIN and CAP_SYS_CHROOT. setns moves the working
 * directory to the namespace's root, so CWD is entered again. 0, or -1
 * with errno and *step_name the failed call. */
int sb_ns_enter_kept(const struct sb_ns_kept *k, const char *cwd, const char **step_name);

#endif
