/* The tree from every file's definitions: names sorted, duplicates and
 * undefined names reported, references linked; then its shape: no cycle,
 * exactly one root, each definition in one place. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/config/didyoumean.h"
#include "src/config/loader.h"

static int by_name(const void *a, const void *b, void *ctx)
{
	const struct def *defs = ((const struct loader *)ctx)->defs;
	const struct def *x = &defs[*(const size_t *)a], *y = &defs[*(const size_t *)b];
	int c = strcmp(x->name, y->name);

	/* equal names keep definition order, so the first is the original */
	return c ? c : (*(const size_t *)a > *(const size_t *)b) - (*(const size_t *)a < *(const size_t *)b);
}

size_t ld_find(const struct loader *ld, const size_t *sorted, const char *name)
{
	size_t lo = 0, hi = ld->ndefs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ld->defs[sorted[mid]].name, name);
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < ld->ndefs && strcmp(ld->defs[sorted[lo]].name, name) == 0 ? sorted[lo] : SIZE_MAX;
}

static void undefined(struct loader *ld, const struct ref *r)
{
	const char **names = malloc(ld->ndefs * sizeof *names);
	const char *hint = NULL;

	if (names) {
		for (size_t i = 0; i < ld->ndefs; i++)
			names[i] = ld->defs[i].name;
		hint = dym_closest(r->name, names, ld->ndefs, &ld->oom);
	} else {
		ld->oom = true;
	}
	if (hint)
		ld_error(ld, &r->pos, "\"%s\" is not defined (did you mean \"%s\"?)", r->name, hint);
	else if (ld->unloaded)
		ld_error(ld, &r->pos, "\"%s\" is not defined: no file that loaded defines an actor, queue or supervisor of that name (%s did not)",
			 r->name, ld->unloaded);
	else
		ld_error(ld, &r->pos, "\"%s\" is not defined: no file given defines an actor, queue or supervisor of that name; pass the file that defines it with -c",
			 r->name);
	free(names);
}

/* The index of FILE among the files given (their number if none). */
static size_t file_index(const struct loader *ld, const char *file)
{
	size_t f = 0;

	while (f < ld->cfg->nfiles && file != ld->cfg->files[f] && strcmp(file, ld->cfg->files[f]) != 0)
		f++;
	return f;
}

/* Whether A comes before B in the text: file by file, then line and column. */
static bool text_before(const struct loader *ld, const struct cfg_pos *a, const struct cfg_pos *b)
{
	size_t fa = file_index(ld, a->file), fb = file_index(ld, b->file);

	if (fa != fb)
		return fa < fb;
	return a->line != b->line ? a->line < b->line : a->col < b->col;
}

static void resolve_refs(struct loader *ld, const size_t *sorted)
{
	for (size_t i = 0; i < ld->nrefs; i++) {
		struct ref *r = &ld->refs[i];
		size_t d = ld_find(ld, sorted, r->name);
		struct def *def;

		if (d == SIZE_MAX) {
			undefined(ld, r);
			continue;
		}
		def = &ld->defs[d];
		if (def->parent) {
			/* the later of the two places is the one said: an inline
			 * definition after this name was placed before the names
			 * were resolved */
			bool ref_first = text_before(ld, &r->pos, &def->named_at);
			const struct cfg_pos *later = ref_first ? &def->named_at : &r->pos;
			const struct cfg_pos *first = ref_first ? &r->pos : &def->named_at;
			const struct cfg_supervisor *owner = ref_first ? r->sup : def->parent;

			ld_error(ld, later, "\"%s\" is already a child of \"%s\" at %s:%u:%u: an actor or supervisor has one place in the tree",
				 r->name, owner->name ? owner->name : "?", first->file, first->line, first->col);
			continue;
		}
		ld_link_child(ld, d, r->sup, r->sup_def, r->child, r->pos);
	}
}

static void report_cycle(struct loader *ld, size_t d)
{
	char *chain = NULL, *next;
	size_t cur = d;

	/* walk upwards (child → parent) and print downwards (parent → child) */
	do {
		if (asprintf(&next, "\"%s\"%s%s", ld->defs[cur].name, chain ? " → " : "", chain ? chain : "") < 0) {
			ld->oom = true;
			free(chain);
			return;
		}
		free(chain);
		chain = next;
		cur = ld->defs[cur].parent_def;
	} while (cur != d);
	ld_error(ld, &ld->defs[d].named_at, "cycle: \"%s\" → %s: a supervisor cannot contain itself",
		 ld->defs[d].name, chain);
	free(chain);
}

enum { IN_CYCLE = 1, FIRST_IN_CYCLE = 2 };

/* Each definition has at most one parent, so a walk up from any of them
 * ends at a parentless one or runs into a cycle; a walk stops where an
 * earlier one passed, so each definition is visited once. Each cycle is
 * reported once, from its first definition, in definition order. Returns
 * IN_CYCLE and FIRST_IN_CYCLE flags by definition, or NULL. */
