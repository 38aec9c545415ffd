/* Which instances keep their IPC and mount namespaces for their next
 * run, and when they let go (the mechanism: sandbox/daemon/ns_keep.h,
 * sandbox/child/ns_enter.h). An instance keeps them once it has been
 * restarted, only across a restart that follows its end at once, and
 * only when the namespaces hold nothing a run could change but what
 * sb_ns_keep_empty looks at: no read_only, private_tmp or network
 * namespace, no capabilities, not root. */
#ifndef PROSPERO_DAEMON_NS_REUSE_H
#define PROSPERO_DAEMON_NS_REUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "sandbox/child/ns_enter.h"
#include "sandbox/daemon/ns_keep.h"

struct cfg;
struct daemon;
struct instance;

struct ns_reuse {
	int home;			/* the daemon's IPC namespace; -1: nothing is kept */
	size_t held;			/* instances holding a pair */
	size_t room;			/* how many may: SB_NS_KEEP_FDS each, beyond the tree's budget */
	const struct cfg *room_for;	/* the config ROOM was counted for */
	rlim_t room_limit;		/* and the hard open-file limit */
	/* ends being told to the tree, innermost last (ns_reuse_ending);
	 * NULL where that instance was released meanwhile */
	struct instance *ending[4];
	unsigned nending;
};

void ns_reuse_init(struct ns_reuse *r);
/* A root daemon that gives actors namespaces; failure only means nothing
 * is kept. */
void ns_reuse_setup(struct daemon *d);
void ns_reuse_teardown(struct daemon *d);

/* Before IN's spawn, in its confinement plan: the kept pair its child
 * may enter, in K (a pair found in use is let go, and IN keeps none
 * again), or whether the child is to hand over the new pair it makes. */
void ns_reuse_offer(struct daemon *d, struct instance *in, struct sb_ns_kept *k);
/* After it: PID, or -1 when the spawn failed (then what the child sent
 * is the caller's to discard: violation_discard). */
void ns_reuse_spawned(struct daemon *d, struct instance *in, pid_t pid);

/* IN's end is about to be told to the tree; ns_reuse_ended after, with
 * what ns_reuse_ending returned (ends told while one is may nest). A pair
 * stays held only if the tree started IN again meanwhile: a stopped
 * actor's shared memory must not outlive it. */
unsigned ns_reuse_ending(struct daemon *d, struct instance *in);
void ns_reuse_ended(struct daemon *d, struct instance *in, unsigned token);
/* IN is going (instance_free) or leaving the tree (reload). */
void ns_reuse_release(struct daemon *d, struct instance *in);

#endif
