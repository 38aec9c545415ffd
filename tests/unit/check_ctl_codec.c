/* The control protocol's codec (src/control) and the daemon's output ring
 * (src/daemon/logring): pure parts of the operator's interface. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/control/protocol.h"
#include "src/control/status.h"
#include "src/control/stream.h"
#include "src/daemon/logring.h"
#include "tests/common/runner.h"

static int decode(const char *line, struct ctl_request *r, char *err)
{
	return ctl_request_decode(line, strlen(line), r, err, 256);
}

START_TEST(a_request_round_trips)
{
	struct ctl_request in = { .verb = CTL_KILL, .name = "payment#2", .sig = SIGHUP }, out;
	char err[256], *line = ctl_request_encode(&in);

	ck_assert_ptr_nonnull(line);
	ck_assert_ptr_nonnull(strchr(line, '\n'));
	ck_assert_int_eq(decode(line, &out, err), 0);
	ck_assert_int_eq(out.verb, CTL_KILL);
	ck_assert_str_eq(out.name, "payment#2");
	ck_assert_int_eq(out.sig, SIGHUP);
	free(line);
	ck_assert_int_eq(decode("{\"verb\": \"kill\", \"name\": \"x\", \"signal\": \"SIGUSR1\"}", &out, err), 0);
	ck_assert_int_eq(out.sig, SIGUSR1);
	ck_assert_int_eq(decode("{\"verb\": \"logs\", \"name\": \"x\", \"lines\": 5, \"follow\": true}", &out, err), 0);
	ck_assert_uint_eq(out.lines, 5);
	ck_assert(out.follow);
	in = (struct ctl_request){ .verb = CTL_FAULT, .name = "a -> b", .fault = "edge", .ms = 700, .drop = 0.25 };
	line = ctl_request_encode(&in);
	ck_assert_int_eq(decode(line, &out, err), 0);
	ck_assert_str_eq(out.fault, "edge");
	ck_assert_str_eq(out.name, "a -> b");
	ck_assert_int_eq(out.ms, 700);
	ck_assert_double_eq(out.drop, 0.25);
	free(line);
}
END_TEST

START_TEST(bad_requests_are_refused_with_a_reason)
{
	static const char *const bad[][2] = {
		{ "not json", "one JSON object" },
		{ "[1]", "one JSON object" },
		{ "{\"name\": \"x\"}", "\"verb\"" },
		{ "{\"verb\": \"reboot\"}", "unknown verb" },
		{ "{\"verb\": \"stop\"}", "needs a \"name\"" },
		{ "{\"verb\": \"kill\", \"name\": \"x\", \"signal\": \"SIGNOPE\"}", "\"signal\"" },
		{ "{\"verb\": \"kill\", \"name\": \"x\", \"signal\": 0}", "\"signal\"" },
		{ "{\"verb\": \"events\", \"follow\": 1}", "\"follow\"" },
		{ "{\"verb\": \"logs\", \"name\": \"x\", \"lines\": -1}", "\"lines\"" },
		{ "{\"verb\": \"status\", \"name\": 7}", "\"name\"" },
		/* no node has it: it stood for no name (status of the whole
		 * tree, every event), or for none given ("needs a name") */
		{ "{\"verb\": \"status\", \"name\": \"\"}", "\"name\": expected a non-empty string" },
		{ "{\"verb\": \"events\", \"name\": \"\"}", "\"name\": expected a non-empty string" },
		{ "{\"verb\": \"stop\", \"name\": \"\"}", "\"name\": expected a non-empty string" },
		{ "{\"verb\": \"stop\", \"verb\": \"start\", \"name\": \"x\"}", "one JSON object" },
		{ "{\"verb\": \"fault\", \"name\": \"x\"}", "\"fault\"" },
		{ "{\"verb\": \"fault\", \"name\": \"x\", \"fault\": \"boom\"}", "\"fault\"" },
		{ "{\"verb\": \"fault\", \"name\": \"x\", \"fault\": \"edge\", \"drop\": 1.5}", "\"drop\"" },
		/* the range a stall or an edge takes (it said "0 or more") */
		{ "{\"verb\": \"fault\", \"name\": \"x\", \"fault\": \"stall\", \"ms\": -1}",
		  "\"ms\": expected a whole number of milliseconds, from 1 to a day (86400000)" },
		{ "{\"verb\": \"fault\", \"name\": \"x\", \"fault\": \"stall\", \"ms\": 1.5}",
		  "\"ms\": expected a whole number of milliseconds, from 1 to a day (86400000)" },
	};
	struct ctl_request r;
	char err[256];

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		err[0] = 0;
		ck_assert_msg(decode(bad[i][0], &r, err) < 0, "accepted %s", bad[i][0]);
		ck_assert_msg(strstr(err, bad[i][1]), "%s: %s", bad[i][0], err);
	}
}
END_TEST

