/* An actor's handle on its channels: adopting the fds the daemon passed,
 * the control channel, readiness and watchdog, and the graceful stop. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "src/libprospero/internal.h"
#include "src/proto/control.h"
#include "src/proto/fds.h"
#include "src/proto/sdnotify.h"

static void control_readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct prospero *p = w->data;
	char msg[1024], name[256];
	unsigned long inc;
	ssize_t n = recv(p->control_fd, msg, sizeof msg, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		ev_io_stop(loop, w);	/* the daemon is gone; PDEATHSIG follows */
		return;
	}
	if (!pp_peer_restarted_parse(msg, (size_t)n, name, sizeof name, &inc))
		return;
	/* Like an OTP monitor's DOWN: what the dead incarnation held will
	 * never be answered, so say so now rather than at each timeout —
	 * unless the notice on the binding itself said so first. */
	bool news = true;

	for (unsigned i = 0; i < p->nchans; i++)
		if (!p->chans[i]->serve && strcmp(p->chans[i]->name, name) == 0)
			news = pr_call_peer_restarted(p->chans[i], inc, 0);
	if (news && p->on_peer_restarted)
		p->on_peer_restarted(p, name, inc, p->restart_arg);
}

struct prospero *prospero_new(struct ev_loop *loop)
{
	struct prospero *p = calloc(1, sizeof *p);

	if (!p)
		return NULL;
	p->loop = loop;
	p->control_fd = -1;
	ev_prepare_init(&p->flusher, pr_chan_before_wait);
	p->flusher.data = p;
	ev_idle_init(&p->lingered, pr_linger_done);
	return p;
}

int prospero_adopt(struct prospero *p, const char *fdname, int fd)
{
	struct prospero_binding *b, **chans;
	const char *client = pp_fdname_client(fdname);

	if (fd < 0 || !*fdname || fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
		errno = EBADF;
		return -1;
	}
	if (strcmp(fdname, PP_FDNAME_CONTROL) == 0) {
		if (p->control_fd >= 0) {
			errno = EEXIST;
			return -1;
		}
		p->control_fd = fd;
		ev_io_init(&p->control_io, control_readable, fd, EV_READ);
		p->control_io.data = p;
		ev_io_start(p->loop, &p->control_io);
		return 0;
	}
	chans = realloc(p->chans, sizeof *chans * (p->nchans + 1));
	if (!chans)
		return -1;
	p->chans = chans;
	b = pr_chan_new(p, client ? client : fdname, fd, client != NULL);
	if (!b)
		return -1;
	p->chans[p->nchans++] = b;
	/* Replies are read at once; requests only once the handlers are in. */
	if (!client || p->serving)
		pr_chan_start(b);
	return 0;
}

/* The fds named by PROSPERO_FDS and PROSPERO_FDNAMES, all checked before
 * any is adopted. */
static int adopt_env(struct prospero *p)
{
	char **name;
	unsigned long n;
	int r = -1;

	if (pp_fds_getenv(&name, &n) < 0)
		return -1;
	for (unsigned long i = 0; i < n; i++)
		if (prospero_adopt(p, name[i], PP_FD_CONTROL + (int)i) < 0)
			goto out;
	r = 0;
	if (name)	/* PROSPERO_FDS was set */
		pp_fds_unsetenv();
out:
	free(name);
	return r;
}

struct prospero *prospero_open(struct ev_loop *loop)
{
	struct prospero *p = prospero_new(loop);
	double watchdog = pp_sd_watchdog_interval();

	if (!p)
		return NULL;
	if (adopt_env(p) < 0) {
		int e = errno;

		prospero_close(p);
		errno = e;
		return NULL;
	}
	if (watchdog > 0)
		prospero_auto_watchdog(p, watchdog);
	return p;
}

void prospero_close(struct prospero *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->nchans; i++)
		pr_chan_free(p->chans[i]);
	free(p->chans);
	ev_prepare_stop(p->loop, &p->flusher);
	ev_idle_stop(p->loop, &p->lingered);
	for (unsigned i = 0; i < p->nmethods; i++)
		free(p->methods[i].name);
	free(p->methods);
	if (p->control_fd >= 0) {
		ev_io_stop(p->loop, &p->control_io);
		close(p->control_fd);
	}
	ev_timer_stop(p->loop, &p->watchdog);
	ev_signal_stop(p->loop, &p->sigterm);
	ev_idle_stop(p->loop, &p->stop_check);
	while (p->free_dgrams) {
		struct pr_dgram *d = p->free_dgrams;

		p->free_dgrams = d->next;
		free(d);
	}
	free(p);
}

struct prospero_binding *prospero_binding(struct prospero *p, const char *name)
{
	for (unsigned i = 0; i < p->nchans; i++)
		if (!p->chans[i]->serve && strcmp(p->chans[i]->name, name) == 0)
			return p->chans[i];
	errno = ENOENT;
	return NULL;
}

static int notify(struct prospero *p, const char *msg)
{
	if (p->control_fd >= 0)
		return send(p->control_fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL) < 0 ? -1 : 0;
	return pp_sd_notify(msg) < 0 ? -1 : 0;	/* none: nobody to tell */
}

int prospero_ready(struct prospero *p)
{
	return notify(p, PP_READY);
}

int prospero_watchdog(struct prospero *p)
{
	return notify(p, PP_WATCHDOG);
}

int prospero_status(struct prospero *p, const char *status)
{
	char msg[512];

	if (pp_status_format(msg, sizeof msg, status) < 0)
		return -1;
	return notify(p, msg);
}

static void watchdog_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	prospero_watchdog(w->data);
}

void prospero_auto_watchdog(struct prospero *p, double interval)
{
	ev_timer_stop(p->loop, &p->watchdog);
	if (interval <= 0)
		return;
	ev_timer_init(&p->watchdog, watchdog_tick, interval, interval);
	p->watchdog.data = p;
	ev_timer_start(p->loop, &p->watchdog);
}

void prospero_on_peer_restarted(struct prospero *p,
				void (*cb)(struct prospero *, const char *, unsigned long, void *), void *arg)
{
	p->on_peer_restarted = cb;
	p->restart_arg = arg;
}

/* From an idle watcher, not from whatever answered the last request: DONE
 * must not run inside a handler or a reply callback. */
static void stop_check(struct ev_loop *loop, ev_idle *w, int revents)
{
	struct prospero *p = w->data;

	ev_idle_stop(loop, w);
	if (p->stopped || p->deferred)
		return;
	for (unsigned i = 0; i < p->nchans; i++)
		if (!pr_chan_idle(p->chans[i]))
			return;
	p->stopped = true;
	ev_timer_stop(loop, &p->watchdog);
	if (p->on_stop)
		p->on_stop(p, p->stop_arg);
	else
		ev_break(loop, EVBREAK_ALL);
}

void pr_check_stopped(struct prospero *p)
{
	if (p->stopping && !p->stopped)
		ev_idle_start(p->loop, &p->stop_check);
}

void prospero_stop(struct prospero *p)
{
	if (p->stopping)
		return;
	p->stopping = true;
	/* What is still in the sockets stays there for the next incarnation
	 * or another instance of the pool. */
	for (unsigned i = 0; i < p->nchans; i++)
		if (p->chans[i]->serve)
			ev_io_stop(p->loop, &p->chans[i]->rio);
	notify(p, PP_STOPPING);
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
	p->on_stop = done;
	p->stop_arg = arg;
	ev_signal_init(&p->sigterm, on_sigterm, SIGTERM);
	p->sigterm.data = p;
	ev_signal_start(p->loop, &p->sigterm);
	return 0;
}
