/* The operator's verbs on the real daemon (README "Operating a running
 * tree"): status shows what runs, restart/stop/start/kill act on one node
 * with OTP's semantics and one "operator" event each, and the control
 * socket answers root and the daemon's uid only. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/common/harness.h"
#include "tests/common/runner.h"

static struct h h;

static void setup(void) { h_init(&h); }
static void teardown(void) { h_fini(&h); }

static const char *const root_only[] = { "root.jsonc", NULL };

/* `prospero VERB ARGS... --runtime-dir RUNDIR`; its exit status. */
static int verb(const char *v, const char *a1, const char *a2, const char *a3)
{
	const char *argv[8] = { v, "--runtime-dir", h.rundir };
	int n = 3;

	for (const char *a[] = { a1, a2, a3 }, **p = a; p < a + 3 && *p; p++)
		argv[n++] = *p;
	argv[n] = NULL;
	return h_run(&h, argv);
}

/* `status --json`, parsed; the exit status in *RC. */
static json_t *status_json(const char *name, int *rc)
{
	static char buf[1 << 16];
	json_t *o;
	int n;

	*rc = verb("status", "--json", name, NULL);
	n = h_read(&h, "run.out", buf, sizeof buf);
	ck_assert_msg(n > 0, "status --json: exit %d, run.out: %d (%s)", *rc, n, strerror(errno));
	o = json_loadb(buf, (size_t)n, 0, NULL);
	ck_assert_msg(o != NULL, "status --json is not JSON: %s", buf);
	ck_assert(json_is_true(json_object_get(o, "ok")));
	return o;
}

static json_t *node(json_t *st, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(st, "nodes"), i, v)
		if (strcmp(json_string_value(json_object_get(v, "name")), name) == 0)
			return v;
	ck_abort_msg("no node %s in the status", name);
	return NULL;
}

static const char *state(json_t *st, const char *name)
{
	return json_string_value(json_object_get(node(st, name), "state"));
}

static int pid(json_t *st, const char *name)
{
	return (int)json_integer_value(json_object_get(node(st, name), "pid"));
}

/* SIGKILL to NAME's process as status gives it (never pid 0: our group). */
static void kill_node(json_t *st, const char *name)
{
	ck_assert_int_gt(pid(st, name), 0);
	ck_assert_int_eq(kill(pid(st, name), SIGKILL), 0);
}

/* The pids the start events gave a, payment and c. */
static int started_a, started_payment, started_c;

/* a, payment and c under root (STRATEGY); payment's siblings around it. */
static void tree(const char *strategy)
{
	struct h_event e;
	char cfg[1024];

	snprintf(cfg, sizeof cfg,
		 "{ \"supervisor\": \"root\", \"strategy\": \"%s\", \"intensity\": 10, \"period\": 60,\n"
		 "  \"children\": [\n"
		 "    { \"actor\": \"a\", \"exec\": [\"@TA@\"] },\n"
		 "    { \"actor\": \"payment\", \"exec\": [\"@TA@\"] },\n"
		 "    { \"supervisor\": \"sub\", \"children\": [ { \"actor\": \"c\", \"exec\": [\"@TA@\"] } ] }\n"
		 "  ] }\n", strategy);
	h_write(&h, "root.jsonc", cfg);
	h_start(&h, root_only);
	h_expect_seq(&h, "start:root");
	h_expect(&h, "start", "a", &e);
	started_a = e.pid;
	h_expect_seq(&h, "ready:a");
	h_expect(&h, "start", "payment", &e);
	started_payment = e.pid;
	h_expect_seq(&h, "ready:payment start:sub");
	h_expect(&h, "start", "c", &e);
	started_c = e.pid;
	h_expect_seq(&h, "ready:c ready:sub ready:root");
}

START_TEST(status_shows_every_node_with_its_state_and_pid)
{
	json_t *st;
	int rc;

	tree("one_for_one");
	st = status_json(NULL, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(json_array_size(json_object_get(st, "nodes")), 5);
	for (const char *const *n = (const char *const[]){ "root", "a", "payment", "sub", "c", NULL }; *n; n++)
		ck_assert_str_eq(state(st, *n), "ready");
	ck_assert_str_eq(json_string_value(json_object_get(node(st, "sub"), "strategy")), "one_for_one");
	ck_assert_int_eq(json_integer_value(json_object_get(node(st, "c"), "depth")), 2);
	/* the pids are those the start events gave */
	ck_assert_int_eq(pid(st, "a"), started_a);
	ck_assert_int_eq(pid(st, "payment"), started_payment);
	ck_assert_int_eq(pid(st, "c"), started_c);
	ck_assert(json_object_get(node(st, "sub"), "pid") == NULL);
	json_decref(st);

	/* one node and its subtree */
	st = status_json("sub", &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(json_array_size(json_object_get(st, "nodes")), 2);
	json_decref(st);

	/* the readable view names every node */
	ck_assert_int_eq(verb("status", NULL, NULL, NULL), 0);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "  payment  ready pid "), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "    c  ready pid "), 1);

	/* an unknown name is an error */
	ck_assert_int_eq(verb("status", "nope", NULL, NULL), 1);
	h_stop(&h);
}
END_TEST

/* "last" says why the last run ended, by name, while the next one runs
 * too: it said "killed by SIGKILL" once a watchdog's victim was back. */
START_TEST(status_names_a_watchdog_kill_while_the_next_run_runs)
{
	struct h_event e;
	json_t *st;
	int rc;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 100, \"children\": [\n"
		"  { \"actor\": \"wd\", \"exec\": [\"@TA@\"], \"watchdog\": 1000 } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "exit", "wd", &e);
	ck_assert_str_eq(e.reason, "watchdog");
	h_expect(&h, "start", "wd", &e);	/* the next run */
	st = status_json("wd", &rc);
	ck_assert_int_gt(json_integer_value(json_object_get(node(st, "wd"), "pid")), 0);
	ck_assert_str_eq(json_string_value(json_object_get(node(st, "wd"), "last_exit")), "watchdog");
	json_decref(st);
	/* and the operator's line says what the operator did: it said only
	 * "operator wd (pid N)" */
	ck_assert_int_eq(verb("kill", "wd", "-s", "KILL"), 0);
	h_expect(&h, "operator", "wd", &e);
	h_stop(&h);
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero: operator wd (pid ", "): kill with SIGKILL"), 1);
}
END_TEST

/* logs reaches a terminal as stdout does, so its lines are escaped as
 * stdout's are: it printed an actor's ESC and CR raw. */
START_TEST(logs_escapes_control_characters_as_stdout_does)
{
	char out[1024];

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"p\", \"exec\": [\"/bin/sh\", \"-c\", \"printf 'e\\\\033x\\\\rcr\\\\tt\\\\nb\\\\377d\\\\n'; exec sleep 1000\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	for (int waited = 0; h_count_lines(&h, "out", "p: ") < 2; waited += 20) {
		ck_assert_msg(waited < H_TIMEOUT_MS, "no lines from p");
		h_sleep_ms(20);
	}
	ck_assert_int_eq(verb("logs", "p", NULL, NULL), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	/* a byte that is not UTF-8 cannot be in the JSON answer: "?" (docs) */
	ck_assert_str_eq(out, "e\\x1bx\\rcr\tt\nb?d\n");
	ck_assert_int_eq(h_count_lines(&h, "out", "p: e\\x1bx\\rcr\tt"), 1);
	/* -n 0: none, as tail -n0 (it was a usage error) */
	ck_assert_int_eq(verb("logs", "p", "-n", "0"), 0);
	ck_assert_int_eq(h_read(&h, "run.out", out, sizeof out), 0);
	h_stop(&h);
}
END_TEST

START_TEST(status_exits_3_while_something_that_should_run_does_not)
{
	json_t *st;
	int rc;

	/* "slow" never says it is ready: starting, not running */
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"    { \"actor\": \"a\", \"exec\": [\"@TA@\"] },\n"
		"    { \"actor\": \"slow\", \"exec\": [\"@TA@\"], \"ready\": \"notify\", \"start_timeout\": 600000 } ] }\n");
	h_start(&h, root_only);
	h_expect_seq(&h, "start:root start:a ready:a start:slow");
	st = status_json(NULL, &rc);
	ck_assert_int_eq(rc, 3);
	ck_assert_str_eq(state(st, "slow"), "starting");
	ck_assert_str_eq(state(st, "a"), "ready");
	json_decref(st);
	h_stop(&h);
}
END_TEST

/* A root that gives up is failing, not stopping on request: while it
 * stops what is left (slow, up to its shutdown), status exits 3, as
 * systemctl status does for a unit going down. It exited 0: nothing was
 * said to need running once the root stopped, for any reason. */
START_TEST(status_exits_3_while_the_root_gives_up)
{
	json_t *st;
	int rc;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 0, \"children\": [\n"
		"    { \"actor\": \"a\", \"exec\": [\"@TA@\"] },\n"
		/* ready once it ignores SIGTERM: at exec, the stop could still kill it */
		"    { \"actor\": \"slow\", \"exec\": [\"@TA@\", \"--ignore-term\", \"--notify-after\", \"0\"],\n"
		"      \"ready\": \"notify\", \"shutdown\": 3000 } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	st = status_json(NULL, &rc);
	ck_assert_int_eq(rc, 0);
	kill_node(st, "a");
	json_decref(st);
	h_expect(&h, "give_up", "root", NULL);
	h_expect(&h, "stop", "slow", NULL);
	st = status_json(NULL, &rc);
	ck_assert_str_eq(state(st, "root"), "stopping");
	ck_assert_str_eq(state(st, "slow"), "stopping");
	ck_assert(json_is_true(json_object_get(node(st, "root"), "should_run")));
	ck_assert_int_eq(rc, 3);
	json_decref(st);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 3);
}
END_TEST

/* How often NEEDLE stands in FILE. */
static int count_in(const char *file, const char *needle)
{
	static char buf[1 << 16];
	int n = h_read(&h, file, buf, sizeof buf), count = 0;

	for (char *p = buf; n > 0 && (p = strstr(p, needle)); p++)
		count++;
	return count;
}

/* The events that say "by": "operator". */
static int count_by_operator(void)
{
	return count_in("events", "\"by\": \"operator\"");
}

