#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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

/* The README gives a reload event's "reason" as the same as its lists,
 * readable: a reload that adds a hundred actors names each in both. The
 * reason went through a 1 KiB buffer and was cut there, mid-name. */
START_TEST(a_long_reload_reason_is_written_whole)
{
	char path[] = "/tmp/events-test.XXXXXX", reason[4096] = "added ", extra[8192] = "\"added\": [";
	char *line = NULL;
	const char *got;
	size_t cap = 0;
	struct events ev;
	json_t *o;
	FILE *f;

	for (int i = 0; i < 100; i++) {
		char name[64];

		snprintf(name, sizeof name, "an-actor-with-a-rather-long-name-%03d", i);
		strcat(reason, i ? ", " : "");
		strcat(reason, name);
		strcat(extra, i ? ", \"" : "\"");
		strcat(extra, name);
		strcat(extra, "\"");
	}
	strcat(reason, "; removed nothing; restarted nothing; changed nothing");
	strcat(extra, "], \"removed\": [], \"restarted\": [], \"changed\": []");
	ck_assert_uint_gt(strlen(reason), 3000);
	open_temp(&ev, path);
	events_emit(&ev, &(struct event){ .event = "reload", .name = "root", .status = -1,
		.reason = reason, .extra = extra });
	events_close(&ev);
	f = fopen(path, "r");
	ck_assert(getline(&line, &cap, f) > 0);
	o = json_loads(line, 0, NULL);
	ck_assert_msg(o != NULL, "not JSON: %.100s", line);
	got = json_string_value(json_object_get(o, "reason"));
	ck_assert_ptr_nonnull(got);
	/* a short message: Check cannot carry one of 3 KiB */
	ck_assert_msg(strcmp(got, reason) == 0, "reason: %zu of its %zu bytes", strlen(got), strlen(reason));
	ck_assert_uint_eq(json_array_size(json_object_get(o, "added")), 100);
	json_decref(o);
	free(line);
	fclose(f);
	unlink(path);
}
END_TEST

/* The whole of file PATH, in BUF. */
static size_t slurp(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, cap - 1, f);
	buf[n] = 0;
	fclose(f);
	return n;
}

/* Stderr to a pipe (which no file size limit cuts), whose read end goes
 * in *RD; the old stderr in *SAVED. */
static void capture_stderr(int *rd, int *saved)
{
	int p[2];

	ck_assert_int_eq(pipe2(p, O_CLOEXEC | O_NONBLOCK), 0);
	ck_assert_int_ge(*saved = dup(2), 0);
	ck_assert_int_eq(dup2(p[1], 2), 2);
	close(p[1]);
	*rd = p[0];
}

/* Stderr back, and what was written to it in BUF. */
static void captured(int rd, int saved, char *buf, size_t cap)
{
	ssize_t n;

	dup2(saved, 2);
	close(saved);
	n = read(rd, buf, cap - 1);
	buf[n > 0 ? n : 0] = 0;
	close(rd);
}

static int count(const char *text, const char *what)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, what)); p++)
		n++;
	return n;
}

static void emit_ready(struct events *ev)
{
	events_emit(ev, &(struct event){ .event = "ready", .name = "shop", .status = -1 });
}

/* A file that takes part of a line (a full disk; here the file size
 * limit, which truncates a write the same way) keeps only whole lines:
 * the part is cut off again, the loss said once, and the next line that
 * fits starts on a line of its own. The old daemon left the part, said
 * nothing, and glued the next line to it. */
START_TEST(a_line_the_file_takes_only_part_of_is_cut_off_and_said_once)
{
	char path[] = "/tmp/events-test.XXXXXX", buf[8192];
	struct rlimit lim, small;
	struct events ev;
	size_t n, before;
	int rd, saved;

	signal(SIGXFSZ, SIG_IGN);
	capture_stderr(&rd, &saved);
	open_temp(&ev, path);
	emit_ready(&ev);
	before = slurp(path, buf, sizeof buf);
	ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &lim), 0);
	small = (struct rlimit){ (rlim_t)before + 20, lim.rlim_max };
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
	for (int i = 0; i < 3; i++)
		emit_ready(&ev);
	n = slurp(path, buf, sizeof buf);
	/* before any assertion: Check's own records are files too */
	ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	ck_assert_uint_eq(n, before);
	emit_ready(&ev);
	events_close(&ev);
	n = slurp(path, buf, sizeof buf);
	ck_assert_uint_eq(n, 2 * before);
	ck_assert_int_eq(count(buf, "\n"), 2);
	ck_assert_int_eq(count(buf, "{\"ts\": "), 2);
	captured(rd, saved, buf, sizeof buf);
	ck_assert_int_eq(count(buf, ": File too large: events are not written to it until it has room"), 1);
	ck_assert_int_eq(count(buf, "writing again (3 events were not written to it)"), 1);
	unlink(path);
}
END_TEST

/* A daemon killed in the middle of a line (or a disk that filled) left
 * it without its newline: the next daemon cuts it off before it writes,
 * rather than glue its first event to it. */
START_TEST(a_torn_last_line_is_cut_off_when_the_file_is_opened)
{
	char path[] = "/tmp/events-test.XXXXXX", buf[8192];
	const char whole[] = "{\"ts\": 1.0, \"event\": \"ready\", \"name\": \"a\", \"supervisor\": null}\n";
	struct events ev;
	int fd = mkstemp(path), rd, saved;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, whole, strlen(whole)), (ssize_t)strlen(whole));
	ck_assert_int_eq(write(fd, "{\"ts\": 2.0, \"eve", 16), 16);
	close(fd);
	capture_stderr(&rd, &saved);
	ck_assert_int_eq(events_open(&ev, path), 0);
	emit_ready(&ev);
	events_close(&ev);
	captured(rd, saved, buf, sizeof buf);
	ck_assert_int_eq(count(buf, "its last line was cut short (by a crash or a full disk): its 16 bytes removed"), 1);
	slurp(path, buf, sizeof buf);
	ck_assert_int_eq(strncmp(buf, whole, strlen(whole)), 0);
	ck_assert_int_eq(strncmp(buf + strlen(whole), "{\"ts\": ", 7), 0);
	ck_assert_int_eq(count(buf, "\n"), 2);
	/* the fragment, not "2.0" anywhere: the new line's own time may hold it */
	ck_assert_ptr_null(strstr(buf, "{\"ts\": 2.0"));
	/* a file of whole lines is left as it is, and says nothing */
	capture_stderr(&rd, &saved);
	ck_assert_int_eq(events_open(&ev, path), 0);
	events_close(&ev);
	captured(rd, saved, buf, sizeof buf);
	ck_assert_str_eq(buf, "");
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
	tcase_add_test(tc, a_long_reload_reason_is_written_whole);
	tcase_add_test(tc, a_line_the_file_takes_only_part_of_is_cut_off_and_said_once);
	tcase_add_test(tc, a_torn_last_line_is_cut_off_when_the_file_is_opened);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
