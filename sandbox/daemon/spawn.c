/* clone(CLONE_VM | CLONE_VFORK), as glibc's posix_spawn: the daemon's page
 * tables are not copied, and the daemon resumes only once the child has
 * exec'ed or failed, so "ready on exec" and the exact failing step are
 * known when sb_spawn_start returns. The price: the child shares our memory
 * until exec, so it runs system calls only (sandbox/child/child_side.h). */

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/containment/cgroup.h"
#include "sandbox/containment/clone_into.h"
#include "sandbox/daemon/spawn.h"

int sb_spawner_init(struct sb_spawner *sp)
{
	int null;

	sp->staged = false;
	sp->devnull = -1;
	sp->lifted = NULL;
	sp->nlifted = 0;
	/* sanitizers want room; untouched pages cost nothing */
	sp->stack_size = 256 * 1024;
	sp->stack = mmap(NULL, sp->stack_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (sp->stack == MAP_FAILED) {
		sp->stack = NULL;
		return -1;
	}
	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		return -1;
	sp->devnull = fcntl(null, F_DUPFD_CLOEXEC, SB_SPAWN_SLOT_BASE + SB_SPAWN_SLOTS);
	close(null);
	if (sp->devnull < 0)
		return -1;
	for (int fd = SB_SPAWN_SLOT_BASE; fd < SB_SPAWN_SLOT_BASE + SB_SPAWN_SLOTS; fd++)
		if (dup3(sp->devnull, fd, O_CLOEXEC) < 0)
			return -1;
	sp->staged = true;
	return 0;
}

void sb_spawner_fini(struct sb_spawner *sp)
{
	if (sp->stack)
		munmap(sp->stack, sp->stack_size);
	sp->stack = NULL;
	if (sp->staged)
		close_range(SB_SPAWN_SLOT_BASE, SB_SPAWN_SLOT_BASE + SB_SPAWN_SLOTS - 1, 0);
	sp->staged = false;
	if (sp->devnull >= 0)
		close(sp->devnull);
	free(sp->lifted);
	sp->lifted = NULL;
	sp->nlifted = 0;
	sp->devnull = -1;
}

/* Back to /dev/null: the daemon must not hold an extra end of an actor's
 * pipe, or it would never see EOF on it. */
static void unstage(struct sb_spawner *sp, int used)
{
	for (int fd = SB_SPAWN_SLOT_BASE; fd < used; fd++)
		dup3(sp->devnull, fd, O_CLOEXEC);
}

/* Copy the plan's fds (and the seccomp handoff) into the slots and point
 * STAGED at them. False if they do not fit, or a copy failed (the slots
 * then idle again): the plan goes unstaged, correct but O(daemon's fds). */
static bool stage(struct sb_spawner *sp, const struct sb_confine_plan *p,
		  struct sb_confine_plan *staged, int *slot_fds, struct sb_ns_kept *kept)
{
	unsigned need = p->nfds + (p->handoff_fd >= 0) + (p->kept ? 2 : 0);

	if (!sp->staged || need > SB_SPAWN_SLOTS)
		return false;
	for (unsigned i = 0; i < p->nfds; i++) {
		slot_fds[i] = SB_SPAWN_SLOT_BASE + (int)i;
		if (dup3(p->fds[i], slot_fds[i], O_CLOEXEC) < 0)
			goto failed;
	}
	*staged = *p;
	staged->fds = slot_fds;
	if (p->handoff_fd >= 0) {
		staged->handoff_fd = SB_SPAWN_SLOT_BASE + (int)p->nfds;
		if (dup3(p->handoff_fd, staged->handoff_fd, O_CLOEXEC) < 0)
			goto failed;
	}
	if (p->kept) {
		kept->ipc = SB_SPAWN_SLOT_BASE + (int)need - 2;
		kept->mnt = kept->ipc + 1;
		if (dup3(p->kept->ipc, kept->ipc, O_CLOEXEC) < 0 || dup3(p->kept->mnt, kept->mnt, O_CLOEXEC) < 0)
			goto failed;
		staged->kept = kept;
	}
	staged->unshare_below = SB_SPAWN_SLOT_BASE + (int)need;
	return true;
failed:
	unstage(sp, SB_SPAWN_SLOT_BASE + (int)need);
	return false;
}

/* Where clone3 cannot place the child in its cgroup (before Linux 5.7,
 * or not on x86-64), the child joins it itself: the v2 cgroup's
 * cgroup.procs goes first in a copy of the plan's join. */
static pid_t clone_joining(struct sb_child *a, void *stack, int flags, int *pidfd)
{
	const struct sb_confine_plan *cp = a->plan->confine;
	struct sb_confine_plan confine = *cp;
	struct sb_spawn_plan plan = *a->plan;
	const struct sb_spawn_plan *orig = a->plan;
	struct sb_cgroup_join j = { .n = 1 };
	pid_t pid;
	int saved;

	if ((j.fd[0] = openat(plan.cgroup->fd, "cgroup.procs", O_WRONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	for (unsigned i = 0; cp->join && i < cp->join->n && j.n < sizeof j.fd / sizeof *j.fd; i++)
		j.fd[j.n++] = cp->join->fd[i];
	confine.join = &j;
	plan.confine = &confine;
	a->plan = &plan;
	pid = clone(sb_child_main, stack, flags, a, (pid_t *)pidfd);
	saved = errno;
	a->plan = orig;
	close(j.fd[0]);
	errno = saved;
	return pid;
}

/* Into the plan's cgroup from the first instruction, where it has one.
 * With CLONE_PIDFD its pidfd goes to *PIDFD. */
static pid_t clone_child(struct sb_spawner *sp, struct sb_child *a, int flags, int *pidfd)
{
	void *top = (char *)sp->stack + sp->stack_size;
	pid_t pid;

	if (!a->plan->cgroup)
		return clone(sb_child_main, top, flags, a, (pid_t *)pidfd);
	pid = sb_clone_into(sb_child_main, a, sp->stack, sp->stack_size, (uint64_t)(flags & ~CSIGNAL),
			    a->plan->cgroup->fd, pidfd);
	if (pid < 0 && errno == ENOSYS)
		pid = clone_joining(a, top, flags, pidfd);
	return pid;
}

/* The child writes its fd map here; it shares our memory but must not
 * allocate, so the daemon sizes it beforehand. */
static int *lift_scratch(struct sb_spawner *sp, unsigned nfds)
{
	if (nfds > sp->nlifted) {
		int *grown = realloc(sp->lifted, nfds * sizeof *grown);

		if (!grown)
			return NULL;
		sp->lifted = grown;
		sp->nlifted = nfds;
	}
	return sp->lifted;
}

pid_t sb_spawn_start(struct sb_spawner *sp, const struct sb_spawn_plan *p,
		     struct sb_spawn_error *err, int *pidfd)
{
	struct sb_confine_plan plan = *p->confine, staged_plan;
	struct sb_spawn_plan staged = *p;
	struct sb_ns_kept kept;
	int slot_fds[SB_SPAWN_SLOTS];
	struct sb_child a = { .plan = &staged };
	int flags = CLONE_VM | CLONE_VFORK | SIGCHLD | (pidfd ? CLONE_PIDFD : 0);
	int handoff = -1;
	sigset_t all, old;
	pid_t pid;
	int saved;

	if (!(plan.lifted = lift_scratch(sp, plan.nfds))) {
		*err = (struct sb_spawn_error){ .step = SB_CONFINE_FDS, .detail = "malloc", .errnum = ENOMEM };
		errno = ENOMEM;
		return -1;
	}
	staged.confine = &plan;
	if (stage(sp, &plan, &staged_plan, slot_fds, &kept)) {
		staged.confine = &staged_plan;
		flags |= CLONE_FILES;
	} else {
		/* its fds could be among those the child moves: new ones */
		plan.kept = NULL;
		/* the child fills 0..nfds-1 before it sends on the handoff, so
		 * one below nfds would be a binding's fd by then, and it frees
		 * nfds for the listener: copy it above */
		if (plan.handoff_fd >= 0 && (unsigned)plan.handoff_fd <= plan.nfds) {
			if ((handoff = fcntl(plan.handoff_fd, F_DUPFD_CLOEXEC, (int)plan.nfds + 1)) < 0) {
				*err = (struct sb_spawn_error){ .step = SB_CONFINE_FDS, .detail = "fcntl(F_DUPFD_CLOEXEC)",
								.errnum = errno };
				return -1;
			}
			plan.handoff_fd = handoff;
		}
	}
	/* No daemon signal handler may run on the child's side before it has
	 * reset the dispositions. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	if (pidfd)
		*pidfd = -1;
	pid = clone_child(sp, &a, flags, pidfd);
	if (pid < 0 && errno == EINVAL && pidfd) {	/* before Linux 5.2: no pidfds */
		flags &= ~CLONE_PIDFD;
		pidfd = NULL;
		pid = clone_child(sp, &a, flags, NULL);
	}
	saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (flags & CLONE_FILES)
		unstage(sp, staged_plan.unshare_below);
	if (handoff >= 0)
		close(handoff);

	if (pid < 0) {
		err->step = SB_CONFINE_CLONE;
		err->detail = NULL;
		err->errnum = saved;
		errno = saved;
		return -1;
	}
	if (a.err.errnum) {
		/* the child has _exit'ed: reap it here so no SIGCHLD handler sees it */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		if (pidfd) {
			close(*pidfd);
			*pidfd = -1;
		}
		*err = a.err;
		errno = a.err.errnum;
		return -1;
	}
	return pid;
}

const char *sb_confine_step_name(enum sb_confine_step s)
{
	static const char *const names[] = {
		[SB_CONFINE_CGROUP] = "join its cgroups",
		[SB_CONFINE_SIGNALS] = "reset signals",
		[SB_CONFINE_SESSION] = "setsid",
		[SB_CONFINE_PDEATHSIG] = "set parent-death signal",
		[SB_CONFINE_FDS] = "set up file descriptors",
		[SB_CONFINE_CWD] = "chdir",
		[SB_CONFINE_RLIMITS] = "set resource limits",
		[SB_CONFINE_NAMESPACES] = "set up namespaces",
		[SB_CONFINE_IDS] = "change uid/gid",
		[SB_CONFINE_CAPS] = "drop capabilities",
		[SB_CONFINE_NO_NEW_PRIVS] = "set no_new_privs",
		[SB_CONFINE_SECCOMP] = "load the seccomp filter",
		[SB_CONFINE_EXEC] = "exec",
		[SB_CONFINE_CLONE] = "clone",
	};
	return names[s];
}