START_TEST(restart_changes_only_that_nodes_pids)
{
	json_t *before, *after;
	int rc;

	tree("one_for_one");
	before = status_json(NULL, &rc);
	ck_assert_int_eq(verb("restart", "payment", NULL, NULL), 0);
	h_expect_seq(&h, "operator:payment stop:payment exit:payment start:payment ready:payment");
	h_expect_quiet(&h, 200);
	after = status_json(NULL, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_ne(pid(after, "payment"), pid(before, "payment"));
	ck_assert_int_eq(pid(after, "a"), pid(before, "a"));
	ck_assert_int_eq(pid(after, "c"), pid(before, "c"));
	/* an operator's restart is not a failure: nothing counted */
	ck_assert_int_eq(json_integer_value(json_object_get(node(after, "payment"), "restarts")), 0);
	ck_assert_int_eq(json_integer_value(json_object_get(node(after, "root"), "window_restarts")), 0);
	ck_assert_int_eq(count_by_operator(), 1);
	json_decref(before);

	/* a supervisor: its subtree alone */
	ck_assert_int_eq(verb("restart", "sub", NULL, NULL), 0);
	h_expect_seq(&h, "operator:sub stop:sub stop:c exit:c start:sub start:c ready:c ready:sub");
	before = after;
	after = status_json(NULL, &rc);
	ck_assert_int_ne(pid(after, "c"), pid(before, "c"));
	ck_assert_int_eq(pid(after, "a"), pid(before, "a"));
	ck_assert_int_eq(pid(after, "payment"), pid(before, "payment"));
	ck_assert_int_eq(count_by_operator(), 2);
	json_decref(before);
	json_decref(after);
	h_stop(&h);
}
END_TEST

/* EVENT for both b#1 and b#2, in either order. */
static void expect_both(const char *event)
{
	struct h_event e;
	unsigned seen = 0;

	while (seen != 3) {
		ck_assert_msg(h_next(&h, &e, H_TIMEOUT_MS), "timed out waiting for %s of b#1 and b#2", event);
		if (strcmp(e.event, event) == 0 && strncmp(e.name, "b#", 2) == 0)
			seen |= strcmp(e.name, "b#1") == 0 ? 1u : 2u;
	}
}

/* A pool's name stands for each of its instances: status shows them,
 * stop, start and restart act on each (one event each), and logs, which
 * are one instance's, say which names to give. The old daemon answered
 * "no actor or supervisor named" for all of them. */
START_TEST(a_pools_name_stands_for_each_instance)
{
	json_t *before, *after;
	char err[512];
	int rc;

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
		     "  { \"actor\": \"a\", \"exec\": [\"@TA@\"] },\n"
		     "  { \"actor\": \"b\", \"instances\": 2, \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	before = status_json("b", &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(json_array_size(json_object_get(before, "nodes")), 2);
	ck_assert_str_eq(state(before, "b#1"), "ready");
	ck_assert_str_eq(state(before, "b#2"), "ready");

	ck_assert_int_eq(verb("restart", "b", NULL, NULL), 0);
	expect_both("ready");
	after = status_json(NULL, &rc);
	ck_assert_int_ne(pid(after, "b#1"), pid(before, "b#1"));
	ck_assert_int_ne(pid(after, "b#2"), pid(before, "b#2"));
	ck_assert_int_ne(pid(after, "a"), 0);
	ck_assert_int_eq(count_by_operator(), 2);
	json_decref(before);
	json_decref(after);

	ck_assert_int_eq(verb("stop", "b", NULL, NULL), 0);
	expect_both("exit");
	before = status_json("b", &rc);
	ck_assert_int_eq(rc, 0);	/* stopped by the operator: not meant to run */
	ck_assert_str_eq(state(before, "b#1"), "stopped");
	ck_assert_str_eq(state(before, "b#2"), "stopped");
	json_decref(before);
	ck_assert_int_eq(verb("stop", "b", NULL, NULL), 1);	/* every one already is */
	ck_assert_int_eq(verb("start", "b", NULL, NULL), 0);
	expect_both("ready");

	ck_assert_int_eq(verb("logs", "b", NULL, NULL), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err - 1), 0);
	ck_assert_msg(strstr(err, "b has 2 instances") && strstr(err, "b#1 to b#2"), "%s", err);
	ck_assert_int_eq(verb("status", "nosuch", NULL, NULL), 1);
	/* nor is a name longer than any node's (1, not a usage error) */
	ck_assert_int_eq(verb("status", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
				  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", NULL, NULL), 1);
	h_stop(&h);
}
END_TEST

START_TEST(stop_keeps_it_down_through_a_one_for_one_sibling_crash_and_start_brings_it_back)
{
	struct h_event e;
	json_t *st;
	int rc, a;

	tree("one_for_one");
	ck_assert_int_eq(verb("stop", "payment", NULL, NULL), 0);
	h_expect_seq(&h, "operator:payment stop:payment exit:payment");
	/* a second stop is refused, and says so */
	ck_assert_int_eq(verb("stop", "payment", NULL, NULL), 1);
	st = status_json(NULL, &rc);
	ck_assert_int_eq(rc, 0);	/* down on purpose is not "should run" */
	ck_assert_str_eq(state(st, "payment"), "stopped");
	ck_assert(json_object_get(node(st, "payment"), "pid") == NULL);
	a = pid(st, "a");
	ck_assert_int_gt(a, 0);
	json_decref(st);

	kill(a, SIGKILL);
	h_expect_seq(&h, "exit:a restart:a start:a ready:a");
	h_expect_quiet(&h, 200);
	st = status_json(NULL, &rc);
	ck_assert_str_eq(state(st, "payment"), "stopped");
	json_decref(st);

	ck_assert_int_eq(verb("start", "payment", NULL, NULL), 0);
	h_expect_seq(&h, "operator:payment start:payment");
	h_expect(&h, "ready", "payment", &e);
	st = status_json(NULL, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(state(st, "payment"), "ready");
	ck_assert_int_eq(pid(st, "payment"), e.pid);
	json_decref(st);
	ck_assert_int_eq(count_by_operator(), 2);

	/* the past, from the events file, for one name */
	ck_assert_int_eq(verb("events", "--name", "payment", NULL), 0);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "{\"ts\""), 8);
	h_stop(&h);
}
END_TEST

/* prospero(1): a stop's reason, in events, is "operator"; a supervisor
 * has no exit of its own, so status's last exit for one the operator
 * stopped says that too, not "shutdown" as if the tree had stopped. */
START_TEST(a_supervisor_the_operator_stopped_says_so_in_status)
{
	json_t *st;
	char out[4096];
	int rc;

	tree("one_for_one");
	ck_assert_int_eq(verb("stop", "sub", NULL, NULL), 0);
	h_expect_seq(&h, "operator:sub stop:sub");
	h_expect(&h, "exit", "c", NULL);
	st = status_json(NULL, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(state(st, "sub"), "stopped");
	ck_assert_str_eq(json_string_value(json_object_get(node(st, "sub"), "last_exit")), "operator");
	json_decref(st);
	ck_assert_int_eq(verb("status", "sub", NULL, NULL), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "sub  stopped one_for_one 0/1 in 5 s last: operator\n"), "%s", out);
	/* started again, and restarted: its last stop is still the operator's */
	ck_assert_int_eq(verb("start", "sub", NULL, NULL), 0);
	h_expect(&h, "ready", "sub", NULL);
	st = status_json(NULL, &rc);
	ck_assert_str_eq(json_string_value(json_object_get(node(st, "sub"), "last_exit")), "operator");
	json_decref(st);
	ck_assert_int_eq(verb("restart", "sub", NULL, NULL), 0);
	h_expect_seq(&h, "operator:sub stop:sub");
	h_expect(&h, "ready", "sub", NULL);
	st = status_json(NULL, &rc);
	ck_assert_str_eq(state(st, "sub"), "ready");
	ck_assert_str_eq(json_string_value(json_object_get(node(st, "sub"), "last_exit")), "operator");
	json_decref(st);
	h_stop(&h);
}
END_TEST

/* README: a supervisor that last ended by giving up says so in last:,
 * not "shutdown". */
START_TEST(a_supervisor_that_gave_up_says_so_in_status)
{
	json_t *st;
	char out[4096];
	int rc;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 10, \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"@TA@\"] },\n"
		"  { \"supervisor\": \"sub\", \"intensity\": 0, \"restart\": \"temporary\", \"children\": [\n"
		"    { \"actor\": \"c\", \"exec\": [\"/bin/sh\", \"-c\", \"sleep 0.3; exit 1\"] } ] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "give_up", "sub", NULL);
	h_expect(&h, "escalate", "sub", NULL);
	st = status_json(NULL, &rc);
	ck_assert_int_eq(rc, 0);	/* a temporary child that ended need not run */
	ck_assert_str_eq(state(st, "sub"), "down");
	ck_assert_str_eq(json_string_value(json_object_get(node(st, "sub"), "last_exit")),
			 "supervisor gave up: restart intensity exceeded");
	json_decref(st);
	ck_assert_int_eq(verb("status", "sub", NULL, NULL), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "sub  down one_for_one ") &&
		      strstr(out, " last: supervisor gave up: restart intensity exceeded\n"), "%s", out);
	h_stop(&h);
}
END_TEST

/* A second stop of an actor still stopping says so; the old daemon said
 * "is already stopped" while it ran. A start then is refused as busy. */
/* README: uptime counts from ready, and only while ready: an actor that
 * is starting (or stopping) has none, and one ready after 2 s of starting
 * is not 2 s up. */
START_TEST(uptime_counts_from_ready_and_only_while_ready)
{
	double ready_ts, since_ready_ms;
	struct h_event e;
	struct timespec now;
	long long started;
	char out[4096];
	json_t *st, *n;
	int rc;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"    { \"actor\": \"slow\", \"exec\": [\"@TA@\", \"--notify-after\", \"2000\", \"--ignore-term\"],\n"
		"      \"ready\": \"notify\", \"shutdown\": 3000 } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "start", "slow", NULL);
	started = h_now_ms();
	st = status_json("slow", &rc);
	n = node(st, "slow");
	ck_assert_str_eq(state(st, "slow"), "starting");
	ck_assert_int_gt(pid(st, "slow"), 0);
	ck_assert_ptr_null(json_object_get(n, "uptime_ms"));
	json_decref(st);
	ck_assert_int_eq(verb("status", "slow", NULL, NULL), 3);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "slow  starting pid ") && !strstr(out, " up "), "%s", out);

	h_expect(&h, "ready", "slow", &e);
	ck_assert(sscanf(e.line, "{\"ts\": %lf", &ready_ts) == 1);
	st = status_json("slow", &rc);
	ck_assert_int_eq(clock_gettime(CLOCK_REALTIME, &now), 0);
	n = node(st, "slow");
	ck_assert_int_ge(h_now_ms() - started, 1900);
	ck_assert_ptr_nonnull(json_object_get(n, "uptime_ms"));
	ck_assert_int_ge(json_integer_value(json_object_get(n, "uptime_ms")), 0);
	/* no longer than since the ready event, however slow this machine:
	 * counted from the start it would be 2 s more */
	since_ready_ms = ((double)now.tv_sec + (double)now.tv_nsec / 1e9 - ready_ts) * 1000;
	ck_assert_msg((double)json_integer_value(json_object_get(n, "uptime_ms")) <= since_ready_ms + 5,
		      "uptime %lld ms, %.0f ms after the ready event",
		      (long long)json_integer_value(json_object_get(n, "uptime_ms")), since_ready_ms);
	json_decref(st);
	ck_assert_int_eq(verb("status", "slow", NULL, NULL), 0);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg(strstr(out, "slow  ready pid ") && strstr(out, " up "), "%s", out);

	ck_assert_int_eq(verb("stop", "slow", NULL, NULL), 0);
	h_expect(&h, "stop", "slow", NULL);
	st = status_json("slow", &rc);
	ck_assert_str_eq(state(st, "slow"), "stopping");
	ck_assert_ptr_null(json_object_get(node(st, "slow"), "uptime_ms"));
	json_decref(st);
	h_expect(&h, "exit", "slow", NULL);
	h_stop(&h);
}
END_TEST

START_TEST(a_stop_of_a_stopping_actor_says_it_is_stopping)
{
	char err[4096];

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		/* ready once it ignores SIGTERM: at exec, a stop could still kill it */
		"    { \"actor\": \"stubborn\", \"exec\": [\"@TA@\", \"--ignore-term\", \"--notify-after\", \"0\"],\n"
		"      \"ready\": \"notify\", \"shutdown\": 3000 } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	ck_assert_int_eq(verb("stop", "stubborn", NULL, NULL), 0);
	h_expect(&h, "stop", "stubborn", NULL);
	ck_assert_int_eq(verb("stop", "stubborn", NULL, NULL), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "stubborn is already stopping"), "%s", err);
	ck_assert_int_eq(verb("start", "stubborn", NULL, NULL), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "stubborn is still stopping"), "%s", err);
	h_expect(&h, "exit", "stubborn", NULL);
	ck_assert_int_eq(verb("stop", "stubborn", NULL, NULL), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "stubborn is already stopped"), "%s", err);
	h_stop(&h);
}
END_TEST

