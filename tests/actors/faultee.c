/* The actor the fault-injection tests aim at. It reports on stdout
 * through writev, which no test faults, so a report survives the faults
 * it describes, under any profile (even "minimal", which opens no file
 * for writing and makes no pipe).
 *
 *   faultee writes N        write(2) one byte N times to a socketpair,
 *                           writev(2) three more, then read(2) back what
 *                           went in; print one line per call, "write K
 *                           ok" or "write K EIO", then "read BYTES" and
 *                           "done"; then wait
 *   faultee stamp COUNT     send COUNT datagrams on fd 4 (its one
 *                           binding), each "SEQ MONO_US", then wait
 *   faultee fds N           send N datagrams on fd 4, each passing 8
 *                           fds (of /dev/null), not blocking: one that
 *                           finds the socket full is tried again for up
 *                           to 2 s; print "fds sent K", then wait
 *   faultee big N           send N datagrams of 65536 bytes on fd 4, as
 *                           fds does; print "big sent K", then wait
 *   faultee notice N        send N datagrams on fd 4, each a frame as the
 *                           daemon's peer_restarted notice is, then a
 *                           cast after it; then wait
 *   faultee sink            read datagrams on fd 4 (the one edge it
 *                           serves); print "SEQ LATENCY_US" for each: how
 *                           long after its stamp it came, or "datagram
 *                           LEN" for one that is no stamp
 * and for the benchmarks (tests/bench/bench_faults.c):
 *   faultee ping N          N round trips of 64 bytes on fd 4 (after as
 *                           many to warm up); print "rtt NS" on average
 *   faultee pong            echo every datagram on fd 4
 *   faultee calls N [MS]    N getppid(2) calls; print "call NS" on average;
 *                           with MS, the last of them MS ms after the rest */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>


static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
	char line[256];
	struct iovec iov;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	iov = (struct iovec){ line, (size_t)n };
	if (writev(STDOUT_FILENO, &iov, 1) != n)
		_exit(110);
}

static int64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void writes(long n)
{
	char buf[64];
	struct iovec three = { "abc", 3 };
	int p[2];
	ssize_t got;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p) < 0)
		_exit(112);
	for (long k = 1; k <= n; k++) {
		if (write(p[1], "x", 1) == 1)
			report("write %ld ok\n", k);
		else
			report("write %ld %s\n", k, strerrorname_np(errno));
	}
	if (writev(p[1], &three, 1) != 3)
		_exit(115);
	got = read(p[0], buf, sizeof buf);
	report("read %zd\ndone\n", got);
}

static void stamp(long count)
{
	for (long k = 0; k < count; k++) {
		char msg[64];
		int n = snprintf(msg, sizeof msg, "%ld %" PRId64, k, mono_us());

		if (send(4, msg, (size_t)n, 0) != n)
			_exit(113);
	}
}

/* Send on fd 4 with SEND_ONE until COUNT went, or the socket stayed
 * full for 2 s; how many went. Another error exits with STATUS. */
static long send_many(long count, bool (*send_one)(void), int status)
{
	long k = 0;

	for (int tries = 0; k < count && tries < 200;) {
		if (send_one()) {
			k++;
			tries = 0;
		} else if (errno == EAGAIN) {
			tries++;
			usleep(10000);
		} else {
			_exit(status);
		}
	}
	return k;
}

/* One datagram passing 8 fds (0, /dev/null here). */
static bool send_fds(void)
{
	int fd[8] = { 0 };
	char cbuf[CMSG_SPACE(sizeof fd)] = { 0 };
	struct iovec iov = { "x", 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof cbuf };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof fd);
	memcpy(CMSG_DATA(c), fd, sizeof fd);
	return sendmsg(4, &mh, MSG_DONTWAIT) == 1;
}

/* One datagram of 64 KiB. */
static bool send_big(void)
{
	static char msg[65536];

	return send(4, msg, sizeof msg, MSG_DONTWAIT) == (ssize_t)sizeof msg;
}

