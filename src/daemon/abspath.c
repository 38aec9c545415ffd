/* Absolute paths from the command line; see abspath.h. */
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "src/config/paths.h"
#include "src/daemon/abspath.h"

int abspath_join(const char *cwd, const char *path, char *buf, size_t len)
{
	char joined[2 * PATH_MAX];
	bool relative = *path && *path != '/';
	int n = snprintf(joined, sizeof joined, "%s%s%s", relative ? cwd : "", relative ? "/" : "", path);

	if (n >= 0 && (size_t)n < sizeof joined && *path)
		path_clean(joined);	/* "./rt" is "rt", "." the cwd itself */
	if (n < 0 || (size_t)n >= sizeof joined || strlen(joined) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(buf, joined, strlen(joined) + 1);
	return 0;
}

int abspath(const char *path, char *buf, size_t len)
{
	char cwd[PATH_MAX] = "";

	if (*path && *path != '/' && !getcwd(cwd, sizeof cwd))
		return -1;
	return abspath_join(cwd, path, buf, len);
}

int abspath_first(const char *list, char *buf, size_t len)
{
	char first[PATH_MAX];

	if ((size_t)snprintf(first, sizeof first, "%.*s", (int)strcspn(list, ":"), list) >= sizeof first) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return abspath(first, buf, len);
}
