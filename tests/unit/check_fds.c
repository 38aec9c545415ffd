/* src/proto/fds: reading PROSPERO_FDS and PROSPERO_FDNAMES. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/proto/fds.h"
#include "tests/common/runner.h"

static int getenv_pair(const char *count, const char *names, char ***name, unsigned long *n)
{
	if (count)
		setenv("PROSPERO_FDS", count, 1);
	else
		unsetenv("PROSPERO_FDS");
	if (names)
		setenv("PROSPERO_FDNAMES", names, 1);
	else
		unsetenv("PROSPERO_FDNAMES");
	errno = 0;
	return pp_fds_getenv(name, n);
}

/* The README's example, name by name; the environment stays as it was. */
START_TEST(the_documented_names_are_read)
{
	static const char value[] = "control:INVENTORY:PAYMENT:serve:order-processor:serve:driver#2";
	static const char *const want[] = {
		"control", "INVENTORY", "PAYMENT", "serve:order-processor", "serve:driver#2",
	};
	char **name;
	unsigned long n;

	ck_assert_int_eq(getenv_pair("5", value, &name, &n), 0);
	ck_assert_uint_eq(n, 5);
	for (unsigned long i = 0; i < n; i++)
		ck_assert_str_eq(name[i], want[i]);
	ck_assert_ptr_null(name[n]);
	free(name);
	ck_assert_str_eq(getenv("PROSPERO_FDNAMES"), value);
	pp_fds_unsetenv();
	ck_assert_ptr_null(getenv("PROSPERO_FDS"));
	ck_assert_ptr_null(getenv("PROSPERO_FDNAMES"));
}
END_TEST

/* Neither set, or either or both saying none (an unset PROSPERO_FDS
 * counts as 0, an unset PROSPERO_FDNAMES as no names): no fds. */
START_TEST(no_prospero_fds_is_no_fds)
{
	static const struct { const char *count, *names; } none[] = {
		{ NULL, NULL }, { "0", NULL }, { NULL, "" }, { "0", "" },
	};

	for (size_t i = 0; i < sizeof none / sizeof *none; i++) {
		char **name = (char **)1;
		unsigned long n = 7;

		ck_assert_int_eq(getenv_pair(none[i].count, none[i].names, &name, &n), 0);
		ck_assert_uint_eq(n, 0);
		ck_assert(i > 0 || name == NULL);	/* neither set: nothing allocated */
		ck_assert(!name || name[0] == NULL);
		free(name);
	}
}
END_TEST

START_TEST(a_pair_that_disagrees_is_refused)
{
	static const struct { const char *count, *names; } bad[] = {
		{ "2", "control" },			/* fewer names */
		{ "1", "control:A" },			/* more names */
		{ "2", "control:serve" },		/* "serve" with no client */
		/* split at every ':': an empty part is a name, and refused */
		{ "2", "control::A" }, { "3", "control::A" }, { "1", "control:" },
		{ "1", ":control" }, { "2", "control:serve:" }, { "2", "control:serve::A" },
		{ "1", ":" },
		{ "1", NULL },				/* no names at all */
		{ NULL, "control" },			/* names, but no count */
		{ NULL, "control:A" },
		{ "", NULL },				/* a count that is no number */
		{ "x", "control" }, { "+1", "control" }, { "1x", "control" }, { "", "control" },
		{ "4097", "control" },			/* over PP_FDS_MAX */
	};

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char **name = (char **)1;
		unsigned long n = 7;

		ck_assert_int_eq(getenv_pair(bad[i].count, bad[i].names, &name, &n), -1);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_ptr_null(name);
		ck_assert_uint_eq(n, 0);
	}
}
END_TEST

START_TEST(the_most_fds_are_accepted)
{
	char *value = malloc(4 * PP_FDS_MAX + 1), *at = value, count[16], **name;
	unsigned long n;

	for (int i = 0; i < PP_FDS_MAX; i++)
		at += sprintf(at, i ? ":%c" : "%c", 'A' + i % 26);
	snprintf(count, sizeof count, "%d", PP_FDS_MAX);
	ck_assert_int_eq(getenv_pair(count, value, &name, &n), 0);
	ck_assert_uint_eq(n, PP_FDS_MAX);
	ck_assert_str_eq(name[PP_FDS_MAX - 1], "N");	/* 4095 % 26 = 13 */
	free(name);
	free(value);
}
END_TEST

START_TEST(a_served_edge_names_its_client)
{
	ck_assert_str_eq(pp_fdname_client("serve:driver#2"), "driver#2");
	ck_assert_str_eq(pp_fdname_client("serve:"), "");
	ck_assert_ptr_null(pp_fdname_client("serve"));
	ck_assert_ptr_null(pp_fdname_client("control"));
	ck_assert_ptr_null(pp_fdname_client("SERVE:x"));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("fds");
	TCase *tc = tcase_create("fds");

	tcase_add_test(tc, the_documented_names_are_read);
	tcase_add_test(tc, no_prospero_fds_is_no_fds);
	tcase_add_test(tc, a_pair_that_disagrees_is_refused);
	tcase_add_test(tc, the_most_fds_are_accepted);
	tcase_add_test(tc, a_served_edge_names_its_client);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
