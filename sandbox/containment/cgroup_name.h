/* Names of the cgroups the daemon makes. Pure.
 *
 * An instance's cgroup is its name made safe, with a suffix: cgroup names
 * share a directory with the kernel's interface files ("tasks",
 * "memory.max", "cgroup.procs"), and the daemon's own leaf is "daemon";
 * a suffix no interface file has keeps every instance clear of them, and
 * tells the cgroups this module made from any other in a sweep. */
#ifndef PROSPERO_CGROUP_NAME_H
#define PROSPERO_CGROUP_NAME_H

#include <stdbool.h>
#include <stddef.h>

#define SB_CGROUP_NAME_MAX 256		/* NAME_MAX and its NUL */
#define SB_CGROUP_INST_SUFFIX ".actor"
#define SB_CGROUP_SUBTREE_NAME_LEN 18	/* "prospero-" + 8 hex + NUL */

/* "research#2" -> "research#2.actor". Bytes other than letters, digits,
 * '-', '_', '#', and '.' after the first byte, become %HH. -1 with errno
 * EINVAL (empty) or ENAMETOOLONG (longer than a file name may be). */
int sb_cgroup_inst_name(const char *instance, char *out, size_t len);

/* Does name end in the instance suffix? */
bool sb_cgroup_is_inst_name(const char *name);

/* The subtree a daemon run by hand makes: "prospero-" and a hash of key,
 * which should name what only one live daemon can hold (its locked
 * runtime directory): the next daemon on the same key finds what a dead
 * one left, and daemons on other keys never touch each other's. */
void sb_cgroup_subtree_name(const char *key, char out[SB_CGROUP_SUBTREE_NAME_LEN]);

#endif
