/* The runtime directory; see rundir.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/daemon/rmtree.h"
#include "sandbox/daemon/dirstream.h"
#include "sandbox/daemon/replaceable.h"
#include "src/daemon/abspath.h"
#include "src/daemon/rundir.h"

/* systemd's list, whose first is our own; NULL when there is none (an
 * empty one, or an empty first) */
static const char *runtime_directory_env(void)
{
	const char *env = getenv("RUNTIME_DIRECTORY");

	return env && *env && *env != ':' ? env : NULL;
}

int rundir_choose(const char *given, char *path, size_t len)
{
	const char *base = NULL, *env;
	int n;

	if (!given && (env = runtime_directory_env()))
		return abspath_first(env, path, len);
	if (given && *given)	/* the same for the daemon, its actors and every command */
		return abspath(given, path, len);
	if (geteuid() == 0)
		n = snprintf(path, len, "/run/prospero");
	else if ((base = getenv("XDG_RUNTIME_DIR")) && base[0] == '/')	/* the XDG spec: a relative one is ignored */
		n = snprintf(path, len, "%s/prospero", base);
	else {
		errno = ENOENT;
		return -1;
	}
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

const char *rundir_choose_refusal(const char *given, int errnum)
{
	if (errnum == ENOENT && !(given && *given) && !runtime_directory_env() && geteuid() != 0)
		return "$XDG_RUNTIME_DIR is unset or not an absolute path";
	return strerror(errnum);
}

static bool fs_is_tmpfs(const struct statfs *s)
{
	return s->f_type == TMPFS_MAGIC || s->f_type == RAMFS_MAGIC;
}

int rundir_on_tmpfs(const char *path)
{
	char parent[RUNDIR_PATH_MAX];
	struct statfs s;
	char *slash;

	if (statfs(path, &s) == 0)
		return fs_is_tmpfs(&s);
	snprintf(parent, sizeof parent, "%s", path);
	if (!(slash = strrchr(parent, '/')))
		return -1;
	slash[slash == parent] = '\0';
	return statfs(parent, &s) == 0 ? fs_is_tmpfs(&s) : -1;
}

/* A directory we may trust: ours alone to write, and not a symlink. */
static int check_owner(int fd, const char *path, char *msg, size_t len)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(msg, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 022)) {
		snprintf(msg, len, "%s is owned by uid %u with mode %04o: a runtime directory must be "
			 "owned by the daemon's uid (%u) and writable by no one else",
			 path, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), (unsigned)geteuid());
		errno = EPERM;
		return -1;
	}
	return 0;
}

/* Searchable by every uid (0711 at least), as the state root is kept:
 * actors of other uids reach the notify socket and their credentials
 * through it, and a 0700 one (mkdtemp's, RuntimeDirectoryMode=0700)
 * failed every "ready": "notify" actor with EACCES in the actor alone. */
