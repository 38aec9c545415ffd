/* Bindings at socketpair speed? libprospero against raw SOCK_SEQPACKET,
 * between two processes, unpinned and with both pinned to one CPU:
 *   - call round trip (64 B), blocking (prospero_call_wait) and from the
 *     caller's loop (prospero_call), against a raw send/recv ping-pong;
 *     both also with prospero_linger: the service, and the caller from
 *     its loop, wait on their socket instead of in the loop;
 *   - casts one per datagram against raw one-message-per-send, also with
 *     both readers SCHED_BATCH, which do not preempt their sender;
 *   - casts coalesced (the sender outpaces the reader) against raw 64 B
 *     messages packed into full datagrams by hand.
 * Every figure is printed beside its same-run raw baseline and the ratio.
 * Usage: bench_ipc [round-trips] [messages]. Figures, not pass/fail. */
#include <sched.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "src/libprospero/prospero.h"
#include "tests/bench/bench.h"

#define MSG 64
#define DGRAM 65536	/* the largest datagram libprospero sends */

static long rounds = 200000, messages = 5000000;
static int pin = -1;	/* CPU both processes run on, or -1 */
static bool batch_child;	/* the forked peer runs SCHED_BATCH */

static void pin_me(void)
{
	cpu_set_t set;

	if (pin < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET((size_t)pin, &set);
	if (sched_setaffinity(0, sizeof set, &set) < 0) {
		perror("sched_setaffinity");
		exit(1);
	}
}

static void pair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		perror("socketpair");
		exit(1);
	}
	/* Same buffers for both contenders: the system's defaults. */
}

/* Fork CHILD(fd, done_fd) on one end; the parent keeps the other. */
static pid_t spawn(int sv[2], int done[2], void (*child)(int, int))
{
	pid_t pid;

	if (pipe2(done, O_CLOEXEC) < 0)
		exit(1);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		close(done[0]);
		pin_me();
		/* A SCHED_BATCH task does not preempt the one that woke it. */
		if (batch_child && sched_setscheduler(0, SCHED_BATCH, &(struct sched_param){ 0 }) < 0) {
			perror("sched_setscheduler");
			_exit(1);
		}
		child(sv[1], done[1]);
		_exit(0);
	}
	close(sv[1]);
	close(done[1]);
	return pid;
}

static void reap(pid_t pid, int fd, int done)
{
	close(fd);
	close(done);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static void wait_done(int done)
{
	char c;

	if (read(done, &c, 1) != 1)
		exit(1);
}

/* --- raw --- */

static void raw_echo(int fd, int done)
{
	char buf[MSG];
	ssize_t n;

	while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
		if (send(fd, buf, (size_t)n, 0) != n)
			break;
}

static double raw_rtt_us(void)
{
	int sv[2], done[2];
	char buf[MSG] = { 0 };
	long long t0;
	pid_t pid;

	pair(sv);
	pid = spawn(sv, done, raw_echo);
	for (long i = 0; i < rounds / 10; i++)	/* warm up */
		if (send(sv[0], buf, MSG, 0) != MSG || recv(sv[0], buf, MSG, 0) != MSG)
			exit(1);
	t0 = now_ns();
	for (long i = 0; i < rounds; i++)
		if (send(sv[0], buf, MSG, 0) != MSG || recv(sv[0], buf, MSG, 0) != MSG)
			exit(1);
	t0 = now_ns() - t0;
	reap(pid, sv[0], done[0]);
	return (double)t0 / 1e3 / (double)rounds;
}

/* Throughput is measured in steady state: a warm-up of WARM messages goes
 * first (fresh processes fault in their buffers on first use), the
 * receiver says 'w' when it has them and 'd' after the measured ones. */
#define WARM (messages / 4 > 0 ? messages / 4 : 1)	/* at least one, or no one says w */

static void raw_sink(int fd, int done)
{
	char buf[DGRAM];
	long got = 0;
	bool warm = false;
	ssize_t n;

	/* Each datagram holds MSG-sized messages back to back. A sender of
	 * full datagrams overshoots each phase by up to one datagram, so the
	 * sink reads on to the end of the stream rather than stop at a count
	 * and leave the last send without a reader. */
	while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
		bool was = got >= WARM + messages;

		got += n / MSG;
		if (!warm && got >= WARM) {
			warm = true;
			if (write(done, "w", 1) != 1)
				_exit(1);
		}
		if (!was && got >= WARM + messages && write(done, "d", 1) != 1)
			_exit(1);
	}
}

static void raw_send(int fd, long count, long per_send)
{
	static char buf[DGRAM];

	for (long sent = 0; sent < count; sent += per_send)
		if (send(fd, buf, (size_t)(MSG * per_send), 0) < 0) {
			perror("bench_ipc: raw send");
			exit(1);
		}
}

