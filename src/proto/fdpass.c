/* SCM_RIGHTS, sent and taken. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "src/proto/fdpass.h"

/* Not instrumented: a child between clone(CLONE_VM) and exec may send
 * fds with it, where sanitizers must not run (sandbox/ marks its child
 * side the same way). */
__attribute__((no_sanitize("address", "undefined")))
ssize_t pp_fdpass_send_fds(int sock, const void *buf, size_t len, const int *fds, unsigned nfds, int flags)
{
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(PP_FDPASS_MAX * sizeof(int))];
	} cm;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	ssize_t n;

	if (nfds > PP_FDPASS_MAX) {
		errno = EINVAL;
		return -1;
	}
	if (nfds) {
		memset(&cm, 0, sizeof cm);
		msg.msg_control = cm.space;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	do
		n = nfds ? sendmsg(sock, &msg, flags | MSG_NOSIGNAL) : send(sock, buf, len, flags | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n;
}

__attribute__((no_sanitize("address", "undefined")))
ssize_t pp_fdpass_send(int sock, const void *buf, size_t len, int fd, int flags)
{
	return pp_fdpass_send_fds(sock, buf, len, &fd, fd >= 0, flags);
}

unsigned pp_fdpass_take(struct msghdr *msg, int *fds, unsigned max)
{
	unsigned n = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c; c = CMSG_NXTHDR(msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0))
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		for (size_t i = 0; i < k; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof fd, sizeof fd);
			if (n < max)
				fds[n++] = fd;
			else
				close(fd);
		}
	}
	return n;
}

void pp_fdpass_close(const int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}
