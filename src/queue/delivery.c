/* The consumer's side: batches of up to max_batch_size messages, sent
 * once that many are ready or the oldest ready one has waited
 * max_batch_timeout; retries whose wait is over go first, then messages
 * in id order. The consumer's answer acks or retries each message; one
 * it leaves out, and every message of a batch that is not answered
 * (timeout, peer restarted, an error), has had a failed attempt — but
 * for a batch that timed out unread in the consumer's socket, which
 * goes again uncounted once the consumer has read what waits there. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/libprospero/actor.h"
#include "src/proto/error.h"
#include "src/proto/frame.h"
#include "src/proto/plural.h"
#include "src/proto/queue.h"
#include "src/queue/queue.h"

/* The log's order holds only messages that never failed an attempt: to
 * the store's queries, those whose retry wait ended by time 0 (none had
 * one). Every retry, its wait over or not, is the delayed heap's and
 * goes first (README "Consumers, retries and dead letters"), after a
 * restart too: one whose wait ended while the queue was down is due at
 * once. */
#define NEVER_RETRIED 0

static unsigned batch_size(const struct queue *q)
{
	return (unsigned)q->opt.v[PQ_MAX_BATCH_SIZE];
}

/* NOW_MS is a fresh clock's (monotonic, as libev's timers): so must the
 * loop's be, or the timer fires early, by however long the turn has run */
static void arm(struct queue *q, ev_timer *t, uint64_t at_ms, uint64_t now_ms)
{
	ev_now_update(q->loop);
	ev_timer_stop(q->loop, t);
	ev_timer_set(t, at_ms > now_ms ? (double)(at_ms - now_ms) / 1e3 : 0., 0.);
	ev_timer_start(q->loop, t);
}

/* Whether a batch should go now; if not, the batch timer is set for when
 * the oldest ready message will have waited max_batch_timeout, on the
 * monotonic clock (clock.h). */
static bool ready_now(struct queue *q, struct pq_now clocks)
{
	uint64_t fresh = q->store.committed_id - q->cursor, since = UINT64_MAX, ms, id = 0, now = clocks.mono;
	size_t due = pq_delayed_count_due(&q->delayed, now, batch_size(q));
	int r;

	if (fresh && q->cursor < q->holes_upto && fresh + due >= batch_size(q)) {
		long n = pq_store_count_ready(&q->store, q->cursor, q->store.committed_id, NEVER_RETRIED,
					      batch_size(q));

		if (n < 0) {
			pq_fatal(q, "cannot read its log: %s", q->store.msg);
			return false;
		}
		fresh = (uint64_t)n;
	}
	if (fresh + due >= batch_size(q))
		return true;
	if (due)
		since = pq_delayed_top(&q->delayed)->due_ms;
	/* fresh counts ids, and some may be gone (expired): ask the log */
	r = fresh ? pq_store_first_ready(&q->store, q->cursor, NEVER_RETRIED, &ms, &id) : 0;
	if (r < 0) {
		pq_fatal(q, "cannot read its log: %s", q->store.msg);
		return false;
	}
	if (r == 1)
		ms = pq_clock_committed(&q->clock, id, ms, clocks);
	if (r == 1 && ms < since)
		since = ms;
	if (r == 0)
		q->cursor = q->store.committed_id;
	if (since == UINT64_MAX) {
		ev_timer_stop(q->loop, &q->batch_timer);
		return false;
	}
	/* strictly later: both times are truncated to the ms, and the wait
	 * must not come out shorter than max_batch_timeout */
	if (q->opt.v[PQ_MAX_BATCH_TIMEOUT] == 0 || since + (uint64_t)q->opt.v[PQ_MAX_BATCH_TIMEOUT] < now)
		return true;
	arm(q, &q->batch_timer, since + (uint64_t)q->opt.v[PQ_MAX_BATCH_TIMEOUT] + 1, now);
	return false;
}

/* Filling batch B from the log. */
struct fill {
	struct queue *q;
	struct pq_batch *b;
	struct pq_now now;
	bool scanning;		/* rows come from the scan: move the cursor */
	const struct pq_item *retry;	/* the row is this retry's, as memory has it */
	uint64_t due;		/* when that retry fell due */
	bool full;		/* the body would grow past what a call carries */
	bool failed;		/* out of memory: the walk stopped */
	long *expired;		/* rows found past their retention, and forgotten */
};

