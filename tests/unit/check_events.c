#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/daemon/events.h"
#include "tests/common/runner.h"

START_TEST(escaping_keeps_json_valid)
{
	char out[64];

	json_escape(out, sizeof out, "a\"b\\c\nd\x01");
	ck_assert_str_eq(out, "a\\\"b\\\\c\\u000ad\\u0001");
	json_escape(out, 8, "0123456789");	/* truncated, still terminated */
	ck_assert_uint_lt(strlen(out), 8);
}
END_TEST

/* EV open on a new file whose name goes into PATH (a mkstemp template). */
static void open_temp(struct events *ev, char *path)
{
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(events_open(ev, path), 0);
}

START_TEST(an_event_is_one_json_line_with_the_fields_that_apply)
{
	char path[] = "/tmp/events-test.XXXXXX", line[1024];
	struct events ev;
	json_error_t err;
	json_t *o;
	FILE *f;

	open_temp(&ev, path);
	events_emit(&ev, &(struct event){ .event = "exit", .name = "pay\"ment",
		.supervisor = "shop", .pid = 77, .status = -1, .signal = 9, .reason = "killed" });
	events_emit(&ev, &(struct event){ .event = "ready", .name = "shop", .status = -1 });
	events_close(&ev);
	f = fopen(path, "r");
	ck_assert(fgets(line, sizeof line, f) != NULL);
	o = json_loads(line, 0, &err);
	ck_assert_msg(o != NULL, "%s", err.text);
	ck_assert(json_is_real(json_object_get(o, "ts")));
	ck_assert_str_eq(json_string_value(json_object_get(o, "event")), "exit");
	ck_assert_str_eq(json_string_value(json_object_get(o, "name")), "pay\"ment");
	ck_assert_str_eq(json_string_value(json_object_get(o, "supervisor")), "shop");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "pid")), 77);
	ck_assert_str_eq(json_string_value(json_object_get(o, "signal")), "SIGKILL");
	ck_assert_ptr_null(json_object_get(o, "status"));
	json_decref(o);
	ck_assert(fgets(line, sizeof line, f) != NULL);
	o = json_loads(line, 0, &err);
	ck_assert(json_is_null(json_object_get(o, "supervisor")));
	ck_assert_ptr_null(json_object_get(o, "pid"));
	json_decref(o);
	ck_assert(fgets(line, sizeof line, f) == NULL);
	fclose(f);
	unlink(path);
}
END_TEST

/* The README lists "suppressed" among a violation's fields: there with 0
 * when no report was held back, as a status event's "not_shown" is. */
START_TEST(a_violation_always_says_how_many_were_suppressed)
{
	char path[] = "/tmp/events-test.XXXXXX", line[1024];
	struct events ev;
	json_t *o;
	FILE *f;

	open_temp(&ev, path);
	events_emit(&ev, &(struct event){ .event = "violation", .name = "payment", .pid = 77, .status = -1,
		.reason = "sandbox violation: ptrace(PTRACE_ATTACH, 1)", .syscall = "ptrace",
		.args = "PTRACE_ATTACH, 1", .verdict = "kill" });
	events_emit(&ev, &(struct event){ .event = "violation", .name = "payment", .pid = 77, .status = -1,
		.reason = "sandbox violation: ptrace(PTRACE_ATTACH, 1)", .syscall = "ptrace",
		.args = "PTRACE_ATTACH, 1", .verdict = "errno", .suppressed = 4 });
	events_close(&ev);
	f = fopen(path, "r");
	for (int i = 0; i < 2; i++) {
		ck_assert(fgets(line, sizeof line, f) != NULL);
		o = json_loads(line, 0, NULL);
		ck_assert_ptr_nonnull(o);
		ck_assert_msg(json_is_integer(json_object_get(o, "suppressed")), "%s", line);
		ck_assert_int_eq(json_integer_value(json_object_get(o, "suppressed")), i ? 4 : 0);
		ck_assert_str_eq(json_string_value(json_object_get(o, "action")), i ? "errno" : "kill");
		json_decref(o);
	}
	fclose(f);
	unlink(path);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("events");
	TCase *tc = tcase_create("events");

	tcase_add_test(tc, escaping_keeps_json_valid);
	tcase_add_test(tc, an_event_is_one_json_line_with_the_fields_that_apply);
	tcase_add_test(tc, a_violation_always_says_how_many_were_suppressed);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
