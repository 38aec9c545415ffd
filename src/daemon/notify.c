#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/daemon/notify.h"
#include "src/daemon/sockbind.h"
#include "src/proto/fdpass.h"

int notify_server_open(struct notify_server *ns, const char *dir, int dirfd)
{
	int one = 1;

	ns->fd = -1;
	ns->dirfd = dirfd;
	ns->emptied = 0;
	/* actors find it by this path: it must fit in a sockaddr_un */
	if ((size_t)snprintf(ns->path, sizeof ns->path, "%s/" NOTIFY_NAME, dir) >= sizeof ns->path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	ns->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ns->fd < 0)
		return -1;
	/* 0666: actors run under other uids; the sender's pid is checked instead */
	if (sock_bind_at(ns->fd, dirfd, NOTIFY_NAME, 0666) < 0 ||
	    setsockopt(ns->fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0) {
		int saved = errno;
		close(ns->fd);
		ns->fd = -1;
		errno = saved;
		return -1;
	}
	/* a burst of READY=1 from many actors must not be dropped */
	int size = 1 << 20;
	setsockopt(ns->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
	return 0;
}

void notify_server_close(struct notify_server *ns)
{
	if (ns->fd >= 0) {
		close(ns->fd);
		unlinkat(ns->dirfd, NOTIFY_NAME, 0);
	}
	ns->fd = -1;
}

int notify_server_recv(struct notify_server *ns, struct pp_notify *msg)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 16)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = { .iov_base = ns->buf, .iov_len = sizeof ns->buf - 1 };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf,
	};
	struct ucred *cred = NULL;
	ssize_t n;

	n = recvmsg(ns->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
	if (n < 0 && errno == EAGAIN)
		ns->emptied++;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	/* fd store is not offered: close what was passed, never leak it */
	pp_fdpass_take(&mh, NULL, 0);
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len == CMSG_LEN(sizeof *cred))
			cred = (struct ucred *)CMSG_DATA(c);
	if (!cred || cred->pid <= 0 || (mh.msg_flags & MSG_TRUNC))
		return 0;
	if ((size_t)n > sizeof ns->buf - 1)
		n = sizeof ns->buf - 1;
	ns->buf[n] = 0;
	pp_notify_parse(ns->buf, (size_t)n, msg);
	msg->pid = cred->pid;
	msg->uid = cred->uid;
	return 1;
}

unsigned long notify_server_mark(struct notify_server *ns)
{
	/* empty now: all that comes is new; else new once it was read empty */
	if (recv(ns->fd, NULL, 0, MSG_PEEK | MSG_DONTWAIT) < 0 && errno == EAGAIN)
		return ++ns->emptied;
	return ns->emptied + 1;
}

bool notify_server_since(const struct notify_server *ns, unsigned long mark)
{
	return ns->emptied >= mark;
}
