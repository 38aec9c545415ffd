/* OTP strategies on the real daemon: each restarts exactly the right
 * children, in the right order, and give-up and escalation behave. */
#include <check.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "tests/common/runner.h"
#include "tests/common/harness.h"

static struct h h;

static void setup(void) { h_init(&h); }
static void teardown(void) { h_fini(&h); }

static const char *const root_only[] = { "root.jsonc", NULL };

/* Three plain actors under one supervisor of the given strategy. */
static void three(const char *strategy, const char *restart_b)
{
	char cfg[2048];

	snprintf(cfg, sizeof cfg,
		 "// three actors\n"
		 "{ \"supervisor\": \"root\", \"strategy\": \"%s\", \"intensity\": 10, \"period\": 5,\n"
		 "  \"children\": [\n"
		 "    { \"actor\": \"a\", \"exec\": [\"@TA@\"] },\n"
		 /* notify readiness: b is signalled as soon as it is ready, and
		  * must have its handlers by then */
		 "    { \"actor\": \"b\", \"exec\": [\"@TA@\", \"--print\", \"hello from b\", \"--notify-after\", \"0\"],\n"
		 "      \"ready\": \"notify\", \"restart\": \"%s\" },\n"
		 "    { \"actor\": \"c\", \"exec\": [\"@TA@\"] },\n"
		 "  ] }\n", strategy, restart_b);
	h_write(&h, "root.jsonc", cfg);
	h_start(&h, root_only);
}

static int boot_three(int *pa, int *pb, int *pc)
{
	struct h_event e;

	h_expect_seq(&h, "start:root");
	h_expect(&h, "start", "a", &e); *pa = e.pid;
	h_expect_seq(&h, "ready:a");
	h_expect(&h, "start", "b", &e); *pb = e.pid;
	h_expect_seq(&h, "ready:b");
	h_expect(&h, "start", "c", &e); *pc = e.pid;
	h_expect_seq(&h, "ready:c ready:root");
	return 0;
}

static void stop_clean(void)
{
	h_signal(&h, SIGTERM);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}

START_TEST(one_for_one_restarts_only_the_failed_child)
{
	int a, b, c;
	struct h_event e;

	three("one_for_one", "permanent");
	boot_three(&a, &b, &c);
	kill(b, SIGKILL);
	h_expect(&h, "exit", "b", &e);
	ck_assert_str_eq(e.signal, "SIGKILL");
	ck_assert_int_eq(e.pid, b);
	h_expect(&h, "restart", "b", &e);
	ck_assert_str_eq(e.reason, "killed by SIGKILL");
	h_expect(&h, "start", "b", &e);
	ck_assert_int_ne(e.pid, b);
	h_expect_seq(&h, "ready:b");
	h_expect_quiet(&h, 200);
	ck_assert(h_alive(a));
	ck_assert(h_alive(c));
	stop_clean();
}
END_TEST

START_TEST(one_for_all_stops_the_others_in_reverse_and_restarts_all_in_order)
{
	int a, b, c;

	three("one_for_all", "permanent");
	boot_three(&a, &b, &c);
	kill(b, SIGKILL);
	h_expect_seq(&h, "exit:b restart:b stop:c exit:c stop:a exit:a "
			 "start:a ready:a start:b ready:b start:c ready:c");
	h_expect_quiet(&h, 200);
	ck_assert(h_wait_gone(a, 1000));
	ck_assert(h_wait_gone(c, 1000));
	stop_clean();
}
END_TEST

START_TEST(rest_for_one_restarts_the_failed_child_and_those_after_it)
{
	int a, b, c;

	three("rest_for_one", "permanent");
	boot_three(&a, &b, &c);
	kill(b, SIGKILL);
	h_expect_seq(&h, "exit:b restart:b stop:c exit:c start:b ready:b start:c ready:c");
	h_expect_quiet(&h, 200);
	ck_assert(h_alive(a));
	stop_clean();
}
END_TEST

START_TEST(transient_is_restarted_after_a_failure_only)
{
	int a, b, c;
	struct h_event e;

	three("one_for_one", "transient");
	boot_three(&a, &b, &c);
	kill(b, SIGUSR1);	/* exit status 1: abnormal */
	h_expect(&h, "exit", "b", &e);
	ck_assert_int_eq(e.status, 1);
	h_expect(&h, "restart", "b", &e);
	ck_assert_str_eq(e.reason, "exited with status 1");
	h_expect(&h, "start", "b", &e);
	h_expect_seq(&h, "ready:b");
	kill(e.pid, SIGUSR2);	/* exit status 0: normal, stays down */
	h_expect(&h, "exit", "b", &e);
	ck_assert_int_eq(e.status, 0);
	h_expect_quiet(&h, 300);
	stop_clean();
}
END_TEST

