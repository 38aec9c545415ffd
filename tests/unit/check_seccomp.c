/* Seccomp profiles, filter and violation reports. Pure tests first (policy
 * resolution, decoding synthetic notifications, the rate limiter); then
 * real children that load each profile's filter, built once in the
 * parent, and try things, while the parent listens as the daemon would.
 * Exec tests start real dynamic binaries the way spawn.c does (clone
 * CLONE_VM|CLONE_VFORK, load, handoff, exec). */

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>

#include "sandbox/child/child_side.h"
#include "tests/i386_entry.h"
#include "sandbox/seccomp/bpf_gen.h"
#include "sandbox/seccomp/filter.h"
#include "sandbox/seccomp/handoff.h"
#include "sandbox/seccomp/listener.h"
#include "sandbox/seccomp/load.h"
#include "sandbox/seccomp/profiles.h"
#include "sandbox/seccomp/ratelimit.h"
#include "sandbox/seccomp/violation.h"

#define X32_BIT 0x40000000

/* ---- policy resolution ---- */

static int resolve(enum sb_profile prof, const char *const *allow, size_t nallow,
		   const char *const *deny, size_t ndeny, struct sb_policy *p, char *err,
		   size_t errlen)
{
	struct sb_spec s = {
		.profile = prof, .allow = allow, .nallow = nallow,
		.deny = deny, .ndeny = ndeny,
	};
	return sb_policy_resolve(&s, p, err, errlen);
}

static enum sb_cond cond_of(const struct sb_policy *p, const char *name)
{
	const struct sb_rule *r = sb_policy_find(p, name);

	ck_assert_msg(r, "%s missing from %s", name, sb_profile_name(p->profile));
	return r->cond;
}

START_TEST(names_parse_both_ways)
{
	enum sb_profile p;
	enum sb_on_violation v;

	for (const char *const *n = sb_profile_names(); *n; n++) {
		ck_assert_int_eq(sb_profile_parse(*n, &p), 0);
		ck_assert_str_eq(sb_profile_name(p), *n);
	}
	ck_assert_int_eq(sb_profile_parse("Service", &p), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(sb_on_violation_parse("errno", &v), 0);
	ck_assert_int_eq(v, SB_ON_VIOLATION_ERRNO);
	ck_assert_int_eq(sb_on_violation_parse("kill", &v), 0);
	ck_assert_int_eq(v, SB_ON_VIOLATION_KILL);
	ck_assert_int_eq(sb_on_violation_parse("", &v), -1);
}
END_TEST

/* a typo in a table would silently allow nothing */
START_TEST(every_group_member_is_a_syscall)
{
	const char *const *g = sb_group_names();
	size_t n = 0;

	for (; *g; g++, n++) {
		const struct sb_group_member *m = sb_group_members(*g);

		ck_assert_msg(m, "%s", *g);
		ck_assert_msg(m->name, "%s is empty", *g);
		for (; m->name; m++)
			ck_assert_msg(sb_syscall_known(m->name), "%s: %s", *g, m->name);
		if (g[1])
			ck_assert_msg(strcmp(g[0], g[1]) < 0, "groups not sorted at %s", *g);
	}
	ck_assert_uint_ge(n, 12);
	ck_assert_ptr_null(sb_group_members("@nope"));
	ck_assert_ptr_null(sb_group_members("network-io"));
}
END_TEST

START_TEST(shipped_profiles_are_sorted_layered_and_safe)
{
	static const char *const privileged_probe[] = {
		"mount", "umount2", "pivot_root", "chroot", "ptrace", "process_vm_readv",
		"init_module", "finit_module", "delete_module", "kexec_load",
		"kexec_file_load", "bpf", "perf_event_open", "reboot", "swapon", "swapoff",
		"keyctl", "add_key", "request_key", "unshare", "setns", "userfaultfd",
		"io_uring_setup", "open_by_handle_at", "settimeofday", "personality",
	};
	static const char *const required_probe[] = {
		"execve", "sendmsg", "rt_sigprocmask", "exit_group", "exit",
	};
	struct sb_policy pol[4] = { 0 };
	char err[256];

	for (int p = SB_PROFILE_MINIMAL; p <= SB_PROFILE_NETWORK; p++) {
		ck_assert_int_eq(resolve((enum sb_profile)p, NULL, 0, NULL, 0, &pol[p], err, sizeof err), 0);
		ck_assert_uint_gt(pol[p].n, 50);
		for (size_t i = 0; i + 1 < pol[p].n; i++)
			ck_assert_msg(strcmp(pol[p].rules[i].name, pol[p].rules[i + 1].name) < 0,
				      "%s: %s before %s", sb_profile_name(pol[p].profile),
				      pol[p].rules[i].name, pol[p].rules[i + 1].name);
		for (size_t i = 0; i < pol[p].n; i++)
			ck_assert_msg(!sb_syscall_is_privileged(pol[p].rules[i].name), "%s allows %s",
				      sb_profile_name(pol[p].profile), pol[p].rules[i].name);
		for (size_t i = 0; i < sizeof privileged_probe / sizeof *privileged_probe; i++) {
			ck_assert(sb_syscall_is_privileged(privileged_probe[i]));
			ck_assert_ptr_null(sb_policy_find(&pol[p], privileged_probe[i]));
		}
		for (size_t i = 0; i < sizeof required_probe / sizeof *required_probe; i++)
			ck_assert_int_eq(cond_of(&pol[p], required_probe[i]), SB_COND_ALWAYS);
		/* Prospero's own protocols under every profile */
		ck_assert_int_ge(cond_of(&pol[p], "socket"), SB_COND_AF_UNIX);
		ck_assert_int_eq(cond_of(&pol[p], "connect"), SB_COND_ALWAYS);
		ck_assert_int_eq(cond_of(&pol[p], "sendto"), SB_COND_ALWAYS);
		ck_assert_int_eq(cond_of(&pol[p], "recvmsg"), SB_COND_ALWAYS);
		ck_assert_int_eq(cond_of(&pol[p], "clone3"), SB_COND_ENOSYS);
		/* each profile is the previous one and more, never narrower */
		if (p > SB_PROFILE_MINIMAL)
			for (size_t i = 0; i < pol[p - 1].n; i++)
				ck_assert_int_ge(cond_of(&pol[p], pol[p - 1].rules[i].name),
						 pol[p - 1].rules[i].cond);
	}
	ck_assert_int_eq(cond_of(&pol[SB_PROFILE_MINIMAL], "socket"), SB_COND_AF_UNIX);
	ck_assert_int_eq(cond_of(&pol[SB_PROFILE_MINIMAL], "openat"), SB_COND_RDONLY);
	ck_assert_int_eq(cond_of(&pol[SB_PROFILE_MINIMAL], "clone"), SB_COND_THREAD);
	ck_assert_int_eq(cond_of(&pol[SB_PROFILE_MINIMAL], "ioctl"), SB_COND_TTY_QUERY);
	ck_assert_ptr_null(sb_policy_find(&pol[SB_PROFILE_MINIMAL], "fork"));
	ck_assert_ptr_null(sb_policy_find(&pol[SB_PROFILE_MINIMAL], "epoll_wait"));
	ck_assert_ptr_null(sb_policy_find(&pol[SB_PROFILE_MINIMAL], "unlink"));
	ck_assert_int_eq(cond_of(&pol[SB_PROFILE_SERVICE], "socket"), SB_COND_AF_UNIX);
	ck_assert_int_eq(cond_of(&pol[SB_PROFILE_SERVICE], "clone"), SB_COND_NO_NEWNS);
	ck_assert_int_eq(cond_of(&pol[SB_PROFILE_SERVICE], "openat"), SB_COND_ALWAYS);
	ck_assert_int_eq(cond_of(&pol[SB_PROFILE_SERVICE], "epoll_wait"), SB_COND_ALWAYS);
	ck_assert_int_eq(cond_of(&pol[SB_PROFILE_SERVICE], "wait4"), SB_COND_ALWAYS);
	ck_assert_ptr_null(sb_policy_find(&pol[SB_PROFILE_SERVICE], "bind"));
	ck_assert_int_eq(cond_of(&pol[SB_PROFILE_NETWORK], "socket"), SB_COND_ALWAYS);
	ck_assert_int_eq(cond_of(&pol[SB_PROFILE_NETWORK], "bind"), SB_COND_ALWAYS);
	for (int p = SB_PROFILE_MINIMAL; p <= SB_PROFILE_NETWORK; p++)
		sb_policy_free(&pol[p]);
}
END_TEST

START_TEST(none_is_empty_and_takes_nothing)
{
	const char *allow[] = { "ptrace" };
	struct sb_policy p = { .n = 99 }, keep;
	char err[256];

	ck_assert_int_eq(resolve(SB_PROFILE_NONE, NULL, 0, NULL, 0, &p, err, sizeof err), 0);
	ck_assert_uint_eq(p.n, 0);
	ck_assert_ptr_null(sb_policy_find(&p, "read"));
	keep = p;
	ck_assert_int_eq(resolve(SB_PROFILE_NONE, allow, 1, NULL, 0, &p, err, sizeof err), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "\"none\" takes no allow or deny"));
	ck_assert_mem_eq(&p, &keep, sizeof p);	/* untouched on failure */
	sb_policy_free(&p);
}
END_TEST

