/* Fault events: each builder's record and its exact JSON and readable
 * forms; the errno and signal names they use. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "src/faults/event.h"
#include "src/faults/names.h"
#include "tests/common/runner.h"

#define OPEN { 0, INT64_MAX }

static struct fault_instance targets[] = {
	{ .name = "payment", .actor = 3, .order = 4, .index = 1 },
	{ .name = "pool#2", .actor = 5, .order = 6, .index = 2 },
};

static struct fault_edge_ref edges[] = {
	{ .client = 1, .client_order = 2, .client_instances = 1, .binding = 0,
	  .client_name = "order-processor", .service_name = "payment", .binding_name = "PAYMENT" },
	{ .client = 5, .client_order = 6, .client_instances = 4, .binding = 1,
	  .client_name = "pool", .service_name = "payment", .binding_name = "PAY" },
};

static struct fault faults[] = {
	{ .kind = FAULT_KILL, .window = OPEN, .targets = targets, .ntargets = 2,
	  .u.proc = { .signal = SIGTERM, .every_ms = 1000 } },
	{ .kind = FAULT_STALL, .window = OPEN, .targets = targets, .ntargets = 2,
	  .u.proc = { .signal = SIGSTOP, .stall_ms = 2500, .every_ms = 5000 } },
	{ .kind = FAULT_EDGE, .window = OPEN, .u.edge = { .edges = edges, .nedges = 2, .drop = 0.5 } },
	{ .kind = FAULT_SYSCALL, .window = OPEN, .targets = targets, .ntargets = 2,
	  .u.sys = { .name = "write", .err = EIO, .probability = 1 } },
};

static const struct fault_plan plan = { .faults = faults, .n = 4 };

static void expect(struct fault_event *ev, uint64_t seq, const char *json, const char *text)
{
	char buf[512];

	ev->seq = seq;
	ck_assert_int_eq(fault_event_json(ev, buf, sizeof buf), (int)strlen(json));
	ck_assert_str_eq(buf, json);
	ck_assert_int_eq(fault_event_text(ev, buf, sizeof buf), (int)strlen(text));
	ck_assert_str_eq(buf, text);
}

START_TEST(the_plan_event_carries_the_seed)
{
	struct fault_event ev;

	fault_event_plan(&ev, &plan, 42);
	expect(&ev, 0, "\"seq\": 0, \"kind\": \"plan\", \"seed\": 42, \"faults\": 4",
	       "fault 0: plan of 4 faults, seed 42 (replay with --seed 42)");
	/* one is "1 fault": it said "1 faults" */
	static const struct fault_plan one = { .faults = faults, .n = 1 };
	fault_event_plan(&ev, &one, 7);
	expect(&ev, 0, "\"seq\": 0, \"kind\": \"plan\", \"seed\": 7, \"faults\": 1",
	       "fault 0: plan of 1 fault, seed 7 (replay with --seed 7)");
}
END_TEST

START_TEST(kills_and_stalls_name_the_instance_and_the_firing)
{
	struct fault_event ev;

	fault_event_process(&ev, &plan, 0, 3, 1, 3012);
	expect(&ev, 7,
	       "\"seq\": 7, \"kind\": \"kill\", \"fault\": 0, \"n\": 3, \"target\": \"pool#2\", \"at\": 3012, \"signal\": \"SIGTERM\"",
	       "fault 7: kill pool#2 with SIGTERM (fault 0, firing 3)");
	fault_event_process(&ev, &plan, 1, 1, 0, 5000);
	expect(&ev, 8,
	       "\"seq\": 8, \"kind\": \"stall\", \"fault\": 1, \"n\": 1, \"target\": \"payment\", \"at\": 5000, \"signal\": \"SIGSTOP\", \"ms\": 2500",
	       "fault 8: stall payment for 2500 ms (fault 1, firing 1)");
	ev.skipped = "not running";
	expect(&ev, 8,
	       "\"seq\": 8, \"kind\": \"stall\", \"fault\": 1, \"n\": 1, \"target\": \"payment\", \"at\": 5000, \"signal\": \"SIGSTOP\", \"ms\": 2500, \"skipped\": \"not running\"",
	       "fault 8: stall payment for 2500 ms (fault 1, firing 1): skipped, not running");
}
END_TEST

