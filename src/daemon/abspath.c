/* Absolute paths from the command line; see abspath.h. */
#include <errno.h>
#include <stdbool.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
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

bool abspath_real(const char *path, char *real)
{
	char head[PATH_MAX], rest[PATH_MAX];
	char *cut, *save, *name;
	size_t n;

	if ((size_t)snprintf(head, sizeof head, "%s", path) >= sizeof head)
		return false;
	while (!realpath(head, real)) {
		if (errno != ENOENT || !(cut = strrchr(head, '/')) || strcmp(head, "/") == 0)
			return false;
		cut[cut == head] = '\0';	/* "/" itself is there */
	}
	snprintf(rest, sizeof rest, "%s", path + strlen(head));
	n = strcmp(real, "/") == 0 ? 0 : strlen(real);
	for (name = strtok_r(rest, "/", &save); name; name = strtok_r(NULL, "/", &save)) {
		if (strcmp(name, ".") == 0)
			continue;
		if (strcmp(name, "..") == 0) {
			while (n > 0 && real[--n] != '/')
				;
			continue;
		}
		if (n + 1 + strlen(name) >= PATH_MAX)
			return false;
		n += (size_t)sprintf(real + n, "/%s", name);
	}
	if (n == 0)
		n = (size_t)sprintf(real, "/");
	real[n] = '\0';
	return true;
}