START_TEST(allow_widens_and_deny_wins)
{
	const char *allow[] = { "@network-io", "ioctl", "ptrace", "@aio" };
	const char *deny[] = { "ptrace", "bind" };
	struct sb_policy p;
	char err[256];

	ck_assert_int_eq(resolve(SB_PROFILE_MINIMAL, allow, 4, deny, 2, &p, err, sizeof err), 0);
	ck_assert_int_eq(cond_of(&p, "socket"), SB_COND_ALWAYS);	/* widened */
	ck_assert_int_eq(cond_of(&p, "ioctl"), SB_COND_ALWAYS);
	ck_assert_int_eq(cond_of(&p, "listen"), SB_COND_ALWAYS);
	ck_assert_int_eq(cond_of(&p, "io_submit"), SB_COND_ALWAYS);
	ck_assert_int_eq(cond_of(&p, "openat"), SB_COND_RDONLY);	/* untouched */
	ck_assert_ptr_null(sb_policy_find(&p, "ptrace"));		/* deny over allow */
	ck_assert_ptr_null(sb_policy_find(&p, "bind"));
	sb_policy_free(&p);

	/* a denied group removes its members but not what the start needs */
	const char *deny_g[] = { "@network-io", "@notify" };
	ck_assert_int_eq(resolve(SB_PROFILE_NETWORK, NULL, 0, deny_g, 2, &p, err, sizeof err), 0);
	ck_assert_ptr_null(sb_policy_find(&p, "socket"));
	ck_assert_ptr_null(sb_policy_find(&p, "connect"));
	ck_assert_int_eq(cond_of(&p, "sendmsg"), SB_COND_ALWAYS);
	ck_assert_int_eq(cond_of(&p, "read"), SB_COND_ALWAYS);
	sb_policy_free(&p);

	/* allowing a conditional syscall by name drops the condition */
	const char *allow_c[] = { "clone3", "clone" };
	ck_assert_int_eq(resolve(SB_PROFILE_SERVICE, allow_c, 2, NULL, 0, &p, err, sizeof err), 0);
	ck_assert_int_eq(cond_of(&p, "clone3"), SB_COND_ALWAYS);
	ck_assert_int_eq(cond_of(&p, "clone"), SB_COND_ALWAYS);
	sb_policy_free(&p);
}
END_TEST

START_TEST(unknown_names_are_named_in_the_error)
{
	static const struct {
		const char *allow, *deny, *expect;
	} cases[] = {
		{ "ptrce", NULL, "allow: unknown syscall \"ptrce\"" },
		{ "@netwrok", NULL, "allow: unknown syscall group \"@netwrok\"" },
		{ NULL, "mout", "deny: unknown syscall \"mout\"" },
		{ NULL, "@", "deny: unknown syscall group \"@\"" },
		{ "", NULL, "allow: unknown syscall \"\"" },
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", NULL, "unknown syscall \"aaaa" },
		{ NULL, "execve", "deny: \"execve\" cannot be denied" },
		{ NULL, "sendmsg", "deny: \"sendmsg\" cannot be denied" },
	};
	struct sb_policy p;
	char err[512];

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *a[] = { "read", cases[i].allow };
		const char *d[] = { "ptrace", cases[i].deny };

		errno = 0;
		ck_assert_int_eq(resolve(SB_PROFILE_SERVICE, a, cases[i].allow ? 2 : 1,
					 d, cases[i].deny ? 2 : 1, &p, err, sizeof err), -1);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_msg(strstr(err, cases[i].expect), "got: %s", err);
	}
	/* the group error lists what exists, so no guessing is needed */
	const char *a[] = { "@netwrok" };
	resolve(SB_PROFILE_SERVICE, a, 1, NULL, 0, &p, err, sizeof err);
	ck_assert_ptr_nonnull(strstr(err, "@network-io"));
	ck_assert_ptr_nonnull(strstr(err, "@file-system"));
	/* a name from another architecture is a syscall, though not here */
	ck_assert(sb_syscall_known("open"));
	ck_assert(sb_syscall_known("socketcall"));
	/* a short buffer is still terminated */
	ck_assert_int_eq(resolve(SB_PROFILE_SERVICE, a, 1, NULL, 0, &p, err, 8), -1);
	ck_assert_uint_eq(strlen(err), 7);
}
END_TEST

START_TEST(cond_text_explains)
{
	ck_assert_str_eq(sb_cond_text(SB_COND_ALWAYS), "");
	ck_assert_ptr_nonnull(strstr(sb_cond_text(SB_COND_AF_UNIX), "AF_UNIX"));
	ck_assert_ptr_nonnull(strstr(sb_cond_text(SB_COND_ENOSYS), "ENOSYS"));
}
END_TEST

/* ---- decoding ---- */

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

/* ---- rate limiting ---- */

