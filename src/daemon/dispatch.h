/* The dispatcher: events go to the tree (supervisor/tree.h), and the
 * actions it decides are carried out here. An event raised while actions
 * run (a spawn that fails at once, readiness at exec) waits in a queue and
 * is fed after them: the tree never sees an event inside sv_handle. */
#ifndef PROSPERO_DAEMON_DISPATCH_H
#define PROSPERO_DAEMON_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ev.h>

#include "supervisor/tree.h"

struct daemon;

struct dispatch {
	struct sv_event *queue;		/* a ring, sized at start-up and reload */
	size_t cap, head, len;
	bool running;			/* inside the loop of dispatch_feed */
	ev_check resume;		/* what is queued, after a turn given to the control socket */
	ev_idle spin;			/* meanwhile: that turn's poll does not wait */
	int signal_err;			/* errno of a signal no process of its actor got; 0: none
					 * (an operator's kill clears it, and answers with it) */
};

/* Room for one queued event per instance of NINST, and a few more. -1
 * with errno. */
int dispatch_init(struct dispatch *q, size_t ninst);
/* The same room for NINST, keeping what is queued (a reload adds
 * instances). -1 with errno ENOMEM, Q unchanged. */
int dispatch_reserve(struct dispatch *q, size_t ninst);
void dispatch_fini(struct dispatch *q);

/* Feed EV to the tree and carry out what it decides, then whatever that
 * raised, until nothing is queued. */
void dispatch_feed(struct daemon *d, const struct sv_event *ev);
/* The same for an event about node N; EXIT NULL but for SV_EV_EXIT. */
void dispatch_node(struct daemon *d, enum sv_event_kind kind, struct sv_node *n,
		   const struct sv_exit *exit);

/* The tree's clock: monotonic milliseconds. */
int64_t daemon_now_ms(void);

#endif
