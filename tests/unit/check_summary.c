/* The STATUS= summary and its minute of restarts (src/daemon/summary). */
#include <check.h>

#include "src/daemon/summary.h"
#include "tests/common/runner.h"

START_TEST(the_text_says_what_runs_and_what_restarted)
{
	char buf[128];

	summary_text(buf, sizeof buf, 6, 6, 0);
	ck_assert_str_eq(buf, "6 actors running");
	summary_text(buf, sizeof buf, 1, 1, 1);
	ck_assert_str_eq(buf, "1 actor running, 1 restart in the last minute");
	summary_text(buf, sizeof buf, 5, 6, 2);
	ck_assert_str_eq(buf, "5 of 6 actors running, 2 restarts in the last minute");
}
END_TEST

START_TEST(restarts_age_out_after_a_minute)
{
	struct restart_window w;
	int64_t t0 = 1000000;

	rw_init(&w);
	ck_assert_uint_eq(rw_count(&w, t0), 0);
	rw_add(&w, t0);
	rw_add(&w, t0 + 10);
	rw_add(&w, t0 + 30500);
	ck_assert_uint_eq(rw_count(&w, t0 + 30500), 3);
	ck_assert_uint_eq(rw_count(&w, t0 + 59999), 3);
	ck_assert_uint_eq(rw_count(&w, t0 + 60000), 1);	/* the first second is a minute old */
	ck_assert_uint_eq(rw_count(&w, t0 + 90500), 0);
	/* a slot a minute old is reused, not added to */
	rw_add(&w, t0 + 60000);
	ck_assert_uint_eq(rw_count(&w, t0 + 60000), 2);
}
END_TEST

START_TEST(a_burst_is_counted_whole)
{
	struct restart_window w;

	rw_init(&w);
	for (int i = 0; i < 10000; i++)
		rw_add(&w, 5000 + i % 1000);
	ck_assert_uint_eq(rw_count(&w, 5999), 10000);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("summary");
	TCase *tc = tcase_create("summary");

	tcase_add_test(tc, the_text_says_what_runs_and_what_restarted);
	tcase_add_test(tc, restarts_age_out_after_a_minute);
	tcase_add_test(tc, a_burst_is_counted_whole);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
