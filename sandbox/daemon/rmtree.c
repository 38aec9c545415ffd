/* Removing a tree without leaving it; see rmtree.h. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/daemon/dirstream.h"
#include "sandbox/daemon/rmtree.h"

/* Each function below takes BUDGET, the entries it may still remove
 * (NULL: no end), and returns 1 when it ran out before the end. */
static int contents(int dir, const char *keep, int depth, unsigned *budget);

/* One entry unlinked (FLAGS: AT_REMOVEDIR for an empty directory),
 * counted against the budget; gone already is done too. */
static int unlink_counted(int dir, const char *name, int flags, unsigned *budget)
{
	if (budget && *budget == 0)
		return 1;
	if (unlinkat(dir, name, flags) < 0 && errno != ENOENT)
		return -1;
	if (budget)
		(*budget)--;
	return 0;
}

/* name is a directory: empty it, then remove it. Its owner may have left
 * it 0500 or 0000; as its parent's owner we may make it ours to empty. */
static int remove_dir(int dir, const char *name, int depth, unsigned *budget)
{
	int sub, rc = -1, saved;

	if (depth >= SB_RMTREE_DEPTH_MAX) {
		errno = ELOOP;
		return -1;
	}
	sub = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sub < 0)
		return errno == ENOENT ? 0 : -1;
	if (fchmod(sub, 0700) == 0 && (rc = contents(sub, NULL, depth + 1, budget)) == 0)
		rc = unlink_counted(dir, name, AT_REMOVEDIR, budget);
	saved = errno;
	close(sub);
	errno = saved;
	return rc;
}

static int remove_entry(int dir, const char *name, int depth, unsigned *budget)
{
	int r = unlink_counted(dir, name, 0, budget);

	if (r >= 0 || errno != EISDIR)
		return r;
	return remove_dir(dir, name, depth, budget);
}

static int contents(int dir, const char *keep, int depth, unsigned *budget)
{
	struct dirent *e;
	int rc = 0, saved = 0, r;
	DIR *d = sb_dirstream(dir);

	if (!d)
		return -1;
	while ((errno = 0, e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    (keep && strcmp(e->d_name, keep) == 0))
			continue;
		if ((r = remove_entry(dir, e->d_name, depth, budget)) < 0 && !saved) {
			saved = errno;
			rc = -1;
		} else if (r > 0) {
			/* more to do, which goes first: an entry that cannot be
			 * removed is found again, and said once nothing else is left */
			rc = 1;
			saved = 0;
			break;
		}
	}
	if (rc == 0 && errno && !saved) {
		saved = errno;
		rc = -1;
	}
	closedir(d);
	errno = saved;
	return rc;
}

int sb_rmtree_at(int dir, const char *name)
{
	return remove_entry(dir, name, 0, NULL);
}

int sb_rmtree_contents(int dir, const char *keep)
{
	return contents(dir, keep, 0, NULL);
}

int sb_rmtree_contents_some(int dir, unsigned *budget)
{
	return contents(dir, NULL, 0, budget);
}
