/* `prospero run --faults FILE` on the real daemon: process faults on the
 * fault clock, reproducible from the seed; system calls failed through
 * the seccomp listener; interposed edges that drop and delay. */
#include <check.h>
#include <dirent.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/common/harness.h"
#include "tests/common/proc.h"
#include "tests/common/runner.h"

static struct h h;

static void setup(void) { h_init(&h); }
static void teardown(void) { h_fini(&h); }

static const char *const root_only[] = { "root.jsonc", NULL };

static const char *env(const char *name)
{
	const char *v = getenv(name);

	ck_assert_msg(v != NULL, "%s not set: run with make check", name);
	return v;
}

/* TEXT into the test dir, with "@F@" the faultee's path and "@EA@" the
 * echo actor's (h_write does "@TA@" and "@DIR@"). */
static void write_cfg(const char *name, const char *text)
{
	char out[4096];
	size_t n = 0;

	for (const char *p = text; *p && n < sizeof out - 256; p++) {
		if (strncmp(p, "@F@", 3) == 0) {
			n += (size_t)snprintf(out + n, sizeof out - n, "%s", env("FAULTEE"));
			p += 2;
		} else if (strncmp(p, "@EA@", 4) == 0) {
			n += (size_t)snprintf(out + n, sizeof out - n, "%s", env("ECHOACTOR"));
			p += 3;
		} else {
			out[n++] = *p;
		}
	}
	out[n] = '\0';
	h_write(&h, name, out);
}

static void start_with_plan(const char *plan, const char *seed)
{
	h_write(&h, "faults.jsonc", plan);
	h_start_with(&h, root_only, (const char *const[]){ "--faults", "faults.jsonc", seed ? "--seed" : NULL,
							   seed, NULL });
}

/* The next fault event, as "SEQ KIND TARGET fault=F n=N" (what a replay
 * must repeat; not "at", which is the clock's). */
static void next_fault(char *out, size_t len)
{
	struct h_event e;
	char kind[32] = "", target[128] = "";
	unsigned long long seq = 0, fault = 0, n = 0;
	const char *p;

	h_expect(&h, "fault", NULL, &e);
	ck_assert((p = strstr(e.line, "\"seq\": ")) && sscanf(p, "\"seq\": %llu", &seq) == 1);
	ck_assert((p = strstr(e.line, "\"kind\": \"")) && sscanf(p, "\"kind\": \"%31[^\"]", kind) == 1);
	if ((p = strstr(e.line, "\"target\": \"")))
		sscanf(p, "\"target\": \"%127[^\"]", target);
	if ((p = strstr(e.line, "\"fault\": ")))
		sscanf(p, "\"fault\": %llu", &fault);
	if ((p = strstr(e.line, "\"n\": ")))
		sscanf(p, "\"n\": %llu", &n);
	snprintf(out, len, "%llu %s %s fault=%llu n=%llu", seq, kind, target, fault, n);
}

#define NFIRINGS 8

/* Kill a random one of three every ~120 ms and stall one now and then;
 * the first NFIRINGS fault events of the run, into LIST. */
static void kill_run(const char *seed, char list[NFIRINGS + 1][200])
{
	h_init(&h);
	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 100000, \"period\": 86400, \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"@TA@\"] },\n"
		"  { \"actor\": \"b\", \"exec\": [\"@TA@\"], \"instances\": 2 } ] }\n");
	start_with_plan("{ \"seed\": 11, \"faults\": [\n"
			"  { \"kill\": [\"a\", \"b\"], \"every\": 120, \"jitter\": 40 },\n"
			"  { \"stall\": \"b\", \"for\": 20, \"at\": [150, 400], \"pick\": \"all\" },\n"
			"  { \"kill\": \"*\", \"signal\": \"SIGTERM\", \"at\": [300] } ] }\n", seed);
	for (int i = 0; i <= NFIRINGS; i++)
		next_fault(list[i], sizeof list[i]);
	h_stop(&h);
	h_fini(&h);
}

START_TEST(a_fixed_seed_gives_the_same_fault_events)
{
	static char one[NFIRINGS + 1][200], two[NFIRINGS + 1][200], other[NFIRINGS + 1][200];
	bool differs = false;

	h_fini(&h);	/* each run its own directory */
	kill_run(NULL, one);
	kill_run(NULL, two);
	kill_run("12", other);
	ck_assert_str_eq(one[0], "0 plan  fault=0 n=0");
	for (int i = 0; i <= NFIRINGS; i++) {
		ck_assert_str_eq(one[i], two[i]);
		differs |= strcmp(one[i], other[i]) != 0;
	}
	/* and the seed is what decides: another one picks other members */
	ck_assert_msg(differs, "seed 12 made the same picks as seed 11");
	h_init(&h);
}
END_TEST

