/* The pure decision core: feed events with a fake clock, assert the exact
 * action sequences (tests/unit/tree_harness.h renders them). */
#include <check.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/runner.h"
#include "tests/unit/tree_harness.h"

/* ================================================================
 * start
 * ================================================================ */

START_TEST(boot_starts_in_declaration_order_each_after_ready)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 1000);
	actor("root", "a", SV_PERMANENT);
	notify("root", "b", SV_PERMANENT, 5000);
	actor("root", "c", SV_PERMANENT);
	seal();

	/* b is notify-ready: c must wait for it */
	EXPECT(boot(), "start root; spawn a; ready a; spawn b; timer b 5000");
	ck_assert_str_eq(states("root"), "a:up b:starting c:down");
	NOW = 4999;
	EXPECT(ready("b"), "timer b off; ready b; spawn c; ready c; ready root; TREE_READY");
	EXPECT(ready("b"), "");		/* a second READY=1 is nothing */
	ck_assert_str_eq(states("root"), "a:up b:up c:up");
}
END_TEST

START_TEST(notify_without_start_timeout_arms_no_timer)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 1000);
	notify("root", "a", SV_PERMANENT, 0);
	seal();

	EXPECT(boot(), "start root; spawn a");
	EXPECT(ready("a"), "ready a; ready root; TREE_READY");
}
END_TEST

START_TEST(boot_nested_supervisors_depth_first)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 1000);
	actor("root", "a", SV_PERMANENT);
	sup("root", "s", SV_ONE_FOR_ALL, 1, 1000);
	notify("s", "b", SV_PERMANENT, 3000);
	actor("s", "c", SV_PERMANENT);
	actor("root", "d", SV_PERMANENT);
	seal();

	EXPECT(boot(), "start root; spawn a; ready a; start s; spawn b; timer b 3000");
	EXPECT(ready("b"), "timer b off; ready b; spawn c; ready c; ready s; spawn d; ready d; "
	       "ready root; TREE_READY");
}
END_TEST

START_TEST(boot_root_with_zero_children)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 1000);
	seal();

	EXPECT(boot(), "start root; ready root; TREE_READY");
	EXPECT(boot(), "");	/* already up */
	EXPECT(shutdown_tree(), "stop root; TREE_DOWN shutdown");
	EXPECT(boot(), "");	/* down for good */
	EXPECT(shutdown_tree(), "");
}
END_TEST

START_TEST(boot_and_stop_an_empty_sub_supervisor)
{
	sup(NULL, "root", SV_ONE_FOR_ALL, 1, 1000);
	actor("root", "a", SV_PERMANENT);
	sup("root", "empty", SV_ONE_FOR_ONE, 1, 1000);
	actor("root", "b", SV_PERMANENT);
	seal();

	AUTO_EXIT = true;
	EXPECT(boot(), "start root; spawn a; ready a; start empty; ready empty; spawn b; ready b; "
	       "ready root; TREE_READY");
	/* one_for_all: the empty supervisor is stopped and started with the rest */
	EXPECT(ex("b", 1), "restart b; stop empty; stop a; SIGTERM a; timer a 2000; "
	       "spawn a; ready a; start empty; ready empty; spawn b; ready b");
	EXPECT(shutdown_tree(), "stop root; stop b; SIGTERM b; timer b 2000; stop empty; "
	       "stop a; SIGTERM a; timer a 2000; TREE_DOWN shutdown");
}
END_TEST

/* A child that dies before it is ready fails the boot: the ones already
 * started are stopped in reverse order, and the daemon exits 1. */
START_TEST(boot_failure_unwinds_in_reverse_order)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	notify("root", "c", SV_PERMANENT, 1000);
	actor("root", "d", SV_PERMANENT);
	seal();

	DETAIL = true;
	EXPECT(boot(), "start root; spawn a; ready a; spawn b; ready b; spawn c; timer c 1000");
	/* a status-0 exit before ready is a failed start too; nothing is restarted */
	EXPECT(ex("c", 0), "stop b (start_failed c); SIGTERM b; timer b 2000");
	EXPECT(killed("b", SIGTERM), "stop a (start_failed c); SIGTERM a; timer a 2000");
	EXPECT(killed("a", SIGTERM), "TREE_DOWN start_failed");
	ck_assert_str_eq(states("root"), "a:down b:down c:down d:down");
}
END_TEST

START_TEST(boot_start_timeout_kills_and_unwinds)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	notify("root", "b", SV_PERMANENT, 1000);
	seal();

	DETAIL = true;
	EXPECT(boot(), "start root; spawn a; ready a; spawn b; timer b 1000");
	NOW = 1000;
	EXPECT(fire("b"), "stop b (start_timeout); SIGKILL b");
	EXPECT(ready("b"), "");		/* too late */
	EXPECT(killed("b", SIGKILL), "stop a (start_failed b); SIGTERM a; timer a 2000");
	EXPECT(killed("a", SIGTERM), "TREE_DOWN start_failed");
}
END_TEST

START_TEST(boot_exec_failure_fails_the_boot)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	actor_full("root", "b", SV_PERMANENT, 2000, SV_READY_NOTIFY, 1000);
	seal();

	EXPECT(boot(), "start root; spawn a; ready a; spawn b; timer b 1000");
	/* the process layer reports a failed spawn as an exit */
	EXPECT(run((struct sv_event){ .kind = SV_EV_EXIT, .node = N("b"),
		.exit = { .kind = SV_EXIT_EXEC_FAILED, .value = 2, .before_ready = true } }),
	       "stop a; SIGTERM a; timer a 2000");
	AUTO_EXIT = true;
	EXPECT(fire("a"), "SIGKILL a; TREE_DOWN start_failed");
}
END_TEST

/* A sub-supervisor failing its boot fails its parent's boot. */
START_TEST(boot_failure_in_a_sub_supervisor_fails_the_tree)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	sup("root", "s", SV_ONE_FOR_ONE, 5, 1000);
	actor("s", "b", SV_PERMANENT);
	notify("s", "c", SV_PERMANENT, 1000);
	actor("root", "d", SV_PERMANENT);
	seal();

	AUTO_EXIT = true;
	DETAIL = true;
	EXPECT(boot(), "start root; spawn a; ready a; start s; spawn b; ready b; spawn c; timer c 1000");
	EXPECT(killed("c", SIGSEGV),
	       "stop b (start_failed c); SIGTERM b; timer b 2000; "
	       "stop a (start_failed s); SIGTERM a; timer a 2000; TREE_DOWN start_failed");
}
END_TEST

/* A child that was ready and dies while its supervisor is still booting the
 * later ones: handled after the boot, as OTP handles the EXIT after init. */
START_TEST(exit_during_boot_is_handled_after_it)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	notify("root", "b", SV_PERMANENT, 1000);
	seal();

	EXPECT(boot(), "start root; spawn a; ready a; spawn b; timer b 1000");
	EXPECT(ex("a", 1), "");
	EXPECT(ready("b"), "timer b off; ready b; ready root; TREE_READY; restart a; spawn a; ready a");
}
END_TEST

/* ================================================================
 * strategy x restart type x exit kind
 *
 * Children: a permanent, b <restart> (the one that exits), c transient,
 * d temporary. Every signalled actor dies at once (AUTO_EXIT).
 * ================================================================ */

/* exit 0; exit 1; exit 255 (any N != 0); a crash signal; SIGTERM from
 * outside (not the supervisor's own stop: a failure like any signal) */
enum xk { X_ST0, X_ST1, X_ST255, X_SEGV, X_TERM, X_KINDS };
static const char *const xname[X_KINDS] = {
	"status 0", "status 1", "status 255", "signal 11", "signal 15",
};

