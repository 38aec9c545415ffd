/* The Python peer (examples/python) against libprospero and against fuzz:
 * it runs as a subprocess with a control channel at fd 3 and a served edge
 * at fd 4, as the daemon would start it. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "src/libprospero/prospero.h"
#include "src/proto/fds.h"
#include "src/proto/frame.h"
#include "tests/common/runner.h"
#include "tests/unit/malformed.h"
#include "tests/unit/notice.h"

static pid_t py;
static int ctl, edge;	/* our ends: the daemon's control end, the client's end */

static const char *examples(void)
{
	const char *e = getenv("EXAMPLES");

	return e ? e : "examples";
}

/* A socketpair as the daemon makes for a binding or control channel. */
static void seqpacket_pair(int sv[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
}

/* What FD gives until its end, as a string in OUT (CAP bytes). */
/* F, encoded, as one datagram on FD. */
static void send_frame(int fd, const struct pf_frame *f)
{
	unsigned char dg[4096];
	long n = pf_encode(dg, sizeof dg, f);

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(send(fd, dg, (size_t)n, 0), n);
}

/* The next datagram on FD, into DG (LEN bytes), one whole frame: *F
 * points into DG. */
static void recv_frame(int fd, unsigned char *dg, size_t len, struct pf_frame *f)
{
	ssize_t n = recv(fd, dg, len, 0);

	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(pf_decode(dg, (size_t)n, f, NULL), n);
}

static void read_to_end(int fd, char *out, size_t cap)
{
	size_t have = 0;
	ssize_t n;

	while (have < cap - 1 && (n = read(fd, out + have, cap - 1 - have)) > 0)
		have += (size_t)n;
	out[have] = '\0';
}

/* pricing.py as the daemon would start it: a control channel at fd 3 and
 * NSERVED served edges from fd 4, named FDNAMES; our ends in *CONTROL and
 * SERVED, once it is ready. SNDBUF, if not 0, is the room its end of the
 * first edge has for what it sends. */
static pid_t spawn_pricing(const char *fdnames, int nserved, int *control, int *served, int sndbuf)
{
	int c[2], s[4][2];
	char path[512], ready[64], count[8];
	struct pollfd pfd;
	pid_t pid;

	ck_assert_int_le(nserved, 4);
	seqpacket_pair(c);
	for (int i = 0; i < nserved; i++)
		seqpacket_pair(s[i]);
	if (sndbuf)
		ck_assert_int_eq(setsockopt(s[0][1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf), 0);
	snprintf(path, sizeof path, "%s/python/pricing.py", examples());
	snprintf(count, sizeof count, "%d", 1 + nserved);
	pid = fork();
	if (pid == 0) {
		/* out of the way of 3 and up first, then into place */
		int lifted[5];

		lifted[0] = fcntl(c[1], F_DUPFD, 100);
		for (int i = 0; i < nserved; i++)
			lifted[1 + i] = fcntl(s[i][1], F_DUPFD, 100);
		for (int i = 0; i <= nserved; i++)
			if (dup2(lifted[i], 3 + i) < 0)
				_exit(126);
		setenv("PROSPERO_FDS", count, 1);
		setenv("PROSPERO_FDNAMES", fdnames, 1);
		execlp("python3", "python3", path, (char *)NULL);
		_exit(127);
	}
	close(c[1]);
	for (int i = 0; i < nserved; i++) {
		close(s[i][1]);
		served[i] = s[i][0];
	}
	*control = c[0];
	pfd = (struct pollfd){ .fd = c[0], .events = POLLIN };
	ck_assert_int_eq(poll(&pfd, 1, 20000), 1);
	ck_assert_int_eq(recv(c[0], ready, sizeof ready, 0), 7);
	ck_assert(memcmp(ready, "READY=1", 7) == 0);
	return pid;
}

static void start_python(void)
{
	py = spawn_pricing("control:serve:fuzzer", 1, &ctl, &edge, 0);
}

static void stop_python(void)
{
	int status;

	kill(py, SIGTERM);
	ck_assert_int_eq(waitpid(py, &status, 0), py);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "python peer status %#x", status);
	close(ctl);
	close(edge);
}

static void setup(void)
{
	if (system("python3 -c 'import os; os.memfd_create' 2>/dev/null") != 0)
		return;		/* checked again in each test */
	start_python();
}

/* Send one call on the raw edge FD and wait for the frame that answers it. */
static int raw_call_on(int fd, uint64_t id, const char *method, const char *body, char *out, size_t cap,
		       struct pf_frame *f)
{
	unsigned char dg[4096];
	struct pf_frame c = {
		.kind = PF_CALL, .id = id, .method = method, .method_len = (uint16_t)strlen(method),
		.body = body, .body_len = (uint32_t)strlen(body),
	};
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	long n = pf_encode(dg, sizeof dg, &c);

	ck_assert_int_eq(send(fd, dg, (size_t)n, 0), n);
	for (;;) {
		if (poll(&pfd, 1, 20000) != 1)
			return -1;
		n = recv(fd, dg, sizeof dg, 0);
		if (n <= 0 || pf_decode(dg, (size_t)n, f, NULL) != n)
			return -1;
		if (f->id != id)
			continue;	/* an answer to an earlier fuzz call */
		snprintf(out, cap, "%.*s", (int)f->body_len, (const char *)f->body);
		return 0;
	}
}

static int raw_call(uint64_t id, const char *method, const char *body, char *out, size_t cap, struct pf_frame *f)
{
	return raw_call_on(edge, id, method, body, out, cap, f);
}

static struct { int done, err; char body[256]; } a;

static void got(int err, const void *body, size_t len, void *arg)
{
	a.done++;
	a.err = err;
	snprintf(a.body, sizeof a.body, "%.*s", (int)len, (const char *)body);
}

#define CALL(b, m, body) prospero_call(b, m, body, strlen(body), 10, got, NULL)

START_TEST(python_answers_a_c_client)
{
	struct ev_loop *loop = ev_default_loop(0);
	struct prospero *p = prospero_new(loop);
	struct prospero_binding *b;

	ck_assert_int_eq(prospero_adopt(p, "PRICING", dup(edge)), 0);
	b = prospero_binding(p, "PRICING");
	CALL(b, "quote", "{\"sku\": \"pear\", \"qty\": 3}");
	while (a.done < 1)
		ev_run(loop, EVRUN_ONCE);
	ck_assert_int_eq(a.err, PROSPERO_OK);
	ck_assert_str_eq(a.body, "{\"sku\": \"pear\", \"qty\": 3, \"price_cents\": 210}");
	CALL(b, "quote", "{\"sku\": \"kiwi\"}");
	while (a.done < 2)
		ev_run(loop, EVRUN_ONCE);
	ck_assert_int_eq(a.err, PROSPERO_E_BAD_REQUEST);
	CALL(b, "refund", "{}");
	while (a.done < 3)
		ev_run(loop, EVRUN_ONCE);
	ck_assert_int_eq(a.err, PROSPERO_E_NO_SUCH_METHOD);
	/* JSON of the wrong shape is the caller's mistake, not internal */
	CALL(b, "quote", "{\"sku\": [\"apple\"], \"qty\": 1}");
	while (a.done < 4)
		ev_run(loop, EVRUN_ONCE);
	ck_assert_int_eq(a.err, PROSPERO_E_BAD_REQUEST);
	CALL(b, "quote", "{\"sku\": \"pear\", \"qty\": true}");
	while (a.done < 5)
		ev_run(loop, EVRUN_ONCE);
	ck_assert_int_eq(a.err, PROSPERO_E_BAD_REQUEST);
	a.done -= 2;
	CALL(b, "quote", "not json");
	while (a.done < 4)
		ev_run(loop, EVRUN_ONCE);
	ck_assert_int_eq(a.err, PROSPERO_E_BAD_REQUEST);
	/* a body larger than a datagram goes both ways as a sealed memfd */
	{
		size_t len = 1u << 20;
		char *big = malloc(len);

		memset(big, 'z', len);
		prospero_call(b, "echo", big, len, 10, got, NULL);
		while (a.done < 5)
			ev_run(loop, EVRUN_ONCE);
		ck_assert_int_eq(a.err, PROSPERO_OK);
		ck_assert(a.body[0] == 'z' && a.body[254] == 'z');
		free(big);
	}
	prospero_close(p);
	stop_python();
}
END_TEST

/* python3 -c SCRIPT with the examples' python directory as argv[1], the
 * child ends of FDS (N of them) at 3 onwards under NAMES, and stdout to
 * OUT; the child ends and OUT closed here. */
static pid_t run_script(const char *script, int *const *fds, int n, const char *names, int out)
{
	char path[512], count[16];
	pid_t pid;

	snprintf(path, sizeof path, "%s/python", examples());
	snprintf(count, sizeof count, "%d", n);
	pid = fork();
	if (pid == 0) {
		int moved[8];

		/* out of the way of 3 onwards first, then into place */
		for (int i = 0; i < n && i < 8; i++)
			moved[i] = fcntl(fds[i][1], F_DUPFD, 100);
		for (int i = 0; i < n && i < 8; i++)
			if (dup2(moved[i], 3 + i) < 0)
				_exit(126);
		if (dup2(out, 1) < 0)
			_exit(126);
		setenv("PROSPERO_FDS", count, 1);
		setenv("PROSPERO_FDNAMES", names, 1);
		execlp("python3", "python3", "-c", script, path, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < n; i++)
		close(fds[i][1]);
	close(out);
	return pid;
}

/* What each script below begins with: the peer from argv[1], an actor. */
#define PY_ACTOR \
	"import sys\n" \
	"sys.path.insert(0, sys.argv[1])\n" \
	"import prospero_peer as pp\n" \
	"a = pp.Actor.from_env()\n"

/* A Python caller of binding PRICING (PY_ACTOR's a): its control
 * channel, the edge whose service end, s[0], the test plays, and its
 * output, read from o[0]. */
struct caller {
	int c[2], s[2], o[2];
	pid_t pid;
};

static void caller_open(struct caller *k)
{
	seqpacket_pair(k->c);
	seqpacket_pair(k->s);
	ck_assert_int_eq(pipe2(k->o, O_CLOEXEC), 0);
}

static void caller_run(struct caller *k, const char *script)
{
	k->pid = run_script(script, (int *const[]){ k->c, k->s }, 2, "control:PRICING", k->o[1]);
}

/* All it printed, once it has exited. */
static void caller_output(struct caller *k, char *out, size_t cap)
{
	int status;

	read_to_end(k->o[0], out, cap);
	ck_assert_int_eq(waitpid(k->pid, &status, 0), k->pid);
}

static void caller_close(struct caller *k)
{
	close(k->c[0]);
	close(k->s[0]);
	close(k->o[0]);
}

/* Python as the caller: a notice older than its call (read late) does
 * not fail it; one newer than the call, sent while the call waits, does. */
START_TEST(python_weighs_a_notice_by_its_time)
{
	static const char script[] =
		PY_ACTOR
		"for i in range(2):\n"
		"    try:\n"
		"        print('ok', a.call('PRICING', 'quote', b'{}', timeout=20).decode(), flush=True)\n"
		"    except pp.CallError as e:\n"
		"        print('error', e.code, flush=True)\n";
	unsigned char dg[4096];
	char out[256] = "";
	struct caller k;
	struct pf_frame f;
	ssize_t n;

	caller_open(&k);
	send_notice(k.s[0], 2);	/* a death before the caller ever calls */
	caller_run(&k, script);
	/* the first call: answered */
	recv_frame(k.s[0], dg, sizeof dg, &f);
	f = (struct pf_frame){ .kind = PF_REPLY, .id = f.id, .body = "p1", .body_len = 2 };
	send_frame(k.s[0], &f);
	/* the second: its service dies holding it */
	n = recv(k.s[0], dg, sizeof dg, 0);
	ck_assert_int_gt(n, 0);
	send_notice(k.s[0], 3);
	caller_output(&k, out, sizeof out);
	ck_assert_str_eq(out, "ok p1\nerror peer_restarted\n");
	caller_close(&k);
}
END_TEST

/* A notice whose body is not the daemon's ({"incarnation":N,"at":NS}) is
 * ignored, as the C library ignores it: read as incarnation 0 "now", it
 * failed the call in flight, though no peer had restarted. */
START_TEST(python_ignores_a_notice_that_does_not_parse)
{
	static const char script[] =
		PY_ACTOR
		"try:\n"
		"    print('ok', a.call('PRICING', 'quote', b'{}', timeout=20).decode(), flush=True)\n"
		"except pp.CallError as e:\n"
		"    print('error', e.code, flush=True)\n";
	static const char *const bodies[] = { "{}", "", "{\"incarnation\":2}", "{\"incarnation\":0,\"at\":5}" };
	unsigned char dg[4096];
	char out[256] = "";
	struct caller k;
	struct pf_frame f;

	caller_open(&k);
	caller_run(&k, script);
	recv_frame(k.s[0], dg, sizeof dg, &f);
	uint64_t id = f.id;

	for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
		f = (struct pf_frame){ .kind = PF_ERROR, .id = 0, .method = "peer_restarted", .method_len = 14,
				       .body = bodies[i], .body_len = (uint32_t)strlen(bodies[i]) };
		send_frame(k.s[0], &f);
	}
	f = (struct pf_frame){ .kind = PF_REPLY, .id = id, .body = "p1", .body_len = 2 };
	send_frame(k.s[0], &f);
	caller_output(&k, out, sizeof out);
	ck_assert_str_eq(out, "ok p1\n");
	caller_close(&k);
}
END_TEST

/* A reply to no call waiting (one that timed out, a stray id) is dropped,
 * as README.md says a caller does ("drops replies it cannot match"). The
 * peer kept every late reply for good: an actor whose calls time out
 * grew by one each, for as long as it ran. */
START_TEST(python_drops_replies_to_no_call)
{
	static const char script[] =
		PY_ACTOR
		"late = 0\n"
		"for i in range(50):\n"
		"    try:\n"
		"        a.call('PRICING', 'quote', b'{}', timeout=0.02)\n"
		"    except pp.CallError as e:\n"
		"        late += e.code == 'timeout'\n"
		"print('timeouts', late, flush=True)\n"
		"print(a.call('PRICING', 'quote', b'{}', timeout=20).decode(), len(a.replies), flush=True)\n";
	unsigned char dg[4096];
	char out[256] = "";
	struct caller k;
	uint64_t prev = 0;
	struct pf_frame f;
	ssize_t n;

	caller_open(&k);
	caller_run(&k, script);
	/* each call answered only once the next comes: after its timeout */
	for (int i = 0; i <= 50; i++) {
		recv_frame(k.s[0], dg, sizeof dg, &f);
		uint64_t id = f.id;
		if (i > 0) {
			f = (struct pf_frame){ .kind = PF_REPLY, .id = prev, .body = "late", .body_len = 4 };
			n = pf_encode(dg, sizeof dg, &f);
			ck_assert_int_eq(send(k.s[0], dg, (size_t)n, 0), n);
		}
		prev = id;
	}
	/* a reply to an id never sent, then the last call's answer */
	f = (struct pf_frame){ .kind = PF_ERROR, .id = 7, .method = "internal", .method_len = 8 };
	send_frame(k.s[0], &f);
	f = (struct pf_frame){ .kind = PF_REPLY, .id = prev, .body = "done", .body_len = 4 };
	send_frame(k.s[0], &f);
	caller_output(&k, out, sizeof out);
	ck_assert_str_eq(out, "timeouts 50\ndone 0\n");
	caller_close(&k);
}
END_TEST

/* prospero-protocol(7): a reader takes a code it does not know as
 * internal, and so does an answer. The old peer passed any string
 * through, both ways. */
START_TEST(python_keeps_to_the_protocols_codes)
{
	static const char script[] =
		PY_ACTOR
		"for i in range(2):\n"
		"    try:\n"
		"        a.call('PRICING', 'quote', b'{}', timeout=20)\n"
		"    except pp.CallError as e:\n"
		"        print('error', e.code, flush=True)\n"
		"def late(body):\n"
		"    raise pp.CallError('made_up', 'no such code')\n"
		"a.handle('late', late)\n"
		"a.run()\n";
	static const char *const codes[] = { "weird_code", "unavailable" };
	unsigned char dg[4096];
	char out[256] = "", code[64];
	int c[2], s[2], v[2], o[2], status;
	struct pf_frame f;
	size_t have = 0;
	ssize_t n;
	pid_t pid;

	seqpacket_pair(c);
	seqpacket_pair(s);
	seqpacket_pair(v);
	ck_assert_int_eq(pipe2(o, O_CLOEXEC), 0);
	pid = run_script(script, (int *const[]){ c, s, v }, 3, "control:PRICING:serve:tester", o[1]);
	for (int i = 0; i < 2; i++) {
		recv_frame(s[0], dg, sizeof dg, &f);
		f = (struct pf_frame){ .kind = PF_ERROR, .id = f.id, .method = codes[i],
				       .method_len = (uint16_t)strlen(codes[i]), .body = "no", .body_len = 2 };
		n = pf_encode(dg, sizeof dg, &f);
		ck_assert_int_eq(send(s[0], dg, (size_t)n, 0), n);
	}
	while (have < sizeof out - 1 && !strstr(out, "unavailable\n") &&
	       (n = read(o[0], out + have, sizeof out - 1 - have)) > 0) {
		have += (size_t)n;
		out[have] = '\0';
	}
	ck_assert_str_eq(out, "error internal\nerror unavailable\n");
	/* and as the service: its handler names the caller's own code */
	f = (struct pf_frame){ .kind = PF_CALL, .id = 7, .method = "late", .method_len = 4 };
	send_frame(v[0], &f);
	recv_frame(v[0], dg, sizeof dg, &f);
	ck_assert_int_eq(f.kind, PF_ERROR);
	snprintf(code, sizeof code, "%.*s", (int)f.method_len, f.method);
	ck_assert_str_eq(code, "internal");
	kill(pid, SIGTERM);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	close(c[0]);
	close(s[0]);
	close(v[0]);
	close(o[0]);
}
END_TEST

/* prospero-protocol(7): after an empty datagram "a call there can only
 * time out". The peer closed the channel, so its next call raised
 * OSError (EBADF) instead; now it stops reading the fd and the call goes
 * into the socket, unanswered, as with libprospero. */
START_TEST(python_times_out_after_an_empty_datagram)
{
	static const char script[] =
		PY_ACTOR
		"for i in range(2):\n"
		"    try:\n"
		"        a.call('PRICING', 'quote', b'{}', timeout=0.5)\n"
		"        print('answered', flush=True)\n"
		"    except pp.CallError as e:\n"
		"        print('error', e.code, flush=True)\n"
		"    except OSError as e:\n"
		"        print('oserror', e.errno, flush=True)\n";
	unsigned char dg[4096];
	char out[256] = "";
	struct caller k;
	struct pf_frame f;
	ssize_t n;

	caller_open(&k);
	caller_run(&k, script);
	recv_frame(k.s[0], dg, sizeof dg, &f);
	ck_assert_int_eq(send(k.s[0], "", 0, 0), 0);
	/* its answer, after the empty datagram, is never read */
	f = (struct pf_frame){ .kind = PF_REPLY, .id = f.id, .body = "late", .body_len = 4 };
	send_frame(k.s[0], &f);
	caller_output(&k, out, sizeof out);
	ck_assert_str_eq(out, "error timeout\nerror timeout\n");
	/* the second call went into the socket all the same (the kernel
	 * first reports the unread "late" as ECONNRESET, once) */
	n = recv(k.s[0], dg, sizeof dg, MSG_DONTWAIT);
	if (n < 0 && errno == ECONNRESET)
		n = recv(k.s[0], dg, sizeof dg, MSG_DONTWAIT);
	ck_assert_msg(n > 0, "no second call: %zd %s", n, strerror(errno));
	ck_assert_int_eq(pf_decode(dg, (size_t)n, &f, NULL), n);
	ck_assert_int_eq(f.kind, PF_CALL);
	caller_close(&k);
}
END_TEST

/* prospero-protocol(7): calls and casts go from client to service; the
 * client's end answers a call bad_request and drops a cast, as
 * libprospero's does. */
START_TEST(python_clients_end_serves_no_calls)
{
	static const char script[] =
		PY_ACTOR
		"print(a.call('PRICING', 'quote', b'{}', timeout=20).decode(), flush=True)\n";
	struct pf_frame cast = { .kind = PF_CAST, .method = "note", .method_len = 4 };
	struct pf_frame call = { .kind = PF_CALL, .id = 9, .method = "echo", .method_len = 4,
				 .body = "x", .body_len = 1 };
	unsigned char dg[4096];
	char out[256] = "", why[128];
	struct caller k;
	struct pf_frame f;
	uint64_t quote;

	caller_open(&k);
	caller_run(&k, script);
	recv_frame(k.s[0], dg, sizeof dg, &f);
	quote = f.id;
	send_frame(k.s[0], &cast);
	send_frame(k.s[0], &call);
	recv_frame(k.s[0], dg, sizeof dg, &f);
	ck_assert_int_eq(f.kind, PF_ERROR);
	ck_assert_uint_eq(f.id, 9);
	snprintf(why, sizeof why, "%.*s %.*s", (int)f.method_len, f.method, (int)f.body_len, (const char *)f.body);
	ck_assert_str_eq(why, "bad_request this end of the binding serves no calls");
	f = (struct pf_frame){ .kind = PF_REPLY, .id = quote, .body = "q", .body_len = 1 };
	send_frame(k.s[0], &f);
	caller_output(&k, out, sizeof out);
	ck_assert_str_eq(out, "q\n");
	/* nothing for the cast: the end of stream, the peer gone */
	ck_assert_int_le(recv(k.s[0], dg, sizeof dg, MSG_DONTWAIT), 0);
	caller_close(&k);
}
END_TEST

/* A service that floods the client's end with calls and reads nothing:
 * the answers it is owed would fill the socket, and a blocking send of
 * one would stop the peer for good. They are dropped instead, as
 * libprospero drops them once its queue is full, and the reply comes. */
START_TEST(python_clients_end_is_not_stalled_by_a_flood_of_calls)
{
	static const char script[] =
		PY_ACTOR
		"print(a.call('PRICING', 'quote', b'{}', timeout=20).decode(), flush=True)\n";
	static unsigned char dg[PF_MAX_DGRAM];
	struct pf_frame call = { .kind = PF_CALL, .method = "x", .method_len = 1 };
	struct pollfd pfd;
	char out[256] = "";
	struct caller k;
	struct pf_frame f;
	uint64_t quote;
	size_t len = 0;

	caller_open(&k);
	caller_run(&k, script);
	recv_frame(k.s[0], dg, sizeof dg, &f);
	quote = f.id;
	while (len + pf_size(&call) <= sizeof dg) {
		call.id++;
		len += (size_t)pf_encode(dg + len, sizeof dg - len, &call);
	}
	/* 6,000 calls: far more answers than the socket holds */
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(send(k.s[0], dg, len, 0), (ssize_t)len);
	f = (struct pf_frame){ .kind = PF_REPLY, .id = quote, .body = "q", .body_len = 1 };
	send_frame(k.s[0], &f);
	pfd = (struct pollfd){ .fd = k.o[0], .events = POLLIN };
	ck_assert_msg(poll(&pfd, 1, 10000) == 1, "the Python client is stuck answering calls");
	caller_output(&k, out, sizeof out);
	ck_assert_str_eq(out, "q\n");
	caller_close(&k);
}
END_TEST

/* README (Batching): a service stops reading new requests while its
 * replies wait. A client that calls and never reads filled its socket,
 * and the Python service, blocked in sendmsg for good, answered no other
 * client; the C library's went on. Its replies, once read, all come, in
 * order. */
START_TEST(python_service_is_not_stalled_by_a_client_that_does_not_read)
{
	static unsigned char dg[PF_MAX_DGRAM];
	static char body[3000];
	struct pf_frame call = { .kind = PF_CALL, .method = "echo", .method_len = 4, .body = body,
				 .body_len = sizeof body };
	char out[256];
	struct pf_frame f;
	int control, served[2], status;
	uint64_t sent = 0, seen = 0;
	pid_t pid;
	long n;

	if (system("python3 -c 'import os; os.memfd_create' 2>/dev/null") != 0)
		return;
	memset(body, 'b', sizeof body);
	/* room for a few of its replies to the first client only: what the
	 * kernel gives a socket by default holds as many as it gets calls */
	pid = spawn_pricing("control:serve:stalled:serve:prober", 2, &control, served, 16384);
	const int stalled = served[0], prober = served[1];
	/* calls until the socket takes no more, or far more answers than
	 * the other way holds */
	for (;;) {
		call.id = sent + 1;
		n = pf_encode(dg, sizeof dg, &call);
		if (send(stalled, dg, (size_t)n, MSG_DONTWAIT) != n || ++sent == 2000)
			break;
	}
	ck_assert_uint_gt(sent, 20);	/* both ways full: its replies wait */
	usleep(300 * 1000);
	ck_assert_msg(raw_call_on(prober, 1, "quote", "{\"sku\": \"pear\", \"qty\": 1}", out, sizeof out, &f) == 0,
		      "the Python service answered no one once a client stopped reading");
	ck_assert_int_eq(f.kind, PF_REPLY);
	/* every call answered, in order, once read */
	while (seen < sent) {
		struct pollfd pfd = { .fd = stalled, .events = POLLIN };

		ck_assert_msg(poll(&pfd, 1, 20000) == 1, "%llu of %llu answers", (unsigned long long)seen,
			      (unsigned long long)sent);
		n = recv(stalled, dg, sizeof dg, 0);
		ck_assert_int_gt(n, 0);
		for (long off = 0; off < n; ) {
			long used = pf_decode(dg + off, (size_t)(n - off), &f, NULL);

			ck_assert_int_gt(used, 0);
			ck_assert_int_eq(f.kind, PF_REPLY);
			ck_assert_uint_eq(f.id, ++seen);
			ck_assert_uint_eq(f.body_len, sizeof body);
			off += used;
		}
	}
	kill(pid, SIGTERM);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "python peer status %#x", status);
	close(control);
	close(stalled);
	close(prober);
}
END_TEST