static int add_row(const struct pq_row *r, void *arg)
{
	struct fill *f = arg;
	struct queue *q = f->q;
	/* a retry's failed attempts as counted in memory: the log has them
	 * too, but not while a full disk holds the change back (room.c) */
	uint32_t failed_n = f->retry ? f->retry->failed : r->failed;
	struct pq_item it = { .id = r->id, .enqueued_ms = r->enqueued_ms, .failed = failed_n };
	struct pq_msg m = { .id = r->id, .enqueued_ms = r->enqueued_ms, .attempt = failed_n + 1,
			    .body = r->body, .len = r->len };

	if (f->b->n > 0 && q->outlen + pq_msg_size(r->len) > PF_MAX_BODY) {
		f->full = true;
		return 1;
	}
	if (f->scanning)
		q->cursor = r->id;
	if (r->enqueued_ms + (uint64_t)q->opt.v[PQ_RETENTION] * 1000 < f->now.wall) {
		(*f->expired)++;
		f->failed = pq_store_forget(&q->store, r->id) < 0;
		return f->failed;
	}
	if (failed_n > (uint64_t)q->opt.v[PQ_MAX_RETRIES]) {
		pq_dead_add(q, &it);	/* it had its retries before a restart */
		return 0;
	}
	if (pq_out_reserve(q, pq_msg_size(r->len)) < 0) {
		f->failed = true;
		return 1;
	}
	pq_msg_encode(q->out + q->outlen, &m);
	q->outlen += pq_msg_size(r->len);
	f->b->due_ms[f->b->n] = f->retry ? f->due : 0;
	f->b->items[f->b->n++] = it;
	return f->b->n == batch_size(q);
}

/* Retries whose wait is over, then messages after the cursor; what it
 * found expired is added to *EXPIRED. */
static int fill(struct queue *q, struct pq_batch *b, struct pq_now now, long *expired)
{
	struct fill f = { .q = q, .b = b, .now = now, .expired = expired };
	const struct pq_wait *w;
	struct pq_item it;
	long n;

	b->n = 0;
	if (pq_out_begin(q) < 0)
		return -1;
	f.retry = &it;
	while (b->n < batch_size(q) && !f.full && !f.failed && (w = pq_delayed_top(&q->delayed)) &&
	       w->due_ms <= now.mono) {
		f.due = w->due_ms;
		pq_delayed_pop_due(&q->delayed, now.mono, &it);
		if (pq_store_fetch(&q->store, it.id, add_row, &f) < 0)
			return -1;
	}
	f.retry = NULL;
	if (f.failed) {
		errno = ENOMEM;
		return -1;
	}
	/* that one goes next time, in its place: due when it was, not now,
	 * or the retries that fell due after it would go first */
	if (f.full && pq_delayed_push(&q->delayed, f.due, &it) < 0)
		return -1;
	f.scanning = true;
	if (b->n < batch_size(q) && !f.full) {
		unsigned want = batch_size(q) - b->n;

		n = pq_store_scan(&q->store, q->cursor, q->store.committed_id, NEVER_RETRIED, want, add_row, &f);
		if (n < 0)
			return -1;
		if (f.failed) {
			errno = ENOMEM;
			return -1;
		}
		if ((unsigned long)n < want && !f.full)
			q->cursor = q->store.committed_id;	/* nothing more there */
	}
	pq_count_encode(q->out, b->n);
	return 0;
}

static void on_answer(int err, const void *body, size_t len, void *arg);

/* Items of B go back to wait, as if not delivered: no attempt counted.
 * A retry keeps its place (when it fell due), or the retries that fell
 * due since would go before it. */
static void put_back(struct queue *q, struct pq_batch *b, uint64_t now)
{
	for (unsigned i = 0; i < b->n; i++)
		if (pq_delayed_push(&q->delayed, b->due_ms[i] ? b->due_ms[i] : now, &b->items[i]) < 0)
			pq_fatal(q, "out of memory");
		else
			pq_status_waits(q, b->items[i].enqueued_ms);
}

static void send_batch(struct queue *q, struct pq_batch *b, struct pq_now now)
{
	double timeout = (double)q->opt.v[PQ_DELIVERY_TIMEOUT] / 1e3;

	memset(b->answer, PQ_UNANSWERED, b->n);
	memset(b->asked_ms, 0, b->n * sizeof *b->asked_ms);
	if (prospero_call(q->consumer, PQ_DELIVER, q->out, q->outlen, timeout, on_answer, b) < 0) {
		/* EAGAIN: its socket is full, prospero_on_writable kicks us */
		if (errno != EAGAIN && errno != ESHUTDOWN)
			fprintf(stderr, "cannot deliver to the consumer: %s\n", strerror(errno));
		put_back(q, b, now.mono);
		return;
	}
	b->busy = true;
	b->seq = ++q->sent;
	q->busy++;
	q->count.delivered += b->n;
	pq_status_touch(q);	/* in_flight went up */
}

static struct pq_batch *free_batch(struct queue *q)
{
	for (long i = 0; i < q->opt.v[PQ_MAX_CONCURRENCY]; i++)
		if (!q->batches[i].busy)
			return &q->batches[i];
	return NULL;
}