START_TEST(token_bucket)
{
	struct sb_ratelimit rl;
	unsigned long sup = 99;

	sb_ratelimit_init(&rl, 3, 1000);
	for (int i = 0; i < 3; i++) {
		ck_assert(sb_ratelimit_allow(&rl, 5000, &sup));
		ck_assert_uint_eq(sup, 0);
	}
	ck_assert(!sb_ratelimit_allow(&rl, 5000, &sup));
	ck_assert(!sb_ratelimit_allow(&rl, 5500, &sup));
	ck_assert(!sb_ratelimit_allow(&rl, 5999, &sup));
	ck_assert(sb_ratelimit_allow(&rl, 6000, &sup));	/* one token back */
	ck_assert_uint_eq(sup, 3);
	ck_assert(!sb_ratelimit_allow(&rl, 6001, &sup));
	/* a long quiet spell refills to the burst, not beyond */
	for (int i = 0; i < 3; i++)
		ck_assert(sb_ratelimit_allow(&rl, 60000, NULL));
	ck_assert(!sb_ratelimit_allow(&rl, 60000, &sup));
	/* partial intervals are not lost: 1500 + 500 is one token */
	ck_assert(sb_ratelimit_allow(&rl, 61500, &sup));
	ck_assert(!sb_ratelimit_allow(&rl, 61900, &sup));
	ck_assert(sb_ratelimit_allow(&rl, 62000, &sup));
	ck_assert_uint_eq(sup, 1);
	/* a clock that steps back does not refill, nor wedge */
	ck_assert(!sb_ratelimit_allow(&rl, 100, &sup));
	ck_assert(sb_ratelimit_allow(&rl, 1100, &sup));

	sb_ratelimit_init(&rl, 0, 1000);	/* burst 0: nothing ever */
	ck_assert(!sb_ratelimit_allow(&rl, 0, &sup));
	ck_assert(!sb_ratelimit_allow(&rl, 1000000, &sup));
	sb_ratelimit_init(&rl, 1, 0);		/* interval 0: no limit */
	for (int i = 0; i < 10; i++)
		ck_assert(sb_ratelimit_allow(&rl, 0, &sup));
}
END_TEST

/* ---- the compiled program: bpf_gen against libseccomp ---- */

/* A classic BPF interpreter with the kernel's seccomp checks: only word
 * loads inside struct seccomp_data, jumps inside the program, and a
 * "ret" at the end of every path the data takes. Enough of the
 * instruction set for libseccomp's programs as well as ours. It runs
 * millions of times, so it reports through BPF_ERR rather than Check's
 * asserts, each of which records a mark point. */
#define BPF_BAD 0xdeadbeefU
static char bpf_err[128];

static uint32_t bpf_fail(size_t pc, const char *what, unsigned code)
{
	snprintf(bpf_err, sizeof bpf_err, "pc %zu: %s (code %#x)", pc, what, code);
	return BPF_BAD;
}

static uint32_t run_bpf(const struct sock_fprog *p, const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };

	if (p->len == 0 || p->len > BPF_MAXINSNS)
		return bpf_fail(0, "bad length", p->len);
	for (size_t pc = 0; pc < p->len; pc++) {
		const struct sock_filter *f = &p->filter[pc];
		uint32_t src = BPF_SRC(f->code) == BPF_X ? x : f->k;
		bool cond;

		switch (BPF_CLASS(f->code)) {
		case BPF_LD:
			if (f->code == (BPF_LD | BPF_W | BPF_ABS) && f->k % 4 == 0 &&
			    f->k + 4 <= sizeof *d)
				memcpy(&a, (const char *)d + f->k, 4);
			else if (f->code == (BPF_LD | BPF_IMM))
				a = f->k;
			else if (f->code == (BPF_LD | BPF_MEM) && f->k < BPF_MEMWORDS)
				a = mem[f->k];
			else
				return bpf_fail(pc, "bad load", f->code);
			break;
		case BPF_LDX:
			if (f->code == (BPF_LDX | BPF_IMM))
				x = f->k;
			else if (f->code == (BPF_LDX | BPF_MEM) && f->k < BPF_MEMWORDS)
				x = mem[f->k];
			else
				return bpf_fail(pc, "bad ldx", f->code);
			break;
		case BPF_ST:
		case BPF_STX:
			if (f->k >= BPF_MEMWORDS)
				return bpf_fail(pc, "bad store", f->code);
			mem[f->k] = BPF_CLASS(f->code) == BPF_ST ? a : x;
			break;
		case BPF_ALU:
			switch (BPF_OP(f->code)) {
			case BPF_ADD: a += src; break;
			case BPF_SUB: a -= src; break;
			case BPF_MUL: a *= src; break;
			case BPF_DIV:
				if (!src)
					return bpf_fail(pc, "division by 0", f->code);
				a /= src;
				break;
			case BPF_AND: a &= src; break;
			case BPF_OR: a |= src; break;
			case BPF_XOR: a ^= src; break;
			case BPF_LSH: a = src < 32 ? a << src : 0; break;
			case BPF_RSH: a = src < 32 ? a >> src : 0; break;
			case BPF_NEG: a = -a; break;
			default: return bpf_fail(pc, "bad alu", f->code);
			}
			break;
		case BPF_JMP:
			if (BPF_OP(f->code) == BPF_JA) {
				if (f->k >= p->len - pc - 1)
					return bpf_fail(pc, "ja out of range", f->code);
				pc += f->k;
				continue;
			}
			if (pc + 1 + f->jt >= p->len || pc + 1 + f->jf >= p->len)
				return bpf_fail(pc, "jump out of range", f->code);
			switch (BPF_OP(f->code)) {
			case BPF_JEQ: cond = a == src; break;
			case BPF_JGT: cond = a > src; break;
			case BPF_JGE: cond = a >= src; break;
			case BPF_JSET: cond = (a & src) != 0; break;
			default: return bpf_fail(pc, "bad jump", f->code);
			}
			pc += cond ? f->jt : f->jf;
			break;
		case BPF_RET:
			return BPF_RVAL(f->code) == BPF_A ? a : f->k;
		case BPF_MISC:
			if (BPF_MISCOP(f->code) == BPF_TAX)
				x = a;
			else
				a = x;
			break;
		}
	}
	return bpf_fail(p->len, "fell off the end", 0);
}

/* Values around every condition: the exact ones, each bit alone and on
 * top of them (every mask bit, the high word set), and the sign-extended
 * forms a 32-bit negative takes in a 64-bit register. */
static const uint64_t arg_seeds[] = {
	0, 1, 2, AF_UNIX, AF_INET, AF_INET6, AF_NETLINK,
	TCGETS, TIOCGWINSZ, TIOCGPGRP, FIONREAD, FIONBIO, FIOCLEX, FIONCLEX, TIOCSTI, TCSETS,
	O_RDONLY | O_CLOEXEC, O_WRONLY, O_RDWR, O_ACCMODE, O_CREAT, O_TRUNC, O_DIRECTORY,
	O_TMPFILE, O_APPEND, O_NONBLOCK | O_DIRECTORY | O_CLOEXEC,
	SIGCHLD, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
	CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID,
	CLONE_NEWUSER | SIGCHLD, CLONE_NEWTIME | SIGCHLD, CLONE_VFORK | CLONE_VM | SIGCHLD,
	0x7fffffff, 0x80000000, 0xffffffff, 0xffffffff80000000, UINT64_MAX,
};
#define NSEEDS (sizeof arg_seeds / sizeof arg_seeds[0])

