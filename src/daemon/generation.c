/* Generations; see generation.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/daemon/bindings.h"
#include "src/daemon/fault_calls.h"
#include "src/proto/fds.h"
#include "src/daemon/generation.h"

struct generation *generation_new(const struct cfg *cfg, bool owns_cfg, const struct fault_plan *faults)
{
	struct generation *g = calloc(1, sizeof *g);
	size_t n = cfg->nactors ? cfg->nactors : 1;

	if (!g)
		return NULL;
	g->filters = calloc(n, sizeof *g->filters);
	g->built = calloc(n, sizeof *g->built);
	g->nserved = calloc(n, sizeof *g->nserved);
	if (!g->filters || !g->built || !g->nserved) {
		free(g->filters);
		free(g->built);
		free(g->nserved);
		free(g);
		errno = ENOMEM;
		return NULL;
	}
	cfg_count_served(cfg, g->nserved);
	g->cfg = cfg;
	g->owns_cfg = owns_cfg;
	g->faults = faults;
	g->refs = 1;
	return g;
}

struct generation *generation_ref(struct generation *g)
{
	g->refs++;
	return g;
}

void generation_unref(struct generation *g)
{
	if (!g || --g->refs > 0)
		return;
	for (size_t i = 0; i < g->cfg->nactors; i++)
		if (g->built[i] == FILTER_OWN)
			sb_filter_free(&g->filters[i]);
	cfg_policy_memo_free(&g->policies);
	free(g->filters);
	free(g->built);
	free(g->nserved);
	if (g->owns_cfg)
		cfg_free((struct cfg *)g->cfg);
	free(g);
}

/* Compiled once per spec rather than in every child: building a filter
 * costs more than loading it. Actors with the same policy inputs and the
 * same fds to guard share one program; under a fault plan, whose routed
 * calls differ from actor to actor, each has its own. */
const struct sb_filter *generation_filter(struct generation *g, const struct cfg_actor *a,
					  bool *ok, char *msg, size_t len)
{
	struct sb_filter *f = &g->filters[a->id];
	/* a shutdown() there would break the edge for every later
	 * incarnation: the daemon holds the same socket */
	unsigned guard = PP_FD_CONTROL + 1 + (unsigned)(a->nbindings + g->nserved[a->id]);
	const struct cfg_actor *twin;
	struct sb_policy pol;
	char why[512];
	int rc, saved;

	*ok = true;
	if (g->built[a->id] == FILTER_NONE && !g->faults && (twin = cfg_policy_memo_find(&g->policies, a, guard))) {
		*f = g->filters[twin->id];
		g->built[a->id] = FILTER_SHARED;
	}
	if (g->built[a->id] == FILTER_NONE) {
		if (cfg_actor_policy(a, &pol, why, sizeof why) < 0) {
			saved = errno;
			snprintf(msg, len, "%s: seccomp policy: %s", a->name, why);
			goto fail;
		}
		sb_policy_guard_fds(&pol, guard);
		/* a fault plan's system calls go to the listener */
		if (g->faults && fault_calls_route(g->faults, a, &pol) < 0) {
			saved = errno;
			sb_policy_free(&pol);
			snprintf(msg, len, "%s: cannot route the fault plan's calls: %s", a->name, strerror(saved));
			goto fail;
		}
		rc = sb_filter_build(&pol, f);
		saved = errno;
		free((void *)pol.routed);
		sb_policy_free(&pol);
		if (rc < 0) {
			snprintf(msg, len, "%s: cannot build the seccomp filter: %s", a->name, strerror(saved));
			goto fail;
		}
		g->built[a->id] = FILTER_OWN;
		if (!g->faults)
			(void)cfg_policy_memo_add(&g->policies, a, guard);	/* a miss only costs time */
	}
	return f->prog.len ? f : NULL;
fail:
	*ok = false;
	errno = saved;
	return NULL;
}
