/* What the queue says of itself: a STATUS= line on its control channel,
 * at most once a second, after something changed or while it holds
 * messages (the oldest one's age grows), so an empty idle queue sleeps;
 * and the retention sweep, which runs now and then while
 * messages wait. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>

#include "src/queue/queue.h"

#define STATUS_EVERY 1.0	/* s */
#define SWEEP_EVERY 60.0	/* s at most between sweeps while messages wait */
#define SWEEP_SOONEST 1.0	/* s at least, so an expiry due now is not a busy loop */

void pq_status_send(struct queue *q)
{
	uint64_t now = pq_now_ms(), first = now;
	unsigned long long in_flight = q->dead_sending;
	char line[480];

	for (long i = 0; i < q->opt.v[PQ_MAX_CONCURRENCY]; i++)
		in_flight += q->batches[i].busy ? q->batches[i].n : 0;
	if (q->store.depth && pq_store_first_after(&q->store, 0, &first) != 1)
		first = now;
	snprintf(line, sizeof line,
		 "depth=%llu in_flight=%llu delayed=%zu oldest_age_ms=%llu received=%llu acked=%llu"
		 " retried=%llu dead_lettered=%llu dropped=%llu expired=%llu bad_answers=%llu syncs=%llu",
		 (unsigned long long)q->store.depth, in_flight, q->delayed.n,
		 (unsigned long long)(now > first ? now - first : 0), (unsigned long long)q->count.received,
		 (unsigned long long)q->count.acked, (unsigned long long)q->count.retried,
		 (unsigned long long)q->count.dead_lettered, (unsigned long long)q->count.dropped,
		 (unsigned long long)q->count.expired, (unsigned long long)q->count.bad_answers,
		 (unsigned long long)q->store.syncs);
	prospero_status(q->p, line);
	q->status_sent = ev_now(q->loop);
	/* oldest_age_ms is as of the line: said again a second on, changed
	 * or not, or a stuck queue would show its messages as young */
	if (q->store.depth && !ev_is_active(&q->status_timer)) {
		ev_timer_set(&q->status_timer, STATUS_EVERY, 0.);
		ev_timer_start(q->loop, &q->status_timer);
	}
}

static void status_due(struct ev_loop *loop, ev_timer *w, int revents)
{
	pq_status_send(w->data);
}

/* The next sweep: when the oldest message that waits — not delivered
 * since the queue started, or waiting for a retry — turns older than the
 * retention, so none waits past it for a sweep; at most a minute on,
 * should the clock be set meanwhile. None while none waits (one out with
 * the consumer is looked at when it comes back). */
static void sweep_arm(struct queue *q)
{
	uint64_t keep_ms = (uint64_t)q->opt.v[PQ_RETENTION] * 1000, first, now = pq_now_ms();
	uint64_t oldest = pq_delayed_oldest(&q->delayed);	/* 0: none */
	int r = q->store.depth ? pq_store_first_after(&q->store, q->cursor, &first) : 0;
	double wait = SWEEP_EVERY;

	if (r == 0 && !oldest)
		return;
	if (r == 1 && (!oldest || first < oldest))
		oldest = first;
	/* strictly older: the sweep takes those before now - retention */
	if (oldest && oldest + keep_ms + 1 < now + (uint64_t)(SWEEP_EVERY * 1000))
		wait = oldest + keep_ms + 1 > now ? (double)(oldest + keep_ms + 1 - now) / 1e3 : 0.;
	ev_timer_set(&q->sweep_timer, wait > SWEEP_SOONEST ? wait : SWEEP_SOONEST, 0.);
	ev_timer_start(q->loop, &q->sweep_timer);
}

void pq_status_waits(struct queue *q, uint64_t enqueued_ms)
{
	uint64_t due = enqueued_ms + (uint64_t)q->opt.v[PQ_RETENTION] * 1000 + 1, now = pq_now_ms();
	double wait = due > now ? (double)(due - now) / 1e3 : 0.;

	if (!ev_is_active(&q->sweep_timer)) {
		sweep_arm(q);
		return;
	}
	/* the sweep was armed for others, maybe later than this one's end */
	if (wait < SWEEP_SOONEST)
		wait = SWEEP_SOONEST;
	if (ev_timer_remaining(q->loop, &q->sweep_timer) <= wait)
		return;
	ev_timer_stop(q->loop, &q->sweep_timer);
	ev_timer_set(&q->sweep_timer, wait, 0.);
	ev_timer_start(q->loop, &q->sweep_timer);
}