/* Frame header: magic, version 1, KIND, no flags, method and body
 * lengths, id 0 (little-endian). */
static size_t frame_head(unsigned char *p, int kind, size_t method_len, size_t body_len)
{
	memset(p, 0, 20);
	p[0] = 'P', p[1] = 'R', p[2] = 1, p[3] = (unsigned char)kind;
	p[6] = (unsigned char)method_len;
	p[8] = (unsigned char)body_len;
	return 20;
}

static void notice(long count)
{
	static const char code[] = "peer_restarted", body[] = "{\"incarnation\":1,\"at\":1}";
	unsigned char msg[256];
	size_t n = frame_head(msg, 3, sizeof code - 1, sizeof body - 1);

	memcpy(msg + n, code, sizeof code - 1);
	n += sizeof code - 1;
	memcpy(msg + n, body, sizeof body - 1);
	n += sizeof body - 1;
	n += frame_head(msg + n, 4, 1, 0);
	msg[n++] = 'x';
	for (long k = 0; k < count; k++)
		if (send(4, msg, n, 0) != (ssize_t)n)
			_exit(121);
}

static void sink(void)
{
	char msg[256];
	ssize_t n;

	while ((n = recv(4, msg, sizeof msg - 1, 0)) > 0) {
		long k;
		int64_t at;

		msg[n] = '\0';
		if (sscanf(msg, "%ld %" SCNd64, &k, &at) == 2)
			report("%ld %" PRId64 "\n", k, mono_us() - at);
		else
			report("datagram %zd\n", n);
	}
	_exit(114);
}

static void ping(long n)
{
	char msg[64] = { 0 };
	int64_t t0 = 0;

	for (long k = 0; k < 2 * n; k++) {
		if (k == n)
			t0 = mono_us() * 1000;
		if (send(4, msg, sizeof msg, 0) != sizeof msg || recv(4, msg, sizeof msg, 0) != sizeof msg)
			_exit(116);
	}
	report("rtt %" PRId64 "\n", (mono_us() * 1000 - t0) / n);
}

static void pong(void)
{
	char msg[256];
	ssize_t n;

	while ((n = recv(4, msg, sizeof msg, 0)) > 0)
		if (send(4, msg, (size_t)n, 0) != n)
			_exit(117);
	_exit(118);
}

static void calls(long n, long pause_ms)
{
	int64_t t0 = mono_us();

	for (long k = 0; k < n; k++) {
		if (pause_ms > 0 && k == n - 1)
			usleep((useconds_t)pause_ms * 1000);
		syscall(SYS_getppid);
	}
	report("call %" PRId64 "\n", (mono_us() - t0) * 1000 / n);
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "writes") == 0) {
		writes(atol(argv[2]));
	} else if (argc == 3 && strcmp(argv[1], "stamp") == 0) {
		stamp(atol(argv[2]));
	} else if (argc == 3 && strcmp(argv[1], "fds") == 0) {
		report("fds sent %ld\n", send_many(atol(argv[2]), send_fds, 119));
	} else if (argc == 3 && strcmp(argv[1], "big") == 0) {
		report("big sent %ld\n", send_many(atol(argv[2]), send_big, 120));
	} else if (argc == 3 && strcmp(argv[1], "notice") == 0) {
		notice(atol(argv[2]));
	} else if (argc == 2 && strcmp(argv[1], "sink") == 0) {
		sink();
	} else if (argc == 3 && strcmp(argv[1], "ping") == 0) {
		ping(atol(argv[2]));
	} else if (argc == 2 && strcmp(argv[1], "pong") == 0) {
		pong();
	} else if ((argc == 3 || argc == 4) && strcmp(argv[1], "calls") == 0) {
		calls(atol(argv[2]), argc == 4 ? atol(argv[3]) : 0);
	} else {
		fprintf(stderr, "usage: faultee writes N | stamp COUNT | fds N | big N | notice N | sink | ping N | pong | calls N [MS]\n");
		return 2;
	}
	for (;;)
		pause();
}
