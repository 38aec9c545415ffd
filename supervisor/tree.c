/* Building the tree, the action buffer, and the one entry point. */

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/operator.h"
#include "supervisor/tree_internal.h"

struct sv_tree *sv_tree_new(void)
{
	return calloc(1, sizeof(struct sv_tree));
}

int sv_tree_room(struct sv_tree *t, unsigned cap)
{
	struct sv_node **nodes;
	unsigned *ids;

	if (cap <= t->cap_nodes)
		return 0;
	if (!(nodes = realloc(t->nodes, cap * sizeof *nodes)))
		return -1;
	t->nodes = nodes;
	if (!(ids = realloc(t->free_ids, cap * sizeof *ids)))
		return -1;
	t->free_ids = ids;
	t->cap_nodes = cap;
	return 0;
}

static struct sv_node *add_node(struct sv_tree *t, struct sv_node *parent,
				const char *name, enum sv_node_kind kind)
{
	struct sv_node *n;

	if (t->sealed || (parent && parent->kind != SV_NODE_SUPERVISOR) ||
	    (!parent && t->root)) {
		errno = EINVAL;
		return NULL;
	}
	if (t->nnodes == t->cap_nodes && sv_tree_room(t, t->cap_nodes ? t->cap_nodes * 2 : 16) < 0)
		return NULL;
	if (parent) {
		struct sv_node **ch = realloc(parent->children,
					      (parent->nchildren + 1) * sizeof *ch);
		if (!ch)
			return NULL;
		parent->children = ch;
	}
	n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	n->kind = kind;
	n->name = name;
	n->up_since = n->ran_ms = -1;
	n->parent = parent;
	n->id = t->nnodes;
	t->nodes[t->nnodes++] = n;
	if (parent) {
		n->index = parent->nchildren;
		parent->children[parent->nchildren++] = n;
	} else {
		t->root = n;
	}
	return n;
}

struct sv_node *sv_add_supervisor(struct sv_tree *t, struct sv_node *parent,
				  const char *name, enum sv_strategy strategy,
				  unsigned intensity, long period_ms,
				  enum sv_restart restart)
{
	struct sv_node *n = add_node(t, parent, name, SV_NODE_SUPERVISOR);

	if (!n)
		return NULL;
	n->strategy = strategy;
	n->restart = restart;
	n->shutdown_ms = SV_SHUTDOWN_INFINITY;
	if (sv_intensity_init(&n->intensity, intensity, period_ms) < 0)
		return NULL;	/* n stays in t->nodes and is freed with it */
	return n;
}

struct sv_node *sv_add_actor(struct sv_tree *t, struct sv_node *parent,
			     const char *name, enum sv_restart restart,
			     long shutdown_ms, enum sv_ready ready,
			     long start_timeout_ms)
{
	struct sv_node *n;

	/* the root is a supervisor; shutdown values as in spec.h */
	if (!parent || shutdown_ms < SV_SHUTDOWN_BRUTAL_KILL) {
		errno = EINVAL;
		return NULL;
	}
	n = add_node(t, parent, name, SV_NODE_ACTOR);
	if (!n)
		return NULL;
	n->restart = restart;
	n->shutdown_ms = shutdown_ms;
	n->ready = ready;
	n->start_timeout_ms = start_timeout_ms;
	return n;
}

int sv_tree_seal(struct sv_tree *t)
{
	if (!t->root) {
		errno = EINVAL;
		return -1;
	}
	for (unsigned i = 0; i < t->nnodes; i++) {
		struct sv_node *n = t->nodes[i];
		if (n->kind != SV_NODE_SUPERVISOR || n->nchildren == 0)
			continue;
		n->pendq = calloc(n->nchildren, sizeof *n->pendq);
		if (!n->pendq)
			return -1;
	}
	/* An event touches each node a bounded number of times (a report, a
	 * signal, a timer, a spawn); this is room for all of them at once. */
	t->cap_acts = 8 * (size_t)t->nnodes + 32;
	t->acts = calloc(t->cap_acts, sizeof *t->acts);
	if (!t->acts)
		return -1;
	t->sealed = true;
	return 0;
}

void sv_node_free(struct sv_node *n)
{
	sv_intensity_fini(&n->intensity);
	free(n->children);
	free(n->pendq);
	free(n);
}

void sv_subtree_free(struct sv_node *n)
{
	for (unsigned i = 0; i < n->nchildren; i++)
		sv_subtree_free(n->children[i]);
	sv_node_free(n);
}

