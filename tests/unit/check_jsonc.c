#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "src/config/jsonc.h"
#include "src/config/lines.h"
#include "tests/common/runner.h"

#define NELEM(a) (sizeof (a) / sizeof *(a))

/* Every input goes to the code under test in a heap block of exactly its
 * length, with no terminator, so ASan sees any read past LEN. */
static char *exact(const char *s, size_t len)
{
	char *p = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(p);
	memcpy(p, s, len);
	return p;
}

/* Line and column of OFF, as the loader finds them. */
static void linecol(const char *t, size_t len, size_t skip, size_t off, unsigned *line, unsigned *col)
{
	struct lines ix;

	ck_assert_int_eq(lines_index(&ix, t, len, skip), 0);
	lines_pos(&ix, off, line, col);
	lines_free(&ix);
}

/* ---- jsonc_strip ---------------------------------------------------- */

static const struct {
	const char *in, *out;	/* same length, by contract */
} strip_ok[] = {
	{ "", "" },
	{ "{}", "{}" },
	{ "// c\n{}", "    \n{}" },
	{ "{} // c", "{}     " },
	{ "{} //", "{}   " },
	{ "/* a */{}", "       {}" },
	{ "/**/1", "    1" },
	{ "/***/1", "     1" },
	{ "/* // */1", "        1" },
	{ "// /* \n1", "      \n1" },
	{ "/* a\nb */1", "    \n    1" },
	{ "/* a\r\nb */1", "    \r\n    1" },
	{ "// a\r\n1", "    \r\n1" },
	{ "// a\r1", "    \r1" },			/* CR-only line end */
	{ "/* \" */1", "       1" },		/* quote inside a comment */
	{ "// \"\n1", "    \n1" },
	{ "1 / 2", "1 / 2" },				/* lone slash is left for jansson */
	{ "1/", "1/" },
	/* strings are never touched */
	{ "\"// no\"", "\"// no\"" },
	{ "\"/* no */\"", "\"/* no */\"" },
	{ "\"a\\\"// no\"", "\"a\\\"// no\"" },		/* escaped quote */
	{ "\"a\\\\\"// yes", "\"a\\\\\"      " },	/* escaped backslash */
	{ "\"\\\\\\\"/*\"", "\"\\\\\\\"/*\"" },
	{ "[\"a,]\"]", "[\"a,]\"]" },
	{ "{\"a,}\":1,}", "{\"a,}\":1 }" },
	{ "\"\xC3\xA9 // x\" // y", "\"\xC3\xA9 // x\"     " },
	/* trailing commas */
	{ "[1,]", "[1 ]" },
	{ "{\"a\":1,}", "{\"a\":1 }" },
	{ "[\"x\",]", "[\"x\" ]" },
	{ "[true,]", "[true ]" },
	{ "[{},]", "[{} ]" },
	{ "[[],]", "[[] ]" },
	{ "[1, ]", "[1  ]" },
	{ "[1,\n]", "[1 \n]" },
	{ "[1,\r\n\t]", "[1 \r\n\t]" },
	{ "[1, /* c */ ]", "[1          ]" },
	{ "[1,/**/]", "[1     ]" },
	{ "[1,\n// c\n]", "[1 \n    \n]" },
	{ "{\"a\":1, // c\n /* d\n */ }", "{\"a\":1      \n     \n    }" },
	{ "[[1,],{\"a\":[2,],},]", "[[1 ],{\"a\":[2 ] } ]" },
	{ "[1,2]", "[1,2]" },
	/* not trailing commas: left for jansson to reject */
	{ "[,]", "[,]" },
	{ "[1,,]", "[1,,]" },
	{ "{,}", "{,}" },
	{ "{\"a\":,}", "{\"a\":,}" },
	{ "1,", "1," },
	{ ",]", ",]" },
	/* byte order mark */
	{ "\xEF\xBB\xBF{}", "   {}" },
	{ "\xEF\xBB\xBF", "   " },
	{ "\xEF\xBB\xBF// c\n[1,]", "       \n[1 ]" },
	{ " \xEF\xBB\xBF", " \xEF\xBB\xBF" },	/* only a leading one */
};

