/* Violations: the seccomp listener of each running actor. A child loads
 * its filter with a listener and hands it back over the handoff socket
 * (sandbox/seccomp/handoff.h); a denied system call then waits on it, is
 * reported with its arguments, and answered as the actor's profile says:
 * EPERM, or the actor is killed and its restart reason names the call. */
#ifndef PROSPERO_DAEMON_VIOLATION_H
#define PROSPERO_DAEMON_VIOLATION_H

struct daemon;
struct instance;

/* When IN is made: no listener yet. */
void violation_init(struct instance *in);
/* After exec: take the listener the child sent and watch it. -1 with
 * errno when none came. */
int violation_watch(struct daemon *d, struct instance *in);
/* IN's process ended: its listener closed. */
void violation_unwatch(struct daemon *d, struct instance *in);
/* After a failed spawn: what the child sent before its exec failed (a
 * listener, its namespaces), closed. */
void violation_discard(struct daemon *d);

#endif
