/* The difference between the running tree and a new one (reload.h). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/reload.h"

enum { KEPT = 1, REPLACED = 2 };

struct matcher {
	struct sv_node **by_name;	/* the running tree's nodes, sorted by name */
	unsigned n;
	unsigned char *fate;		/* by running id: 0 goes, KEPT, or REPLACED */
	struct sv_plan *p;
};

static int by_name(const void *a, const void *b)
{
	return strcmp((*(struct sv_node *const *)a)->name, (*(struct sv_node *const *)b)->name);
}

/* The running child of os named like nc, if any. */
static struct sv_node *match(const struct matcher *m, const struct sv_node *os,
			     const struct sv_node *nc)
{
	struct sv_node key = { .name = nc->name }, *k = &key, **hit;

	hit = bsearch(&k, m->by_name, m->n, sizeof *m->by_name, by_name);
	return hit && (*hit)->parent == os ? *hit : NULL;
}

static int push(struct sv_plan *p, enum sv_plan_kind kind, struct sv_node *old, struct sv_node *new)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		struct sv_plan_item *items = realloc(p->items, cap * sizeof *items);
		if (!items)
			return -1;
		p->items = items;
		p->cap = cap;
	}
	p->items[p->n++] = (struct sv_plan_item){ kind, old, new };
	return 0;
}

static bool same_backoff(const struct sv_backoff *a, const struct sv_backoff *b)
{
	return a->initial_ms == b->initial_ms && a->max_ms == b->max_ms &&
	       a->reset_after_ms == b->reset_after_ms;
}

/* What a CHANGE carries over; see reload.c's take_settings(). */
static bool same_settings(const struct sv_node *o, const struct sv_node *n)
{
	if (o->restart != n->restart || o->shutdown_ms != n->shutdown_ms ||
	    !same_backoff(&o->backoff, &n->backoff))
		return false;
	if (o->kind == SV_NODE_ACTOR)
		return o->ready == n->ready && o->start_timeout_ms == n->start_timeout_ms;
	return o->strategy == n->strategy && o->intensity.cap == n->intensity.cap &&
	       o->intensity.period_ms == n->intensity.period_ms;
}

static bool replaced(const struct sv_node *oc, const struct sv_node *nc)
{
	return oc->kind != nc->kind || (nc->kind == SV_NODE_ACTOR && nc->changed);
}

/* Kept children in a new order are a change of their supervisor. */
static bool reordered(const struct matcher *m, const struct sv_node *os, const struct sv_node *ns)
{
	unsigned last = 0;
	bool any = false;

	for (unsigned i = 0; i < ns->nchildren; i++) {
		const struct sv_node *oc = match(m, os, ns->children[i]);
		if (!oc || replaced(oc, ns->children[i]))
			continue;
		if (any && oc->index < last)
			return true;
		last = oc->index;
		any = true;
	}
	return false;
}

/* os and ns match: their item, then their children's, depth first. */
static int visit(struct matcher *m, struct sv_node *os, struct sv_node *ns)
{
	/* only the roots may differ in name: a renamed root is not kept as it is */
	bool same = same_settings(os, ns) && !reordered(m, os, ns) && !strcmp(os->name, ns->name);

	if (push(m->p, same ? SV_PLAN_KEEP : SV_PLAN_CHANGE, os, ns) < 0)
		return -1;
	m->fate[os->id] = KEPT;
	for (unsigned i = 0; i < ns->nchildren; i++) {
		struct sv_node *nc = ns->children[i], *oc = match(m, os, nc);
		int r;

		if (!oc)
			r = push(m->p, SV_PLAN_ADD, NULL, nc);
		else if (replaced(oc, nc)) {
			r = push(m->p, SV_PLAN_RESTART, oc, nc);
			m->fate[oc->id] = REPLACED;
		} else if (nc->kind == SV_NODE_SUPERVISOR) {
			r = visit(m, oc, nc);
		} else {
			r = push(m->p, same_settings(oc, nc) ? SV_PLAN_KEEP : SV_PLAN_CHANGE, oc, nc);
			m->fate[oc->id] = KEPT;
		}
		if (r < 0)
			return -1;
	}
	return 0;
}

/* The running children of kept supervisors that no one matched, and
 * nothing below them: their subtrees go with them. */
static int removals(struct matcher *m, struct sv_node *os)
{
	for (unsigned i = 0; i < os->nchildren; i++) {
		struct sv_node *oc = os->children[i];

		if (!m->fate[oc->id]) {
			if (push(m->p, SV_PLAN_REMOVE, oc, NULL) < 0)
				return -1;
		} else if (m->fate[oc->id] == KEPT && oc->kind == SV_NODE_SUPERVISOR &&
			   removals(m, oc) < 0) {
			return -1;
		}
	}
	return 0;
}

int sv_reload_plan(const struct sv_tree *t, const struct sv_tree *nt, struct sv_plan *p)
{
	struct matcher m = { .p = p };
	int r = -1;

	p->n = 0;
	if (t->reshapes) {
		errno = EBUSY;	/* the tree is between two shapes */
		return -1;
	}
	m.by_name = malloc((t->nnodes ? t->nnodes : 1) * sizeof *m.by_name);
	m.fate = calloc(t->nnodes ? t->nnodes : 1, 1);
	if (!m.by_name || !m.fate)
		goto out;
	for (unsigned i = 0; i < t->nnodes; i++)
		if (t->nodes[i])
			m.by_name[m.n++] = t->nodes[i];
	qsort(m.by_name, m.n, sizeof *m.by_name, by_name);
	/* the roots match whatever their names */
	if (visit(&m, t->root, nt->root) < 0 || removals(&m, t->root) < 0)
		goto out;
	r = 0;
out:
	free(m.by_name);
	free(m.fate);
	return r;
}

void sv_plan_fini(struct sv_plan *p)
{
	free(p->items);
	*p = (struct sv_plan){ 0 };
}

const char *sv_plan_kind_name(enum sv_plan_kind k)
{
	static const char *const names[] = {
		[SV_PLAN_KEEP] = "keep",
		[SV_PLAN_CHANGE] = "change",
		[SV_PLAN_RESTART] = "restart",
		[SV_PLAN_ADD] = "add",
		[SV_PLAN_REMOVE] = "remove",
	};
	return (size_t)k < sizeof names / sizeof *names ? names[k] : "?";
}
