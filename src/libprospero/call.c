/* Calls and casts. Call records are reused, so a steady stream of calls
 * allocates nothing. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "src/libprospero/call.h"
#include "src/libprospero/memfd.h"
#include "src/proto/error.h"

/* A random first generation, so a reply meant for an earlier
 * incarnation of this actor is unlikely to match a new call's id. */
static uint32_t first_generation(void)
{
	uint32_t g;
	uint64_t x;

	if (getrandom(&g, sizeof g, GRND_NONBLOCK) == (ssize_t)sizeof g)
		return g;
	/* no entropy yet (early boot), or getrandom refused: the clock and
	 * the pid, mixed (splitmix64's finaliser) so that every bit varies */
	x = pr_mono_ns() ^ (uint64_t)getpid() << 40;
	x = (x ^ x >> 30) * 0xbf58476d1ce4e5b9u;
	x = (x ^ x >> 27) * 0x94d049bb133111ebu;
	return (uint32_t)(x ^ x >> 31);
}

void pr_calls_init(struct pr_calls *calls, struct pr_port *port, void (*settled)(struct pr_calls *))
{
	*calls = (struct pr_calls){ .port = port, .loop = port->loop, .settled = settled };
	calls->generation = first_generation();
}

void pr_calls_fini(struct pr_calls *calls)
{
	for (uint32_t i = 0; i < calls->nslots; i++)
		free(calls->slots[i]);
	free(calls->slots);
}

static struct pr_call *call_get(struct pr_calls *calls)
{
	struct pr_call *c = calls->free_calls;

	if (c) {
		calls->free_calls = c->next_free;
		return c;
	}
	if (calls->nslots == UINT32_MAX) {
		errno = EAGAIN;
		return NULL;
	}
	if (calls->nslots == calls->cap) {
		uint32_t cap = calls->cap ? calls->cap * 2 : 16;
		struct pr_call **s = realloc(calls->slots, sizeof *s * cap);

		if (!s)
			return NULL;
		calls->slots = s;
		calls->cap = cap;
	}
	c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->calls = calls;
	c->slot = calls->nslots;
	calls->slots[calls->nslots++] = c;
	return c;
}

/* C's frame is written (or C is done): off the queued list. */
static void unqueue(struct pr_calls *calls, struct pr_call *c)
{
	if (c->qprev)
		c->qprev->qnext = c->qnext;
	else
		calls->queued = c->qnext;
	if (c->qnext)
		c->qnext->qprev = c->qprev;
	else
		calls->queued_tail = c->qprev;
	c->qprev = c->qnext = NULL;
}

static void call_put(struct pr_calls *calls, struct pr_call *c)
{
	if (c->sent_at == PR_UNWRITTEN)
		unqueue(calls, c);	/* answered (a timeout) before it left */
	c->sent_at = 0;
	c->id = 0;
	c->doomed = false;
	c->next_free = calls->free_calls;
	calls->free_calls = c;
}

/* Answer C once: the record is free again before the callback runs, so the
 * callback may call at once. */
static void finish(struct pr_call *c, int err, const void *body, size_t len)
{
	struct pr_calls *calls = c->calls;
	prospero_reply_fn *cb = c->cb;
	void *arg = c->arg;

	ev_timer_stop(calls->loop, &c->timer);
	calls->pending--;
	call_put(calls, c);
	cb(err, body, len, arg);
	if (calls->settled)
		calls->settled(calls);
}

static void expired(struct ev_loop *loop, ev_timer *w, int revents)
{
	static const char msg[] = "no answer within the timeout";

	struct pr_port *port = ((struct pr_call *)w)->calls->port;

	pr_port_enter(port);
	finish((struct pr_call *)w, PROSPERO_E_TIMEOUT, msg, sizeof msg - 1);
	pr_port_leave(port);
}

