/* src/proto/fdpass: fds sent with a datagram, and taken or closed on
 * arrival, never leaked. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/proto/fdpass.h"
#include "tests/common/proc.h"
#include "tests/common/runner.h"

/* One datagram from SOCK into BUF with the fds in its control space. */
static ssize_t receive(int sock, char *buf, size_t cap, struct msghdr *msg, void *space, size_t spacelen)
{
	static struct iovec iov;
	ssize_t n;

	iov = (struct iovec){ .iov_base = buf, .iov_len = cap };
	*msg = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1, .msg_control = space, .msg_controllen = spacelen };
	n = recvmsg(sock, msg, MSG_CMSG_CLOEXEC);
	ck_assert_int_ge(n, 0);
	return n;
}

union space {
	struct cmsghdr h;
	char buf[CMSG_SPACE(sizeof(int) * 8)];
};

START_TEST(an_fd_arrives_with_its_bytes)
{
	int sv[2], p[2], got = -1;
	char buf[8];
	union space cm;
	struct msghdr msg;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(pp_fdpass_send(sv[0], "abc", 3, p[1], 0), 3);
	ck_assert_int_eq(receive(sv[1], buf, sizeof buf, &msg, cm.buf, sizeof cm.buf), 3);
	ck_assert(memcmp(buf, "abc", 3) == 0);
	ck_assert_uint_eq(pp_fdpass_take(&msg, &got, 1), 1);
	ck_assert_int_ne(got, p[1]);
	ck_assert(fcntl(got, F_GETFD) & FD_CLOEXEC);
	/* the same pipe: what goes in by the passed fd comes out of ours */
	ck_assert_int_eq(write(got, "x", 1), 1);
	ck_assert_int_eq(read(p[0], buf, 1), 1);
	ck_assert_int_eq(buf[0], 'x');
	pp_fdpass_close(&got, 1);
	ck_assert_int_eq(fcntl(got, F_GETFD), -1);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

START_TEST(no_fd_is_a_plain_send)
{
	int sv[2], got = 99;
	char buf[8];
	union space cm;
	struct msghdr msg;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(pp_fdpass_send(sv[0], "hello", 5, -1, MSG_DONTWAIT), 5);
	ck_assert_int_eq(receive(sv[1], buf, sizeof buf, &msg, cm.buf, sizeof cm.buf), 5);
	ck_assert_uint_eq(pp_fdpass_take(&msg, &got, 1), 0);
	ck_assert_int_eq(got, 99);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* Three fds where the reader wants one: the other two are closed. */
START_TEST(fds_beyond_max_are_closed)
{
	int sv[2], p[2], got[3] = { -1, -1, -1 }, before;
	char buf[8];
	union space cm, out;
	struct iovec iov = { .iov_base = "y", .iov_len = 1 };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = out.buf,
			      .msg_controllen = CMSG_SPACE(sizeof(int) * 3) };
	struct cmsghdr *c;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	memset(&out, 0, sizeof out);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * 3);
	for (int i = 0; i < 3; i++)
		memcpy(CMSG_DATA(c) + (size_t)i * sizeof(int), &p[0], sizeof(int));
	ck_assert_int_eq(sendmsg(sv[0], &msg, 0), 1);
	ck_assert_int_eq(sendmsg(sv[0], &msg, 0), 1);
	before = h_fd_count(getpid());
	receive(sv[1], buf, sizeof buf, &msg, cm.buf, sizeof cm.buf);
	ck_assert_uint_eq(pp_fdpass_take(&msg, got, 1), 1);
	ck_assert_int_eq(h_fd_count(getpid()), before + 1);
	pp_fdpass_close(got, 3);	/* the -1s are skipped */
	ck_assert_int_eq(h_fd_count(getpid()), before);
	/* and a reader that wants none closes all */
	receive(sv[1], buf, sizeof buf, &msg, cm.buf, sizeof cm.buf);
	ck_assert_uint_eq(pp_fdpass_take(&msg, NULL, 0), 0);
	ck_assert_int_eq(h_fd_count(getpid()), before);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* Several fds in one datagram, in their order; more than the most is
 * refused before anything is sent. */
START_TEST(several_fds_arrive_in_order)
{
	int sv[2], p[2], fds[PP_FDPASS_MAX + 1], got[PP_FDPASS_MAX] = { -1, -1, -1, -1 };
	char buf[8];
	union space cm;
	struct msghdr msg;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	fds[0] = p[1];
	fds[1] = p[0];
	fds[2] = p[1];
	ck_assert_int_eq(pp_fdpass_send_fds(sv[0], "N", 1, fds, 3, 0), 1);
	ck_assert_int_eq(receive(sv[1], buf, sizeof buf, &msg, cm.buf, sizeof cm.buf), 1);
	ck_assert_uint_eq(pp_fdpass_take(&msg, got, PP_FDPASS_MAX), 3);
	/* write ends first and last, the read end between */
	ck_assert_int_eq(write(got[0], "a", 1), 1);
	ck_assert_int_eq(write(got[2], "b", 1), 1);
	ck_assert_int_eq(read(got[1], buf, 2), 2);
	ck_assert(memcmp(buf, "ab", 2) == 0);
	pp_fdpass_close(got, 3);
	for (int i = 0; i <= PP_FDPASS_MAX; i++)
		fds[i] = p[0];
	errno = 0;
	ck_assert_int_eq(pp_fdpass_send_fds(sv[0], "N", 1, fds, PP_FDPASS_MAX + 1, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), -1);
	ck_assert_int_eq(errno, EAGAIN);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

/* A peer gone is an error, not a SIGPIPE that ends the sender. */
START_TEST(a_closed_peer_is_epipe)
{
	int sv[2], p[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	close(sv[1]);
	errno = 0;
	ck_assert_int_eq(pp_fdpass_send(sv[0], "z", 1, -1, 0), -1);
	ck_assert_int_eq(errno, EPIPE);
	errno = 0;
	ck_assert_int_eq(pp_fdpass_send(sv[0], "z", 1, p[0], 0), -1);
	ck_assert_int_eq(errno, EPIPE);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("fdpass");
	TCase *tc = tcase_create("fdpass");

	tcase_add_test(tc, an_fd_arrives_with_its_bytes);
	tcase_add_test(tc, no_fd_is_a_plain_send);
	tcase_add_test(tc, fds_beyond_max_are_closed);
	tcase_add_test(tc, several_fds_arrive_in_order);
	tcase_add_test(tc, a_closed_peer_is_epipe);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
