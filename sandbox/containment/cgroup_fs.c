/* cgroupfs I/O relative to directory fds; see cgroup_fs.h. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/containment/cgroup_fs.h"
#include "sandbox/containment/cgroup_text.h"

/* A pass of the frozen-kill fallback finds no new member after the second
 * pass unless forks were in flight; this bounds a pathological case. */
#define KILL_PASSES_MAX 64

static void close_keep_errno(int fd)
{
	int saved = errno;

	close(fd);
	errno = saved;
}

static ssize_t read_retry(int fd, void *buf, size_t len)
{
	ssize_t r;

	do
		r = read(fd, buf, len);
	while (r < 0 && errno == EINTR);
	return r;
}

int sb_cgfs_open_dir(int at, const char *name)
{
	return openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
}

int sb_cgfs_make_dir(int at, const char *name)
{
	if (mkdirat(at, name, 0755) < 0 && errno != EEXIST)
		return -1;
	return sb_cgfs_open_dir(at, name);
}

int sb_cgfs_read(int dir, const char *file, char *buf, size_t len)
{
	size_t got = 0;
	ssize_t r = 0;
	int fd = openat(dir, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (got + 1 < len && (r = read_retry(fd, buf + got, len - 1 - got)) > 0)
		got += (size_t)r;
	if (r < 0) {
		close_keep_errno(fd);
		return -1;
	}
	buf[got] = '\0';
	if (got + 1 >= len && read(fd, &(char){ 0 }, 1) > 0) {
		close(fd);
		errno = EFBIG;
		return -1;
	}
	close(fd);
	return 0;
}

int sb_cgfs_write(int dir, const char *file, const char *text)
{
	size_t n = strlen(text);
	ssize_t r;
	int fd = openat(dir, file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -1;
	/* cgroupfs takes a value in one write or refuses it */
	r = write(fd, text, n);
	if (r < 0) {
		close_keep_errno(fd);
		return -1;
	}
	close(fd);
	if ((size_t)r != n) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int sb_cgfs_read_u64(int dir, const char *file, uint64_t *v)
{
	char buf[64];

	if (sb_cgfs_read(dir, file, buf, sizeof(buf)) < 0)
		return -1;
	return sb_cgroup_parse_u64(buf, v);
}

int sb_cgfs_write_u64(int dir, const char *file, uint64_t v)
{
	char buf[32];

	if (v == UINT64_MAX)
		return sb_cgfs_write(dir, file, "max");
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	return sb_cgfs_write(dir, file, buf);
}

int sb_cgfs_read_key(int dir, const char *file, const char *key, uint64_t *v)
{
	char buf[2048];

	if (sb_cgfs_read(dir, file, buf, sizeof(buf)) < 0)
		return -1;
	return sb_cgroup_kv_u64(buf, key, v);
}

/* Parse whole lines of buf[0, len) into pids, calling fn; returns how many
 * bytes were consumed (a partial last line stays for the next read). */
static size_t each_line(const char *buf, size_t len, int (*fn)(pid_t, void *), void *ctx, int *stop)
{
	size_t used = 0;

	for (size_t i = 0; i < len && !*stop; i++) {
		if (buf[i] != '\n')
			continue;
		long pid = 0;
		for (size_t k = used; k < i; k++)
			pid = pid * 10 + (buf[k] - '0');
		if (i > used && pid > 0)
			*stop = fn((pid_t)pid, ctx);
		used = i + 1;
	}
	return used;
}

int sb_cgfs_each_pid(int dir, int (*fn)(pid_t pid, void *ctx), void *ctx)
{
	char buf[4096];
	size_t len = 0, used;
	ssize_t r = 0;
	int stop = 0, fd = openat(dir, "cgroup.procs", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (!stop && (r = read_retry(fd, buf + len, sizeof(buf) - len)) > 0) {
		len += (size_t)r;
		used = each_line(buf, len, fn, ctx, &stop);
		memmove(buf, buf + used, len - used);
		len -= used;
	}
	if (r < 0) {
		close_keep_errno(fd);
		return -1;
	}
	close(fd);
	return stop;
}

int sb_cgfs_each_child(int dir, int (*fn)(int dir, const char *name, void *ctx), void *ctx)
{
	struct dirent *d;
	DIR *dp;
	int fd, r = 0;

	if ((fd = sb_cgfs_open_dir(dir, ".")) < 0)
		return -1;
	if (!(dp = fdopendir(fd))) {
		close_keep_errno(fd);
		return -1;
	}
	while (r == 0 && (d = readdir(dp)))
		if (d->d_type == DT_DIR && strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			r = fn(dir, d->d_name, ctx);
	closedir(dp);
	return r;
}

static int count_one(pid_t pid, void *ctx)
{
	(void)pid;
	(*(unsigned *)ctx)++;
	return 0;
}

int sb_cgfs_count_procs(int dir, unsigned *n)
{
	*n = 0;
	return sb_cgfs_each_pid(dir, count_one, n) < 0 ? -1 : 0;
}

int sb_cgfs_populated(int dir)
{
	uint64_t v;

	if (sb_cgfs_read_key(dir, "cgroup.events", "populated", &v) < 0)
		return -1;
	return v != 0;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sb_cgfs_wait_empty(int dir, int timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	struct pollfd p = { .events = POLLPRI };
	char buf[256];
	uint64_t populated;
	ssize_t r;
	int left;

	if ((p.fd = openat(dir, "cgroup.events", O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	for (;;) {
		/* reading re-arms the fd: POLLPRI reports changes after it */
		if ((r = pread(p.fd, buf, sizeof(buf) - 1, 0)) < 0)
			break;
		buf[r] = '\0';
		if (sb_cgroup_kv_u64(buf, "populated", &populated) < 0)
			break;
		if (!populated) {
			close(p.fd);
			return 0;
		}
		left = (int)(deadline - now_ms());
		if (left <= 0 || poll(&p, 1, left) == 0) {
			errno = ETIMEDOUT;
			break;
		}
	}
	close_keep_errno(p.fd);
	return -1;
}

/* The members seen by one pass of the frozen kill, sorted. */
struct pass {
	pid_t *pid;
	size_t n, cap;
};

static int collect(pid_t pid, void *ctx)
{
	struct pass *p = ctx;

	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		pid_t *bigger = realloc(p->pid, cap * sizeof(*bigger));
		if (!bigger)
			return -1;
		p->pid = bigger;
		p->cap = cap;
	}
	p->pid[p->n++] = pid;
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

static int collect_tree(int dir, struct pass *cur);

static int collect_child(int parent, const char *name, void *ctx)
{
	int dir = sb_cgfs_open_dir(parent, name), r;

	if (dir < 0)
		return errno == ENOENT ? 0 : -1;
	r = collect_tree(dir, ctx);
	close(dir);
	return r;
}

/* The members of dir and of the cgroups below it, into cur. */
static int collect_tree(int dir, struct pass *cur)
{
	if (sb_cgfs_each_pid(dir, collect, cur) != 0)
		return -1;
	return sb_cgfs_each_child(dir, collect_child, cur);
}

static bool has_new(const struct pass *cur, const struct pass *prev)
{
	if (prev->n == 0)
		return cur->n > 0;
	for (size_t i = 0; i < cur->n; i++)
		if (!bsearch(&cur->pid[i], prev->pid, prev->n, sizeof(pid_t), cmp_pid))
			return true;
	return false;
}

static int kill_frozen(int dir)
{
	struct pass a = { 0 }, b = { 0 }, *cur = &a, *prev = &b, *t;
	int r = -1, passes = 0, err = 0;

	do {
		cur->n = 0;
		if (collect_tree(dir, cur) < 0)
			goto out;
		/* one that cannot be killed (EPERM) is said: a wait for the
		 * cgroup to empty would never end */
		for (size_t i = 0; i < cur->n; i++)
			if (kill(cur->pid[i], SIGKILL) < 0 && errno != ESRCH && !err)
				err = errno;
		if (cur->n)
			qsort(cur->pid, cur->n, sizeof(pid_t), cmp_pid);
		t = cur, cur = prev, prev = t;
	} while (has_new(prev, cur) && ++passes < KILL_PASSES_MAX);
	r = 0;
out:
	free(a.pid);
	free(b.pid);
	if (r == 0 && err) {
		errno = err;
		r = -1;
	}
	return r;
}

int sb_cgfs_kill(int dir, bool has_kill)
{
	bool frozen;
	int r, saved;

	if (has_kill)
		return sb_cgfs_write(dir, "cgroup.kill", "1");
	/* before 5.2 there is no cgroup.freeze: kill unfrozen, as well as we can */
	frozen = sb_cgfs_write(dir, "cgroup.freeze", "1") == 0;
	r = kill_frozen(dir);
	saved = errno;
	/* SIGKILL ends a frozen task anyway; thawing lets the rest of the
	 * cgroup's lifecycle (a reused cgroup) start unfrozen */
	if (frozen)
		sb_cgfs_write(dir, "cgroup.freeze", "0");
	errno = saved;
	return r;
}

struct v1_kill {
	long long deadline;
	unsigned found;
	int err;
};

/* SIGKILL pid and wait until it has exited, through a pidfd so a pid
 * reused meanwhile is neither signalled nor waited for. */
static int kill_and_wait(pid_t pid, void *ctx)
{
	struct v1_kill *k = ctx;
	struct pollfd p = { .events = POLLIN };
	int left;

	k->found++;
	p.fd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (p.fd < 0) {
		if (errno != ESRCH)
			kill(pid, SIGKILL);
		return 0;
	}
	syscall(SYS_pidfd_send_signal, p.fd, SIGKILL, NULL, 0);
	left = (int)(k->deadline - now_ms());
	if (left <= 0 || poll(&p, 1, left) == 0) {
		close(p.fd);
		k->err = ETIMEDOUT;
		return 1;
	}
	close(p.fd);
	return 0;
}

int sb_cgfs_kill_members(int dir, int timeout_ms)
{
	struct v1_kill k = { .deadline = now_ms() + timeout_ms };
	int r;

	do {
		k.found = 0;
		if ((r = sb_cgfs_each_pid(dir, kill_and_wait, &k)) < 0)
			return -1;
		if (r > 0) {
			errno = k.err;
			return -1;
		}
	} while (k.found);
	return 0;
}