static size_t arg_values(uint64_t *out)
{
	size_t n = 0;

	for (size_t i = 0; i < NSEEDS; i++) {
		out[n++] = arg_seeds[i];
		out[n++] = arg_seeds[i] | 0xffffffff00000000;
		for (int b = 0; b < 64; b++) {
			out[n++] = arg_seeds[i] | (1ULL << b);
			out[n++] = arg_seeds[i] & ~(1ULL << b);
		}
	}
	return n;
}
#define NVALUES (NSEEDS * 130)

static void expect_same(const struct sock_fprog *ours, const struct sock_fprog *ref,
			const struct seccomp_data *d, const char *what)
{
	uint32_t got = run_bpf(ours, d), want = run_bpf(ref, d);

	if (got == want && got != BPF_BAD)
		return;
	ck_abort_msg(
		      "%s: arch %#x nr %#x args %#llx %#llx %#llx %#llx %#llx %#llx: "
		      "ours %#x, libseccomp %#x %s", what, d->arch, (unsigned)d->nr,
		      (unsigned long long)d->args[0], (unsigned long long)d->args[1],
		      (unsigned long long)d->args[2], (unsigned long long)d->args[3],
		      (unsigned long long)d->args[4], (unsigned long long)d->args[5], got, want,
		      bpf_err);
}

static const struct {
	enum sb_profile profile;
	const char *allow[4], *deny[4];
} variants[] = {
	{ SB_PROFILE_MINIMAL, { NULL }, { NULL } },
	{ SB_PROFILE_SERVICE, { NULL }, { NULL } },
	{ SB_PROFILE_NETWORK, { NULL }, { NULL } },
	{ SB_PROFILE_MINIMAL, { "@network-io", "ioctl", "@aio", "fork" }, { NULL } },
	{ SB_PROFILE_MINIMAL, { "@timer" }, { "openat", "ioctl", "@signal" } },
	{ SB_PROFILE_SERVICE, { "clone3", "clone" }, { NULL } },
	{ SB_PROFILE_SERVICE, { "socket" }, { "@file-system", "@ipc" } },
	{ SB_PROFILE_NETWORK, { NULL }, { "@network-io", "@notify", "clone" } },
	{ SB_PROFILE_NETWORK, { "@aio", "open" }, { "@process", "@memory", "@timer" } },
};

static size_t count(const char *const *v)
{
	size_t n = 0;

	while (n < 4 && v[n])
		n++;
	return n;
}

