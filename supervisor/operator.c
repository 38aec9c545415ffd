/* Operator actions: marks on the node, carried out by its supervisor's
 * operation machinery like any restart (supervise.c). See operator.h. */

#include <errno.h>
#include <signal.h>

#include "supervisor/operator.h"
#include "supervisor/tree_internal.h"

static bool running(const struct sv_node *n)
{
	return n->state == SV_UP || n->state == SV_STARTING;
}

int sv_operator_check(const struct sv_tree *t, enum sv_op op, const struct sv_node *n, int sig)
{
	if (!n || !n->parent)
		return -EINVAL;
	if (t->down)
		return -ESRCH;
	if (op == SV_OP_RELOAD)
		return -EINVAL;	/* not on a node: sv_reload_prepare() and SV_EV_RELOAD */
	if (op == SV_OP_KILL) {
		if (n->kind != SV_NODE_ACTOR || sig <= 0 || sig >= NSIG)
			return -EINVAL;
		return n->state == SV_DOWN ? -ESRCH : 0;
	}
	if (n->retiring)
		return -ESRCH;	/* a reload removes it */
	for (const struct sv_node *p = n->parent; p; p = p->parent)
		if (!running(p))
			return -ESRCH;
	switch (op) {
	case SV_OP_STOP:
		/* stopping for any reason (a restart, a sibling's, a give-up, a
		 * start timeout) is refused as status shows it: what follows the
		 * stop is the restart's, not the operator's */
		return n->held || n->state == SV_STOPPING ? -EALREADY : 0;
	case SV_OP_START:
		/* a stop held until the child being started is ready is a
		 * stopping node too, as status shows it */
		if (n->state == SV_STOPPING || (n->held && running(n)))
			return -EBUSY;
		return n->state != SV_DOWN || n->to_start ? -EALREADY : 0;
	default:
		return 0;
	}
}

void sv_hold(struct sv_node *n)
{
	n->held = true;
	n->op_start = n->to_start = n->pending = n->waiting = false;
	if (n->restart == SV_TEMPORARY)
		n->removed = true;	/* OTP's terminate_child deletes a temporary child */
}

/* A node already stopping is marked too: its exit is then expected, not
 * a failure to restart it for. */
static void mark_stop(struct sv_node *n)
{
	if (n->state == SV_DOWN)
		return;
	sv_mark_to_stop(n);
	if (!running(n))
		return;
	n->own_why = true;
	n->why = SV_WHY_OPERATOR;
}

static void mark_start(struct sv_node *n)
{
	n->held = n->removed = n->pending = n->waiting = false;	/* a queued exit, a backoff: superseded */
	n->op_start = true;
	sv_mark_to_start(n);
}

void sv_operator(struct sv_tree *t, const struct sv_event *ev, int64_t now)
{
	struct sv_node *n = ev->node;
	struct sv_action *a = sv_emit_report(t, SV_REPORT_OPERATOR, n, NULL, 0, NULL);

	a->op = ev->op;
	a->sig = ev->sig;
	switch (ev->op) {
	case SV_OP_KILL:
		sv_emit(t, SV_DO_SIGNAL, n)->sig = ev->sig;
		return;
	case SV_OP_RELOAD:
		return;		/* refused by sv_operator_check() */
	case SV_OP_STOP:
		sv_hold(n);
		mark_stop(n);
		break;
	case SV_OP_RESTART:
		mark_stop(n);
		mark_start(n);
		break;
	case SV_OP_START:
		mark_start(n);
		break;
	}
	sv_backoff_arm(t, n->parent, now);	/* n may have been waiting */
	sv_sup_kick(t, n->parent, now);
}

const char *sv_op_name(enum sv_op op)
{
	static const char *const names[] = {
		[SV_OP_RESTART] = "restart",
		[SV_OP_STOP] = "stop",
		[SV_OP_START] = "start",
		[SV_OP_KILL] = "kill",
		[SV_OP_RELOAD] = "reload",
	};
	return (size_t)op < sizeof names / sizeof *names ? names[op] : "?";
}
