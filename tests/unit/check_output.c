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

/* <0> is emerg, which journald writes on every logged-in terminal
 * (ForwardToWall=, MaxLevelWall=emerg): a confined actor must not reach
 * them, nor page whoever watches crit and alert. */
START_TEST(an_actor_priority_is_at_most_an_error)
{
	feed("<0>wall\n<1>alert\n<2>crit\n<3>err\n<7>debug\n", 41);
	ck_assert_str_eq(collected(), "<3>act: wall\n<3>act: alert\n<3>act: crit\n<3>act: err\n<7>act: debug\n");
}
END_TEST

/* A priority is the start of a line the actor wrote: not the start of
 * the piece after a cut (a "<1>" at byte 4096 was moved in front, made
 * <3>, and taken off the text), and one a read split in two is one all
 * the same (it stayed in the text). */
START_TEST(a_priority_is_read_at_the_start_of_a_line_only)
{
	static const char split[] = "<1>split\n";
	static char big[OUTPUT_MAX_LINE + 16];

	memset(big, 'x', OUTPUT_MAX_LINE);
	memcpy(big + OUTPUT_MAX_LINE, "<1>mid-line\n", 12);
	feed(big, OUTPUT_MAX_LINE + 12);
	const char *s = collected();
	ck_assert_uint_eq(strlen(s), 5 + OUTPUT_MAX_LINE + 1 + 5 + 11 + 1);
	ck_assert_str_eq(s + 5 + OUTPUT_MAX_LINE + 1, "act: <1>mid-line\n");
	/* the next line is a line again */
	feed("<4>warn\n", 8);
	ck_assert_str_eq(collected(), "<4>act: warn\n");
	for (size_t at = 1; at < 3; at++) {
		feed(split, at);
		feed(split + at, 9 - at);
		ck_assert_str_eq(collected(), "<3>act: split\n");
	}
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

/* A line of exactly the limit, its newline in a later read: one line.
 * The newline once started an empty line of its own. */
START_TEST(a_newline_after_a_full_piece_in_a_later_read_ends_it)
{
	static char big[OUTPUT_MAX_LINE];

	memset(big, 'x', sizeof big);
	feed(big, sizeof big);
	ck_assert_uint_eq(strlen(collected()), 5 + OUTPUT_MAX_LINE + 1);
	feed("\n", 1);
	ck_assert_str_eq(collected(), "");
	feed("next\n", 5);
	ck_assert_str_eq(collected(), "act: next\n");
}
END_TEST

/* Each line output_split hands on, ended by a newline, into LINES. */
static char lines[4 * OUTPUT_MAX_LINE];
static size_t nlines;

static void add(const char *p, size_t n)
{
	ck_assert_uint_le(nlines + n, sizeof lines);
	if (n)	/* an empty part may be NULL */
		memcpy(lines + nlines, p, n);
	nlines += n;
}

static void on_line(void *arg, const char *text, size_t n)
{
	(void)arg;
	add(text, n);
	add("\n", 1);
}

/* IN split at CUTS (NCUTS ascending offsets), then the end of the actor's
 * life: the lines must be WANT, however the reads fell. */
static void split_at(const char *in, size_t n, const size_t *cuts, size_t ncuts,
		     const char *want, size_t nwant)
{
	size_t at = 0;

	nlines = 0;
	for (size_t i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : n;
		output_split(&o, &q, in + at, to - at);
		at = to;
	}
	output_flush(&o, &q);
	ck_assert_msg(nlines == nwant && memcmp(lines, want, nwant) == 0,
		      "%zu bytes cut at %zu and %zu: %zu bytes of lines, not %zu",
		      n, ncuts ? cuts[0] : n, ncuts > 1 ? cuts[1] : n, nlines, nwant);
	/* the queue is not what is tested here: keep it from filling */
	outq_push(&q);
	while (read(sink[0], got, sizeof got) > 0)
		;
}

/* Every division into two reads, into three where a piece ends, and one
 * byte a read. */
static void split_every_way(const char *in, size_t n, const char *want, size_t nwant)
{
	size_t cuts[2];

	for (cuts[0] = 0; cuts[0] <= n; cuts[0]++)
		split_at(in, n, cuts, 1, want, nwant);
	for (size_t edge = OUTPUT_MAX_LINE; edge <= n; edge += OUTPUT_MAX_LINE)
		for (cuts[0] = edge - 2; cuts[0] <= edge + 1 && cuts[0] <= n; cuts[0]++)
			for (cuts[1] = cuts[0]; cuts[1] <= edge + 2 && cuts[1] <= n; cuts[1]++)
				split_at(in, n, cuts, 2, want, nwant);
	nlines = 0;
	for (size_t i = 0; i < n; i++)
		output_split(&o, &q, in + i, 1);
	output_flush(&o, &q);
	ck_assert_msg(nlines == nwant && memcmp(lines, want, nwant) == 0,
		      "%zu bytes one a read: %zu bytes of lines, not %zu", n, nlines, nwant);
	outq_push(&q);
	while (read(sink[0], got, sizeof got) > 0)
		;
}

/* N bytes of C, then TAIL */
static size_t text(char *dst, char c, size_t n, const char *tail)
{
	memset(dst, c, n);
	memcpy(dst + n, tail, strlen(tail));
	return n + strlen(tail);
}

/* README: lines longer than 4,096 bytes are cut into pieces of that size.
 * A newline right after a piece ends it, and adds no empty line. */
START_TEST(pieces_are_the_same_however_the_reads_fall)
{
	static const struct {
		size_t n;		/* bytes of 'x' */
		const char *tail;
		size_t pieces;		/* full lines of 'x' out */
		size_t rest;		/* then a line of this many 'x' and the tail */
		const char *after;	/* then this */
	} cases[] = {
		{ OUTPUT_MAX_LINE, "\n", 1, 0, "" },
		{ 2 * OUTPUT_MAX_LINE, "\n", 2, 0, "" },
		{ OUTPUT_MAX_LINE, "abc\n", 1, 0, "abc\n" },
		{ OUTPUT_MAX_LINE - 96, "cc\n", 0, OUTPUT_MAX_LINE - 96, "cc\n" },
		{ OUTPUT_MAX_LINE - 1, "\n", 0, OUTPUT_MAX_LINE - 1, "\n" },
		{ OUTPUT_MAX_LINE + 1, "\n", 1, 1, "\n" },
		{ OUTPUT_MAX_LINE, "\n\n", 1, 0, "\n" },	/* the second is a line */
		{ OUTPUT_MAX_LINE, "\nx\n", 1, 0, "x\n" },
	};
	static char in[3 * OUTPUT_MAX_LINE], want[3 * OUTPUT_MAX_LINE];

	o.on_line = on_line;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t n = text(in, 'x', cases[i].n, cases[i].tail), nwant = 0;

		for (size_t k = 0; k < cases[i].pieces; k++)
			nwant += text(want + nwant, 'x', OUTPUT_MAX_LINE, "\n");
		nwant += text(want + nwant, 'x', cases[i].rest, cases[i].after);
		split_every_way(in, n, want, nwant);
	}
}
END_TEST

