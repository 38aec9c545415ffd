/* A producer and a consumer of a prospero-queue, for the queue's tests on
 * the real daemon. Each keeps a record in FILE, appended to, which the
 * test reads (create the file 0666 first when instances of other uids
 * share it):
 *
 *   queueactor produce FILE TAG COUNT [batch]
 *       sends "TAG:1" .. "TAG:COUNT" on binding Q, one in flight; a
 *       message is recorded ("TAG:I") only once the queue acknowledged
 *       it, and sent again until it is. A new incarnation goes on after
 *       the last message its record holds, and once it is all sent the
 *       record ends with "done". With "batch", each call is a
 *       send_batch of the next 1 to 16 messages (by their number).
 *   queueactor oversize FILE SIZE
 *       sends one message of SIZE bytes on binding Q and records
 *       "refused: WHY" or "sent", then one of 5 bytes, "small", and
 *       records "small: sent" once it is acknowledged.
 *   queueactor fill FILE SIZE COUNT GO MORE
 *       once the file GO exists, sends messages of SIZE bytes, "fill:I"
 *       and then dots, on binding Q, one in flight, each recorded
 *       ("fill:I") once acknowledged; after COUNT it records "paused"
 *       and waits for the file MORE. When one is refused it records
 *       "refused: WHY", then sends "again" every 100 ms until one is
 *       acknowledged, records the first refusal, "again: refused: WHY",
 *       and at last "again: sent after N refusals".
 *   queueactor consume FILE [PREFIX [STALL]]
 *       records "BODY ID ATTEMPT MS" for each message delivered (MS: the
 *       monotonic clock, in ms) before it answers; acks it, or, when its
 *       body starts with PREFIX, asks for a retry. With STALL, a batch
 *       holding a second attempt is answered only STALL s later; with
 *       "crash" in its place, a first attempt of PREFIX ends the
 *       consumer (exit 1) and every other message is acked; with
 *       "flaky", the first attempt of every message whose id is a
 *       multiple of 4 is retried too.
 *   queueactor forge FILE
 *       answers every batch with an error whose text holds a newline
 *       and then what reads as a line of the queue's own, recording
 *       "forged" each time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/uio.h>
#include <unistd.h>

#include <ev.h>

#include "src/libprospero/prospero.h"
#include "src/libprospero/prospero_queue.h"

static int out = -1;

static void record(const char *text, size_t len)
{
	if (write(out, text, len) != (ssize_t)len)
		exit(101);
}

struct producer {
	struct prospero_binding *q;
	const char *tag;
	long next, count;
	bool batch;
	long n;			/* messages in the call in flight */
	char body[16][64];
	struct iovec iov[16];
};

static void send_next(struct producer *pr);

static void on_sent(int err, const void *body, size_t len, void *arg)
{
	struct producer *pr = arg;
	char line[80];

	(void)body, (void)len;
	if (err == PROSPERO_OK) {
		for (long i = 0; i < pr->n; i++) {
			snprintf(line, sizeof line, "%s\n", pr->body[i]);
			record(line, strlen(line));
		}
		pr->next += pr->n;
	}
	/* else (peer_restarted, timeout): the same message again */
	send_next(pr);
}

static void send_next(struct producer *pr)
{
	if (pr->next > pr->count) {
		record("done\n", 5);
		return;
	}
	pr->n = pr->batch ? 1 + pr->next % 16 : 1;
	if (pr->n > pr->count - pr->next + 1)
		pr->n = pr->count - pr->next + 1;
	for (long i = 0; i < pr->n; i++) {
		pr->iov[i].iov_base = pr->body[i];
		pr->iov[i].iov_len = (size_t)snprintf(pr->body[i], sizeof pr->body[i], "%s:%ld", pr->tag, pr->next + i);
	}
	if ((pr->batch ? prospero_queue_send_batch(pr->q, pr->iov, (size_t)pr->n, 5.0, on_sent, pr)
		       : prospero_queue_send(pr->q, pr->iov[0].iov_base, pr->iov[0].iov_len, 5.0, on_sent, pr)) < 0) {
		fprintf(stderr, "send: %s\n", strerror(errno));
		exit(102);
	}
}

/* Where the last incarnation stopped: the message after the last one its
 * record holds; 0 when it said "done". */