START_TEST(the_seed_is_recorded_in_the_plan_event)
{
	struct h_event e;

	h_write(&h, "root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
				  "  { \"actor\": \"a\", \"exec\": [\"@TA@\"] } ] }\n");
	start_with_plan("{ \"faults\": [ { \"kill\": \"a\", \"at\": [86400000] } ] }\n", "4242");
	h_expect(&h, "fault", NULL, &e);
	ck_assert_msg(strstr(e.line, "\"seq\": 0, \"kind\": \"plan\", \"seed\": 4242, \"faults\": 1"), "%s", e.line);
	h_stop(&h);
}
END_TEST

/* The plan ends when the run does: once the daemon begins to stop, no kill
 * or stall fires. It kept firing through the shutdown: it killed "a" while
 * "slow" took its second to stop, before the shutdown came to "a", then
 * wrote a "skipped, not running" firing every 300 ms for the dead "a". */
START_TEST(no_kill_or_stall_fires_once_the_daemon_stops)
{
	static char err[65536];
	struct h_event e;
	const char *stop;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 100000, \"period\": 86400, \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"@TA@\"] },\n"
		"  { \"actor\": \"slow\", \"exec\": [\"@TA@\", \"--ignore-term\"], \"shutdown\": 1000 } ] }\n");
	start_with_plan("{ \"faults\": [ { \"kill\": \"a\", \"every\": 300, \"signal\": \"SIGTERM\" },\n"
			"  { \"stall\": \"a\", \"for\": 20, \"every\": 450 } ] }\n", "1");
	h_expect(&h, "fault", NULL, &e);	/* the plan */
	h_expect(&h, "fault", NULL, &e);	/* the first kill, at 300 */
	h_expect(&h, "ready", "a", &e);		/* and "a" is back: the next is at 450 */
	h_stop(&h);
	ck_assert_int_gt(h_read(&h, "err", err, sizeof err), 0);
	stop = strstr(err, "prospero: received SIGTERM: stopping\n");
	ck_assert_ptr_nonnull(stop);
	/* the shutdown stops "a" itself, after "slow" */
	ck_assert_msg(strstr(stop, "prospero: stop a (pid "), "%s", stop);
	for (const char *p = stop; (p = strstr(p, "prospero: fault ")); p++)
		ck_assert_msg(strncmp(p, "prospero: fault summary: ", 25) == 0, "a firing after the stop: %.120s", p);
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero:   a: ", "skipped"), 0);
}
END_TEST

START_TEST(a_stall_longer_than_the_watchdog_ends_in_a_watchdog_kill)
{
	struct h_event e;

	write_cfg("root.jsonc",
		"{ \"supervisor\": \"root\", \"intensity\": 100000, \"period\": 86400, \"children\": [\n"
		"  { \"actor\": \"w\", \"exec\": [\"@EA@\", \"--ready\", \"--pet\", \"20\", \"1000000\", \"control\"],\n"
		"    \"ready\": \"notify\", \"watchdog\": 200 } ] }\n");
	start_with_plan("{ \"faults\": [ { \"stall\": \"w\", \"for\": 3000, \"at\": [50] } ] }\n", NULL);
	h_expect(&h, "fault", NULL, &e);	/* the plan */
	h_expect(&h, "fault", NULL, &e);
	ck_assert_msg(strstr(e.line, "\"kind\": \"stall\", \"fault\": 0, \"n\": 1, \"target\": \"w\""), "%s", e.line);
	ck_assert_msg(strstr(e.line, "\"signal\": \"SIGSTOP\", \"ms\": 3000"), "%s", e.line);
	h_expect(&h, "exit", "w", &e);
	ck_assert_str_eq(e.reason, "watchdog");
	h_expect(&h, "restart", "w", &e);
	ck_assert_str_eq(e.reason, "watchdog");
	h_stop(&h);
}
END_TEST

/* The plan event, then COUNT events of KIND on TARGET, the K-th with
 * seq K and n K (one fault, each firing, message or call once), each
 * also holding TAIL. */
static void expect_faults(int count, const char *kind, const char *target, const char *tail)
{
	struct h_event e;

	h_expect(&h, "fault", NULL, &e);
	ck_assert_msg(strstr(e.line, "\"seq\": 0, \"kind\": \"plan\""), "%s", e.line);
	for (int k = 1; k <= count; k++) {
		char want[200];

		h_expect(&h, "fault", NULL, &e);
		snprintf(want, sizeof want, "\"seq\": %d, \"kind\": \"%s\", \"fault\": 0, \"n\": %d, \"target\": \"%s\"",
			 k, kind, k, target);
		ck_assert_msg(strstr(e.line, want), "%s", e.line);
		ck_assert_msg(strstr(e.line, tail), "%s", e.line);
	}
}

/* faultee's report of N writes under PLAN (one syscall fault on actor
 * "w" with PROFILE), once it says "done": its lines of the daemon's
 * output, "w: " taken off. The run's fault events follow in the events
 * file. */
