/* One actor's life as a table: [state][event] -> a small named action.
 * Events the table does not expect in a state are ignored on purpose: a
 * READY=1 after a stop was asked for, a timer that lost a race with exit. */

#include <signal.h>

#include "supervisor/tree_internal.h"

static void arm(struct sv_tree *t, struct sv_node *a, long ms)
{
	sv_emit(t, SV_DO_TIMER, a)->ms = ms;
	a->timer_armed = ms >= 0;
}

static void disarm(struct sv_tree *t, struct sv_node *a)
{
	if (a->timer_armed)
		arm(t, a, -1);
}

static void send(struct sv_tree *t, struct sv_node *a, int sig)
{
	sv_emit(t, SV_DO_SIGNAL, a)->sig = sig;
	if (sig == SIGKILL)
		a->killed = true;
}

void sv_actor_start(struct sv_tree *t, struct sv_node *a)
{
	a->state = SV_STARTING;
	a->killed = a->timed_out = false;
	sv_emit(t, SV_DO_SPAWN, a);
	/* exec readiness is known when the spawn returns; no timer needed */
	if (a->ready == SV_READY_NOTIFY && a->start_timeout_ms > 0)
		arm(t, a, a->start_timeout_ms);
}

void sv_actor_stop(struct sv_tree *t, struct sv_node *a, enum sv_stop_why why,
		   const struct sv_node *cause)
{
	if (a->state != SV_UP && a->state != SV_STARTING)
		return;
	sv_emit_report(t, SV_REPORT_STOP, a, NULL, why, cause);
	a->state = SV_STOPPING;
	disarm(t, a);
	if (a->shutdown_ms == SV_SHUTDOWN_BRUTAL_KILL) {
		send(t, a, SIGKILL);
		return;
	}
	send(t, a, SIGTERM);
	if (a->shutdown_ms == 0)
		send(t, a, SIGKILL);
	else if (a->shutdown_ms > 0)
		arm(t, a, a->shutdown_ms);
}

/* --- transitions --- */

static void became_ready(struct sv_tree *t, struct sv_node *a, const struct sv_event *ev, int64_t now)
{
	disarm(t, a);
	a->state = SV_UP;
	sv_emit_report(t, SV_REPORT_READY, a, NULL, 0, NULL);
	sv_node_up(t, a, now);
}

static void ended(struct sv_tree *t, struct sv_node *a, const struct sv_event *ev, int64_t now)
{
	struct sv_exit e = ev->exit;

	a->timer_armed = false;	/* the process layer drops the timer with the process */
	if (a->state == SV_STARTING)
		e.before_ready = true;
	if (a->timed_out) {
		e.kind = SV_EXIT_START_TIMEOUT;
		e.value = (int)a->start_timeout_ms;
		e.before_ready = true;
	}
	a->state = SV_DOWN;
	sv_node_down(t, a, &e, now);
}

static void start_timed_out(struct sv_tree *t, struct sv_node *a, const struct sv_event *ev, int64_t now)
{
	a->timer_armed = false;
	a->timed_out = true;
	sv_emit_report(t, SV_REPORT_STOP, a, NULL, SV_WHY_START_TIMEOUT, NULL);
	a->state = SV_STOPPING;
	send(t, a, SIGKILL);
}

static void shutdown_timed_out(struct sv_tree *t, struct sv_node *a, const struct sv_event *ev, int64_t now)
{
	a->timer_armed = false;
	send(t, a, SIGKILL);
}

typedef void actor_fn(struct sv_tree *, struct sv_node *, const struct sv_event *, int64_t);

/* Indexed by enum sv_state, then READY / EXIT / TIMER. */
static actor_fn *const table[4][3] = {
	[SV_DOWN]     = { NULL,         NULL,  NULL },
	[SV_STARTING] = { became_ready, ended, start_timed_out },
	[SV_UP]       = { NULL,         ended, NULL },
	[SV_STOPPING] = { NULL,         ended, shutdown_timed_out },
};

void sv_actor_event(struct sv_tree *t, struct sv_node *a, const struct sv_event *ev, int64_t now)
{
	int col;

	switch (ev->kind) {
	case SV_EV_READY: col = 0; break;
	case SV_EV_EXIT:  col = 1; break;
	case SV_EV_TIMER: col = 2; break;
	default: return;
	}
	if (ev->kind == SV_EV_TIMER && !a->timer_armed)
		return;		/* a timer the process layer had already dropped */
	if (table[a->state][col])
		table[a->state][col](t, a, ev, now);
}