static double raw_throughput(long per_send)
{
	int sv[2], done[2];
	long long t0;
	pid_t pid;

	pair(sv);
	pid = spawn(sv, done, raw_sink);
	raw_send(sv[0], WARM, per_send);
	wait_done(done[0]);
	t0 = now_ns();
	raw_send(sv[0], messages, per_send);
	wait_done(done[0]);
	t0 = now_ns() - t0;
	reap(pid, sv[0], done[0]);
	return (double)messages / ((double)t0 / 1e9);
}

/* --- libprospero --- */

static void ping(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	prospero_reply(req, body, len);
}

static long casts_got;
static int casts_done_fd;

static void count(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	++casts_got;
	if ((casts_got == WARM && write(casts_done_fd, "w", 1) != 1) ||
	    (casts_got == WARM + messages && write(casts_done_fd, "d", 1) != 1))
		_exit(1);
}

static double service_linger;	/* prospero_linger of the next service */

static void lib_service(int fd, int done)
{
	/* A loop of its own: the default one, inherited, shares the parent's epoll. */
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct prospero *p = prospero_new(loop);

	casts_done_fd = done;
	prospero_adopt(p, "serve:bench", fd);
	prospero_handle(p, "ping", ping, NULL);
	prospero_linger(p, service_linger);
	prospero_handle(p, "tick", count, NULL);
	prospero_stop_on_sigterm(p, NULL, NULL);
	prospero_serve(p);
	ev_run(loop, 0);
	prospero_close(p);
}

static long calls_left;
static struct prospero_binding *bench_b;
static char body64[MSG];

static void again(int err, const void *body, size_t len, void *arg)
{
	if (err || len != MSG)
		exit(1);
	if (--calls_left > 0)
		prospero_call(bench_b, "ping", body64, MSG, 10, again, NULL);
	else
		ev_break(ev_default_loop(0), EVBREAK_ALL);
}

static struct prospero *lib_client(int fd)
{
	struct prospero *p = prospero_new(ev_default_loop(0));

	prospero_adopt(p, "BENCH", fd);
	bench_b = prospero_binding(p, "BENCH");
	return p;
}

/* N round trips from the caller's loop: each answer sends the next call. */
static void calls_from_loop(long n)
{
	calls_left = n;
	prospero_call(bench_b, "ping", body64, MSG, 10, again, NULL);
	ev_run(ev_default_loop(0), 0);
}

static void answered(int err, const void *body, size_t len, void *arg)
{
	if (err || len != MSG)
		exit(1);
}

/* N round trips with prospero_call_wait: the caller blocks in its socket
 * as the raw client does; the service still runs its loop. */
static void calls_waiting(long n)
{
	for (long i = 0; i < n; i++)
		if (prospero_call_wait(bench_b, "ping", body64, MSG, 10, answered, NULL) < 0)
			exit(1);
}

/* Microseconds per round trip made by CALLS, after a tenth as many to
 * warm up; caller and service linger LINGER seconds (0: each waits in its
 * loop; a caller in call_wait blocks either way). */
static double lib_rtt_us(void (*calls)(long), double linger)
{
	int sv[2], done[2];
	struct prospero *p;
	long long t0;
	pid_t pid;

	pair(sv);
	service_linger = linger;
	pid = spawn(sv, done, lib_service);
	service_linger = 0;
	p = lib_client(dup(sv[0]));
	prospero_linger(p, linger);
	calls(rounds / 10);
	t0 = now_ns();
	calls(rounds);
	t0 = now_ns() - t0;
	prospero_close(p);
	reap(pid, sv[0], done[0]);
	return (double)t0 / 1e3 / (double)rounds;
}

static long casts_sent, casts_target;

static void send_casts(struct prospero_binding *b, void *arg)
{
	while (casts_sent < casts_target) {
		if (prospero_cast(b, "tick", body64, MSG) < 0) {
			if (errno != EAGAIN)
				exit(1);
			return;		/* the queue is full: on_writable resumes */
		}
		casts_sent++;
	}
}

static void reader_said(struct ev_loop *loop, ev_io *w, int revents)
{
	char c;

	if (read(w->fd, &c, 1) != 1)
		exit(1);
	ev_break(loop, EVBREAK_ALL);
}

