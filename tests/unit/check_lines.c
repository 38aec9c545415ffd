/* Line and column from the index, against a table and against counting
 * from the start of the text, which the index replaces. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "src/config/lines.h"
#include "tests/common/runner.h"

/* Every input goes to the code under test in a heap block of exactly its
 * length, with no terminator, so ASan sees any read past LEN. */
static char *exact(const char *s, size_t len)
{
	char *p = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(p);
	memcpy(p, s, len);
	return p;
}

static const struct {
	const char *text;
	size_t skip, off;
	unsigned line, col;
} lc[] = {
	{ "", 0, 0, 1, 1 },
	{ "abc", 0, 0, 1, 1 },
	{ "abc", 0, 1, 1, 2 },
	{ "abc", 0, 3, 1, 4 },			/* OFF == LEN */
	{ "abc", 0, 9, 1, 4 },			/* beyond: as LEN */
	{ "a\nb", 0, 1, 1, 2 },
	{ "a\nb", 0, 2, 2, 1 },
	{ "a\nb", 0, 3, 2, 2 },
	{ "\n\n", 0, 2, 3, 1 },
	{ "a\r\nb", 0, 2, 1, 3 },		/* only '\n' ends a line */
	{ "a\r\nb", 0, 3, 2, 1 },
	{ "a\rb", 0, 2, 1, 3 },
	{ "\tx", 0, 1, 1, 2 },			/* a tab is one character */
	{ "\xC3\xA9x", 0, 2, 1, 2 },		/* é: 2 bytes, 1 column */
	{ "\xC3\xA9x", 0, 3, 1, 3 },
	{ "\xE2\x82\xAC" "x", 0, 3, 1, 2 },	/* €: 3 bytes */
	{ "\xF0\x9F\x98\x80" "x", 0, 4, 1, 2 },	/* 😀: 4 bytes */
	{ "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80x", 0, 9, 1, 4 },
	{ "\xC3\xA9\n\xE2\x82\xAC" "ab", 0, 7, 2, 3 },
	{ "\xEF\xBB\xBF{}", 3, 0, 1, 1 },	/* a BOM takes no column */
	{ "\xEF\xBB\xBF{}", 3, 2, 1, 1 },
	{ "\xEF\xBB\xBF{}", 3, 3, 1, 1 },
	{ "\xEF\xBB\xBF{}", 3, 4, 1, 2 },
	{ "\xEF\xBB\xBF" "a\nb", 3, 6, 2, 2 },
	{ "   {}", 3, 4, 1, 2 },		/* nor does one blanked by the stripper */
	{ "   {}", 0, 3, 1, 4 },		/* but spaces that were spaces do */
	{ "ab", 5, 2, 1, 1 },			/* SKIP beyond LEN */
};

START_TEST(table)
{
	size_t len = strlen(lc[_i].text);
	char *t = exact(lc[_i].text, len);
	unsigned line = 0, col = 0;
	struct lines ix;

	ck_assert_int_eq(lines_index(&ix, t, len, lc[_i].skip), 0);
	lines_pos(&ix, lc[_i].off, &line, &col);
	ck_assert_msg(line == lc[_i].line && col == lc[_i].col, "case %d: %u:%u, want %u:%u", _i, line,
		      col, lc[_i].line, lc[_i].col);
	lines_free(&ix);
	free(t);
}
END_TEST

/* What the index replaces: counting from the start, one byte further
 * for each offset. */
static void count_one(const char *t, size_t skip, size_t i, unsigned *line, unsigned *col)
{
	if (i < skip)
		return;
	if (t[i] == '\n') {
		++*line;
		*col = 1;
	} else if (((unsigned char)t[i] & 0xC0) != 0x80) {
		++*col;
	}
}

/* Texts with lines from empty to a few thousand bytes (far past the
 * index's stride within a line) and multi-byte characters across every
 * boundary: every offset agrees with counting. */
START_TEST(every_offset_agrees_with_counting)
{
	static const char *const pieces[] = { "a", " ", "\n", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\r" };
	unsigned seed = 11;

	for (int round = 0; round < 40; round++) {
		size_t len = 0, cap = 9000, skip = (size_t)(round % 3 == 0 ? 3 : 0);
		char *buf = malloc(cap), *t;
		unsigned nl_odds = round % 4 == 0 ? 2 : round % 4 == 1 ? 40 : round % 4 == 2 ? 1000 : 100000;
		unsigned l2, c2;
		struct lines ix;

		ck_assert_ptr_nonnull(buf);
		while (len + 4 < cap - 1000 * (unsigned)(round % 2)) {
			unsigned r = (unsigned)rand_r(&seed);
			const char *p = r % nl_odds == 0 ? "\n" : pieces[r / 7 % 7 == 2 ? 0 : r / 7 % 7];

			memcpy(buf + len, p, strlen(p));
			len += strlen(p);
		}
		t = exact(buf, len);
		ck_assert_int_eq(lines_index(&ix, t, len, skip), 0);
		l2 = c2 = 1;
		for (size_t off = 0; off <= len + 1; off++) {
			unsigned l1, c1;

			if (off > 0 && off <= len)
				count_one(t, skip, off - 1, &l2, &c2);
			lines_pos(&ix, off, &l1, &c1);
			ck_assert_msg(l1 == l2 && c1 == c2, "round %d, offset %zu: %u:%u, want %u:%u", round,
				      off, l1, c1, l2, c2);
		}
		lines_free(&ix);
		free(t);
		free(buf);
	}
}
END_TEST

START_TEST(a_freed_index_answers_the_start)
{
	struct lines ix;
	unsigned line, col;

	ck_assert_int_eq(lines_index(&ix, "a\nb", 3, 0), 0);
	lines_free(&ix);
	lines_pos(&ix, 2, &line, &col);
	ck_assert_uint_eq(line, 1);
	ck_assert_uint_eq(col, 1);
}
END_TEST

#define NELEM(a) (sizeof (a) / sizeof *(a))

static Suite *suite(void)
{
	Suite *s = suite_create("lines");
	TCase *tc = tcase_create("lines");

	tcase_add_loop_test(tc, table, 0, NELEM(lc));
	tcase_add_test(tc, every_offset_agrees_with_counting);
	tcase_add_test(tc, a_freed_index_answers_the_start);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
