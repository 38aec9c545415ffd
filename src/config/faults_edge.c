/* Edge faults: which binding edges, and what happens to their messages
 * (delay, drop, duplicate, partitions). An edge is written
 * "CLIENT -> SERVICE" (every binding CLIENT declares to SERVICE) or as a
 * binding name (every edge declared under that name, by any client). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/config/didyoumean.h"
#include "src/config/faults_loader.h"
#include "src/config/jsonc.h"

static const char *const dir_names[] = { "both", "to_service", "to_client", NULL };	/* by enum fault_dir */

struct elist {
	struct fault_edge_ref *v;
	size_t n, cap;
};

static bool add_edge(struct floader *fl, struct elist *l, const struct cfg_actor *a, size_t j)
{
	if (!ld_push((void **)&l->v, &l->n, &l->cap, sizeof *l->v)) {
		fl->ld.oom = true;
		return false;
	}
	l->v[l->n++] = (struct fault_edge_ref){ .client = a->id, .client_order = a->order,
						.client_instances = a->instances, .binding = j };
	return true;
}

/* Every edge of the tree as "client -> service", for a hint; NULL if
 * memory ran out. Free the strings and the array. */
static char **edge_names(struct floader *fl, size_t *n)
{
	size_t cap = 0;
	char **v = NULL;

	*n = 0;
	for (size_t i = 0; i < fl->cfg->nactors; i++) {
		const struct cfg_actor *a = fl->cfg->actors[i];

		for (size_t j = 0; a->order != CFG_NOT_IN_TREE && j < a->nbindings; j++) {
			if (!ld_push((void **)&v, n, &cap, sizeof *v) ||
			    asprintf(&v[*n], "%s -> %s", a->name, a->bindings[j].service_name) < 0) {
				fl->ld.oom = true;
				return v;
			}
			(*n)++;
		}
	}
	return v;
}

/* "\"a\", \"b\" and \"c\"": the services A binds to, into BUF. */
static void services_of(const struct cfg_actor *a, char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (size_t j = 0; j < a->nbindings && at < len; j++) {
		int w = snprintf(buf + at, len - at, "%s\"%s\"", j == 0 ? "" : j + 1 == a->nbindings ? " and " : ", ",
				 a->bindings[j].service_name);
		at += w > 0 ? (size_t)w : 0;
	}
}

/* Whether edge NAME ("a -> b") has END as its client (CLIENT_END) or as
 * its service. */
static bool has_end(const char *name, const char *end, bool client_end)
{
	size_t n = strlen(name), k = strlen(end);

	if (client_end)
		return strncmp(name, end, k) == 0 && strncmp(name + k, " -> ", 4) == 0;
	return n >= k + 4 && strcmp(name + n - k, end) == 0 && strncmp(name + n - k - 4, " -> ", 4) == 0;
}

/* "CLIENT -> SERVICE" names no edge. With both actors known the mistake
 * is the pair; else a name is misspelt, and the nearest edge that keeps
 * the end that was right is the hint, or the nearest actor. CLIENT and
 * SERVICE are NULL when they name no actor. */
