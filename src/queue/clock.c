/* The queue's clocks: see clock.h. */
#include "src/queue/clock.h"

void pq_clock_start(struct pq_clock *c, struct pq_now now, uint64_t upto_id)
{
	*c = (struct pq_clock){ .n = 1, .start_mono = now.mono, .earlier_upto = upto_id };
	c->e[0] = (struct pq_epoch){ .first_id = 0, .off = (int64_t)(now.wall - now.mono) };
}

void pq_clock_stamp(struct pq_clock *c, struct pq_now now, uint64_t next_id)
{
	int64_t off = (int64_t)(now.wall - now.mono), d;

	/* ids a rolled-back commit gave back are given again, now */
	while (c->n > 2 && c->e[c->n - 2].first_id >= next_id)
		c->n--;
	if (c->n > 1 && c->e[c->n - 1].first_id > next_id)
		c->e[c->n - 1].first_id = next_id;
	d = off - c->e[c->n - 1].off;
	if (d >= -PQ_STEP_MS && d <= PQ_STEP_MS)
		return;
	if (c->n == PQ_EPOCHS) {
		/* the oldest of this run merge, with the larger offset: its
		 * messages then count as committed earlier, never later */
		if (c->e[2].off > c->e[1].off)
			c->e[1].off = c->e[2].off;
		for (unsigned i = 2; i + 1 < c->n; i++)
			c->e[i] = c->e[i + 1];
		c->n--;
	}
	c->e[c->n++] = (struct pq_epoch){ .first_id = next_id, .off = off };
}

void pq_clock_forget(struct pq_clock *c, uint64_t upto)
{
	unsigned gone = 0;

	/* e[i] (i >= 1) serves ids up to e[i + 1].first_id - 1 */
	while (1 + gone + 1 < c->n && c->e[1 + gone + 1].first_id <= upto + 1)
		gone++;
	if (!gone)
		return;
	for (unsigned i = 1; i + gone < c->n; i++)
		c->e[i] = c->e[i + gone];
	c->n -= gone;
}

uint64_t pq_clock_committed(const struct pq_clock *c, uint64_t id, uint64_t wall_ms, struct pq_now now)
{
	unsigned i = c->n - 1;
	uint64_t latest = now.mono, earliest = now.mono - 2ull * PQ_WAIT_MAX;
	int64_t mono;

	while (i > 0 && (c->e[i].first_id > id || id <= c->earlier_upto))
		i--;
	if (id <= c->earlier_upto && c->start_mono < latest)
		latest = c->start_mono;
	mono = (int64_t)wall_ms - c->e[i].off;
	if (mono < (int64_t)earliest)
		return earliest;	/* long ago: a day is as good as a year */
	return (uint64_t)mono > latest ? latest : (uint64_t)mono;
}

uint64_t pq_clock_restore(struct pq_now now, uint64_t not_before_ms, uint64_t wait_ms)
{
	/* a due time counts from the ms after the answer (delivery.c) */
	uint64_t most = (wait_ms && wait_ms < PQ_WAIT_MAX ? wait_ms : PQ_WAIT_MAX) + 1;
	uint64_t left = not_before_ms > now.wall ? not_before_ms - now.wall : 0;

	return now.mono + (left < most ? left : most);
}