START_TEST(strip_table)
{
	const char *in = strip_ok[_i].in, *out = strip_ok[_i].out;
	size_t len = strlen(in);
	struct jsonc_error err = { 12345, "untouched" };
	char *t;

	ck_assert_uint_eq(strlen(out), len);	/* guards the table itself */
	t = exact(in, len);
	ck_assert_msg(jsonc_strip(t, len, &err) == 0, "case %d: %s at %zu", _i, err.what, err.off);
	ck_assert_msg(memcmp(t, out, len) == 0, "case %d: got \"%.*s\", want \"%s\"", _i, (int)len, t,
		      out);
	free(t);
}
END_TEST

static const struct {
	const char *in;
	size_t off;
	const char *what;	/* prefix of the message */
} strip_bad[] = {
	{ "/*", 0, "unterminated comment" },
	{ "/* x", 0, "unterminated comment" },
	{ "/* x *", 0, "unterminated comment" },
	{ "1 /*/", 2, "unterminated comment" },
	{ "[1,\n/* a\n\n", 4, "unterminated comment" },
	{ "\"", 0, "unterminated string" },
	{ "\"abc", 0, "unterminated string" },
	{ "[\"a\n\"]", 1, "unterminated string" },
	{ "[\"a\r\"]", 1, "unterminated string" },
	{ "[\"a\\\n\"]", 1, "unterminated string" },	/* backslash-newline */
	{ "\"a\\\"", 0, "unterminated string" },	/* the quote is escaped */
	{ "\"a\\", 0, "unterminated string" },
	{ "{} \"// x", 3, "unterminated string" },
	{ "/* \" */ \"x", 8, "unterminated string" },
	{ "\"ok\" \"no", 5, "unterminated string" },
};

START_TEST(strip_errors)
{
	const char *in = strip_bad[_i].in;
	size_t len = strlen(in);
	struct jsonc_error err = { 12345, NULL };
	char *t = exact(in, len);

	ck_assert_int_eq(jsonc_strip(t, len, &err), -1);
	ck_assert_msg(err.off == strip_bad[_i].off, "case %d: off %zu, want %zu", _i, err.off,
		      strip_bad[_i].off);
	ck_assert_ptr_nonnull(err.what);
	ck_assert_msg(strncmp(err.what, strip_bad[_i].what, strlen(strip_bad[_i].what)) == 0,
		      "case %d: \"%s\"", _i, err.what);
	free(t);
}
END_TEST

/* LEN bounds the work even when the buffer goes on. */
START_TEST(strip_respects_len)
{
	char buf[] = "[1,]// x";
	struct jsonc_error err;

	ck_assert_int_eq(jsonc_strip(buf, 3, &err), 0);	/* "[1," : no ']' within LEN */
	ck_assert_str_eq(buf, "[1,]// x");
	ck_assert_int_eq(jsonc_strip(buf, 4, &err), 0);
	ck_assert_str_eq(buf, "[1 ]// x");

	char c[] = "/* */";
	ck_assert_int_eq(jsonc_strip(c, 4, &err), -1);	/* the '/' is beyond LEN */
	ck_assert_uint_eq(err.off, 0);
}
END_TEST

/* Stripped output is strict JSON, so stripping it again changes nothing. */
START_TEST(strip_idempotent)
{
	const char *in = strip_ok[_i].in;
	size_t len = strlen(in);
	struct jsonc_error err;
	char *t = exact(in, len), *u;

	ck_assert_int_eq(jsonc_strip(t, len, &err), 0);
	u = exact(t, len);
	ck_assert_int_eq(jsonc_strip(u, len, &err), 0);
	ck_assert(memcmp(t, u, len) == 0);
	free(u);
	free(t);
}
END_TEST