/* A frame can carry METHOD and LEN bytes at BODY: 0, or -1 with EINVAL. */
static int frame_check(const char *method, const void *body, size_t len, size_t *mlen)
{
	*mlen = method ? strnlen(method, PF_MAX_METHOD + 1) : 0;
	if (*mlen == 0 || *mlen > PF_MAX_METHOD || len > PF_MAX_BODY || (len && !body)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* A frame checked by frame_check, METHOD MLEN bytes long. */
static int frame_build(struct pf_frame *f, int kind, const char *method, size_t mlen, const void *body, size_t len,
		       int *fd)
{
	*fd = -1;
	*f = (struct pf_frame){
		.kind = (uint8_t)kind, .method_len = (uint16_t)mlen, .body_len = (uint32_t)len,
		.method = method, .body = body,
	};
	return pr_memfd_body(f, fd);
}

/* A call's own faults first (EINVAL), then the actor's (ESHUTDOWN): what
 * the caller got wrong is said whatever state the binding is in. *MLEN:
 * the method's length. */
static int call_check(bool stopping, const char *method, const void *body, size_t len, double timeout,
		      prospero_reply_fn *cb, size_t *mlen)
{
	if (!cb || !(timeout > 0) || frame_check(method, body, len, mlen) < 0) {
		errno = EINVAL;
		return -1;
	}
	if (stopping) {
		errno = ESHUTDOWN;
		return -1;
	}
	return 0;
}

/* Frame a call call_check passed, and take its record with a fresh id:
 * NULL with errno, holding nothing, when it cannot be made. The timer is
 * set up but not started. */
static struct pr_call *call_open(struct pr_calls *calls, const char *method, size_t mlen, const void *body,
				 size_t len, double timeout, prospero_reply_fn *cb, void *arg,
				 struct pf_frame *f, int *fd)
{
	struct pr_call *c;

	if (frame_build(f, PF_CALL, method, mlen, body, len, fd) < 0)
		return NULL;
	c = call_get(calls);
	if (!c) {
		int e = errno;

		if (*fd >= 0)
			close(*fd);
		errno = e;
		return NULL;
	}
	if (++calls->generation == 0)
		++calls->generation;
	c->id = (uint64_t)calls->generation << 32 | c->slot;
	c->cb = cb;
	c->arg = arg;
	/* before the write, not after: a peer may read the call, and the
	 * daemon see it die, before a clock read after the write */
	c->sent_at = pr_mono_ns();
	f->id = c->id;
	ev_timer_init(&c->timer, expired, timeout, 0);
	return c;
}

int pr_calls_send(struct pr_calls *calls, struct pr_chan *ch, bool stopping, const char *method,
		  const void *body, size_t len, double timeout, prospero_reply_fn *cb, void *arg)
{
	struct pf_frame f;
	struct pr_call *c;
	size_t mlen;
	int fd;

	if (call_check(stopping, method, body, len, timeout, cb, &mlen) < 0 ||
	    !(c = call_open(calls, method, mlen, body, len, timeout, cb, arg, &f, &fd)))
		return -1;
	if (pr_chan_send(ch, &f, fd, false) < 0) {	/* it closes FD either way */
		int e = errno;

		call_put(calls, c);
		errno = e;
		return -1;
	}
	if (ch->written != ch->frames) {
		/* queued: it is sent when the channel writes it (pr_calls_written) */
		c->sent_at = PR_UNWRITTEN;
		c->frame = ch->frames;
		c->qnext = NULL;
		c->qprev = calls->queued_tail;
		if (calls->queued_tail)
			calls->queued_tail->qnext = c;
		else
			calls->queued = c;
		calls->queued_tail = c;
	}
	calls->pending++;
	/* from now, not from the start of the caller's loop turn: a call made
	 * late in a long turn must not time out early */
	ev_now_update(calls->loop);
	ev_timer_start(calls->loop, &c->timer);
	return 0;
}

int pr_cast_send(struct pr_chan *ch, const char *method, const void *body, size_t len)
{
	struct pf_frame f;
	int fd;

	size_t mlen;

	if (frame_check(method, body, len, &mlen) < 0 || frame_build(&f, PF_CAST, method, mlen, body, len, &fd) < 0)
		return -1;
	return pr_chan_send(ch, &f, fd, false);
}

void pr_calls_written(struct pr_calls *calls, uint64_t last, uint64_t at)
{
	while (calls->queued && calls->queued->frame <= last) {
		struct pr_call *c = calls->queued;

		unqueue(calls, c);
		c->sent_at = at;
	}
}

void pr_calls_answer(struct pr_calls *calls, const struct pf_frame *f, const void *body)
{
	uint32_t slot = (uint32_t)f->id;
	struct pr_call *c;

	if (slot >= calls->nslots || calls->slots[slot]->id != f->id)
		return;		/* late: it timed out, or its peer restarted */
	c = calls->slots[slot];
	if (f->kind == PF_REPLY)
		finish(c, PROSPERO_OK, body, f->body_len);
	else
		finish(c, pf_error_code(f->method, f->method_len), body, f->body_len);
}

/* Fail the calls sent at or before SENT_BY (PR_UNWRITTEN: all). */
static void fail_sent_by(struct pr_calls *calls, int code, const char *why, uint64_t sent_by)
{
	/* Mark first: a callback may make new calls, which must not fail too. */
	for (uint32_t i = 0; i < calls->nslots; i++)
		calls->slots[i]->doomed = calls->slots[i]->id != 0 && calls->slots[i]->sent_at <= sent_by;
	for (uint32_t i = 0; i < calls->nslots; i++)
		if (calls->slots[i]->doomed)
			finish(calls->slots[i], code, why, strlen(why));
}

void pr_calls_fail_all(struct pr_calls *calls, int code, const char *why)
{
	fail_sent_by(calls, code, why, UINT64_MAX);
}

bool pr_calls_peer_restarted(struct pr_calls *calls, unsigned long incarnation, uint64_t at)
{
	uint64_t now;

	if (incarnation && incarnation <= calls->restarts_seen)
		return false;	/* heard already, on the other path */
	if (incarnation)
		calls->restarts_seen = incarnation;
	/* A call written after the end, or still queued, goes to the socket
	 * the next incarnation reads: it is not in flight with the dead one.
	 * Without AT (the control channel), every call written so far. */
	now = pr_mono_ns();
	fail_sent_by(calls, PROSPERO_E_PEER_RESTARTED, "peer restarted", at && at < now ? at : now);
	return true;
}

static double mono_now(void)
{
	return (double)pr_mono_ns() / 1e9;
}

/* Make the socket's blocking send and receive give up after SECONDS; a
 * steady caller pays for the two setsockopt calls once. */
static int wait_for(struct pr_chan *ch, double seconds)
{
	if (seconds < 1e-6)
		seconds = 1e-6;	/* 0 would mean: wait forever */
	return pr_chan_timeouts(ch, seconds, seconds);
}

/* Read CH until call C, sent with ID, is answered by DEADLINE: its record
 * is then free, or reused by a call from the callback, and its id has
 * changed. */
static void await(struct pr_call *c, uint64_t id, struct pr_chan *ch, double deadline)
{
	static const char gone[] = "the binding was closed", no_timeout[] = "setsockopt failed";

	while (c->id == id) {
		int r = pr_chan_read_wait(ch);
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
			expired(c->calls->loop, &c->timer, 0);
			break;
		}
		if (r == 0 && e == EAGAIN && left > ch->rcv_timeout / 2) {
			/* EAGAIN long before the deadline: the fd was made
			 * non-blocking behind our back, so wait in poll */
			struct pollfd pfd = { .fd = ch->fd, .events = POLLIN };

			poll(&pfd, 1, left < 1e6 ? (int)(left * 1000) + 1 : 1000000000);
		} else if (wait_for(ch, left) < 0) {
			finish(c, PROSPERO_E_INTERNAL, no_timeout, sizeof no_timeout - 1);
			break;
		}
	}
}

int pr_calls_wait(struct pr_calls *calls, struct pr_chan *ch, bool stopping, const char *method,
		  const void *body, size_t len, double timeout, prospero_reply_fn *cb, void *arg)
{
	struct pf_frame f;
	struct pr_call *c;
	size_t mlen;
	int fd;

	/* NaN too, before the socket's timeout takes it; and before EBUSY */
	if (call_check(stopping, method, body, len, timeout, cb, &mlen) < 0)
		return -1;
	if (ch->qlen && !ev_is_active(&ch->wio))
		pr_chan_drain(ch);	/* this turn's casts go first */
	if (calls->pending || ch->qlen) {
		errno = EBUSY;	/* the loop's calls, and frames the socket has no room for */
		return -1;
	}
	/* the socket times out, not the call's timer, which never starts */
	if (wait_for(ch, timeout) < 0)
		return -1;
	c = call_open(calls, method, mlen, body, len, timeout, cb, arg, &f, &fd);
	if (!c)
		return -1;
	if (pr_chan_send_wait(ch, &f, fd) < 0) {	/* it closes FD either way */
		int e = errno;

		call_put(calls, c);
		errno = e;	/* EAGAIN: the peer did not read within the timeout */
		return -1;
	}
	calls->pending++;
	await(c, f.id, ch, (double)c->sent_at / 1e9 + timeout);
	return 0;
}
