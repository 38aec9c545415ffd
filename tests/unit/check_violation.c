/* Violation reports in words: synthetic notifications in, the sentences
 * of the log and the restart reason out, for native and foreign ABIs. */

#include <check.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <termios.h>

#include "sandbox/seccomp/violation.h"
#include "tests/common/runner.h"

#define X32_BIT 0x40000000

static const char *decode(uint32_t arch, int nr, uint64_t a0, uint64_t a1, uint64_t a2,
			  uint64_t a3, uint64_t a4, uint64_t a5)
{
	static struct sb_violation v;
	struct seccomp_notif n = {
		.id = 7, .pid = 4321,
		.data = { .nr = nr, .arch = arch, .args = { a0, a1, a2, a3, a4, a5 } },
	};

	sb_violation_decode(&n, &v);
	ck_assert_uint_eq(v.id, 7);
	ck_assert_int_eq(v.pid, 4321);
	return v.text;
}

#define NATIVE AUDIT_ARCH_X86_64

START_TEST(violations_read_like_calls)
{
	ck_assert_str_eq(decode(NATIVE, SYS_ptrace, PTRACE_ATTACH, 1234, 0, 0, 0, 0),
			 "ptrace(PTRACE_ATTACH, 1234)");
	ck_assert_str_eq(decode(NATIVE, SYS_ptrace, PTRACE_TRACEME, 0, 0, 0, 0, 0),
			 "ptrace(PTRACE_TRACEME)");
	/* the event's "args" field is this span of the text */
	{
		struct sb_violation v;
		struct seccomp_notif n = { .data = { .nr = SYS_ptrace, .arch = NATIVE,
						     .args = { PTRACE_ATTACH, 1234 } } };

		sb_violation_decode(&n, &v);
		ck_assert_int_eq((int)v.args_len, 19);
		ck_assert(strncmp(v.text + v.args_off, "PTRACE_ATTACH, 1234", v.args_len) == 0);
	}
	ck_assert_str_eq(decode(NATIVE, SYS_ptrace, PTRACE_PEEKDATA, 99, 0x7fff0000, 0, 0, 0),
			 "ptrace(PTRACE_PEEKDATA, 99, 0x7fff0000, NULL)");
	ck_assert_str_eq(decode(NATIVE, SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0, 0, 0, 0),
			 "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0)");
	ck_assert_str_eq(decode(NATIVE, SYS_socket, AF_NETLINK, SOCK_RAW, 9, 0, 0, 0),
			 "socket(AF_NETLINK, SOCK_RAW, 9)");
	ck_assert_str_eq(decode(NATIVE, SYS_socket, 200, 0x12, 0, 0, 0, 0),
			 "socket(200, SOCK_DGRAM|0x10, 0)");
	/* the call a binding's holder may not make: README, Bindings */
	ck_assert_str_eq(decode(NATIVE, SYS_shutdown, 4, SHUT_RDWR, 0x7fb792fb8d10, 0, 0, 0),
			 "shutdown(4, SHUT_RDWR)");
	ck_assert_str_eq(decode(NATIVE, SYS_shutdown, 3, 7, 0, 0, 0, 0), "shutdown(3, 7)");
	ck_assert_str_eq(decode(NATIVE, SYS_openat, (uint32_t)AT_FDCWD, 0x1000,
				O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644, 0, 0),
			 "openat(AT_FDCWD, 0x1000, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644)");
	ck_assert_str_eq(decode(NATIVE, SYS_openat, 3, 0x1000, O_RDWR | O_TMPFILE, 0600, 0, 0),
			 "openat(3, 0x1000, O_RDWR|O_TMPFILE, 0600)");
	ck_assert_str_eq(decode(NATIVE, SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0, 0),
			 "clone(CLONE_NEWUSER|SIGCHLD, NULL, NULL, NULL, 0)");
	ck_assert_str_eq(decode(NATIVE, SYS_unshare, CLONE_NEWUSER | CLONE_NEWNS, 0, 0, 0, 0, 0),
			 "unshare(CLONE_NEWNS|CLONE_NEWUSER)");
	ck_assert_str_eq(decode(NATIVE, SYS_kill, 1, SIGKILL, 0, 0, 0, 0), "kill(1, SIGKILL)");
	ck_assert_str_eq(decode(NATIVE, SYS_kill, (uint64_t)-1, 0, 0, 0, 0, 0), "kill(-1, 0)");
	ck_assert_str_eq(decode(NATIVE, SYS_ioctl, 0, TIOCSTI, 0x5000, 0, 0, 0),
			 "ioctl(0, TIOCSTI, 0x5000)");
	ck_assert_str_eq(decode(NATIVE, SYS_mount, 0x10, 0x20, 0x30, 0, 0, 0),
			 "mount(0x10, 0x20, 0x30, 0, NULL)");
	ck_assert_str_eq(decode(NATIVE, SYS_getpid, 1, 2, 3, 4, 5, 6), "getpid()");
	/* not in the table: every argument, small ones in decimal */
	ck_assert_str_eq(decode(NATIVE, SYS_mlock, 0x7f0000001000, 4096, 0, (uint64_t)-100,
				0xffffffffffffffff, 65536),
			 "mlock(0x7f0000001000, 4096, 0, -100, -1, 0x10000)");
	ck_assert_str_eq(decode(NATIVE, 4000, 1, 2, 3, 4, 5, 6),
			 "syscall_4000(1, 2, 3, 4, 5, 6)");
}
END_TEST

START_TEST(foreign_abis_say_so)
{
	struct sb_violation v;
	struct seccomp_notif n = { .data = { .arch = AUDIT_ARCH_I386, .nr = 20 } };

	sb_violation_decode(&n, &v);
	ck_assert(v.foreign_abi);
	ck_assert_str_eq(v.name, "getpid");
	ck_assert_str_eq(v.text, "getpid() [i386 ABI]");
	/* i386 ptrace is 26; 32-bit registers, so -100 is AT_FDCWD */
	ck_assert_str_eq(decode(AUDIT_ARCH_I386, 26, 16, 77, 0, 0, 0, 0),
			 "ptrace(PTRACE_ATTACH, 77) [i386 ABI]");
	ck_assert_str_eq(decode(AUDIT_ARCH_I386, 295, 0xffffff9c, 0x1000, O_RDONLY, 0, 0, 0),
			 "openat(AT_FDCWD, 0x1000, O_RDONLY, 0) [i386 ABI]");
	ck_assert_str_eq(decode(NATIVE, X32_BIT | 39, 0, 0, 0, 0, 0, 0), "getpid() [x32 ABI]");
	n.data.arch = NATIVE;
	n.data.nr = SYS_getpid;
	sb_violation_decode(&n, &v);
	ck_assert(!v.foreign_abi);
	ck_assert_str_eq(decode(0x1234, 5, 0, 0, 0, 0, 0, 0),
			 "syscall_5(0, 0, 0, 0, 0, 0) [ABI 0x1234]");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("violation");
	TCase *decode = tcase_create("decode");

	tcase_add_test(decode, violations_read_like_calls);
	tcase_add_test(decode, foreign_abis_say_so);
	suite_add_tcase(s, decode);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
