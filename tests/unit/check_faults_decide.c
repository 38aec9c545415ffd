/* Fault decisions on hand-built plans: schedules, picks, messages and
 * calls, each the same for the same seed and count, each at its exact
 * boundary (after N, every N, window ends, probability 0 and 1). */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "src/faults/decide.h"
#include "tests/common/runner.h"

#define OPEN { 0, INT64_MAX }

static struct fault_instance three[] = {
	{ .name = "a", .actor = 0, .order = 0, .index = 1 },
	{ .name = "b", .actor = 1, .order = 1, .index = 1 },
	{ .name = "pool#2", .actor = 2, .order = 2, .index = 2 },
};

static struct fault rate(int64_t every, int64_t jitter, struct fault_window w)
{
	return (struct fault){ .kind = FAULT_KILL, .window = w, .targets = three, .ntargets = 3,
			       .u.proc = { .signal = SIGKILL, .every_ms = every, .jitter_ms = jitter } };
}

static struct fault_plan plan_of(struct fault *f, size_t n)
{
	return (struct fault_plan){ .faults = f, .n = n };
}

START_TEST(a_rate_fires_in_its_slots)
{
	struct fault f = rate(1000, 0, (struct fault_window)OPEN);
	struct fault_plan p = plan_of(&f, 1);

	ck_assert_int_eq(fault_fire_at(&p, 1, 0, 0), FAULT_NEVER);
	ck_assert_int_eq(fault_fire_at(&p, 1, 0, 1), 1000);
	ck_assert_int_eq(fault_fire_at(&p, 1, 0, 2), 2000);
	ck_assert_int_eq(fault_fire_at(&p, 1, 0, 1000000), 1000000000LL);
	/* far enough to overflow: never, not a wrapped time */
	ck_assert_int_eq(fault_fire_at(&p, 1, 0, UINT64_MAX), FAULT_NEVER);
	ck_assert_int_eq(fault_fire_at(&p, 1, 0, (uint64_t)INT64_MAX / 1000), FAULT_NEVER);
}
END_TEST

START_TEST(jitter_stays_within_its_bound_and_keeps_the_order)
{
	struct fault f = rate(1000, 500, (struct fault_window)OPEN);
	struct fault_plan p = plan_of(&f, 1);
	int64_t prev = 0, lo = INT64_MAX, hi = INT64_MIN;

	for (uint64_t n = 1; n <= 5000; n++) {
		int64_t t = fault_fire_at(&p, 7, 0, n), off = t - (int64_t)n * 1000;

		ck_assert(off >= -500 && off <= 500);
		ck_assert(t >= prev);
		prev = t;
		lo = off < lo ? off : lo;
		hi = off > hi ? off : hi;
	}
	/* it does move them, both ways, nearly to the bound */
	ck_assert(lo < -450 && hi > 450);
}
END_TEST

START_TEST(a_window_shifts_the_slots_and_ends_them)
{
	struct fault f = rate(1000, 0, (struct fault_window){ 5000, 8000 });
	struct fault_plan p = plan_of(&f, 1);

	ck_assert_int_eq(fault_fire_at(&p, 1, 0, 1), 6000);
	ck_assert_int_eq(fault_fire_at(&p, 1, 0, 2), 7000);
	/* 8000 is the window's end: outside */
	ck_assert_int_eq(fault_fire_at(&p, 1, 0, 3), FAULT_NEVER);
	ck_assert_int_eq(fault_fire_at(&p, 1, 0, 4), FAULT_NEVER);
}
END_TEST

START_TEST(set_times_fire_once_each)
{
	int64_t at[] = { 0, 250, 250, 9000 };
	struct fault f = { .kind = FAULT_STALL, .window = OPEN, .targets = three, .ntargets = 1,
			   .u.proc = { .signal = SIGSTOP, .stall_ms = 100, .at_ms = at, .nat = 4 } };
	struct fault_plan p = plan_of(&f, 1);

	for (uint64_t n = 1; n <= 4; n++)
		ck_assert_int_eq(fault_fire_at(&p, 3, 0, n), at[n - 1]);
	ck_assert_int_eq(fault_fire_at(&p, 3, 0, 5), FAULT_NEVER);
}
END_TEST

