/* The client side of a binding: calls with an id, a timer each, and an
 * answer that arrives as a reply, an error, a timeout or PEER_RESTARTED —
 * exactly one of them. Call records are reused, so a steady stream of calls
 * allocates nothing. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "src/libprospero/internal.h"

static struct pr_call *call_get(struct prospero_binding *b)
{
	struct pr_call *c = b->free_calls;

	if (c) {
		b->free_calls = c->next_free;
		return c;
	}
	if (b->nslots == UINT32_MAX) {
		errno = EAGAIN;
		return NULL;
	}
	if (b->nslots == b->cap) {
		uint32_t cap = b->cap ? b->cap * 2 : 16;
		struct pr_call **s = realloc(b->slots, sizeof *s * cap);

		if (!s)
			return NULL;
		b->slots = s;
		b->cap = cap;
	}
	c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->b = b;
	c->slot = b->nslots;
	b->slots[b->nslots++] = c;
	return c;
}

static void call_put(struct prospero_binding *b, struct pr_call *c)
{
	c->id = 0;
	c->doomed = false;
	c->next_free = b->free_calls;
	b->free_calls = c;
}

/* Answer C once: the record is free again before the callback runs, so the
 * callback may call at once. */
static void finish(struct pr_call *c, int err, const void *body, size_t len)
{
	struct prospero_binding *b = c->b;
	prospero_reply_fn *cb = c->cb;
	void *arg = c->arg;

	ev_timer_stop(b->p->loop, &c->timer);
	b->pending--;
	call_put(b, c);
	cb(err, body, len, arg);
	if (b->p->stopping)
		pr_check_stopped(b->p);
}

static void expired(struct ev_loop *loop, ev_timer *w, int revents)
{
	static const char msg[] = "no answer within the timeout";

	finish((struct pr_call *)w, PROSPERO_E_TIMEOUT, msg, sizeof msg - 1);
}

static int frame_for(struct pf_frame *f, int kind, const char *method, const void *body, size_t len, int *fd)
{
	size_t mlen = method ? strlen(method) : 0;

	*fd = -1;
	if (mlen == 0 || mlen > PF_MAX_METHOD || len > PF_MAX_BODY || (len && !body)) {
		errno = EINVAL;
		return -1;
	}
	*f = (struct pf_frame){
		.kind = kind, .method_len = mlen, .body_len = len,
		.method = method, .body = body,
	};
	if (PF_HEADER + mlen + len > PF_MAX_DGRAM) {
		*fd = pr_memfd_make(body, len);
		if (*fd < 0)
			return -1;
		f->flags = PF_FLAG_MEMFD;
		f->body = NULL;
	}
	return 0;
}

/* Check a call, frame it, and take its record with a fresh id: NULL with
 * errno, holding nothing, when it cannot be made. The timer is set up but
 * not started. */
static struct pr_call *call_open(struct prospero_binding *b, const char *method, const void *body,
				 size_t len, double timeout, prospero_reply_fn *cb, void *arg,
				 struct pf_frame *f, int *fd)
{
	struct pr_call *c;

	if (!b || b->serve || !cb || !(timeout > 0)) {
		errno = EINVAL;
		return NULL;
	}
	if (b->p->stopping && !b->p->deferred) {
		errno = ESHUTDOWN;
		return NULL;
	}
	if (frame_for(f, PF_CALL, method, body, len, fd) < 0)
		return NULL;
	c = call_get(b);
	if (!c) {
		int e = errno;

		if (*fd >= 0)
			close(*fd);
		errno = e;
		return NULL;
	}
	if (++b->generation == 0)
		++b->generation;
	c->id = (uint64_t)b->generation << 32 | c->slot;
	c->cb = cb;
	c->arg = arg;
	c->sent_at = pr_mono_ns();
	f->id = c->id;
	ev_timer_init(&c->timer, expired, timeout, 0);
	return c;
}

int prospero_call(struct prospero_binding *b, const char *method, const void *body, size_t len,
		  double timeout, prospero_reply_fn *cb, void *arg)
{
	struct pf_frame f;
	struct pr_call *c;
	int fd;

	c = call_open(b, method, body, len, timeout, cb, arg, &f, &fd);
	if (!c)
		return -1;
	if (pr_chan_send(b, &f, fd, false) < 0) {	/* it closes FD either way */
		int e = errno;

		call_put(b, c);
		errno = e;
		return -1;
	}
	b->pending++;
	ev_timer_start(b->p->loop, &c->timer);
	if (b->p->linger > 0)
		ev_prepare_start(b->p->loop, &b->p->flusher);	/* linger for the answer */
	return 0;
}

int prospero_cast(struct prospero_binding *b, const char *method, const void *body, size_t len)
{
	struct pf_frame f;
	int fd;

	if (!b || b->serve) {
		errno = EINVAL;
		return -1;
	}
	if (frame_for(&f, PF_CAST, method, body, len, &fd) < 0)
		return -1;
	return pr_chan_send(b, &f, fd, false);
}

