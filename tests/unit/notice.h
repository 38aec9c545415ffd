/* The daemon's peer_restarted notice, as src/daemon/bindings.c sends it from the
 * service end of an edge, stamped now: for the tests that play the daemon
 * (check_lib, check_pypeer). */
#ifndef PROSPERO_TESTS_NOTICE_H
#define PROSPERO_TESTS_NOTICE_H

#include <check.h>
#include <sys/socket.h>
#include <time.h>

#include "src/proto/frame.h"
#include "src/proto/notice.h"

/* One stamped AT (CLOCK_MONOTONIC ns): a test may send one from the future. */
static inline void send_notice_at(int fd, unsigned incarnation, uint64_t at)
{
	unsigned char dg[128];
	long n = pf_encode_notice(dg, sizeof dg, incarnation, at);

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(send(fd, dg, (size_t)n, 0), n);
}

static inline void send_notice(int fd, unsigned incarnation)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	send_notice_at(fd, incarnation, (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec);
}

#endif