/* README: a field the verb does not use is ignored, whatever it holds. */
START_TEST(fields_another_verb_reads_are_ignored)
{
	static const char *const good[] = {
		"{\"verb\": \"kill\", \"name\": \"plain\", \"signal\": \"SIGCONT\", \"follow\": \"x\"}",
		("{\"verb\": \"status\", \"signal\": \"BOGUS\", \"ms\": \"x\", \"drop\": \"x\", \"fault\": 7, "
		 "\"lines\": -1, \"follow\": 3}"),
		"{\"verb\": \"stop\", \"name\": \"x\", \"lines\": -1}",
		"{\"verb\": \"events\", \"signal\": \"BOGUS\", \"lines\": \"x\"}",
		"{\"verb\": \"logs\", \"name\": \"x\", \"signal\": 0, \"fault\": \"boom\"}",
		"{\"verb\": \"fault\", \"name\": \"x\", \"fault\": \"kill\", \"follow\": 1, \"lines\": -1}",
	};
	struct ctl_request r;
	char err[256];

	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		err[0] = 0;
		ck_assert_msg(decode(good[i], &r, err) == 0, "refused %s: %s", good[i], err);
		/* and what was ignored is not taken either */
		ck_assert_int_eq(r.sig, 0 + (i == 0) * SIGCONT);
		ck_assert(!r.follow);
		ck_assert(!r.has_lines);
	}
	ck_assert_str_eq(r.fault, "kill");
	ck_assert_int_eq(decode(good[1], &r, err), 0);
	ck_assert_str_eq(r.fault, "");
}
END_TEST

START_TEST(signals_by_name_or_number)
{
	ck_assert_int_eq(ctl_signal_parse("SIGTERM"), SIGTERM);
	ck_assert_int_eq(ctl_signal_parse("KILL"), SIGKILL);
	ck_assert_int_eq(ctl_signal_parse("10"), 10);
	ck_assert_int_eq(ctl_signal_parse("SIGFOO"), 0);
	ck_assert_int_eq(ctl_signal_parse("0"), 0);
	/* the names events give the real-time ones are taken back */
	ck_assert_int_eq(ctl_signal_parse("SIGRTMIN"), SIGRTMIN);
	ck_assert_int_eq(ctl_signal_parse("RTMIN+3"), SIGRTMIN + 3);
	ck_assert_int_eq(ctl_signal_parse("SIGRTMAX"), SIGRTMAX);
	ck_assert_int_eq(ctl_signal_parse("SIGRTMAX-2"), SIGRTMAX - 2);
	ck_assert_int_eq(ctl_signal_parse("RTMIN-1"), 0);
	/* signal(7)'s synonyms, as kill(1) takes them: bash's kill -l names
	 * 29 SIGIO, the C library SIGPOLL */
	ck_assert_int_eq(ctl_signal_parse("SIGIO"), SIGIO);
	ck_assert_int_eq(ctl_signal_parse("io"), SIGIO);
	ck_assert_int_eq(ctl_signal_parse("SIGPOLL"), SIGIO);
	ck_assert_int_eq(ctl_signal_parse("IOT"), SIGABRT);
	ck_assert_int_eq(ctl_signal_parse("sigcld"), SIGCHLD);
	ck_assert_int_eq(ctl_signal_parse("SIGIOX"), 0);
	ck_assert_int_eq(ctl_signal_parse("RTMAX+1"), 0);
	ck_assert_int_eq(ctl_signal_parse("RTMIN+99"), 0);
	ck_assert_int_eq(ctl_signal_parse("RTMIN+"), 0);
	ck_assert_int_eq(ctl_signal_parse("RTMIN+1x"), 0);
	ck_assert_int_eq(ctl_signal_parse("9x"), 0);
	/* a number is its digits alone, as every number of the command line */
	ck_assert_int_eq(ctl_signal_parse(" 9"), 0);
	ck_assert_int_eq(ctl_signal_parse("+9"), 0);
	ck_assert_int_eq(ctl_signal_parse("SIG 9"), 0);
	ck_assert_int_eq(ctl_signal_parse("RTMIN+99999999999999999999"), 0);
	/* in any case, as prospero(1) takes them: a client of the socket
	 * is not told to spell them otherwise than the command line */
	ck_assert_int_eq(ctl_signal_parse("term"), SIGTERM);
	ck_assert_int_eq(ctl_signal_parse("sigHup"), SIGHUP);
	ck_assert_int_eq(ctl_signal_parse("rtmin+2"), SIGRTMIN + 2);
	ck_assert_int_eq(ctl_signal_parse("sigfoo"), 0);
	ck_assert_int_eq(ctl_signal_parse("SIGTERMINATE_THIS_NAME_IS_FAR_TOO_LONG_TO_BE_ONE"), 0);
}
END_TEST

