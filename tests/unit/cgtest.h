/* Shared by the containment suites (cgroups, uid kill): the test binary
 * doubles as the actor it contains ("--actor MODE ..." re-executes it),
 * started the way the daemon will start actors: sb_clone_into a cgroup with
 * CLONE_VM | CLONE_VFORK on a stack of our own, or clone(2) and a join
 * from the child's side. Actors report pids and figures as lines on fd 3. */
#ifndef PROSPERO_TEST_CGTEST_H
#define PROSPERO_TEST_CGTEST_H

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/child/child_side.h"
#include "sandbox/containment/cgroup_fs.h"
#include "sandbox/containment/cgroup_join.h"
#include "sandbox/containment/cgroup_sweep.h"
#include "sandbox/containment/clone_into.h"
#include "tests/common/runner.h"

#define REPORT_FD 3
#define MIB (1024u * 1024u)

/* --- the actor side: runs in the re-executed test binary --- */

static inline void report(long v)
{
	char line[32];
	int n = snprintf(line, sizeof(line), "%ld\n", v);

	if (write(REPORT_FD, line, (size_t)n) != n)
		_exit(3);
}

__attribute__((noreturn)) static inline void pause_forever(void)
{
	for (;;)
		pause();
}

/* The escapes of issue 10: a daemon (setsid, double fork), a job in its
 * own process group, one that clears its death signal. Reports 4 pids:
 * itself, then each of the three; all pause. */
static inline int actor_escape(void)
{
	report(getpid());
	if (fork() == 0) {
		setsid();
		if (fork() == 0) {
			report(getpid());
			pause_forever();
		}
		_exit(0);
	}
	wait(NULL);
	if (fork() == 0) {
		setpgid(0, 0);
		report(getpid());
		pause_forever();
	}
	if (fork() == 0) {
		prctl(PR_SET_PDEATHSIG, 0);
		report(getpid());
		pause_forever();
	}
	pause_forever();
}

/* Fill memory the limit must count though no malloc does: a memfd, or a
 * SysV shm segment (marked for removal at once, so a killed actor leaves
 * none behind). Reports each MiB filled; "-1" if it got to 1 GiB. */
static inline int actor_fill(const char *how)
{
	static char chunk[1 << 20];
	char *seg = NULL;
	int fd = -1;

	memset(chunk, 'x', sizeof(chunk));
	if (strcmp(how, "memfd") == 0) {
		fd = memfd_create("fill", MFD_CLOEXEC);
	} else {
		int id = shmget(IPC_PRIVATE, 1024u * MIB, IPC_CREAT | 0600);
		seg = id < 0 ? NULL : shmat(id, NULL, 0);
		shmctl(id, IPC_RMID, NULL);
		if (seg == (void *)-1)
			seg = NULL;
	}
	if (fd < 0 && !seg)
		return 2;
	for (long i = 1; i <= 1024; i++) {
		if (fd >= 0 && write(fd, chunk, sizeof(chunk)) != (ssize_t)sizeof(chunk))
			return 2;
		if (seg)
			memset(seg + (size_t)(i - 1) * MIB, 'x', MIB);
		report(i);
	}
	report(-1);
	return 0;
}

/* Fork up to n children that pause; report how many forks succeeded. */
static inline int actor_forks(long n)
{
	long ok = 0;

	for (long i = 0; i < n; i++) {
		pid_t p = fork();
		if (p == 0) {
			pause_forever();
		}
		if (p > 0)
			ok++;
	}
	report(ok);
	pause_forever();
}

/* Use some CPU and memory, then report and pause. */
static inline int actor_work(void)
{
	struct rusage ru;
	char *volatile m = malloc(16 * MIB);	/* or clang elides it */
	volatile unsigned long x = 0;

	if (!m)
		return 2;
	memset(m, 1, 16 * MIB);
	do {
		for (int i = 0; i < 1000000; i++)
			x += (unsigned long)i;
		getrusage(RUSAGE_SELF, &ru);
	} while (ru.ru_utime.tv_sec == 0 && ru.ru_utime.tv_usec < 20000);
	report((long)m[4096] + (long)(x & 0));
	pause_forever();
}

/* cgtest_before hands "--actor MODE [ARG]" here. */
static inline int cgtest_actor(int argc, char **argv)
{
	if (argc >= 1 && strcmp(argv[0], "escape") == 0)
		return actor_escape();
	if (argc >= 2 && strcmp(argv[0], "fill") == 0)
		return actor_fill(argv[1]);
	if (argc >= 2 && strcmp(argv[0], "forks") == 0)
		return actor_forks(atol(argv[1]));
	if (argc >= 1 && strcmp(argv[0], "work") == 0)
		return actor_work();
	return 2;
}

/* --- the test side --- */

struct cgtest_child {
	char *const *argv;
	const struct sb_cgroup_join *join;	/* NULL: nothing to join by hand */
	int report_w;			/* becomes the actor's REPORT_FD */
	uid_t uid;			/* 0: stay root */
	char self_cgroup[512];		/* "cgroup" mode: /proc/self/cgroup at its start */
	int err;
};

/* The first thing the child does (after its join by hand, if any) is
 * read /proc/self/cgroup: where it is before it runs anything else. */
