/* What each control verb does in the daemon: one handler a verb, in a
 * table indexed by enum ctl_verb (src/control/protocol.h). */
#ifndef PROSPERO_DAEMON_CTL_VERBS_H
#define PROSPERO_DAEMON_CTL_VERBS_H

#include <stddef.h>

#include "src/control/protocol.h"

struct daemon;
struct ctl_client;

/* Carry out R for C and answer it (the answer may come later, or start a
 * subscription). C may be dropped meanwhile. */
void ctl_verbs_handle(struct daemon *d, struct ctl_client *c, const struct ctl_request *r);

/* An event's line to those who follow events (events.h's tap; ARG is the
 * daemon). */
void ctl_events_publish(void *arg, const char *name, const char *line, size_t n);

/* A line of NAME's output (A then B) to those who follow its logs. */
void ctl_logs_publish(struct daemon *d, const char *name, const char *a, size_t na,
		      const char *b, size_t nb);

#endif