/* A service that reads nothing: the Python caller's calls time out when
 * their timeout says, and a cast says EAGAIN once its own wait is up.
 * Both were a blocking sendmsg: the first call past the socket's room
 * never returned, and no watchdog pet went out meanwhile. */
START_TEST(python_calls_to_a_service_that_reads_nothing_time_out)
{
	static const char script[] =
		PY_ACTOR
		"import errno, time\n"
		"codes, t0 = {}, time.monotonic()\n"
		"for i in range(300):\n"
		"    try:\n"
		"        a.call('PRICING', 'echo', b'x' * 3000, timeout=0.01)\n"
		"    except pp.CallError as e:\n"
		"        codes[e.code] = codes.get(e.code, 0) + 1\n"
		"print(codes, time.monotonic() - t0 < 15, flush=True)\n"
		"try:\n"
		"    a.cast('PRICING', 'echo', b'x' * 3000, timeout=0.05)\n"
		"except OSError as e:\n"
		"    print('cast', errno.errorcode[e.errno], flush=True)\n";
	char out[256] = "";
	struct caller k;

	caller_open(&k);
	caller_run(&k, script);
	caller_output(&k, out, sizeof out);	/* the test reads nothing */
	ck_assert_str_eq(out, "{'timeout': 300} True\ncast EAGAIN\n");
	caller_close(&k);
}
END_TEST

