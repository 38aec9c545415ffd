/* Policy to program, in the daemon, once per policy: the child only loads
 * the result. Loading is not free either: the kernel checks, converts and
 * JITs the program in the child, in time linear in its length, hence
 * bpf_gen's short programs instead of libseccomp's. */

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "sandbox/seccomp/bpf_gen.h"
#include "sandbox/seccomp/filter.h"

#if defined(__s390__) || defined(__s390x__) || defined(__CRIS__)
#error "clone's flags are not its first argument here: fix CLONE_FLAGS_ARG"
#endif
#define CLONE_FLAGS_ARG 0

/* Every namespace a clone flag can create; CLONE_NEWTIME (0x80) is left
 * out because clone() reads that bit as part of the exit signal, and only
 * clone3/unshare, both denied, accept it. */
#define NEWNS_FLAGS (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
		     CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)

/* Flags that make an open more than a read. O_TMPFILE carries
 * O_DIRECTORY, which alone is harmless: only its own bit counts. */
#define WRITE_OPEN_FLAGS (O_ACCMODE | O_CREAT | O_TRUNC | (O_TMPFILE & ~O_DIRECTORY))

/* The conditions as data, read by both compilers (libseccomp's and
 * bpf_gen's), so the two can only differ in how they compile. A rule is
 * allowed if any one of its tests holds. The comparison kinds are the
 * libseccomp ones the rules were first written with: a 32-bit one
 * compares the 64-bit argument with the zero-extended operands, so an
 * equality also wants the high word 0. */
enum cmp { CMP_EQ32, CMP_MASKED_EQ32, CMP_MASKED_EQ64 };

struct cond_test {
	unsigned arg;
	enum cmp op;
	uint64_t mask;		/* unused for CMP_EQ32 */
	uint64_t value;
};

static const struct cond_test af_unix[] = { { 0, CMP_EQ32, 0, AF_UNIX } };

/* ioctls that only ask: stdio's isatty(), window size, bytes readable or
 * not yet read by the peer (prospero-queue's), and the fd-local
 * non-blocking and close-on-exec switches. */
static const struct cond_test tty_query[] = {
	{ 1, CMP_EQ32, 0, TCGETS }, { 1, CMP_EQ32, 0, TIOCGWINSZ },
	{ 1, CMP_EQ32, 0, TIOCGPGRP }, { 1, CMP_EQ32, 0, FIONREAD }, { 1, CMP_EQ32, 0, TIOCOUTQ },
	{ 1, CMP_EQ32, 0, FIONBIO }, { 1, CMP_EQ32, 0, FIOCLEX },
	{ 1, CMP_EQ32, 0, FIONCLEX },
};

/* open(path, flags) and openat(dirfd, path, flags) */
static const struct cond_test rdonly_open[] = { { 1, CMP_MASKED_EQ32, WRITE_OPEN_FLAGS, 0 } };
static const struct cond_test rdonly_openat[] = { { 2, CMP_MASKED_EQ32, WRITE_OPEN_FLAGS, 0 } };

static const struct cond_test thread[] = {
	{ CLONE_FLAGS_ARG, CMP_MASKED_EQ64, CLONE_THREAD, CLONE_THREAD },
};
static const struct cond_test no_newns[] = { { CLONE_FLAGS_ARG, CMP_MASKED_EQ64, NEWNS_FLAGS, 0 } };

/* Room for the tests of fd >= N: [N, 2^32) in aligned blocks. */
#define FD_FROM_TESTS 33

/* fd >= N as masked equalities, the only test bpf_gen compiles: one per
 * aligned power-of-two block from N up. The 32-bit compare ignores the
 * high word, as the kernel does for an int. */
static size_t fd_from_tests(unsigned from, struct cond_test *t)
{
	uint64_t v = from, end = (uint64_t)1 << 32;
	size_t n = 0;

	while (v < end) {
		uint64_t size = v ? v & -v : end;	/* the largest block aligned at v */

		while (v + size > end)
			size >>= 1;
		t[n++] = (struct cond_test){ 0, CMP_MASKED_EQ32, (end - 1) & ~(size - 1), v };
		v += size;
	}
	return n;
}

#define TESTS(a) ((*tests = (a)), sizeof(a) / sizeof(a)[0])

/* R's action and its tests (none: unconditional), those of its fd_from
 * in SCRATCH (FD_FROM_TESTS long). */
static uint32_t rule_action(const struct sb_rule *r, struct cond_test *scratch,
			    const struct cond_test **tests, size_t *n)
{
	*tests = NULL;
	*n = 0;
	switch (r->cond) {
	case SB_COND_ALWAYS:
		break;
	case SB_COND_ENOSYS:
		return SCMP_ACT_ERRNO(ENOSYS);
	case SB_COND_AF_UNIX:
		*n = TESTS(af_unix);
		break;
	case SB_COND_TTY_QUERY:
		*n = TESTS(tty_query);
		break;
	case SB_COND_RDONLY:
		*n = strcmp(r->name, "openat") == 0 ? TESTS(rdonly_openat) : TESTS(rdonly_open);
		break;
	case SB_COND_THREAD:
		*n = TESTS(thread);
		break;
	case SB_COND_NO_NEWNS:
		*n = TESTS(no_newns);
		break;
	case SB_COND_FD_FROM:
		*n = fd_from_tests(r->fd_from, scratch);
		*tests = scratch;
		break;
	}
	return SCMP_ACT_ALLOW;
}

