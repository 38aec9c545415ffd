/* Seccomp policy as data: the profiles' layers and groups, what a spec's
 * allow and deny do to them, and the errors a spec can earn. Pure: no
 * filter is built or loaded here. */

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/seccomp/profiles.h"
#include "tests/common/runner.h"

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

/* The word tables the config reads: indexed by the enums, and each
 * word what the name function gives for its value. */
START_TEST(word_tables_match_the_enums)
{
	const char *const *p = sb_profile_names(), *const *v = sb_on_violation_names();
	size_t n;

	for (n = 0; p[n]; n++)
		ck_assert_str_eq(sb_profile_name((enum sb_profile)n), p[n]);
	ck_assert_uint_eq(n, SB_PROFILE_NETWORK + 1);
	ck_assert_str_eq(p[SB_PROFILE_SERVICE], "service");
	ck_assert_str_eq(sb_profile_name((enum sb_profile)n), "?");
	for (n = 0; v[n]; n++)
		ck_assert_str_eq(sb_on_violation_name((enum sb_on_violation)n), v[n]);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[SB_ON_VIOLATION_ERRNO], "errno");
	ck_assert_str_eq(v[SB_ON_VIOLATION_KILL], "kill");
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

/* What libprospero and sd_notify need, in every profile: a body over a
 * datagram travels as a memfd, so memfd_create is Prospero's protocol as
 * much as sendmsg is. */
START_TEST(prosperos_protocols_under_every_profile)
{
	static const char *const needed[] = {
		"memfd_create", "sendmsg", "recvmsg", "sendto", "recvfrom", "connect",
		"fcntl", "fstat", "mmap", "munmap", "write", "read", "close",
	};

	for (int p = SB_PROFILE_MINIMAL; p <= SB_PROFILE_NETWORK; p++) {
		struct sb_policy pol;
		char err[256];

		ck_assert_int_eq(resolve((enum sb_profile)p, NULL, 0, NULL, 0, &pol, err, sizeof err), 0);
		for (size_t i = 0; i < sizeof needed / sizeof *needed; i++)
			ck_assert_int_eq(cond_of(&pol, needed[i]), SB_COND_ALWAYS);
		ck_assert_int_ge(cond_of(&pol, "socket"), SB_COND_AF_UNIX);
		sb_policy_free(&pol);
	}
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

	/* "deny": ["@state"] leaves no way to open a file for writing or to
	 * cut one by its path, though @file-system has them all: openat2's
	 * flags and creat's are out of a filter's reach */
	const char *deny_s[] = { "@state" };
	ck_assert_int_eq(resolve(SB_PROFILE_SERVICE, NULL, 0, deny_s, 1, &p, err, sizeof err), 0);
	ck_assert_ptr_null(sb_policy_find(&p, "open"));
	ck_assert_ptr_null(sb_policy_find(&p, "openat"));
	ck_assert_ptr_null(sb_policy_find(&p, "openat2"));
	ck_assert_ptr_null(sb_policy_find(&p, "creat"));
	ck_assert_ptr_null(sb_policy_find(&p, "truncate"));
	ck_assert_int_eq(cond_of(&p, "mkdir"), SB_COND_ALWAYS);	/* the rest of @file-system stays */
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

static Suite *suite(void)
{
	Suite *s = suite_create("profiles");
	TCase *policy = tcase_create("policy");

	tcase_add_test(policy, word_tables_match_the_enums);
	tcase_add_test(policy, every_group_member_is_a_syscall);
	tcase_add_test(policy, shipped_profiles_are_sorted_layered_and_safe);
	tcase_add_test(policy, prosperos_protocols_under_every_profile);
	tcase_add_test(policy, none_is_empty_and_takes_nothing);
	tcase_add_test(policy, allow_widens_and_deny_wins);
	tcase_add_test(policy, unknown_names_are_named_in_the_error);
	tcase_add_test(policy, cond_text_explains);
	suite_add_tcase(s, policy);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
