/* The fault injector (README "Fault injection"): `run --faults FILE`
 * carries a checked plan out on the running tree. The decisions are
 * src/faults/'s, pure and seeded; this is what acts on them: timers for
 * kills and stalls on the fault clock (which starts when the root is
 * ready), the per-instance counts of the system calls the seccomp
 * listener routes here (fault_calls.h), the relays of interposed edges
 * (relay.h), and the events, numbered in the order faults are injected.
 * Without a plan none of it exists: d->faults is NULL and every hook
 * returns at once. */
#ifndef PROSPERO_DAEMON_FAULTS_H
#define PROSPERO_DAEMON_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <ev.h>

#include "sandbox/seccomp/profiles.h"
#include "sandbox/seccomp/ratelimit.h"
#include "src/faults/decide.h"
#include "src/faults/event.h"
#include "src/faults/plan.h"
#include "supervisor/tree.h"

struct daemon;
struct instance;
struct relay;

/* What the injector keeps of one instance. */
struct fault_inst {
	struct fault_run *run;
	struct instance *in;
	ev_timer cont;			/* a stall's SIGCONT */
	pid_t stalled;			/* the process a stall stopped, or 0 */
	unsigned incarnation;		/* its starts so far */
	bool hit;			/* a fault hit this incarnation: a restart is its doing */
	struct fault_call_counter *calls;	/* its syscall faults, counted this incarnation */
	size_t ncalls;
	struct sb_rule *routed;		/* the calls its actor's filter routes, with their rules */
	size_t nrouted;
	/* its failed calls' events (FAULT_EVENTS_BURST) */
	struct sb_ratelimit call_events;
	/* the summary's counts */
	uint64_t kills, stalls, syscalls, skipped, restarts;
	uint64_t unsent;		/* kills and stalls whose signal kill(2) refused */
};

/* The events of failed calls, per instance, and of dropped and
 * duplicated messages, per edge copy and direction: the first 100 at
 * once, then ten a second, each with the count of those left out
 * before it. The actor sets their pace, so each could be an event
 * 30,000 times a second. */
#define FAULT_EVENTS_BURST 100
#define FAULT_EVENTS_INTERVAL_MS 100

/* One kill or stall fault's next firing: N, due at AT on the fault clock. */
struct fault_next {
	uint64_t n;
	int64_t at;			/* FAULT_NEVER: no more */
};

struct fault_run {
	struct daemon *d;
	const struct fault_plan *plan;
	uint64_t seed;
	int64_t clock0;			/* daemon_now_ms when the root was ready; -1 before */
	uint64_t seq;			/* the next event's */
	uint64_t skipped;		/* events of firings that did nothing */
	uint64_t suppressed;		/* events left out by the rate limit: injected all the same */
	size_t injected;		/* run-time injections so far */
	/* one timer for every kill and stall fault: however late the loop
	 * runs, firings happen in the order of their due times (ties: plan
	 * order), so a replay makes them in the same order */
	ev_timer timer;
	struct fault_next *next;	/* by plan index; FAULT_NEVER for other kinds */
	struct fault_inst *insts;	/* parallel to d->inst */
	struct relay **relays;		/* the interposed edge copies */
	size_t nrelays;
	uint64_t give_ups;		/* give-ups after a fault hit their cause */
	bool ended;			/* the tree is stopping for good: no more firings */
};

/* After the bindings are made, before any instance is: the injector for
 * plan P with SEED, and the relays of the edges P names. -1 with errno
 * (the caller reports; faults_close frees what was made). */
int faults_open(struct daemon *d, const struct fault_plan *p, uint64_t seed);
/* Once every instance is made: each one's state, with the counters of
 * the syscall faults that target it. -1 with errno. */
int faults_attach(struct daemon *d);
/* Timers stopped, relays closed, everything freed. */
void faults_close(struct daemon *d);

/* The root is ready: the fault clock starts, the plan event (seq 0) is
 * emitted and the kill and stall timers are armed. Only the first time. */
void faults_tree_ready(struct daemon *d);
/* IN was started: a new incarnation, its call counts from 0. */
void faults_spawned(struct instance *in);
/* The tree reported A: restarts and give-ups a fault caused are counted;
 * once the whole tree stops for good (the daemon's shutdown, or the root
 * giving up), kills and stalls fire no more. */
void faults_report(struct daemon *d, const struct sv_action *a);

/* ms on the fault clock (0 before it starts). */
int64_t faults_now(const struct fault_run *r);
/* EV numbered and written to the events file and stderr. */
void faults_emit(struct fault_run *r, struct fault_event *ev);
/* The instance the fault target T names, or NULL. */
struct instance *faults_instance(const struct fault_run *r, const struct fault_instance *t);
/* A kill or stall EV (kind, signal, ms set) carried out on IN, or
 * recorded as skipped when IN is not running or its signal cannot be
 * sent; then emitted. The plan's
 * timers and run-time injections both come here. */
void faults_hit(struct fault_run *r, struct instance *in, struct fault_event *ev);

#endif