static void writes_under(const char *profile, const char *fault, int n, char *out, size_t cap)
{
	char cfg[1024], plan[512], all[4096], *line, *save = NULL;
	size_t len = 0;

	snprintf(cfg, sizeof cfg,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 "  { \"actor\": \"w\", \"exec\": [\"@F@\", \"writes\", \"%d\"],\n"
		 "    \"sandbox\": { \"profile\": \"%s\" } } ] }\n", n, profile);
	write_cfg("root.jsonc", cfg);
	snprintf(plan, sizeof plan, "{ \"faults\": [ { \"syscall\": \"write\", \"target\": \"w\", %s } ] }\n", fault);
	start_with_plan(plan, "1");
	for (int i = 0; i < H_TIMEOUT_MS / 10 && h_count_lines(&h, "out", "w: done") == 0; i++)
		h_sleep_ms(10);
	ck_assert_int_gt(h_read(&h, "out", all, sizeof all), 0);
	out[0] = '\0';
	for (line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "w: ", 3) == 0)
			len += (size_t)snprintf(out + len, len < cap ? cap - len : 0, "%s\n", line + 3);
}

START_TEST(a_certain_write_fault_fails_every_write_and_no_read)
{
	static const char *const profiles[] = { "service", "minimal", "none" };
	char report[1024];

	for (size_t i = 0; i < 3; i++) {
		if (i) {
			h_fini(&h);
			h_init(&h);
		}
		writes_under(profiles[i], "\"errno\": \"EIO\", \"probability\": 1", 3, report, sizeof report);
		ck_assert_str_eq(report, "write 1 EIO\nwrite 2 EIO\nwrite 3 EIO\nread 3\ndone\n");
		expect_faults(3, "syscall", "w", "\"syscall\": \"write\", \"errno\": \"EIO\", \"incarnation\": 1");
		h_stop(&h);
	}
}
END_TEST

START_TEST(reads_still_work_and_probability_zero_fails_nothing)
{
	char report[1024];

	writes_under("service", "\"errno\": \"ENOSPC\", \"probability\": 0", 3, report, sizeof report);
	ck_assert_str_eq(report, "write 1 ok\nwrite 2 ok\nwrite 3 ok\nread 6\ndone\n");
	h_stop(&h);
	ck_assert_int_eq(h_count_lines(&h, "err", "prospero: fault 1:"), 0);
	ck_assert_int_eq(h_count_lines(&h, "err", "prospero: fault 0:"), 1);
}
END_TEST

START_TEST(after_n_fails_from_call_n_plus_one)
{
	char report[1024];

	writes_under("service", "\"errno\": \"ENOSPC\", \"after\": 3", 5, report, sizeof report);
	ck_assert_str_eq(report, "write 1 ok\nwrite 2 ok\nwrite 3 ok\nwrite 4 ENOSPC\nwrite 5 ENOSPC\nread 6\ndone\n");
	h_stop(&h);
}
END_TEST

/* An actor decides how often a faulted call comes: one that makes it in
 * a loop (here 20000 getppid calls, 30000 a second and more) must not
 * write an event for each into the events file and the journal. A few
 * go out, then one now and then with the count of those left out; the
 * summary counts them all. The last call comes 300 ms after the rest, so
 * that one event carries a count however fast the loop ran (all of it
 * within the 100 ms a report waits for, on a fast build, and none did). */
START_TEST(a_call_made_in_a_loop_is_not_an_event_each_time)
{
	write_cfg("root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
				"  { \"actor\": \"w\", \"exec\": [\"@F@\", \"calls\", \"20000\", \"300\"],\n"
				"    \"sandbox\": { \"profile\": \"service\" } } ] }\n");
	start_with_plan("{ \"faults\": [ { \"syscall\": \"getppid\", \"target\": \"w\", \"errno\": \"EIO\" } ] }\n",
			"1");
	for (int i = 0; i < 3 * H_TIMEOUT_MS / 10 && h_count_lines(&h, "out", "w: call ") == 0; i++)
		h_sleep_ms(10);
	ck_assert_int_eq(h_count_lines(&h, "out", "w: call "), 1);
	h_stop(&h);
	ck_assert_int_le(h_lines_with(&h, "events", "", "\"kind\": \"syscall\""), 200);
	ck_assert_int_ge(h_lines_with(&h, "events", "", "\"suppressed\": "), 1);
	ck_assert_int_ge(h_lines_with(&h, "err", "prospero: fault ", " more not shown)"), 1);
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero: fault summary: seed 1, 20000 faults injected", ""), 1);
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero:   w: 0 killed, 0 stalled, 20000 calls failed", ""), 1);
}
END_TEST

/* A client "c" that stamps COUNT datagrams to a sink "s" over binding S,
 * under an edge fault FAULT. */
