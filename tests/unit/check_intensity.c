/* The restart-intensity ring: OTP's MaxR/MaxT rule. A restart at R counts
 * while R >= now - period; more than `intensity` counted restarts => give up. */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

#include "supervisor/intensity.h"
#include "tests/common/runner.h"

/* R == now - period still counts: with intensity 1, restarts at 0 and 1000
 * are two within a 1000 ms period. */
START_TEST(boundary_restart_at_now_minus_period_counts)
{
	struct sv_intensity in;

	ck_assert_int_eq(sv_intensity_init(&in, 1, 1000), 0);
	ck_assert(!sv_intensity_add(&in, 0));
	ck_assert(sv_intensity_add(&in, 1000));
	sv_intensity_fini(&in);
}
END_TEST

/* R < now - period no longer counts: 0 and 1001 are one restart each. */
START_TEST(boundary_restart_before_now_minus_period_expires)
{
	struct sv_intensity in;

	ck_assert_int_eq(sv_intensity_init(&in, 1, 1000), 0);
	ck_assert(!sv_intensity_add(&in, 0));
	ck_assert(!sv_intensity_add(&in, 1001));
	/* ...but 1001 itself still counts at 2001 */
	ck_assert(sv_intensity_add(&in, 2001));
	sv_intensity_fini(&in);
}
END_TEST

/* More than `intensity`: exactly `intensity` restarts in the window are fine. */
START_TEST(exactly_intensity_restarts_are_allowed)
{
	struct sv_intensity in;

	ck_assert_int_eq(sv_intensity_init(&in, 3, 5000), 0);
	ck_assert(!sv_intensity_add(&in, 10));
	ck_assert(!sv_intensity_add(&in, 20));
	ck_assert(!sv_intensity_add(&in, 30));
	ck_assert(sv_intensity_add(&in, 40));
	sv_intensity_fini(&in);
}
END_TEST

/* intensity 0: the first restart is already one too many, whatever the period. */
START_TEST(intensity_zero_gives_up_at_once)
{
	struct sv_intensity in;

	ck_assert_int_eq(sv_intensity_init(&in, 0, 1), 0);
	ck_assert(sv_intensity_add(&in, 0));
	ck_assert(sv_intensity_add(&in, 1000000));
	sv_intensity_fini(&in);
	ck_assert_int_eq(sv_intensity_init(&in, 0, 0), 0);
	ck_assert(sv_intensity_add(&in, 5));
	sv_intensity_fini(&in);
}
END_TEST

/* Many times round the ring at a steady rate just under the limit, then a
 * burst: the ring must keep the right stamps across wraparound. */
START_TEST(ring_wraparound_keeps_the_newest_stamps)
{
	struct sv_intensity in;
	int64_t t = 0;

	ck_assert_int_eq(sv_intensity_init(&in, 2, 100), 0);
	/* one restart every 51 ms: at most 2 in any 100 ms window (t, t-51) */
	for (int i = 0; i < 50; i++, t += 51)
		ck_assert_msg(!sv_intensity_add(&in, t), "gave up at step %d", i);
	t -= 51;
	/* last stamps: t-51, t. One more at t+49 makes t-51 >= (t+49)-100: 3 */
	ck_assert(sv_intensity_add(&in, t + 49));
	sv_intensity_fini(&in);

	/* sparse restarts go round the ring one at a time; then the boundary */
	ck_assert_int_eq(sv_intensity_init(&in, 2, 100), 0);
	ck_assert(!sv_intensity_add(&in, 7));
	ck_assert(!sv_intensity_add(&in, 8));
	for (t = 8 + 101; t < 8 + 101 + 7 * 101; t += 101)	/* head moves on */
		ck_assert(!sv_intensity_add(&in, t));
	ck_assert(!sv_intensity_add(&in, t));
	ck_assert(!sv_intensity_add(&in, t + 50));
	ck_assert(sv_intensity_add(&in, t + 100));
	sv_intensity_fini(&in);
}
END_TEST

/* Against a reference that keeps every stamp (OTP's list) on a pseudo-random
 * non-decreasing time series, for several intensities and periods. */
