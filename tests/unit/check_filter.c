/* Policy to program, and the program in the kernel. The compiled program
 * against libseccomp's for the same policy over every syscall number and
 * each condition's boundary values; then real children that load each
 * shipped profile's filter and try things, while the test listens as the
 * daemon does. */

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
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>

#include "sandbox/seccomp/filter.h"
#include "sandbox/seccomp/handoff.h"
#include "sandbox/seccomp/load.h"
#include "tests/common/bpf_run.h"
#include "tests/common/i386_entry.h"
#include "tests/common/runner.h"
#include "tests/common/seccomp_watch.h"

#define X32_BIT 0x40000000

/* ---- the program ---- */

/* Values around every condition: the exact ones, each bit alone and on
 * top of them (every mask bit, the high word set), and the sign-extended
 * forms a 32-bit negative takes in a 64-bit register. */
static const uint64_t arg_seeds[] = {
	0, 1, 2, AF_UNIX, AF_INET, AF_INET6, AF_NETLINK,
	TCGETS, TIOCGWINSZ, TIOCGPGRP, FIONREAD, TIOCOUTQ, FIONBIO, FIOCLEX, FIONCLEX, TIOCSTI, TCSETS,
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
	uint32_t got = bpf_run(ours, d), want = bpf_run(ref, d);

	if (got == want && got != BPF_BAD)
		return;
	ck_abort_msg(
		      "%s: arch %#x nr %#x args %#llx %#llx %#llx %#llx %#llx %#llx: "
		      "ours %#x, libseccomp %#x %s", what, d->arch, (unsigned)d->nr,
		      (unsigned long long)d->args[0], (unsigned long long)d->args[1],
		      (unsigned long long)d->args[2], (unsigned long long)d->args[3],
		      (unsigned long long)d->args[4], (unsigned long long)d->args[5], got, want,
		      bpf_run_error());
}

/* ROUTED: calls a fault plan sends to the listener although allowed */
static const struct {
	enum sb_profile profile;
	const char *allow[4], *deny[4], *routed[4];
} variants[] = {
	{ SB_PROFILE_MINIMAL, { NULL }, { NULL }, { NULL } },
	{ SB_PROFILE_SERVICE, { NULL }, { NULL }, { NULL } },
	{ SB_PROFILE_NETWORK, { NULL }, { NULL }, { NULL } },
	{ SB_PROFILE_MINIMAL, { "@network-io", "ioctl", "@aio", "fork" }, { NULL }, { NULL } },
	{ SB_PROFILE_MINIMAL, { "@timer" }, { "openat", "ioctl", "@signal" }, { NULL } },
	{ SB_PROFILE_SERVICE, { "clone3", "clone" }, { NULL }, { NULL } },
	{ SB_PROFILE_SERVICE, { "socket" }, { "@file-system", "@ipc" }, { NULL } },
	{ SB_PROFILE_NETWORK, { NULL }, { "@network-io", "@notify", "clone" }, { NULL } },
	{ SB_PROFILE_NETWORK, { "@aio", "open" }, { "@process", "@memory", "@timer" }, { NULL } },
	{ SB_PROFILE_MINIMAL, { NULL }, { NULL }, { "write", "openat", "socket" } },
	{ SB_PROFILE_SERVICE, { NULL }, { "read" }, { "clone", "ioctl", "fsync" } },
	{ SB_PROFILE_NONE, { NULL }, { NULL }, { "write", "read", "openat" } },
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
	/* the daemon guards its fds below one that varies by actor */
	sb_policy_guard_fds(&pol, 3 + 2 * (unsigned)v);
	pol.routed = variants[v].routed;
	pol.nrouted = count(variants[v].routed);
	ck_assert_int_eq(sb_filter_build(&pol, &ours), 0);
	ck_assert_int_eq(sb_filter_build_libseccomp(&pol, &ref), 0);
	ck_assert_uint_gt(ours.prog.len, 0);
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

/* shutdown() on an fd the actor shares with the daemon (stdio, control
 * channel, bindings) is a violation; on any other fd it is allowed. */
START_TEST(shutdown_is_denied_below_fd_from)
{
	static const uint64_t fds[] = { 0, 3, 4, 5, 6, 7, 8, 64, 1000, 0x7fffffff, 0xffffffff, UINT64_MAX };
	struct sb_spec spec = { .profile = SB_PROFILE_SERVICE };
	struct sb_policy pol;
	struct sb_filter f[2];
	char err[256];

	ck_assert_msg(sb_policy_resolve(&spec, &pol, err, sizeof err) == 0, "%s", err);
	sb_policy_guard_fds(&pol, 6);
	ck_assert_int_eq(sb_policy_find(&pol, "shutdown")->cond, SB_COND_FD_FROM);
	ck_assert_int_eq(sb_filter_build(&pol, &f[0]), 0);
	ck_assert_int_eq(sb_filter_build_libseccomp(&pol, &f[1]), 0);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < sizeof fds / sizeof *fds; i++) {
			struct seccomp_data d = { .nr = __NR_shutdown, .arch = AUDIT_ARCH_X86_64,
						  .args = { fds[i], SHUT_RDWR } };
			uint32_t want = (uint32_t)fds[i] >= 6 ? SECCOMP_RET_ALLOW : SECCOMP_RET_USER_NOTIF;

			ck_assert_msg(bpf_run(&f[k].prog, &d) == want, "%s: shutdown(%#llx)",
				      k ? "libseccomp" : "bpf_gen", (unsigned long long)fds[i]);
		}
	sb_filter_free(&f[0]);
	sb_filter_free(&f[1]);
	/* and a fault plan's recheck of a routed shutdown agrees */
	const struct sb_rule *r = sb_policy_find(&pol, "shutdown");
	uint64_t args[6] = { 5, SHUT_RDWR };

	ck_assert(!sb_rule_allows(r, args));
	args[0] = 6;
	ck_assert(sb_rule_allows(r, args));
	sb_policy_free(&pol);
}
END_TEST

