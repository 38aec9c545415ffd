/* clone(CLONE_VM | CLONE_VFORK), as glibc's posix_spawn: the daemon's page
 * tables are not copied, and the daemon resumes only once the child has
 * exec'ed or failed, so "ready on exec" and the exact failing step are
 * known when spawn_start returns. The price: the child shares our memory
 * until exec, so it runs system calls only (confine.c). */

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/spawn.h"

#define CHILD_SIDE __attribute__((no_sanitize("address", "undefined")))

struct child_arg {
	const struct spawn_plan *plan;
	struct spawn_error err;		/* written by the child, read after it execs or dies */
};

CHILD_SIDE static int child_main(void *opaque)
{
	struct child_arg *a = opaque;
	const struct spawn_plan *p = a->plan;
	sigset_t none;

	if (confine_apply(p->confine, &a->err.step, &a->err.detail) == 0) {
		/* signals were blocked across clone; the actor starts with none blocked */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		a->err.step = CONFINE_EXEC;
		execve(p->path, p->argv, p->envp);
	}
	a->err.errnum = errno ? errno : EINVAL;
	_exit(127);
}

int spawner_init(struct spawner *sp)
{
	/* sanitizers want room; untouched pages cost nothing */
	sp->stack_size = 256 * 1024;
	sp->stack = mmap(NULL, sp->stack_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (sp->stack == MAP_FAILED) {
		sp->stack = NULL;
		return -1;
	}
	return 0;
}

void spawner_fini(struct spawner *sp)
{
	if (sp->stack)
		munmap(sp->stack, sp->stack_size);
	sp->stack = NULL;
}

pid_t spawn_start(struct spawner *sp, const struct spawn_plan *p, struct spawn_error *err)
{
	struct child_arg a = { .plan = p };
	sigset_t all, old;
	pid_t pid;
	int saved;

	/* No daemon signal handler may run on the child's side before it has
	 * reset the dispositions. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = clone(child_main, (char *)sp->stack + sp->stack_size,
		    CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
	saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);

	if (pid < 0) {
		err->step = CONFINE_SIGNALS;
		err->detail = "clone";
		err->errnum = saved;
		errno = saved;
		return -1;
	}
	if (a.err.errnum) {
		/* the child has _exit'ed: reap it here so no SIGCHLD handler sees it */
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		*err = a.err;
		errno = a.err.errnum;
		return -1;
	}
	return pid;
}