/* No event tells a sender that its peer has read: while held, look
 * again now and then. */
#define HOLD_CHECK 0.2	/* s */

/* Whether deliveries wait unread, holding back the next: true while the
 * consumer has not read what was sent to it. */
static bool holding(struct queue *q)
{
	if (!q->held)
		return false;
	if (pr_binding_unread(q->consumer) == 1) {
		if (!ev_is_active(&q->hold_timer)) {
			ev_timer_set(&q->hold_timer, HOLD_CHECK, 0.);
			ev_timer_start(q->loop, &q->hold_timer);
		}
		return true;
	}
	q->held = false;
	return false;
}

void pq_deliver(struct queue *q)
{
	struct pq_batch *b;
	struct pq_now now = pq_clocks();
	long expired = 0;

	if (!q->kick)
		return;
	pq_clock_forget(&q->clock, q->cursor);
	q->kick = false;
	if (q->consumer && holding(q))
		goto timers;
	while (!q->stopping && q->consumer && q->exit_code == 0 && (b = free_batch(q)) && ready_now(q, now)) {
		if (fill(q, b, now, &expired) < 0) {
			pq_status_expired(q, expired);
			pq_fatal(q, "cannot build a batch: %s", errno == ENOMEM ? "out of memory" : q->store.msg);
			return;
		}
		if (b->n == 0)
			continue;	/* what it read had expired or had its retries */
		send_batch(q, b, now);
		if (!b->busy)
			break;
	}
	/* once for the whole walk: a backlog that expired while the queue
	 * was down is read a batch at a time */
	pq_status_expired(q, expired);
timers:
	if (pq_delayed_top(&q->delayed) && pq_delayed_top(&q->delayed)->due_ms > now.mono)
		arm(q, &q->delay_timer, pq_delayed_top(&q->delayed)->due_ms, now.mono);
	else
		ev_timer_stop(q->loop, &q->delay_timer);
}

/* The index in B of message ID; HINT first, since answers tend to come
 * in the batch's order. -1 for an id not in B. */
static int find(const struct pq_batch *b, uint64_t id, unsigned hint)
{
	if (hint < b->n && b->items[hint].id == id)
		return (int)hint;
	for (unsigned i = 0; i < b->n; i++)
		if (b->items[i].id == id)
			return (int)i;
	return -1;
}

/* An answer may repeat ids (each repeat is counted, not acted on), but
 * not without end: each verdict is looked for in the batch. */
#define ANSWER_MAX (4 * PQ_BATCH_CAP)

/* The consumer's answer into B's answers; what does not fit is said on
 * stderr and counted, not acted on. */
static void read_answer(struct queue *q, struct pq_batch *b, const void *body, size_t len)
{
	unsigned unknown = 0, twice = 0, k = 0;
	struct pq_verdict v;
	struct pq_cursor c;
	const char *why = NULL;

	if (pq_answer_check(body, len, &c, &why) == 0 && c.left > ANSWER_MAX)
		why = "far more verdicts than messages";
	if (why) {
		fprintf(stderr, "the consumer's answer to a batch of %u is malformed (%s): all retried\n", b->n, why);
		q->count.bad_answers++;
		return;
	}
	while (c.left) {
		int i;

		pq_answer_next(&c, &v);
		i = find(b, v.id, k++);
		if (i < 0) {
			unknown++;
		} else if (b->answer[i] != PQ_UNANSWERED) {
			twice++;
		} else {
			b->answer[i] = v.verdict == PQ_ACK ? PQ_ANSWER_ACK : PQ_ANSWER_RETRY;
			b->asked_ms[i] = v.delay_ms;
		}
	}
	if (unknown || twice) {
		fprintf(stderr, "the consumer answered %u %s not in its batch and %u %s twice: ignored\n",
			unknown, plural(unknown, "id", "ids"), twice, plural(twice, "message", "messages"));
		q->count.bad_answers += unknown + twice;
	}
}

/* Message I of B failed an attempt: wait, or dead-letter it. */
static void failed(struct queue *q, struct pq_batch *b, unsigned i, struct pq_now now)
{
	struct pq_item it = b->items[i];
	long wait = pq_retry_wait(&q->opt, ++it.failed, b->asked_ms[i]);
	/* NOW is truncated to the ms: a wait counts from the next one, so it
	 * is never shorter than asked. It is waited on the monotonic clock;
	 * the log has it on the wall clock, for a restart (clock.h). */
	uint64_t due = wait > 0 ? now.mono + 1 + (uint64_t)wait : now.mono;
	uint64_t due_wall = wait > 0 ? now.wall + 1 + (uint64_t)wait : now.wall;
	int r;

	/* kept in the log too, so a restart counts this attempt */
	r = pq_store_reschedule(&q->store, it.id, it.failed, due_wall, wait > 0 ? (uint32_t)wait : 0);
	if (r == 0 && wait < 0) {
		pq_dead_add(q, &it);
		return;
	}
	if (r == 0)
		r = pq_delayed_push(&q->delayed, due, &it);
	if (r < 0) {
		pq_fatal(q, "out of memory");
		return;
	}
	pq_status_waits(q, it.enqueued_ms);
	q->count.retried++;
}