void sv_tree_free(struct sv_tree *t)
{
	if (!t)
		return;
	sv_reload_free(t);
	for (unsigned i = 0; i < t->nnodes; i++)
		if (t->nodes[i])
			sv_node_free(t->nodes[i]);
	free(t->nodes);
	free(t->free_ids);
	free(t->acts);
	free(t);
}

struct sv_action *sv_emit(struct sv_tree *t, enum sv_action_kind kind, struct sv_node *n)
{
	struct sv_action *a;

	if (t->nacts == t->cap_acts) {
		/* cannot happen within the bound above; grow rather than drop */
		size_t cap = t->cap_acts * 2;
		struct sv_action *acts = realloc(t->acts, cap * sizeof *acts);
		if (!acts)
			abort();
		t->acts = acts;
		t->cap_acts = cap;
	}
	a = &t->acts[t->nacts++];
	memset(a, 0, sizeof *a);
	a->kind = kind;
	a->node = n;
	return a;
}

struct sv_action *sv_emit_report(struct sv_tree *t, enum sv_report r, struct sv_node *n,
				 const struct sv_exit *e, enum sv_stop_why why,
				 const struct sv_node *cause)
{
	struct sv_action *a = sv_emit(t, SV_DO_REPORT, n);

	a->report = r;
	if (e)
		a->exit = *e;
	a->why = why;
	a->cause = cause;
	return a;
}

void sv_node_start(struct sv_tree *t, struct sv_node *n, int64_t now)
{
	n->pending = false;	/* an exit queued for an older incarnation is void */
	if (n->kind == SV_NODE_ACTOR) {
		sv_actor_start(t, n);
		return;
	}
	sv_emit_report(t, SV_REPORT_START, n, NULL, 0, NULL);
	sv_sup_start(t, n, now);
}

void sv_node_stop(struct sv_tree *t, struct sv_node *n, enum sv_stop_why why,
		  const struct sv_node *cause, int64_t now)
{
	static const struct sv_exit shutdown = { .kind = SV_EXIT_SHUTDOWN },
				    by_operator = { .kind = SV_EXIT_SHUTDOWN, .value = SV_WHY_OPERATOR };

	if (n->kind == SV_NODE_ACTOR) {
		sv_actor_stop(t, n, why, cause);
		return;
	}
	if (n->state != SV_UP && n->state != SV_STARTING)
		return;
	sv_emit_report(t, SV_REPORT_STOP, n, NULL, why, cause);
	/* its last exit names the operator as its stop event does, through
	 * a start or restart after */
	sv_sup_stop(t, n, why, cause, why == SV_WHY_OPERATOR ? &by_operator : &shutdown, now);
}

void sv_node_up(struct sv_tree *t, struct sv_node *n, int64_t now)
{
	n->up_since = now;
	if (!n->parent) {
		sv_emit(t, SV_DO_TREE_READY, n);
		return;
	}
	sv_sup_child_up(t, n->parent, n, now);
}

void sv_node_down(struct sv_tree *t, struct sv_node *n, const struct sv_exit *e, int64_t now)
{
	n->ran_ms = n->up_since >= 0 ? now - n->up_since : -1;
	n->up_since = -1;
	n->has_ended = true;
	n->last_exit = *e;
	if (n->kind == SV_NODE_SUPERVISOR && n->parent && e->kind == SV_EXIT_GAVE_UP)
		sv_emit_report(t, SV_REPORT_ESCALATE, n, e, 0, n->parent);
	if (!n->parent) {
		sv_emit(t, SV_DO_TREE_DOWN, n)->exit = *e;
		t->down = true;
		return;
	}
	sv_sup_child_down(t, n->parent, n, e, now);
}

