#include <check.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

#include "tests/common/vfork.h"

pid_t vfork_start(vfork_probe_fn probe, void *arg)
{
	/* one child at a time (vfork), so one stack serves them all; room
	 * enough for a probe built with the sanitizers */
	static char stack[256 * 1024] __attribute__((aligned(16)));
	pid_t pid = clone(probe, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, arg);

	ck_assert_int_gt(pid, 0);
	return pid;
}

int vfork_run(vfork_probe_fn probe, void *arg)
{
	pid_t pid = vfork_start(probe, arg);
	int ws;

	ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
	ck_assert_msg(WIFEXITED(ws), "probe ended with status %#x", ws);
	return WEXITSTATUS(ws);
}
