/* pid -> actor instance, for SIGCHLD and notify messages (and dynamic
 * uid -> instance: any nonzero id as wide as a pid is a key). Open
 * addressing sized for every instance, at start-up and when a reload adds
 * some, so the restart path never allocates. */
#ifndef PROSPERO_DAEMON_PIDMAP_H
#define PROSPERO_DAEMON_PIDMAP_H

#include <stddef.h>
#include <sys/types.h>

struct pidmap_slot {
	pid_t pid;		/* 0: empty */
	void *val;
};

struct pidmap {
	struct pidmap_slot *slots;
	size_t mask;		/* capacity - 1, a power of two */
};

/* Room for at least n live pids at load <= 1/2. */
int pidmap_init(struct pidmap *m, size_t n);
/* Room for at least n live pids, keeping those in it. -1 with errno
 * ENOMEM, M unchanged. */
int pidmap_reserve(struct pidmap *m, size_t n);
void pidmap_fini(struct pidmap *m);
void pidmap_put(struct pidmap *m, pid_t pid, void *val);
void *pidmap_get(const struct pidmap *m, pid_t pid);
void pidmap_del(struct pidmap *m, pid_t pid);

#endif