/* A notice's "at" later than now counts as now, as libprospero takes
 * it: the Python caller failed every call until that time came (days,
 * for a bad clock), where only those written before the notice fail. */
START_TEST(python_takes_a_notice_from_the_future_as_now)
{
	static const char script[] =
		PY_ACTOR
		"for i in range(2):\n"
		"    try:\n"
		"        print('ok', a.call('PRICING', 'quote', b'{}', timeout=20).decode(), flush=True)\n"
		"    except pp.CallError as e:\n"
		"        print(e.code, flush=True)\n";
	unsigned char dg[4096];
	char out[256] = "";
	struct timespec now;
	struct caller k;
	struct pf_frame f;
	uint64_t id;

	caller_open(&k);
	caller_run(&k, script);
	recv_frame(k.s[0], dg, sizeof dg, &f);	/* the first call */
	clock_gettime(CLOCK_MONOTONIC, &now);
	send_notice_at(k.s[0], 2, ((uint64_t)now.tv_sec + 864000) * 1000000000u);	/* ten days on */
	recv_frame(k.s[0], dg, sizeof dg, &f);	/* the second, after the notice */
	id = f.id;
	f = (struct pf_frame){ .kind = PF_REPLY, .id = id, .body = "fine", .body_len = 4 };
	send_frame(k.s[0], &f);
	caller_output(&k, out, sizeof out);
	ck_assert_str_eq(out, "peer_restarted\nok fine\n");
	caller_close(&k);
}
END_TEST