static void stamps_under(const char *fault, int count)
{
	char cfg[1024], plan[512];

	snprintf(cfg, sizeof cfg,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 "  { \"actor\": \"s\", \"exec\": [\"@F@\", \"sink\"] },\n"
		 "  { \"actor\": \"c\", \"exec\": [\"@F@\", \"stamp\", \"%d\"], \"bindings\": { \"S\": \"s\" } } ] }\n",
		 count);
	write_cfg("root.jsonc", cfg);
	snprintf(plan, sizeof plan, "{ \"faults\": [ { \"edge\": \"c -> s\", %s } ] }\n", fault);
	start_with_plan(plan, "3");
}

/* The sink's lines once there are N: each "SEQ LATENCY_US", into SEQ and
 * LAT in the order they came. */
static void sink_lines(int n, long *seq, long *lat)
{
	char all[8192], *line, *save = NULL;
	int k = 0;

	for (int i = 0; i < H_TIMEOUT_MS / 10 && h_count_lines(&h, "out", "s: ") < n; i++)
		h_sleep_ms(10);
	ck_assert_int_eq(h_count_lines(&h, "out", "s: "), n);
	ck_assert_int_gt(h_read(&h, "out", all, sizeof all), 0);
	for (line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "s: ", 3) == 0) {
			ck_assert_int_lt(k, n);
			ck_assert_int_eq(sscanf(line + 3, "%ld %ld", &seq[k], &lat[k]), 2);
			k++;
		}
}

START_TEST(an_edge_that_drops_everything_delivers_nothing)
{
	stamps_under("\"drop\": 1", 20);
	expect_faults(20, "drop", "c -> s", "\"binding\": \"S\", \"direction\": \"to_service\", \"partition\": false");
	/* every message is accounted for as dropped: none is still on its way */
	h_stop(&h);
	ck_assert_int_eq(h_count_lines(&h, "out", "s: "), 0);
	ck_assert_int_eq(h_count_lines(&h, "err", "prospero:   edge c -> s (S): 20 messages, 0 delayed, 20 dropped, 0 duplicated"), 1);
}
END_TEST

/* The client decides how fast messages come: one sending in a loop must
 * not write an event for each one dropped. */
START_TEST(a_client_sending_in_a_loop_does_not_get_an_event_each_drop)
{
	stamps_under("\"drop\": 1", 20000);
	for (int i = 0; i < 3 * H_TIMEOUT_MS / 10 &&
	     h_lines_with(&h, "events", "", "\"kind\": \"drop\"") < 100; i++)
		h_sleep_ms(10);
	/* the client sends the rest: until the daemon has taken them all,
	 * which status shows as the summary stands */
	for (int waited = 0;; waited += 20) {
		h_run(&h, (const char *const[]){ "status", "--runtime-dir", h.rundir, NULL });
		if (h_lines_with(&h, "run.out", "", "edge c -> s (S): 20000 messages") > 0)
			break;
		ck_assert_msg(waited < 3 * H_TIMEOUT_MS, "the daemon never had the client's 20000 messages");
		h_sleep_ms(20);
	}
	h_stop(&h);
	/* they all came at once: the count of those left out is the summary's */
	ck_assert_int_le(h_lines_with(&h, "events", "", "\"kind\": \"drop\""), 200);
	ck_assert_int_eq(h_count_lines(&h, "err", "prospero:   edge c -> s (S): 20000 messages, 0 delayed, 20000 dropped, 0 duplicated"), 1);
	ck_assert_int_eq(h_lines_with(&h, "err", "prospero: fault summary: seed 3, 20000 faults injected", ""), 1);
}
END_TEST

START_TEST(a_delayed_edge_delivers_everything_in_order_and_late)
{
	long seq[30], lat[30];

	stamps_under("\"delay\": [100, 150]", 30);
	sink_lines(30, seq, lat);
	for (int k = 0; k < 30; k++) {
		ck_assert_int_eq(seq[k], k);
		ck_assert_int_ge(lat[k], 100000);	/* µs: no earlier than the delay */
	}
	h_stop(&h);
}
END_TEST

START_TEST(a_duplicating_edge_delivers_each_message_twice_in_order)
{
	long seq[10], lat[10];

	stamps_under("\"duplicate\": 1", 5);
	sink_lines(10, seq, lat);
	for (int k = 0; k < 10; k++)
		ck_assert_int_eq(seq[k], k / 2);
	h_stop(&h);
}
END_TEST

START_TEST(a_relayed_edge_passes_memfd_bodies)
{
	char cfg[1024];

	snprintf(cfg, sizeof cfg,
		 "{ \"supervisor\": \"root\", \"children\": [\n"
		 "  { \"actor\": \"echo\", \"exec\": [\"%s\", \"serve\"], \"ready\": \"notify\" },\n"
		 "  { \"actor\": \"call\", \"exec\": [\"%s\", \"call\", \"ECHO\", \"70000\"],\n"
		 "    \"bindings\": { \"ECHO\": \"echo\" } } ] }\n", env("BIGBODY"), env("BIGBODY"));
	h_write(&h, "root.jsonc", cfg);
	start_with_plan("{ \"faults\": [ { \"edge\": \"ECHO\", \"delay\": 5 } ] }\n", NULL);
	for (int i = 0; i < H_TIMEOUT_MS / 10 && h_count_lines(&h, "out", "call: ") == 0; i++)
		h_sleep_ms(10);
	ck_assert_int_eq(h_count_lines(&h, "out", "call: intact 70000"), 1);
	h_stop(&h);
}
END_TEST

