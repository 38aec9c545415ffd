/* The daemon's end of the listener handoff against what a broken or
 * hostile child could send instead of one fd. */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sandbox/seccomp/handoff.h"
#include "src/proto/fdpass.h"
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

/* A message of any kind: its byte, the fds it was asked for, and those
 * beyond closed (a child hands over its namespaces on this pair too). */
START_TEST(any_message_gives_its_byte_and_fds)
{
	int sv[2], pfd[2], fds[3] = { -1, -1, -1 }, got[2] = { -1, -1 };
	char b = 0;

	ck_assert_int_eq(sb_handoff_pair(sv), 0);
	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
	fds[0] = pfd[0];
	fds[1] = pfd[1];
	fds[2] = pfd[0];
	ck_assert_int_eq(pp_fdpass_send_fds(sv[1], "N", 1, fds, 3, 0), 1);
	ck_assert_int_eq(sb_handoff_recv_fds(sv[0], &b, got, 2), 2);
	ck_assert_int_eq(b, 'N');
	ck_assert(fcntl(got[0], F_GETFD) & FD_CLOEXEC);
	/* the second is the write end: what it writes, the first reads */
	ck_assert_int_eq(write(got[1], "x", 1), 1);
	ck_assert_int_eq(read(got[0], &b, 1), 1);
	ck_assert_int_eq(b, 'x');
	/* the third, a read end too, was closed on arrival: with the other
	 * two gone, a write has no reader */
	close(got[0]);
	close(pfd[0]);
	signal(SIGPIPE, SIG_IGN);
	ck_assert_int_eq(write(got[1], "x", 1), -1);
	ck_assert_int_eq(errno, EPIPE);
	close(got[1]);
	close(pfd[1]);
	ck_assert_int_eq(pp_fdpass_send_fds(sv[1], "L", 1, NULL, 0, 0), 1);
	ck_assert_int_eq(sb_handoff_recv_fds(sv[0], &b, got, 2), 0);
	ck_assert_int_eq(b, 'L');
	/* two bytes are not a handoff message */
	ck_assert_int_eq(send(sv[1], "LL", 2, 0), 2);
	ck_assert_int_eq(sb_handoff_recv_fds(sv[0], &b, got, 2), -1);
	ck_assert_int_eq(errno, EBADMSG);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* Fds the kernel could not install for want of room come as MSG_CTRUNC,
 * the rest dropped: that is "Too many open files", not a malformed
 * message (the daemon at its soft limit said "cannot keep its
 * namespaces: Bad message"). Room for one of three, then for none. */
START_TEST(fds_dropped_for_want_of_room_are_emfile)
{
	int sv[2], pfd[2], got[3] = { -1, -1, -1 }, dups[64], ndups = 0, fd;
	struct rlimit was, low;
	char b = 0;

	ck_assert_int_eq(sb_handoff_pair(sv), 0);
	ck_assert_int_eq(pipe2(pfd, O_CLOEXEC), 0);
	{
		const int three[3] = { pfd[0], pfd[1], pfd[0] };

		ck_assert_int_eq(pp_fdpass_send_fds(sv[1], "N", 1, three, 3, 0), 1);
		ck_assert_int_eq(pp_fdpass_send_fds(sv[1], "N", 1, three, 3, 0), 1);
	}
	close(pfd[0]);
	close(pfd[1]);
	ck_assert_int_eq(getrlimit(RLIMIT_NOFILE, &was), 0);
	low = (struct rlimit){ 48, was.rlim_max };
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &low), 0);
	while (ndups < 64 && (fd = fcntl(sv[0], F_DUPFD_CLOEXEC, 0)) >= 0)
		dups[ndups++] = fd;
	ck_assert_int_eq(errno, EMFILE);
	ck_assert_int_gt(ndups, 0);
	close(dups[--ndups]);
	ck_assert_int_eq(sb_handoff_recv_fds(sv[0], &b, got, 3), -1);
	ck_assert_int_eq(errno, EMFILE);
	/* the one that came was closed: its room is free again */
	ck_assert_int_ge(dups[ndups] = fcntl(sv[0], F_DUPFD_CLOEXEC, 0), 0);
	ndups++;
	ck_assert_int_eq(sb_handoff_recv_fds(sv[0], &b, got, 3), -1);
	ck_assert_int_eq(errno, EMFILE);
	while (ndups)
		close(dups[--ndups]);
	ck_assert_int_eq(setrlimit(RLIMIT_NOFILE, &was), 0);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("handoff");
	TCase *handoff = tcase_create("handoff");

	tcase_add_test(handoff, the_handoff_rejects_junk);
	tcase_add_test(handoff, any_message_gives_its_byte_and_fds);
	tcase_add_test(handoff, fds_dropped_for_want_of_room_are_emfile);
	suite_add_tcase(s, handoff);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
