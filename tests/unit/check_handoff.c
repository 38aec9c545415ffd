/* The daemon's end of the listener handoff against what a broken or
 * hostile child could send instead of one fd. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox/seccomp/handoff.h"
#include "tests/common/runner.h"

START_TEST(the_handoff_rejects_junk)
{
	int sv[2], pfd[2];
	char b = 'x';

	ck_assert_int_eq(sb_handoff_pair(sv), 0);
	ck_assert(fcntl(sv[0], F_GETFD) & FD_CLOEXEC);
	ck_assert(fcntl(sv[1], F_GETFD) & FD_CLOEXEC);
	ck_assert_int_eq(sb_handoff_recv(sv[0]), -1);
	ck_assert_int_eq(errno, EAGAIN);
	/* a message without an fd */
	ck_assert_int_eq(send(sv[1], &b, 1, 0), 1);
	ck_assert_int_eq(sb_handoff_recv(sv[0]), -1);
	ck_assert_int_eq(errno, EBADMSG);
	/* two fds: both received and closed */
	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
	{
		union { char buf[CMSG_SPACE(2 * sizeof(int))]; struct cmsghdr a; } ctl;
		struct iovec iov = { &b, 1 };
		struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
				    .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&m);

		memset(ctl.buf, 0, sizeof ctl.buf);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(2 * sizeof(int));
		memcpy(CMSG_DATA(cm), pfd, sizeof pfd);
		ck_assert_int_eq(sendmsg(sv[1], &m, 0), 1);
	}
	close(pfd[0]);
	ck_assert_int_eq(sb_handoff_recv(sv[0]), -1);
	ck_assert_int_eq(errno, EBADMSG);
	/* the write end's only reader was received and closed: EPIPE */
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(write(pfd[1], &b, 1), -1);
	ck_assert_int_eq(errno, EPIPE);
	close(pfd[1]);
	/* the child's end closed with nothing sent */
	close(sv[1]);
	ck_assert_int_eq(sb_handoff_recv(sv[0]), -1);
	ck_assert_int_eq(errno, ENOMSG);
	close(sv[0]);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("handoff");
	TCase *handoff = tcase_create("handoff");

	tcase_add_test(handoff, the_handoff_rejects_junk);
	suite_add_tcase(s, handoff);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