/* A client c that sends N datagrams with faultee MODE ("fds", "big") to
 * a service s that reads nothing, on an edge PLAN delays; back once c
 * says how many went. */
static void a_client_floods(const char *mode, const char *n, const char *plan)
{
	char cfg[512], sent[64];

	snprintf(cfg, sizeof cfg, "{ \"supervisor\": \"root\", \"children\": [\n"
				  "  { \"actor\": \"s\", \"exec\": [\"@F@\", \"stamp\", \"0\"] },\n"
				  "  { \"actor\": \"c\", \"exec\": [\"@F@\", \"%s\", \"%s\"],\n"
				  "    \"bindings\": { \"S\": \"s\" } } ] }\n", mode, n);
	write_cfg("root.jsonc", cfg);
	start_with_plan(plan, NULL);
	snprintf(sent, sizeof sent, "c: %s sent ", mode);
	for (int i = 0; i < 3 * H_TIMEOUT_MS / 10 && h_count_lines(&h, "out", sent) == 0; i++)
		h_sleep_ms(10);
	ck_assert_int_eq(h_count_lines(&h, "out", sent), 1);
}

/* The fds a relay holds are the daemon's: a client passing 8 fds in each
 * message to a service that reads nothing must not fill the daemon's
 * table (its open-file budget counts none for a relay); past a few
 * messages' worth the relay stops reading, and the rest wait in the
 * client's socket, as on a direct edge. */
START_TEST(a_relay_holds_few_of_the_fds_a_client_passes)
{
	char dir[64], link[256];
	int held = 0;
	DIR *dp;
	struct dirent *de;

	a_client_floods("fds", "2000", "{ \"faults\": [ { \"edge\": \"c -> s\", \"delay\": 1 } ] }\n");
	snprintf(dir, sizeof dir, "/proc/%d/fd", (int)h.pid);
	ck_assert_ptr_nonnull(dp = opendir(dir));
	while ((de = readdir(dp))) {
		char path[320];
		ssize_t n;

		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		if ((n = readlink(path, link, sizeof link - 1)) > 0) {
			link[n] = '\0';
			held += strcmp(link, "/dev/null") == 0;
		}
	}
	closedir(dp);
	/* 32 a direction, and the daemon's own few */
	ck_assert_msg(held <= 40, "the daemon holds %d fds of /dev/null", held);
	h_stop(&h);
}
END_TEST

/* Nor may the bodies it holds be the daemon's memory without bound: on an
 * edge that delays by a minute, a client sending datagrams of 64 KiB as
 * fast as it can gets a few into the relay (its 64 messages were 4 MiB a
 * direction, for each copy of the edge), the rest wait in its socket. */
START_TEST(a_relay_holds_few_of_the_bytes_a_client_sends)
{
	char all[8192];
	unsigned long taken = 0;
	const char *p;

	a_client_floods("big", "200", "{ \"faults\": [ { \"edge\": \"c -> s\", \"delay\": 60000 } ] }\n");
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "status", "--runtime-dir", h.rundir, NULL }), 0);
	ck_assert_int_gt(h_read(&h, "run.out", all, sizeof all), 0);
	ck_assert_ptr_nonnull(p = strstr(all, "edge c -> s (S): "));
	ck_assert_int_eq(sscanf(p, "edge c -> s (S): %lu messages", &taken), 1);
	/* 256 KiB a direction: two of 64 KiB and the one read after them */
	ck_assert_msg(taken <= 4, "the relay took %lu datagrams of 64 KiB", taken);
	h_stop(&h);
}
END_TEST

/* Only the daemon's own notice passes a relay untouched: a client whose
 * datagrams begin with a frame of the notice's form, or a service's
 * (the daemon sends its notice on the service's side), is still subject
 * to the plan, or an actor could send past a partition at will. */
START_TEST(a_datagram_forged_as_the_notice_is_still_dropped)
{
	write_cfg("root.jsonc", "{ \"supervisor\": \"root\", \"children\": [\n"
				"  { \"actor\": \"s\", \"exec\": [\"@F@\", \"sink\"] },\n"
				"  { \"actor\": \"c\", \"exec\": [\"@F@\", \"notice\", \"20\"],\n"
				"    \"bindings\": { \"S\": \"s\" } } ] }\n");
	start_with_plan("{ \"faults\": [ { \"edge\": \"c -> s\", \"drop\": 1 } ] }\n", "3");
	expect_faults(20, "drop", "c -> s", "\"binding\": \"S\", \"direction\": \"to_service\"");
	h_stop(&h);
	ck_assert_int_eq(h_count_lines(&h, "out", "s: "), 0);
}
END_TEST