START_TEST(matches_a_full_history_reference)
{
	enum { STEPS = 4000 };
	static int64_t hist[STEPS];
	unsigned seed = 4242;

	for (unsigned intensity = 0; intensity < 6; intensity++) {
		for (int64_t period = 0; period <= 300; period += 75) {
			struct sv_intensity in;
			int64_t now = 1000;

			ck_assert_int_eq(sv_intensity_init(&in, intensity, period), 0);
			for (int i = 0; i < STEPS; i++) {
				now += rand_r(&seed) % 60;	/* 0: same-ms restarts too */
				hist[i] = now;
				unsigned n = 0;
				for (int j = 0; j <= i; j++)
					if (hist[j] >= now - period)
						n++;
				ck_assert_msg(sv_intensity_add(&in, now) == (n > intensity),
					      "intensity %u period %lld step %d at %lld: %u in window",
					      intensity, (long long)period, i, (long long)now, n);
				/* what status shows a little later: the ring keeps
				 * at most intensity + 1 of them */
				int64_t later = now + rand_r(&seed) % 100;
				unsigned m = 0;
				for (int j = 0; j <= i; j++)
					m += hist[j] >= later - period;
				ck_assert_uint_eq(sv_intensity_count(&in, later), m < intensity + 1 ? m : intensity + 1);
			}
			sv_intensity_fini(&in);
		}
	}
}
END_TEST

START_TEST(reset_forgets_history)
{
	struct sv_intensity in;

	ck_assert_int_eq(sv_intensity_init(&in, 1, 1000), 0);
	ck_assert(!sv_intensity_add(&in, 0));
	sv_intensity_reset(&in);
	ck_assert(!sv_intensity_add(&in, 1));
	ck_assert(sv_intensity_add(&in, 2));
	sv_intensity_fini(&in);
}
END_TEST

START_TEST(init_rejects_an_intensity_that_overflows_the_ring)
{
	struct sv_intensity in;

	errno = 0;
	ck_assert_int_eq(sv_intensity_init(&in, UINT_MAX, 1000), -1);
	ck_assert_int_eq(errno, EOVERFLOW);
}
END_TEST

/* A reload that changes intensity moves the history (README, "reload"): a
 * smaller ring keeps the newest restarts, as many as it holds; a larger
 * one keeps them all and nothing more. */
START_TEST(move_to_a_smaller_ring_keeps_the_newest)
{
	struct sv_intensity from, to;

	ck_assert_int_eq(sv_intensity_init(&from, 5, 1000), 0);
	ck_assert(!sv_intensity_add(&from, 0));
	ck_assert(!sv_intensity_add(&from, 400));
	ck_assert(!sv_intensity_add(&from, 800));
	ck_assert_int_eq(sv_intensity_init(&to, 1, 1000), 0);
	sv_intensity_move(&to, &from);
	ck_assert_ptr_null(to.stamps);
	/* kept: 400 and 800; at 1450 only 800 is within the period */
	ck_assert_uint_eq(sv_intensity_count(&from, 1450), 1);
	ck_assert_uint_eq(sv_intensity_count(&from, 800), 2);
	sv_intensity_fini(&from);
}
END_TEST

START_TEST(move_to_a_larger_ring_keeps_all_and_no_more)
{
	struct sv_intensity from, to;

	ck_assert_int_eq(sv_intensity_init(&from, 2, 1000), 0);
	for (int64_t t = 0; t < 500; t += 100)	/* wraps: keeps 200, 300, 400 */
		(void)sv_intensity_add(&from, t);
	ck_assert_int_eq(sv_intensity_init(&to, 5, 1000), 0);
	sv_intensity_move(&to, &from);
	ck_assert_uint_eq(sv_intensity_count(&from, 400), 3);
	ck_assert_uint_eq(sv_intensity_count(&from, 1350), 1);
	/* three more fit before the new intensity 5 is exceeded */
	ck_assert(!sv_intensity_add(&from, 500));
	ck_assert(!sv_intensity_add(&from, 600));
	ck_assert(sv_intensity_add(&from, 700));
	sv_intensity_fini(&from);
}
END_TEST

static Suite *intensity_suite(void)
{
	Suite *s = suite_create("intensity");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, boundary_restart_at_now_minus_period_counts);
	tcase_add_test(tc, boundary_restart_before_now_minus_period_expires);
	tcase_add_test(tc, exactly_intensity_restarts_are_allowed);
	tcase_add_test(tc, intensity_zero_gives_up_at_once);
	tcase_add_test(tc, ring_wraparound_keeps_the_newest_stamps);
	tcase_add_test(tc, matches_a_full_history_reference);
	tcase_add_test(tc, reset_forgets_history);
	tcase_add_test(tc, init_rejects_an_intensity_that_overflows_the_ring);
	tcase_add_test(tc, move_to_a_smaller_ring_keeps_the_newest);
	tcase_add_test(tc, move_to_a_larger_ring_keeps_all_and_no_more);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = intensity_suite };
