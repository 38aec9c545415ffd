/* Run-time faults (src/daemon/fault_inject.h), the injector the control
 * socket's `prospero fault` verbs will call, on a real plan, a real libev
 * loop and a real process, with the daemon's context built by hand: what
 * each call does, the events it writes, how it refuses, and the summary. */
#include <check.h>
#include <errno.h>
#include <ev.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/config/faults.h"
#include "src/daemon/context.h"
#include "src/daemon/fault_inject.h"
#include "src/daemon/fault_summary.h"
#include "src/daemon/faults.h"
#include "src/daemon/instance.h"
#include "tests/common/proc.h"
#include "tests/common/runner.h"

static char dir[64];
static struct cfg *cfg;
static struct fault_plan *plan;
static struct daemon d;
static struct instance a, b, *inst[2] = { &a, &b };
static struct bindings no_edges;
static char msg[256];

static char state(void);

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* "a" runs (a child that waits), "b" does not; the plan kills "b" in a day. */
static void setup(void)
{
	char cfgpath[128], planpath[128], evpath[128];
	char *files[] = { cfgpath };
	struct cfg_diag diag = { 0 };
	pid_t pid;

	snprintf(dir, sizeof dir, "/tmp/fault-inject.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file("root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
				 "  { \"actor\": \"a\", \"exec\": [\"/bin/true\"] },\n"
				 "  { \"actor\": \"b\", \"exec\": [\"/bin/true\"] } ] }\n");
	write_file("plan.jsonc", "{ \"faults\": [ { \"kill\": \"b\", \"at\": [86400000] } ] }\n");
	snprintf(cfgpath, sizeof cfgpath, "%s/root.jsonc", dir);
	snprintf(planpath, sizeof planpath, "%s/plan.jsonc", dir);
	snprintf(evpath, sizeof evpath, "%s/events", dir);
	ck_assert_ptr_nonnull(cfg = cfg_load(files, 1, &diag));
	ck_assert_ptr_nonnull(plan = cfg_faults_load(planpath, cfg, &diag));
	cfg_diag_free(&diag);

	if ((pid = fork()) == 0) {
		/* not the runner's handler, which passes SIGTERM to the group */
		signal(SIGTERM, SIG_DFL);
		for (;;)
			pause();
	}
	ck_assert_int_gt(pid, 0);
	a = (struct instance){ .spec = cfg->actors[0], .name = "a", .index = 1, .pid = pid };
	b = (struct instance){ .spec = cfg->actors[1], .name = "b", .index = 1 };
	/* no bindings: a table without edges */
	d = (struct daemon){ .cfg = cfg, .inst = inst, .ninst = 2, .bindings = &no_edges };
	ck_assert_ptr_nonnull(d.loop = ev_loop_new(EVFLAG_AUTO));
	ck_assert_int_eq(events_open(&d.events, evpath), 0);
	for (int i = 0; i < 1000 && state() != 'S'; i++)	/* in pause(), not on its way */
		h_sleep_ms(10);
}

static void teardown(void)
{
	char cmd[128];

	faults_close(&d);
	if (a.pid > 0) {
		kill(a.pid, SIGKILL);
		waitpid(a.pid, NULL, 0);
	}
	events_close(&d.events);
	ev_loop_destroy(d.loop);
	fault_plan_free(plan);
	cfg_free(cfg);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The injector, its fault clock started (the plan event written). */
static void open_faults(void)
{
	ck_assert_int_eq(faults_open(&d, plan, 7), 0);
	ck_assert_int_eq(faults_attach(&d), 0);
	faults_tree_ready(&d);
}

/* Line N (from 0) of the events file holds WANT. */
static void assert_event(int n, const char *want)
{
	char path[128], line[1024];
	FILE *f;
	int i = 0;

	snprintf(path, sizeof path, "%s/events", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	while (fgets(line, sizeof line, f) && i < n)
		i++;
	fclose(f);
	ck_assert_int_eq(i, n);
	ck_assert_msg(strstr(line, want), "event %d: %s\nwant: %s", n, line, want);
}

/* The state letter of a.pid in /proc ('S' asleep, 'T' stopped). */
static char state(void)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)a.pid);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(p = strrchr(buf, ')'));
	return p[2];
}

START_TEST(without_a_plan_nothing_is_injected)
{
	ck_assert_int_eq(fault_inject_kill(&d, "a", SIGKILL, msg, sizeof msg), -1);
	ck_assert_int_eq(errno, ENOTSUP);
	ck_assert_str_eq(msg, "the daemon runs without --faults");
	ck_assert_int_eq(fault_inject_stall(&d, "a", 10, msg, sizeof msg), -1);
	ck_assert_int_eq(errno, ENOTSUP);
	ck_assert_int_eq(fault_inject_edge(&d, "A", 0.5, 10, msg, sizeof msg), -1);
	ck_assert_int_eq(errno, ENOTSUP);
	ck_assert(h_alive(a.pid));
}
END_TEST

