/* The heap of delayed messages. */
#include <stdbool.h>
#include <stdlib.h>

#include "src/queue/delayed.h"
#include "src/queue/grow.h"

void pq_delayed_fini(struct pq_delayed *d)
{
	free(d->w);
	*d = (struct pq_delayed){ 0 };
}

static bool before(const struct pq_wait *a, const struct pq_wait *b)
{
	return a->due_ms < b->due_ms || (a->due_ms == b->due_ms && a->item.id < b->item.id);
}

static void swap(struct pq_wait *a, struct pq_wait *b)
{
	struct pq_wait t = *a;

	*a = *b;
	*b = t;
}

int pq_delayed_push(struct pq_delayed *d, uint64_t due_ms, const struct pq_item *item)
{
	size_t i;

	if (pq_grow(&d->w, &d->cap, d->n, sizeof *d->w, 64) < 0)
		return -1;
	i = d->n++;
	d->w[i] = (struct pq_wait){ .due_ms = due_ms, .item = *item };
	while (i > 0 && before(&d->w[i], &d->w[(i - 1) / 2])) {
		swap(&d->w[i], &d->w[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	return 0;
}

const struct pq_wait *pq_delayed_top(const struct pq_delayed *d)
{
	return d->n ? &d->w[0] : NULL;
}

static void sift_down(struct pq_delayed *d, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, least = i;

		if (l < d->n && before(&d->w[l], &d->w[least]))
			least = l;
		if (r < d->n && before(&d->w[r], &d->w[least]))
			least = r;
		if (least == i)
			return;
		swap(&d->w[i], &d->w[least]);
		i = least;
	}
}

int pq_delayed_pop_due(struct pq_delayed *d, uint64_t now_ms, struct pq_item *out)
{
	if (d->n == 0 || d->w[0].due_ms > now_ms)
		return 0;
	*out = d->w[0].item;
	d->w[0] = d->w[--d->n];
	sift_down(d, 0);
	return 1;
}

uint64_t pq_delayed_oldest(const struct pq_delayed *d)
{
	uint64_t oldest = d->n ? d->w[0].item.enqueued_ms : 0;

	for (size_t i = 1; i < d->n; i++)
		if (d->w[i].item.enqueued_ms < oldest)
			oldest = d->w[i].item.enqueued_ms;
	return oldest;
}

size_t pq_delayed_take_older(struct pq_delayed *d, uint64_t before_ms,
			     void (*fn)(const struct pq_item *item, void *arg), void *arg)
{
	size_t kept = 0, taken;

	for (size_t i = 0; i < d->n; i++)
		if (d->w[i].item.enqueued_ms < before_ms)
			fn(&d->w[i].item, arg);
		else
			d->w[kept++] = d->w[i];
	taken = d->n - kept;
	d->n = kept;
	/* a heap again, from the last parent up */
	for (size_t i = kept / 2; taken && i-- > 0;)
		sift_down(d, i);
	return taken;
}

/* Due entries in the subtree at I, added to *N up to LIMIT: a parent is
 * never due later than its children, so a subtree that is not due at its
 * root is not due at all. */
static void count_from(const struct pq_delayed *d, size_t i, uint64_t now_ms, size_t limit, size_t *n)
{
	if (i >= d->n || *n >= limit || d->w[i].due_ms > now_ms)
		return;
	++*n;
	count_from(d, 2 * i + 1, now_ms, limit, n);
	count_from(d, 2 * i + 2, now_ms, limit, n);
}

size_t pq_delayed_count_due(const struct pq_delayed *d, uint64_t now_ms, size_t limit)
{
	size_t n = 0;

	count_from(d, 0, now_ms, limit, &n);
	return n;
}
