/* Restart backoff: the delay sequence, the `check` warning, and how a
 * supervisor waits (supervisor/backoff.h). */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/backoff.h"
#include "supervisor/operator.h"
#include "tests/common/runner.h"
#include "tests/unit/tree_harness.h"

/* ================================================================
 * the sequence
 * ================================================================ */

static const struct next_row {
	struct sv_backoff b;
	long last;
	int64_t ran;
	long expect;
} next_rows[] = {
	{ { 0, 0, 0 }, 0, -1, 0 },			/* none */
	{ { 0, 0, 0 }, 500, 10, 0 },
	{ { 100, 1000, 5000 }, 0, -1, 100 },		/* the first */
	{ { 100, 1000, 5000 }, 100, -1, 200 },		/* never ready: doubles */
	{ { 100, 1000, 5000 }, 200, 4999, 400 },	/* up, not long enough */
	{ { 100, 1000, 5000 }, 400, 0, 800 },
	{ { 100, 1000, 5000 }, 800, 0, 1000 },		/* capped */
	{ { 100, 1000, 5000 }, 1000, 0, 1000 },
	{ { 100, 1000, 5000 }, 1000, 5000, 100 },	/* ran reset_after: back to initial */
	{ { 100, 100, 0 }, 100, -1, 100 },		/* initial == max: constant */
	{ { 100, 1000, 0 }, 400, 0, 100 },		/* reset_after 0: any run resets */
	{ { 100, 1000, 0 }, 400, -1, 800 },		/* ...but a failed start does not */
	{ { 1, LONG_MAX, 0 }, LONG_MAX / 2 + 1, -1, LONG_MAX },	/* no overflow */
	{ { 0, 1000, 5000 }, 400, 10, 0 },		/* none, whatever came before */
	{ { 125, 1001, 5000 }, 500, 0, 1000 },		/* an odd max: 1000 is under it */
};

START_TEST(next_delay_table)
{
	const struct next_row *r = &next_rows[_i];

	ck_assert_int_eq(sv_backoff_next(&r->b, r->last, r->ran), r->expect);
}
END_TEST

START_TEST(set_backoff_validates)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 1000);
	struct sv_node *a = actor("root", "a", SV_PERMANENT);

	errno = 0;
	ck_assert_int_eq(sv_set_backoff(a, &(struct sv_backoff){ -1, 10, 0 }), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(sv_set_backoff(a, &(struct sv_backoff){ 100, 99, 0 }), -1);
	ck_assert_int_eq(sv_set_backoff(a, &(struct sv_backoff){ 100, 100, -1 }), -1);
	ck_assert_int_eq(a->backoff.initial_ms, 0);
	ck_assert_int_eq(sv_set_backoff(a, &(struct sv_backoff){ 100, 100, 0 }), 0);
	ck_assert_int_eq(sv_set_backoff(a, &(struct sv_backoff){ 0, 0, 0 }), 0);
	ck_assert_int_eq(sv_set_backoff(N("root"), &(struct sv_backoff){ 5, 50, 500 }), 0);
	ck_assert_int_eq(N("root")->backoff.max_ms, 50);
}
END_TEST

/* ================================================================
 * can the supervisor ever give up?
 * ================================================================ */

static const struct outrun_row {
	struct sv_backoff b;
	unsigned intensity;
	long period;
	unsigned copies;
	bool outruns;
} outrun_rows[] = {
	{ { 10000, 30000, 60000 }, 3, 5000, 1, true },	/* the example: 10+20+30 s */
	{ { 100, 1000, 60000 }, 3, 5000, 1, false },	/* 100+200+400 */
	{ { 0, 0, 0 }, 3, 1, 1, false },			/* no backoff */
	{ { 10000, 10000, 0 }, 0, 1, 1, false },		/* intensity 0: the first restart gives up */
	{ { 1000, 10000, 60000 }, 2, 3000, 1, false },	/* 1000+2000 == period: still within */
	{ { 1000, 10000, 60000 }, 2, 2999, 1, true },
	{ { 1000, 1000, 0 }, 5, 5000, 1, false },		/* 5 x max */
	{ { 1000, 1000, 0 }, 5, 4999, 1, true },
	{ { 100, 400, 60000 }, 10, 3500, 1, false },	/* 100+200+400x8 */
	{ { 100, 400, 60000 }, 10, 3499, 1, true },
	{ { 100, 400, 0 }, 10, 1000, 1, false },		/* up an instant resets: 100 x 10 */
	{ { 1000, 1000, 1000000 }, 2000000, 1000, 1, true },	/* decided long before the end */
	{ { 1, 1, 1000000 }, UINT_MAX, LONG_MAX, 1, false },	/* too many to tell: no warning */
	/* a pool's instances fail at once, each with its own delay: 4
	 * restarts of 2 are 2 rounds, one delay apart (it warned) */
	{ { 2500, 2500, 60000 }, 3, 5000, 2, false },
	{ { 2500, 2500, 60000 }, 3, 2499, 2, true },
	{ { 2500, 2500, 60000 }, 3, 1, 4, false },		/* 4 restarts in one round */
	{ { 2500, 5000, 60000 }, 4, 7500, 2, false },	/* 5 of 2: 3 rounds, 2500+5000 */
	{ { 2500, 5000, 60000 }, 4, 7499, 2, true },
};

