/* The scratch directory: every name made in it is remembered, so that it
 * can be taken down without a recursive removal. Check runs each replayed
 * input in a forked child, which inherits the directory: only the process
 * that made it removes it. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fuzz/scratch.h"

#define MAX_NAMES 32

static struct {
	char dir[64];
	pid_t owner;
	struct {
		char *name;
		bool dir;
	} made[MAX_NAMES];		/* in the order made */
	size_t n;
} scratch;

__attribute__((noreturn)) static void broken(const char *what, const char *name)
{
	fprintf(stderr, "fuzz scratch %s: %s %s: %s\n", scratch.dir, what, name, strerror(errno));
	abort();
}

static void take_down(void)
{
	char path[256];

	if (getpid() != scratch.owner)
		return;
	while (scratch.n > 0) {
		scratch.n--;
		fz_scratch_path(path, sizeof path, scratch.made[scratch.n].name);
		if (scratch.made[scratch.n].dir)
			rmdir(path);
		else
			unlink(path);
		free(scratch.made[scratch.n].name);
	}
	rmdir(scratch.dir);
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

static void remember(const char *name, bool dir)
{
	for (size_t i = 0; i < scratch.n; i++)
		if (strcmp(scratch.made[i].name, name) == 0)
			return;
	if (scratch.n == MAX_NAMES || !(scratch.made[scratch.n].name = strdup(name))) {
		errno = ENOMEM;
		broken("remember", name);
	}
	scratch.made[scratch.n++].dir = dir;
}

void fz_scratch_put(const char *name, const void *data, size_t len, mode_t mode)
{
	char path[256];
	const char *p = data;
	int fd;

	fz_scratch_path(path, sizeof path, name);
	remember(name, false);
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
	remember(name, true);
}
