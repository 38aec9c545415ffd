/* The spawner, for real: /bin/sh started through sb_spawn_start with a
 * plan, and what reaches it read back from the shell itself. The
 * spawner claims fds 3..18 for itself, one of which is Check's own, so
 * each spawn runs in a fresh process that reports through shared memory
 * and the test asserts on the report. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/daemon/rlimits.h"
#include "sandbox/daemon/spawn.h"
#include "tests/common/runner.h"

#define MAX_FDS 20

/* What one spawn is asked to do. */
struct request {
	const char *path;		/* default /bin/sh */
	const char *script;		/* sh -c SCRIPT */
	unsigned nfds;			/* 3..MAX_FDS: fd 3 and up are files */
	const char *cwd;
	const struct sb_rlimit *limits;
	size_t nlimits;
	const int *reset;
	unsigned nreset;
	bool hold_stdin;		/* stdin a pipe, closed only after the check of exe */
	bool last_fd_bad;		/* the plan's last fd one that is not open */
};

/* What the spawning process saw, in memory shared with the test. */
struct report {
	pid_t pid;			/* sb_spawn_start's answer */
	int start_errno;
	struct sb_spawn_error err;
	char exe[PATH_MAX];		/* /proc/PID/exe right after the start */
	bool slots_idle;		/* fds 3..18 back on /dev/null after it */
	bool no_child_left;		/* after a failure: the spawner reaped it */
	int status;			/* the actor's wait status */
	char out[4096];			/* what it wrote on fds 1 and 2 */
};

static struct report *report;