/* The daemon's peer_restarted notice goes in band from the service's side
 * of an edge: on a relayed edge that loses everything sent to the client
 * (the service's hellos), the notice still comes through. */
START_TEST(the_peer_restarted_notice_passes_a_relay_that_drops_all)
{
	struct h_event e;
	char watch[1024];
	int drops = 0;

	write_cfg("root.jsonc",
		  "{ \"supervisor\": \"root\", \"intensity\": 10, \"children\": [\n"
		  "  { \"actor\": \"svc\", \"exec\": [\"@EA@\", \"--hello\"] },\n"
		  "  { \"actor\": \"cli\", \"exec\": [\"@EA@\", \"--watch\", \"INVENTORY\", \"@DIR@/watch\"],\n"
		  "    \"bindings\": { \"INVENTORY\": \"svc\" } } ] }\n");
	start_with_plan("{ \"faults\": [ { \"kill\": \"svc\", \"at\": [200] },\n"
			"  { \"edge\": \"cli -> svc\", \"direction\": \"to_client\", \"drop\": 1 } ] }\n", NULL);
	/* the first incarnation's hello and the second's, both lost */
	while (drops < 2) {
		ck_assert_msg(h_next(&h, &e, H_TIMEOUT_MS), "fewer than 2 drops");
		drops += strcmp(e.event, "fault") == 0 && strstr(e.line, "\"kind\": \"drop\"") != NULL;
	}
	for (int i = 0; i < H_TIMEOUT_MS / 10 && h_count_lines(&h, "watch", "notice") == 0; i++)
		h_sleep_ms(10);
	ck_assert_int_gt(h_read(&h, "watch", watch, sizeof watch), 0);
	ck_assert_str_eq(watch, "notice peer_restarted incarnation=2 at=set control=PEER_RESTARTED=INVENTORY INCARNATION=2 \n");
	h_stop(&h);
}
END_TEST

/* REQ on the control socket; its answer line into OUT. */
static void ask(const char *req, char *out, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	size_t n = 0;

	ck_assert((size_t)snprintf(sa.sun_path, sizeof sa.sun_path, "%s/control", h.rundir) < sizeof sa.sun_path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	ck_assert_int_eq(send(fd, req, strlen(req), MSG_NOSIGNAL), (ssize_t)strlen(req));
	while (n < len - 1 && read(fd, out + n, 1) == 1 && out[n] != '\n')
		n++;
	out[n] = '\0';
	close(fd);
}

/* README "Faults at run time": a run-time edge fault is injected "as an
 * event numbered with the rest", one per edge copy as a kill is one per
 * instance; its refusals name the request's fields. */
START_TEST(a_run_time_edge_fault_is_an_event)
{
	struct h_event e;
	char answer[512];

	write_cfg("root.jsonc",
		  "{ \"supervisor\": \"root\", \"children\": [\n"
		  "  { \"actor\": \"svc\", \"exec\": [\"@EA@\"] },\n"
		  "  { \"actor\": \"cli\", \"exec\": [\"@EA@\"], \"bindings\": { \"INVENTORY\": \"svc\" } } ] }\n");
	start_with_plan("{ \"faults\": [ { \"edge\": \"cli -> svc\", \"drop\": 0 } ] }\n", NULL);
	h_expect(&h, "fault", NULL, &e);	/* the plan's */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "edge", "cli -> svc", "--drop", "0.5", "--for",
							  "1000", "--runtime-dir", h.rundir, NULL }), 0);
	h_expect(&h, "fault", NULL, &e);
	ck_assert_msg(strstr(e.line, "\"seq\": 1, \"kind\": \"edge\", \"fault\": 1, \"n\": 1, \"target\": \"cli -> svc\"") &&
			      strstr(e.line, "\"binding\": \"INVENTORY\", \"drop\": 0.5, \"ms\": 1000"),
		      "%s", e.line);
	ck_assert_int_eq(h_count_lines(&h, "err", "prospero: fault 1: drop each message on cli -> svc (INVENTORY) "
					       "with probability 0.5 for 1000 ms (fault 1, firing 1)"), 1);
	/* "through the same code as the plan's": the edge as a plan may
	 * spell it, the spaces round the arrow its own (it was refused) */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "edge", "cli->svc", "--drop", "0.5", "--for",
							  "1000", "--runtime-dir", h.rundir, NULL }), 0);
	h_expect(&h, "fault", NULL, &e);
	ck_assert_msg(strstr(e.line, "\"seq\": 2, \"kind\": \"edge\", \"fault\": 2, \"n\": 1, \"target\": \"cli -> svc\""),
		      "%s", e.line);
	/* on the socket the fields are "drop" and "ms"; the CLI says --for */
	ask("{\"verb\": \"fault\", \"fault\": \"edge\", \"name\": \"cli -> svc\", \"drop\": 0.5, \"ms\": 0}\n",
	    answer, sizeof answer);
	ck_assert_msg(strstr(answer, "\\\"drop\\\" is from 0 to 1, \\\"ms\\\" from 1 ms to a day"), "%s", answer);
	/* no share assumed on the socket, as the CLI asks --drop (it was 0) */
	ask("{\"verb\": \"fault\", \"fault\": \"edge\", \"name\": \"cli -> svc\", \"ms\": 10}\n", answer, sizeof answer);
	ck_assert_msg(strstr(answer, "\"ok\":false") && strstr(answer, "\"code\":\"EINVAL\"") &&
		      strstr(answer, "\\\"drop\\\": an edge fault needs one, a probability from 0 to 1"), "%s", answer);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "edge", "cli -> svc", "--drop", "0.5", "--for",
							  "0", "--runtime-dir", h.rundir, NULL }), 2);
	ck_assert_int_eq(h_count_lines(&h, "run.err", "prospero: 0: --for: expected milliseconds, from 1 to a day"), 1);
	h_stop(&h);
}
END_TEST

