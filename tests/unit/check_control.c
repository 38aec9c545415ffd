/* src/proto/control: the control channel's messages, both ways. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/proto/control.h"
#include "tests/common/runner.h"

/* Parse TEXT from a buffer with exactly the one byte beyond it that the
 * parser may write, so ASan sees any read or write past it. */
static void parse_n(const char *text, size_t len, struct pp_notify *m)
{
	static char *buf;

	free(buf);
	buf = malloc(len + 1);
	memcpy(buf, text, len);
	m->pid = 42;
	pp_notify_parse(buf, len, m);
	ck_assert_int_eq(m->pid, 42);	/* the kernel's to say, not the text's */
}

static void parse(const char *text, struct pp_notify *m)
{
	parse_n(text, strlen(text), m);
}

START_TEST(assignments_are_recognised)
{
	struct pp_notify m;

	parse("READY=1\nSTATUS=warming up\nWATCHDOG=1", &m);
	ck_assert(m.ready && m.watchdog && !m.stopping);
	ck_assert_str_eq(m.status, "warming up");
	parse("STOPPING=1\n", &m);
	ck_assert(m.stopping && !m.ready);
	ck_assert_ptr_null(m.status);
	parse("STATUS=", &m);
	ck_assert_str_eq(m.status, "");
}
END_TEST

/* A NUL inside STATUS= is text, escaped as \0 where it is kept: the
 * old parser's status ended there, and the rest was lost unseen. */
START_TEST(a_status_keeps_what_follows_a_nul)
{
	struct pp_notify m;

	parse_n("STATUS=a\0b\nREADY=1", sizeof "STATUS=a\0b\nREADY=1" - 1, &m);
	ck_assert(m.ready);
	ck_assert_uint_eq(m.status_len, 3);
	ck_assert_mem_eq(m.status, "a\0b", 3);
	parse("STATUS=warming up", &m);
	ck_assert_uint_eq(m.status_len, 10);
	parse("READY=1", &m);
	ck_assert_ptr_null(m.status);
	ck_assert_uint_eq(m.status_len, 0);
}
END_TEST

START_TEST(near_misses_are_not_readiness)
{
	struct pp_notify m;

	parse("READY=0\nREADY=11\nXREADY=1\nready=1\nREADY=1 \nSTATUS", &m);
	ck_assert(!m.ready && !m.stopping && !m.watchdog);
	ck_assert_ptr_null(m.status);
	parse("", &m);
	ck_assert(!m.ready);
	parse("\n\n\nWATCHDOG=1", &m);
	ck_assert(m.watchdog);
}
END_TEST

