/* See client.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/cli/client.h"

static int send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int ctl_conn_open(struct ctl_conn *c, const char *rundir, const struct ctl_request *r)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char *req;
	int rc, saved;

	*c = (struct ctl_conn){ .fd = -1 };
	if ((size_t)snprintf(sa.sun_path, sizeof sa.sun_path, "%s/" CTL_SOCKET_NAME, rundir) >= sizeof sa.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!(req = ctl_request_encode(r))) {
		errno = ENOMEM;
		return -1;
	}
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		rc = -1;
	else if ((rc = send_all(c->fd, req, strlen(req))) < 0 && (errno == EPIPE || errno == ECONNRESET))
		rc = 0;	/* a daemon that refuses us (EACCES) says so and hangs up
			 * before it reads: its line waits to be read, the answer */
	saved = errno;
	free(req);
	if (rc < 0)
		ctl_conn_close(c);
	errno = saved;
	return rc;
}

ssize_t ctl_conn_line(struct ctl_conn *c, char **line)
{
	char *nl;

	if (c->taken) {
		memmove(c->buf, c->buf + c->taken, c->len - c->taken);
		c->len -= c->taken;
		c->taken = 0;
	}
	while (!c->buf || !(nl = memchr(c->buf, '\n', c->len))) {
		if (c->len + 4096 > c->cap) {
			size_t cap = c->cap ? c->cap * 2 : 65536;
			char *p = realloc(c->buf, cap);
			if (!p)
				return -1;
			c->buf = p;
			c->cap = cap;
		}
		ssize_t r = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r;	/* a partial last line is no answer */
		c->len += (size_t)r;
	}
	*nl = 0;
	*line = c->buf;
	c->taken = (size_t)(nl - c->buf) + 1;
	return nl - c->buf;
}

void ctl_conn_close(struct ctl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	*c = (struct ctl_conn){ .fd = -1 };
}