/* What a handler returns is checked as an answer: not bytes is the
 * caller's internal error, not the actor's end (a str ended it with a
 * TypeError). */
START_TEST(python_handler_returning_no_bytes_is_an_internal_error)
{
	static const char script[] =
		PY_ACTOR
		"a.handle('str', lambda body: 'a str')\n"
		"a.ready = lambda: None\n"
		"for i in range(40):\n"
		"    a.poll(0.05)\n"
		"print('alive', flush=True)\n";
	int c[2], s[2], o[2];
	unsigned char dg[4096];
	char out[256] = "";
	struct pf_frame f;
	pid_t pid;
	int status;

	seqpacket_pair(c);
	seqpacket_pair(s);
	ck_assert_int_eq(pipe2(o, O_CLOEXEC), 0);
	pid = run_script(script, (int *const[]){ c, s }, 2, "control:serve:client", o[1]);
	f = (struct pf_frame){ .kind = PF_CALL, .id = 5, .method = "str", .method_len = 3 };
	send_frame(s[0], &f);
	recv_frame(s[0], dg, sizeof dg, &f);
	ck_assert_int_eq(f.kind, PF_ERROR);
	ck_assert_uint_eq(f.id, 5);
	ck_assert_int_eq(f.method_len, 8);
	ck_assert(memcmp(f.method, "internal", 8) == 0);
	read_to_end(o[0], out, sizeof out);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_str_eq(out, "alive\n");
	close(c[0]);
	close(s[0]);
	close(o[0]);
}
END_TEST