START_TEST(outruns_intensity_table)
{
	const struct outrun_row *r = &outrun_rows[_i];
	char why[512] = "";

	ck_assert_int_eq(sv_backoff_outruns(&r->b, r->intensity, r->period, r->copies, why, sizeof why), r->outruns);
	ck_assert(r->outruns == (why[0] != '\0'));
}
END_TEST

/* Every schedule of a crash loop: after each restart but the last the
 * child either crashes at once or stays up reset_after first. */
static int64_t brute_fastest(const struct sv_backoff *b, unsigned intensity)
{
	int64_t best = INT64_MAX;

	for (unsigned mask = 0; mask < 1u << (intensity - 1); mask++) {
		long d = sv_backoff_next(b, 0, -1);
		int64_t sum = d;

		for (unsigned k = 0; k + 1 < intensity; k++) {
			bool reset = mask >> k & 1;
			d = sv_backoff_next(b, d, reset ? b->reset_after_ms : -1);
			sum += d + (reset ? b->reset_after_ms : 0);
		}
		if (sum < best)
			best = sum;
	}
	return best;
}

/* The exact limit: at the fastest schedule's length the supervisor can
 * still give up, one ms less and it never can. */
START_TEST(outruns_matches_every_schedule)
{
	static const struct sv_backoff bs[] = {
		{ 100, 400, 350 }, { 100, 400, 60000 }, { 100, 6400, 250 }, { 50, 50, 10 },
		{ 10, 100000, 1000 }, { 300, 1000, 0 },
	};
	char why[512];

	for (size_t i = 0; i < sizeof bs / sizeof bs[0]; i++)
		for (unsigned in = 1; in <= 11; in++) {
			int64_t least = brute_fastest(&bs[i], in);

			ck_assert_msg(!sv_backoff_outruns(&bs[i], in, (long)least, 1, why, sizeof why),
				      "backoff %zu, intensity %u: within %lld ms", i, in, (long long)least);
			ck_assert_msg(sv_backoff_outruns(&bs[i], in, (long)least - 1, 1, why, sizeof why),
				      "backoff %zu, intensity %u: not within %lld ms", i, in, (long long)least - 1);
		}
}
END_TEST

START_TEST(outruns_says_why_in_one_line)
{
	char why[512];

	ck_assert(sv_backoff_outruns(&(struct sv_backoff){ 10000, 30000, 60000 }, 3, 5000, 1, why, sizeof why));
	ck_assert_str_eq(why, "4 restarts take at least 60000 ms with this backoff (10000 ms doubling "
			 "to 30000 ms, reset after 60000 ms up), more than the 5000 ms period: "
			 "intensity 3 is never exceeded, so the supervisor never gives up on a crash loop");
	ck_assert(sv_backoff_outruns(&(struct sv_backoff){ 10000, 30000, 60000 }, 3, 5000, 2, why, sizeof why));
	ck_assert_str_eq(why, "4 restarts take at least 10000 ms with this backoff (10000 ms doubling "
			 "to 30000 ms, reset after 60000 ms up), its 2 instances failing at once, more than "
			 "the 5000 ms period: intensity 3 is never exceeded, so the supervisor never gives up "
			 "on a crash loop");
}
END_TEST