START_TEST(the_same_seed_schedules_and_picks_alike_and_another_does_not)
{
	struct fault f[2] = { rate(3000, 1000, (struct fault_window)OPEN), rate(3000, 1000, (struct fault_window)OPEN) };
	struct fault_plan p = plan_of(f, 2);
	int same_time = 0, same_pick = 0, same_fault = 0;

	for (uint64_t n = 1; n <= 1000; n++) {
		ck_assert_int_eq(fault_fire_at(&p, 42, 0, n), fault_fire_at(&p, 42, 0, n));
		ck_assert_uint_eq(fault_pick(&p, 42, 0, n), fault_pick(&p, 42, 0, n));
		same_time += fault_fire_at(&p, 42, 0, n) == fault_fire_at(&p, 43, 0, n);
		same_pick += fault_pick(&p, 42, 0, n) == fault_pick(&p, 43, 0, n);
		/* two faults written alike still draw apart */
		same_fault += fault_fire_at(&p, 42, 0, n) == fault_fire_at(&p, 42, 1, n);
	}
	/* a jitter of 2001 values coincides by chance about once in 2000 */
	ck_assert_int_lt(same_time, 10);
	ck_assert_int_lt(same_fault, 10);
	/* three members: about a third agree */
	ck_assert(same_pick > 250 && same_pick < 420);
}
END_TEST

START_TEST(picks_cover_the_set_evenly)
{
	struct fault f = rate(1000, 0, (struct fault_window)OPEN);
	struct fault_plan p = plan_of(&f, 1);
	int count[3] = { 0 };

	for (uint64_t n = 1; n <= 30000; n++) {
		size_t t = fault_pick(&p, 5, 0, n);

		ck_assert_uint_lt(t, 3);
		count[t]++;
	}
	for (int i = 0; i < 3; i++)
		ck_assert_msg(count[i] > 9500 && count[i] < 10500, "member %d: %d", i, count[i]);
	f.ntargets = 1;
	ck_assert_uint_eq(fault_pick(&p, 5, 0, 1), 0);
}
END_TEST

/* Two targets are a set too: a fault with two members hits each about
 * half the time, not always the first. */
START_TEST(picks_of_two_cover_both)
{
	struct fault f = rate(1000, 0, (struct fault_window)OPEN);
	struct fault_plan p = plan_of(&f, 1);
	int count[2] = { 0 };

	f.ntargets = 2;
	for (uint64_t n = 1; n <= 2000; n++) {
		size_t t = fault_pick(&p, 5, 0, n);

		ck_assert_uint_lt(t, 2);
		count[t]++;
	}
	ck_assert_msg(count[0] > 900 && count[1] > 900, "members: %d, %d", count[0], count[1]);
}
END_TEST

static struct fault_window partitions[] = { { 1000, 2000 } };

static struct fault_edge_ref edges[] = {
	{ .client = 0, .client_order = 0, .client_instances = 1, .binding = 0,
	  .client_name = "a", .service_name = "b", .binding_name = "B" },
	{ .client = 2, .client_order = 2, .client_instances = 3, .binding = 1,
	  .client_name = "pool", .service_name = "b", .binding_name = "B" },
};

static struct fault edge(double drop, double dup, int64_t lo, int64_t hi)
{
	return (struct fault){ .kind = FAULT_EDGE, .window = OPEN,
			       .u.edge = { .edges = edges, .nedges = 2, .dir = FAULT_DIR_BOTH, .drop = drop,
					   .duplicate = dup, .delay_lo_ms = lo, .delay_hi_ms = hi } };
}

START_TEST(drop_one_delivers_nothing_and_drop_zero_everything)
{
	struct fault f = edge(1, 1, 0, 0);
	struct fault_plan p = plan_of(&f, 1);
	struct fault_msg m;

	for (uint64_t k = 1; k <= 1000; k++) {
		fault_edge_message(&p, 9, 0, 0, 1, FAULT_DIR_TO_SERVICE, k, 0, &m);
		ck_assert(m.drop && !m.partitioned && !m.duplicate);
	}
	f.u.edge.drop = 0;
	f.u.edge.duplicate = 0;
	for (uint64_t k = 1; k <= 1000; k++) {
		fault_edge_message(&p, 9, 0, 1, 3, FAULT_DIR_TO_CLIENT, k, 0, &m);
		ck_assert(!m.drop && !m.duplicate && m.delay_ms == 0);
	}
}
END_TEST

