/* State directories; see statedir.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/daemon/dirstream.h"
#include "sandbox/daemon/statedir.h"

/* Deeper than any program's state needs; a bound on the fds one walk holds. */
#define REOWN_DEPTH_MAX SB_STATEDIR_DEPTH_MAX

/* Mode of a parent it makes, whatever the umask: each instance's uid
 * passes through it to its own directory. */
#define PARENT_MODE 0755

/* PATH, absolute, component by component, each through the fd of the
 * one above and never through a symbolic link (ELOOP): an actor opens its
 * state with SQLite's NOFOLLOW, which refuses one anywhere in the path,
 * so a root reached through one would fail in every actor. With MAKE the
 * missing ones are made (as mkdir -p), PARENT_MODE whatever the umask;
 * without, a missing one ends the walk: -2. The last one opened
 * O_RDONLY | O_DIRECTORY, or -1 with errno. */
static int walk(const char *path, bool make)
{
	char buf[PATH_MAX];
	char *name, *slash;
	struct stat st;
	int dfd, fd, saved;

	if ((size_t)snprintf(buf, sizeof buf, "%s/", path) >= sizeof buf) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (buf[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	if ((dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	for (name = buf; (slash = strchr(name, '/')) != NULL; name = slash + 1) {
		bool made;

		*slash = '\0';
		if (!*name || strcmp(name, ".") == 0)
			continue;	/* the leading slash, "//", "/./" */
		made = make && mkdirat(dfd, name, PARENT_MODE) == 0;
		if (make && !made && errno != EEXIST)
			goto fail;
		/* one it made is opened for fchmod; those that were there
		 * need only be searchable */
		fd = openat(dfd, name, (made ? O_RDONLY : O_PATH) | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && !make) {
			close(dfd);
			return -2;	/* what is there holds no link */
		}
		if (fd < 0)
			goto fail;
		close(dfd);
		dfd = fd;
		if (fstat(dfd, &st) < 0)
			goto fail;
		if (!S_ISDIR(st.st_mode)) {
			errno = S_ISLNK(st.st_mode) ? ELOOP : ENOTDIR;
			goto fail;
		}
		if (made && fchmod(dfd, PARENT_MODE) < 0)
			goto fail;
	}
	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	saved = errno;
	close(dfd);
	errno = saved;
	return fd;
fail:
	saved = errno;
	close(dfd);
	errno = saved;
	return -1;
}

int sb_statedir_root(const char *path)
{
	struct stat st;
	int fd, saved;

	if ((fd = walk(path, true)) < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (st.st_uid != geteuid()) {
		errno = EPERM;
		goto fail;
	}
	if ((st.st_mode & 07777) != SB_STATEDIR_ROOT_MODE && fchmod(fd, SB_STATEDIR_ROOT_MODE) < 0)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int sb_statedir_root_usable(const char *path)
{
	struct stat st;
	int fd = walk(path, false), saved;

	if (fd == -2)
		return 0;	/* run makes the rest */
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		saved = errno;
	else
		saved = st.st_uid != geteuid() ? EPERM : 0;
	close(fd);
	errno = saved;
	return saved ? -1 : 0;
}

/* Whether entry NAME of DFD may be given away: not a file with another
 * link that OLD (the uid the directory had) does not own, since a hard
 * link is the file itself, wherever its other names are. */
static bool reownable(int dfd, const char *name, uid_t old)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return true;	/* fchownat says why */
	return S_ISDIR(st.st_mode) || st.st_nlink < 2 || st.st_uid == old;
}

/* Each entry of directory DFD (whose stream is D) and what is below it,
 * from OLD to UID:GID: the entries themselves, symbolic links included,
 * never what a link points at. Carries on past a failure; the first
 * errno is kept. */
static int reown_entries(int dfd, DIR *d, uid_t old, uid_t uid, gid_t gid, int depth)
{
	const struct dirent *e;
	int first = 0;

	while ((errno = 0, e = readdir(d)) != NULL) {
		DIR *sub;
		int fd;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (reownable(dfd, e->d_name, old) &&
		    fchownat(dfd, e->d_name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 && !first)
			first = errno;
		if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN)
			continue;
		/* ENOTDIR, ELOOP: not a directory after all (a link, a file) */
		fd = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOTDIR && errno != ELOOP && !first)
				first = errno;
			continue;
		}
		if (depth >= REOWN_DEPTH_MAX || !(sub = fdopendir(fd))) {
			if (!first)
				first = depth >= REOWN_DEPTH_MAX ? EMLINK : errno;
			close(fd);
			continue;
		}
		if (reown_entries(fd, sub, old, uid, gid, depth + 1) < 0 && !first)
			first = errno;
		closedir(sub);
	}
	if (errno && !first)
		first = errno;
	errno = first;
	return first ? -1 : 0;
}

/* The directory DFD, OLD's until now, and everything inside, to UID:GID. */
static int reown(int dfd, uid_t old, uid_t uid, gid_t gid)
{
	DIR *d = sb_dirstream(dfd);
	int rc, saved;

	if (!d)
		return -1;
	rc = reown_entries(dfd, d, old, uid, gid, 0);
	saved = errno;
	closedir(d);
	if (rc == 0 && fchown(dfd, uid, gid) < 0)
		return -1;
	errno = saved;
	return rc;
}

int sb_statedir_prepare(int root, const char *name, uid_t uid, gid_t gid, bool own)
{
	struct stat st;
	int fd, saved;

	if (mkdirat(root, name, SB_STATEDIR_MODE) < 0 && errno != EEXIST)
		return -1;
	if ((fd = openat(root, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!own && st.st_uid != geteuid()) {
		errno = EPERM;
		goto fail;
	}
	/* the top last: until it is the instance's, a failure shows next time.
	 * A new uid only: a group alone is one the actor gave its directory
	 * itself (it may, to any of its groups), and walking its tree again
	 * at each start would be the actor's to ask for, a million files
	 * with the daemon's loop stopped. The top gets its gid back. */
	if (own && st.st_uid != uid && reown(fd, st.st_uid, uid, gid) < 0)
		goto fail;
	if (own && st.st_uid == uid && st.st_gid != gid && fchown(fd, uid, gid) < 0)
		goto fail;
	if ((st.st_mode & 07777) != SB_STATEDIR_MODE && fchmod(fd, SB_STATEDIR_MODE) < 0)
		goto fail;
	close(fd);
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int sb_statedir_owners(int root, sb_statedir_owner_fn fn, void *arg)
{
	DIR *d = sb_dirstream(root);
	const struct dirent *e;
	struct stat st;
	int rc = 0, saved;

	if (!d)
		return -1;
	while (rc == 0 && (errno = 0, e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(root, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)	/* gone since readdir */
				continue;
			rc = -1;
			break;
		}
		rc = fn(e->d_name, st.st_uid, st.st_gid, arg);
	}
	if (rc == 0 && errno)
		rc = -1;
	saved = errno;
	closedir(d);
	errno = saved;
	return rc;
}