/* `prospero VERB NAME` is refused with exit 1 and a reason holding WHY. */
static void refused(const char *v, const char *name, const char *why)
{
	char err[4096];

	ck_assert_int_eq(verb(v, name, NULL, NULL), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, why), "%s %s: %s", v, name, err);
}

static long long restarts_of(json_t *st, const char *name, const char *key)
{
	return json_integer_value(json_object_get(node(st, name), key));
}

/* README: "a stop of a stopped or stopping node" is refused, whatever
 * stops it: a sibling's group restart (it starts again with the group)
 * or its supervisor giving up (whose parent then restarts it, counted
 * once). The old daemon took such a stop, and a stop of a supervisor
 * giving up swallowed its escalation: the parent never restarted it. A
 * stubborn actor holds each stop open until the test kills it. */
START_TEST(a_stop_of_a_node_stopping_for_a_restart_or_a_give_up_is_refused)
{
	struct h_event e;
	int a_pid, st_pid;
	json_t *st;
	int rc;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 10, \"period\": 60, \"children\": [\n"
		"  { \"supervisor\": \"g\", \"strategy\": \"one_for_all\", \"intensity\": 1, \"period\": 60, \"children\": [\n"
		"    { \"actor\": \"a\", \"exec\": [\"@TA@\"] },\n"
		/* ready once it ignores SIGTERM: exec readiness would race it */
		"    { \"actor\": \"st\", \"exec\": [\"@TA@\", \"--ignore-term\", \"--notify-after\", \"0\"],\n"
		"      \"ready\": \"notify\", \"shutdown\": 60000 } ] } ] }\n");
	h_start(&h, root_only);
	h_expect_seq(&h, "start:root start:g");
	h_expect(&h, "start", "a", &e);
	h_expect_seq(&h, "ready:a");
	h_expect(&h, "start", "st", &e);
	h_expect_seq(&h, "ready:st ready:g ready:root");

	/* a group restart, held open by st's stop */
	st = status_json("a", &rc);
	ck_assert_int_eq(kill(pid(st, "a"), SIGUSR1), 0);
	json_decref(st);
	h_expect_seq(&h, "exit:a restart:a stop:st");
	refused("stop", "st", "st is already stopping");
	refused("start", "st", "st is still stopping");
	ck_assert_int_eq(verb("kill", "st", "-s", "KILL"), 0);
	h_expect_seq(&h, "operator:st exit:st");
	h_expect(&h, "start", "a", &e);
	a_pid = e.pid;
	h_expect_seq(&h, "ready:a");
	h_expect(&h, "start", "st", &e);
	st_pid = e.pid;
	h_expect_seq(&h, "ready:st");
	h_expect_quiet(&h, 200);
	st = status_json(NULL, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_int_eq(pid(st, "st"), st_pid);
	ck_assert_int_eq(restarts_of(st, "g", "window_restarts"), 1);
	ck_assert_int_eq(restarts_of(st, "a", "restarts"), 1);
	json_decref(st);

	/* g gives up, held open by st's stop: g and st are stopping */
	ck_assert_int_eq(kill(a_pid, SIGUSR1), 0);
	h_expect_seq(&h, "exit:a give_up:g stop:st");
	refused("stop", "g", "g is already stopping");
	refused("start", "g", "g is still stopping");
	refused("stop", "st", "st is not under a running supervisor");
	ck_assert_int_eq(kill(st_pid, SIGKILL), 0);
	/* the escalation reaches root, which restarts g: once, counted once */
	h_expect_seq(&h, "exit:st escalate:g restart:g start:g start:a ready:a");
	h_expect(&h, "start", "st", &e);
	st_pid = e.pid;
	h_expect_seq(&h, "ready:st ready:g");
	h_expect_quiet(&h, 200);
	st = status_json(NULL, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(state(st, "g"), "ready");
	ck_assert_int_eq(restarts_of(st, "g", "restarts"), 1);
	ck_assert_int_eq(restarts_of(st, "root", "window_restarts"), 1);
	ck_assert_int_eq(restarts_of(st, "g", "window_restarts"), 0);
	json_decref(st);
	ck_assert_int_eq(count_by_operator(), 1);
	h_signal(&h, SIGTERM);
	h_expect(&h, "stop", "st", NULL);
	ck_assert_int_eq(kill(st_pid, SIGKILL), 0);
	ck_assert_int_eq(h_wait_exit(&h, H_TIMEOUT_MS), 0);
}
END_TEST

/* README: while a supervisor starts its children, one it has not reached
 * yet counts as starting: start is refused, stop keeps it down when its
 * turn comes (the rest start without it), restart leaves it to start in
 * its turn, once. */
START_TEST(an_action_during_boot_meets_a_child_not_yet_started)
{
	char err[4096];
	json_t *st;
	int rc;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"    { \"actor\": \"slow\", \"exec\": [\"@TA@\", \"--notify-after\", \"3000\"], \"ready\": \"notify\" },\n"
		"    { \"actor\": \"b\", \"exec\": [\"@TA@\"] },\n"
		"    { \"actor\": \"c\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, root_only);
	h_expect_seq(&h, "start:root start:slow");
	ck_assert_int_eq(verb("start", "b", NULL, NULL), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "b is already running or starting"), "%s", err);
	ck_assert_int_eq(verb("stop", "b", NULL, NULL), 0);
	ck_assert_int_eq(verb("restart", "c", NULL, NULL), 0);
	/* nothing acts before slow is ready; then c starts, once, and b not */
	h_expect_seq(&h, "operator:b operator:c ready:slow start:c ready:c ready:root");
	h_expect_quiet(&h, 200);
	st = status_json(NULL, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(state(st, "b"), "stopped");
	ck_assert_str_eq(state(st, "c"), "ready");
	json_decref(st);
	h_stop(&h);
}
END_TEST

/* 300 children ready at exec (the default), started one after another,
 * after the children in BEFORE ("" or definitions, each with a comma
 * after it); returns once the first of the 300 has started. */
static void start_a_run_of_300(const char *before)
{
	char text[1024];

	snprintf(text, sizeof text, "{ \"supervisor\": \"root\", \"children\": [ %s\n"
		 "    { \"actor\": \"many\", \"exec\": [\"@TA@\"], \"instances\": 300 } ] }\n", before);
	h_write(&h, "root.jsonc", text);
	h_start(&h, root_only);
	h_expect(&h, "start", "many#1", NULL);
}

/* How many nodes a status asked now shows down (not reached yet). */
static size_t down_now(void)
{
	size_t i, down = 0;
	json_t *st, *v;
	int rc;

	st = status_json(NULL, &rc);
	json_array_foreach(json_object_get(st, "nodes"), i, v)
		down += strcmp(json_string_value(json_object_get(v, "state")), "down") == 0;
	json_decref(st);
	return down;
}

/* A long run of children ready at exec (the default): a status asked
 * once the first has started was answered only when the whole run had
 * started, every one of them ready by then. It is answered between two
 * starts, those not reached yet shown down. */
START_TEST(a_status_during_a_run_of_starts_is_answered_in_it)
{
	start_a_run_of_300("");
	ck_assert_uint_gt(down_now(), 0);
	h_expect(&h, "ready", "root", NULL);
	h_stop(&h);
}
END_TEST

/* The run goes on after its turn though the daemon is never idle (an
 * actor floods its control channel): an idle watcher, which runs only
 * when the loop has nothing else to do, left the rest of the run
 * waiting for as long as the flood went on. */
START_TEST(a_run_goes_on_after_its_turn_beside_a_busy_actor)
{
	start_a_run_of_300("{ \"actor\": \"flood\", \"exec\": [\"@TA@\", \"--flood-control\", \"16\"] },");
	ck_assert_uint_gt(down_now(), 0);
	h_expect(&h, "ready", "root", NULL);
	h_stop(&h);
}
END_TEST

/* A stop asked during such a run, of a child it has started: it was
 * carried out once the whole run had started. It is taken between two
 * starts, as where each start waits for READY=1. */
START_TEST(a_stop_during_a_run_of_starts_is_taken_in_it)
{
	struct h_event e;
	bool stopped = false;

	start_a_run_of_300("");
	ck_assert_int_eq(verb("stop", "many#1", NULL, NULL), 0);
	do {
		ck_assert(h_next(&h, &e, H_TIMEOUT_MS));
		stopped |= strcmp(e.event, "exit") == 0 && strcmp(e.name, "many#1") == 0;
	} while (strcmp(e.event, "start") != 0 || strcmp(e.name, "many#300") != 0);
	ck_assert_msg(stopped, "many#1 was stopped only after the run had started");
	h_expect(&h, "ready", "root", NULL);
	h_stop(&h);
}
END_TEST

/* A stop of a child that runs while its supervisor still starts later
 * ones is carried out once the one being started is ready; meanwhile
 * status shows it stopping, and a second stop says so. It showed
 * "ready", and a second stop was refused as "already stopped". */
START_TEST(a_stop_during_boot_of_a_running_child_shows_stopping)
{
	char err[4096];
	json_t *st;
	int rc;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"    { \"actor\": \"a\", \"exec\": [\"@TA@\"] },\n"
		"    { \"actor\": \"slow\", \"exec\": [\"@TA@\", \"--notify-after\", \"3000\"], \"ready\": \"notify\" },\n"
		"    { \"actor\": \"b\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, root_only);
	h_expect_seq(&h, "start:root start:a ready:a start:slow");
	ck_assert_int_eq(verb("stop", "a", NULL, NULL), 0);
	h_expect(&h, "operator", "a", NULL);
	st = status_json(NULL, &rc);
	ck_assert_int_eq(rc, 3);
	ck_assert_str_eq(state(st, "a"), "stopping");
	ck_assert_msg(!json_object_get(node(st, "a"), "uptime_ms"), "a stopping child has no uptime");
	json_decref(st);
	ck_assert_int_eq(verb("stop", "a", NULL, NULL), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "a is already stopping"), "%s", err);
	/* and a start says it is still stopping (EBUSY), as status shows
	 * it: it said "a is already running or starting" (EALREADY) */
	ck_assert_int_eq(verb("start", "a", NULL, NULL), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "a is still stopping: start it once it is down"), "%s", err);
	/* carried out once the child being started is ready, before the
	 * next one starts (the README said once all the rest had started) */
	h_expect_seq(&h, "ready:slow stop:a exit:a start:b ready:b ready:root");
	st = status_json(NULL, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(state(st, "a"), "stopped");
	ck_assert_str_eq(state(st, "b"), "ready");
	json_decref(st);
	h_stop(&h);
}
END_TEST

