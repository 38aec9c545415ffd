/* A supervisor node: OTP strategies as one sequential operation at a time.
 *
 * An operation marks children to_stop and/or to_start, then steps: stop the
 * marked ones one by one in reverse order, waiting for each to be down, then
 * start the marked ones in order, waiting for each to be ready. Exits that
 * arrive while an operation runs are queued and handled after it, as OTP's
 * supervisor handles EXIT messages only between operations; an exit of a
 * child the operation was about to stop anyway is absorbed, as OTP's
 * shutdown/2 flushes it. */

#include "supervisor/backoff.h"
#include "supervisor/tree_internal.h"

static void step(struct sv_tree *t, struct sv_node *s, int64_t now);

static bool needs_restart(const struct sv_node *c, const struct sv_exit *e)
{
	switch (c->restart) {
	case SV_PERMANENT: return true;
	case SV_TRANSIENT: return !sv_exit_is_normal(e);
	case SV_TEMPORARY: return false;
	}
	return false;
}

static void pend_push(struct sv_node *s, struct sv_node *c, const struct sv_exit *e)
{
	unsigned i, kept = 0;

	c->pending_exit = *e;
	if (c->pending)
		return;
	/* An entry of c still queued is stale: an operation voided that exit.
	 * Drop it, so c's new exit takes its place in arrival order and the
	 * queue never holds more than one entry per child. */
	for (i = 0; i < s->pendq_len; i++) {
		unsigned idx = s->pendq[(s->pendq_head + i) % s->nchildren];
		if (idx != c->index)
			s->pendq[(s->pendq_head + kept++) % s->nchildren] = idx;
	}
	s->pendq_len = kept;
	c->pending = true;
	s->pendq[(s->pendq_head + s->pendq_len) % s->nchildren] = c->index;
	s->pendq_len++;
}

static struct sv_node *pend_pop(struct sv_node *s)
{
	while (s->pendq_len > 0) {
		struct sv_node *c = s->children[s->pendq[s->pendq_head]];
		s->pendq_head = (s->pendq_head + 1) % s->nchildren;
		s->pendq_len--;
		if (c->pending)	/* cleared if an operation restarted it meanwhile */
			return c;
	}
	return NULL;
}

/* x is to start again: now, or when a backoff delay is over (due). */
static void plan_start(struct sv_node *x, int64_t due)
{
	x->held = x->op_start = false;
	x->to_start = false;
	if (!due)
		sv_mark_to_start(x);
	x->waiting = due != 0;
	x->due = due;
}

/* One child's part in a one_for_all / rest_for_one restart. Temporary
 * children are terminated and not restarted, as in OTP. A child the
 * operator stopped is started again with the others, as OTP's
 * restart_multiple_children starts every child it terminated. */
static void plan_restart(struct sv_node *x, const struct sv_node *failed, int64_t due)
{
	if (x->state != SV_DOWN)
		sv_mark_to_stop(x);
	if (x->restart == SV_TEMPORARY && x != failed)
		x->removed = true;
	else if (!x->removed)
		plan_start(x, due);
	x->pending = x->op_start = false;
}

static void apply_strategy(struct sv_node *s, struct sv_node *c, int64_t due)
{
	unsigned i, from = 0;

	switch (s->strategy) {
	case SV_ONE_FOR_ONE:
		plan_start(c, due);
		c->pending = false;
		break;
	case SV_REST_FOR_ONE:
		from = c->index;
		/* fall through */
	case SV_ONE_FOR_ALL:
		for (i = from; i < s->nchildren; i++)
			plan_restart(s->children[i], c, due);
		break;
	}
	s->stop_why = SV_WHY_SIBLING;
	s->stop_cause = c;
	s->phase = SV_PHASE_STOPPING;
}

static void give_up(struct sv_tree *t, struct sv_node *s, struct sv_node *c,
		    const struct sv_exit *e, int64_t now)
{
	static const struct sv_exit gave_up = { .kind = SV_EXIT_GAVE_UP };

	sv_emit_report(t, SV_REPORT_GIVE_UP, s, e, 0, c);
	sv_sup_stop(t, s, SV_WHY_GIVE_UP, s, &gave_up, now);
}

/* A restart is due for c: count it, then restart per strategy, after c's
 * backoff delay if it has one, or give up. */
