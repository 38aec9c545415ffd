/* The dispatcher; see dispatch.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/daemon/context.h"
#include "src/daemon/ctl_server.h"
#include "src/daemon/dispatch.h"
#include "src/daemon/faults.h"
#include "src/daemon/instance.h"
#include "src/daemon/log.h"
#include "src/daemon/loop.h"
#include "src/daemon/reload.h"
#include "src/daemon/report.h"
#include "src/daemon/start.h"
#include "src/daemon/supnode.h"
#include "src/daemon/timer.h"
#include "src/proto/control.h"
#include "src/proto/sdnotify.h"

int64_t daemon_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void drain(struct daemon *d, size_t first);

/* The rest of a run, once the loop has had its turn: a check watcher runs
 * at every turn, and at the lowest priority after the callbacks of what
 * that turn's poll found (an idle watcher waits for a turn with nothing
 * else to do, which a busy actor may never leave); the idle watcher
 * beside it only keeps that poll from waiting. */
static void on_resume(struct ev_loop *loop, ev_check *w, int revents)
{
	struct daemon *d = w->data;

	ev_check_stop(loop, w);
	ev_idle_stop(loop, &d->dispatch.spin);
	if (!d->dispatch.running && d->dispatch.len > 0)
		drain(d, 0);
}

static void on_spin(struct ev_loop *loop, ev_idle *w, int revents)
{
}

int dispatch_init(struct dispatch *q, size_t ninst)
{
	ev_check_init(&q->resume, on_resume);
	ev_set_priority(&q->resume, EV_MINPRI);
	ev_idle_init(&q->spin, on_spin);
	q->cap = ninst + 8;
	q->queue = calloc(q->cap, sizeof *q->queue);
	return q->queue ? 0 : -1;
}

int dispatch_reserve(struct dispatch *q, size_t ninst)
{
	struct sv_event *ring;

	if (ninst + 8 <= q->cap)
		return 0;
	if (!(ring = calloc(ninst + 8, sizeof *ring)))
		return -1;
	for (size_t i = 0; i < q->len; i++)
		ring[i] = q->queue[(q->head + i) % q->cap];
	free(q->queue);
	q->queue = ring;
	q->cap = ninst + 8;
	q->head = 0;
	return 0;
}

void dispatch_fini(struct dispatch *q)
{
	free(q->queue);
	q->queue = NULL;
}

static void do_signal(struct daemon *d, struct instance *in, int sig)
{
	char signame[SV_SIGNAME_MAX];

	if (in->pid <= 0)
		return;
	if (sig == SIGTERM)
		bindings_stopping(in->bind);
	if (sig == SIGTERM || sig == SIGKILL) {
		if (instance_end(in, sig) < 0)	/* it says why */
			d->dispatch.signal_err = errno;
	} else if (instance_signal(in, sig) < 0) {	/* an operator's kill: it is told */
		d->dispatch.signal_err = errno;
		log_warn("%s: cannot send %s to pid %d: %s", in->name, sv_signal_name(sig, signame),
			 (int)in->pid, strerror(errno));
	}
	if (sig == SIGTERM && in->pid > 0)	/* a stopped process would never see SIGTERM */
		(void)instance_signal(in, SIGCONT);
}

/* An actor's timer times its start or stop; a supervisor's, the backoff
 * of its children waiting to restart (a supervisor a reload added gets
 * its object here, at its first timer). */
static void do_timer(struct daemon *d, struct sv_node *n, long ms)
{
	ev_timer *t;

	if (n->kind == SV_NODE_SUPERVISOR && !n->user && supnode_attach(d, n) < 0) {
		log_err("%s: no memory for its backoff timer: %s", n->name, strerror(errno));
		return;
	}
	t = n->kind == SV_NODE_ACTOR ? &((struct instance *)n->user)->timer
				     : &((struct supnode *)n->user)->timer;
	if (ms < 0) {
		ev_timer_stop(d->loop, t);
		return;
	}
	/* from now, the spawn or SIGTERM just done: not from the turn's start */
	timer_arm(d->loop, t, (double)ms / 1000.0);
}

/* READY=1; the summary follows as STATUS= (sdstatus.h). */
static void tree_ready(struct daemon *d)
{
	if (pp_sd_notify(PP_READY) < 0)
		log_warn("cannot notify systemd: %s", strerror(errno));
	d->sdstatus.ready = true;
}