START_TEST(a_one_for_all_sibling_crash_starts_a_stopped_child_again_as_otp_does)
{
	json_t *st;
	int rc;

	tree("one_for_all");
	ck_assert_int_eq(verb("stop", "payment", NULL, NULL), 0);
	h_expect_seq(&h, "operator:payment stop:payment exit:payment");
	st = status_json(NULL, &rc);
	kill_node(st, "a");
	json_decref(st);
	/* OTP's restart_multiple_children starts every child, payment too */
	h_expect_seq(&h, "exit:a restart:a stop:sub");
	h_expect(&h, "start", "payment", NULL);
	h_expect(&h, "ready", "sub", NULL);
	st = status_json(NULL, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(state(st, "payment"), "ready");
	ck_assert_int_gt(pid(st, "payment"), 0);
	json_decref(st);
	h_stop(&h);
}
END_TEST

START_TEST(an_operator_kill_is_an_ordinary_exit)
{
	json_t *st;
	int rc;

	tree("one_for_one");
	ck_assert_int_eq(verb("kill", "payment", "-s", "KILL"), 0);
	h_expect_seq(&h, "operator:payment exit:payment restart:payment start:payment ready:payment");
	st = status_json(NULL, &rc);
	/* counted, as any crash is */
	ck_assert_int_eq(json_integer_value(json_object_get(node(st, "payment"), "restarts")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(node(st, "root"), "window_restarts")), 1);
	json_decref(st);
	/* a supervisor has no process to signal; the root is not the operator's */
	ck_assert_int_eq(verb("kill", "sub", NULL, NULL), 1);
	ck_assert_int_eq(verb("stop", "root", NULL, NULL), 1);
	h_stop(&h);
}
END_TEST


/* A refused client changed nothing: no event, payment still ready. */
static void refusal_changed_nothing(void)
{
	json_t *st;
	int rc;

	h_expect_quiet(&h, 100);
	st = status_json(NULL, &rc);
	ck_assert_str_eq(state(st, "payment"), "ready");
	json_decref(st);
	h_stop(&h);
}
/* Connect to the control socket as UID and ask for a stop; the answer. */
static void connect_as(uid_t uid, char *answer, size_t cap)
{
	int p[2];
	pid_t child;
	ssize_t n;

	ck_assert_int_eq(pipe(p), 0);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		static const char req[] = "{\"verb\": \"stop\", \"name\": \"payment\"}\n";
		char buf[512] = "connect failed";
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		if ((size_t)snprintf(sa.sun_path, sizeof sa.sun_path, "%s/control", h.rundir) >= sizeof sa.sun_path)
			_exit(1);
		if (setgid(uid) < 0 || setuid(uid) < 0)
			_exit(1);
		if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
			(void)!send(fd, req, sizeof req - 1, MSG_NOSIGNAL);
			n = read(fd, buf, sizeof buf - 1);
			buf[n > 0 ? n : 0] = 0;
		}
		(void)!write(p[1], buf, strlen(buf));
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], answer, cap - 1);
	answer[n > 0 ? n : 0] = 0;
	close(p[0]);
	ck_assert_int_eq(waitpid(child, NULL, 0), child);
}

START_TEST(another_uid_is_refused_even_when_it_can_reach_the_path)
{
	char answer[512], path[512];

	if (geteuid() != 0)
		return;	/* needs a second uid to become */
	tree("one_for_one");
	/* as the path is made: only its owner may connect at all */
	connect_as(65000, answer, sizeof answer);
	ck_assert_str_eq(answer, "connect failed");
	/* opened to all, the peer's credentials still decide */
	snprintf(path, sizeof path, "%s/control", h.rundir);
	ck_assert_int_eq(chmod(path, 0666), 0);
	connect_as(65001, answer, sizeof answer);
	ck_assert_msg(strstr(answer, "\"ok\":false") && strstr(answer, "EACCES"), "answer: %s", answer);
	refusal_changed_nothing();
}
END_TEST

/* `prospero VERB [NAME] [OPT] --runtime-dir RUNDIR` run as UID (its gid
 * too): its exit status; its stdout in run.out, its stderr in run.err. */
static int verb_opt_as(uid_t uid, const char *v, const char *name, const char *opt)
{
	const char *bin = getenv("PROSPERO");
	const char *argv[] = { "prospero", v, "--runtime-dir", h.rundir, name ? name : opt, name ? opt : NULL, NULL };
	pid_t child;
	int st;

	ck_assert_ptr_nonnull(bin);
	child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		int out = open(h_path(&h, "run.out"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		int err = open(h_path(&h, "run.err"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (out < 0 || err < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0 ||
		    setgroups(0, NULL) < 0 ||
		    setresgid(uid, uid, uid) < 0 || setresuid(uid, uid, uid) < 0)
			_exit(120);
		execv(bin, (char *const *)argv);
		_exit(121);
	}
	ck_assert_int_eq(waitpid(child, &st, 0), child);
	ck_assert(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static int verb_as(uid_t uid, const char *v, const char *name)
{
	return verb_opt_as(uid, v, name, NULL);
}

/* prospero-protocol(7): another uid "gets one refusal line with code
 * EACCES"; the command says the daemon's words, whatever it asked, and
 * exits 1 (status too: refused is not "nothing runs", 3). */
START_TEST(a_refused_command_says_the_daemons_refusal)
{
	static const char why[] = "permission denied: only root and the daemon's user may use the control socket\n";
	char path[512], err[1024], want[256];

	if (geteuid() != 0)
		return;	/* needs a second uid to become */
	tree("one_for_one");
	/* the socket's own mode refuses first: the same refusal, exit 1
	 * (status said "cannot reach the daemon" and exited 3) */
	ck_assert_int_eq(verb_as(65001, "status", NULL), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "/control: Permission denied: only root and the daemon's user may use the control "
				  "socket\n"), "%s", err);
	snprintf(path, sizeof path, "%s/control", h.rundir);
	ck_assert_int_eq(chmod(path, 0666), 0);
	for (int i = 0; i < 2; i++) {
		const char *v = i == 0 ? "status" : "stop";

		ck_assert_int_eq(verb_as(65001, v, i == 0 ? NULL : "payment"), 1);
		ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
		snprintf(want, sizeof want, "prospero: %s: %s", v, why);
		ck_assert_str_eq(err, want);
	}
	refusal_changed_nothing();
}
END_TEST

/* README: status exits 1 when the daemon refuses the user who asks,
 * and --json prints a refusal: the same line whether the socket's mode
 * or the daemon refused (it printed nothing for the mode's). */
START_TEST(a_refused_status_json_prints_the_refusal)
{
	char out[1024], path[512];
	json_t *o;

	if (geteuid() != 0)
		return;	/* needs a second uid to become */
	tree("one_for_one");
	snprintf(path, sizeof path, "%s/control", h.rundir);
	for (int i = 0; i < 2; i++) {
		if (i == 1)	/* opened to all: the daemon's own refusal */
			ck_assert_int_eq(chmod(path, 0666), 0);
		ck_assert_int_eq(verb_opt_as(65001, "status", NULL, "--json"), 1);
		ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
		o = json_loads(out, 0, NULL);
		ck_assert_msg(o != NULL, "refusal %d is not JSON: %s", i, out);
		ck_assert(json_is_false(json_object_get(o, "ok")));
		ck_assert_str_eq(json_string_value(json_object_get(o, "code")), "EACCES");
		ck_assert_str_eq(json_string_value(json_object_get(o, "error")),
				 "permission denied: only root and the daemon's user may use the control socket");
		json_decref(o);
	}
	refusal_changed_nothing();
}
END_TEST

/* README: --json prints the daemon's answer, a refusal too: a script
 * that reads it finds "ok": false and the code, as the socket gives it,
 * and the reason is still said on stderr. It printed nothing. */
START_TEST(status_json_prints_a_refusal_as_the_daemon_answered)
{
	char out[1024], err[1024];
	json_t *o;

	tree("one_for_one");
	ck_assert_int_eq(verb("status", "--json", "nosuch", NULL), 1);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	o = json_loads(out, 0, NULL);
	ck_assert_msg(o != NULL, "status --json of a refusal is not JSON: %s", out);
	ck_assert(json_is_false(json_object_get(o, "ok")));
	ck_assert_str_eq(json_string_value(json_object_get(o, "code")), "ENOENT");
	json_decref(o);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_str_eq(err, "prospero: status: no actor or supervisor named \"nosuch\"\n");
	/* without --json, the reason alone */
	ck_assert_int_eq(verb("status", "nosuch", NULL, NULL), 1);
	ck_assert_int_eq(h_read(&h, "run.out", out, sizeof out), 0);
	h_stop(&h);
}
END_TEST

/* A NAME with control characters is said on one line, escaped as actor
 * output is: the refusal carried them raw to the terminal, a newline
 * making two lines and an escape sequence reaching the screen. */
START_TEST(a_refusal_says_a_name_with_control_characters_escaped)
{
	char err[1024], longname[200];

	tree("one_for_one");
	ck_assert_int_eq(verb("status", "a\nb\x1b[2J", NULL, NULL), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_str_eq(err, "prospero: status: no actor or supervisor named \"a\\x0ab\\x1b[2J\"\n");
	ck_assert_int_eq(verb("stop", "x\ry", NULL, NULL), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_str_eq(err, "prospero: stop: no actor or supervisor named \"x\\ry\"\n");
	/* one the command itself says names nothing (160 bytes or more) */
	memset(longname, 'n', 170);
	longname[0] = '\x1b';
	longname[170] = '\0';
	ck_assert_int_eq(verb("fault", "kill", longname, NULL), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strncmp(err, "prospero: fault: no actor or instance: \\x1bnnn", 46) == 0, "%s", err);
	ck_assert_int_eq(verb("status", longname, NULL, NULL), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strncmp(err, "prospero: status: no actor or supervisor named \"\\x1bnnn", 54) == 0, "%s", err);
	h_stop(&h);
}
END_TEST

/* A NAME that is not UTF-8 names no node, as any unknown name: the
 * request could not be put in JSON, and every command said "cannot
 * reach the daemon: Cannot allocate memory" (status exiting 3, as if none
 * ran). */
START_TEST(a_name_that_is_not_utf8_names_no_node)
{
	char out[1024], err[1024];
	json_t *o;

	tree("one_for_one");
	ck_assert_int_eq(verb("status", "a\xff" "b", NULL, NULL), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_str_eq(err, "prospero: status: no actor or supervisor named \"a\\xffb\"\n");
	ck_assert_int_eq(verb("status", "--json", "\xc3(", NULL), 1);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	ck_assert_msg((o = json_loads(out, 0, NULL)) != NULL, "not JSON: %s", out);
	ck_assert_str_eq(json_string_value(json_object_get(o, "code")), "ENOENT");
	json_decref(o);
	ck_assert_int_eq(verb("restart", "w\xed\xa0\x80", NULL, NULL), 1);	/* a surrogate */
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_str_eq(err, "prospero: restart: no actor or supervisor named \"w\\xed\\xa0\\x80\"\n");
	/* events of such a name: none, and status 0, as of any name */
	ck_assert_int_eq(verb("events", "--name", "a\xff", NULL), 0);
	ck_assert_int_eq(h_read(&h, "run.out", out, sizeof out), 0);
	h_stop(&h);
}
END_TEST

/* reload reads the daemon's state file (0600) rather than the control
 * socket: another uid is refused there, and told why, not asked whether
 * a daemon runs (one does). */
START_TEST(a_refused_reload_says_who_may_reload)
{
	char err[1024], want[640];

	if (geteuid() != 0)
		return;	/* needs a second uid to become */
	tree("one_for_one");
	ck_assert_int_eq(verb_as(65001, "reload", NULL), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	snprintf(want, sizeof want, "prospero: reload: %s/reload: Permission denied: only root and the daemon's "
		 "user may reload it\n", h.rundir);
	ck_assert_str_eq(err, want);
	refusal_changed_nothing();
}
END_TEST

START_TEST(an_actor_that_finds_the_socket_is_refused)
{
	const char *hostile = getenv("HOSTILE");
	char cfg[2048], path[512];
	json_t *st;
	int rc, victim;

	ck_assert_msg(hostile != NULL, "HOSTILE not set: run with make check");
	if (geteuid() != 0)
		return;	/* actors run under the daemon's uid otherwise */
	snprintf(path, sizeof path, "%s/control", h.rundir);
	snprintf(cfg, sizeof cfg,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 "    { \"actor\": \"victim\", \"exec\": [\"@TA@\"] },\n"
		 "    { \"actor\": \"hostile\", \"exec\": [\"%s\", \"--control\", \"%s\", \"--notify\"],\n"
		 "      \"ready\": \"notify\" } ] }\n", hostile, path);
	h_write(&h, "root.jsonc", cfg);
	h_start(&h, root_only);
	h_expect_seq(&h, "start:root start:victim ready:victim start:hostile ready:hostile ready:root");
	/* now as if the path were open to it */
	ck_assert_int_eq(chmod(path, 0666), 0);
	ck_assert_int_eq(verb("restart", "hostile", NULL, NULL), 0);
	h_expect_seq(&h, "operator:hostile stop:hostile exit:hostile start:hostile ready:hostile");
	ck_assert_int_eq(verb("logs", "hostile", NULL, NULL), 0);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "control: connect EACCES"), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "control: {\"ok\":false"), 1);
	st = status_json(NULL, &rc);
	ck_assert_str_eq(state(st, "victim"), "ready");
	victim = pid(st, "victim");
	ck_assert(h_alive(victim));
	json_decref(st);
	ck_assert_int_eq(count_by_operator(), 1);	/* ours, not its */
	h_stop(&h);
}
END_TEST

/* An event's "ts" and "delay" (-1 when it has none). */
static double event_ts(const struct h_event *e, long *delay)
{
	json_t *o = json_loads(e->line, 0, NULL);
	double ts;

	ck_assert_ptr_nonnull(o);
	ts = json_real_value(json_object_get(o, "ts"));
	*delay = json_is_integer(json_object_get(o, "delay")) ? (long)json_integer_value(json_object_get(o, "delay")) : -1;
	json_decref(o);
	return ts;
}

/* The next restart of crashy: its delay, and the start it leads to no
 * sooner than that (a millisecond of slack for the two clocks' rounding). */
static long next_restart(void)
{
	struct h_event e;
	double restart_ts;
	long delay, none;

	h_expect(&h, "restart", "crashy", &e);
	restart_ts = event_ts(&e, &delay);
	h_expect(&h, "start", "crashy", &e);
	ck_assert_double_ge((event_ts(&e, &none) - restart_ts) * 1000 + 1, (double)delay);
	return delay;
}

START_TEST(backoff_delays_double_to_the_cap_and_reset_after_a_stable_run)
{
	char crash[512];
	struct h_event e;
	char out[1024], ms[16];
	double until;
	json_t *st;
	long delay;
	int rc;

	snprintf(crash, sizeof crash, "%s", h_path(&h, "crash"));
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 100, \"period\": 60, \"children\": [\n"
		/* ready once past the crash check: no start outruns the file */
		"    { \"actor\": \"crashy\", \"exec\": [\"@TA@\", \"--crash-if\", \"@DIR@/crash\", \"--notify-after\", \"0\"],\n"
		"      \"ready\": \"notify\", \"backoff\": { \"initial\": 300, \"max\": 2000, \"reset_after\": 1500 } } ] }\n");
	h_start(&h, root_only);
	h_expect_seq(&h, "start:root start:crashy ready:crashy ready:root");
	h_write(&h, "crash", "");
	st = status_json(NULL, &rc);
	kill_node(st, "crashy");
	json_decref(st);
	h_expect(&h, "exit", "crashy", NULL);
	/* each start crashes at once: initial, doubled, doubled, capped */
	ck_assert_int_eq(next_restart(), 300);
	ck_assert_int_eq(next_restart(), 600);
	ck_assert_int_eq(next_restart(), 1200);
	h_expect(&h, "restart", "crashy", &e);
	event_ts(&e, &delay);
	ck_assert_int_eq(delay, 2000);
	unlink(crash);	/* the start after this wait runs */
	st = status_json("crashy", &rc);
	ck_assert_int_eq(rc, 3);
	ck_assert_str_eq(state(st, "crashy"), "backing off");
	until = json_real_value(json_object_get(node(st, "crashy"), "backoff_until"));
	ck_assert(until > json_real_value(json_object_get(st, "now")));
	json_decref(st);
	/* one deadline, in whole milliseconds as the tree keeps it: it moved
	 * by up to a millisecond from one call to the next */
	ck_assert_double_eq_tol(until * 1000.0, round(until * 1000.0), 1e-3);
	for (int i = 0; i < 3; i++) {
		st = status_json("crashy", &rc);
		ck_assert_double_eq(json_real_value(json_object_get(node(st, "crashy"), "backoff_until")), until);
		json_decref(st);
	}
	/* and the text says that millisecond (a double's .324 is .32399...:
	 * it said .323) */
	ck_assert_int_eq(verb("status", "crashy", NULL, NULL), 3);
	ck_assert_int_gt(h_read(&h, "run.out", out, sizeof out), 0);
	snprintf(ms, sizeof ms, ".%03lld ", (long long)round(until * 1000.0) % 1000);
	ck_assert_msg(strstr(out, " until ") && strstr(strstr(out, " until "), ms), "want %s in %s", ms, out);
	h_expect(&h, "start", "crashy", &e);
	h_expect_seq(&h, "ready:crashy");
	/* up longer than reset_after: the next crash starts over */
	h_sleep_ms(1800);
	kill(e.pid, SIGKILL);
	h_expect(&h, "exit", "crashy", NULL);
	ck_assert_int_eq(next_restart(), 300);
	h_expect_seq(&h, "ready:crashy");
	h_stop(&h);
}
END_TEST

START_TEST(shutdown_0_kills_at_once_after_sigterm)
{
	struct h_event e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"    { \"actor\": \"stubborn\", \"exec\": [\"@TA@\", \"--ignore-term\"], \"shutdown\": 0 } ] }\n");
	h_start(&h, root_only);
	h_expect_seq(&h, "start:root start:stubborn ready:stubborn ready:root");
	ck_assert_int_eq(verb("stop", "stubborn", NULL, NULL), 0);
	h_expect_seq(&h, "operator:stubborn stop:stubborn");
	h_expect(&h, "exit", "stubborn", &e);
	ck_assert_str_eq(e.signal, "SIGKILL");	/* it ignores SIGTERM */
	h_stop(&h);
}
END_TEST

START_TEST(check_warns_of_a_backoff_that_outruns_intensity)
{
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 3, \"period\": 5, \"children\": [\n"
		"    { \"actor\": \"slowpoke\", \"exec\": [\"@TA@\"], \"backoff\": { \"initial\": 4000 } },\n"
		"    { \"actor\": \"quick\", \"exec\": [\"@TA@\"], \"backoff\": { \"initial\": 10, \"max\": 100 } } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 0);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:2:"), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:"), 1);
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"    { \"actor\": \"x\", \"exec\": [\"@TA@\"], \"backoff\": { \"initial\": 400, \"max\": 100 } } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:2:"), 1);
	/* a temporary child is never restarted, so its delays keep no give-up
	 * from happening: nothing to warn of */
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 3, \"period\": 5, \"children\": [\n"
		"    { \"actor\": \"once\", \"exec\": [\"@TA@\"], \"restart\": \"temporary\",\n"
		"      \"backoff\": { \"initial\": 4000 } },\n"
		"    { \"supervisor\": \"sub\", \"restart\": \"temporary\", \"backoff\": { \"initial\": 4000 },\n"
		"      \"children\": [] } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "-c", "root.jsonc", NULL }), 0);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: root.jsonc:"), 0);
}
END_TEST