START_TEST(temporary_is_never_restarted)
{
	int a, b, c;

	three("one_for_one", "temporary");
	boot_three(&a, &b, &c);
	kill(b, SIGKILL);
	h_expect_seq(&h, "exit:b");
	h_expect_quiet(&h, 300);
	stop_clean();
}
END_TEST

START_TEST(shutdown_stops_in_reverse_start_order)
{
	int a, b, c;

	three("one_for_one", "permanent");
	boot_three(&a, &b, &c);
	h_signal(&h, SIGTERM);
	h_expect_seq(&h, "stop:root stop:c exit:c stop:b exit:b stop:a exit:a");
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

START_TEST(root_gives_up_and_the_daemon_exits_3)
{
	struct h_event e;
	int a;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"intensity\": 1, \"period\": 30,\n"
		"  \"children\": [ { \"actor\": \"a\", \"exec\": [\"@TA@\"] },\n"
		"                  { \"actor\": \"b\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, root_only);
	h_expect_seq(&h, "start:root");
	h_expect(&h, "start", "a", &e);
	h_expect_seq(&h, "ready:a start:b ready:b ready:root");
	kill(e.pid, SIGKILL);
	h_expect_seq(&h, "exit:a restart:a");
	h_expect(&h, "start", "a", &e);
	a = e.pid;
	h_expect_seq(&h, "ready:a");
	kill(a, SIGKILL);	/* the second restart in 30 s: more than intensity 1 */
	h_expect_seq(&h, "exit:a");
	h_expect(&h, "give_up", "root", &e);
	ck_assert_str_eq(e.reason, "more than 1 restart in 30 s; last: a killed by SIGKILL");
	h_expect_seq(&h, "stop:b exit:b");
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 3);
}
END_TEST

START_TEST(a_sub_supervisor_escalates_and_its_parent_restarts_it)
{
	struct h_event e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"intensity\": 5, \"period\": 30,\n"
		"  \"children\": [ { \"actor\": \"first\", \"exec\": [\"@TA@\"] }, \"mid\" ] }\n");
	h_write(&h, "mid.jsonc",
		"{ \"supervisor\": \"mid\", \"strategy\": \"one_for_one\", \"intensity\": 0,\n"
		"  \"children\": [ { \"actor\": \"x\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, (const char *const[]){ "root.jsonc", "mid.jsonc", NULL });
	h_expect_seq(&h, "start:root start:first ready:first start:mid");
	h_expect(&h, "start", "x", &e);
	h_expect_seq(&h, "ready:x ready:mid ready:root");
	kill(e.pid, SIGKILL);
	h_expect_seq(&h, "exit:x give_up:mid escalate:mid restart:mid start:mid start:x ready:x ready:mid");
	h_expect_quiet(&h, 200);
	stop_clean();
}
END_TEST

/* A parent that gives up because a sub-supervisor did names it as it
 * names an actor the daemon ended: with a colon (README "Output and
 * events", give_up), not as "mid supervisor gave up", which reads as if
 * mid were an actor's status. */
START_TEST(a_give_up_caused_by_a_sub_supervisor_names_it_with_a_colon)
{
	struct h_event e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"strategy\": \"one_for_one\", \"intensity\": 0, \"period\": 30,\n"
		"  \"children\": [ { \"supervisor\": \"mid\", \"intensity\": 0, \"period\": 30,\n"
		"                    \"children\": [ { \"actor\": \"x\", \"exec\": [\"@TA@\"] } ] } ] }\n");
	h_start(&h, root_only);
	h_expect_seq(&h, "start:root start:mid");
	h_expect(&h, "start", "x", &e);
	h_expect_seq(&h, "ready:x ready:mid ready:root");
	kill(e.pid, SIGKILL);
	h_expect_seq(&h, "exit:x give_up:mid escalate:mid");
	h_expect(&h, "give_up", "root", &e);
	ck_assert_str_eq(e.reason, "more than 0 restarts in 30 s; last: mid: supervisor gave up: restart intensity exceeded");
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 3);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("strategies");
	TCase *tc = tcase_create("otp");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, one_for_one_restarts_only_the_failed_child);
	tcase_add_test(tc, one_for_all_stops_the_others_in_reverse_and_restarts_all_in_order);
	tcase_add_test(tc, rest_for_one_restarts_the_failed_child_and_those_after_it);
	tcase_add_test(tc, transient_is_restarted_after_a_failure_only);
	tcase_add_test(tc, temporary_is_never_restarted);
	tcase_add_test(tc, shutdown_stops_in_reverse_start_order);
	tcase_add_test(tc, root_gives_up_and_the_daemon_exits_3);
	tcase_add_test(tc, a_sub_supervisor_escalates_and_its_parent_restarts_it);
	tcase_add_test(tc, a_give_up_caused_by_a_sub_supervisor_names_it_with_a_colon);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
