/* Checking an actor's namespace plan before any child needs it. */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sandbox/daemon/namespaces.h"

static const char *const tmp_dirs[] = { "/tmp", "/var/tmp" };

bool sb_path_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return path && strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

const char *sb_ns_tmp_of(const char *path)
{
	for (size_t t = 0; t < sizeof tmp_dirs / sizeof *tmp_dirs; t++)
		if (sb_path_below(path, tmp_dirs[t]))
			return tmp_dirs[t];
	return NULL;
}

bool sb_ns_in_tmp(const char *path)
{
	return sb_ns_tmp_of(path) != NULL;
}

static bool has_dot_component(const char *path)
{
	for (const char *p = path; (p = strchr(p, '/')) != NULL; ) {
		p++;
		if ((p[0] == '.' && (p[1] == '/' || p[1] == '\0')) ||
		    (p[0] == '.' && p[1] == '.' && (p[2] == '/' || p[2] == '\0')))
			return true;
	}
	return false;
}

int sb_ns_check(const struct sb_ns *ns, char *errmsg, size_t errlen)
{
	struct stat st;

	for (size_t i = 0; i < ns->nread_only; i++) {
		const char *path = ns->read_only[i];

		if (path[0] != '/' || has_dot_component(path)) {
			snprintf(errmsg, errlen, "read_only \"%s\": expected an absolute "
				 "path without \".\" or \"..\"", path);
			errno = EINVAL;
			return -1;
		}
		if (stat(path, &st) < 0) {
			int saved = errno;
			snprintf(errmsg, errlen, "read_only \"%s\": %s", path, strerror(saved));
			errno = saved;
			return -1;
		}
		if (ns->private_tmp && sb_ns_tmp_of(path)) {
			snprintf(errmsg, errlen, "read_only \"%s\" is inside %s, "
				 "which private_tmp replaces", path, sb_ns_tmp_of(path));
			errno = EINVAL;
			return -1;
		}
	}
	return 0;
}