/* Random bytes from the interesting alphabet: whatever the outcome, only
 * spaces are written, line ends stay, and nothing outside LEN is read. */
START_TEST(strip_fuzz)
{
	static const char alpha[] = "/*\"\\\n\r,]}[{ a:";
	unsigned seed = 7;
	struct jsonc_error err;
	size_t offs[4];

	for (int round = 0; round < 20000; round++) {
		size_t len = (size_t)(rand_r(&seed) % 14);
		char in[16], *t;
		unsigned line, col;
		struct jsonc_step p[2] = { { "a", 0 }, { NULL, 1 } };
		size_t off;

		for (size_t k = 0; k < len; k++)
			in[k] = alpha[(size_t)rand_r(&seed) % (sizeof alpha - 1)];
		t = exact(in, len);
		if (jsonc_strip(t, len, &err) == 0) {
			for (size_t k = 0; k < len; k++)
				ck_assert(t[k] == in[k] || t[k] == ' ');
		} else {
			ck_assert_uint_lt(err.off, len);
			ck_assert(in[err.off] == '"' || in[err.off] == '/');
		}
		for (size_t k = 0; k < len; k++)
			if (in[k] == '\n' || in[k] == '\r')
				ck_assert(t[k] == in[k]);
		/* the readers assume valid JSON, but must stay in bounds */
		linecol(t, len, 0, len, &line, &col);
		(void)jsonc_locate(t, len, 0, p, 2, false, &off);
		(void)jsonc_locate(t, len, 0, p, 1, true, &off);
		(void)jsonc_elements(t, len, 0, offs, 4);
		free(t);
	}
}
END_TEST

/* ---- jsonc_locate --------------------------------------------------- */

static const char doc[] =
	" \n {\"a\": {\"b\": [10, [20, 21], {\"c\": \"x\"}]},\n"
	"  \"ab\": 106, \"k\\\"q\": 101, \"\\u00e9t\\u00E9\": 102, \"s\\/l\": 103,\n"
	"  \"\\ud83d\\ude00\": 104, \"c\\b\\f\\n\\r\\t\\\\\": 105, \"\xC3\xA7" "a\": 107,\n"
	"  \"z\": [\"]\\\"}\", {\"y\": \"{[\"}, 108], \"num\": -1.5e+3, \"t\": true,\n"
	"  \"n\": null, \"e\": [], \"o\": {}, \"dup\": 201, \"dup\": 202,\n"
	"  \"deep\": [[[{\"q\": [1, {\"r\": [2]}]}]]], \"after\": 109}";

#define K(s) { (s), 0 }
#define I(n) { NULL, (n) }
#define MAXSTEP 5

