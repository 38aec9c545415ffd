/* The queue's bodies (src/proto/queue.c): round trips, and every
 * malformed shape refused with its reason, at the boundaries. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "src/proto/le.h"
#include "src/proto/queue.h"
#include "tests/common/runner.h"

START_TEST(a_batch_round_trips)
{
	struct iovec v[3] = { { "one", 3 }, { "", 0 }, { "three", 5 } };
	size_t len = pq_batch_size(v, 3);
	uint8_t *buf = malloc(len);
	struct pq_cursor c;
	const char *why = NULL;
	const void *m;
	size_t mlen;

	ck_assert_uint_eq(len, 4 + 3 * 4 + 8);
	pq_batch_encode(buf, v, 3);
	ck_assert_uint_eq(pp_get32(buf), 3);
	ck_assert_int_eq(pq_batch_check(buf, len, &c, &why), 0);
	ck_assert_uint_eq(c.left, 3);
	for (int i = 0; i < 3; i++) {
		pq_batch_next(&c, &m, &mlen);
		ck_assert_uint_eq(mlen, v[i].iov_len);
		ck_assert(memcmp(m, v[i].iov_base, mlen) == 0);
	}
	ck_assert_uint_eq(c.left, 0);
	ck_assert_ptr_eq(c.at, buf + len);
	free(buf);
}
END_TEST

static const char *batch_why(const void *body, size_t len)
{
	struct pq_cursor c;
	const char *why = NULL;

	ck_assert_int_eq(pq_batch_check(body, len, &c, &why), -1);
	return why;
}

START_TEST(a_malformed_batch_says_why)
{
	uint8_t b[64] = { 0 };
	uint8_t *big = calloc(1, 4 + 1001 * 4);

	ck_assert_str_eq(batch_why(b, 3), "shorter than its count");
	pp_put_le(b, 0, 4);
	ck_assert_str_eq(batch_why(b, 4), "an empty batch");
	pp_put_le(big, 1001, 4);
	ck_assert_str_eq(batch_why(big, 4 + 1001 * 4), "more messages than a batch may hold (1000)");
	/* 1000 empty messages: the most */
	pp_put_le(big, 1000, 4);
	{
		struct pq_cursor c;
		const char *why;

		ck_assert_int_eq(pq_batch_check(big, 4 + 1000 * 4, &c, &why), 0);
	}
	pp_put_le(b, 2, 4);
	pq_batch_put(b + 4, "x", 1);
	ck_assert_str_eq(batch_why(b, 9), "truncated: fewer messages than its count");
	ck_assert_str_eq(batch_why(b, 11), "truncated: fewer messages than its count");
	pp_put_le(b, 1, 4);
	pp_put_le(b + 4, 0xffffffffu, 4);	/* a length that would wrap */
	ck_assert_str_eq(batch_why(b, 12), "truncated: a message longer than what is left");
	pq_batch_put(b + 4, "x", 1);
	ck_assert_str_eq(batch_why(b, 10), "bytes after the last message");
	free(big);
}
END_TEST

START_TEST(a_delivery_round_trips)
{
	uint8_t buf[256];
	struct pq_msg in[2] = {
		{ .id = 1ull << 40, .enqueued_ms = 1764049200123ull, .attempt = 1, .body = "abc", .len = 3 },
		{ .id = 7, .enqueued_ms = 1, .attempt = 4, .body = "", .len = 0 },
	}, out;
	size_t at = PQ_COUNT_LEN;
	struct pq_cursor c;
	const char *why;

	pq_count_encode(buf, 2);
	for (int i = 0; i < 2; i++) {
		pq_msg_encode(buf + at, &in[i]);
		at += pq_msg_size(in[i].len);
	}
	ck_assert_uint_eq(at, 4 + 24 + 3 + 24);
	ck_assert_int_eq(pq_deliver_check(buf, at, &c, &why), 0);
	for (int i = 0; i < 2; i++) {
		pq_deliver_next(&c, &out);
		ck_assert_uint_eq(out.id, in[i].id);
		ck_assert_uint_eq(out.enqueued_ms, in[i].enqueued_ms);
		ck_assert_uint_eq(out.attempt, in[i].attempt);
		ck_assert_uint_eq(out.len, in[i].len);
		ck_assert(memcmp(out.body, in[i].body, out.len) == 0);
	}
	/* one byte short, one byte over */
	ck_assert_int_eq(pq_deliver_check(buf, at - 1, &c, &why), -1);
	ck_assert_str_eq(why, "truncated: fewer messages than its count");
	ck_assert_int_eq(pq_deliver_check(buf, at + 1, &c, &why), -1);
	ck_assert_str_eq(why, "bytes after the last message");
	/* an empty delivery is well formed */
	pq_count_encode(buf, 0);
	ck_assert_int_eq(pq_deliver_check(buf, 4, &c, &why), 0);
}
END_TEST