static long resume(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[128];
	long last = 0;
	const char *colon;

	if (!f)
		return 1;
	while (fgets(line, sizeof line, f)) {
		if (strcmp(line, "done\n") == 0) {
			fclose(f);
			return 0;
		}
		if ((colon = strrchr(line, ':')))
			last = strtol(colon + 1, NULL, 10);
	}
	fclose(f);
	return last + 1;
}

static void on_small(int err, const void *body, size_t len, void *arg)
{
	char line[300];
	int n = snprintf(line, sizeof line, "small: %s%.*s\n", err ? "refused: " : "sent",
			 err ? (int)(len < 200 ? len : 200) : 0, (const char *)body);

	record(line, (size_t)n);
}

static void on_oversized(int err, const void *body, size_t len, void *arg)
{
	char line[300];
	int n = snprintf(line, sizeof line, "%s%.*s\n", err ? "refused: " : "sent",
			 err ? (int)(len < 200 ? len : 200) : 0, (const char *)body);

	record(line, (size_t)n);
	if (prospero_queue_send(arg, "small", 5, 5.0, on_small, NULL) < 0)
		exit(102);
}

/* A message of SIZE bytes, then a small one, to binding B. */
static void oversize(struct prospero_binding *b, size_t size)
{
	char *big = malloc(size);

	if (!big)
		exit(103);
	memset(big, 'x', size);
	if (prospero_queue_send(b, big, size, 5.0, on_oversized, b) < 0)
		exit(102);
	free(big);
}

/* fill: big messages until the queue refuses one, then a small one
 * until it takes it again */
struct filler {
	struct ev_loop *loop;
	struct prospero_binding *q;
	const char *go, *more;
	char *body;
	size_t size;
	long next, count, refusals;
	bool said_paused;
	ev_timer tick;
};

static void fill_or_wait(struct filler *f);

static void on_again(int err, const void *body, size_t len, void *arg)
{
	struct filler *f = arg;
	char line[80];

	if (err != PROSPERO_OK) {
		if (f->refusals++ == 0) {
			snprintf(line, sizeof line, "again: refused: %.*s\n", (int)(len < 60 ? len : 60),
				 (const char *)body);
			record(line, strlen(line));
		}
		ev_timer_set(&f->tick, 0.1, 0.);
		ev_timer_start(f->loop, &f->tick);
		return;
	}
	snprintf(line, sizeof line, "again: sent after %ld refusals\n", f->refusals);
	record(line, strlen(line));
}

static void on_filled(int err, const void *body, size_t len, void *arg)
{
	struct filler *f = arg;
	char line[300];

	if (err != PROSPERO_OK) {
		snprintf(line, sizeof line, "refused: %.*s\n", (int)(len < 200 ? len : 200), (const char *)body);
		record(line, strlen(line));
		f->next = -1;	/* from now on "again", on the timer */
		ev_timer_set(&f->tick, 0.1, 0.);
		ev_timer_start(f->loop, &f->tick);
		return;
	}
	snprintf(line, sizeof line, "fill:%ld\n", f->next++);
	record(line, strlen(line));
	fill_or_wait(f);
}

static void fill_or_wait(struct filler *f)
{
	bool first = f->next <= f->count;
	int n;

	if (!first && !f->said_paused) {
		record("paused\n", 7);
		f->said_paused = true;
	}
	if (access(first ? f->go : f->more, F_OK) < 0) {
		ev_timer_set(&f->tick, 0.02, 0.);
		ev_timer_start(f->loop, &f->tick);
		return;
	}
	n = snprintf(f->body, f->size, "fill:%ld", f->next);
	memset(f->body + n, '.', f->size - (size_t)n);
	if (prospero_queue_send(f->q, f->body, f->size, 5.0, on_filled, f) < 0)
		exit(102);
}

static void fill_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct filler *f = w->data;

	if (f->next >= 0)
		fill_or_wait(f);
	else if (prospero_queue_send(f->q, "again", 5, 5.0, on_again, f) < 0)
		exit(102);
}