/* ================================================================
 * waiting in the tree
 * ================================================================ */

static void with_backoff(const char *name, long initial, long max, long reset_after)
{
	ck_assert_int_eq(sv_set_backoff(N(name), &(struct sv_backoff){ initial, max, reset_after }), 0);
}

/* a with backoff 100..400, reset after 10 s; b without */
static void two(enum sv_strategy st, unsigned intensity)
{
	sup(NULL, "root", st, intensity, 100000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	with_backoff("a", 100, 400, 10000);
	seal();
	boot();
}

START_TEST(restarts_wait_doubling_up_to_max)
{
	two(SV_ONE_FOR_ONE, 10);
	EXPECT(ex("a", 1), "restart a after 100; timer root 100");
	ck_assert_str_eq(states("root"), "a:waiting b:up");
	ck_assert_int_eq(N("a")->due, 100);
	NOW = 100;
	EXPECT(fire("root"), "spawn a; ready a");
	EXPECT(ex("a", 1), "restart a after 200; timer root 200");
	NOW = 300;
	EXPECT(fire("root"), "spawn a; ready a");
	EXPECT(ex("a", 1), "restart a after 400; timer root 400");
	NOW = 700;
	EXPECT(fire("root"), "spawn a; ready a");
	EXPECT(ex("a", 1), "restart a after 400; timer root 400");
}
END_TEST

/* The timer fires late, past the due of a child it was not armed for:
 * that child waits no more, and the timer is armed for 0 ms, not less. */
START_TEST(a_late_timer_rearms_for_no_time)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 10, 100000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	with_backoff("a", 100, 400, 10000);
	with_backoff("b", 100, 400, 10000);
	seal();
	boot();
	EXPECT(ex("a", 1), "restart a after 100; timer root 100");
	NOW = 1;
	EXPECT(ex("b", 1), "restart b after 100");
	NOW = 150;
	EXPECT(fire("root"), "timer root 0; spawn a; ready a");
	ck_assert_str_eq(states("root"), "a:up b:waiting");
}
END_TEST

START_TEST(delay_resets_after_a_long_enough_run)
{
	two(SV_ONE_FOR_ONE, 10);
	ex("a", 1);
	NOW = 100;
	fire("root");
	EXPECT(ex("a", 1), "restart a after 200; timer root 200");
	NOW = 300;
	fire("root");
	NOW = 300 + 9999;	/* up 9999 ms: not enough */
	EXPECT(ex("a", 1), "restart a after 400; timer root 400");
	NOW += 400;
	fire("root");
	NOW += 10000;		/* up 10 s */
	EXPECT(ex("a", 1), "restart a after 100; timer root 100");
}
END_TEST

/* The supervisor is idle while a waits: b's exit is handled at once. */
START_TEST(other_exits_are_handled_while_one_waits)
{
	two(SV_ONE_FOR_ONE, 10);
	ex("a", 1);
	NOW = 50;
	EXPECT(ex("b", 1), "restart b; spawn b; ready b");
	ck_assert_str_eq(states("root"), "a:waiting b:up");
	NOW = 100;
	EXPECT(fire("root"), "spawn a; ready a");
}
END_TEST

/* One timer per supervisor, armed for the earliest waiting child. */
START_TEST(the_timer_follows_the_earliest_waiting_child)
{
	two(SV_ONE_FOR_ONE, 10);
	with_backoff("b", 1000, 1000, 0);
	EXPECT(ex("a", 1), "restart a after 100; timer root 100");
	NOW = 50;
	EXPECT(ex("b", 1), "restart b after 1000");
	NOW = 100;
	EXPECT(fire("root"), "timer root 950; spawn a; ready a");
	ck_assert_str_eq(states("root"), "a:up b:waiting");
	NOW = 1050;
	EXPECT(fire("root"), "spawn b; ready b");
}
END_TEST

/* A timer that fires a tick early by our clock still releases the child
 * it was armed for: the process layer's clock decides when it fires. */
START_TEST(a_timer_firing_early_by_our_clock_still_releases)
{
	two(SV_ONE_FOR_ONE, 10);
	ex("a", 1);
	NOW = 99;
	EXPECT(fire("root"), "spawn a; ready a");
}
END_TEST

/* one_for_all: the others stop at once, and the group starts in order when
 * the failed child's delay is over. */
