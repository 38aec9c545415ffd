/* What run refuses of a tree before it starts anything (and check says
 * too, and a reload refuses the same way), beyond what the loader checks:
 * what this daemon, on this host, cannot give it. Each adds its
 * diagnostics to DIAG, at the positions in the files, and returns -1 when
 * it added an error. */
#ifndef PROSPERO_DAEMON_TREE_CHECKS_H
#define PROSPERO_DAEMON_TREE_CHECKS_H

#include <stdbool.h>

#include "src/config/config.h"
#include "src/config/diag.h"
#include "src/daemon/daemon.h"

/* An rlimit above this process's hard one, which needs CAP_SYS_RESOURCE:
 * an error when ERROR (run, reload), else a warning (check). */
int tree_check_rlimits(const struct cfg *cfg, bool error, struct cfg_diag *diag);
/* "user" or "capabilities" without CAP_SETPCAP (not root); a capability
 * to keep that this process does not hold permitted and bounding;
 * "private_tmp", "private_network" or "read_only" without CAP_SYS_ADMIN. */
int tree_check_privileges(const struct cfg *cfg, struct cfg_diag *diag);
/* A cgroup limit ("memory", "tasks", "cpu_weight") that this daemon's
 * containment cannot apply: such an actor could only fail to start. */
int tree_check_cgroup_limits(const struct daemon *d, const struct cfg *cfg, struct cfg_diag *diag);
/* An actor of a dynamic uid (root daemon, no "user"), which is "others"
 * to every file, whose executable it could not reach: a directory on the
 * way others may not search, or a program others may not run (its start
 * would fail with EACCES); or, with "state", a directory above the state
 * root others may not search (its own state would be EACCES). Warnings. */
void tree_check_reach(const struct cfg *cfg, const struct daemon_opts *opts, struct cfg_diag *diag);
/* "private_tmp" or "private_ipc" hiding the runtime or state directory
 * from the actor. */
int tree_check_private_mounts(const struct cfg *cfg, const struct daemon_opts *opts, struct cfg_diag *diag);

#endif
