/* The control socket's server; see ctl_server.h. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "src/daemon/context.h"
#include "src/daemon/ctl_server.h"
#include "src/daemon/sockbind.h"
#include "src/daemon/ctl_verbs.h"
#include "src/daemon/log.h"

static void client_free(struct ctl_client *c)
{
	struct ctl_server *s = c->srv;

	ev_io_stop(s->d->loop, &c->io);
	close(c->fd);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	s->nclients--;
	free(c->out);
	free(c);
}

/* Gone: at once, or once its handler has returned. */
static void client_drop(struct ctl_client *c)
{
	if (!c->busy) {
		client_free(c);
		return;
	}
	c->drop = true;
	ev_io_stop(c->srv->d->loop, &c->io);
}

/* A whole request line waits in c->in, to be taken at a later turn. */
static bool pending(const struct ctl_client *c)
{
	return c->mode == CTL_MODE_REQUEST && memchr(c->in, '\n', c->nin);
}

/* Read when it may send and there is room, write too while answers or
 * requests wait (a request is taken once the answers before it are out). */
static void client_watch(struct ctl_client *c)
{
	bool room = c->mode != CTL_MODE_REQUEST || c->nin < sizeof c->in;
	int want = (c->eof || !room ? 0 : EV_READ) | (c->nout || pending(c) ? EV_WRITE : 0);

	if (want == 0 && c->mode == CTL_MODE_REQUEST) {
		client_drop(c);	/* answered, and the peer is done */
		return;
	}
	ev_io_stop(c->srv->d->loop, &c->io);
	if (want == 0 || c->drop)
		return;	/* a subscriber that hung up its side: kept while we can write */
	ev_io_set(&c->io, c->fd, want);
	ev_io_start(c->srv->d->loop, &c->io);
}

/* Write what waits; false when the client is gone. */
static bool flush(struct ctl_client *c)
{
	while (c->nout > 0) {
		ssize_t w = send(c->fd, c->out, c->nout, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			client_drop(c);
			return false;
		}
		memmove(c->out, c->out + w, c->nout - (size_t)w);
		c->nout -= (size_t)w;
	}
	return true;
}

static bool buffer(struct ctl_client *c, const char *buf, size_t n)
{
	if (c->nout + n > CTL_OUT_MAX)
		return false;
	if (c->nout + n > c->outcap) {
		size_t cap = c->outcap ? c->outcap : 4096;
		char *p;

		while (cap < c->nout + n)
			cap *= 2;
		if (!(p = realloc(c->out, cap)))
			return false;
		c->out = p;
		c->outcap = cap;
	}
	memcpy(c->out + c->nout, buf, n);
	c->nout += n;
	return true;
}

void ctl_send(struct ctl_client *c, const char *buf, size_t n)
{
	if (c->drop)
		return;
	if (!buffer(c, buf, n)) {
		/* it does not read: the daemon does not hold answers for it */
		client_drop(c);
		return;
	}
	if (flush(c))
		client_watch(c);
}

/* What ctl_answer_error(ENOMEM, ...) would say, with nothing to allocate:
 * the answer there was no memory for is still answered. */
static const char no_memory[] = "{\"ok\":false,\"error\":\"the daemon is out of memory\",\"code\":\"ENOMEM\"}\n";

void ctl_send_line(struct ctl_client *c, char *line)
{
	if (!line) {
		ctl_send(c, no_memory, sizeof no_memory - 1);
		return;
	}
	ctl_send(c, line, strlen(line));
	free(line);
}

/* The peer closed its socket, not only its sending side: a subscriber
 * that did shutdown(SHUT_WR) still reads its stream, one that closed
 * (a ^C'd `events --follow`) would hold its place until the next line
 * failed to go, which on a quiet tree may be never. */
static bool peer_gone(int fd)
{
	struct pollfd p = { .fd = fd };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR));
}

/* The first complete line in c->in is a request: one a turn of the loop,
 * and only once the answers before it are written, so that a pipeline of
 * requests (each a status of a large tree, say) neither holds up the loop
 * nor piles up answers its client does not read. */
static void take_requests(struct ctl_client *c)
{
	char *nl;

	while (!c->drop && c->mode == CTL_MODE_REQUEST && c->nout == 0 && (nl = memchr(c->in, '\n', c->nin))) {
		size_t len = (size_t)(nl - c->in);
		bool skipped = c->skip;
		struct ctl_request r;
		char err[256];
		int rc = 0, saved = 0;

		c->in[len] = 0;
		if (skipped)
			c->skip = false;	/* the end of a line refused already */
		else if ((rc = ctl_request_decode(c->in, len, &r, err, sizeof err)) < 0)
			saved = errno;
		/* taken out before it is answered: the answer looks at what is left */
		memmove(c->in, nl + 1, c->nin - len - 1);
		c->nin -= len + 1;
		if (skipped)
			continue;
		if (rc < 0)
			ctl_send_line(c, ctl_answer_error(saved == ENOMEM ? ENOMEM : EINVAL, err));
		else
			ctl_verbs_handle(c->srv->d, c, &r);
		break;
	}
	if (c->mode == CTL_MODE_REQUEST && c->nin == sizeof c->in && !memchr(c->in, '\n', c->nin)) {
		/* one answer per request: the rest of this line is not another */
		bool answered = c->skip;

		/* emptied first: a full buffer would read as nothing more to take */
		c->skip = true;
		c->nin = 0;
		if (!answered)
			ctl_send_line(c, ctl_answer_error(EMSGSIZE, "request line too long"));
	}
}

