#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/daemon/notify.h"
#include "src/proto/fdpass.h"
#include "tests/common/proc.h"
#include "tests/common/runner.h"

/* The directory the server binds in, open as the daemon holds it. */
static int dir_fd(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	return fd;
}

START_TEST(the_server_reports_the_sender_pid_and_uid)
{
	char dir[] = "/tmp/notify-test.XXXXXX";
	struct notify_server ns;
	struct pp_notify m;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(notify_server_open(&ns, dir, dir_fd(dir)), 0);
	ck_assert_int_eq(notify_server_recv(&ns, &m), 0);	/* nothing yet */
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", ns.path);
	fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	ck_assert_int_eq(sendto(fd, "READY=1", 7, 0, (struct sockaddr *)&sa, sizeof sa), 7);
	ck_assert_int_eq(notify_server_recv(&ns, &m), 1);
	ck_assert_int_eq(m.pid, getpid());
	ck_assert_int_eq(m.uid, getuid());
	ck_assert(m.ready);
	close(fd);
	notify_server_close(&ns);
	ck_assert_int_eq(access(ns.path, F_OK), -1);	/* the socket file is gone */
	close(ns.dirfd);
	rmdir(dir);
}
END_TEST

/* A datagram read once notify_server_since(mark) holds was queued after
 * the mark: at once when the socket was empty at the mark, else only once
 * a read has found it empty (a new datagram read before that may be an
 * old one for all the daemon knows). */
START_TEST(a_mark_parts_what_was_queued_before_it)
{
	char dir[] = "/tmp/notify-test.XXXXXX";
	struct notify_server ns;
	struct pp_notify m;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned long mark;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(notify_server_open(&ns, dir, dir_fd(dir)), 0);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", ns.path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);

	mark = notify_server_mark(&ns);	/* empty */
	ck_assert(notify_server_since(&ns, mark));
	ck_assert_int_eq(send(fd, "READY=1", 7, 0), 7);
	ck_assert_int_eq(notify_server_recv(&ns, &m), 1);
	ck_assert(notify_server_since(&ns, mark));

	ck_assert_int_eq(send(fd, "STATUS=old", 10, 0), 10);
	mark = notify_server_mark(&ns);	/* one queued before it */
	ck_assert(!notify_server_since(&ns, mark));
	ck_assert_int_eq(send(fd, "STATUS=new", 10, 0), 10);
	ck_assert_int_eq(notify_server_recv(&ns, &m), 1);
	ck_assert_str_eq(m.status, "old");
	ck_assert(!notify_server_since(&ns, mark));
	ck_assert_int_eq(notify_server_recv(&ns, &m), 1);
	ck_assert_str_eq(m.status, "new");
	ck_assert(!notify_server_since(&ns, mark));
	ck_assert_int_eq(notify_server_recv(&ns, &m), 0);	/* read empty */
	ck_assert(notify_server_since(&ns, mark));
	ck_assert_int_eq(send(fd, "READY=1", 7, 0), 7);
	ck_assert_int_eq(notify_server_recv(&ns, &m), 1);
	ck_assert(notify_server_since(&ns, mark));

	close(fd);
	notify_server_close(&ns);
	close(ns.dirfd);
	rmdir(dir);
}
END_TEST

/* The server offers no fd store: an fd sent with a message is closed. */
START_TEST(fds_sent_to_the_server_are_closed)
{
	char dir[] = "/tmp/notify-test.XXXXXX";
	struct notify_server ns;
	struct pp_notify m;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, before;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(notify_server_open(&ns, dir, dir_fd(dir)), 0);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", ns.path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(pp_fdpass_send(fd, "WATCHDOG=1", 10, fd, 0), 10);
	before = h_fd_count(getpid());
	ck_assert_int_eq(notify_server_recv(&ns, &m), 1);
	ck_assert(m.watchdog);
	ck_assert_int_eq(h_fd_count(getpid()), before);
	close(fd);
	notify_server_close(&ns);
	close(ns.dirfd);
	rmdir(dir);
}
END_TEST

/* A datagram longer than PP_NOTIFY_MAX is ignored whole, as systemd
 * ignores one (and as the control channel does); the longest is read. */
START_TEST(an_overlong_datagram_is_ignored)
{
	char dir[] = "/tmp/notify-test.XXXXXX";
	char msg[PP_NOTIFY_MAX + 1];
	struct notify_server ns;
	struct pp_notify m;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	memset(msg, 'x', sizeof msg);
	memcpy(msg, "READY=1\n", 8);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(notify_server_open(&ns, dir, dir_fd(dir)), 0);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", ns.path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(send(fd, msg, sizeof msg, 0), (ssize_t)sizeof msg);
	ck_assert_int_eq(notify_server_recv(&ns, &m), 0);
	ck_assert_int_eq(send(fd, msg, sizeof msg - 1, 0), (ssize_t)sizeof msg - 1);
	ck_assert_int_eq(notify_server_recv(&ns, &m), 1);
	ck_assert(m.ready);
	close(fd);
	notify_server_close(&ns);
	close(ns.dirfd);
	rmdir(dir);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("notify");
	TCase *tc = tcase_create("notify");

	tcase_add_test(tc, the_server_reports_the_sender_pid_and_uid);
	tcase_add_test(tc, a_mark_parts_what_was_queued_before_it);
	tcase_add_test(tc, fds_sent_to_the_server_are_closed);
	tcase_add_test(tc, an_overlong_datagram_is_ignored);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
