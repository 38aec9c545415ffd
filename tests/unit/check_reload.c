/* Live reload: the plan between the running tree and a new one, and its
 * application (supervisor/reload.h). */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/backoff.h"
#include "supervisor/operator.h"
#include "supervisor/reload.h"
#include "tests/common/runner.h"
#include "tests/unit/tree_harness.h"

/* root (one_for_one 1/1000): a, s (one_for_all: x, y), b */
static void shop(bool in_new)
{
	if (in_new)
		new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 1000);
	actor("root", "a", SV_PERMANENT);
	sup("root", "s", SV_ONE_FOR_ALL, 1, 1000);
	actor("s", "x", SV_PERMANENT);
	actor("s", "y", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	if (in_new)
		return;
	seal();
	boot();
}

/* ================================================================
 * the plan
 * ================================================================ */

START_TEST(the_same_tree_keeps_everything)
{
	shop(false);
	shop(true);
	end_new_tree();
	EXPECT(plan(), "keep root; keep a; keep s; keep x; keep y; keep b");
	struct sv_node *a = N("a");
	EXPECT(reload(), "operator reload root; reloaded root");
	ck_assert_ptr_eq(N("a"), a);
}
END_TEST

START_TEST(plan_of_every_kind)
{
	shop(false);
	new_tree();
	sup(NULL, "main", SV_ONE_FOR_ONE, 3, 1000);	/* a root by another name: still the root */
	actor("main", "a", SV_PERMANENT);
	actor("main", "n", SV_PERMANENT);		/* added */
	sup("main", "s", SV_ONE_FOR_ALL, 1, 1000);
	actor("s", "y", SV_PERMANENT);			/* x removed */
	sup("main", "b", SV_ONE_FOR_ONE, 1, 1000);	/* an actor became a supervisor */
	end_new_tree();
	EXPECT(plan(), "change main; keep a; add n; keep s; keep y; restart b; remove x");
}
END_TEST

START_TEST(a_renamed_root_is_a_change)
{
	shop(false);
	new_tree();
	sup(NULL, "main", SV_ONE_FOR_ONE, 1, 1000);	/* the same settings, a new name */
	actor("main", "a", SV_PERMANENT);
	sup("main", "s", SV_ONE_FOR_ALL, 1, 1000);
	actor("s", "x", SV_PERMANENT);
	actor("s", "y", SV_PERMANENT);
	actor("main", "b", SV_PERMANENT);
	end_new_tree();
	EXPECT(plan(), "change main; keep a; keep s; keep x; keep y; keep b");
}
END_TEST

START_TEST(plan_sees_settings_changes)
{
	shop(false);
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 2000);		/* period */
	actor_full("root", "a", SV_PERMANENT, 2000, SV_READY_NOTIFY, 0);	/* ready */
	sup("root", "s", SV_REST_FOR_ONE, 1, 1000);		/* strategy */
	actor("s", "y", SV_PERMANENT);				/* x and y swapped */
	actor("s", "x", SV_TRANSIENT);				/* restart type */
	actor("root", "b", SV_PERMANENT);
	ck_assert_int_eq(sv_set_backoff(N("b"), &(struct sv_backoff){ 1, 2, 3 }), 0);
	end_new_tree();
	EXPECT(plan(), "change root; change a; change s; keep y; change x; change b");
}
END_TEST

/* Each setting a change carries over, changed alone, is a change: a plan
 * that kept the node would leave the old value running. */
