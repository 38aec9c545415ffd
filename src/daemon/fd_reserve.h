/* A few fds the daemon takes at its start, among its lowest, and gives
 * up for a moment to what must not fail for want of one: the kill of
 * what an actor left, the look that says it is gone, the figures of its
 * exit, the EMFILE answer to a control connection, the reload state file
 * `prospero reload` waits on. Out of fds (a limit prlimit(1) lowered
 * below what the daemon holds, or the host's file table full) these
 * would otherwise wait for whatever frees one. The kernel gives the
 * lowest free fd and refuses one at or above the soft limit:
 * low-numbered, the reserve is still below a limit lowered since. */
#ifndef PROSPERO_DAEMON_FD_RESERVE_H
#define PROSPERO_DAEMON_FD_RESERVE_H

#include <stdbool.h>

/* Enough for the deepest of them: the freeze-and-kill of a cgroup
 * (before Linux 5.14's cgroup.kill) holds its cgroup.freeze, a listing
 * of a directory and one file of it at once. */
#define FD_RESERVE_N 4

struct fd_reserve {
	int fd[FD_RESERVE_N];	/* -1: given up */
};

/* None held. */
void fd_reserve_init(struct fd_reserve *r);
/* Take those not held (each a /dev/null, cloexec); -1 with errno when
 * one cannot be had. errno is kept otherwise. */
int fd_reserve_take(struct fd_reserve *r);
/* Give them all up, for the next calls to have their numbers: whether
 * that freed one the kernel may give (below the soft limit read now). */
bool fd_reserve_give_up(struct fd_reserve *r);
/* Did a call fail for want of an fd? */
bool fd_reserve_would_help(int err);

#endif
