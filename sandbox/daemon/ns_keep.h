/* An instance's IPC and mount namespaces, held by the daemon between one
 * run and the next, so that a restart can enter them rather than make
 * new ones (sandbox/child/ns_enter.h). Only a pair found empty is
 * offered: no SysV object, no POSIX message queue, nothing in its
 * /dev/shm. With nothing else in it a run could change (the caller's
 * decision: no mounts of its own, no capabilities, not root), such a
 * pair is as good as a new one. */
#ifndef PROSPERO_SANDBOX_DAEMON_NS_KEEP_H
#define PROSPERO_SANDBOX_DAEMON_NS_KEEP_H

#include <stdbool.h>

struct sb_ns_keep {
	int ipc, mnt;		/* the namespaces; -1: none held */
	int shm;		/* its /dev/shm, a directory */
	int mqueue;		/* the root of its message queue file system */
};

#define SB_NS_KEEP_FDS 4
#define SB_NS_KEEP_NONE ((struct sb_ns_keep){ .ipc = -1, .mnt = -1, .shm = -1, .mqueue = -1 })

/* The daemon's own IPC namespace, to come back to from a look into an
 * instance's: an fd, or -1 with errno. */
int sb_ns_keep_home(void);
/* The pair a child handed over on SOCK (sandbox/child/ns_enter.h),
 * read without waiting: after the spawn of a plan with hand_ns, before
 * anything else is read there. 0, or -1 with errno and nothing held:
 * ENOENT (the child could not open them), EBADMSG (any other message,
 * whose fds are closed), EMFILE (no room for them here), EAGAIN (none),
 * or a failed mqueue mount. */
int sb_ns_keep_recv(struct sb_ns_keep *k, int sock, int home);
bool sb_ns_keep_held(const struct sb_ns_keep *k);
/* 1: nothing of a run is left in them; 0: something is; -1: errno. */
int sb_ns_keep_empty(const struct sb_ns_keep *k, int home);
/* Closing the last hold on a mount namespace tears its mounts down: the
 * caller waits out an RCU grace period here. */
void sb_ns_keep_drop(struct sb_ns_keep *k);

#endif
