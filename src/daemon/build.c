/* Building a tree from a config; see build.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/daemon/build.h"
#include "supervisor/backoff.h"

size_t build_count_instances(const struct cfg_supervisor *s)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nchildren; i++)
		n += s->children[i].kind == CFG_CHILD_ACTOR ? s->children[i].u.actor->instances
							     : build_count_instances(s->children[i].u.sup);
	return n;
}

static int add_instances(struct sv_tree *t, const struct cfg_actor *a, struct sv_node *parent,
			 build_actor_fn fn, void *ctx)
{
	for (unsigned k = 1; k <= a->instances; k++) {
		struct sv_node *n;
		char *name;

		if (a->instances > 1 ? asprintf(&name, "%s#%u", a->name, k) < 0 : !(name = strdup(a->name)))
			return -1;
		n = sv_add_actor(t, parent, name, a->restart, a->shutdown_ms, a->ready, a->start_timeout_ms);
		if (!n || sv_set_backoff(n, &a->backoff) < 0) {
			free(name);
			return -1;
		}
		if (fn(ctx, a, k, n, name) < 0)
			return -1;
	}
	return 0;
}

int build_tree(struct sv_tree *t, const struct cfg_supervisor *s, struct sv_node *parent,
	       build_actor_fn fn, void *ctx)
{
	struct sv_node *n = sv_add_supervisor(t, parent, s->name, s->strategy, s->intensity,
					      (long)s->period_s * 1000, s->restart);
	if (!n || sv_set_backoff(n, &s->backoff) < 0)
		return -1;
	for (size_t i = 0; i < s->nchildren; i++) {
		const struct cfg_child *c = &s->children[i];

		if ((c->kind == CFG_CHILD_SUPERVISOR ? build_tree(t, c->u.sup, n, fn, ctx)
						      : add_instances(t, c->u.actor, n, fn, ctx)) < 0)
			return -1;
	}
	return 0;
}
