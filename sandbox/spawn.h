/* Starting an actor's process: the one place the daemon forks. */
#ifndef PROSPERO_SPAWN_H
#define PROSPERO_SPAWN_H

#include <sys/types.h>

#include "sandbox/confine.h"

struct spawn_plan {
	const char *path;
	char *const *argv;
	char *const *envp;
	const struct confine_plan *confine;
};

struct spawn_error {
	enum confine_step step;	/* which step failed */
	const char *detail;	/* the call that failed (static), or NULL */
	int errnum;
};

struct spawner {
	void *stack;		/* the child's stack, allocated once */
	size_t stack_size;
};

int spawner_init(struct spawner *sp);
void spawner_fini(struct spawner *sp);

/* Start the plan. Returns the pid once execve has succeeded; or -1 with
 * errno set, and *err saying which step failed (the child is reaped). */
pid_t spawn_start(struct spawner *sp, const struct spawn_plan *p, struct spawn_error *err);

#endif
