/* A read-only view of the running tree, for `prospero status` and the
 * daemon's STATUS= line. Nothing here changes the tree. */
#ifndef PROSPERO_STATUS_H
#define PROSPERO_STATUS_H

#include <stdbool.h>
#include <stdint.h>

#include "supervisor/tree.h"

struct sv_status {
	const struct sv_node *node;
	unsigned depth;			/* below the node the walk started from */
	enum sv_state state;
	bool held;			/* stopped by the operator: down until started */
	bool backing_off;		/* down, restarting at backoff_until (tree clock, ms) */
	int64_t backoff_until;
	bool should_run;		/* false: down on purpose (held, ended for good,
					 * leaving in a reload, or its supervisor is not
					 * running) */
	int64_t up_since;		/* tree clock, ms; -1 unless up */
	unsigned restarts;		/* times its supervisor restarted it after it failed */
	const struct sv_exit *last_exit;	/* how it last ended; NULL: never */
	/* supervisors: "2/3 in 5 s" */
	enum sv_strategy strategy;
	unsigned window_restarts;	/* restarts that count at now */
	unsigned intensity;		/* more than this within period_ms gives up */
	int64_t period_ms;
};

/* fn gets each node from `from` (NULL: the root) down, depth first in
 * declaration order: the order of an indented view. It returns false to
 * end the walk. */
typedef bool sv_status_fn(const struct sv_status *st, void *arg);
void sv_status_walk(const struct sv_tree *t, const struct sv_node *from, int64_t now,
		    sv_status_fn *fn, void *arg);

struct sv_summary {
	unsigned actors, actors_up;
	unsigned not_running;		/* actor instances that should run and are not up */
};
void sv_status_summary(const struct sv_tree *t, struct sv_summary *sum);

#endif