/* The next datagram on FD that starts with PREFIX, waiting for it; its
 * text in BUF. */
static void expect_datagram(int fd, const char *prefix, char *buf, size_t cap)
{
	long long end = h_now_ms() + H_TIMEOUT_MS;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = end - h_now_ms();
		ssize_t n;

		ck_assert_msg(left > 0 && poll(&p, 1, (int)left) == 1, "no datagram \"%s...\"", prefix);
		n = recv(fd, buf, cap - 1, 0);
		ck_assert_int_gt(n, 0);
		buf[n] = 0;
		if (strncmp(buf, prefix, strlen(prefix)) == 0)
			return;
	}
}

START_TEST(systemd_hears_the_summary_as_it_changes)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char buf[512];
	json_t *st;
	int fd, rc;

	snprintf(sa.sun_path, sizeof sa.sun_path, "%s", h_path(&h, "sd"));
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	tree("one_for_one");
	unsetenv("NOTIFY_SOCKET");
	expect_datagram(fd, "READY=1", buf, sizeof buf);
	expect_datagram(fd, "STATUS=", buf, sizeof buf);
	ck_assert_str_eq(buf, "STATUS=3 actors running");
	st = status_json(NULL, &rc);
	kill_node(st, "a");
	json_decref(st);
	expect_datagram(fd, "STATUS=3 actors running, 1 restart in the last minute", buf, sizeof buf);
	ck_assert_int_eq(verb("stop", "payment", NULL, NULL), 0);
	expect_datagram(fd, "STATUS=2 of 3 actors running, 1 restart in the last minute", buf, sizeof buf);
	close(fd);
	h_stop(&h);
}
END_TEST

START_TEST(dot_draws_clusters_nodes_and_bindings)
{
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"    { \"actor\": \"front\", \"exec\": [\"@TA@\"], \"bindings\": { \"PAY\": \"payment\" } },\n"
		"    { \"supervisor\": \"back\", \"strategy\": \"rest_for_one\", \"children\": [\n"
		"      { \"actor\": \"payment\", \"exec\": [\"@TA@\"] } ] } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "check", "--dot", "-c", "root.jsonc", NULL }), 0);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "digraph prospero {"), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "\tsubgraph \"cluster_root\" {"), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "\t\tsubgraph \"cluster_back\" {"), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "\t\t\tlabel=\"back\\nrest_for_one\";"), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "\t\t\"front\" [label=\"front\"];"), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "\t\"front\" -> \"payment\" [label=\"PAY\"];"), 1);

	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	ck_assert_int_eq(verb("status", "--dot", NULL, NULL), 0);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "\t\t\t\"payment\" [label=\"payment\\nready, 0 restarts\"];"), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "\t\t\tlabel=\"back\\nrest_for_one\\n0/1 in 5 s\";"), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "\t\"front\" -> \"payment\" [label=\"PAY\"];"), 1);
	/* a subtree's graph drew its bindings to "front#1", a node it
	 * does not hold, which Graphviz then made up */
	ck_assert_int_eq(verb("status", "--dot", "back", NULL), 0);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "\t\t\"payment\" [label="), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "\t\"front"), 0);
	h_stop(&h);

	/* a client pool: an edge from each instance (only #1 had one), to
	 * each instance of a service pool, which share its end */
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"    { \"actor\": \"payment\", \"exec\": [\"@TA@\"], \"instances\": 2 },\n"
		"    { \"actor\": \"front\", \"exec\": [\"@TA@\"], \"instances\": 2, \"bindings\": { \"PAY\": \"payment\" } } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	ck_assert_int_eq(verb("status", "--dot", NULL, NULL), 0);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "\t\"front#"), 4);
	for (int i = 1; i <= 2; i++)
		for (int j = 1; j <= 2; j++) {
			char line[128];

			snprintf(line, sizeof line, "\t\"front#%d\" -> \"payment#%d\" [label=\"PAY\"];", i, j);
			ck_assert_int_eq(h_count_lines(&h, "run.out", line), 1);
		}
	h_stop(&h);
}
END_TEST

