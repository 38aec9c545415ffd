/* The report rate limit: a token bucket on a clock the test drives. */

#include <check.h>
#include <stdlib.h>

#include "sandbox/seccomp/ratelimit.h"
#include "tests/common/runner.h"

START_TEST(token_bucket)
{
	struct sb_ratelimit rl;
	unsigned long sup = 99;

	sb_ratelimit_init(&rl, 3, 1000);
	for (int i = 0; i < 3; i++) {
		ck_assert(sb_ratelimit_allow(&rl, 5000, &sup));
		ck_assert_uint_eq(sup, 0);
	}
	ck_assert(!sb_ratelimit_allow(&rl, 5000, &sup));
	ck_assert(!sb_ratelimit_allow(&rl, 5500, &sup));
	ck_assert(!sb_ratelimit_allow(&rl, 5999, &sup));
	ck_assert(sb_ratelimit_allow(&rl, 6000, &sup));	/* one token back */
	ck_assert_uint_eq(sup, 3);
	ck_assert(!sb_ratelimit_allow(&rl, 6001, &sup));
	/* a long quiet spell refills to the burst, not beyond */
	for (int i = 0; i < 3; i++)
		ck_assert(sb_ratelimit_allow(&rl, 60000, NULL));
	ck_assert(!sb_ratelimit_allow(&rl, 60000, &sup));
	/* partial intervals are not lost: 1500 + 500 is one token */
	ck_assert(sb_ratelimit_allow(&rl, 61500, &sup));
	ck_assert(!sb_ratelimit_allow(&rl, 61900, &sup));
	ck_assert(sb_ratelimit_allow(&rl, 62000, &sup));
	ck_assert_uint_eq(sup, 1);
	/* a clock that steps back does not refill, nor wedge */
	ck_assert(!sb_ratelimit_allow(&rl, 100, &sup));
	ck_assert(sb_ratelimit_allow(&rl, 1100, &sup));

	sb_ratelimit_init(&rl, 0, 1000);	/* burst 0: nothing ever */
	ck_assert(!sb_ratelimit_allow(&rl, 0, &sup));
	ck_assert(!sb_ratelimit_allow(&rl, 1000000, &sup));
	sb_ratelimit_init(&rl, 1, 0);		/* interval 0: no limit */
	for (int i = 0; i < 10; i++)
		ck_assert(sb_ratelimit_allow(&rl, 0, &sup));
}
END_TEST

/* The actor's end: the count held back is taken whatever the tokens say,
 * once; the next report counts from there. */
START_TEST(the_count_held_back_is_taken_once)
{
	struct sb_ratelimit rl;
	unsigned long sup = 99;

	sb_ratelimit_init(&rl, 1, 1000);
	ck_assert(sb_ratelimit_allow(&rl, 0, &sup));
	for (int i = 0; i < 4; i++)
		ck_assert(!sb_ratelimit_allow(&rl, 10, &sup));
	ck_assert_uint_eq(sb_ratelimit_take_suppressed(&rl), 4);
	ck_assert_uint_eq(sb_ratelimit_take_suppressed(&rl), 0);
	ck_assert(!sb_ratelimit_allow(&rl, 20, &sup));
	ck_assert(sb_ratelimit_allow(&rl, 1000, &sup));
	ck_assert_uint_eq(sup, 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *bucket = tcase_create("bucket");

	tcase_add_test(bucket, token_bucket);
	tcase_add_test(bucket, the_count_held_back_is_taken_once);
	suite_add_tcase(s, bucket);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