START_TEST(delays_stay_in_their_range_and_are_fixed_without_one)
{
	struct fault f = edge(0, 0, 10, 50);
	struct fault_plan p = plan_of(&f, 1);
	struct fault_msg m;
	int64_t lo = INT64_MAX, hi = 0;

	for (uint64_t k = 1; k <= 5000; k++) {
		fault_edge_message(&p, 9, 0, 0, 1, FAULT_DIR_TO_SERVICE, k, 0, &m);
		ck_assert(m.delay_ms >= 10 && m.delay_ms <= 50);
		lo = m.delay_ms < lo ? m.delay_ms : lo;
		hi = m.delay_ms > hi ? m.delay_ms : hi;
	}
	ck_assert_int_eq(lo, 10);
	ck_assert_int_eq(hi, 50);
	f.u.edge.delay_lo_ms = f.u.edge.delay_hi_ms = 25;
	fault_edge_message(&p, 9, 0, 0, 1, FAULT_DIR_TO_SERVICE, 1, 0, &m);
	ck_assert_int_eq(m.delay_ms, 25);
}
END_TEST

START_TEST(drops_and_duplicates_come_in_their_share_and_repeat_by_seed)
{
	struct fault f = edge(0.1, 0.2, 0, 0);
	struct fault_plan p = plan_of(&f, 1);
	struct fault_msg m, again;
	int drops = 0, dups = 0, differ = 0;

	for (uint64_t k = 1; k <= 20000; k++) {
		fault_edge_message(&p, 11, 0, 1, 2, FAULT_DIR_TO_SERVICE, k, 0, &m);
		fault_edge_message(&p, 11, 0, 1, 2, FAULT_DIR_TO_SERVICE, k, 0, &again);
		/* field by field: padding bytes need not match */
		ck_assert(m.drop == again.drop && m.partitioned == again.partitioned &&
			  m.duplicate == again.duplicate && m.delay_ms == again.delay_ms);
		ck_assert(!(m.drop && m.duplicate));
		drops += m.drop;
		dups += m.duplicate;
		/* the other direction, another client instance: other draws */
		fault_edge_message(&p, 11, 0, 1, 3, FAULT_DIR_TO_CLIENT, k, 0, &again);
		differ += m.drop != again.drop;
	}
	/* 2000 drops expected (sd 42); duplicates from the 18000 kept: 3600 (sd 54) */
	ck_assert_msg(drops > 1800 && drops < 2200, "%d drops", drops);
	ck_assert_msg(dups > 3350 && dups < 3850, "%d duplicates", dups);
	ck_assert_int_gt(differ, 2000);
}
END_TEST

START_TEST(a_partition_drops_everything_inside_it_only)
{
	struct fault f = edge(0, 0, 0, 0);
	struct fault_plan p = plan_of(&f, 1);
	struct fault_msg m;

	f.u.edge.partitions = partitions;
	f.u.edge.npartitions = 1;
	fault_edge_message(&p, 1, 0, 0, 1, FAULT_DIR_TO_SERVICE, 1, 999, &m);
	ck_assert(!m.drop);
	fault_edge_message(&p, 1, 0, 0, 1, FAULT_DIR_TO_SERVICE, 2, 1000, &m);
	ck_assert(m.drop && m.partitioned);
	fault_edge_message(&p, 1, 0, 0, 1, FAULT_DIR_TO_CLIENT, 1, 1999, &m);
	ck_assert(m.drop && m.partitioned);
	fault_edge_message(&p, 1, 0, 0, 1, FAULT_DIR_TO_SERVICE, 3, 2000, &m);
	ck_assert(!m.drop);
}
END_TEST