/* A retry's delay is the wire's u32, checked when it is given: one it
 * cannot carry failed the whole batch's answer later, undoing the acks
 * given before it (the queue delivered them again). */
START_TEST(python_retry_refuses_a_delay_the_wire_cannot_carry)
{
	static const char script[] =
		PY_ACTOR
		"m = pp.QueueMessage(1, 0, 1, b'')\n"
		"for bad in (2**32, -1, 1.5, True, '5'):\n"
		"    try:\n"
		"        m.retry(bad)\n"
		"        print('took', repr(bad))\n"
		"    except ValueError:\n"
		"        pass\n"
		"m.retry(2**32 - 1)\n"
		"print(pp.encode_answer([m]).hex(), flush=True)\n";
	int o[2];
	char out[256] = "";
	pid_t pid;
	int status;

	ck_assert_int_eq(pipe2(o, O_CLOEXEC), 0);
	pid = run_script(script, NULL, 0, "", o[1]);
	read_to_end(o[0], out, sizeof out);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_str_eq(out, "01000000" "0100000000000000" "01000000" "ffffffff\n");
	close(o[0]);
}
END_TEST

/* A control channel that hangs up (the daemon gone) is watched no more,
 * as libprospero does: its end of stream woke every poll at once, the
 * actor spinning a CPU. */