static void one_setting_each(bool in_new)
{
	if (in_new)
		new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 1000);
	actor_full("root", "a", SV_PERMANENT, in_new ? 3000 : 2000, SV_READY_NOTIFY, 5000);
	actor_full("root", "b", SV_PERMANENT, 2000, SV_READY_NOTIFY, in_new ? 6000 : 5000);
	actor("root", "c", SV_PERMANENT);
	actor("root", "d", SV_PERMANENT);
	actor("root", "e", SV_PERMANENT);
	ck_assert_int_eq(sv_set_backoff(N("c"), &(struct sv_backoff){ in_new ? 200 : 100, 1000, 5000 }), 0);
	ck_assert_int_eq(sv_set_backoff(N("d"), &(struct sv_backoff){ 100, in_new ? 2000 : 1000, 5000 }), 0);
	ck_assert_int_eq(sv_set_backoff(N("e"), &(struct sv_backoff){ 100, 1000, in_new ? 6000 : 5000 }), 0);
	if (in_new)
		return;
	seal();
	boot();
}

START_TEST(plan_sees_each_setting_alone)
{
	one_setting_each(false);
	one_setting_each(true);
	end_new_tree();
	EXPECT(plan(), "keep root; change a; change b; change c; change d; change e");
}
END_TEST

START_TEST(a_changed_flag_is_a_restart)
{
	shop(false);
	shop(true);
	end_new_tree();
	changed("x");
	changed("s");		/* a supervisor's settings apply without restarting it */
	EXPECT(plan(), "keep root; keep a; keep s; restart x; keep y; keep b");
}
END_TEST

/* The shop with x moved from s to the end of root. */
static void shop_moving_x(void)
{
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 1000);
	actor("root", "a", SV_PERMANENT);
	sup("root", "s", SV_ONE_FOR_ALL, 1, 1000);
	actor("s", "y", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	actor("root", "x", SV_PERMANENT);
	end_new_tree();
}

/* A node under another supervisor is removed there and added here. */
START_TEST(plan_of_a_move)
{
	shop(false);
	shop_moving_x();
	EXPECT(plan(), "keep root; keep a; keep s; keep y; keep b; add x; remove x");
}
END_TEST

/* ================================================================
 * applying it
 * ================================================================ */

START_TEST(an_added_child_starts_in_its_declared_place)
{
	shop(false);
	struct sv_node *a = N("a"), *b = N("b");
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 1000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "n", SV_PERMANENT);
	sup("root", "s", SV_ONE_FOR_ALL, 1, 1000);
	actor("s", "x", SV_PERMANENT);
	actor("s", "y", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	end_new_tree();
	EXPECT(reload(), "operator reload root; reloaded root; spawn n; ready n");
	ck_assert_str_eq(states("root"), "a:up n:up s:up b:up");
	ck_assert_ptr_eq(N("a"), a);
	ck_assert_ptr_eq(N("b"), b);
	ck_assert_uint_eq(N("n")->index, 1);
	/* and it stops in its place */
	AUTO_EXIT = true;
	EXPECT(shutdown_tree(), "stop root; stop b; SIGTERM b; timer b 2000; stop s; stop y; SIGTERM y; "
	       "timer y 2000; stop x; SIGTERM x; timer x 2000; stop n; SIGTERM n; timer n 2000; "
	       "stop a; SIGTERM a; timer a 2000; TREE_DOWN shutdown");
}
END_TEST

START_TEST(removed_children_stop_in_reverse_and_leave)
{
	shop(false);
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 1000);
	actor("root", "b", SV_PERMANENT);
	end_new_tree();
	DETAIL = true;
	EXPECT(reload(), "operator reload root; stop s (reload); stop y (reload); SIGTERM y; timer y 2000");
	EXPECT(killed("y", SIGTERM), "stop x (reload); SIGTERM x; timer x 2000");
	EXPECT(killed("x", SIGTERM), "stop a (reload); SIGTERM a; timer a 2000");
	EXPECT(killed("a", SIGTERM), "retire a; retire x; retire y; retire s; reloaded root");
	ck_assert_str_eq(states("root"), "b:up");
	ck_assert_ptr_null(sv_find(T, "x"));
}
END_TEST