static const struct {
	struct jsonc_step path[MAXSTEP];
	size_t n;
	bool want_key;
	const char *mark;	/* the offset expected is where MARK occurs; NULL: -1 */
} loc[] = {
	{ { { 0 } }, 0, false, "{\"a\"" },		/* leading whitespace skipped */
	{ { K("a") }, 1, false, "{\"b\"" },
	{ { K("a") }, 1, true, "\"a\"" },
	{ { K("a"), K("b") }, 2, false, "[10" },
	{ { K("a"), K("b") }, 2, true, "\"b\"" },
	{ { K("a"), K("b"), I(0) }, 3, false, "10," },
	{ { K("a"), K("b"), I(1) }, 3, false, "[20" },
	{ { K("a"), K("b"), I(1), I(0) }, 4, false, "20," },
	{ { K("a"), K("b"), I(1), I(1) }, 4, false, "21]" },
	{ { K("a"), K("b"), I(2) }, 3, false, "{\"c\"" },
	{ { K("a"), K("b"), I(2), K("c") }, 4, false, "\"x\"" },
	{ { K("a"), K("b"), I(2), K("c") }, 4, true, "\"c\"" },
	{ { K("a"), K("b"), I(3) }, 3, false, NULL },
	{ { K("a"), K("b"), I(1), I(2) }, 4, false, NULL },
	{ { K("a"), K("x") }, 2, false, NULL },
	{ { K("ab") }, 1, false, "106" },
	{ { K("ab") }, 1, true, "\"ab\"" },
	{ { K("abc") }, 1, false, NULL },		/* no prefix matches */
	{ { K("") }, 1, false, NULL },
	{ { K("k\"q") }, 1, false, "101" },
	{ { K("k\"q") }, 1, true, "\"k\\\"q\"" },
	{ { K("k") }, 1, false, NULL },
	{ { K("\xC3\xA9t\xC3\xA9") }, 1, false, "102" },	/* \u00e9t\u00E9 */
	{ { K("\xC3\xA9t\xC3\xA9") }, 1, true, "\"\\u00e9" },
	{ { K("s/l") }, 1, false, "103" },
	{ { K("\xF0\x9F\x98\x80") }, 1, false, "104" },		/* surrogate pair */
	{ { K("c\b\f\n\r\t\\") }, 1, false, "105" },
	{ { K("\xC3\xA7" "a") }, 1, false, "107" },		/* raw UTF-8 key */
	{ { K("z"), I(0) }, 2, false, "\"]\\\"}\"" },
	{ { K("z"), I(1), K("y") }, 3, false, "\"{[\"" },
	{ { K("z"), I(2) }, 2, false, "108" },
	{ { K("z"), I(3) }, 2, false, NULL },
	{ { K("num") }, 1, false, "-1.5e+3" },
	{ { K("t") }, 1, false, "true" },
	{ { K("n") }, 1, false, "null" },
	{ { K("e") }, 1, false, "[]" },
	{ { K("e"), I(0) }, 2, false, NULL },
	{ { K("o") }, 1, false, "{}" },
	{ { K("o"), K("x") }, 2, false, NULL },
	{ { K("dup") }, 1, false, "202" },		/* jansson keeps the last */
	{ { K("dup") }, 1, true, "\"dup\": 202" },
	{ { K("deep"), I(0), I(0), I(0), K("q") }, 5, false, "[1, {" },
	{ { K("after") }, 1, false, "109" },		/* past everything nested */
	{ { K("after") }, 1, true, "\"after\"" },
	/* the wrong kind of step */
	{ { I(0) }, 1, false, NULL },
	{ { K("a"), K("b"), K("c") }, 3, false, NULL },
	{ { K("t"), K("x") }, 2, false, NULL },
	{ { K("n"), I(0) }, 2, false, NULL },
	/* WANT_KEY needs a key as the last step */
	{ { { 0 } }, 0, true, NULL },
	{ { K("a"), K("b"), I(0) }, 3, true, NULL },
};

START_TEST(locate_table)
{
	size_t len = sizeof doc - 1, off = 777, want;
	char *t = exact(doc, len);
	int rc = jsonc_locate(t, len, 0, loc[_i].path, loc[_i].n, loc[_i].want_key, &off);

	if (!loc[_i].mark) {
		ck_assert_msg(rc == -1, "case %d: found at %zu", _i, off);
		ck_assert_uint_eq(off, 777);	/* untouched on failure */
	} else {
		const char *m = strstr(doc, loc[_i].mark);

		ck_assert_ptr_nonnull(m);
		ck_assert_ptr_null(strstr(m + 1, loc[_i].mark));	/* marks are unique */
		want = (size_t)(m - doc);
		ck_assert_msg(rc == 0, "case %d: not found", _i);
		ck_assert_msg(off == want, "case %d: at %zu \"%.8s\", want %zu", _i, off, doc + off,
			      want);
	}
	free(t);
}
END_TEST

