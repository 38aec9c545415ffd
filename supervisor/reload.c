/* Applying a reload (reload.h): everything is allocated by
 * sv_reload_prepare(); SV_EV_RELOAD then only marks, moves and steps.
 *
 * Each kept supervisor whose children change gets a reshape: its new
 * children array, in the new order, holding its kept children and the
 * adopted new nodes. It marks the children that go (retiring) to stop,
 * and when its stop phase ends, with all of them down, it retires them
 * and installs the new array (sv_reshape); its start phase then starts
 * what came. */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/backoff.h"
#include "supervisor/reload.h"
#include "supervisor/tree_internal.h"

struct sv_reshape {
	struct sv_node **children;	/* the new order */
	unsigned n;
	unsigned *pendq;		/* room for n */
};

struct sv_reload {
	struct sv_tree *nt;
	struct sv_plan_item *items;	/* the plan's, copied: the caller may free it */
	size_t n;
	struct sv_intensity *rings;	/* by item: a supervisor's new limit, if it changes */
};

static unsigned subtree_size(const struct sv_node *n)
{
	unsigned k = 1;

	for (unsigned i = 0; i < n->nchildren; i++)
		k += subtree_size(n->children[i]);
	return k;
}

static void free_reshape(struct sv_reshape *r)
{
	if (!r)
		return;
	free(r->children);
	free(r->pendq);
	free(r);
}

/* A kept supervisor's children in the new order: kept ones are the running
 * nodes (twins), the others the new tree's. NULL if nothing changes. */
static int plan_reshape(struct sv_node *os, const struct sv_node *ns)
{
	struct sv_reshape *r;
	bool same = os->nchildren == ns->nchildren;

	for (unsigned i = 0; same && i < ns->nchildren; i++)
		same = ns->children[i]->twin == os->children[i];
	if (same)
		return 0;
	r = calloc(1, sizeof *r);
	if (!r)
		return -1;
	r->n = ns->nchildren;
	r->children = calloc(r->n ? r->n : 1, sizeof *r->children);
	r->pendq = calloc(r->n ? r->n : 1, sizeof *r->pendq);
	if (!r->children || !r->pendq) {
		free_reshape(r);
		return -1;
	}
	for (unsigned i = 0; i < r->n; i++)
		r->children[i] = ns->children[i]->twin ? ns->children[i]->twin : ns->children[i];
	os->reshape = r;
	return 0;
}

/* Room the new subtree's supervisors need once they run in t. */
static int plan_adopt(struct sv_node *n)
{
	if (n->kind == SV_NODE_SUPERVISOR && !n->pendq) {
		n->pendq = calloc(n->nchildren ? n->nchildren : 1, sizeof *n->pendq);
		if (!n->pendq)
			return -1;
	}
	for (unsigned i = 0; i < n->nchildren; i++)
		if (plan_adopt(n->children[i]) < 0)
			return -1;
	return 0;
}

static int grow(struct sv_tree *t, unsigned adopted)
{
	unsigned need = t->nnodes + adopted;
	size_t acts = 8 * (size_t)need + 32;	/* as sv_tree_seal's bound */

	if (sv_tree_room(t, need) < 0)
		return -1;
	if (acts > t->cap_acts) {
		struct sv_action *a = realloc(t->acts, acts * sizeof *a);
		if (!a)
			return -1;
		t->acts = a;
		t->cap_acts = acts;
	}
	return 0;
}

/* Undo sv_reload_prepare(); the new tree's nodes only if it still exists. */
static void unprepare(struct sv_tree *t, struct sv_reload *r, bool nt_alive)
{
	for (size_t i = 0; i < r->n; i++) {
		struct sv_node *o = r->items[i].old, *n = r->items[i].new;
		if (o && o->kind == SV_NODE_SUPERVISOR) {
			free_reshape(o->reshape);
			o->reshape = NULL;
		}
		if (o)
			o->twin = NULL;
		if (n && nt_alive)
			n->twin = NULL;
		sv_intensity_fini(&r->rings[i]);
	}
	free(r->items);
	free(r->rings);
	free(r);
	t->reload = NULL;
}

