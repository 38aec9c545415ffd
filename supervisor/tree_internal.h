/* Shared between the tree's files; not for the process layer. */
#ifndef PROSPERO_TREE_INTERNAL_H
#define PROSPERO_TREE_INTERNAL_H

#include "supervisor/tree.h"

struct sv_action *sv_emit(struct sv_tree *t, enum sv_action_kind kind, struct sv_node *n);
struct sv_action *sv_emit_report(struct sv_tree *t, enum sv_report r, struct sv_node *n,
				 const struct sv_exit *e, enum sv_stop_why why,
				 const struct sv_node *cause);

/* Every node, actor or supervisor, is started and stopped through these. */
void sv_node_start(struct sv_tree *t, struct sv_node *n, int64_t now);
void sv_node_stop(struct sv_tree *t, struct sv_node *n, enum sv_stop_why why,
		  const struct sv_node *cause, int64_t now);
/* A node reports upward that it is ready or down. */
void sv_node_up(struct sv_tree *t, struct sv_node *n, int64_t now);
void sv_node_down(struct sv_tree *t, struct sv_node *n, const struct sv_exit *e, int64_t now);

/* A child's to_start and to_stop are set true through these, which keep
 * its supervisor's scan hints (tree.h) true; setting either false needs
 * nothing. */
static inline void sv_mark_to_start(struct sv_node *c)
{
	struct sv_node *s = c->parent;

	c->to_start = true;
	if (!s || c->index >= s->nchildren)
		return;		/* not yet in place: its supervisor's reshape starts over */
	if (c->index < s->start_from)
		s->start_from = c->index;
	if (s->start_clear_tail > s->nchildren - 1 - c->index)
		s->start_clear_tail = s->nchildren - 1 - c->index;
}

static inline void sv_mark_to_stop(struct sv_node *c)
{
	struct sv_node *s = c->parent;

	c->to_stop = true;
	if (!s || c->index >= s->nchildren)
		return;
	if (c->index < s->stop_clear_head)
		s->stop_clear_head = c->index;
	if (s->stop_clear_tail > s->nchildren - 1 - c->index)
		s->stop_clear_tail = s->nchildren - 1 - c->index;
}

/* actor.c */
void sv_actor_start(struct sv_tree *t, struct sv_node *a);
void sv_actor_stop(struct sv_tree *t, struct sv_node *a, enum sv_stop_why why,
		   const struct sv_node *cause);
void sv_actor_event(struct sv_tree *t, struct sv_node *a, const struct sv_event *ev, int64_t now);

/* supervise.c */
void sv_sup_start(struct sv_tree *t, struct sv_node *s, int64_t now);
void sv_sup_stop(struct sv_tree *t, struct sv_node *s, enum sv_stop_why why,
		 const struct sv_node *cause, const struct sv_exit *reason, int64_t now);
void sv_sup_child_up(struct sv_tree *t, struct sv_node *s, struct sv_node *c, int64_t now);
void sv_sup_child_down(struct sv_tree *t, struct sv_node *s, struct sv_node *c,
		       const struct sv_exit *e, int64_t now);
void sv_sup_kick(struct sv_tree *t, struct sv_node *s, int64_t now);

/* backoff.c */
void sv_backoff_arm(struct sv_tree *t, struct sv_node *s, int64_t now);
void sv_backoff_cancel(struct sv_tree *t, struct sv_node *s);
void sv_backoff_timer(struct sv_tree *t, struct sv_node *s, int64_t now);

/* reload.c */
void sv_reload_apply(struct sv_tree *t, int64_t now);
void sv_reshape(struct sv_tree *t, struct sv_node *s, int64_t now);
void sv_free_dead(struct sv_tree *t);
void sv_reload_free(struct sv_tree *t);

/* tree.c */
/* Room for CAP ids in t->nodes and t->free_ids; -1 on ENOMEM. */
int sv_tree_room(struct sv_tree *t, unsigned cap);
void sv_node_free(struct sv_node *n);
void sv_subtree_free(struct sv_node *n);

/* operator.c */
void sv_operator(struct sv_tree *t, const struct sv_event *ev, int64_t now);
void sv_hold(struct sv_node *n);

#endif
