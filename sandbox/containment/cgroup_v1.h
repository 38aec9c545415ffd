/* The v1 mirrors of a hybrid host. There the unified hierarchy holds
 * every process but no controller; memory, pids and cpu sit on v1
 * hierarchies of their own. An instance that needs one of them gets a
 * cgroup of the same name there too, under a mirror parent: the daemon's
 * own cgroup in that hierarchy when it is delegated, else a directory of
 * the subtree's name at that hierarchy's root (as in the unified one).
 *
 * Containment stays with the unified hierarchy (kill, emptiness); the
 * mirrors only limit and account. v1 has no CLONE_INTO_CGROUP: the child
 * joins them itself, first thing (cgroup_join.h). */
#ifndef PROSPERO_CGROUP_V1_H
#define PROSPERO_CGROUP_V1_H

#include "sandbox/containment/cgroup_hier.h"
#include "sandbox/containment/cgroup_name.h"

struct sb_cgroup_v1 {
	int fd[SB_CGROUP_NCTL];		/* mirror parents; -1 where none */
	int err[SB_CGROUP_NCTL];		/* where none, why: ENOENT not mounted,
					 * else the errno of making it */
	int root_fd[SB_CGROUP_NCTL];	/* a subtree made at the root: its parent, to remove it */
	char name[SB_CGROUP_NAME_MAX];	/* the subtree's name; "" when delegated */
};

/* Mirror parents for the controllers in need. subtree NULL: the daemon's
 * own v1 cgroups (delegated); else a directory of that name at each
 * hierarchy's root, made if absent. Never fails: a controller it cannot
 * have gets fd -1 and err set. */
void sb_cgroup_v1_open(struct sb_cgroup_v1 *v, const struct sb_cgroup_hier *h,
		       const char *subtree, unsigned need);

/* Close the parents; remove those it made, if they are empty. */
void sb_cgroup_v1_close(struct sb_cgroup_v1 *v);

/* The mirror of instance name under controller c's parent: made (or an
 * existing one opened) and its directory fd returned. */
int sb_cgroup_v1_make(const struct sb_cgroup_v1 *v, enum sb_cgroup_ctl c, const char *name);

/* The mirror of name under controller c's parent, opened. */
int sb_cgroup_v1_open_inst(const struct sb_cgroup_v1 *v, enum sb_cgroup_ctl c, const char *name);

/* Remove name's mirrors for the controllers in mask; those already gone
 * are fine. -1 with the first errno (EBUSY: a member is still alive). */
int sb_cgroup_v1_remove(const struct sb_cgroup_v1 *v, unsigned mask, const char *name);

#endif