/* Only the changed child, even under one_for_all; a new node in its place. */
START_TEST(a_changed_child_restarts_alone)
{
	shop(false);
	struct sv_node *x = N("x");
	shop(true);
	end_new_tree();
	changed("y");
	DETAIL = true;
	EXPECT(reload(), "operator reload root; stop y (reload); SIGTERM y; timer y 2000");
	EXPECT(killed("y", SIGTERM), "retire y; reloaded root; spawn y; ready y");
	ck_assert_str_eq(states("s"), "x:up y:up");
	ck_assert_ptr_eq(N("x"), x);
	ck_assert_uint_eq(N("y")->index, 1);
	ck_assert_ptr_eq(N("y")->parent, N("s"));
	/* nothing was counted: s (intensity 1) still allows one restart */
	EXPECT(ex("x", 1), "restart x (status 1); stop y (sibling x); SIGTERM y; timer y 2000");
}
END_TEST

/* A daemon reloads for months: each node a reload installs takes the id
 * of one freed before, so the node table (and the room for actions kept
 * for it) stays the size of the tree. It grew by one node a reload. */
START_TEST(reloads_without_end_keep_the_node_table_the_trees_size)
{
	unsigned before;

	shop(false);
	before = T->nnodes;
	for (int i = 0; i < 50; i++) {
		shop(true);
		end_new_tree();
		changed("y");
		reload();
		killed("y", SIGTERM);
	}
	ck_assert_str_eq(states("s"), "x:up y:up");
	ck_assert_uint_le(T->nnodes, before + 1);
	ck_assert_uint_le(T->cap_acts, 8 * (size_t)(before + 2) + 32);
}
END_TEST

START_TEST(settings_change_without_restarts)
{
	shop(false);
	NOW = 100;
	ex("a", 1);		/* root: 1 restart of 1 */
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ALL, 2, 1000);	/* one more allowed, and one_for_all */
	actor("root", "a", SV_PERMANENT);
	sup("root", "s", SV_ONE_FOR_ALL, 1, 1000);
	actor("s", "x", SV_PERMANENT);
	actor("s", "y", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	end_new_tree();
	EXPECT(reload(), "operator reload root; reloaded root");
	AUTO_EXIT = true;
	NOW = 200;
	EXPECT(ex("b", 1), "restart b; stop s; stop y; SIGTERM y; timer y 2000; stop x; SIGTERM x; "
	       "timer x 2000; stop a; SIGTERM a; timer a 2000; spawn a; ready a; start s; spawn x; "
	       "ready x; spawn y; ready y; ready s; spawn b; ready b");
	/* the restart before the reload still counts: this is the third */
	NOW = 300;
	EXPECT(ex("a", 1), "give_up root; stop b; SIGTERM b; timer b 2000; stop s; stop y; SIGTERM y; "
	       "timer y 2000; stop x; SIGTERM x; timer x 2000; TREE_DOWN gave_up");
}
END_TEST

/* A lower intensity keeps the newest restarts: one more is too many. */
START_TEST(a_lower_intensity_keeps_the_newest_restarts)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 3, 10000);
	actor("root", "a", SV_PERMANENT);
	seal();
	boot();
	ex("a", 1);
	NOW = 10;
	ex("a", 1);
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 2, 10000);
	actor("root", "a", SV_PERMANENT);
	end_new_tree();
	EXPECT(reload(), "operator reload root; reloaded root");
	ck_assert_uint_eq(T->root->intensity.cap, 3);
	NOW = 20;
	EXPECT(ex("a", 1), "give_up root; TREE_DOWN gave_up");
}
END_TEST

