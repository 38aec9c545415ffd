/* libprospero's queue calls: producing to a prospero-queue through a
 * binding, and consuming from one as the actor its CONSUMER binding names
 * (README.md, "Queues"). Built on prospero_call and prospero_handle; the
 * bodies are the binary ones README.md documents. Returns as prospero.h. */
#ifndef PROSPERO_QUEUE_H
#define PROSPERO_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "prospero.h"

#ifdef __cplusplus
extern "C" {
#endif

/* --- producing --- */

/* Send one message (LEN bytes) to the queue behind binding B. CB runs once:
 * PROSPERO_OK once the message is committed to the queue's disk (its id
 * from prospero_queue_sent), else an error: bad_request (too large, say),
 * unavailable (the queue could not commit), timeout or peer_restarted
 * (committed or not: send it again; the consumer may then see it twice). */
int prospero_queue_send(struct prospero_binding *b, const void *body, size_t len, double timeout,
			prospero_reply_fn *cb, void *arg);
/* N messages (1 to 1000) in one call, all committed or none; their ids
 * run on from the first. */
int prospero_queue_send_batch(struct prospero_binding *b, const struct iovec *msgs, size_t n, double timeout,
			      prospero_reply_fn *cb, void *arg);
/* One message without an answer: not durable. It is lost if the queue
 * stops before its next commit, and a refusal goes unheard. */
int prospero_queue_cast(struct prospero_binding *b, const void *body, size_t len);
/* From a send's reply BODY (LEN bytes): the first id and how many (1 to
 * 1000). -1 with errno EBADMSG, *FIRST_ID and *COUNT left alone, if it is
 * not such a reply. */
int prospero_queue_sent(const void *body, size_t len, uint64_t *first_id, unsigned *count);

/* --- consuming --- */

struct prospero_queue_message {
	uint64_t id;		/* the queue's, never reused: the key to be idempotent by */
	unsigned attempt;	/* 1 on its first delivery */
	uint64_t enqueued_ms;	/* when the queue committed it, ms since the epoch */
	const void *body;	/* valid during the callback only */
	size_t len;
};

struct prospero_queue_batch;
struct prospero_queue_consumer;

/* A batch of N messages. Answer each with prospero_queue_ack or
 * prospero_queue_retry; the answer goes when the callback returns, unless
 * it keeps the batch (prospero_queue_keep) to finish later with
 * prospero_queue_done. A message left unanswered is retried. */
typedef void prospero_queue_fn(struct prospero_queue_batch *batch, const struct prospero_queue_message *msgs,
			       size_t n, void *arg);

/* Handle the queue's deliveries on P's served edges with FN. Free the
 * consumer after prospero_close(P). */
struct prospero_queue_consumer *prospero_queue_consume(struct prospero *p, prospero_queue_fn *fn, void *arg);
void prospero_queue_consumer_free(struct prospero_queue_consumer *c);

/* Message I of the batch is done with / should come again, after at least
 * DELAY_MS (0: the queue's retry_delay alone). -1 with errno: EINVAL for an
 * I out of range, EALREADY for a message answered already. */
int prospero_queue_ack(struct prospero_queue_batch *batch, size_t i);
int prospero_queue_retry(struct prospero_queue_batch *batch, size_t i, unsigned delay_ms);
/* Ack every message not answered yet. */
int prospero_queue_ack_all(struct prospero_queue_batch *batch);
/* Keep the batch past the callback (the messages' bodies do not stay). */
struct prospero_queue_batch *prospero_queue_keep(struct prospero_queue_batch *batch);
/* Send the answer of a kept batch, and free it. prospero_close does so
 * for a batch still kept: its acks count, what it left is retried. */
int prospero_queue_done(struct prospero_queue_batch *batch);

#ifdef __cplusplus
}
#endif

#endif