static const struct strategy_row {
	enum sv_strategy strategy;
	enum sv_restart restart;
	enum xk exit;
	const char *stops;	/* in the order they are stopped */
	const char *starts;	/* in the order they are started */
	const char *after;	/* children states afterwards */
} strategy_rows[] = {
#define UP4 "a:up b:up c:up d:up"
#define BDN "a:up b:down c:up d:up"
#define DDN "a:up b:up c:up d:down"
	/* one_for_one: only b, and only if its restart type says so */
	{ SV_ONE_FOR_ONE, SV_PERMANENT, X_ST0, "", "b", UP4 },
	{ SV_ONE_FOR_ONE, SV_PERMANENT, X_ST1, "", "b", UP4 },
	{ SV_ONE_FOR_ONE, SV_PERMANENT, X_ST255, "", "b", UP4 },
	{ SV_ONE_FOR_ONE, SV_PERMANENT, X_SEGV, "", "b", UP4 },
	{ SV_ONE_FOR_ONE, SV_PERMANENT, X_TERM, "", "b", UP4 },
	{ SV_ONE_FOR_ONE, SV_TRANSIENT, X_ST0, NULL, NULL, BDN },
	{ SV_ONE_FOR_ONE, SV_TRANSIENT, X_ST1, "", "b", UP4 },
	{ SV_ONE_FOR_ONE, SV_TRANSIENT, X_ST255, "", "b", UP4 },
	{ SV_ONE_FOR_ONE, SV_TRANSIENT, X_SEGV, "", "b", UP4 },
	{ SV_ONE_FOR_ONE, SV_TRANSIENT, X_TERM, "", "b", UP4 },
	{ SV_ONE_FOR_ONE, SV_TEMPORARY, X_ST0, NULL, NULL, BDN },
	{ SV_ONE_FOR_ONE, SV_TEMPORARY, X_ST1, NULL, NULL, BDN },
	{ SV_ONE_FOR_ONE, SV_TEMPORARY, X_ST255, NULL, NULL, BDN },
	{ SV_ONE_FOR_ONE, SV_TEMPORARY, X_SEGV, NULL, NULL, BDN },
	{ SV_ONE_FOR_ONE, SV_TEMPORARY, X_TERM, NULL, NULL, BDN },
	/* one_for_all: everyone else stopped in reverse, all started in order;
	 * the temporary d is terminated and not started again */
	{ SV_ONE_FOR_ALL, SV_PERMANENT, X_ST0, "d c a", "a b c", DDN },
	{ SV_ONE_FOR_ALL, SV_PERMANENT, X_ST1, "d c a", "a b c", DDN },
	{ SV_ONE_FOR_ALL, SV_PERMANENT, X_ST255, "d c a", "a b c", DDN },
	{ SV_ONE_FOR_ALL, SV_PERMANENT, X_SEGV, "d c a", "a b c", DDN },
	{ SV_ONE_FOR_ALL, SV_PERMANENT, X_TERM, "d c a", "a b c", DDN },
	{ SV_ONE_FOR_ALL, SV_TRANSIENT, X_ST0, NULL, NULL, BDN },
	{ SV_ONE_FOR_ALL, SV_TRANSIENT, X_ST1, "d c a", "a b c", DDN },
	{ SV_ONE_FOR_ALL, SV_TRANSIENT, X_ST255, "d c a", "a b c", DDN },
	{ SV_ONE_FOR_ALL, SV_TRANSIENT, X_SEGV, "d c a", "a b c", DDN },
	{ SV_ONE_FOR_ALL, SV_TRANSIENT, X_TERM, "d c a", "a b c", DDN },
	{ SV_ONE_FOR_ALL, SV_TEMPORARY, X_ST0, NULL, NULL, BDN },
	{ SV_ONE_FOR_ALL, SV_TEMPORARY, X_ST1, NULL, NULL, BDN },
	{ SV_ONE_FOR_ALL, SV_TEMPORARY, X_ST255, NULL, NULL, BDN },
	{ SV_ONE_FOR_ALL, SV_TEMPORARY, X_SEGV, NULL, NULL, BDN },
	{ SV_ONE_FOR_ALL, SV_TEMPORARY, X_TERM, NULL, NULL, BDN },
	/* rest_for_one: the ones declared after b */
	{ SV_REST_FOR_ONE, SV_PERMANENT, X_ST0, "d c", "b c", DDN },
	{ SV_REST_FOR_ONE, SV_PERMANENT, X_ST1, "d c", "b c", DDN },
	{ SV_REST_FOR_ONE, SV_PERMANENT, X_ST255, "d c", "b c", DDN },
	{ SV_REST_FOR_ONE, SV_PERMANENT, X_SEGV, "d c", "b c", DDN },
	{ SV_REST_FOR_ONE, SV_PERMANENT, X_TERM, "d c", "b c", DDN },
	{ SV_REST_FOR_ONE, SV_TRANSIENT, X_ST0, NULL, NULL, BDN },
	{ SV_REST_FOR_ONE, SV_TRANSIENT, X_ST1, "d c", "b c", DDN },
	{ SV_REST_FOR_ONE, SV_TRANSIENT, X_ST255, "d c", "b c", DDN },
	{ SV_REST_FOR_ONE, SV_TRANSIENT, X_SEGV, "d c", "b c", DDN },
	{ SV_REST_FOR_ONE, SV_TRANSIENT, X_TERM, "d c", "b c", DDN },
	{ SV_REST_FOR_ONE, SV_TEMPORARY, X_ST0, NULL, NULL, BDN },
	{ SV_REST_FOR_ONE, SV_TEMPORARY, X_ST1, NULL, NULL, BDN },
	{ SV_REST_FOR_ONE, SV_TEMPORARY, X_ST255, NULL, NULL, BDN },
	{ SV_REST_FOR_ONE, SV_TEMPORARY, X_SEGV, NULL, NULL, BDN },
	{ SV_REST_FOR_ONE, SV_TEMPORARY, X_TERM, NULL, NULL, BDN },
#undef UP4
#undef BDN
#undef DDN
};