static void restart(struct sv_tree *t, struct sv_node *s, struct sv_node *c,
		    const struct sv_exit *e, int64_t now)
{
	long delay;

	if (sv_intensity_add(&s->intensity, now)) {
		give_up(t, s, c, e, now);
		return;
	}
	delay = c->delay_ms = sv_backoff_next(&c->backoff, c->delay_ms, c->ran_ms);
	c->restarts++;
	sv_emit_report(t, SV_REPORT_RESTART, c, e, 0, NULL)->ms = delay;
	apply_strategy(s, c, delay ? now + delay : 0);
	/* a group restart may end other waits; with no delay and no timer
	 * (no child waits while it is off) there is nothing to look for, and
	 * looking costs a pass over every child */
	if (delay || s->timer_armed)
		sv_backoff_arm(t, s, now);
}

/* c ended on its own while s was idle. */
static void child_exited(struct sv_tree *t, struct sv_node *s, struct sv_node *c,
			 const struct sv_exit *e, int64_t now)
{
	if (!needs_restart(c, e)) {
		if (c->restart == SV_TEMPORARY)
			c->removed = true;
		return;
	}
	restart(t, s, c, e, now);
}

/* c died before it was ready. At boot that fails the supervisor (OTP: init
 * fails); during a restart it is one more restart attempt; a temporary
 * child (a reload's) is never restarted, and stays down as after any end. */
static void start_failed(struct sv_tree *t, struct sv_node *s, struct sv_node *c,
			 const struct sv_exit *e, int64_t now)
{
	static const struct sv_exit failed = { .kind = SV_EXIT_START_FAILED };

	if (s->booting) {
		sv_sup_stop(t, s, SV_WHY_START_FAILED, c, &failed, now);
		return;
	}
	if (c->restart == SV_TEMPORARY) {
		c->removed = true;
		return;
	}
	restart(t, s, c, e, now);
}

static unsigned less_tail(const struct sv_node *s, unsigned tail)
{
	return s->nchildren - (tail < s->nchildren ? tail : s->nchildren);
}

static struct sv_node *last_to_stop(struct sv_node *s)
{
	unsigned i = less_tail(s, s->stop_clear_tail);

	while (i > s->stop_clear_head && !s->children[i - 1]->to_stop)
		i--;
	if (i <= s->stop_clear_head) {
		s->stop_clear_head = s->stop_clear_tail = s->nchildren;
		return NULL;
	}
	s->stop_clear_tail = s->nchildren - i;
	return s->children[i - 1];
}

/* The next child to start, or the one being started: an operator's start
 * may mark a child before it, and children start one at a time. */
static struct sv_node *first_to_start(struct sv_node *s)
{
	unsigned i = s->start_from, end = less_tail(s, s->start_clear_tail);

	if (s->started_plus1 && s->started_plus1 <= s->nchildren) {
		struct sv_node *c = s->children[s->started_plus1 - 1];
		if (c->to_start && c->state == SV_STARTING)
			return c;
	}
	while (i < end && !s->children[i]->to_start)
		i++;
	if (i >= end) {
		s->start_from = s->start_clear_tail = s->nchildren;
		return NULL;
	}
	s->start_from = i;
	return s->children[i];
}

/* Advance s's operation until it must wait for a child. */
static void step_once(struct sv_tree *t, struct sv_node *s, int64_t now)
{
	struct sv_node *c;

	for (;;) {
		switch (s->phase) {
		case SV_PHASE_STOPPING:
			c = last_to_stop(s);
			if (c) {
				if (c->state == SV_DOWN) {
					c->to_stop = false;
					continue;
				}
				if (c->state != SV_STOPPING)
					sv_node_stop(t, c, c->own_why ? c->why : s->stop_why,
						     c->own_why ? NULL : s->stop_cause, now);
				c->own_why = false;
				return;
			}
			if (s->reshape)		/* what leaves is down */
				sv_reshape(t, s, now);
			if (s->exit_after_stop) {
				s->phase = SV_PHASE_IDLE;
				s->exit_after_stop = false;
				s->state = SV_DOWN;
				sv_node_down(t, s, &s->exit_reason, now);
				return;
			}
			s->phase = SV_PHASE_STARTING;
			continue;
		case SV_PHASE_STARTING:
			c = first_to_start(s);
			/* a stop or a reshape asked for meanwhile goes first,
			 * unless it must wait for the one child being started */
			if ((last_to_stop(s) || s->reshape) &&
			    (!c || c->state != SV_STARTING || c->to_stop)) {
				s->phase = SV_PHASE_STOPPING;
				continue;
			}
			if (c && c->state == SV_DOWN && c->awaits)
				return;		/* its namesake has yet to leave */
			if (c) {
				if (c->state == SV_DOWN) {
					s->started_plus1 = c->index + 1;
					sv_node_start(t, c, now);
				} else if (c->state == SV_UP) {
					c->to_start = false;
					continue;
				}
				return;
			}
			s->phase = SV_PHASE_IDLE;
			if (s->state == SV_STARTING) {
				s->state = SV_UP;
				s->booting = false;
				sv_emit_report(t, SV_REPORT_READY, s, NULL, 0, NULL);
				sv_node_up(t, s, now);
			}
			continue;
		case SV_PHASE_IDLE:
			if (s->state != SV_UP)
				return;
			c = pend_pop(s);
			if (!c)
				return;
			c->pending = false;
			child_exited(t, s, c, &c->pending_exit, now);
			continue;
		}
	}
}