START_TEST(an_added_supervisor_starts_with_its_subtree)
{
	shop(false);
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 1000);
	actor("root", "a", SV_PERMANENT);
	sup("root", "s", SV_ONE_FOR_ALL, 1, 1000);
	actor("s", "x", SV_PERMANENT);
	actor("s", "y", SV_PERMANENT);
	sup("root", "t", SV_ONE_FOR_ONE, 1, 1000);
	actor("t", "p", SV_PERMANENT);
	notify("t", "q", SV_PERMANENT, 3000);
	actor("root", "b", SV_PERMANENT);
	end_new_tree();
	EXPECT(reload(), "operator reload root; reloaded root; start t; spawn p; ready p; spawn q; timer q 3000");
	EXPECT(ready("q"), "timer q off; ready q; ready t");
	ck_assert_str_eq(states("root"), "a:up s:up t:up b:up");
	EXPECT(ex("p", 1), "restart p; spawn p; ready p");
}
END_TEST

/* An actor that moved starts in its new place once the old one is gone:
 * one process of a name at a time. */
START_TEST(a_moved_child_starts_after_the_old_one_left)
{
	shop(false);
	shop_moving_x();
	struct sv_node *old = N("x");
	EXPECT(reload(), "operator reload root; stop x; SIGTERM x; timer x 2000");
	ck_assert_str_eq(states("root"), "a:up s:up b:up x:down");
	EXPECT(killed("x", SIGTERM), "retire x; spawn x; reloaded root; ready x");
	ck_assert_ptr_ne(N("x"), old);
	ck_assert_str_eq(states("root"), "a:up s:up b:up x:up");
	ck_assert_str_eq(states("s"), "y:up");
}
END_TEST

/* A held child stays held in its new spec; an ended temporary stays down. */
START_TEST(a_replacement_stays_down_as_its_predecessor)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "h", SV_PERMANENT);
	actor("root", "t", SV_TEMPORARY);
	actor("root", "c", SV_PERMANENT);
	seal();
	boot();
	AUTO_EXIT = true;
	op(SV_OP_STOP, "h");
	ex("t", 0);
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "h", SV_PERMANENT);
	actor("root", "t", SV_TEMPORARY);
	actor("root", "c", SV_PERMANENT);
	end_new_tree();
	changed("h");
	changed("t");
	EXPECT(reload(), "operator reload root; retire h; retire t; reloaded root");
	ck_assert_str_eq(states("root"), "h:held t:down c:up");
	EXPECT(op(SV_OP_START, "h"), "operator start h; spawn h; ready h");
}
END_TEST

/* Pools: more instances start after the others, fewer stop the last. */
START_TEST(a_pool_grows_and_shrinks)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "w#1", SV_PERMANENT);
	actor("root", "w#2", SV_PERMANENT);
	actor("root", "z", SV_PERMANENT);
	seal();
	boot();
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "w#1", SV_PERMANENT);
	actor("root", "w#2", SV_PERMANENT);
	actor("root", "w#3", SV_PERMANENT);
	actor("root", "z", SV_PERMANENT);
	end_new_tree();
	EXPECT(reload(), "operator reload root; reloaded root; spawn w#3; ready w#3");
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "w#1", SV_PERMANENT);
	actor("root", "z", SV_PERMANENT);
	end_new_tree();
	AUTO_EXIT = true;
	EXPECT(reload(), "operator reload root; stop w#3; SIGTERM w#3; timer w#3 2000; "
	       "stop w#2; SIGTERM w#2; timer w#2 2000; retire w#2; retire w#3; reloaded root");
	ck_assert_str_eq(states("root"), "w#1:up z:up");
}
END_TEST

/* The running nodes take the new tree's names: the old config can go. */
START_TEST(kept_nodes_take_the_new_names)
{
	static char root2[] = "main", a2[] = "a";

	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	seal();
	boot();
	struct sv_node *a = N("a");
	new_tree();
	sup(NULL, root2, SV_ONE_FOR_ONE, 5, 1000);
	actor(root2, a2, SV_PERMANENT);
	end_new_tree();
	/* the actions are read after the event: by then the root is "main" */
	EXPECT(reload(), "operator reload main; reloaded main");
	ck_assert_ptr_eq(T->root->name, root2);
	ck_assert_ptr_eq(a->name, a2);
}
END_TEST

/* A child down for good by its old restart type, that its new one would
 * have restarted, starts: the config says what should run. */
