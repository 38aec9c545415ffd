/* The read-only status walk (supervisor/status.h). */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/backoff.h"
#include "supervisor/operator.h"
#include "supervisor/status.h"
#include "tests/common/runner.h"
#include "tests/unit/tree_harness.h"

static char seen[2048];
static size_t seenlen;
static int budget;		/* nodes to visit before the callback says stop; < 0: all */

static const char *st_name(const struct sv_status *st)
{
	static const char *const names[] = {
		[SV_DOWN] = "down", [SV_STARTING] = "starting", [SV_UP] = "up", [SV_STOPPING] = "stopping",
	};

	if (st->held)
		return "held";
	if (st->backing_off)
		return "backoff";
	return names[st->state];
}

/* "name:depth:state" and a '-' when it need not run */
static bool collect(const struct sv_status *st, void *arg)
{
	(void)arg;
	seenlen += (size_t)snprintf(seen + seenlen, sizeof seen - seenlen, "%s%s:%u:%s%s",
				    seenlen ? " " : "", st->node->name, st->depth, st_name(st),
				    st->should_run ? "" : "-");
	return budget < 0 || --budget > 0;
}

static const char *walk_at_most(const char *from, int64_t now, int n)
{
	budget = n;
	seenlen = 0;
	seen[0] = '\0';
	sv_status_walk(T, from ? N(from) : NULL, now, collect, NULL);
	return seen;
}

static const char *walk(const char *from, int64_t now)
{
	return walk_at_most(from, now, -1);
}

static bool grab(const struct sv_status *st, void *arg)
{
	*(struct sv_status *)arg = *st;
	return false;
}

static struct sv_status status_of(const char *name, int64_t now)
{
	struct sv_status st;

	sv_status_walk(T, N(name), now, grab, &st);
	return st;
}

static void nested(void)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 3, 5000);
	actor("root", "a", SV_PERMANENT);
	sup("root", "s", SV_ONE_FOR_ALL, 1, 1000);
	actor("s", "x", SV_PERMANENT);
	sup("s", "e", SV_ONE_FOR_ONE, 1, 1000);
	actor("s", "y", SV_TRANSIENT);
	actor("root", "b", SV_TEMPORARY);
	seal();
}

START_TEST(walk_is_depth_first_in_declaration_order)
{
	nested();
	EXPECT(walk(NULL, 0), "root:0:down- a:1:down- s:1:down- x:2:down- e:2:down- y:2:down- b:1:down-");
	boot();
	EXPECT(walk(NULL, 0), "root:0:up a:1:up s:1:up x:2:up e:2:up y:2:up b:1:up");
	EXPECT(walk("s", 0), "s:0:up x:1:up e:1:up y:1:up");
	EXPECT(walk("e", 0), "e:0:up");
	EXPECT(walk("y", 0), "y:0:up");
	EXPECT(walk_at_most(NULL, 0, 3), "root:0:up a:1:up s:1:up");
}
END_TEST

/* Who should run: not a held node or what is under it, not a child that
 * ended for good, not anything while the root is down or stopping. */
START_TEST(should_run_follows_the_rules_and_the_operator)
{
	nested();
	boot();
	AUTO_EXIT = true;
	ex("y", 0);		/* transient, normal exit: stays down */
	ex("b", 1);		/* temporary: stays down */
	EXPECT(walk(NULL, 0), "root:0:up a:1:up s:1:up x:2:up e:2:up y:2:down- b:1:down-");
	op(SV_OP_STOP, "s");
	EXPECT(walk(NULL, 0), "root:0:up a:1:up s:1:held- x:2:down- e:2:down- y:2:down- b:1:down-");
	op(SV_OP_START, "s");
	EXPECT(walk("s", 0), "s:0:up x:1:up e:1:up y:1:up");
	shutdown_tree();
	EXPECT(walk(NULL, 0), "root:0:down- a:1:down- s:1:down- x:2:down- e:2:down- y:2:down- b:1:down-");
}
END_TEST

/* A root that gave up is a failure, not a stop: what it is stopping, and
 * the root itself, still should have run, so `status` exits 3 until the
 * daemon is gone. It said 0 (nothing need run) while the tree died. */
START_TEST(a_root_that_gave_up_should_have_run)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 0, 5000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	seal();
	boot();
	ex("a", 1);		/* intensity 0: the root gives up, b is stopping */
	EXPECT(walk(NULL, 0), "root:0:stopping a:1:down b:1:stopping");
	killed("b", SIGTERM);
	EXPECT(walk(NULL, 0), "root:0:down a:1:down b:1:down");
}
END_TEST

/* At boot, the children of a supervisor not reached yet should run: it
 * starts them in its turn. They were said not to, so `status x` exited 0
 * while nothing of x had run. */
START_TEST(a_child_under_a_supervisor_not_reached_yet_should_run)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 3, 5000);
	notify("root", "a", SV_PERMANENT, 5000);
	sup("root", "s", SV_ONE_FOR_ONE, 1, 1000);
	actor("s", "x", SV_PERMANENT);
	seal();
	struct sv_summary sum;

	boot();		/* a is started; it is not ready, so s waits */
	EXPECT(walk(NULL, 0), "root:0:starting a:1:starting s:1:down x:2:down");
	/* the summary counts actor instances, the supervisors not among them:
	 * running + not_running = actors while everything should run */
	sv_status_summary(T, &sum);
	ck_assert_uint_eq(sum.actors, 2);
	ck_assert_uint_eq(sum.actors_up, 0);
	ck_assert_uint_eq(sum.not_running, 2);
	ready("a");
	EXPECT(walk(NULL, 0), "root:0:up a:1:up s:1:up x:2:up");
	sv_status_summary(T, &sum);
	ck_assert_uint_eq(sum.actors_up, 2);
	ck_assert_uint_eq(sum.not_running, 0);
}
END_TEST

