/* README "Malformed input", one case a datagram: which malformed frames a
 * reader answers with bad_request (a call whose header could be read: 20
 * bytes starting with the magic, whatever the version, and an id other
 * than 0), with which reason, and which it drops. check_lib and
 * check_pypeer send the same datagrams to libprospero and to the Python
 * peer and expect the same answers, word for word. */
#ifndef PROSPERO_TESTS_MALFORMED_H
#define PROSPERO_TESTS_MALFORMED_H

#include <check.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/proto/frame.h"
#include "src/proto/le.h"

struct malformed {
	const char *what;
	uint64_t id;		/* the frame's id, distinct per case */
	const char *answer;	/* the reason bad_request gives, or NULL: dropped */
};

static const struct malformed malformed_cases[] = {
	{ "a header cut at 19 bytes", 101, NULL },
	{ "bad magic", 102, NULL },
	{ "version 2", 103, "unsupported version" },
	{ "version 0", 104, "unsupported version" },
	{ "a call with id 0", 0, NULL },
	{ "a nonzero reserved byte", 106, "reserved byte not zero" },
	{ "a cast with an id", 107, NULL },
	{ "a reply with a method", 108, NULL },
	{ "an unknown kind", 109, NULL },
	{ "a method running past the datagram", 110, "truncated frame" },
	{ "a datagram over 65536 bytes", 111, "datagram too large" },
	{ "a memfd body without its fd", 112, "memfd body without a file descriptor" },
	{ "a memfd body in a pipe", 113, "memfd body not sealed" },
	{ "a memfd body in an unsealed memfd", 114, "memfd body not sealed" },
	{ "a memfd body shorter than its length", 115, "memfd body too short" },
	{ "a memfd body over 64 MiB", 116, "body too large" },
	/* libprospero said "inline body larger than a datagram" */
	{ "an inline body longer than any datagram", 117, "truncated frame" },
};

#define NMALFORMED (sizeof malformed_cases / sizeof *malformed_cases)
/* the good call sent after them all: its reply comes after every answer */
#define MALFORMED_PROBE_ID 200u

/* The fd a memfd case passes, which the caller closes after sending. */
static inline int malformed_fd(size_t i)
{
	int fd = -1, p[2];

	switch (i) {
	case 12:
		ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
		close(p[1]);
		fd = p[0];
		break;
	case 13:
	case 14:
		fd = memfd_create("malformed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(write(fd, "{}", 2), 2);	/* 2 bytes of 100 */
		if (i == 14)
			ck_assert_int_eq(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE), 0);
		break;
	}
	return fd;
}

/* Case I's datagram into BUF (room for PF_MAX_DGRAM + 4464 bytes): its
 * length. */
static inline size_t malformed_datagram(size_t i, unsigned char *buf)
{
	const struct malformed *c = &malformed_cases[i];
	struct pf_frame f = {
		.kind = PF_CALL, .id = c->id ? c->id : 1, .method = "echo", .method_len = 4,
		.body = "{}", .body_len = 2,
	};
	long n;

	if (i >= 11 && i <= 15)	/* a body of 100 bytes in a memfd, or not quite */
		f = (struct pf_frame){ .kind = PF_CALL, .id = c->id, .method = "echo", .method_len = 4,
				       .flags = PF_FLAG_MEMFD, .body_len = 100 };
	n = pf_encode(buf, PF_MAX_DGRAM, &f);
	ck_assert_int_gt(n, 0);
	switch (i) {
	case 0: return PF_HEADER - 1;
	case 1: buf[1] = 'X'; break;
	case 2: buf[2] = 2; break;
	case 3: buf[2] = 0; break;
	case 4: memset(buf + 12, 0, 8); break;
	case 5: buf[5] = 1; break;
	case 6: buf[3] = PF_CAST; break;
	case 7: buf[3] = PF_REPLY; break;
	case 8: buf[3] = 9; break;
	case 9: buf[6] = 200; break;
	case 15: pp_put_le(buf + 8, PF_MAX_BODY + 1u, 4); break;
	case 16: pp_put_le(buf + 8, 100000, 4); break;
	case 10:
		/* a good call at the front of a datagram too large to read whole */
		memset(buf + n, ' ', PF_MAX_DGRAM + 4464 - (size_t)n);
		return PF_MAX_DGRAM + 4464;
	}
	return (size_t)n;
}

/* Send every case, then a good "echo" call, on FD; return the ids answered
 * with bad_request before the good call's reply, as a bit mask by case.
 * PUMP runs the reader under test until FD is readable. */
static inline unsigned malformed_run(int fd, void (*pump)(int fd))
{
	unsigned char *buf = malloc(PF_MAX_DGRAM + 4464);
	struct pf_frame probe = {
		.kind = PF_CALL, .id = MALFORMED_PROBE_ID, .method = "echo", .method_len = 4,
		.body = "{}", .body_len = 2,
	};
	unsigned mask = 0;
	long n;

	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < NMALFORMED; i++) {
		union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } cm;
		struct iovec iov = { .iov_base = buf, .iov_len = malformed_datagram(i, buf) };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
		int body = malformed_fd(i);

		if (body >= 0) {
			memset(&cm, 0, sizeof cm);
			msg.msg_control = cm.b;
			msg.msg_controllen = sizeof cm.b;
			CMSG_FIRSTHDR(&msg)->cmsg_level = SOL_SOCKET;
			CMSG_FIRSTHDR(&msg)->cmsg_type = SCM_RIGHTS;
			CMSG_FIRSTHDR(&msg)->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(CMSG_FIRSTHDR(&msg)), &body, sizeof(int));
		}
		ck_assert_int_eq(sendmsg(fd, &msg, 0), (ssize_t)iov.iov_len);
		if (body >= 0)
			close(body);
	}
	n = pf_encode(buf, PF_MAX_DGRAM, &probe);
	ck_assert_int_eq(send(fd, buf, (size_t)n, 0), n);
	for (;;) {
		struct pf_frame f;
		size_t i;

		pump(fd);
		n = recv(fd, buf, PF_MAX_DGRAM, MSG_DONTWAIT);
		if (n < 0)
			continue;
		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(pf_decode(buf, (size_t)n, &f, NULL), n);
		if (f.id == MALFORMED_PROBE_ID) {
			ck_assert_int_eq(f.kind, PF_REPLY);
			break;
		}
		ck_assert_int_eq(f.kind, PF_ERROR);
		ck_assert(f.method_len == 11 && memcmp(f.method, "bad_request", 11) == 0);
		for (i = 0; i < NMALFORMED && malformed_cases[i].id != f.id; i++)
			;
		ck_assert_msg(i < NMALFORMED, "an answer to id %llu, which no case sent",
			      (unsigned long long)f.id);
		ck_assert_msg(!malformed_cases[i].answer ||
			      (f.body_len == strlen(malformed_cases[i].answer) &&
			       memcmp(f.body, malformed_cases[i].answer, f.body_len) == 0),
			      "%s answered \"%.*s\", not \"%s\"", malformed_cases[i].what, (int)f.body_len,
			      (const char *)f.body, malformed_cases[i].answer);
		mask |= 1u << i;
	}
	free(buf);
	return mask;
}

/* Fail with the cases answered or dropped against the rule. */
static inline void malformed_expect(unsigned mask, const char *reader)
{
	for (size_t i = 0; i < NMALFORMED; i++)
		ck_assert_msg(!!(mask & (1u << i)) == !!malformed_cases[i].answer, "%s %s %s", reader,
			      (mask & (1u << i)) ? "answered" : "dropped", malformed_cases[i].what);
}

#endif
