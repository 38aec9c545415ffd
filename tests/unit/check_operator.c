/* Operator actions on a running tree: restart, stop, start, kill, with
 * OTP's terminate_child/restart_child semantics (supervisor/operator.h). */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/operator.h"
#include "tests/common/runner.h"
#include "tests/unit/tree_harness.h"

static void three(enum sv_strategy st, unsigned intensity)
{
	sup(NULL, "root", st, intensity, 1000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	actor("root", "c", SV_PERMANENT);
	seal();
	boot();
}

/* ================================================================
 * restart
 * ================================================================ */

/* Only b, even under one_for_all; and intensity 0 does not give up: an
 * operator's restart is not counted. */
START_TEST(restart_stops_and_starts_that_child_alone)
{
	three(SV_ONE_FOR_ALL, 0);
	DETAIL = true;
	for (int i = 0; i < 3; i++) {
		EXPECT(op(SV_OP_RESTART, "b"), "operator restart b; stop b (operator); SIGTERM b; timer b 2000");
		EXPECT(killed("b", SIGTERM), "spawn b; ready b");
	}
	ck_assert_str_eq(states("root"), "a:up b:up c:up");
}
END_TEST

/* A restarted supervisor is a fresh incarnation: its subtree is stopped in
 * reverse and started in order, and its restart history is clean. */
START_TEST(restart_of_a_supervisor_restarts_its_subtree)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	sup("root", "s", SV_ONE_FOR_ONE, 1, 10000);
	actor("s", "x", SV_PERMANENT);
	actor("s", "y", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	seal();
	boot();
	AUTO_EXIT = DETAIL = true;

	EXPECT(ex("x", 1), "restart x (status 1); spawn x; ready x");
	EXPECT(op(SV_OP_RESTART, "s"),
	       "operator restart s; stop s (operator); stop y (operator); SIGTERM y; timer y 2000; "
	       "stop x (operator); SIGTERM x; timer x 2000; "
	       "start s; spawn x; ready x; spawn y; ready y; ready s");
	/* one more restart is allowed again: the history went with the old s */
	EXPECT(ex("x", 1), "restart x (status 1); spawn x; ready x");
	ck_assert_str_eq(states("root"), "a:up s:up b:up");
}
END_TEST

/* A restart of a node the operator had stopped starts it. */
START_TEST(restart_of_a_stopped_child_starts_it)
{
	three(SV_ONE_FOR_ONE, 5);
	AUTO_EXIT = true;
	op(SV_OP_STOP, "b");
	EXPECT(op(SV_OP_RESTART, "b"), "operator restart b; spawn b; ready b");
	ck_assert_str_eq(states("root"), "a:up b:up c:up");
}
END_TEST

/* ================================================================
 * stop and start
 * ================================================================ */

START_TEST(stopped_child_stays_down_through_a_one_for_one_sibling_restart)
{
	three(SV_ONE_FOR_ONE, 5);
	EXPECT(op(SV_OP_STOP, "b"), "operator stop b; stop b; SIGTERM b; timer b 2000");
	EXPECT(killed("b", SIGTERM), "");
	ck_assert_str_eq(states("root"), "a:up b:held c:up");
	EXPECT(ex("a", 1), "restart a; spawn a; ready a");
	ck_assert_str_eq(states("root"), "a:up b:held c:up");
	EXPECT(op(SV_OP_START, "b"), "operator start b; spawn b; ready b");
	ck_assert_str_eq(states("root"), "a:up b:up c:up");
}
END_TEST

/* OTP: terminate_child leaves b in the children list with pid undefined;
 * restart(one_for_all, ...) terminates and starts the whole list again. */
START_TEST(stopped_child_is_started_again_by_a_one_for_all_restart)
{
	three(SV_ONE_FOR_ALL, 5);
	AUTO_EXIT = true;
	EXPECT(op(SV_OP_STOP, "b"), "operator stop b; stop b; SIGTERM b; timer b 2000");
	EXPECT(ex("c", 1), "restart c; stop a; SIGTERM a; timer a 2000; "
	       "spawn a; ready a; spawn b; ready b; spawn c; ready c");
	ck_assert_str_eq(states("root"), "a:up b:up c:up");
}
END_TEST

/* OTP's rest_for_one restarts the failed child and those after it: a
 * stopped child before it stays down, one after it starts again. */
START_TEST(rest_for_one_starts_again_only_stopped_children_after_the_failed_one)
{
	sup(NULL, "root", SV_REST_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	actor("root", "c", SV_PERMANENT);
	actor("root", "d", SV_PERMANENT);
	seal();
	boot();
	AUTO_EXIT = true;
	op(SV_OP_STOP, "a");
	op(SV_OP_STOP, "c");
	ck_assert_str_eq(states("root"), "a:held b:up c:held d:up");
	EXPECT(ex("b", 1), "restart b; stop d; SIGTERM d; timer d 2000; "
	       "spawn b; ready b; spawn c; ready c; spawn d; ready d");
	ck_assert_str_eq(states("root"), "a:held b:up c:up d:up");
}
END_TEST

/* OTP deletes a temporary child on terminate_child: a group restart
 * leaves it down; the operator can still start it. */
START_TEST(stopped_temporary_child_stays_down_through_a_group_restart)
{
	sup(NULL, "root", SV_ONE_FOR_ALL, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "t", SV_TEMPORARY);
	actor("root", "c", SV_PERMANENT);
	seal();
	boot();
	AUTO_EXIT = true;
	op(SV_OP_STOP, "t");
	EXPECT(ex("c", 1), "restart c; stop a; SIGTERM a; timer a 2000; spawn a; ready a; spawn c; ready c");
	ck_assert_str_eq(states("root"), "a:up t:held c:up");
	EXPECT(op(SV_OP_START, "t"), "operator start t; spawn t; ready t");
}
END_TEST

/* OTP's restart_child: a start that fails is an error to the caller and
 * the child stays down; nothing is counted. Once ready it is ordinary. */
START_TEST(failed_operator_start_holds_the_child_down)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 0, 1000);
	actor("root", "a", SV_PERMANENT);
	notify("root", "n", SV_PERMANENT, 1000);
	seal();
	boot();
	ready("n");
	AUTO_EXIT = true;
	EXPECT(op(SV_OP_STOP, "n"), "operator stop n; stop n; SIGTERM n; timer n 2000");
	EXPECT(op(SV_OP_START, "n"), "operator start n; spawn n; timer n 1000");
	EXPECT(ex("n", 1), "");
	ck_assert_str_eq(states("root"), "a:up n:held");
	/* missing start_timeout is a failed start too */
	EXPECT(op(SV_OP_START, "n"), "operator start n; spawn n; timer n 1000");
	EXPECT(fire("n"), "stop n; SIGKILL n");
	ck_assert_str_eq(states("root"), "a:up n:held");
	EXPECT(op(SV_OP_START, "n"), "operator start n; spawn n; timer n 1000");
	EXPECT(ready("n"), "timer n off; ready n");
	EXPECT(ex("n", 1), "give_up root; stop a; SIGTERM a; timer a 2000; TREE_DOWN gave_up");
}
END_TEST