START_TEST(python_watches_a_hung_up_control_channel_no_more)
{
	static const char script[] =
		PY_ACTOR
		"import time\n"
		"n, t = 0, time.monotonic()\n"
		"while time.monotonic() - t < 0.5:\n"
		"    a.poll(0.1)\n"
		"    n += 1\n"
		"print('few' if n <= 10 else 'spun %d' % n, flush=True)\n";
	char out[256] = "";
	struct caller k;

	caller_open(&k);
	caller_run(&k, script);
	close(k.c[0]);
	k.c[0] = -1;
	caller_output(&k, out, sizeof out);
	ck_assert_str_eq(out, "few\n");
	caller_close(&k);
}
END_TEST

START_TEST(python_survives_fuzz)
{
	unsigned seed = 4242;
	unsigned char dg[1024];
	struct pf_frame f;
	char out[256];

	for (int iter = 0; iter < 5000; iter++) {
		struct pf_frame g = {
			.kind = (uint8_t)(1 + rand_r(&seed) % 4), .id = (uint64_t)iter + 1000,
			.method = rand_r(&seed) % 2 ? "echo" : "quote", .method_len = 0,
			.body = "{\"sku\": \"plum\", \"qty\": 1}", .body_len = 25,
		};
		size_t len;

		g.method_len = (uint16_t)strlen(g.method);
		if (g.kind == PF_REPLY)
			g.method_len = 0;
		if (g.kind == PF_CAST)
			g.id = 0;
		len = (size_t)pf_encode(dg, sizeof dg, &g);
		switch (iter % 4) {
		case 0:	/* random bytes */
			len = 1 + (size_t)rand_r(&seed) % sizeof dg;
			for (size_t i = 0; i < len; i++)
				dg[i] = (unsigned char)rand_r(&seed);
			break;
		case 1:	/* truncated */
			len = 1 + (size_t)rand_r(&seed) % len;
			break;
		case 2:	/* one byte changed */
			dg[(size_t)rand_r(&seed) % len] = (unsigned char)rand_r(&seed);
			break;
		default: /* a good frame after random bytes in the same datagram */
			for (size_t i = 0; i < 64 && len + i < sizeof dg; i++)
				dg[len + i] = (unsigned char)rand_r(&seed);
			len += 64;
		}
		send(edge, dg, len, MSG_DONTWAIT);
		while (recv(edge, dg, sizeof dg, MSG_DONTWAIT) > 0)
			;	/* its answers, so the socket never fills */
	}
	/* memfd frames that lie: no fd, an unsealed memfd, a socket for a memfd */
	{
		struct pf_frame m = { .kind = PF_CALL, .id = 77, .method = "echo", .method_len = 4,
				      .flags = PF_FLAG_MEMFD, .body_len = 100 };
		int fds[3] = { -1, memfd_create("liar", MFD_CLOEXEC), dup(ctl) };
		long n = pf_encode(dg, sizeof dg, &m);

		for (int i = 0; i < 3; i++) {
			union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } cm;
			struct iovec iov = { dg, (size_t)n };
			struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

			if (fds[i] >= 0) {
				memset(&cm, 0, sizeof cm);
				msg.msg_control = cm.b;
				msg.msg_controllen = sizeof cm.b;
				CMSG_FIRSTHDR(&msg)->cmsg_level = SOL_SOCKET;
				CMSG_FIRSTHDR(&msg)->cmsg_type = SCM_RIGHTS;
				CMSG_FIRSTHDR(&msg)->cmsg_len = CMSG_LEN(sizeof(int));
				memcpy(CMSG_DATA(CMSG_FIRSTHDR(&msg)), &fds[i], sizeof(int));
			}
			ck_assert_int_eq(sendmsg(edge, &msg, 0), n);
			ck_assert_int_eq(raw_call(5000 + (uint64_t)i, "echo", "alive", out, sizeof out, &f), 0);
			if (fds[i] >= 0)
				close(fds[i]);
		}
	}
	/* still alive and correct */
	ck_assert_int_eq(raw_call(99999, "echo", "still here", out, sizeof out, &f), 0);
	ck_assert_int_eq(f.kind, PF_REPLY);
	ck_assert_str_eq(out, "still here");
	/* a malformed call with a readable header is answered with bad_request */
	{
		unsigned char bad[40] = { 'P', 'R', 1, PF_CALL, 0, 0, 200, 0, 0, 0, 0, 0, 55 };

		ck_assert_int_eq(send(edge, bad, sizeof bad, 0), (ssize_t)sizeof bad);
		for (;;) {
			ssize_t n = recv(edge, dg, sizeof dg, 0);

			ck_assert_int_gt(n, 0);
			ck_assert_int_eq(pf_decode(dg, (size_t)n, &f, NULL), n);
			if (f.id == 55)
				break;
		}
		ck_assert_int_eq(f.kind, PF_ERROR);
		ck_assert(f.method_len == 11 && memcmp(f.method, "bad_request", 11) == 0);
	}
	stop_python();
}
END_TEST