/* Children can go down synchronously while s steps (a supervisor with
 * nothing running stops at once), which re-enters step for s: note it and
 * loop instead of recursing. */
static void step(struct sv_tree *t, struct sv_node *s, int64_t now)
{
	if (s->stepping) {
		s->restep = true;
		return;
	}
	s->stepping = true;
	do {
		s->restep = false;
		step_once(t, s, now);
	} while (s->restep);
	s->stepping = false;
}

void sv_sup_start(struct sv_tree *t, struct sv_node *s, int64_t now)
{
	/* a fresh incarnation: OTP starts a new supervisor process from its spec */
	s->state = SV_STARTING;
	s->booting = true;
	s->exit_after_stop = false;
	s->pendq_len = 0;
	sv_intensity_reset(&s->intensity);
	for (unsigned i = 0; i < s->nchildren; i++) {
		struct sv_node *c = s->children[i];
		c->removed = c->pending = c->to_stop = c->held = c->op_start = c->own_why = false;
		c->waiting = false;
		c->delay_ms = 0;	/* its backoff starts over with the supervisor */
		sv_mark_to_start(c);
	}
	s->phase = SV_PHASE_STARTING;
	step(t, s, now);
}

void sv_sup_stop(struct sv_tree *t, struct sv_node *s, enum sv_stop_why why,
		 const struct sv_node *cause, const struct sv_exit *reason, int64_t now)
{
	if (s->state == SV_DOWN || s->state == SV_STOPPING)
		return;	/* already down, or on its way down */
	s->state = SV_STOPPING;
	s->exit_after_stop = true;
	s->exit_reason = *reason;
	s->stop_why = why;
	s->stop_cause = cause;
	s->pendq_len = 0;
	for (unsigned i = 0; i < s->nchildren; i++) {
		struct sv_node *c = s->children[i];
		c->to_start = c->pending = c->op_start = c->own_why = c->to_stop = false;
		if (c->state != SV_DOWN)
			sv_mark_to_stop(c);
	}
	sv_backoff_cancel(t, s);
	s->phase = SV_PHASE_STOPPING;
	step(t, s, now);
}

void sv_sup_child_up(struct sv_tree *t, struct sv_node *s, struct sv_node *c, int64_t now)
{
	c->op_start = false;	/* started: from now on an ordinary child */
	if (!c->to_start || s->phase != SV_PHASE_STARTING)
		return;
	c->to_start = false;
	step(t, s, now);
}

void sv_sup_child_down(struct sv_tree *t, struct sv_node *s, struct sv_node *c,
		       const struct sv_exit *e, int64_t now)
{
	if (c->to_stop) {
		/* being stopped, or about to be: expected */
		c->to_stop = false;
	} else if (c->to_start && s->phase == SV_PHASE_STARTING && c->op_start) {
		sv_hold(c);	/* OTP's restart_child: an error, and it stays down */
	} else if (c->to_start && s->phase == SV_PHASE_STARTING) {
		c->to_start = false;
		start_failed(t, s, c, e, now);
	} else if (s->phase != SV_PHASE_IDLE || s->stepping) {
		pend_push(s, c, e);
	} else if (s->state == SV_UP) {
		child_exited(t, s, c, e, now);
	}
	step(t, s, now);
}

/* Marks were added to s's children from outside an operation step (an
 * operator action): carry them out, stops first. */
void sv_sup_kick(struct sv_tree *t, struct sv_node *s, int64_t now)
{
	if (s->phase == SV_PHASE_IDLE)
		s->phase = SV_PHASE_STOPPING;
	step(t, s, now);
}