START_TEST(stopped_supervisor_keeps_its_subtree_down)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	sup("root", "s", SV_ONE_FOR_ONE, 5, 1000);
	actor("s", "x", SV_PERMANENT);
	actor("s", "y", SV_PERMANENT);
	seal();
	boot();
	AUTO_EXIT = true;
	EXPECT(op(SV_OP_STOP, "s"), "operator stop s; stop s; stop y; SIGTERM y; timer y 2000; "
	       "stop x; SIGTERM x; timer x 2000");
	ck_assert_str_eq(states("root"), "a:up s:held");
	ck_assert_int_eq(sv_operator_check(T, SV_OP_START, N("x"), 0), -ESRCH);
	EXPECT(ex("a", 1), "restart a; spawn a; ready a");
	EXPECT(op(SV_OP_START, "s"), "operator start s; start s; spawn x; ready x; spawn y; ready y; ready s");
	ck_assert_str_eq(states("root"), "a:up s:up");
}
END_TEST

/* Shutdown has nothing to stop for a held child. */
START_TEST(shutdown_skips_a_stopped_child)
{
	three(SV_ONE_FOR_ONE, 5);
	AUTO_EXIT = true;
	op(SV_OP_STOP, "b");
	EXPECT(shutdown_tree(), "stop root; stop c; SIGTERM c; timer c 2000; "
	       "stop a; SIGTERM a; timer a 2000; TREE_DOWN shutdown");
}
END_TEST

