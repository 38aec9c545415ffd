/* Producing to and consuming from prospero-queue, on the public call and
 * serve API; the bodies are src/proto/queue.h's. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "src/libprospero/prospero_queue.h"
#include "src/libprospero/serve.h"
#include "src/proto/frame.h"
#include "src/proto/queue.h"

int prospero_queue_send(struct prospero_binding *b, const void *body, size_t len, double timeout,
			prospero_reply_fn *cb, void *arg)
{
	return prospero_call(b, PQ_SEND, body, len, timeout, cb, arg);
}

int prospero_queue_send_batch(struct prospero_binding *b, const struct iovec *msgs, size_t n, double timeout,
			      prospero_reply_fn *cb, void *arg)
{
	size_t len;
	void *buf;
	int r, e;

	if (!b || n == 0 || !msgs) {
		errno = EINVAL;
		return -1;
	}
	if (n > PQ_BATCH_MAX || (len = pq_batch_size(msgs, n)) > PF_MAX_BODY) {
		errno = EMSGSIZE;
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!msgs[i].iov_base && msgs[i].iov_len) {
			errno = EINVAL;	/* no body at the length given */
			return -1;
		}
	if (!(buf = malloc(len)))
		return -1;
	pq_batch_encode(buf, msgs, n);
	r = prospero_call(b, PQ_SEND_BATCH, buf, len, timeout, cb, arg);
	e = errno;
	free(buf);
	errno = e;
	return r;
}

int prospero_queue_cast(struct prospero_binding *b, const void *body, size_t len)
{
	return prospero_cast(b, PQ_SEND, body, len);
}

int prospero_queue_sent(const void *body, size_t len, uint64_t *first_id, unsigned *count)
{
	uint64_t first;
	uint32_t n;

	/* NULL of length 0 is an empty body: no reply, not a missing one */
	if (!body && len) {
		errno = EINVAL;
		return -1;
	}
	if (pq_sent_decode(body, len, &first, &n) < 0)
		return -1;
	if (n == 0 || n > PQ_BATCH_MAX) {
		errno = EBADMSG;	/* a send commits 1 to 1000, or fails */
		return -1;
	}
	if (first_id)
		*first_id = first;
	if (count)
		*count = n;
	return 0;
}

/* --- consuming --- */

struct prospero_queue_consumer {
	prospero_queue_fn *fn;
	void *arg;
};

struct prospero_queue_batch {
	struct prospero_request *req;
	bool kept, answered;
	bool in_callback;	/* the handler frees it when the callback returns */
	size_t n;
	struct pq_verdict *v;
	bool *done;		/* message i has its verdict */
	struct prospero_queue_message msgs[];
};

static void batch_free(struct prospero_queue_batch *b)
{
	free(b->v);
	free(b);
}

/* The messages of a checked deliver body, each unanswered. */
static struct prospero_queue_batch *batch_new(struct pq_cursor *c)
{
	size_t n = c->left;
	struct prospero_queue_batch *b = calloc(1, sizeof *b + n * sizeof *b->msgs);

	if (!b)
		return NULL;
	b->v = calloc(n ? n : 1, sizeof *b->v + sizeof *b->done);
	if (!b->v) {
		free(b);
		return NULL;
	}
	b->done = (bool *)(b->v + n);
	b->n = n;
	for (size_t i = 0; i < n; i++) {
		struct pq_msg m;

		pq_deliver_next(c, &m);
		b->msgs[i] = (struct prospero_queue_message){
			.id = m.id, .attempt = m.attempt, .enqueued_ms = m.enqueued_ms, .body = m.body, .len = m.len,
		};
		b->v[i].id = m.id;
	}
	return b;
}

/* The answer: a verdict for each message answered; those left out the
 * queue retries. */