static void append(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

START_TEST(strategy_table)
{
	const struct strategy_row *row = &strategy_rows[_i];
	char expect[1024] = "", list[64], *tok, *save;
	const char *got;

	sup(NULL, "root", row->strategy, 10, 10000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", row->restart);
	actor("root", "c", SV_TRANSIENT);
	actor("root", "d", SV_TEMPORARY);
	seal();
	AUTO_EXIT = true;
	DETAIL = true;
	EXPECT(boot(), "start root; spawn a; ready a; spawn b; ready b; spawn c; ready c; "
	       "spawn d; ready d; ready root; TREE_READY");

	if (row->stops) {
		append(expect, sizeof expect, "restart b (%s)", xname[row->exit]);
		snprintf(list, sizeof list, "%s", row->stops);
		for (tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			append(expect, sizeof expect, "; stop %s (sibling b)", tok);
			append(expect, sizeof expect, "; SIGTERM %s", tok);
			append(expect, sizeof expect, "; timer %s 2000", tok);
		}
		snprintf(list, sizeof list, "%s", row->starts);
		for (tok = strtok_r(list, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			append(expect, sizeof expect, "; spawn %s", tok);
			append(expect, sizeof expect, "; ready %s", tok);
		}
	}
	NOW = 100;
	switch (row->exit) {
	case X_ST0: got = ex("b", 0); break;
	case X_ST1: got = ex("b", 1); break;
	case X_ST255: got = ex("b", 255); break;
	case X_SEGV: got = killed("b", SIGSEGV); break;
	default: got = killed("b", SIGTERM); break;
	}
	ck_assert_msg(strcmp(got, expect) == 0, "row %d:\n got    \"%s\"\n expect \"%s\"", _i, got, expect);
	ck_assert_msg(strcmp(states("root"), row->after) == 0, "row %d: states %s, expected %s",
		      _i, states("root"), row->after);
}
END_TEST

/* In one_for_all / rest_for_one a transient child that had ended normally is
 * started again with the others (OTP keeps its spec, pid undefined); a
 * temporary one that ended is not. */
START_TEST(group_restart_starts_a_normally_exited_transient_again)
{
	sup(NULL, "root", SV_REST_FOR_ONE, 10, 10000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "t", SV_TRANSIENT);
	actor("root", "tmp", SV_TEMPORARY);
	actor("root", "z", SV_PERMANENT);
	seal();
	AUTO_EXIT = true;
	boot();
	EXPECT(ex("t", 0), "");
	EXPECT(ex("tmp", 0), "");
	ck_assert_str_eq(states("root"), "a:up t:down tmp:down z:up");
	EXPECT(ex("a", 3), "restart a; stop z; SIGTERM z; timer z 2000; "
	       "spawn a; ready a; spawn t; ready t; spawn z; ready z");
	ck_assert_str_eq(states("root"), "a:up t:up tmp:down z:up");
}
END_TEST

/* rest_for_one leaves the ones before the failed child alone, temporary or not. */
START_TEST(rest_for_one_leaves_earlier_children_alone)
{
	sup(NULL, "root", SV_REST_FOR_ONE, 10, 10000);
	actor("root", "tmp", SV_TEMPORARY);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	actor("root", "c", SV_PERMANENT);
	seal();
	AUTO_EXIT = true;
	boot();
	EXPECT(killed("b", SIGABRT), "restart b; stop c; SIGTERM c; timer c 2000; "
	       "spawn b; ready b; spawn c; ready c");
	ck_assert_str_eq(states("root"), "tmp:up a:up b:up c:up");
	EXPECT(ex("c", 1), "restart c; spawn c; ready c");	/* last: just itself */
}
END_TEST


/* ================================================================
 * restart types of a sub-supervisor that gives up
 *
 * root <strategy> (intensity 1): a, s <restart> (intensity 0, child x), z.
 * x crashes: s gives up and escalates. A permanent s is a failed child of
 * root (restarted per root's strategy, and counted: a later crash of z is
 * one restart too many). A transient or temporary s stays down and is not
 * counted (z's crash is an ordinary restart): OTP's supervisor that gives
 * up exits with reason shutdown, which restarts neither. A transient s
 * keeps its place, so a one_for_all restart starts it again; the old tree
 * restarted a transient s as a permanent one.
 * ================================================================ */

#define GIVE_UP_S "give_up s (x status 1); escalate s (gave_up)"
#define ROOT_GIVES_UP "give_up root (z status 1); stop s (give_up root); stop x (give_up root); " \
	"SIGTERM x; timer x 2000; stop a (give_up root); SIGTERM a; timer a 2000; TREE_DOWN gave_up"

static const struct subsup_row {
	enum sv_strategy strategy;
	enum sv_restart restart;
	const char *escalation;	/* what x's crash does */
	const char *after;	/* root's children afterwards */
	const char *z_crash;	/* what a crash of z does next */
} subsup_rows[] = {
	{ SV_ONE_FOR_ONE, SV_PERMANENT,
	  GIVE_UP_S "; restart s (gave_up); start s; spawn x; ready x; ready s",
	  "a:up s:up z:up", ROOT_GIVES_UP },
	{ SV_ONE_FOR_ONE, SV_TRANSIENT, GIVE_UP_S,
	  "a:up s:down z:up", "restart z (status 1); spawn z; ready z" },
	{ SV_ONE_FOR_ONE, SV_TEMPORARY, GIVE_UP_S,
	  "a:up s:down z:up", "restart z (status 1); spawn z; ready z" },
	{ SV_ONE_FOR_ALL, SV_PERMANENT,
	  GIVE_UP_S "; restart s (gave_up); stop z (sibling s); SIGTERM z; timer z 2000; "
	  "stop a (sibling s); SIGTERM a; timer a 2000; spawn a; ready a; start s; spawn x; ready x; "
	  "ready s; spawn z; ready z",
	  "a:up s:up z:up", ROOT_GIVES_UP },
	{ SV_ONE_FOR_ALL, SV_TRANSIENT, GIVE_UP_S,
	  "a:up s:down z:up",
	  "restart z (status 1); stop a (sibling z); SIGTERM a; timer a 2000; spawn a; ready a; "
	  "start s; spawn x; ready x; ready s; spawn z; ready z" },
	{ SV_ONE_FOR_ALL, SV_TEMPORARY, GIVE_UP_S,
	  "a:up s:down z:up",
	  "restart z (status 1); stop a (sibling z); SIGTERM a; timer a 2000; spawn a; ready a; "
	  "spawn z; ready z" },
	{ SV_REST_FOR_ONE, SV_PERMANENT,
	  GIVE_UP_S "; restart s (gave_up); stop z (sibling s); SIGTERM z; timer z 2000; "
	  "start s; spawn x; ready x; ready s; spawn z; ready z",
	  "a:up s:up z:up", ROOT_GIVES_UP },
	{ SV_REST_FOR_ONE, SV_TRANSIENT, GIVE_UP_S,
	  "a:up s:down z:up", "restart z (status 1); spawn z; ready z" },
	{ SV_REST_FOR_ONE, SV_TEMPORARY, GIVE_UP_S,
	  "a:up s:down z:up", "restart z (status 1); spawn z; ready z" },
};

#undef GIVE_UP_S
#undef ROOT_GIVES_UP

START_TEST(sub_supervisor_restart_type_table)
{
	const struct subsup_row *row = &subsup_rows[_i];

	sup(NULL, "root", row->strategy, 1, 100000);
	actor("root", "a", SV_PERMANENT);
	sup_r("root", "s", SV_ONE_FOR_ONE, 0, 1000, row->restart);
	actor("s", "x", SV_PERMANENT);
	actor("root", "z", SV_PERMANENT);
	seal();
	AUTO_EXIT = true;
	DETAIL = true;
	EXPECT(boot(), "start root; spawn a; ready a; start s; spawn x; ready x; ready s; "
	       "spawn z; ready z; ready root; TREE_READY");
	NOW = 10;
	EXPECT(ex("x", 1), row->escalation);
	ck_assert_str_eq(states("root"), row->after);
	NOW = 20;
	EXPECT(ex("z", 1), row->z_crash);
}
END_TEST

/* ================================================================
 * temporary children
 * ================================================================ */

/* Terminated by a sibling's one_for_all restart: not started again, by that
 * restart or the next ones, until its supervisor itself is restarted. */
START_TEST(temporary_child_stays_down_until_its_supervisor_restarts)
{
	sup(NULL, "root", SV_ONE_FOR_ALL, 10, 10000);
	sup("root", "s", SV_ONE_FOR_ALL, 10, 10000);
	actor("s", "p", SV_PERMANENT);
	actor("s", "tmp", SV_TEMPORARY);
	actor("s", "q", SV_PERMANENT);
	actor("root", "w", SV_PERMANENT);
	seal();
	AUTO_EXIT = true;
	boot();

	EXPECT(ex("q", 1), "restart q; stop tmp; SIGTERM tmp; timer tmp 2000; stop p; SIGTERM p; "
	       "timer p 2000; spawn p; ready p; spawn q; ready q");
	ck_assert_str_eq(states("s"), "p:up tmp:down q:up");
	EXPECT(ex("p", 1), "restart p; stop q; SIGTERM q; timer q 2000; spawn p; ready p; "
	       "spawn q; ready q");
	ck_assert_str_eq(states("s"), "p:up tmp:down q:up");
	/* root restarts s: a new incarnation of s starts tmp again */
	EXPECT(ex("w", 1), "restart w; stop s; stop q; SIGTERM q; timer q 2000; stop p; SIGTERM p; "
	       "timer p 2000; start s; spawn p; ready p; spawn tmp; ready tmp; spawn q; ready q; "
	       "ready s; spawn w; ready w");
	ck_assert_str_eq(states("s"), "p:up tmp:up q:up");
}
END_TEST

/* A temporary child that ended is not stopped at shutdown (it is down). */
START_TEST(removed_temporary_child_is_skipped_at_shutdown)
{
	sup(NULL, "root", SV_ONE_FOR_ALL, 10, 10000);
	sup("root", "s", SV_ONE_FOR_ONE, 10, 10000);
	actor("s", "tmp", SV_TEMPORARY);
	actor("s", "p", SV_PERMANENT);
	actor("root", "w", SV_PERMANENT);
	seal();
	AUTO_EXIT = true;
	boot();

	EXPECT(ex("tmp", 1), "");	/* never restarted, no restart counted */
	EXPECT(shutdown_tree() , "stop root; stop w; SIGTERM w; timer w 2000; stop s; "
	       "stop p; SIGTERM p; timer p 2000; TREE_DOWN shutdown");
}
END_TEST

START_TEST(temporary_child_restarted_with_its_supervisor)
{
	sup(NULL, "root", SV_ONE_FOR_ALL, 10, 10000);
	sup("root", "s", SV_ONE_FOR_ONE, 10, 10000);
	actor("s", "tmp", SV_TEMPORARY);
	actor("s", "p", SV_PERMANENT);
	actor("root", "w", SV_PERMANENT);
	seal();
	AUTO_EXIT = true;
	boot();

	EXPECT(ex("tmp", 1), "");
	ck_assert_str_eq(states("s"), "tmp:down p:up");
	/* root's one_for_all restarts s: a new incarnation starts tmp again */
	EXPECT(ex("w", 1), "restart w; stop s; stop p; SIGTERM p; timer p 2000; "
	       "start s; spawn tmp; ready tmp; spawn p; ready p; ready s; spawn w; ready w");
	ck_assert_str_eq(states("s"), "tmp:up p:up");
}
END_TEST

/* A temporary exit is never a restart: it does not count towards intensity. */
START_TEST(normal_and_temporary_exits_do_not_count)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 0, 10000);
	actor("root", "tmp", SV_TEMPORARY);
	actor("root", "t", SV_TRANSIENT);
	seal();
	boot();
	EXPECT(killed("tmp", SIGKILL), "");
	EXPECT(ex("t", 0), "");
	ck_assert_str_eq(states("root"), "tmp:down t:down");
	EXPECT(shutdown_tree(), "stop root; TREE_DOWN shutdown");
}
END_TEST

/* ================================================================
 * intensity
 * ================================================================ */

/* intensity 2 in 1000 ms: restarts at 0 and 500, then one at exactly 1000
 * still sees the one at 0 (R >= now - period): three, give up. */
START_TEST(intensity_restart_on_the_period_boundary_counts)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 2, 1000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	seal();
	AUTO_EXIT = true;
	DETAIL = true;
	boot();
	NOW = 0;
	EXPECT(ex("b", 1), "restart b (status 1); spawn b; ready b");
	NOW = 500;
	EXPECT(ex("b", 1), "restart b (status 1); spawn b; ready b");
	NOW = 1000;
	EXPECT(killed("b", SIGSEGV), "give_up root (b signal 11); stop a (give_up root); SIGTERM a; "
	       "timer a 2000; TREE_DOWN gave_up");
}
END_TEST