START_TEST(an_answer_round_trips_and_its_verdicts_are_checked)
{
	struct pq_verdict in[2] = { { 5, PQ_ACK, 0 }, { 6, PQ_RETRY, 250 } }, out;
	uint8_t buf[64];
	struct pq_cursor c;
	const char *why;

	ck_assert_uint_eq(pq_answer_size(2), 36);
	pq_answer_encode(buf, in, 2);
	ck_assert_int_eq(pq_answer_check(buf, 36, &c, &why), 0);
	for (int i = 0; i < 2; i++) {
		pq_answer_next(&c, &out);
		ck_assert_uint_eq(out.id, in[i].id);
		ck_assert_uint_eq(out.verdict, in[i].verdict);
		ck_assert_uint_eq(out.delay_ms, in[i].delay_ms);
	}
	ck_assert_int_eq(pq_answer_check(buf, 35, &c, &why), -1);
	ck_assert_int_eq(pq_answer_check(buf, 37, &c, &why), -1);
	ck_assert_int_eq(pq_answer_check(buf, 2, &c, &why), -1);
	ck_assert_str_eq(why, "shorter than its count");
	pp_put_le(buf + 4 + 16 + 8, 2, 4);	/* neither ack nor retry */
	ck_assert_int_eq(pq_answer_check(buf, 36, &c, &why), -1);
	ck_assert_str_eq(why, "a verdict neither ack (0) nor retry (1)");
	/* a count far beyond the body is refused, not followed */
	pp_put_le(buf, 0xffffffffu, 4);
	ck_assert_int_eq(pq_answer_check(buf, 36, &c, &why), -1);
}
END_TEST

START_TEST(the_sent_reply_is_twelve_bytes)
{
	uint8_t buf[PQ_SENT_LEN];
	uint64_t first;
	uint32_t n;

	pq_sent_encode(buf, 0x0102030405060708ull, 100);
	ck_assert_uint_eq(buf[0], 0x08);
	ck_assert_int_eq(pq_sent_decode(buf, sizeof buf, &first, &n), 0);
	ck_assert_uint_eq(first, 0x0102030405060708ull);
	ck_assert_uint_eq(n, 100);
	ck_assert_int_eq(pq_sent_decode(buf, sizeof buf - 1, &first, &n), -1);
	ck_assert_int_eq(errno, EBADMSG);
}
END_TEST

START_TEST(sizes_that_would_overflow_are_refused)
{
	struct iovec v[2] = { { NULL, SIZE_MAX - 2 }, { NULL, 1 } };

	ck_assert_uint_eq(pq_batch_size(v, 1), SIZE_MAX);
	v[0].iov_len = (size_t)UINT32_MAX + 1;
	ck_assert_uint_eq(pq_batch_size(v, 1), SIZE_MAX);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("queue_wire");
	TCase *tc = tcase_create("queue_wire");

	tcase_add_test(tc, a_batch_round_trips);
	tcase_add_test(tc, a_malformed_batch_says_why);
	tcase_add_test(tc, a_delivery_round_trips);
	tcase_add_test(tc, an_answer_round_trips_and_its_verdicts_are_checked);
	tcase_add_test(tc, the_sent_reply_is_twelve_bytes);
	tcase_add_test(tc, sizes_that_would_overflow_are_refused);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
