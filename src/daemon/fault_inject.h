/* Run-time faults: one fault injected now, through the same code as the
 * plan's (faults_hit for kills and stalls, the relays for edges), each
 * an event numbered with the rest. Its "fault" field counts on from the
 * plan's: the first run-time fault of a plan of 4 is fault 4, the next 5.
 *
 * The control socket's verbs call these (README "Fault injection"):
 *   prospero fault kill NAME [SIGNAL]        fault_inject_kill
 *   prospero fault stall NAME MS             fault_inject_stall
 *   prospero fault edge EDGE --drop P --for MS   fault_inject_edge
 * They need a daemon run with --faults (an empty plan, {"faults": []},
 * will do): without one there is no injector, and no relay to act on.
 * Each returns 0, or -1 with errno and MSG saying why, for the caller to
 * send back: ENOTSUP (no --faults), EAGAIN (the plan is not in effect
 * yet: the root is not ready, and its plan event, seq 0, not written),
 * ENOENT (no such instance or edge), EINVAL (a value out of range). */
#ifndef PROSPERO_DAEMON_FAULT_INJECT_H
#define PROSPERO_DAEMON_FAULT_INJECT_H

#include <stddef.h>
#include <stdint.h>

struct daemon;

/* SIG to NAME's main process: an instance ("pool#2") or an actor (each
 * of its instances). */
int fault_inject_kill(struct daemon *d, const char *name, int sig, char *msg, size_t len);
/* SIGSTOP to NAME's process group, SIGCONT MS ms later. */
int fault_inject_stall(struct daemon *d, const char *name, int64_t ms, char *msg, size_t len);
/* For FOR_MS ms from now, each message on EDGE ("CLIENT -> SERVICE" or
 * a binding name) is dropped with probability DROP: only on copies of
 * the edge the plan interposes, since only those have a relay. */
int fault_inject_edge(struct daemon *d, const char *edge, double drop, int64_t for_ms, char *msg,
		      size_t len);

#endif
