/* The BPF compiler on its own: rule tables long enough to need far jumps,
 * argument tests of every shape, and the input it must refuse; each
 * program run against a plain reading of its table, and once in the
 * kernel. */

#include <check.h>
#include <errno.h>
#include <linux/audit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/seccomp/bpf_gen.h"
#include "tests/common/bpf_run.h"
#include "tests/common/runner.h"

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
	{ 2, 0xffff, 0xff33 },				/* low word, part of it */
	{ 2, 0x0000ffff00000000, 0x0000ff2200000000 },	/* high word, part of it */
	{ 3, 0x00ff00ff000000ff, 0x0011002200000033 },
	{ 4, 0xff, 0x33 },				/* masked: not in the run below */
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
		switch ((nr * 7 + nr / 7) % 6) {	/* nr / 5 never made case 5 */
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
			/* not the default: a test that holds must show */
			r[m] = (struct sb_bpf_rule){ nr, SECCOMP_RET_ERRNO | 2, odd_tests,
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
	static struct sb_bpf_rule rules[300];
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
			0xff11ff22ffffff33, 9, 10, 0x100000009, 0x109, 0xff11ff2200000000, 0x8000000000000000, UINT64_MAX,
		};

		for (size_t h = 0; h < sizeof hits / sizeof *hits; h++) {
			for (int a = 0; a < 6; a++) {
				memset(d.args, 0, sizeof d.args);
				d.args[a] = hits[h];
				if (bpf_run(&prog, &d) != spec_eval(rules, n, SECCOMP_RET_ALLOW, &d))
					ck_abort_msg("nr %u arg%d %#llx: %#x, expected %#x %s", nr, a,
						     (unsigned long long)hits[h], bpf_run(&prog, &d),
						     spec_eval(rules, n, SECCOMP_RET_ALLOW, &d), bpf_run_error());
			}
		}
		d.arch = AUDIT_ARCH_I386;
		ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_KILL_PROCESS);
	}

	/* and the kernel takes it */
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
			_exit(1);
		/* straight out: the table answers errno to calls a libc or
		 * sanitizer exit path could make */
		syscall(SYS_exit_group, 0);
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
	ck_assert_uint_eq(bpf_run(&prog, &d), 2);
	d.nr = -1;
	ck_assert_uint_eq(bpf_run(&prog, &d), 2);
	free(prog.filter);
	/* one rule at 0 and one at the limit's edge */
	r[1].nr = SB_BPF_NR_LIMIT - 1;
	r[1].action = 3;
	ck_assert_int_eq(sb_bpf_gen(r, 2, AUDIT_ARCH_X86_64, 1, 2, &prog), 0);
	for (uint32_t nr = 0; nr < 8; nr++) {
		d.nr = (int)nr;
		ck_assert_uint_eq(bpf_run(&prog, &d), nr == 5 ? SECCOMP_RET_ALLOW : 2);
	}
	d.nr = (int)(SB_BPF_NR_LIMIT - 1);
	ck_assert_uint_eq(bpf_run(&prog, &d), 3);
	d.nr = (int)SB_BPF_NR_LIMIT;	/* x32's first */
	ck_assert_uint_eq(bpf_run(&prog, &d), 2);
	free(prog.filter);
	/* a default of 0 (kill the thread) is an action like any: the gap
	 * after a conditional number is not that number's */
	{
		struct sb_bpf_test seven = { 0, UINT64_MAX, 7 };
		struct sb_bpf_rule c = { 5, SECCOMP_RET_ALLOW, &seven, 1 };

		ck_assert_int_eq(sb_bpf_gen(&c, 1, AUDIT_ARCH_X86_64, 1, SECCOMP_RET_KILL_THREAD, &prog), 0);
		d.args[0] = 7;
		for (uint32_t nr = 3; nr < 8; nr++) {
			d.nr = (int)nr;
			ck_assert_uint_eq(bpf_run(&prog, &d), nr == 5 ? SECCOMP_RET_ALLOW : SECCOMP_RET_KILL_THREAD);
		}
		d.args[0] = 0;
		free(prog.filter);
	}

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
	ck_assert_uint_eq(bpf_run(&prog, &d), SECCOMP_RET_ALLOW);
	d.nr = 4000;
	ck_assert_uint_eq(bpf_run(&prog, &d), 2);
	free(prog.filter);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("bpf_gen");
	TCase *compile = tcase_create("compile");

	tcase_add_test(compile, bpf_gen_reaches_far);
	tcase_add_test(compile, bpf_gen_edges);
	suite_add_tcase(s, compile);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