START_TEST(generated_program_matches_libseccomp)
{
	static const uint32_t foreign_arches[] = {
		AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64, 0, UINT32_MAX, AUDIT_ARCH_X86_64 ^ 1,
	};
	static const uint32_t far_nrs[] = {
		1000, 0x3fffffff, X32_BIT, X32_BIT | 0x3fffffff, 0x7fffffff, 0x80000000,
		0xfffffffe, UINT32_MAX,
	};
	uint64_t *values = malloc(NVALUES * sizeof *values);
	size_t nvalues = arg_values(values);
	int v = _i;
	struct sb_spec spec = {
		.profile = variants[v].profile,
		.allow = variants[v].allow, .nallow = count(variants[v].allow),
		.deny = variants[v].deny, .ndeny = count(variants[v].deny),
	};
	struct sb_policy pol;
	struct sb_filter ours, ref;
	bool conditional[601] = { false };
	char err[256], what[64];

	ck_assert_uint_le(nvalues, NVALUES);
	snprintf(what, sizeof what, "variant %d (%s)", v, sb_profile_name(spec.profile));
	ck_assert_msg(sb_policy_resolve(&spec, &pol, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(sb_filter_build(&pol, &ours), 0);
	ck_assert_int_eq(sb_filter_build_libseccomp(&pol, &ref), 0);
	for (size_t i = 0; i < pol.n; i++) {
		int nr = seccomp_syscall_resolve_name(pol.rules[i].name);

		if (nr >= 0 && pol.rules[i].cond != SB_COND_ALWAYS &&
		    pol.rules[i].cond != SB_COND_ENOSYS) {
			ck_assert_int_le(nr, 600);
			conditional[nr] = true;
		}
	}

	for (uint32_t nr = 0; nr <= 600; nr++) {
		struct seccomp_data d = { .nr = (int)nr, .arch = AUDIT_ARCH_X86_64 };

		/* every argument the same: enough for unconditional rules */
		for (size_t i = 0; i < NSEEDS; i++) {
			for (int a = 0; a < 6; a++)
				d.args[a] = arg_seeds[i];
			d.nr = (int)nr;
			d.arch = AUDIT_ARCH_X86_64;
			expect_same(&ours.prog, &ref.prog, &d, what);
			d.nr = (int)(nr | X32_BIT);
			expect_same(&ours.prog, &ref.prog, &d, what);
			d.nr = (int)nr;
			for (size_t k = 0; k < sizeof foreign_arches / sizeof *foreign_arches; k++) {
				d.arch = foreign_arches[k];
				expect_same(&ours.prog, &ref.prog, &d, what);
			}
		}
		if (!conditional[nr])
			continue;
		/* each argument alone through every boundary value */
		d.arch = AUDIT_ARCH_X86_64;
		for (int a = 0; a < 6; a++) {
			memset(d.args, 0, sizeof d.args);
			for (size_t i = 0; i < nvalues; i++) {
				d.args[a] = values[i];
				expect_same(&ours.prog, &ref.prog, &d, what);
			}
		}
	}
	for (size_t i = 0; i < sizeof far_nrs / sizeof *far_nrs; i++) {
		struct seccomp_data d = { .nr = (int)far_nrs[i], .arch = AUDIT_ARCH_X86_64 };

		expect_same(&ours.prog, &ref.prog, &d, what);
	}
	sb_filter_free(&ours);
	sb_filter_free(&ref);
	sb_policy_free(&pol);
	free(values);
}
END_TEST

START_TEST(generated_program_is_small)
{
	for (int p = SB_PROFILE_MINIMAL; p <= SB_PROFILE_NETWORK; p++) {
		struct sb_spec spec = { .profile = (enum sb_profile)p };
		struct sb_policy pol;
		struct sb_filter ours, ref;
		char err[256];

		ck_assert_msg(sb_policy_resolve(&spec, &pol, err, sizeof err) == 0, "%s", err);
		ck_assert_int_eq(sb_filter_build(&pol, &ours), 0);
		ck_assert_int_eq(sb_filter_build_libseccomp(&pol, &ref), 0);
		printf("seccomp program for %-8s %3zu rules: %3u instructions (libseccomp %3u)\n",
		       sb_profile_name(pol.profile), pol.n, ours.prog.len, ref.prog.len);
		ck_assert_uint_le(ours.prog.len, ref.prog.len);
		if (p == SB_PROFILE_SERVICE)
			ck_assert_uint_le(2 * ours.prog.len, ref.prog.len);
		sb_filter_free(&ours);
		sb_filter_free(&ref);
		sb_policy_free(&pol);
	}
}
END_TEST

/* ---- bpf_gen on its own: long programs, odd tests, bad input ---- */

static uint32_t spec_eval(const struct sb_bpf_rule *r, size_t n, uint32_t def,
			  const struct seccomp_data *d)
{
	if (d->arch != AUDIT_ARCH_X86_64)
		return SECCOMP_RET_KILL_PROCESS;
	for (size_t i = 0; i < n; i++) {
		if (r[i].nr != (uint32_t)d->nr)
			continue;
		if (!r[i].ntests)
			return r[i].action;
		for (size_t t = 0; t < r[i].ntests; t++)
			if ((d->args[r[i].tests[t].arg] & r[i].tests[t].mask) == r[i].tests[t].value)
				return r[i].action;
		return def;
	}
	return def;
}

static const struct sb_bpf_test odd_tests[] = {
	{ 0, UINT64_MAX, 7 },				/* both words */
	{ 1, 0xffffffff00000000, 0x500000000 },	/* high word only */
	{ 2, 0xf0, 0x0f },				/* never: value outside mask */
	{ 3, 0x00ff00ff000000ff, 0x0011002200000033 },
	{ 4, 0xffffffff, 9 }, { 4, 0xffffffff, 10 },	/* one load, two values */
	{ 5, 0x8000000000000000, 0x8000000000000000 },
};
static const struct sb_bpf_test always_test[] = { { 0, 0, 0 } };

/* N rules over 0..2N in a pattern that defeats merging (allow, errno,
 * gap, conditional...), with 60 and 231 allowed so a child can exit. */
static size_t long_table(struct sb_bpf_rule *r, size_t n)
{
	size_t m = 0;

	for (uint32_t nr = 0; m < n; nr++) {
		switch ((nr * 7 + nr / 5) % 6) {
		case 0:
		case 3:
			continue;	/* no rule */
		case 1:
			r[m] = (struct sb_bpf_rule){ nr, SECCOMP_RET_ALLOW, NULL, 0 };
			break;
		case 2:
			r[m] = (struct sb_bpf_rule){ nr, SECCOMP_RET_ERRNO | (nr & 0xfff), NULL, 0 };
			break;
		case 4:
			r[m] = (struct sb_bpf_rule){ nr, SECCOMP_RET_ALLOW, odd_tests,
						     sizeof odd_tests / sizeof *odd_tests };
			break;
		case 5:
			r[m] = (struct sb_bpf_rule){ nr, SECCOMP_RET_ERRNO | 1,
						     nr % 2 ? always_test : &odd_tests[2], 1 };
			break;
		}
		if (nr == SYS_exit || nr == SYS_exit_group)
			r[m] = (struct sb_bpf_rule){ nr, SECCOMP_RET_ALLOW, NULL, 0 };
		m++;
	}
	return m;
}

START_TEST(bpf_gen_reaches_far)
{
	static struct sb_bpf_rule rules[500];
	size_t n = long_table(rules, sizeof rules / sizeof *rules);
	struct sock_fprog prog;
	int far = 0, status;
	pid_t pid;

	/* shuffled input: the order given must not matter */
	for (size_t i = 0; i + 1 < n; i += 2) {
		struct sb_bpf_rule t = rules[i];

		rules[i] = rules[n - 1 - i];
		rules[n - 1 - i] = t;
	}
	ck_assert_msg(sb_bpf_gen(rules, n, AUDIT_ARCH_X86_64, SECCOMP_RET_KILL_PROCESS,
				 SECCOMP_RET_ALLOW, &prog) == 0, "%s", strerror(errno));
	printf("bpf_gen: %zu rules in %u instructions\n", n, prog.len);
	ck_assert_uint_gt(prog.len, 2 * 256);	/* long enough to need far jumps */
	for (size_t i = 0; i < prog.len; i++)
		far += prog.filter[i].code == (BPF_JMP | BPF_JA);
	ck_assert_int_gt(far, 0);

	for (uint32_t nr = 0; nr < 2000; nr++) {
		struct seccomp_data d = { .nr = (int)nr, .arch = AUDIT_ARCH_X86_64 };
		uint64_t hits[] = {
			0, 7, 0x700000007, 0x500000000, 0x5ffffffff, 0x0f, 0x0011002200000033,
			0xff11ff22ffffff33, 9, 10, 0x100000009, 0x8000000000000000, UINT64_MAX,
		};

		for (size_t h = 0; h < sizeof hits / sizeof *hits; h++) {
			for (int a = 0; a < 6; a++) {
				memset(d.args, 0, sizeof d.args);
				d.args[a] = hits[h];
				if (run_bpf(&prog, &d) != spec_eval(rules, n, SECCOMP_RET_ALLOW, &d))
					ck_abort_msg("nr %u arg%d %#llx: %#x, expected %#x %s", nr, a,
						     (unsigned long long)hits[h], run_bpf(&prog, &d),
						     spec_eval(rules, n, SECCOMP_RET_ALLOW, &d), bpf_err);
			}
		}
		d.arch = AUDIT_ARCH_I386;
		ck_assert_uint_eq(run_bpf(&prog, &d), SECCOMP_RET_KILL_PROCESS);
	}

	/* and the kernel takes it */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
			_exit(1);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	free(prog.filter);
}
END_TEST

START_TEST(bpf_gen_edges)
{
	struct sb_bpf_rule r[2] = { { 5, SECCOMP_RET_ALLOW, NULL, 0 }, { 5, SECCOMP_RET_ALLOW, NULL, 0 } };
	struct sb_bpf_test bad_arg = { 6, 1, 1 };
	struct sock_fprog prog = { 0 };
	struct seccomp_data d = { .arch = AUDIT_ARCH_X86_64 };
	static struct sb_bpf_rule many[4000];

	/* no rules: one range, the default */
	ck_assert_int_eq(sb_bpf_gen(NULL, 0, AUDIT_ARCH_X86_64, 1, 2, &prog), 0);
	ck_assert_uint_eq(run_bpf(&prog, &d), 2);
	d.nr = -1;
	ck_assert_uint_eq(run_bpf(&prog, &d), 2);
	free(prog.filter);
	/* one rule at 0 and one at the limit's edge */
	r[1].nr = SB_BPF_NR_LIMIT - 1;
	r[1].action = 3;
	ck_assert_int_eq(sb_bpf_gen(r, 2, AUDIT_ARCH_X86_64, 1, 2, &prog), 0);
	for (uint32_t nr = 0; nr < 8; nr++) {
		d.nr = (int)nr;
		ck_assert_uint_eq(run_bpf(&prog, &d), nr == 5 ? SECCOMP_RET_ALLOW : 2);
	}
	d.nr = (int)(SB_BPF_NR_LIMIT - 1);
	ck_assert_uint_eq(run_bpf(&prog, &d), 3);
	d.nr = (int)SB_BPF_NR_LIMIT;	/* x32's first */
	ck_assert_uint_eq(run_bpf(&prog, &d), 2);
	free(prog.filter);

	/* refused, and *out untouched */
	prog.filter = NULL;
	r[1].nr = 5;
	ck_assert_int_eq(sb_bpf_gen(r, 2, AUDIT_ARCH_X86_64, 1, 2, &prog), -1);
	ck_assert_int_eq(errno, EINVAL);
	r[1].nr = SB_BPF_NR_LIMIT;
	ck_assert_int_eq(sb_bpf_gen(r, 2, AUDIT_ARCH_X86_64, 1, 2, &prog), -1);
	ck_assert_int_eq(errno, EINVAL);
	r[1] = (struct sb_bpf_rule){ 6, SECCOMP_RET_ALLOW, &bad_arg, 1 };
	ck_assert_int_eq(sb_bpf_gen(r, 2, AUDIT_ARCH_X86_64, 1, 2, &prog), -1);
	ck_assert_int_eq(errno, EINVAL);
	r[1].ntests = SB_BPF_MAX_TESTS + 1;
	ck_assert_int_eq(sb_bpf_gen(r, 2, AUDIT_ARCH_X86_64, 1, 2, &prog), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* alternating actions past BPF_MAXINSNS */
	for (uint32_t i = 0; i < 4000; i++)
		many[i] = (struct sb_bpf_rule){ 2 * i, SECCOMP_RET_ALLOW, NULL, 0 };
	ck_assert_int_eq(sb_bpf_gen(many, 4000, AUDIT_ARCH_X86_64, 1, 2, &prog), -1);
	ck_assert_int_eq(errno, E2BIG);
	ck_assert_ptr_null(prog.filter);
	/* ... and the same count merged into one range is tiny */
	for (uint32_t i = 0; i < 4000; i++)
		many[i].nr = i;
	ck_assert_int_eq(sb_bpf_gen(many, 4000, AUDIT_ARCH_X86_64, 1, 2, &prog), 0);
	ck_assert_uint_le(prog.len, 8);
	d.nr = 3999;
	ck_assert_uint_eq(run_bpf(&prog, &d), SECCOMP_RET_ALLOW);
	d.nr = 4000;
	ck_assert_uint_eq(run_bpf(&prog, &d), 2);
	free(prog.filter);
}
END_TEST

/* ---- real filters ---- */

#define MAX_SEEN 8

struct seen {
	int n;
	struct sb_violation v[MAX_SEEN];
	int status;		/* from waitpid */
};

typedef int (*probe_fn)(void *arg);

static void build(enum sb_profile prof, enum sb_on_violation mode, struct sb_filter *f)
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
static int handle(int listener, enum sb_on_violation mode, struct sb_violation *v)
{
	struct seccomp_notif n;

	if (sb_listener_recv(listener, &n) < 0)
		return -1;
	sb_violation_decode(&n, v);
	if (mode == SB_ON_VIOLATION_ERRNO)
		(void)sb_listener_respond_errno(listener, n.id, EPERM);
	return 0;
}

/* The daemon's side: take the listener, report every notification, kill
 * or answer per mode, until the child is gone. */
static void listen_until_exit(pid_t pid, int handoff, enum sb_on_violation mode, struct seen *s)
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

			if (handle(listener, mode, &v) == 0) {
				if (s->n < MAX_SEEN)
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
		       handle(listener, mode, &v) == 0) {
			if (s->n < MAX_SEEN)
				s->v[s->n] = v;
			s->n++;
		}
		close(listener);
	}
}

/* fork, load F, run PROBE; the parent listens. */
static void run_probe(const struct sb_filter *f, probe_fn probe, void *arg, struct seen *s)
{
	int sv[2];
	pid_t pid;

	ck_assert_int_eq(sb_handoff_pair(sv), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		const char *step = NULL;

		close(sv[0]);
		if (sb_filter_load(f, sv[1], &step) < 0)
			_exit(100);
		_exit(probe(arg));
	}
	close(sv[1]);
	listen_until_exit(pid, sv[0], f->on_violation, s);
	close(sv[0]);
}

static void expect_clean_exit(const struct seen *s, int code)
{
	for (int i = 0; i < s->n && i < MAX_SEEN; i++)
		fprintf(stderr, "unexpected violation: %s\n", s->v[i].text);
	ck_assert_int_eq(s->n, 0);
	ck_assert_msg(WIFEXITED(s->status), "status %#x", s->status);
	ck_assert_int_eq(WEXITSTATUS(s->status), code);
}

static void expect_killed_for(const struct seen *s, const char *text)
{
	ck_assert_int_ge(s->n, 1);
	ck_assert_str_eq(s->v[0].text, text);
	ck_assert_msg(WIFSIGNALED(s->status) && WTERMSIG(s->status) == SIGKILL,
		      "status %#x", s->status);
}

/* probes: raw syscalls, so the report shows exactly what was asked */

static int p_ptrace(void *arg)
{
	long r = syscall(SYS_ptrace, PTRACE_ATTACH, 1234, 0, 0);

	return r == -1 && errno == EPERM ? 0 : 3;
}

static int p_mount(void *arg)
{
	syscall(SYS_mount, 0, 0, 0, MS_RDONLY, 0);
	return 3;
}

static int p_socket_inet(void *arg)
{
	long fd = syscall(SYS_socket, AF_INET, SOCK_STREAM, 0);

	return fd >= 0 ? 0 : 3;
}

static int p_unshare(void *arg)
{
	syscall(SYS_unshare, CLONE_NEWUSER);
	return 3;
}

static int p_clone_newuser(void *arg)
{
	long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);

	if (r == 0)
		_exit(0);
	return 3;
}