START_TEST(answers_say_ok_or_why_not)
{
	char *ok = ctl_answer_ok(), *no = ctl_answer_error(2, "no actor or supervisor named \"x\""), err[128];
	bool yes;

	ck_assert_int_eq(ctl_answer_decode(ok, strlen(ok), &yes, err, sizeof err), 0);
	ck_assert(yes);
	ck_assert_int_eq(ctl_answer_decode(no, strlen(no), &yes, err, sizeof err), 0);
	ck_assert(!yes);
	ck_assert_str_eq(err, "no actor or supervisor named \"x\"");
	ck_assert_ptr_nonnull(strstr(no, "\"code\":\"ENOENT\""));
	ck_assert_int_eq(ctl_answer_decode("{}", 2, &yes, err, sizeof err), -1);
	free(ok);
	free(no);
}
END_TEST

/* ENOTSUP and EOPNOTSUPP are one number on Linux, which glibc names
 * EOPNOTSUPP; the documented code of a fault without --faults is ENOTSUP. */
START_TEST(enotsup_is_named_as_documented)
{
	char *no = ctl_answer_error(ENOTSUP, "the daemon runs without --faults");

	ck_assert_ptr_nonnull(strstr(no, "\"code\":\"ENOTSUP\""));
	free(no);
}
END_TEST

