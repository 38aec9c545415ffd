/* One SEQPACKET channel: datagrams out (sent at once, or queued and
 * coalesced while the socket is full) and datagrams in (split into
 * frames and handed to the channel's owner).
 *
 * Every socket operation passes MSG_DONTWAIT instead of setting O_NONBLOCK:
 * a pool's instances share the service end's open file description, and a
 * flag on it would change the others' sockets too. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "src/libprospero/channel.h"
#include "src/libprospero/memfd.h"
#include "src/proto/error.h"
#include "src/proto/fdpass.h"

/* Datagrams read per wake-up at most: a peer streaming to us must not
 * keep the loop's other watchers waiting. */
#define PR_READ_BURST 64

static struct pr_dgram *dgram_get(struct pr_port *port)
{
	struct pr_dgram *d = port->free_dgrams;

	if (d) {
		port->free_dgrams = d->next;
	} else {
		d = malloc(sizeof *d);
		if (!d)
			return NULL;
	}
	d->next = NULL;
	d->len = 0;
	d->fd = -1;
	return d;
}

static void dgram_put(struct pr_port *port, struct pr_dgram *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->next = port->free_dgrams;
	port->free_dgrams = d;
}

/* 0 sent (frames up to LAST written), -1 with errno (EAGAIN: the socket
 * is full; EPIPE: the other end is closed). FLAGS add MSG_DONTWAIT, or
 * not for a blocking send. */
static int xmit_flags(struct pr_chan *c, const void *buf, size_t len, int fd, int flags, uint64_t last)
{
	if (pp_fdpass_send(c->fd, buf, len, fd, flags) < 0) {
		/* what a peer that closed with our datagrams unread leaves
		 * for the next send: closed all the same */
		if (errno == ECONNRESET)
			errno = EPIPE;
		if (errno == EPIPE)
			c->gone = true;
		return -1;
	}
	c->sent = true;
	c->written = last;
	return 0;
}

static int xmit(struct pr_chan *c, const void *buf, size_t len, int fd, uint64_t last)
{
	return xmit_flags(c, buf, len, fd, MSG_DONTWAIT, last);
}

uint64_t pr_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Longer than any wait: a timeval holds no more (INFINITY, 1e300), and
 * the kernel waits for ever from well below it. */
#define PR_TIMEOUT_MAX 1e9

static int set_timeout(int fd, int opt, double seconds)
{
	struct timeval tv;

	if (seconds > PR_TIMEOUT_MAX)
		seconds = PR_TIMEOUT_MAX;
	tv.tv_sec = (time_t)seconds;
	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	if (tv.tv_sec == 0 && tv.tv_usec == 0)
		tv.tv_usec = 1;	/* 0 would mean: wait forever */
	return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv);
}

int pr_chan_timeouts(struct pr_chan *c, double rcv, double snd)
{
	if (rcv != c->rcv_timeout) {
		c->rcv_timeout = 0;
		if (set_timeout(c->fd, SO_RCVTIMEO, rcv) < 0)
			return -1;
		c->rcv_timeout = rcv;
	}
	if (snd > 0 && snd != c->snd_timeout) {
		c->snd_timeout = 0;
		if (set_timeout(c->fd, SO_SNDTIMEO, snd) < 0)
			return -1;
		c->snd_timeout = snd;
	}
	return 0;
}

int pr_chan_send_wait(struct pr_chan *c, const struct pf_frame *f, int fd)
{
	long n = pf_encode(c->port->tx, sizeof c->port->tx, f);
	int r = n < 0 ? -1 : xmit_flags(c, c->port->tx, (size_t)n, fd, 0, ++c->frames);
	int e = errno;

	if (fd >= 0)
		close(fd);
	errno = e;
	return r;
}

/* Queue F (with memfd FD or -1): into the last queued datagram if it
 * fits (coalescing), else a datagram of its own. FULL: the socket
 * refused it just now, so wait for room rather than for the turn's end. */
