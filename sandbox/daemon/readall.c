#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "sandbox/daemon/readall.h"

char *sb_read_all(int fd)
{
	size_t cap = 4096, len = 0;
	char *buf = NULL, *bigger;
	ssize_t r;
	int saved;

	for (;;) {
		if (!buf || len + 1 >= cap) {
			cap = buf ? cap * 2 : cap;
			if (!(bigger = realloc(buf, cap)))
				goto fail;
			buf = bigger;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	return buf;
fail:
	saved = errno;
	free(buf);
	errno = saved;
	return NULL;
}