START_TEST(a_kill_now_is_an_event_numbered_after_the_plan)
{
	char text[1024];
	int status;

	open_faults();
	assert_event(0, "\"seq\": 0, \"kind\": \"plan\", \"seed\": 7, \"faults\": 1");
	ck_assert_int_eq(fault_inject_kill(&d, "a", SIGTERM, msg, sizeof msg), 0);
	ck_assert_int_eq(waitpid(a.pid, &status, 0), a.pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	a.pid = 0;
	assert_event(1, "\"seq\": 1, \"kind\": \"kill\", \"fault\": 1, \"n\": 1, \"target\": \"a\"");
	assert_event(1, "\"signal\": \"SIGTERM\"}");
	/* b is not running: recorded, as the plan's firings are */
	ck_assert_int_eq(fault_inject_kill(&d, "b", SIGKILL, msg, sizeof msg), 0);
	assert_event(2, "\"seq\": 2, \"kind\": \"kill\", \"fault\": 2, \"n\": 1, \"target\": \"b\"");
	assert_event(2, "\"skipped\": \"not running\"");
	/* which is no fault injected */
	fault_summary_text(&d, text, sizeof text);
	ck_assert_str_eq(text, "fault summary: seed 7, 1 fault injected, 0 restarts and 0 give-ups after them\n"
			       "  a: 1 killed, 0 stalled, 0 calls failed; 0 restarts after a fault\n"
			       "  b: 0 killed, 0 stalled, 0 calls failed, 1 skipped (not running); 0 restarts after a fault\n");
}
END_TEST

START_TEST(a_stall_now_stops_and_goes_on)
{
	char text[1024];

	open_faults();
	ck_assert_int_eq(fault_inject_stall(&d, "a", 50, msg, sizeof msg), 0);
	/* the stop takes effect when the process is woken to take it */
	for (int i = 0; i < 1000 && state() != 'T'; i++)
		h_sleep_ms(10);
	ck_assert_int_eq(state(), 'T');
	assert_event(1, "\"kind\": \"stall\", \"fault\": 1, \"n\": 1, \"target\": \"a\"");
	assert_event(1, "\"signal\": \"SIGSTOP\", \"ms\": 50");
	for (int i = 0; i < 1000 && state() == 'T'; i++)
		ev_run(d.loop, EVRUN_ONCE);
	ck_assert_int_ne(state(), 'T');
	fault_summary_text(&d, text, sizeof text);
	ck_assert_str_eq(text, "fault summary: seed 7, 1 fault injected, 0 restarts and 0 give-ups after them\n"
			       "  a: 0 killed, 1 stalled, 0 calls failed; 0 restarts after a fault\n");
	/* every count of one is said in the singular: it said "1 faults" */
	d.faults->insts[0].syscalls = 1;
	d.faults->insts[0].restarts = 1;
	d.faults->give_ups = 1;
	fault_summary_text(&d, text, sizeof text);
	ck_assert_str_eq(text, "fault summary: seed 7, 1 fault injected, 1 restart and 1 give-up after them\n"
			       "  a: 0 killed, 1 stalled, 1 call failed; 1 restart after a fault\n");
}
END_TEST

START_TEST(what_cannot_be_injected_is_refused)
{
	open_faults();
	ck_assert_int_eq(fault_inject_kill(&d, "nobody", SIGKILL, msg, sizeof msg), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(msg, "no actor or instance: nobody");
	ck_assert_int_eq(fault_inject_kill(&d, "a", SIGSTOP, msg, sizeof msg), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(fault_inject_stall(&d, "a", 0, msg, sizeof msg), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(fault_inject_edge(&d, "a -> b", 1.5, 10, msg, sizeof msg), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* no edge here, so none the plan interposes */
	ck_assert_int_eq(fault_inject_edge(&d, "a -> b", 0.5, 10, msg, sizeof msg), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(msg, "no edge the fault plan interposes: a -> b");
	ck_assert(h_alive(a.pid));
	ck_assert_int_ne(state(), 'T');
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("fault_inject");
	TCase *tc = tcase_create("inject");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, without_a_plan_nothing_is_injected);
	tcase_add_test(tc, a_kill_now_is_an_event_numbered_after_the_plan);
	tcase_add_test(tc, a_stall_now_stops_and_goes_on);
	tcase_add_test(tc, what_cannot_be_injected_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
