/* The plan's own lookups and its release; the loader builds it. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/faults/plan.h"

const char *fault_kind_name(enum fault_kind k)
{
	switch (k) {
	case FAULT_KILL: return "kill";
	case FAULT_STALL: return "stall";
	case FAULT_EDGE: return "edge";
	case FAULT_SYSCALL: return "syscall";
	}
	return "?";
}

const char *fault_dir_name(enum fault_dir d)
{
	switch (d) {
	case FAULT_DIR_BOTH: return "both";
	case FAULT_DIR_TO_SERVICE: return "to_service";
	case FAULT_DIR_TO_CLIENT: return "to_client";
	}
	return "?";
}

uint64_t fault_plan_seed(const struct fault_plan *p, const uint64_t *override, uint64_t random)
{
	if (override)
		return *override & FAULT_MAX_SEED;
	if (p->has_seed)
		return p->seed;
	return random & FAULT_MAX_SEED;
}

bool fault_edge_split(const char *s, char *client, char *service, size_t len)
{
	const char *arrow = strstr(s, "->"), *from[2], *to[2];
	char *out[2] = { client, service };

	if (!arrow)
		return false;
	from[0] = s;
	to[0] = arrow;
	from[1] = arrow + 2;
	to[1] = s + strlen(s);
	for (int i = 0; i < 2; i++) {
		while (from[i] < to[i] && isspace((unsigned char)*from[i]))
			from[i]++;
		while (to[i] > from[i] && isspace((unsigned char)to[i][-1]))
			to[i]--;
		snprintf(out[i], len, "%.*s", (int)(to[i] - from[i]), from[i]);
	}
	return true;
}

/* -1, 0, 1 as (order, index) A is before, at or after B. */
static int cmp_place(uint32_t a_order, size_t a_index, uint32_t b_order, size_t b_index)
{
	if (a_order != b_order)
		return a_order < b_order ? -1 : 1;
	return (a_index > b_index) - (a_index < b_index);
}

int fault_instance_cmp(const void *a, const void *b)
{
	const struct fault_instance *x = a, *y = b;

	return cmp_place(x->order, x->index, y->order, y->index);
}

int fault_edge_ref_cmp(const void *a, const void *b)
{
	const struct fault_edge_ref *x = a, *y = b;

	return cmp_place(x->client_order, x->binding, y->client_order, y->binding);
}

long fault_target_find(const struct fault *f, uint32_t order, unsigned index)
{
	struct fault_instance key = { .order = order, .index = index };
	const struct fault_instance *t;

	if (!f->ntargets)
		return -1;
	t = bsearch(&key, f->targets, f->ntargets, sizeof *f->targets, fault_instance_cmp);
	return t ? (long)(t - f->targets) : -1;
}

int fault_plan_edge(const struct fault_plan *p, uint32_t order, size_t binding, enum fault_dir dir,
		    size_t *fault, size_t *edge)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct fault_edge *fe = &p->faults[i].u.edge;
		struct fault_edge_ref key = { .client_order = order, .binding = binding };
		const struct fault_edge_ref *e;

		if (p->faults[i].kind != FAULT_EDGE || (fe->dir != FAULT_DIR_BOTH && fe->dir != dir) ||
		    !fe->nedges)
			continue;
		if ((e = bsearch(&key, fe->edges, fe->nedges, sizeof *fe->edges, fault_edge_ref_cmp))) {
			*fault = i;
			*edge = (size_t)(e - fe->edges);
			return 0;
		}
	}
	return -1;
}

static void free_fault(struct fault *f)
{
	for (size_t i = 0; i < f->ntargets; i++)
		free(f->targets[i].name);
	free(f->targets);
	if (f->kind == FAULT_KILL || f->kind == FAULT_STALL) {
		free(f->u.proc.at_ms);
	} else if (f->kind == FAULT_EDGE) {
		for (size_t i = 0; i < f->u.edge.nedges; i++) {
			free(f->u.edge.edges[i].client_name);
			free(f->u.edge.edges[i].service_name);
			free(f->u.edge.edges[i].binding_name);
		}
		free(f->u.edge.edges);
		free(f->u.edge.partitions);
	}
}

void fault_plan_free(struct fault_plan *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free_fault(&p->faults[i]);
	free(p->faults);
	free(p->file);
	free(p);
}