static void setup(void)
{
	report = mmap(NULL, sizeof *report, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	ck_assert(report != MAP_FAILED);
}

static void teardown(void)
{
	munmap(report, sizeof *report);
}

/* Fd I of the actor, 3 and up: a file holding "fdI". */
static int content_fd(unsigned i)
{
	char path[] = "/tmp/check-spawn.XXXXXX", text[16];
	int fd = mkostemp(path, O_CLOEXEC);
	int n = snprintf(text, sizeof text, "fd%u", i);

	if (fd < 0 || unlink(path) < 0 || write(fd, text, (size_t)n) != n ||
	    lseek(fd, 0, SEEK_SET) != 0)
		_exit(90);
	return fd;
}

static bool slots_idle(void)
{
	struct stat null, st;

	if (stat("/dev/null", &null) < 0)
		return false;
	for (int fd = SB_SPAWN_SLOT_BASE; fd < SB_SPAWN_SLOT_BASE + SB_SPAWN_SLOTS; fd++)
		if (fstat(fd, &st) < 0 || st.st_rdev != null.st_rdev)
			return false;
	return true;
}

static void read_all(int fd, char *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;

	while (off + 1 < len && (n = read(fd, buf + off, len - 1 - off)) > 0)
		off += (size_t)n;
	buf[off] = '\0';
}

/* In the fresh process: the daemon's part, as src/daemon/start.c plays it. */
static void spawn_and_report(const struct request *rq, struct report *r)
{
	char *argv[] = { "sh", "-c", (char *)rq->script, NULL };
	char *envp[] = { "PATH=/usr/bin:/bin", NULL };
	char proc[64];
	int fds[MAX_FDS], in[2], out[2];
	struct sb_spawner sp;
	struct sb_confine_plan cp = {
		.fds = fds, .nfds = rq->nfds, .cwd = rq->cwd, .daemon_pid = getpid(),
		.reset_signals = rq->reset, .nreset_signals = rq->nreset,
		.limits = rq->limits, .nlimits = rq->nlimits, .handoff_fd = -1,
	};
	struct sb_spawn_plan plan = {
		.path = rq->path ? rq->path : "/bin/sh", .argv = argv, .envp = envp, .confine = &cp,
	};

	if (sb_spawner_init(&sp) < 0 || pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
	    getrlimit(RLIMIT_NOFILE, &cp.nofile) < 0)
		_exit(91);
	/* not CLOEXEC and not in the plan: must not reach the actor */
	if (dup2(in[0], 60) < 0)
		_exit(92);
	fds[0] = in[0];
	fds[1] = fds[2] = out[1];
	for (unsigned i = 3; i < rq->nfds; i++)
		fds[i] = content_fd(i);
	if (rq->last_fd_bad)
		fds[rq->nfds - 1] = 999;
	if (!rq->hold_stdin)
		close(in[1]);

	r->pid = sb_spawn_start(&sp, &plan, &r->err, NULL);
	r->start_errno = r->pid < 0 ? errno : 0;
	r->slots_idle = slots_idle();
	close(out[1]);
	if (r->pid < 0) {
		r->no_child_left = waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD;
		_exit(0);
	}
	snprintf(proc, sizeof proc, "/proc/%d/exe", (int)r->pid);
	if (readlink(proc, r->exe, sizeof r->exe - 1) < 0)
		r->exe[0] = '\0';
	if (rq->hold_stdin)
		close(in[1]);
	read_all(out[0], r->out, sizeof r->out);
	if (waitpid(r->pid, &r->status, 0) != r->pid)
		_exit(93);
	sb_spawner_fini(&sp);
	_exit(0);
}

static void spawn(const struct request *rq)
{
	pid_t pid;
	int ws;

	memset(report, 0, sizeof *report);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		spawn_and_report(rq, report);
	ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
	ck_assert_msg(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "spawning process: %#x", ws);
}

static void expect_ran(void)
{
	ck_assert_msg(report->pid > 0, "start failed at %s: %s",
		      sb_confine_step_name(report->err.step), strerror(report->start_errno));
	ck_assert_msg(WIFEXITED(report->status) && WEXITSTATUS(report->status) == 0,
		      "status %#x, output: %s", report->status, report->out);
}

/* The shell lists the fds it holds from 3 up and reads two of them. */
#define LIST_FDS "for f in $(seq 3 70); do [ -e /proc/self/fd/$f ] && printf '%s ' $f; done; echo"

START_TEST(fds_reach_the_actor_as_mapped)
{
	struct request rq = { .nfds = 5, .script = LIST_FDS "; cat <&3; cat <&4" };

	spawn(&rq);
	expect_ran();
	ck_assert_str_eq(report->out, "3 4 \nfd3fd4");
	ck_assert(report->slots_idle);
}
END_TEST

/* More fds than the spawner has slots: the plan goes unstaged, through
 * the child's own copy of the fd table, with the same result. */
START_TEST(more_fds_than_slots)
{
	struct request rq = { .nfds = SB_SPAWN_SLOTS + 1, .script = LIST_FDS "; cat /proc/self/fd/3 /proc/self/fd/16" };

	spawn(&rq);
	expect_ran();
	ck_assert_str_eq(report->out, "3 4 5 6 7 8 9 10 11 12 13 14 15 16 \nfd3fd16");
	ck_assert(report->slots_idle);
}
END_TEST

/* The pid comes back once exec has succeeded: it is the shell already. */
START_TEST(ready_on_exec)
{
	struct request rq = { .nfds = 3, .script = "read x || :", .hold_stdin = true };
	char sh[PATH_MAX];

	ck_assert_ptr_nonnull(realpath("/bin/sh", sh));
	spawn(&rq);
	expect_ran();
	ck_assert_str_eq(report->exe, sh);
}
END_TEST

/* The shell's own dispositions and mask, in hex, from its status. */
#define SIGNALS "while read k v; do case $k in SigBlk:|SigIgn:) echo $k $v;; esac; done </proc/self/status"

static unsigned long long field(const char *key)
{
	const char *p = strstr(report->out, key);

	ck_assert_msg(p, "no %s in: %s", key, report->out);
	return strtoull(p + strlen(key), NULL, 16);
}

#define BIT(sig) (1ULL << ((sig) - 1))

/* What the daemon ignores is reset for the actor when the plan lists it;
 * an ignored signal the plan does not list stays ignored across exec,
 * which shows the probe can tell. Nothing the daemon blocks stays
 * blocked. */
START_TEST(signal_dispositions_reset)
{
	static const int reset[] = { SIGTERM, SIGPIPE };
	struct request rq = { .nfds = 3, .script = SIGNALS, .reset = reset, .nreset = 2 };
	sigset_t block;

	signal(SIGTERM, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, NULL);
	spawn(&rq);
	expect_ran();
	ck_assert_uint_eq(field("SigBlk:"), 0);
	ck_assert_uint_eq(field("SigIgn:") & (BIT(SIGTERM) | BIT(SIGPIPE)), 0);
	ck_assert_uint_eq(field("SigIgn:") & BIT(SIGUSR2), BIT(SIGUSR2));
}
END_TEST

START_TEST(a_failed_exec_names_the_step)
{
	struct request rq = { .nfds = 3, .path = "/nonexistent/prospero-actor" };

	spawn(&rq);
	ck_assert_int_eq(report->pid, -1);
	ck_assert_int_eq(report->start_errno, ENOENT);
	ck_assert_int_eq(report->err.step, SB_CONFINE_EXEC);
	ck_assert_int_eq(report->err.errnum, ENOENT);
	ck_assert_ptr_null(report->err.detail);
	ck_assert_str_eq(sb_confine_step_name(report->err.step), "exec");
	ck_assert(report->no_child_left);
	ck_assert(report->slots_idle);
}
END_TEST

START_TEST(a_failed_chdir_names_the_step)
{
	struct request rq = { .nfds = 3, .script = "true", .cwd = "/nonexistent/prospero-cwd" };

	spawn(&rq);
	ck_assert_int_eq(report->pid, -1);
	ck_assert_int_eq(report->err.step, SB_CONFINE_CWD);
	ck_assert_int_eq(report->err.errnum, ENOENT);
	ck_assert_str_eq(sb_confine_step_name(report->err.step), "chdir");
	ck_assert(report->no_child_left);
}
END_TEST

/* The kernel refuses nofile beyond fs.nr_open, root or not. */
/* A copy into the slots that fails part way (an fd of the plan not
 * open) leaves no slot holding what the copies before it took: the
 * daemon would keep an extra end of an actor's output pipe, and never
 * see its EOF. */
START_TEST(a_failed_staging_leaves_the_slots_idle)
{
	struct request rq = { .nfds = 5, .script = "true", .last_fd_bad = true };

	spawn(&rq);
	ck_assert_int_eq(report->pid, -1);
	ck_assert_int_eq(report->err.step, SB_CONFINE_FDS);
	ck_assert_int_eq(report->err.errnum, EBADF);
	ck_assert(report->slots_idle);
	ck_assert(report->no_child_left);
}
END_TEST

START_TEST(a_failed_limit_names_the_call)
{
	struct sb_rlimit lim;
	struct request rq = { .nfds = 3, .script = "true", .limits = &lim, .nlimits = 1 };
	char err[128];
	FILE *f = fopen("/proc/sys/fs/nr_open", "re");
	long long nr_open;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%lld", &nr_open), 1);
	fclose(f);
	ck_assert_int_eq(sb_rlimit_parse("nofile", NULL, nr_open, &lim, err, sizeof err), 0);
	lim.lim.rlim_cur = lim.lim.rlim_max = (rlim_t)nr_open + 1;
	spawn(&rq);
	ck_assert_int_eq(report->pid, -1);
	ck_assert_int_eq(report->err.step, SB_CONFINE_RLIMITS);
	ck_assert_int_eq(report->err.errnum, EPERM);
	ck_assert_str_eq(report->err.detail, "setrlimit(RLIMIT_NOFILE)");
	ck_assert_str_eq(sb_confine_step_name(report->err.step), "set resource limits");
	ck_assert(report->no_child_left);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("spawn");
	TCase *tc = tcase_create("spawn");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fds_reach_the_actor_as_mapped);
	tcase_add_test(tc, more_fds_than_slots);
	tcase_add_test(tc, ready_on_exec);
	tcase_add_test(tc, signal_dispositions_reset);
	tcase_add_test(tc, a_failed_exec_names_the_step);
	tcase_add_test(tc, a_failed_chdir_names_the_step);
	tcase_add_test(tc, a_failed_limit_names_the_call);
	tcase_add_test(tc, a_failed_staging_leaves_the_slots_idle);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