/* `prospero VERB NAME --follow` in the background, its stdout to OUT. */
static pid_t follow(const char *verb, const char *name, const char *out)
{
	pid_t child = fork();

	ck_assert_int_ge(child, 0);
	if (child == 0) {
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || dup2(fd, 1) < 0)
			_exit(120);
		if (strcmp(verb, "events") == 0)
			execl(getenv("PROSPERO"), "prospero", verb, "--follow", "--name", name,
			      "--runtime-dir", h.rundir, (char *)NULL);
		else
			execl(getenv("PROSPERO"), "prospero", verb, name, "--follow", "--runtime-dir", h.rundir,
			      (char *)NULL);
		_exit(121);
	}
	return child;
}

/* Wait until FILE has N lines starting with PREFIX. */
static void wait_lines(const char *file, const char *prefix, int n)
{
	long long end = h_now_ms() + H_TIMEOUT_MS;

	while (h_count_lines(&h, file, prefix) < n) {
		ck_assert_msg(h_now_ms() < end, "%s: fewer than %d lines \"%s\"", file, n, prefix);
		h_sleep_ms(20);
	}
}

/* Wait until FILE holds NEEDLE N times. */
static void wait_count(const char *file, const char *needle, int n)
{
	long long end = h_now_ms() + H_TIMEOUT_MS;

	while (count_in(file, needle) < n) {
		ck_assert_msg(h_now_ms() < end, "%s: \"%s\" fewer than %d times", file, needle, n);
		h_sleep_ms(20);
	}
}

START_TEST(events_and_logs_follow_what_happens)
{
	pid_t ev, lg;
	int st;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"    { \"actor\": \"other\", \"exec\": [\"@TA@\"] },\n"
		"    { \"actor\": \"talker\", \"exec\": [\"@TA@\", \"--print\", \"hello\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	ev = follow("events", "talker", h_path(&h, "follow.events"));
	lg = follow("logs", "talker", h_path(&h, "follow.logs"));
	/* the past first: talker's start and its first words */
	wait_lines("follow.events", "{\"ts\": ", 1);
	wait_lines("follow.logs", "hello", 1);
	/* one after the other: an accepted restart answers before its stop
	 * ends, so two at once interleave their events */
	ck_assert_int_eq(verb("restart", "talker", NULL, NULL), 0);
	h_expect_seq(&h, "operator:talker stop:talker exit:talker start:talker ready:talker");
	ck_assert_int_eq(verb("restart", "other", NULL, NULL), 0);
	h_expect_seq(&h, "operator:other stop:other exit:other start:other ready:other");
	/* live: what the restarted talker says, and its events */
	wait_lines("follow.logs", "hello", 4);
	wait_count("follow.events", "\"event\": \"ready\"", 2);
	h_stop(&h);
	/* the daemon gone, both streams end */
	ck_assert_int_eq(waitpid(ev, &st, 0), ev);
	ck_assert_int_eq(waitpid(lg, &st, 0), lg);
	/* talker's, from the file and live, each once; none of other's */
	ck_assert_int_eq(count_in("follow.events", "\"by\": \"operator\""), 1);
	ck_assert_int_eq(count_in("follow.events", "\"event\": \"start\""), 2);
	ck_assert_int_eq(count_in("follow.events", "\"other\""), 0);
	ck_assert_int_eq(h_count_lines(&h, "follow.logs", "hello"), 4);
}
END_TEST

/* prospero(1), --follow: until interrupted, or until the daemon hangs
 * up; either ends the command with status 0. Interrupted, it died of
 * the signal. */
START_TEST(an_interrupted_follow_ends_with_status_0)
{
	static const int sigs[] = { SIGINT, SIGTERM };

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"    { \"actor\": \"talker\", \"exec\": [\"@TA@\", \"--print\", \"hello\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
		char evf[32], lgf[32];
		pid_t ev, lg;
		int st;

		/* files of their own: a line there is the exec'ed command's, so
		 * the signal cannot meet the child before its exec (it would run
		 * the test runner's handler, which signals the whole group) */
		snprintf(evf, sizeof evf, "follow.events.%zu", i);
		snprintf(lgf, sizeof lgf, "follow.logs.%zu", i);
		ev = follow("events", "talker", h_path(&h, evf));
		lg = follow("logs", "talker", h_path(&h, lgf));
		wait_lines(evf, "{\"ts\": ", 1);
		wait_lines(lgf, "hello", 1);
		ck_assert_int_eq(kill(ev, sigs[i]), 0);
		ck_assert_int_eq(kill(lg, sigs[i]), 0);
		ck_assert_int_eq(waitpid(ev, &st, 0), ev);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "events: %s: status %#x", strsignal(sigs[i]), st);
		ck_assert_int_eq(waitpid(lg, &st, 0), lg);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "logs: %s: status %#x", strsignal(sigs[i]), st);
	}
	h_stop(&h);
}
END_TEST

/* A status event names its actor: a follower of that name sees it live,
 * as it sees it in the file. */
START_TEST(a_status_event_follows_by_name)
{
	pid_t ev;
	int st;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"    { \"actor\": \"worker\", \"exec\": [\"/bin/sh\", \"-c\",\n"
		"      \"while [ ! -e @DIR@/go ]; do sleep 0.05; done; echo STATUS=busy >&3; exec sleep 1000\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	ev = follow("events", "worker", h_path(&h, "follow.events"));
	wait_lines("follow.events", "{\"ts\": ", 1);	/* the past: subscribed */
	h_write(&h, "go", "");
	wait_count("follow.events", "\"event\": \"status\"", 1);
	h_stop(&h);
	ck_assert_int_eq(waitpid(ev, &st, 0), ev);
	ck_assert_int_eq(count_in("follow.events", "\"event\": \"status\", \"name\": \"worker\", \"supervisor\": \"root\", \"pid\": "), 1);
	ck_assert_int_eq(count_in("follow.events", "\"text\": \"busy\""), 1);
}
END_TEST

/* Each line of FILE is a JSON object (jansson takes only UTF-8); how many. */
static int json_lines(const char *file)
{
	static char buf[1 << 16];
	int n = h_read(&h, file, buf, sizeof buf - 1), lines = 0;

	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	for (char *save = NULL, *l = strtok_r(buf, "\n", &save); l; l = strtok_r(NULL, "\n", &save), lines++) {
		json_t *o = json_loads(l, 0, NULL);

		ck_assert_msg(json_is_object(o), "%s: not a JSON line: %s", file, l);
		json_decref(o);
	}
	return lines;
}

/* STATUS= text is cut at 255 bytes on a character boundary, and bytes
 * that are not UTF-8 (or a C1 control) are escaped as \xNN: `status` and
 * the events file carry the text as sent. The old daemon cut the 128th
 * "\u00e9" in half: `status --json` showed 255 '?', and the event line
 * held a lone \303 byte, which is not UTF-8. */
START_TEST(status_text_is_cut_at_a_character_and_stays_utf8)
{
	static const char e_acute[] = "\xc3\xa9";
	static char buf[1 << 16];
	char want[300] = "", line[400];
	json_t *st;
	int rc, n;

	for (int i = 0; i < 127; i++)
		strcat(want, e_acute);	/* 254 bytes: the 128th would be 256 */
	h_write(&h, "st.py",
		"import socket, sys, time\n"
		"texts = {'long': '\\u00e9'.encode() * 200, 'bad': b'a\\xffb\\xe9\\x80\\xc2\\x85c\\xc3'}\n"
		"socket.socket(fileno=3).send(b'STATUS=' + texts[sys.argv[1]])\n"
		"time.sleep(1000)\n");
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"    { \"actor\": \"long\", \"exec\": [\"/usr/bin/python3\", \"@DIR@/st.py\", \"long\"],\n"
		"      \"sandbox\": { \"profile\": \"none\" } },\n"
		"    { \"actor\": \"bad\", \"exec\": [\"/usr/bin/python3\", \"@DIR@/st.py\", \"bad\"],\n"
		"      \"sandbox\": { \"profile\": \"none\" } } ] }\n");
	h_start(&h, root_only);
	wait_count("events", "\"event\": \"status\"", 2);
	st = status_json(NULL, &rc);
	ck_assert_str_eq(json_string_value(json_object_get(node(st, "long"), "status")), want);
	ck_assert_str_eq(json_string_value(json_object_get(node(st, "bad"), "status")),
			 "a\\xffb\\xe9\\x80\\xc2\\x85c\\xc3");
	json_decref(st);
	/* the human form too */
	ck_assert_int_eq(verb("status", "long", NULL, NULL), 0);
	n = h_read(&h, "run.out", buf, sizeof buf - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	ck_assert_msg(strstr(buf, want), "%s", buf);
	/* the events file, line by line, and the same text in it */
	ck_assert_int_eq(json_lines("events"), h_count_lines(&h, "events", ""));
	snprintf(line, sizeof line, "\"text\": \"%s\", \"not_shown\": 0", want);
	ck_assert_int_eq(count_in("events", line), 1);
	ck_assert_int_eq(count_in("events", "\"text\": \"a\\\\xffb\\\\xe9\\\\x80\\\\xc2\\\\x85c\\\\xc3\""), 1);
	snprintf(line, sizeof line, "prospero: long: status: %s\n", want);
	ck_assert_int_eq(count_in("err", line), 1);
	h_stop(&h);
}
END_TEST

/* A raw control connection that sends REQ and reads only the first line. */
/* A connection to the control socket that has sent REQ. */
static int send_request(const char *req)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert((size_t)snprintf(sa.sun_path, sizeof sa.sun_path, "%s/control", h.rundir) < sizeof sa.sun_path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	return fd;
}

/* As send_request, its first answer line read. */
static int subscribe(const char *req)
{
	int fd = send_request(req);
	char c;

	do
		ck_assert_int_eq(read(fd, &c, 1), 1);
	while (c != '\n');
	return fd;
}

START_TEST(a_follower_that_does_not_read_is_dropped)
{
	static char buf[1 << 16];
	long long got = 0;
	json_t *st;
	ssize_t n;
	int fd, rc;

	/* 32 MB of output once told to, far more than a client may leave unread */
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"    { \"actor\": \"chatty\", \"restart\": \"temporary\", \"exec\": [\"/bin/sh\", \"-c\",\n"
		"      \"while [ ! -e @DIR@/go ]; do sleep 0.05; done; yes 0123456789012345678901234567890123456789 | head -c 32000000; exit 3\"] },\n"
		"    { \"actor\": \"other\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	fd = subscribe("{\"verb\": \"logs\", \"name\": \"chatty\", \"follow\": true}\n");
	h_write(&h, "go", "");
	/* the daemon passes all of it on to its own stdout meanwhile, and
	 * reports the exit once it has read the last of it: 32 MB through a
	 * sanitizer build on a loaded machine may take longer than an event
	 * usually may */
	for (struct h_event e;;) {
		ck_assert_msg(h_next(&h, &e, 6 * H_TIMEOUT_MS), "timed out waiting for exit chatty");
		if (strcmp(e.event, "exit") == 0 && strcmp(e.name, "chatty") == 0)
			break;
	}
	st = status_json(NULL, &rc);	/* and answers others */
	ck_assert_str_eq(state(st, "other"), "ready");
	json_decref(st);
	/* what the kernel held for us, then the end: not 32 MB of lines */
	while ((n = read(fd, buf, sizeof buf)) > 0)
		got += n;
	ck_assert_int_eq(n, 0);
	ck_assert_int_lt(got, 32000000);
	close(fd);
	h_stop(&h);
}
END_TEST

