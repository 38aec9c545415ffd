/* See supnode.h. */
#include <stdlib.h>

#include "src/daemon/context.h"
#include "src/daemon/supnode.h"

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct supnode *s = w->data;

	dispatch_node(s->d, SV_EV_TIMER, s->node, NULL);
}

int supnode_attach(struct daemon *d, struct sv_node *n)
{
	struct supnode *s = calloc(1, sizeof *s);

	if (!s)
		return -1;
	s->d = d;
	s->node = n;
	ev_timer_init(&s->timer, on_timer, 0., 0.);
	s->timer.data = s;
	n->user = s;
	return 0;
}

int supnode_attach_all(struct daemon *d)
{
	for (unsigned i = 0; i < d->tree->nnodes; i++) {
		struct sv_node *n = d->tree->nodes[i];

		if (n && n->kind == SV_NODE_SUPERVISOR && !n->user && supnode_attach(d, n) < 0)
			return -1;
	}
	return 0;
}

void supnode_release(struct daemon *d, struct sv_node *n)
{
	struct supnode *s = n->kind == SV_NODE_SUPERVISOR ? n->user : NULL;

	if (!s)
		return;
	ev_timer_stop(d->loop, &s->timer);
	free(s);
	n->user = NULL;
}

void supnode_free_all(struct daemon *d)
{
	if (!d->tree)
		return;
	for (unsigned i = 0; i < d->tree->nnodes; i++)
		if (d->tree->nodes[i])
			supnode_release(d, d->tree->nodes[i]);
}