/* FROM starts inside the document, at a value or whitespace before it. */
START_TEST(locate_from_inner)
{
	static const char s[] = "{\"a\": {\"b\": [1, 2]}, \"b\": 3}";
	size_t len = sizeof s - 1, from = 5, off;	/* the space after "a": */
	struct jsonc_step p[] = { K("b"), I(1) };
	char *t = exact(s, len);

	ck_assert_int_eq(jsonc_locate(t, len, from, p, 2, false, &off), 0);
	ck_assert_uint_eq(off, 16);
	ck_assert_int_eq(jsonc_locate(t, len, from, p, 1, true, &off), 0);
	ck_assert_uint_eq(off, 7);
	ck_assert_int_eq(jsonc_locate(t, len, 0, p, 1, true, &off), 0);
	ck_assert_uint_eq(off, 21);	/* from the top it is the other "b" */
	ck_assert_int_eq(jsonc_locate(t, len, 12, p + 1, 1, false, &off), 0);
	ck_assert_uint_eq(off, 16);
	ck_assert_int_eq(jsonc_locate(t, len, 13, p + 1, 1, false, &off), -1);	/* 1 is no array */
	ck_assert_int_eq(jsonc_locate(t, len, len, p, 1, false, &off), -1);
	free(t);
}
END_TEST

/* The way the loader uses it: strip, then positions in the stripped text
 * are positions in the file as written. */
START_TEST(locate_after_strip)
{
	static const char src[] =
		"\xEF\xBB\xBF// service tree\n"
		"{\n"
		"  /* the root */ \"strategy\": \"one_for_one\", // why\n"
		"  \"children\": [\n"
		"    { \"id\": \"a\", /* \"id\": \"b\" */ },\n"
		"    { \"id\": \"\xC3\xA9t\xC3\xA9\", \"cwd\": \"/tmp\", }, // last\n"
		"  ],\n"
		"}\n";
	size_t len = sizeof src - 1, off;
	struct jsonc_step p[] = { K("children"), I(1), K("cwd") };
	struct jsonc_error err;
	unsigned line, col;
	char *t = exact(src, len);

	ck_assert_int_eq(jsonc_strip(t, len, &err), 0);
	ck_assert_int_eq(jsonc_locate(t, len, 0, p, 3, false, &off), 0);
	ck_assert_uint_eq(off, (size_t)(strstr(src, "\"/tmp\"") - src));
	linecol(t, len, 3, off, &line, &col);
	ck_assert_uint_eq(line, 6);
	ck_assert_uint_eq(col, 27);	/* "été" is 3 columns, 5 bytes */
	ck_assert_int_eq(jsonc_locate(t, len, 0, p, 3, true, &off), 0);
	linecol(t, len, 3, off, &line, &col);
	ck_assert_uint_eq(line, 6);
	ck_assert_uint_eq(col, 20);
	p[1].index = 0;
	p[2].key = "id";
	ck_assert_int_eq(jsonc_locate(t, len, 0, p, 3, false, &off), 0);
	ck_assert_uint_eq(off, (size_t)(strstr(src, "\"a\"") - src));	/* not the commented one */
	p[1].index = 2;
	ck_assert_int_eq(jsonc_locate(t, len, 0, p, 2, false, &off), -1);	/* two children */
	free(t);
}
END_TEST

/* ---- jsonc_elements ------------------------------------------------- */

#define MAXEL 8

static const struct {
	const char *text;
	size_t from, n, found;
	size_t offs[MAXEL];
} els[] = {
	{ "[]", 0, 4, 0, { 0 } },
	{ "  [ \n ]", 0, 4, 0, { 0 } },
	{ "[1]", 0, 4, 1, { 1 } },
	{ "[ 1 , 2 ]", 0, 4, 2, { 2, 6 } },
	{ "\n[1,2,3]", 0, 4, 3, { 2, 4, 6 } },
	{ "[1,2,3]", 0, 3, 3, { 1, 3, 5 } },	/* N exactly */
	{ "[1,2,3]", 0, 2, 2, { 1, 3 } },		/* N short: stops there */
	{ "[1,2,3]", 0, 1, 1, { 1 } },
	{ "[1,2,3]", 0, 0, 0, { 0 } },
	{ "[\"a,]\", [2,[3]], {\"k\": [4,5]}, null, -1e3, true]", 0, 8, 6, { 1, 8, 17, 31, 37, 43 } },
	{ "{\"a\": [7, 8]}", 6, 8, 2, { 7, 10 } },
	{ "{\"a\": [7, 8]}", 5, 8, 2, { 7, 10 } },	/* leading space */
	{ "{\"a\": [7, 8]}", 0, 8, 0, { 0 } },	/* an object is no array */
	{ "1", 0, 8, 0, { 0 } },
	{ "\"[1]\"", 0, 8, 0, { 0 } },
	{ "", 0, 8, 0, { 0 } },
};