START_TEST(messages_are_reported_when_dropped_or_duplicated_only)
{
	struct fault_event ev;
	struct fault_msg pass = { .delay_ms = 30 }, drop = { .drop = true },
			 cut = { .drop = true, .partitioned = true }, dup = { .duplicate = true, .delay_ms = 5 };

	ck_assert(!fault_event_message(&ev, &plan, 2, 0, 1, FAULT_DIR_TO_SERVICE, 1, &pass, 10));
	ck_assert(fault_event_message(&ev, &plan, 2, 0, 1, FAULT_DIR_TO_SERVICE, 2, &drop, 11));
	expect(&ev, 9,
	       "\"seq\": 9, \"kind\": \"drop\", \"fault\": 2, \"n\": 2, \"target\": \"order-processor -> payment\", \"at\": 11, \"binding\": \"PAYMENT\", \"direction\": \"to_service\", \"partition\": false",
	       "fault 9: drop a message to the service on order-processor -> payment (PAYMENT) (fault 2, message 2)");
	ck_assert(fault_event_message(&ev, &plan, 2, 1, 3, FAULT_DIR_TO_CLIENT, 5, &cut, 12));
	expect(&ev, 10,
	       "\"seq\": 10, \"kind\": \"drop\", \"fault\": 2, \"n\": 5, \"target\": \"pool#3 -> payment\", \"at\": 12, \"binding\": \"PAY\", \"direction\": \"to_client\", \"partition\": true",
	       "fault 10: drop a message to the client on pool#3 -> payment (PAY) in a partition (fault 2, message 5)");
	ck_assert(fault_event_message(&ev, &plan, 2, 0, 1, FAULT_DIR_TO_CLIENT, 6, &dup, 13));
	expect(&ev, 11,
	       "\"seq\": 11, \"kind\": \"duplicate\", \"fault\": 2, \"n\": 6, \"target\": \"order-processor -> payment\", \"at\": 13, \"binding\": \"PAYMENT\", \"direction\": \"to_client\"",
	       "fault 11: duplicate a message to the client on order-processor -> payment (PAYMENT) (fault 2, message 6)");
}
END_TEST

START_TEST(a_failed_call_names_the_call_the_errno_and_the_incarnation)
{
	struct fault_call_counter c = { .fault = 3, .target = 0, .calls = 17 };
	struct fault_event ev;

	fault_event_syscall(&ev, &plan, &c, 2, 900);
	expect(&ev, 12,
	       "\"seq\": 12, \"kind\": \"syscall\", \"fault\": 3, \"n\": 17, \"target\": \"payment\", \"at\": 900, \"syscall\": \"write\", \"errno\": \"EIO\", \"incarnation\": 2",
	       "fault 12: write fails EIO in payment (fault 3, call 17)");
}
END_TEST

/* Past the rate limit, an event carries the count of those left out. */
START_TEST(an_event_says_how_many_were_left_out_before_it)
{
	struct fault_call_counter c = { .fault = 3, .target = 0, .calls = 170 };
	struct fault_msg drop = { .drop = true };
	struct fault_event ev;

	fault_event_syscall(&ev, &plan, &c, 2, 900);
	ev.suppressed = 41;
	expect(&ev, 12,
	       "\"seq\": 12, \"kind\": \"syscall\", \"fault\": 3, \"n\": 170, \"target\": \"payment\", \"at\": 900, \"syscall\": \"write\", \"errno\": \"EIO\", \"incarnation\": 2, \"suppressed\": 41",
	       "fault 12: write fails EIO in payment (fault 3, call 170) (41 more not shown)");
	ck_assert(fault_event_message(&ev, &plan, 2, 0, 1, FAULT_DIR_TO_SERVICE, 200, &drop, 11));
	ev.suppressed = 7;
	expect(&ev, 13,
	       "\"seq\": 13, \"kind\": \"drop\", \"fault\": 2, \"n\": 200, \"target\": \"order-processor -> payment\", \"at\": 11, \"binding\": \"PAYMENT\", \"direction\": \"to_service\", \"partition\": false, \"suppressed\": 7",
	       "fault 13: drop a message to the service on order-processor -> payment (PAYMENT) (fault 2, message 200) (7 more not shown)");
}
END_TEST

/* A run-time edge fault's start: one event per edge copy. */
START_TEST(a_run_time_edge_fault_names_the_copy_the_share_and_how_long)
{
	struct fault_event ev;

	fault_event_edge(&ev, 4, "pool#2 -> payment", "PAY", 0.25, 3000, 1200);
	expect(&ev, 9,
	       "\"seq\": 9, \"kind\": \"edge\", \"fault\": 4, \"n\": 1, \"target\": \"pool#2 -> payment\", \"at\": 1200, \"binding\": \"PAY\", \"drop\": 0.25, \"ms\": 3000",
	       "fault 9: drop each message on pool#2 -> payment (PAY) with probability 0.25 for 3000 ms (fault 4, firing 1)");
	/* the share asked for, every digit of it, and no more digits */
	fault_event_edge(&ev, 4, "a -> b", "B", 0.123456789, 10, 20);
	expect(&ev, 10,
	       "\"seq\": 10, \"kind\": \"edge\", \"fault\": 4, \"n\": 1, \"target\": \"a -> b\", \"at\": 20, \"binding\": \"B\", \"drop\": 0.123456789, \"ms\": 10",
	       "fault 10: drop each message on a -> b (B) with probability 0.123456789 for 10 ms (fault 4, firing 1)");
	fault_event_edge(&ev, 4, "a -> b", "B", 0.1, 10, 20);
	expect(&ev, 11,
	       "\"seq\": 11, \"kind\": \"edge\", \"fault\": 4, \"n\": 1, \"target\": \"a -> b\", \"at\": 20, \"binding\": \"B\", \"drop\": 0.1, \"ms\": 10",
	       "fault 11: drop each message on a -> b (B) with probability 0.1 for 10 ms (fault 4, firing 1)");
}
END_TEST

