#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "src/proto/error.h"
#include "src/proto/frame.h"
#include "src/proto/notice.h"
#include "tests/common/runner.h"

static unsigned char buf[PF_MAX_DGRAM + 64];

static long enc(int kind, uint64_t id, const char *method, const char *body)
{
	struct pf_frame f = {
		.kind = (uint8_t)kind, .id = id, .method = method,
		.method_len = (uint16_t)(method ? strlen(method) : 0),
		.body = body, .body_len = (uint32_t)(body ? strlen(body) : 0),
	};

	return pf_encode(buf, sizeof buf, &f);
}

START_TEST(every_kind_round_trips)
{
	static const struct { int kind; uint64_t id; const char *method, *body; } cases[] = {
		{ PF_CALL, 0x0102030405060708ull, "get", "{\"sku\":1}" },
		{ PF_REPLY, 7, NULL, "{\"ok\":true}" },
		{ PF_ERROR, 9, "no_such_method", "nope" },
		{ PF_CAST, 0, "log", "" },
	};

	for (unsigned i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct pf_frame f;
		const char *why = NULL;
		long n = enc(cases[i].kind, cases[i].id, cases[i].method, cases[i].body);

		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(pf_decode(buf, (size_t)n, &f, &why), n);
		ck_assert_int_eq(f.kind, cases[i].kind);
		ck_assert(f.id == cases[i].id);
		ck_assert_uint_eq(f.method_len, cases[i].method ? strlen(cases[i].method) : 0);
		if (cases[i].method)
			ck_assert(memcmp(f.method, cases[i].method, f.method_len) == 0);
		ck_assert_uint_eq(f.body_len, strlen(cases[i].body));
		ck_assert(memcmp(f.body, cases[i].body, f.body_len) == 0);
	}
}
END_TEST

START_TEST(the_header_is_little_endian_as_documented)
{
	static const unsigned char want[] = {
		'P', 'R', 1, PF_CALL, 0, 0, 3, 0, 2, 0, 0, 0,
		0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01,
		'g', 'e', 't', '{', '}',
	};

	ck_assert_int_eq(enc(PF_CALL, 0x0102030405060708ull, "get", "{}"), sizeof want);
	ck_assert(memcmp(buf, want, sizeof want) == 0);
}
END_TEST

START_TEST(every_truncation_is_rejected)
{
	struct pf_frame f;
	const char *why;
	long n = enc(PF_CALL, 42, "method", "some body");

	for (long len = 0; len < n; len++) {
		why = NULL;
		errno = 0;
		ck_assert_int_eq(pf_decode(buf, (size_t)len, &f, &why), -1);
		ck_assert_int_eq(errno, EBADMSG);
		ck_assert_ptr_nonnull(why);
		/* past the fixed header the call can still be answered */
		if (len >= PF_HEADER) {
			ck_assert_int_eq(f.kind, PF_CALL);
			ck_assert(f.id == 42);
		}
	}
}
END_TEST

static const char *corrupt(size_t at, unsigned char v)
{
	struct pf_frame f;
	const char *why = NULL;
	long n = enc(PF_CALL, 5, "m", "b");

	buf[at] = v;
	ck_assert_int_eq(pf_decode(buf, (size_t)n, &f, &why), -1);
	return why;
}

START_TEST(bad_headers_say_why)
{
	ck_assert_str_eq(corrupt(0, 'X'), "bad magic");
	ck_assert_str_eq(corrupt(1, 'X'), "bad magic");
	ck_assert_str_eq(corrupt(2, 2), "unsupported version");
	ck_assert_str_eq(corrupt(3, 0), "unknown kind");
	ck_assert_str_eq(corrupt(3, 5), "unknown kind");
	ck_assert_str_eq(corrupt(4, 0x80), "unknown flags");
	ck_assert_str_eq(corrupt(5, 1), "reserved byte not zero");
	ck_assert_str_eq(corrupt(6, 0), "missing method name");
	ck_assert_str_eq(corrupt(7, 1), "method name too long");
	ck_assert_str_eq(corrupt(8, 200), "truncated frame");
	/* what a datagram cannot hold is cut short, as the Python peer says */
	ck_assert_str_eq(corrupt(11, 0xff), "truncated frame");
	ck_assert_str_eq(corrupt(12, 0), "id 0 is reserved for casts and notices");
}
END_TEST

/* README "Malformed input": a header could be read when its 20 bytes are
 * there and start with the magic, whatever the version, since the magic
 * and the places of version, kind and id are the same in every version.
 * Then its kind and id are known and a call can be answered; otherwise
 * nothing is known of the frame. */
START_TEST(only_a_header_with_the_magic_is_known)
{
	struct pf_frame f;
	long n = enc(PF_CALL, 77, "m", "b");

	buf[2] = 2;
	ck_assert_int_eq(pf_decode(buf, (size_t)n, &f, NULL), -1);
	ck_assert_int_eq(f.kind, PF_CALL);
	ck_assert(f.id == 77);
	n = enc(PF_CALL, 77, "m", "b");
	buf[1] = 'X';
	ck_assert_int_eq(pf_decode(buf, (size_t)n, &f, NULL), -1);
	ck_assert_int_eq(f.kind, 0);
	ck_assert(f.id == 0);
	n = enc(PF_CALL, 77, "m", "b");
	ck_assert_int_eq(pf_decode(buf, PF_HEADER - 1, &f, NULL), -1);
	ck_assert_int_eq(f.kind, 0);
	ck_assert(f.id == 0);
}
END_TEST