static int p_fork(void *arg)
{
	syscall(SYS_fork);
	return 3;
}

static int p_clone3(void *arg)
{
	struct { uint64_t flags, pidfd, child_tid, parent_tid, exit_signal; } a = { .exit_signal = SIGCHLD };
	long r = syscall(SYS_clone3, &a, sizeof a);

	if (r == 0)
		_exit(0);
	return r == -1 && errno == ENOSYS ? 0 : 3;
}

static int p_i386_getpid(void *arg)
{
	long r = 20;	/* __NR_getpid on i386 */

	__asm__ volatile("int $0x80" : "+a"(r) : : "memory");
	return r == -EPERM ? 0 : 3;
}

static int p_x32_getpid(void *arg)
{
	long r = syscall(X32_BIT | SYS_getpid);

	return r == -1 && errno == EPERM ? 0 : 3;
}

/* after a denied call in errno mode the actor carries on normally */
static int p_ptrace_then_work(void *arg)
{
	char buf[4];
	int fds[2];

	if (syscall(SYS_ptrace, PTRACE_ATTACH, 1, 0, 0) != -1 || errno != EPERM)
		return 3;
	if (syscall(SYS_mount, 0, 0, 0, 0, 0) != -1 || errno != EPERM)
		return 4;
	if (pipe2(fds, O_CLOEXEC) < 0 || write(fds[1], "ok", 2) != 2 || read(fds[0], buf, 2) != 2)
		return 5;
	return memcmp(buf, "ok", 2) == 0 ? 0 : 6;
}