/* What each program answers for NR with every argument 0. */
static uint32_t action_for(const struct sb_filter *f, const char *name, uint32_t arch)
{
	struct seccomp_data d = { .nr = seccomp_syscall_resolve_name(name), .arch = arch };

	return bpf_run(&f->prog, &d) & SECCOMP_RET_ACTION_FULL;
}

START_TEST(routed_calls_go_to_the_listener)
{
	static const char *const routed[] = { "write", "openat" };
	struct sb_spec spec = { .profile = SB_PROFILE_MINIMAL };
	struct sb_policy pol;
	struct sb_filter f;
	char err[256];

	ck_assert_msg(sb_policy_resolve(&spec, &pol, err, sizeof err) == 0, "%s", err);
	ck_assert_int_eq(sb_filter_build(&pol, &f), 0);
	ck_assert_uint_eq(action_for(&f, "write", AUDIT_ARCH_X86_64), SECCOMP_RET_ALLOW);
	sb_filter_free(&f);
	pol.routed = routed;
	pol.nrouted = 2;
	ck_assert_int_eq(sb_filter_build(&pol, &f), 0);
	ck_assert_uint_eq(action_for(&f, "write", AUDIT_ARCH_X86_64), SECCOMP_RET_USER_NOTIF);
	ck_assert_uint_eq(action_for(&f, "openat", AUDIT_ARCH_X86_64), SECCOMP_RET_USER_NOTIF);
	ck_assert_uint_eq(action_for(&f, "read", AUDIT_ARCH_X86_64), SECCOMP_RET_ALLOW);
	sb_filter_free(&f);
	/* "none": a filter only for the routed calls */
	pol.profile = SB_PROFILE_NONE;
	pol.n = 0;
	ck_assert_int_eq(sb_filter_build(&pol, &f), 0);
	ck_assert_uint_eq(action_for(&f, "write", AUDIT_ARCH_X86_64), SECCOMP_RET_USER_NOTIF);
	ck_assert_uint_eq(action_for(&f, "ptrace", AUDIT_ARCH_X86_64), SECCOMP_RET_ALLOW);
	ck_assert_uint_eq(action_for(&f, "write", AUDIT_ARCH_I386), SECCOMP_RET_ALLOW);
	sb_filter_free(&f);
	pol.nrouted = 0;
	ck_assert_int_eq(sb_filter_build(&pol, &f), 0);
	ck_assert_uint_eq(f.prog.len, 0);
	pol.profile = SB_PROFILE_MINIMAL;
	sb_policy_free(&pol);
}
END_TEST