/* An error with id 0 is the daemon's notice on a binding; a reply with id
 * 0 answers nothing and stays malformed. */
START_TEST(an_error_with_id_0_is_a_notice)
{
	struct pf_frame f;
	const char *why = NULL;
	long n = pf_encode_notice(buf, sizeof buf, 2, 123456789012345ull);
	unsigned long inc;
	uint64_t at;

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(pf_decode(buf, (size_t)n, &f, &why), n);
	ck_assert_int_eq(f.kind, PF_ERROR);
	ck_assert_int_eq(pf_error_code(f.method, f.method_len), PROSPERO_E_PEER_RESTARTED);
	ck_assert_int_eq(f.body_len, strlen("{\"incarnation\":2,\"at\":123456789012345}"));
	ck_assert(memcmp(f.body, "{\"incarnation\":2,\"at\":123456789012345}", f.body_len) == 0);
	ck_assert_int_eq(pf_notice_fields(f.body, f.body_len, &inc, &at), 0);
	ck_assert_uint_eq(inc, 2);
	ck_assert_uint_eq(at, 123456789012345ull);
	ck_assert_int_eq(pf_notice_fields("{}", 2, &inc, &at), -1);
	ck_assert_uint_eq(inc, 0);
	ck_assert_uint_eq(at, 0);
	/* the body's own length, not a NUL, ends it */
	ck_assert_int_eq(pf_notice_fields("{\"incarnation\":2,\"at\":1}", 23, &inc, &at), -1);
	n = enc(PF_REPLY, 1, NULL, "x");
	ck_assert_int_gt(n, 0);
	buf[12] = 0;	/* the id's low byte: id 0 */
	ck_assert_int_eq(pf_decode(buf, (size_t)n, &f, &why), -1);
	ck_assert_str_eq(why, "id 0 is reserved for casts and notices");
}
END_TEST

START_TEST(kind_rules_hold_both_ways)
{
	struct pf_frame f = { .kind = PF_REPLY, .id = 1, .method = "x", .method_len = 1 };

	errno = 0;
	ck_assert_int_eq(pf_encode(buf, sizeof buf, &f), -1);
	ck_assert_int_eq(errno, EINVAL);
	f = (struct pf_frame){ .kind = PF_CAST, .id = 3, .method = "x", .method_len = 1 };
	ck_assert_int_eq(pf_encode(buf, sizeof buf, &f), -1);
	f = (struct pf_frame){ .kind = PF_ERROR, .id = 3 };
	ck_assert_int_eq(pf_encode(buf, sizeof buf, &f), -1);
	f = (struct pf_frame){ .kind = PF_CALL, .id = 0, .method = "x", .method_len = 1 };
	ck_assert_int_eq(pf_encode(buf, sizeof buf, &f), -1);
}
END_TEST