START_TEST(intensity_restart_just_outside_the_period_expires)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 2, 1000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	seal();
	AUTO_EXIT = true;
	boot();
	NOW = 0;
	EXPECT(ex("b", 1), "restart b; spawn b; ready b");
	NOW = 500;
	EXPECT(ex("a", 1), "restart a; spawn a; ready a");	/* any child counts */
	NOW = 1001;
	EXPECT(ex("b", 1), "restart b; spawn b; ready b");	/* 0 expired: 500, 1001 */
	NOW = 1500;
	EXPECT(ex("b", 1), "give_up root; stop a; SIGTERM a; timer a 2000; TREE_DOWN gave_up");
}
END_TEST

START_TEST(intensity_zero_gives_up_at_the_first_restart)
{
	sup(NULL, "root", SV_ONE_FOR_ALL, 0, 1000);
	actor("root", "a", SV_PERMANENT);
	actor_full("root", "b", SV_PERMANENT, SV_SHUTDOWN_BRUTAL_KILL, SV_READY_EXEC, 0);
	actor("root", "c", SV_TRANSIENT);
	seal();
	AUTO_EXIT = true;
	boot();
	NOW = 5000000;
	EXPECT(ex("a", 0), "give_up root; stop c; SIGTERM c; timer c 2000; stop b; SIGKILL b; "
	       "TREE_DOWN gave_up");
}
END_TEST

/* The sliding window, table-driven: crashes alternate between a and b (any
 * child counts) at the given times; the one at index give_up (-1: none) is
 * the one too many. A restart at R still counts at now iff R >= now - period. */
static const struct window_row {
	unsigned intensity;
	long period_ms;
	int n;
	int64_t at[8];
	int give_up;
} window_rows[] = {
	{ 2, 1000, 3, { 0, 500, 1000 }, 2 },			/* boundary counts */
	{ 2, 1000, 4, { 0, 500, 1001, 1500 }, 3 },		/* 0 slid out at 1001 */
	{ 2, 1000, 7, { 0, 400, 1401, 1800, 2402, 2801, 2900 }, 6 },	/* slides, then a burst */
	{ 1, 5000, 2, { 0, 5000 }, 1 },
	{ 1, 5000, 3, { 0, 5001, 10001 }, 2 },
	{ 3, 100, 4, { 7, 7, 7, 7 }, 3 },			/* same instant */
	{ 0, 1000, 1, { 0 }, 0 },
	{ 3, 1000, 8, { 0, 1001, 2002, 3003, 4004, 5005, 6006, 7007 }, -1 },	/* steady, never */
	{ 4, 10000, 5, { 0, 2500, 5000, 7500, 10000 }, 4 },
	{ 4, 10000, 5, { 0, 2500, 5000, 7500, 10001 }, -1 },
};

START_TEST(intensity_window_table)
{
	const struct window_row *row = &window_rows[_i];
	char expect[256];

	sup(NULL, "root", SV_ONE_FOR_ONE, row->intensity, row->period_ms);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	seal();
	AUTO_EXIT = true;
	DETAIL = true;
	boot();
	for (int i = 0; i < row->n; i++) {
		const char *c = i % 2 ? "b" : "a", *other = i % 2 ? "a" : "b";
		const char *got;

		NOW = row->at[i];
		if (i == row->give_up)
			snprintf(expect, sizeof expect, "give_up root (%s status 1); stop %s (give_up root); "
				 "SIGTERM %s; timer %s 2000; TREE_DOWN gave_up", c, other, other, other);
		else
			snprintf(expect, sizeof expect, "restart %s (status 1); spawn %s; ready %s", c, c, c);
		got = ex(c, 1);
		ck_assert_msg(strcmp(got, expect) == 0, "row %d, crash %d at %lld:\n got    \"%s\"\n expect \"%s\"",
			      _i, i, (long long)NOW, got, expect);
		if (i == row->give_up)
			break;
	}
}
END_TEST

/* Grandchild crash loop: leaf gives up; mid restarts leaf (with a fresh
 * intensity history); leaf gives up again; mid gives up; root restarts mid;
 * ...; root gives up => TREE_DOWN gave_up. */
START_TEST(escalation_two_levels_deep)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 100000);
	actor("root", "x", SV_PERMANENT);
	sup("root", "mid", SV_ONE_FOR_ONE, 1, 100000);
	actor("mid", "y", SV_PERMANENT);
	sup("mid", "leaf", SV_ONE_FOR_ONE, 1, 100000);
	actor("leaf", "g", SV_PERMANENT);
	seal();
	AUTO_EXIT = true;
	DETAIL = true;
	EXPECT(boot(), "start root; spawn x; ready x; start mid; spawn y; ready y; start leaf; "
	       "spawn g; ready g; ready leaf; ready mid; ready root; TREE_READY");

	NOW = 10;
	EXPECT(ex("g", 1), "restart g (status 1); spawn g; ready g");	/* leaf: 1 */
	NOW = 20;
	EXPECT(ex("g", 1), "give_up leaf (g status 1); escalate leaf (gave_up); "
	       "restart leaf (gave_up); start leaf; spawn g; ready g; ready leaf");	/* mid: 1 */
	/* the new leaf has a fresh history: one more crash is a restart, not a give-up */
	NOW = 30;
	EXPECT(ex("g", 1), "restart g (status 1); spawn g; ready g");
	NOW = 40;
	EXPECT(ex("g", 1), "give_up leaf (g status 1); escalate leaf (gave_up); "
	       "give_up mid (leaf gave_up); stop y (give_up mid); SIGTERM y; timer y 2000; "
	       "escalate mid (gave_up); restart mid (gave_up); start mid; spawn y; ready y; "
	       "start leaf; spawn g; ready g; ready leaf; ready mid");	/* root: 1 */
	/* mid is fresh, leaf is fresh: two more leaf give-ups before mid gives up */
	NOW = 50;
	EXPECT(ex("g", 1), "restart g (status 1); spawn g; ready g");
	NOW = 60;
	EXPECT(ex("g", 1), "give_up leaf (g status 1); escalate leaf (gave_up); "
	       "restart leaf (gave_up); start leaf; spawn g; ready g; ready leaf");
	NOW = 70;
	EXPECT(ex("g", 1), "restart g (status 1); spawn g; ready g");
	NOW = 80;
	EXPECT(ex("g", 1), "give_up leaf (g status 1); escalate leaf (gave_up); "
	       "give_up mid (leaf gave_up); stop y (give_up mid); SIGTERM y; timer y 2000; "
	       "escalate mid (gave_up); give_up root (mid gave_up); stop x (give_up root); "
	       "SIGTERM x; timer x 2000; TREE_DOWN gave_up");
}
END_TEST

/* The give-up stop waits for each child in reverse order; the escalation
 * happens only once the supervisor is fully down. */
START_TEST(give_up_stops_in_reverse_and_escalates_when_down)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 100000);
	sup("root", "s", SV_ONE_FOR_ONE, 0, 1000);
	actor("s", "a", SV_PERMANENT);
	actor("s", "b", SV_PERMANENT);
	actor("s", "c", SV_PERMANENT);
	seal();
	boot();
	EXPECT(ex("b", 1), "give_up s; stop c; SIGTERM c; timer c 2000");
	EXPECT(ex("c", 0), "stop a; SIGTERM a; timer a 2000");
	NOW = 2000;
	EXPECT(fire("a"), "SIGKILL a");
	AUTO_EXIT = true;
	EXPECT(killed("a", SIGKILL), "escalate s; restart s; start s; spawn a; ready a; "
	       "spawn b; ready b; spawn c; ready c; ready s");
}
END_TEST

/* During a restart (not boot) a failed start is one more restart (OTP
 * try_again), and can make the supervisor give up. */
START_TEST(failed_start_during_restart_counts)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 2, 100000);
	actor("root", "a", SV_PERMANENT);
	notify("root", "b", SV_PERMANENT, 1000);
	seal();
	AUTO_EXIT = true;
	DETAIL = true;
	boot();
	ready("b");
	EXPECT(ex("b", 1), "restart b (status 1); spawn b; timer b 1000");		/* 1 */
	NOW = 1000;
	EXPECT(fire("b"), "stop b (start_timeout); SIGKILL b; "
	       "restart b (start_timeout); spawn b; timer b 1000");			/* 2 */
	NOW = 1500;
	EXPECT(ex("b", 0), "give_up root (b status 0 before_ready); stop a (give_up root); SIGTERM a; "
	       "timer a 2000; TREE_DOWN gave_up");						/* 3 */
}
END_TEST

START_TEST(failed_start_during_one_for_all_restart_restarts_all_again)
{
	sup(NULL, "root", SV_ONE_FOR_ALL, 5, 100000);
	actor("root", "a", SV_PERMANENT);
	notify("root", "b", SV_PERMANENT, 1000);
	actor("root", "c", SV_PERMANENT);
	seal();
	AUTO_EXIT = true;
	boot();
	ready("b");
	EXPECT(ex("c", 1), "restart c; stop b; SIGTERM b; timer b 2000; stop a; SIGTERM a; "
	       "timer a 2000; spawn a; ready a; spawn b; timer b 1000");
	EXPECT(ex("b", 1), "restart b; stop a; SIGTERM a; timer a 2000; spawn a; ready a; "
	       "spawn b; timer b 1000");
	EXPECT(ready("b"), "timer b off; ready b; spawn c; ready c");
}
END_TEST

