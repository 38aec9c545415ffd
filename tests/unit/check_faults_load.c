/* Fault plans: every field read and resolved against a tree, and the
 * exact message, position and hint of every class of error. Each test
 * runs in a fresh directory with one tree:
 *
 *   top: a (binds B -> b, C -> c)
 *        mid: b x3 (binds C -> c), c (profile minimal)
 *        d (profile none)
 *   lone: defined, in no supervisor */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/config/config.h"
#include "src/config/faults.h"
#include "tests/common/runner.h"

static char dir[64];
static struct cfg *cfg;

static void put(const char *name, const char *text)
{
	FILE *f = fopen(name, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void setup(void)
{
	struct cfg_diag diag;

	strcpy(dir, "/tmp/prospero-faults.XXXXXX");
	ck_assert(mkdtemp(dir) != NULL);
	ck_assert_int_eq(chdir(dir), 0);
	put("w", "#!/bin/sh\n");
	ck_assert_int_eq(chmod("w", 0755), 0);
	put("root.jsonc",
	    "{ \"supervisor\": \"top\", \"children\": [\n"
	    "  { \"actor\": \"a\", \"exec\": [\"./w\"], \"bindings\": { \"B\": \"b\", \"C\": \"c\" } },\n"
	    "  { \"supervisor\": \"mid\", \"children\": [\n"
	    "    { \"actor\": \"b\", \"exec\": [\"./w\"], \"instances\": 3, \"bindings\": { \"C\": \"c\" } },\n"
	    "    { \"actor\": \"c\", \"exec\": [\"./w\"], \"sandbox\": { \"profile\": \"minimal\" } } ] },\n"
	    "  { \"actor\": \"d\", \"exec\": [\"./w\"], \"sandbox\": { \"profile\": \"none\" } } ] }\n");
	put("lone.jsonc", "{ \"actor\": \"lone\", \"exec\": [\"./w\"], \"bindings\": { \"L\": \"a\" } }\n");
	cfg = cfg_load((char *const[]){ "root.jsonc", "lone.jsonc" }, 2, &diag);
	ck_assert_ptr_nonnull(cfg);
	cfg_diag_free(&diag);
}

static void teardown(void)
{
	char cmd[128];

	cfg_free(cfg);
	ck_assert_int_eq(chdir("/"), 0);
	snprintf(cmd, sizeof cmd, "/bin/rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static struct fault_plan *load_ok(const char *text)
{
	struct cfg_diag diag;
	struct fault_plan *p;

	put("plan.jsonc", text);
	p = cfg_faults_load("plan.jsonc", cfg, &diag);
	for (size_t i = 0; i < diag.n; i++)
		fprintf(stderr, "%s\n", diag.lines[i]);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(diag.n, 0);
	cfg_diag_free(&diag);
	return p;
}

/* The diagnostics for TEXT, one per line. */
static char *load_fail(const char *text)
{
	struct cfg_diag diag;
	size_t len = 1;
	char *out;

	put("plan.jsonc", text);
	ck_assert_ptr_null(cfg_faults_load("plan.jsonc", cfg, &diag));
	ck_assert_uint_gt(diag.nerrors, 0);
	for (size_t i = 0; i < diag.n; i++)
		len += strlen(diag.lines[i]) + 1;
	out = calloc(1, len);
	for (size_t i = 0; i < diag.n; i++) {
		strcat(out, diag.lines[i]);
		strcat(out, "\n");
	}
	cfg_diag_free(&diag);
	return out;
}

static void expect(const char *text, const char *want)
{
	char *got = load_fail(text);

	ck_assert_str_eq(got, want);
	free(got);
}

/* One fault in a plan: its object starts at column 14. */
#define F(fault) "{\"faults\": [ " fault " ]}"

START_TEST(every_kind_and_field_is_read)
{
	struct fault_plan *p = load_ok(
		"// chaos\n"
		"{ \"seed\": 42,\n"
		"  \"faults\": [\n"
		"    { \"kill\": [\"b#2\", \"a\", \"mid\"], \"every\": 1000, \"jitter\": 500,\n"
		"      \"window\": [100, 9000], \"signal\": \"SIGTERM\", \"pick\": \"all\" },\n"
		"    { \"stall\": \"*\", \"for\": 100, \"at\": [3000, 1000] },\n"
		"    { \"edge\": \"C\", \"delay\": [1, 5], \"drop\": 0.5, \"duplicate\": 0.25,\n"
		"      \"partition\": [[10, 20], [30, 40]], \"direction\": \"to_client\", \"window\": [0, 100] },\n"
		"    { \"edge\": \"a  ->b\", \"delay\": 0 },\n"
		"    { \"syscall\": \"write\", \"target\": \"b#3\", \"errno\": \"EIO\", \"probability\": 0.5,\n"
		"      \"after\": 3, \"every\": 2, \"arg\": { \"index\": 0, \"equals\": -100 } },\n"
		"  ],\n"
		"}\n");
	const struct fault *f = p->faults;
	const char *five[] = { "a", "b#1", "b#2", "b#3", "c" };

	ck_assert_str_eq(p->file, "plan.jsonc");
	ck_assert(p->has_seed);
	ck_assert_uint_eq(p->seed, 42);
	ck_assert_uint_eq(p->n, 5);

	ck_assert_int_eq(f[0].kind, FAULT_KILL);
	ck_assert_uint_eq(f[0].line, 4);
	ck_assert_uint_eq(f[0].col, 7);
	ck_assert_uint_eq(f[0].ntargets, 5);
	for (size_t i = 0; i < 5; i++)
		ck_assert_str_eq(f[0].targets[i].name, five[i]);
	ck_assert_uint_eq(f[0].targets[2].index, 2);
	ck_assert_uint_eq(f[0].targets[2].order, 1);
	ck_assert_uint_eq(f[0].targets[4].order, 2);
	ck_assert_int_eq(f[0].u.proc.signal, SIGTERM);
	ck_assert_int_eq(f[0].u.proc.pick, FAULT_PICK_ALL);
	ck_assert_int_eq(f[0].u.proc.every_ms, 1000);
	ck_assert_int_eq(f[0].u.proc.jitter_ms, 500);
	ck_assert_int_eq(f[0].window.from_ms, 100);
	ck_assert_int_eq(f[0].window.to_ms, 9000);

	ck_assert_int_eq(f[1].kind, FAULT_STALL);
	ck_assert_uint_eq(f[1].ntargets, 6);
	ck_assert_str_eq(f[1].targets[5].name, "d");
	ck_assert_int_eq(f[1].u.proc.signal, SIGSTOP);
	ck_assert_int_eq(f[1].u.proc.stall_ms, 100);
	ck_assert_int_eq(f[1].u.proc.every_ms, 0);
	ck_assert_uint_eq(f[1].u.proc.nat, 2);
	ck_assert_int_eq(f[1].u.proc.at_ms[0], 1000);
	ck_assert_int_eq(f[1].u.proc.at_ms[1], 3000);

	ck_assert_int_eq(f[2].kind, FAULT_EDGE);
	ck_assert_uint_eq(f[2].u.edge.nedges, 2);
	ck_assert_str_eq(f[2].u.edge.edges[0].client_name, "a");
	ck_assert_uint_eq(f[2].u.edge.edges[0].binding, 1);
	ck_assert_str_eq(f[2].u.edge.edges[1].client_name, "b");
	ck_assert_uint_eq(f[2].u.edge.edges[1].client_instances, 3);
	ck_assert_str_eq(f[2].u.edge.edges[1].service_name, "c");
	ck_assert_str_eq(f[2].u.edge.edges[1].binding_name, "C");
	ck_assert_int_eq(f[2].u.edge.dir, FAULT_DIR_TO_CLIENT);
	ck_assert_int_eq(f[2].u.edge.delay_lo_ms, 1);
	ck_assert_int_eq(f[2].u.edge.delay_hi_ms, 5);
	ck_assert(f[2].u.edge.drop == 0.5 && f[2].u.edge.duplicate == 0.25);
	ck_assert_uint_eq(f[2].u.edge.npartitions, 2);
	ck_assert_int_eq(f[2].u.edge.partitions[1].from_ms, 30);
	ck_assert_int_eq(f[2].u.edge.partitions[1].to_ms, 40);
	ck_assert_int_eq(f[2].window.to_ms, 100);

	ck_assert_uint_eq(f[3].u.edge.nedges, 1);
	ck_assert_str_eq(f[3].u.edge.edges[0].service_name, "b");
	ck_assert_int_eq(f[3].u.edge.dir, FAULT_DIR_BOTH);

	ck_assert_int_eq(f[4].kind, FAULT_SYSCALL);
	ck_assert_uint_eq(f[4].ntargets, 1);
	ck_assert_str_eq(f[4].targets[0].name, "b#3");
	ck_assert_str_eq(f[4].u.sys.name, "write");
	ck_assert_int_eq(f[4].u.sys.err, EIO);
	ck_assert(f[4].u.sys.probability == 0.5);
	ck_assert_uint_eq(f[4].u.sys.after, 3);
	ck_assert_uint_eq(f[4].u.sys.every, 2);
	ck_assert(f[4].u.sys.has_arg);
	ck_assert_uint_eq(f[4].u.sys.arg_index, 0);
	ck_assert_uint_eq(f[4].u.sys.arg_mask, UINT32_MAX);
	ck_assert_uint_eq(f[4].u.sys.arg_value, (uint32_t)-100);
	fault_plan_free(p);
}
END_TEST

START_TEST(defaults)
{
	struct fault_plan *p = load_ok(
		"{\"faults\": [ {\"kill\": \"a\", \"every\": 10}, {\"edge\": \"B\", \"drop\": 1},\n"
		"  {\"syscall\": \"read\", \"target\": \"d\", \"errno\": \"EAGAIN\",\n"
		"   \"arg\": {\"index\": 1, \"equals\": 64, \"mask\": 64}} ]}");
	const struct fault *f = p->faults;

	ck_assert(!p->has_seed);
	ck_assert_int_eq(f[0].u.proc.signal, SIGKILL);
	ck_assert_int_eq(f[0].u.proc.pick, FAULT_PICK_ONE);
	ck_assert_int_eq(f[0].u.proc.jitter_ms, 0);
	ck_assert_int_eq(f[0].window.from_ms, 0);
	ck_assert_int_eq(f[0].window.to_ms, INT64_MAX);
	ck_assert_int_eq(f[1].u.edge.dir, FAULT_DIR_BOTH);
	ck_assert_int_eq(f[1].u.edge.delay_hi_ms, 0);
	ck_assert(f[2].u.sys.probability == 1);
	ck_assert_uint_eq(f[2].u.sys.after, 0);
	ck_assert_uint_eq(f[2].u.sys.every, 0);
	ck_assert_uint_eq(f[2].u.sys.arg_mask, 64);
	ck_assert_uint_eq(f[2].u.sys.arg_value, 64);
	fault_plan_free(p);
	/* an empty plan is a plan: it records a seed */
	p = load_ok("{\"faults\": []}");
	ck_assert_uint_eq(p->n, 0);
	fault_plan_free(p);
}
END_TEST

START_TEST(the_file_and_its_syntax)
{
	struct cfg_diag diag;

	ck_assert_ptr_null(cfg_faults_load("missing.jsonc", cfg, &diag));
	ck_assert_uint_eq(diag.n, 1);
	ck_assert_str_eq(diag.lines[0], "missing.jsonc: error: cannot open: No such file or directory");
	cfg_diag_free(&diag);
	expect("{\"faults\": [\n  {\"kill\": \"a\" \"every\": 1} ]}",
	       "plan.jsonc:2:16: error: '}' expected near '\"every\"'\n");
	expect("{\"faults\": [ /* unterminated ]}",
	       "plan.jsonc:1:14: error: unterminated comment: \"/*\" without \"*/\"\n");
	/* a plan is one object, and no "definition" */
	expect("{\"faults\": []}\n{\"faults\": []}\n",
	       "plan.jsonc:2:1: error: end of file expected near '{': a file holds one object\n");
	expect("{\"seed\": 1, \"seed\": 2, \"faults\": []}",
	       "plan.jsonc:1:13: error: duplicate object key \"seed\": give each key once\n");
}
END_TEST

START_TEST(the_top_level)
{
	expect("[]", "plan.jsonc:1:1: error: a fault plan: expected an object {\"seed\": N, \"faults\": [...]}, got an array\n");
	expect("7", "plan.jsonc:1:1: error: a fault plan: expected an object {\"seed\": N, \"faults\": [...]}, got an integer\n");
	expect("\n", "plan.jsonc:2:1: error: a fault plan: expected an object {\"seed\": N, \"faults\": [...]}, got an empty file\n");
	expect("{\"sed\": 1, \"faults\": []}", "plan.jsonc:1:2: error: unknown key \"sed\" (did you mean \"seed\"?)\n");
	expect("{\"kill\": \"a\", \"faults\": []}",
	       "plan.jsonc:1:2: error: \"kill\" belongs in a fault, inside \"faults\": [...]\n");
	expect("{\"seed\": -1, \"faults\": []}",
	       "plan.jsonc:1:10: error: \"seed\" is -1: expected an integer from 0 to 9007199254740991\n");
	expect("{\"seed\": 9007199254740992, \"faults\": []}",
	       "plan.jsonc:1:10: error: \"seed\" is 9007199254740992: expected an integer from 0 to 9007199254740991\n");
	expect("{\"seed\": 1}", "plan.jsonc:1:1: error: a fault plan needs \"faults\": [...]\n");
	expect("{\"faults\": {}}", "plan.jsonc:1:12: error: \"faults\": expected an array of faults, got an object\n");
	expect(F("3"), "plan.jsonc:1:14: error: a fault: expected an object, got an integer\n");
	expect(F("{}"),
	       "plan.jsonc:1:14: error: a fault is {\"kill\": ...}, {\"stall\": ...}, {\"edge\": ...} or {\"syscall\": ...}\n");
	expect(F("{\"kil\": \"a\", \"every\": 5}"), "plan.jsonc:1:15: error: unknown key \"kil\" (did you mean \"kill\"?)\n");
	expect(F("{\"kill\": \"a\", \"stall\": \"a\"}"),
	       "plan.jsonc:1:28: error: \"kill\" and \"stall\" in one fault: write each fault as an object of its own\n");
	expect(F("{\"kill\": \"a\", \"every\": 5, \"for\": 5}"),
	       "plan.jsonc:1:40: error: \"for\" does not apply to a \"kill\" fault\n");
	expect(F("{\"kill\": \"a\", \"every\": 5, \"evry\": 5}"),
	       "plan.jsonc:1:40: error: unknown key \"evry\" (did you mean \"every\"?)\n");
	expect(F("{\"edge\": \"B\", \"drop\": 1, \"signal\": \"SIGKILL\"}"),
	       "plan.jsonc:1:39: error: \"signal\" does not apply to an \"edge\" fault\n");
}
END_TEST

START_TEST(targets)
{
	expect(F("{\"kill\": \"paymnt\", \"every\": 5}"),
	       "plan.jsonc:1:23: error: \"kill\": no actor or supervisor \"paymnt\" in the configuration\n");
	expect(F("{\"kill\": \"mdi\", \"every\": 5}"),
	       "plan.jsonc:1:23: error: \"kill\": no actor or supervisor \"mdi\" (did you mean \"mid\"?)\n");
	expect(F("{\"kill\": [\"a\", \"lon\"], \"every\": 5}"),
	       "plan.jsonc:1:29: error: \"kill\"[1]: no actor or supervisor \"lon\" (did you mean \"lone\"?)\n");
	expect(F("{\"kill\": \"lone\", \"every\": 5}"),
	       "plan.jsonc:1:23: error: \"kill\": actor \"lone\" is not in the tree (no supervisor names it): it never runs\n");
	expect(F("{\"kill\": \"bb#2\", \"every\": 5}"),
	       "plan.jsonc:1:23: error: \"kill\": no actor \"bb\" in the configuration\n");
	expect(F("{\"kill\": \"b#4\", \"every\": 5}"),
	       "plan.jsonc:1:23: error: \"kill\": \"b#4\": actor \"b\" has instances \"b#1\" to \"b#3\"\n");
	expect(F("{\"kill\": \"b#01\", \"every\": 5}"),
	       "plan.jsonc:1:23: error: \"kill\": \"b#01\": actor \"b\" has instances \"b#1\" to \"b#3\"\n");
	expect(F("{\"kill\": \"a#1\", \"every\": 5}"),
	       "plan.jsonc:1:23: error: \"kill\": \"a#1\": actor \"a\" has one instance, named \"a\"\n");
	expect(F("{\"kill\": [], \"every\": 5}"),
	       "plan.jsonc:1:23: error: \"kill\": expected a target: \"actor\", \"actor#N\", a supervisor, \"*\" or an array of those, got an empty array\n");
	expect(F("{\"kill\": [\"a\", 2], \"every\": 5}"),
	       "plan.jsonc:1:29: error: \"kill\"[1]: expected an actor, instance or supervisor name, got an integer\n");
	expect(F("{\"syscall\": \"write\", \"target\": 5, \"errno\": \"EIO\"}"),
	       "plan.jsonc:1:45: error: \"target\": expected a target: \"actor\", \"actor#N\", a supervisor, \"*\" or an array of those, got an integer\n");
}
END_TEST

START_TEST(process_schedules)
{
	expect(F("{\"kill\": \"a\"}"),
	       "plan.jsonc:1:15: error: a \"kill\" fault needs \"every\": MS (a rate) or \"at\": [MS, ...] (set times)\n");
	expect(F("{\"kill\": \"a\", \"every\": 5, \"at\": [1]}"),
	       "plan.jsonc:1:40: error: \"every\" and \"at\" together: a fault fires at a rate or at set times, not both\n");
	expect(F("{\"kill\": \"a\", \"every\": 0}"),
	       "plan.jsonc:1:37: error: \"every\" is 0: expected an integer from 1 to 86400000\n");
	expect(F("{\"kill\": \"a\", \"every\": 1000, \"jitter\": 501}"),
	       "plan.jsonc:1:53: error: \"jitter\" is 501: at most half of \"every\" (500), so each firing stays in its own slot and they keep their order\n");
	expect(F("{\"kill\": \"a\", \"at\": [5], \"jitter\": 1}"),
	       "plan.jsonc:1:39: error: \"jitter\" applies to \"every\": \"at\" times are exact\n");
	expect(F("{\"kill\": \"a\", \"at\": [5], \"window\": [1, 9]}"),
	       "plan.jsonc:1:39: error: \"window\" applies to \"every\": \"at\" times are exact\n");
	expect(F("{\"kill\": \"a\", \"at\": []}"),
	       "plan.jsonc:1:34: error: \"at\": expected an array of times in ms on the fault clock, got an empty array\n");
	expect(F("{\"kill\": \"a\", \"at\": [5, -1]}"),
	       "plan.jsonc:1:38: error: \"at\"[1]: expected a time from 0 to 86400000 ms (one day), got one out of range\n");
	expect(F("{\"kill\": \"a\", \"every\": 5, \"window\": [9, 9]}"),
	       "plan.jsonc:1:50: error: \"window\": [9, 9]: expected 0 <= FROM < TO <= 86400000 (ms: one day)\n");
	expect(F("{\"kill\": \"a\", \"every\": 5, \"window\": [0, 86400001]}"),
	       "plan.jsonc:1:50: error: \"window\": [0, 86400001]: expected 0 <= FROM < TO <= 86400000 (ms: one day)\n");
	expect(F("{\"kill\": \"a\", \"every\": 5, \"window\": 9}"),
	       "plan.jsonc:1:50: error: \"window\": expected [FROM, TO], two times in ms on the fault clock, got an integer\n");
	expect(F("{\"kill\": \"a\", \"every\": 5, \"pick\": \"any\"}"),
	       "plan.jsonc:1:48: error: \"pick\": unknown value \"any\" (did you mean \"one\"?)\n");
}
END_TEST

START_TEST(signals_and_stalls)
{
	expect(F("{\"kill\": \"a\", \"every\": 5, \"signal\": \"SIGKIL\"}"),
	       "plan.jsonc:1:50: error: \"signal\": unknown signal \"SIGKIL\" (did you mean \"SIGKILL\"?)\n");
	expect(F("{\"kill\": \"a\", \"every\": 5, \"signal\": \"term\"}"),
	       "plan.jsonc:1:50: error: \"signal\": unknown signal \"term\" (did you mean \"SIGTERM\"?)\n");
	/* a signal a plan does not send is no "unknown signal", nor near
	 * another (SIGSYS was "did you mean SIGBUS?") */
	expect(F("{\"kill\": \"a\", \"every\": 5, \"signal\": \"SIGWINCH\"}"),
	       "plan.jsonc:1:50: error: \"signal\": SIGWINCH is not a signal a kill fault sends: expected SIGKILL, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGPIPE, SIGALRM, SIGUSR1 or SIGUSR2\n");
	expect(F("{\"kill\": \"a\", \"every\": 5, \"signal\": \"SIGSYS\"}"),
	       "plan.jsonc:1:50: error: \"signal\": SIGSYS is not a signal a kill fault sends: expected SIGKILL, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGPIPE, SIGALRM, SIGUSR1 or SIGUSR2\n");
	/* signal(7)'s synonym of one a plan sends, and the real-time ones,
	 * as the CLI's SIGNAL takes them (SIGIOT was "did you mean SIGINT?") */
	expect(F("{\"kill\": \"a\", \"every\": 5, \"signal\": \"SIGIOT\"}"),
	       "plan.jsonc:1:50: error: \"signal\": SIGIOT is SIGABRT's other name: write \"SIGABRT\"\n");
	expect(F("{\"kill\": \"a\", \"every\": 5, \"signal\": \"SIGRTMIN+2\"}"),
	       "plan.jsonc:1:50: error: \"signal\": SIGRTMIN+2 is not a signal a kill fault sends: expected SIGKILL, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGPIPE, SIGALRM, SIGUSR1 or SIGUSR2\n");
	expect(F("{\"kill\": \"a\", \"every\": 5, \"signal\": \"SIGNOTHING\"}"),
	       "plan.jsonc:1:50: error: \"signal\": unknown signal \"SIGNOTHING\": expected SIGKILL, SIGTERM, SIGINT, SIGQUIT, SIGHUP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGPIPE, SIGALRM, SIGUSR1 or SIGUSR2\n");
	expect(F("{\"kill\": \"a\", \"every\": 5, \"signal\": \"SIGSTOP\"}"),
	       "plan.jsonc:1:50: error: \"signal\": SIGSTOP: to stop an actor for a while, write a \"stall\" fault, which sends SIGCONT after \"for\" ms\n");
	expect(F("{\"kill\": \"a\", \"every\": 5, \"signal\": 9}"),
	       "plan.jsonc:1:50: error: \"signal\": expected a signal name such as \"SIGTERM\", got an integer\n");
	expect(F("{\"stall\": \"a\", \"every\": 5000}"),
	       "plan.jsonc:1:15: error: a \"stall\" fault needs \"for\": MS, how long the target stays stopped\n");
	expect(F("{\"stall\": \"a\", \"every\": 5000, \"jitter\": 1000, \"for\": 3000}"),
	       "plan.jsonc:1:67: error: \"for\" is 3000: stalls must end before the next can start: shorter than \"every\" minus twice \"jitter\" (3000)\n");
	expect(F("{\"stall\": \"a\", \"at\": [4000, 1000, 2000], \"for\": 1000}"),
	       "plan.jsonc:1:62: error: \"for\" is 1000: the stalls at 1000 and 2000 ms would overlap; set them more than \"for\" apart\n");
}
END_TEST

START_TEST(edges)
{
	expect(F("{\"edge\": \"BB\", \"drop\": 1}"),
	       "plan.jsonc:1:23: error: \"edge\": no binding named \"BB\": name an edge \"CLIENT -> SERVICE\", or a binding name\n");
	expect(F("{\"edge\": \"ZZZZ\", \"drop\": 1}"),
	       "plan.jsonc:1:23: error: \"edge\": no binding named \"ZZZZ\": name an edge \"CLIENT -> SERVICE\", or a binding name\n");
	expect(F("{\"edge\": \"L\", \"drop\": 1}"),
	       "plan.jsonc:1:23: error: \"edge\": no binding named \"L\": name an edge \"CLIENT -> SERVICE\", or a binding name\n");
	expect(F("{\"edge\": \"c\", \"drop\": 1}"),
	       "plan.jsonc:1:23: error: \"edge\": \"c\" is an actor: name an edge \"CLIENT -> c\" (such as \"a -> c\"), or a binding name\n");
	expect(F("{\"edge\": \"d\", \"drop\": 1}"),
	       "plan.jsonc:1:23: error: \"edge\": \"d\" is an actor, and no actor binds to it\n");
	expect(F("{\"edge\": \"a -> bb\", \"drop\": 1}"),
	       "plan.jsonc:1:23: error: \"edge\": no edge \"a -> bb\" (did you mean \"a -> b\"?)\n");
	expect(F("{\"edge\": \"aa -> b\", \"drop\": 1}"),
	       "plan.jsonc:1:23: error: \"edge\": no edge \"aa -> b\" (did you mean \"a -> b\"?)\n");
	/* a hint must keep the end that was right: "a -> b" is not near "x -> y" */
	expect(F("{\"edge\": \"x -> y\", \"drop\": 1}"),
	       "plan.jsonc:1:23: error: \"edge\": no actor \"x\" in the configuration\n");
	expect(F("{\"edge\": \"c -> a\", \"drop\": 1}"),
	       "plan.jsonc:1:23: error: \"edge\": no edge \"c -> a\": the binding goes the other way, \"a -> c\"\n");
	expect(F("{\"edge\": \"b -> d\", \"drop\": 1}"),
	       "plan.jsonc:1:23: error: \"edge\": no edge \"b -> d\": \"b\" binds to \"c\" only\n");
	expect(F("{\"edge\": \"d -> lone\", \"drop\": 1}"),
	       "plan.jsonc:1:23: error: \"edge\": no edge \"d -> lone\": \"d\" has no bindings\n");
	expect(F("{\"edge\": \"lone -> a\", \"drop\": 1}"),
	       "plan.jsonc:1:23: error: \"edge\": actor \"lone\" is not in the tree (no supervisor names it): its edges never carry anything\n");
	expect(F("{\"edge\": \" -> a\", \"drop\": 1}"),
	       "plan.jsonc:1:23: error: \"edge\": expected \"CLIENT -> SERVICE\", two actor names\n");
	expect(F("{\"edge\": [\"B\", 1], \"drop\": 1}"),
	       "plan.jsonc:1:29: error: \"edge\"[1]: expected \"CLIENT -> SERVICE\" or a binding name, got an integer\n");
	expect(F("{\"edge\": \"B\"}"),
	       "plan.jsonc:1:15: error: an \"edge\" fault needs \"delay\", \"drop\", \"duplicate\" or \"partition\"\n");
}
END_TEST

START_TEST(edge_effects)
{
	expect(F("{\"edge\": \"B\", \"drop\": 1.5}"),
	       "plan.jsonc:1:36: error: \"drop\" is 1.5: expected a probability from 0 to 1\n");
	expect(F("{\"edge\": \"B\", \"duplicate\": -0.1}"),
	       "plan.jsonc:1:41: error: \"duplicate\" is -0.1: expected a probability from 0 to 1\n");
	expect(F("{\"edge\": \"B\", \"drop\": \"5%\"}"),
	       "plan.jsonc:1:36: error: \"drop\": expected a probability from 0 to 1, got a string\n");
	expect(F("{\"edge\": \"B\", \"delay\": [5, 1]}"),
	       "plan.jsonc:1:37: error: \"delay\": [5, 1]: expected 0 <= LO <= HI <= 86400000 (ms: one day)\n");
	expect(F("{\"edge\": \"B\", \"delay\": -1}"),
	       "plan.jsonc:1:37: error: \"delay\" is -1: expected an integer from 0 to 86400000\n");
	expect(F("{\"edge\": \"B\", \"delay\": [1, 2, 3]}"),
	       "plan.jsonc:1:37: error: \"delay\": expected MS or [LO, HI] (uniform between, in ms), got another array\n");
	expect(F("{\"edge\": \"B\", \"partition\": [[1, 2], [5, 3]]}"),
	       "plan.jsonc:1:50: error: \"partition\"[1]: [5, 3]: expected 0 <= FROM < TO <= 86400000 (ms: one day)\n");
	expect(F("{\"edge\": \"B\", \"partition\": [7, 3]}"),
	       "plan.jsonc:1:41: error: \"partition\": [7, 3]: expected 0 <= FROM < TO <= 86400000 (ms: one day)\n");
	expect(F("{\"edge\": \"B\", \"drop\": 1, \"direction\": \"to_servce\"}"),
	       "plan.jsonc:1:52: error: \"direction\": unknown value \"to_servce\" (did you mean \"to_service\"?)\n");
	expect("{\"faults\": [\n"
	       "  {\"edge\": \"C\", \"drop\": 0.1},\n"
	       "  {\"edge\": \"a -> b\", \"delay\": 5},\n"
	       "  {\"edge\": \"a -> c\", \"delay\": 5, \"direction\": \"to_client\"},\n"
	       "  {\"edge\": \"b -> c\", \"delay\": 5, \"direction\": \"to_service\"} ]}",
	       "plan.jsonc:4:4: error: edge \"a -> c\" (binding \"C\") already has a fault at plan.jsonc:2:4: one fault per edge and direction; put them together\n"
	       "plan.jsonc:5:4: error: edge \"b -> c\" (binding \"C\") already has a fault at plan.jsonc:2:4: one fault per edge and direction; put them together\n");
	/* opposite directions of one edge are two faults' business */
	fault_plan_free(load_ok(F("{\"edge\": \"B\", \"drop\": 1, \"direction\": \"to_service\"}, "
				  "{\"edge\": \"a -> b\", \"delay\": 5, \"direction\": \"to_client\"}")));
}
END_TEST

START_TEST(syscalls)
{
	expect(F("{\"syscall\": \"wirte\", \"target\": \"a\", \"errno\": \"EIO\"}"),
	       "plan.jsonc:1:26: error: \"syscall\": unknown system call \"wirte\" (did you mean \"write\"?)\n");
	expect(F("{\"syscall\": 1, \"target\": \"a\", \"errno\": \"EIO\"}"),
	       "plan.jsonc:1:26: error: \"syscall\": expected a system call name such as \"write\", got an integer\n");
	expect(F("{\"syscall\": \"execve\", \"target\": \"a\", \"errno\": \"EIO\"}"),
	       "plan.jsonc:1:26: error: \"syscall\": \"execve\" cannot be made to fail: each actor's start makes it after the seccomp filter is loaded, before the daemon could answer\n");
	expect(F("{\"syscall\": \"unlink\", \"target\": \"c\", \"errno\": \"EIO\"}"),
	       "plan.jsonc:1:26: error: \"syscall\": \"unlink\" is denied to actor \"c\" by its sandbox (profile \"minimal\"): a call it cannot make cannot be made to fail; allow it in the actor's \"sandbox\", or choose another call\n");
	expect(F("{\"syscall\": \"ptrace\", \"target\": \"*\", \"errno\": \"EIO\"}"),
	       "plan.jsonc:1:26: error: \"syscall\": \"ptrace\" is denied by the sandbox of 3 target actors, \"a\" first: a call an actor cannot make cannot be made to fail; allow it in their \"sandbox\", or narrow \"target\"\n");
	expect(F("{\"syscall\": \"write\", \"errno\": \"EIO\"}"),
	       "plan.jsonc:1:15: error: a \"syscall\" fault needs \"target\": whose calls fail (an actor, \"actor#N\", a supervisor, \"*\" or an array of those)\n");
	expect(F("{\"syscall\": \"write\", \"target\": \"a\"}"),
	       "plan.jsonc:1:15: error: a \"syscall\" fault needs \"errno\": what the call fails with, such as \"EIO\"\n");
	expect(F("{\"syscall\": \"write\", \"target\": \"a\", \"errno\": \"EIOO\"}"),
	       "plan.jsonc:1:59: error: \"errno\": unknown errno \"EIOO\" (did you mean \"EIO\"?)\n");
	expect(F("{\"syscall\": \"write\", \"target\": \"a\", \"errno\": \"enospc\"}"),
	       "plan.jsonc:1:59: error: \"errno\": unknown errno \"enospc\" (did you mean \"ENOSPC\"?)\n");
	expect(F("{\"syscall\": \"write\", \"target\": \"a\", \"errno\": \"EXYZZYQ\"}"),
	       "plan.jsonc:1:59: error: \"errno\": unknown errno \"EXYZZYQ\": expected a name from errno(3), such as \"EIO\" or \"ENOSPC\"\n");
	expect(F("{\"syscall\": \"write\", \"target\": \"a\", \"errno\": 5}"),
	       "plan.jsonc:1:59: error: \"errno\": expected an errno name such as \"EIO\", got an integer\n");
	expect(F("{\"syscall\": \"write\", \"target\": \"a\", \"errno\": \"EIO\", \"probability\": 2}"),
	       "plan.jsonc:1:81: error: \"probability\" is 2: expected a probability from 0 to 1\n");
	expect(F("{\"syscall\": \"write\", \"target\": \"a\", \"errno\": \"EIO\", \"after\": -1}"),
	       "plan.jsonc:1:75: error: \"after\" is -1: expected an integer from 0 to 9223372036854775807\n");
	expect(F("{\"syscall\": \"write\", \"target\": \"a\", \"errno\": \"EIO\", \"every\": 0}"),
	       "plan.jsonc:1:75: error: \"every\" is 0: expected an integer from 1 to 9223372036854775807\n");
}
END_TEST

START_TEST(syscall_arguments)
{
#define SYS(arg) F("{\"syscall\": \"write\", \"target\": \"a\", \"errno\": \"EIO\", \"arg\": " arg "}")
	expect(SYS("1"), "plan.jsonc:1:73: error: \"arg\": expected {\"index\": 0-5, \"equals\": N}, got an integer\n");
	expect(SYS("{\"index\": 0, \"equal\": 1}"),
	       "plan.jsonc:1:73: error: \"arg\": needs \"index\" (0-5: which argument) and \"equals\" (its value)\n"
	       "plan.jsonc:1:86: error: \"arg\": unknown key \"equal\" (did you mean \"equals\"?)\n");
	expect(SYS("{\"index\": 6, \"equals\": 1}"),
	       "plan.jsonc:1:83: error: \"index\" is 6: expected an integer from 0 to 5\n");
	expect(SYS("{\"index\": 0, \"equals\": 3, \"mask\": 1}"),
	       "plan.jsonc:1:96: error: \"arg\": \"equals\" 3 has bits outside \"mask\" 1: no call would match\n");
	expect(SYS("{\"index\": 0, \"equals\": -1, \"mask\": 1}"),
	       "plan.jsonc:1:96: error: \"arg\": \"equals\" -1 has bits outside \"mask\" 1: no call would match\n");
#undef SYS
}
END_TEST

START_TEST(every_error_is_reported_at_once)
{
	expect("{\"seed\": \"x\", \"faults\": [\n"
	       "  {\"kill\": \"zz\", \"every\": 5},\n"
	       "  {\"edge\": \"QQ\", \"drop\": 2},\n"
	       "  {\"syscall\": \"write\", \"target\": \"a\", \"errno\": \"EIOO\"} ]}",
	       "plan.jsonc:1:10: error: \"seed\": expected an integer from 0 to 9007199254740991, got a string\n"
	       "plan.jsonc:2:12: error: \"kill\": no actor or supervisor \"zz\" in the configuration\n"
	       "plan.jsonc:3:12: error: \"edge\": no binding named \"QQ\": name an edge \"CLIENT -> SERVICE\", or a binding name\n"
	       "plan.jsonc:3:26: error: \"drop\" is 2: expected a probability from 0 to 1\n"
	       "plan.jsonc:4:48: error: \"errno\": unknown errno \"EIOO\" (did you mean \"EIO\"?)\n");
}
END_TEST

/* In the order of the text, as a config's: a fault's keys were said in
 * the order they were judged, and an edge's second fault after every
 * other error. */
START_TEST(errors_come_in_the_order_of_the_text)
{
	expect("{\"faults\": [\n"
	       "  {\"edge\": \"a -> b\", \"delay\": [10, 5], \"direction\": \"sideways\"},\n"
	       "  {\"edge\": \"a -> b\", \"drop\": 0.5},\n"
	       "  {\"kill\": \"a\", \"at\": [86400001]} ]}",
	       "plan.jsonc:2:31: error: \"delay\": [10, 5]: expected 0 <= LO <= HI <= 86400000 (ms: one day)\n"
	       "plan.jsonc:2:53: error: \"direction\": unknown value \"sideways\": expected \"both\", \"to_service\" or \"to_client\"\n"
	       "plan.jsonc:3:4: error: edge \"a -> b\" (binding \"B\") already has a fault at plan.jsonc:2:4: one fault per edge and direction; put them together\n"
	       "plan.jsonc:4:24: error: \"at\"[0]: expected a time from 0 to 86400000 ms (one day), got one out of range\n");
}
END_TEST

/* A bad time does not hide the ones after it. */
START_TEST(no_bad_value_hides_another)
{
	expect(F("{\"kill\": \"a\", \"at\": [-1, \"x\", 5, 1.5]}"),
	       "plan.jsonc:1:35: error: \"at\"[0]: expected a time from 0 to 86400000 ms (one day), got one out of range\n"
	       "plan.jsonc:1:39: error: \"at\"[1]: expected a time from 0 to 86400000 ms (one day), got a string\n"
	       "plan.jsonc:1:47: error: \"at\"[3]: expected a time from 0 to 86400000 ms (one day), got a number with a fraction\n");
	/* nor a bad key the ones beside it */
	expect(F("{\"kill\": \"a\", \"every\": 0, \"jitter\": -1, \"window\": 9}"),
	       "plan.jsonc:1:37: error: \"every\" is 0: expected an integer from 1 to 86400000\n"
	       "plan.jsonc:1:50: error: \"jitter\" is -1: expected an integer from 0 to 86400000\n"
	       "plan.jsonc:1:64: error: \"window\": expected [FROM, TO], two times in ms on the fault clock, got an integer\n");
	expect(F("{\"syscall\": \"write\", \"target\": \"a\", \"errno\": \"EIO\", \"arg\": {\"index\": 6, \"equals\": \"x\", \"mask\": -1}}"),
	       "plan.jsonc:1:83: error: \"index\" is 6: expected an integer from 0 to 5\n"
	       "plan.jsonc:1:96: error: \"equals\": expected an integer from -9223372036854775808 to 9223372036854775807, got a string\n"
	       "plan.jsonc:1:109: error: \"mask\" is -1: expected an integer from 0 to 9223372036854775807\n");
}
END_TEST

/* JSON does not tell 1000 from 1e3 or 1000.0: a whole number counts
 * wherever an integer is read; a fraction does not. */
START_TEST(a_whole_number_may_have_an_exponent)
{
	struct fault_plan *p = load_ok(
		"{ \"seed\": 1e3,\n"
		"  \"faults\": [\n"
		"    { \"kill\": \"a\", \"every\": 1e3, \"jitter\": 5.0e2, \"window\": [1e2, 9E3] },\n"
		"    { \"stall\": \"b\", \"for\": 1e2, \"at\": [3e3, 1000.0] },\n"
		"    { \"edge\": \"B\", \"delay\": [1e0, 5.0], \"partition\": [[1e1, 2e1]] },\n"
		"    { \"edge\": \"a -> c\", \"delay\": 2e1 },\n"
		"    { \"syscall\": \"write\", \"target\": \"b\", \"errno\": \"EIO\", \"after\": 3.0, \"every\": 2e0,\n"
		"      \"arg\": { \"index\": 1.0, \"equals\": -1e2 } } ] }\n");
	const struct fault *f = p->faults;

	ck_assert_uint_eq(p->seed, 1000);
	ck_assert_int_eq(f[0].u.proc.every_ms, 1000);
	ck_assert_int_eq(f[0].u.proc.jitter_ms, 500);
	ck_assert_int_eq(f[0].window.from_ms, 100);
	ck_assert_int_eq(f[0].window.to_ms, 9000);
	ck_assert_int_eq(f[1].u.proc.stall_ms, 100);
	ck_assert_int_eq(f[1].u.proc.at_ms[0], 1000);
	ck_assert_int_eq(f[1].u.proc.at_ms[1], 3000);
	ck_assert_int_eq(f[2].u.edge.delay_lo_ms, 1);
	ck_assert_int_eq(f[2].u.edge.delay_hi_ms, 5);
	ck_assert_int_eq(f[2].u.edge.partitions[0].from_ms, 10);
	ck_assert_int_eq(f[2].u.edge.partitions[0].to_ms, 20);
	ck_assert_int_eq(f[3].u.edge.delay_lo_ms, 20);
	ck_assert_uint_eq(f[4].u.sys.after, 3);
	ck_assert_uint_eq(f[4].u.sys.every, 2);
	ck_assert_uint_eq(f[4].u.sys.arg_index, 1);
	ck_assert_uint_eq(f[4].u.sys.arg_value, (uint32_t)-100);
	fault_plan_free(p);

	expect("{\"seed\": 1.5, \"faults\": []}",
	       "plan.jsonc:1:10: error: \"seed\": expected an integer from 0 to 9007199254740991, got a number with a fraction\n");
	expect("{\"seed\": 1e16, \"faults\": []}",
	       "plan.jsonc:1:10: error: \"seed\" is 1e+16: expected an integer from 0 to 9007199254740991\n");
	/* one above the range, written back as written, not as 9.0072e+15 */
	expect("{\"seed\": 9007199254740992.0, \"faults\": []}",
	       "plan.jsonc:1:10: error: \"seed\" is 9007199254740992: expected an integer from 0 to 9007199254740991\n");
	expect(F("{\"edge\": \"B\", \"drop\": 1.0000001}"),
	       "plan.jsonc:1:36: error: \"drop\" is 1.0000001: expected a probability from 0 to 1\n");
	expect(F("{\"edge\": \"B\", \"delay\": 2.5}"),
	       "plan.jsonc:1:37: error: \"delay\": expected MS or [LO, HI] (uniform between, in ms), got a number with a fraction\n");
	expect(F("{\"syscall\": \"write\", \"target\": \"b\", \"errno\": \"EIO\", \"after\": 1e17}"),
	       "plan.jsonc:1:75: error: \"after\": expected an integer from 0 to 9223372036854775807, got a number of 2^53 or more written with an exponent or a fraction\n");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("faults_load");
	TCase *tc = tcase_create("load");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, every_kind_and_field_is_read);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, the_file_and_its_syntax);
	tcase_add_test(tc, the_top_level);
	tcase_add_test(tc, targets);
	tcase_add_test(tc, process_schedules);
	tcase_add_test(tc, signals_and_stalls);
	tcase_add_test(tc, edges);
	tcase_add_test(tc, edge_effects);
	tcase_add_test(tc, syscalls);
	tcase_add_test(tc, syscall_arguments);
	tcase_add_test(tc, every_error_is_reported_at_once);
	tcase_add_test(tc, errors_come_in_the_order_of_the_text);
	tcase_add_test(tc, no_bad_value_hides_another);
	tcase_add_test(tc, a_whole_number_may_have_an_exponent);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