START_TEST(sizes_at_the_boundaries)
{
	static char body[PF_MAX_DGRAM];
	struct pf_frame f = { .kind = PF_CAST, .method = "m", .method_len = 1, .body = body }, g;
	const char *why;

	/* a datagram's worth exactly, and one byte more */
	f.body_len = PF_MAX_DGRAM - PF_HEADER - 1;
	ck_assert_int_eq(pf_encode(buf, PF_MAX_DGRAM, &f), PF_MAX_DGRAM);
	ck_assert_int_eq(pf_decode(buf, PF_MAX_DGRAM, &g, &why), PF_MAX_DGRAM);
	f.body_len++;
	errno = 0;
	ck_assert_int_eq(pf_encode(buf, PF_MAX_DGRAM, &f), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	/* a method of 255 bytes fits, 256 does not */
	memset(body, 'a', 256);
	f = (struct pf_frame){ .kind = PF_CAST, .method = body, .method_len = PF_MAX_METHOD };
	ck_assert_int_gt(pf_encode(buf, sizeof buf, &f), 0);
	f.method_len++;
	ck_assert_int_eq(pf_encode(buf, sizeof buf, &f), -1);
	/* an encoder never writes past CAP */
	f.method_len = 10;
	ck_assert_int_eq(pf_encode(buf, PF_HEADER + 9, &f), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
}
END_TEST

START_TEST(memfd_bodies_are_not_inline)
{
	struct pf_frame f = {
		.kind = PF_CALL, .id = 1, .method = "big", .method_len = 3,
		.flags = PF_FLAG_MEMFD, .body_len = PF_MAX_BODY,
	}, g;
	const char *why;

	ck_assert_int_eq(pf_encode(buf, sizeof buf, &f), PF_HEADER + 3);
	ck_assert_int_eq(pf_decode(buf, PF_HEADER + 3, &g, &why), PF_HEADER + 3);
	ck_assert(g.flags & PF_FLAG_MEMFD);
	ck_assert_ptr_null(g.body);
	ck_assert_int_eq(g.body_len, PF_MAX_BODY);
	f.body_len = PF_MAX_BODY + 1;
	ck_assert_int_eq(pf_encode(buf, sizeof buf, &f), -1);
}
END_TEST

START_TEST(frames_follow_each_other_in_a_datagram)
{
	struct pf_frame f = { .kind = PF_CAST, .method = "tick", .method_len = 4, .body = "0123", .body_len = 4 };
	size_t off = 0, count = 0;
	long n;

	while ((n = pf_encode(buf + off, PF_MAX_DGRAM - off, &f)) > 0)
		off += (size_t)n;
	ck_assert_int_eq(errno, EMSGSIZE);
	for (size_t at = 0; at < off; at += (size_t)n, count++) {
		n = pf_decode(buf + at, off - at, &f, NULL);
		ck_assert_int_eq(n, PF_HEADER + 8);
	}
	ck_assert_uint_eq(count, PF_MAX_DGRAM / (PF_HEADER + 8));
}
END_TEST

START_TEST(error_codes_have_wire_names)
{
	ck_assert_str_eq(pf_error_name(PROSPERO_E_TIMEOUT), "timeout");
	ck_assert_str_eq(pf_error_name(PROSPERO_E_PEER_RESTARTED), "peer_restarted");
	ck_assert_str_eq(pf_error_name(PROSPERO_E_NO_SUCH_METHOD), "no_such_method");
	ck_assert_str_eq(pf_error_name(PROSPERO_E_BAD_REQUEST), "bad_request");
	ck_assert_str_eq(pf_error_name(PROSPERO_E_INTERNAL), "internal");
	ck_assert_str_eq(pf_error_name(PROSPERO_E_UNAVAILABLE), "unavailable");
	ck_assert_str_eq(pf_error_name(99), "internal");
	ck_assert_str_eq(pf_error_name(PROSPERO_OK), "internal");
	ck_assert_str_eq(pf_error_name(-1), "internal");
	/* every code of the public list has a name, and the name maps back */
	for (int c = PROSPERO_E_TIMEOUT; c <= PROSPERO_E_UNAVAILABLE; c++) {
		const char *name = pf_error_name(c);

		ck_assert_int_eq(pf_error_code(name, strlen(name)), c);
	}
	ck_assert_int_eq(pf_error_code("bad_request", 11), PROSPERO_E_BAD_REQUEST);
	ck_assert_int_eq(pf_error_code("bad_requestX", 12), PROSPERO_E_INTERNAL);
	ck_assert_int_eq(pf_error_code("", 0), PROSPERO_E_INTERNAL);
}
END_TEST

/* Random bytes, and random corruptions of good frames: the decoder only
 * ever returns a length within the input or -1 (ASan watches the reads). */
START_TEST(fuzzed_input_never_reads_out_of_bounds)
{
	unsigned seed = 12345;

	for (int iter = 0; iter < 200000; iter++) {
		size_t len = (size_t)rand_r(&seed) % 300;
		unsigned char *in = malloc(len ? len : 1);
		struct pf_frame f;

		if (iter & 1) {
			for (size_t i = 0; i < len; i++)
				in[i] = (unsigned char)rand_r(&seed);
		} else {
			long n = enc(1 + rand_r(&seed) % 4, 0, "meth", "body-body");

			if (n < 0)
				n = enc(PF_CAST, 0, "meth", "body");
			memcpy(in, buf, len < (size_t)n ? len : (size_t)n);
			for (size_t i = (size_t)n; i < len; i++)
				in[i] = (unsigned char)rand_r(&seed);
			if (len)
				in[(size_t)rand_r(&seed) % len] ^= (unsigned char)(1u << (rand_r(&seed) % 8));
		}
		for (size_t off = 0; off < len;) {
			long n = pf_decode(in + off, len - off, &f, NULL);

			if (n < 0)
				break;
			ck_assert_uint_le(off + (size_t)n, len);
			if (f.body)
				ck_assert((const unsigned char *)f.body + f.body_len <= in + len);
			off += (size_t)n;
		}
		free(in);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("frame");
	TCase *tc = tcase_create("frame");

	tcase_add_test(tc, every_kind_round_trips);
	tcase_add_test(tc, the_header_is_little_endian_as_documented);
	tcase_add_test(tc, every_truncation_is_rejected);
	tcase_add_test(tc, bad_headers_say_why);
	tcase_add_test(tc, only_a_header_with_the_magic_is_known);
	tcase_add_test(tc, an_error_with_id_0_is_a_notice);
	tcase_add_test(tc, kind_rules_hold_both_ways);
	tcase_add_test(tc, sizes_at_the_boundaries);
	tcase_add_test(tc, memfd_bodies_are_not_inline);
	tcase_add_test(tc, frames_follow_each_other_in_a_datagram);
	tcase_add_test(tc, error_codes_have_wire_names);
	tcase_add_test(tc, fuzzed_input_never_reads_out_of_bounds);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
