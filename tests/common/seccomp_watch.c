#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox/seccomp/handoff.h"
#include "sandbox/seccomp/listener.h"
#include "tests/common/seccomp_watch.h"

void watch_filter(enum sb_profile prof, enum sb_on_violation mode, struct sb_filter *f)
{
	struct sb_spec s = { .profile = prof, .on_violation = mode };
	struct sb_policy p;
	char err[256];

	ck_assert_msg(sb_policy_resolve(&s, &p, err, sizeof err) == 0, "%s", err);
	ck_assert_msg(sb_filter_build(&p, f) == 0, "build: %s", strerror(errno));
	sb_policy_free(&p);
	if (prof != SB_PROFILE_NONE) {
		ck_assert_ptr_nonnull(f->insns);
		ck_assert_uint_gt(f->prog.len, 10);
	}
}

/* One notification as the daemon takes it: decoded, and in errno mode
 * answered EPERM at once (the caller kills in kill mode). */
static int take_one(int listener, enum sb_on_violation mode, struct sb_violation *v)
{
	struct seccomp_notif n;

	if (sb_listener_recv(listener, &n) < 0)
		return -1;
	sb_violation_decode(&n, v);
	if (mode == SB_ON_VIOLATION_ERRNO)
		(void)sb_listener_respond_errno(listener, n.id, EPERM);
	return 0;
}

void watch_child(pid_t pid, int handoff, enum sb_on_violation mode, struct seen *s)
{
	struct pollfd pf = { .fd = -1, .events = POLLIN };
	struct timespec start, now;
	int listener = -1;
	bool unconfined = false;

	memset(s, 0, sizeof *s);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t w;

		if (listener < 0 && !unconfined) {
			listener = sb_handoff_recv(handoff);
			/* ENOMSG: the child's end closed with nothing sent ("none") */
			unconfined = listener < 0 && errno == ENOMSG;
			ck_assert_msg(listener >= 0 || errno == EAGAIN || unconfined,
				      "handoff: %s", strerror(errno));
			if (listener >= 0) {
				ck_assert(fcntl(listener, F_GETFD) & FD_CLOEXEC);
				pf.fd = listener;
			}
		}
		if (listener >= 0 && poll(&pf, 1, 20) > 0 && (pf.revents & POLLIN)) {
			struct sb_violation v;

			if (take_one(listener, mode, &v) == 0) {
				if (s->n < WATCH_MAX_SEEN)
					s->v[s->n] = v;
				s->n++;
				if (mode == SB_ON_VIOLATION_KILL) {
					struct seccomp_notif n = { .id = v.id, .pid = (uint32_t)v.pid };
					ck_assert_int_eq(sb_listener_kill(listener, &n), 0);
				}
			}
		} else if (listener < 0) {
			usleep(2000);
		}
		w = waitpid(pid, &s->status, WNOHANG);
		ck_assert_int_ge(w, 0);
		if (w == pid)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start.tv_sec > 20) {
			kill(pid, SIGKILL);
			waitpid(pid, &s->status, 0);
			ck_abort_msg("child %d hung (violations seen: %d)", (int)pid, s->n);
		}
	}
	/* anything still queued raced the exit: a late report still counts */
	if (listener >= 0) {
		struct sb_violation v;

		while (poll(&pf, 1, 0) > 0 && (pf.revents & POLLIN) &&
		       take_one(listener, mode, &v) == 0) {
			if (s->n < WATCH_MAX_SEEN)
				s->v[s->n] = v;
			s->n++;
		}
		close(listener);
	}
}

void expect_clean_exit(const struct seen *s, int code)
{
	for (int i = 0; i < s->n && i < WATCH_MAX_SEEN; i++)
		fprintf(stderr, "unexpected violation: %s\n", s->v[i].text);
	ck_assert_int_eq(s->n, 0);
	ck_assert_msg(WIFEXITED(s->status), "status %#x", s->status);
	ck_assert_int_eq(WEXITSTATUS(s->status), code);
}

void expect_killed_for(const struct seen *s, const char *text)
{
	ck_assert_int_ge(s->n, 1);
	ck_assert_str_eq(s->v[0].text, text);
	ck_assert_msg(WIFSIGNALED(s->status) && WTERMSIG(s->status) == SIGKILL,
		      "status %#x", s->status);
}
