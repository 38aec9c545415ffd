/* Fault decisions, pure: a plan, the run's seed and a count in, a verdict
 * out. No clock (the daemon passes the fault clock's NOW_MS), no fd, no
 * signal; every draw is keyed as draw.h says, so two runs with the same
 * seed that see the same sequence of kills, messages and calls decide
 * alike. What the daemon calls, and when:
 *
 *   at start         fault_plan_seed (plan.h); fault_fire_at(n = 1) for
 *                    each kill and stall fault, to arm its timer;
 *                    fault_plan_edge for each edge to know which to
 *                    interpose
 *   a timer fires    fault_pick (or every target, with "pick": "all"),
 *                    then fault_fire_at(n + 1) for the next one
 *   each message     on an interposed edge: fault_edge_message
 *   each spawn       fault_syscalls_for: the calls its filter must route
 *                    to the listener, with counts from 0
 *   each call        the listener caught: fault_syscall_verdict */
#ifndef PROSPERO_FAULTS_DECIDE_H
#define PROSPERO_FAULTS_DECIDE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/faults/plan.h"

bool fault_window_has(const struct fault_window *w, int64_t now_ms);

/* When firing N (from 1) of kill or stall fault FI happens, in ms on the
 * fault clock; FAULT_NEVER when there is no such firing. Non-decreasing in
 * N, so the first FAULT_NEVER is the last answer. "every": firing N is due
 * at window.from + N * every, moved by a draw in [-jitter, +jitter]; none
 * is due at or after window.to. "at": the N-th time written. */
int64_t fault_fire_at(const struct fault_plan *p, uint64_t seed, size_t fi, uint64_t n);

/* The target firing N of fault FI hits with "pick": "one": an index in its
 * targets, uniform. */
size_t fault_pick(const struct fault_plan *p, uint64_t seed, size_t fi, uint64_t n);

/* What becomes of one message on an interposed edge. */
struct fault_msg {
	bool drop;			/* never delivered */
	bool partitioned;		/* dropped by a partition, not by chance */
	bool duplicate;			/* delivered twice, the copy right after */
	int64_t delay_ms;		/* held this long; the relay keeps the order */
};

/* Message K (from 1: the count of messages the relay took in direction
 * DIR, TO_SERVICE or TO_CLIENT, on client instance CLIENT_INSTANCE's
 * (1-based) copy of edge EI of fault FI, across restarts). Inside a
 * partition it is dropped; else, inside the fault's window and in a
 * direction it names, dropped with probability "drop", or else duplicated
 * with probability "duplicate" and delayed; otherwise it passes as is. */
void fault_edge_message(const struct fault_plan *p, uint64_t seed, size_t fi, size_t ei,
			unsigned client_instance, enum fault_dir dir, uint64_t k, int64_t now_ms,
			struct fault_msg *out);

/* Whether call NAME(ARGS) counts for syscall fault F: its name, and its
 * argument filter if it has one. */
bool fault_syscall_matches(const struct fault *f, const char *name, const uint64_t args[6]);

/* Whether matching call K (from 1, counted since the instance's current
 * incarnation started, window or not) of target TI of syscall fault FI
 * fails: K > after; with "every" E, K - after a multiple of E; NOW_MS in
 * the window; then a draw against "probability", keyed by INCARNATION too
 * so a restarted actor does not replay its predecessor's failures. */
bool fault_syscall_fails(const struct fault_plan *p, uint64_t seed, size_t fi, size_t ti,
			 unsigned incarnation, uint64_t k, int64_t now_ms);

/* One syscall fault as one instance sees it. */
struct fault_call_counter {
	size_t fault, target;		/* index in the plan; in the fault's targets */
	uint64_t calls;			/* matching calls this incarnation */
};

/* The syscall faults that target instance INDEX of the actor at ORDER, in
 * plan order, into OUT (at most CAP) with counts at 0; how many there are
 * (which may exceed CAP). */
size_t fault_syscalls_for(const struct fault_plan *p, uint32_t order, unsigned index,
			  struct fault_call_counter *out, size_t cap);

/* A call NAME(ARGS) the instance's listener caught: counts it for each of
 * its N faults it matches, and returns the errno of the first (in plan
 * order) that fails it, with *WHICH its index in C; or 0: let it continue. */
int fault_syscall_verdict(const struct fault_plan *p, uint64_t seed, struct fault_call_counter *c,
			  size_t n, unsigned incarnation, const char *name, const uint64_t args[6],
			  int64_t now_ms, size_t *which);

#endif
