/* The bodies of prospero-queue's methods (README "Queues"): pure encode
 * and decode, little-endian, no allocation. A body is checked whole
 * before anything in it is used; a cursor then walks it.
 *
 *   send         the message itself
 *   send_batch   u32 n (1..PQ_BATCH_MAX), then n × (u32 len, len bytes)
 *   their reply  u64 id of the first message, u32 n: the ids run on
 *   deliver      u32 n, then n × (u64 id, u64 enqueued_ms, u32 attempt,
 *                u32 len, len bytes)
 *   its reply    u32 n, then n × (u64 id, u32 verdict, u32 delay_ms) */
#ifndef PROSPERO_PROTO_QUEUE_H
#define PROSPERO_PROTO_QUEUE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* The queue serves these, and calls its consumer's deliver. */
#define PQ_SEND "send"
#define PQ_SEND_BATCH "send_batch"
#define PQ_DELIVER "deliver"

#define PQ_BATCH_MAX 1000u	/* messages in one send_batch */
#define PQ_COUNT_LEN 4u		/* the u32 n that starts a batch or an answer */
#define PQ_ITEM_HEAD 4u		/* a send_batch message's u32 len */
#define PQ_SENT_LEN 12u
#define PQ_MSG_HEAD 24u		/* a delivered message's fields before its bytes */
#define PQ_VERDICT_LEN 16u

enum pq_verdict_kind { PQ_ACK = 0, PQ_RETRY = 1 };

/* A delivered message. */
struct pq_msg {
	uint64_t id;
	uint64_t enqueued_ms;	/* when it was committed, ms since the epoch */
	uint32_t attempt;	/* 1 for its first delivery */
	const void *body;
	size_t len;
};

/* The consumer's answer for one message. */
struct pq_verdict {
	uint64_t id;
	uint32_t verdict;	/* enum pq_verdict_kind */
	uint32_t delay_ms;	/* PQ_RETRY: the least wait before the next attempt */
};

/* Walks a body that was checked whole. */
struct pq_cursor {
	const uint8_t *at, *end;
	uint32_t left;		/* items not yet read */
};

/* send_batch: the bytes N messages take (SIZE_MAX if that overflows), and
 * their encoding into BUF, which has that many. */
size_t pq_batch_size(const struct iovec *msgs, size_t n);
void pq_batch_encode(void *buf, const struct iovec *msgs, size_t n);
/* One message of a send_batch body at BUF, which has PQ_ITEM_HEAD + LEN
 * bytes; the count goes first (pq_count_encode). */
void pq_batch_put(uint8_t *buf, const void *msg, size_t len);
/* Check a send_batch body whole; *C at its first message. -1 with *WHY
 * naming the broken rule. */
int pq_batch_check(const void *body, size_t len, struct pq_cursor *c, const char **why);
void pq_batch_next(struct pq_cursor *c, const void **msg, size_t *len);

/* The reply to send and send_batch. */
void pq_sent_encode(uint8_t *buf, uint64_t first, uint32_t n);
/* -1 (errno EBADMSG) unless BODY is one. */
int pq_sent_decode(const void *body, size_t len, uint64_t *first, uint32_t *n);

/* deliver: a count at the start, each message after it. */
void pq_count_encode(uint8_t *buf, uint32_t n);
static inline size_t pq_msg_size(size_t len)
{
	return PQ_MSG_HEAD + len;
}
void pq_msg_encode(uint8_t *buf, const struct pq_msg *m);
int pq_deliver_check(const void *body, size_t len, struct pq_cursor *c, const char **why);
void pq_deliver_next(struct pq_cursor *c, struct pq_msg *m);

/* The consumer's answer: PQ_COUNT_LEN + n × PQ_VERDICT_LEN bytes. */
static inline size_t pq_answer_size(size_t n)
{
	return PQ_COUNT_LEN + n * PQ_VERDICT_LEN;
}
void pq_answer_encode(uint8_t *buf, const struct pq_verdict *v, size_t n);
/* Checks the length and every verdict's kind; not the ids, which only
 * the queue knows. */
int pq_answer_check(const void *body, size_t len, struct pq_cursor *c, const char **why);
void pq_answer_next(struct pq_cursor *c, struct pq_verdict *v);

#endif
