/* Lingering (prospero_linger): when the loop has one socket to wait for,
 * wait in a blocking read on that socket instead of in the loop. An actor
 * on an event loop otherwise pays the loop's wait before every read, one
 * system call a message more than a blocking peer; where system calls are
 * dear that is a tenth of a round trip.
 *
 * While it lingers the loop's other watchers wait, so it begins only when
 * nothing else of the actor's own can need the loop, and each turn of the
 * loop lingers for at most the set time. SO_RCVTIMEO bounds each read (the
 * kernel rounds it up to a clock tick); a signal interrupts it (EINTR) and
 * the loop then handles the signal. */
#include <errno.h>

#include "src/libprospero/actor.h"

int prospero_linger(struct prospero *p, double seconds)
{
	if (!p || !(seconds >= 0) || seconds > 86400) {
		errno = EINVAL;	/* NaN, negative, or longer than a day */
		return -1;
	}
	for (struct prospero_binding *b = pr_first_binding(p); seconds > 0 && b; b = pr_next_binding(b))
		if (pr_chan_timeouts(&b->chan, seconds, 0) < 0)
			return -1;
	p->linger = seconds;
	return 0;
}

/* The one binding P may linger on, or NULL: its one served edge when it
 * has no call in flight, or the one binding with calls in flight when it
 * serves no edge; and only while nothing else of the actor's own waits
 * on the loop: no deferred request, no frame queued (a full edge has
 * frames queued), no watcher already pending. */
static struct prospero_binding *lingering_on(const struct prospero *p)
{
	struct prospero_binding *served = NULL, *calling = NULL;

	if (p->stopping || p->closing || p->server.deferred || ev_pending_count(p->port.loop))
		return NULL;
	for (struct prospero_binding *b = pr_first_binding(p); b; b = pr_next_binding(b)) {
		if (b->chan.qlen)
			return NULL;
		if (b->serve) {
			if (served)
				return NULL;
			served = b;
		} else if (b->calls.pending) {
			if (calling)
				return NULL;
			calling = b;
		}
	}
	if (served && calling)
		return NULL;
	return served ? served : calling;
}

/* SO_RCVTIMEO at the linger time; an edge adopted after prospero_linger
 * gets it on first use. If the socket refuses, the actor stops lingering. */
static bool ready_to_linger(struct prospero_binding *b)
{
	if (pr_chan_timeouts(&b->chan, b->p->linger, 0) == 0)
		return true;
	b->p->linger = 0;
	return false;
}

int pr_linger_served(struct prospero_binding *b)
{
	struct prospero *p = b->p;
	uint64_t until = pr_mono_ns() + (uint64_t)(p->linger * 1e9);
	int r = 1;

	if (!ready_to_linger(b))
		return r;
	/* on while each call is answered at once: a cast, or a deferred
	 * request, sends the service back to its loop */
	while (r > 0 && b->chan.sent && lingering_on(p) == b && pr_mono_ns() < until) {
		b->chan.sent = false;
		r = pr_chan_read_wait(&b->chan);
	}
	return r;
}

void pr_linger_calls(struct pr_port *port)
{
	struct prospero *p = pr_container_of(port, struct prospero, port);
	uint64_t until = pr_mono_ns() + (uint64_t)(p->linger * 1e9);
	struct prospero_binding *b;

	if (p->linger <= 0)
		return;
	/* The answers' callbacks may call again (on while they do), cast, or
	 * call elsewhere: what they queue goes out before the next read, and
	 * before the loop waits. */
	while ((b = lingering_on(p)) && !b->serve && pr_mono_ns() < until) {
		if (!ready_to_linger(b) || pr_chan_read_wait(&b->chan) <= 0)
			break;
		pr_port_flush(port);
		ev_idle_start(port->loop, &p->lingered);
	}
	pr_port_flush(port);
}

void pr_linger_done(struct ev_loop *loop, ev_idle *w, int revents)
{
	ev_idle_stop(loop, w);
}