static void settle(struct queue *q, struct pq_batch *b)
{
	struct pq_now now = pq_clocks();

	for (unsigned i = 0; i < b->n; i++) {
		if (b->answer[i] != PQ_ANSWER_ACK) {
			failed(q, b, i, now);
		} else if (pq_store_forget(&q->store, b->items[i].id) < 0) {
			pq_fatal(q, "out of memory");
		} else {
			q->count.acked++;
		}
	}
}

static void on_answer(int err, const void *body, size_t len, void *arg)
{
	struct pq_batch *b = arg;
	struct queue *q = b->q;
	char text[PQ_PEER_TEXT * 4 + 1];

	b->busy = false;
	q->busy--;
	q->kick = true;
	if (q->closing)
		return;		/* the queue is ending: delivered again after it, uncounted */
	if (err == PROSPERO_E_TIMEOUT && pr_binding_unread(q->consumer) == 1) {
		q->held = true;
		/* the socket is read in order, so the latest batch sent is the
		 * one surely unread: no consumer had it to answer */
		if (b->seq == q->sent) {
			fprintf(stderr, "a batch of %u (ids %llu...) was not read by the consumer in %ld ms:"
				" not counted, delivered again once it reads\n", b->n,
				(unsigned long long)b->items[0].id, q->opt.v[PQ_DELIVERY_TIMEOUT]);
			put_back(q, b, pq_clocks().mono);
			pq_status_touch(q);
			return;
		}
	}
	if (err == PROSPERO_OK)
		read_answer(q, b, body, len);
	else
		fprintf(stderr, "a batch of %u (ids %llu...) was not answered: %s: %s\n", b->n,
			(unsigned long long)b->items[0].id, pf_error_name(err), pq_peer_text(text, body, len));
	settle(q, b);
	/* after settle: the retries it made wait now, for the sweep to see */
	pq_status_touch(q);
}

static void kick(struct queue *q)
{
	q->kick = true;	/* the turn's end delivers */
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	kick(w->data);
}

static void on_writable(struct prospero_binding *b, void *arg)
{
	kick(arg);
}

/* Messages that had failed an attempt when the queue last stopped, due
 * when their wait ends (or ended, while the queue was down) by the wall
 * clock, but never later than their wait from now (clock.h). */
static int recover_one(const struct pq_row *r, uint64_t not_before_ms, uint64_t wait_ms, void *arg)
{
	struct queue *q = arg;
	struct pq_item it = { .id = r->id, .enqueued_ms = r->enqueued_ms, .failed = r->failed };

	return pq_delayed_push(&q->delayed, pq_clock_restore(pq_clocks(), not_before_ms, wait_ms), &it);
}

int pq_delivery_init(struct queue *q)
{
	q->kick = true;
	q->holes_upto = q->store.committed_id;	/* what the last incarnation acked */
	pq_clock_start(&q->clock, pq_clocks(), q->store.committed_id);
	if (!(q->batches = calloc((size_t)q->opt.v[PQ_MAX_CONCURRENCY], sizeof *q->batches)))
		return -1;
	for (long i = 0; i < q->opt.v[PQ_MAX_CONCURRENCY]; i++)
		q->batches[i].q = q;
	ev_timer_init(&q->batch_timer, on_timer, 0., 0.);
	q->batch_timer.data = q;
	ev_timer_init(&q->delay_timer, on_timer, 0., 0.);
	q->delay_timer.data = q;
	ev_timer_init(&q->hold_timer, on_timer, 0., 0.);
	q->hold_timer.data = q;
	if (q->consumer)
		prospero_on_writable(q->consumer, on_writable, q);
	return pq_store_each_waiting(&q->store, NEVER_RETRIED, recover_one, q) < 0 ? -1 : 0;
}

void pq_delivery_fini(struct queue *q)
{
	ev_timer_stop(q->loop, &q->batch_timer);
	ev_timer_stop(q->loop, &q->delay_timer);
	ev_timer_stop(q->loop, &q->hold_timer);
	pq_delayed_fini(&q->delayed);
	free(q->batches);
	free(q->out);
	q->batches = NULL;
	q->out = NULL;
}