/* As the plan's own, a run-time fault lands in no actor's shutdown: one
 * asked once the daemon stops is refused (it killed "slow" in the middle
 * of its shutdown, and "a", still waiting for its turn to stop). */
START_TEST(a_run_time_fault_is_refused_once_the_daemon_stops)
{
	const char *const kill_a[] = { "fault", "kill", "a", "--runtime-dir", h.rundir, NULL };
	struct h_event e;
	char err[1024];
	pid_t slow;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"a\", \"exec\": [\"@TA@\"] },\n"
		"  { \"actor\": \"slow\", \"exec\": [\"@TA@\", \"--ignore-term\"], \"shutdown\": 5000 } ] }\n");
	start_with_plan("{ \"faults\": [] }\n", NULL);
	h_expect(&h, "start", "slow", &e);
	slow = e.pid;
	h_expect(&h, "fault", NULL, &e);	/* the plan's */
	/* ready at its exec: ignoring SIGTERM only a moment later */
	for (int i = 0; i < H_TIMEOUT_MS / 10 && !(h_status_mask(slow, "SigIgn") & 1ULL << (SIGTERM - 1)); i++)
		h_sleep_ms(10);
	h_signal(&h, SIGTERM);
	h_expect(&h, "stop", "slow", NULL);
	ck_assert_int_eq(h_run(&h, kill_a), 1);
	ck_assert_int_gt(h_read(&h, "run.err", err, sizeof err), 0);
	ck_assert_str_eq(err, "prospero: fault: the daemon is stopping: it injects no more faults\n");
	ck_assert_int_eq(h_wait_exit(&h, 3 * H_TIMEOUT_MS), 0);
	while (h_next(&h, &e, 0))
		ck_assert_msg(strcmp(e.event, "fault") != 0, "a fault in the stop: %s", e.line);
}
END_TEST

/* README "Reproducible runs": whether message K of an edge is dropped is
 * a hash of the seed, the fault, the target and the count. A run-time
 * fault on a binding name that two clients declare covers two edges:
 * their drops are drawn apart, not the same K on both. The clients stamp
 * 64 messages at start (the relay may take the last of them after the
 * run-time fault is in, so those may be dropped too, each edge at its
 * own moment) and, killed at 1 s, 64 more, all under the fault: the
 * drops among those are compared. */
START_TEST(a_run_time_edge_fault_draws_each_edge_apart)
{
	struct h_event e;
	uint64_t dropped[2] = { 0, 0 };

	write_cfg("root.jsonc",
		  "{ \"supervisor\": \"root\", \"intensity\": 10, \"children\": [\n"
		  "  { \"actor\": \"s1\", \"exec\": [\"@F@\", \"sink\"] },\n"
		  "  { \"actor\": \"s2\", \"exec\": [\"@F@\", \"sink\"] },\n"
		  "  { \"actor\": \"c1\", \"exec\": [\"@F@\", \"stamp\", \"64\"], \"bindings\": { \"S\": \"s1\" } },\n"
		  "  { \"actor\": \"c2\", \"exec\": [\"@F@\", \"stamp\", \"64\"], \"bindings\": { \"S\": \"s2\" } } ] }\n");
	start_with_plan("{ \"faults\": [ { \"edge\": \"S\", \"drop\": 0 },\n"
			"  { \"kill\": [\"c1\", \"c2\"], \"pick\": \"all\", \"at\": [1000] } ] }\n", "5");
	h_expect(&h, "fault", NULL, &e);	/* the plan's */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "edge", "S", "--drop", "0.5", "--for",
							  "60000", "--runtime-dir", h.rundir, NULL }), 0);
	/* until each of the 256 messages was delivered or dropped */
	for (int waited = 0, drops = 0;
	     h_count_lines(&h, "out", "s1: ") + h_count_lines(&h, "out", "s2: ") + drops < 256;) {
		unsigned long long n;
		const char *p;
		int edge;

		ck_assert_msg(waited < H_TIMEOUT_MS, "%d drops, the rest not delivered", drops);
		if (!h_next(&h, &e, 100)) {
			waited += 100;
			continue;
		}
		edge = strstr(e.line, "\"target\": \"c1 -> s1\"") ? 0 : strstr(e.line, "\"target\": \"c2 -> s2\"") ? 1 : -1;
		if (strcmp(e.event, "fault") != 0 || !strstr(e.line, "\"kind\": \"drop\"") || edge < 0)
			continue;
		ck_assert((p = strstr(e.line, "\"n\": ")) && sscanf(p, "\"n\": %llu", &n) == 1);
		ck_assert_msg(n >= 1 && n <= 128, "message %llu dropped: there were 128", n);
		if (n > 64)
			dropped[edge] |= (uint64_t)1 << (n - 65);
		drops++;
	}
	h_stop(&h);
	ck_assert_msg(dropped[0] && dropped[1], "no drops: %#" PRIx64 " %#" PRIx64, dropped[0], dropped[1]);
	ck_assert_msg(dropped[0] != dropped[1], "the same messages dropped on both edges: %#" PRIx64, dropped[0]);
}
END_TEST