/* Pieces of a line cut at the limit are each whole UTF-8 (a journal keeps
 * a line that is not as binary data): a character the limit would split
 * begins the next piece. IN is N 'x', then TAIL; WANT, the lines. */
START_TEST(a_cut_never_splits_a_utf8_character)
{
	static const struct {
		size_t n;
		const char *tail, *first, *rest;	/* first: after the piece's 'x' */
		size_t nfirst;				/* 'x' in the first piece */
	} cases[] = {
		{ OUTPUT_MAX_LINE - 2, "\xe2\x82\xacyz\n", "", "\xe2\x82\xacyz\n", OUTPUT_MAX_LINE - 2 },
		{ OUTPUT_MAX_LINE - 3, "\xe2\x82\xacyz\n", "\xe2\x82\xac", "yz\n", OUTPUT_MAX_LINE - 3 },
		{ OUTPUT_MAX_LINE - 3, "\xf0\x9f\x98\x80\n", "", "\xf0\x9f\x98\x80\n", OUTPUT_MAX_LINE - 3 },
		{ OUTPUT_MAX_LINE - 1, "\xc3\xa9\n", "", "\xc3\xa9\n", OUTPUT_MAX_LINE - 1 },
		{ OUTPUT_MAX_LINE - 2, "\xc3\xa9" "a\n", "\xc3\xa9", "a\n", OUTPUT_MAX_LINE - 2 },
		/* not UTF-8 to begin with: a lone lead moves on, stray
		 * continuation bytes are cut where the limit falls */
		{ OUTPUT_MAX_LINE - 1, "\xe2zz\n", "", "\xe2zz\n", OUTPUT_MAX_LINE - 1 },
		{ OUTPUT_MAX_LINE - 3, "\x80\x80\x80\x80\n", "\x80\x80\x80", "\x80\n", OUTPUT_MAX_LINE - 3 },
		/* a line that fills the limit exactly is one line, unless
		 * its last character is cut short */
		{ OUTPUT_MAX_LINE - 3, "\xe2\x82\xac\n", "\xe2\x82\xac", "", OUTPUT_MAX_LINE - 3 },
		{ OUTPUT_MAX_LINE - 2, "\xe2\x82\n", "", "\xe2\x82\n", OUTPUT_MAX_LINE - 2 },
	};
	static char in[3 * OUTPUT_MAX_LINE], want[3 * OUTPUT_MAX_LINE];

	o.on_line = on_line;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		size_t n = text(in, 'x', cases[i].n, cases[i].tail);
		size_t nwant = text(want, 'x', cases[i].nfirst, cases[i].first);

		nwant += text(want + nwant, 'x', 0, "\n");
		nwant += text(want + nwant, 'x', 0, cases[i].rest);
		split_every_way(in, n, want, nwant);
	}
}
END_TEST