START_TEST(a_new_restart_type_may_start_a_child)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "t", SV_TEMPORARY);
	actor("root", "u", SV_TRANSIENT);
	actor("root", "v", SV_TRANSIENT);
	seal();
	boot();
	ex("t", 1);
	ex("u", 0);
	ex("v", 0);
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "t", SV_TRANSIENT);	/* ended abnormally: a transient restarts */
	actor("root", "u", SV_PERMANENT);
	actor("root", "v", SV_TEMPORARY);	/* stays down */
	end_new_tree();
	EXPECT(reload(), "operator reload root; spawn t; reloaded root; ready t; spawn u; ready u");
	ck_assert_str_eq(states("root"), "t:up u:up v:down");
}
END_TEST

/* A temporary child a reload adds that fails to start is not restarted:
 * it stays down, as it would after any end, and the reload's starts go
 * on past it. (Restarting it would count it against the intensity until
 * the supervisor gave up.) */
START_TEST(an_added_temporary_that_fails_to_start_stays_down)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	seal();
	boot();
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	notify("root", "t", SV_TEMPORARY, 5000);
	actor("root", "b", SV_PERMANENT);
	end_new_tree();
	EXPECT(reload(), "operator reload root; reloaded root; spawn t; timer t 5000");
	EXPECT(ex("t", 1), "spawn b; ready b");
	ck_assert_str_eq(states("root"), "a:up t:down b:up");
	ck_assert_uint_eq(N("t")->restarts, 0);
}
END_TEST

/* Reordered children: no restart, and the new order from now on. */
START_TEST(a_new_order_applies_from_now_on)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	seal();
	boot();
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "b", SV_PERMANENT);
	actor("root", "a", SV_PERMANENT);
	end_new_tree();
	EXPECT(plan(), "change root; keep b; keep a");
	EXPECT(reload(), "operator reload root; reloaded root");
	AUTO_EXIT = true;
	EXPECT(shutdown_tree(), "stop root; stop a; SIGTERM a; timer a 2000; stop b; SIGTERM b; "
	       "timer b 2000; TREE_DOWN shutdown");
}
END_TEST

/* ================================================================
 * while the tree is busy
 * ================================================================ */

/* Exits of children that stay, queued during the reload's stops, are
 * handled after it, in the new places. */
START_TEST(exits_queued_during_a_reload_are_handled_after_it)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	actor("root", "c", SV_PERMANENT);
	seal();
	boot();
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "b", SV_PERMANENT);
	actor("root", "c", SV_PERMANENT);
	end_new_tree();
	EXPECT(reload(), "operator reload root; stop a; SIGTERM a; timer a 2000");
	EXPECT(ex("c", 1), "");
	EXPECT(killed("a", SIGTERM), "retire a; reloaded root; restart c; spawn c; ready c");
	ck_assert_str_eq(states("root"), "b:up c:up");
}
END_TEST

/* A supervisor busy starting a child reshapes once that child is ready. */
START_TEST(a_busy_supervisor_reloads_after_its_start)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	notify("root", "n", SV_PERMANENT, 5000);
	seal();
	boot();
	ready("n");
	EXPECT(ex("n", 1), "restart n; spawn n; timer n 5000");
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	notify("root", "n", SV_PERMANENT, 5000);
	actor("root", "m", SV_PERMANENT);
	end_new_tree();
	EXPECT(reload(), "operator reload root");
	EXPECT(ready("n"), "timer n off; ready n; stop a; SIGTERM a; timer a 2000");
	EXPECT(killed("a", SIGTERM), "retire a; reloaded root; spawn m; ready m");
}
END_TEST