static double lib_throughput(int coalesce)
{
	struct ev_loop *loop = ev_default_loop(0);
	int sv[2], done[2];
	struct prospero *p;
	long long t0;
	ev_io w;
	pid_t pid;

	pair(sv);
	casts_got = 0;
	pid = spawn(sv, done, lib_service);
	p = lib_client(dup(sv[0]));
	prospero_set_coalesce(bench_b, coalesce);
	prospero_on_writable(bench_b, send_casts, NULL);
	ev_io_init(&w, reader_said, done[0], EV_READ);
	ev_io_start(loop, &w);
	casts_sent = 0;
	casts_target = WARM;
	send_casts(bench_b, NULL);
	ev_run(loop, 0);	/* until the reader has the warm-up */
	casts_target += messages;
	t0 = now_ns();
	send_casts(bench_b, NULL);
	ev_run(loop, 0);	/* until the reader has seen them all */
	t0 = now_ns() - t0;
	ev_io_stop(loop, &w);
	prospero_close(p);
	reap(pid, sv[0], done[0]);
	return (double)messages / ((double)t0 / 1e9);
}

/* The median of N samples (N small). */
static double median(double *v, int n)
{
	for (int i = 1; i < n; i++)
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			double t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Each figure is the median of SAMPLES runs, library and raw alternating,
 * so drift on a shared machine hits both; the ratio is the median of the
 * per-sample ratios. */
#define SAMPLES 5

static void row(const char *what, double *lib, double *raw, const char *unit, const char *target)
{
	double ratio[SAMPLES];

	for (int i = 0; i < SAMPLES; i++)
		ratio[i] = lib[i] / raw[i];
	printf("  %-34s %10.2f %-7s raw %10.2f %-7s ratio %5.2f  %s\n", what, median(lib, SAMPLES), unit,
	       median(raw, SAMPLES), unit, median(ratio, SAMPLES), target);
}

static void run(const char *label)
{
	double rr[SAMPLES], lr[SAMPLES], lw[SAMPLES], ll[SAMPLES], lrl[SAMPLES], r1[SAMPLES], l1[SAMPLES],
	       rb[SAMPLES], lc[SAMPLES], c1[SAMPLES], r1b[SAMPLES], l1b[SAMPLES];

	printf("-- %s (medians of %d alternating samples)\n", label, SAMPLES);
	for (int i = 0; i < SAMPLES; i++) {
		rr[i] = raw_rtt_us();
		lr[i] = lib_rtt_us(calls_from_loop, 0);
		lw[i] = lib_rtt_us(calls_waiting, 0);
		ll[i] = lib_rtt_us(calls_waiting, 0.001);
		lrl[i] = lib_rtt_us(calls_from_loop, 0.001);
	}
	row("call round trip, 64 B, call_wait", lw, rr, "us", "(target ratio <= 1.15)");
	row("  the same, service lingers 1 ms", ll, rr, "us", "(target ratio <= 1.15)");
	row("call round trip, 64 B, from the loop", lr, rr, "us", "(target ratio <= 1.15)");
	row("  the same, both linger 1 ms", lrl, rr, "us", "(target ratio <= 1.15)");
	for (int i = 0; i < SAMPLES; i++) {
		r1[i] = raw_throughput(1) / 1e6;
		l1[i] = lib_throughput(0) / 1e6;
	}
	row("casts one per send, 64 B", l1, r1, "M msg/s", "(target ratio >= 0.80)");
	/* The same with both readers unable to preempt their sender: how much
	 * of the figure is the reader's cost, how much the scheduler's waking. */
	batch_child = true;
	for (int i = 0; i < SAMPLES; i++) {
		r1b[i] = raw_throughput(1) / 1e6;
		l1b[i] = lib_throughput(0) / 1e6;
	}
	batch_child = false;
	row("  the same, readers SCHED_BATCH", l1b, r1b, "M msg/s", "");
	for (int i = 0; i < SAMPLES; i++) {
		rb[i] = raw_throughput(DGRAM / MSG) / 1e6;
		lc[i] = lib_throughput(1) / 1e6;
		c1[i] = lc[i];
	}
	row("casts coalesced, 64 B", lc, rb, "M msg/s", "(target >= 10 M msg/s)");
	row("casts coalesced vs raw one per send", c1, r1, "M msg/s", "");
}

int main(int argc, char **argv)
{
	if (argc > 1)
		rounds = atol(argv[1]);
	if (argc > 2)
		messages = atol(argv[2]);
	/* the totals are split across the alternating samples */
	rounds = rounds / SAMPLES > 0 ? rounds / SAMPLES : 1;
	messages = messages / SAMPLES > 0 ? messages / SAMPLES : 1;
	signal(SIGPIPE, SIG_IGN);
	printf("bench_ipc: %ld round trips, %ld messages per sample; library figure, then the same-run raw SOCK_SEQPACKET baseline\n",
	       rounds, messages);
	run("unpinned");
	pin = 0;
	pin_me();
	run("both processes pinned to CPU 0");
	return 0;
}