START_TEST(output_is_cut_to_the_buffer_and_says_what_it_wanted)
{
	struct fault_event ev;
	char buf[16], big[512];
	int want;

	fault_event_process(&ev, &plan, 0, 3, 1, 3012);
	want = fault_event_json(&ev, big, sizeof big);
	ck_assert_int_eq(fault_event_json(&ev, buf, sizeof buf), want);
	ck_assert_uint_eq(strlen(buf), sizeof buf - 1);
	ck_assert(strncmp(buf, big, sizeof buf - 1) == 0);
	ck_assert_int_eq(fault_event_text(&ev, NULL, 0), (int)strlen("fault 0: kill pool#2 with SIGTERM (fault 0, firing 3)"));
}
END_TEST

START_TEST(errno_names_parse_print_and_list)
{
	const char *names[FAULT_ERRNO_LIMIT];
	size_t n = fault_errno_names(names);
	bool eio = false;

	ck_assert_int_eq(fault_errno_parse("EIO"), EIO);
	ck_assert_int_eq(fault_errno_parse("ENOSPC"), ENOSPC);
	ck_assert_int_eq(fault_errno_parse("EWOULDBLOCK"), EAGAIN);
	ck_assert_int_eq(fault_errno_parse("ENOTSUP"), EOPNOTSUPP);
	ck_assert_int_eq(fault_errno_parse("eio"), -1);
	ck_assert_int_eq(fault_errno_parse("EIOO"), -1);
	ck_assert_int_eq(fault_errno_parse(""), -1);
	ck_assert_str_eq(fault_errno_name(EIO), "EIO");
	ck_assert_str_eq(fault_errno_name(0), "E?");
	ck_assert_str_eq(fault_errno_name(FAULT_ERRNO_LIMIT), "E?");
	ck_assert_uint_gt(n, 100);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_gt(fault_errno_parse(names[i]), 0);
		eio |= strcmp(names[i], "EIO") == 0;
	}
	ck_assert(eio);
}
END_TEST

START_TEST(signal_names_parse_print_and_exclude_job_control)
{
	const char *const *names = fault_signal_names();

	ck_assert_int_eq(fault_signal_parse("SIGKILL"), SIGKILL);
	ck_assert_int_eq(fault_signal_parse("SIGTERM"), SIGTERM);
	ck_assert_int_eq(fault_signal_parse("SIGABRT"), SIGABRT);
	ck_assert_int_eq(fault_signal_parse("SIGSEGV"), SIGSEGV);
	ck_assert_int_eq(fault_signal_parse("SIGSTOP"), -1);
	ck_assert_int_eq(fault_signal_parse("SIGCHLD"), -1);
	ck_assert_int_eq(fault_signal_parse("KILL"), -1);
	ck_assert_str_eq(fault_signal_name(SIGUSR2), "SIGUSR2");
	ck_assert_str_eq(fault_signal_name(SIGSTOP), "SIGSTOP");
	ck_assert_str_eq(fault_signal_name(SIGCHLD), "SIG?");
	for (size_t i = 0; names[i]; i++)
		ck_assert_str_eq(fault_signal_name(fault_signal_parse(names[i])), names[i]);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("faults_event");
	TCase *tc = tcase_create("event");

	tcase_add_test(tc, the_plan_event_carries_the_seed);
	tcase_add_test(tc, kills_and_stalls_name_the_instance_and_the_firing);
	tcase_add_test(tc, messages_are_reported_when_dropped_or_duplicated_only);
	tcase_add_test(tc, a_failed_call_names_the_call_the_errno_and_the_incarnation);
	tcase_add_test(tc, an_event_says_how_many_were_left_out_before_it);
	tcase_add_test(tc, a_run_time_edge_fault_names_the_copy_the_share_and_how_long);
	tcase_add_test(tc, output_is_cut_to_the_buffer_and_says_what_it_wanted);
	tcase_add_test(tc, errno_names_parse_print_and_list);
	tcase_add_test(tc, signal_names_parse_print_and_exclude_job_control);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
