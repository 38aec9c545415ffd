/* An actor's STATUS= text as the daemon keeps it (src/daemon/status_text):
 * escaped as actor output is, UTF-8 whatever was sent, and cut where a
 * whole character or escape ends. */
#include <check.h>
#include <jansson.h>
#include <string.h>

#include "src/daemon/instance.h"
#include "src/daemon/status_text.h"
#include "tests/common/runner.h"

/* SRC (N bytes) kept in CAP bytes: the text, its length checked. */
static const char *kept(const char *src, size_t n, size_t cap)
{
	static char buf[1024];
	size_t len;

	ck_assert_uint_le(cap, sizeof buf);
	memset(buf, 'Z', sizeof buf);
	len = status_text(buf, cap, src, n);
	ck_assert_uint_lt(len, cap);
	ck_assert_uint_eq(strlen(buf), len);
	return buf;
}

/* A jansson string of S: NULL unless S is UTF-8, as JSON needs. */
static bool is_utf8(const char *s)
{
	json_t *v = json_string(s);

	json_decref(v);
	return v != NULL;
}

START_TEST(text_is_copied_and_controls_escaped_as_output_is)
{
	ck_assert_str_eq(kept("3 jobs\tqueued", 13, 256), "3 jobs\tqueued");
	ck_assert_str_eq(kept("a\x1b[2Jb\rc\nd\x7f", 11, 256), "a\\x1b[2Jb\\rc\\x0ad\\x7f");
	ck_assert_str_eq(kept("a\0b", 3, 256), "a\\0b");
	ck_assert_str_eq(kept("", 0, 256), "");
	ck_assert_str_eq(kept("x", 1, 1), "");
}
END_TEST

START_TEST(utf8_is_kept_whole_from_one_to_four_bytes)
{
	/* é, €, U+10FFFF, U+00A0 (the first past the C1 controls) */
	static const char s[] = "\xc3\xa9 \xe2\x82\xac \xf4\x8f\xbf\xbf \xc2\xa0";

	ck_assert_str_eq(kept(s, sizeof s - 1, 256), s);
}
END_TEST

/* The old daemon cut the 128th é in half at 255 bytes: not UTF-8, and
 * `status --json` then showed 255 '?'. */
START_TEST(a_long_text_is_cut_where_a_character_ends)
{
	char src[400], want[300] = "";
	const char *got;

	for (int i = 0; i < 200; i++)
		memcpy(src + 2 * i, "\xc3\xa9", 2);
	for (int i = 0; i < 127; i++)
		strcat(want, "\xc3\xa9");
	got = kept(src, 400, INSTANCE_STATUS_MAX);
	ck_assert_str_eq(got, want);
	ck_assert(is_utf8(got));
	/* one byte of room more, and the 128th fits */
	ck_assert_uint_eq(strlen(kept(src, 400, INSTANCE_STATUS_MAX + 1)), 256);
	/* four-byte characters: 63 of them, 252 bytes; the 64th would be 256 */
	for (int i = 0; i < 100; i++)
		memcpy(src + 4 * i, "\xf0\x9f\x98\x80", 4);
	ck_assert_uint_eq(strlen(kept(src, 400, INSTANCE_STATUS_MAX)), 252);
	/* ASCII: 255 bytes exactly */
	memset(src, 'a', sizeof src);
	ck_assert_uint_eq(strlen(kept(src, sizeof src, INSTANCE_STATUS_MAX)), 255);
	/* and never half an escape: "\x1b" would end at 256 */
	memset(src, 'a', 252);
	src[252] = '\x1b';
	ck_assert_uint_eq(strlen(kept(src, 253, INSTANCE_STATUS_MAX)), 252);
}
END_TEST

/* What is not UTF-8 is escaped byte by byte, so the text stays UTF-8 and
 * says which bytes were sent. */
START_TEST(bytes_that_are_not_utf8_are_escaped)
{
	static const struct { const char *src, *want; } t[] = {
		{ "a\xff" "b", "a\\xffb" },
		{ "\x80\xbf", "\\x80\\xbf" },				/* continuation bytes alone */
		{ "\xc3", "\\xc3" },					/* cut short at the end */
		{ "\xc3(", "\\xc3(" },					/* cut short by ASCII */
		{ "\xe2\x82", "\\xe2\\x82" },				/* two of three */
		{ "\xc0\xaf", "\\xc0\\xaf" },				/* overlong '/' */
		{ "\xe0\x80\xaf", "\\xe0\\x80\\xaf" },			/* overlong, three bytes */
		{ "\xf0\x80\x80\xaf", "\\xf0\\x80\\x80\\xaf" },		/* overlong, four bytes */
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },			/* a surrogate, U+D800 */
		{ "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },		/* past U+10FFFF */
		{ "\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80" },
		{ "\xc2\x85\xc2\x9b", "\\xc2\\x85\\xc2\\x9b" },		/* C1 controls: NEL, CSI */
		{ "\xe9\x80\xc3\xa9", "\\xe9\\x80\xc3\xa9" },		/* a bad start, then é */
	};

	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		const char *got = kept(t[i].src, strlen(t[i].src), 256);

		ck_assert_msg(strcmp(got, t[i].want) == 0, "%zu: %s, not %s", i, got, t[i].want);
		ck_assert(is_utf8(got));
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("status_text");
	TCase *tc = tcase_create("status_text");

	tcase_add_test(tc, text_is_copied_and_controls_escaped_as_output_is);
	tcase_add_test(tc, utf8_is_kept_whole_from_one_to_four_bytes);
	tcase_add_test(tc, a_long_text_is_cut_where_a_character_ends);
	tcase_add_test(tc, bytes_that_are_not_utf8_are_escaped);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
