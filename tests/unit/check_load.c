/* The child's last step, as the spawn child takes it: a
 * clone(CLONE_VM|CLONE_VFORK) child loads the filter, hands the listener
 * over and execs real dynamic binaries, which must start under every
 * profile and never hold the handoff socket or the listener. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/child/child_side.h"
#include "sandbox/seccomp/handoff.h"
#include "sandbox/seccomp/load.h"
#include "tests/common/runner.h"
#include "tests/common/seccomp_watch.h"
#include "tests/common/vfork.h"

struct exec_arg {
	const struct sb_filter *f;
	int handoff;
	int in, out;			/* become 0 and 1; 2 is kept */
	const char *path;
	char *const *argv, *const *envp;
	const char *step;		/* written by the child on failure */
	int err;
};

/* The handoff end is moved to fd 3 with CLOEXEC and everything above is
 * closed: the pattern the confinement's fd step follows. */
CHILD_SIDE static int exec_child(void *opaque)
{
	struct exec_arg *a = opaque;

	a->step = "fds";
	if (dup2(a->in, 0) < 0 || dup2(a->out, 1) < 0 ||
	    dup3(a->handoff, 3, O_CLOEXEC) < 0 || close_range(4, ~0U, 0) < 0)
		goto fail;
	if (sb_filter_load(a->f, 3, &a->step) < 0)
		goto fail;
	a->step = "execve";
	execve(a->path, a->argv, a->envp);
fail:
	a->err = errno ? errno : EINVAL;
	_exit(127);
}

/* Run PATH under F; return what it wrote to stdout in OUT. */
static void run_exec(const struct sb_filter *f, const char *path, char *const argv[],
		     char *const envp[], int in, char *out, size_t outlen, struct seen *s)
{
	struct exec_arg a = { .f = f, .in = in, .path = path, .argv = argv, .envp = envp };
	int sv[2], pipefd[2];
	ssize_t n;
	size_t off = 0;
	pid_t pid;

	ck_assert_int_eq(sb_handoff_pair(sv), 0);
	ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC), 0);
	a.handoff = sv[1];
	a.out = pipefd[1];
	pid = vfork_start(exec_child, &a);
	ck_assert_msg(a.err == 0, "child failed at %s: %s", a.step, strerror(a.err));
	close(sv[1]);
	close(pipefd[1]);
	/* resumed after the exec: the listener is already queued */
	watch_child(pid, sv[0], f->on_violation, s);
	while (off + 1 < outlen && (n = read(pipefd[0], out + off, outlen - 1 - off)) > 0)
		off += (size_t)n;
	out[off] = '\0';
	close(pipefd[0]);
	close(sv[0]);
}

static char *const clean_env[] = { "PATH=/usr/bin:/bin", "LC_ALL=C", NULL };

START_TEST(dynamic_binaries_start_under_every_profile)
{
	char out[256], file[] = "/tmp/seccomp-in.XXXXXX";
	char *const true_argv[] = { "true", NULL };
	char *const cat_argv[] = { "cat", NULL };
	char *const fds_argv[] = { "sh", "-c", "for f in 3 4 5 6 7 8 9; do "
				   "[ -e /proc/self/fd/$f ] && echo $f; done; echo end", NULL };
	int in;

	in = mkostemp(file, O_CLOEXEC);
	ck_assert_int_ge(in, 0);
	ck_assert_int_eq(write(in, "through cat\n", 12), 12);
	for (int p = SB_PROFILE_NONE; p <= SB_PROFILE_NETWORK; p++) {
		struct sb_filter f;
		struct seen s;

		watch_filter((enum sb_profile)p, SB_ON_VIOLATION_KILL, &f);
		run_exec(&f, "/bin/true", true_argv, clean_env, in, out, sizeof out, &s);
		expect_clean_exit(&s, 0);
		ck_assert_int_eq(lseek(in, 0, SEEK_SET), 0);
		run_exec(&f, "/bin/cat", cat_argv, clean_env, in, out, sizeof out, &s);
		expect_clean_exit(&s, 0);
		ck_assert_str_eq(out, "through cat\n");
		/* neither the handoff socket nor the listener reaches the actor */
		run_exec(&f, "/bin/sh", fds_argv, clean_env, in, out, sizeof out, &s);
		expect_clean_exit(&s, 0);
		ck_assert_str_eq(out, "end\n");
		sb_filter_free(&f);
	}
	close(in);
	unlink(file);
}
END_TEST

START_TEST(a_shell_script_runs_under_service)
{
	char dir[] = "/tmp/seccomp-test.XXXXXX", script[512], out[256];
	char *argv[] = { "sh", "-c", script, NULL };
	struct sb_filter f;
	struct seen s;
	int in = open("/dev/null", O_RDONLY | O_CLOEXEC);

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(script, sizeof script,
		 "sleep 0.01 && echo hi > %s/f && cat %s/f && (exit 3); echo $? && rm %s/f",
		 dir, dir, dir);
	watch_filter(SB_PROFILE_SERVICE, SB_ON_VIOLATION_KILL, &f);
	run_exec(&f, "/bin/sh", argv, clean_env, in, out, sizeof out, &s);
	expect_clean_exit(&s, 0);
	ck_assert_str_eq(out, "hi\n3\n");

	/* the same under minimal: the first fork is the violation, by name */
	sb_filter_free(&f);
	watch_filter(SB_PROFILE_MINIMAL, SB_ON_VIOLATION_KILL, &f);
	run_exec(&f, "/bin/sh", argv, clean_env, in, out, sizeof out, &s);
	ck_assert_int_ge(s.n, 1);
	/* dash starts `sleep` with vfork */
	ck_assert_str_eq(s.v[0].text, "vfork()");
	ck_assert(WIFSIGNALED(s.status) && WTERMSIG(s.status) == SIGKILL);
	sb_filter_free(&f);
	close(in);
	rmdir(dir);
}
END_TEST

START_TEST(none_loads_nothing)
{
	struct sb_filter f;
	const char *step = NULL;
	int sv[2];

	watch_filter(SB_PROFILE_NONE, SB_ON_VIOLATION_KILL, &f);
	ck_assert_ptr_null(f.insns);
	ck_assert_uint_eq(f.prog.len, 0);
	ck_assert_int_eq(sb_handoff_pair(sv), 0);
	ck_assert_int_eq(sb_filter_load(&f, sv[1], &step), 0);	/* here, in the test process */
	ck_assert_int_eq(prctl(PR_GET_SECCOMP), 0);
	ck_assert_int_eq(sb_handoff_recv(sv[0]), -1);
	ck_assert_int_eq(errno, EAGAIN);
	close(sv[0]);
	close(sv[1]);
	sb_filter_free(&f);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("load");
	TCase *exec = tcase_create("exec");

	tcase_set_timeout(exec, 60);
	tcase_add_test(exec, dynamic_binaries_start_under_every_profile);
	tcase_add_test(exec, a_shell_script_runs_under_service);
	tcase_add_test(exec, none_loads_nothing);
	suite_add_tcase(s, exec);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
