/* The cgroup subtree the daemon owns, found once at start.
 *
 * Under systemd with Delegate=yes (the unit's cgroup carries the
 * trusted.delegate or user.delegate xattr), it is the unit's own cgroup:
 * the daemon moves itself into a leaf "daemon" there, since a cgroup that
 * hands controllers to its children may hold no process itself, and makes
 * instance cgroups beside it. Run by hand as root, it is a directory of a
 * name the caller chooses at the unified hierarchy's root. Otherwise
 * there is none, and why is said. */
#ifndef PROSPERO_CGROUP_TREE_H
#define PROSPERO_CGROUP_TREE_H

#include <stdbool.h>

#include "sandbox/containment/cgroup_hier.h"
#include "sandbox/containment/cgroup_name.h"
#include "sandbox/containment/cgroup_v1.h"

#define SB_CGROUP_DAEMON_LEAF "daemon"
#define SB_CGROUP_WHY_MAX 512

enum sb_cgroup_mode {
	SB_CGROUP_OFF,		/* no cgroups: why says so */
	SB_CGROUP_DELEGATED,	/* the systemd unit's cgroup */
	SB_CGROUP_SUBTREE,		/* made by hand at the unified root */
};

struct sb_cgroup_tree {
	enum sb_cgroup_mode mode;
	int fd;			/* where instance cgroups are made; -1 when off */
	int root_fd;		/* SB_CGROUP_SUBTREE: the unified root, to remove it at close */
	bool has_kill;		/* cgroup.kill (Linux 5.14) */
	unsigned v2_ctl;	/* SB_CGROUP_CTL_BITs enabled for instances on v2 */
	struct sb_cgroup_v1 v1;	/* mirrors for the controllers v2 lacks */
	/* SB_CGROUP_CTL_BITs an instance gets a v1 mirror of for accounting
	 * alone, with no limit asking for it; 0 after open (a mirror costs a
	 * mkdir and an rmdir per instance run) */
	unsigned v1_account;
	char name[SB_CGROUP_NAME_MAX];	/* SB_CGROUP_SUBTREE: its name */
	char path[SB_CGROUP_PATH_MAX];	/* for "containment: cgroup PATH" */
	char why[SB_CGROUP_WHY_MAX];	/* SB_CGROUP_OFF: the reason, for
					 * "containment: ... (WHY)" */
};

/* Find or make the subtree. name: the subtree's name when made by hand
 * (sb_cgroup_subtree_name). Returns 0 when cgroups are in use; -1 with errno
 * and t->why set when not (t->mode SB_CGROUP_OFF; the daemon falls back). */
int sb_cgroup_tree_open(struct sb_cgroup_tree *t, const char *name);

/* The same from hierarchies found already (tests give made-up ones). */
int sb_cgroup_tree_open_hier(struct sb_cgroup_tree *t, const struct sb_cgroup_hier *h,
			     const char *name);

/* No cgroups, for the reason given (an option that forces it). */
void sb_cgroup_tree_disable(struct sb_cgroup_tree *t, const char *why);

/* Hold a subtree made by hand for as long as T is open (flock on its
 * fd): the runtime directory's lock keeps a second daemon off it, but not
 * once that directory was removed under a running daemon, whose actors
 * the second one's sweep would then kill. Held by another, it is tried
 * again for up to WAIT_MS (a daemon SIGKILLed while a child of it had yet
 * to exec leaves the lock with that child until it execs or dies). -1
 * with errno EBUSY when another still holds it: T then leaves the subtree
 * and its v1 mirrors where they are when closed. 0 when held, or not made
 * by hand. */
int sb_cgroup_tree_lock(struct sb_cgroup_tree *t, int wait_ms);

/* Close its fds; a subtree made by hand is removed, if it is empty (a
 * clean stop leaves no cgroup behind). */
void sb_cgroup_tree_close(struct sb_cgroup_tree *t);

#endif