static int enqueue(struct pr_chan *c, const struct pf_frame *f, int fd, bool full)
{
	struct pr_port *port = c->port;
	struct pr_dgram *d, *tail = c->qtail;
	long n;

	if (c->coalesce && tail && tail->fd < 0 && fd < 0 && tail->len + pf_size(f) <= PF_MAX_DGRAM) {
		n = pf_encode(tail->buf + tail->len, PF_MAX_DGRAM - tail->len, f);
		if (n < 0)
			return -1;
		tail->len += (size_t)n;
		tail->last = c->frames;
		return 0;
	}
	d = dgram_get(port);
	if (!d) {
		errno = ENOMEM;
		return -1;
	}
	n = pf_encode(d->buf, PF_MAX_DGRAM, f);
	if (n < 0) {
		int e = errno;

		dgram_put(port, d);
		errno = e;
		return -1;
	}
	d->len = (size_t)n;
	d->last = c->frames;
	d->fd = fd;
	if (tail)
		tail->next = d;
	else
		c->qhead = d;
	c->qtail = d;
	if (++c->qlen >= PR_QUEUE_HIGH)
		c->full = true;
	if (full)
		ev_io_start(port->loop, &c->wio);	/* wait for room */
	else if (!ev_is_active(&c->wio))
		ev_prepare_start(port->loop, &port->flusher);	/* send before the loop waits */
	return 0;
}

/* Whether the other end of C is closed: the socket hangs up (a
 * SOCK_SEQPACKET peer's close sets both of our shutdown bits). */
static bool peer_gone(struct pr_chan *c)
{
	struct pollfd p = { .fd = c->fd };

	if (!c->gone && poll(&p, 1, 0) == 1 && (p.revents & POLLHUP))
		c->gone = true;
	return c->gone;
}

int pr_chan_send(struct pr_chan *c, const struct pf_frame *f, int fd, bool force)
{
	/* A cast waits for the end of this turn of the loop, so the casts of
	 * one turn leave as few datagrams as fit: coalesced whatever the
	 * socket's room. Calls and replies go at once (a round trip waits). */
	bool cork = c->coalesce && fd < 0 && f->kind == PF_CAST;
	bool full = false;
	long n;

	c->frames++;	/* this frame's number, whether it goes or not */
	/* a cast that starts the turn's queue would learn of a closed peer
	 * only at the turn's end, and be dropped there: ask now, once a turn */
	if (c->gone || (cork && c->qlen == 0 && peer_gone(c))) {
		errno = EPIPE;
		goto fail;
	}
	if (!force && (c->full || c->qlen >= PR_QUEUE_HIGH)) {
		/* refused until drained to half (ops->sent), as promised */
		errno = EAGAIN;
		goto fail;
	}
	if (c->qlen == 0 && !cork) {
		/* The common case: nothing waits, so this frame goes out alone. */
		n = pf_encode(c->port->tx, sizeof c->port->tx, f);
		if (n < 0)
			goto fail;
		if (xmit(c, c->port->tx, (size_t)n, fd, c->frames) == 0) {
			if (fd >= 0)
				close(fd);
			return 0;
		}
		if (errno != EAGAIN && errno != ENOBUFS)
			goto fail;
		full = true;
	}
	if (enqueue(c, f, fd, full) == 0)
		return 0;	/* the datagram holds FD now */
fail:
	if (fd >= 0) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return -1;
}

void pr_chan_send_error(struct pr_chan *c, uint64_t id, int code, const char *why)
{
	const char *name = pf_error_name(code);
	struct pf_frame f = {
		.kind = PF_ERROR, .id = id,
		.method = name, .method_len = (uint16_t)strlen(name),
		.body = why, .body_len = (uint32_t)strlen(why),
	};

	/* a served end pauses its reads while its queue is full
	 * (ops->read_done), which bounds what it queues; one that reads on
	 * would queue as much as a peer that reads nothing sends it */
	if (id != 0)
		pr_chan_send(c, &f, -1, !c->reads_on);
}

