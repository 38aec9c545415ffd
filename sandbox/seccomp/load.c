/* The child's last confinement step: two system calls to load the
 * filter the daemon built, one to hand the listener back. */

#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/child/child_side.h"
#include "sandbox/seccomp/load.h"
#include "src/proto/fdpass.h"

CHILD_SIDE int sb_filter_load(const struct sb_filter *f, int handoff_fd, const char **step_name)
{
	static const char byte = 'L';
	long listener;

	if (!f->prog.len)
		return 0;

	/* Without it an unprivileged load fails, and a setuid exec could
	 * shed the filter's owner; with it, exec grants nothing new. */
	*step_name = "prctl(PR_SET_NO_NEW_PRIVS)";
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;

	*step_name = "seccomp(SECCOMP_SET_MODE_FILTER)";
	listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			   SECCOMP_FILTER_FLAG_NEW_LISTENER, &f->prog);
	if (listener < 0)
		return -1;

	/* From here on only calls every policy allows (see the header).
	 * The listener is not closed: it is CLOEXEC, and close may be denied. */
	*step_name = "sendmsg(seccomp listener)";
	return pp_fdpass_send(handoff_fd, &byte, 1, (int)listener, 0) == 1 ? 0 : -1;
}
