/* Open files: how many the daemon holds for a tree against the limit it
 * may raise itself to. Pure arithmetic on the loaded tree, for `check`
 * and `run` alike. */
#include <errno.h>

#include "src/config/config.h"
#include "src/config/diag.h"

/* What an instance keeps open while it runs: its output pipe (both ends:
 * each run is handed the same one), its control channel, its pidfd, its
 * cgroup if it has one, and its seccomp listener under a profile. */
static size_t per_instance(const struct cfg_actor *a, bool cgroups)
{
	return 2 + 1 + 1 + (cgroups ? 1u : 0u) + (a->profile != SB_PROFILE_NONE ? 1u : 0u);
}

static size_t held(const struct cfg_supervisor *s, bool cgroups)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nchildren; i++) {
		const struct cfg_child *c = &s->children[i];

		if (c->kind == CFG_CHILD_SUPERVISOR) {
			n += held(c->u.sup, cgroups);
			continue;
		}
		/* each binding of each instance: a socketpair, both ends */
		n += c->u.actor->instances * (per_instance(c->u.actor, cgroups) + 2 * c->u.actor->nbindings);
	}
	return n;
}

size_t cfg_count_served(const struct cfg *cfg, size_t *nserved)
{
	size_t nedges = 0;

	for (size_t i = 0; i < cfg->nactors; i++) {
		const struct cfg_actor *a = cfg->actors[i];

		if (a->order == CFG_NOT_IN_TREE)
			continue;	/* never runs: no edges */
		nedges += (size_t)a->instances * a->nbindings;
		for (size_t j = 0; j < a->nbindings; j++)
			if (a->bindings[j].service)	/* NULL only in a tree with errors */
				nserved[a->bindings[j].service->id] += a->instances;
	}
	return nedges;
}

size_t cfg_daemon_fds(const struct cfg *cfg, bool cgroups)
{
	return CFG_DAEMON_BASE_FDS + (cfg->root ? held(cfg->root, cgroups) : 0);
}

int cfg_check_fd_limit(const struct cfg *cfg, bool cgroups, unsigned long long limit, bool error,
		       struct cfg_diag *diag)
{
	size_t need = cfg_daemon_fds(cfg, cgroups);

	if (need <= limit)
		return 0;
	if (cfg_diag_add(diag, error, &cfg->root->pos,
			 "the tree needs about %zu open files in the daemon (about 6 an actor instance, "
			 "2 a binding), but the hard limit here is %llu: raise it (LimitNOFILE= under "
			 "systemd, ulimit -Hn as root) or run fewer instances",
			 need, limit) == 0)
		errno = EMFILE;
	return -1;
}