static void act(struct daemon *d, const struct sv_action *a)
{
	struct instance *in = a->node && a->node->kind == SV_NODE_ACTOR ? a->node->user : NULL;

	switch (a->kind) {
	case SV_DO_SPAWN:
		start_instance(d, in);
		break;
	case SV_DO_SIGNAL:
		do_signal(d, in, a->sig);
		break;
	case SV_DO_TIMER:
		do_timer(d, a->node, a->ms);
		break;
	case SV_DO_REPORT:
		if (a->report == SV_REPORT_RELOADED) {
			reload_applied(d);
			break;
		}
		if (a->report == SV_REPORT_OPERATOR && a->op == SV_OP_RELOAD)
			break;	/* the reload event, once applied, says it all */
		if (a->report == SV_REPORT_READY && in)
			bindings_ready(in->bind);	/* its watchdog counts from now */
		if (a->report == SV_REPORT_RESTART)
			sdstatus_restart(d);
		report_action(d, a);
		faults_report(d, a);
		break;
	case SV_DO_TREE_READY:
		tree_ready(d);
		faults_tree_ready(d);	/* the fault clock starts */
		break;
	case SV_DO_TREE_DOWN:
		d->end = a->exit;
		ev_break(d->loop, EVBREAK_ALL);
		break;
	case SV_DO_RETIRE:
		reload_retire(d, a->node);
		break;
	}
}

/* Children ready at exec start one after another, each start queueing
 * the next: a run of them that has held the loop this long gives it a
 * turn when a control request waits, so status answers between two
 * starts rather than after the whole boot. */
#define RUN_TURN_AFTER_S 0.002

static bool turn_wanted(struct daemon *d)
{
	return ev_time() - ev_now(d->loop) >= RUN_TURN_AFTER_S && ctl_server_waiting(&d->control);
}

/* The queue, in order; the first FIRST events at least (a caller's own),
 * the rest until a turn is wanted. */
static void drain(struct daemon *d, size_t first)
{
	struct dispatch *q = &d->dispatch;
	const struct sv_action *acts;
	struct sv_event e;
	size_t done = 0;

	q->running = true;
	while (q->len > 0) {
		e = q->queue[q->head];
		q->head = (q->head + 1) % q->cap;
		q->len--;
		size_t n = sv_handle(d->tree, &e, daemon_now_ms(), &acts);
		for (size_t i = 0; i < n; i++)
			act(d, &acts[i]);
		reload_release(d);
		if (q->len == 0)
			break;
		/* a stop asked meanwhile is not left waiting for a whole boot */
		loop_take_stop_signal(d);
		/* the rest of a run that gave a turn goes on after the turn */
		if (++done >= first && (ev_is_active(&q->resume) || turn_wanted(d))) {
			q->resume.data = d;
			ev_check_start(d->loop, &q->resume);
			ev_idle_start(d->loop, &q->spin);
			break;
		}
	}
	q->running = false;
	sdstatus_poke(d);
}

/* Fed from outside the dispatcher, EV is handled before this returns, as
 * callers expect (an operator's kill reads signal_err after it). In a turn
 * a run gave, an operator's goes before the rest of the run, as it would
 * before a READY=1 not yet sent; a stop goes before what is queued even
 * within a run (a readiness queued would start the next child); any other
 * after what is queued, which happened first (a child's exit after its
 * READY). */
void dispatch_feed(struct daemon *d, const struct sv_event *ev)
{
	struct dispatch *q = &d->dispatch;

	if (q->len == q->cap) {
		/* sized for one queued event per instance; more is a bug */
		log_err("internal error: event queue full");
		abort();
	}
	if (q->len > 0 && (ev->kind == SV_EV_SHUTDOWN || (!q->running && ev->kind == SV_EV_OPERATOR))) {
		q->head = (q->head + q->cap - 1) % q->cap;
		q->queue[q->head] = *ev;
		q->len++;
		if (!q->running)
			drain(d, 1);
		return;
	}
	q->queue[(q->head + q->len++) % q->cap] = *ev;
	if (!q->running)
		drain(d, q->len);
}

void dispatch_node(struct daemon *d, enum sv_event_kind kind, struct sv_node *n,
		   const struct sv_exit *exit)
{
	struct sv_event ev = { .kind = kind, .node = n };

	if (exit)
		ev.exit = *exit;
	dispatch_feed(d, &ev);
}