static int prepare_item(struct sv_reload *r, size_t i, unsigned *adopted)
{
	const struct sv_plan_item *it = &r->items[i];
	const struct sv_node *n = it->new;

	switch (it->kind) {
	case SV_PLAN_ADD:
	case SV_PLAN_RESTART:
		*adopted += subtree_size(n);
		return plan_adopt(it->new);
	case SV_PLAN_CHANGE:
	case SV_PLAN_KEEP:
		if (n->kind != SV_NODE_SUPERVISOR)
			return 0;
		if (n->intensity.cap != it->old->intensity.cap &&
		    sv_intensity_init(&r->rings[i], n->intensity.cap - 1, n->intensity.period_ms) < 0)
			return -1;
		return plan_reshape(it->old, n);
	case SV_PLAN_REMOVE:
		return 0;
	}
	return 0;
}

int sv_reload_prepare(struct sv_tree *t, struct sv_tree *nt, const struct sv_plan *p)
{
	struct sv_reload *r;
	unsigned adopted = 0;

	if (t->reload || t->reshapes) {
		errno = EBUSY;
		return -1;
	}
	r = calloc(1, sizeof *r);
	if (!r)
		return -1;
	t->reload = r;
	r->nt = nt;
	r->items = malloc((p->n ? p->n : 1) * sizeof *r->items);
	r->rings = calloc(p->n ? p->n : 1, sizeof *r->rings);
	if (!r->items || !r->rings)
		goto fail;
	r->n = p->n;
	memcpy(r->items, p->items, p->n * sizeof *r->items);
	/* twins first: a reshape needs its children's */
	for (size_t i = 0; i < p->n; i++) {
		const struct sv_plan_item *it = &p->items[i];
		if (it->kind == SV_PLAN_KEEP || it->kind == SV_PLAN_CHANGE) {
			it->old->twin = it->new;
			it->new->twin = it->old;
		}
	}
	for (size_t i = 0; i < p->n; i++)
		if (prepare_item(r, i, &adopted) < 0)
			goto fail;
	if (grow(t, adopted) < 0)
		goto fail;
	return 0;
fail:
	unprepare(t, r, true);
	errno = ENOMEM;
	return -1;
}

/* --- applying --- */

/* Nothing is going to start o: it is down, or on its way down, for good
 * (an ended temporary or transient child, or a temporary one a group
 * restart stops). */
static bool down_for_good(const struct sv_node *o)
{
	return !o->to_start && !o->waiting && !o->pending && (o->state == SV_DOWN || o->to_stop);
}

/* ...and restart type r would have restarted it. */
static bool restarts_after(enum sv_restart r, const struct sv_node *o)
{
	if (r == SV_PERMANENT)
		return true;
	return r == SV_TRANSIENT && o->state == SV_DOWN && o->has_ended &&
	       !sv_exit_is_normal(&o->last_exit);
}

/* A node down for good by its old restart type that its new one would
 * have restarted starts: the new config is what should run. */
static void new_restart_type(struct sv_node *o, enum sv_restart r)
{
	bool up = o->parent && (o->parent->state == SV_UP || o->parent->state == SV_STARTING);

	o->restart = r;
	if (r != SV_TEMPORARY)
		o->removed = false;
	if (up && !o->held && down_for_good(o) && restarts_after(r, o))
		sv_mark_to_start(o);	/* after its stop, if it is stopping */
}

static void take_settings(struct sv_node *o, const struct sv_node *n, struct sv_intensity *ring)
{
	if (o->restart != n->restart)
		new_restart_type(o, n->restart);
	o->shutdown_ms = n->shutdown_ms;
	o->backoff = n->backoff;
	if (o->kind == SV_NODE_ACTOR) {
		o->ready = n->ready;		/* from its next start */
		o->start_timeout_ms = n->start_timeout_ms;
		return;
	}
	o->strategy = n->strategy;
	if (ring->stamps)
		sv_intensity_move(ring, &o->intensity);
	o->intensity.period_ms = n->intensity.period_ms;
}