START_TEST(a_status_round_trips_and_leaves_out_what_does_not_apply)
{
	struct ctl_node nodes[2] = {
		{ .name = "root", .supervisor = true, .state = CTL_STATE_READY, .should_run = true,
		  .strategy = "one_for_all", .window_restarts = 2, .intensity = 3, .period_ms = 5000,
		  .uptime_ms = 10, .uid = -1, .memory_bytes = -1, .cpu_ms = -1 },
		{ .name = "payment", .depth = 1, .state = CTL_STATE_BACKING_OFF, .should_run = true,
		  .restarts = 4, .last_exit = "killed by SIGKILL", .uptime_ms = -1,
		  .backoff_until = 1700000000.5, .status = "bad \xff byte", .uid = 61184, .profile = "service",
		  .memory_bytes = -1, .cpu_ms = 12, .period_ms = -1 },
	};
	struct ctl_status in = { .now = 1700000000.25, .actors = 1, .not_running = 1, .nodes = nodes, .n = 2 }, out;
	char *line = ctl_status_encode(&in), err[128];

	ck_assert_ptr_nonnull(line);
	/* the documented order: ok, now, summary, (faults,) nodes, bindings */
	ck_assert_msg(strncmp(line, "{\"ok\":true,\"now\":", 17) == 0, "%s", line);
	ck_assert_ptr_nonnull(strstr(line, "\"summary\":{\"actors\":1,\"running\":0,\"not_running\":1},\"nodes\":["));
	ck_assert_ptr_nonnull(strstr(line, "],\"bindings\":[]}\n"));
	ck_assert_ptr_null(strstr(line, "memory_bytes"));
	ck_assert_ptr_null(strstr(line, "\"pid\""));
	/* queue is said of every actor, false too, and of no supervisor */
	ck_assert_ptr_nonnull(strstr(line, "\"cpu_ms\":12,\"queue\":false}"));
	ck_assert_ptr_null(strstr(line, "\"period_ms\":5000,\"queue\""));
	ck_assert_int_eq(ctl_status_decode(line, strlen(line), &out, err, sizeof err), 0);
	ck_assert_uint_eq(out.n, 2);
	ck_assert_uint_eq(out.not_running, 1);
	ck_assert(out.nodes[0].supervisor);
	ck_assert_str_eq(out.nodes[0].strategy, "one_for_all");
	ck_assert_uint_eq(out.nodes[0].window_restarts, 2);
	ck_assert_int_eq(out.nodes[1].state, CTL_STATE_BACKING_OFF);
	ck_assert_uint_eq(out.nodes[1].depth, 1);
	ck_assert_str_eq(out.nodes[1].last_exit, "killed by SIGKILL");
	ck_assert_str_eq(out.nodes[1].status, "bad ? byte");	/* not UTF-8: marked, not lost */
	ck_assert_int_eq(out.nodes[1].uid, 61184);
	ck_assert_int_eq(out.nodes[1].memory_bytes, -1);
	ck_assert_int_eq(out.nodes[1].cpu_ms, 12);
	ck_assert(out.nodes[1].backoff_until > 1700000000.4);
	ctl_status_free(&out);
	free(line);
	in.faults = (char *)"fault summary";
	line = ctl_status_encode(&in);
	ck_assert_ptr_nonnull(strstr(line, "\"not_running\":1},\"faults\":\"fault summary\",\"nodes\":["));
	free(line);
	ck_assert_int_eq(ctl_status_decode("{\"ok\":true}", 11, &out, err, sizeof err), -1);
	/* one parse tells a refusal from a status: the daemon's reason is kept */
	ck_assert_int_eq(ctl_status_decode("{\"ok\":false,\"error\":\"no actor named x\"}", 39, &out, err,
					   sizeof err), -1);
	ck_assert_str_eq(err, "no actor named x");
	ck_assert_int_eq(ctl_status_decode("[]", 2, &out, err, sizeof err), -1);
	ck_assert_str_eq(err, "no answer from the daemon");
}
END_TEST

static void collect(const char *text, void *arg)
{
	strcat(arg, text);
	strcat(arg, "|");
}

START_TEST(stream_answers_round_trip)
{
	char *head = ctl_events_answer("/var/log/ev", 1234), path[64], got[256] = "";
	static const char mixed[] = "bad\xff \xc3\xa9 \xc2\x85 \xe2\x82 end";
	int64_t off;
	struct ctl_lines *l = ctl_lines_new();

	ck_assert_int_eq(ctl_events_decode(head, strlen(head), path, sizeof path, &off), 0);
	ck_assert_str_eq(path, "/var/log/ev");
	ck_assert_int_eq(off, 1234);
	free(head);
	ck_assert_int_eq(ctl_lines_add(l, "one", 3), 0);
	ck_assert_int_eq(ctl_lines_add(l, "two\"x", 5), 0);
	head = ctl_lines_answer(l);
	ck_assert_int_eq(ctl_lines_decode(head, strlen(head), collect, got), 0);
	free(head);
	head = ctl_line_encode("a#1", "three", 5);
	ck_assert_int_eq(ctl_lines_decode(head, strlen(head), collect, got), 0);
	ck_assert_str_eq(got, "one|two\"x|three|");
	/* a stray byte marks itself alone: the valid characters around it stay */
	got[0] = 0;
	free(head);
	head = ctl_line_encode("a#1", mixed, sizeof mixed - 1);
	ck_assert_int_eq(ctl_lines_decode(head, strlen(head), collect, got), 0);
	ck_assert_str_eq(got, "bad? \xc3\xa9 \xc2\x85 ?? end|");
	ck_assert_int_eq(ctl_event_name(head, strlen(head), path, sizeof path), 0);
	ck_assert_str_eq(path, "a#1");
	free(head);
}
END_TEST

