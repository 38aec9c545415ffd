/* Confinement, the daemon's side (DESIGN.md section 3): what it finds
 * out and builds once — its own standing (root, CAP_SETPCAP), the pool of
 * dynamic uids, the socket the children hand
 * their listeners back on — and, from those, each instance's plan, which
 * the spawn child applies (sandbox/child/confine.h). */
#ifndef PROSPERO_DAEMON_CONFINEMENT_H
#define PROSPERO_DAEMON_CONFINEMENT_H

#include <stdbool.h>
#include <stddef.h>

#include "sandbox/daemon/uidpool.h"
#include "sandbox/seccomp/filter.h"

struct daemon;
struct daemon_opts;
struct cfg;
struct cfg_actor;
struct instance;

struct confinement {
	int handoff[2];			/* the children send their seccomp listeners here */
	bool privileged;		/* CAP_SETPCAP: may shrink the bounding set */
	bool private_ipc;		/* confinement_may_private_ipc() */
	bool dynamic_uids;		/* root: every actor instance its own uid */
	struct sb_uidpool uids;
	struct sb_uid_snapshot uids_in_use;	/* passwd and group, read once */
	uint8_t *uids_alive;		/* bit per id of the range: a process has it, when last looked */
	bool uids_recheck;		/* uids_alive is looked at again before it is next used */
	int last_cap;
	uint64_t bounding;		/* the daemon's bounding set, its children's at clone */
};

/* Before anything can fail: nothing held. */
void confinement_init(struct confinement *c);
/* Whether this process may change ids and keep capabilities for an actor
 * (CAP_SETPCAP): what "user" and "capabilities" need. */
bool confinement_privileged(void);
/* Whether actors get dynamic uids: root that may change ids (without
 * CAP_SETPCAP a root daemon changes none). */
bool confinement_dynamic_uids(void);
/* Whether this process may set an actor's rlimit above its own hard one
 * (CAP_SYS_RESOURCE). */
bool confinement_may_raise_limits(void);
/* Whether this process may make an actor's mount and network namespaces
 * (CAP_SYS_ADMIN): what "private_tmp", "private_network" and
 * "read_only" need. */
bool confinement_may_unshare(void);
/* Whether actors get an IPC namespace and /dev/shm of their own unless
 * "private_ipc": false: as root, with CAP_SYS_ADMIN to make them. */
bool confinement_may_private_ipc(void);
/* Whether the fresh /tmp of "private_tmp", or with PRIVATE_IPC the fresh
 * /dev/shm, would hide RUNDIR or STATE_DIR (NULL: none) from actor A: the
 * key to blame ("private_tmp", "private_ipc") and what to say, into MSG;
 * NULL if neither would. */
const char *confinement_hides(const struct cfg_actor *a, bool private_ipc, const char *rundir,
			      const char *state_dir, char *msg, size_t len);
/* -1 with errno, said on stderr. */
int confinement_setup(struct daemon *d, const struct daemon_opts *opts);
void confinement_teardown(struct daemon *d);
/* The daemon's bounding set narrowed, once, to the capabilities CFG's
 * actors keep (what a later reload adds stays givable: inheritable), so
 * no start drops a full set. Said on stderr if it cannot be. */
void confinement_narrow_bounding(struct daemon *d, const struct cfg *cfg);
/* Which uids of the range processes hold is looked at again before the
 * next new uid is handed out (a reload's new actors get none of them). */
void confinement_uids_recheck(struct daemon *d);

/* For a dry run, without taking or probing: would actor A's instance
 * NAME need a new dynamic uid, and is one of *LEFT (sb_uidpool_left's
 * count, less those counted before) there for it? -1 with errno ENOSPC
 * and MSG in the words of the reload it stands for when not. */
int confinement_dry_take(const struct daemon *d, const struct cfg_actor *a, const char *name,
			 size_t *left, char *msg, size_t len);
/* IN's confinement steps, from its spec, its generation's filter and the
 * daemon's standing: -1
 * with errno and MSG saying why when they cannot be had. */
int confinement_plan(struct daemon *d, struct instance *in, char *msg, size_t len);

#endif
