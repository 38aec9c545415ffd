/* The daemon's spare fd; see spare_fd.h. */
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "src/daemon/spare_fd.h"

void spare_fd_take(int *spare)
{
	if (*spare < 0)
		*spare = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

bool spare_fd_give_up(int *spare)
{
	struct rlimit now;

	/* read now: prlimit(1) may have lowered it since the start */
	if (*spare < 0 || (getrlimit(RLIMIT_NOFILE, &now) == 0 && (rlim_t)*spare >= now.rlim_cur))
		return false;
	close(*spare);
	*spare = -1;
	return true;
}

void spare_fd_close(int *spare)
{
	if (*spare >= 0)
		close(*spare);
	*spare = -1;
}
