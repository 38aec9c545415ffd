/* The scratch directory. Check runs each replayed input in a forked
 * child, which inherits the directory and writes in it: only the process
 * that made it takes it down, with all that any process put there. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fuzz/scratch.h"

static struct {
	char dir[64];
	pid_t owner;
} scratch;

__attribute__((noreturn)) static void broken(const char *what, const char *name)
{
	fprintf(stderr, "fuzz scratch %s: %s %s: %s\n", scratch.dir, what, name, strerror(errno));
	abort();
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (type == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

static void take_down(void)
{
	if (getpid() == scratch.owner)
		nftw(scratch.dir, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

const char *fz_scratch(void)
{
	struct stat st;

	if (scratch.dir[0])
		return scratch.dir;
	snprintf(scratch.dir, sizeof scratch.dir, "%s/prospero-fuzz.XXXXXX",
		 stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp");
	if (!mkdtemp(scratch.dir))
		broken("mkdtemp", "");
	scratch.owner = getpid();
	atexit(take_down);
	return scratch.dir;
}

void fz_scratch_path(char *buf, size_t cap, const char *name)
{
	if ((size_t)snprintf(buf, cap, "%s/%s", fz_scratch(), name) >= cap) {
		errno = ENAMETOOLONG;
		broken("path", name);
	}
}

void fz_scratch_put(const char *name, const void *data, size_t len, mode_t mode)
{
	char path[256];
	const char *p = data;
	int fd;

	fz_scratch_path(path, sizeof path, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		broken("open", name);
	while (len > 0) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			broken("write", name);
		p += w;
		len -= (size_t)w;
	}
	if (close(fd) < 0)
		broken("close", name);
}

void fz_scratch_mkdir(const char *name)
{
	char path[256];

	fz_scratch_path(path, sizeof path, name);
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		broken("mkdir", name);
}
