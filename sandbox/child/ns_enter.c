/* An instance's kept namespaces, child side: handing a new pair to the
 * daemon, and entering a kept one. */

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include "sandbox/child/child_side.h"
#include "sandbox/child/ns_enter.h"
#include "src/proto/fdpass.h"

CHILD_SIDE int sb_ns_hand(int sock, const char **step_name)
{
	static const char byte = SB_NS_HAND_BYTE;
	int fds[3];
	unsigned n = 0;
	ssize_t sent;

	/* Opened before the ids change, so nothing here can be denied; the
	 * actor never holds them (CLOEXEC, and closed below). */
	if ((fds[n] = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC)) >= 0 &&
	    (fds[++n] = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC)) >= 0 &&
	    (fds[++n] = open("/dev/shm", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) >= 0)
		n++;
	/* the daemon reads a message whatever happened: all three or none */
	*step_name = "sendmsg(new namespaces)";
	sent = pp_fdpass_send_fds(sock, &byte, 1, fds, n == 3 ? 3 : 0, 0);
	for (unsigned i = 0; i < n; i++)
		close(fds[i]);
	if (sent != 1)
		return -1;
	*step_name = NULL;
	return 0;
}

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