/* A supervisor restarted by its parent is a fresh incarnation: OTP's new
 * supervisor process starts every child of its spec. */
START_TEST(escalation_restart_starts_stopped_children_again)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	sup("root", "s", SV_ONE_FOR_ONE, 0, 1000);
	actor("s", "x", SV_PERMANENT);
	actor("s", "y", SV_PERMANENT);
	seal();
	boot();
	AUTO_EXIT = true;
	op(SV_OP_STOP, "y");
	EXPECT(ex("x", 1), "give_up s; escalate s; restart s; start s; "
	       "spawn x; ready x; spawn y; ready y; ready s");
}
END_TEST

/* ================================================================
 * while the supervisor is busy
 * ================================================================ */

/* The supervisor starts one child at a time: a stop of another child waits
 * until the one being started is ready... */
/* Booting a; n, notify-ready; b: stopped at n, waiting for its READY=1. */
static void boot_until_n(void)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	notify("root", "n", SV_PERMANENT, 5000);
	actor("root", "b", SV_PERMANENT);
	seal();
	EXPECT(boot(), "start root; spawn a; ready a; spawn n; timer n 5000");
}

START_TEST(stop_during_a_start_waits_for_the_child_being_started)
{
	boot_until_n();
	EXPECT(op(SV_OP_STOP, "a"), "operator stop a");
	/* status shows it stopping: a start is refused as of one still
	 * stopping, not as of one that runs */
	ck_assert_int_eq(sv_operator_check(T, SV_OP_START, N("a"), 0), -EBUSY);
	EXPECT(ready("n"), "timer n off; ready n; stop a; SIGTERM a; timer a 2000");
	EXPECT(killed("a", SIGTERM), "spawn b; ready b; ready root; TREE_READY");
	ck_assert_str_eq(states("root"), "a:held n:up b:up");
}
END_TEST

/* ...but the child being started itself is stopped at once. */
START_TEST(stop_of_the_child_being_started_is_immediate)
{
	boot_until_n();
	EXPECT(op(SV_OP_STOP, "n"), "operator stop n; stop n; timer n off; SIGTERM n; timer n 2000");
	EXPECT(killed("n", SIGTERM), "spawn b; ready b; ready root; TREE_READY");
	ck_assert_str_eq(states("root"), "a:up n:held b:up");
}
END_TEST

/* A restart of the child being started: stopped, then started again. */
START_TEST(restart_of_the_child_being_started)
{
	boot_until_n();
	EXPECT(op(SV_OP_RESTART, "n"), "operator restart n; stop n; timer n off; SIGTERM n; timer n 2000");
	EXPECT(killed("n", SIGTERM), "spawn n; timer n 5000");
	EXPECT(ready("n"), "timer n off; ready n; spawn b; ready b; ready root; TREE_READY");
}
END_TEST

/* An exit queued while the supervisor was busy is superseded by a stop:
 * the child is not restarted. */
START_TEST(stop_supersedes_a_queued_exit)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	notify("root", "n", SV_PERMANENT, 5000);
	seal();
	boot();
	ready("n");

	EXPECT(ex("n", 1), "restart n; spawn n; timer n 5000");
	EXPECT(ex("a", 1), "");		/* queued: root is busy starting n */
	EXPECT(op(SV_OP_STOP, "a"), "operator stop a");
	EXPECT(ready("n"), "timer n off; ready n");
	ck_assert_str_eq(states("root"), "a:held n:up");
}
END_TEST

/* A stop during a one_for_all restart's stop phase: it is not started. */
START_TEST(stop_during_a_group_restart)
{
	three(SV_ONE_FOR_ALL, 5);
	EXPECT(ex("c", 1), "restart c; stop b; SIGTERM b; timer b 2000");
	EXPECT(op(SV_OP_STOP, "a"), "operator stop a");
	EXPECT(killed("b", SIGTERM), "stop a; SIGTERM a; timer a 2000");
	EXPECT(killed("a", SIGTERM), "spawn b; ready b; spawn c; ready c");
	ck_assert_str_eq(states("root"), "a:held b:up c:up");
}
END_TEST

/* ================================================================
 * kill
 * ================================================================ */

