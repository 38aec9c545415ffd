/* Entering an instance's kept namespaces, child side. */

#include <sched.h>
#include <unistd.h>

#include "sandbox/child/child_side.h"
#include "sandbox/child/ns_enter.h"

CHILD_SIDE int sb_ns_enter_kept(const struct sb_ns_kept *k, const char *cwd, const char **step_name)
{
	*step_name = "setns(kept IPC namespace)";
	if (setns(k->ipc, CLONE_NEWIPC) < 0)
		return -1;
	*step_name = "setns(kept mount namespace)";
	if (setns(k->mnt, CLONE_NEWNS) < 0)
		return -1;
	*step_name = "chdir after setns";
	if (chdir(cwd) < 0)
		return -1;
	*step_name = NULL;
	return 0;
}
