/* clone3(2) on a caller-provided stack, optionally straight into a cgroup
 * (CLONE_INTO_CGROUP, Linux 5.7): the child is a member of the cgroup from
 * its first instruction, so nothing it starts can ever be outside it. glibc
 * wraps clone(2) but not clone3(2), and a clone3 child on a new stack
 * cannot return through a C function: a few lines of assembly call fn on
 * the new stack and exit with its value, as glibc's clone does. With
 * CLONE_VM | CLONE_VFORK it is a drop-in for clone() as spawn uses it. */
#ifndef PROSPERO_CLONE_INTO_H
#define PROSPERO_CLONE_INTO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Start fn(arg) in a child on [stack, stack + stack_size), with the clone
 * flags given (CLONE_VM, CLONE_VFORK, CLONE_FILES, CLONE_PIDFD, ...; the
 * exit signal is SIGCHLD), in the cgroup cgroup_fd (a v2 cgroup's
 * directory fd) when it is >= 0; with CLONE_PIDFD the child's pidfd goes
 * to *pidfd. Returns the child's pid, or -1 with errno; ENOSYS when this
 * kernel or architecture cannot: then clone(2), and the child joins its
 * cgroup itself (cgroup_join.h). */
pid_t sb_clone_into(int (*fn)(void *), void *arg, void *stack, size_t stack_size, uint64_t flags,
		    int cgroup_fd, int *pidfd);

#endif
