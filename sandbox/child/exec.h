/* The child's whole life, from clone to execve: the confinement sequence
 * (confine.h), then the program. The spawner (sandbox/daemon/spawn.h)
 * clones with sb_child_main as the entry point and reads the outcome from
 * the same memory once it resumes. */
#ifndef PROSPERO_SANDBOX_CHILD_EXEC_H
#define PROSPERO_SANDBOX_CHILD_EXEC_H

#include "sandbox/child/confine.h"

struct sb_cgroup_inst;

struct sb_spawn_plan {
	/* NULL: the daemon's own cgroup; else the child is cloned straight
	 * into this instance cgroup (sandbox/containment/clone_into.h) */
	const struct sb_cgroup_inst *cgroup;
	const char *path;
	char *const *argv;
	char *const *envp;
	const struct sb_confine_plan *confine;
};

struct sb_spawn_error {
	enum sb_confine_step step;	/* which step failed */
	const char *detail;		/* the call that failed (static), or NULL */
	int errnum;
};

/* What clone passes to sb_child_main. */
struct sb_child {
	const struct sb_spawn_plan *plan;
	struct sb_spawn_error err;	/* written by the child, read after it execs or dies */
};

/* Confine, unblock the signals the spawner blocked across clone, execve.
 * Never returns: on failure it fills CHILD's err (errnum never 0) and
 * _exits 127. */
int sb_child_main(void *child);

#endif