START_TEST(elements_table)
{
	size_t len = strlen(els[_i].text), offs[MAXEL + 1], found;
	char *t = exact(els[_i].text, len);

	for (size_t k = 0; k <= MAXEL; k++)
		offs[k] = 999;
	found = jsonc_elements(t, len, els[_i].from, offs, els[_i].n);
	ck_assert_msg(found == els[_i].found, "case %d: %zu found, want %zu", _i, found, els[_i].found);
	for (size_t k = 0; k < found; k++)
		ck_assert_msg(offs[k] == els[_i].offs[k], "case %d: [%zu] at %zu, want %zu", _i, k,
			      offs[k], els[_i].offs[k]);
	for (size_t k = found; k <= MAXEL; k++)
		ck_assert_uint_eq(offs[k], 999);	/* nothing written beyond */
	free(t);
}
END_TEST

/* elements agrees with locating each index on its own. */
START_TEST(elements_match_locate)
{
	static const char s[] = "[{\"a\": [1, 2]}, \"x\\\"]\", [], [[3]], 4.5, false, {}]";
	size_t len = sizeof s - 1, offs[16], found, off;
	char *t = exact(s, len);

	found = jsonc_elements(t, len, 0, offs, 16);
	ck_assert_uint_eq(found, 7);
	for (size_t k = 0; k < 8; k++) {
		struct jsonc_step p = I(k);
		int rc = jsonc_locate(t, len, 0, &p, 1, false, &off);

		if (k < found) {
			ck_assert_int_eq(rc, 0);
			ck_assert_uint_eq(off, offs[k]);
		} else {
			ck_assert_int_eq(rc, -1);
		}
	}
	free(t);
}
END_TEST

/* ---- jsonc_element_at, jsonc_member_at ------------------------------ */

/* The last step of each path in the locate table, taken with marks from
 * the container the steps before it reach, agrees with jsonc_locate:
 * the table read forwards, then backwards with the same marks, so that
 * marks are reused, stepped back from and shared by containers. */
START_TEST(marks_agree_with_locate)
{
	size_t len = sizeof doc - 1;
	struct jsonc_marks marks = { 0 };
	char *t = exact(doc, len);

	for (size_t r = 0; r < 2 * NELEM(loc); r++) {
		size_t c = r < NELEM(loc) ? r : 2 * NELEM(loc) - 1 - r, n = loc[c].n, from = 0;
		const struct jsonc_step *last = &loc[c].path[n ? n - 1 : 0];
		size_t want = 777, got = 777;
		int rc_want, rc;

		if (n == 0 || (last->key && strcmp(last->key, "dup") == 0))
			continue;	/* no step to take; keys given twice are out of its contract */
		if (n > 1 && jsonc_locate(t, len, 0, loc[c].path, n - 1, false, &from) < 0)
			continue;
		rc_want = jsonc_locate(t, len, from, last, 1, loc[c].want_key, &want);
		if (last->key)
			rc = jsonc_member_at(t, len, &marks, from, last->key, loc[c].want_key, &got);
		else if (loc[c].want_key)
			continue;
		else
			rc = jsonc_element_at(t, len, &marks, from, last->index, &got);
		ck_assert_msg(rc == rc_want && got == want, "case %zu: %d at %zu, want %d at %zu", c, rc, got,
			      rc_want, want);
	}
	free(t);
}
END_TEST