/* The exit a kill causes is an ordinary exit: it is counted. */
START_TEST(kill_sends_the_signal_and_the_exit_counts)
{
	three(SV_ONE_FOR_ONE, 0);
	AUTO_EXIT = true;
	DETAIL = true;
	EXPECT(op_kill("b", SIGKILL), "operator kill b KILL; SIGKILL b; "
	       "give_up root (b signal 9); stop c (give_up root); SIGTERM c; timer c 2000; "
	       "stop a (give_up root); SIGTERM a; timer a 2000; TREE_DOWN gave_up");
}
END_TEST

START_TEST(kill_with_a_signal_that_does_not_end_it)
{
	three(SV_ONE_FOR_ONE, 0);
	AUTO_EXIT = false;
	/* the harness renders only TERM and KILL by name */
	EXPECT(op_kill("b", SIGUSR1), "operator kill b 10; SIG10 b");
	ck_assert_str_eq(states("root"), "a:up b:up c:up");
}
END_TEST

/* ================================================================
 * refusals
 * ================================================================ */

START_TEST(refusals)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	sup("root", "s", SV_ONE_FOR_ONE, 5, 1000);
	actor("s", "x", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	seal();

	/* nothing runs before boot */
	ck_assert_int_eq(sv_operator_check(T, SV_OP_START, N("a"), 0), -ESRCH);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_KILL, N("a"), SIGTERM), -ESRCH);
	boot();
	ck_assert_int_eq(sv_operator_check(T, SV_OP_RESTART, NULL, 0), -EINVAL);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_RESTART, N("root"), 0), -EINVAL);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_KILL, N("s"), SIGTERM), -EINVAL);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_KILL, N("a"), 0), -EINVAL);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_KILL, N("a"), NSIG), -EINVAL);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_KILL, N("a"), SIGTERM), 0);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_START, N("a"), 0), -EALREADY);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_START, N("s"), 0), -EALREADY);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_RESTART, N("x"), 0), 0);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_STOP, N("a"), 0), 0);

	op(SV_OP_STOP, "a");	/* stopping: SIGTERM sent, no exit yet */
	ck_assert_int_eq(sv_operator_check(T, SV_OP_START, N("a"), 0), -EBUSY);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_STOP, N("a"), 0), -EALREADY);
	killed("a", SIGTERM);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_KILL, N("a"), SIGTERM), -ESRCH);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_START, N("a"), 0), 0);

	/* a refused event does nothing at all */
	EXPECT(op(SV_OP_STOP, "a"), "");
	EXPECT(op(SV_OP_START, "b"), "");
	EXPECT(op(SV_OP_RESTART, "root"), "");
	EXPECT(op_kill("s", SIGKILL), "");

	AUTO_EXIT = true;
	shutdown_tree();
	ck_assert_int_eq(sv_operator_check(T, SV_OP_RESTART, N("x"), 0), -ESRCH);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_START, N("a"), 0), -ESRCH);
}
END_TEST

/* A stop of a node stopping for any reason is refused, as of one the
 * operator stopped (README: "a stop of a stopped or stopping node"): an
 * operator's restart and a sibling's group restart start it again. */
START_TEST(stop_of_a_node_stopping_for_a_restart_is_refused)
{
	three(SV_ONE_FOR_ONE, 5);
	EXPECT(op(SV_OP_RESTART, "b"), "operator restart b; stop b; SIGTERM b; timer b 2000");
	ck_assert_int_eq(sv_operator_check(T, SV_OP_STOP, N("b"), 0), -EALREADY);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_START, N("b"), 0), -EBUSY);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_RESTART, N("b"), 0), 0);
	EXPECT(killed("b", SIGTERM), "spawn b; ready b");

	EXPECT(ex("a", 1), "restart a; spawn a; ready a");
	ck_assert_str_eq(states("root"), "a:up b:up c:up");
}
END_TEST

START_TEST(stop_of_a_node_stopping_for_a_group_restart_is_refused)
{
	three(SV_ONE_FOR_ALL, 5);
	EXPECT(ex("a", 1), "restart a; stop c; SIGTERM c; timer c 2000");
	ck_assert_int_eq(sv_operator_check(T, SV_OP_STOP, N("c"), 0), -EALREADY);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_STOP, N("b"), 0), 0);
	EXPECT(killed("c", SIGTERM), "stop b; SIGTERM b; timer b 2000");
	EXPECT(killed("b", SIGTERM), "spawn a; ready a; spawn b; ready b; spawn c; ready c");
	ck_assert_str_eq(states("root"), "a:up b:up c:up");
}
END_TEST