static int reachable(int fd, const char *path, char *msg, size_t len)
{
	struct stat st;

	if (fstat(fd, &st) < 0 || ((st.st_mode & 0011) != 0011 && fchmod(fd, (st.st_mode & 07777) | 0011) < 0)) {
		snprintf(msg, len, "%s: fchmod: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Long enough for a SIGKILLed predecessor's child that shares its fd
 * table (CLONE_FILES), and so its lock, to take a table of its own or
 * die; a running daemon holds the lock for good. */
#define RUNDIR_LOCK_WAIT_MS 2000

static int set_lock_waiting(int fd)
{
	const struct timespec step = { 0, 10 * 1000 * 1000 };

	for (int waited = 0;; waited += 10) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

		if (fcntl(fd, F_SETLK, &fl) == 0)
			return 0;
		if ((errno != EACCES && errno != EAGAIN) || waited >= RUNDIR_LOCK_WAIT_MS)
			return -1;
		nanosleep(&step, NULL);
	}
}

/* The write lock on RUNDIR_LOCK, and our pid in it for the next one to
 * name. A process-owned lock (not OFD): F_GETLK then says who holds it. */
static int take_lock(struct rundir *r, char *msg, size_t len)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char pid[32];
	int n;

	/* Ours alone: a read lock needs only a read-only open, and an
	 * actor's descendant left by a SIGKILL of ours, waiting for one,
	 * would have it the moment we died and keep every next daemon
	 * (which would sweep it) from starting. */
	r->lock = openat(r->fd, RUNDIR_LOCK, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (r->lock < 0) {
		if (errno == ELOOP)
			snprintf(msg, len, "%s/" RUNDIR_LOCK " is a symbolic link, which no daemon makes: remove it, "
				 "or give another --runtime-dir", r->path);
		else
			snprintf(msg, len, "%s/" RUNDIR_LOCK ": %s", r->path, strerror(errno));
		return -1;
	}
	if (set_lock_waiting(r->lock) < 0) {
		int saved = errno == EACCES || errno == EAGAIN ? EBUSY : errno;

		if (saved == EBUSY && fcntl(r->lock, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK)
			snprintf(msg, len, "%s is in use by another prospero daemon (pid %d)", r->path,
				 (int)fl.l_pid);
		else
			snprintf(msg, len, "cannot lock %s/" RUNDIR_LOCK ": %s", r->path, strerror(saved));
		errno = saved;
		return -1;
	}
	n = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
	/* an older daemon's was 0644 */
	if (fchmod(r->lock, 0600) < 0 || ftruncate(r->lock, 0) < 0 || pwrite(r->lock, pid, (size_t)n, 0) != n) {
		snprintf(msg, len, "%s/" RUNDIR_LOCK ": %s", r->path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The commands, the actors' $NOTIFY_SOCKET and $CREDENTIALS_DIRECTORY
 * go by the path: another user who could move ours away and put theirs
 * in its place would be reached instead. */
static int check_parents(const char *path, char *msg, size_t len)
{
	char where[RUNDIR_PATH_MAX];
	struct stat st;

	if (!sb_path_replaceable(path, where, sizeof where, &st))
		return 0;
	snprintf(msg, len, "runtime directory %s is inside %s, owned by uid %u with mode %04o: another user "
		 "could move it away and put their own in its place; each directory above a runtime directory "
		 "must be root's or the daemon's uid's, and writable by no one else unless sticky (as /tmp)",
		 path, where, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
	errno = EPERM;
	return -1;
}

int rundir_open(struct rundir *r, const char *path, char *msg, size_t len)
{
	bool made;
	int saved;

	r->fd = r->lock = -1;
	if ((size_t)snprintf(r->path, sizeof r->path, "%s", path) >= sizeof r->path) {
		snprintf(msg, len, "runtime directory path too long");
		errno = ENAMETOOLONG;
		return -1;
	}
	if (check_parents(path, msg, len) < 0)
		return -1;
	made = mkdir(path, 0755) == 0;
	if (!made && errno != EEXIST) {
		saved = errno;
		snprintf(msg, len, "cannot create the runtime directory %s: %s%s", path, strerror(saved),
			 saved == ENOENT ? ": make its parent first, or give another --runtime-dir"
			 : saved == EACCES || saved == EPERM || saved == EROFS
				 ? ": make it, the daemon's user's, or give another --runtime-dir"
				 : "");
		errno = saved;
		return -1;
	}
	r->fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (r->fd < 0) {
		struct stat st;

		saved = errno;
		/* ENOTDIR is said of a symlink to a directory too: say which */
		if ((saved == ELOOP || saved == ENOTDIR) && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			snprintf(msg, len, "%s is a symbolic link: a runtime directory must be a directory, "
				 "not a symlink; give the directory's own path", path);
		else if (saved == ENOTDIR && lstat(path, &st) == 0 && !S_ISDIR(st.st_mode))
			snprintf(msg, len, "%s is not a directory: a runtime directory must be a directory", path);
		else
			snprintf(msg, len, "cannot open the runtime directory %s: %s", path, strerror(saved));
		errno = saved;
		return -1;
	}
	r->had_lock = faccessat(r->fd, RUNDIR_LOCK, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	/* 0755 whatever the umask: actors' uids reach the notify socket and
	 * their credentials through it */
	if (made && fchmod(r->fd, 0755) < 0) {
		saved = errno;
		snprintf(msg, len, "%s: fchmod: %s", path, strerror(saved));
		rundir_close(r);
		errno = saved;
		return -1;
	}
	if (check_owner(r->fd, path, msg, len) < 0 || take_lock(r, msg, len) < 0 ||
	    reachable(r->fd, path, msg, len) < 0) {
		saved = errno;
		rundir_close(r);
		errno = saved;
		return -1;
	}
	r->tmpfs = rundir_on_tmpfs(path) == 1;
	return 0;
}

int rundir_blocked_parent(const char *path, char *dir, size_t len, unsigned *mode)
{
	char p[RUNDIR_PATH_MAX];
	struct stat st;

	if ((size_t)snprintf(p, sizeof p, "%s", path) >= sizeof p) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *slash = strchr(p + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (stat(p, &st) < 0)
			return -1;
		if (!(st.st_mode & S_IXOTH)) {
			snprintf(dir, len, "%s", p);
			*mode = (unsigned)(st.st_mode & 07777);
			return 1;
		}
		*slash = '/';
	}
	return 0;
}

/* Does dir hold anything but the lock? */
static int holds_more(int dir)
{
	DIR *d = sb_dirstream(dir);
	struct dirent *e;
	int more = 0;

	if (!d)
		return -1;
	while (!more && (e = readdir(d)))
		more = strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, RUNDIR_LOCK);
	closedir(d);
	return more;
}

int rundir_clean(struct rundir *r, char *msg, size_t len)
{
	if (!r->had_lock && holds_more(r->fd) != 0) {
		snprintf(msg, len, "%s holds files but no prospero lock: refusing to empty it as a runtime directory: "
			 "empty it, or give another --runtime-dir",
			 r->path);
		/* the lock we made would pass for a predecessor's next time */
		unlinkat(r->fd, RUNDIR_LOCK, 0);
		errno = ENOTEMPTY;
		return -1;
	}
	if (sb_rmtree_contents(r->fd, RUNDIR_LOCK) < 0) {
		snprintf(msg, len, "cannot remove what a previous daemon left in %s: %s", r->path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

void rundir_close(struct rundir *r)
{
	if (r->lock >= 0)
		close(r->lock);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = r->lock = -1;
}