#define MANY 2000

/* The loader's way through a long array of objects: each element, then
 * keys and elements inside it. A byte is stepped over once by the array
 * and at most once inside its element: twice the text at most, where
 * locating each element from the array's start steps over the ones
 * before it again each time, some MANY / 2 times the text. */
START_TEST(marks_walk_the_text_once)
{
	size_t cap = MANY * 64, len = 0, off, key, inner, want;
	struct jsonc_marks marks = { 0 };
	char *s = malloc(cap), *t, name[16];

	ck_assert_ptr_nonnull(s);
	len += (size_t)sprintf(s + len, "[");
	for (int i = 0; i < MANY; i++)
		len += (size_t)sprintf(s + len, "%s{\"name\": \"e%d\", \"v\": [%d, %d]}", i ? ", " : "", i, i, -i);
	len += (size_t)sprintf(s + len, "]");
	t = exact(s, len);
	for (size_t i = 0; i < MANY; i++) {
		struct jsonc_step path[] = { I(i), K("v"), I(1) };

		ck_assert_int_eq(jsonc_element_at(t, len, &marks, 0, i, &off), 0);
		ck_assert_int_eq(jsonc_member_at(t, len, &marks, off, "name", true, &key), 0);
		ck_assert_int_eq(jsonc_member_at(t, len, &marks, off, "v", false, &inner), 0);
		ck_assert_int_eq(jsonc_element_at(t, len, &marks, inner, 1, &inner), 0);
		ck_assert_int_eq(jsonc_locate(t, len, 0, path, 3, false, &want), 0);
		ck_assert_uint_eq(inner, want);
		snprintf(name, sizeof name, "\"e%zu\"", i);
		ck_assert_int_eq(strncmp(t + key + strlen("\"name\": "), name, strlen(name)), 0);
	}
	ck_assert_msg(marks.walked <= 2 * len, "%zu bytes walked in a text of %zu", marks.walked, len);
	free(t);
	free(s);
}
END_TEST

/* An object's keys in the order written: each found from the last. */
START_TEST(marks_walk_an_object_once)
{
	size_t cap = MANY * 32, len = 0, off;
	struct jsonc_marks marks = { 0 };
	char *s = malloc(cap), *t, key[16];

	ck_assert_ptr_nonnull(s);
	len += (size_t)sprintf(s + len, "{");
	for (int i = 0; i < MANY; i++)
		len += (size_t)sprintf(s + len, "%s\"k%d\": [%d]", i ? ", " : "", i, i);
	len += (size_t)sprintf(s + len, "}");
	t = exact(s, len);
	for (int i = 0; i < MANY; i++) {
		snprintf(key, sizeof key, "k%d", i);
		ck_assert_int_eq(jsonc_member_at(t, len, &marks, 0, key, false, &off), 0);
		ck_assert_int_eq(atoi(t + off + 1), i);
	}
	ck_assert_msg(marks.walked <= len, "%zu bytes walked in a text of %zu", marks.walked, len);
	/* a key before the mark is found from the start; one not there is not */
	ck_assert_int_eq(jsonc_member_at(t, len, &marks, 0, "k1", true, &off), 0);
	ck_assert_int_eq(strncmp(t + off, "\"k1\"", 4), 0);
	ck_assert_int_eq(jsonc_member_at(t, len, &marks, 0, "k", true, &off), -1);
	free(t);
	free(s);
}
END_TEST

/* ---- jansson accepts the stripped text ------------------------------ */