static void no_such_edge(struct floader *fl, const struct cfg_pos *p, const char *what,
			 char ends[2][CFG_MAX_NAME + 2], const struct cfg_actor *client,
			 const struct cfg_actor *service)
{
	char written[2 * CFG_MAX_NAME + 8], services[256];
	char **names = NULL;
	const char *hint = NULL;
	size_t n = 0;

	snprintf(written, sizeof written, "%s -> %s", ends[0], ends[1]);
	if (client && service) {
		for (size_t j = 0; j < service->nbindings; j++)
			if (service->bindings[j].service == client) {
				ld_error(&fl->ld, p, "%s: no edge \"%s\": the binding goes the other way, \"%s -> %s\"",
					 what, written, service->name, client->name);
				return;
			}
		services_of(client, services, sizeof services);
		if (client->nbindings)
			ld_error(&fl->ld, p, "%s: no edge \"%s\": \"%s\" binds to %s only", what, written,
				 client->name, services);
		else
			ld_error(&fl->ld, p, "%s: no edge \"%s\": \"%s\" has no bindings", what, written, client->name);
		return;
	}
	if ((client || service) && (names = edge_names(fl, &n)))
		hint = dym_closest(written, (const char *const *)names, n, &fl->ld.oom);
	if (hint && has_end(hint, client ? ends[0] : ends[1], client != NULL))
		ld_error(&fl->ld, p, "%s: no edge \"%s\" (did you mean \"%s\"?)", what, written, hint);
	else
		fl_unknown_name(fl, p, what, client ? ends[1] : ends[0], false);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static bool resolve_arrow(struct floader *fl, struct elist *l, char ends[2][CFG_MAX_NAME + 2],
			  const struct cfg_pos *p, const char *what)
{
	const struct cfg_actor *a[2] = { fl_find_actor(fl, ends[0]), fl_find_actor(fl, ends[1]) };
	size_t before = l->n;

	if (!*ends[0] || !*ends[1]) {
		ld_error(&fl->ld, p, "%s: expected \"CLIENT -> SERVICE\", two actor names", what);
		return false;
	}
	if (a[0] && a[0]->order == CFG_NOT_IN_TREE) {
		ld_error(&fl->ld, p, "%s: actor \"%s\" is not in the tree (no supervisor names it): its edges never carry anything",
			 what, a[0]->name);
		return false;
	}
	for (size_t j = 0; a[0] && a[1] && j < a[0]->nbindings; j++)
		if (a[0]->bindings[j].service == a[1] && !add_edge(fl, l, a[0], j))
			return false;
	if (l->n == before)
		no_such_edge(fl, p, what, ends, a[0], a[1]);
	return l->n > before;
}

/* A binding name that no client in the tree declares: if it is an
 * actor's name, an edge that leads to that actor, or one it declares;
 * else the nearest binding name. */
static void no_such_binding(struct floader *fl, const struct cfg_pos *p, const char *what, const char *s)
{
	const struct cfg_actor *service = fl_find_actor(fl, s);
	size_t n = 0, cap = 0;
	const char **names = NULL, *hint = NULL, *client = NULL;

	for (size_t i = 0; i < fl->cfg->nactors && !fl->ld.oom; i++) {
		const struct cfg_actor *a = fl->cfg->actors[i];

		for (size_t j = 0; a->order != CFG_NOT_IN_TREE && j < a->nbindings; j++) {
			if (service && a->bindings[j].service == service && !client)
				client = a->name;
			if (!ld_push((void **)&names, &n, &cap, sizeof *names)) {
				fl->ld.oom = true;
				break;
			}
			names[n++] = a->bindings[j].name;
		}
	}
	if (names)
		hint = dym_closest(s, names, n, &fl->ld.oom);
	if (service && service->order == CFG_NOT_IN_TREE)
		ld_error(&fl->ld, p, "%s: actor \"%s\" is not in the tree (no supervisor names it): its edges never carry anything",
			 what, s);
	else if (service && client)
		ld_error(&fl->ld, p, "%s: \"%s\" is an actor: name an edge \"CLIENT -> %s\" (such as \"%s -> %s\"), or a binding name",
			 what, s, s, client, s);
	else if (service && service->nbindings)	/* a client: the edges it declares */
		ld_error(&fl->ld, p, "%s: \"%s\" is an actor: name an edge \"%s -> SERVICE\" (such as \"%s -> %s\"), or a binding name",
			 what, s, s, s, service->bindings[0].service->name);
	else if (service)
		ld_error(&fl->ld, p, "%s: \"%s\" is an actor, and no actor binds to it", what, s);
	else if (hint)
		ld_error(&fl->ld, p, "%s: no binding named \"%s\" (did you mean \"%s\"?)", what, s, hint);
	else
		ld_error(&fl->ld, p, "%s: no binding named \"%s\": name an edge \"CLIENT -> SERVICE\", or a binding name",
			 what, s);
	free(names);
}

static bool resolve_edge(struct floader *fl, void *list, const char *s, const struct cfg_pos *p,
			 const char *what)
{
	struct elist *l = list;
	char ends[2][CFG_MAX_NAME + 2];
	size_t before = l->n;

	if (fault_edge_split(s, ends[0], ends[1], sizeof ends[0]))
		return resolve_arrow(fl, l, ends, p, what);
	for (size_t i = 0; i < fl->cfg->nactors; i++) {
		const struct cfg_actor *a = fl->cfg->actors[i];

		for (size_t j = 0; a->order != CFG_NOT_IN_TREE && j < a->nbindings; j++)
			if (strcmp(a->bindings[j].name, s) == 0 && !add_edge(fl, l, a, j))
				return false;
	}
	if (l->n == before)
		no_such_binding(fl, p, what, s);
	return l->n > before;
}

/* Sorted, each edge once, with its names. */
static void finish(struct floader *fl, struct fault_edge *e, struct elist *l)
{
	e->edges = l->v;
	e->nedges = fl_sort_unique(l->v, l->n, sizeof *l->v, fault_edge_ref_cmp);
	for (size_t i = 0; i < e->nedges; i++) {
		struct fault_edge_ref *r = &e->edges[i];
		const struct cfg_binding *b = &fl->cfg->actors[r->client]->bindings[r->binding];

		if (!(r->client_name = strdup(fl->cfg->actors[r->client]->name)) ||
		    !(r->service_name = strdup(b->service_name)) || !(r->binding_name = strdup(b->name))) {
			fl->ld.oom = true;
			return;
		}
	}
}

static void get_edges(struct floader *fl, struct fault_edge *e, json_t *v, size_t obj)
{
	struct elist l = { 0 };

	if (!fl_each_name(fl, v, obj, "edge", "\"CLIENT -> SERVICE\" or a binding name",
			  "\"CLIENT -> SERVICE\", a binding name", resolve_edge, &l) || fl->ld.oom) {
		free(l.v);
		return;
	}
	finish(fl, e, &l);
}

/* "delay": MS or [LO, HI]. */
static void get_delay(struct floader *fl, struct fault_edge *e, json_t *v, size_t obj)
{
	struct cfg_pos p = ld_pos_of_key(&fl->ld, obj, "delay", false);
	json_int_t lo, hi;
	long ms;

	if (ld_int_value(v, &lo)) {
		if (ld_get_int(&fl->ld, v, obj, "delay", 0, FAULT_MAX_MS, &ms))
			e->delay_lo_ms = e->delay_hi_ms = ms;
		return;
	}
	if (!json_is_array(v) || json_array_size(v) != 2 || !ld_int_value(json_array_get(v, 0), &lo) ||
	    !ld_int_value(json_array_get(v, 1), &hi)) {
		ld_error(&fl->ld, &p, "\"delay\": expected MS or [LO, HI] (uniform between, in ms), got %s",
			 json_is_array(v) ? "another array" : ld_type_name(v));
	} else if (lo < 0 || hi > FAULT_MAX_MS || lo > hi) {
		ld_error(&fl->ld, &p, "\"delay\": [%" JSON_INTEGER_FORMAT ", %" JSON_INTEGER_FORMAT "]: expected 0 <= LO <= HI <= %lld (ms: one day)",
			 lo, hi, FAULT_MAX_MS);
	} else {
		e->delay_lo_ms = lo;
		e->delay_hi_ms = hi;
	}
}

/* "partition": [FROM, TO] or [[FROM, TO], ...]. */
static void get_partitions(struct floader *fl, struct fault_edge *e, json_t *v, size_t obj)
{
	size_t arr = ld_value_off(&fl->ld, obj, "partition"), n = json_array_size(v), i;
	bool many = json_is_array(json_array_get(v, 0));
	char what[40];
	json_t *w;

	if (!(e->partitions = calloc(many ? (n ? n : 1) : 1, sizeof *e->partitions))) {
		fl->ld.oom = true;
		return;
	}
	if (!many) {
		e->npartitions = fl_get_window(fl, v, arr, "\"partition\"", e->partitions) ? 1 : 0;
		return;
	}
	json_array_foreach(v, i, w) {
		snprintf(what, sizeof what, "\"partition\"[%zu]", i);
		if (fl_get_window(fl, w, ld_index_off(&fl->ld, arr, i), what, &e->partitions[e->npartitions]))
			e->npartitions++;
	}
}

void fl_get_edge(struct floader *fl, struct fault *f, json_t *o, size_t off)
{
	struct fault_edge *e = &f->u.edge;
	json_t *v;
	int w;

	get_edges(fl, e, json_object_get(o, "edge"), off);
	if ((v = json_object_get(o, "direction")) && ld_get_word(&fl->ld, v, off, "direction", dir_names, &w))
		e->dir = (enum fault_dir)w;
	if ((v = json_object_get(o, "delay")))
		get_delay(fl, e, v, off);
	if ((v = json_object_get(o, "drop")))
		fl_get_probability(fl, v, off, "drop", &e->drop);
	if ((v = json_object_get(o, "duplicate")))
		fl_get_probability(fl, v, off, "duplicate", &e->duplicate);
	if ((v = json_object_get(o, "partition")))
		get_partitions(fl, e, v, off);
	if ((v = json_object_get(o, "window")))
		fl_get_window(fl, v, ld_value_off(&fl->ld, off, "window"), "\"window\"", &f->window);
	if (!json_object_get(o, "delay") && !json_object_get(o, "drop") && !json_object_get(o, "duplicate") &&
	    !json_object_get(o, "partition")) {
		struct cfg_pos p = ld_pos_of_key(&fl->ld, off, "edge", true);
		ld_error(&fl->ld, &p, "an \"edge\" fault needs \"delay\", \"drop\", \"duplicate\" or \"partition\"");
	}
}

static bool dirs_meet(enum fault_dir a, enum fault_dir b)
{
	return a == FAULT_DIR_BOTH || b == FAULT_DIR_BOTH || a == b;
}

/* The relay of an edge applies one fault: two on one edge and direction
 * would need an order between them that the plan does not say. */
void fl_check_edge_overlap(struct floader *fl)
{
	struct fault_plan *plan = fl->plan;

	for (size_t j = 0; j < plan->n; j++) {
		const struct fault *later = &plan->faults[j];

		for (size_t i = 0; later->kind == FAULT_EDGE && i < j; i++) {
			struct fault *first = &plan->faults[i];
			struct fault_plan one = { .faults = first, .n = 1 };
			enum fault_dir d;
			size_t fi, ei;

			if (first->kind != FAULT_EDGE || !dirs_meet(first->u.edge.dir, later->u.edge.dir))
				continue;
			d = first->u.edge.dir == FAULT_DIR_BOTH ? FAULT_DIR_TO_SERVICE : first->u.edge.dir;
			for (size_t k = 0; k < later->u.edge.nedges; k++) {
				const struct fault_edge_ref *r = &later->u.edge.edges[k];
				struct cfg_pos p = { plan->file, later->line, later->col };

				if (fault_plan_edge(&one, r->client_order, r->binding, d, &fi, &ei) < 0)
					continue;
				ld_error(&fl->ld, &p, "edge \"%s -> %s\" (binding \"%s\") already has a fault at %s:%u:%u: one fault per edge and direction; put them together",
					 r->client_name, r->service_name, r->binding_name, plan->file, first->line, first->col);
				break;
			}
		}
	}
}
