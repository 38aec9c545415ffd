/* See dot.h. Node names are safe inside DOT's double quotes: the config
 * allows letters, digits, "-", "_" and ".", and instances add "#N". */
#include <stdlib.h>
#include <string.h>

#include "src/cli/dot.h"
#include "src/daemon/ctl_status.h"
#include "src/proto/plural.h"

/* Whether NODE stands for the binding end NAME: the actor itself, or an
 * instance of a pool of that name. */
static bool stands_for(const char *node, const char *name)
{
	size_t k = strlen(name);

	return strncmp(node, name, k) == 0 && (node[k] == '\0' || node[k] == '#');
}

/* An edge from each client instance (a client pool has one each) to each
 * service instance (a service pool shares its end); none to a node the
 * graph does not hold, as a subtree's status does not. */
static void write_edge(FILE *out, const struct ctl_status *st, const struct ctl_edge *e)
{
	for (size_t i = 0; i < st->n; i++) {
		if (st->nodes[i].supervisor || !stands_for(st->nodes[i].name, e->from))
			continue;
		for (size_t j = 0; j < st->n; j++)
			if (!st->nodes[j].supervisor && stands_for(st->nodes[j].name, e->to))
				fprintf(out, "\t\"%s\" -> \"%s\" [label=\"%s\"];\n", st->nodes[i].name,
					st->nodes[j].name, e->label);
	}
}

static void indent(FILE *out, unsigned depth)
{
	while (depth-- > 0)
		fputc('\t', out);
}

static void write_node(FILE *out, const struct ctl_node *n, bool live, unsigned depth)
{
	indent(out, depth);
	fprintf(out, "\"%s\" [label=\"%s", n->name, n->name);
	if (live)
		fprintf(out, "\\n%s, %u %s", ctl_state_name(n->state), n->restarts,
			plural(n->restarts, "restart", "restarts"));
	fprintf(out, "\"%s%s];\n", n->queue ? ", shape=cylinder" : "",
		live && n->should_run && n->state != CTL_STATE_READY ? ", color=red" : "");
}

static void open_cluster(FILE *out, const struct ctl_node *n, bool live, unsigned depth)
{
	indent(out, depth);
	fprintf(out, "subgraph \"cluster_%s\" {\n", n->name);
	indent(out, depth + 1);
	fprintf(out, "label=\"%s\\n%s", n->name, n->strategy);
	if (live)
		fprintf(out, "\\n%u/%u in %lld s", n->window_restarts, n->intensity, (long long)n->period_ms / 1000);
	fprintf(out, "\";\n");
}

void dot_write(FILE *out, const struct ctl_status *st, bool live)
{
	unsigned *open = calloc(st->n + 1, sizeof *open), nopen = 0;

	fprintf(out, "digraph prospero {\n\tnode [shape=box, style=rounded];\n");
	for (size_t i = 0; open && i < st->n; i++) {
		const struct ctl_node *n = &st->nodes[i];

		while (nopen > 0 && open[nopen - 1] >= n->depth) {
			indent(out, nopen--);
			fputs("}\n", out);
		}
		if (n->supervisor) {
			open_cluster(out, n, live, nopen + 1);
			open[nopen++] = n->depth;
		} else {
			write_node(out, n, live, nopen + 1);
		}
	}
	while (nopen > 0) {
		indent(out, nopen--);
		fputs("}\n", out);
	}
	for (size_t i = 0; i < st->nedges; i++)
		write_edge(out, st, &st->edges[i]);
	fprintf(out, "}\n");
	free(open);
}

static size_t count_nodes(const struct cfg_supervisor *s)
{
	size_t n = 1;

	for (size_t i = 0; i < s->nchildren; i++)
		n += s->children[i].kind == CFG_CHILD_SUPERVISOR ? count_nodes(s->children[i].u.sup) : 1;
	return n;
}

static void add_config_nodes(const struct cfg_supervisor *s, unsigned depth, struct ctl_status *st)
{
	struct ctl_node *n = &st->nodes[st->n++];

	snprintf(n->name, sizeof n->name, "%s", s->name);
	snprintf(n->strategy, sizeof n->strategy, "%s", sv_strategy_name(s->strategy));
	n->supervisor = true;
	n->depth = depth;
	for (size_t i = 0; i < s->nchildren; i++) {
		const struct cfg_child *c = &s->children[i];

		if (c->kind == CFG_CHILD_SUPERVISOR) {
			add_config_nodes(c->u.sup, depth + 1, st);
			continue;
		}
		n = &st->nodes[st->n++];
		snprintf(n->name, sizeof n->name, "%s", c->u.actor->name);
		n->depth = depth + 1;
		n->queue = c->u.actor->queue != NULL;
	}
}

int dot_from_config(const struct cfg *cfg, struct ctl_status *st)
{
	*st = (struct ctl_status){ 0 };
	st->nodes = calloc(count_nodes(cfg->root), sizeof *st->nodes);
	if (!st->nodes || ctl_status_edges(cfg, st) < 0) {
		ctl_status_free(st);
		return -1;
	}
	add_config_nodes(cfg->root, 0, st);
	return 0;
}
