/* Messages waiting to be delivered again: a binary min-heap by the time
 * they may go (then by id, so equal times keep the queue's order). Pure:
 * times are whatever the caller says. */
#ifndef PROSPERO_QUEUE_DELAYED_H
#define PROSPERO_QUEUE_DELAYED_H

#include <stddef.h>
#include <stdint.h>

/* A message the queue holds outside its log's order. */
struct pq_item {
	uint64_t id;
	uint64_t enqueued_ms;
	uint32_t failed;	/* attempts that failed so far */
};

struct pq_wait {
	uint64_t due_ms;
	struct pq_item item;
};

struct pq_delayed {
	struct pq_wait *w;
	size_t n, cap;
};

void pq_delayed_fini(struct pq_delayed *d);
/* 0, or -1 with errno ENOMEM. */
int pq_delayed_push(struct pq_delayed *d, uint64_t due_ms, const struct pq_item *item);
/* The first to be due, or NULL when empty. */
const struct pq_wait *pq_delayed_top(const struct pq_delayed *d);
/* Take the first to be due, if it is due at NOW_MS: 1 taken, 0 not. */
int pq_delayed_pop_due(struct pq_delayed *d, uint64_t now_ms, struct pq_item *out);
/* How many are due at NOW_MS, counting up to LIMIT. */
size_t pq_delayed_count_due(const struct pq_delayed *d, uint64_t now_ms, size_t limit);
/* The earliest enqueued_ms of them all: 0 when empty. */
uint64_t pq_delayed_oldest(const struct pq_delayed *d);
/* Take out every message enqueued before BEFORE_MS, passing each to FN:
 * how many. */
size_t pq_delayed_take_older(struct pq_delayed *d, uint64_t before_ms,
			     void (*fn)(const struct pq_item *item, void *arg), void *arg);

#endif