/* Offer the first queued datagram to the socket: -1 when it is full, 0
 * when the datagram is done — sent, or refused for good (the peer's end
 * is gone). */
static int send_head(struct pr_chan *c)
{
	struct pr_dgram *d = c->qhead;
	uint64_t at = c->ops->wrote ? pr_mono_ns() : 0;	/* before: see ops->wrote */
	uint64_t last = d->last;

	if (xmit(c, d->buf, d->len, d->fd, last) < 0) {
		if (errno == EAGAIN || errno == ENOBUFS)
			return -1;
		c->written = last;	/* done with, as far as anyone waits */
	}
	c->qhead = d->next;
	if (!c->qhead)
		c->qtail = NULL;
	c->qlen--;
	dgram_put(c->port, d);
	if (c->ops->wrote)
		c->ops->wrote(c, last, at);
	return 0;
}

void pr_chan_drain(struct pr_chan *c)
{
	while (c->qhead && send_head(c) == 0)
		;
	/* drained to half here, silently: the write watcher, which fires at
	 * once, clears FULL and tells the owner */
	if (c->full && c->qlen <= PR_QUEUE_HIGH / 2)
		ev_io_start(c->port->loop, &c->wio);
}

static void writable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct pr_chan *c = w->data;
	bool drained;

	while (c->qhead) {
		if (send_head(c) < 0)
			return;
		if (c->full && c->qlen <= PR_QUEUE_HIGH / 2)
			break;
	}
	if (!c->qhead)
		ev_io_stop(loop, &c->wio);
	drained = c->full && c->qlen <= PR_QUEUE_HIGH / 2;
	if (drained)
		c->full = false;
	if (c->ops->sent)
		c->ops->sent(c, drained);
}

static void writable_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct pr_port *port = ((struct pr_chan *)w->data)->port;

	pr_port_enter(port);
	writable(loop, w, revents);
	pr_port_leave(port);
}

void pr_port_enter(struct pr_port *port)
{
	port->depth++;
}

void pr_port_leave(struct pr_port *port)
{
	if (--port->depth == 0 && port->closed && port->on_close)
		port->on_close(port);
}

void pr_port_flush(struct pr_port *port)
{
	struct ev_loop *loop = port->loop;
	bool again = true;

	/* Until every queue is empty or waits for room: what ops->sent
	 * sends meanwhile must not sit through the loop's wait. Each pass
	 * leaves what the socket would not take under its write watcher, so
	 * the passes end; their bound only guards against callbacks that
	 * cast for ever, and what they leave is handed to the write watchers
	 * below, since the loop may now wait before this one runs again. */
	for (int pass = 0; again && pass < 8; pass++) {
		again = false;
		for (struct pr_chan *c = port->head; c; c = c->next) {
			if (!c->qhead || ev_is_active(&c->wio))
				continue;
			again = true;
			writable(loop, &c->wio, EV_WRITE);
			if (c->qhead && !ev_is_active(&c->wio))
				ev_io_start(loop, &c->wio);
		}
	}
	for (struct pr_chan *c = port->head; again && c; c = c->next)
		if (c->qhead && !ev_is_active(&c->wio))
			ev_io_start(loop, &c->wio);
}

static void before_wait(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct pr_port *port = w->data;

	ev_prepare_stop(loop, w);
	pr_port_enter(port);
	pr_port_flush(port);
	if (port->before_wait && !port->closed)
		port->before_wait(port);
	pr_port_leave(port);
}

void pr_port_wake(struct pr_port *port)
{
	ev_prepare_start(port->loop, &port->flusher);
}

/* A malformed frame: only a call is answered, since answering anything
 * else could start two confused peers bouncing errors at each other. */