static void cat_line(const char *line, size_t len, void *arg)
{
	strncat(arg, line, len);
	strcat(arg, "|");
}

START_TEST(the_ring_keeps_the_last_whole_lines)
{
	struct logring r = { 0 };
	char got[256];

	/* nothing allocated until a line comes */
	got[0] = 0;
	logring_tail(&r, 0, cat_line, got);
	ck_assert_str_eq(got, "");
	ck_assert_ptr_null(r.buf);
	for (int i = 0; i < 10; i++) {
		char line[8];
		snprintf(line, sizeof line, "line%d", i);
		ck_assert_int_eq(logring_add(&r, 32, line, strlen(line), "", 0), 0);
	}
	/* 32 bytes hold five 6-byte lines; when full, half is freed at once,
	 * so four are kept here */
	got[0] = 0;
	logring_tail(&r, 0, cat_line, got);
	ck_assert_str_eq(got, "line6|line7|line8|line9|");
	got[0] = 0;
	logring_tail(&r, 2, cat_line, got);
	ck_assert_str_eq(got, "line8|line9|");
	/* a line longer than the ring keeps its end, marked as cut */
	ck_assert_int_eq(logring_add(&r, 32, "0123456789abcdefghij", 20, "ABCDEFGHIJKLMNOP", 16), 0);
	got[0] = 0;
	logring_tail(&r, 0, cat_line, got);
	ck_assert_str_eq(got, "[...]abcdefghijABCDEFGHIJKLMNOP|");
	logring_free(&r);
}
END_TEST

/* The end kept of a line longer than the ring begins at a whole
 * character and a whole escape: `logs` showed "?" for the half of an
 * "é" it began with, and "x01" for the half of an escape. */
START_TEST(a_cut_line_keeps_whole_characters_and_escapes)
{
	struct logring r = { 0 };
	char line[64] = "", got[128] = "", want[64] = "[...]";

	/* 41 bytes into 26 after the mark: byte 15 is the second of an é */
	for (int i = 0; i < 20; i++)
		strcat(line, "\xc3\xa9");
	strcat(line, "x");
	ck_assert_int_eq(logring_add(&r, 32, line, strlen(line), "", 0), 0);
	for (int i = 0; i < 12; i++)
		strcat(want, "\xc3\xa9");
	strcat(want, "x|");
	logring_tail(&r, 0, cat_line, got);
	ck_assert_str_eq(got, want);
	logring_free(&r);

	/* nine 4-byte escapes into 26: byte 10 is inside the third */
	line[0] = got[0] = 0;
	for (int i = 0; i < 9; i++)
		strcat(line, "\\x01");
	ck_assert_int_eq(logring_add(&r, 32, line, strlen(line), "", 0), 0);
	logring_tail(&r, 0, cat_line, got);
	ck_assert_str_eq(got, "[...]\\x01\\x01\\x01\\x01\\x01\\x01|");
	/* "\\r" likewise, split across the two parts of a line */
	got[0] = 0;
	ck_assert_int_eq(logring_add(&r, 32, "0123456789\\", 11, "r0123456789012345678901234", 26), 0);
	logring_tail(&r, 1, cat_line, got);
	ck_assert_str_eq(got, "[...]0123456789012345678901234|");
	logring_free(&r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ctl_codec");
	TCase *tc = tcase_create("codec");

	tcase_add_test(tc, a_request_round_trips);
	tcase_add_test(tc, bad_requests_are_refused_with_a_reason);
	tcase_add_test(tc, fields_another_verb_reads_are_ignored);
	tcase_add_test(tc, signals_by_name_or_number);
	tcase_add_test(tc, answers_say_ok_or_why_not);
	tcase_add_test(tc, enotsup_is_named_as_documented);
	tcase_add_test(tc, a_status_round_trips_and_leaves_out_what_does_not_apply);
	tcase_add_test(tc, stream_answers_round_trip);
	tcase_add_test(tc, the_ring_keeps_the_last_whole_lines);
	tcase_add_test(tc, a_cut_line_keeps_whole_characters_and_escapes);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
