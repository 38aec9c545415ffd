/* The daemon's side of a seccomp listener, against a real child blocked
 * in a denied call: what a notification carries, an answer with a chosen
 * errno, a kill, and the errors for a caller that is gone. */

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/seccomp/handoff.h"
#include "sandbox/seccomp/listener.h"
#include "sandbox/seccomp/load.h"
#include "tests/common/runner.h"
#include "tests/common/seccomp_watch.h"

struct child {
	pid_t pid;
	int listener;
};

/* A child under "minimal" that asks ptrace(PTRACE_ATTACH, 77) and exits
 * 0 if the answer is EACCES, 3 otherwise; the listener it handed over. */
static void start(struct child *c)
{
	struct sb_filter f;
	struct pollfd pf;
	int sv[2];

	watch_filter(SB_PROFILE_MINIMAL, SB_ON_VIOLATION_ERRNO, &f);
	ck_assert_int_eq(sb_handoff_pair(sv), 0);
	c->pid = fork();
	ck_assert_int_ge(c->pid, 0);
	if (c->pid == 0) {
		const char *step;

		if (sb_filter_load(&f, sv[1], &step) < 0)
			_exit(100);
		if (syscall(SYS_ptrace, PTRACE_ATTACH, 77, 0, 0) == -1 && errno == EACCES)
			_exit(0);
		_exit(3);
	}
	close(sv[1]);
	sb_filter_free(&f);
	/* the child's end closes when it exits: a failed load cannot hang */
	pf = (struct pollfd){ .fd = sv[0], .events = POLLIN };
	ck_assert_int_eq(poll(&pf, 1, -1), 1);
	c->listener = sb_handoff_recv(sv[0]);
	ck_assert_int_ge(c->listener, 0);
	close(sv[0]);
	pf = (struct pollfd){ .fd = c->listener, .events = POLLIN };
	ck_assert_int_eq(poll(&pf, 1, -1), 1);
}

static int reap(const struct child *c)
{
	int ws;

	ck_assert_int_eq(waitpid(c->pid, &ws, 0), c->pid);
	return ws;
}

START_TEST(a_notification_is_the_call)
{
	struct seccomp_notif n;
	struct child c;
	int ws;

	start(&c);
	ck_assert_int_eq(sb_listener_recv(c.listener, &n), 0);
	ck_assert_int_eq((pid_t)n.pid, c.pid);
	ck_assert_int_eq(n.data.nr, SYS_ptrace);
	ck_assert_uint_eq(n.data.args[0], PTRACE_ATTACH);
	ck_assert_uint_eq(n.data.args[1], 77);
	/* the answer carries the errno chosen, once */
	ck_assert_int_eq(sb_listener_respond_errno(c.listener, n.id, EACCES), 0);
	ws = reap(&c);
	ck_assert(WIFEXITED(ws) && WEXITSTATUS(ws) == 0);
	errno = 0;
	ck_assert_int_eq(sb_listener_respond_errno(c.listener, n.id, EACCES), -1);
	ck_assert_int_eq(errno, ENOENT);
	close(c.listener);
}
END_TEST

START_TEST(a_kill_ends_the_caller)
{
	struct seccomp_notif n;
	struct child c;
	int ws;

	start(&c);
	ck_assert_int_eq(sb_listener_recv(c.listener, &n), 0);
	ck_assert_int_eq(sb_listener_kill(c.listener, &n), 0);
	ws = reap(&c);
	ck_assert(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
	/* gone: no pidfd, or one whose notification is no longer pending */
	errno = 0;
	ck_assert_int_eq(sb_listener_kill(c.listener, &n), -1);
	ck_assert_int_eq(errno, ESRCH);
	close(c.listener);
}
END_TEST

/* Killed by someone else while it waits: the answer finds no caller, and
 * the kill does not reach a process that may have reused its pid. */
START_TEST(a_caller_that_died_meanwhile)
{
	struct seccomp_notif n;
	struct child c;
	int ws;

	start(&c);
	ck_assert_int_eq(sb_listener_recv(c.listener, &n), 0);
	ck_assert_int_eq(kill(c.pid, SIGKILL), 0);
	ws = reap(&c);
	ck_assert(WIFSIGNALED(ws));
	errno = 0;
	ck_assert_int_eq(sb_listener_respond_errno(c.listener, n.id, EPERM), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(sb_listener_kill(c.listener, &n), -1);
	ck_assert_int_eq(errno, ESRCH);
	close(c.listener);
}
END_TEST

START_TEST(a_bad_listener)
{
	struct seccomp_notif n;

	errno = 0;
	ck_assert_int_eq(sb_listener_recv(-1, &n), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(sb_listener_respond_errno(-1, 1, EPERM), -1);
	ck_assert_int_eq(errno, EBADF);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("listener");
	TCase *tc = tcase_create("listener");

	tcase_add_test(tc, a_notification_is_the_call);
	tcase_add_test(tc, a_kill_ends_the_caller);
	tcase_add_test(tc, a_caller_that_died_meanwhile);
	tcase_add_test(tc, a_bad_listener);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
