/* The producers' side: send and send_batch add to the turn's transaction
 * and wait; the turn's end commits once and answers them all, so
 * producers calling at the same time share one sync. A cast of either is
 * committed the same way, but nobody hears of it: if the queue dies
 * before that commit, or the message is refused, it is gone. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/proto/plural.h"
#include "src/proto/queue.h"
#include "src/queue/grow.h"
#include "src/queue/queue.h"

static int add_waiter(struct queue *q, struct prospero_request *req, uint64_t first, uint32_t n)
{
	struct prospero_request *held;

	if (pq_grow(&q->waiters, &q->capwaiters, q->nwaiters, sizeof *q->waiters, 64) < 0)
		return -1;
	if (!(held = prospero_defer(req)))
		return -1;
	q->waiters[q->nwaiters++] = (struct pq_waiter){ .req = held, .first = first, .n = n };
	return 0;
}

/* Refuse a producer's call (a cast has nobody to tell). */
__attribute__((format(printf, 3, 4)))
static void refuse(struct prospero_request *req, int code, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	if (!req)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	prospero_fail(req, code, why);
}

static bool too_large(struct queue *q, struct prospero_request *req, size_t len, const char *which)
{
	size_t max = (size_t)q->opt.v[PQ_MAX_MESSAGE_SIZE];

	if (len <= max)
		return false;
	refuse(req, PROSPERO_E_BAD_REQUEST, "%smessage of %zu bytes is over max_message_size (%zu bytes)", which, len,
	       max);
	return true;
}

/* Added N messages from FIRST on for REQ: wait for the commit. */
static void added(struct queue *q, struct prospero_request *req, uint64_t first, uint32_t n)
{
	if (req && add_waiter(q, req, first, n) < 0)
		refuse(req, PROSPERO_E_UNAVAILABLE, "out of memory");
}

static void store_failed(struct queue *q, struct prospero_request *req)
{
	refuse(req, PROSPERO_E_UNAVAILABLE, "could not store it: %s", q->store.msg);
}

/* While the log has no room (room.c), nothing is stored. */
static bool full(struct queue *q, struct prospero_request *req)
{
	if (q->full)
		refuse(req, PROSPERO_E_UNAVAILABLE, "could not commit: %s", q->full_why);
	return q->full;
}

static void on_send(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	struct queue *q = arg;
	struct pq_now now = pq_clocks();
	uint64_t id;

	if (too_large(q, req, len, "") || full(q, req))
		return;
	pq_clock_stamp(&q->clock, now, q->store.last_id + 1);
	if (pq_store_add(&q->store, body, len, now.wall, &id) < 0) {
		store_failed(q, req);
		return;
	}
	added(q, req, id, 1);
}

static void on_send_batch(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	struct queue *q = arg;
	struct pq_cursor c, walk;
	const char *why;
	uint64_t first = 0, id;
	struct pq_now now = pq_clocks();
	uint32_t n;

	if (pq_batch_check(body, len, &c, &why) < 0) {
		refuse(req, PROSPERO_E_BAD_REQUEST, "malformed batch: %s", why);
		return;
	}
	n = c.left;
	/* all or nothing: every message is checked before any is stored */
	for (walk = c; walk.left;) {
		const void *m;
		size_t mlen;
		char which[48];

		snprintf(which, sizeof which, "batch: message %u of %u: ", n - walk.left + 1, n);
		pq_batch_next(&walk, &m, &mlen);
		if (too_large(q, req, mlen, which))
			return;
	}
	if (full(q, req))
		return;
	pq_clock_stamp(&q->clock, now, q->store.last_id + 1);
	while (c.left) {
		const void *m;
		size_t mlen;

		pq_batch_next(&c, &m, &mlen);
		if (pq_store_add(&q->store, m, mlen, now.wall, &id) < 0) {
			store_failed(q, req);
			return;
		}
		if (!first)
			first = id;
	}
	added(q, req, first, n);
}

int pq_intake_init(struct queue *q)
{
	if (prospero_handle(q->p, PQ_SEND, on_send, q) < 0 || prospero_handle(q->p, PQ_SEND_BATCH, on_send_batch, q) < 0)
		return -1;
	return 0;
}

void pq_intake_commit(struct queue *q)
{
	uint8_t sent[PQ_SENT_LEN];
	uint64_t had = q->store.committed_id;
	int r, e;

	if (!q->store.in_tx)
		return;
	r = pq_store_commit(&q->store);
	e = errno;
	if (r < 0)
		fprintf(stderr, "could not commit the messages of %zu %s: %s\n", q->nwaiters,
			plural(q->nwaiters, "call", "calls"), q->store.msg);
	for (size_t i = 0; i < q->nwaiters; i++) {
		struct pq_waiter *w = &q->waiters[i];

		if (r < 0) {
			refuse(w->req, PROSPERO_E_UNAVAILABLE, "could not commit: %s", q->store.msg);
			continue;
		}
		pq_sent_encode(sent, w->first, w->n);
		prospero_reply(w->req, sent, sizeof sent);
	}
	q->nwaiters = 0;
	if (r < 0)
		pq_room_lost(q, e, q->store.msg);	/* on any other error the next turn tries */
	if (q->store.committed_id != had) {
		q->count.received += q->store.committed_id - had;
		q->kick = true;
		pq_status_touch(q);
	}
}

void pq_intake_fini(struct queue *q)
{
	free(q->waiters);
	q->waiters = NULL;
	q->nwaiters = q->capwaiters = 0;
}
