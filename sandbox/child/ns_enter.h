/* Entering the IPC and mount namespaces an instance's last run left,
 * instead of making new ones: a new pair costs its start the unshares
 * and mounts, and its end the teardown of a mount tree, both on the
 * restart path. A run whose pair the daemon wants to keep hands it over
 * before its exec; the daemon offers a kept pair only when it is as good
 * as a new one (sandbox/daemon/ns_keep.h). */
#ifndef PROSPERO_SANDBOX_CHILD_NS_ENTER_H
#define PROSPERO_SANDBOX_CHILD_NS_ENTER_H

struct sb_ns_kept {
	int ipc, mnt;
};

/* The first byte of the handing message, which the listener's is not. */
#define SB_NS_HAND_BYTE 'N'

/* After sb_ns_apply: send on SOCK one message, SB_NS_HAND_BYTE with the
 * child's IPC namespace, mount namespace and /dev/shm, or with no fd if
 * one of them could not be opened. Sent here, not looked up by the
 * daemon in /proc after the spawn: by then a short run may be gone. 0,
 * or -1 with errno and *step_name the failed call. */
int sb_ns_hand(int sock, const char **step_name);

/* Needs CAP_SYS_ADMIN and CAP_SYS_CHROOT. setns moves the working
 * directory to the namespace's root, so CWD is entered again. 0, or -1
 * with errno and *step_name the failed call. */
int sb_ns_enter_kept(const struct sb_ns_kept *k, const char *cwd, const char **step_name);

#endif
