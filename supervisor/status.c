/* The read-only status walk. */

#include "supervisor/status.h"

static bool running(const struct sv_node *n)
{
	return n->state == SV_STARTING || n->state == SV_UP;
}

/* Down and meant to stay down by its own rules: a temporary child that
 * ended, a transient one that ended normally. */
static bool ended_for_good(const struct sv_node *n)
{
	if (n->state != SV_DOWN || n->to_start || n->waiting || n->pending)
		return false;
	return n->removed ||
	       (n->restart == SV_TRANSIENT && n->has_ended && sv_exit_is_normal(&n->last_exit));
}

/* Under a supervisor that should run, so should its children, though it
 * is down: one not reached yet at boot, or waiting out a backoff, starts
 * them when it starts. */
static bool should_run(const struct sv_node *n)
{
	/* one a reload restarts (its namesake awaits it) should run: only
	 * the stop is the reload's */
	if (n->held || (n->retiring && !n->successor) || ended_for_good(n))
		return false;
	/* a root the daemon stops need not run; one that gave up, or failed
	 * to start its children, is a failure, not a stop */
	if (!n->parent)
		return running(n) || n->stop_why != SV_WHY_SHUTDOWN;
	return should_run(n->parent);
}

static void fill(struct sv_status *st, const struct sv_node *n, unsigned depth, int64_t now)
{
	*st = (struct sv_status){
		.node = n, .depth = depth, .state = n->state, .held = n->held,
		.backing_off = n->waiting && n->state == SV_DOWN,
		.backoff_until = n->waiting ? n->due : 0,
		.should_run = should_run(n), .up_since = n->up_since,
		.restarts = n->restarts, .last_exit = n->has_ended ? &n->last_exit : NULL,
	};
	if (n->kind != SV_NODE_SUPERVISOR)
		return;
	st->strategy = n->strategy;
	st->window_restarts = sv_intensity_count(&n->intensity, now);
	st->intensity = n->intensity.cap - 1;
	st->period_ms = n->intensity.period_ms;
}

void sv_status_walk(const struct sv_tree *t, const struct sv_node *from, int64_t now,
		    sv_status_fn *fn, void *arg)
{
	const struct sv_node *top = from ? from : t->root, *n = top;
	struct sv_status st;
	unsigned depth = 0;

	while (n) {
		fill(&st, n, depth, now);
		if (!fn(&st, arg))
			return;
		if (n->kind == SV_NODE_SUPERVISOR && n->nchildren > 0) {
			n = n->children[0];
			depth++;
			continue;
		}
		/* up to the first ancestor with a next sibling, but not above top */
		while (n != top && n->index + 1 >= n->parent->nchildren) {
			n = n->parent;
			depth--;
		}
		n = n == top ? NULL : n->parent->children[n->index + 1];
	}
}

static bool count(const struct sv_status *st, void *arg)
{
	struct sv_summary *sum = arg;

	/* actor instances only, as actors and actors_up count: a supervisor
	 * not up is seen in the nodes and in the exit status */
	if (st->node->kind == SV_NODE_ACTOR) {
		sum->actors++;
		sum->actors_up += st->state == SV_UP;
		sum->not_running += st->should_run && st->state != SV_UP;
	}
	return true;
}

void sv_status_summary(const struct sv_tree *t, struct sv_summary *sum)
{
	*sum = (struct sv_summary){ 0 };
	sv_status_walk(t, NULL, 0, count, sum);
}
