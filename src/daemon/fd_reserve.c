/* The daemon's reserve of fds; see fd_reserve.h. */
#include <errno.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "src/daemon/fd_reserve.h"

void fd_reserve_init(struct fd_reserve *r)
{
	for (int i = 0; i < FD_RESERVE_N; i++)
		r->fd[i] = -1;
}

int fd_reserve_take(struct fd_reserve *r)
{
	int saved = errno;

	for (int i = 0; i < FD_RESERVE_N; i++)
		if (r->fd[i] < 0 && (r->fd[i] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
			return -1;
	errno = saved;
	return 0;
}

bool fd_reserve_give_up(struct fd_reserve *r)
{
	struct rlimit now = { RLIM_INFINITY, RLIM_INFINITY };
	int saved = errno;
	bool freed = false;

	(void)getrlimit(RLIMIT_NOFILE, &now);	/* prlimit(1) may have lowered it */
	for (int i = 0; i < FD_RESERVE_N; i++)
		if (r->fd[i] >= 0) {
			freed |= (rlim_t)r->fd[i] < now.rlim_cur;
			close(r->fd[i]);
			r->fd[i] = -1;
		}
	errno = saved;
	return freed;
}

bool fd_reserve_would_help(int err)
{
	return err == EMFILE || err == ENFILE;
}
