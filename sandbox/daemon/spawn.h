/* Starting an actor's process: the one place the daemon forks. The
 * child's side is sandbox/child/exec.h. */
#ifndef PROSPERO_SANDBOX_DAEMON_SPAWN_H
#define PROSPERO_SANDBOX_DAEMON_SPAWN_H

#include <stdbool.h>
#include <sys/types.h>

#include "sandbox/child/exec.h"

/* Staging slots: the lowest fds after 0-2, held on /dev/null between
 * spawns. The daemon copies an actor's fds into them and clones with
 * CLONE_FILES; the child then takes a private table of the fds below the
 * slots' end only (close_range CLOSE_RANGE_UNSHARE), so neither clone nor
 * execve touches the daemon's other fds: one output pipe per actor makes
 * that O(N) per start, O(N^2) for a tree, otherwise. */
#define SB_SPAWN_SLOT_BASE 3
#define SB_SPAWN_SLOTS 16

struct sb_spawner {
	void *stack;		/* the child's stack, allocated once */
	size_t stack_size;
	bool staged;		/* the slots are ours */
	int devnull;		/* above the slots: what a slot holds when idle */
	int *lifted;		/* the confinement's scratch, grown to the largest plan */
	unsigned nlifted;
};

/* Call before the daemon opens any fd of its own: it claims fds 3..18
 * (closing whatever the daemon inherited there). */
int sb_spawner_init(struct sb_spawner *sp);
void sb_spawner_fini(struct sb_spawner *sp);

/* Start the plan. Returns the pid once execve has succeeded; or -1 with
 * errno set, and *err saying which step failed (the child is reaped).
 * Unless PIDFD is NULL, *PIDFD gets the child's pidfd (close-on-exec), or
 * -1 on a kernel without pidfds. */
pid_t sb_spawn_start(struct sb_spawner *sp, const struct sb_spawn_plan *p,
		     struct sb_spawn_error *err, int *pidfd);

/* What a failed step is called in a message: "drop capabilities". */
const char *sb_confine_step_name(enum sb_confine_step s);

#endif