/* A child waiting for its backoff that the reload removes just leaves. */
START_TEST(removing_a_child_that_backs_off)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	ck_assert_int_eq(sv_set_backoff(N("a"), &(struct sv_backoff){ 500, 500, 0 }), 0);
	seal();
	boot();
	EXPECT(ex("a", 1), "restart a after 500; timer root 500");
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "b", SV_PERMANENT);
	end_new_tree();
	EXPECT(reload(), "operator reload root; timer root off; retire a; reloaded root");
}
END_TEST

/* one_for_all restarts its group in order once the failed child's
 * backoff is over: a child a reload adds after the group waits for it.
 * The old tree started the added child at once, before the children
 * declared ahead of it. */
START_TEST(an_added_child_waits_for_the_group_backing_off_before_it)
{
	sup(NULL, "root", SV_ONE_FOR_ALL, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	ck_assert_int_eq(sv_set_backoff(N("b"), &(struct sv_backoff){ 500, 500, 0 }), 0);
	seal();
	boot();
	AUTO_EXIT = true;
	EXPECT(ex("b", 1), "restart b after 500; timer root 500; stop a; SIGTERM a; timer a 2000");
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ALL, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	actor("root", "n", SV_PERMANENT);
	end_new_tree();
	EXPECT(reload(), "operator reload root; reloaded root");
	ck_assert_str_eq(states("root"), "a:waiting b:waiting n:waiting");
	NOW = 500;
	EXPECT(fire("root"), "spawn a; ready a; spawn b; ready b; spawn n; ready n");
}
END_TEST

/* A supervisor that is down takes its new children at once, and starts
 * them when it starts. */
START_TEST(a_supervisor_that_is_down_takes_them_at_once)
{
	shop(false);
	AUTO_EXIT = true;
	op(SV_OP_STOP, "s");
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 1000);
	actor("root", "a", SV_PERMANENT);
	sup("root", "s", SV_ONE_FOR_ALL, 1, 1000);
	actor("s", "w", SV_PERMANENT);
	actor("s", "y", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	end_new_tree();
	EXPECT(reload(), "operator reload root; retire x; reloaded root");
	EXPECT(op(SV_OP_START, "s"), "operator start s; start s; spawn w; ready w; spawn y; ready y; ready s");
}
END_TEST

START_TEST(one_reload_at_a_time)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	seal();
	boot();
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	end_new_tree();
	EXPECT(reload(), "operator reload root; stop a; SIGTERM a; timer a 2000");

	struct sv_plan p = { 0 };
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	end_new_tree();
	errno = 0;
	ck_assert_int_eq(sv_reload_plan(T, NT, &p), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_int_eq(sv_reload_prepare(T, NT, &p), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_int_eq(sv_operator_check(T, SV_OP_RESTART, N("a"), 0), -ESRCH);
	EXPECT(killed("a", SIGTERM), "retire a; reloaded root");
	ck_assert_int_eq(sv_reload_plan(T, NT, &p), 0);
	sv_plan_fini(&p);
}
END_TEST

/* A tree freed with a reload prepared, or half applied, leaks nothing
 * (the sanitizers' leak check sees to it). */
START_TEST(freeing_in_the_middle)
{
	struct sv_plan p = { 0 };

	shop(false);
	new_tree();
	sup(NULL, "root", SV_ONE_FOR_ONE, 3, 1000);
	sup("root", "t", SV_ONE_FOR_ONE, 1, 1000);
	actor("t", "p", SV_PERMANENT);
	end_new_tree();
	ck_assert_int_eq(sv_reload_plan(T, NT, &p), 0);
	ck_assert_int_eq(sv_reload_prepare(T, NT, &p), 0);
	if (_i == 1)	/* applied: stops under way, t waits to be installed */
		run((struct sv_event){ .kind = SV_EV_RELOAD });
	sv_plan_fini(&p);
}
END_TEST

START_TEST(plan_kind_names)
{
	ck_assert_str_eq(sv_plan_kind_name(SV_PLAN_KEEP), "keep");
	ck_assert_str_eq(sv_plan_kind_name(SV_PLAN_REMOVE), "remove");
	ck_assert_str_eq(sv_plan_kind_name((enum sv_plan_kind)42), "?");
	ck_assert_str_eq(sv_report_name(SV_REPORT_RELOADED), "reloaded");
	ck_assert_str_eq(sv_stop_why_name(SV_WHY_RELOAD), "reload");
	ck_assert_str_eq(sv_op_name(SV_OP_RELOAD), "reload");
}
END_TEST

/* ================================================================
 * random walk: reloads to random trees with the same names
 * ================================================================ */

static void random_more(unsigned *seed, struct sv_node *n)
{
	if (rnd(seed, 3) || T->nnodes + 20 >= MAXN || T->reshapes) {
		run((struct sv_event){ .kind = SV_EV_OPERATOR, .node = n, .op = (enum sv_op)rnd(seed, 4),
			.sig = SIGKILL });
		return;
	}
	new_tree();
	random_tree_unsealed(seed);
	end_new_tree();
	for (unsigned i = 0; i < NT->nnodes; i++)
		NT->nodes[i]->changed = rnd(seed, 4) == 0;
	ck_assert_msg(strncmp(reload(), "operator reload root", 20) == 0, "reload did not report");
}

START_TEST(random_walk_with_reloads_keeps_invariants)
{
	random_walk(11000 + (unsigned)_i, 30, random_more);
}
END_TEST

static Suite *reload_suite(void)
{
	Suite *s = suite_create("reload");
	TCase *tc;

	tc = tree_tcase(s, "plan");
	tcase_add_test(tc, the_same_tree_keeps_everything);
	tcase_add_test(tc, plan_of_every_kind);
	tcase_add_test(tc, plan_sees_settings_changes);
	tcase_add_test(tc, plan_sees_each_setting_alone);
	tcase_add_test(tc, a_renamed_root_is_a_change);
	tcase_add_test(tc, a_changed_flag_is_a_restart);
	tcase_add_test(tc, plan_of_a_move);
	tcase_add_test(tc, plan_kind_names);

	tc = tree_tcase(s, "apply");
	tcase_add_test(tc, an_added_child_starts_in_its_declared_place);
	tcase_add_test(tc, removed_children_stop_in_reverse_and_leave);
	tcase_add_test(tc, a_changed_child_restarts_alone);
	tcase_add_test(tc, reloads_without_end_keep_the_node_table_the_trees_size);
	tcase_add_test(tc, settings_change_without_restarts);
	tcase_add_test(tc, a_lower_intensity_keeps_the_newest_restarts);
	tcase_add_test(tc, an_added_supervisor_starts_with_its_subtree);
	tcase_add_test(tc, a_moved_child_starts_after_the_old_one_left);
	tcase_add_test(tc, a_replacement_stays_down_as_its_predecessor);
	tcase_add_test(tc, a_pool_grows_and_shrinks);
	tcase_add_test(tc, a_new_order_applies_from_now_on);
	tcase_add_test(tc, kept_nodes_take_the_new_names);
	tcase_add_test(tc, a_new_restart_type_may_start_a_child);
	tcase_add_test(tc, an_added_temporary_that_fails_to_start_stays_down);

	tc = tree_tcase(s, "busy");
	tcase_add_test(tc, exits_queued_during_a_reload_are_handled_after_it);
	tcase_add_test(tc, a_busy_supervisor_reloads_after_its_start);
	tcase_add_test(tc, removing_a_child_that_backs_off);
	tcase_add_test(tc, an_added_child_waits_for_the_group_backing_off_before_it);
	tcase_add_test(tc, a_supervisor_that_is_down_takes_them_at_once);
	tcase_add_test(tc, one_reload_at_a_time);
	tcase_add_loop_test(tc, freeing_in_the_middle, 0, 2);

	tc = tree_tcase(s, "random");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, random_walk_with_reloads_keeps_invariants, 0, 20);
	return s;
}

const struct test_suite test_suite = { .suite = reload_suite };