/* o leaves: stopped if it runs, never restarted, retired once down. */
static void mark_leaving(struct sv_node *o)
{
	o->retiring = true;
	o->to_start = o->waiting = o->pending = o->op_start = false;
	if (o->state == SV_DOWN)
		return;
	sv_mark_to_stop(o);
	o->own_why = o->state != SV_STOPPING;
	o->why = SV_WHY_RELOAD;
}

/* n, from the new tree, takes o's place: it starts if o was running or
 * about to; it stays down if o was held, or had ended for good and n's
 * restart type would not restart it either. */
static void replace(struct sv_node *o, struct sv_node *n)
{
	bool gone = down_for_good(o);

	n->held = o->held;
	n->start_on_install = !o->held && (!gone || restarts_after(n->restart, o));
	if (gone && !n->start_on_install) {
		n->removed = o->removed && n->restart == SV_TEMPORARY;
		n->has_ended = o->has_ended;
		n->last_exit = o->last_exit;
	}
	mark_leaving(o);
}

/* n's subtree moves out of nt; each node that has a namesake still in t
 * (leaving) starts only once it has left. */
static void adopt(struct sv_tree *t, struct sv_tree *nt, struct sv_node *n)
{
	struct sv_node *namesake = sv_find(t, n->name);

	nt->nodes[n->id] = NULL;
	n->adopted = true;
	if (namesake) {
		n->awaits = namesake;
		namesake->successor = n;
	}
	for (unsigned i = 0; i < n->nchildren; i++)
		adopt(t, nt, n->children[i]);
}

static void apply_item(struct sv_tree *t, struct sv_reload *r, size_t i)
{
	const struct sv_plan_item *it = &r->items[i];

	switch (it->kind) {
	case SV_PLAN_KEEP:
		it->old->name = it->new->name;	/* the old config may go */
		break;
	case SV_PLAN_CHANGE:
		it->old->name = it->new->name;
		take_settings(it->old, it->new, &r->rings[i]);
		break;
	case SV_PLAN_RESTART:
		replace(it->old, it->new);
		adopt(t, r->nt, it->new);
		break;
	case SV_PLAN_ADD:
		it->new->start_on_install = true;
		adopt(t, r->nt, it->new);
		break;
	case SV_PLAN_REMOVE:
		mark_leaving(it->old);
		break;
	}
	if (it->old)
		it->old->twin = NULL;
	if (it->new)
		it->new->twin = NULL;
}

void sv_reload_apply(struct sv_tree *t, int64_t now)
{
	struct sv_reload *r = t->reload;
	struct sv_action *a;
	unsigned reshapes = 0;

	if (!r)
		return;
	t->reload = NULL;
	a = sv_emit_report(t, SV_REPORT_OPERATOR, t->root, NULL, 0, NULL);
	a->op = SV_OP_RELOAD;
	for (size_t i = 0; i < r->n; i++)
		apply_item(t, r, i);
	free(r->items);
	free(r->rings);		/* each one moved into its supervisor */
	free(r);
	/* count them all before any finishes, then set them going */
	for (unsigned i = 0; i < t->nnodes; i++)
		reshapes += t->nodes[i] && t->nodes[i]->reshape;
	t->reshapes = reshapes;
	for (unsigned i = 0; i < t->nnodes; i++) {
		struct sv_node *s = t->nodes[i];
		if (!s || s->kind != SV_NODE_SUPERVISOR)
			continue;
		sv_backoff_arm(t, s, now);	/* leaving children wait no more */
		if (s->reshape && s->state == SV_DOWN)
			sv_reshape(t, s, now);
		else if (s->state == SV_UP || s->state == SV_STARTING)
			sv_sup_kick(t, s, now);	/* a stopping one reshapes when down */
	}
	if (!reshapes)
		sv_emit_report(t, SV_REPORT_RELOADED, t->root, NULL, 0, NULL);
}

/* --- the new shape --- */

