/* Absolute paths from the command line; see abspath.h. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "src/daemon/abspath.h"

int abspath_join(const char *cwd, const char *path, char *buf, size_t len)
{
	size_t c = strlen(cwd);
	int n;

	if (!*path || *path == '/') {
		n = snprintf(buf, len, "%s", path);
	} else {
		/* "./rt" is "rt"; "." alone is the cwd itself */
		while (path[0] == '.' && path[1] == '/')
			for (path += 2; *path == '/'; path++)
				;
		if (strcmp(path, ".") == 0)
			path = "";
		while (c > 1 && cwd[c - 1] == '/')
			c--;
		n = snprintf(buf, len, "%.*s%s%s", (int)c, cwd,
			     *path && !(c > 0 && cwd[c - 1] == '/') ? "/" : "", path);
	}
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int abspath(const char *path, char *buf, size_t len)
{
	char cwd[PATH_MAX] = "";

	if (*path && *path != '/' && !getcwd(cwd, sizeof cwd))
		return -1;
	return abspath_join(cwd, path, buf, len);
}
