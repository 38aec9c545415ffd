/* "Did you mean": the distance and the choice of the nearest word. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "src/config/didyoumean.h"
#include "tests/common/runner.h"

/* ---- dym_distance --------------------------------------------------- */

static const struct {
	const char *a, *b;
	size_t d;
} dist[] = {
	{ "", "", 0 },
	{ "a", "", 1 },
	{ "", "abc", 3 },
	{ "abc", "abc", 0 },
	{ "abc", "abd", 1 },	/* substitution */
	{ "abc", "ab", 1 },	/* deletion */
	{ "ab", "abc", 1 },	/* insertion */
	{ "ab", "ba", 1 },	/* transposition */
	{ "abc", "acb", 1 },
	{ "abcd", "badc", 2 },
	{ "ca", "abc", 3 },	/* OSA, not full Damerau (which gives 2) */
	{ "kitten", "sitting", 3 },
	{ "flaw", "lawn", 2 },
	{ "A", "a", 1 },	/* bytes, case-sensitive */
	{ "stratgey", "strategy", 1 },
	{ "intesity", "intensity", 1 },
	{ "id", "cwd", 2 },
	{ "restart", "restrat", 1 },
	{ "\xC3\xA9", "e", 2 },	/* bytes, not characters */
};

START_TEST(distance_table)
{
	ck_assert_msg(dym_distance(dist[_i].a, dist[_i].b) == dist[_i].d, "case %d: %zu, want %zu",
		      _i, dym_distance(dist[_i].a, dist[_i].b), dist[_i].d);
	ck_assert_uint_eq(dym_distance(dist[_i].b, dist[_i].a), dist[_i].d);	/* symmetric */
}
END_TEST

START_TEST(distance_long)
{
	enum { L = 2000 };
	char *a = malloc(L + 1), *b = malloc(L + 1);

	memset(a, 'a', L);
	memset(b, 'a', L);
	a[L] = b[L] = 0;
	ck_assert_uint_eq(dym_distance(a, b), 0);
	b[L / 2] = 'b';
	ck_assert_uint_eq(dym_distance(a, b), 1);
	memset(b, 'b', L);
	ck_assert_uint_eq(dym_distance(a, b), L);
	b[L / 2] = 0;
	ck_assert_uint_eq(dym_distance(a, b), L);
	free(a);
	free(b);
}
END_TEST

/* ---- dym_closest ---------------------------------------------------- */

static const char *const keys[] = {
	"name", "cwd", "command", "restart", "strategy", "intensity", "period",
	"shutdown", "children", "env", "id", "user", "group", NULL,
};
#define NKEYS (sizeof keys / sizeof *keys - 1)

static const struct {
	const char *word;
	const char *const *cands;
	size_t n;
	int want;	/* index into CANDS, -1 for NULL */
} closest[] = {
	{ "stratgey", keys, NKEYS, 4 },
	{ "intesity", keys, NKEYS, 5 },
	{ "comand", keys, NKEYS, 2 },
	{ "nmae", keys, NKEYS, 0 },
	{ "chidlren", keys, NKEYS, 8 },
	{ "Period", keys, NKEYS, 6 },
	{ "id", keys, NKEYS, 10 },	/* exact */
	{ "xyz", keys, NKEYS, -1 },
	{ "", keys, NKEYS, -1 },
	{ "stratgey", keys, 4, -1 },	/* only the first N are candidates */
	{ "stratgey", keys, 0, -1 },
	/* less than the length of either word */
	{ "id", (const char *const[]){ "cwd" }, 1, -1 },	/* 2, not < len("id") */
	{ "cwd", (const char *const[]){ "id" }, 1, -1 },	/* 2, not < len("id") */
	{ "a", (const char *const[]){ "b" }, 1, -1 },
	{ "a", (const char *const[]){ "a" }, 1, 0 },
	{ "a", (const char *const[]){ "" }, 1, -1 },
	{ "", (const char *const[]){ "" }, 1, -1 },
	{ "ab", (const char *const[]){ "ba" }, 1, 0 },
	{ "abc", (const char *const[]){ "xyc" }, 1, 0 },	/* 2 < 3 */
	{ "abc", (const char *const[]){ "c" }, 1, -1 },	/* 2, not < len("c") */
	/* at most max(2, strlen(word) / 3) */
	{ "abcde", (const char *const[]){ "abxyz" }, 1, -1 },		/* 3 > 2 */
	{ "abcde", (const char *const[]){ "abcyz" }, 1, 0 },		/* 2 */
	{ "strxtxgy", keys, NKEYS, 4 },					/* len 8: 2 ok */
	{ "sxrxtxgy", keys, NKEYS, -1 },				/* 3 > 2 */
	{ "ixtxnsxty", keys, NKEYS, 5 },				/* len 9: 3 ok */
	{ "ixtxnxxty", keys, NKEYS, -1 },				/* 4 > 3 */
	{ "abcdefghijkl", (const char *const[]){ "abcdefghwxyz" }, 1, 0 },	/* 12: 4 */
	{ "abcdefghijkl", (const char *const[]){ "abcdefgvwxyz" }, 1, -1 },	/* 5 > 4 */
	/* the limit follows WORD, not the candidate */
	{ "abcdef", (const char *const[]){ "abcdefxyz" }, 1, -1 },	/* 3 > 2 */
	{ "abcdefxyz", (const char *const[]){ "abcdef" }, 1, 0 },	/* 3 <= 3 */
	/* nearest wins; on a tie, the first */
	{ "period", (const char *const[]){ "perixx", "periox" }, 2, 1 },
	{ "abcd", (const char *const[]){ "abxd", "abyd", "abcd" }, 3, 2 },
	{ "abcd", (const char *const[]){ "abxd", "abyd" }, 2, 0 },
	/* a slip of case is nearer than any other, however long the word */
	{ "STRATEGY", keys, NKEYS, 4 },
	{ "PAYMENT", (const char *const[]){ "paymnt", "payment" }, 2, 1 },
	{ "A", (const char *const[]){ "b", "a" }, 2, 1 },
	{ "Ab", (const char *const[]){ "ab", "AB" }, 2, 0 },	/* on a tie, the first */
	{ "ab", (const char *const[]){ "AB", "ab" }, 2, 1 },	/* exact first */
};

START_TEST(closest_table)
{
	bool oom = false;
	const char *got = dym_closest(closest[_i].word, closest[_i].cands, closest[_i].n, &oom);

	ck_assert(!oom);

	if (closest[_i].want < 0)
		ck_assert_msg(got == NULL, "case %d: \"%s\" suggested \"%s\"", _i, closest[_i].word,
			      got);
	else
		ck_assert_msg(got == closest[_i].cands[closest[_i].want],
			      "case %d: \"%s\" suggested \"%s\", want \"%s\"", _i, closest[_i].word,
			      got ? got : "(null)", closest[_i].cands[closest[_i].want]);
}
END_TEST

#define NELEM(a) (sizeof (a) / sizeof *(a))

static Suite *suite(void)
{
	Suite *s = suite_create("didyoumean");
	TCase *tc = tcase_create("didyoumean");

	tcase_add_loop_test(tc, distance_table, 0, NELEM(dist));
	tcase_add_test(tc, distance_long);
	tcase_add_loop_test(tc, closest_table, 0, NELEM(closest));
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
