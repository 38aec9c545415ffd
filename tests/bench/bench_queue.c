/* prospero-queue against the disk. Each figure is measured in ROUNDS
 * rounds, each a slice of a bare reference loop and a slice of the queue
 * on the same file system, so both see the disk as it is then (a shared
 * disk moves a lot); a ratio is the median of the rounds' ratios. The
 * reference: write + fdatasync of 64 B appended to a file, one sync a
 * message.
 *   - send of 64 B, acknowledged once on disk, 1 producer, one in flight
 *     (prospero_call_wait): the rate against the reference, p50 and p99;
 *   - 8 producers, one in flight each: the rate, and messages per sync
 *     (the queue's durable commits, from its STATUS=; each is one
 *     fdatasync of its log);
 *   - send_batch of 100 × 64 B, 1 producer, one in flight;
 *   - consume + ack in batches of 100, from the backlog the batches left.
 * Usage: bench_queue [seconds per figure]. $QUEUE names prospero-queue,
 * $BENCH_DIR the directory (default /var/tmp: a disk, not a tmpfs).
 * Figures, not pass/fail. */
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "src/libprospero/prospero.h"
#include "src/libprospero/prospero_queue.h"
#include "src/proto/queue.h"
#include "tests/bench/bench.h"
#include "tests/common/queueproc.h"

#define MSG 64
#define PRODUCERS 8
#define PER_BATCH 100
#define MAX_LAT 2000000
#define ROUNDS 5

static double seconds = 5;
static const char *dir = "/var/tmp";
static long long *lat;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* The reference: appends of 64 B, each synced: syncs a second. */
static double bare_rate(double secs)
{
	char path[256], buf[MSG] = { 0 };
	long long t0, t;
	long n = 0;
	int fd;

	snprintf(path, sizeof path, "%s/bench-bare.XXXXXX", dir);
	if ((fd = mkstemp(path)) < 0)
		die(path);
	t0 = now_ns();
	do {
		if (write(fd, buf, MSG) != MSG || fdatasync(fd) < 0)
			die("write+fdatasync");
		n++;
	} while ((t = now_ns() - t0) < (long long)(secs * 1e9));
	close(fd);
	unlink(path);
	return (double)n / ((double)t / 1e9);
}

/* --- the queue's STATUS= --- */

/* The last STATUS= line once its "received" reaches RECEIVED. */
static void status_after(struct queueproc *q, long long received, char *line, size_t len)
{
	char msg[600], *at;

	for (;;) {
		struct pollfd p = { .fd = q->ctl[0], .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 30000) != 1) {
			fprintf(stderr, "no STATUS= from the queue\n");
			exit(1);
		}
		if ((n = recv(q->ctl[0], msg, sizeof msg - 1, 0)) <= 0)
			die("recv");
		msg[n] = '\0';
		if (strncmp(msg, "STATUS=", 7) != 0 || !(at = strstr(msg, " received=")))
			continue;
		snprintf(line, len, "%s", msg + 7);
		if (atoll(at + 10) >= received)
			return;
	}
}

static long long field(const char *line, const char *key)
{
	char pat[64];
	const char *at;

	snprintf(pat, sizeof pat, " %s=", key);
	at = strstr(line, pat);
	return at ? atoll(at + strlen(pat)) : -1;
}

/* --- producers --- */

static void ok_reply(int err, const void *body, size_t len, void *arg)
{
	if (err != PROSPERO_OK) {
		fprintf(stderr, "send failed: %d %.*s\n", err, (int)len, (const char *)body);
		exit(1);
	}
	++*(long *)arg;
}

/* A body of N messages of 64 B for send_batch, or one for send. */
static void *make_body(int n, size_t *len)
{
	static char m[MSG];
	struct iovec v[PER_BATCH];
	void *buf;

	if (n == 1) {
		*len = MSG;
		return m;
	}
	for (int i = 0; i < n; i++)
		v[i] = (struct iovec){ m, MSG };
	*len = pq_batch_size(v, (size_t)n);
	if (!(buf = malloc(*len)))
		die("malloc");
	pq_batch_encode(buf, v, (size_t)n);
	return buf;
}

/* What one producer did. */
struct produced {
	long measured;		/* messages acknowledged after the warm-up */
	long all;		/* and with it */
};

/* Calls on FD for WARM + SECS s, one in flight, N messages each: the
 * latencies of the measured ones into lat[] when there is room. */
