/* The graceful stop: stop reading requests (they stay in the sockets for
 * the next incarnation or another instance of the pool), answer those
 * held, wait for the calls they made, flush, then tell the user. */
#include <errno.h>
#include <signal.h>

#include "src/libprospero/actor.h"
#include "src/proto/control.h"

/* From an idle watcher, not from whatever answered the last request: DONE
 * must not run inside a handler or a reply callback. */
static void stop_check(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct prospero *p = w->data;

	ev_idle_stop(loop, w);
	if (p->stopped || p->server.deferred)
		return;
	for (struct prospero_binding *b = pr_first_binding(p); b; b = pr_next_binding(b))
		if (b->chan.qlen || b->calls.pending)
			return;
	p->stopped = true;
	prospero_auto_watchdog(p, 0);
	if (!p->on_stop) {
		ev_break(loop, EVBREAK_ALL);
		return;
	}
	pr_port_enter(&p->port);
	p->on_stop(p, p->stop_arg);
	pr_port_leave(&p->port);
}

void pr_check_stopped(struct prospero *p)
{
	if (p->stopping && !p->stopped)
		ev_idle_start(p->port.loop, &p->stop_check);
}

void prospero_stop(struct prospero *p)
{
	if (!p || p->stopping)
		return;
	p->stopping = true;
	for (struct prospero_binding *b = pr_first_binding(p); b; b = pr_next_binding(b))
		if (b->serve)
			pr_chan_pause(&b->chan);
	pr_notify(p, PP_STOPPING);
	ev_idle_init(&p->stop_check, stop_check);
	p->stop_check.data = p;
	pr_check_stopped(p);
}

static void on_sigterm(struct ev_loop *loop, ev_signal *w, int revents)
{
	prospero_stop(w->data);
}

int prospero_stop_on_sigterm(struct prospero *p, void (*done)(struct prospero *, void *), void *arg)
{
	if (!p) {
		errno = EINVAL;
		return -1;
	}
	p->on_stop = done;
	p->stop_arg = arg;
	/* again: replace, since a started watcher started twice would link
	 * into its signal's list twice */
	ev_signal_stop(p->port.loop, &p->sigterm);
	ev_signal_init(&p->sigterm, on_sigterm, SIGTERM);
	p->sigterm.data = p;
	ev_signal_start(p->port.loop, &p->sigterm);
	return 0;
}

void pr_stop_fini(struct prospero *p)
{
	ev_signal_stop(p->port.loop, &p->sigterm);
	ev_idle_stop(p->port.loop, &p->stop_check);
}