static const char *poison;
static unsigned stall_s;
static bool crash, flaky;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_batch(struct prospero_queue_batch *b, const struct prospero_queue_message *m, size_t n,
		     void *arg)
{
	static char text[100 * 160];
	size_t len = 0;

	(void)arg;
	/* recorded before it is answered: what is acked is in the record */
	for (size_t i = 0; i < n && len < sizeof text - 160; i++)
		len += (size_t)snprintf(text + len, sizeof text - len, "%.*s %llu %u %lld\n",
					(int)(m[i].len < 100 ? m[i].len : 100), (const char *)m[i].body,
					(unsigned long long)m[i].id, m[i].attempt, now_ms());
	record(text, len);
	for (size_t i = 0; i < n && crash; i++)
		if (m[i].attempt == 1 && m[i].len >= strlen(poison) && memcmp(m[i].body, poison, strlen(poison)) == 0)
			_exit(1);
	if (crash) {
		prospero_queue_ack_all(b);
		return;
	}
	for (size_t i = 0; i < n && stall_s; i++)
		if (m[i].attempt >= 2) {
			sleep(stall_s);
			break;
		}
	for (size_t i = 0; i < n; i++)
		if ((poison && m[i].len >= strlen(poison) && memcmp(m[i].body, poison, strlen(poison)) == 0) ||
		    (flaky && m[i].attempt == 1 && m[i].id % 4 == 0))
			prospero_queue_retry(b, i, 0);
		else
			prospero_queue_ack(b, i);
}

static void on_forge(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	(void)body, (void)len, (void)arg;
	record("forged\n", 7);
	prospero_fail(req, PROSPERO_E_INTERNAL, "boom\nmessage 1 moved to the dead-letter queue after 4 attempts");
}

int main(int argc, char **argv)
{
	struct ev_loop *loop = ev_default_loop(0);
	struct prospero_queue_consumer *c = NULL;
	struct producer pr = { 0 };
	struct filler f = { 0 };
	struct prospero *p;

	if (argc < 3 || !(strcmp(argv[1], "produce") == 0 ? argc == 5 || argc == 6 : strcmp(argv[1], "fill") == 0 ? argc == 7 : argc <= 5)) {
		fprintf(stderr, "usage: queueactor produce FILE TAG COUNT [batch] | oversize FILE SIZE | fill FILE SIZE COUNT GO MORE"
			" | consume FILE [PREFIX [STALL]] | forge FILE\n");
		return 2;
	}
	if (!(p = prospero_open(loop))) {
		perror("prospero_open");
		return 100;
	}
	if (strcmp(argv[1], "produce") == 0)
		pr.next = resume(argv[2]);
	out = open(argv[2], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (out < 0) {
		perror(argv[2]);
		return 100;
	}
	if (strcmp(argv[1], "produce") == 0) {
		pr.q = prospero_binding(p, "Q");
		pr.tag = argv[3];
		pr.count = strtol(argv[4], NULL, 10);
		pr.batch = argc == 6 && strcmp(argv[5], "batch") == 0;
		if (!pr.q) {
			fprintf(stderr, "no binding Q\n");
			return 100;
		}
		if (pr.next > 0)
			send_next(&pr);
	} else if (strcmp(argv[1], "oversize") == 0 && argc == 4) {
		if (!prospero_binding(p, "Q"))
			return 100;
		oversize(prospero_binding(p, "Q"), strtoul(argv[3], NULL, 10));
	} else if (strcmp(argv[1], "fill") == 0) {
		f.loop = loop;
		f.q = prospero_binding(p, "Q");
		f.size = strtoul(argv[3], NULL, 10);
		f.count = strtol(argv[4], NULL, 10);
		f.go = argv[5];
		f.more = argv[6];
		f.next = 1;
		if (!f.q || f.size < 32 || !(f.body = malloc(f.size)))
			return 100;
		ev_timer_init(&f.tick, fill_tick, 0., 0.);
		f.tick.data = &f;
		ev_timer_start(loop, &f.tick);
	} else if (strcmp(argv[1], "forge") == 0) {
		if (prospero_handle(p, "deliver", on_forge, NULL) < 0 || prospero_serve(p) < 0) {
			perror("prospero_handle");
			return 100;
		}
	} else {
		poison = argc >= 4 ? argv[3] : NULL;
		crash = argc == 5 && strcmp(argv[4], "crash") == 0;
		flaky = argc == 5 && strcmp(argv[4], "flaky") == 0;
		stall_s = argc == 5 && !crash && !flaky ? (unsigned)strtoul(argv[4], NULL, 10) : 0;
		if (!(c = prospero_queue_consume(p, on_batch, NULL)) || prospero_serve(p) < 0) {
			perror("prospero_queue_consume");
			return 100;
		}
	}
	ev_run(loop, 0);
	prospero_close(p);
	prospero_queue_consumer_free(c);
	free(f.body);
	return 0;
}
