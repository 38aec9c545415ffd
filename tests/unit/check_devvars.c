/* The .dev.vars parser on buffers: every rule of the format, line numbers,
 * the exact messages (which never show a value), and the edges: an empty
 * file, no final newline, a buffer that is not a string, the longest
 * name. */

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sandbox/secrets/devvars.h"
#include "sandbox/secrets/name.h"
#include "tests/common/runner.h"

#define PATH "/etc/app/.dev.vars"
/* a value that must never appear in a message */
#define VALUE "s3cr3t-VALUE"

static struct sb_devvars vars;
static char err[512];

static void setup(void)
{
	vars = (struct sb_devvars){ 0 };
	err[0] = '\0';
}

static void teardown(void)
{
	sb_devvars_free(&vars);
}

static int parse(const char *text, size_t len)
{
	return sb_devvars_parse(PATH, text, len, &vars, err, sizeof(err));
}

/* NAME's value as a string, or NULL if it is not set. */
static const char *value(const char *name)
{
	static char buf[256];
	const struct sb_devvar *v = sb_devvars_find(&vars, name, strlen(name));

	if (!v)
		return NULL;
	ck_assert_uint_lt(v->val_len, sizeof(buf));
	memcpy(buf, v->val, v->val_len);
	buf[v->val_len] = '\0';
	return buf;
}

START_TEST(the_format)
{
	static const char text[] =
		"# a comment\n"
		"\n"
		"   \t\n"
		"   # an indented comment\n"
		"PLAIN=plain\n"
		"SPACED =  spaced value  \n"
		"QUOTED=\"  quoted value  \"\n"
		"TWICE=\"\"twice\"\"\n"
		"SINGLE='single'\n"
		"HALF=\"half\n"
		"EQUALS=a=b=c\n"
		"HASH=value # not a comment\n"
		"EMPTY=\n"
		"EMPTYQ=\"\"\n"
		"CRLF=crlf\r\n"
		"\tINDENTED=yes\n"
		"LAST=no newline";

	ck_assert_int_eq(parse(text, sizeof(text) - 1), 0);
	ck_assert_uint_eq(vars.n, 13);
	ck_assert_str_eq(value("PLAIN"), "plain");
	ck_assert_str_eq(value("SPACED"), "spaced value");
	ck_assert_str_eq(value("QUOTED"), "  quoted value  ");
	ck_assert_str_eq(value("TWICE"), "\"twice\"");	/* one pair only */
	ck_assert_str_eq(value("SINGLE"), "'single'");
	ck_assert_str_eq(value("HALF"), "\"half");
	ck_assert_str_eq(value("EQUALS"), "a=b=c");
	ck_assert_str_eq(value("HASH"), "value # not a comment");
	ck_assert_str_eq(value("EMPTY"), "");
	ck_assert_str_eq(value("EMPTYQ"), "");
	ck_assert_str_eq(value("CRLF"), "crlf");
	ck_assert_str_eq(value("INDENTED"), "yes");
	ck_assert_str_eq(value("LAST"), "no newline");
	ck_assert_ptr_null(value("a"));		/* "# a comment" defines nothing */
	ck_assert_ptr_null(value("PLAI"));	/* names match whole */
	ck_assert_uint_eq(sb_devvars_find(&vars, "PLAIN", 5)->line, 5);
	ck_assert_uint_eq(sb_devvars_find(&vars, "LAST", 4)->line, 17);
}
END_TEST

START_TEST(empty_and_blank_files)
{
	ck_assert_int_eq(parse("", 0), 0);
	ck_assert_uint_eq(vars.n, 0);
	ck_assert_int_eq(parse("\n\n# only a comment\r\n  \n", 23), 0);
	ck_assert_uint_eq(vars.n, 0);
	ck_assert_int_eq(parse("\r", 1), 0);
	ck_assert_uint_eq(vars.n, 0);
}
END_TEST

/* The parser reads LEN bytes and no further: the file buffer need not be
 * a string, and a NUL byte is part of a value. */
START_TEST(bytes_not_strings)
{
	static const char text[] = "A=x\0y\nB=2\nC=beyond";
	const struct sb_devvar *a;

	ck_assert_int_eq(parse(text, 10), 0);
	ck_assert_uint_eq(vars.n, 2);
	a = sb_devvars_find(&vars, "A", 1);
	ck_assert_ptr_nonnull(a);
	ck_assert_uint_eq(a->val_len, 3);
	ck_assert_mem_eq(a->val, "x\0y", 3);
	ck_assert_ptr_null(value("C"));
}
END_TEST

START_TEST(longest_name)
{
	char text[SB_SECRET_NAME_MAX + 16];

	memset(text, 'N', SB_SECRET_NAME_MAX);
	memcpy(text + SB_SECRET_NAME_MAX, "=v\n", 3);
	ck_assert_int_eq(parse(text, SB_SECRET_NAME_MAX + 3), 0);
	ck_assert_uint_eq(vars.v[0].name_len, SB_SECRET_NAME_MAX);

	sb_devvars_free(&vars);
	memset(text, 'N', SB_SECRET_NAME_MAX + 1);
	memcpy(text + SB_SECRET_NAME_MAX + 1, "=v\n", 3);
	ck_assert_int_eq(parse(text, SB_SECRET_NAME_MAX + 4), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(err, PATH ":1: invalid secret name (expected [A-Za-z_][A-Za-z0-9_.-]*, at most 128 characters)");
}
END_TEST

START_TEST(errors_name_the_line_not_the_value)
{
	static const struct { const char *text; const char *msg; } bad[] = {
		{ "OK=1\n" VALUE "\n", PATH ":2: expected NAME=value" },
		{ "export OK=" VALUE "\n", PATH ":1: invalid secret name (expected [A-Za-z_][A-Za-z0-9_.-]*, at most 128 characters)" },
		{ "\n\n=" VALUE "\n", PATH ":3: invalid secret name (expected [A-Za-z_][A-Za-z0-9_.-]*, at most 128 characters)" },
		{ "1X=" VALUE "\n", PATH ":1: invalid secret name (expected [A-Za-z_][A-Za-z0-9_.-]*, at most 128 characters)" },
		{ "OK=1\n#\nOK=" VALUE "\n", PATH ":3: \"OK\" is already set on line 1" },
		{ "A=1\r\nB\r\n", PATH ":2: expected NAME=value" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		errno = 0;
		ck_assert_int_eq(parse(bad[i].text, strlen(bad[i].text)), -1);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_str_eq(err, bad[i].msg);
		ck_assert_msg(strstr(err, "s3cr3t") == NULL, "value in message: %s", err);
		sb_devvars_free(&vars);
	}
}
END_TEST

/* More entries than the table's first allocation. */
START_TEST(many_entries)
{
	char text[200 * 16];
	size_t len = 0;

	for (int i = 0; i < 200; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "K%d=%d\n", i, i * 7);
	ck_assert_int_eq(parse(text, len), 0);
	ck_assert_uint_eq(vars.n, 200);
	ck_assert_str_eq(value("K0"), "0");
	ck_assert_str_eq(value("K199"), "1393");
	ck_assert_uint_eq(sb_devvars_find(&vars, "K150", 4)->line, 151);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("devvars");
	TCase *tc = tcase_create("devvars");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, the_format);
	tcase_add_test(tc, empty_and_blank_files);
	tcase_add_test(tc, bytes_not_strings);
	tcase_add_test(tc, longest_name);
	tcase_add_test(tc, errors_name_the_line_not_the_value);
	tcase_add_test(tc, many_entries);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
