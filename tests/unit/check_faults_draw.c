/* The counter-based generator: a pure function of its key, every field of
 * the key matters, and its draws are uniform. Every statistical bound is
 * checked on fixed seeds, so it passes or fails the same way every run. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "src/faults/draw.h"
#include "tests/common/runner.h"

static struct fault_key key(uint64_t n)
{
	return (struct fault_key){ .seed = 42, .fault = 1, .target = 2, .sub = 3, .n = n,
				   .stream = FAULT_STREAM_DROP };
}

START_TEST(a_draw_depends_on_its_key_alone)
{
	struct fault_key a = key(7), b = key(7);

	ck_assert_uint_eq(fault_draw(&a), fault_draw(&b));
	/* asking in another order changes nothing */
	for (uint64_t n = 100; n > 0; n--) {
		struct fault_key k = key(n);
		uint64_t first = fault_draw(&k);

		fault_draw(&a);
		ck_assert_uint_eq(fault_draw(&k), first);
	}
}
END_TEST

START_TEST(every_field_of_the_key_changes_the_draw)
{
	struct fault_key base = key(7), k;
	uint64_t d = fault_draw(&base);

	k = base, k.seed++;
	ck_assert_uint_ne(fault_draw(&k), d);
	k = base, k.fault++;
	ck_assert_uint_ne(fault_draw(&k), d);
	k = base, k.target++;
	ck_assert_uint_ne(fault_draw(&k), d);
	k = base, k.sub++;
	ck_assert_uint_ne(fault_draw(&k), d);
	k = base, k.n++;
	ck_assert_uint_ne(fault_draw(&k), d);
	k = base, k.stream = FAULT_STREAM_DELAY;
	ck_assert_uint_ne(fault_draw(&k), d);
	/* fields are not interchangeable */
	k = base, k.fault = base.target, k.target = base.fault;
	ck_assert_uint_ne(fault_draw(&k), d);
}
END_TEST

START_TEST(a_seed_of_zero_and_keys_of_zero_still_mix)
{
	struct fault_key z = { 0 }, one = { .n = 1 };

	ck_assert_uint_ne(fault_draw(&z), 0);
	ck_assert_uint_ne(fault_draw(&z), fault_draw(&one));
}
END_TEST

START_TEST(units_lie_in_zero_to_one_and_average_a_half)
{
	double sum = 0;
	const int n = 100000;

	for (int i = 0; i < n; i++) {
		struct fault_key k = key((uint64_t)i);
		double u = fault_draw_unit(&k);

		ck_assert(u >= 0 && u < 1);
		sum += u;
	}
	/* the mean of 100000 uniforms has a standard deviation of 0.0009 */
	ck_assert_msg(fabs(sum / n - 0.5) < 0.005, "mean %f", sum / n);
}
END_TEST

START_TEST(probability_zero_never_and_one_always)
{
	for (uint64_t i = 0; i < 10000; i++) {
		struct fault_key k = key(i);

		ck_assert(!fault_draw_chance(&k, 0));
		ck_assert(!fault_draw_chance(&k, -1));
		ck_assert(fault_draw_chance(&k, 1));
		ck_assert(fault_draw_chance(&k, 2));
	}
}
END_TEST

START_TEST(a_chance_comes_up_in_its_share)
{
	const int n = 100000;
	int hits = 0;

	for (int i = 0; i < n; i++) {
		struct fault_key k = key((uint64_t)i);

		hits += fault_draw_chance(&k, 0.05);
	}
	/* expected 5000, standard deviation 69 */
	ck_assert_msg(hits > 4700 && hits < 5300, "%d hits", hits);
}
END_TEST

START_TEST(ranges_hold_their_ends)
{
	int64_t lo = INT64_MAX, hi = INT64_MIN;

	for (uint64_t i = 0; i < 10000; i++) {
		struct fault_key k = key(i);
		int64_t v = fault_draw_range(&k, -3, 3);

		ck_assert(v >= -3 && v <= 3);
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
		ck_assert_int_eq(fault_draw_range(&k, 9, 9), 9);
		v = fault_draw_range(&k, INT64_MIN, INT64_MAX);
		(void)v;	/* the whole range: any value, no overflow (UBSan) */
		v = fault_draw_range(&k, INT64_MAX - 1, INT64_MAX);
		ck_assert(v >= INT64_MAX - 1);
	}
	ck_assert_int_eq(lo, -3);
	ck_assert_int_eq(hi, 3);
}
END_TEST

START_TEST(ranges_are_uniform)
{
	enum { BUCKETS = 10, N = 100000 };
	int count[BUCKETS] = { 0 };
	double chi2 = 0;

	for (int i = 0; i < N; i++) {
		struct fault_key k = key((uint64_t)i);

		count[fault_draw_range(&k, 0, BUCKETS - 1)]++;
	}
	for (int b = 0; b < BUCKETS; b++)
		chi2 += (count[b] - N / BUCKETS) * (double)(count[b] - N / BUCKETS) / (N / BUCKETS);
	/* 9 degrees of freedom: above 27.9 one time in a thousand */
	ck_assert_msg(chi2 < 27.9, "chi-square %f", chi2);
}
END_TEST

START_TEST(streams_are_independent)
{
	const int n = 100000;
	int both = 0;

	/* drop and duplicate at 0.5 each: both about a quarter of the time */
	for (int i = 0; i < n; i++) {
		struct fault_key d = key((uint64_t)i), u = key((uint64_t)i);

		u.stream = FAULT_STREAM_DUPLICATE;
		both += fault_draw_chance(&d, 0.5) && fault_draw_chance(&u, 0.5);
	}
	ck_assert_msg(both > 24500 && both < 25500, "%d", both);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("faults_draw");
	TCase *tc = tcase_create("draw");

	tcase_add_test(tc, a_draw_depends_on_its_key_alone);
	tcase_add_test(tc, every_field_of_the_key_changes_the_draw);
	tcase_add_test(tc, a_seed_of_zero_and_keys_of_zero_still_mix);
	tcase_add_test(tc, units_lie_in_zero_to_one_and_average_a_half);
	tcase_add_test(tc, probability_zero_never_and_one_always);
	tcase_add_test(tc, a_chance_comes_up_in_its_share);
	tcase_add_test(tc, ranges_hold_their_ends);
	tcase_add_test(tc, ranges_are_uniform);
	tcase_add_test(tc, streams_are_independent);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