START_TEST(an_edge_fault_touches_its_window_and_direction_only)
{
	struct fault f = edge(1, 0, 5, 5);
	struct fault_plan p = plan_of(&f, 1);
	struct fault_msg m;

	f.window = (struct fault_window){ 100, 200 };
	fault_edge_message(&p, 1, 0, 0, 1, FAULT_DIR_TO_SERVICE, 1, 99, &m);
	ck_assert(!m.drop && m.delay_ms == 0);
	fault_edge_message(&p, 1, 0, 0, 1, FAULT_DIR_TO_SERVICE, 2, 100, &m);
	ck_assert(m.drop);
	fault_edge_message(&p, 1, 0, 0, 1, FAULT_DIR_TO_SERVICE, 3, 200, &m);
	ck_assert(!m.drop);
	f.u.edge.dir = FAULT_DIR_TO_SERVICE;
	fault_edge_message(&p, 1, 0, 0, 1, FAULT_DIR_TO_CLIENT, 4, 150, &m);
	ck_assert(!m.drop && m.delay_ms == 0);
	fault_edge_message(&p, 1, 0, 0, 1, FAULT_DIR_TO_SERVICE, 4, 150, &m);
	ck_assert(m.drop);
}
END_TEST

static struct fault sys(double prob, uint64_t after, uint64_t every)
{
	struct fault f = { .kind = FAULT_SYSCALL, .window = OPEN, .targets = three, .ntargets = 3,
			   .u.sys = { .name = "write", .err = 5, .probability = prob, .after = after,
				      .every = every } };
	return f;
}

START_TEST(probability_zero_never_fails_and_one_always_does)
{
	struct fault f[2] = { sys(0, 0, 0), sys(1, 0, 0) };
	struct fault_plan p = plan_of(f, 2);

	for (uint64_t k = 1; k <= 10000; k++) {
		ck_assert(!fault_syscall_fails(&p, 3, 0, 1, 1, k, 0));
		ck_assert(fault_syscall_fails(&p, 3, 1, 1, 1, k, 0));
	}
}
END_TEST

START_TEST(after_n_fails_from_the_next_call_on)
{
	struct fault f = sys(1, 3, 0);
	struct fault_plan p = plan_of(&f, 1);

	for (uint64_t k = 1; k <= 3; k++)
		ck_assert(!fault_syscall_fails(&p, 3, 0, 0, 1, k, 0));
	for (uint64_t k = 4; k <= 100; k++)
		ck_assert(fault_syscall_fails(&p, 3, 0, 0, 1, k, 0));
	f.u.sys.after = 0;
	ck_assert(fault_syscall_fails(&p, 3, 0, 0, 1, 1, 0));
}
END_TEST

START_TEST(every_n_fails_each_nth_call_counted_after_after)
{
	struct fault f = sys(1, 0, 10);
	struct fault_plan p = plan_of(&f, 1);

	for (uint64_t k = 1; k <= 100; k++)
		ck_assert_int_eq(fault_syscall_fails(&p, 3, 0, 0, 1, k, 0), k % 10 == 0);
	f.u.sys.after = 5;
	f.u.sys.every = 3;
	/* 8, 11, 14, ... */
	for (uint64_t k = 1; k <= 100; k++)
		ck_assert_int_eq(fault_syscall_fails(&p, 3, 0, 0, 1, k, 0), k > 5 && (k - 5) % 3 == 0);
}
END_TEST

START_TEST(a_probability_thins_out_the_eligible_calls)
{
	struct fault f = sys(0.25, 100, 2);
	struct fault_plan p = plan_of(&f, 1);
	int fails = 0, same = 0;

	for (uint64_t k = 1; k <= 40100; k++) {
		bool x = fault_syscall_fails(&p, 3, 0, 2, 1, k, 0);

		ck_assert(!x || (k > 100 && k % 2 == 0));
		fails += x;
		/* a new incarnation draws anew */
		same += x && fault_syscall_fails(&p, 3, 0, 2, 2, k, 0);
	}
	/* 20000 eligible, a quarter fail: 5000 (sd 61); both: 1250 */
	ck_assert_msg(fails > 4800 && fails < 5200, "%d", fails);
	ck_assert_msg(same > 1100 && same < 1400, "%d", same);
}
END_TEST

START_TEST(a_syscall_fault_waits_for_its_window)
{
	struct fault f = sys(1, 0, 0);
	struct fault_plan p = plan_of(&f, 1);

	f.window = (struct fault_window){ 10, 20 };
	ck_assert(!fault_syscall_fails(&p, 3, 0, 0, 1, 1, 9));
	ck_assert(fault_syscall_fails(&p, 3, 0, 0, 1, 2, 10));
	ck_assert(!fault_syscall_fails(&p, 3, 0, 0, 1, 3, 20));
}
END_TEST

