/* Restart backoff: the delay sequence, and the waiting children of a
 * supervisor released by its one timer. See backoff.h. */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include "supervisor/backoff.h"
#include "supervisor/tree_internal.h"

int sv_set_backoff(struct sv_node *n, const struct sv_backoff *b)
{
	if (b->initial_ms < 0 || b->max_ms < b->initial_ms || b->reset_after_ms < 0) {
		errno = EINVAL;
		return -1;
	}
	n->backoff = *b;
	return 0;
}

long sv_backoff_next(const struct sv_backoff *b, long last_ms, int64_t ran_ms)
{
	if (b->initial_ms <= 0)
		return 0;
	if (last_ms <= 0 || (ran_ms >= 0 && ran_ms >= b->reset_after_ms))
		return b->initial_ms;
	return last_ms > b->max_ms / 2 ? b->max_ms : last_ms * 2;
}

static int64_t add_sat(int64_t a, int64_t b)
{
	return b > INT64_MAX - a ? INT64_MAX : a + b;
}

#define LEVELS 64		/* initial << 63 overflows: no more delays than this */
#define MAX_STEPS (1u << 20)	/* past this many restarts, do not decide */

/* The least time from a first restart to the (intensity+1)-th, for a child
 * that crashes as fast as it can. Each restart waits the next delay; a
 * child that stays up reset_after_ms before it crashes brings the next
 * one back to initial_ms, which may be quicker. By dynamic programming
 * over the delay levels: v[j] is the least time of the remaining restarts
 * after a wait of level[j]. -1 if it cannot tell (too many restarts). */
static int64_t fastest_loop(const struct sv_backoff *b, unsigned intensity, long period_ms)
{
	long level[LEVELS];
	int64_t v[LEVELS] = { 0 }, w[LEVELS], best;
	unsigned n = 0;

	for (long d = b->initial_ms; n < LEVELS; d = sv_backoff_next(b, d, -1)) {
		level[n++] = d;
		if (d >= b->max_ms)
			break;
	}
	for (unsigned m = 1; m < intensity; m++) {
		if (m >= MAX_STEPS)
			return -1;
		best = INT64_MAX;
		for (unsigned j = 0; j < n; j++) {
			unsigned up = j + 1 < n ? j + 1 : j;
			int64_t reset = add_sat(add_sat(b->reset_after_ms, level[0]), v[0]);
			w[j] = add_sat(level[up], v[up]);
			if (reset < w[j])
				w[j] = reset;
			if (w[j] < best)
				best = w[j];
		}
		for (unsigned j = 0; j < n; j++)
			v[j] = w[j];
		if (m >= LEVELS && add_sat(best, level[0]) > period_ms)
			break;	/* it only grows from here; the figure is exact below LEVELS */
	}
	return add_sat(level[0], v[0]);
}

bool sv_backoff_outruns(const struct sv_backoff *b, unsigned intensity, long period_ms, unsigned copies,
			char *why, size_t len)
{
	char pool[64] = "";
	uint64_t rounds;
	int64_t least;

	if (b->initial_ms <= 0 || intensity == 0 || copies == 0)
		return false;
	/* copies that fail at once are restarted at once, each after its own
	 * delay: intensity+1 restarts are this many rounds, a delay apart */
	rounds = ((uint64_t)intensity + copies) / copies;
	if (rounds < 2)
		return false;
	least = fastest_loop(b, (unsigned)(rounds - 1), period_ms);
	if (least <= period_ms)
		return false;
	if (copies > 1)
		snprintf(pool, sizeof pool, ", its %u instances failing at once", copies);
	snprintf(why, len, "%u restarts take at least %lld ms with this backoff (%ld ms doubling to "
		 "%ld ms, reset after %ld ms up)%s, more than the %ld ms period: intensity %u is never "
		 "exceeded, so the supervisor never gives up on a crash loop",
		 intensity + 1, (long long)least, b->initial_ms, b->max_ms, b->reset_after_ms, pool,
		 period_ms, intensity);
	return true;
}

static void disarm(struct sv_tree *t, struct sv_node *s)
{
	if (!s->timer_armed)
		return;
	sv_emit(t, SV_DO_TIMER, s)->ms = -1;
	s->timer_armed = false;
}

/* Arm s's timer for the earliest waiting child, or disarm it. */
void sv_backoff_arm(struct sv_tree *t, struct sv_node *s, int64_t now)
{
	int64_t due = INT64_MAX;
	struct sv_action *a;

	for (unsigned i = 0; i < s->nchildren; i++)
		if (s->children[i]->waiting && s->children[i]->due < due)
			due = s->children[i]->due;
	if (due == INT64_MAX) {
		disarm(t, s);
		return;
	}
	if (s->timer_armed && s->timer_due == due)
		return;
	a = sv_emit(t, SV_DO_TIMER, s);
	a->ms = due > now ? (long)(due - now) : 0;
	s->timer_armed = true;
	s->timer_due = due;
}

void sv_backoff_cancel(struct sv_tree *t, struct sv_node *s)
{
	for (unsigned i = 0; i < s->nchildren; i++)
		s->children[i]->waiting = false;
	disarm(t, s);
}

/* s's timer fired: the children it was armed for may start. The process
 * layer's clock and ours may differ by a tick, so the armed due decides,
 * not now. */
void sv_backoff_timer(struct sv_tree *t, struct sv_node *s, int64_t now)
{
	bool released = false;

	if (!s->timer_armed)
		return;		/* a timer the process layer had already dropped */
	s->timer_armed = false;
	for (unsigned i = 0; i < s->nchildren; i++) {
		struct sv_node *c = s->children[i];
		if (c->waiting && c->due <= s->timer_due) {
			c->waiting = false;
			sv_mark_to_start(c);
			released = true;
		}
	}
	sv_backoff_arm(t, s, now);
	if (released)
		sv_sup_kick(t, s, now);
}
