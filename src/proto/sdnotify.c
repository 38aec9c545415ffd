/* sd_notify, client side. A fresh socket per message, as sd_notify(3)
 * does: messages are rare, and no fd stays open for a program to
 * inherit or close under us. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/proto/fds.h"
#include "src/proto/sdnotify.h"

int pp_sd_notify(const char *text)
{
	const char *path = getenv(PP_ENV_NOTIFY_SOCKET);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t plen;
	socklen_t salen;
	int fd, r, saved;

	if (!path || !*path)
		return 0;
	plen = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || plen >= sizeof sa.sun_path) {
		errno = EINVAL;
		return -1;
	}
	memcpy(sa.sun_path, path, plen);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';	/* abstract namespace: the length says where it ends */
	salen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen + (path[0] == '/'));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	r = (int)sendto(fd, text, strlen(text), MSG_NOSIGNAL, (struct sockaddr *)&sa, salen);
	saved = errno;
	close(fd);
	errno = saved;
	return r < 0 ? -1 : 1;
}

double pp_sd_watchdog_interval(void)
{
	const char *usec = getenv(PP_ENV_WATCHDOG_USEC), *pid = getenv(PP_ENV_WATCHDOG_PID);
	double half;

	if (!usec || (pid && atol(pid) != (long)getpid()))
		return 0;
	half = strtod(usec, NULL) / 2e6;
	return half > 0 ? half : 0;
}