/* A line of euro signs (3 bytes each) three pieces long: each piece holds
 * as many whole ones as fit, 1,365 (4,095 bytes). */
START_TEST(a_long_line_of_wide_characters_is_cut_between_them)
{
	static char in[3000 * 3 + 1], want[3000 * 3 + 3];
	size_t nwant = 0;

	o.on_line = on_line;
	for (size_t i = 0; i < 3000; i++) {
		memcpy(in + 3 * i, "\xe2\x82\xac", 3);
		if (i == 1365 || i == 2730)
			want[nwant++] = '\n';
		memcpy(want + nwant, "\xe2\x82\xac", 3);
		nwant += 3;
	}
	in[sizeof in - 1] = '\n';
	want[nwant++] = '\n';
	split_every_way(in, sizeof in, want, nwant);
}
END_TEST

/* A full piece is all an instance wrote before it ended: the next one's
 * first newline is a line of its own. */
START_TEST(a_newline_after_the_end_of_an_instance_is_its_own)
{
	static char big[OUTPUT_MAX_LINE], want[OUTPUT_MAX_LINE + 2];

	o.on_line = on_line;
	nlines = 0;
	memset(big, 'x', sizeof big);
	output_split(&o, &q, big, sizeof big);
	output_flush(&o, &q);
	output_split(&o, &q, "\n", 1);
	text(want, 'x', OUTPUT_MAX_LINE, "\n\n");
	ck_assert_uint_eq(nlines, sizeof want);
	ck_assert(memcmp(lines, want, sizeof want) == 0);
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

/* C1 controls (U+0080 to U+009F, two bytes in UTF-8) are escaped as
 * journald escapes them, each byte \xNN: U+009B is a CSI to a terminal
 * that takes C1. Other characters pass, and a pair that a read split
 * between two pieces of one line is escaped all the same. */
START_TEST(c1_controls_are_escaped)
{
	feed("a\xc2\x9b" "31mb\xc2\xa0" "c\xc3\xa9\n", 13);
	ck_assert_str_eq(collected(), "act: a\\xc2\\x9b31mb\xc2\xa0" "c\xc3\xa9\n");
	feed("x\xc2", 2);
	feed("\x85y\n", 3);
	ck_assert_str_eq(collected(), "act: x\\xc2\\x85y\n");
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
	tcase_add_test(tc, an_actor_priority_is_at_most_an_error);
	tcase_add_test(tc, a_priority_is_read_at_the_start_of_a_line_only);
	tcase_add_test(tc, an_overlong_line_is_cut_at_the_limit);
	tcase_add_test(tc, a_newline_after_a_full_piece_in_a_later_read_ends_it);
	tcase_add_test(tc, pieces_are_the_same_however_the_reads_fall);
	tcase_add_test(tc, a_newline_after_the_end_of_an_instance_is_its_own);
	tcase_add_test(tc, a_cut_never_splits_a_utf8_character);
	tcase_add_test(tc, a_long_line_of_wide_characters_is_cut_between_them);
	tcase_add_test(tc, control_characters_but_tab_are_escaped);
	tcase_add_test(tc, c1_controls_are_escaped);
	tcase_add_test(tc, lines_past_the_bound_are_dropped_and_counted);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
