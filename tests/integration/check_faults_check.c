/* `prospero check --faults FILE` on the real binary: a plan is checked
 * against the tree, each mistake reported at its place with a hint, and
 * the exit status says which. */
#include <check.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tests/common/runner.h"
#include "tests/common/harness.h"

static struct h h;

static void setup(void)
{
	h_init(&h);
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"shop\", \"children\": [\n"
		"  { \"supervisor\": \"data\", \"children\": [\n"
		"    { \"actor\": \"inventory-tracker\", \"exec\": [\"@TA@\"], \"instances\": 2 },\n"
		"    { \"actor\": \"order-processor\", \"exec\": [\"@TA@\"],\n"
		"      \"bindings\": { \"INVENTORY\": \"inventory-tracker\", \"PAYMENT\": \"payment\" } },\n"
		"    { \"actor\": \"payment\", \"exec\": [\"@TA@\"] } ] } ] }\n");
}

static void teardown(void) { h_fini(&h); }

/* Check PLAN (one fault) against the tree: its exit status, and its
 * stderr in ERR. */
static int check_plan(const char *fault, char *err, int cap)
{
	char text[1024];

	snprintf(text, sizeof text, "{ \"seed\": 7,\n  \"faults\": [ %s ] }\n", fault);
	h_write(&h, "faults.jsonc", text);
	int rc = h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--faults", "faults.jsonc", NULL });
	err[0] = '\0';
	h_read(&h, "run.err", err, cap);
	return rc;
}

START_TEST(a_good_plan_passes_and_is_summed_up)
{
	char out[1024], err[1024];

	h_write(&h, "faults.jsonc",
		"// chaos for the data supervisor\n"
		"{ \"faults\": [\n"
		"  { \"kill\": \"data\", \"every\": 3000, \"jitter\": 1000 },\n"
		"  { \"stall\": \"payment\", \"for\": 2000, \"at\": [5000] },\n"
		"  { \"syscall\": \"write\", \"target\": \"inventory-tracker#2\", \"errno\": \"EIO\", \"probability\": 0.02 },\n"
		"  { \"edge\": \"INVENTORY\", \"drop\": 0.05 },\n"
		"] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--faults", "faults.jsonc", NULL }), 0);
	ck_assert(h_read(&h, "run.out", out, sizeof out) > 0);
	ck_assert_str_eq(out, "configuration ok: root \"shop\", 2 supervisors, 3 actors, 4 processes\n"
			      "fault plan ok: 4 faults (1 kill, 1 stall, 1 edge, 1 syscall), seed chosen at start\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--faults", "faults.jsonc",
							  "--seed", "9007199254740991", NULL }), 0);
	ck_assert(h_read(&h, "run.out", out, sizeof out) > 0);
	ck_assert(strstr(out, "), seed 9007199254740991\n") != NULL);
	/* one is "1 fault": it said "1 faults" */
	h_write(&h, "one.jsonc", "{ \"faults\": [ { \"kill\": \"data\", \"every\": 3000 } ], \"seed\": 5 }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--faults", "one.jsonc", NULL }), 0);
	ck_assert(h_read(&h, "run.out", out, sizeof out) > 0);
	ck_assert_msg(strstr(out, "fault plan ok: 1 fault (1 kill, 0 stall, 0 edge, 0 syscall), seed 5\n"), "%s", out);
	ck_assert_int_eq(check_plan("{ \"kill\": \"payment\", \"every\": 100 }", err, sizeof err), 0);
	ck_assert_str_eq(err, "");
}
END_TEST

/* A plan with a mistake gets no summary of the tree beside it: it said
 * "configuration ok" on stdout and the plan's error on stderr. */