uint64_t pr_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int pr_call_dispatch(struct prospero_binding *b, const struct pf_frame *f, const void *body)
{
	uint32_t slot = (uint32_t)f->id;
	struct pr_call *c;

	if (f->kind == PF_ERROR && f->id == 0) {
		/* a notice, not an answer: the daemon's peer_restarted */
		struct prospero *p = b->p;
		unsigned long inc;
		uint64_t at;

		pf_notice_fields(body, f->body_len, &inc, &at);
		if (pf_error_code(f->method, f->method_len) == PROSPERO_E_PEER_RESTARTED &&
		    pr_call_peer_restarted(b, inc, at) && p->on_peer_restarted)
			p->on_peer_restarted(p, b->name, inc, p->restart_arg);
		return 0;
	}
	switch (f->kind) {
	case PF_REPLY:
	case PF_ERROR:
		if (slot >= b->nslots || b->slots[slot]->id != f->id)
			return 0;	/* late: it timed out, or its peer restarted */
		c = b->slots[slot];
		if (f->kind == PF_REPLY)
			finish(c, PROSPERO_OK, body, f->body_len);
		else
			finish(c, pf_error_code(f->method, f->method_len), body, f->body_len);
		return 0;
	case PF_CALL:
		pr_serve_reject(b, f->id, PROSPERO_E_BAD_REQUEST, "this end of the binding serves no calls");
		return -1;
	default:
		return -1;	/* a cast to a client: nobody listens for it */
	}
}

/* Fail B's calls sent at or before SENT_BY. */
static void fail_sent_by(struct prospero_binding *b, int code, const char *why, uint64_t sent_by)
{
	/* Mark first: a callback may make new calls, which must not fail too. */
	for (uint32_t i = 0; i < b->nslots; i++)
		b->slots[i]->doomed = b->slots[i]->id != 0 && b->slots[i]->sent_at <= sent_by;
	for (uint32_t i = 0; i < b->nslots; i++)
		if (b->slots[i]->doomed)
			finish(b->slots[i], code, why, strlen(why));
}

void pr_call_fail_all(struct prospero_binding *b, int code, const char *why)
{
	fail_sent_by(b, code, why, UINT64_MAX);
}

bool pr_call_peer_restarted(struct prospero_binding *b, unsigned long incarnation, uint64_t at)
{
	if (incarnation && incarnation <= b->restarts_seen)
		return false;	/* heard already, on the other path */
	if (incarnation)
		b->restarts_seen = incarnation;
	/* A call sent after the end went to the socket the next incarnation
	 * reads: it is not in flight with the dead one. */
	fail_sent_by(b, PROSPERO_E_PEER_RESTARTED, "peer restarted", at ? at : UINT64_MAX);
	return true;
}

static double mono_now(void)
{
	return (double)pr_mono_ns() / 1e9;
}

/* Make the socket's blocking send and receive give up after SECONDS; a
 * steady caller pays for the two setsockopt calls once. */
static int wait_for(struct prospero_binding *b, double seconds)
{
	if (seconds < 1e-6)
		seconds = 1e-6;	/* 0 would mean: wait forever */
	return pr_chan_timeouts(b, seconds, seconds);
}

int prospero_call_wait(struct prospero_binding *b, const char *method, const void *body, size_t len,
		       double timeout, prospero_reply_fn *cb, void *arg)
{
	static const char gone[] = "the binding was closed", no_timeout[] = "setsockopt failed";
	double deadline;
	struct pf_frame f;
	struct pr_call *c;
	uint64_t id;
	int fd;

	if (!b || b->serve || !(timeout > 0)) {
		errno = EINVAL;
		return -1;
	}
	if (b->qlen && !ev_is_active(&b->wio))
		pr_chan_drain(b);	/* this turn's casts go first */
	if (b->pending || b->qlen) {
		errno = EBUSY;	/* the loop's calls, and frames the socket has no room for */
		return -1;
	}
	/* the socket times out, not the call's timer, which never starts */
	if (wait_for(b, timeout) < 0)
		return -1;
	c = call_open(b, method, body, len, timeout, cb, arg, &f, &fd);
	if (!c)
		return -1;
	id = c->id;
	deadline = (double)c->sent_at / 1e9 + timeout;
	if (pr_chan_send_wait(b, &f, fd) < 0) {	/* it closes FD either way */
		int e = errno;

		call_put(b, c);
		errno = e;	/* EAGAIN: the peer did not read within the timeout */
		return -1;
	}
	b->pending++;
	/* Read until this call is answered: its record is then free, or
	 * reused by a call from the callback, and its id has changed. */
	while (c->id == id) {
		int r = pr_chan_read_wait(b);
		int e = errno;
		double left;

		if (r < 0) {
			finish(c, PROSPERO_E_UNAVAILABLE, gone, sizeof gone - 1);
			break;
		}
		if (c->id != id)
			break;
		left = deadline - mono_now();
		if (left <= 0) {
			expired(b->p->loop, &c->timer, 0);
			break;
		}
		if (r == 0 && e == EAGAIN && left > b->rcv_timeout / 2) {
			/* EAGAIN long before the deadline: the fd was made
			 * non-blocking behind our back, so wait in poll */
			struct pollfd pfd = { .fd = b->fd, .events = POLLIN };

			poll(&pfd, 1, (int)(left * 1000) + 1);
		} else if (wait_for(b, left) < 0) {
			finish(c, PROSPERO_E_INTERNAL, no_timeout, sizeof no_timeout - 1);
			break;
		}
	}
	return 0;
}
