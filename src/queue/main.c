/* prospero-queue: see queue.h. Started by the daemon for a "queue"
 * definition, with its settings as options, its state directory in
 * $STATE_DIRECTORY and its edges as any actor's. */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/proto/fds.h"
#include "src/proto/queue.h"
#include "src/queue/queue.h"

uint64_t pq_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct pq_now pq_clocks(void)
{
	struct timespec ts;
	struct pq_now now = { .wall = pq_now_ms() };

	clock_gettime(CLOCK_MONOTONIC, &ts);
	/* offset: a time a day or two ago is never below 0 (clock.h) */
	now.mono = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u + 2ull * PQ_WAIT_MAX;
	return now;
}

void pq_fatal(struct queue *q, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	q->exit_code = 1;
	ev_break(q->loop, EVBREAK_ALL);
}

const char *pq_peer_text(char buf[static PQ_PEER_TEXT * 4 + 1], const void *text, size_t len)
{
	const unsigned char *t = text;
	size_t out = 0;

	if (len > PQ_PEER_TEXT)
		len = PQ_PEER_TEXT;
	for (size_t i = 0; i < len && t[i]; i++) {
		if (t[i] < 0x20 || t[i] == 0x7f)
			out += (size_t)sprintf(buf + out, "\\x%02x", t[i]);
		else
			buf[out++] = (char)t[i];
	}
	buf[out] = '\0';
	return buf;
}

int pq_out_reserve(struct queue *q, size_t len)
{
	size_t cap = q->outcap ? q->outcap : 65536;
	uint8_t *out;

	if (q->outlen + len <= q->outcap)
		return 0;
	while (cap < q->outlen + len)
		cap *= 2;
	if (!(out = realloc(q->out, cap))) {
		errno = ENOMEM;
		return -1;
	}
	q->out = out;
	q->outcap = cap;
	return 0;
}

int pq_out_begin(struct queue *q)
{
	q->outlen = 0;
	if (pq_out_reserve(q, PQ_COUNT_LEN) < 0)
		return -1;
	q->outlen = PQ_COUNT_LEN;
	return 0;
}

/* Before the loop waits: the turn's work, in queue.h's order. */
static void turn_end(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct queue *q = w->data;

	long gone = 0;

	pq_intake_commit(q);
	/* while full, room.c's timer applies them */
	if (!q->full && (gone = pq_store_apply(&q->store)) < 0 && !pq_room_lost(q, errno, q->store.msg)) {
		pq_fatal(q, "cannot update its log: %s", q->store.msg);
		return;
	}
	if (gone > 0)
		pq_status_touch(q);	/* depth went down: expired or answered */
	pq_dead_flush(q);
	pq_deliver(q);
	if (q->stopping && q->nwaiters == 0)
		ev_break(loop, EVBREAK_ALL);
}

static void on_stop(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct queue *q = w->data;

	/* stop reading producers (what they sent stays in the sockets for
	 * the next incarnation); what was read is committed and answered at
	 * the turn's end, and then the loop ends, batches in flight or not */
	q->stopping = true;
	prospero_stop(q->p);
}

static int usage(const char *err)
{
	fprintf(stderr, "prospero-queue: %s\nusage: prospero-queue", err);
	for (int i = 0; i < PQ_NSETTINGS; i++)
		fprintf(stderr, " [--%s=N]", pq_settings[i].option);
	fprintf(stderr, "\n(run by prospero for a \"queue\" definition; see README \"Queues\")\n");
	return 2;
}

static int start(struct queue *q)
{
	if (!(q->p = prospero_open(q->loop))) {
		fprintf(stderr, "cannot adopt its channels: %s\n", strerror(errno));
		return -1;
	}
	q->consumer = prospero_binding(q->p, PQ_BINDING_CONSUMER);
	q->dlq = prospero_binding(q->p, PQ_BINDING_DEAD_LETTER);
	if (!q->consumer)
		fprintf(stderr, "no %s binding: messages are kept, not delivered\n", PQ_BINDING_CONSUMER);
	if (pq_room_init(q) < 0 || pq_intake_init(q) < 0 || pq_delivery_init(q) < 0) {
		fprintf(stderr, "cannot start: %s\n", q->store.msg[0] ? q->store.msg : strerror(errno));
		return -1;
	}
	pq_dead_init(q);
	pq_status_init(q);
	ev_prepare_init(&q->turn_end, turn_end);
	q->turn_end.data = q;
	/* before libprospero's own flush, so what the turn's end sends goes
	 * out in the same turn */
	ev_set_priority(&q->turn_end, EV_MAXPRI);
	ev_prepare_start(q->loop, &q->turn_end);
	ev_signal_init(&q->sigterm, on_stop, SIGTERM);
	q->sigterm.data = q;
	ev_signal_start(q->loop, &q->sigterm);
	ev_signal_init(&q->sigint, on_stop, SIGINT);
	q->sigint.data = q;
	ev_signal_start(q->loop, &q->sigint);
	prospero_serve(q->p);
	prospero_ready(q->p);
	pq_status_send(q);
	return 0;
}

static void finish(struct queue *q)
{
	pq_intake_commit(q);
	/* what status shows of it stopped: its log as it leaves it, not a
	 * change ago */
	if (q->p && ev_is_active(&q->status_timer))
		pq_status_send(q);
	q->closing = true;
	if (q->p)
		prospero_close(q->p);	/* fails the calls in flight: ignored */
	if (q->store.db && (q->full ? pq_store_apply_in_steps(&q->store) : pq_store_apply(&q->store)) < 0)
		fprintf(stderr, "cannot update its log: %s\n", q->store.msg);
	ev_prepare_stop(q->loop, &q->turn_end);
	ev_signal_stop(q->loop, &q->sigterm);
	ev_signal_stop(q->loop, &q->sigint);
	pq_room_fini(q);
	pq_status_fini(q);
	pq_dead_fini(q);
	pq_delivery_fini(q);
	pq_intake_fini(q);
	pq_store_close(&q->store);
}

/* Said once, before the queue has anything else to say: which file, why,
 * and for what its owner can mend, how. */
static void cannot_open_log(int err, const char *why)
{
	const char *dir = getenv(PP_ENV_STATE_DIRECTORY);

	if (!dir) {
		fprintf(stderr, "cannot open its log %s: no " PP_ENV_STATE_DIRECTORY "\n", PQ_STORE_FILE);
		return;
	}
	fprintf(stderr, "cannot open its log %s/%s: %s%s\n", dir, PQ_STORE_FILE, why,
		err == EBADMSG ? ": not a queue's log (damaged, or another program's file): move it aside to "
				 "start the queue empty"
		: err == ELOOP ? ": a symbolic link is in its path, and the queue follows none"
			       : "");
}

int main(int argc, char **argv)
{
	struct queue q = { .loop = EV_DEFAULT };
	char err[256];

	setvbuf(stderr, NULL, _IOLBF, 0);
	pq_options_default(&q.opt);
	if (pq_options_parse(&q.opt, argc, argv, err, sizeof err) < 0)
		return usage(err);
	if (pq_store_open(&q.store, NULL) < 0) {
		cannot_open_log(errno, q.store.msg);
		return 1;
	}
	if (start(&q) == 0)
		ev_run(q.loop, 0);
	else
		q.exit_code = 1;
	finish(&q);
	return q.exit_code;
}
