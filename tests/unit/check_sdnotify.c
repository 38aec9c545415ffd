/* src/proto/sdnotify: the sd_notify client, against sockets of its own. */
#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/proto/sdnotify.h"
#include "tests/common/runner.h"

/* A datagram socket bound at ADDR (LEN bytes of it). */
static int listener(const struct sockaddr_un *addr, socklen_t len)
{
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (const struct sockaddr *)addr, len), 0);
	return fd;
}

static void expect(int fd, const char *want)
{
	char got[64];
	ssize_t n = recv(fd, got, sizeof got, MSG_DONTWAIT);

	ck_assert_int_eq(n, (ssize_t)strlen(want));
	ck_assert(memcmp(got, want, (size_t)n) == 0);
}

START_TEST(silent_without_a_socket)
{
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(pp_sd_notify("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "", 1);
	ck_assert_int_eq(pp_sd_notify("READY=1"), 0);
}
END_TEST

START_TEST(a_bad_socket_name_is_einval)
{
	char path[sizeof ((struct sockaddr_un *)0)->sun_path + 1];

	setenv("NOTIFY_SOCKET", "relative/path", 1);
	errno = 0;
	ck_assert_int_eq(pp_sd_notify("READY=1"), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* 107 bytes fit sun_path with its NUL: not there, but not refused */
	memset(path, 'x', sizeof path - 1);
	path[0] = '/';
	path[sizeof path - 2] = '\0';
	setenv("NOTIFY_SOCKET", path, 1);
	errno = 0;
	ck_assert_int_eq(pp_sd_notify("READY=1"), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* 108 do not */
	path[sizeof path - 2] = 'x';
	path[sizeof path - 1] = '\0';
	setenv("NOTIFY_SOCKET", path, 1);
	errno = 0;
	ck_assert_int_eq(pp_sd_notify("READY=1"), -1);
	ck_assert_int_eq(errno, EINVAL);
	unsetenv("NOTIFY_SOCKET");
}
END_TEST

START_TEST(a_path_socket_gets_the_text)
{
	char dir[] = "/tmp/sdnotify-test.XXXXXX";
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s/notify", dir);
	fd = listener(&sa, sizeof sa);
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	ck_assert_int_eq(pp_sd_notify("READY=1\nSTATUS=up"), 1);
	expect(fd, "READY=1\nSTATUS=up");
	unsetenv("NOTIFY_SOCKET");
	close(fd);
	unlink(sa.sun_path);
	rmdir(dir);
}
END_TEST

/* '@' names an abstract socket, whose name is exactly the bytes after
 * it: one byte too many in the address would miss it. */
START_TEST(an_abstract_socket_gets_the_text)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char env[sizeof sa.sun_path];
	int n = snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "prospero-sdnotify-%d", (int)getpid());
	int fd = listener(&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n));

	snprintf(env, sizeof env, "@%s", sa.sun_path + 1);
	setenv("NOTIFY_SOCKET", env, 1);
	ck_assert_int_eq(pp_sd_notify("WATCHDOG=1"), 1);
	expect(fd, "WATCHDOG=1");
	unsetenv("NOTIFY_SOCKET");
	close(fd);
}
END_TEST

static double interval(const char *usec, const char *pid)
{
	if (usec)
		setenv("WATCHDOG_USEC", usec, 1);
	else
		unsetenv("WATCHDOG_USEC");
	if (pid)
		setenv("WATCHDOG_PID", pid, 1);
	else
		unsetenv("WATCHDOG_PID");
	return pp_sd_watchdog_interval();
}

START_TEST(the_watchdog_interval_is_half_the_period_for_us_only)
{
	char self[16], other[16];

	snprintf(self, sizeof self, "%d", (int)getpid());
	snprintf(other, sizeof other, "%d", (int)getpid() + 1);
	ck_assert(interval(NULL, NULL) == 0);
	ck_assert(interval("3000000", NULL) == 1.5);
	ck_assert(interval("3000000", self) == 1.5);
	ck_assert(interval("3000000", other) == 0);
	ck_assert(interval(NULL, self) == 0);
	ck_assert(interval("0", NULL) == 0);
	ck_assert(interval("-4", NULL) == 0);
	ck_assert(interval("soon", NULL) == 0);
	ck_assert(interval("1", NULL) == 0.5e-6);
	interval(NULL, NULL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sdnotify");
	TCase *tc = tcase_create("sdnotify");

	tcase_add_test(tc, silent_without_a_socket);
	tcase_add_test(tc, a_bad_socket_name_is_einval);
	tcase_add_test(tc, a_path_socket_gets_the_text);
	tcase_add_test(tc, an_abstract_socket_gets_the_text);
	tcase_add_test(tc, the_watchdog_interval_is_half_the_period_for_us_only);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
