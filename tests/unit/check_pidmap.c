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

/* A reload grows the map: every pid in it is still found, and the new
 * room takes the added ones. */
START_TEST(reserve_keeps_what_it_holds)
{
	enum { N = 12, M = 200 };
	struct pidmap m;
	int v[M];
	size_t cap;

	ck_assert_int_eq(pidmap_init(&m, N), 0);
	cap = m.mask + 1;
	for (int i = 0; i < N; i++)
		pidmap_put(&m, 1000 + i * 16, &v[i]);
	ck_assert_int_eq(pidmap_reserve(&m, N), 0);
	ck_assert_uint_eq(m.mask + 1, cap);	/* room enough already */
	ck_assert_int_eq(pidmap_reserve(&m, M), 0);
	ck_assert_uint_ge(m.mask + 1, 2 * M);
	for (int i = N; i < M; i++)
		pidmap_put(&m, 1000 + i * 16, &v[i]);
	for (int i = 0; i < M; i++)
		ck_assert_ptr_eq(pidmap_get(&m, 1000 + i * 16), &v[i]);
	pidmap_fini(&m);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("pidmap");
	TCase *tc = tcase_create("pidmap");

	tcase_add_test(tc, put_get_del);
	tcase_add_test(tc, churn_matches_a_reference);
	tcase_add_test(tc, reserve_keeps_what_it_holds);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
