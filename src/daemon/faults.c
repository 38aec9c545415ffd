/* The fault injector; see faults.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/daemon/context.h"
#include "src/daemon/fault_calls.h"
#include "src/daemon/faults.h"
#include "src/daemon/instance.h"
#include "src/daemon/log.h"
#include "src/daemon/relay.h"
#include "src/daemon/timer.h"

int64_t faults_now(const struct fault_run *r)
{
	return r->clock0 < 0 ? 0 : daemon_now_ms() - r->clock0;
}

void faults_emit(struct fault_run *r, struct fault_event *ev)
{
	char fields[512], text[512];

	ev->seq = r->seq++;
	r->skipped += ev->skipped != NULL;
	fault_event_json(ev, fields, sizeof fields);
	fault_event_text(ev, text, sizeof text);
	/* an instance it hit counts as the event's name for `events --name`;
	 * an edge ("a -> b") or the plan is no one's */
	events_emit_fields(&r->d->events, "fault", ev->target[0] && !strstr(ev->target, " -> ") ? ev->target : NULL,
			   fields, text);
}

struct instance *faults_instance(const struct fault_run *r, const struct fault_instance *t)
{
	for (size_t i = 0; i < r->d->ninst; i++) {
		struct instance *in = r->d->inst[i];

		if (in->spec->order == t->order && in->index == t->index)
			return in;
	}
	return NULL;
}

/* A stall's end: the process it stopped goes on, if it is still the one
 * running (a watchdog may have killed it meanwhile). */
static void on_cont(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct fault_inst *fi = w->data;

	if (fi->stalled && fi->in->pid == fi->stalled && instance_signal(fi->in, SIGCONT) < 0)
		log_warn("%s: cannot end its stall: cannot send SIGCONT to pid %d: %s", fi->in->name,
			 (int)fi->stalled, strerror(errno));
	fi->stalled = 0;
}

/* A kill's signal or a stall's SIGSTOP: 0, or -1 with errno. */
static int deliver(struct instance *in, const struct fault_event *ev)
{
	/* a kill is the main process's: its descendants are its business */
	return ev->kind == FAULT_EV_KILL ? kill(in->pid, ev->signal) : instance_signal(in, SIGSTOP);
}

void faults_hit(struct fault_run *r, struct instance *in, struct fault_event *ev)
{
	struct fault_inst *fi = in ? in->fault : NULL;
	char why[96];

	ev->skipped = NULL;	/* a run-time fault hands each instance the same event */
	if (!fi || in->pid <= 0) {
		ev->skipped = "not running";
		if (fi)
			fi->skipped++;
	} else if (deliver(in, ev) < 0) {
		/* the event says so: nothing was done, and nothing follows from it */
		snprintf(why, sizeof why, "not sent: %s", strerror(errno));
		ev->skipped = why;
		fi->unsent++;
	} else if (ev->kind == FAULT_EV_KILL) {
		fi->hit = true;
		fi->kills++;
	} else {
		fi->hit = true;
		fi->stalls++;
		fi->stalled = in->pid;
		/* a second stall before the first ends lasts from now */
		timer_arm(r->d->loop, &fi->cont, (double)ev->ms / 1000.0);
	}
	faults_emit(r, ev);
	ev->skipped = NULL;	/* why[] ends here */
}

/* Firing N of kill or stall fault FI: its member, or every member. */
static void fire(struct fault_run *r, size_t fi, uint64_t n, int64_t now)
{
	const struct fault *f = &r->plan->faults[fi];
	size_t from = 0, to = f->ntargets;
	struct fault_event ev;

	if (f->u.proc.pick == FAULT_PICK_ONE) {
		from = fault_pick(r->plan, r->seed, fi, n);
		to = from + 1;
	}
	for (size_t ti = from; ti < to; ti++) {
		fault_event_process(&ev, r->plan, fi, n, ti, now);
		faults_hit(r, faults_instance(r, &f->targets[ti]), &ev);
	}
}

/* The fault whose next firing is earliest (the first in the plan on a
 * tie); its index, or -1 when none is left. */
static long earliest(const struct fault_run *r)
{
	long best = -1;

	for (size_t i = 0; i < r->plan->n; i++)
		if (r->next[i].at != FAULT_NEVER && (best < 0 || r->next[i].at < r->next[best].at))
			best = (long)i;
	return best;
}

/* Every firing due by now, in order; then the timer for the next. */
static void on_fire(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct fault_run *r = w->data;
	int64_t now = faults_now(r);
	long i;

	if (r->ended)
		return;
	while ((i = earliest(r)) >= 0 && r->next[i].at <= now) {
		struct fault_next *x = &r->next[i];

		fire(r, (size_t)i, x->n, now);
		x->at = fault_fire_at(r->plan, r->seed, (size_t)i, ++x->n);
	}
	if (i < 0)
		return;
	timer_arm(loop, w, (double)(r->next[i].at - now) / 1000.0);
}