static struct scmp_arg_cmp to_scmp(const struct cond_test *t)
{
	switch (t->op) {
	case CMP_EQ32:
		return SCMP_CMP32(t->arg, SCMP_CMP_EQ, t->value, 0);
	case CMP_MASKED_EQ32:
		return SCMP_CMP32(t->arg, SCMP_CMP_MASKED_EQ, t->mask, t->value);
	case CMP_MASKED_EQ64:
		break;
	}
	return SCMP_CMP64(t->arg, SCMP_CMP_MASKED_EQ, t->mask, t->value);
}

#if defined(__x86_64__) && !defined(__ILP32__)
#define BPF_GEN_NATIVE 1	/* where the equivalence with libseccomp is tested */
#endif

/* The same test as libseccomp reads it: 64-bit masked equality. */
static struct sb_bpf_test to_bpf(const struct cond_test *t)
{
	switch (t->op) {
	case CMP_EQ32:
		return (struct sb_bpf_test){ t->arg, UINT64_MAX, (uint32_t)t->value };
	case CMP_MASKED_EQ32:
		return (struct sb_bpf_test){ t->arg, (uint32_t)t->mask, (uint32_t)t->value };
	case CMP_MASKED_EQ64:
		break;
	}
	return (struct sb_bpf_test){ t->arg, t->mask, t->value };
}

bool sb_rule_allows(const struct sb_rule *r, const uint64_t args[6])
{
	struct cond_test scratch[FD_FROM_TESTS];
	const struct cond_test *tests;
	size_t n;

	if (!r)
		return true;
	if (rule_action(r, scratch, &tests, &n) != SCMP_ACT_ALLOW)
		return false;
	for (size_t i = 0; i < n; i++) {
		struct sb_bpf_test t = to_bpf(&tests[i]);

		if ((args[t.arg] & t.mask) == t.value)
			return true;
	}
	return n == 0;
}

static bool is_routed(const struct sb_policy *p, const char *name)
{
	for (size_t i = 0; i < p->nrouted; i++)
		if (strcmp(p->routed[i], name) == 0)
			return true;
	return false;
}

/* What a call no rule allows gets: the listener, or with profile "none"
 * (a filter only for routed calls) nothing in its way. */
static uint32_t default_action(const struct sb_policy *p)
{
	return p->profile == SB_PROFILE_NONE ? SCMP_ACT_ALLOW : SCMP_ACT_NOTIFY;
}

/* No filter at all: profile "none" with nothing routed. */
static bool no_filter(const struct sb_policy *p)
{
	return p->profile == SB_PROFILE_NONE && !p->nrouted;
}

static int add_rule(scmp_filter_ctx ctx, const struct sb_rule *r, int nr)
{
	struct cond_test scratch[FD_FROM_TESTS];
	const struct cond_test *tests;
	size_t n;
	uint32_t action = rule_action(r, scratch, &tests, &n);

	if (!n)
		return seccomp_rule_add(ctx, action, nr, 0);
	for (size_t i = 0; i < n; i++) {
		int rc = seccomp_rule_add(ctx, action, nr, 1, to_scmp(&tests[i]));

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The program libseccomp wrote into FD, copied into F. */
static int read_program(int fd, struct sb_filter *f)
{
	struct stat st;
	size_t size, off = 0;

	if (fstat(fd, &st) < 0)
		return -1;
	size = (size_t)st.st_size;
	if (size == 0 || size % sizeof(struct sock_filter) ||
	    size / sizeof(struct sock_filter) > BPF_MAXINSNS) {
		errno = E2BIG;
		return -1;
	}
	f->insns = malloc(size);
	if (!f->insns)
		return -1;
	while (off < size) {
		ssize_t n = pread(fd, (char *)f->insns + off, size - off, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int saved = n < 0 ? errno : EIO;

			free(f->insns);
			f->insns = NULL;
			errno = saved;
			return -1;
		}
		off += (size_t)n;
	}
	f->prog.len = (unsigned short)(size / sizeof(struct sock_filter));
	f->prog.filter = f->insns;
	return 0;
}

int sb_filter_build_libseccomp(const struct sb_policy *policy, struct sb_filter *f)
{
	scmp_filter_ctx ctx = NULL;
	int fd = -1, rc = -1, err = 0;

	memset(f, 0, sizeof *f);
	f->on_violation = policy->on_violation;
	if (no_filter(policy))
		return 0;

	/* unlisted calls and foreign ABIs alike go to the daemon */
	ctx = seccomp_init(default_action(policy));
	if (!ctx) {
		err = EOPNOTSUPP;
		goto out;
	}
	if ((err = -seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, default_action(policy))) ||
	    (err = -seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)))
		goto out;
	for (size_t i = 0; i < policy->n; i++) {
		int nr = seccomp_syscall_resolve_name(policy->rules[i].name);

		if (nr < 0 || is_routed(policy, policy->rules[i].name))
			continue;	/* not a syscall here; or left to the default */
		if ((err = -add_rule(ctx, &policy->rules[i], nr)))
			goto out;
	}
	for (size_t i = 0; policy->profile == SB_PROFILE_NONE && i < policy->nrouted; i++) {
		int nr = seccomp_syscall_resolve_name(policy->routed[i]);

		if (nr >= 0 && (err = -seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0)))
			goto out;
	}
	fd = memfd_create("prospero-seccomp", MFD_CLOEXEC);
	if (fd < 0) {
		err = errno;
		goto out;
	}
	if ((err = -seccomp_export_bpf(ctx, fd)))
		goto out;
	if (read_program(fd, f) < 0) {
		err = errno;
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	if (rc < 0) {
		/* libseccomp reports some failures as -ECANCELED or -EFAULT
		 * without saying more; the caller only needs "it failed" */
		errno = err > 0 ? err : EINVAL;
	}
	return rc;
}