void pq_status_touch(struct queue *q)
{
	double wait = q->status_sent + STATUS_EVERY - ev_now(q->loop);

	if (!ev_is_active(&q->sweep_timer))
		sweep_arm(q);
	if (ev_is_active(&q->status_timer))
		return;
	ev_timer_set(&q->status_timer, wait > 0 ? wait : 0., 0.);
	ev_timer_start(q->loop, &q->status_timer);
}

struct sweeping {
	struct queue *q;
	uint64_t swept_upto;	/* the delete past the cursor went up to this id */
	long n;
	bool failed;
};

/* A retry waiting past the retention leaves the log too (with the
 * turn's other changes), unless the sweep's delete past the cursor
 * took it already. */
static void drop_waiting(const struct pq_item *it, void *arg)
{
	struct sweeping *s = arg;

	if (it->id > s->q->cursor && it->id <= s->swept_upto)
		return;
	if (pq_store_forget(&s->q->store, it->id) < 0)
		s->failed = true;
	s->n++;
}

void pq_status_expired(struct queue *q, long n)
{
	if (n <= 0)
		return;
	q->count.expired += (uint64_t)n;
	fprintf(stderr, "%ld message%s expired, older than the retention (%ld s)\n", n, n == 1 ? "" : "s",
		q->opt.v[PQ_RETENTION]);
	pq_status_touch(q);
}

/* The sweep's delete past the cursor: at once, or while the log is full
 * in the steps its room takes (README "A full disk"), a step that finds
 * none leaving those after *SWEPT_UPTO to the next sweep. How many in
 * *N; 0, or -1 with errno. */
static int expire_past_cursor(struct queue *q, uint64_t cutoff_ms, uint64_t *swept_upto, long *n)
{
	*swept_upto = q->store.committed_id;
	if (q->full)
		return pq_store_expire_in_steps(&q->store, q->cursor, swept_upto, cutoff_ms, n);
	if ((*n = pq_store_expire(&q->store, q->cursor, *swept_upto, cutoff_ms)) >= 0)
		return 0;
	*n = 0;
	*swept_upto = q->cursor;
	return -1;
}

/* Messages older than the retention that were never delivered since the
 * queue started, or wait for a retry; one out with the consumer is
 * looked at when it comes back. */
static void sweep(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct queue *q = w->data;
	uint64_t keep_ms = (uint64_t)q->opt.v[PQ_RETENTION] * 1000, now = pq_now_ms();
	struct sweeping waiting = { .q = q };
	long n;

	if (q->store.in_tx || now < keep_ms) {
		ev_timer_set(w, 1., 0.);	/* between turns, please */
		ev_timer_start(loop, w);
		return;
	}
	if (expire_past_cursor(q, now - keep_ms, &waiting.swept_upto, &n) < 0 &&
	    !pq_room_lost(q, errno, q->store.msg)) {
		pq_status_expired(q, n);	/* what steps before took is gone */
		pq_fatal(q, "cannot update its log: %s", q->store.msg);
		return;
	}
	if (n > 0)
		q->holes_upto = q->store.committed_id;	/* fresh ids the sweep took */
	if (pq_delayed_take_older(&q->delayed, now - keep_ms, drop_waiting, &waiting) > 0) {
		if (waiting.failed) {
			pq_fatal(q, "out of memory");
			return;
		}
		n += waiting.n;
		q->kick = true;	/* the delay timer may wait for what is gone */
	}
	pq_status_expired(q, n);
	if (!ev_is_active(w))
		sweep_arm(q);
}

void pq_status_init(struct queue *q)
{
	ev_timer_init(&q->status_timer, status_due, 0., 0.);
	q->status_timer.data = q;
	ev_timer_init(&q->sweep_timer, sweep, 0., 0.);
	q->sweep_timer.data = q;
	/* the first sweep at once: a queue that was down may hold old ones */
	ev_timer_start(q->loop, &q->sweep_timer);
}

void pq_status_fini(struct queue *q)
{
	ev_timer_stop(q->loop, &q->status_timer);
	ev_timer_stop(q->loop, &q->sweep_timer);
}
