/* See dirstream.h. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "sandbox/daemon/dirstream.h"

DIR *sb_dirstream(int dir)
{
	int fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), saved;
	DIR *d;

	if (fd < 0)
		return NULL;
	if (!(d = fdopendir(fd))) {
		saved = errno;
		close(fd);
		errno = saved;
	}
	return d;
}
