/* Targets: the actor instances a kill, stall or syscall fault hits. Names
 * are unique across actors and supervisors, so one string can name an
 * actor (all its instances), one instance ("pool#2"), a supervisor (every
 * instance below it) or, as "*", the whole tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/config/didyoumean.h"
#include "src/config/faults_loader.h"

struct list {
	struct fault_instance *v;
	size_t n, cap;
};

const struct cfg_actor *fl_find_actor(const struct floader *fl, const char *name)
{
	for (size_t i = 0; i < fl->cfg->nactors; i++)
		if (strcmp(fl->cfg->actors[i]->name, name) == 0)
			return fl->cfg->actors[i];
	return NULL;
}

static const struct cfg_supervisor *find_sup(const struct floader *fl, const char *name)
{
	for (size_t i = 0; i < fl->cfg->nsups; i++)
		if (strcmp(fl->cfg->sups[i]->name, name) == 0)
			return fl->cfg->sups[i];
	return NULL;
}

void fl_unknown_name(struct floader *fl, const struct cfg_pos *p, const char *what, const char *name,
		     bool sups_too)
{
	size_t n = 0, cap = fl->cfg->nactors + (sups_too ? fl->cfg->nsups : 0);
	const char **names = malloc((cap ? cap : 1) * sizeof *names), *hint = NULL;

	if (names) {
		for (size_t i = 0; i < fl->cfg->nactors; i++)
			names[n++] = fl->cfg->actors[i]->name;
		for (size_t i = 0; sups_too && i < fl->cfg->nsups; i++)
			names[n++] = fl->cfg->sups[i]->name;
		hint = dym_closest(name, names, n, &fl->ld.oom);
	} else {
		fl->ld.oom = true;
	}
	if (hint)
		ld_error(&fl->ld, p, "%s: no %s \"%s\" (did you mean \"%s\"?)", what,
			 sups_too ? "actor or supervisor" : "actor", name, hint);
	else
		ld_error(&fl->ld, p, "%s: no %s \"%s\" in the configuration", what,
			 sups_too ? "actor or supervisor" : "actor", name);
	free(names);
}

/* Instances FIRST..LAST of A; false if memory ran out. */
static bool add(struct floader *fl, struct list *l, const struct cfg_actor *a, unsigned first, unsigned last)
{
	for (unsigned i = first; i <= last; i++) {
		if (!ld_push((void **)&l->v, &l->n, &l->cap, sizeof *l->v)) {
			fl->ld.oom = true;
			return false;
		}
		l->v[l->n++] = (struct fault_instance){ .actor = a->id, .order = a->order, .index = i };
	}
	return true;
}

static bool add_subtree(struct floader *fl, struct list *l, const struct cfg_supervisor *s)
{
	for (size_t i = 0; i < s->nchildren; i++) {
		const struct cfg_child *c = &s->children[i];

		if (c->kind == CFG_CHILD_SUPERVISOR ? !add_subtree(fl, l, c->u.sup)
						    : !add(fl, l, c->u.actor, 1, c->u.actor->instances))
			return false;
	}
	return true;
}

/* "NAME#I": the actor and the instance, or false once reported. */
static bool one_instance(struct floader *fl, struct list *l, const char *s, const char *hash,
			 const struct cfg_pos *p, const char *what)
{
	char base[CFG_MAX_NAME + 1], *end = NULL;
	const struct cfg_actor *a;
	unsigned long i;

	snprintf(base, sizeof base, "%.*s", (int)(hash - s), s);
	if (!(a = fl_find_actor(fl, base))) {
		fl_unknown_name(fl, p, what, base, false);
		return false;
	}
	i = hash[1] >= '1' && hash[1] <= '9' ? strtoul(hash + 1, &end, 10) : 0;
	if (a->instances == 1) {
		ld_error(&fl->ld, p, "%s: \"%s\": actor \"%s\" has one instance, named \"%s\"", what, s, base, base);
		return false;
	}
	if (i == 0 || *end || i > a->instances) {
		ld_error(&fl->ld, p, "%s: \"%s\": actor \"%s\" has instances \"%s#1\" to \"%s#%u\"", what, s,
			 base, base, base, a->instances);
		return false;
	}
	return add(fl, l, a, (unsigned)i, (unsigned)i);
}

static bool resolve(struct floader *fl, void *list, const char *s, const struct cfg_pos *p, const char *what)
{
	struct list *l = list;
	const char *hash = strchr(s, '#');
	const struct cfg_actor *a;
	const struct cfg_supervisor *sup;

	if (strcmp(s, "*") == 0)
		return add_subtree(fl, l, fl->cfg->root);
	if (hash)
		return one_instance(fl, l, s, hash, p, what);
	if ((sup = find_sup(fl, s)))
		return add_subtree(fl, l, sup);
	if (!(a = fl_find_actor(fl, s))) {
		fl_unknown_name(fl, p, what, s, true);
		return false;
	}
	if (a->order == CFG_NOT_IN_TREE) {
		ld_error(&fl->ld, p, "%s: actor \"%s\" is not in the tree (no supervisor names it): it never runs",
			 what, s);
		return false;
	}
	return add(fl, l, a, 1, a->instances);
}

/* Sorted, each instance once, named as the daemon names it. */
static bool finish(struct floader *fl, struct fault *f, struct list *l)
{
	f->targets = l->v;
	f->ntargets = fl_sort_unique(l->v, l->n, sizeof *l->v, fault_instance_cmp);
	for (size_t i = 0; i < f->ntargets; i++) {
		const struct cfg_actor *a = fl->cfg->actors[f->targets[i].actor];
		int rc = a->instances > 1 ? asprintf(&f->targets[i].name, "%s#%u", a->name, f->targets[i].index)
					  : (f->targets[i].name = strdup(a->name)) ? 0 : -1;

		if (rc < 0) {
			f->targets[i].name = NULL;
			fl->ld.oom = true;
			return false;
		}
	}
	return true;
}

bool fl_get_targets(struct floader *fl, struct fault *f, json_t *v, size_t obj, const char *key)
{
	struct list l = { 0 };
	bool ok = fl_each_name(fl, v, obj, key, "an actor, instance or supervisor name",
			       "a target: \"actor\", \"actor#N\", a supervisor, \"*\"", resolve, &l);

	if (ok && l.n == 0) {
		struct cfg_pos p = ld_pos(&fl->ld, ld_value_off(&fl->ld, obj, key));
		ld_error(&fl->ld, &p, "\"%s\": names no actor instance", key);
		ok = false;
	}
	if (!ok || fl->ld.oom) {
		free(l.v);
		return false;
	}
	return finish(fl, f, &l);
}
