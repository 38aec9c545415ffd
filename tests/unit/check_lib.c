/* libprospero over real socketpairs: both ends in one loop, or a forked
 * peer. Orders of events are asserted, not durations. */
#include <check.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "src/libprospero/prospero.h"
#include "src/libprospero/prospero_queue.h"
#include "src/proto/frame.h"
#include "src/proto/queue.h"
#include "tests/common/runner.h"
#include "tests/unit/malformed.h"
#include "tests/unit/notice.h"

static struct ev_loop *loop;
static char events[4096];	/* "what;what;..." in the order it happened */

static void note(const char *what)
{
	size_t have = strlen(events);

	if (have + strlen(what) + 2 < sizeof events)
		snprintf(events + have, sizeof events - have, "%s;", what);
}

static void pair(int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
}

struct answer {
	int done, err;
	char body[256];
	size_t len;
};

static void got(int err, const void *body, size_t len, void *arg)
{
	struct answer *a = arg;
	char what[64];

	a->done++;
	a->err = err;
	a->len = len;
	memcpy(a->body, body, len < sizeof a->body - 1 ? len : sizeof a->body - 1);
	a->body[len < sizeof a->body - 1 ? len : sizeof a->body - 1] = '\0';
	snprintf(what, sizeof what, "answer:%d", err);
	note(what);
}

static void echo(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	if (req)	/* a cast to echo: nothing to answer */
		prospero_reply(req, body, len);
}

static void refuse(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	prospero_fail(req, PROSPERO_E_BAD_REQUEST, "sku missing");
}

static void silent(struct prospero_request *req, const void *body, size_t len, void *arg)
{
}

/* answers with the code its body names: the caller's own codes too */
static int fail_returned;

static void fail_with(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	fail_returned = prospero_fail(req, atoi(body), "as asked");
}

static void run_until(int *flag, int value)
{
	while (*flag < value)
		ev_run(loop, EVRUN_ONCE);
}

/* A client actor and a service actor joined by one binding, in this loop. */
static struct prospero *client, *service;
static struct prospero_binding *inv;
static int sv[2];

static void setup(void)
{
	loop = ev_default_loop(0);
	events[0] = '\0';
	pair(sv);
	client = prospero_new(loop);
	service = prospero_new(loop);
	ck_assert_int_eq(prospero_adopt(client, "INVENTORY", sv[0]), 0);
	ck_assert_int_eq(prospero_adopt(service, "serve:client", sv[1]), 0);
	inv = prospero_binding(client, "INVENTORY");
	ck_assert_ptr_nonnull(inv);
	prospero_handle(service, "echo", echo, NULL);
	prospero_handle(service, "refuse", refuse, NULL);
	prospero_handle(service, "silent", silent, NULL);
	prospero_handle(service, "fail_with", fail_with, NULL);
}

static void teardown(void)
{
	prospero_close(client);
	prospero_close(service);
}