START_TEST(a_group_restart_waits_once_for_the_failed_childs_delay)
{
	sup(NULL, "root", SV_ONE_FOR_ALL, 10, 100000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	actor("root", "c", SV_PERMANENT);
	with_backoff("a", 50, 50, 0);
	with_backoff("c", 500, 5000, 0);
	seal();
	boot();
	AUTO_EXIT = true;
	EXPECT(ex("c", 1), "restart c after 500; timer root 500; stop b; SIGTERM b; timer b 2000; "
	       "stop a; SIGTERM a; timer a 2000");
	ck_assert_str_eq(states("root"), "a:waiting b:waiting c:waiting");
	NOW = 500;
	EXPECT(fire("root"), "spawn a; ready a; spawn b; ready b; spawn c; ready c");
	ck_assert_int_eq(N("a")->delay_ms, 0);	/* a's own sequence is untouched */
}
END_TEST

/* If the stops take longer than the delay, the starts follow the stops. */
START_TEST(stops_longer_than_the_delay)
{
	two(SV_ONE_FOR_ALL, 10);
	EXPECT(ex("a", 1), "restart a after 100; timer root 100; stop b; SIGTERM b; timer b 2000");
	NOW = 100;
	EXPECT(fire("root"), "");
	NOW = 1500;
	EXPECT(killed("b", SIGTERM), "spawn a; ready a; spawn b; ready b");
}
END_TEST

/* rest_for_one: an earlier child's restart without backoff takes the
 * waiting ones with it, at once. */
START_TEST(an_earlier_childs_restart_cuts_a_wait_short)
{
	sup(NULL, "root", SV_REST_FOR_ONE, 10, 100000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	with_backoff("b", 1000, 1000, 0);
	seal();
	boot();
	EXPECT(ex("b", 1), "restart b after 1000; timer root 1000");
	EXPECT(ex("a", 1), "restart a; timer root off; spawn a; ready a; spawn b; ready b");
}
END_TEST

/* Intensity counts the restart when it is decided, whatever its delay. */
START_TEST(intensity_still_counts)
{
	two(SV_ONE_FOR_ONE, 1);
	AUTO_EXIT = true;
	EXPECT(ex("a", 1), "restart a after 100; timer root 100");
	NOW = 100;
	fire("root");
	EXPECT(ex("a", 1), "give_up root; stop b; SIGTERM b; timer b 2000; TREE_DOWN gave_up");
}
END_TEST

/* A failed start after the wait is one more restart: the delay doubles. */
START_TEST(a_failed_start_doubles_the_delay)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 10, 100000);
	notify("root", "n", SV_PERMANENT, 1000);
	with_backoff("n", 100, 1000, 10);
	seal();
	boot();
	ready("n");
	DETAIL = true;
	EXPECT(ex("n", 1), "restart n (status 1) after 100; timer root 100");
	NOW = 100;
	EXPECT(fire("root"), "spawn n; timer n 1000");
	NOW = 150;
	EXPECT(ex("n", 1), "restart n (status 1 before_ready) after 200; timer root 200");
}
END_TEST

START_TEST(shutdown_while_waiting_disarms)
{
	two(SV_ONE_FOR_ONE, 10);
	AUTO_EXIT = true;
	ex("a", 1);
	EXPECT(shutdown_tree(), "stop root; timer root off; stop b; SIGTERM b; timer b 2000; "
	       "TREE_DOWN shutdown");
}
END_TEST

START_TEST(operator_start_skips_the_wait)
{
	two(SV_ONE_FOR_ONE, 10);
	ex("a", 1);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_START, N("a"), 0), 0);
	EXPECT(op(SV_OP_START, "a"), "operator start a; timer root off; spawn a; ready a");
}
END_TEST

START_TEST(operator_stop_ends_the_wait)
{
	two(SV_ONE_FOR_ONE, 10);
	ex("a", 1);
	EXPECT(op(SV_OP_STOP, "a"), "operator stop a; timer root off");
	ck_assert_str_eq(states("root"), "a:held b:up");
}
END_TEST