/* A child a reload restarts should run while its old process stops, as
 * one the operator restarts does (it was said not to, so `status`
 * exited 0 with the child down); one a reload removes need not. */
START_TEST(a_child_a_reload_restarts_should_run_and_one_it_removes_need_not)
{
	struct sv_summary sum;

	sup(NULL, "root", SV_ONE_FOR_ONE, 3, 5000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	seal();
	boot();
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 3, 5000);
	actor("root", "a", SV_PERMANENT);
	end_new_tree();
	changed("a");
	reload();		/* b goes first */
	EXPECT(walk(NULL, 0), "root:0:up a:1:up b:1:stopping-");
	killed("b", SIGTERM);
	EXPECT(walk(NULL, 0), "root:0:up a:1:stopping b:1:down-");
	sv_status_summary(T, &sum);
	ck_assert_uint_eq(sum.not_running, 1);
}
END_TEST

/* A child about to be restarted should run, and is not up. */
START_TEST(a_child_backing_off_should_run)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 3, 5000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_TRANSIENT);
	ck_assert_int_eq(sv_set_backoff(N("b"), &(struct sv_backoff){ 400, 400, 0 }), 0);
	seal();
	boot();
	NOW = 1000;
	ex("b", 3);
	struct sv_status st = status_of("b", NOW);
	ck_assert(st.backing_off);
	ck_assert_int_eq(st.backoff_until, 1400);
	ck_assert(st.should_run);
	ck_assert_int_eq(st.restarts, 1);
	ck_assert_ptr_nonnull(st.last_exit);
	ck_assert_int_eq(st.last_exit->value, 3);
	ck_assert_int_eq(st.up_since, -1);

	struct sv_summary sum;
	sv_status_summary(T, &sum);
	ck_assert_uint_eq(sum.actors, 2);
	ck_assert_uint_eq(sum.actors_up, 1);
	ck_assert_uint_eq(sum.not_running, 1);
	NOW = 1400;
	fire("root");
	sv_status_summary(T, &sum);
	ck_assert_uint_eq(sum.actors_up, 2);
	ck_assert_uint_eq(sum.not_running, 0);
	st = status_of("b", NOW);
	ck_assert(!st.backing_off);
	ck_assert_int_eq(st.up_since, 1400);
}
END_TEST

/* "2/3 in 5 s": restarts that count now, the cap, the period. */
START_TEST(supervisor_window)
{
	sup(NULL, "root", SV_REST_FOR_ONE, 3, 5000);
	actor("root", "a", SV_PERMANENT);
	seal();
	boot();
	ex("a", 1);
	NOW = 1000;
	ex("a", 1);
	struct sv_status st = status_of("root", NOW);
	ck_assert_uint_eq(st.window_restarts, 2);
	ck_assert_uint_eq(st.intensity, 3);
	ck_assert_int_eq(st.period_ms, 5000);
	ck_assert_int_eq(st.strategy, SV_REST_FOR_ONE);
	ck_assert_uint_eq(status_of("root", 5000).window_restarts, 2);	/* 0 >= 5000 - 5000 */
	ck_assert_uint_eq(status_of("root", 5001).window_restarts, 1);
	ck_assert_uint_eq(status_of("root", 6001).window_restarts, 0);
	ck_assert_uint_eq(status_of("a", NOW).restarts, 2);
	ck_assert_uint_eq(status_of("a", NOW).window_restarts, 0);	/* actors have none */
}
END_TEST

/* Held and stopping: the operator's stop as status sees it, and that the
 * summary counts a held node as not meant to run. */
START_TEST(held_is_not_missing)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 3, 5000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	seal();
	boot();
	struct sv_summary sum;

	op(SV_OP_STOP, "b");
	EXPECT(walk(NULL, 0), "root:0:up a:1:up b:1:held-");
	ck_assert_int_eq(status_of("b", 0).state, SV_STOPPING);
	sv_status_summary(T, &sum);
	ck_assert_uint_eq(sum.not_running, 0);
	ck_assert_uint_eq(sum.actors_up, 1);
	killed("b", SIGTERM);
	EXPECT(walk(NULL, 0), "root:0:up a:1:up b:1:held-");
	ck_assert_int_eq(status_of("b", 0).state, SV_DOWN);
}
END_TEST

START_TEST(find_by_name)
{
	nested();
	ck_assert_ptr_eq(sv_find(T, "e"), N("e"));
	ck_assert_ptr_eq(sv_find(T, "root"), T->root);
	ck_assert_ptr_null(sv_find(T, "nope"));
	ck_assert_ptr_null(sv_find(T, ""));
}
END_TEST

static Suite *status_suite(void)
{
	Suite *s = suite_create("status");
	TCase *tc = tree_tcase(s, "status");

	tcase_add_test(tc, walk_is_depth_first_in_declaration_order);
	tcase_add_test(tc, should_run_follows_the_rules_and_the_operator);
	tcase_add_test(tc, a_root_that_gave_up_should_have_run);
	tcase_add_test(tc, a_child_backing_off_should_run);
	tcase_add_test(tc, a_child_a_reload_restarts_should_run_and_one_it_removes_need_not);
	tcase_add_test(tc, a_child_under_a_supervisor_not_reached_yet_should_run);
	tcase_add_test(tc, supervisor_window);
	tcase_add_test(tc, held_is_not_missing);
	tcase_add_test(tc, find_by_name);
	return s;
}

const struct test_suite test_suite = { .suite = status_suite };