static struct produced produce(int fd, int n, double warm, double secs, long *nlat)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct prospero *p = prospero_new(loop);
	const char *method = n == 1 ? PQ_SEND : PQ_SEND_BATCH;
	struct prospero_binding *b;
	size_t len;
	void *body = make_body(n, &len);
	long long t0 = now_ns() + (long long)(warm * 1e9), end = t0 + (long long)(secs * 1e9), t;
	long acked = 0, base = -1;

	if (!p || prospero_adopt(p, "QUEUE", fd) < 0 || !(b = prospero_binding(p, "QUEUE")))
		die("prospero_adopt");
	*nlat = 0;
	while ((t = now_ns()) < end) {
		if (base < 0 && t >= t0)
			base = acked;
		if (prospero_call_wait(b, method, body, len, 30, ok_reply, &acked) < 0)
			die("prospero_call_wait");
		if (base >= 0 && lat && *nlat < MAX_LAT)
			lat[(*nlat)++] = now_ns() - t;
	}
	prospero_close(p);
	ev_loop_destroy(loop);
	if (n > 1)
		free(body);
	return (struct produced){ .measured = (acked - (base < 0 ? acked : base)) * n, .all = acked * n };
}

/* NPROD producer processes for SECS, N messages a call: messages a
 * second, and the queue's STATUS= once it has them all in LINE. */
static double producers(struct queueproc *q, int nprod, int n, double secs, char *line, size_t len)
{
	struct produced total = { 0 };
	pid_t pid[QP_MAX_PROD];
	int out[2];

	if (pipe2(out, O_CLOEXEC) < 0)
		die("pipe");
	for (int i = 0; i < nprod; i++) {
		if ((pid[i] = fork()) == 0) {
			struct produced got;
			long nlat;

			lat = NULL;
			got = produce(dup(q->prod[i][0]), n, 0, secs, &nlat);
			if (write(out[1], &got, sizeof got) != sizeof got)
				_exit(1);
			_exit(0);
		}
	}
	close(out[1]);
	for (int i = 0; i < nprod; i++) {
		struct produced got;

		if (read(out[0], &got, sizeof got) != sizeof got)
			die("a producer failed");
		total.measured += got.measured;
		total.all += got.all;
	}
	close(out[0]);
	for (int i = 0; i < nprod; i++)
		waitpid(pid[i], NULL, 0);
	status_after(q, total.all, line, len);
	return (double)total.measured / secs;
}

/* --- figures --- */