/* What the loop saw C ready for: its answers written, what it sent read
 * and answered. C is busy meanwhile: the caller frees it if dropped. */
static void serve(struct ctl_client *c, int revents)
{
	bool request = c->mode == CTL_MODE_REQUEST;

	if ((revents & EV_WRITE) && !flush(c))
		return;
	/* a full buffer is whole requests waiting their turn: read no more yet */
	if ((revents & EV_READ) && (!request || c->nin < sizeof c->in)) {
		/* a subscriber's lines are read and ignored */
		size_t at = request ? c->nin : 0;
		ssize_t r = recv(c->fd, c->in + at, sizeof c->in - at, 0);

		if (r < 0 && errno != EAGAIN && errno != EINTR) {
			c->drop = true;
			return;
		}
		if (r == 0) {
			c->eof = true;
			if (!request && peer_gone(c->fd)) {
				c->drop = true;
				return;
			}
			/* a last request without its newline is a line all the same */
			if (request && c->nin > 0 && c->in[c->nin - 1] != '\n')
				c->in[c->nin++] = '\n';
		}
		if (r > 0 && request)
			c->nin += (size_t)r;
	}
	take_requests(c);
	client_watch(c);
}

static void on_client(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_client *c = w->data;

	c->busy = true;
	serve(c, revents);
	c->busy = false;
	if (c->drop)
		client_free(c);
}

/* Let the clients whose peers are gone go, to make room: a closed
 * follower, whose end nothing else would tell on a quiet tree, and a
 * connection closed at once, taken with others before the loop read its
 * end (a loop that connects and closes would otherwise fill every place).
 * What such a peer sent is still read and carried out, answered to no
 * one; a few reads each, so a closed peer behind a long pipeline keeps
 * its place until the loop has read the rest. How many went. */
static unsigned drop_gone(struct ctl_server *s)
{
	struct ctl_client *c, *next;
	unsigned freed = 0;

	/* an answer may drop another client: none is freed under this walk */
	for (c = s->clients; c; c = c->next)
		c->busy = true;
	for (c = s->clients; c; c = c->next)
		for (int i = 0; i < 4 && !c->drop && peer_gone(c->fd); i++)
			serve(c, EV_READ | EV_WRITE);
	for (c = s->clients; c; c = next) {
		next = c->next;
		c->busy = false;
		if (c->drop) {
			client_free(c);
			freed++;
		}
	}
	return freed;
}

/* Root and the daemon's own uid: anyone else, an actor under its own uid
 * in particular, is told no and hung up on, whatever the path's mode. */
static bool allowed(const struct ctl_server *s, int fd, struct ucred *cr)
{
	socklen_t len = sizeof *cr;

	*cr = (struct ucred){ .pid = 0 };
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cr, &len) < 0)
		return false;
	return cr->uid == 0 || cr->uid == s->self;
}

static void refuse(int fd, int err, const char *why)
{
	char *line = ctl_answer_error(err, why);

	if (line)	/* best effort: the socket is new, its buffer empty */
		(void)!send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
	free(line);
	close(fd);
}

/* The daemon is out of fds (EMFILE, ENFILE): the connection stays in the
 * backlog and the listener readable, and libev would call on_accept again
 * at once, for ever. Give up the fd reserve to take the connection and
 * say why it is refused; with none of it below the limit, stop listening for
 * a second. accept fails so before it looks at the backlog, so only a
 * connection taken counts as refused. False when on_accept should stop
 * for now. */
static bool out_of_fds(struct ctl_server *s, int err)
{
	struct rlimit now = s->d->nofile;
	int fd, aerr;
	bool retaken;

	/* read again: prlimit(1) may have lowered it since the start */
	(void)getrlimit(RLIMIT_NOFILE, &now);
	if (!s->starved) {
		s->starved = true;
		log_warn("control socket: cannot take a connection: %s (the daemon's limit is %llu open "
			 "files): refusing connections until some are free",
			 strerror(err), (unsigned long long)now.rlim_cur);
	}
	if (fd_reserve_give_up(&s->d->fd_reserve)) {
		fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		aerr = errno;
		if (fd >= 0) {
			s->refused++;
			refuse(fd, err, "the daemon is out of open files: try again later");
		}
		retaken = fd_reserve_take(&s->d->fd_reserve) == 0;
		if (fd < 0 && (aerr == EAGAIN || aerr == EWOULDBLOCK))
			return false;	/* the backlog is empty: wait for the next */
		if (fd >= 0 && retaken)
			return true;
	} else if (!s->unanswered) {
		s->unanswered = true;
		log_warn("control socket: no spare fd below the daemon's limit of %llu open files to refuse "
			 "connections with: they wait unanswered until some are free (raise the limit, e.g. "
			 "LimitNOFILE= under systemd)", (unsigned long long)now.rlim_cur);
	}
	/* set again each time: a one-shot timer restarted as it was keeps
	 * the time it fired at, and would fire at once */
	ev_io_stop(s->d->loop, &s->io);
	ev_timer_set(&s->pause, 1., 0.);
	ev_timer_start(s->d->loop, &s->pause);
	return false;
}