CHILD_SIDE static inline int cgtest_peek(void *arg)
{
	struct cgtest_child *c = arg;
	ssize_t n = -1;
	int fd;

	if (c->join && sb_cgroup_join_self(c->join) < 0) {
		c->err = errno;
		_exit(1);
	}
	if ((fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC)) >= 0)
		n = read(fd, c->self_cgroup, sizeof(c->self_cgroup) - 1);
	c->self_cgroup[n > 0 ? n : 0] = '\0';
	_exit(0);
}

CHILD_SIDE static inline int cgtest_exec(void *arg)
{
	struct cgtest_child *c = arg;
	extern char **environ;

	if (c->join && sb_cgroup_join_self(c->join) < 0)
		goto fail;
	if (c->report_w >= 0 && dup2(c->report_w, REPORT_FD) < 0)
		goto fail;
	if (c->uid && syscall(SYS_setresuid, c->uid, c->uid, c->uid) < 0)
		goto fail;
	execve("/proc/self/exe", c->argv, environ);
fail:
	c->err = errno;
	_exit(127);
}

static char cgtest_stack[256 * 1024] __attribute__((aligned(16)));

/* fn in a child joined to cgroup_fd from its first instruction (or, with
 * cgroup_fd -1, a plain clone(2) whose child joins by c->join itself). */
static inline pid_t cgtest_clone(int (*fn)(void *), struct cgtest_child *c, int cgroup_fd)
{
	sigset_t all, old;
	pid_t pid;

	c->err = 0;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	if (cgroup_fd >= 0)
		pid = sb_clone_into(fn, c, cgtest_stack, sizeof(cgtest_stack), CLONE_VM | CLONE_VFORK, cgroup_fd,
				    NULL);
	else
		pid = clone(fn, cgtest_stack + sizeof(cgtest_stack), CLONE_VM | CLONE_VFORK | SIGCHLD, c);
	sigprocmask(SIG_SETMASK, &old, NULL);
	ck_assert_int_ge(pid, 0);
	ck_assert_int_eq(c->err, 0);
	return pid;
}

/* Start the test binary as "--actor mode arg" in the cgroup (see
 * cgtest_clone); *report is the read end of its report pipe. */
static inline pid_t cgtest_actor_start(int cgroup_fd, const struct sb_cgroup_join *join, uid_t uid,
				const char *mode, const char *arg, int *report)
{
	char *argv[] = { "cgtest", "--actor", (char *)mode, (char *)arg, NULL };
	struct cgtest_child c = { .argv = argv, .join = join, .uid = uid };
	int p[2];
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	c.report_w = p[1];
	pid = cgtest_clone(cgtest_exec, &c, cgroup_fd);
	close(p[1]);
	*report = p[0];
	return pid;
}

/* The next number the actor reported; fails the test after 30 s of
 * silence (a hang, not a timing assertion), -2 at EOF. */
static inline long cgtest_read(int fd)
{
	char line[32];
	size_t n = 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };

	while (n < sizeof(line) - 1) {
		ck_assert_msg(poll(&p, 1, 30000) == 1, "the actor reported nothing for 30 s");
		if (read(fd, line + n, 1) != 1)
			return -2;
		if (line[n] == '\n')
			break;
		n++;
	}
	line[n] = '\0';
	return atol(line);
}

/* Orphans come to the test process, as they do to the daemon. */
static inline void cgtest_subreaper(void)
{
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
}

/* Reap every child that has exited. */
static inline void cgtest_reap(void)
{
	while (waitpid(-1, NULL, __WALL | WNOHANG) > 0)
		;
}

/* Is pid a live process (not a zombie)? */
static inline bool cgtest_alive(pid_t pid)
{
	char path[64], buf[512], *st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	st = strrchr(buf, ')');
	return st && st[1] == ' ' && st[2] != 'Z' && st[2] != 'X';
}

/* The run's subtree is named for the suite and the runner's pid: tests
 * run one after another, and each leaves it removed. */
static pid_t cgtest_runner;

static inline int cgtest_tree_try_open(struct sb_cgroup_tree *t, const char *suite)
{
	char key[64], name[SB_CGROUP_SUBTREE_NAME_LEN];

	snprintf(key, sizeof(key), "%s:%d", suite, (int)cgtest_runner);
	sb_cgroup_subtree_name(key, name);
	return sb_cgroup_tree_open(t, name);
}

/* What a failed test left in the run's subtree: kill and remove it all. */
static inline void cgtest_cleanup(const char *suite)
{
	struct sb_cgroup_tree t;
	struct sb_cgroup_sweep sw;

	if (!suite || cgtest_tree_try_open(&t, suite) < 0)
		return;
	sb_cgroup_tree_sweep(&t, 30000, &sw);
	sb_cgfs_kill(t.fd, t.has_kill);
	sb_cgfs_wait_empty(t.fd, 30000);
	unlinkat(t.fd, SB_CGROUP_DAEMON_LEAF, AT_REMOVEDIR);
	sb_cgroup_tree_close(&t);
}

/* A suite's `before` (tests/common/runner.h) starts here: "--actor MODE
 * [ARG]" runs the helper and gives its exit status; else the run's pid is
 * noted for the subtree's name and -1 says go on. */
static inline int cgtest_before(int argc, char **argv)
{
	if (argc > 2 && strcmp(argv[1], "--actor") == 0)
		return cgtest_actor(argc - 2, argv + 2);
	cgtest_runner = getpid();
	return -1;
}

#endif