void faults_tree_ready(struct daemon *d)
{
	struct fault_run *r = d->faults;
	struct fault_event ev;

	if (!r || r->clock0 >= 0)
		return;
	r->clock0 = daemon_now_ms();
	fault_event_plan(&ev, r->plan, r->seed);
	faults_emit(r, &ev);
	for (size_t i = 0; i < r->plan->n; i++) {
		enum fault_kind k = r->plan->faults[i].kind;

		r->next[i] = (struct fault_next){ .n = 1, .at = FAULT_NEVER };
		if (k == FAULT_KILL || k == FAULT_STALL)
			r->next[i].at = fault_fire_at(r->plan, r->seed, i, 1);
	}
	on_fire(d->loop, &r->timer, 0);
}

void faults_spawned(struct instance *in)
{
	struct fault_inst *fi = in->fault;

	if (!fi)
		return;
	fi->incarnation++;
	fi->hit = false;
	for (size_t i = 0; i < fi->ncalls; i++)
		fi->calls[i].calls = 0;
}

void faults_report(struct daemon *d, const struct sv_action *a)
{
	const struct instance *in;

	if (!d->faults)
		return;
	if (a->report == SV_REPORT_RESTART && a->node->kind == SV_NODE_ACTOR && (in = a->node->user) &&
	    in->fault && in->fault->hit)
		in->fault->restarts++;
	if (a->report == SV_REPORT_GIVE_UP && a->cause && a->cause->kind == SV_NODE_ACTOR &&
	    (in = a->cause->user) && in->fault && in->fault->hit)
		d->faults->give_ups++;
	/* the run is over: a firing now would kill or stop an actor in the
	 * middle of its shutdown, or find it gone ("skipped") */
	if (a->node && !a->node->parent &&
	    (a->report == SV_REPORT_GIVE_UP || (a->report == SV_REPORT_STOP && a->why == SV_WHY_SHUTDOWN))) {
		d->faults->ended = true;
		ev_timer_stop(d->loop, &d->faults->timer);
	}
}

int faults_attach(struct daemon *d)
{
	struct fault_run *r = d->faults;

	if (!(r->insts = calloc(d->ninst ? d->ninst : 1, sizeof *r->insts)))
		return -1;
	for (size_t i = 0; i < d->ninst; i++) {
		struct fault_inst *fi = &r->insts[i];
		struct instance *in = d->inst[i];
		size_t n = fault_syscalls_for(r->plan, in->spec->order, in->index, NULL, 0);

		*fi = (struct fault_inst){ .run = r, .in = in };
		sb_ratelimit_init(&fi->call_events, FAULT_EVENTS_BURST, FAULT_EVENTS_INTERVAL_MS);
		ev_timer_init(&fi->cont, on_cont, 0., 0.);
		fi->cont.data = fi;
		in->fault = fi;
		if (n && !(fi->calls = calloc(n, sizeof *fi->calls)))
			return -1;
		fi->ncalls = fault_syscalls_for(r->plan, in->spec->order, in->index, fi->calls, n);
		if (fault_calls_rules(r->plan, in->spec, &fi->routed, &fi->nrouted) < 0)
			return -1;
		/* as its filter: no shutdown() of what it shares with us */
		if (in->spec->profile != SB_PROFILE_NONE && in->bind) {
			unsigned nfds;

			bindings_fds(in->bind, &nfds);
			sb_rules_guard_fds(fi->routed, fi->nrouted, nfds);
		}
	}
	return 0;
}

int faults_open(struct daemon *d, const struct fault_plan *p, uint64_t seed)
{
	struct fault_run *r = calloc(1, sizeof *r);

	if (!r)
		return -1;
	*r = (struct fault_run){ .d = d, .plan = p, .seed = seed, .clock0 = -1 };
	d->faults = r;
	ev_timer_init(&r->timer, on_fire, 0., 0.);
	r->timer.data = r;
	if (!(r->next = calloc(p->n ? p->n : 1, sizeof *r->next)))
		return -1;
	return relays_open(r);
}

void faults_close(struct daemon *d)
{
	struct fault_run *r = d->faults;

	if (!r)
		return;
	ev_timer_stop(d->loop, &r->timer);
	for (size_t i = 0; r->insts && i < d->ninst; i++) {
		ev_timer_stop(d->loop, &r->insts[i].cont);
		free(r->insts[i].calls);
		free(r->insts[i].routed);
		d->inst[i]->fault = NULL;
	}
	relays_close(r);
	free(r->insts);
	free(r->next);
	free(r);
	d->faults = NULL;
}