static void start_queue(struct queueproc *q, int nprod, bool consumer, const char *const *args)
{
	char line[600];

	qp_init(q, dir, nprod, false, args);
	q->no_consumer = !consumer;
	qp_start(q);
	status_after(q, 0, line, sizeof line);	/* it is up */
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ROUNDS of a reference slice and a slice of FIGURE (which returns a
 * rate): the medians of both, and of their ratio. */
struct versus {
	double bare, rate, ratio;
};

static struct versus rounds_of(double (*figure)(void *), void *arg)
{
	double bare[ROUNDS], rate[ROUNDS], ratio[ROUNDS];

	for (int r = 0; r < ROUNDS; r++) {
		bare[r] = bare_rate(seconds / ROUNDS);
		rate[r] = figure(arg);
		ratio[r] = rate[r] / bare[r];
	}
	return (struct versus){ median(bare, ROUNDS), median(rate, ROUNDS), median(ratio, ROUNDS) };
}

static double one_slice(void *arg)
{
	struct queueproc *q = arg;
	long nlat;
	struct produced got = produce(dup(q->prod[0][0]), 1, 0, seconds / ROUNDS, &nlat);

	lat += nlat;	/* the next slice's after this one's */
	return (double)got.measured / (seconds / ROUNDS);
}

static void one_producer(void)
{
	struct queueproc q;
	long long *all = malloc(MAX_LAT * sizeof *all);
	struct versus v;
	long n;

	start_queue(&q, 1, false, NULL);
	lat = NULL;
	produce(dup(q.prod[0][0]), 1, 0, 1.0, &n);	/* warm-up */
	lat = all;
	v = rounds_of(one_slice, &q);
	n = lat - all;
	printf("  send 64 B, 1 producer, one in flight  %8.0f /s; bare write+fdatasync %.0f /s (%.0f µs): %.2f×   target >= 0.8×\n",
	       v.rate, v.bare, 1e6 / v.bare, v.ratio);
	printf("    latency p50 %lld µs, p99 %lld µs (%ld sends)\n", percentile(all, (int)n, 0.5) / 1000,
	       percentile(all, (int)n, 0.99) / 1000, n);
	free(all);
	lat = NULL;
	qp_cleanup(&q);
}

struct many {
	struct queueproc *q;
	int nprod, n;
	char line[600];
};

static double many_slice(void *arg)
{
	struct many *m = arg;

	return producers(m->q, m->nprod, m->n, seconds / ROUNDS, m->line, sizeof m->line);
}

static void eight_producers(void)
{
	struct queueproc q;
	struct many m = { .q = &q, .nprod = PRODUCERS, .n = 1 };
	long long received0, syncs0;
	struct versus v;

	start_queue(&q, PRODUCERS, false, NULL);
	producers(&q, PRODUCERS, 1, 1.0, m.line, sizeof m.line);	/* warm-up */
	received0 = field(m.line, "received");
	syncs0 = field(m.line, "syncs");
	v = rounds_of(many_slice, &m);
	printf("  send 64 B, %d producers, one in flight each %8.0f /s; bare %.0f /s: %.1f×\n", PRODUCERS, v.rate,
	       v.bare, v.ratio);
	printf("    %.1f messages per sync (%lld messages, %lld syncs)   target >= 6\n",
	       (double)(field(m.line, "received") - received0) / (double)(field(m.line, "syncs") - syncs0),
	       field(m.line, "received") - received0, field(m.line, "syncs") - syncs0);
	qp_cleanup(&q);
}

/* The consumer: acks every batch; ends the loop at TARGET messages. */
static long consumed, target;

static void ack_batch(struct prospero_queue_batch *b, const struct prospero_queue_message *m, size_t n, void *arg)
{
	prospero_queue_ack_all(b);
	consumed += (long)n;
	if (consumed >= target)
		ev_break(arg, EVBREAK_ALL);
}

/* Consume the whole backlog of Q, acking each batch: messages a second. */
static double consume_all(struct queueproc *q, long backlog)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct prospero *p = prospero_new(loop);
	struct prospero_queue_consumer *c = NULL;
	long long t0;
	double rate;

	if (!p || prospero_adopt(p, "serve:queue", dup(q->cons[1])) < 0 ||
	    !(c = prospero_queue_consume(p, ack_batch, loop)))
		die("consumer");
	consumed = 0;
	target = backlog;
	t0 = now_ns();
	prospero_serve(p);
	ev_run(loop, 0);
	rate = (double)consumed / ((double)(now_ns() - t0) / 1e9);
	prospero_close(p);
	prospero_queue_consumer_free(c);
	ev_loop_destroy(loop);
	return rate;
}

static void batches_then_consume(void)
{
	static const char *const args[] = { "--max-batch-size=100", "--delivery-timeout=600000", NULL };
	struct queueproc q;
	struct many m = { .q = &q, .nprod = 1, .n = PER_BATCH };
	struct versus v;
	double rate;
	long backlog;

	start_queue(&q, PRODUCERS, true, args);
	producers(&q, 1, PER_BATCH, 1.0, m.line, sizeof m.line);	/* warm-up */
	v = rounds_of(many_slice, &m);
	printf("  send_batch of %d × 64 B, 1 producer  %8.0f msg/s (%.2f ms a batch); bare %.0f /s   target >= 300000\n",
	       PER_BATCH, v.rate, PER_BATCH / v.rate * 1e3, v.bare);
	/* batches from many producers share syncs as single sends do */
	m.nprod = PRODUCERS;
	v = rounds_of(many_slice, &m);
	printf("  send_batch of %d × 64 B, %d producers %8.0f msg/s; bare %.0f /s\n", PER_BATCH, PRODUCERS, v.rate,
	       v.bare);
	/* the backlog: every message received, the warm-up's too */
	backlog = (long)field(m.line, "received");
	rate = consume_all(&q, backlog);
	printf("  consume + ack, batches of %d         %8.0f msg/s (%ld messages)   target >= 200000\n",
	       PER_BATCH, rate, backlog);
	qp_cleanup(&q);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		seconds = atof(argv[1]);
	if (getenv("BENCH_DIR"))
		dir = getenv("BENCH_DIR");
	need_env("QUEUE");
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("queue log and reference file in %s, %.0f s a figure\n", dir, seconds);
	one_producer();
	eight_producers();
	batches_then_consume();
	return 0;
}