static void reject(struct pr_chan *c, const struct pf_frame *f, const char *why)
{
	if (f->kind == PF_CALL)
		pr_chan_send_error(c, f->id, PROSPERO_E_BAD_REQUEST, why);
}

/* The frames of datagram RX (N bytes), in order; a malformed frame ends
 * it, since what follows cannot be found reliably. */
static void dispatch(struct pr_chan *c, const unsigned char *rx, size_t n, int *fds, unsigned nfd)
{
	unsigned next_fd = 0;
	size_t off = 0;

	while (off < n) {
		struct pf_frame f;
		const char *why = NULL;
		const void *body;
		void *map = NULL;
		long used = pf_decode(rx + off, n - off, &f, &why);

		if (used < 0) {
			reject(c, &f, why);
			return;
		}
		body = f.body;
		if (f.flags & PF_FLAG_MEMFD) {
			if (next_fd >= nfd) {
				reject(c, &f, "memfd body without a file descriptor");
				return;
			}
			map = pr_memfd_map(fds[next_fd], f.body_len, &why);
			close(fds[next_fd]);
			fds[next_fd++] = -1;
			if (!map) {
				reject(c, &f, why);
				return;
			}
			body = map;
		}
		c->ops->frame(c, &f, body);
		if (map && f.body_len)
			munmap(map, f.body_len);
		off += (size_t)used;
	}
}

/* Room for the fds one datagram may carry, aligned for cmsghdr. */
union fd_space {
	struct cmsghdr h;
	char space[CMSG_SPACE(sizeof(int) * PF_MAX_FDS)];
};

/* One received datagram: 0 handled, -1 the channel is finished. */
static int take(struct pr_chan *c, const unsigned char *rx, size_t n, struct msghdr *msg)
{
	int fds[PF_MAX_FDS];
	unsigned nfd = pp_fdpass_take(msg, fds, PF_MAX_FDS);	/* first, so every path closes them */

	if (n == 0) {
		/* The end of the stream, or an empty datagram, which no
		 * well-behaved peer sends: either way this channel is done. */
		pp_fdpass_close(fds, nfd);
		return -1;
	}
	if (msg->msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
		struct pf_frame f;

		pf_decode(rx, n, &f, NULL);
		reject(c, &f, (msg->msg_flags & MSG_TRUNC) ? "datagram too large" : "too many file descriptors");
	} else {
		dispatch(c, rx, n, fds, nfd);
	}
	pp_fdpass_close(fds, nfd);
	return 0;
}

/* One datagram, with recvmsg: 1 handled; 0 none waiting (EAGAIN, or EINTR
 * in a blocking read); -1 the channel is finished. */
static int read_one(struct pr_chan *c, int flags)
{
	struct iovec iov = { .iov_base = c->port->rx, .iov_len = PF_MAX_DGRAM };
	union fd_space cm;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cm.space, .msg_controllen = sizeof cm.space,
	};
	ssize_t n;

	do
		n = recvmsg(c->fd, &msg, flags | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR && (flags & MSG_DONTWAIT));
	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
	return take(c, c->port->rx, (size_t)n, &msg) < 0 ? -1 : 1;
}

int pr_chan_read_wait(struct pr_chan *c)
{
	return read_one(c, 0);
}

/* Whether to look for more datagrams after the first of a wake-up. A
 * look that finds nothing costs a system call, and a reader woken for
 * each datagram (its peer on the same CPU) would pay it every time: after
 * such a miss, skip the next 1, 2, 4, then 8 looks; a look that finds
 * datagrams resets that. */
#define PR_LOOK_BACKOFF_MAX 8u