START_TEST(a_call_gets_its_reply)
{
	struct answer a = { 0 };

	prospero_serve(service);
	ck_assert_int_eq(prospero_call(inv, "echo", "{\"n\":1}", 7, 5, got, &a), 0);
	ck_assert_uint_eq(prospero_pending(inv), 1);
	run_until(&a.done, 1);
	ck_assert_int_eq(a.err, PROSPERO_OK);
	ck_assert_str_eq(a.body, "{\"n\":1}");
	ck_assert_uint_eq(prospero_pending(inv), 0);
	ck_assert_ptr_null(prospero_binding(client, "PAYMENT"));
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

START_TEST(errors_carry_their_codes)
{
	struct answer a = { 0 }, b = { 0 }, c = { 0 };

	prospero_serve(service);
	prospero_call(inv, "nope", "", 0, 5, got, &a);
	prospero_call(inv, "refuse", "{}", 2, 5, got, &b);
	prospero_call(inv, "silent", "{}", 2, 5, got, &c);
	run_until(&c.done, 1);
	ck_assert_int_eq(a.err, PROSPERO_E_NO_SUCH_METHOD);
	ck_assert_int_eq(b.err, PROSPERO_E_BAD_REQUEST);
	ck_assert_str_eq(b.body, "sku missing");
	ck_assert_int_eq(c.err, PROSPERO_E_INTERNAL);
	ck_assert_str_eq(events, "answer:3;answer:4;answer:5;");
}
END_TEST

/* A reply body the protocol cannot carry (over 64 MiB), or a length
 * without a body: prospero_reply fails (EMSGSIZE, EINVAL) and the caller
 * gets internal instead; prospero_call refuses the same body with EINVAL. */
static int reply_errno;

static void reply_badly(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	static const char some[] = "x";

	errno = 0;
	if (prospero_reply(req, *(const char *)body == 'L' ? some : NULL,
			   *(const char *)body == 'L' ? (size_t)PF_MAX_BODY + 1 : 1) == 0)
		reply_errno = -1;
	else
		reply_errno = errno;
}

START_TEST(a_reply_the_protocol_cannot_carry_is_refused)
{
	struct answer a = { 0 }, b = { 0 };

	prospero_handle(service, "reply_badly", reply_badly, NULL);
	prospero_serve(service);
	ck_assert_int_eq(prospero_call(inv, "reply_badly", "L", 1, 5, got, &a), 0);
	run_until(&a.done, 1);
	ck_assert_int_eq(reply_errno, EMSGSIZE);
	ck_assert_int_eq(a.err, PROSPERO_E_INTERNAL);
	ck_assert_str_eq(a.body, "the reply body is too large");
	ck_assert_int_eq(prospero_call(inv, "reply_badly", "N", 1, 5, got, &b), 0);
	run_until(&b.done, 1);
	ck_assert_int_eq(reply_errno, EINVAL);
	ck_assert_int_eq(b.err, PROSPERO_E_INTERNAL);
	ck_assert_str_eq(b.body, "no reply body at the length given");
	errno = 0;
	ck_assert_int_eq(prospero_call(inv, "echo", "x", (size_t)PF_MAX_BODY + 1, 5, got, &b), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* A handler may pass on what its own call got (the orders example's
 * order-processor answers peer_restarted so); PROSPERO_OK, no failure,
 * and a code the enum does not hold answer internal. */
START_TEST(an_answer_carries_only_the_protocols_codes)
{
	static const struct { int code, want; } cases[] = {
		{ PROSPERO_E_TIMEOUT, PROSPERO_E_TIMEOUT },
		{ PROSPERO_E_PEER_RESTARTED, PROSPERO_E_PEER_RESTARTED },
		{ PROSPERO_OK, PROSPERO_E_INTERNAL },
		{ 99, PROSPERO_E_INTERNAL },
		{ PROSPERO_E_UNAVAILABLE, PROSPERO_E_UNAVAILABLE },
	};

	prospero_serve(service);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct answer a = { 0 };
		char body[16];

		snprintf(body, sizeof body, "%d", cases[i].code);
		fail_returned = -1;
		prospero_call(inv, "fail_with", body, strlen(body) + 1, 5, got, &a);
		run_until(&a.done, 1);
		ck_assert_msg(a.err == cases[i].want, "code %d answered as %d", cases[i].code, a.err);
		ck_assert_int_eq(fail_returned, 0);	/* answered, even as internal */
		ck_assert_str_eq(a.body, "as asked");
	}
}
END_TEST

START_TEST(an_unanswered_call_times_out)
{
	struct answer a = { 0 };

	/* the service never reads: the call sits in the socket */
	ck_assert_int_eq(prospero_call(inv, "echo", "x", 1, 0.02, got, &a), 0);
	run_until(&a.done, 1);
	ck_assert_int_eq(a.err, PROSPERO_E_TIMEOUT);
	/* the late reply, once the service reads, is dropped quietly */
	prospero_serve(service);
	ev_run(loop, EVRUN_NOWAIT);
	ev_run(loop, EVRUN_NOWAIT);
	ck_assert_int_eq(a.done, 1);
}
END_TEST

static void deferred_later(struct ev_loop *l, ev_timer *w, int revents)
{
	prospero_reply(w->data, "later", 5);
	note("replied");
}

static ev_timer later;

static void defer_it(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	ck_assert_str_eq(prospero_request_method(req), "defer");
	ev_timer_init(&later, deferred_later, 0.001, 0);
	later.data = prospero_defer(req);
	ev_timer_start(loop, &later);
	note("deferred");
}

/* A call's timeout counts from the call, not from the start of the loop's
 * turn: the old library armed its timer against the loop's cached time,
 * so a call made 300 ms into a turn timed out at once. */
START_TEST(a_late_call_in_a_long_turn_gets_its_whole_timeout)
{
	struct answer a = { 0 };
	struct timespec t0, t1;
	double took;

	ev_run(loop, EVRUN_NOWAIT);	/* the loop's time, then a long turn */
	usleep(300 * 1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(prospero_call(inv, "echo", "x", 1, 0.2, got, &a), 0);	/* the service never reads */
	run_until(&a.done, 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_eq(a.err, PROSPERO_E_TIMEOUT);
	took = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(took >= 0.19, "timed out after %.3f s of its 0.2 s", took);
}
END_TEST

START_TEST(a_deferred_request_is_answered_later)
{
	struct answer a = { 0 };

	prospero_handle(service, "defer", defer_it, NULL);
	prospero_serve(service);
	prospero_call(inv, "defer", "", 0, 5, got, &a);
	run_until(&a.done, 1);
	ck_assert_str_eq(a.body, "later");
	ck_assert_str_eq(events, "deferred;replied;answer:0;");
}
END_TEST

/* After prospero_defer, the handler's REQ is not the one to answer: the
 * pointer it returned is. Answering REQ is refused, and sends nothing. */
static int via_old[5];

static void defer_then_answer_old(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	struct prospero_request *held = prospero_defer(req);

	errno = 0;
	via_old[0] = prospero_reply(req, "old", 3) == -1 && errno == EINVAL;
	errno = 0;
	via_old[1] = prospero_fail(req, PROSPERO_E_INTERNAL, "old") == -1 && errno == EINVAL;
	errno = 0;	/* not answered internal in its place either */
	via_old[2] = prospero_reply(req, NULL, 5) == -1 && errno == EINVAL;
	errno = 0;
	via_old[3] = !prospero_defer(req) && errno == EINVAL;
	errno = 0;	/* kept already: a second copy would answer twice */
	via_old[4] = !prospero_defer(held) && errno == EINVAL;
	ck_assert_int_eq(prospero_reply(held, "new", 3), 0);
}

START_TEST(a_deferred_request_is_answered_by_its_new_pointer_only)
{
	struct answer a = { 0 }, b = { 0 };

	prospero_handle(service, "defer", defer_then_answer_old, NULL);
	prospero_serve(service);
	ck_assert_int_eq(prospero_call(inv, "defer", "", 0, 5, got, &a), 0);
	run_until(&a.done, 1);
	ck_assert_int_eq(a.err, PROSPERO_OK);
	ck_assert_str_eq(a.body, "new");
	ck_assert(via_old[0] && via_old[1] && via_old[2] && via_old[3]);
	ck_assert_msg(via_old[4], "the kept request was deferred again");
	/* and nothing else came for it */
	ck_assert_int_eq(prospero_call(inv, "echo", "e", 1, 5, got, &b), 0);
	run_until(&b.done, 1);
	ck_assert_str_eq(events, "answer:0;answer:0;");
}
END_TEST

/* A request answered already says so (EALREADY) whatever the second
 * answer holds: a NULL body of nonzero length said EINVAL and one over
 * 64 MiB EMSGSIZE, as if it could still be answered. */
static int twice[4];

static void reply_twice(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	ck_assert_int_eq(prospero_reply(req, "one", 3), 0);
	errno = 0;
	twice[0] = prospero_reply(req, NULL, 5) == -1 && errno == EALREADY;
	errno = 0;
	twice[1] = prospero_reply(req, "x", (size_t)PF_MAX_BODY + 1) == -1 && errno == EALREADY;
	errno = 0;
	twice[2] = prospero_reply(req, "two", 3) == -1 && errno == EALREADY;
	errno = 0;
	twice[3] = prospero_fail(req, PROSPERO_E_INTERNAL, "two") == -1 && errno == EALREADY;
}

START_TEST(a_request_answered_already_says_so)
{
	struct answer a = { 0 }, b = { 0 };

	prospero_handle(service, "twice", reply_twice, NULL);
	prospero_serve(service);
	ck_assert_int_eq(prospero_call(inv, "twice", "", 0, 5, got, &a), 0);
	run_until(&a.done, 1);
	ck_assert_str_eq(a.body, "one");
	ck_assert_msg(twice[0] && twice[1] && twice[2] && twice[3], "%d %d %d %d", twice[0], twice[1], twice[2], twice[3]);
	/* and nothing else came for it */
	ck_assert_int_eq(prospero_call(inv, "echo", "e", 1, 5, got, &b), 0);
	run_until(&b.done, 1);
	ck_assert_str_eq(events, "answer:0;answer:0;");
}
END_TEST

/* An interval that is no number stops the watchdog timer, as 0 does: a
 * NaN timer at the top of libev's heap would hold back every timer
 * behind it, calls' timeouts included. */
START_TEST(a_watchdog_interval_of_nan_stops_it)
{
	struct answer a = { 0 };

	prospero_auto_watchdog(client, NAN);
	ck_assert_int_eq(prospero_call(inv, "silent", "x", 1, 0.05, got, &a), 0);
	for (int i = 0; i < 40 && !a.done; i++) {
		usleep(10000);
		ev_run(loop, EVRUN_NOWAIT);
	}
	ck_assert_int_eq(a.done, 1);
	ck_assert_int_eq(a.err, PROSPERO_E_TIMEOUT);
}
END_TEST

/* An fd the actor holds already is refused: two channels on one fd would
 * close it twice, the second time perhaps someone else's. */
START_TEST(an_fd_adopted_twice_is_refused)
{
	int raw[2], c[2];

	pair(raw);
	ck_assert_int_eq(prospero_adopt(client, "RAW", raw[0]), 0);
	errno = 0;
	ck_assert_int_eq(prospero_adopt(client, "OTHER", raw[0]), -1);
	ck_assert_int_eq(errno, EEXIST);
	errno = 0;
	ck_assert_int_eq(prospero_adopt(client, "serve:x", sv[0]), -1);
	ck_assert_int_eq(errno, EEXIST);
	pair(c);
	ck_assert_int_eq(prospero_adopt(client, "control", c[0]), 0);
	errno = 0;
	ck_assert_int_eq(prospero_adopt(client, "CTL", c[0]), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_ptr_null(prospero_binding(client, "OTHER"));
	ck_assert_ptr_null(prospero_binding(client, "CTL"));
	close(raw[1]);
	close(c[1]);
}
END_TEST

/* A cast's handler gets no request: there is nobody to answer. */
static void answer_cast(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	int *seen = arg;

	errno = 0;
	seen[0] = prospero_reply(req, "x", 1) == -1 && errno == EINVAL;
	errno = 0;
	seen[1] = prospero_fail(req, PROSPERO_E_INTERNAL, "x") == -1 && errno == EINVAL;
	errno = 0;
	seen[2] = !prospero_defer(req) && errno == EINVAL;
	seen[3]++;
}

START_TEST(a_cast_cannot_be_answered)
{
	int seen[4] = { 0 };

	prospero_handle(service, "note", answer_cast, seen);
	prospero_serve(service);
	ck_assert_int_eq(prospero_cast(inv, "note", "{}", 2), 0);
	run_until(&seen[3], 1);
	ck_assert(seen[0] && seen[1] && seen[2]);
}
END_TEST

static unsigned long casts_seen;
static int casts_in_order = 1;

static void count_cast(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	unsigned long n;

	ck_assert_ptr_null(req);
	ck_assert_uint_eq(len, 64);
	memcpy(&n, body, sizeof n);
	if (n != casts_seen)
		casts_in_order = 0;
	casts_seen++;
}

static unsigned long casts_sent;
#define CASTS 200000ul

static void send_casts(struct prospero_binding *b, void *arg)
{
	char body[64] = { 0 };

	while (casts_sent < CASTS) {
		memcpy(body, &casts_sent, sizeof casts_sent);
		if (prospero_cast(b, "tick", body, sizeof body) < 0) {
			ck_assert_int_eq(errno, EAGAIN);
			return;		/* on_writable brings us back */
		}
		casts_sent++;
	}
}

/* Casts issued in one turn of the loop leave together, as one datagram,
 * before the loop waits, though the socket had room for each alone; with
 * coalescing off each is its own datagram. Closing sends what is left. */
START_TEST(the_casts_of_one_turn_leave_as_one_datagram)
{
	static unsigned char dg[PF_MAX_DGRAM];
	char body[64] = { 0 };
	struct pf_frame f;
	size_t off = 0;
	ssize_t n;
	int frames = 0;

	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(prospero_cast(inv, "tick", body, sizeof body), 0);
	ck_assert_int_eq(recv(sv[1], dg, sizeof dg, MSG_DONTWAIT), -1);	/* not yet */
	ck_assert_int_eq(errno, EAGAIN);
	ev_run(loop, EVRUN_NOWAIT);
	n = recv(sv[1], dg, sizeof dg, MSG_DONTWAIT);
	ck_assert_int_gt(n, 0);
	while (off < (size_t)n) {
		long used = pf_decode(dg + off, (size_t)n - off, &f, NULL);

		ck_assert_int_gt(used, 0);
		ck_assert_int_eq(f.kind, PF_CAST);
		off += (size_t)used;
		frames++;
	}
	ck_assert_int_eq(frames, 100);
	ck_assert_int_eq(recv(sv[1], dg, sizeof dg, MSG_DONTWAIT), -1);

	prospero_set_coalesce(inv, 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(prospero_cast(inv, "tick", body, sizeof body), 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(recv(sv[1], dg, sizeof dg, MSG_DONTWAIT), 20 + 4 + 64);
	prospero_set_coalesce(inv, 1);

	/* queued in this turn, then the actor closes: they still go */
	ck_assert_int_eq(prospero_cast(inv, "tick", body, sizeof body), 0);
	ck_assert_int_eq(prospero_cast(inv, "tick", body, sizeof body), 0);
	prospero_close(client);
	client = prospero_new(loop);	/* for teardown */
	ck_assert_int_eq(recv(sv[1], dg, sizeof dg, MSG_DONTWAIT), 2 * (20 + 4 + 64));
}
END_TEST

START_TEST(casts_arrive_in_order_and_coalesce_under_pressure)
{
	prospero_handle(service, "tick", count_cast, NULL);
	prospero_serve(service);
	prospero_on_writable(inv, send_casts, NULL);
	send_casts(inv, NULL);
	/* the sender outran the reader: the queue filled and coalesced */
	ck_assert_uint_lt(casts_sent, CASTS);
	while (casts_seen < CASTS)
		ev_run(loop, EVRUN_ONCE);
	ck_assert(casts_in_order);
	ck_assert_uint_eq(casts_seen, CASTS);
}
END_TEST

START_TEST(large_bodies_travel_as_memfd)
{
	size_t len = 3u << 20;
	char *big = malloc(len);
	struct answer a = { 0 };

	for (size_t i = 0; i < len; i++)
		big[i] = (char)('a' + i % 26);
	prospero_serve(service);
	ck_assert_int_eq(prospero_call(inv, "echo", big, len, 5, got, &a), 0);
	run_until(&a.done, 1);
	ck_assert_int_eq(a.err, 0);
	ck_assert_uint_eq(a.len, len);
	ck_assert(memcmp(a.body, big, 200) == 0);
	free(big);
}
END_TEST

/* The daemon's side of the control channel, played by the test. */
static int ctl[2];

static void restarted(struct prospero *p, const char *name, unsigned long inc, void *arg)
{
	char what[64];

	snprintf(what, sizeof what, "restarted:%s:%lu", name, inc);
	note(what);
}

START_TEST(calls_in_flight_fail_at_once_when_the_peer_restarts)
{
	struct answer a = { 0 }, b = { 0 }, after = { 0 };
	static const char msg[] = "PEER_RESTARTED=INVENTORY\nINCARNATION=2\n";
	char ack;
	int go[2];
	pid_t pid;

	pair(ctl);
	ck_assert_int_eq(prospero_adopt(client, "control", ctl[0]), 0);
	prospero_on_peer_restarted(client, restarted, NULL);
	ck_assert_int_eq(pipe(go), 0);
	pid = fork();
	if (pid == 0) {
		/* the service's first incarnation: takes two calls, then dies */
		char dg[512];

		for (int i = 0; i < 2; i++)
			if (recv(sv[1], dg, sizeof dg, 0) <= 0)
				_exit(1);
		if (write(go[1], "k", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	/* timeouts far beyond the test's life: only PEER_RESTARTED can end them */
	prospero_call(inv, "echo", "1", 1, 3600, got, &a);
	prospero_call(inv, "echo", "2", 1, 3600, got, &b);
	ck_assert_int_eq(read(go[0], &ack, 1), 1);
	note("taken");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	note("killed");
	ck_assert_int_eq(send(ctl[1], msg, sizeof msg - 1, 0), (ssize_t)sizeof msg - 1);
	run_until(&b.done, 1);
	ck_assert_int_eq(a.err, PROSPERO_E_PEER_RESTARTED);
	ck_assert_int_eq(b.err, PROSPERO_E_PEER_RESTARTED);
	ck_assert_str_eq(a.body, "peer restarted");
	ev_run(loop, EVRUN_NOWAIT);
	ck_assert_str_eq(events, "taken;killed;answer:2;answer:2;restarted:INVENTORY:2;");
	/* the next incarnation (this process's service) answers new calls */
	prospero_serve(service);
	prospero_call(inv, "echo", "3", 1, 3600, got, &after);
	run_until(&after.done, 1);
	ck_assert_int_eq(after.err, 0);
	close(ctl[1]);
	close(go[0]);
	close(go[1]);
}
END_TEST

/* On the control channel an empty datagram is a message of no lines, not
 * the end: the PEER_RESTARTED after it still fails the call at once. */
START_TEST(an_empty_control_datagram_does_not_end_the_channel)
{
	struct answer a = { 0 };
	static const char msg[] = "PEER_RESTARTED=INVENTORY\nINCARNATION=2\n";

	pair(ctl);
	ck_assert_int_eq(prospero_adopt(client, "control", ctl[0]), 0);
	/* nobody serves: only the restart, or the timeout, ends the call */
	ck_assert_int_eq(prospero_call(inv, "echo", "1", 1, 2, got, &a), 0);
	ck_assert_int_eq(send(ctl[1], "", 0, 0), 0);
	for (int i = 0; i < 3; i++)
		ev_run(loop, EVRUN_NOWAIT);
	ck_assert_int_eq(send(ctl[1], msg, sizeof msg - 1, 0), (ssize_t)sizeof msg - 1);
	run_until(&a.done, 1);
	ck_assert_int_eq(a.err, PROSPERO_E_PEER_RESTARTED);
	close(ctl[1]);
}
END_TEST

/* Calls the socket had no room for wait in the actor's queue: a restart
 * notice fails only the call already written, and the queued ones go to
 * the next incarnation, which answers them. IN_BAND: the notice on the
 * binding, stamped after the queued calls were made; else on the control
 * channel. */
static void queued_calls_go_to_the_next_incarnation(bool in_band)
{
	struct answer a = { 0 }, b = { 0 }, c = { 0 };
	static const char msg[] = "PEER_RESTARTED=INVENTORY\nINCARNATION=2\n";
	unsigned char dg[256];
	int junk = 0;

	pair(ctl);
	ck_assert_int_eq(prospero_adopt(client, "control", ctl[0]), 0);
	prospero_on_peer_restarted(client, restarted, NULL);
	ck_assert_int_eq(prospero_call(inv, "echo", "1", 1, 3600, got, &a), 0);
	ck_assert_int_gt(recv(sv[1], dg, sizeof dg, 0), 0);	/* the dead incarnation took it */
	/* fill the socket behind the library's back: junk the service drops */
	while (send(sv[0], "x", 1, MSG_DONTWAIT) == 1)
		junk++;
	ck_assert_int_eq(errno, EAGAIN);
	ck_assert_int_gt(junk, 0);
	ck_assert_int_eq(prospero_call(inv, "echo", "2", 1, 3600, got, &b), 0);
	ck_assert_int_eq(prospero_call(inv, "echo", "3", 1, 3600, got, &c), 0);
	ck_assert_uint_eq(prospero_pending(inv), 3);
	if (in_band)
		send_notice(sv[1], 2);
	else
		ck_assert_int_eq(send(ctl[1], msg, sizeof msg - 1, 0), (ssize_t)sizeof msg - 1);
	run_until(&a.done, 1);
	for (int i = 0; i < 4; i++)
		ev_run(loop, EVRUN_NOWAIT);
	ck_assert_int_eq(a.err, PROSPERO_E_PEER_RESTARTED);
	ck_assert_int_eq(b.done, 0);
	ck_assert_int_eq(c.done, 0);
	/* the next incarnation reads past the junk and answers them */
	prospero_serve(service);
	run_until(&c.done, 1);
	ck_assert_int_eq(b.err, PROSPERO_OK);
	ck_assert_str_eq(b.body, "2");
	ck_assert_int_eq(c.err, PROSPERO_OK);
	ck_assert_str_eq(c.body, "3");
	ck_assert_str_eq(events, "answer:2;restarted:INVENTORY:2;answer:0;answer:0;");
	close(ctl[1]);
}

START_TEST(queued_calls_outlive_a_restart_on_the_control_channel)
{
	queued_calls_go_to_the_next_incarnation(false);
}
END_TEST

START_TEST(queued_calls_outlive_a_restart_notice_in_band)
{
	queued_calls_go_to_the_next_incarnation(true);
}
END_TEST

/* A queued call that times out before it leaves is answered once; the
 * queued calls around it still go and are answered. */
START_TEST(a_queued_call_may_time_out_before_it_leaves)
{
	struct answer a = { 0 }, b = { 0 }, c = { 0 };

	while (send(sv[0], "x", 1, MSG_DONTWAIT) == 1)
		;
	ck_assert_int_eq(prospero_call(inv, "echo", "1", 1, 3600, got, &a), 0);
	ck_assert_int_eq(prospero_call(inv, "echo", "2", 1, 0.01, got, &b), 0);
	ck_assert_int_eq(prospero_call(inv, "echo", "3", 1, 3600, got, &c), 0);
	run_until(&b.done, 1);
	ck_assert_int_eq(b.err, PROSPERO_E_TIMEOUT);
	prospero_serve(service);
	run_until(&c.done, 1);
	ck_assert_int_eq(a.err, PROSPERO_OK);
	ck_assert_int_eq(c.err, PROSPERO_OK);
	ck_assert_str_eq(events, "answer:1;answer:0;answer:0;");
}
END_TEST

START_TEST(readiness_and_watchdog_go_on_the_control_channel)
{
	char buf[64], big[1024];
	ssize_t n;

	pair(ctl);
	ck_assert_int_eq(prospero_adopt(client, "control", ctl[0]), 0);
	ck_assert_int_eq(prospero_ready(client), 0);
	n = recv(ctl[1], buf, sizeof buf, MSG_DONTWAIT);
	ck_assert_int_eq(n, 7);
	ck_assert(memcmp(buf, "READY=1", 7) == 0);
	ck_assert_int_eq(prospero_status(client, "warming up"), 0);
	n = recv(ctl[1], buf, sizeof buf, MSG_DONTWAIT);
	ck_assert(n == 17 && memcmp(buf, "STATUS=warming up", 17) == 0);
	/* cut where the daemon cuts, at 255 bytes, never inside a character */
	char text[601];

	memset(text, 'a', 600);
	text[600] = '\0';
	ck_assert_int_eq(prospero_status(client, text), 0);
	n = recv(ctl[1], big, sizeof big, MSG_DONTWAIT);
	ck_assert_int_eq(n, 7 + 255);
	ck_assert(memcmp(big, "STATUS=", 7) == 0 && memcmp(big + 7, text, 255) == 0);
	for (int i = 0; i < 300; i++)
		memcpy(text + 2 * i, "\xc3\xa9", 2);	/* é: the 128th would end at 256 */
	ck_assert_int_eq(prospero_status(client, text), 0);
	n = recv(ctl[1], big, sizeof big, MSG_DONTWAIT);
	ck_assert_int_eq(n, 7 + 254);
	ck_assert(memcmp(big + 7, text, 254) == 0);
	/* a newline anywhere, cut off or not, is refused */
	text[500] = '\n';
	errno = 0;
	ck_assert_int_eq(prospero_status(client, text), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(recv(ctl[1], big, sizeof big, MSG_DONTWAIT), -1);
	prospero_auto_watchdog(client, 0.001);
	ev_run(loop, EVRUN_ONCE);
	n = recv(ctl[1], buf, sizeof buf, MSG_DONTWAIT);
	ck_assert(n == 10 && memcmp(buf, "WATCHDOG=1", 10) == 0);
	prospero_auto_watchdog(client, 0);
	close(ctl[1]);
}
END_TEST

/* prospero-protocol(7): calls and casts go from client to service; the
 * client's end answers a call bad_request and drops a cast. */
START_TEST(a_clients_end_serves_no_calls)
{
	static struct answer a;
	struct pf_frame cast = { .kind = PF_CAST, .method = "note", .method_len = 4 };
	struct pf_frame call = { .kind = PF_CALL, .id = 9, .method = "echo", .method_len = 4,
				 .body = "x", .body_len = 1 };
	struct pollfd pfd;
	unsigned char dg[512];
	struct pf_frame f;
	char why[128];
	long n;

	n = pf_encode(dg, sizeof dg, &cast);
	ck_assert_int_eq(send(sv[1], dg, (size_t)n, 0), n);
	n = pf_encode(dg, sizeof dg, &call);
	ck_assert_int_eq(send(sv[1], dg, (size_t)n, 0), n);
	/* a call of the client's own, so that it reads its binding */
	ck_assert_int_eq(prospero_call(inv, "echo", "y", 1, 5, got, &a), 0);
	pfd = (struct pollfd){ .fd = sv[1], .events = POLLIN };
	for (int i = 0; i < 2000; i++) {
		ev_run(loop, EVRUN_NOWAIT);
		if (poll(&pfd, 1, 0) == 1)
			break;
		usleep(1000);
	}
	/* the client's call first (sent before it read ours), then the answer */
	for (;;) {
		ck_assert_int_eq(poll(&pfd, 1, 0), 1);
		n = recv(sv[1], dg, sizeof dg, 0);
		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(pf_decode(dg, (size_t)n, &f, NULL), n);
		if (f.kind != PF_CALL)
			break;
		for (int i = 0; i < 2000 && poll(&pfd, 1, 0) != 1; i++) {
			ev_run(loop, EVRUN_NOWAIT);
			usleep(1000);
		}
	}
	ck_assert_int_eq(f.kind, PF_ERROR);
	ck_assert_uint_eq(f.id, 9);
	snprintf(why, sizeof why, "%.*s %.*s", (int)f.method_len, f.method, (int)f.body_len, (const char *)f.body);
	ck_assert_str_eq(why, "bad_request this end of the binding serves no calls");
	/* nothing for the cast */
	ck_assert_int_eq(poll(&pfd, 1, 50), 0);
}
END_TEST

/* A client binding NAME on a socketpair of our own: the client's end
 * adopted, the other in RAW[1]. */
static struct prospero_binding *raw_binding(const char *name, int raw[2])
{
	pair(raw);
	ck_assert_int_eq(prospero_adopt(client, name, raw[0]), 0);
	return prospero_binding(client, name);
}

/* CALL, made with errno 0, fails with EPIPE. */
#define is_epipe(call)                                  \
	do {                                            \
		errno = 0;                              \
		ck_assert_int_eq((call), -1);           \
		ck_assert_int_eq(errno, EPIPE);         \
	} while (0)

/* A service that floods its client's end with calls and reads nothing
 * (a hostile consumer, to the queue that calls it): the client reads on,
 * for its replies, so the bad_request answers it owes nobody are dropped
 * once its send queue is full, not queued without end. */
START_TEST(a_flood_of_calls_at_a_clients_end_is_not_queued_without_end)
{
	static unsigned char dg[PF_MAX_DGRAM];
	struct pf_frame call = { .kind = PF_CALL, .method = "x", .method_len = 1 };
	struct prospero_binding *b;
	long answers = 0, sent = 0, n;
	size_t len = 0;
	int raw[2];

	b = raw_binding("RAW", raw);
	ck_assert_ptr_nonnull(b);
	while (len + pf_size(&call) <= sizeof dg) {
		call.id++;
		len += (size_t)pf_encode(dg + len, sizeof dg - len, &call);
	}
	/* 400 datagrams of calls: 1.2 million, 80 MiB of answers */
	for (int i = 0; i < 400;) {
		if (send(raw[1], dg, len, MSG_DONTWAIT) == (ssize_t)len) {
			i++;
			sent += (long)call.id;
		} else {
			ck_assert_int_eq(errno, EAGAIN);
			ev_run(loop, EVRUN_NOWAIT);
		}
	}
	for (int i = 0; i < 200; i++)
		ev_run(loop, EVRUN_NOWAIT);
	/* what is in the socket now, and what the client still holds for it */
	for (int idle = 0; idle < 50;) {
		n = recv(raw[1], dg, sizeof dg, MSG_DONTWAIT);
		if (n > 0) {
			for (long off = 0; off < n; answers++) {
				struct pf_frame f;
				long used = pf_decode(dg + off, (size_t)(n - off), &f, NULL);

				ck_assert_int_gt(used, 0);
				ck_assert_int_eq(f.kind, PF_ERROR);
				off += used;
			}
			idle = 0;
		} else {
			ev_run(loop, EVRUN_NOWAIT);
			idle++;
		}
	}
	/* its queue (64 datagrams) and the socket's room, not every call */
	ck_assert_int_gt(answers, 0);
	ck_assert_int_lt(answers, sent / 4);
	close(raw[1]);
}
END_TEST

/* A binding whose other end is closed fails a send with EPIPE, also when
 * the peer left a datagram of ours unread (the kernel says ECONNRESET). */
START_TEST(a_closed_peer_is_epipe)
{
	static struct answer a;	/* the call is failed at teardown */
	struct prospero_binding *b;
	int raw[2];

	b = raw_binding("RAW", raw);
	prospero_set_coalesce(b, 0);	/* casts leave at once */
	ck_assert_int_eq(prospero_call(b, "echo", "x", 1, 5, got, &a), 0);
	close(raw[1]);		/* the call unread */
	is_epipe(prospero_call(b, "echo", "y", 1, 5, got, &a));
	is_epipe(prospero_cast(b, "note", "z", 1));
	ck_assert_int_eq(a.done, 0);
	/* and the control channel */
	pair(raw);
	ck_assert_int_eq(prospero_adopt(client, "control", raw[0]), 0);
	ck_assert_int_eq(prospero_ready(client), 0);
	close(raw[1]);
	is_epipe(prospero_watchdog(client));
}
END_TEST

/* A cast that waits for the turn's end (coalescing, the default) is
 * EPIPE too when the other end is already gone: it returned 0 and was
 * dropped, even right after a call on the same binding had been EPIPE. */
START_TEST(a_coalesced_cast_to_a_closed_peer_is_epipe)
{
	struct answer a = { 0 };
	struct prospero_binding *b;
	int raw[2];

	b = raw_binding("RAW", raw);
	close(raw[1]);
	is_epipe(prospero_cast(b, "note", "x", 1));
	is_epipe(prospero_call(b, "echo", "y", 1, 5, got, &a));
	is_epipe(prospero_cast(b, "note", "z", 1));
	ck_assert_int_eq(a.done, 0);
	/* while the peer is there, a cast waits for the turn and goes */
	b = raw_binding("RAW2", raw);
	ck_assert_int_eq(prospero_cast(b, "note", "w", 1), 0);
	ck_assert_int_eq(recv(raw[1], (char[64]){ 0 }, 64, MSG_DONTWAIT), -1);
	ev_run(loop, EVRUN_NOWAIT);
	ck_assert_int_gt(recv(raw[1], (char[64]){ 0 }, 64, MSG_DONTWAIT), 0);
	close(raw[1]);
}
END_TEST

/* The same for a blocking call. */
START_TEST(a_closed_peer_is_epipe_for_call_wait)
{
	struct answer a = { 0 };
	struct prospero_binding *b;
	int raw[2];

	b = raw_binding("RAW", raw);
	prospero_set_coalesce(b, 0);
	ck_assert_int_eq(prospero_cast(b, "note", "x", 1), 0);
	close(raw[1]);		/* the cast unread */
	is_epipe(prospero_call_wait(b, "echo", "y", 1, 5, got, &a));
	ck_assert_int_eq(a.done, 0);
}
END_TEST

/* A full send queue refuses calls and casts until it has drained to
 * half, when prospero_on_writable's callback runs: not as soon as the
 * socket takes a datagram or two. */
static int writable_seen;

static void count_writable(struct prospero_binding *b, void *arg)
{
	writable_seen++;
}

START_TEST(a_full_queue_refuses_until_it_has_drained_to_half)
{
	static struct answer a;	/* the call is failed at teardown */
	char body[2000], dg[PF_MAX_DGRAM];
	struct prospero_binding *b;
	int raw[2], small = 4096, n = 0;

	memset(body, 'x', sizeof body);
	pair(raw);
	ck_assert_int_eq(setsockopt(raw[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small), 0);
	ck_assert_int_eq(prospero_adopt(client, "RAW", raw[0]), 0);
	b = prospero_binding(client, "RAW");
	prospero_set_coalesce(b, 0);	/* one datagram a cast */
	prospero_on_writable(b, count_writable, NULL);
	while (prospero_cast(b, "note", body, sizeof body) == 0)
		ck_assert_int_lt(++n, 10000);
	ck_assert_int_eq(errno, EAGAIN);
	/* the peer takes a few: the queue goes down, not yet to half */
	for (int i = 0; i < 4; ev_run(loop, EVRUN_NOWAIT))
		if (recv(raw[1], dg, sizeof dg, MSG_DONTWAIT) > 0)
			i++;
	ck_assert_int_eq(writable_seen, 0);
	errno = 0;
	ck_assert_int_eq(prospero_cast(b, "note", body, sizeof body), -1);
	ck_assert_int_eq(errno, EAGAIN);
	errno = 0;
	ck_assert_int_eq(prospero_call(b, "echo", "y", 1, 5, got, &a), -1);
	ck_assert_int_eq(errno, EAGAIN);
	/* now it drains */
	while (!writable_seen) {
		while (recv(raw[1], dg, sizeof dg, MSG_DONTWAIT) > 0)
			;
		ev_run(loop, EVRUN_NOWAIT);
	}
	ck_assert_int_eq(prospero_cast(b, "note", body, sizeof body), 0);
	close(raw[1]);
}
END_TEST

/* prospero_close fails the pending calls, and a callback that calls
 * again (a retry) is refused: the actor is going, and a call it took
 * would never be answered. */
static struct prospero_binding *retry_on;

static void stop_loop(struct ev_loop *l, ev_timer *w, int revents)
{
	ev_break(l, EVBREAK_ALL);
}

static int retried, retry_errno;

static void retry(int err, const void *body, size_t len, void *arg)
{
	note("failed");
	errno = 0;
	retried = prospero_call(retry_on, "echo", "again", 5, 0.05, retry, arg);
	retry_errno = errno;
}

START_TEST(a_closing_actor_takes_no_new_call)
{
	ev_timer quiet;

	retry_on = inv;
	ck_assert_int_eq(prospero_call(inv, "silent", "x", 1, 0.05, retry, NULL), 0);
	prospero_close(client);
	client = NULL;
	ck_assert_str_eq(events, "failed;");
	ck_assert_int_eq(retried, -1);
	ck_assert_int_eq(retry_errno, ESHUTDOWN);
	/* nothing of the closed actor is left on the loop */
	ev_timer_init(&quiet, stop_loop, 0.2, 0);
	ev_timer_start(loop, &quiet);
	ev_run(loop, 0);
	ck_assert_str_eq(events, "failed;");
}
END_TEST

/* The callbacks prospero_close runs may use any binding of the actor,
 * not only their own: a cast is taken and leaves, and no binding is gone
 * while one of them runs. Each binding has a call pending, whose callback
 * casts on the other: whichever binding is freed first, the other's
 * callback must not find it freed. */
static struct prospero_binding *cross_to[2];
static int cross_cast[2];
static unsigned cross_pending[2];

static void cross(int err, const void *body, size_t len, void *arg)
{
	int i = (int)(intptr_t)arg;

	cross_pending[i] = prospero_pending(cross_to[i]);
	cross_cast[i] = prospero_cast(cross_to[i], "note", "bye", 3);
}

START_TEST(a_closing_actors_callbacks_may_cast_on_any_binding)
{
	int raw[2];
	char buf[256];
	struct prospero_binding *log;

	pair(raw);
	ck_assert_int_eq(prospero_adopt(client, "LOG", raw[0]), 0);
	log = prospero_binding(client, "LOG");
	cross_to[0] = log;	/* the call on INVENTORY casts on LOG */
	cross_to[1] = inv;	/* and the one on LOG on INVENTORY */
	cross_cast[0] = cross_cast[1] = 1;
	ck_assert_int_eq(prospero_call(inv, "silent", "", 0, 60, cross, (void *)(intptr_t)0), 0);
	ck_assert_int_eq(prospero_call(log, "silent", "", 0, 60, cross, (void *)(intptr_t)1), 0);
	prospero_close(client);
	client = NULL;
	ck_assert_int_eq(cross_cast[0], 0);
	ck_assert_int_eq(cross_cast[1], 0);
	/* each saw the other's call failed already, or not yet */
	ck_assert_uint_le(cross_pending[0], 1);
	ck_assert_uint_le(cross_pending[1], 1);
	/* LOG's peer has the call, then the cast that left with the close */
	ck_assert_int_gt(recv(raw[1], buf, sizeof buf, MSG_DONTWAIT), 0);
	ck_assert_int_gt(recv(raw[1], buf, sizeof buf, MSG_DONTWAIT), 0);
	close(raw[1]);
}
END_TEST

/* prospero_stop_on_sigterm again replaces what SIGTERM runs: the last
 * DONE runs, once. */
static void stopped_as(struct prospero *p, void *arg)
{
	note(arg);
	ev_break(loop, EVBREAK_ALL);
}

START_TEST(stop_on_sigterm_again_replaces_done)
{
	ck_assert_int_eq(prospero_stop_on_sigterm(service, stopped_as, "first"), 0);
	ck_assert_int_eq(prospero_stop_on_sigterm(service, stopped_as, "second"), 0);
	ck_assert_int_eq(raise(SIGTERM), 0);
	ev_run(loop, 0);
	ck_assert_str_eq(events, "second;");
}
END_TEST

/* A request deferred and not yet answered when its actor closes is
 * answered unavailable by prospero_close, which frees it: the caller
 * hears at once rather than at its timeout. */
static struct prospero_request *kept_req;

static void keep_it(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	kept_req = prospero_defer(req);
	note("kept");
}

START_TEST(a_closing_actor_answers_what_it_deferred)
{
	struct answer a = { 0 };

	prospero_handle(service, "keep", keep_it, NULL);
	prospero_serve(service);
	ck_assert_int_eq(prospero_call(inv, "keep", "", 0, 60, got, &a), 0);
	while (!kept_req)
		ev_run(loop, EVRUN_ONCE);
	kept_req = NULL;	/* void once the actor closes */
	prospero_close(service);
	service = NULL;
	run_until(&a.done, 1);
	ck_assert_int_eq(a.err, PROSPERO_E_UNAVAILABLE);
	ck_assert_str_eq(events, "kept;answer:6;");
}
END_TEST

/* prospero_stop from a handler reads no more requests: those behind it
 * stay in the socket, for the next incarnation, even when they had
 * arrived with it. */
static void halt(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	note("halt");
	prospero_stop(service);
}

static void ticked(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	note("tick");
}

START_TEST(a_stopped_actor_leaves_what_follows_in_the_socket)
{
	char dg[PF_MAX_DGRAM];
	int left = 0;

	prospero_handle(service, "halt", halt, NULL);
	prospero_handle(service, "tick", ticked, NULL);
	ck_assert_int_eq(prospero_stop_on_sigterm(service, stopped_as, "stopped"), 0);
	prospero_serve(service);
	prospero_set_coalesce(inv, 0);	/* a datagram each, all in the socket */
	ck_assert_int_eq(prospero_cast(inv, "halt", "", 0), 0);
	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(prospero_cast(inv, "tick", "", 0), 0);
	ev_run(loop, 0);
	ck_assert_str_eq(events, "halt;stopped;");
	while (recv(sv[1], dg, sizeof dg, MSG_DONTWAIT) > 0)
		left++;
	ck_assert_int_eq(left, 3);
}
END_TEST

/* libprospero(3): a stopping actor may still cast, though it makes no
 * new call; the cast leaves with what is queued. */
START_TEST(a_stopped_actor_still_casts)
{
	static unsigned char dg[PF_MAX_DGRAM];
	struct pf_frame f;
	ssize_t n;

	prospero_stop(client);
	errno = 0;
	ck_assert_int_eq(prospero_call(inv, "echo", "x", 1, 1.0, got, NULL), -1);
	ck_assert_int_eq(errno, ESHUTDOWN);
	ck_assert_int_eq(prospero_cast(inv, "bye", "x", 1), 0);
	ev_run(loop, EVRUN_NOWAIT);
	n = recv(sv[1], dg, sizeof dg, MSG_DONTWAIT);
	ck_assert_int_gt(n, 0);
	ck_assert_int_gt(pf_decode(dg, (size_t)n, &f, NULL), 0);
	ck_assert_int_eq(f.kind, PF_CAST);
	ck_assert_int_eq(f.method_len, 3);
	ck_assert(memcmp(f.method, "bye", 3) == 0);
}
END_TEST

/* A stop is for good: prospero_serve after it is refused, and an edge
 * adopted after it is not read either; the requests stay in the
 * sockets, for the next incarnation. */
START_TEST(serve_after_a_stop_reads_nothing)
{
	struct prospero *other = prospero_new(loop);
	char dg[PF_MAX_DGRAM];
	int more[2], left = 0;

	prospero_handle(service, "halt", halt, NULL);
	prospero_handle(service, "tick", ticked, NULL);
	ck_assert_int_eq(prospero_stop_on_sigterm(service, stopped_as, "stopped"), 0);
	prospero_serve(service);
	prospero_set_coalesce(inv, 0);
	ck_assert_int_eq(prospero_cast(inv, "halt", "", 0), 0);
	ck_assert_int_eq(prospero_cast(inv, "tick", "", 0), 0);
	ev_run(loop, 0);
	ck_assert_str_eq(events, "halt;stopped;");
	errno = 0;
	ck_assert_int_eq(prospero_serve(service), -1);
	ck_assert_int_eq(errno, ESHUTDOWN);
	pair(more);
	ck_assert_int_eq(prospero_adopt(service, "serve:other", more[1]), 0);
	ck_assert_int_eq(prospero_adopt(other, "SERVICE", more[0]), 0);
	ck_assert_int_eq(prospero_cast(prospero_binding(other, "SERVICE"), "tick", "", 0), 0);
	for (int i = 0; i < 5; i++)
		ev_run(loop, EVRUN_NOWAIT);
	ck_assert_str_eq(events, "halt;stopped;");
	while (recv(sv[1], dg, sizeof dg, MSG_DONTWAIT) > 0)
		left++;
	while (recv(more[1], dg, sizeof dg, MSG_DONTWAIT) > 0)
		left++;
	ck_assert_int_eq(left, 2);
	prospero_close(other);
}
END_TEST

/* prospero_close from inside one of the actor's own callbacks: the
 * library still holds the actor there, so the close waits for the
 * callback to return, reads and dispatches nothing more meanwhile, then
 * does all it does from outside. */
static struct prospero_request *held_req;

static void hold(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	held_req = prospero_defer(req);
}

static void close_service(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	note("close");
	prospero_close(service);
	service = NULL;
}

static void close_client(int err, const void *body, size_t len, void *arg)
{
	got(err, body, len, arg);
	prospero_close(client);
	client = NULL;
}

START_TEST(a_handler_may_close_its_actor)
{
	struct answer a = { 0 }, b = { 0 };

	prospero_handle(service, "close", close_service, NULL);
	prospero_handle(service, "tick", ticked, NULL);
	prospero_serve(service);
	/* one datagram: a cast nobody handles, the call that closes, then a
	 * cast and a call its actor must not run */
	ck_assert_int_eq(prospero_cast(inv, "nothing", "", 0), 0);
	ck_assert_int_eq(prospero_call(inv, "close", "", 0, 5, got, &a), 0);
	ck_assert_int_eq(prospero_cast(inv, "tick", "", 0), 0);
	ck_assert_int_eq(prospero_call(inv, "echo", "x", 1, 5, got, &b), 0);
	run_until(&b.done, 1);
	ck_assert_int_eq(a.err, PROSPERO_E_UNAVAILABLE);
	ck_assert_int_eq(b.err, PROSPERO_E_UNAVAILABLE);
	ck_assert_str_eq(events, "close;answer:6;answer:6;");
}
END_TEST

START_TEST(a_reply_callback_may_close_its_actor)
{
	struct answer a = { 0 }, b = { 0 };

	prospero_handle(service, "hold", hold, NULL);
	prospero_serve(service);
	ck_assert_int_eq(prospero_call(inv, "hold", "", 0, 60, got, &b), 0);
	ck_assert_int_eq(prospero_call(inv, "echo", "x", 1, 60, close_client, &a), 0);
	run_until(&b.done, 1);
	/* the call still in flight fails as the close runs, after the
	 * callback that closed */
	ck_assert_str_eq(events, "answer:0;answer:6;");
	ck_assert_int_eq(b.err, PROSPERO_E_UNAVAILABLE);
	held_req = NULL;	/* answered by teardown's close */
}
END_TEST

START_TEST(a_timeout_callback_may_close_its_actor)
{
	struct answer a = { 0 }, b = { 0 };

	prospero_handle(service, "hold", hold, NULL);
	prospero_serve(service);
	ck_assert_int_eq(prospero_call(inv, "hold", "", 0, 60, got, &b), 0);
	ck_assert_int_eq(prospero_call(inv, "hold", "", 0, 0.05, close_client, &a), 0);
	run_until(&b.done, 1);
	ck_assert_str_eq(events, "answer:1;answer:6;");
	held_req = NULL;
}
END_TEST

START_TEST(a_call_wait_callback_may_close_its_actor)
{
	struct answer a = { 0 };

	/* nobody reads: it times out, and its callback closes */
	ck_assert_int_eq(prospero_call_wait(inv, "echo", "x", 1, 0.05, close_client, &a), 0);
	ck_assert_int_eq(a.err, PROSPERO_E_TIMEOUT);
	ck_assert_ptr_null(client);
}
END_TEST

/* A callback that prospero_close itself runs may close again: nothing. */
START_TEST(a_close_inside_the_close_does_nothing)
{
	struct answer a = { 0 };

	ck_assert_int_eq(prospero_call(inv, "echo", "x", 1, 60, close_client, &a), 0);
	prospero_close(client);
	ck_assert_int_eq(a.err, PROSPERO_E_UNAVAILABLE);
	ck_assert_str_eq(events, "answer:6;");
	client = NULL;
}
END_TEST

/* CALL fails, -1 (or NULL) with errno EINVAL. */
#define REFUSED(call)                                                                   \
	do {                                                                            \
		errno = 0;                                                              \
		ck_assert_msg((call) == 0 - 1 && errno == EINVAL, "%s: errno %d", #call, errno); \
	} while (0)
#define REFUSED_PTR(call)                                                               \
	do {                                                                            \
		errno = 0;                                                              \
		ck_assert_msg((call) == NULL && errno == EINVAL, "%s: errno %d", #call, errno); \
	} while (0)

static void writable_cb(struct prospero_binding *b, void *arg)
{
}

static void batch_cb(struct prospero_queue_batch *b, const struct prospero_queue_message *m, size_t n, void *arg)
{
}

/* A NULL where a function needs a pointer is EINVAL, not a crash; what
 * returns nothing does nothing. */
START_TEST(null_arguments_are_einval)
{
	struct answer a = { 0 };
	struct iovec msgs[1] = { { NULL, 3 } };
	uint64_t id;
	int raw[2];

	pair(raw);
	REFUSED_PTR(prospero_new(NULL));
	REFUSED_PTR(prospero_open(NULL));
	REFUSED(prospero_adopt(NULL, "RAW", raw[0]));
	REFUSED(prospero_adopt(client, NULL, raw[0]));
	ck_assert_int_eq(fcntl(raw[0], F_GETFD), FD_CLOEXEC);	/* left alone */
	prospero_close(NULL);
	REFUSED_PTR(prospero_binding(NULL, "INVENTORY"));
	REFUSED_PTR(prospero_binding(client, NULL));

	REFUSED(prospero_call(NULL, "echo", "x", 1, 5, got, &a));
	REFUSED(prospero_call(inv, NULL, "x", 1, 5, got, &a));
	REFUSED(prospero_call(inv, "echo", NULL, 1, 5, got, &a));
	REFUSED(prospero_call(inv, "echo", "x", 1, 5, NULL, &a));
	REFUSED(prospero_call_wait(NULL, "echo", "x", 1, 5, got, &a));
	REFUSED(prospero_call_wait(inv, NULL, "x", 1, 5, got, &a));
	REFUSED(prospero_call_wait(inv, "echo", NULL, 1, 5, got, &a));
	REFUSED(prospero_call_wait(inv, "echo", "x", 1, 5, NULL, &a));
	REFUSED(prospero_cast(NULL, "echo", "x", 1));
	REFUSED(prospero_cast(inv, NULL, "x", 1));
	REFUSED(prospero_cast(inv, "echo", NULL, 1));
	prospero_on_writable(NULL, writable_cb, NULL);
	prospero_set_coalesce(NULL, 0);
	errno = 0;
	ck_assert_uint_eq(prospero_pending(NULL), 0);
	ck_assert_int_eq(errno, EINVAL);

	REFUSED(prospero_handle(NULL, "echo", echo, NULL));
	REFUSED(prospero_handle(service, NULL, echo, NULL));
	REFUSED(prospero_handle(service, "echo", NULL, NULL));
	REFUSED(prospero_serve(NULL));
	REFUSED(prospero_reply(NULL, "x", 1));
	REFUSED(prospero_fail(NULL, PROSPERO_E_INTERNAL, "x"));
	REFUSED_PTR(prospero_defer(NULL));
	REFUSED_PTR(prospero_request_method(NULL));
	REFUSED(prospero_linger(NULL, 0));

	REFUSED(prospero_ready(NULL));
	REFUSED(prospero_watchdog(NULL));
	REFUSED(prospero_status(NULL, "up"));
	REFUSED(prospero_status(client, NULL));
	prospero_auto_watchdog(NULL, 1);
	prospero_on_peer_restarted(NULL, NULL, NULL);
	REFUSED(prospero_stop_on_sigterm(NULL, NULL, NULL));
	prospero_stop(NULL);

	REFUSED(prospero_queue_send(NULL, "x", 1, 5, got, &a));
	REFUSED(prospero_queue_send(inv, NULL, 1, 5, got, &a));
	REFUSED(prospero_queue_send_batch(NULL, msgs, 1, 5, got, &a));
	REFUSED(prospero_queue_send_batch(inv, NULL, 1, 5, got, &a));
	REFUSED(prospero_queue_send_batch(inv, msgs, 1, 5, got, &a));	/* no body at its length */
	REFUSED(prospero_queue_cast(NULL, "x", 1));
	REFUSED(prospero_queue_sent(NULL, 12, &id, NULL));
	/* an empty body is a value: not such a reply */
	errno = 0;
	ck_assert_int_eq(prospero_queue_sent(NULL, 0, &id, NULL), -1);
	ck_assert_int_eq(errno, EBADMSG);
	REFUSED_PTR(prospero_queue_consume(NULL, batch_cb, NULL));
	REFUSED_PTR(prospero_queue_consume(service, NULL, NULL));
	prospero_queue_consumer_free(NULL);
	REFUSED(prospero_queue_ack(NULL, 0));
	REFUSED(prospero_queue_retry(NULL, 0, 0));
	REFUSED(prospero_queue_ack_all(NULL));
	REFUSED_PTR(prospero_queue_keep(NULL));
	REFUSED(prospero_queue_done(NULL));

	ck_assert_uint_eq(prospero_pending(inv), 0);	/* nothing was sent */
	ck_assert_int_eq(a.done, 0);
	close(raw[0]);
	close(raw[1]);
}
END_TEST

/* A send's reply commits 1 to 1000 messages: any other count is not
 * such a reply, and leaves the caller's variables alone. */
START_TEST(a_sent_reply_counts_one_to_a_thousand)
{
	static const uint32_t bad[] = { 0, PQ_BATCH_MAX + 1, UINT32_MAX };
	uint8_t body[PQ_SENT_LEN];
	uint64_t id;
	unsigned n;

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		pq_sent_encode(body, 7, bad[i]);
		id = 1;
		n = 1;
		errno = 0;
		ck_assert_msg(prospero_queue_sent(body, sizeof body, &id, &n) == -1 && errno == EBADMSG,
			      "count %u: errno %d", bad[i], errno);
		ck_assert_uint_eq(id, 1);
		ck_assert_uint_eq(n, 1);
	}
	pq_sent_encode(body, 7, 1);
	ck_assert_int_eq(prospero_queue_sent(body, sizeof body, &id, &n), 0);
	ck_assert_uint_eq(id, 7);
	ck_assert_uint_eq(n, 1);
	pq_sent_encode(body, 8, PQ_BATCH_MAX);
	ck_assert_int_eq(prospero_queue_sent(body, sizeof body, &id, &n), 0);
	ck_assert_uint_eq(id, 8);
	ck_assert_uint_eq(n, PQ_BATCH_MAX);
}
END_TEST

/* Malformed datagrams: a call with a readable header is answered with
 * bad_request; anything else is dropped; the channel keeps working. */
START_TEST(malformed_frames_are_answered_or_dropped)
{
	int raw[2];
	unsigned char dg[64] = { 'P', 'R', 1, PF_CALL, 0, 0, 200, 0, 0, 0, 0, 0, 9 };
	struct pf_frame f;
	struct prospero *svc = prospero_new(loop);
	char good[64];
	long n;

	pair(raw);
	prospero_adopt(svc, "serve:raw", raw[1]);
	prospero_handle(svc, "echo", echo, NULL);
	prospero_serve(svc);
	ck_assert_int_eq(send(raw[0], dg, 40, 0), 40);		/* method runs past the end */
	ck_assert_int_eq(send(raw[0], "garbage", 7, 0), 7);	/* no header at all */
	ck_assert_int_eq(send(raw[0], "", 0, 0), 0);		/* empty: ends the channel */
	for (int i = 0; i < 4; i++)
		ev_run(loop, EVRUN_NOWAIT);
	n = recv(raw[0], good, sizeof good, MSG_DONTWAIT);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(pf_decode(good, (size_t)n, &f, NULL), n);
	ck_assert_int_eq(f.kind, PF_ERROR);
	ck_assert(f.id == 9);
	ck_assert(memcmp(f.method, "bad_request", 11) == 0);
	ck_assert_int_eq(recv(raw[0], good, sizeof good, MSG_DONTWAIT), -1);
	prospero_close(svc);
	close(raw[0]);
}
END_TEST

static void pump_loop(int fd)
{
	ev_run(loop, EVRUN_NOWAIT);
}

/* Which malformed calls are answered (README "Malformed input"): the same
 * cases as the Python peer's. */
START_TEST(malformed_calls_are_answered_by_the_rule)
{
	int raw[2];
	struct prospero *svc = prospero_new(loop);

	pair(raw);
	prospero_adopt(svc, "serve:raw", raw[1]);
	prospero_handle(svc, "echo", echo, NULL);
	prospero_serve(svc);
	malformed_expect(malformed_run(raw[0], pump_loop), "libprospero");
	prospero_close(svc);
	close(raw[0]);
}
END_TEST

/* Random and truncated datagrams at both a service and a client, mixed with
 * good calls: no crash, no leak (ASan), and the good calls are answered. */
START_TEST(fuzzed_datagrams_do_not_hurt)
{
	unsigned seed = 777;
	unsigned char dg[512];
	int raw[2];
	struct prospero *victim = prospero_new(loop);
	struct answer a = { 0 };

	pair(raw);
	prospero_adopt(victim, "PEER", raw[1]);	/* a client fed random replies */
	prospero_serve(service);
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = 1 + (size_t)rand_r(&seed) % sizeof dg;
		struct pf_frame f = { .kind = (uint8_t)(1 + rand_r(&seed) % 4), .id = (uint64_t)rand_r(&seed) + 1,
				      .method = "echo", .method_len = 4, .body = "{}", .body_len = 2 };

		if (f.kind == PF_REPLY)
			f.method_len = 0;
		if (f.kind == PF_CAST)
			f.id = 0;
		if (iter % 3 == 0) {
			for (size_t i = 0; i < len; i++)
				dg[i] = (unsigned char)rand_r(&seed);
		} else {
			long n = pf_encode(dg, sizeof dg, &f);

			ck_assert_int_gt(n, 0);
			if (iter % 3 == 1)
				len = (size_t)rand_r(&seed) % (size_t)n + 1;	/* truncated */
			else
				dg[(size_t)rand_r(&seed) % (size_t)n] = (unsigned char)rand_r(&seed);
			len = len > (size_t)n ? (size_t)n : len;
		}
		send(sv[0], dg, len, MSG_DONTWAIT);	/* as if from the client */
		send(raw[0], dg, len, MSG_DONTWAIT);	/* as if from a service */
		ev_run(loop, EVRUN_NOWAIT);
		/* drain what the service answered the fuzz so the socket never fills */
		while (recv(sv[0], dg, sizeof dg, MSG_DONTWAIT) > 0)
			;
	}
	prospero_call(inv, "echo", "ok", 2, 5, got, &a);
	run_until(&a.done, 1);
	ck_assert_int_eq(a.err, 0);
	prospero_close(victim);
	close(raw[0]);
}
END_TEST

/* A service in its own process: many round trips, then SIGTERM with a
 * request in flight: it is answered, the service exits 0, and a call sent
 * after the stop stays in the socket for the next incarnation. */
static void slow(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	static ev_timer t;

	ev_timer_init(&t, deferred_later, 0.05, 0);
	t.data = prospero_defer(req);
	ev_timer_start(loop, &t);
	kill(getppid(), SIGUSR1);	/* "I hold it": the parent may now SIGTERM */
}

/* A forked service's life: serve until SIGTERM has stopped it, exit 0. */
static __attribute__((noreturn)) void serve_until_sigterm(struct prospero *p, struct ev_loop *l)
{
	prospero_stop_on_sigterm(p, NULL, NULL);
	prospero_serve(p);
	ev_run(l, 0);
	prospero_close(p);
	ev_loop_destroy(l);
	_exit(0);
}

static volatile sig_atomic_t holding;

static void on_usr1(int sig)
{
	holding = 1;
}

START_TEST(a_forked_service_stops_gracefully)
{
	struct answer a = { 0 }, s = { 0 };
	static struct answer late;	/* answered by teardown's prospero_close */
	int status;
	pid_t pid;
	char dg[128];

	signal(SIGUSR1, on_usr1);
	pid = fork();
	if (pid == 0) {
		struct ev_loop *l = ev_loop_new(0);
		struct prospero *p = prospero_new(l);

		loop = l;	/* the inherited default loop is left alone */
		close(sv[0]);
		prospero_adopt(p, "serve:parent", dup(sv[1]));
		prospero_handle(p, "echo", echo, NULL);
		prospero_handle(p, "slow", slow, NULL);
		serve_until_sigterm(p, l);
	}
	for (int i = 0; i < 1000; i++) {
		prospero_call(inv, "echo", "ping", 4, 10, got, &a);
		run_until(&a.done, i + 1);
		ck_assert_int_eq(a.err, 0);
	}
	prospero_call(inv, "slow", "", 0, 10, got, &s);
	while (!holding)
		ev_run(loop, EVRUN_ONCE);
	kill(pid, SIGTERM);
	run_until(&s.done, 1);
	ck_assert_int_eq(s.err, 0);
	ck_assert_str_eq(s.body, "later");
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* the stopped service read nothing more: this waits for the next one */
	prospero_call(inv, "echo", "late", 4, 10, got, &late);
	ck_assert_int_gt(recv(sv[1], dg, sizeof dg, MSG_DONTWAIT), 0);
	signal(SIGUSR1, SIG_DFL);
}
END_TEST

/* The notice on the binding fails the calls in flight behind the replies
 * the dead incarnation sent; the same notice on the control channel
 * afterwards changes nothing, and the callback runs once. */
START_TEST(the_notice_in_band_fails_calls_once)
{
	struct answer a = { 0 }, b = { 0 }, c = { 0 };
	static const char msg[] = "PEER_RESTARTED=INVENTORY\nINCARNATION=2\n";
	unsigned char dg[256];
	struct pf_frame f;
	ssize_t n;

	pair(ctl);
	ck_assert_int_eq(prospero_adopt(client, "control", ctl[0]), 0);
	prospero_on_peer_restarted(client, restarted, NULL);
	prospero_call(inv, "echo", "1", 1, 3600, got, &a);
	prospero_call(inv, "echo", "2", 1, 3600, got, &b);
	/* the dead incarnation answered the first call, then died */
	n = recv(sv[1], dg, sizeof dg, 0);
	ck_assert_int_gt(n, 0);
	ck_assert_int_gt(pf_decode(dg, (size_t)n, &f, NULL), 0);
	f = (struct pf_frame){ .kind = PF_REPLY, .id = f.id, .body = "one", .body_len = 3 };
	n = pf_encode(dg, sizeof dg, &f);
	ck_assert_int_eq(send(sv[1], dg, (size_t)n, 0), n);
	send_notice(sv[1], 2);
	run_until(&b.done, 1);
	ck_assert_int_eq(a.err, 0);
	ck_assert_str_eq(a.body, "one");
	ck_assert_int_eq(b.err, PROSPERO_E_PEER_RESTARTED);
	/* a call to the next incarnation, then the late control notice */
	ck_assert_int_gt(recv(sv[1], dg, sizeof dg, 0), 0);	/* call 2, taken by the dead one */
	prospero_call(inv, "echo", "3", 1, 3600, got, &c);
	ck_assert_int_eq(send(ctl[1], msg, sizeof msg - 1, 0), (ssize_t)sizeof msg - 1);
	for (int i = 0; i < 5; i++)
		ev_run(loop, EVRUN_NOWAIT);
	ck_assert_int_eq(c.done, 0);
	ck_assert_str_eq(events, "answer:0;answer:2;restarted:INVENTORY:2;");
	/* a later death is news again */
	send_notice(sv[1], 3);
	run_until(&c.done, 1);
	ck_assert_int_eq(c.err, PROSPERO_E_PEER_RESTARTED);
	ck_assert_str_eq(events, "answer:0;answer:2;restarted:INVENTORY:2;answer:2;restarted:INVENTORY:3;");
	close(ctl[1]);
}
END_TEST

/* A notice whose body is not the daemon's {"incarnation":N,"at":NS} says
 * nothing to trust: it fails no call and reports no restart. */
START_TEST(a_malformed_notice_is_ignored)
{
	static const char *const bodies[] = {
		"", "{}", "garbage", "{\"incarnation\":2}", "{\"at\":5}", "{\"incarnation\":0,\"at\":5}",
		"{\"incarnation\":x,\"at\":5}", "{\"incarnation\":2,\"at\":}", "{\"incarnation\":-2,\"at\":5}",
		"{\"incarnation\":2,\"at\":5", "{\"incarnation\":2,\"at\":5}x",
		"{\"incarnation\":99999999999999999999999,\"at\":5}",
		"{\"incarnation\":2,\"at\":5,\"incarnation\":3}",
		"{\"incarnation\":2,\"at\":1}{\"incarnation\":3,\"at\":1}              ",
	};
	struct answer a = { 0 };
	unsigned char dg[256];

	prospero_on_peer_restarted(client, restarted, NULL);
	ck_assert_int_eq(prospero_call(inv, "echo", "1", 1, 3600, got, &a), 0);
	ck_assert_int_gt(recv(sv[1], dg, sizeof dg, 0), 0);	/* taken, never answered */
	for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
		struct pf_frame f = {
			.kind = PF_ERROR, .method = "peer_restarted", .method_len = 14,
			.body = bodies[i], .body_len = (uint32_t)strlen(bodies[i]),
		};
		long n = pf_encode(dg, sizeof dg, &f);

		ck_assert_int_gt(n, 0);
		ck_assert_int_eq(send(sv[1], dg, (size_t)n, 0), n);
		for (int k = 0; k < 3; k++)
			ev_run(loop, EVRUN_NOWAIT);
		ck_assert_msg(a.done == 0, "failed by %s", bodies[i]);
		ck_assert_str_eq(events, "");
	}
	send_notice(sv[1], 2);	/* the real one still counts */
	run_until(&a.done, 1);
	ck_assert_int_eq(a.err, PROSPERO_E_PEER_RESTARTED);
	ck_assert_str_eq(events, "answer:2;restarted:INVENTORY:2;");
}
END_TEST

/* A service in a forked process with a loop of its own: call_wait blocks
 * this one. MODE 0 echoes; 1 takes one call and sends the daemon's notice
 * instead of an answer, as if it had died. */
static pid_t fork_service(int mode)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct ev_loop *l = ev_loop_new(0);
		struct prospero *p = prospero_new(l);
		char dg[256];

		if (mode == 1) {
			if (recv(sv[1], dg, sizeof dg, 0) <= 0)
				_exit(1);
			send_notice(sv[1], 7);
			pause();
			_exit(0);
		}
		loop = l;
		close(sv[0]);
		prospero_adopt(p, "serve:parent", dup(sv[1]));
		prospero_handle(p, "echo", echo, NULL);
		prospero_handle(p, "silent", silent, NULL);
		prospero_serve(p);
		ev_run(l, 0);
		_exit(0);
	}
	return pid;
}

/* Argument errors come before the state of the binding: a bad call to
 * call_wait is EINVAL while the loop has a call in flight, as it is for
 * prospero_call, not EBUSY. */
START_TEST(call_wait_checks_its_arguments_first)
{
	static char method[PF_MAX_METHOD + 2];
	/* static: the teardown's close answers PEND, after this frame is gone */
	static struct answer a, pend;

	memset(method, 'm', sizeof method - 1);
	ck_assert_int_eq(prospero_call(inv, "silent", "x", 1, 3600, got, &pend), 0);
	REFUSED(prospero_call_wait(inv, NULL, "x", 1, 5, got, &a));
	REFUSED(prospero_call_wait(inv, "", "x", 1, 5, got, &a));
	REFUSED(prospero_call_wait(inv, method, "x", 1, 5, got, &a));
	REFUSED(prospero_call_wait(inv, "echo", NULL, 1, 5, got, &a));
	REFUSED(prospero_call_wait(inv, "echo", "x", (size_t)PF_MAX_BODY + 1, 5, got, &a));
	REFUSED(prospero_call_wait(inv, "echo", "x", 1, 5, NULL, &a));
	REFUSED(prospero_call_wait(inv, "echo", "x", 1, 0, got, &a));
	REFUSED(prospero_call_wait(inv, "echo", "x", 1, NAN, got, &a));
	/* the same calls are EINVAL for prospero_call */
	REFUSED(prospero_call(inv, method, "x", 1, 5, got, &a));
	REFUSED(prospero_call(inv, "echo", "x", (size_t)PF_MAX_BODY + 1, 5, got, &a));
	/* well made, it is busy */
	errno = 0;
	ck_assert_int_eq(prospero_call_wait(inv, "echo", "x", 1, 5, got, &a), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_int_eq(a.done, 0);
	ck_assert_uint_eq(prospero_pending(inv), 1);
}
END_TEST

START_TEST(call_wait_answers_before_it_returns)
{
	struct answer a = { 0 }, t = { 0 }, pend = { 0 };
	pid_t pid;

	/* nobody reads yet: the socket's timeout ends it, with the timeout code */
	ck_assert_int_eq(prospero_call_wait(inv, "echo", "late", 4, 0.1, got, &t), 0);
	ck_assert_int_eq(t.done, 1);
	ck_assert_int_eq(t.err, PROSPERO_E_TIMEOUT);
	/* the service now answers that call too late: the first wait below
	 * reads that reply, drops it, and waits on for its own */
	pid = fork_service(0);
	for (int i = 0; i < 100; i++) {
		char body[16];
		int len = snprintf(body, sizeof body, "n%d", i);

		ck_assert_int_eq(prospero_call_wait(inv, "echo", body, (size_t)len, 10, got, &a), 0);
		ck_assert_int_eq(a.done, i + 1);
		ck_assert_int_eq(a.err, 0);
		ck_assert_str_eq(a.body, body);
	}
	ck_assert_int_eq(t.done, 1);
	/* this turn's casts go first: queued, they are no reason for EBUSY */
	ck_assert_int_eq(prospero_cast(inv, "echo", "c", 1), 0);
	ck_assert_int_eq(prospero_cast(inv, "echo", "d", 1), 0);
	ck_assert_int_eq(prospero_call_wait(inv, "echo", "w", 1, 10, got, &a), 0);
	ck_assert_str_eq(a.body, "w");
	/* the loop's call in flight comes first */
	ck_assert_int_eq(prospero_call(inv, "echo", "x", 1, 10, got, &pend), 0);
	errno = 0;
	ck_assert_int_eq(prospero_call_wait(inv, "echo", "y", 1, 10, got, &a), -1);
	ck_assert_int_eq(errno, EBUSY);
	run_until(&pend.done, 1);
	ck_assert_int_eq(pend.err, 0);
	ck_assert_int_eq(prospero_call_wait(inv, "echo", "z", 1, 10, got, &a), 0);
	ck_assert_str_eq(a.body, "z");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
END_TEST

/* A timeout is any time > 0: one longer than a socket's timeval holds
 * (INFINITY, 1e300) waits as long as it takes, not EDOM. */
START_TEST(call_wait_takes_a_timeout_of_any_length)
{
	struct answer a = { 0 };
	pid_t pid = fork_service(0);

	ck_assert_int_eq(prospero_call_wait(inv, "echo", "inf", 3, INFINITY, got, &a), 0);
	ck_assert_int_eq(a.err, 0);
	ck_assert_str_eq(a.body, "inf");
	ck_assert_int_eq(prospero_call_wait(inv, "echo", "big", 3, 1e300, got, &a), 0);
	ck_assert_int_eq(a.err, 0);
	ck_assert_str_eq(a.body, "big");
	errno = 0;
	ck_assert_int_eq(prospero_call_wait(inv, "echo", "nan", 3, NAN, got, &a), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(a.done, 2);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
END_TEST

/* Blocked in call_wait with an hour's timeout, the caller hears of the
 * death on the binding itself and returns at once. */
START_TEST(call_wait_fails_at_once_when_the_peer_restarts)
{
	struct answer a = { 0 };
	pid_t pid = fork_service(1);

	prospero_on_peer_restarted(client, restarted, NULL);
	ck_assert_int_eq(prospero_call_wait(inv, "echo", "1", 1, 3600, got, &a), 0);
	ck_assert_int_eq(a.err, PROSPERO_E_PEER_RESTARTED);
	ck_assert_str_eq(events, "answer:2;restarted:INVENTORY:7;");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
END_TEST

/* A notice read late, by a caller idle when the service died, is about a
 * death before the call was sent: the call went to the next incarnation's
 * socket and is answered; the restart is still reported, once. */
START_TEST(a_notice_older_than_the_call_does_not_fail_it)
{
	struct answer a = { 0 }, b = { 0 };
	pid_t pid;

	prospero_on_peer_restarted(client, restarted, NULL);
	send_notice(sv[1], 5);	/* the caller did not read it then */
	pid = fork_service(0);
	ck_assert_int_eq(prospero_call_wait(inv, "echo", "one", 3, 10, got, &a), 0);
	ck_assert_int_eq(a.err, 0);
	ck_assert_str_eq(a.body, "one");
	send_notice(sv[1], 5);	/* the same death, heard again: no news */
	ck_assert_int_eq(prospero_call(inv, "echo", "two", 3, 10, got, &b), 0);
	run_until(&b.done, 1);
	ck_assert_int_eq(b.err, 0);
	ck_assert_str_eq(events, "restarted:INVENTORY:5;answer:0;answer:0;");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
END_TEST

/* A forked service lingering LINGER seconds (prospero_linger) that
 * stops on SIGTERM. "turns" answers how many turns its loop has made;
 * "relay" casts the body to its binding SINK (the test reads sink[1]),
 * then answers. With OTHER it also serves a second edge, other[1]. */
static int sink[2], other[2];
static struct ev_loop *svc_loop;
static struct prospero_binding *svc_sink;

static void turns(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	char n[32];

	prospero_reply(req, n, (size_t)snprintf(n, sizeof n, "%u", ev_iteration(svc_loop)));
}

static void relay(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	prospero_cast(svc_sink, "relayed", body, len);
	prospero_reply(req, body, len);
}

static pid_t fork_lingering_service(double linger, bool two_edges)
{
	pid_t pid;

	pair(sink);
	pair(other);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct prospero *p;

		svc_loop = loop = ev_loop_new(0);
		p = prospero_new(svc_loop);
		close(sv[0]);
		if (prospero_adopt(p, "serve:parent", dup(sv[1])) < 0 ||
		    prospero_adopt(p, "SINK", sink[0]) < 0 ||
		    (two_edges && prospero_adopt(p, "serve:other", other[1]) < 0) ||
		    prospero_linger(p, linger) < 0)
			_exit(2);
		svc_sink = prospero_binding(p, "SINK");
		prospero_handle(p, "turns", turns, NULL);
		prospero_handle(p, "relay", relay, NULL);
		serve_until_sigterm(p, svc_loop);
	}
	close(sink[0]);
	close(other[1]);
	return pid;
}

/* Kill the service of fork_lingering_service and close the test's ends
 * (other[0] is the client's to close once adopted). */
static void end_lingering_service(pid_t pid, bool other_adopted)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(sink[1]);
	if (!other_adopted)
		close(other[0]);
}

/* The system call PID is blocked in, or -1 while it runs. */
static long blocked_in(pid_t pid)
{
	char path[64], line[256];
	FILE *f;
	long nr = -1;

	snprintf(path, sizeof path, "/proc/%d/syscall", (int)pid);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	if (fgets(line, sizeof line, f) && strncmp(line, "running", 7) != 0)
		nr = strtol(line, NULL, 10);
	fclose(f);
	return nr;
}

/* Poll until PID is blocked in system call NR (WANT) or in another (!WANT). */
static bool comes_to_rest(pid_t pid, long nr, bool want)
{
	for (int i = 0; i < 10000; i++) {
		long now = blocked_in(pid);

		if (now >= 0 && (now == nr) == want)
			return true;
		usleep(1000);
	}
	return false;
}

static unsigned long turns_of(struct prospero_binding *b)
{
	struct answer a = { 0 };

	ck_assert_int_eq(prospero_call_wait(b, "turns", "", 0, 10, got, &a), 0);
	ck_assert_int_eq(a.err, 0);
	return strtoul(a.body, NULL, 10);
}

/* Answered calls come one after another without the loop turning; between
 * them the service waits in recvmsg on its edge, not in its loop, and
 * SIGTERM still reaches it there at once (an hour's linger is left). */
START_TEST(a_lingering_service_answers_without_its_loop)
{
	pid_t pid = fork_lingering_service(3600, false);
	unsigned long first = turns_of(inv);
	int status;

	for (int i = 0; i < 50; i++)
		ck_assert_uint_eq(turns_of(inv), first);
	ck_assert(comes_to_rest(pid, SYS_recvmsg, true));
	close(sink[1]);
	close(other[0]);
	kill(pid, SIGTERM);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

/* The linger's time is per turn of the loop: under calls that never stop
 * the loop still turns, and when they stop the service goes back to it. */
START_TEST(lingering_ends_when_its_time_is_up)
{
	pid_t pid = fork_lingering_service(0.005, false);
	unsigned long first = turns_of(inv), now = first;

	errno = 0;
	ck_assert_int_eq(prospero_linger(service, -1), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(prospero_linger(service, 86401), -1);

	for (int i = 0; i < 100000 && now == first; i++)
		now = turns_of(inv);
	ck_assert_uint_gt(now, first);
	ck_assert(comes_to_rest(pid, SYS_recvmsg, false));
	end_lingering_service(pid, false);
}
END_TEST

/* A service does not linger while it has a cast of its own to send: the
 * cast would wait for the hour. */
START_TEST(no_lingering_while_a_cast_waits)
{
	pid_t pid = fork_lingering_service(3600, false);
	struct answer a = { 0 };
	char dg[256];
	struct pf_frame f;
	ssize_t n;

	ck_assert_int_eq(prospero_call_wait(inv, "relay", "r1", 2, 10, got, &a), 0);
	ck_assert_str_eq(a.body, "r1");
	n = recv(sink[1], dg, sizeof dg, 0);
	ck_assert_int_gt(pf_decode(dg, (size_t)n, &f, NULL), 0);
	ck_assert_int_eq(f.kind, PF_CAST);
	ck_assert_int_eq(f.body_len, 2);
	ck_assert_int_eq(memcmp(f.body, "r1", 2), 0);
	end_lingering_service(pid, false);
}
END_TEST

/* Nor while it serves a second edge, whose calls the wait would hold up. */
START_TEST(no_lingering_on_one_of_two_edges)
{
	pid_t pid = fork_lingering_service(3600, true);

	ck_assert_int_eq(prospero_adopt(client, "OTHER", other[0]), 0);
	turns_of(inv);
	turns_of(prospero_binding(client, "OTHER"));
	turns_of(inv);
	end_lingering_service(pid, true);
}
END_TEST

/* A chain of calls from the loop: each answer casts its body to SINK (if
 * set) and makes the next call, until LEFT reaches 0 or STOP is set. */
static struct {
	int left, answered, err;
	bool stop;
	struct prospero_binding *sink;
} chain;

static void next_link(int err, const void *body, size_t len, void *arg)
{
	chain.answered++;
	if (err)
		chain.err = err;
	if (chain.sink)
		prospero_cast(chain.sink, "link", body, len);
	if (err || chain.stop || --chain.left <= 0)
		return;
	ck_assert_int_eq(prospero_call(inv, "echo", "link", 4, 10, next_link, NULL), 0);
}

/* A lingering caller reads the answers to its calls from the loop without
 * the loop turning, and a cast made by an answer goes out before the
 * caller waits again. */
START_TEST(a_lingering_caller_reads_its_answers_without_its_loop)
{
	pid_t pid = fork_service(0);
	unsigned before;
	char dg[256];
	int links = 0;

	pair(sink);
	ck_assert_int_eq(prospero_adopt(client, "SINK", sink[0]), 0);
	ck_assert_int_eq(prospero_linger(client, 3600), 0);
	chain.left = 50;
	chain.sink = prospero_binding(client, "SINK");
	before = ev_iteration(loop);
	ck_assert_int_eq(prospero_call(inv, "echo", "link", 4, 10, next_link, NULL), 0);
	run_until(&chain.answered, 50);
	ck_assert_int_eq(chain.err, 0);
	ck_assert_uint_le(ev_iteration(loop) - before, 2);
	while (recv(sink[1], dg, sizeof dg, MSG_DONTWAIT) > 0)
		links++;
	ck_assert_int_eq(links, 50);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(sink[1]);
}
END_TEST

static void stop_chain(struct ev_loop *l, ev_timer *w, int revents)
{
	chain.stop = true;
}

/* Under calls that never stop, the loop still turns: its timer fires. */
START_TEST(a_lingering_caller_still_turns_its_loop)
{
	pid_t pid = fork_service(0);
	ev_timer t;

	ck_assert_int_eq(prospero_linger(client, 0.005), 0);
	ev_timer_init(&t, stop_chain, 0.05, 0);
	ev_timer_start(loop, &t);
	chain.left = 1 << 30;
	ck_assert_int_eq(prospero_call(inv, "echo", "link", 4, 10, next_link, NULL), 0);
	while (!chain.stop)
		ev_run(loop, EVRUN_ONCE);
	ck_assert_int_eq(chain.err, 0);
	ck_assert_int_gt(chain.answered, 1);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
END_TEST

/* In a forked child: the generation in a new binding's first call id
 * (README "Frames": random, 32 bits), its low 16 bits sent on OUT. */
static void send_generation(int out)
{
	struct ev_loop *l = ev_loop_new(0);
	struct prospero *p = prospero_new(l);
	struct answer a = { 0 };
	unsigned char dg[256];
	struct pf_frame f;
	uint16_t low;
	int s[2];
	ssize_t n;

	if (!l || !p || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, s) < 0 ||
	    prospero_adopt(p, "X", s[0]) < 0 ||
	    prospero_call(prospero_binding(p, "X"), "echo", "", 0, 10, got, &a) < 0)
		_exit(1);
	n = recv(s[1], dg, sizeof dg, 0);
	if (n <= 0 || pf_decode(dg, (size_t)n, &f, NULL) != n)
		_exit(2);
	low = (uint16_t)(f.id >> 32);
	_exit(write(out, &low, sizeof low) == sizeof low ? 0 : 3);
}

/* Processes started alike draw unlike generations, in the bits a pid
 * does not reach too: eight alike in their low 16 bits would be a
 * chance of 2^-112. */
START_TEST(call_ids_start_from_a_random_generation)
{
	uint16_t low[8];
	int out[2], distinct = 1;

	ck_assert_int_eq(pipe(out), 0);
	for (int i = 0; i < 8; i++) {
		pid_t pid = fork();
		int status;

		ck_assert_int_ge(pid, 0);
		if (pid == 0)
			send_generation(out[1]);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		ck_assert_int_eq(WEXITSTATUS(status), 0);
		ck_assert_int_eq(read(out[0], &low[i], sizeof low[i]), (ssize_t)sizeof low[i]);
	}
	for (int i = 1; i < 8; i++)
		if (low[i] != low[0])
			distinct++;
	ck_assert_int_ge(distinct, 2);
	close(out[0]);
	close(out[1]);
}
END_TEST

/* prospero_open reads fd 3 onwards by PROSPERO_FDS/PROSPERO_FDNAMES. */
START_TEST(the_environment_names_the_fds)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		int a[2], b[2], c[2];
		struct prospero *p;

		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, a) || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, b) ||
		    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, c))
			_exit(10);
		/* move them out of the way first, then to 3, 4, 5 */
		int ca = fcntl(a[0], F_DUPFD, 100), cb = fcntl(b[0], F_DUPFD, 100), cc = fcntl(c[0], F_DUPFD, 100);
		dup2(ca, 3);
		dup2(cb, 4);
		dup2(cc, 5);
		setenv("PROSPERO_FDS", "3", 1);
		setenv("PROSPERO_FDNAMES", "control:INVENTORY:serve:order-processor", 1);
		p = prospero_open(ev_default_loop(0));
		if (!p)
			_exit(11);
		if (!prospero_binding(p, "INVENTORY") || prospero_binding(p, "order-processor"))
			_exit(12);
		if (getenv("PROSPERO_FDS") || !(fcntl(4, F_GETFD) & FD_CLOEXEC))
			_exit(13);
		if (prospero_ready(p) < 0 || recv(a[1], (char[16]){ 0 }, 16, MSG_DONTWAIT) != 7)
			_exit(14);
		prospero_close(p);
		setenv("PROSPERO_FDS", "2", 1);
		setenv("PROSPERO_FDNAMES", "control", 1);
		if (prospero_open(ev_default_loop(0)) || errno != EINVAL)
			_exit(15);
		/* all checked before any is used: a closed fd 4 leaves fd 3 open */
		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, a) || dup2(a[0], 3) != 3)
			_exit(18);
		close(4);
		setenv("PROSPERO_FDS", "2", 1);
		setenv("PROSPERO_FDNAMES", "control:FOO", 1);
		if (prospero_open(ev_default_loop(0)) || errno != EBADF)
			_exit(16);
		if (fcntl(3, F_GETFD) < 0 || !getenv("PROSPERO_FDS"))
			_exit(17);
		/* one variable without the other: refused, unless it says none */
		unsetenv("PROSPERO_FDS");
		if (prospero_open(ev_default_loop(0)) || errno != EINVAL || !getenv("PROSPERO_FDNAMES"))
			_exit(19);
		setenv("PROSPERO_FDS", "1", 1);
		unsetenv("PROSPERO_FDNAMES");
		if (prospero_open(ev_default_loop(0)) || errno != EINVAL || !getenv("PROSPERO_FDS"))
			_exit(20);
		static const char *const none[][2] = { { "0", NULL }, { NULL, "" }, { NULL, NULL }, { "0", "" } };

		for (int i = 0; i < 4; i++) {
			if (none[i][0])
				setenv("PROSPERO_FDS", none[i][0], 1);
			else
				unsetenv("PROSPERO_FDS");
			if (none[i][1])
				setenv("PROSPERO_FDNAMES", none[i][1], 1);
			else
				unsetenv("PROSPERO_FDNAMES");
			p = prospero_open(ev_default_loop(0));
			if (!p)
				_exit(21);
			if (getenv("PROSPERO_FDS") || getenv("PROSPERO_FDNAMES"))
				_exit(22);	/* both gone, whichever was set */
			prospero_close(p);
			if (fcntl(3, F_GETFD) < 0)
				_exit(23);	/* no channels: fd 3 was not adopted */
		}
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

/* A refused environment or fd is left as the caller had it: open, its
 * close-on-exec flag untouched, the variables still set. */
START_TEST(a_refused_fd_is_left_as_it_was)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		int a[2], b[2];
		struct prospero *p;

		if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, a) || socketpair(AF_UNIX, SOCK_SEQPACKET, 0, b))
			_exit(10);
		int ca = fcntl(a[0], F_DUPFD, 100), cb = fcntl(b[0], F_DUPFD, 100);

		if (dup2(ca, 3) != 3 || dup2(cb, 4) != 4)
			_exit(11);
		/* two control channels: a malformed environment */
		setenv("PROSPERO_FDS", "2", 1);
		setenv("PROSPERO_FDNAMES", "control:control", 1);
		errno = 0;
		if (prospero_open(ev_default_loop(0)) || errno != EINVAL)
			_exit(12);
		if (fcntl(3, F_GETFD) != 0 || fcntl(4, F_GETFD) != 0)
			_exit(13);	/* closed, or made close-on-exec */
		if (!getenv("PROSPERO_FDS") || !getenv("PROSPERO_FDNAMES"))
			_exit(14);
		/* by hand: a second control channel is refused, the fd kept */
		p = prospero_new(ev_default_loop(0));
		if (!p || prospero_adopt(p, "control", 3) < 0 || !(fcntl(3, F_GETFD) & FD_CLOEXEC))
			_exit(15);
		errno = 0;
		if (prospero_adopt(p, "control", 4) == 0 || errno != EEXIST || fcntl(4, F_GETFD) != 0)
			_exit(16);
		prospero_close(p);
		if (fcntl(3, F_GETFD) >= 0 || fcntl(4, F_GETFD) != 0)
			_exit(17);	/* the one adopted is closed with the actor, only it */
		/* a binding's name twice: malformed (the config's bindings are
		 * an object); a client bound twice serves two edges of one name */
		if (dup2(ca, 3) != 3)
			_exit(18);
		setenv("PROSPERO_FDS", "2", 1);
		setenv("PROSPERO_FDNAMES", "A:A", 1);
		errno = 0;
		if (prospero_open(ev_default_loop(0)) || errno != EINVAL || fcntl(3, F_GETFD) != 0)
			_exit(19);
		setenv("PROSPERO_FDNAMES", "serve:c:serve:c", 1);
		if (!(p = prospero_open(ev_default_loop(0))))
			_exit(20);
		prospero_close(p);
		if (dup2(ca, 3) != 3 || dup2(cb, 4) != 4)
			_exit(21);
		p = prospero_new(ev_default_loop(0));
		if (!p || prospero_adopt(p, "A", 3) < 0)
			_exit(22);
		errno = 0;
		if (prospero_adopt(p, "A", 4) == 0 || errno != EEXIST || fcntl(4, F_GETFD) != 0)
			_exit(23);
		/* the protocol is datagrams on a socket: a pipe is refused */
		int pfd[2];

		if (pipe(pfd) < 0)
			_exit(24);
		errno = 0;
		if (prospero_adopt(p, "B", pfd[0]) == 0 || errno != ENOTSOCK || fcntl(pfd[0], F_GETFD) != 0)
			_exit(25);
		prospero_close(p);
		if (dup2(pfd[0], 3) != 3 || dup2(cb, 4) != 4)
			_exit(26);
		setenv("PROSPERO_FDS", "2", 1);	/* the open above took both */
		setenv("PROSPERO_FDNAMES", "A:B", 1);
		errno = 0;
		if (prospero_open(ev_default_loop(0)) || errno != ENOTSOCK || fcntl(3, F_GETFD) != 0)
			_exit(27);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit %d", WEXITSTATUS(status));
}
END_TEST

/* "serve:" names an edge served for no client: an empty name, refused as
 * prospero_open refuses a last part serve with nothing after it. */
START_TEST(an_edge_served_for_no_client_is_refused)
{
	struct prospero *p = prospero_new(ev_default_loop(0));
	int ends[2];

	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, ends), 0);
	errno = 0;
	ck_assert_int_eq(prospero_adopt(p, "serve:", ends[0]), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(fcntl(ends[0], F_GETFD), 0);	/* left as it was */
	ck_assert_int_eq(prospero_adopt(p, "serve:C", ends[0]), 0);
	prospero_close(p);
	close(ends[1]);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("lib");
	TCase *tc = tcase_create("lib");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_call_gets_its_reply);
	tcase_add_test(tc, errors_carry_their_codes);
	tcase_add_test(tc, a_reply_the_protocol_cannot_carry_is_refused);
	tcase_add_test(tc, an_answer_carries_only_the_protocols_codes);
	tcase_add_test(tc, an_unanswered_call_times_out);
	tcase_add_test(tc, a_late_call_in_a_long_turn_gets_its_whole_timeout);
	tcase_add_test(tc, a_deferred_request_is_answered_later);
	tcase_add_test(tc, a_deferred_request_is_answered_by_its_new_pointer_only);
	tcase_add_test(tc, a_request_answered_already_says_so);
	tcase_add_test(tc, a_cast_cannot_be_answered);
	tcase_add_test(tc, a_watchdog_interval_of_nan_stops_it);
	tcase_add_test(tc, an_fd_adopted_twice_is_refused);
	tcase_add_test(tc, the_casts_of_one_turn_leave_as_one_datagram);
	tcase_add_test(tc, casts_arrive_in_order_and_coalesce_under_pressure);
	tcase_add_test(tc, large_bodies_travel_as_memfd);
	tcase_add_test(tc, calls_in_flight_fail_at_once_when_the_peer_restarts);
	tcase_add_test(tc, an_empty_control_datagram_does_not_end_the_channel);
	tcase_add_test(tc, queued_calls_outlive_a_restart_on_the_control_channel);
	tcase_add_test(tc, queued_calls_outlive_a_restart_notice_in_band);
	tcase_add_test(tc, a_queued_call_may_time_out_before_it_leaves);
	tcase_add_test(tc, the_notice_in_band_fails_calls_once);
	tcase_add_test(tc, a_malformed_notice_is_ignored);
	tcase_add_test(tc, call_wait_answers_before_it_returns);
	tcase_add_test(tc, call_wait_checks_its_arguments_first);
	tcase_add_test(tc, call_wait_takes_a_timeout_of_any_length);
	tcase_add_test(tc, call_wait_fails_at_once_when_the_peer_restarts);
	tcase_add_test(tc, a_notice_older_than_the_call_does_not_fail_it);
	tcase_add_test(tc, readiness_and_watchdog_go_on_the_control_channel);
	tcase_add_test(tc, null_arguments_are_einval);
	tcase_add_test(tc, a_sent_reply_counts_one_to_a_thousand);
	tcase_add_test(tc, a_flood_of_calls_at_a_clients_end_is_not_queued_without_end);
	tcase_add_test(tc, a_closed_peer_is_epipe);
	tcase_add_test(tc, a_coalesced_cast_to_a_closed_peer_is_epipe);
	tcase_add_test(tc, a_clients_end_serves_no_calls);
	tcase_add_test(tc, a_closed_peer_is_epipe_for_call_wait);
	tcase_add_test(tc, a_full_queue_refuses_until_it_has_drained_to_half);
	tcase_add_test(tc, a_closing_actor_takes_no_new_call);
	tcase_add_test(tc, a_closing_actors_callbacks_may_cast_on_any_binding);
	tcase_add_test(tc, stop_on_sigterm_again_replaces_done);
	tcase_add_test(tc, a_closing_actor_answers_what_it_deferred);
	tcase_add_test(tc, a_stopped_actor_leaves_what_follows_in_the_socket);
	tcase_add_test(tc, a_stopped_actor_still_casts);
	tcase_add_test(tc, serve_after_a_stop_reads_nothing);
	tcase_add_test(tc, a_handler_may_close_its_actor);
	tcase_add_test(tc, a_reply_callback_may_close_its_actor);
	tcase_add_test(tc, a_timeout_callback_may_close_its_actor);
	tcase_add_test(tc, a_call_wait_callback_may_close_its_actor);
	tcase_add_test(tc, a_close_inside_the_close_does_nothing);
	tcase_add_test(tc, malformed_frames_are_answered_or_dropped);
	tcase_add_test(tc, malformed_calls_are_answered_by_the_rule);
	tcase_add_test(tc, fuzzed_datagrams_do_not_hurt);
	tcase_add_test(tc, a_forked_service_stops_gracefully);
	tcase_add_test(tc, a_lingering_service_answers_without_its_loop);
	tcase_add_test(tc, lingering_ends_when_its_time_is_up);
	tcase_add_test(tc, no_lingering_while_a_cast_waits);
	tcase_add_test(tc, no_lingering_on_one_of_two_edges);
	tcase_add_test(tc, a_lingering_caller_reads_its_answers_without_its_loop);
	tcase_add_test(tc, a_lingering_caller_still_turns_its_loop);
	tcase_add_test(tc, call_ids_start_from_a_random_generation);
	tcase_add_test(tc, the_environment_names_the_fds);
	tcase_add_test(tc, a_refused_fd_is_left_as_it_was);
	tcase_add_test(tc, an_edge_served_for_no_client_is_refused);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite };
