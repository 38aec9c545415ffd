/* A supervisor's process-layer object: its node in the tree, and the one
 * timer the tree may arm on it (backoff.h: children waiting to restart). */
#ifndef PROSPERO_DAEMON_SUPNODE_H
#define PROSPERO_DAEMON_SUPNODE_H

#include <ev.h>

struct daemon;
struct sv_node;

struct supnode {
	struct daemon *d;
	struct sv_node *node;
	ev_timer timer;
};

/* One for N, as N->user. -1 ENOMEM. */
int supnode_attach(struct daemon *d, struct sv_node *n);
/* One for each supervisor of the tree that has none yet (at start-up,
 * and for those a reload added). -1 ENOMEM. */
int supnode_attach_all(struct daemon *d);
/* N's, when N leaves the tree (a reload removed it). */
void supnode_release(struct daemon *d, struct sv_node *n);
/* Every supervisor's, at teardown. */
void supnode_free_all(struct daemon *d);

#endif