START_TEST(a_status_is_one_line)
{
	char buf[16];

	ck_assert_int_eq(pp_status_format(buf, sizeof buf, "up"), 9);
	ck_assert_str_eq(buf, "STATUS=up");
	errno = 0;
	ck_assert_int_eq(pp_status_format(buf, sizeof buf, "up\nREADY=1"), -1);
	ck_assert_int_eq(errno, EINVAL);
	/* "STATUS=" and 8 bytes fill 15 of 16; one more does not fit */
	ck_assert_int_eq(pp_status_format(buf, sizeof buf, "12345678"), 15);
	errno = 0;
	ck_assert_int_eq(pp_status_format(buf, sizeof buf, "123456789"), -1);
	ck_assert_int_eq(errno, EINVAL);
	errno = 0;
	ck_assert_int_eq(pp_status_format(buf, sizeof buf, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* STATUS=TEXT of TEXT: its length, the message checked. */
static int status_of(const char *text, char *buf)
{
	int n = pp_status_format(buf, PP_STATUS_MSG_MAX + 1, text);

	ck_assert_int_ge(n, 7);
	ck_assert_uint_eq(strlen(buf), (size_t)n);
	ck_assert(memcmp(buf, "STATUS=", 7) == 0 && memcmp(buf + 7, text, (size_t)n - 7) == 0);
	return n - 7;
}

/* Longer text is cut as the daemon cuts what it keeps (status_text.h):
 * at 255 bytes, never inside a well-formed UTF-8 character. */
START_TEST(a_long_status_is_cut_where_a_character_ends)
{
	char text[1024], buf[PP_STATUS_MSG_MAX + 1];

	memset(text, 'a', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	ck_assert_int_eq(status_of(text, buf), PP_STATUS_MAX);
	text[PP_STATUS_MAX] = '\0';
	ck_assert_int_eq(status_of(text, buf), PP_STATUS_MAX);
	text[PP_STATUS_MAX] = 'a';
	/* é: the 128th would end at 256; a 4-byte character at 252 would too */
	for (int i = 0; i < 200; i++)
		memcpy(text + 2 * i, "\xc3\xa9", 2);
	ck_assert_int_eq(status_of(text, buf), 254);
	memcpy(text + 252, "\xf0\x9f\x98\x80", 4);
	ck_assert_int_eq(status_of(text, buf), 252);
	memcpy(text + 252, "\xe2\x82\xac", 3);	/* €, to 255 exactly */
	ck_assert_int_eq(status_of(text, buf), 255);
	/* a byte that starts no character is one byte: cut after it */
	memcpy(text + 252, "aa\xc3x", 4);
	ck_assert_int_eq(status_of(text, buf), 255);
	memcpy(text + 252, "aaa\xa9", 4);
	ck_assert_int_eq(status_of(text, buf), 255);
	/* a newline past the cut is refused all the same */
	text[900] = '\n';
	errno = 0;
	ck_assert_int_eq(pp_status_format(buf, sizeof buf, text), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* The bytes the README documents, and the parse of what was written. */
START_TEST(peer_restarted_round_trips)
{
	static const char want[] = "PEER_RESTARTED=INVENTORY\nINCARNATION=3\n";
	char buf[64], name[16];
	unsigned long inc = 99;

	ck_assert_int_eq(pp_peer_restarted_format(buf, sizeof buf, "INVENTORY", 3), sizeof want - 1);
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(pp_peer_restarted_parse(buf, strlen(buf), name, sizeof name, &inc), 1);
	ck_assert_str_eq(name, "INVENTORY");
	ck_assert_uint_eq(inc, 3);
	/* exactly the room it needs, and one byte less */
	ck_assert_int_eq(pp_peer_restarted_format(buf, sizeof want, "INVENTORY", 3), sizeof want - 1);
	errno = 0;
	ck_assert_int_eq(pp_peer_restarted_format(buf, sizeof want - 1, "INVENTORY", 3), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
}
END_TEST

static int peer(const char *msg, char *name, size_t cap, unsigned long *inc)
{
	*inc = 99;
	return pp_peer_restarted_parse(msg, strlen(msg), name, cap, inc);
}

START_TEST(peer_restarted_parse_edges)
{
	char name[8];
	unsigned long inc;

	/* other messages are not it */
	ck_assert_int_eq(peer("STOP=1\n", name, sizeof name, &inc), 0);
	ck_assert_uint_eq(inc, 0);
	ck_assert_int_eq(peer("PEER_RESTARTEDX=A\n", name, sizeof name, &inc), 0);
	ck_assert_int_eq(peer("PEER_RESTARTED=\n", name, sizeof name, &inc), 0);
	ck_assert_int_eq(peer("PEER_RESTARTED", name, sizeof name, &inc), 0);
	/* a name of 7 bytes fits 8 with its NUL; 8 does not */
	ck_assert_int_eq(peer("PEER_RESTARTED=ABCDEFG", name, sizeof name, &inc), 1);
	ck_assert_str_eq(name, "ABCDEFG");
	ck_assert_uint_eq(inc, 0);	/* no INCARNATION: unknown */
	ck_assert_int_eq(peer("PEER_RESTARTED=ABCDEFGH", name, sizeof name, &inc), 0);
	/* any order; a bad number is unknown, the name still counts */
	ck_assert_int_eq(peer("INCARNATION=12\nPEER_RESTARTED=A", name, sizeof name, &inc), 1);
	ck_assert_uint_eq(inc, 12);
	static const char *const bad[] = {
		"", "x1", "1x", "-1", " 1", "123456789012345678901234",
		"18446744073709551616",	/* one more than fits: not the maximum */
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		char msg[96];

		snprintf(msg, sizeof msg, "PEER_RESTARTED=A\nINCARNATION=%s\n", bad[i]);
		ck_assert_int_eq(peer(msg, name, sizeof name, &inc), 1);
		ck_assert_msg(inc == 0, "INCARNATION=%s gave %lu", bad[i], inc);
	}
	ck_assert_int_eq(peer("PEER_RESTARTED=A\nINCARNATION=18446744073709551615\n", name, sizeof name, &inc), 1);
	ck_assert_uint_eq(inc, 18446744073709551615ul);
}
END_TEST

/* A NUL would end a name or a number early in C: such a name is not
 * taken, such a number is unknown (found by fuzz_control). */
START_TEST(peer_restarted_with_a_nul)
{
	static const char in_name[] = "PEER_RESTARTED=AB\0CD\nINCARNATION=3\n";
	static const char in_number[] = "PEER_RESTARTED=AB\nINCARNATION=12\0003\n";
	char name[8];
	unsigned long inc = 99;

	ck_assert_int_eq(pp_peer_restarted_parse(in_name, sizeof in_name - 1, name, sizeof name, &inc), 0);
	ck_assert_uint_eq(inc, 0);
	ck_assert_int_eq(pp_peer_restarted_parse(in_number, sizeof in_number - 1, name, sizeof name, &inc), 1);
	ck_assert_str_eq(name, "AB");
	ck_assert_uint_eq(inc, 0);
}
END_TEST

/* Only LEN bytes are read: a message is a datagram, not a string. */
START_TEST(peer_restarted_reads_no_further_than_len)
{
	static const char msg[] = "PEER_RESTARTED=AB\nINCARNATION=17\n";
	char *exact = malloc(sizeof msg - 1), name[8];
	unsigned long inc;

	memcpy(exact, msg, sizeof msg - 1);	/* no NUL */
	ck_assert_int_eq(pp_peer_restarted_parse(exact, sizeof msg - 1, name, sizeof name, &inc), 1);
	ck_assert_str_eq(name, "AB");
	ck_assert_uint_eq(inc, 17);
	/* cut inside the number: its first digit only */
	ck_assert_int_eq(pp_peer_restarted_parse(exact, sizeof msg - 3, name, sizeof name, &inc), 1);
	ck_assert_uint_eq(inc, 1);
	ck_assert_int_eq(pp_peer_restarted_parse(exact, 16, name, sizeof name, &inc), 1);
	ck_assert_str_eq(name, "A");
	ck_assert_int_eq(pp_peer_restarted_parse(exact, 15, name, sizeof name, &inc), 0);
	free(exact);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("control");

	tcase_add_test(tc, assignments_are_recognised);
	tcase_add_test(tc, a_status_keeps_what_follows_a_nul);
	tcase_add_test(tc, near_misses_are_not_readiness);
	tcase_add_test(tc, a_status_is_one_line);
	tcase_add_test(tc, a_long_status_is_cut_where_a_character_ends);
	tcase_add_test(tc, peer_restarted_round_trips);
	tcase_add_test(tc, peer_restarted_parse_edges);
	tcase_add_test(tc, peer_restarted_with_a_nul);
	tcase_add_test(tc, peer_restarted_reads_no_further_than_len);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
