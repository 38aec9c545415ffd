/* The tree of a config as supervision-tree nodes, at start-up and for a
 * reload alike, so both describe a tree the same way. */
#ifndef PROSPERO_DAEMON_BUILD_H
#define PROSPERO_DAEMON_BUILD_H

#include "src/config/config.h"
#include "supervisor/tree.h"

/* Called for each actor instance node N as it is added: instance INDEX
 * (1-based) of A, named NAME ("name", or "name#i" in a pool; malloc'ed,
 * now the callback's in any case). -1 stops the build. */
typedef int (*build_actor_fn)(void *ctx, const struct cfg_actor *a, unsigned index,
			      struct sv_node *n, char *name);

/* S and everything below it added to T under PARENT (NULL: S is the
 * root). -1 with errno. */
int build_tree(struct sv_tree *t, const struct cfg_supervisor *s, struct sv_node *parent,
	       build_actor_fn fn, void *ctx);

/* Actor instances below S. */
size_t build_count_instances(const struct cfg_supervisor *s);

#endif
