/* The child's last confinement step: two system calls to load the
 * filter the daemon built, one to hand the listener back. */

#include <errno.h>
#include <linux/seccomp.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/child/child_side.h"
#include "sandbox/seccomp/load.h"

CHILD_SIDE int sb_filter_load(const struct sb_filter *f, int handoff_fd, const char **step_name)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	char byte = 'L';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf,
	};
	struct cmsghdr *cm;
	long listener;
	ssize_t n;

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
	memset(ctl.buf, 0, sizeof ctl.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	*(int *)(void *)CMSG_DATA(cm) = (int)listener;
	do
		n = sendmsg(handoff_fd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == 1 ? 0 : -1;
}
