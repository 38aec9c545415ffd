/* Removing a tree without leaving it; see rmtree.h. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/daemon/dirstream.h"
#include "sandbox/daemon/rmtree.h"

static int contents(int dir, const char *keep, int depth);

/* name is a directory: empty it, then remove it. Its owner may have left
 * it 0500 or 0000; as its parent's owner we may make it ours to empty. */
static int remove_dir(int dir, const char *name, int depth)
{
	int sub, rc = -1, saved;

	if (depth >= SB_RMTREE_DEPTH_MAX) {
		errno = ELOOP;
		return -1;
	}
	sub = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return errno == ENOENT ? 0 : -1;
	if (fchmod(sub, 0700) == 0 && contents(sub, NULL, depth + 1) == 0 &&
	    (unlinkat(dir, name, AT_REMOVEDIR) == 0 || errno == ENOENT))
		rc = 0;
	saved = errno;
	close(sub);
	errno = saved;
	return rc;
}

static int remove_entry(int dir, const char *name, int depth)
{
	if (unlinkat(dir, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR)
		return -1;
	return remove_dir(dir, name, depth);
}

static int contents(int dir, const char *keep, int depth)
{
	struct dirent *e;
	int rc = 0, saved = 0;
	DIR *d = sb_dirstream(dir);

	if (!d)
		return -1;
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    (keep && strcmp(e->d_name, keep) == 0))
			continue;
		if (remove_entry(dir, e->d_name, depth) < 0 && !saved) {
			saved = errno;
			rc = -1;
		}
	}
	if (errno && !saved) {
		saved = errno;
		rc = -1;
	}
	closedir(d);
	errno = saved;
	return rc;
}

int sb_rmtree_at(int dir, const char *name)
{
	return remove_entry(dir, name, 0);
}

int sb_rmtree_contents(int dir, const char *keep)
{
	return contents(dir, keep, 0);
}