/* A sub-supervisor that fails to start during its parent's restart is a
 * failed start of the parent's restart: counted, tried again. */
START_TEST(sub_supervisor_start_failure_during_restart_is_retried)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 3, 100000);
	sup("root", "s", SV_ONE_FOR_ONE, 0, 1000);
	notify("s", "a", SV_PERMANENT, 1000);
	seal();
	AUTO_EXIT = true;
	DETAIL = true;
	boot();
	EXPECT(ready("a"), "timer a off; ready a; ready s; ready root; TREE_READY");
	EXPECT(ex("a", 1), "give_up s (a status 1); escalate s (gave_up); restart s (gave_up); "
	       "start s; spawn a; timer a 1000");					/* root: 1 */
	EXPECT(ex("a", 1), "restart s (start_failed); start s; spawn a; timer a 1000");	/* 2 */
	EXPECT(ex("a", 1), "restart s (start_failed); start s; spawn a; timer a 1000");	/* 3 */
	EXPECT(ex("a", 1), "give_up root (s start_failed); TREE_DOWN gave_up");		/* 4 */
}
END_TEST

/* ================================================================
 * stop
 * ================================================================ */

START_TEST(shutdown_nested_tree_in_reverse_depth_first)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 1000);
	actor("root", "a", SV_PERMANENT);
	sup("root", "s1", SV_ONE_FOR_ONE, 1, 1000);
	actor("s1", "b", SV_PERMANENT);
	actor("s1", "c", SV_PERMANENT);
	actor("root", "d", SV_PERMANENT);
	sup("root", "s2", SV_REST_FOR_ONE, 1, 1000);
	sup("s2", "s3", SV_ONE_FOR_ALL, 1, 1000);
	actor("s3", "e", SV_PERMANENT);
	actor("s2", "f", SV_PERMANENT);
	seal();
	EXPECT(boot(), "start root; spawn a; ready a; start s1; spawn b; ready b; spawn c; ready c; "
	       "ready s1; spawn d; ready d; start s2; start s3; spawn e; ready e; ready s3; spawn f; "
	       "ready f; ready s2; ready root; TREE_READY");
	DETAIL = true;
	/* one at a time, each waited for */
	EXPECT(shutdown_tree(), "stop root (shutdown); stop s2 (shutdown); stop f (shutdown); "
	       "SIGTERM f; timer f 2000");
	EXPECT(ex("f", 0), "stop s3 (shutdown); stop e (shutdown); SIGTERM e; timer e 2000");
	EXPECT(killed("e", SIGTERM), "stop d (shutdown); SIGTERM d; timer d 2000");
	EXPECT(ex("d", 0), "stop s1 (shutdown); stop c (shutdown); SIGTERM c; timer c 2000");
	EXPECT(ex("c", 0), "stop b (shutdown); SIGTERM b; timer b 2000");
	EXPECT(ex("b", 0), "stop a (shutdown); SIGTERM a; timer a 2000");
	EXPECT(shutdown_tree(), "");	/* already stopping */
	EXPECT(ex("a", 0), "TREE_DOWN shutdown");
	EXPECT(boot(), "");
}
END_TEST

START_TEST(shutdown_timeout_escalates_to_sigkill)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 1000);
	actor_full("root", "a", SV_PERMANENT, 500, SV_READY_EXEC, 0);
	actor_full("root", "b", SV_PERMANENT, 3000, SV_READY_EXEC, 0);
	seal();
	boot();
	EXPECT(shutdown_tree(), "stop root; stop b; SIGTERM b; timer b 3000");
	NOW = 3000;
	EXPECT(fire("b"), "SIGKILL b");
	EXPECT(killed("b", SIGKILL), "stop a; SIGTERM a; timer a 500");
	EXPECT(ex("a", 0), "TREE_DOWN shutdown");	/* in time: no SIGKILL */
}
END_TEST

START_TEST(brutal_kill_sends_sigkill_at_once)
{
	sup(NULL, "root", SV_ONE_FOR_ALL, 1, 1000);
	actor_full("root", "a", SV_PERMANENT, SV_SHUTDOWN_BRUTAL_KILL, SV_READY_EXEC, 0);
	actor("root", "b", SV_PERMANENT);
	seal();
	boot();
	EXPECT(ex("b", 1), "restart b; stop a; SIGKILL a");
	EXPECT(killed("a", SIGKILL), "spawn a; ready a; spawn b; ready b");
	EXPECT(shutdown_tree(), "stop root; stop b; SIGTERM b; timer b 2000");
	EXPECT(ex("b", 0), "stop a; SIGKILL a");
	EXPECT(killed("a", SIGKILL), "TREE_DOWN shutdown");
}
END_TEST

/* OTP's shutdown 0: the child is asked, but not waited for. */
START_TEST(shutdown_zero_sends_sigterm_then_sigkill_at_once)
{
	sup(NULL, "root", SV_ONE_FOR_ALL, 1, 1000);
	actor_full("root", "a", SV_PERMANENT, 0, SV_READY_EXEC, 0);
	actor("root", "b", SV_PERMANENT);
	seal();
	boot();
	EXPECT(ex("b", 1), "restart b; stop a; SIGTERM a; SIGKILL a");
	/* whichever signal ended it, no timer is left behind */
	EXPECT(killed("a", SIGTERM), "spawn a; ready a; spawn b; ready b");
	EXPECT(shutdown_tree(), "stop root; stop b; SIGTERM b; timer b 2000");
	EXPECT(ex("b", 0), "stop a; SIGTERM a; SIGKILL a");
	EXPECT(killed("a", SIGKILL), "TREE_DOWN shutdown");
}
END_TEST

START_TEST(shutdown_below_brutal_kill_is_refused)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 1000);
	ck_assert_ptr_null(sv_add_actor(T, N("root"), "a", SV_PERMANENT, SV_SHUTDOWN_BRUTAL_KILL - 1,
					SV_READY_EXEC, 0));
	ck_assert_ptr_nonnull(sv_add_actor(T, N("root"), "b", SV_PERMANENT, 0, SV_READY_EXEC, 0));
}
END_TEST

START_TEST(infinity_sends_sigterm_and_waits_for_ever)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 1000);
	actor("root", "a", SV_PERMANENT);
	actor_full("root", "b", SV_PERMANENT, SV_SHUTDOWN_INFINITY, SV_READY_EXEC, 0);
	seal();
	boot();
	EXPECT(shutdown_tree(), "stop root; stop b; SIGTERM b");
	NOW = 1000000000;
	/* a stray timer event for b is ignored: no timer was armed */
	EXPECT(run((struct sv_event){ .kind = SV_EV_TIMER, .node = N("b") }), "");
	EXPECT(ex("b", 0), "stop a; SIGTERM a; timer a 2000");
}
END_TEST

/* A notify child still starting when it must be stopped: its start timer is
 * replaced by the shutdown timer. */
START_TEST(stopping_a_starting_child_replaces_its_start_timer)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 1, 1000);
	actor("root", "a", SV_PERMANENT);
	notify("root", "b", SV_PERMANENT, 10000);
	seal();
	DETAIL = true;
	EXPECT(boot(), "start root; spawn a; ready a; spawn b; timer b 10000");
	EXPECT(shutdown_tree(), "stop root (shutdown); stop b (shutdown); timer b off; SIGTERM b; "
	       "timer b 2000");
	EXPECT(ready("b"), "");		/* READY=1 after the stop was asked: ignored */
	NOW = 2000;
	EXPECT(fire("b"), "SIGKILL b");
	EXPECT(killed("b", SIGKILL), "stop a (shutdown); SIGTERM a; timer a 2000");
	EXPECT(killed("a", SIGTERM), "TREE_DOWN shutdown");
}
END_TEST

/* A one_for_all restart stops a sub-supervisor as a node: its children in
 * reverse order, then starts it again from scratch. */
START_TEST(sibling_restart_stops_a_sub_supervisor_as_a_node)
{
	sup(NULL, "root", SV_ONE_FOR_ALL, 5, 1000);
	sup("root", "s", SV_ONE_FOR_ONE, 5, 1000);
	actor("s", "x", SV_PERMANENT);
	actor("s", "y", SV_PERMANENT);
	actor("root", "a", SV_PERMANENT);
	seal();
	boot();
	DETAIL = true;
	EXPECT(ex("a", 1), "restart a (status 1); stop s (sibling a); stop y (sibling a); SIGTERM y; "
	       "timer y 2000");
	/* x dies on its own while s is stopping: absorbed, s goes on */
	EXPECT(ex("x", 1), "");
	EXPECT(ex("y", 0), "start s; spawn x; ready x; spawn y; ready y; ready s; spawn a; ready a");
}
END_TEST

