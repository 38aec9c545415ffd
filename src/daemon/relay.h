/* Interposed edges: for each copy of an edge a fault plan names, the
 * daemon sits between the client's end and the service's
 * (bindings_interpose) and forwards every datagram, file descriptors
 * (SCM_RIGHTS memfds) included, deciding for each one as
 * fault_edge_message says: dropped, duplicated, held for a delay. Messages
 * leave in the order they came in: each waits until its own due time and
 * for every message before it. The daemon's peer_restarted notice, which
 * it sends in band on the service's end, passes untouched but in order
 * (the daemon's by its sender's credentials, not by its form alone).
 * Every other edge stays a plain socketpair. */
#ifndef PROSPERO_DAEMON_RELAY_H
#define PROSPERO_DAEMON_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fault_run;
struct relay;

/* After bindings_open, before any instance is made: a relay for each edge
 * copy R's plan interposes. -1 with errno. */
int relays_open(struct fault_run *r);
void relays_close(struct fault_run *r);

/* What a relay did, for the summary. */
struct relay_counts {
	uint64_t messages, delayed, dropped, duplicated;
};

/* Relay I's name ("client#2 -> service (BINDING)") into BUF, and its
 * counts in both directions, summed. */
void relay_describe(const struct relay *rl, char *buf, size_t len, struct relay_counts *out);

/* A run-time edge fault: messages on every copy of EDGE ("CLIENT ->
 * SERVICE" or a binding name) that the plan interposes are dropped with
 * probability DROP for the next FOR_MS ms, each drop an event under fault
 * number FAULT, and so is the fault's start on each copy ("edge"). How many copies it applies to: 0 when the plan does not
 * interpose that edge (only interposed edges have a relay to act). */
size_t relays_override(struct fault_run *r, const char *edge, double drop, int64_t for_ms, size_t fault);

#endif
