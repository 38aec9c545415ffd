/* One SEQPACKET channel: datagrams out (sent at once, or queued and
 * coalesced while the socket is full) and datagrams in (split into frames
 * and handed to the call or serve side).
 *
 * Every socket operation passes MSG_DONTWAIT instead of setting O_NONBLOCK:
 * a pool's instances share the service end's open file description, and a
 * flag on it would change the others' sockets too. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "src/libprospero/internal.h"
#include "src/proto/fdpass.h"

/* Datagrams read per wake-up at most: a peer streaming to us must not
 * keep the loop's other watchers waiting. */
#define PR_READ_BURST 64

static struct pr_dgram *dgram_get(struct prospero *p)
{
	struct pr_dgram *d = p->free_dgrams;

	if (d) {
		p->free_dgrams = d->next;
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

static void dgram_put(struct prospero *p, struct pr_dgram *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->next = p->free_dgrams;
	p->free_dgrams = d;
}

/* 0 sent, -1 with errno (EAGAIN: the socket is full). FLAGS add
 * MSG_DONTWAIT, or not for a blocking send. */
static int xmit_flags(struct prospero_binding *b, const void *buf, size_t len, int fd, int flags)
{
	if (pp_fdpass_send(b->fd, buf, len, fd, flags) < 0)
		return -1;
	b->sent = true;
	return 0;
}

static int xmit(struct prospero_binding *b, const void *buf, size_t len, int fd)
{
	return xmit_flags(b, buf, len, fd, MSG_DONTWAIT);
}

static int set_timeout(int fd, int opt, double seconds)
{
	struct timeval tv = { .tv_sec = (time_t)seconds };

	tv.tv_usec = (suseconds_t)((seconds - (double)tv.tv_sec) * 1e6);
	if (tv.tv_sec == 0 && tv.tv_usec == 0)
		tv.tv_usec = 1;	/* 0 would mean: wait forever */
	return setsockopt(fd, SOL_SOCKET, opt, &tv, sizeof tv);
}

int pr_chan_timeouts(struct prospero_binding *b, double rcv, double snd)
{
	if (rcv != b->rcv_timeout) {
		b->rcv_timeout = 0;
		if (set_timeout(b->fd, SO_RCVTIMEO, rcv) < 0)
			return -1;
		b->rcv_timeout = rcv;
	}
	if (snd > 0 && snd != b->snd_timeout) {
		b->snd_timeout = 0;
		if (set_timeout(b->fd, SO_SNDTIMEO, snd) < 0)
			return -1;
		b->snd_timeout = snd;
	}
	return 0;
}

int pr_chan_send_wait(struct prospero_binding *b, const struct pf_frame *f, int fd)
{
	long n = pf_encode(b->p->tx, sizeof b->p->tx, f);
	int r = n < 0 ? -1 : xmit_flags(b, b->p->tx, (size_t)n, fd, 0);
	int e = errno;

	if (fd >= 0)
		close(fd);
	errno = e;
	return r;
}

int pr_chan_send(struct prospero_binding *b, const struct pf_frame *f, int fd, bool force)
{
	struct prospero *p = b->p;
	struct pr_dgram *d, *tail = b->qtail;
	size_t need = pf_size(f);
	/* A cast waits for the end of this turn of the loop, so the casts of
	 * one turn leave as few datagrams as fit: coalesced whatever the
	 * socket's room. Calls and replies go at once (a round trip waits). */
	bool cork = b->coalesce && fd < 0 && f->kind == PF_CAST;
	bool full = false;	/* the socket refused it just now */
	long n;

	if (b->qlen == 0 && !cork) {
		/* The common case: nothing waits, so this frame goes out alone. */
		n = pf_encode(p->tx, sizeof p->tx, f);
		if (n < 0)
			goto fail;
		if (xmit(b, p->tx, (size_t)n, fd) == 0) {
			if (fd >= 0)
				close(fd);
			return 0;
		}
		if (errno != EAGAIN && errno != ENOBUFS)
			goto fail;
		full = true;
	} else if (!force && b->qlen >= PR_QUEUE_HIGH) {
		errno = EAGAIN;
		goto fail;
	}
	/* Join the last queued datagram if the frame fits (coalescing), else
	 * start a new one. */
	if (b->coalesce && tail && tail->fd < 0 && fd < 0 && tail->len + need <= PF_MAX_DGRAM) {
		n = pf_encode(tail->buf + tail->len, PF_MAX_DGRAM - tail->len, f);
		if (n < 0)
			goto fail;
		tail->len += (size_t)n;
		return 0;
	}
	d = dgram_get(p);
	if (!d) {
		errno = ENOMEM;
		goto fail;
	}
	n = pf_encode(d->buf, PF_MAX_DGRAM, f);
	if (n < 0) {
		int e = errno;

		dgram_put(p, d);
		errno = e;
		goto fail;
	}
	d->len = (size_t)n;
	d->fd = fd;
	if (tail)
		tail->next = d;
	else
		b->qhead = d;
	b->qtail = d;
	if (++b->qlen >= PR_QUEUE_HIGH)
		b->full = true;
	if (full)
		ev_io_start(p->loop, &b->wio);	/* wait for room */
	else if (!ev_is_active(&b->wio))
		ev_prepare_start(p->loop, &p->flusher);	/* send before the loop waits */
	return 0;
fail:
	if (fd >= 0) {
		int e = errno;

		close(fd);
		errno = e;
	}
	return -1;
}

/* Offer the first queued datagram to the socket: -1 when it is full, 0
 * when the datagram is done — sent, or refused for good (the peer's end
 * is gone). */
static int send_head(struct prospero_binding *b)
{
	struct pr_dgram *d = b->qhead;

	if (xmit(b, d->buf, d->len, d->fd) < 0 && (errno == EAGAIN || errno == ENOBUFS))
		return -1;
	b->qhead = d->next;
	if (!b->qhead)
		b->qtail = NULL;
	b->qlen--;
	dgram_put(b->p, d);
	return 0;
}

/* Offer B's queue to the socket without running any callback: for
 * prospero_call_wait and for closing. Stops at a full socket. */
void pr_chan_drain(struct prospero_binding *b)
{
	while (b->qhead && send_head(b) == 0)
		;
}

bool pr_chan_idle(const struct prospero_binding *b)
{
	return b->qlen == 0 && b->pending == 0;
}

static void writable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct prospero_binding *b = w->data;
	struct prospero *p = b->p;

	while (b->qhead) {
		if (send_head(b) < 0)
			return;
		if (b->full && b->qlen <= PR_QUEUE_HIGH / 2)
			break;
	}
	if (!b->qhead)
		ev_io_stop(loop, &b->wio);
	if (b->full && b->qlen <= PR_QUEUE_HIGH / 2) {
		b->full = false;
		if (b->serve && p->serving && !p->stopping)
			ev_io_start(loop, &b->rio);
		if (b->on_writable)
			b->on_writable(b, b->wr_arg);
	}
	if (p->stopping)
		pr_check_stopped(p);
}

void pr_chan_flush_all(struct prospero *p)
{
	struct ev_loop *loop = p->loop;
	bool again = true;

	/* Until every queue is empty or waits for room: what on_writable
	 * casts meanwhile must not sit through the loop's wait. Each pass
	 * leaves what the socket would not take under its write watcher, so
	 * the passes end; their bound only guards against callbacks that
	 * cast for ever, and what they leave is handed to the write watchers
	 * below, since the loop may now wait before this one runs again. */
	for (int pass = 0; again && pass < 8; pass++) {
		again = false;
		for (unsigned i = 0; i < p->nchans; i++) {
			struct prospero_binding *b = p->chans[i];

			if (!b->qhead || ev_is_active(&b->wio))
				continue;
			again = true;
			writable(loop, &b->wio, EV_WRITE);
			if (b->qhead && !ev_is_active(&b->wio))
				ev_io_start(loop, &b->wio);
		}
	}
	for (unsigned i = 0; again && i < p->nchans; i++)
		if (p->chans[i]->qhead && !ev_is_active(&p->chans[i]->wio))
			ev_io_start(loop, &p->chans[i]->wio);
}

void pr_chan_before_wait(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct prospero *p = w->data;

	ev_prepare_stop(loop, w);
	pr_chan_flush_all(p);
	if (p->linger > 0)
		pr_linger_calls(p);
}

static void reject(struct prospero_binding *b, const struct pf_frame *f, const char *why)
{
	/* Only a call is answered: answering anything else could start two
	 * confused peers bouncing errors at each other. */
	if (f->kind == PF_CALL && f->id != 0)
		pr_serve_reject(b, f->id, PROSPERO_E_BAD_REQUEST, why);
}

/* The frames of datagram RX (N bytes), in order; a malformed frame ends
 * it, since what follows cannot be found reliably. */
static void dispatch(struct prospero_binding *b, const unsigned char *rx, size_t n, int *fds, unsigned nfd)
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
			reject(b, &f, why);
			return;
		}
		body = f.body;
		if (f.flags & PF_FLAG_MEMFD) {
			if (next_fd >= nfd) {
				reject(b, &f, "memfd body without a file descriptor");
				return;
			}
			map = pr_memfd_map(fds[next_fd], f.body_len);
			close(fds[next_fd]);
			fds[next_fd++] = -1;
			if (!map) {
				reject(b, &f, "memfd body not sealed or too short");
				return;
			}
			body = map;
		}
		if (b->serve)
			pr_serve_dispatch(b, &f, body);
		else
			pr_call_dispatch(b, &f, body);
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
static int take(struct prospero_binding *b, const unsigned char *rx, size_t n, struct msghdr *msg)
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
		reject(b, &f, (msg->msg_flags & MSG_TRUNC) ? "datagram too large" : "too many file descriptors");
	} else {
		dispatch(b, rx, n, fds, nfd);
	}
	pp_fdpass_close(fds, nfd);
	return 0;
}

