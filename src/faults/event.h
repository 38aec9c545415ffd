/* A fault the daemon injected, as a record: what, where, and the key that
 * decided it, so the events file tells the whole story and any decision
 * can be recomputed from seed, fault, target and n. The daemon numbers
 * them as it emits them and writes each as {"event": "fault", ...}
 * (README "Output and events"); fault_event_json gives the fields after
 * "event", fault_event_text the readable line. */
#ifndef PROSPERO_FAULTS_EVENT_H
#define PROSPERO_FAULTS_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/faults/decide.h"
#include "src/faults/plan.h"

enum fault_event_kind {
	FAULT_EV_PLAN,			/* the fault clock started: seed, number of faults */
	FAULT_EV_KILL,
	FAULT_EV_STALL,
	FAULT_EV_DROP,
	FAULT_EV_DUPLICATE,
	FAULT_EV_SYSCALL,
	FAULT_EV_EDGE,			/* a run-time edge fault began on an edge copy */
};

/* "client#2 -> service": two names, an instance number, the arrow */
#define FAULT_TARGET_MAX 160

struct fault_event {
	uint64_t seq;			/* set by the daemon: 0 for the plan, then 1, 2, ... */
	enum fault_event_kind kind;
	size_t fault;			/* index in the plan's "faults", from 0 */
	uint64_t n;			/* the firing, message or call, from 1 */
	char target[FAULT_TARGET_MAX];	/* instance, or "client -> service" */
	int64_t at_ms;			/* on the fault clock; varies from run to run */
	const char *skipped;		/* set by the daemon when nothing could be done
					 * ("not running"); NULL otherwise */
	int signal;			/* kill: the signal; stall: SIGSTOP */
	int64_t ms;			/* stall, edge: how long */
	double drop;			/* edge: the probability a message is dropped */
	const char *binding;		/* drop, duplicate, edge: the binding name */
	enum fault_dir dir;		/* drop, duplicate: TO_SERVICE or TO_CLIENT */
	bool partitioned;		/* drop: by a partition, not by chance */
	const char *syscall;		/* syscall: "write" */
	int err;			/* syscall: the errno it failed with */
	unsigned incarnation;		/* syscall: the instance's start number */
	unsigned long suppressed;	/* syscall, drop, duplicate: the events of its instance's
					 * calls, or its edge copy's messages, left out since
					 * the one before (a rate limit) */
	uint64_t seed;			/* plan */
	size_t nfaults;			/* plan */
};

/* The strings an event points to are the plan's: it must outlive the
 * event. Each builder fills every field its kind has and zeroes the rest. */
void fault_event_plan(struct fault_event *ev, const struct fault_plan *p, uint64_t seed);

/* Firing N of kill or stall fault FI hit target TI. */
void fault_event_process(struct fault_event *ev, const struct fault_plan *p, size_t fi, uint64_t n,
			 size_t ti, int64_t now_ms);

/* Message N on an interposed edge (fault_edge_message's arguments and
 * verdict M): true with *EV filled if M drops or duplicates it, false if
 * it passes, delayed or not (delays are counted, not reported one by one). */
bool fault_event_message(struct fault_event *ev, const struct fault_plan *p, size_t fi, size_t ei,
			 unsigned client_instance, enum fault_dir dir, uint64_t n,
			 const struct fault_msg *m, int64_t now_ms);

/* A call fault_syscall_verdict failed: the counter it named. */
void fault_event_syscall(struct fault_event *ev, const struct fault_plan *p,
			 const struct fault_call_counter *c, unsigned incarnation, int64_t now_ms);

/* Run-time edge fault FI began on edge copy TARGET ("client -> service",
 * "pool#2 -> service") of BINDING: each message dropped with probability
 * DROP for MS ms. BINDING must outlive the event. */
void fault_event_edge(struct fault_event *ev, size_t fi, const char *target, const char *binding, double drop,
		      int64_t ms, int64_t now_ms);

const char *fault_event_kind_name(enum fault_event_kind k);

/* `"seq": 7, "kind": "kill", ...` into BUF (always terminated; cut to
 * LEN). Names in a plan are plain (config names, binding names), so
 * nothing needs escaping. Returns the length it wanted, as snprintf. */
int fault_event_json(const struct fault_event *ev, char *buf, size_t len);

/* "fault 7: kill payment with SIGKILL (fault 0, firing 3)", the same way. */
int fault_event_text(const struct fault_event *ev, char *buf, size_t len);

#endif
