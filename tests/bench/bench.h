/* Shared by the benchmark drivers: clocks, a FIFO the test actors report
 * to, statistics, and /proc readings. Figures, not pass/fail. */
#ifndef PROSPERO_BENCH_H
#define PROSPERO_BENCH_H

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline const char *need_env(const char *name)
{
	const char *v = getenv(name);

	if (!v) {
		fprintf(stderr, "%s not set: run with make bench\n", name);
		exit(2);
	}
	return v;
}

/* Reads "start NAME PID NS" lines the test actor writes with --record. */
struct fifo {
	int fd;
	char buf[1 << 16];
	size_t len;
	char path[256];
};

static inline void fifo_open(struct fifo *f, const char *dir, const char *name)
{
	snprintf(f->path, sizeof f->path, "%s/%s", dir, name);
	unlink(f->path);
	if (mkfifo(f->path, 0600) < 0) {
		perror(f->path);
		exit(1);
	}
	/* run as root, prospero starts actors under dynamic uids */
	chmod(dir, 0755);
	chmod(f->path, 0666);
	/* O_RDWR: the read side never sees EOF between writers */
	f->fd = open(f->path, O_RDWR | O_CLOEXEC);
	f->len = 0;
}

static inline void fifo_close(struct fifo *f)
{
	close(f->fd);
	unlink(f->path);
}

/* Next record: its pid and the actor's own monotonic stamp. 0 on timeout. */
static inline int fifo_next(struct fifo *f, int *pid, long long *stamp, int timeout_ms)
{
	for (;;) {
		char *nl = memchr(f->buf, '\n', f->len);
		if (nl) {
			*nl = 0;
			if (sscanf(f->buf, "start %*s %d %lld", pid, stamp) != 2) {
				fprintf(stderr, "bad record: %s\n", f->buf);
				exit(1);
			}
			size_t used = (size_t)(nl + 1 - f->buf);
			memmove(f->buf, nl + 1, f->len - used);
			f->len -= used;
			return 1;
		}
		struct pollfd p = { .fd = f->fd, .events = POLLIN };
		if (poll(&p, 1, timeout_ms) <= 0)
			return 0;
		ssize_t r = read(f->fd, f->buf + f->len, sizeof f->buf - f->len);
		if (r <= 0)
			return 0;
		f->len += (size_t)r;
	}
}

/* SIGKILL *ACTOR, then wait on F for its replacement: the time from the
 * kill to the replacement's own stamp goes into LAT[(*N)++], and *ACTOR
 * becomes the replacement. LABEL names the system in a failure. */
static inline void kill_and_time(struct fifo *f, int *actor, long long *lat, int *n, const char *label)
{
	long long t0 = now_ns(), stamp;
	int pid;

	kill(*actor, SIGKILL);
	if (!fifo_next(f, &pid, &stamp, 10000)) {
		fprintf(stderr, "%s: no replacement after kill %d\n", label, *n);
		exit(1);
	}
	lat[(*n)++] = stamp - t0;
	*actor = pid;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static inline long long percentile(long long *v, int n, double p)
{
	qsort(v, (size_t)n, sizeof *v, cmp_ll);
	int i = (int)(p * (n - 1) + 0.5);
	return v[i];
}

/* Rss and Pss of a process, in KiB, from smaps_rollup. */
static inline void mem_kib(pid_t pid, long *rss, long *pss)
{
	char path[64], line[256];
	FILE *f;

	*rss = *pss = -1;
	snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		sscanf(line, "Rss: %ld kB", rss);
		sscanf(line, "Pss: %ld kB", pss);
	}
	fclose(f);
}

/* CPU time every CPU of the machine spent running anything (user,
 * nice, system, irq, softirq; not idle, iowait or steal), in ms. */
static inline long long machine_cpu_ms(void)
{
	long long user, nice, sys, idle, iowait, irq, softirq;
	long long ms = -1;
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		return -1;
	if (fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld", &user, &nice, &sys, &idle, &iowait, &irq,
		   &softirq) == 7)
		ms = (user + nice + sys + irq + softirq) * 1000 / sysconf(_SC_CLK_TCK);
	fclose(f);
	return ms;
}

/* Time a process has run on a CPU so far, in ns (its main thread). */
static inline long long run_ns(pid_t pid)
{
	char path[64];
	long long ns = 0;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%lld", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

/* Context switches of a process: each is a wake-up from sleep (or a preemption). */
static inline long ctx_switches(pid_t pid)
{
	char path[64], line[256];
	long v = 0, n;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "voluntary_ctxt_switches: %ld", &n) == 1 ||
		    sscanf(line, "nonvoluntary_ctxt_switches: %ld", &n) == 1)
			v += n;
	fclose(f);
	return v;
}

/* What start_cmd started and stop_cmd has not stopped: a benchmark that
 * fails exits at once, and must not leave a daemon and its tree behind. */
static pid_t started[64];

static inline void stop_started(void)
{
	for (size_t i = 0; i < sizeof started / sizeof *started; i++)
		/* still a child of ours, not reaped elsewhere (its pid reused) */
		if (started[i] > 0 && waitpid(started[i], NULL, WNOHANG) == 0) {
			kill(started[i], SIGTERM);
			waitpid(started[i], NULL, 0);
			started[i] = 0;
		}
}

static inline void note_started(pid_t pid, bool on)
{
	static bool registered;

	if (!registered)
		registered = atexit(stop_started) == 0;
	for (size_t i = 0; i < sizeof started / sizeof *started; i++)
		if (on ? started[i] == 0 : started[i] == pid) {
			started[i] = on ? pid : 0;
			return;
		}
}

static inline pid_t start_cmd(char *const *argv, const char *log)
{
	pid_t pid = fork();

	if (pid > 0)
		note_started(pid, true);
	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static inline void stop_cmd(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	note_started(pid, false);
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((type == FTW_DP ? rmdir(path) : unlink(path)) < 0)
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
	return 0;
}

/* A run that ended well leaves no directory behind; one that failed
 * keeps it, for the logs its message names. */
static inline void remove_dir(const char *dir)
{
	nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

#endif