START_TEST(op_names)
{
	ck_assert_str_eq(sv_op_name(SV_OP_RESTART), "restart");
	ck_assert_str_eq(sv_op_name(SV_OP_STOP), "stop");
	ck_assert_str_eq(sv_op_name(SV_OP_START), "start");
	ck_assert_str_eq(sv_op_name(SV_OP_KILL), "kill");
	ck_assert_str_eq(sv_op_name((enum sv_op)99), "?");
	ck_assert_str_eq(sv_stop_why_name(SV_WHY_OPERATOR), "operator");
	ck_assert_str_eq(sv_report_name(SV_REPORT_OPERATOR), "operator");
}
END_TEST

/* ================================================================
 * random walk with operators
 * ================================================================ */

/* Every accepted action reports itself first, exactly once. */
static void random_op(unsigned *seed, struct sv_node *n)
{
	enum sv_op o = (enum sv_op)rnd(seed, 4);
	int sig = o == SV_OP_KILL ? (rnd(seed, 2) ? SIGKILL : SIGTERM) : 0;
	bool ok = sv_operator_check(T, o, n, sig) == 0;
	const char *got = run((struct sv_event){ .kind = SV_EV_OPERATOR, .node = n, .op = o, .sig = sig });

	if (!ok) {
		ck_assert_str_eq(got, "");
		return;
	}
	ck_assert_msg(strncmp(got, "operator ", 9) == 0, "%s %s: %s", sv_op_name(o), n->name, got);
	ck_assert_msg(!strstr(got + 9, "operator "), "%s %s reported twice: %s", sv_op_name(o), n->name, got);
}

START_TEST(random_walk_with_operators_keeps_invariants)
{
	random_walk(7000 + (unsigned)_i, 30, random_op);
}
END_TEST

static Suite *operator_suite(void)
{
	Suite *s = suite_create("operator");
	TCase *tc;

	tc = tree_tcase(s, "restart");
	tcase_add_test(tc, restart_stops_and_starts_that_child_alone);
	tcase_add_test(tc, restart_of_a_supervisor_restarts_its_subtree);
	tcase_add_test(tc, restart_of_a_stopped_child_starts_it);

	tc = tree_tcase(s, "stop and start");
	tcase_add_test(tc, stopped_child_stays_down_through_a_one_for_one_sibling_restart);
	tcase_add_test(tc, stopped_child_is_started_again_by_a_one_for_all_restart);
	tcase_add_test(tc, rest_for_one_starts_again_only_stopped_children_after_the_failed_one);
	tcase_add_test(tc, stopped_temporary_child_stays_down_through_a_group_restart);
	tcase_add_test(tc, failed_operator_start_holds_the_child_down);
	tcase_add_test(tc, stopped_supervisor_keeps_its_subtree_down);
	tcase_add_test(tc, shutdown_skips_a_stopped_child);
	tcase_add_test(tc, escalation_restart_starts_stopped_children_again);

	tc = tree_tcase(s, "busy");
	tcase_add_test(tc, stop_during_a_start_waits_for_the_child_being_started);
	tcase_add_test(tc, stop_of_the_child_being_started_is_immediate);
	tcase_add_test(tc, restart_of_the_child_being_started);
	tcase_add_test(tc, stop_supersedes_a_queued_exit);
	tcase_add_test(tc, stop_during_a_group_restart);

	tc = tree_tcase(s, "kill");
	tcase_add_test(tc, kill_sends_the_signal_and_the_exit_counts);
	tcase_add_test(tc, kill_with_a_signal_that_does_not_end_it);

	tc = tree_tcase(s, "refusals");
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, stop_of_a_node_stopping_for_a_restart_is_refused);
	tcase_add_test(tc, stop_of_a_node_stopping_for_a_group_restart_is_refused);
	tcase_add_test(tc, op_names);

	tc = tree_tcase(s, "random");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, random_walk_with_operators_keeps_invariants, 0, 20);
	return s;
}

const struct test_suite test_suite = { .suite = operator_suite };