START_TEST(shutdown_during_a_restart)
{
	sup(NULL, "root", SV_ONE_FOR_ALL, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	actor("root", "c", SV_PERMANENT);
	seal();
	boot();
	EXPECT(ex("c", 1), "restart c; stop b; SIGTERM b; timer b 2000");
	/* b is on its way down: not signalled twice; then a */
	EXPECT(shutdown_tree(), "stop root");
	EXPECT(killed("b", SIGTERM), "stop a; SIGTERM a; timer a 2000");
	EXPECT(killed("a", SIGTERM), "TREE_DOWN shutdown");
}
END_TEST

START_TEST(shutdown_during_boot)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	notify("root", "b", SV_PERMANENT, 5000);
	actor("root", "c", SV_PERMANENT);
	seal();
	AUTO_EXIT = true;
	EXPECT(boot(), "start root; spawn a; ready a; spawn b; timer b 5000");
	EXPECT(shutdown_tree(), "stop root; stop b; timer b off; SIGTERM b; timer b 2000; "
	       "stop a; SIGTERM a; timer a 2000; TREE_DOWN shutdown");
}
END_TEST

/* ================================================================
 * exits during an operation
 * ================================================================ */

/* queued: handled after the running operation, in arrival order */
START_TEST(exit_during_operation_is_queued)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	notify("root", "a", SV_PERMANENT, 1000);
	actor("root", "b", SV_PERMANENT);
	actor("root", "c", SV_PERMANENT);
	seal();
	boot();
	ready("a");
	EXPECT(ex("a", 1), "restart a; spawn a; timer a 1000");
	EXPECT(ex("c", 1), "");
	EXPECT(ex("b", 1), "");
	EXPECT(ready("a"), "timer a off; ready a; restart c; spawn c; ready c; "
	       "restart b; spawn b; ready b");
}
END_TEST

/* absorbed: the operation was going to stop it anyway; no restart counted */
START_TEST(exit_of_a_child_about_to_be_stopped_is_absorbed)
{
	sup(NULL, "root", SV_ONE_FOR_ALL, 2, 100000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	actor("root", "c", SV_PERMANENT);
	seal();
	boot();
	EXPECT(ex("c", 1), "restart c; stop b; SIGTERM b; timer b 2000");	/* 1 */
	EXPECT(killed("a", SIGSEGV), "");	/* about to be stopped: absorbed */
	EXPECT(ex("b", 0), "spawn a; ready a; spawn b; ready b; spawn c; ready c");
	/* only one restart was counted: intensity 2 allows a second one */
	AUTO_EXIT = true;
	EXPECT(ex("a", 1), "restart a; stop c; SIGTERM c; timer c 2000; stop b; SIGTERM b; "
	       "timer b 2000; spawn a; ready a; spawn b; ready b; spawn c; ready c");	/* 2 */
	EXPECT(ex("a", 1), "give_up root; stop c; SIGTERM c; timer c 2000; stop b; SIGTERM b; "
	       "timer b 2000; TREE_DOWN gave_up");
}
END_TEST

/* void: a queued exit of a child that an operation has restarted meanwhile */
START_TEST(queued_exit_of_a_child_restarted_meanwhile_is_void)
{
	sup(NULL, "root", SV_REST_FOR_ONE, 2, 100000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	notify("root", "c", SV_PERMANENT, 1000);
	seal();
	boot();
	ready("c");
	EXPECT(ex("c", 1), "restart c; spawn c; timer c 1000");		/* 1 */
	EXPECT(ex("a", 1), "");		/* queued */
	EXPECT(ex("b", 1), "");		/* queued */
	/* a's restart takes b down and up again: b's queued exit is void */
	AUTO_EXIT = true;
	EXPECT(ready("c"), "timer c off; ready c; restart a; stop c; SIGTERM c; timer c 2000; "
	       "spawn a; ready a; spawn b; ready b; spawn c; timer c 1000");	/* 2 */
	EXPECT(ready("c"), "timer c off; ready c");
	/* two restarts counted, not three: the next one is the one too many */
	EXPECT(ex("a", 1), "give_up root; stop c; SIGTERM c; timer c 2000; stop b; SIGTERM b; "
	       "timer b 2000; TREE_DOWN gave_up");
}
END_TEST

/* Queued exits are handled in arrival order, one restart for the first, even
 * when an earlier queued exit of the same child had been voided: b's old
 * (voided) place in the queue must not put its new exit ahead of a's. */
START_TEST(queued_exits_keep_arrival_order_after_a_void)
{
	sup(NULL, "root", SV_REST_FOR_ONE, 10, 100000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	notify("root", "c", SV_PERMANENT, 1000);
	seal();
	boot();
	ready("c");
	AUTO_EXIT = true;
	EXPECT(ex("c", 1), "restart c; spawn c; timer c 1000");
	EXPECT(ex("a", 1), "");
	EXPECT(ex("b", 1), "");
	EXPECT(ready("c"), "timer c off; ready c; restart a; stop c; SIGTERM c; timer c 2000; "
	       "spawn a; ready a; spawn b; ready b; spawn c; timer c 1000");
	/* again, while c starts: a first, then b */
	EXPECT(ex("a", 2), "");
	EXPECT(ex("b", 2), "");
	DETAIL = true;
	EXPECT(ready("c"), "timer c off; ready c; restart a (status 2); stop c (sibling a); SIGTERM c; "
	       "timer c 2000; spawn a; ready a; spawn b; ready b; spawn c; timer c 1000");
	EXPECT(ready("c"), "timer c off; ready c");
}
END_TEST

/* More queued exits than children over time must not overflow the queue:
 * a one_for_all of four, where the last one starts slowly. */
START_TEST(pending_queue_does_not_overflow)
{
	sup(NULL, "root", SV_ONE_FOR_ALL, 100, 100000);
	actor("root", "a", SV_PERMANENT);
	actor("root", "b", SV_PERMANENT);
	actor("root", "c", SV_PERMANENT);
	notify("root", "d", SV_PERMANENT, 0);
	seal();
	boot();
	ready("d");
	AUTO_EXIT = true;
	EXPECT(ex("d", 1), "restart d; stop c; SIGTERM c; timer c 2000; stop b; SIGTERM b; "
	       "timer b 2000; stop a; SIGTERM a; timer a 2000; spawn a; ready a; spawn b; ready b; "
	       "spawn c; ready c; spawn d");
	for (int round = 0; round < 4; round++) {
		EXPECT(ex("a", 1), "");
		EXPECT(ex("b", 1), "");
		EXPECT(ex("c", 1), "");
		EXPECT(ready("d"), "ready d; restart a; stop d; SIGTERM d; timer d 2000; "
		       "spawn a; ready a; spawn b; ready b; spawn c; ready c; spawn d");
	}
	EXPECT(ready("d"), "ready d");
	ck_assert_str_eq(states("root"), "a:up b:up c:up d:up");
}
END_TEST

/* The exit of the child being started is a failed start, not queued. Events
 * of a dead or replaced process (late READY, late timer) are ignored. */
START_TEST(stale_events_are_ignored)
{
	const struct sv_action *acts;

	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 1000);
	actor("root", "a", SV_PERMANENT);
	notify("root", "b", SV_PERMANENT, 1000);
	seal();
	boot();
	ready("b");
	EXPECT(ex("a", 1), "restart a; spawn a; ready a");
	/* events for an actor that is down */
	AUTO_EXIT = true;
	EXPECT(shutdown_tree(), "stop root; stop b; SIGTERM b; timer b 2000; stop a; SIGTERM a; "
	       "timer a 2000; TREE_DOWN shutdown");
	ck_assert_uint_eq(sv_handle(T, &(struct sv_event){ .kind = SV_EV_READY, .node = N("b") },
				    NOW, &acts), 0);
	ck_assert_uint_eq(sv_handle(T, &(struct sv_event){ .kind = SV_EV_TIMER, .node = N("b") },
				    NOW, &acts), 0);
	ck_assert_uint_eq(sv_handle(T, &(struct sv_event){ .kind = SV_EV_EXIT, .node = N("b") },
				    NOW, &acts), 0);
	ck_assert_uint_eq(sv_handle(T, &(struct sv_event){ .kind = SV_EV_EXIT, .node = N("root") },
				    NOW, &acts), 0);
}
END_TEST

/* void, within one operation: a exits (queued) after the restart started it;
 * then b fails to start, and the try-again restart of all voids a's exit. */
START_TEST(queued_exit_voided_by_a_try_again_restart)
{
	sup(NULL, "root", SV_ONE_FOR_ALL, 2, 100000);
	actor("root", "a", SV_PERMANENT);
	notify("root", "b", SV_PERMANENT, 1000);
	actor("root", "c", SV_PERMANENT);
	seal();
	boot();
	ready("b");
	AUTO_EXIT = true;
	EXPECT(ex("c", 1), "restart c; stop b; SIGTERM b; timer b 2000; stop a; SIGTERM a; "
	       "timer a 2000; spawn a; ready a; spawn b; timer b 1000");		/* 1 */
	EXPECT(ex("a", 1), "");		/* queued */
	EXPECT(ex("b", 1), "restart b; spawn a; ready a; spawn b; timer b 1000");	/* 2 */
	EXPECT(ready("b"), "timer b off; ready b; spawn c; ready c");	/* a's exit: void */
	EXPECT(ex("c", 1), "give_up root; stop b; SIGTERM b; timer b 2000; stop a; SIGTERM a; "
	       "timer a 2000; TREE_DOWN gave_up");					/* 3 */
}
END_TEST

/* A sub-supervisor that gives up while its parent is busy restarting
 * another child: its escalation waits in the parent's queue. */
START_TEST(escalation_while_the_parent_is_busy_is_queued)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 100000);
	notify("root", "a", SV_PERMANENT, 1000);
	sup("root", "s", SV_ONE_FOR_ONE, 0, 1000);
	actor("s", "x", SV_PERMANENT);
	seal();
	AUTO_EXIT = true;
	boot();
	ready("a");
	EXPECT(ex("a", 1), "restart a; spawn a; timer a 1000");
	EXPECT(ex("x", 1), "give_up s; escalate s");
	ck_assert_str_eq(states("root"), "a:starting s:down");
	EXPECT(ready("a"), "timer a off; ready a; restart s; start s; spawn x; ready x; ready s");
}
END_TEST