START_TEST(a_routed_call_is_rechecked_against_its_rule)
{
	struct sb_rule openat = { "openat", SB_COND_RDONLY, 0 }, sock = { "socket", SB_COND_AF_UNIX, 0 },
		       write_ = { "write", SB_COND_ALWAYS, 0 }, clone3 = { "clone3", SB_COND_ENOSYS, 0 };
	uint64_t args[6] = { (uint64_t)AT_FDCWD, 0, O_RDONLY | O_CLOEXEC, 0, 0, 0 };

	ck_assert(sb_rule_allows(&openat, args));
	args[2] = O_WRONLY;
	ck_assert(!sb_rule_allows(&openat, args));
	args[2] = O_RDONLY | O_CREAT;
	ck_assert(!sb_rule_allows(&openat, args));
	memset(args, 0, sizeof args);
	args[0] = AF_UNIX;
	ck_assert(sb_rule_allows(&sock, args));
	args[0] = AF_INET;
	ck_assert(!sb_rule_allows(&sock, args));
	ck_assert(sb_rule_allows(&write_, args));
	ck_assert(!sb_rule_allows(&clone3, args));
	ck_assert(sb_rule_allows(NULL, args));
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

/* ---- in the kernel ---- */

typedef int (*probe_fn)(void *arg);

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
	watch_child(pid, sv[0], f->on_violation, s);
	close(sv[0]);
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

/* A large body as libprospero makes and maps one: a sealed memfd. */
static int p_memfd_body(void *arg)
{
	static const char body[] = "a body too large for a datagram";
	struct stat st;
	char *m;
	int fd = memfd_create("prospero-body", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	if (fd < 0)
		return 3;
	if (write(fd, body, sizeof body) != sizeof body ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) < 0)
		return 4;
	if (fcntl(fd, F_GET_SEALS) < 0 || fstat(fd, &st) < 0 || st.st_size != sizeof body)
		return 5;
	m = mmap(NULL, sizeof body, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED || memcmp(m, body, sizeof body) != 0)
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

	watch_filter(SB_PROFILE_MINIMAL, SB_ON_VIOLATION_KILL, &f);
	run_probe(&f, p_ptrace, NULL, &s);
	expect_killed_for(&s, "ptrace(PTRACE_ATTACH, 1234)");
	ck_assert_str_eq(s.v[0].name, "ptrace");
	ck_assert(!s.v[0].foreign_abi);
	run_probe(&f, p_fork, NULL, &s);
	expect_killed_for(&s, "fork()");
	run_probe(&f, p_socket_inet, NULL, &s);
	expect_killed_for(&s, "socket(AF_INET, SOCK_STREAM, 0)");
	sb_filter_free(&f);

	watch_filter(SB_PROFILE_SERVICE, SB_ON_VIOLATION_KILL, &f);
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

	watch_filter(SB_PROFILE_NETWORK, SB_ON_VIOLATION_KILL, &f);
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
		fprintf(stderr, "check_filter: this kernel faults on int 0x80: only the x32 ABI is tested\n");
	for (int p = SB_PROFILE_MINIMAL; p <= SB_PROFILE_NETWORK; p++) {
		struct sb_filter f;
		struct seen s;

		watch_filter((enum sb_profile)p, SB_ON_VIOLATION_ERRNO, &f);
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

		watch_filter((enum sb_profile)p, SB_ON_VIOLATION_KILL, &f);
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

	watch_filter(SB_PROFILE_SERVICE, SB_ON_VIOLATION_ERRNO, &f);
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
	watch_filter(SB_PROFILE_MINIMAL, SB_ON_VIOLATION_ERRNO, &f);
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

		watch_filter((enum sb_profile)p, SB_ON_VIOLATION_KILL, &f);
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
		watch_filter((enum sb_profile)p, SB_ON_VIOLATION_KILL, &f);
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

START_TEST(memfd_bodies_work_under_every_profile)
{
	for (int p = SB_PROFILE_MINIMAL; p <= SB_PROFILE_NETWORK; p++) {
		struct sb_filter f;
		struct seen s;

		watch_filter((enum sb_profile)p, SB_ON_VIOLATION_KILL, &f);
		run_probe(&f, p_memfd_body, NULL, &s);
		expect_clean_exit(&s, 0);
		sb_filter_free(&f);
	}
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

		watch_filter((enum sb_profile)p, SB_ON_VIOLATION_KILL, &f);
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

static Suite *suite(void)
{
	Suite *s = suite_create("filter");
	TCase *program = tcase_create("program");
	TCase *kernel = tcase_create("kernel");

	tcase_add_loop_test(program, generated_program_matches_libseccomp, 0,
			    (int)(sizeof variants / sizeof variants[0]));
	tcase_add_test(program, generated_program_is_small);
	tcase_add_test(program, shutdown_is_denied_below_fd_from);
	tcase_add_test(program, routed_calls_go_to_the_listener);
	tcase_add_test(program, a_routed_call_is_rechecked_against_its_rule);
	suite_add_tcase(s, program);
	tcase_set_timeout(kernel, 60);
	tcase_add_test(kernel, forbidden_calls_are_reported_and_killed);
	tcase_add_test(kernel, non_native_abis_are_denied);
	tcase_add_test(kernel, errno_mode_reports_and_carries_on);
	tcase_add_test(kernel, clone3_falls_back_quietly);
	tcase_add_test(kernel, allowed_workloads_run_unharmed);
	tcase_add_test(kernel, notify_protocol_works_under_every_profile);
	tcase_add_test(kernel, memfd_bodies_work_under_every_profile);
	suite_add_tcase(s, kernel);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
