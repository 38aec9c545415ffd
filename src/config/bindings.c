/* Service bindings: read with each actor, resolved once the tree is known,
 * and checked for start orders that cannot work and for a "nofile"
 * too small for the fds they bring. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/config/didyoumean.h"
#include "src/config/jsonc.h"
#include "src/config/loader.h"
#include "src/proto/fds.h"
#include "src/proto/plural.h"

/* Binding names become fd names in PROSPERO_FDNAMES, where "control" and
 * "serve" are taken: upper case keeps them apart, as env names are. */
static bool binding_name_valid(const char *s)
{
	size_t n = 0;

	if (!(*s >= 'A' && *s <= 'Z'))
		return false;
	for (; s[n]; n++)
		if (!((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
			return false;
	return n <= CFG_MAX_NAME;
}

bool ld_get_bindings(struct loader *ld, struct cfg_actor *a, json_t *o, size_t obj)
{
	size_t bindings = ld_value_off(ld, obj, "bindings");
	const char *k;
	json_t *v;
	bool ok = true;

	if (!json_is_object(o)) {
		struct cfg_pos p = ld_pos_of_key(ld, obj, "bindings", false);
		ld_error(ld, &p, "\"bindings\": expected an object {\"NAME\": \"actor\", ...}, got %s", ld_type_name(o));
		return false;
	}
	if (!(a->bindings = calloc(json_object_size(o) + 1, sizeof *a->bindings))) {
		ld->oom = true;
		return false;
	}
	json_object_foreach(o, k, v) {
		struct cfg_binding *b;
		size_t off;

		if (!binding_name_valid(k)) {
			struct cfg_pos p = ld_pos_of_key(ld, bindings, k, true);
			ld_error(ld, &p, "\"bindings\": invalid binding name \"%s\": use an upper-case letter, then up to %d upper-case letters, digits or '_' (like an environment variable)",
				 k, CFG_MAX_NAME - 1);
			ok = false;
			continue;
		}
		off = ld_value_off(ld, bindings, k);
		if (!json_is_string(v)) {
			struct cfg_pos p = ld_pos(ld, off);
			ld_error(ld, &p, "\"bindings\": \"%s\": expected the name of an actor (a string), got %s",
				 k, ld_type_name(v));
			ok = false;
			continue;
		}
		b = &a->bindings[a->nbindings];
		b->pos = ld_pos(ld, off);
		if (!(b->name = strdup(k)) || !(b->service_name = strdup(json_string_value(v)))) {
			free(b->name);
			ld->oom = true;
			return false;
		}
		a->nbindings++;
	}
	return ok;
}

static void binding_undefined(struct loader *ld, const struct cfg_binding *b)
{
	const char **names = malloc((ld->cfg->nactors ? ld->cfg->nactors : 1) * sizeof *names);
	const char *hint = NULL;
	size_t n = 0, k;

	if (names) {
		for (size_t i = 0; i < ld->cfg->nactors; i++)
			if (ld->cfg->actors[i]->name)
				names[n++] = ld->cfg->actors[i]->name;
		hint = dym_closest(b->service_name, names, n, &ld->oom);
	} else {
		ld->oom = true;
	}
	/* "NAME#i", a pool's instance as status and fd names write it: a
	 * binding names the actor, whose instances share its end */
	k = strcspn(b->service_name, "#");
	for (size_t i = 0; names && !hint && b->service_name[k] && i < n; i++)
		if (strlen(names[i]) == k && strncmp(names[i], b->service_name, k) == 0)
			hint = names[i];
	if (hint)
		ld_error(ld, &b->pos, "\"bindings\": \"%s\": actor \"%s\" is not defined (did you mean \"%s\"?)",
			 b->name, b->service_name, hint);
	else if (ld->unloaded)
		ld_error(ld, &b->pos, "\"bindings\": \"%s\": actor \"%s\" is not defined: no file that loaded defines it (%s did not)",
			 b->name, b->service_name, ld->unloaded);
	else
		ld_error(ld, &b->pos, "\"bindings\": \"%s\": actor \"%s\" is not defined: no file given defines it; pass the file that defines it with -c",
			 b->name, b->service_name);
	free(names);
}

static void resolve_bindings(struct loader *ld, const size_t *sorted)
{
	for (size_t i = 0; i < ld->cfg->nactors; i++) {
		struct cfg_actor *a = ld->cfg->actors[i];

		for (size_t j = 0; j < a->nbindings; j++) {
			struct cfg_binding *b = &a->bindings[j];
			size_t d = ld_find(ld, sorted, b->service_name);

			if (d == SIZE_MAX) {
				binding_undefined(ld, b);
			} else if (ld->defs[d].is_sup) {
				ld_error(ld, &b->pos, "\"bindings\": \"%s\": \"%s\" is a supervisor: a binding names the actor that serves it",
					 b->name, b->service_name);
			} else if (ld->defs[d].u.a == a) {
				ld_error(ld, &b->pos, "\"bindings\": \"%s\": actor \"%s\" cannot bind to itself",
					 b->name, a->name);
			} else if (a->order != CFG_NOT_IN_TREE && ld->defs[d].u.a->order == CFG_NOT_IN_TREE) {
				ld_error(ld, &b->pos, "\"bindings\": \"%s\": %s \"%s\" is not in the tree (no supervisor names it), so nothing would serve this binding",
					 b->name, ld->defs[d].u.a->queue ? "queue" : "actor", b->service_name);
			} else {
				b->service = ld->defs[d].u.a;
			}
		}
	}
}

enum { WHITE, GRAY, BLACK };

struct cycle_walk {
	struct loader *ld;
	unsigned char *color;		/* by actor id */
	bool *cyclic;			/* by actor id: in a reported cycle */
	struct cfg_actor **stack;
	size_t depth;
};

static void report_binding_cycle(struct cycle_walk *w, const struct cfg_actor *from, size_t j)
{
	const struct cfg_actor *to = from->bindings[j].service;
	char *chain = NULL, *next;
	size_t k = w->depth;

	while (k > 0 && w->stack[k - 1] != to)
		k--;
	for (k = k - 1; k < w->depth; k++) {
		w->cyclic[w->stack[k]->id] = true;
		if (asprintf(&next, "%s\"%s\" → ", chain ? chain : "", w->stack[k]->name) < 0) {
			free(chain);
			w->ld->oom = true;
			return;
		}
		free(chain);
		chain = next;
	}
	ld_error(w->ld, &from->bindings[j].pos,
		 "binding cycle %s\"%s\" among actors with \"ready\": \"notify\": each waits for the next before it is ready, so no start order works; make one of them \"ready\": \"exec\"",
		 chain, to->name);
	free(chain);
}

/* Edges run from a notify client to its services: the services must start
 * first, since the client's start is not over until READY=1 and it may
 * call them before. A cycle of such edges has no start order. */
static void walk_bindings(struct cycle_walk *w, struct cfg_actor *a)
{
	w->color[a->id] = GRAY;
	w->stack[w->depth++] = a;
	for (size_t j = 0; a->ready == SV_READY_NOTIFY && j < a->nbindings; j++) {
		struct cfg_actor *s = a->bindings[j].service;

		if (!s)
			continue;
		if (w->color[s->id] == GRAY)
			report_binding_cycle(w, a, j);
		else if (w->color[s->id] == WHITE)
			walk_bindings(w, s);
	}
	w->depth--;
	w->color[a->id] = BLACK;
}

/* An explicit "nofile" is the actor's soft limit: one that cannot hold
 * the fds it is given, and the seccomp listener the child takes after the
 * limit is set (at fd N: sandbox/child/confine.c), fails every start. */
static void check_nofile(struct loader *ld)
{
	const struct cfg *cfg = ld->cfg;
	size_t *nserved = calloc(cfg->nactors ? cfg->nactors : 1, sizeof *nserved);

	if (!nserved) {
		ld->oom = true;
		return;
	}
	cfg_count_served(cfg, nserved);	/* as the daemon counts them */
	for (size_t i = 0; i < cfg->nactors; i++) {
		const struct cfg_actor *a = cfg->actors[i];
		bool listener = a->profile != SB_PROFILE_NONE;
		size_t given = PP_FD_CONTROL + 1 + a->nbindings + nserved[i];

		for (size_t k = 0; a->order != CFG_NOT_IN_TREE && k < a->nlimits; k++) {
			const struct rlimit *l = &a->limits[k].lim;

			if (a->limits[k].resource != RLIMIT_NOFILE || l->rlim_cur >= given + listener)
				continue;
			ld_error(ld, &a->limit_pos[k],
				 "\"limits\": \"nofile\" %llu cannot hold the %zu fds actor \"%s\" is given (0-2, its control channel, %zu %s, %zu %s)%s: raise it to at least %zu",
				 (unsigned long long)l->rlim_cur, given, a->name, a->nbindings,
				 plural(a->nbindings, "binding", "bindings"), nserved[i],
				 plural(nserved[i], "edge it serves", "edges it serves"),
				 listener ? " and its seccomp listener" : "", given + listener);
		}
	}
	free(nserved);
}

/* The bytes of "#1" to "#N" (none for one instance). */
static size_t suffixes(unsigned n)
{
	size_t len = 0;

	if (n < 2)
		return 0;
	for (unsigned from = 1, digits = 1; from <= n; from *= 10, digits++) {
		unsigned to = from * 10 - 1 < n ? from * 10 - 1 : n;

		len += (size_t)(to - from + 1) * (1 + digits);
		if (from > n / 10)
			break;
	}
	return len;
}

/* PROSPERO_FDNAMES (README "Fds and environment") names each edge a
 * service serves: one of a thousand clients with long names is longer
 * than one environment string may be, and its every start would fail
 * with "Argument list too long". Said here, where check sees it. */
static void check_fdnames(struct loader *ld)
{
	size_t n = ld->cfg->nactors, *len = calloc(n ? n : 1, sizeof *len);

	if (!len) {
		ld->oom = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct cfg_actor *a = ld->cfg->actors[i];

		len[i] += sizeof "PROSPERO_FDNAMES=control";	/* with the NUL */
		if (a->order == CFG_NOT_IN_TREE)
			continue;
		for (size_t j = 0; j < a->nbindings; j++) {
			const struct cfg_binding *b = &a->bindings[j];

			len[i] += 1 + strlen(b->name);
			if (b->service)	/* ":serve:" and the instance's name, each */
				len[b->service->id] += (size_t)a->instances * (sizeof ":serve:" - 1 + strlen(a->name)) +
						       suffixes(a->instances);
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct cfg_actor *a = ld->cfg->actors[i];

		if (a->order != CFG_NOT_IN_TREE && len[i] > LD_ARG_STRING_MAX)
			ld_error(ld, &a->pos, "actor \"%s\": the names of its fds (PROSPERO_FDNAMES, one per "
				 "binding and per edge it serves) take %zu bytes, more than the %u an "
				 "environment string may have: bind fewer client instances to it, or give "
				 "them shorter names", a->name, len[i] - 1, LD_ARG_STRING_MAX - 1);
	}
	free(len);
}

void ld_check_bindings(struct loader *ld, const size_t *sorted)
{
	size_t n = ld->cfg->nactors;
	struct cycle_walk w = { .ld = ld };

	resolve_bindings(ld, sorted);
	w.color = calloc(n ? n : 1, sizeof *w.color);
	w.cyclic = calloc(n ? n : 1, sizeof *w.cyclic);
	w.stack = calloc(n ? n : 1, sizeof *w.stack);
	if (!w.color || !w.cyclic || !w.stack) {
		ld->oom = true;
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (w.color[i] == WHITE)
			walk_bindings(&w, ld->cfg->actors[i]);
	/* not a cycle, only the order: a warning, since declaring the
	 * service first is enough */
	for (size_t i = 0; i < n; i++) {
		const struct cfg_actor *a = ld->cfg->actors[i];

		if (a->ready != SV_READY_NOTIFY || a->order == CFG_NOT_IN_TREE || w.cyclic[i])
			continue;
		for (size_t j = 0; j < a->nbindings; j++) {
			const struct cfg_binding *b = &a->bindings[j];

			if (b->service && b->service->order > a->order)
				ld_warning(ld, &b->pos, "\"bindings\": \"%s\": \"%s\" starts after \"%s\", which is \"ready\": \"notify\": a call to it before READY=1 would wait until the start timeout; declare \"%s\" first",
					   b->name, b->service_name, a->name, b->service_name);
		}
	}
	check_nofile(ld);
	check_fdnames(ld);
out:
	free(w.color);
	free(w.cyclic);
	free(w.stack);
}
