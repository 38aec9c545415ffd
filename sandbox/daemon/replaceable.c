/* See replaceable.h. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sandbox/daemon/replaceable.h"

static bool another_users(uid_t uid)
{
	return uid != 0 && uid != geteuid();
}

bool sb_path_replaceable(const char *path, char *where, size_t len, struct stat *st)
{
	if ((size_t)snprintf(where, len, "%s", path) >= len || where[0] != '/')
		return false;	/* the caller refuses such a path itself */
	for (char *slash = where; slash; slash = strchr(slash + 1, '/')) {
		size_t end = (size_t)(slash - where) + (slash == where);	/* "/" itself */
		char c = where[end];

		if (c == '\0')
			break;	/* PATH itself, not above it */
		where[end] = '\0';
		if (lstat(where, st) == 0 && S_ISLNK(st->st_mode) && another_users(st->st_uid))
			return true;
		if (stat(where, st) < 0)
			return false;
		if (another_users(st->st_uid) || ((st->st_mode & 022) && !(st->st_mode & S_ISVTX)))
			return true;
		where[end] = c;
	}
	return false;
}