static void on_pause_end(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ctl_server *s = w->data;

	fd_reserve_take(&s->d->fd_reserve);
	ev_io_start(loop, &s->io);
}

static void on_accept(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ctl_server *s = w->data;
	struct ctl_client *c;
	struct ucred cr;
	int fd;

	for (;;) {
		if ((fd = accept4(s->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) < 0) {
			int err = errno;

			if (err != EMFILE && err != ENFILE)
				break;
			/* clients that hung up hold fds whose end the loop has
			 * not read yet: theirs to give back before a refusal */
			if (drop_gone(s) > 0)
				continue;
			if (!out_of_fds(s, err))
				break;
			continue;
		}
		if (s->starved) {
			log_info("control socket: taking connections again (%u refused for want of open files)",
				 s->refused);
			s->starved = false;
			s->unanswered = false;
			s->refused = 0;
		}
		if (!allowed(s, fd, &cr)) {
			log_warn("control socket: refused a connection from pid %d, uid %u", (int)cr.pid,
				 (unsigned)cr.uid);
			refuse(fd, EACCES, CTL_REFUSED_USER);
			continue;
		}
		if (s->nclients >= CTL_MAX_CLIENTS)
			drop_gone(s);
		if (s->nclients >= CTL_MAX_CLIENTS || !(c = calloc(1, sizeof *c))) {
			refuse(fd, EAGAIN, "too many control connections");
			continue;
		}
		c->srv = s;
		c->fd = fd;
		c->next = s->clients;
		if (s->clients)
			s->clients->prev = c;
		s->clients = c;
		s->nclients++;
		ev_io_init(&c->io, on_client, fd, EV_READ);
		c->io.data = c;
		ev_io_start(loop, &c->io);
	}
}

int ctl_server_open(struct ctl_server *s, struct daemon *d, const char *dir)
{
	s->d = d;
	s->self = geteuid();
	/* operators' commands find it by this path */
	if ((size_t)snprintf(s->path, sizeof s->path, "%s/" CTL_SOCKET_NAME, dir) >= sizeof s->path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (s->fd < 0)
		return -1;
	if (sock_bind_at(s->fd, d->rundir.fd, CTL_SOCKET_NAME, 0600) < 0 || listen(s->fd, 64) < 0) {
		int saved = errno;
		close(s->fd);
		s->fd = -1;
		errno = saved;
		return -1;
	}
	s->refused = 0;
	s->starved = s->unanswered = false;
	ev_timer_init(&s->pause, on_pause_end, 1.0, 0.0);
	s->pause.data = s;
	ev_io_init(&s->io, on_accept, s->fd, EV_READ);
	s->io.data = s;
	ev_io_start(d->loop, &s->io);
	return 0;
}

void ctl_server_close(struct ctl_server *s)
{
	while (s->clients)
		client_free(s->clients);
	if (s->fd < 0)
		return;
	ev_io_stop(s->d->loop, &s->io);
	ev_timer_stop(s->d->loop, &s->pause);
	close(s->fd);
	unlinkat(s->d->rundir.fd, CTL_SOCKET_NAME, 0);
	s->fd = -1;
}

bool ctl_server_waiting(const struct ctl_server *s)
{
	struct pollfd p[CTL_MAX_CLIENTS + 1];
	nfds_t n = 0;

	if (s->fd >= 0 && ev_is_active(&s->io))
		p[n++] = (struct pollfd){ .fd = s->fd, .events = POLLIN };
	for (const struct ctl_client *c = s->clients; c && n < sizeof p / sizeof *p; c = c->next)
		if (ev_is_active(&c->io) && (c->io.events & EV_READ))
			p[n++] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
	if (n == 0 || poll(p, n, 0) <= 0)
		return false;
	for (nfds_t i = 0; i < n; i++)
		if (p[i].revents)
			return true;
	return false;
}

static bool matches(const char *filter, const char *name)
{
	size_t n = strlen(filter);

	return !filter[0] || strcmp(filter, name) == 0 ||
	       (strncmp(filter, name, n) == 0 && name[n] == '#');
}

void ctl_broadcast(struct ctl_server *s, enum ctl_mode mode, const char *name,
		   const char *line, size_t n)
{
	struct ctl_client *c = s->clients, *next;

	for (; c; c = next) {
		next = c->next;	/* ctl_send may drop c */
		if (c->mode == mode && matches(c->filter, name))
			ctl_send(c, line, n);
	}
}

bool ctl_has_subscribers(const struct ctl_server *s, enum ctl_mode mode)
{
	for (const struct ctl_client *c = s->clients; c; c = c->next)
		if (c->mode == mode)
			return true;
	return false;
}
