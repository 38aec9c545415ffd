/* The entry point of the spawn child. */

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "sandbox/child/child_side.h"
#include "sandbox/child/exec.h"

CHILD_SIDE int sb_child_main(void *opaque)
{
	struct sb_child *c = opaque;
	const struct sb_spawn_plan *p = c->plan;
	sigset_t none;

	if (sb_confine_apply(p->confine, &c->err.step, &c->err.detail) == 0) {
		/* signals were blocked across clone; the actor starts with none blocked */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		c->err.step = SB_CONFINE_EXEC;
		execve(p->path, p->argv, p->envp);
	}
	c->err.errnum = errno ? errno : EINVAL;
	_exit(127);
}