#ifdef BPF_GEN_NATIVE
/* bpf_gen for the native x86_64 ABI: the program is about a third of
 * libseccomp's, and the child's load time follows the length. */
/* POLICY's rules as bpf_gen's, into RULES and TESTS (room for every
 * rule, test and routed call): routed calls left to the default action,
 * or with profile "none" sent to the listener. How many rules. */
static size_t bpf_rules(const struct sb_policy *policy, struct sb_bpf_rule *rules, struct sb_bpf_test *tests)
{
	struct cond_test scratch[FD_FROM_TESTS];
	size_t n = 0, ntests = 0;

	for (size_t i = 0; i < policy->n; i++) {
		const struct cond_test *t;
		size_t k;
		uint32_t action = rule_action(&policy->rules[i], scratch, &t, &k);
		int nr = seccomp_syscall_resolve_name(policy->rules[i].name);

		if (nr < 0 || is_routed(policy, policy->rules[i].name))
			continue;	/* not a syscall here; or left to the default */
		rules[n] = (struct sb_bpf_rule){
			.nr = (uint32_t)nr, .action = action,
			.tests = k ? &tests[ntests] : NULL, .ntests = k,
		};
		for (size_t j = 0; j < k; j++)
			tests[ntests++] = to_bpf(&t[j]);
		n++;
	}
	for (size_t i = 0; policy->profile == SB_PROFILE_NONE && i < policy->nrouted; i++) {
		int nr = seccomp_syscall_resolve_name(policy->routed[i]);

		if (nr >= 0)
			rules[n++] = (struct sb_bpf_rule){ .nr = (uint32_t)nr, .action = SCMP_ACT_NOTIFY };
	}
	return n;
}

int sb_filter_build(const struct sb_policy *policy, struct sb_filter *f)
{
	struct sb_bpf_rule *rules = NULL;
	struct sb_bpf_test *tests = NULL;
	struct cond_test scratch[FD_FROM_TESTS];
	struct sock_fprog prog;
	size_t n, ntests = 0;
	int rc = -1, err = 0;

	memset(f, 0, sizeof *f);
	f->on_violation = policy->on_violation;
	if (no_filter(policy))
		return 0;

	/* the kernel must be able to hand unlisted calls to the daemon:
	 * libseccomp's probe, the same refusal as seccomp_init's */
	if (seccomp_api_get() < 6) {
		errno = EOPNOTSUPP;
		return -1;
	}
	for (size_t i = 0; i < policy->n; i++) {
		const struct cond_test *t;
		size_t k;

		rule_action(&policy->rules[i], scratch, &t, &k);
		ntests += k;
	}
	rules = calloc(policy->n + policy->nrouted + 1, sizeof *rules);
	tests = calloc(ntests ? ntests : 1, sizeof *tests);
	if (!rules || !tests) {
		err = ENOMEM;
		goto out;
	}
	n = bpf_rules(policy, rules, tests);
	/* unlisted calls and foreign ABIs alike go to the daemon */
	if (sb_bpf_gen(rules, n, AUDIT_ARCH_X86_64, default_action(policy), default_action(policy), &prog) < 0) {
		err = errno;
		goto out;
	}
	f->insns = prog.filter;
	f->prog = prog;
	rc = 0;
out:
	free(tests);
	free(rules);
	if (rc < 0)
		errno = err;
	return rc;
}
#else
int sb_filter_build(const struct sb_policy *policy, struct sb_filter *f)
{
	return sb_filter_build_libseccomp(policy, f);
}
#endif

void sb_filter_free(struct sb_filter *f)
{
	free(f->insns);
	f->insns = NULL;
	f->prog.filter = NULL;
	f->prog.len = 0;
}