/* One datagram, with recvmsg: 1 handled; 0 none waiting (EAGAIN, or EINTR
 * in a blocking read); -1 the channel is finished. */
static int read_one(struct prospero_binding *b, int flags)
{
	struct iovec iov = { .iov_base = b->p->rx, .iov_len = PF_MAX_DGRAM };
	union fd_space cm;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cm.space, .msg_controllen = sizeof cm.space,
	};
	ssize_t n;

	do
		n = recvmsg(b->fd, &msg, flags | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR && (flags & MSG_DONTWAIT));
	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
	return take(b, b->p->rx, (size_t)n, &msg) < 0 ? -1 : 1;
}

int pr_chan_read_wait(struct prospero_binding *b)
{
	return read_one(b, 0);
}

/* Whether to look for more datagrams after the first of a wake-up. A
 * look that finds nothing costs a system call, and a reader woken for
 * each datagram (its peer on the same CPU) would pay it every time: after
 * such a miss, skip the next 1, 2, 4, then 8 looks; a look that finds
 * datagrams resets that. */
#define PR_LOOK_BACKOFF_MAX 8u

static int read_on(struct prospero_binding *b)
{
	int r;

	if (b->look_skip) {
		b->look_skip--;
		return 1;
	}
	r = read_one(b, MSG_DONTWAIT);
	if (r == 0) {
		b->look_backoff = b->look_backoff ? b->look_backoff * 2 : 1;
		if (b->look_backoff > PR_LOOK_BACKOFF_MAX)
			b->look_backoff = PR_LOOK_BACKOFF_MAX;
		b->look_skip = b->look_backoff;
		return 0;
	}
	b->look_backoff = 0;
	/* One recvmsg a datagram, not recvmmsg batches. A reader cheaper per
	 * datagram than its sender gains nothing (the sender sets the pace)
	 * but sleeps and is woken more often; on its sender's CPU each wake
	 * preempts the sender (batching: 0.80x raw there; this: 0.86x). */
	for (int i = 2; r > 0 && i < PR_READ_BURST && !b->sent; i++)
		r = read_one(b, MSG_DONTWAIT);
	return r;
}

