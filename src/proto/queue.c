/* prospero-queue's bodies. Every length is checked against what is left
 * before it is used, so no peer's count or size can make a reader run
 * past the body. */
#include <errno.h>
#include <string.h>

#include "src/proto/le.h"
#include "src/proto/queue.h"

size_t pq_batch_size(const struct iovec *msgs, size_t n)
{
	size_t total = PQ_COUNT_LEN;

	for (size_t i = 0; i < n; i++) {
		if (msgs[i].iov_len > UINT32_MAX || msgs[i].iov_len > SIZE_MAX - PQ_ITEM_HEAD - total)
			return SIZE_MAX;
		total += PQ_ITEM_HEAD + msgs[i].iov_len;
	}
	return total;
}

void pq_count_encode(uint8_t *buf, uint32_t n)
{
	pp_put_le(buf, n, 4);
}

void pq_batch_put(uint8_t *buf, const void *msg, size_t len)
{
	pp_put_le(buf, len, 4);
	if (len)
		memcpy(buf + PQ_ITEM_HEAD, msg, len);
}

void pq_batch_encode(void *buf, const struct iovec *msgs, size_t n)
{
	uint8_t *p = buf;

	pq_count_encode(p, (uint32_t)n);
	p += PQ_COUNT_LEN;
	for (size_t i = 0; i < n; i++) {
		pq_batch_put(p, msgs[i].iov_base, msgs[i].iov_len);
		p += PQ_ITEM_HEAD + msgs[i].iov_len;
	}
}

/* The count at the start of BODY into *C, the rest after it. */
static int open_cursor(const void *body, size_t len, struct pq_cursor *c, const char **why)
{
	if (len < PQ_COUNT_LEN) {
		*why = "shorter than its count";
		return -1;
	}
	c->at = (const uint8_t *)body + PQ_COUNT_LEN;
	c->end = (const uint8_t *)body + len;
	c->left = pp_get32(body);
	return 0;
}

/* Walk N items whose fixed part is HEAD bytes with a u32 length at
 * LEN_AT in it (or no length: LEN_AT < 0): does the body hold exactly
 * them? */
static int walk(const struct pq_cursor *c, size_t head, int len_at, const char **why)
{
	const uint8_t *p = c->at;

	for (uint32_t i = 0; i < c->left; i++) {
		size_t rest = (size_t)(c->end - p), n;

		if (rest < head) {
			*why = "truncated: fewer messages than its count";
			return -1;
		}
		n = len_at < 0 ? 0 : pp_get32(p + len_at);
		if (rest - head < n) {
			*why = "truncated: a message longer than what is left";
			return -1;
		}
		p += head + n;
	}
	if (p != c->end) {
		*why = "bytes after the last message";
		return -1;
	}
	return 0;
}

int pq_batch_check(const void *body, size_t len, struct pq_cursor *c, const char **why)
{
	if (open_cursor(body, len, c, why) < 0)
		return -1;
	if (c->left == 0) {
		*why = "an empty batch";
		return -1;
	}
	if (c->left > PQ_BATCH_MAX) {
		*why = "more messages than a batch may hold (1000)";
		return -1;
	}
	return walk(c, PQ_ITEM_HEAD, 0, why);
}

void pq_batch_next(struct pq_cursor *c, const void **msg, size_t *len)
{
	*len = pp_get32(c->at);
	*msg = c->at + PQ_ITEM_HEAD;
	c->at += PQ_ITEM_HEAD + *len;
	c->left--;
}

void pq_sent_encode(uint8_t *buf, uint64_t first, uint32_t n)
{
	pp_put_le(buf, first, 8);
	pp_put_le(buf + 8, n, 4);
}

int pq_sent_decode(const void *body, size_t len, uint64_t *first, uint32_t *n)
{
	if (len != PQ_SENT_LEN) {
		errno = EBADMSG;
		return -1;
	}
	if (first)
		*first = pp_get64(body);
	if (n)
		*n = pp_get32((const uint8_t *)body + 8);
	return 0;
}

void pq_msg_encode(uint8_t *buf, const struct pq_msg *m)
{
	pp_put_le(buf, m->id, 8);
	pp_put_le(buf + 8, m->enqueued_ms, 8);
	pp_put_le(buf + 16, m->attempt, 4);
	pp_put_le(buf + 20, m->len, 4);
	if (m->len)
		memcpy(buf + PQ_MSG_HEAD, m->body, m->len);
}

int pq_deliver_check(const void *body, size_t len, struct pq_cursor *c, const char **why)
{
	if (open_cursor(body, len, c, why) < 0)
		return -1;
	return walk(c, PQ_MSG_HEAD, 20, why);
}

void pq_deliver_next(struct pq_cursor *c, struct pq_msg *m)
{
	m->id = pp_get64(c->at);
	m->enqueued_ms = pp_get64(c->at + 8);
	m->attempt = pp_get32(c->at + 16);
	m->len = pp_get32(c->at + 20);
	m->body = c->at + PQ_MSG_HEAD;
	c->at += PQ_MSG_HEAD + m->len;
	c->left--;
}

void pq_answer_encode(uint8_t *buf, const struct pq_verdict *v, size_t n)
{
	pq_count_encode(buf, (uint32_t)n);
	buf += PQ_COUNT_LEN;
	for (size_t i = 0; i < n; i++, buf += PQ_VERDICT_LEN) {
		pp_put_le(buf, v[i].id, 8);
		pp_put_le(buf + 8, v[i].verdict, 4);
		pp_put_le(buf + 12, v[i].delay_ms, 4);
	}
}

int pq_answer_check(const void *body, size_t len, struct pq_cursor *c, const char **why)
{
	if (open_cursor(body, len, c, why) < 0 || walk(c, PQ_VERDICT_LEN, -1, why) < 0)
		return -1;
	for (const uint8_t *p = c->at; p < c->end; p += PQ_VERDICT_LEN)
		if (pp_get32(p + 8) > PQ_RETRY) {
			*why = "a verdict neither ack (0) nor retry (1)";
			return -1;
		}
	return 0;
}

void pq_answer_next(struct pq_cursor *c, struct pq_verdict *v)
{
	v->id = pp_get64(c->at);
	v->verdict = pp_get32(c->at + 8);
	v->delay_ms = pp_get32(c->at + 12);
	c->at += PQ_VERDICT_LEN;
	c->left--;
}