static int answer(struct prospero_queue_batch *b)
{
	size_t k = 0;
	uint8_t *buf;
	int r, e;

	for (size_t i = 0; i < b->n; i++)
		if (b->done[i])
			b->v[k++] = b->v[i];
	if (!(buf = malloc(pq_answer_size(k))))
		return prospero_fail(b->req, PROSPERO_E_INTERNAL, "out of memory");
	pq_answer_encode(buf, b->v, k);
	r = prospero_reply(b->req, buf, pq_answer_size(k));
	e = errno;
	free(buf);
	errno = e;
	return r;
}

static void on_deliver(struct prospero_request *req, const void *body, size_t len, void *arg)
{
	struct prospero_queue_consumer *c = arg;
	struct prospero_queue_batch *b;
	struct pq_cursor cur;
	const char *why;

	if (!req)
		return;		/* a cast: a queue calls */
	if (pq_deliver_check(body, len, &cur, &why) < 0) {
		prospero_fail(req, PROSPERO_E_BAD_REQUEST, why);
		return;
	}
	if (!(b = batch_new(&cur))) {
		prospero_fail(req, PROSPERO_E_INTERNAL, "out of memory");
		return;
	}
	b->req = req;
	b->in_callback = true;
	c->fn(b, b->msgs, b->n, c->arg);
	b->in_callback = false;
	if (b->kept && !b->answered)
		return;		/* prospero_queue_done answers and frees it */
	if (!b->answered)
		answer(b);
	batch_free(b);
}

struct prospero_queue_consumer *prospero_queue_consume(struct prospero *p, prospero_queue_fn *fn, void *arg)
{
	struct prospero_queue_consumer *c;

	if (!p || !fn) {
		errno = EINVAL;
		return NULL;
	}
	if (!(c = malloc(sizeof *c)))
		return NULL;
	*c = (struct prospero_queue_consumer){ .fn = fn, .arg = arg };
	if (prospero_handle(p, PQ_DELIVER, on_deliver, c) < 0) {
		free(c);
		return NULL;
	}
	return c;
}

void prospero_queue_consumer_free(struct prospero_queue_consumer *c)
{
	free(c);
}

static int verdict(struct prospero_queue_batch *b, size_t i, uint32_t kind, unsigned delay_ms)
{
	if (!b || b->answered || i >= b->n) {
		errno = EINVAL;
		return -1;
	}
	if (b->done[i]) {
		errno = EALREADY;
		return -1;
	}
	b->done[i] = true;
	b->v[i].verdict = kind;
	b->v[i].delay_ms = delay_ms;
	return 0;
}

int prospero_queue_ack(struct prospero_queue_batch *b, size_t i)
{
	return verdict(b, i, PQ_ACK, 0);
}

int prospero_queue_retry(struct prospero_queue_batch *b, size_t i, unsigned delay_ms)
{
	return verdict(b, i, PQ_RETRY, delay_ms);
}

int prospero_queue_ack_all(struct prospero_queue_batch *b)
{
	if (!b || b->answered) {
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < b->n; i++)
		if (!b->done[i])
			verdict(b, i, PQ_ACK, 0);
	return 0;
}

static void done_at_close(void *arg)
{
	prospero_queue_done(arg);
}

struct prospero_queue_batch *prospero_queue_keep(struct prospero_queue_batch *b)
{
	struct prospero_request *held;

	if (!b || b->kept || b->answered) {
		errno = EINVAL;
		return NULL;
	}
	if (!(held = prospero_defer(b->req)))
		return NULL;
	b->req = held;
	b->kept = true;
	/* its acks are work done: the close sends them, not unavailable */
	pr_request_at_close(held, done_at_close, b);
	return b;
}

int prospero_queue_done(struct prospero_queue_batch *b)
{
	int r;

	if (!b || b->answered) {
		errno = EINVAL;
		return -1;
	}
	r = answer(b);
	b->answered = true;
	if (b->kept && !b->in_callback) {
		int e = errno;

		batch_free(b);
		errno = e;
	}
	return r;
}