static void retire(struct sv_tree *t, struct sv_node *n, int64_t now)
{
	struct sv_node *next = n->successor;

	for (unsigned i = 0; i < n->nchildren; i++)
		retire(t, n->children[i], now);
	sv_emit(t, SV_DO_RETIRE, n);
	t->nodes[n->id] = NULL;
	n->dead_next = t->dead;
	t->dead = n;
	if (!next)
		return;
	next->awaits = NULL;
	if (!next->adopted && (next->parent->state == SV_UP || next->parent->state == SV_STARTING))
		sv_sup_kick(t, next->parent, now);	/* it may be waiting to start it */
}

static void install(struct sv_tree *t, struct sv_node *n)
{
	n->adopted = false;
	/* a freed node's id, so that reloads without end keep the table as
	 * large as the tree */
	n->id = t->nfree ? t->free_ids[--t->nfree] : t->nnodes++;
	t->nodes[n->id] = n;
	for (unsigned i = 0; i < n->nchildren; i++)
		install(t, n->children[i]);
}

/* s's leaving children are down: the new children array replaces the old
 * one, keeping the queued exits of those that stay. */
void sv_reshape(struct sv_tree *t, struct sv_node *s, int64_t now)
{
	struct sv_reshape *r = s->reshape;
	struct sv_node **old = s->children, *held_by = NULL;
	unsigned oldn = s->nchildren, k = 0;
	bool running = (s->state == SV_UP || s->state == SV_STARTING) && !s->exit_after_stop;

	s->reshape = NULL;
	/* the old ones go first: a namesake may take the place of one */
	for (unsigned i = 0; i < oldn; i++)
		if (old[i]->retiring)
			retire(t, old[i], now);
	s->children = r->children;
	s->nchildren = r->n;
	/* new places: the scan hints know nothing */
	s->start_from = s->start_clear_tail = s->stop_clear_head = s->stop_clear_tail = s->started_plus1 = 0;
	for (unsigned i = 0; i < r->n; i++) {
		struct sv_node *c = s->children[i];
		c->index = i;
		if (c->to_start && c->state == SV_STARTING)
			s->started_plus1 = i + 1;
		if (c->waiting && s->strategy != SV_ONE_FOR_ONE && !held_by)
			held_by = c;
		if (!c->adopted)
			continue;
		c->parent = s;
		install(t, c);
		/* a group restart waiting out a backoff starts in order when it
		 * is over: one that comes after a waiting child waits with it */
		if (c->start_on_install && running && held_by) {
			c->waiting = true;
			c->due = held_by->due;
		} else {
			c->to_start = c->start_on_install && running;
		}
	}
	for (unsigned i = 0; i < s->pendq_len; i++) {
		struct sv_node *c = old[s->pendq[(s->pendq_head + i) % oldn]];
		if (c->pending && !c->retiring)
			r->pendq[k++] = c->index;
	}
	free(s->pendq);
	s->pendq = r->pendq;
	s->pendq_head = 0;
	s->pendq_len = k;
	free(old);
	free(r);
	if (--t->reshapes == 0)
		sv_emit_report(t, SV_REPORT_RELOADED, t->root, NULL, 0, NULL);
}

/* Nodes retired by an earlier call: the process layer has seen them. */
void sv_free_dead(struct sv_tree *t)
{
	while (t->dead) {
		struct sv_node *n = t->dead;
		t->dead = n->dead_next;
		t->free_ids[t->nfree++] = n->id;	/* not before: it was readable */
		sv_node_free(n);
	}
}

/* A tree freed with a reload prepared or not yet installed everywhere. */
void sv_reload_free(struct sv_tree *t)
{
	if (t->reload)		/* its new tree may be gone already */
		unprepare(t, t->reload, false);
	for (unsigned i = 0; i < t->nnodes; i++) {
		struct sv_reshape *r = t->nodes[i] ? t->nodes[i]->reshape : NULL;
		if (!r)
			continue;
		for (unsigned j = 0; j < r->n; j++)
			if (r->children[j]->adopted)
				sv_subtree_free(r->children[j]);
		free_reshape(r);
	}
	sv_free_dead(t);
}