START_TEST(the_argument_filter_compares_one_integer)
{
	struct fault f = sys(1, 0, 0);
	uint64_t args[6] = { 1, 0, 0, 0, 0, 0 };

	ck_assert(fault_syscall_matches(&f, "write", args));
	ck_assert(!fault_syscall_matches(&f, "read", args));
	f.u.sys.has_arg = true;
	f.u.sys.arg_index = 0;
	f.u.sys.arg_mask = UINT64_MAX;
	f.u.sys.arg_value = 2;
	ck_assert(!fault_syscall_matches(&f, "write", args));
	args[0] = 2;
	ck_assert(fault_syscall_matches(&f, "write", args));
	/* an int argument: the upper half of the register does not count */
	f.u.sys.arg_index = 5;
	f.u.sys.arg_mask = UINT32_MAX;
	f.u.sys.arg_value = (uint32_t)-100;
	args[5] = UINT64_C(0xdead0000ffffff9c);
	ck_assert(fault_syscall_matches(&f, "write", args));
	/* flags under a mask */
	f.u.sys.arg_index = 1;
	f.u.sys.arg_mask = 0x40;
	f.u.sys.arg_value = 0x40;
	args[1] = 0x241;
	ck_assert(fault_syscall_matches(&f, "write", args));
	args[1] = 0x201;
	ck_assert(!fault_syscall_matches(&f, "write", args));
}
END_TEST

START_TEST(a_verdict_counts_for_every_matching_fault_and_the_first_failure_wins)
{
	struct fault f[3] = { sys(1, 2, 0), sys(1, 0, 0), sys(1, 0, 0) };
	struct fault_plan p = plan_of(f, 3);
	struct fault_call_counter c[3];
	uint64_t args[6] = { 0 };
	size_t which = 99;

	f[1].u.sys.err = 28;
	strcpy(f[2].u.sys.name, "read");
	ck_assert_uint_eq(fault_syscalls_for(&p, 1, 1, c, 3), 3);
	ck_assert_uint_eq(c[0].target, 1);
	/* calls 1, 2: only the second fault fails them, both count */
	ck_assert_int_eq(fault_syscall_verdict(&p, 1, c, 3, 1, "write", args, 0, &which), 28);
	ck_assert_uint_eq(which, 1);
	ck_assert_int_eq(fault_syscall_verdict(&p, 1, c, 3, 1, "write", args, 0, &which), 28);
	/* call 3: the first fault's "after": 2 is over, and it comes first */
	ck_assert_int_eq(fault_syscall_verdict(&p, 1, c, 3, 1, "write", args, 0, &which), 5);
	ck_assert_uint_eq(which, 0);
	ck_assert_uint_eq(c[0].calls, 3);
	ck_assert_uint_eq(c[1].calls, 3);
	ck_assert_uint_eq(c[2].calls, 0);
	/* a call no fault names continues */
	f[2].u.sys.probability = 0;
	ck_assert_int_eq(fault_syscall_verdict(&p, 1, c, 3, 1, "read", args, 0, &which), 0);
	ck_assert_uint_eq(c[2].calls, 1);
	ck_assert_int_eq(fault_syscall_verdict(&p, 1, c, 3, 1, "close", args, 0, &which), 0);
}
END_TEST

START_TEST(an_instance_finds_the_faults_that_target_it)
{
	struct fault f[3] = { sys(1, 0, 0), rate(10, 0, (struct fault_window)OPEN), sys(1, 0, 0) };
	struct fault_plan p = plan_of(f, 3);
	struct fault_call_counter c[1];

	f[2].targets = three + 2;
	f[2].ntargets = 1;
	ck_assert_uint_eq(fault_syscalls_for(&p, 2, 2, c, 1), 2);
	ck_assert_uint_eq(c[0].fault, 0);
	ck_assert_uint_eq(c[0].target, 2);
	ck_assert_uint_eq(fault_syscalls_for(&p, 2, 1, c, 1), 0);
	ck_assert_uint_eq(fault_syscalls_for(&p, 0, 1, c, 1), 1);
	ck_assert_int_eq(fault_target_find(&f[0], 2, 2), 2);
	ck_assert_int_eq(fault_target_find(&f[0], 1, 2), -1);
	ck_assert_int_eq(fault_target_find(&f[0], 0, 1), 0);
}
END_TEST