/* A temporary sub-supervisor that gives up is not restarted. */
START_TEST(temporary_sub_supervisor_that_gives_up_stays_down)
{
	sup(NULL, "root", SV_ONE_FOR_ALL, 0, 100000);
	actor("root", "a", SV_PERMANENT);
	sup_r("root", "s", SV_ONE_FOR_ONE, 0, 1000, SV_TEMPORARY);
	actor("s", "x", SV_PERMANENT);
	actor("s", "y", SV_PERMANENT);
	seal();
	AUTO_EXIT = true;
	boot();
	EXPECT(ex("y", 1), "give_up s; stop x; SIGTERM x; timer x 2000; escalate s");
	ck_assert_str_eq(states("root"), "a:up s:down");
	/* root (intensity 0) did not count it */
	EXPECT(shutdown_tree(), "stop root; stop a; SIGTERM a; timer a 2000; TREE_DOWN shutdown");
}
END_TEST

/* A supervisor stopped by its parent from within its own step (it just came
 * up, which let the parent handle a queued exit that stops it again). */
START_TEST(supervisor_stopped_as_it_comes_up)
{
	sup(NULL, "root", SV_REST_FOR_ONE, 5, 100000);
	actor("root", "b", SV_PERMANENT);
	sup("root", "s", SV_ONE_FOR_ONE, 5, 100000);
	notify("s", "x", SV_PERMANENT, 1000);
	seal();
	AUTO_EXIT = true;
	boot();
	ready("x");
	EXPECT(ex("b", 1), "restart b; stop s; stop x; SIGTERM x; timer x 2000; spawn b; ready b; "
	       "start s; spawn x; timer x 1000");
	EXPECT(ex("b", 1), "");		/* queued: root is starting s */
	EXPECT(ready("x"), "timer x off; ready x; ready s; restart b; stop s; stop x; SIGTERM x; "
	       "timer x 2000; spawn b; ready b; start s; spawn x; timer x 1000");
	EXPECT(ready("x"), "timer x off; ready x; ready s");
	ck_assert_str_eq(states("s"), "x:up");
}
END_TEST

START_TEST(shutdown_while_a_sub_supervisor_gives_up)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 100000);
	actor("root", "a", SV_PERMANENT);
	sup("root", "s", SV_ONE_FOR_ONE, 0, 1000);
	actor("s", "x", SV_PERMANENT);
	actor("s", "y", SV_PERMANENT);
	seal();
	boot();
	EXPECT(ex("x", 1), "give_up s; stop y; SIGTERM y; timer y 2000");
	/* s is on its way down already: not stopped twice, not restarted */
	EXPECT(shutdown_tree(), "stop root");
	EXPECT(killed("y", SIGTERM), "escalate s; stop a; SIGTERM a; timer a 2000");
	EXPECT(ex("a", 0), "TREE_DOWN shutdown");
}
END_TEST

/* A child still starting when its supervisor is stopped from above (the
 * stop takes the later, running child first): its READY=1 must not make the
 * supervisor resume starting. */
START_TEST(ready_of_a_child_while_its_supervisor_stops)
{
	sup(NULL, "root", SV_ONE_FOR_ALL, 5, 100000);
	sup("root", "s", SV_ONE_FOR_ONE, 5, 100000);
	notify("s", "x", SV_PERMANENT, 1000);
	actor("s", "y", SV_PERMANENT);
	actor("root", "a", SV_PERMANENT);
	seal();
	boot();
	ready("x");
	EXPECT(ex("x", 1), "restart x; spawn x; timer x 1000");
	EXPECT(ex("a", 1), "restart a; stop s; stop y; SIGTERM y; timer y 2000");
	EXPECT(ready("x"), "timer x off; ready x");
	EXPECT(ex("y", 0), "stop x; SIGTERM x; timer x 2000");
	AUTO_EXIT = true;
	EXPECT(ex("x", 0), "start s; spawn x; timer x 1000");
	EXPECT(ready("x"), "timer x off; ready x; spawn y; ready y; ready s; spawn a; ready a");
}
END_TEST


/* ================================================================
 * instances: the daemon makes `instances: N` N sibling actors "w#1".."w#N"
 * with the same spec (src/daemon/setup.c build_tree); the tree treats them as
 * ordinary children in declaration order.
 * ================================================================ */

static void instances(const char *parent, const char *base, unsigned n, enum sv_restart r,
		      enum sv_ready rd, long start_timeout_ms)
{
	static char names[MAXN][16];
	static unsigned used;

	for (unsigned k = 1; k <= n; k++) {
		char *name = names[used++ % MAXN];

		snprintf(name, sizeof names[0], "%s#%u", base, k);
		actor_full(parent, name, r, 2000, rd, start_timeout_ms);
	}
}

START_TEST(instances_start_one_after_another_and_stop_in_reverse)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 10000);
	actor("root", "a", SV_PERMANENT);
	instances("root", "w", 3, SV_PERMANENT, SV_READY_NOTIFY, 1000);
	actor("root", "z", SV_PERMANENT);
	seal();

	EXPECT(boot(), "start root; spawn a; ready a; spawn w#1; timer w#1 1000");
	EXPECT(ready("w#1"), "timer w#1 off; ready w#1; spawn w#2; timer w#2 1000");
	EXPECT(ready("w#2"), "timer w#2 off; ready w#2; spawn w#3; timer w#3 1000");
	EXPECT(ready("w#3"), "timer w#3 off; ready w#3; spawn z; ready z; ready root; TREE_READY");
	/* one instance fails: only it is restarted */
	EXPECT(killed("w#2", SIGKILL), "restart w#2; spawn w#2; timer w#2 1000");
	EXPECT(ready("w#2"), "timer w#2 off; ready w#2");
	ck_assert_str_eq(states("root"), "a:up w#1:up w#2:up w#3:up z:up");
	AUTO_EXIT = true;
	EXPECT(shutdown_tree(), "stop root; stop z; SIGTERM z; timer z 2000; "
	       "stop w#3; SIGTERM w#3; timer w#3 2000; stop w#2; SIGTERM w#2; timer w#2 2000; "
	       "stop w#1; SIGTERM w#1; timer w#1 2000; stop a; SIGTERM a; timer a 2000; TREE_DOWN shutdown");
}
END_TEST

/* An instance missing its start timeout at boot fails the boot like any child. */
START_TEST(instance_start_timeout_at_boot_fails_the_boot)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 5, 10000);
	actor("root", "a", SV_PERMANENT);
	instances("root", "w", 3, SV_PERMANENT, SV_READY_NOTIFY, 1000);
	seal();
	AUTO_EXIT = true;
	DETAIL = true;

	EXPECT(boot(), "start root; spawn a; ready a; spawn w#1; timer w#1 1000");
	EXPECT(ready("w#1"), "timer w#1 off; ready w#1; spawn w#2; timer w#2 1000");
	NOW = 1000;
	EXPECT(fire("w#2"), "stop w#2 (start_timeout); SIGKILL w#2; "
	       "stop w#1 (start_failed w#2); SIGTERM w#1; timer w#1 2000; "
	       "stop a (start_failed w#2); SIGTERM a; timer a 2000; TREE_DOWN start_failed");
	ck_assert_str_eq(states("root"), "a:down w#1:down w#2:down w#3:down");
}
END_TEST

/* Instances under each strategy: a crash of w#2 among a, w#1..w#3, z. */
static const struct inst_row {
	enum sv_strategy strategy;
	const char *expect;
} inst_rows[] = {
	{ SV_ONE_FOR_ONE, "restart w#2; spawn w#2; ready w#2" },
	{ SV_ONE_FOR_ALL, "restart w#2; stop z; SIGTERM z; timer z 2000; stop w#3; SIGTERM w#3; "
	  "timer w#3 2000; stop w#1; SIGTERM w#1; timer w#1 2000; stop a; SIGTERM a; timer a 2000; "
	  "spawn a; ready a; spawn w#1; ready w#1; spawn w#2; ready w#2; spawn w#3; ready w#3; "
	  "spawn z; ready z" },
	{ SV_REST_FOR_ONE, "restart w#2; stop z; SIGTERM z; timer z 2000; stop w#3; SIGTERM w#3; "
	  "timer w#3 2000; spawn w#2; ready w#2; spawn w#3; ready w#3; spawn z; ready z" },
};