static void readable(struct ev_loop *loop, ev_io *w, int revents)
{
	struct prospero_binding *b = w->data;
	int r;

	/* First one datagram alone: in a ping-pong it is all there is. If we
	 * answered it, the next cannot be there yet either. A peer streaming
	 * to us is read on (read_on). */
	b->sent = false;
	r = read_one(b, MSG_DONTWAIT);
	if (r > 0 && !b->sent)
		r = read_on(b);
	else if (r > 0 && b->serve && b->p->linger > 0)
		r = pr_linger_served(b);
	if (r < 0) {
		ev_io_stop(loop, &b->rio);
		return;
	}
	if (b->serve && (b->full || b->p->stopping))
		ev_io_stop(loop, &b->rio);	/* backpressure, or no new work */
}

struct prospero_binding *pr_chan_new(struct prospero *p, const char *name, int fd, bool serve)
{
	struct prospero_binding *b = calloc(1, sizeof *b);

	if (!b)
		return NULL;
	b->name = strdup(name);
	if (!b->name) {
		free(b);
		errno = ENOMEM;
		return NULL;
	}
	b->p = p;
	b->fd = fd;
	b->serve = serve;
	b->coalesce = true;
	/* A random first generation, so a reply meant for an earlier
	 * incarnation of this actor is unlikely to match a new call's id. */
	b->generation = (uint32_t)random() ^ (uint32_t)getpid() << 16;
	ev_io_init(&b->rio, readable, fd, EV_READ);
	b->rio.data = b;
	ev_io_init(&b->wio, writable, fd, EV_WRITE);
	b->wio.data = b;
	return b;
}

void pr_chan_start(struct prospero_binding *b)
{
	ev_io_start(b->p->loop, &b->rio);
}

void pr_chan_free(struct prospero_binding *b)
{
	struct prospero *p = b->p;

	pr_call_fail_all(b, PROSPERO_E_UNAVAILABLE, "the binding was closed");
	pr_chan_drain(b);	/* casts of this turn: what the socket takes */
	ev_io_stop(p->loop, &b->rio);
	ev_io_stop(p->loop, &b->wio);
	while (b->qhead) {
		struct pr_dgram *d = b->qhead;

		b->qhead = d->next;
		dgram_put(p, d);
	}
	for (uint32_t i = 0; i < b->nslots; i++)
		free(b->slots[i]);
	free(b->slots);
	close(b->fd);
	free(b->name);
	free(b);
}

void prospero_on_writable(struct prospero_binding *b, void (*cb)(struct prospero_binding *, void *), void *arg)
{
	b->on_writable = cb;
	b->wr_arg = arg;
}

void prospero_set_coalesce(struct prospero_binding *b, int on)
{
	b->coalesce = on != 0;
}

unsigned prospero_pending(const struct prospero_binding *b)
{
	return b->pending;
}
