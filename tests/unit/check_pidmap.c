#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "src/daemon/pidmap.h"
#include "tests/common/runner.h"

START_TEST(put_get_del)
{
	struct pidmap m;
	int a, b;

	ck_assert_int_eq(pidmap_init(&m, 4), 0);
	ck_assert_ptr_null(pidmap_get(&m, 42));
	pidmap_put(&m, 42, &a);
	pidmap_put(&m, 43, &b);
	ck_assert_ptr_eq(pidmap_get(&m, 42), &a);
	ck_assert_ptr_eq(pidmap_get(&m, 43), &b);
	pidmap_put(&m, 42, &b);	/* replace */
	ck_assert_ptr_eq(pidmap_get(&m, 42), &b);
	pidmap_del(&m, 42);
	ck_assert_ptr_null(pidmap_get(&m, 42));
	ck_assert_ptr_eq(pidmap_get(&m, 43), &b);
	pidmap_del(&m, 999);	/* absent: no effect */
	ck_assert_ptr_eq(pidmap_get(&m, 43), &b);
	pidmap_fini(&m);
}
END_TEST

/* Churn at full load with colliding keys: backward-shift deletion must keep
 * every survivor reachable. Checked against a plain array. */
START_TEST(churn_matches_a_reference)
{
	enum { N = 64 };
	struct pidmap m;
	pid_t live[N] = { 0 };
	unsigned seed = 12345;

	ck_assert_int_eq(pidmap_init(&m, N), 0);
	for (int round = 0; round < 20000; round++) {
		int slot = (int)(rand_r(&seed) % N);
		if (live[slot]) {
			pidmap_del(&m, live[slot]);
			live[slot] = 0;
		} else {
			/* multiples of the table size collide on purpose */
			live[slot] = (pid_t)(1 + (rand_r(&seed) % 4000) * ((round & 1) ? 128 : 1));
			for (int j = 0; j < N; j++)
				if (j != slot && live[j] == live[slot])
					live[slot] = 0;
			if (live[slot])
				pidmap_put(&m, live[slot], &live[slot]);
		}
		for (int j = 0; j < N; j++)
			if (live[j])
				ck_assert_ptr_eq(pidmap_get(&m, live[j]), &live[j]);
	}
	pidmap_fini(&m);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("pidmap");
	TCase *tc = tcase_create("pidmap");

	tcase_add_test(tc, put_get_del);
	tcase_add_test(tc, churn_matches_a_reference);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