static void pump_poll(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	ck_assert_int_eq(poll(&pfd, 1, 20000), 1);
}

/* Which malformed calls are answered (README "Malformed input"): the same
 * cases as libprospero's. */
START_TEST(python_answers_malformed_calls_by_the_rule)
{
	malformed_expect(malformed_run(edge, pump_poll), "the Python peer");
	stop_python();
}
END_TEST

/* As libprospero does, the Python peer sends STATUS= cut where the daemon
 * cuts it, and with $WATCHDOG_USEC pets at half of it while it polls. */
START_TEST(python_keeps_its_watchdog_and_status)
{
	static const char script[] =
		PY_ACTOR
		"a.status('\xc3\xa9' * 200)\n"
		"a.run()\n";
	char msg[512], want[300] = "STATUS=";
	int c[2], o[2], status, pets = 0;
	struct pollfd pfd;
	ssize_t n;
	pid_t pid;

	for (int i = 0; i < 127; i++)
		strcat(want, "\xc3\xa9");	/* 254 bytes: the 128th would cross 255 */
	seqpacket_pair(c);
	ck_assert_int_eq(pipe2(o, O_CLOEXEC), 0);
	setenv("WATCHDOG_USEC", "200000", 1);
	pid = run_script(script, (int *const[]){ c }, 1, "control", o[1]);
	unsetenv("WATCHDOG_USEC");
	pfd = (struct pollfd){ .fd = c[0], .events = POLLIN };
	ck_assert_int_eq(poll(&pfd, 1, 20000), 1);
	n = recv(c[0], msg, sizeof msg - 1, 0);
	ck_assert_int_gt(n, 0);
	msg[n] = '\0';
	ck_assert_str_eq(msg, want);
	/* a pet every 0.1 s: three within 2 s, however slow the machine */
	while (pets < 3 && poll(&pfd, 1, 2000) == 1) {
		n = recv(c[0], msg, sizeof msg - 1, 0);
		ck_assert_int_gt(n, 0);
		msg[n] = '\0';
		ck_assert_str_eq(msg, "WATCHDOG=1");
		pets++;
	}
	ck_assert_int_eq(pets, 3);
	kill(pid, SIGTERM);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	close(c[0]);
	close(o[0]);
	stop_python();
}
END_TEST

/* What Actor.from_env makes of PROSPERO_FDS=COUNT and
 * PROSPERO_FDNAMES=NAMES: "refused" (ValueError) or "read" (the names
 * taken; fds 3 on are not sockets here, so it fails after them). */
