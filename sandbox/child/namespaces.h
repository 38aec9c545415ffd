/* Optional namespaces for an actor, child side: a private /tmp, no
 * network, parts of the file system read-only, applied with system calls
 * alone. The daemon checks the paths first (sandbox/daemon/namespaces.h).
 * No user namespace: CLONE_NEWUSER needs a process of its own mm, and the
 * spawn child shares the daemon's. */
#ifndef PROSPERO_SANDBOX_CHILD_NAMESPACES_H
#define PROSPERO_SANDBOX_CHILD_NAMESPACES_H

#include <stdbool.h>
#include <stddef.h>

struct sb_ns {
	bool private_tmp;		/* fresh tmpfs on /tmp and /var/tmp */
	bool private_network;		/* own network namespace: lo only, down */
	const char *const *read_only;	/* absolute paths made read-only, with
					 * everything mounted below them */
	size_t nread_only;
	/* own IPC namespace: SysV shm, semaphores and message queues it
	 * makes die with its last process, and it sees no one else's */
	bool private_ipc;
	/* NULL: the host's /dev/shm; else a fresh tmpfs there, mounted with
	 * these options ("mode=1777,size=268435456"), gone with the actor */
	const char *dev_shm;
	const char *writable;		/* with read_only: a directory kept
					 * writable below them (the state
					 * directory), or NULL */
};

/* Needs CAP_SYS_ADMIN, so it runs before privileges are dropped. Nothing
 * it mounts propagates back to the host. Returns 0, or -1 with errno and
 * *step_name a static string naming the failed call. Needs mount_setattr
 * (Linux 5.12). */
int sb_ns_apply(const struct sb_ns *ns, const char **step_name);

#endif