static int p_write_open(void *arg)
{
	long fd = syscall(SYS_openat, AT_FDCWD, (const char *)arg,
			  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	return fd == -1 && errno == EPERM ? 0 : 3;
}

static void *thread_main(void *arg)
{
	*(int *)arg = 42;
	return NULL;
}

/* what minimal allows: read-only opens, inherited-fd I/O, time, threads */
static int p_minimal_work(void *arg)
{
	struct timespec ts = { 0, 1000000 };
	char buf[64];
	pthread_t t;
	int fd, x = 0;

	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, buf, sizeof buf) <= 0 || close(fd) < 0)
		return 3;
	if (nanosleep(&ts, NULL) < 0 || clock_gettime(CLOCK_MONOTONIC, &ts) < 0)
		return 4;
	if (write(STDERR_FILENO, "", 0) < 0 || isatty(STDERR_FILENO) < 0)
		return 5;
	if (pthread_create(&t, NULL, thread_main, &x) != 0 || pthread_join(t, NULL) != 0 || x != 42)
		return 6;
	return 0;
}

/* sd_notify: AF_UNIX datagram socket, connect, send */
static int p_notify(void *arg)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, sp[2];

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", (const char *)arg);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 3;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
		return 4;
	if (send(fd, "READY=1", 7, 0) != 7)
		return 5;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return 6;
	return 0;
}

static int p_service_work(void *arg)
{
	const char *dir = arg;
	char path[256], buf[8];
	struct timespec ts = { 0, 1000000 };
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct itimerspec its = { .it_value = { 0, 1000000 } };
	uint64_t ticks;
	int fd, ep, tfd, efd, fds[2], st;
	pid_t pid;

	/* files */
	snprintf(path, sizeof path, "%s/f", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "hello", 5) != 5 || fsync(fd) < 0 || close(fd) < 0)
		return 3;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, buf, 5) != 5 || memcmp(buf, "hello", 5) || close(fd) < 0)
		return 4;
	if (rename(path, path) < 0 || unlink(path) < 0 || mkdir(path, 0700) < 0 || rmdir(path) < 0)
		return 5;
	/* time */
	if (nanosleep(&ts, NULL) < 0)
		return 6;
	/* events */
	if (pipe2(fds, O_CLOEXEC) < 0 || (ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return 7;
	ev.data.fd = fds[0];
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev) < 0 || write(fds[1], "x", 1) != 1 ||
	    epoll_wait(ep, &out, 1, 1000) != 1 || out.data.fd != fds[0])
		return 8;
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	if (tfd < 0 || timerfd_settime(tfd, 0, &its, NULL) < 0 ||
	    read(tfd, &ticks, sizeof ticks) != sizeof ticks)
		return 9;
	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0 || eventfd_write(efd, 3) < 0 || eventfd_read(efd, &ticks) < 0 || ticks != 3)
		return 10;
	/* processes */
	pid = fork();
	if (pid < 0)
		return 11;
	if (pid == 0)
		_exit(7);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
		return 12;
	if (kill(getpid(), 0) < 0)
		return 13;
	return 0;
}

START_TEST(forbidden_calls_are_reported_and_killed)
{
	struct sb_filter f;
	struct seen s;

	build(SB_PROFILE_MINIMAL, SB_ON_VIOLATION_KILL, &f);
	run_probe(&f, p_ptrace, NULL, &s);
	expect_killed_for(&s, "ptrace(PTRACE_ATTACH, 1234)");
	ck_assert_str_eq(s.v[0].name, "ptrace");
	ck_assert(!s.v[0].foreign_abi);
	run_probe(&f, p_fork, NULL, &s);
	expect_killed_for(&s, "fork()");
	run_probe(&f, p_socket_inet, NULL, &s);
	expect_killed_for(&s, "socket(AF_INET, SOCK_STREAM, 0)");
	sb_filter_free(&f);

	build(SB_PROFILE_SERVICE, SB_ON_VIOLATION_KILL, &f);
	run_probe(&f, p_ptrace, NULL, &s);
	expect_killed_for(&s, "ptrace(PTRACE_ATTACH, 1234)");
	run_probe(&f, p_mount, NULL, &s);
	expect_killed_for(&s, "mount(NULL, NULL, NULL, 0x1, NULL)");
	run_probe(&f, p_socket_inet, NULL, &s);
	expect_killed_for(&s, "socket(AF_INET, SOCK_STREAM, 0)");
	run_probe(&f, p_unshare, NULL, &s);
	expect_killed_for(&s, "unshare(CLONE_NEWUSER)");
	run_probe(&f, p_clone_newuser, NULL, &s);
	expect_killed_for(&s, "clone(CLONE_NEWUSER|SIGCHLD, NULL, NULL, NULL, 0)");
	sb_filter_free(&f);

	build(SB_PROFILE_NETWORK, SB_ON_VIOLATION_KILL, &f);
	run_probe(&f, p_ptrace, NULL, &s);
	expect_killed_for(&s, "ptrace(PTRACE_ATTACH, 1234)");
	run_probe(&f, p_socket_inet, NULL, &s);		/* allowed here */
	expect_clean_exit(&s, 0);
	sb_filter_free(&f);
}
END_TEST

START_TEST(non_native_abis_are_denied)
{
	bool i386 = i386_entry_works();

	if (!i386)
		fprintf(stderr, "check_seccomp: this kernel faults on int 0x80: only the x32 ABI is tested\n");
	for (int p = SB_PROFILE_MINIMAL; p <= SB_PROFILE_NETWORK; p++) {
		struct sb_filter f;
		struct seen s;

		build((enum sb_profile)p, SB_ON_VIOLATION_ERRNO, &f);
		if (i386) {
			run_probe(&f, p_i386_getpid, NULL, &s);
			ck_assert_int_eq(s.n, 1);
			ck_assert_str_eq(s.v[0].text, "getpid() [i386 ABI]");
			ck_assert_uint_eq(s.v[0].arch, AUDIT_ARCH_I386);
			ck_assert(s.v[0].foreign_abi);
			ck_assert(WIFEXITED(s.status) && WEXITSTATUS(s.status) == 0);
		}

		run_probe(&f, p_x32_getpid, NULL, &s);
		ck_assert_int_eq(s.n, 1);
		ck_assert_str_eq(s.v[0].text, "getpid() [x32 ABI]");
		ck_assert_int_eq(s.v[0].nr, X32_BIT | SYS_getpid);
		ck_assert(WIFEXITED(s.status) && WEXITSTATUS(s.status) == 0);
		sb_filter_free(&f);

		build((enum sb_profile)p, SB_ON_VIOLATION_KILL, &f);
		if (i386) {
			run_probe(&f, p_i386_getpid, NULL, &s);
			expect_killed_for(&s, "getpid() [i386 ABI]");
		} else {
			run_probe(&f, p_x32_getpid, NULL, &s);
			expect_killed_for(&s, "getpid() [x32 ABI]");
		}
		sb_filter_free(&f);
	}
}
END_TEST

