#include <check.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/daemon/output.h"
#include "tests/common/runner.h"

static struct output o;
static struct outq q;
static int sink[2];
static char got[65536];

static void setup(void)
{
	ck_assert_int_eq(output_open(&o, "act"), 0);
	ck_assert_int_eq(pipe2(sink, O_NONBLOCK), 0);
	fcntl(sink[1], F_SETPIPE_SZ, 1 << 20);
	ck_assert_int_eq(outq_open(&q, NULL, sink[1], 1), 0);
}

static void teardown(void)
{
	output_close(&o);
	outq_close(&q);
	close(sink[0]);
	close(sink[1]);
}

static void feed(const char *s, size_t n)
{
	ck_assert_int_eq(write(o.wfd, s, n), (ssize_t)n);
	ck_assert_int_eq(output_drain(&o, &q), 0);
}

static const char *collected(void)
{
	ssize_t n = read(sink[0], got, sizeof got - 1);

	got[n > 0 ? n : 0] = 0;
	return got;
}

START_TEST(complete_lines_are_prefixed)
{
	feed("one\ntwo\n", 8);
	ck_assert_str_eq(collected(), "act: one\nact: two\n");
}
END_TEST

START_TEST(a_partial_line_waits_for_its_end)
{
	feed("hal", 3);
	ck_assert_str_eq(collected(), "");
	feed("f\nnext", 6);
	ck_assert_str_eq(collected(), "act: half\n");
	output_flush(&o, &q);
	ck_assert_str_eq(collected(), "act: next\n");
	ck_assert_ptr_null(o.partial);	/* freed once empty */
}
END_TEST

START_TEST(an_empty_line_stays_a_line)
{
	feed("\n", 1);
	ck_assert_str_eq(collected(), "act: \n");
}
END_TEST

START_TEST(a_journal_priority_stays_in_front)
{
	feed("<3>bad thing\n", 13);
	ck_assert_str_eq(collected(), "<3>act: bad thing\n");
}
END_TEST

START_TEST(an_overlong_line_is_cut_at_the_limit)
{
	static char big[OUTPUT_MAX_LINE + 11];

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\n';
	feed(big, sizeof big);
	const char *s = collected();
	/* "act: " + 4096 x + "\n" then "act: " + 10 x + "\n" */
	ck_assert_uint_eq(strlen(s), 5 + OUTPUT_MAX_LINE + 1 + 5 + 10 + 1);
	ck_assert(strncmp(s + 5 + OUTPUT_MAX_LINE, "\nact: xxxxxxxxxx\n", 17) == 0);
}
END_TEST

/* The old daemon passed them raw: a CR hid the prefix on a terminal. */
START_TEST(control_characters_but_tab_are_escaped)
{
	feed("a\rb\x1b[2Jc\td\0e\x7f\n", 14);
	ck_assert_uint_eq(strlen(collected()), 27);
	ck_assert_str_eq(got, "act: a\\rb\\x1b[2Jc\td\\0e\\x7f\n");
}
END_TEST

/* With nobody reading, the queue keeps OUTQ_HARD bytes and drops whole
 * lines beyond, counting them for their sender. */
START_TEST(lines_past_the_bound_are_dropped_and_counted)
{
	static char line[1000];
	unsigned long put = 0;

	outq_close(&q);
	close(sink[0]);
	ck_assert_int_eq(pipe2(sink, O_NONBLOCK), 0);	/* the default 64 KiB */
	ck_assert_int_eq(outq_open(&q, NULL, sink[1], 1), 0);
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\n';
	for (; put < 2 * (OUTQ_HARD + 65536) / sizeof line; put++)
		outq_put(&q, &o.src, line, sizeof line);
	ck_assert_uint_gt(o.src.dropped, 0);
	ck_assert_uint_eq(q.dropped, o.src.dropped);
	ck_assert_uint_eq(q.len % sizeof line, 0);	/* whole lines only */
	ck_assert_uint_eq(q.len / sizeof line + o.src.dropped, put);
	/* the pipe takes whole lines until it is full: what is left is too */
	outq_push(&q);
	ck_assert_uint_gt(q.len, 0);
	ck_assert_uint_eq(q.len % sizeof line, 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("output");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, complete_lines_are_prefixed);
	tcase_add_test(tc, a_partial_line_waits_for_its_end);
	tcase_add_test(tc, an_empty_line_stays_a_line);
	tcase_add_test(tc, a_journal_priority_stays_in_front);
	tcase_add_test(tc, an_overlong_line_is_cut_at_the_limit);
	tcase_add_test(tc, control_characters_but_tab_are_escaped);
	tcase_add_test(tc, lines_past_the_bound_are_dropped_and_counted);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