/* README: at most 64 clients are connected at once. A follower that
 * closed its socket is not one, though no event comes to fail a write to
 * it (a ^C'd `prospero events --follow` on a quiet tree); one that only
 * shut down its writing still reads its stream. */
START_TEST(closed_followers_leave_room_for_others)
{
	enum { MAX_CLIENTS = 64 };	/* the README's */
	int fds[MAX_CLIENTS], half, rc;
	char c;
	json_t *st;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [ { \"actor\": \"payment\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	/* closed at once: more than the daemon takes */
	for (int i = 0; i < MAX_CLIENTS + 8; i++)
		close(subscribe("{\"verb\": \"events\", \"follow\": true}\n"));
	/* every place taken by readers that shut down their writing, which
	 * the daemon sees, and then closed */
	for (int i = 0; i < MAX_CLIENTS; i++) {
		fds[i] = subscribe("{\"verb\": \"logs\", \"name\": \"payment\", \"follow\": true}\n");
		ck_assert_int_eq(shutdown(fds[i], SHUT_WR), 0);
	}
	h_sleep_ms(200);
	for (int i = 0; i < MAX_CLIENTS; i++)
		close(fds[i]);
	st = status_json(NULL, &rc);
	ck_assert_int_eq(rc, 0);
	json_decref(st);
	/* a half-closed follower keeps its stream */
	half = subscribe("{\"verb\": \"events\", \"follow\": true, \"name\": \"payment\"}\n");
	ck_assert_int_eq(shutdown(half, SHUT_WR), 0);
	h_sleep_ms(100);
	ck_assert_int_eq(verb("restart", "payment", NULL, NULL), 0);
	ck_assert_int_eq(read(half, &c, 1), 1);
	ck_assert_int_eq(c, '{');
	close(half);
	h_stop(&h);
}
END_TEST

/* One line of FD, without its newline, into BUF. */
static void read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	char c;

	for (;;) {
		ck_assert_int_eq(read(fd, &c, 1), 1);
		if (c == '\n')
			break;
		ck_assert_uint_lt(n, cap - 1);
		buf[n++] = c;
	}
	buf[n] = 0;
}

/* README: at most 64 clients are connected at once. A client that
 * connected and closed is not one, though the daemon may have taken its
 * connection before reading its end: a loop that connects and closes at
 * once must not fill the places and keep the operator's status out. */
START_TEST(connections_closed_at_once_leave_room_for_others)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	static char line[1 << 16];
	static char other[256];
	int ok = 0, refused = 0;
	pid_t churner;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [ { \"actor\": \"payment\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	ck_assert((size_t)snprintf(sa.sun_path, sizeof sa.sun_path, "%s/control", h.rundir) < sizeof sa.sun_path);
	churner = fork();
	ck_assert_int_ge(churner, 0);
	if (churner == 0) {
		for (;;) {
			int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

			(void)!connect(fd, (struct sockaddr *)&sa, sizeof sa);
			close(fd);
		}
	}
	h_sleep_ms(200);
	for (int i = 0; i < 40; i++) {
		int fd = send_request("{\"verb\": \"status\"}\n");

		read_line(fd, line, sizeof line);
		close(fd);
		if (strncmp(line, "{\"ok\":true,", 11) == 0)
			ok++;
		else if (strstr(line, "too many control connections"))
			refused++;
		else
			snprintf(other, sizeof other, "%.200s", line);
		h_sleep_ms(20);
	}
	kill(churner, SIGKILL);
	waitpid(churner, NULL, 0);
	ck_assert_msg(ok == 40, "%d of 40 status requests answered, %d refused as too many, other: %s", ok,
		      refused, other);
	h_stop(&h);
}
END_TEST

/* README: requests sent ahead are taken one a turn of the loop, each
 * once the answers before it are written, so a client that sends many
 * and reads none of the answers is answered as far as its socket holds
 * and the rest wait. Its answers are not piled up in the daemon: this
 * client's together are 22 MB, past the 16 MiB at which the daemon
 * drops a client, and it gets every one. */
START_TEST(a_pipeline_of_requests_is_answered_as_it_is_read)
{
	enum { ASKED = 20 };	/* each the whole of a full 1 MiB ring */
	static const char ask[] = "{\"verb\":\"logs\",\"name\":\"chatty\"}\n";
	static const char *const ring[] = { "--log-ring", "1048576", NULL };
	static char req[ASKED * sizeof ask];
	static char buf[1 << 16];
	long long deadline = h_now_ms() + H_TIMEOUT_MS;
	int fd, lines = 0;
	ssize_t r;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"    { \"actor\": \"chatty\", \"exec\": [\"/bin/sh\", \"-c\",\n"
		"      \"yes 0123456789012345678901234567890123456789 | head -c 1000000; echo done; exec sleep 1000\"] } ] }\n");
	h_start_with(&h, root_only, ring);
	h_expect(&h, "ready", "root", NULL);
	/* until the ring holds all of it */
	for (;;) {
		fd = send_request("{\"verb\":\"logs\",\"name\":\"chatty\",\"lines\":1}\n");
		read_line(fd, buf, sizeof buf);
		close(fd);
		if (strstr(buf, "done\"]"))
			break;
		ck_assert_msg(h_now_ms() < deadline, "its output never reached the ring: %.200s", buf);
		h_sleep_ms(20);
	}
	for (int i = 0; i < ASKED; i++)
		strcat(req, ask);
	fd = send_request(req);
	/* stalled a while: time enough to work out every answer, if taken at once */
	h_sleep_ms(2000);
	while (lines < ASKED && (r = read(fd, buf, sizeof buf)) > 0)
		for (ssize_t i = 0; i < r; i++)
			lines += buf[i] == '\n';
	ck_assert_int_eq(lines, ASKED);
	close(fd);
	h_stop(&h);
}
END_TEST

START_TEST(each_request_line_gets_one_answer)
{
	static char req[6000];
	char line[512];
	int fd, n;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [ { \"actor\": \"payment\", \"exec\": [\"@TA@\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	/* a name of 5000 bytes, over the 4096 a line may have, then a request */
	n = snprintf(req, sizeof req, "{\"verb\": \"stop\", \"name\": \"%05000d\"}\n", 0);
	snprintf(req + n, sizeof req - (size_t)n, "{\"verb\": \"stop\", \"name\": \"nobody\"}\n");
	fd = subscribe(req);	/* its first answer is the refusal of the long line */
	read_line(fd, line, sizeof line);
	ck_assert_msg(strstr(line, "\"code\":\"ENOENT\""), "the next request's answer: %s", line);
	close(fd);
	/* README, prospero-protocol(7): 4096 bytes, its newline included, is
	 * a request; one byte more is EMSGSIZE, and the next line is read */
	for (int over = 0; over <= 1; over++) {
		n = snprintf(req, sizeof req, "{\"verb\": \"stop\", \"name\": \"nobody\"%*s}\n",
			     4096 - 35 + over, "");
		ck_assert_int_eq(n, 4096 + over);
		snprintf(req + n, sizeof req - (size_t)n, "{\"verb\": \"stop\", \"name\": \"nobody\"}\n");
		fd = send_request(req);
		read_line(fd, line, sizeof line);
		ck_assert_msg(strstr(line, over ? "\"code\":\"EMSGSIZE\"" : "\"code\":\"ENOENT\""),
			      "a line of %d bytes: %s", n, line);
		read_line(fd, line, sizeof line);
		ck_assert_msg(strstr(line, "\"code\":\"ENOENT\""), "the next request's answer: %s", line);
		close(fd);
	}
	/* a field of the wrong type is EINVAL; one the verb does not use is
	 * ignored (the README's table) */
	fd = subscribe("{\"verb\": \"stop\", \"name\": \"nobody\"}\n{\"verb\": \"stop\", \"name\": 5}\n");
	read_line(fd, line, sizeof line);
	ck_assert_msg(strstr(line, "\"code\":\"EINVAL\""), "%s", line);
	close(fd);
	/* the last line before the end of the stream need not end in a newline */
	fd = subscribe("{\"verb\": \"stop\", \"name\": \"nobody\"}\n"
		       "{\"verb\": \"stop\", \"name\": \"payment\", \"lines\": 3, \"unknown\": [1]}");
	ck_assert_int_eq(shutdown(fd, SHUT_WR), 0);
	read_line(fd, line, sizeof line);
	ck_assert_str_eq(line, "{\"ok\":true}");
	close(fd);
	h_stop(&h);
}
END_TEST

/* REQ's one answer line holds CODE (NULL: it is {"ok":true}). */
static void answer_is(const char *req, const char *code)
{
	char line[512], want[64];
	int fd = send_request(req);

	read_line(fd, line, sizeof line);
	close(fd);
	if (!code) {
		ck_assert_str_eq(line, "{\"ok\":true}");
		return;
	}
	snprintf(want, sizeof want, "\"code\":\"%s\"", code);
	ck_assert_msg(strstr(line, want), "%s: %s", req, line);
}

/* The codes of the README's control socket table: a stop of a node
 * stopping or stopped is EALREADY, a start of one still stopping EBUSY,
 * of one running EALREADY. The README said EBUSY for "still stopping"
 * without saying it is a start's, as prospero-protocol(7) does. */
START_TEST(a_refusal_of_a_stopping_node_has_the_documented_code)
{
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		/* ready once it ignores SIGTERM: at exec, a stop could still kill it */
		"    { \"actor\": \"stubborn\", \"exec\": [\"@TA@\", \"--ignore-term\", \"--notify-after\", \"0\"],\n"
		"      \"ready\": \"notify\", \"shutdown\": 3000 } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	answer_is("{\"verb\": \"start\", \"name\": \"stubborn\"}\n", "EALREADY");
	answer_is("{\"verb\": \"stop\", \"name\": \"stubborn\"}\n", NULL);
	h_expect(&h, "stop", "stubborn", NULL);
	answer_is("{\"verb\": \"stop\", \"name\": \"stubborn\"}\n", "EALREADY");
	answer_is("{\"verb\": \"start\", \"name\": \"stubborn\"}\n", "EBUSY");
	h_expect(&h, "exit", "stubborn", NULL);
	answer_is("{\"verb\": \"stop\", \"name\": \"stubborn\"}\n", "EALREADY");
	h_stop(&h);
}
END_TEST

/* prospero-protocol(7): "lines": 0 is none, as tail -n0; with follow,
 * only the lines that come after. Without "lines", all it keeps. */
START_TEST(logs_lines_0_gives_none_and_follows_only_new_lines)
{
	char line[512];
	int fd;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"p\", \"exec\": [\"/bin/sh\", \"-c\",\n"
		"    \"echo one; echo two; while [ ! -e @DIR@/go ]; do sleep 0.05; done; echo three; exec sleep 1000\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	for (int waited = 0; h_count_lines(&h, "out", "p: two") < 1; waited += 20) {
		ck_assert_msg(waited < H_TIMEOUT_MS, "no line from p");
		h_sleep_ms(20);
	}
	fd = subscribe("{\"verb\": \"stop\", \"name\": \"nobody\"}\n{\"verb\": \"logs\", \"name\": \"p\"}\n"
		       "{\"verb\": \"logs\", \"name\": \"p\", \"lines\": 0, \"follow\": true}\n");
	read_line(fd, line, sizeof line);
	ck_assert_str_eq(line, "{\"ok\":true,\"lines\":[\"one\",\"two\"]}");
	read_line(fd, line, sizeof line);
	ck_assert_str_eq(line, "{\"ok\":true,\"lines\":[]}");
	h_write(&h, "go", "");
	read_line(fd, line, sizeof line);
	ck_assert_str_eq(line, "{\"name\":\"p\",\"line\":\"three\"}");
	close(fd);
	h_stop(&h);
}
END_TEST

START_TEST(a_fault_now_goes_through_the_control_socket)
{
	struct h_event e;
	json_t *st;
	int rc;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [ { \"actor\": \"payment\", \"exec\": [\"@TA@\"] } ] }\n");
	/* without --faults there is no injector to ask */
	h_start(&h, root_only);
	h_expect(&h, "ready", "root", NULL);
	ck_assert_int_eq(verb("fault", "kill", "payment", NULL), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: fault: "), 1);
	st = status_json(NULL, &rc);	/* and status has no fault summary */
	ck_assert_ptr_null(json_object_get(st, "faults"));
	json_decref(st);
	h_stop(&h);

	h_write(&h, "faults.jsonc", "{ \"faults\": [] }\n");
	h_start_with(&h, root_only, (const char *const[]){ "--faults", "faults.jsonc", NULL });
	h_expect(&h, "ready", "root", NULL);
	ck_assert_int_eq(verb("fault", "kill", "payment", "SIGTERM"), 0);
	h_expect(&h, "exit", "payment", &e);
	ck_assert_str_eq(e.signal, "SIGTERM");
	h_expect(&h, "start", "payment", NULL);
	ck_assert_int_eq(count_in("events", "\"event\": \"fault\""), 2);	/* the plan taking effect, then this one */
	/* status carries the summary so far, in JSON and in the view */
	st = status_json(NULL, &rc);
	ck_assert_msg(json_is_string(json_object_get(st, "faults")) &&
			      strstr(json_string_value(json_object_get(st, "faults")), ", 1 fault injected, "),
		      "no fault summary in the status");
	json_decref(st);
	verb("status", NULL, NULL, NULL);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "fault summary: seed "), 1);
	ck_assert_int_eq(verb("fault", "kill", "nobody", NULL), 1);
	ck_assert_int_eq(verb("fault", "stall", "payment", "-5"), 2);
	/* a signal a kill fault does not send is named (the old daemon said
	 * "SIG?"); a word that is no signal is said to be one */
	ck_assert_int_eq(verb("fault", "kill", "payment", "SIGCONT"), 1);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: fault: not a signal a kill fault sends: SIGCONT"), 1);
	ck_assert_int_eq(verb("fault", "kill", "payment", "SIGTREM"), 2);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: fault kill \"SIGTREM\": expected a signal name, "), 1);
	/* the fault event counts as its target's for events --name */
	ck_assert_int_eq(verb("events", "--name", "payment", NULL), 0);
	ck_assert_int_eq(h_count_lines(&h, "run.out", "{\"ts\""), count_in("run.out", "\"name\": \"payment\"") + 1);
	ck_assert_int_eq(count_in("run.out", "\"target\": \"payment\""), 1);
	h_stop(&h);
}
END_TEST