START_TEST(errno_mode_reports_and_carries_on)
{
	struct sb_filter f;
	struct seen s;
	char dir[] = "/tmp/seccomp-test.XXXXXX", path[64];

	build(SB_PROFILE_SERVICE, SB_ON_VIOLATION_ERRNO, &f);
	run_probe(&f, p_ptrace_then_work, NULL, &s);
	ck_assert_int_eq(s.n, 2);
	ck_assert_str_eq(s.v[0].text, "ptrace(PTRACE_ATTACH, 1)");
	ck_assert_str_eq(s.v[1].text, "mount(NULL, NULL, NULL, 0, NULL)");
	ck_assert(WIFEXITED(s.status));
	ck_assert_int_eq(WEXITSTATUS(s.status), 0);
	run_probe(&f, p_ptrace, NULL, &s);
	ck_assert_int_eq(s.n, 1);
	ck_assert(WIFEXITED(s.status) && WEXITSTATUS(s.status) == 0);
	sb_filter_free(&f);

	/* minimal opens read-only; a write open is stopped and explained */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/out", dir);
	build(SB_PROFILE_MINIMAL, SB_ON_VIOLATION_ERRNO, &f);
	run_probe(&f, p_write_open, path, &s);
	ck_assert_int_eq(s.n, 1);
	ck_assert_str_eq(s.v[0].name, "openat");
	ck_assert_msg(strstr(s.v[0].text, "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644)"),
		      "%s", s.v[0].text);
	ck_assert(WIFEXITED(s.status) && WEXITSTATUS(s.status) == 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	sb_filter_free(&f);
	rmdir(dir);
}
END_TEST

START_TEST(clone3_falls_back_quietly)
{
	for (int p = SB_PROFILE_MINIMAL; p <= SB_PROFILE_NETWORK; p++) {
		struct sb_filter f;
		struct seen s;

		build((enum sb_profile)p, SB_ON_VIOLATION_KILL, &f);
		run_probe(&f, p_clone3, NULL, &s);
		expect_clean_exit(&s, 0);
		sb_filter_free(&f);
	}
}
END_TEST

START_TEST(allowed_workloads_run_unharmed)
{
	char dir[] = "/tmp/seccomp-test.XXXXXX";
	struct sb_filter f;
	struct seen s;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (int p = SB_PROFILE_MINIMAL; p <= SB_PROFILE_NETWORK; p++) {
		build((enum sb_profile)p, SB_ON_VIOLATION_KILL, &f);
		run_probe(&f, p_minimal_work, NULL, &s);
		expect_clean_exit(&s, 0);
		if (p >= SB_PROFILE_SERVICE) {
			run_probe(&f, p_service_work, dir, &s);
			expect_clean_exit(&s, 0);
		}
		sb_filter_free(&f);
	}
	rmdir(dir);
}
END_TEST

START_TEST(notify_protocol_works_under_every_profile)
{
	char dir[] = "/tmp/seccomp-test.XXXXXX", path[108];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[32];
	int srv;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/notify", dir);
	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
	srv = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(srv, 0);
	ck_assert_int_eq(bind(srv, (struct sockaddr *)&sa, sizeof sa), 0);
	for (int p = SB_PROFILE_MINIMAL; p <= SB_PROFILE_NETWORK; p++) {
		struct sb_filter f;
		struct seen s;

		build((enum sb_profile)p, SB_ON_VIOLATION_KILL, &f);
		run_probe(&f, p_notify, path, &s);
		expect_clean_exit(&s, 0);
		ck_assert_int_eq(recv(srv, buf, sizeof buf, MSG_DONTWAIT), 7);
		ck_assert_mem_eq(buf, "READY=1", 7);
		sb_filter_free(&f);
	}
	close(srv);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* ---- the spawn path: vfork child, load, handoff, exec ---- */

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
 * closed: the pattern confine.c's fd step needs to follow. */
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
	const size_t stack_size = 256 * 1024;
	struct exec_arg a = { .f = f, .in = in, .path = path, .argv = argv, .envp = envp };
	int sv[2], pipefd[2];
	void *stack;
	ssize_t n;
	size_t off = 0;
	pid_t pid;

	stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	ck_assert(stack != MAP_FAILED);
	ck_assert_int_eq(sb_handoff_pair(sv), 0);
	ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC), 0);
	a.handoff = sv[1];
	a.out = pipefd[1];
	pid = clone(exec_child, (char *)stack + stack_size, CLONE_VM | CLONE_VFORK | SIGCHLD, &a);
	ck_assert_int_gt(pid, 0);
	ck_assert_msg(a.err == 0, "child failed at %s: %s", a.step, strerror(a.err));
	close(sv[1]);
	close(pipefd[1]);
	/* resumed after the exec: the listener is already queued */
	listen_until_exit(pid, sv[0], f->on_violation, s);
	while (off + 1 < outlen && (n = read(pipefd[0], out + off, outlen - 1 - off)) > 0)
		off += (size_t)n;
	out[off] = '\0';
	close(pipefd[0]);
	close(sv[0]);
	munmap(stack, stack_size);
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

		build((enum sb_profile)p, SB_ON_VIOLATION_KILL, &f);
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
	build(SB_PROFILE_SERVICE, SB_ON_VIOLATION_KILL, &f);
	run_exec(&f, "/bin/sh", argv, clean_env, in, out, sizeof out, &s);
	expect_clean_exit(&s, 0);
	ck_assert_str_eq(out, "hi\n3\n");

	/* the same under minimal: the first fork is the violation, by name */
	sb_filter_free(&f);
	build(SB_PROFILE_MINIMAL, SB_ON_VIOLATION_KILL, &f);
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

START_TEST(none_loads_nothing)
{
	struct sb_filter f;
	const char *step = NULL;
	int sv[2];

	build(SB_PROFILE_NONE, SB_ON_VIOLATION_KILL, &f);
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

int main(void)
{
	Suite *s = suite_create("seccomp");
	TCase *pure = tcase_create("pure");
	TCase *real = tcase_create("real");
	SRunner *sr;
	int failed;

	tcase_add_test(pure, names_parse_both_ways);
	tcase_add_test(pure, every_group_member_is_a_syscall);
	tcase_add_test(pure, shipped_profiles_are_sorted_layered_and_safe);
	tcase_add_test(pure, none_is_empty_and_takes_nothing);
	tcase_add_test(pure, allow_widens_and_deny_wins);
	tcase_add_test(pure, unknown_names_are_named_in_the_error);
	tcase_add_test(pure, cond_text_explains);
	tcase_add_test(pure, violations_read_like_calls);
	tcase_add_test(pure, foreign_abis_say_so);
	tcase_add_test(pure, token_bucket);
	tcase_add_loop_test(pure, generated_program_matches_libseccomp, 0,
			    (int)(sizeof variants / sizeof variants[0]));
	tcase_add_test(pure, generated_program_is_small);
	tcase_add_test(pure, bpf_gen_reaches_far);
	tcase_add_test(pure, bpf_gen_edges);
	suite_add_tcase(s, pure);

	tcase_set_timeout(real, 60);
	tcase_add_test(real, forbidden_calls_are_reported_and_killed);
	tcase_add_test(real, non_native_abis_are_denied);
	tcase_add_test(real, errno_mode_reports_and_carries_on);
	tcase_add_test(real, clone3_falls_back_quietly);
	tcase_add_test(real, allowed_workloads_run_unharmed);
	tcase_add_test(real, notify_protocol_works_under_every_profile);
	tcase_add_test(real, dynamic_binaries_start_under_every_profile);
	tcase_add_test(real, a_shell_script_runs_under_service);
	tcase_add_test(real, the_handoff_rejects_junk);
	tcase_add_test(real, none_loads_nothing);
	suite_add_tcase(s, real);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
