/* Messages that had their retries go to the dead-letter queue, by a
 * send_batch call on the binding DEAD_LETTER, and leave this queue's log
 * only once that queue has committed them; without one they are dropped,
 * each with a line that says so. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/proto/error.h"
#include "src/proto/frame.h"
#include "src/proto/plural.h"
#include "src/proto/queue.h"
#include "src/queue/grow.h"
#include "src/queue/queue.h"

/* A refused hand-over is tried again after this, doubling up to the max. */
#define DEAD_BACKOFF_FIRST 1.0
#define DEAD_BACKOFF_MAX 60.0
/* A hand-over waits this long for its answer. A dead-letter queue
 * answers once it has committed; one that is down reads the call when it
 * is back. A shorter wait would send the same messages again while the
 * first call still waits in its socket, and it would store both (as it
 * does when that queue ends with the call out: peer_restarted fails it,
 * read or not). */
#define HAND_OVER_TIMEOUT 86400.0	/* s */

static void drop(struct queue *q, const struct pq_item *it, const char *why)
{
	if (pq_store_forget(&q->store, it->id) < 0) {
		pq_fatal(q, "out of memory");
		return;
	}
	q->count.dropped++;
	fprintf(stderr, "message %llu dropped after %u %s: %s\n", (unsigned long long)it->id, it->failed,
		plural(it->failed, "attempt", "attempts"), why);
}

void pq_dead_add(struct queue *q, const struct pq_item *it)
{
	if (!q->dlq) {
		drop(q, it, "no dead_letter_queue");
		return;
	}
	if (pq_grow(&q->dead, &q->capdead, q->ndead, sizeof *q->dead, 64) < 0) {
		pq_fatal(q, "out of memory");
		return;
	}
	q->dead[q->ndead++] = *it;
}

/* The first N dead letters are done with. */
static void shift(struct queue *q, size_t n)
{
	memmove(q->dead, q->dead + n, (q->ndead - n) * sizeof *q->dead);
	q->ndead -= n;
}

static int add_body(const struct pq_row *r, void *arg)
{
	struct queue *q = arg;

	if (q->outlen + PQ_ITEM_HEAD + r->len > PF_MAX_BODY)
		return 1;
	if (pq_out_reserve(q, PQ_ITEM_HEAD + r->len) < 0) {
		pq_fatal(q, "out of memory");
		return 1;
	}
	pq_batch_put(q->out + q->outlen, r->body, r->len);
	q->outlen += PQ_ITEM_HEAD + r->len;
	return 0;
}

/* A send_batch body of the first dead letters in q->out: how many it
 * holds. Those no longer in the log (expired) are left out. */
static size_t build(struct queue *q)
{
	size_t n = 0, i = 0;

	if (pq_out_begin(q) < 0) {
		pq_fatal(q, "out of memory");
		return 0;
	}
	while (i < q->ndead && n < PQ_BATCH_MAX) {
		size_t had = q->outlen;
		int r = pq_store_fetch(&q->store, q->dead[i].id, add_body, q);

		if (r < 0)
			pq_fatal(q, "cannot read its log: %s", q->store.msg);
		if (q->exit_code)
			return 0;
		if (r == 1 && q->outlen == had && n > 0)
			break;	/* the body is full */
		if (r == 1)
			q->dead[n++] = q->dead[i];
		i++;
	}
	/* entries read past were gone from the log: close the gap */
	memmove(q->dead + n, q->dead + i, (q->ndead - i) * sizeof *q->dead);
	q->ndead -= i - n;
	pq_count_encode(q->out, (uint32_t)n);
	return n;
}

static void on_handed(int err, const void *body, size_t len, void *arg)
{
	struct queue *q = arg;
	size_t n = q->dead_sending;
	char text[PQ_PEER_TEXT * 4 + 1];

	q->dead_sending = 0;
	q->kick = true;
	pq_status_touch(q);
	if (q->closing)
		return;
	if (err == PROSPERO_E_BAD_REQUEST) {
		/* it will never take these (too large for it, say) */
		for (size_t i = 0; i < n; i++)
			drop(q, &q->dead[i], "the dead-letter queue refused them");
		shift(q, n);
		return;
	}
	if (err != PROSPERO_OK) {
		fprintf(stderr, "the dead-letter queue did not take %zu %s (%s: %s): again in %.0f s\n", n,
			plural(n, "message", "messages"), pf_error_name(err), pq_peer_text(text, body, len),
			q->dead_backoff);
		ev_timer_set(&q->dead_again, q->dead_backoff, 0.);
		ev_timer_start(q->loop, &q->dead_again);
		q->dead_backoff = q->dead_backoff * 2 > DEAD_BACKOFF_MAX ? DEAD_BACKOFF_MAX : q->dead_backoff * 2;
		return;
	}
	q->dead_backoff = DEAD_BACKOFF_FIRST;
	for (size_t i = 0; i < n; i++) {
		if (pq_store_forget(&q->store, q->dead[i].id) < 0) {
			pq_fatal(q, "out of memory");
			return;
		}
		q->count.dead_lettered++;
		fprintf(stderr, "message %llu moved to the dead-letter queue after %u %s\n",
			(unsigned long long)q->dead[i].id, q->dead[i].failed,
			plural(q->dead[i].failed, "attempt", "attempts"));
	}
	shift(q, n);
}

void pq_dead_flush(struct queue *q)
{
	size_t n;

	if (!q->dlq || q->ndead == 0 || q->dead_sending || ev_is_active(&q->dead_again) || q->stopping)
		return;
	if ((n = build(q)) == 0)
		return;
	if (prospero_call(q->dlq, PQ_SEND_BATCH, q->out, q->outlen, HAND_OVER_TIMEOUT, on_handed, q) < 0) {
		if (errno != EAGAIN)
			fprintf(stderr, "cannot call the dead-letter queue: %s\n", strerror(errno));
		return;
	}
	q->dead_sending = n;
}

static void again(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct queue *q = w->data;

	q->kick = true;
}

static void writable(struct prospero_binding *b, void *arg)
{
	struct queue *q = arg;

	q->kick = true;
}

void pq_dead_init(struct queue *q)
{
	q->dead_backoff = DEAD_BACKOFF_FIRST;
	ev_timer_init(&q->dead_again, again, 0., 0.);
	q->dead_again.data = q;
	if (q->dlq)
		prospero_on_writable(q->dlq, writable, q);
}

void pq_dead_fini(struct queue *q)
{
	ev_timer_stop(q->loop, &q->dead_again);
	free(q->dead);
	q->dead = NULL;
	q->ndead = q->capdead = 0;
}