/* README "Faults at run time": the plan event is seq 0, so a run-time
 * fault before the plan is in effect (the root not ready) is refused
 * with EAGAIN rather than take seq 0 ahead of it. */
START_TEST(a_fault_before_the_plan_is_in_effect_is_refused)
{
	char err[4096], line[512];
	int fd;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"    { \"actor\": \"gate\", \"ready\": \"notify\", \"exec\": [\"/bin/sh\", \"-c\",\n"
		"      \"while [ ! -e @DIR@/go ]; do sleep 0.05; done; exec @TA@ --notify-after 0\"] },\n"
		"    { \"actor\": \"payment\", \"exec\": [\"@TA@\"] } ] }\n");
	h_write(&h, "faults.jsonc", "{ \"faults\": [] }\n");
	h_start_with(&h, root_only, (const char *const[]){ "--faults", "faults.jsonc", NULL });
	h_expect(&h, "start", "gate", NULL);
	ck_assert_int_eq(verb("fault", "kill", "gate", NULL), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_msg(strstr(err, "prospero: fault: the fault plan is not in effect yet"), "%s", err);
	fd = subscribe("{\"verb\": \"stop\", \"name\": \"nobody\"}\n"
		       "{\"verb\": \"fault\", \"fault\": \"edge\", \"name\": \"a -> b\", \"drop\": 1, \"ms\": 10}\n");
	read_line(fd, line, sizeof line);
	ck_assert_msg(strstr(line, "\"code\":\"EAGAIN\""), "%s", line);
	close(fd);
	h_write(&h, "go", "");
	h_expect(&h, "ready", "root", NULL);
	ck_assert_int_eq(verb("fault", "kill", "payment", "SIGTERM"), 0);
	h_expect(&h, "exit", "payment", NULL);
	ck_assert_int_eq(count_in("events", "\"event\": \"fault\""), 2);
	ck_assert_int_eq(count_in("events", "\"seq\": 0, \"kind\": \"plan\""), 1);
	ck_assert_int_eq(count_in("events", "\"seq\": 1, \"kind\": \"kill\", \"fault\": 0"), 1);
	h_stop(&h);
}
END_TEST

/* README "Output and events": a write the file system refuses (a full
 * disk, a quota) loses that event from the file, not the daemon. A file
 * size limit (LimitFSIZE=, ulimit -f) refuses it with SIGXFSZ, whose
 * default ends the process: the daemon died with its tree when its events
 * file reached the limit. It must see EFBIG, say so, and run on; and its
 * actors must not inherit the signal ignored. */
START_TEST(an_events_file_at_the_file_size_limit_does_not_end_the_daemon)
{
	struct h_event e;
	int rc;

	h.fsize = 16384;
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 100000, \"period\": 1, \"children\": [\n"
		"    { \"actor\": \"x\", \"exec\": [\"@TA@\"] },\n"
		"    { \"actor\": \"loop\", \"exec\": [\"@TA@\", \"--exit-after\", \"10\", \"1\"] } ] }\n");
	h_start(&h, root_only);
	h_expect(&h, "start", "x", &e);
	for (long long end = h_now_ms() + H_TIMEOUT_MS; h_now_ms() < end;) {
		if (h_lines_with(&h, "err", "prospero: events file ", "File too large") > 0)
			break;
		h_sleep_ms(50);
	}
	ck_assert_msg(h_alive(h.pid), "the daemon died at the file size limit");
	/* said again only after a shorter line went through (a start's
	 * fits where an exit's did not) */
	ck_assert_int_ge(h_lines_with(&h, "err", "prospero: events file ",
				      ": File too large: events are not written to it until it has room"), 1);
	ck_assert_uint_eq(h_status_mask(e.pid, "SigIgn") & 1ULL << (SIGXFSZ - 1), 0);
	/* still answering, and the file holds whole lines only */
	rc = verb("status", "x", NULL, NULL);
	ck_assert_int_eq(rc, 0);
	char buf[1 << 15];
	int n = h_read(&h, "events", buf, sizeof buf);

	ck_assert_int_gt(n, 0);
	ck_assert_int_le(n, 16384);
	ck_assert_int_eq(buf[n - 1], '\n');
	h_stop(&h);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ops");
	TCase *tc = tcase_create("verbs");

	tcase_add_checked_fixture(tc, setup, teardown);
	/* seconds of backoff and tens of commands each: room for a loaded machine */
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, status_shows_every_node_with_its_state_and_pid);
	tcase_add_test(tc, status_exits_3_while_something_that_should_run_does_not);
	tcase_add_test(tc, status_exits_3_while_the_root_gives_up);
	tcase_add_test(tc, status_names_a_watchdog_kill_while_the_next_run_runs);
	tcase_add_test(tc, logs_escapes_control_characters_as_stdout_does);
	tcase_add_test(tc, restart_changes_only_that_nodes_pids);
	tcase_add_test(tc, a_pools_name_stands_for_each_instance);
	tcase_add_test(tc, stop_keeps_it_down_through_a_one_for_one_sibling_crash_and_start_brings_it_back);
	tcase_add_test(tc, a_supervisor_the_operator_stopped_says_so_in_status);
	tcase_add_test(tc, a_supervisor_that_gave_up_says_so_in_status);
	tcase_add_test(tc, a_one_for_all_sibling_crash_starts_a_stopped_child_again_as_otp_does);
	tcase_add_test(tc, an_action_during_boot_meets_a_child_not_yet_started);
	tcase_add_test(tc, a_stop_during_boot_of_a_running_child_shows_stopping);
	tcase_add_test(tc, a_stop_of_a_node_stopping_for_a_restart_or_a_give_up_is_refused);
	tcase_add_test(tc, a_stop_of_a_stopping_actor_says_it_is_stopping);
	tcase_add_test(tc, uptime_counts_from_ready_and_only_while_ready);
	tcase_add_test(tc, an_operator_kill_is_an_ordinary_exit);
	tcase_add_test(tc, another_uid_is_refused_even_when_it_can_reach_the_path);
	tcase_add_test(tc, a_refused_command_says_the_daemons_refusal);
	tcase_add_test(tc, status_json_prints_a_refusal_as_the_daemon_answered);
	tcase_add_test(tc, a_refused_status_json_prints_the_refusal);
	tcase_add_test(tc, a_refusal_says_a_name_with_control_characters_escaped);
	tcase_add_test(tc, a_name_that_is_not_utf8_names_no_node);
	tcase_add_test(tc, a_refused_reload_says_who_may_reload);
	tcase_add_test(tc, an_actor_that_finds_the_socket_is_refused);
	tcase_add_test(tc, backoff_delays_double_to_the_cap_and_reset_after_a_stable_run);
	tcase_add_test(tc, shutdown_0_kills_at_once_after_sigterm);
	tcase_add_test(tc, check_warns_of_a_backoff_that_outruns_intensity);
	tcase_add_test(tc, systemd_hears_the_summary_as_it_changes);
	tcase_add_test(tc, dot_draws_clusters_nodes_and_bindings);
	tcase_add_test(tc, events_and_logs_follow_what_happens);
	tcase_add_test(tc, an_interrupted_follow_ends_with_status_0);
	tcase_add_test(tc, a_follower_that_does_not_read_is_dropped);
	tcase_add_test(tc, closed_followers_leave_room_for_others);
	tcase_add_test(tc, a_fault_now_goes_through_the_control_socket);
	tcase_add_test(tc, a_fault_before_the_plan_is_in_effect_is_refused);
	tcase_add_test(tc, logs_lines_0_gives_none_and_follows_only_new_lines);
	tcase_add_test(tc, each_request_line_gets_one_answer);
	tcase_add_test(tc, a_refusal_of_a_stopping_node_has_the_documented_code);
	tcase_add_test(tc, a_status_event_follows_by_name);
	tcase_add_test(tc, status_text_is_cut_at_a_character_and_stays_utf8);
	suite_add_tcase(s, tc);
	/* a long run of starts, a case of its own: it takes hundreds of actors */
	tc = tcase_create("run");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, a_status_during_a_run_of_starts_is_answered_in_it);
	tcase_add_test(tc, a_run_goes_on_after_its_turn_beside_a_busy_actor);
	tcase_add_test(tc, a_stop_during_a_run_of_starts_is_taken_in_it);
	suite_add_tcase(s, tc);
	/* the daemon under a file size limit, a case of its own to run alone */
	tc = tcase_create("fsize");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, an_events_file_at_the_file_size_limit_does_not_end_the_daemon);
	suite_add_tcase(s, tc);
	/* hostile clients of the control socket, a case of their own to run alone */
	tc = tcase_create("hostile");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, connections_closed_at_once_leave_room_for_others);
	tcase_add_test(tc, a_pipeline_of_requests_is_answered_as_it_is_read);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