/* A run-time kill of a pool whose first instance is down: that one is
 * skipped, "not running"; the next was killed, and its event said it
 * was skipped too (the instances share the event). */
START_TEST(a_run_time_kill_skips_only_the_instance_that_is_down)
{
	struct h_event e;

	h_write(&h, "root.jsonc",
		"{ \"supervisor\": \"root\", \"children\": [\n"
		"  { \"actor\": \"w\", \"exec\": [\"@TA@\"], \"instances\": 2 } ] }\n");
	start_with_plan("{ \"faults\": [] }\n", NULL);
	h_expect(&h, "fault", NULL, &e);	/* the plan's */
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "stop", "w#1", "--runtime-dir", h.rundir, NULL }), 0);
	h_expect(&h, "exit", "w#1", NULL);
	ck_assert_int_eq(h_run(&h, (const char *const[]){ "fault", "kill", "w", "--runtime-dir", h.rundir, NULL }), 0);
	h_expect(&h, "fault", NULL, &e);
	ck_assert_msg(strstr(e.line, "\"target\": \"w#1\"") && strstr(e.line, "\"skipped\": \"not running\""),
		      "%s", e.line);
	h_expect(&h, "fault", NULL, &e);
	ck_assert_msg(strstr(e.line, "\"target\": \"w#2\"") && !strstr(e.line, "skipped"), "%s", e.line);
	h_expect(&h, "exit", "w#2", NULL);
	h_stop(&h);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("faults_run");
	TCase *tc = tcase_create("process");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_fixed_seed_gives_the_same_fault_events);
	tcase_add_test(tc, the_seed_is_recorded_in_the_plan_event);
	tcase_add_test(tc, a_stall_longer_than_the_watchdog_ends_in_a_watchdog_kill);
	tcase_add_test(tc, a_run_time_kill_skips_only_the_instance_that_is_down);
	tcase_add_test(tc, no_kill_or_stall_fires_once_the_daemon_stops);
	suite_add_tcase(s, tc);
	tc = tcase_create("syscall");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, a_certain_write_fault_fails_every_write_and_no_read);
	tcase_add_test(tc, reads_still_work_and_probability_zero_fails_nothing);
	tcase_add_test(tc, after_n_fails_from_call_n_plus_one);
	tcase_add_test(tc, a_call_made_in_a_loop_is_not_an_event_each_time);
	suite_add_tcase(s, tc);
	tc = tcase_create("edge");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, an_edge_that_drops_everything_delivers_nothing);
	tcase_add_test(tc, a_client_sending_in_a_loop_does_not_get_an_event_each_drop);
	tcase_add_test(tc, a_delayed_edge_delivers_everything_in_order_and_late);
	tcase_add_test(tc, a_duplicating_edge_delivers_each_message_twice_in_order);
	tcase_add_test(tc, a_relayed_edge_passes_memfd_bodies);
	tcase_add_test(tc, a_relay_holds_few_of_the_fds_a_client_passes);
	tcase_add_test(tc, a_relay_holds_few_of_the_bytes_a_client_sends);
	tcase_add_test(tc, a_datagram_forged_as_the_notice_is_still_dropped);
	tcase_add_test(tc, the_peer_restarted_notice_passes_a_relay_that_drops_all);
	tcase_add_test(tc, a_run_time_edge_fault_is_an_event);
	tcase_add_test(tc, a_run_time_fault_is_refused_once_the_daemon_stops);
	tcase_add_test(tc, a_run_time_edge_fault_draws_each_edge_apart);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