START_TEST(unknown_actors_are_rejected_with_a_hint)
{
	char out[256], err[1024];

	ck_assert_int_eq(check_plan("{ \"kill\": [\"payment\", \"order-procesor\"], \"every\": 1000 }", err, sizeof err), 1);
	ck_assert_str_eq(err, "prospero: faults.jsonc:2:37: error: \"kill\"[1]: no actor or supervisor \"order-procesor\" (did you mean \"order-processor\"?)\n");
	ck_assert_int_eq(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_int_eq(check_plan("{ \"stall\": \"inventory-tracker#3\", \"for\": 10, \"at\": [1] }", err, sizeof err), 1);
	ck_assert_str_eq(err, "prospero: faults.jsonc:2:26: error: \"stall\": \"inventory-tracker#3\": actor \"inventory-tracker\" has instances \"inventory-tracker#1\" to \"inventory-tracker#2\"\n");
}
END_TEST

START_TEST(edges_that_do_not_exist_are_rejected_with_a_hint)
{
	char err[1024];

	ck_assert_int_eq(check_plan("{ \"edge\": \"order-processor -> paymnt\", \"drop\": 0.1 }", err, sizeof err), 1);
	ck_assert_str_eq(err, "prospero: faults.jsonc:2:25: error: \"edge\": no edge \"order-processor -> paymnt\" (did you mean \"order-processor -> payment\"?)\n");
	ck_assert_int_eq(check_plan("{ \"edge\": \"payment -> order-processor\", \"drop\": 0.1 }", err, sizeof err), 1);
	ck_assert_str_eq(err, "prospero: faults.jsonc:2:25: error: \"edge\": no edge \"payment -> order-processor\": the binding goes the other way, \"order-processor -> payment\"\n");
	ck_assert_int_eq(check_plan("{ \"edge\": \"INVENTRY\", \"delay\": 5 }", err, sizeof err), 1);
	ck_assert_str_eq(err, "prospero: faults.jsonc:2:25: error: \"edge\": no binding named \"INVENTRY\" (did you mean \"INVENTORY\"?)\n");
	/* an actor's name: the edges that lead to it, or, for a client no one
	 * binds to, the edges it declares (it said only "no actor binds to it") */
	ck_assert_int_eq(check_plan("{ \"edge\": \"payment\", \"delay\": 5 }", err, sizeof err), 1);
	ck_assert_str_eq(err, "prospero: faults.jsonc:2:25: error: \"edge\": \"payment\" is an actor: name an edge "
			      "\"CLIENT -> payment\" (such as \"order-processor -> payment\"), or a binding name\n");
	ck_assert_int_eq(check_plan("{ \"edge\": \"order-processor\", \"delay\": 5 }", err, sizeof err), 1);
	ck_assert_str_eq(err, "prospero: faults.jsonc:2:25: error: \"edge\": \"order-processor\" is an actor: name an edge "
			      "\"order-processor -> SERVICE\" (such as \"order-processor -> inventory-tracker\"), or a binding name\n");
	h_write(&h, "loner.jsonc", "{ \"actor\": \"loner\", \"exec\": [\"@TA@\"], \"bindings\": { \"PAY\": \"payment\" } }\n");
	h_write(&h, "faults.jsonc", "{ \"faults\": [ { \"edge\": \"loner\", \"drop\": 1 } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "loner.jsonc", "--faults", "faults.jsonc", NULL }), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: faults.jsonc:1:25: error: \"edge\": actor \"loner\" is not in the tree "
						     "(no supervisor names it): its edges never carry anything"), 1);
}
END_TEST

START_TEST(unknown_errno_and_signal_names_are_rejected_with_a_hint)
{
	char err[1024];

	ck_assert_int_eq(check_plan("{ \"syscall\": \"write\", \"target\": \"payment\", \"errno\": \"EIOO\" }", err, sizeof err), 1);
	ck_assert_str_eq(err, "prospero: faults.jsonc:2:67: error: \"errno\": unknown errno \"EIOO\" (did you mean \"EIO\"?)\n");
	ck_assert_int_eq(check_plan("{ \"kill\": \"payment\", \"every\": 100, \"signal\": \"SIGTREM\" }", err, sizeof err), 1);
	ck_assert_str_eq(err, "prospero: faults.jsonc:2:60: error: \"signal\": unknown signal \"SIGTREM\" (did you mean \"SIGTERM\"?)\n");
	ck_assert_int_eq(check_plan("{ \"syscall\": \"wrte\", \"target\": \"payment\", \"errno\": \"EIO\" }", err, sizeof err), 1);
	ck_assert_str_eq(err, "prospero: faults.jsonc:2:28: error: \"syscall\": unknown system call \"wrte\" (did you mean \"write\"?)\n");
	/* a hint where one fits: a call spelt in capitals had none */
	ck_assert_int_eq(check_plan("{ \"syscall\": \"WRITE\", \"target\": \"payment\", \"errno\": \"EIO\" }", err, sizeof err), 1);
	ck_assert_str_eq(err, "prospero: faults.jsonc:2:28: error: \"syscall\": unknown system call \"WRITE\" (did you mean \"write\"?)\n");
}
END_TEST