/* A sub-supervisor's backoff delays its parent's restart of it. */
START_TEST(a_supervisor_backs_off_as_a_child)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 10, 100000);
	sup("root", "s", SV_ONE_FOR_ONE, 0, 1000);
	actor("s", "x", SV_PERMANENT);
	with_backoff("s", 1000, 8000, 60000);
	seal();
	boot();
	EXPECT(ex("x", 1), "give_up s; escalate s; restart s after 1000; timer root 1000");
	NOW = 1000;
	EXPECT(fire("root"), "start s; spawn x; ready x; ready s");
	NOW = 2000;
	EXPECT(ex("x", 1), "give_up s; escalate s; restart s after 2000; timer root 2000");
}
END_TEST

/* A supervisor that gave up and was restarted starts with a clean
 * history, its children's delays included: OTP starts a new supervisor
 * process from its spec. */
START_TEST(a_restarted_supervisor_forgets_its_childrens_delays)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 10, 100000);
	sup("root", "s", SV_ONE_FOR_ONE, 1, 100000);
	actor("s", "x", SV_PERMANENT);
	with_backoff("x", 100, 1000, 60000);
	seal();
	boot();
	EXPECT(ex("x", 1), "restart x after 100; timer s 100");
	NOW = 100;
	EXPECT(fire("s"), "spawn x; ready x");
	EXPECT(ex("x", 1), "give_up s; escalate s; restart s; start s; spawn x; ready x; ready s");
	EXPECT(ex("x", 1), "restart x after 100; timer s 100");
}
END_TEST

/* ================================================================
 * random walk: backoffs and operators
 * ================================================================ */

static void random_more(unsigned *seed, struct sv_node *n)
{
	static const long initial[] = { 0, 1, 100, 2500 };

	if (rnd(seed, 3) == 0 && n->parent) {
		long i = initial[rnd(seed, 4)];
		ck_assert_int_eq(sv_set_backoff(n, &(struct sv_backoff){ i, i * (long)(1 + rnd(seed, 8)),
									 (long)rnd(seed, 5000) }), 0);
		return;
	}
	run((struct sv_event){ .kind = SV_EV_OPERATOR, .node = n, .op = (enum sv_op)rnd(seed, 4),
		.sig = SIGKILL });
}

START_TEST(random_walk_with_backoff_keeps_invariants)
{
	random_walk(9000 + (unsigned)_i, 30, random_more);
}
END_TEST

static Suite *backoff_suite(void)
{
	Suite *s = suite_create("backoff");
	TCase *tc;

	tc = tree_tcase(s, "sequence");
	tcase_add_loop_test(tc, next_delay_table, 0, (int)(sizeof next_rows / sizeof next_rows[0]));
	tcase_add_test(tc, set_backoff_validates);

	tc = tree_tcase(s, "check");
	tcase_add_loop_test(tc, outruns_intensity_table, 0, (int)(sizeof outrun_rows / sizeof outrun_rows[0]));
	tcase_add_test(tc, outruns_matches_every_schedule);
	tcase_add_test(tc, outruns_says_why_in_one_line);

	tc = tree_tcase(s, "waiting");
	tcase_add_test(tc, restarts_wait_doubling_up_to_max);
	tcase_add_test(tc, a_late_timer_rearms_for_no_time);
	tcase_add_test(tc, delay_resets_after_a_long_enough_run);
	tcase_add_test(tc, other_exits_are_handled_while_one_waits);
	tcase_add_test(tc, the_timer_follows_the_earliest_waiting_child);
	tcase_add_test(tc, a_timer_firing_early_by_our_clock_still_releases);
	tcase_add_test(tc, a_group_restart_waits_once_for_the_failed_childs_delay);
	tcase_add_test(tc, stops_longer_than_the_delay);
	tcase_add_test(tc, an_earlier_childs_restart_cuts_a_wait_short);
	tcase_add_test(tc, intensity_still_counts);
	tcase_add_test(tc, a_failed_start_doubles_the_delay);
	tcase_add_test(tc, shutdown_while_waiting_disarms);
	tcase_add_test(tc, operator_start_skips_the_wait);
	tcase_add_test(tc, operator_stop_ends_the_wait);
	tcase_add_test(tc, a_supervisor_backs_off_as_a_child);
	tcase_add_test(tc, a_restarted_supervisor_forgets_its_childrens_delays);

	tc = tree_tcase(s, "random");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, random_walk_with_backoff_keeps_invariants, 0, 20);
	return s;
}

const struct test_suite test_suite = { .suite = backoff_suite };
