/* The containment level: what is wanted against what the host gives.
 * Pure (src/daemon/containment.h). */
#include <check.h>

#include "src/daemon/containment.h"
#include "tests/common/runner.h"

START_TEST(auto_takes_the_best_the_host_gives)
{
	ck_assert_int_eq(containment_choose(CONTAIN_WANT_AUTO, true, true), CONTAIN_CGROUP);
	ck_assert_int_eq(containment_choose(CONTAIN_WANT_AUTO, true, false), CONTAIN_CGROUP);
	ck_assert_int_eq(containment_choose(CONTAIN_WANT_AUTO, false, true), CONTAIN_UID);
	ck_assert_int_eq(containment_choose(CONTAIN_WANT_AUTO, false, false), CONTAIN_PGROUP);
}
END_TEST

START_TEST(a_forced_level_is_taken_whatever_the_host_gives)
{
	for (int cg = 0; cg < 2; cg++)
		for (int root = 0; root < 2; root++) {
			ck_assert_int_eq(containment_choose(CONTAIN_WANT_CGROUP, cg, root), CONTAIN_CGROUP);
			ck_assert_int_eq(containment_choose(CONTAIN_WANT_UID, cg, root), CONTAIN_UID);
			ck_assert_int_eq(containment_choose(CONTAIN_WANT_PGROUP, cg, root), CONTAIN_PGROUP);
		}
}
END_TEST

START_TEST(the_words_of_the_option)
{
	ck_assert_int_eq(containment_want_parse("auto"), CONTAIN_WANT_AUTO);
	ck_assert_int_eq(containment_want_parse("cgroup"), CONTAIN_WANT_CGROUP);
	ck_assert_int_eq(containment_want_parse("uid"), CONTAIN_WANT_UID);
	ck_assert_int_eq(containment_want_parse("pgroup"), CONTAIN_WANT_PGROUP);
	ck_assert_int_eq(containment_want_parse(""), -1);
	ck_assert_int_eq(containment_want_parse("cgroups"), -1);
	ck_assert_int_eq(containment_want_parse("UID"), -1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("containment level");
	TCase *tc = tcase_create("level");

	tcase_add_test(tc, auto_takes_the_best_the_host_gives);
	tcase_add_test(tc, a_forced_level_is_taken_whatever_the_host_gives);
	tcase_add_test(tc, the_words_of_the_option);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