static const char *python_fd_names(const char *count, const char *names)
{
	static const char script[] =
		"import sys\n"
		"sys.path.insert(0, sys.argv[1])\n"
		"import prospero_peer as pp\n"
		"try:\n"
		"    pp.Actor.from_env()\n"
		"except ValueError:\n"
		"    print('refused')\n"
		"except OSError:\n"
		"    print('read')\n"
		"else:\n"
		"    print('read')\n";
	static char out[64];
	char path[512];
	int o[2], status;
	pid_t pid;

	snprintf(path, sizeof path, "%s/python", examples());
	ck_assert_int_eq(pipe2(o, O_CLOEXEC), 0);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		/* fds 3 to 5 open, but no sockets */
		for (int fd = 3; fd <= 5; fd++)
			if (null < 0 || (fd != null && dup2(null, fd) < 0))
				_exit(126);
		if (dup2(o[1], 1) < 0)
			_exit(126);
		setenv("PROSPERO_FDS", count, 1);
		setenv("PROSPERO_FDNAMES", names, 1);
		execlp("python3", "python3", "-c", script, path, (char *)NULL);
		_exit(127);
	}
	close(o[1]);
	read_to_end(o[0], out, sizeof out);
	out[strcspn(out, "\n")] = '\0';
	close(o[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return out;
}

/* The Python peer splits PROSPERO_FDNAMES as libprospero does: at every
 * ':', "serve" joined with the part after it, and an empty part (which
 * the daemon never writes) refused, not skipped. */
START_TEST(python_reads_fd_names_as_libprospero_does)
{
	static const struct { const char *count, *names; } pairs[] = {
		{ "3", "control:A:serve:x#1" }, { "2", "control:serve:serve" },
		{ "2", "control:serve" }, { "1", "control:" }, { "1", ":control" },
		{ "2", "control::A" }, { "3", "control::A" }, { "2", "control:serve:" },
		{ "2", "control:serve::A" }, { "3", "control:serve::A" }, { "1", ":" },
		{ "0", "" }, { "1", "" },	/* empty: no names, as unset */
	};

	for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
		char **names;
		unsigned long n;
		const char *want;

		setenv("PROSPERO_FDS", pairs[i].count, 1);
		setenv("PROSPERO_FDNAMES", pairs[i].names, 1);
		want = pp_fds_getenv(&names, &n) == 0 ? "read" : "refused";
		free(names);
		unsetenv("PROSPERO_FDS");
		unsetenv("PROSPERO_FDNAMES");
		ck_assert_msg(strcmp(python_fd_names(pairs[i].count, pairs[i].names), want) == 0,
			      "PROSPERO_FDS=%s PROSPERO_FDNAMES='%s': python %s, libprospero %s",
			      pairs[i].count, pairs[i].names, python_fd_names(pairs[i].count, pairs[i].names), want);
	}
	/* as prospero_open: a binding's name twice is refused, a served
	 * edge's is not (a client bound twice) */
	ck_assert_str_eq(python_fd_names("3", "control:A:A"), "refused");
	ck_assert_str_eq(python_fd_names("3", "control:serve:c:serve:c"), "read");
	stop_python();
}
END_TEST

/* prospero-protocol(7): a client bound twice to this actor is two
 * edges, both named "serve:CLIENT". The old peer kept its edges by name,
 * so the second replaced the first and closed it: calls on that binding
 * were never answered. */
START_TEST(python_serves_two_edges_of_one_name)
{
	static const char script[] =
		PY_ACTOR
		"a.handle('echo', lambda body: body)\n"
		"a.ready()\n"
		"a.run()\n";
	char msg[64], out[64];
	int c[2], e1[2], e2[2], o[2], status;
	struct pollfd pfd;
	struct pf_frame f;
	pid_t pid;

	seqpacket_pair(c);
	seqpacket_pair(e1);
	seqpacket_pair(e2);
	ck_assert_int_eq(pipe2(o, O_CLOEXEC), 0);
	pid = run_script(script, (int *const[]){ c, e1, e2 }, 3, "control:serve:cli:serve:cli", o[1]);
	pfd = (struct pollfd){ .fd = c[0], .events = POLLIN };
	ck_assert_int_eq(poll(&pfd, 1, 20000), 1);
	ck_assert_int_eq(recv(c[0], msg, sizeof msg, 0), 7);
	ck_assert_int_eq(raw_call_on(e1[0], 1, "echo", "first", out, sizeof out, &f), 0);
	ck_assert_int_eq(f.kind, PF_REPLY);
	ck_assert_str_eq(out, "first");
	ck_assert_int_eq(raw_call_on(e2[0], 2, "echo", "second", out, sizeof out, &f), 0);
	ck_assert_int_eq(f.kind, PF_REPLY);
	ck_assert_str_eq(out, "second");
	kill(pid, SIGTERM);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "python peer status %#x", status);
	close(c[0]);
	close(e1[0]);
	close(e2[0]);
	close(o[0]);
	stop_python();
}
END_TEST

static int before(int argc, char **argv)
{
	if (system("python3 -c 'import os; os.memfd_create' 2>/dev/null") != 0) {
		fprintf(stderr, "python3 with os.memfd_create not found: skipped\n");
		return 77;
	}
	return -1;
}

static Suite *suite(void)
{
	Suite *s = suite_create("pypeer");
	TCase *tc = tcase_create("pypeer");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, python_answers_a_c_client);
	tcase_add_test(tc, python_survives_fuzz);
	tcase_add_test(tc, python_answers_malformed_calls_by_the_rule);
	tcase_add_test(tc, python_weighs_a_notice_by_its_time);
	tcase_add_test(tc, python_ignores_a_notice_that_does_not_parse);
	tcase_add_test(tc, python_drops_replies_to_no_call);
	tcase_add_test(tc, python_keeps_to_the_protocols_codes);
	tcase_add_test(tc, python_times_out_after_an_empty_datagram);
	tcase_add_test(tc, python_clients_end_serves_no_calls);
	tcase_add_test(tc, python_clients_end_is_not_stalled_by_a_flood_of_calls);
	tcase_add_test(tc, python_service_is_not_stalled_by_a_client_that_does_not_read);
	tcase_add_test(tc, python_calls_to_a_service_that_reads_nothing_time_out);
	tcase_add_test(tc, python_takes_a_notice_from_the_future_as_now);
	tcase_add_test(tc, python_handler_returning_no_bytes_is_an_internal_error);
	tcase_add_test(tc, python_retry_refuses_a_delay_the_wire_cannot_carry);
	tcase_add_test(tc, python_watches_a_hung_up_control_channel_no_more);
	tcase_add_test(tc, python_reads_fd_names_as_libprospero_does);
	tcase_add_test(tc, python_keeps_its_watchdog_and_status);
	tcase_add_test(tc, python_serves_two_edges_of_one_name);
	suite_add_tcase(s, tc);
	return s;
}

const struct test_suite test_suite = { .suite = suite, .before = before };