size_t sv_handle(struct sv_tree *t, const struct sv_event *ev, int64_t now_ms,
		 const struct sv_action **out)
{
	static const struct sv_exit shutdown = { .kind = SV_EXIT_SHUTDOWN };

	t->nacts = 0;
	sv_free_dead(t);
	switch (ev->kind) {
	case SV_EV_BOOT:
		if (t->root->state == SV_DOWN && !t->down)
			sv_node_start(t, t->root, now_ms);
		break;
	case SV_EV_SHUTDOWN:
		if (t->root->state == SV_UP || t->root->state == SV_STARTING) {
			sv_emit_report(t, SV_REPORT_STOP, t->root, NULL, SV_WHY_SHUTDOWN, NULL);
			sv_sup_stop(t, t->root, SV_WHY_SHUTDOWN, NULL, &shutdown, now_ms);
		}
		break;
	case SV_EV_READY:
	case SV_EV_EXIT:
	case SV_EV_TIMER:
		if (ev->node && ev->node->kind == SV_NODE_ACTOR)
			sv_actor_event(t, ev->node, ev, now_ms);
		else if (ev->node && ev->kind == SV_EV_TIMER)
			sv_backoff_timer(t, ev->node, now_ms);
		break;
	case SV_EV_OPERATOR:
		if (sv_operator_check(t, ev->op, ev->node, ev->sig) == 0)
			sv_operator(t, ev, now_ms);
		break;
	case SV_EV_RELOAD:
		sv_reload_apply(t, now_ms);
		break;
	}
	*out = t->acts;
	return t->nacts;
}

struct sv_node *sv_find(const struct sv_tree *t, const char *name)
{
	for (unsigned i = 0; i < t->nnodes; i++)
		if (t->nodes[i] && strcmp(t->nodes[i]->name, name) == 0)
			return t->nodes[i];
	return NULL;
}

bool sv_exit_is_normal(const struct sv_exit *e)
{
	/* a supervisor that gave up ends as OTP's does, with reason shutdown */
	return (e->kind == SV_EXIT_STATUS && e->value == 0) || e->kind == SV_EXIT_SHUTDOWN ||
	       e->kind == SV_EXIT_GAVE_UP;
}

const char *sv_signal_name(int sig, char buf[SV_SIGNAME_MAX])
{
	const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;

	/* glibc names the real-time ones only by number */
	if (abbrev)
		snprintf(buf, SV_SIGNAME_MAX, "SIG%s", abbrev);
	else if (sig == SIGRTMAX || sig == SIGRTMIN)
		snprintf(buf, SV_SIGNAME_MAX, sig == SIGRTMIN ? "SIGRTMIN" : "SIGRTMAX");
	else if (sig > SIGRTMIN && sig < SIGRTMAX)
		snprintf(buf, SV_SIGNAME_MAX, "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, SV_SIGNAME_MAX, "SIG%d", sig);
	return buf;
}

void sv_exit_describe(const struct sv_exit *e, char *buf, size_t len)
{
	const char *pre = e->before_ready ? "before ready: " : "";
	char name[SV_SIGNAME_MAX];

	switch (e->kind) {
	case SV_EXIT_STATUS:
		snprintf(buf, len, "%sexited with status %d", pre, e->value);
		break;
	case SV_EXIT_SIGNAL:
		snprintf(buf, len, "%skilled by %s", pre, sv_signal_name(e->value, name));
		break;
	case SV_EXIT_EXEC_FAILED:
		snprintf(buf, len, "exec failed: %s", strerror(e->value));
		break;
	case SV_EXIT_START_TIMEOUT:
		snprintf(buf, len, "not ready within %d ms", e->value);
		break;
	case SV_EXIT_SHUTDOWN:
		snprintf(buf, len, "%s", e->value == SV_WHY_OPERATOR ? sv_stop_why_name(SV_WHY_OPERATOR) : "shutdown");
		break;
	case SV_EXIT_GAVE_UP:
		snprintf(buf, len, "supervisor gave up: restart intensity exceeded");
		break;
	case SV_EXIT_START_FAILED:
		snprintf(buf, len, "supervisor failed to start its children");
		break;
	}
}

const char *sv_report_name(enum sv_report r)
{
	static const char *const names[] = {
		[SV_REPORT_START] = "start",
		[SV_REPORT_READY] = "ready",
		[SV_REPORT_RESTART] = "restart",
		[SV_REPORT_STOP] = "stop",
		[SV_REPORT_GIVE_UP] = "give_up",
		[SV_REPORT_ESCALATE] = "escalate",
		[SV_REPORT_OPERATOR] = "operator",
		[SV_REPORT_RELOADED] = "reloaded",
	};
	return names[r];
}

const char *sv_stop_why_name(enum sv_stop_why w)
{
	static const char *const names[] = {
		[SV_WHY_SHUTDOWN] = "shutdown",
		[SV_WHY_SIBLING] = "sibling restart",
		[SV_WHY_GIVE_UP] = "supervisor gave up",
		[SV_WHY_START_FAILED] = "start failed",
		[SV_WHY_START_TIMEOUT] = "start timeout",
		[SV_WHY_OPERATOR] = "operator",
		[SV_WHY_RELOAD] = "reload",
	};
	return names[w];
}