START_TEST(instances_strategy_table)
{
	sup(NULL, "root", inst_rows[_i].strategy, 5, 10000);
	actor("root", "a", SV_PERMANENT);
	instances("root", "w", 3, SV_PERMANENT, SV_READY_EXEC, 0);
	actor("root", "z", SV_PERMANENT);
	seal();
	AUTO_EXIT = true;
	EXPECT(boot(), "start root; spawn a; ready a; spawn w#1; ready w#1; spawn w#2; ready w#2; "
	       "spawn w#3; ready w#3; spawn z; ready z; ready root; TREE_READY");
	EXPECT(ex("w#2", 1), inst_rows[_i].expect);
	ck_assert_str_eq(states("root"), "a:up w#1:up w#2:up w#3:up z:up");
}
END_TEST

/* Instances are children of one supervisor: their restarts add up in its
 * one intensity window; transient instances that end normally stay down. */
START_TEST(instances_share_their_supervisors_intensity)
{
	sup(NULL, "root", SV_ONE_FOR_ONE, 2, 1000);
	instances("root", "w", 3, SV_PERMANENT, SV_READY_EXEC, 0);
	instances("root", "t", 2, SV_TRANSIENT, SV_READY_EXEC, 0);
	seal();
	AUTO_EXIT = true;
	boot();
	EXPECT(ex("t#2", 0), "");
	EXPECT(ex("t#1", 0), "");
	ck_assert_str_eq(states("root"), "w#1:up w#2:up w#3:up t#1:down t#2:down");
	NOW = 100;
	EXPECT(ex("w#1", 1), "restart w#1; spawn w#1; ready w#1");
	NOW = 200;
	EXPECT(killed("w#3", SIGSEGV), "restart w#3; spawn w#3; ready w#3");
	NOW = 300;
	EXPECT(ex("w#2", 7), "give_up root; stop w#3; SIGTERM w#3; timer w#3 2000; "
	       "stop w#1; SIGTERM w#1; timer w#1 2000; TREE_DOWN gave_up");
}
END_TEST

/* ================================================================
 * random walk: random trees, random events, invariants after each one
 * ================================================================ */

/* A real-time signal had no name: "killed by SIG?" in the reason and
 * "SIGUNKNOWN" in the event for `kill -s 64`, which is accepted. */
START_TEST(every_signal_has_a_name)
{
	char name[SV_SIGNAME_MAX], text[128];
	struct sv_exit e = { .kind = SV_EXIT_SIGNAL, .value = SIGRTMAX };

	ck_assert_str_eq(sv_signal_name(SIGKILL, name), "SIGKILL");
	ck_assert_str_eq(sv_signal_name(SIGRTMIN, name), "SIGRTMIN");
	ck_assert_str_eq(sv_signal_name(SIGRTMIN + 3, name), "SIGRTMIN+3");
	ck_assert_str_eq(sv_signal_name(SIGRTMAX, name), "SIGRTMAX");
	ck_assert_str_eq(sv_signal_name(70, name), "SIG70");
	sv_exit_describe(&e, text, sizeof text);
	ck_assert_str_eq(text, "killed by SIGRTMAX");
}
END_TEST

START_TEST(random_walk_keeps_invariants)
{
	random_walk(1000 + (unsigned)_i, 40, NULL);
}
END_TEST

/* ================================================================ */

static Suite *tree_suite(void)
{
	Suite *s = suite_create("tree");
	TCase *tc;

	tc = tree_tcase(s, "start");
	tcase_add_test(tc, boot_starts_in_declaration_order_each_after_ready);
	tcase_add_test(tc, notify_without_start_timeout_arms_no_timer);
	tcase_add_test(tc, boot_nested_supervisors_depth_first);
	tcase_add_test(tc, boot_root_with_zero_children);
	tcase_add_test(tc, boot_and_stop_an_empty_sub_supervisor);
	tcase_add_test(tc, boot_failure_unwinds_in_reverse_order);
	tcase_add_test(tc, boot_start_timeout_kills_and_unwinds);
	tcase_add_test(tc, boot_exec_failure_fails_the_boot);
	tcase_add_test(tc, boot_failure_in_a_sub_supervisor_fails_the_tree);
	tcase_add_test(tc, exit_during_boot_is_handled_after_it);

	tc = tree_tcase(s, "strategies");
	tcase_add_loop_test(tc, strategy_table, 0,
			    (int)(sizeof strategy_rows / sizeof strategy_rows[0]));
	tcase_add_test(tc, group_restart_starts_a_normally_exited_transient_again);
	tcase_add_test(tc, rest_for_one_leaves_earlier_children_alone);

	tc = tree_tcase(s, "restart types");
	tcase_add_loop_test(tc, sub_supervisor_restart_type_table, 0,
			    (int)(sizeof subsup_rows / sizeof subsup_rows[0]));

	tc = tree_tcase(s, "temporary");
	tcase_add_test(tc, temporary_child_stays_down_until_its_supervisor_restarts);
	tcase_add_test(tc, removed_temporary_child_is_skipped_at_shutdown);
	tcase_add_test(tc, temporary_child_restarted_with_its_supervisor);
	tcase_add_test(tc, normal_and_temporary_exits_do_not_count);

	tc = tree_tcase(s, "intensity");
	tcase_add_test(tc, intensity_restart_on_the_period_boundary_counts);
	tcase_add_test(tc, intensity_restart_just_outside_the_period_expires);
	tcase_add_test(tc, intensity_zero_gives_up_at_the_first_restart);
	tcase_add_loop_test(tc, intensity_window_table, 0,
			    (int)(sizeof window_rows / sizeof window_rows[0]));
	tcase_add_test(tc, escalation_two_levels_deep);
	tcase_add_test(tc, give_up_stops_in_reverse_and_escalates_when_down);
	tcase_add_test(tc, failed_start_during_restart_counts);
	tcase_add_test(tc, failed_start_during_one_for_all_restart_restarts_all_again);
	tcase_add_test(tc, sub_supervisor_start_failure_during_restart_is_retried);

	tc = tree_tcase(s, "stop");
	tcase_add_test(tc, shutdown_nested_tree_in_reverse_depth_first);
	tcase_add_test(tc, shutdown_timeout_escalates_to_sigkill);
	tcase_add_test(tc, brutal_kill_sends_sigkill_at_once);
	tcase_add_test(tc, shutdown_zero_sends_sigterm_then_sigkill_at_once);
	tcase_add_test(tc, shutdown_below_brutal_kill_is_refused);
	tcase_add_test(tc, infinity_sends_sigterm_and_waits_for_ever);
	tcase_add_test(tc, stopping_a_starting_child_replaces_its_start_timer);
	tcase_add_test(tc, sibling_restart_stops_a_sub_supervisor_as_a_node);
	tcase_add_test(tc, shutdown_during_a_restart);
	tcase_add_test(tc, shutdown_during_boot);

	tc = tree_tcase(s, "concurrent exits");
	tcase_add_test(tc, exit_during_operation_is_queued);
	tcase_add_test(tc, exit_of_a_child_about_to_be_stopped_is_absorbed);
	tcase_add_test(tc, queued_exit_of_a_child_restarted_meanwhile_is_void);
	tcase_add_test(tc, queued_exits_keep_arrival_order_after_a_void);
	tcase_add_test(tc, pending_queue_does_not_overflow);
	tcase_add_test(tc, stale_events_are_ignored);
	tcase_add_test(tc, queued_exit_voided_by_a_try_again_restart);
	tcase_add_test(tc, escalation_while_the_parent_is_busy_is_queued);
	tcase_add_test(tc, temporary_sub_supervisor_that_gives_up_stays_down);
	tcase_add_test(tc, supervisor_stopped_as_it_comes_up);
	tcase_add_test(tc, shutdown_while_a_sub_supervisor_gives_up);
	tcase_add_test(tc, ready_of_a_child_while_its_supervisor_stops);

	tc = tree_tcase(s, "instances");
	tcase_add_test(tc, instances_start_one_after_another_and_stop_in_reverse);
	tcase_add_test(tc, instance_start_timeout_at_boot_fails_the_boot);
	tcase_add_loop_test(tc, instances_strategy_table, 0,
			    (int)(sizeof inst_rows / sizeof inst_rows[0]));
	tcase_add_test(tc, instances_share_their_supervisors_intensity);
	tcase_add_test(tc, every_signal_has_a_name);

	tc = tree_tcase(s, "random");
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, random_walk_keeps_invariants, 0, 25);
	return s;
}

const struct test_suite test_suite = { .suite = tree_suite };
