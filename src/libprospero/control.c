/* The actor's end of its control channel: the daemon's notices in, and
 * readiness, watchdog and status out (to $NOTIFY_SOCKET when there is no
 * control channel). */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/libprospero/actor.h"
#include "src/proto/control.h"
#include "src/proto/hangup.h"
#include "src/proto/sdnotify.h"

/* PEER_RESTARTED=NAME: like an OTP monitor's DOWN, what the dead
 * incarnation held will never be answered, so say so now rather than at
 * each timeout — unless the notice on the binding itself said so first. */
static void peer_restarted(struct prospero *p, const char *name, unsigned long inc)
{
	bool news = true;

	for (struct prospero_binding *b = pr_first_binding(p); b; b = pr_next_binding(b))
		if (!b->serve && strcmp(b->name, name) == 0)
			news = pr_calls_peer_restarted(&b->calls, inc, 0);
	if (news && p->on_peer_restarted && !p->closing)
		p->on_peer_restarted(p, name, inc, p->restart_arg);
}

static void control_read(struct ev_loop *loop, ev_io *w)
{
	struct prospero *p = w->data;
	char msg[1024], name[256];
	unsigned long inc;
	ssize_t n = recv(p->control_fd, msg, sizeof msg, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* 0 is the end, or an empty datagram: a message of no lines, after
	 * which the channel goes on (prospero-protocol(7)) */
	if (n == 0 && !pp_hung_up(p->control_fd))
		return;
	if (n <= 0) {
		ev_io_stop(loop, w);	/* the daemon is gone; PDEATHSIG follows */
		return;
	}
	if (pp_peer_restarted_parse(msg, (size_t)n, name, sizeof name, &inc))
		peer_restarted(p, name, inc);
}

static void control_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct prospero *p = w->data;

	pr_port_enter(&p->port);
	control_read(loop, w);
	pr_port_leave(&p->port);
}

void pr_control_open(struct prospero *p, int fd)
{
	p->control_fd = fd;
	ev_io_init(&p->control_io, control_readable, fd, EV_READ);
	p->control_io.data = p;
	ev_io_start(p->port.loop, &p->control_io);
}

void pr_control_close(struct prospero *p)
{
	if (p->control_fd < 0)
		return;
	ev_io_stop(p->port.loop, &p->control_io);
	close(p->control_fd);
	p->control_fd = -1;
}

int pr_notify(struct prospero *p, const char *msg)
{
	if (p->control_fd >= 0) {
		if (send(p->control_fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0)
			return 0;
		if (errno == ECONNRESET)
			errno = EPIPE;	/* closed, as for a binding (channel.c) */
		return -1;
	}
	return pp_sd_notify(msg) < 0 ? -1 : 0;	/* none: nobody to tell */
}

int prospero_ready(struct prospero *p)
{
	if (!p) {
		errno = EINVAL;
		return -1;
	}
	return pr_notify(p, PP_READY);
}

int prospero_watchdog(struct prospero *p)
{
	if (!p) {
		errno = EINVAL;
		return -1;
	}
	return pr_notify(p, PP_WATCHDOG);
}

int prospero_status(struct prospero *p, const char *status)
{
	char msg[PP_STATUS_MSG_MAX + 1];

	if (!p) {
		errno = EINVAL;
		return -1;
	}
	if (pp_status_format(msg, sizeof msg, status) < 0)
		return -1;
	return pr_notify(p, msg);
}

static void watchdog_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	prospero_watchdog(w->data);
}

void prospero_auto_watchdog(struct prospero *p, double interval)
{
	if (!p)
		return;
	ev_timer_stop(p->port.loop, &p->watchdog);
	if (!(interval > 0))
		return;	/* NaN too: libev cannot order it among the timers */
	ev_timer_init(&p->watchdog, watchdog_tick, interval, interval);
	p->watchdog.data = p;
	ev_timer_start(p->port.loop, &p->watchdog);
}
