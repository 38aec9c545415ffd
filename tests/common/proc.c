/* Processes as /proc shows them; see proc.h. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tests/common/proc.h"

void h_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

long long h_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char proc_state(pid_t pid)
{
	char path[64], buf[1024], *p;
	int fd = -1;
	ssize_t r;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	r = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (r <= 0)
		return 0;
	buf[r] = 0;
	p = strrchr(buf, ')');	/* the command may hold spaces and parentheses */
	return p && p[1] == ' ' ? p[2] : 0;
}

bool h_wait_gone(pid_t pid, int timeout_ms)
{
	long long end = h_now_ms() + timeout_ms;

	while (proc_state(pid) != 0) {
		if (h_now_ms() > end)
			return false;
		h_sleep_ms(5);
	}
	return true;
}

bool h_wait_dead(pid_t pid, int timeout_ms)
{
	long long end = h_now_ms() + timeout_ms;
	char st;

	while ((st = proc_state(pid)) != 0 && st != 'Z') {
		if (h_now_ms() > end)
			return false;
		h_sleep_ms(5);
	}
	return true;
}

bool h_alive(pid_t pid)
{
	char st = proc_state(pid);

	return st != 0 && st != 'Z';
}

int h_fd_count(pid_t pid)
{
	char path[64];
	DIR *d;
	struct dirent *e;
	int n = 0;

	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	d = opendir(path);
	ck_assert(d != NULL);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

unsigned h_lowest_free_fd(pid_t pid)
{
	char path[64];
	unsigned fd = 0;

	for (;; fd++) {
		snprintf(path, sizeof path, "/proc/%d/fd/%u", (int)pid, fd);
		if (access(path, F_OK) != 0)
			return fd;
	}
}

long h_cpu_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long ut = 0, st = 0;
	int fd, n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	ck_assert_int_ge(fd = open(path, O_RDONLY | O_CLOEXEC), 0);
	n = (int)read(fd, buf, sizeof buf - 1);
	close(fd);
	ck_assert_int_gt(n, 0);
	buf[n] = 0;
	ck_assert_ptr_nonnull(p = strrchr(buf, ')'));
	/* after ")": state, then fields 4 to 13, then utime and stime */
	ck_assert_int_eq(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st), 2);
	return (long)(ut + st);
}

void h_ns_id(pid_t pid, const char *ns, char *buf, size_t len)
{
	char path[64];
	ssize_t n;

	if (pid)
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, ns);
	else
		snprintf(path, sizeof path, "/proc/self/ns/%s", ns);
	n = readlink(path, buf, len - 1);
	ck_assert_msg(n > 0, "%s: %s", path, strerror(errno));
	buf[n] = '\0';
}

unsigned long long h_status_mask(pid_t pid, const char *name)
{
	char path[64], line[256];
	unsigned long long v = ~0ULL;
	size_t n = strlen(name);
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof line, f))
		if (strncmp(line, name, n) == 0 && line[n] == ':')
			v = strtoull(line + n + 1, NULL, 16);
	fclose(f);
	return v;
}

int h_zombie_children(pid_t parent)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;

	ck_assert(d != NULL);
	while ((e = readdir(d))) {
		char path[300], buf[1024], state;
		int ppid, fd;
		ssize_t r;
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		r = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (r <= 0)
			continue;
		buf[r] = 0;
		/* the command may hold spaces and parentheses: parse after the last ')' */
		char *p = strrchr(buf, ')');
		if (p && sscanf(p + 1, " %c %d", &state, &ppid) == 2 && ppid == parent && state == 'Z')
			n++;
	}
	closedir(d);
	return n;
}

uid_t h_unused_id(void)
{
	uid_t first = H_UNUSED_ID_FIRST + ((unsigned)getpid() % 100000u) * 16u;

	for (uid_t id = first; id < first + 16u; id++)
		if (!getpwuid(id) && !getgrgid(id))
			return id;
	ck_abort_msg("no unused id");
	return 0;
}