static int read_on(struct pr_chan *c)
{
	int r;

	if (c->look_skip) {
		c->look_skip--;
		return 1;
	}
	r = read_one(c, MSG_DONTWAIT);
	if (r == 0) {
		c->look_backoff = c->look_backoff ? c->look_backoff * 2 : 1;
		if (c->look_backoff > PR_LOOK_BACKOFF_MAX)
			c->look_backoff = PR_LOOK_BACKOFF_MAX;
		c->look_skip = c->look_backoff;
		return 0;
	}
	c->look_backoff = 0;
	/* One recvmsg a datagram, not recvmmsg batches: a reader cheaper per
	 * datagram than its sender gains nothing (the sender sets the pace)
	 * but sleeps and is woken more often, and on its sender's CPU each
	 * wake preempts the sender. */
	for (int i = 2; r > 0 && i < PR_READ_BURST && !c->sent && ev_is_active(&c->rio); i++)
		r = read_one(c, MSG_DONTWAIT);
	return r;
}

static void read_ready(struct ev_loop *loop, struct pr_chan *c)
{
	int r;

	/* First one datagram alone: in a ping-pong it is all there is. If we
	 * answered it, the next cannot be there yet either. A peer streaming
	 * to us is read on (read_on). */
	c->sent = false;
	r = read_one(c, MSG_DONTWAIT);
	if (!ev_is_active(&c->rio))
		return;	/* paused by what it read (a stop): the rest stays */
	if (r > 0 && !c->sent)
		r = read_on(c);
	else if (r > 0 && c->ops->answered)
		r = c->ops->answered(c);
	if (r < 0) {
		ev_io_stop(loop, &c->rio);
		return;
	}
	if (c->ops->read_done)
		c->ops->read_done(c);
}

static void readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct pr_port *port = ((struct pr_chan *)w->data)->port;

	pr_port_enter(port);
	read_ready(loop, w->data);
	pr_port_leave(port);
}

void pr_port_init(struct pr_port *port, struct ev_loop *loop, void (*wait_hook)(struct pr_port *))
{
	port->loop = loop;
	port->head = port->tail = NULL;
	port->free_dgrams = NULL;
	port->before_wait = wait_hook;
	port->depth = 0;
	port->closed = false;
	port->on_close = NULL;
	ev_prepare_init(&port->flusher, before_wait);
	port->flusher.data = port;
}

void pr_port_fini(struct pr_port *port)
{
	ev_prepare_stop(port->loop, &port->flusher);
	while (port->free_dgrams) {
		struct pr_dgram *d = port->free_dgrams;

		port->free_dgrams = d->next;
		free(d);
	}
}

void pr_chan_init(struct pr_chan *c, struct pr_port *port, int fd, const struct pr_chan_ops *ops)
{
	*c = (struct pr_chan){ .port = port, .ops = ops, .fd = fd, .coalesce = true };
	ev_io_init(&c->rio, readable, fd, EV_READ);
	c->rio.data = c;
	ev_io_init(&c->wio, writable_io, fd, EV_WRITE);
	c->wio.data = c;
	if (port->tail)
		port->tail->next = c;
	else
		port->head = c;
	port->tail = c;
}

void pr_chan_disown(struct pr_chan *c)
{
	pr_chan_pause(c);
	c->fd = -1;
}

void pr_chan_start(struct pr_chan *c)
{
	if (!c->port->closed)
		ev_io_start(c->port->loop, &c->rio);
}

void pr_chan_pause(struct pr_chan *c)
{
	ev_io_stop(c->port->loop, &c->rio);
}

void pr_chan_fini(struct pr_chan *c)
{
	struct pr_port *port = c->port;
	struct pr_chan **at = &port->head, *prev = NULL;

	pr_chan_drain(c);	/* casts of this turn: what the socket takes */
	ev_io_stop(port->loop, &c->rio);
	ev_io_stop(port->loop, &c->wio);
	while (c->qhead) {
		struct pr_dgram *d = c->qhead;

		c->qhead = d->next;
		dgram_put(port, d);
	}
	if (c->fd >= 0)
		close(c->fd);
	while (*at != c) {
		prev = *at;
		at = &prev->next;
	}
	*at = c->next;
	if (port->tail == c)
		port->tail = prev;
}
