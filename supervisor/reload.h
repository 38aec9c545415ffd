/* Live reload, the pure part: the difference between the running tree and
 * a new one, and its application, as OTP's release handling and s6-rc
 * apply a new configuration.
 *
 * The new tree is built with the same calls as the first (sv_add_*,
 * sv_set_backoff; it need not be sealed): the config layer has one way to
 * describe a tree, and the plan compares like with like. On the new
 * tree's nodes the caller sets .changed where only a restart can apply
 * the spec (exec, env, bindings, secrets...: what the tree does not see),
 * and .user where the node will be adopted (ADD, RESTART). Nodes match by
 * name under the same parent (the roots always match):
 *
 *   KEEP     the same: it keeps running, nothing is done
 *   CHANGE   settings only (strategy, intensity, period, backoff, restart
 *            type, shutdown, ready, start_timeout; a supervisor's child
 *            order): applied in place, no restart. A shorter intensity
 *            keeps the newest restarts
 *   RESTART  .changed, or actor and supervisor swapped: stopped, replaced
 *            by the new node, which starts in its place (a held, or an
 *            ended temporary, node stays down)
 *   ADD      started in its declared place, with its subtree
 *   REMOVE   stopped (reverse order, with its subtree) and removed
 *
 * A node that moved to another supervisor is a REMOVE and an ADD, and the
 * new one starts only once the old one has left. Per supervisor the
 * reload is one operation: stops of what goes (reverse order), then the
 * new children in place, then starts of what comes (in order); supervisors
 * do theirs independently, and one that is busy does it after what it is
 * doing. Nothing is counted toward intensity.
 *
 * Use: sv_reload_plan() (a dry run stops here), sv_reload_prepare()
 * (allocates all a reload needs; the tree's restart path never does), then
 * feed SV_EV_RELOAD. It reports SV_REPORT_OPERATOR (op SV_OP_RELOAD) on
 * the root; stops read SV_WHY_RELOAD; every node that leaves gets
 * SV_DO_RETIRE once down; SV_REPORT_RELOADED when every supervisor has
 * its new children. Afterwards the new tree (which keeps only the nodes
 * the running one did not take) may be freed; every node's name is then
 * the new tree's string, so the old config may go too. */
#ifndef PROSPERO_RELOAD_H
#define PROSPERO_RELOAD_H

#include <stddef.h>

#include "supervisor/tree.h"

enum sv_plan_kind {
	SV_PLAN_KEEP,		/* .old, .new: the same */
	SV_PLAN_CHANGE,		/* .old takes .new's settings */
	SV_PLAN_RESTART,	/* .old is replaced by .new (and its subtree) */
	SV_PLAN_ADD,		/* .new (and its subtree) */
	SV_PLAN_REMOVE,		/* .old (and its subtree) */
};

struct sv_plan_item {
	enum sv_plan_kind kind;
	struct sv_node *old;	/* in the running tree; NULL for ADD */
	struct sv_node *new;	/* in the new tree; NULL for REMOVE */
};

/* In the new tree's order (a supervisor before its children), then the
 * REMOVE items in the running tree's order. Nodes inside an added, removed
 * or replaced subtree have no item of their own. */
struct sv_plan {
	struct sv_plan_item *items;
	size_t n, cap;
};

/* -1 with errno ENOMEM, or EBUSY while a reload is still being applied.
 * Changes neither tree. */
int sv_reload_plan(const struct sv_tree *t, const struct sv_tree *nt, struct sv_plan *p);
void sv_plan_fini(struct sv_plan *p);
const char *sv_plan_kind_name(enum sv_plan_kind k);

/* -1 with errno: ENOMEM (nothing changed), EBUSY (a reload is still being
 * applied, or one is prepared). The plan may be freed after; nt must stay
 * as it is until SV_EV_RELOAD has been handled. */
int sv_reload_prepare(struct sv_tree *t, struct sv_tree *nt, const struct sv_plan *p);

#endif