START_TEST(probabilities_outside_zero_to_one_are_rejected)
{
	char err[1024];

	ck_assert_int_eq(check_plan("{ \"edge\": \"PAYMENT\", \"drop\": 1.01 }", err, sizeof err), 1);
	ck_assert_str_eq(err, "prospero: faults.jsonc:2:44: error: \"drop\" is 1.01: expected a probability from 0 to 1\n");
	ck_assert_int_eq(check_plan("{ \"syscall\": \"read\", \"target\": \"*\", \"errno\": \"EIO\", \"probability\": -0.5 }",
				    err, sizeof err), 1);
	ck_assert_str_eq(err, "prospero: faults.jsonc:2:82: error: \"probability\" is -0.5: expected a probability from 0 to 1\n");
}
END_TEST

START_TEST(a_config_error_comes_first_and_the_options_are_checked)
{
	const char *undefined = "prospero: bad.jsonc:1:39: error: \"nobody\" is not defined:";
	char err[1024];

	h_write(&h, "bad.jsonc", "{ \"supervisor\": \"shop\", \"children\": [ \"nobody\" ] }\n");
	h_write(&h, "faults.jsonc", "{ \"faults\": [] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "bad.jsonc", "--faults", "faults.jsonc", NULL }), 1);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert_msg(strncmp(err, undefined, strlen(undefined)) == 0, "got: %s", err);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--faults", "none.jsonc", NULL }), 1);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert_str_eq(err, "prospero: none.jsonc: error: cannot open: No such file or directory\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--seed", "1", NULL }), 2);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert_str_eq(err, "prospero: --seed needs --faults FILE\n(see prospero --help)\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--faults", "faults.jsonc",
							  "--seed", "9007199254740992", NULL }), 2);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert_str_eq(err, "prospero: --seed \"9007199254740992\": expected an integer from 0 to 9007199254740991\n"
			      "(see prospero --help)\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--faults", "faults.jsonc",
							  "--seed", "-1", NULL }), 2);
	/* an empty EDGE is said as one: it was "NAME is empty" */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "edge", "", "--drop", "0.5", "--for", "10",
							  "--runtime-dir", h_path(&h, "none"), NULL }), 2);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert_str_eq(err, "prospero: fault: EDGE is empty\n(see prospero --help)\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "kill", "", "--runtime-dir", h_path(&h, "none"), NULL }), 2);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert_str_eq(err, "prospero: fault: NAME is empty\n(see prospero --help)\n");
}
END_TEST

/* The plan is checked whatever else check does: --dot drew the tree and
 * exited 0 on a plan with a mistake (or no plan at all), and a tree that
 * run would refuse (here: more dynamic uids than the range) hid the
 * plan's mistakes behind its own. */
START_TEST(the_plan_is_checked_with_dot_and_beside_a_refused_tree)
{
	const char *bad = "prospero: faults.jsonc:2:25: error: \"kill\": no actor or supervisor \"nosuch\"";
	char out[4096], err[1024];

	h_write(&h, "faults.jsonc", "{ \"seed\": 7,\n  \"faults\": [ { \"kill\": \"nosuch\", \"every\": 100 } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--faults", "faults.jsonc",
							  "--dot", NULL }), 1);
	ck_assert(h_read(&h, "run.out", out, sizeof out) > 0);
	ck_assert_msg(strncmp(out, "digraph", 7) == 0, "%s", out);
	ck_assert_int_eq(h_count_lines(&h, "run.err", bad), 1);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--faults", "none.jsonc",
							  "--dot", NULL }), 1);
	ck_assert(h_read(&h, "run.err", err, sizeof err) > 0);
	ck_assert_str_eq(err, "prospero: none.jsonc: error: cannot open: No such file or directory\n");
	if (geteuid() != 0)
		return;	/* dynamic uids are root's */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", "--faults", "faults.jsonc",
							  "--uid-range", "200000-200000", NULL }), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.err", bad), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "configuration ok"), 0);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "fault plan ok"), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("faults_check");
	TCase *tc = tcase_create("check");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_good_plan_passes_and_is_summed_up);
	tcase_add_test(tc, unknown_actors_are_rejected_with_a_hint);
	tcase_add_test(tc, edges_that_do_not_exist_are_rejected_with_a_hint);
	tcase_add_test(tc, unknown_errno_and_signal_names_are_rejected_with_a_hint);
	tcase_add_test(tc, probabilities_outside_zero_to_one_are_rejected);
	tcase_add_test(tc, a_config_error_comes_first_and_the_options_are_checked);
	tcase_add_test(tc, the_plan_is_checked_with_dot_and_beside_a_refused_tree);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
