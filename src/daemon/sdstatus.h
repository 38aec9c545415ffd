/* systemd's STATUS=: the tree's summary (summary.h), sent when it changes
 * and at most once a second; a timer sends what changed meanwhile, and
 * says when restarts age out of the last minute. Nothing is done unless
 * $NOTIFY_SOCKET names someone to tell. */
#ifndef PROSPERO_DAEMON_SDSTATUS_H
#define PROSPERO_DAEMON_SDSTATUS_H

#include <stdbool.h>
#include <stdint.h>

#include <ev.h>

#include "src/daemon/summary.h"

struct daemon;

struct sdstatus {
	bool enabled;
	bool ready;			/* after READY=1: before it the tree is starting */
	int64_t last_sent;		/* ms, tree clock; -1: never */
	char last[128];
	struct restart_window restarts;
	ev_timer timer;
};

void sdstatus_init(struct daemon *d);
void sdstatus_fini(struct daemon *d);
/* A restart was decided. */
void sdstatus_restart(struct daemon *d);
/* The tree may have changed: send its summary if it did. */
void sdstatus_poke(struct daemon *d);

#endif