START_TEST(an_edge_finds_its_fault_by_direction)
{
	struct fault f[2] = { edge(1, 0, 0, 0), edge(1, 0, 0, 0) };
	struct fault_plan p = plan_of(f, 2);
	size_t fi = 9, ei = 9;

	f[0].u.edge.dir = FAULT_DIR_TO_CLIENT;
	f[0].u.edge.nedges = 1;
	f[1].u.edge.dir = FAULT_DIR_TO_SERVICE;
	ck_assert_int_eq(fault_plan_edge(&p, 0, 0, FAULT_DIR_TO_CLIENT, &fi, &ei), 0);
	ck_assert_uint_eq(fi, 0);
	ck_assert_uint_eq(ei, 0);
	ck_assert_int_eq(fault_plan_edge(&p, 2, 1, FAULT_DIR_TO_SERVICE, &fi, &ei), 0);
	ck_assert_uint_eq(fi, 1);
	ck_assert_uint_eq(ei, 1);
	ck_assert_int_eq(fault_plan_edge(&p, 2, 1, FAULT_DIR_TO_CLIENT, &fi, &ei), -1);
	ck_assert_int_eq(fault_plan_edge(&p, 2, 0, FAULT_DIR_TO_SERVICE, &fi, &ei), -1);
}
END_TEST

START_TEST(the_seed_comes_from_the_command_line_then_the_plan_then_chance)
{
	struct fault_plan p = { 0 };
	uint64_t over = 7;

	ck_assert_uint_eq(fault_plan_seed(&p, NULL, UINT64_MAX), FAULT_MAX_SEED);
	p.has_seed = true;
	p.seed = 3;
	ck_assert_uint_eq(fault_plan_seed(&p, NULL, 99), 3);
	ck_assert_uint_eq(fault_plan_seed(&p, &over, 99), 7);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("faults_decide");
	TCase *proc = tcase_create("process"), *msg = tcase_create("edge"), *call = tcase_create("syscall");

	tcase_add_test(proc, a_rate_fires_in_its_slots);
	tcase_add_test(proc, jitter_stays_within_its_bound_and_keeps_the_order);
	tcase_add_test(proc, a_window_shifts_the_slots_and_ends_them);
	tcase_add_test(proc, set_times_fire_once_each);
	tcase_add_test(proc, the_same_seed_schedules_and_picks_alike_and_another_does_not);
	tcase_add_test(proc, picks_cover_the_set_evenly);
	tcase_add_test(proc, picks_of_two_cover_both);
	tcase_add_test(proc, the_seed_comes_from_the_command_line_then_the_plan_then_chance);
	tcase_add_test(msg, drop_one_delivers_nothing_and_drop_zero_everything);
	tcase_add_test(msg, delays_stay_in_their_range_and_are_fixed_without_one);
	tcase_add_test(msg, drops_and_duplicates_come_in_their_share_and_repeat_by_seed);
	tcase_add_test(msg, a_partition_drops_everything_inside_it_only);
	tcase_add_test(msg, an_edge_fault_touches_its_window_and_direction_only);
	tcase_add_test(msg, an_edge_finds_its_fault_by_direction);
	tcase_add_test(call, probability_zero_never_fails_and_one_always_does);
	tcase_add_test(call, after_n_fails_from_the_next_call_on);
	tcase_add_test(call, every_n_fails_each_nth_call_counted_after_after);
	tcase_add_test(call, a_probability_thins_out_the_eligible_calls);
	tcase_add_test(call, a_syscall_fault_waits_for_its_window);
	tcase_add_test(call, the_argument_filter_compares_one_integer);
	tcase_add_test(call, a_verdict_counts_for_every_matching_fault_and_the_first_failure_wins);
	tcase_add_test(call, an_instance_finds_the_faults_that_target_it);
	suite_add_tcase(s, proc);
	suite_add_tcase(s, msg);
	suite_add_tcase(s, call);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
