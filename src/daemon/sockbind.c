/* See sockbind.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/daemon/sockbind.h"

int sock_bind_at(int sock, int dirfd, const char *name, mode_t mode)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int rc, saved;

	if ((size_t)snprintf(sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/%s", dirfd, name) >=
	    sizeof sa.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (unlinkat(dirfd, name, 0) < 0 && errno != ENOENT)
		return -1;
	/* the daemon is single-threaded: the umask is ours for the call */
	old = umask(~mode & 0777);
	rc = bind(sock, (struct sockaddr *)&sa, sizeof sa);
	saved = errno;
	umask(old);
	errno = saved;
	return rc;
}
