/* See rundir.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "src/control/rundir.h"

static int put(char *buf, size_t len, const char *a, const char *b)
{
	if ((size_t)snprintf(buf, len, "%s%s", a, b) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int rundir_locate(const char *opt, char *buf, size_t len)
{
	const char *env = getenv("RUNTIME_DIRECTORY");

	if (opt || (env && *env))
		return put(buf, len, opt ? opt : env, "") < 0 ? -1 : 1;
	if (geteuid() == 0)
		return put(buf, len, "/run/prospero", "");
	env = getenv("XDG_RUNTIME_DIR");
	if (!env || !*env) {
		errno = ENOENT;
		return -1;
	}
	return put(buf, len, env, "/prospero");
}
