/* The daemon's end of the listener handoff (handoff.h); the child's end
 * is the send in load.c. */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox/seccomp/handoff.h"
#include "src/proto/fdpass.h"

int sb_handoff_pair(int sv[2])
{
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
}

/* The kernel drops the fds it has no room for in our table (MSG_CTRUNC,
 * the control buffer being large enough): then one more fd fails too. */
static bool out_of_fds(int sock)
{
	int fd = fcntl(sock, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		return errno == EMFILE;
	close(fd);
	return false;
}

int sb_handoff_recv_fds(int sock, char *byte, int *fds, unsigned max)
{
	/* room for more fds than any message has, so extra fds are received
	 * and closed here instead of being silently dropped by the kernel */
	union {
		char buf[CMSG_SPACE((PP_FDPASS_MAX + 1) * sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf,
	};
	unsigned nfds;
	ssize_t n;

	do
		n = recvmsg(sock, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0) {
		errno = ENOMSG;
		return -1;
	}
	nfds = pp_fdpass_take(&msg, fds, max);
	if (n != 1 || (msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC))) {
		/* probed before those that came are closed */
		int err = (msg.msg_flags & MSG_CTRUNC) && out_of_fds(sock) ? EMFILE : EBADMSG;

		pp_fdpass_close(fds, nfds);
		errno = err;
		return -1;
	}
	return (int)nfds;
}

int sb_handoff_recv(int sock)
{
	/* two at most: a second says the message was not the one expected */
	int fds[2], n;
	char byte;

	if ((n = sb_handoff_recv_fds(sock, &byte, fds, 2)) < 0)
		return -1;
	if (n != 1) {
		pp_fdpass_close(fds, (unsigned)n);
		errno = EBADMSG;
		return -1;
	}
	return fds[0];
}