static unsigned char *find_cycles(struct loader *ld)
{
	size_t n = ld->ndefs ? ld->ndefs : 1, *walk = malloc(n * sizeof *walk);
	unsigned char *flags = calloc(n, sizeof *flags);

	if (!walk || !flags) {
		free(walk);
		free(flags);
		ld->oom = true;
		return NULL;
	}
	memset(walk, 0xff, n * sizeof *walk);	/* SIZE_MAX: not walked */
	for (size_t d = 0; d < ld->ndefs; d++) {
		size_t cur = d, first;

		while (cur != SIZE_MAX && walk[cur] == SIZE_MAX) {
			walk[cur] = d;
			cur = ld->defs[cur].parent_def;
		}
		if (cur == SIZE_MAX || walk[cur] != d)
			continue;	/* a root, or a chain walked before */
		first = cur;
		for (size_t c = cur; !(flags[c] & IN_CYCLE); c = ld->defs[c].parent_def) {
			flags[c] |= IN_CYCLE;
			first = c < first ? c : first;
		}
		flags[first] |= FIRST_IN_CYCLE;
	}
	free(walk);
	for (size_t d = 0; d < ld->ndefs; d++)
		if (flags[d] & FIRST_IN_CYCLE)
			report_cycle(ld, d);
	return flags;
}

static void check_shape(struct loader *ld)
{
	unsigned char *cyclic = find_cycles(ld);
	size_t root = SIZE_MAX;

	if (!cyclic)
		return;
	for (size_t d = 0; d < ld->ndefs; d++) {
		struct def *def = &ld->defs[d];

		if (def->parent || cyclic[d] || def->duplicate)
			continue;
		if (!def->is_sup) {
			if (ld->unloaded)
				continue;	/* its supervisor may be there */
			ld_warning(ld, &def->pos, "%s \"%s\" is defined but no supervisor names it as a child; it will not run",
				   def->u.a->queue ? "queue" : "actor", def->name);
		} else if (root == SIZE_MAX) {
			root = d;
		} else {
			ld_error(ld, &def->pos, "supervisor \"%s\" is not in the tree: no supervisor names it as a child, and \"%s\" (%s:%u:%u) is already the root",
				 def->name, ld->defs[root].name, ld->defs[root].pos.file,
				 ld->defs[root].pos.line, ld->defs[root].pos.col);
		}
	}
	free(cyclic);
	if (root != SIZE_MAX) {
		ld->cfg->root = ld->defs[root].u.s;
	} else if (ld->diag->nerrors == 0) {
		struct cfg_pos p = { .file = ld->cfg->files[0], .line = 1, .col = 1 };
		ld_error(ld, &p, "no root supervisor: define one, e.g. {\"supervisor\": \"main\", \"children\": [...]}");
	}
}

/* Depth first, in declaration order: the order the daemon starts actors in. */
static void number_actors(struct cfg_supervisor *s, uint32_t *next, unsigned depth)
{
	if (depth > 4096)
		return;
	for (size_t i = 0; i < s->nchildren; i++) {
		struct cfg_child *c = &s->children[i];

		if (c->kind == CFG_CHILD_SUPERVISOR && c->u.sup)
			number_actors(c->u.sup, next, depth + 1);
		else if (c->kind == CFG_CHILD_ACTOR && c->u.actor && c->u.actor->order == CFG_NOT_IN_TREE)
			c->u.actor->order = (*next)++;
	}
}

/* Sorted, equal names are neighbours, the first defined first. */
static void report_duplicates(struct loader *ld, const size_t *sorted)
{
	for (size_t i = 1, first = 0; i < ld->ndefs; i++) {
		const struct def *orig = &ld->defs[sorted[first]];
		struct def *dup = &ld->defs[sorted[i]];

		if (strcmp(orig->name, dup->name) != 0) {
			first = i;
			continue;
		}
		dup->duplicate = true;
		ld_error(ld, &dup->pos, "duplicate name \"%s\": already defined at %s:%u:%u; names are unique across the tree",
			 dup->name, orig->pos.file, orig->pos.line, orig->pos.col);
	}
}

void ld_build(struct loader *ld)
{
	uint32_t next = 0;
	size_t *sorted;

	if (!(sorted = malloc((ld->ndefs ? ld->ndefs : 1) * sizeof *sorted))) {
		ld->oom = true;
		return;
	}
	for (size_t i = 0; i < ld->ndefs; i++)
		sorted[i] = i;
	qsort_r(sorted, ld->ndefs, sizeof *sorted, by_name, ld);
	report_duplicates(ld, sorted);
	resolve_refs(ld, sorted);
	check_shape(ld);
	ld_check_backoffs(ld);
	if (ld->cfg->root)
		number_actors(ld->cfg->root, &next, 0);
	ld_check_queues(ld, sorted);
	ld_check_bindings(ld, sorted);
	free(sorted);
}
