/* The name lists behind the config's "did you mean" hints for syscalls
 * and capabilities. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/daemon/names.h"
#include "sandbox/seccomp/profiles.h"
#include "tests/common/runner.h"

static bool listed(char **names, const char *name)
{
	for (char **p = names; *p; p++)
		if (strcmp(*p, name) == 0)
			return true;
	return false;
}

START_TEST(syscall_names_are_this_architectures)
{
	size_t n;
	char **names = sb_syscall_names(&n);

	ck_assert_ptr_nonnull(names);
	ck_assert_uint_gt(n, 200);
	ck_assert_ptr_null(names[n]);
	ck_assert(listed(names, "read"));
	ck_assert(listed(names, "openat"));
	ck_assert(listed(names, "memfd_create"));
	/* each one is a name the policy resolver accepts */
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(sb_syscall_known(names[i]), "%s", names[i]);
	sb_names_free(names);
}
END_TEST

START_TEST(capability_names_are_upper_case_with_the_prefix)
{
	size_t n;
	char **names = sb_cap_names(&n);

	ck_assert_ptr_nonnull(names);
	ck_assert_uint_gt(n, 30);
	ck_assert_ptr_null(names[n]);
	ck_assert(listed(names, "CAP_CHOWN"));
	ck_assert(listed(names, "CAP_NET_BIND_SERVICE"));
	for (size_t i = 0; i < n; i++) {
		ck_assert_msg(strncmp(names[i], "CAP_", 4) == 0, "%s", names[i]);
		for (const char *c = names[i]; *c; c++)
			ck_assert_msg(!(*c >= 'a' && *c <= 'z'), "%s", names[i]);
	}
	sb_names_free(names);
}
END_TEST

START_TEST(a_capability_is_spelt_as_listed)
{
	char out[64];

	sb_cap_spelling("net_raw", out, sizeof out);
	ck_assert_str_eq(out, "CAP_NET_RAW");
	sb_cap_spelling("cap_Net_Raw", out, sizeof out);
	ck_assert_str_eq(out, "CAP_NET_RAW");
	sb_cap_spelling("CAP_KILL", out, sizeof out);
	ck_assert_str_eq(out, "CAP_KILL");
	sb_cap_spelling("", out, sizeof out);
	ck_assert_str_eq(out, "CAP_");
	sb_cap_spelling("net_raw", out, 8);
	ck_assert_str_eq(out, "CAP_NET");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("names");
	TCase *tc = tcase_create("names");

	tcase_add_test(tc, syscall_names_are_this_architectures);
	tcase_add_test(tc, capability_names_are_upper_case_with_the_prefix);
	tcase_add_test(tc, a_capability_is_spelt_as_listed);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