START_TEST(jansson_accepts_stripped)
{
	static const char src[] =
		"\xEF\xBB\xBF/* Prospero\n"
		" * sample */\n"
		"{\n"
		"  // a comment with \"quotes\" and a trailing comma,]\n"
		"  \"name\": \"web // not a comment\",\n"
		"  \"cmd\": [\"/bin/sh\", \"-c\", \"echo /* kept */ \\\"x,]\\\"\",],\n"
		"  \"restart\": { \"intensity\": 3, \"period\": 5, /* sec */ },\n"
		"  \"env\": { \"A\": \"\\u00e9\", \"B\": \"\\\\\", }, // end\n"
		"  \"empty\": [ /* none */ ],\n"
		"  \"nested\": [[1,],[2, // two\n"
		"  ],],\n"
		"}\n"
		"// done";
	static const char want[] =
		"{\"name\": \"web // not a comment\","
		" \"cmd\": [\"/bin/sh\", \"-c\", \"echo /* kept */ \\\"x,]\\\"\"],"
		" \"restart\": {\"intensity\": 3, \"period\": 5},"
		" \"env\": {\"A\": \"\xC3\xA9\", \"B\": \"\\\\\"},"
		" \"empty\": [], \"nested\": [[1], [2]]}";
	size_t len = sizeof src - 1;
	struct jsonc_error err;
	json_error_t jerr;
	json_t *got, *exp;
	char *t = exact(src, len);

	/* the sample really needs the stripping */
	got = json_loadb(src, len, 0, &jerr);
	ck_assert_ptr_null(got);

	ck_assert_int_eq(jsonc_strip(t, len, &err), 0);
	got = json_loadb(t, len, 0, &jerr);
	ck_assert_msg(got != NULL, "jansson: %s at %d:%d", jerr.text, jerr.line, jerr.column);
	exp = json_loads(want, 0, &jerr);
	ck_assert_ptr_nonnull(exp);
	ck_assert(json_equal(got, exp));
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(got, "cmd"), 2)),
			 "echo /* kept */ \"x,]\"");
	json_decref(exp);
	json_decref(got);
	free(t);
}
END_TEST

/* A jansson error offset in the stripped text names the right line. */
START_TEST(jansson_error_position)
{
	static const char src[] = "{\n  /* c */ \"a\": [1,\n  // c\n  2 3],\n}\n";
	size_t len = sizeof src - 1;
	struct jsonc_error err;
	json_error_t jerr;
	unsigned line, col;
	char *t = exact(src, len);

	ck_assert_int_eq(jsonc_strip(t, len, &err), 0);
	ck_assert_ptr_null(json_loadb(t, len, 0, &jerr));
	linecol(t, len, 0, (size_t)jerr.position, &line, &col);
	ck_assert_uint_eq(line, 4);
	ck_assert_int_eq(jerr.line, 4);
	/* jansson's position is just past the offending token "3" */
	ck_assert_uint_eq(col, 6);
	ck_assert_int_eq(jerr.column, 5);
	free(t);
}
END_TEST

static Suite *jsonc_suite(void)
{
	Suite *s = suite_create("jsonc");
	TCase *tc;

	tc = tcase_create("strip");
	tcase_add_loop_test(tc, strip_table, 0, NELEM(strip_ok));
	tcase_add_loop_test(tc, strip_errors, 0, NELEM(strip_bad));
	tcase_add_test(tc, strip_respects_len);
	tcase_add_loop_test(tc, strip_idempotent, 0, NELEM(strip_ok));
	tcase_add_test(tc, strip_fuzz);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	tc = tcase_create("locate");
	tcase_add_loop_test(tc, locate_table, 0, NELEM(loc));
	tcase_add_test(tc, locate_from_inner);
	tcase_add_test(tc, locate_after_strip);
	tcase_add_loop_test(tc, elements_table, 0, NELEM(els));
	tcase_add_test(tc, elements_match_locate);
	tcase_add_test(tc, marks_agree_with_locate);
	tcase_add_test(tc, marks_walk_the_text_once);
	tcase_add_test(tc, marks_walk_an_object_once);
	suite_add_tcase(s, tc);

	tc = tcase_create("jansson");
	tcase_add_test(tc, jansson_accepts_stripped);
	tcase_add_test(tc, jansson_error_position);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = jsonc_suite };
